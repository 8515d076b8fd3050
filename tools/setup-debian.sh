#!/usr/bin/env bash
# Installs everything Cascade needs to build, test and analyse results, from Debian 12
# packages. Idempotent: when every package is already installed it does nothing (and needs
# no network); otherwise it runs `apt-get update` once and installs what is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost-random-dev libeigen3-dev libtbb-dev libyaml-cpp-dev libhdf5-dev hdf5-tools
  doctest-dev libbenchmark-dev libcli11-dev libfmt-dev
  libopenmpi-dev openmpi-bin
  python3-h5py python3-numpy python3-pandas python3-matplotlib
  python3-xarray python3-h5netcdf netcdf-bin
  chromium
  clang libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
