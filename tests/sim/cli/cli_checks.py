"""What the command-line tests share: the binary, the sources, running cascade and counting
checks. Used by the command-line tests here (test_compare_cli.py, test_solve_cli.py, test_agents_cli.py,
test_inverse_cli.py, ...) and by tests/tools/ (import it after putting tests/sim/cli on sys.path)."""
import os
import subprocess
import sys

EXE = os.environ["CASCADE_EXE"]
SRC = os.environ["CASCADE_SOURCE_DIR"]
SMOKE = os.path.join(SRC, "tests", "data", "smoke", "smoke.yaml")
FAILURES = []


def run(*args):
    """`cascade ARGS...`, output captured, no terminal."""
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)
    return cond


def finish():
    """Exit 1 when a check failed."""
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        sys.exit(1)


def write(d, name, text):
    """Writes `text` to d/name and returns the path."""
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def run_ok(*args):
    """`cascade ARGS...`, checked to exit 0."""
    r = run(*args)
    check(r.returncode == 0, f"cascade {args[0]} (exit {r.returncode}: {r.stderr.strip()[:200]})")
    return r
