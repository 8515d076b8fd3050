#!/usr/bin/python3
"""Hostile and careless input at the command line (issue 11), as a user meets it.

Each check failed before the fix: a crash (SIGSEGV, std::terminate's SIGABRT), a hang, a silent
clamp, a file lost or replaced, an error at the wrong place, or a run that could not fit and
allocated until it died.
"""
import os
import re
import resource
import signal
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_checks import EXE, SMOKE, check, finish, run  # noqa: E402

LOC = re.compile(r"^[^:\n]+:\d+(:\d+)?: error: ")
GOOD = open(SMOKE).read()
MINIMAL = """exchange: {profile: binance}
assets:
  BTC:
    price: 30000
    tiers:
      - {floor: 0, max_leverage: 125, mmr: 0.004}
"""


def write(d, name, text):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def first_line(r):
    return r.stderr.strip().splitlines()[0] if r.stderr.strip() else ""


def no_signal(r, what):
    check(r.returncode >= 0, f"{what}: no signal (exit {r.returncode})")


def no_leftovers(d, what):
    left = [f for f in os.listdir(d) if ".tmp" in f]
    check(not left, f"{what}: no temporary file left ({left})")


with tempfile.TemporaryDirectory() as d:
    # ---- recursive aliases and alias bombs: exit 2 at the alias, in every command ----------
    rec = write(d, "rec.yaml", MINIMAL + "steps: &a [*a]\n")
    bomb_text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 9))
    bomb = write(d, "bomb.yaml", MINIMAL + bomb_text)
    for name, path, where in (("recursive alias", rec, ":7:12: error: "), ("alias bomb", bomb, ":")):
        for cmd in (["check", path], ["levels", path], ["run", path, "-o", os.path.join(d, "x.h5")],
                    ["sweep", path, "--param", "dt", "--values", "1,2", "-o", os.path.join(d, "x.h5")]):
            r = run(*cmd)
            no_signal(r, f"{name}: {cmd[0]}")
            check(r.returncode == 2 and first_line(r).startswith(path + where)
                  and LOC.match(first_line(r)) is not None,
                  f"{name}: {cmd[0]} exits 2 at the alias ({r.returncode}: {first_line(r)[:120]})")
    r = run("check", write(d, "ok.yaml", MINIMAL), "--set", "shocks=&s [*s]")
    check(r.returncode == 2 and first_line(r).startswith("--set:1:"),
          f"recursive alias in --set: exit 2 at --set:1 ({first_line(r)})")

    # ---- --threads, --seed, --paths ------------------------------------------------------
    ok = write(d, "smoke.yaml", GOOD)
    r = run("run", ok, "-o", os.path.join(d, "t.h5"), "--threads", "65537")
    check(r.returncode == 2 and "--threads" in r.stderr, f"--threads 65537: exit 2 ({r.stderr.strip()[:100]})")
    for bad in ("-1", "18446744073709551616", "99999999999999999999", "0x10", "1e30"):
        r = run("run", ok, "-o", os.path.join(d, "s.h5"), "--seed", bad, "-q")
        check(r.returncode == 2 and first_line(r).startswith("--seed: error: seed: expected an integer"),
              f"--seed {bad}: exit 2 naming --seed ({first_line(r)})")
    lst = write(d, "list.yaml", "- 1\n- 2\n")
    r = run("run", lst, "-o", os.path.join(d, "l.h5"), "--paths", "2")
    check(r.returncode == 2 and first_line(r).startswith(lst + ":1:1: error: the scenario must be a map"),
          f"--paths on a list scenario names the file ({first_line(r)})")
    r = run("run", ok, "-o", os.path.join(d, "p.h5"), "--paths", "3000000000")
    check(r.returncode == 2 and first_line(r).startswith("--paths: error: paths: "),
          f"--paths 3e9 names --paths ({first_line(r)})")
    r = run("check", ok, "--set", "dt=60", "--set", "shocks=[\n{at: 0,\nmove: x}]")
    check(r.returncode == 2 and first_line(r).startswith("--set:2:"),
          f"multi-line --set is override 2 ({first_line(r)})")

    # ---- empty CSV, long values ----------------------------------------------------------
    write(d, "empty.csv", "")
    r = run("check", write(d, "e.yaml", MINIMAL + "positions: {file: empty.csv}\n"))
    check(r.returncode == 2 and first_line(r).startswith(os.path.join(d, "empty.csv") + ":1:1: error: empty CSV"),
          f"empty CSV at :1:1 ({first_line(r)})")
    r = run("check", write(d, "long.yaml", MINIMAL + "steps: " + "9" * 4_000_000 + "x\n"))
    check(r.returncode == 2 and len(r.stderr) < 2000, f"an 4 MB value makes a short message ({len(r.stderr)} bytes)")

    # ---- output paths: checked before computing, never a non-regular file or an input -----
    slow = ["--paths", "50", "-q"]
    def refused(out, what, *extra):
        t0 = time.monotonic()
        r = run("run", ok, "-o", out, *slow, *extra)
        check(r.returncode == 2 and "error" in r.stderr,
              f"{what}: exit 2 ({r.returncode}: {r.stderr.strip()[:150]})")
        no_signal(r, what)
        return r, time.monotonic() - t0

    long_name = os.path.join(d, "x" * 300 + ".h5")
    r, _ = refused(long_name, "a 300-byte file name")
    check("longer than" in r.stderr, "a 300-byte file name: says why")
    os.mkdir(os.path.join(d, "adir"))
    refused(os.path.join(d, "adir"), "a directory as output", "--force")
    refused("", "an empty output name")
    os.symlink(os.path.join(d, "nowhere", "x.h5"), os.path.join(d, "dangling.h5"))
    refused(os.path.join(d, "dangling.h5"), "a dangling link, --force", "--force")
    fifo = os.path.join(d, "fifo.h5")
    os.mkfifo(fifo)
    refused(fifo, "a FIFO, --force", "--force")
    check(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO is still a FIFO")
    refused("/dev/null", "a device, --force", "--force")
    # The scenario or its CSV as the output, even through another name.
    pos = write(d, "pos.csv", "account,asset,side,size,entry_price,margin,mode\na,BTC,long,1,30000,3000,isolated\n")
    scen = write(d, "withpos.yaml", MINIMAL + "positions: {file: pos.csv}\n")
    before = open(scen).read(), open(pos).read()
    os.link(pos, os.path.join(d, "alias.csv"))
    for out in (scen, pos, os.path.join(d, "alias.csv"), os.path.join(d, "adir", "..", "pos.csv")):
        r = run("run", scen, "-o", out, "--force", "-q")
        check(r.returncode == 2 and "input" in r.stderr, f"-o {os.path.basename(out)} (an input) --force: exit 2 ({first_line(r)[:120]})")
    check((open(scen).read(), open(pos).read()) == before, "inputs untouched")
    r = run("levels", scen, "--csv", pos)
    check(r.returncode == 2 and open(pos).read() == before[1], "levels --csv onto the positions CSV: exit 2, untouched")
    if os.geteuid() != 0:  # root searches every directory
        locked = os.path.join(d, "locked")
        os.mkdir(locked)
        os.chmod(locked, 0)
        refused(os.path.join(locked, "x.h5"), "a directory without search permission")
        os.chmod(locked, 0o700)
    # merge and report check their outputs too.
    r = run("merge", ok, "-o", os.path.join(d, "y" * 300 + ".h5"))
    check(r.returncode == 2 and "longer than" in r.stderr, f"merge: long output name exit 2 ({first_line(r)[:100]})")
    # A long output name that is allowed still works: the temporary name is short.
    near = os.path.join(d, "n" * 250 + ".h5")
    r = run("run", ok, "-o", near, "--paths", "2", "-q")
    check(r.returncode == 0 and os.path.exists(near), f"a 253-byte output name works ({first_line(r)[:100]})")
    no_leftovers(d, "output path checks")

    # ---- SIGHUP is an interrupt: no output, no temporary file ---------------------------
    hup = os.path.join(d, "hup.h5")
    p = subprocess.Popen([EXE, "run", SMOKE, "-o", hup, "-q", "--paths", "200000", "--threads", "1"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    p.send_signal(signal.SIGHUP)
    _, err = p.communicate(timeout=120)
    check(p.returncode == 1 and "interrupted" in err, f"SIGHUP exits 1, interrupted ({p.returncode})")
    check(not os.path.exists(hup), "SIGHUP leaves no output")
    no_leftovers(d, "SIGHUP")

    # ---- resources: refuse up front ------------------------------------------------------
    huge = write(d, "huge.yaml", GOOD.replace("population: {count: 300,", "population: {count: 1000000000,", 1)
                 .replace("events: true", "events: false"))
    r = run("run", huge, "-o", os.path.join(d, "h.h5"), "-q")
    check(r.returncode == 2 and "--allow-large" in r.stderr and "population.count" in r.stderr,
          f"population 1e9: run refuses with the key ({r.stderr.strip()[:200]})")
    r = run("check", huge)
    check(r.returncode == 0 and "warning" in r.stderr and "--allow-large" in r.stderr,
          f"population 1e9: check warns ({r.stderr.strip()[:150]})")
    long_run = write(d, "steps.yaml", GOOD.replace("steps: 60", "steps: 2147483647"))
    r = run("check", long_run)
    m = re.search(r"estimated memory: ([0-9.]+) (KiB|MiB|GiB|TiB)", r.stdout)
    check(r.returncode == 0 and m is not None and float(m.group(1)) > 0 and "-" not in m.group(1),
          f"steps 2^31-1: a positive estimate ({m.group(0) if m else r.stdout[-200:]})")
    r = run("run", long_run, "-o", os.path.join(d, "st.h5"), "-q")
    check(r.returncode == 2 and "`steps`" in r.stderr, f"steps 2^31-1: run refuses naming steps ({first_line(r)[:200]})")
    ev = write(d, "events.yaml", GOOD.replace("count: 300,", "count: 1000000,", 1))
    r = run("run", ev, "-o", os.path.join(d, "ev.h5"), "--paths", "100000", "-q")
    check(r.returncode == 2 and "output.events" in r.stderr, f"events of 1e6 positions x 1e5 paths refused ({first_line(r)[:200]})")
    xa = write(d, "cross.yaml", GOOD.replace("entry_spread: 0.01}", "entry_spread: 0.01, cross_share: 0.5}")
               + "population: {cross_accounts: 100000000}\n")
    r = run("run", xa, "-o", os.path.join(d, "xa.h5"), "--threads", "64", "-q")
    check(r.returncode == 2 and "cross_accounts" in r.stderr, f"1e8 cross accounts on 64 threads refused ({first_line(r)[:200]})")
    for key, value in (("volatility: 1.2", "volatility: 1e19"), ("notional_dispersion: 1.0", "notional_dispersion: 1e6"),
                       ("entry_spread: 0.01", "entry_spread: 9.2e18"), ("price: 2.0", "price: 1e308"),
                       ("price: 2.0", "price: 1e-320"), ("dt: 60", "dt: 1e300"),
                       ("entry_spread: 0.01}", "entry_spread: 0.01, arrivals_per_day: 3e9}")):
        r = run("run", write(d, "range.yaml", GOOD.replace(key, value, 1)), "-o", os.path.join(d, "r.h5"), "-q")
        check(r.returncode == 2 and LOC.match(first_line(r)) is not None and not os.path.exists(os.path.join(d, "r.h5")),
              f"{value}: outside the computable range, exit 2 ({first_line(r)[:150]})")

    # ---- an exception that escapes a command is a message and exit 1, not an abort --------
    oom = write(d, "oom.yaml", MINIMAL.replace("price: 30000", "price: 30000\n    population: {count: 40000000}"))
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    r = subprocess.run([EXE, "levels", oom], capture_output=True, text=True, timeout=300,
                       preexec_fn=limit)
    check(r.returncode == 1 and "out of memory" in r.stderr,
          f"levels out of memory: exit 1 with a message ({r.returncode}: {r.stderr.strip()[:150]})")

    # ---- a million recorded paths: the loader and the set-up stay linear -----------------
    many = write(d, "many.yaml", MINIMAL + "paths: 300000\noutput:\n  timeseries_paths: ["
                 + ", ".join(str(i) for i in range(300000)) + "]\n")
    t0 = time.monotonic()
    r = run("check", many)
    check(r.returncode == 0, f"300000 listed paths load ({first_line(r)[:100]}, {time.monotonic() - t0:.1f}s)")

finish()
