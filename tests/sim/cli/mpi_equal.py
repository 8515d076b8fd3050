#!/usr/bin/python3
"""MPI mode (docs/batch.md): `mpirun -n 2 cascade run|sweep ...` writes the same file as one
process — every dataset and attribute bitwise equal except `command_line`. Registered in ctest
only when cascade is built with CASCADE_WITH_MPI=ON (tests/CMakeLists.txt); MPIEXEC names the
launcher. Under root (containers, CI) OpenMPI needs --allow-run-as-root; --oversubscribe lets
two ranks share fewer cores.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h5_equal import differences  # noqa: E402

EXE = os.environ["CASCADE_EXE"]
SRC = os.environ["CASCADE_SOURCE_DIR"]
MPIEXEC = os.environ.get("MPIEXEC", "mpirun")
SMOKE = os.path.join(SRC, "tests", "data", "smoke", "smoke.yaml")
FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)
    return cond


def launcher(n):
    version = subprocess.run([MPIEXEC, "--version"], capture_output=True, text=True,
                             stdin=subprocess.DEVNULL).stdout
    flags = ["--oversubscribe", "--allow-run-as-root"] if "Open MPI" in version else []
    return [MPIEXEC, *flags, "-n", str(n)]


env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")
cases = {
    "run": ["run", SMOKE, "--paths", "9"],
    "sweep": ["sweep", SMOKE, "--paths", "5", "--param", "assets.AIX.population.leverage_mean",
              "--values", "5,10,20"],
    "sweep_shard": ["sweep", SMOKE, "--paths", "5", "--param",
                    "assets.AIX.population.leverage_mean", "--values", "5,10,20", "--shard", "1/2"],
}
with tempfile.TemporaryDirectory() as d:
    for name, args in cases.items():
        single, ranks = os.path.join(d, name + "_1.h5"), os.path.join(d, name + "_2.h5")
        r = subprocess.run([EXE, *args, "-o", single, "-q", "--threads", "1"], capture_output=True,
                           text=True, timeout=300, stdin=subprocess.DEVNULL)
        check(r.returncode == 0, f"{name}: single process ({r.stderr.strip()[:300]})")
        r = subprocess.run([*launcher(2), EXE, *args, "-o", ranks, "--threads", "1"],
                           capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
                           env=env)
        if not check(r.returncode == 0, f"{name}: mpirun -n 2 (exit {r.returncode}: "
                                        f"{(r.stderr + r.stdout).strip()[-600:]})"):
            continue
        check("on 2 MPI ranks" in r.stdout, f"{name}: the run used 2 ranks ({r.stdout.strip()[:200]})")
        check(r.stdout.count("->") == 1, f"{name}: only rank 0 prints")
        diffs = differences(single, ranks, ignore_root_attrs=("command_line",))
        check(not diffs, f"{name}: 2 ranks == 1 process, bitwise: {diffs[:5]}")
    r = subprocess.run([*launcher(2), EXE, "sweep", SMOKE, "--param", "dt", "--values", "x",
                        "-o", os.path.join(d, "bad.h5")], capture_output=True, text=True,
                       timeout=300, stdin=subprocess.DEVNULL, env=env)
    check(r.returncode == 2 and r.stderr.count("--values:1:1: error:") == 1,
          f"input error under MPI: exit 2, reported once (exit {r.returncode}: {r.stderr.strip()[:300]})")

if FAILURES:
    print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
    sys.exit(1)
