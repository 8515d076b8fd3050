#!/usr/bin/python3
"""Structured text mutations of the shipped scenarios and test inputs, run through `cascade`.

A text-level fuzzer finds what libFuzzer misses when the library underneath (Debian's yaml-cpp)
is not instrumented: the recursive alias and the alias bomb were found this way. Each mutant is
one operator applied to a shipped scenario (or one of the CSV files of the test scenarios):
deleting, duplicating or re-indenting lines, extreme numbers, anchors and aliases (recursive,
bombs), unicode, CRLF line ends, a byte-order mark, truncation, byte flips. Every mutant goes
through `check` and `levels`, and some through a short `run`, with the oracle:

- no signal (no crash, no abort), no hang (a timeout);
- exit 0; or exit 2 with a located message (`FILE:LINE[:COL]: error:`, `--option: error:` or
  `cascade CMD: error:` for a refused output or memory estimate); or a clean exit 1 (a message);
- a `run` that fails leaves no output and no temporary file.

MUTANTS (default 150) and MUTATION_SEED (default 1) set the budget and the draw; failing mutants
are copied to MUTATION_FINDINGS (default ./mutation-findings). tools/fuzz.sh --long runs 5000.
"""
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

EXE = os.environ["CASCADE_EXE"]
SRC = os.environ["CASCADE_SOURCE_DIR"]
MUTANTS = int(os.environ.get("MUTANTS", "150"))
SEED = int(os.environ.get("MUTATION_SEED", "1"))
FINDINGS = os.environ.get("MUTATION_FINDINGS", os.path.abspath("mutation-findings"))

LOCATED = re.compile(r"^(?:[^\n]+:\d+(?::\d+)?|--[a-z-]+|cascade [a-z]+|[^\n:]+): (?:error|warning): ", re.M)
EXTREMES = ["1e308", "-1e308", "1e-320", "0", "-0", "nan", ".inf", "-.inf", "9223372036854775807",
            "2147483648", "-1", "1e19", "99999999999999999999", "0x10", "1e6", "3e9", "''", "~",
            "[]", "{}", "[1, [2, [3]]]", "\"1\"", "true"]
UNICODE = ["\u00e9", "\U0001F4A5", "\u202e", "\u200b", "\ufeff", "\u0000", "\u00a0", "\ud7ff",
           "\u4e2d\u6587", "\\u0041", "\x7f", "\t"]


def sources():
    """(name, directory, main file) of every base input."""
    out = [(f, os.path.join(SRC, "scenarios"), f) for f in sorted(os.listdir(os.path.join(SRC, "scenarios")))
           if f.endswith(".yaml")]
    out.append(("smoke.yaml", os.path.join(SRC, "tests", "data", "smoke"), "smoke.yaml"))
    for sub in ("deterministic", "minimal"):
        d = os.path.join(SRC, "tests", "data", "loader", sub)
        main = [f for f in os.listdir(d) if f.endswith(".yaml")][0]
        for f in sorted(os.listdir(d)):
            out.append((f"{sub}/{f}", d, main))
    return out


def mutate(rng, text):
    """One operator; returns (description, mutated text)."""
    lines = text.split("\n")
    op = rng.randrange(12)
    i = rng.randrange(len(lines))
    if op == 0:
        return f"delete line {i + 1}", "\n".join(lines[:i] + lines[i + 1:])
    if op == 1:
        return f"duplicate line {i + 1}", "\n".join(lines[:i + 1] + [lines[i]] + lines[i + 1:])
    if op == 2:
        nums = list(re.finditer(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![\w.])", text))
        if nums:
            m = rng.choice(nums)
            v = rng.choice(EXTREMES)
            return f"number at {m.start()} -> {v}", text[:m.start()] + v + text[m.end():]
    if op == 3:
        # An anchor on one value and an alias to it elsewhere, or a recursive one.
        vals = [k for k, l in enumerate(lines) if re.match(r"^\s*[\w-]+:\s*\S", l)]
        if len(vals) >= 2:
            a, b = rng.sample(vals, 2)
            la = re.sub(r":\s*", ": &m ", lines[a], count=1)
            lb = re.sub(r":\s*.*$", ": *m", lines[b], count=1)
            if rng.random() < 0.3:
                la = re.sub(r":\s*.*$", ": &m [*m]", lines[a], count=1)
            new = list(lines)
            new[a], new[b] = la, lb
            return f"anchor line {a + 1}, alias line {b + 1}", "\n".join(new)
    if op == 4:
        bomb = "bomb0: &b0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"bomb{k}: &b{k} [" + ", ".join([f"*b{k - 1}"] * 10) + "]\n" for k in range(1, 9))
        return "alias bomb", bomb + text if rng.random() < 0.5 else text + "\n" + bomb
    if op == 5:
        pos = rng.randrange(len(text) + 1)
        u = rng.choice(UNICODE)
        return f"unicode {u!r} at {pos}", text[:pos] + u + text[pos:]
    if op == 6:
        return "CRLF", text.replace("\n", "\r\n")
    if op == 7:
        return "BOM", "\ufeff" + text
    if op == 8:
        pos = rng.randrange(len(text) + 1)
        return f"truncate at {pos}", text[:pos]
    if op == 9:
        new = list(lines)
        new[i] = (" " * rng.choice([1, 2, 3])) + new[i] if rng.random() < 0.5 else new[i].lstrip()
        return f"indent line {i + 1}", "\n".join(new)
    if op == 10:
        b = bytearray(text.encode("utf-8", "surrogatepass"))
        if b:
            for _ in range(rng.randint(1, 4)):
                b[rng.randrange(len(b))] = rng.randrange(256)
        return "byte flips", b.decode("utf-8", "surrogateescape")
    # op 11: a line moved elsewhere.
    j = rng.randrange(len(lines))
    new = list(lines)
    new.insert(j, new.pop(i))
    return f"move line {i + 1} to {j + 1}", "\n".join(new)


def write_text(path, text):
    with open(path, "wb") as f:
        f.write(text.encode("utf-8", "surrogateescape"))


def judge(cmd, r, out=None, workdir=None):
    """Problems with one command's outcome under the oracle."""
    problems = []
    if r is None:
        return [f"{cmd}: hang (timeout)"]
    if r.returncode < 0:
        return [f"{cmd}: signal {-r.returncode}"]
    err = r.stderr.decode("utf-8", "replace")
    if r.returncode == 2 and not LOCATED.search(err):
        problems.append(f"{cmd}: exit 2 without a located message: {err[:200]!r}")
    if r.returncode == 1 and "error" not in err:
        problems.append(f"{cmd}: exit 1 without a message: {err[:200]!r}")
    if r.returncode not in (0, 1, 2):
        problems.append(f"{cmd}: exit {r.returncode}")
    if out is not None and r.returncode != 0 and os.path.exists(out):
        problems.append(f"{cmd}: failed but left {out}")
    if workdir is not None and [f for f in os.listdir(workdir) if ".tmp" in f]:
        problems.append(f"{cmd}: left a temporary file")
    return problems


def cascade(args, timeout):
    try:
        return subprocess.run([EXE, *args], capture_output=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None


def main():
    rng = random.Random(SEED)
    bases = sources()
    failures = 0
    counts = {0: 0, 1: 0, 2: 0}
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(MUTANTS):
            name, src_dir, main_file = rng.choice(bases)
            work = os.path.join(tmp, f"m{n}")
            shutil.copytree(src_dir, work)
            target = os.path.join(work, os.path.basename(name))
            with open(target, encoding="utf-8") as f:
                what, text = mutate(rng, f.read())
            write_text(target, text)
            scen = os.path.join(work, main_file)
            problems = []
            for cmd in (["check", scen], ["levels", scen]):
                r = cascade(cmd, 60)
                problems += judge(cmd[0], r)
                if r is not None and r.returncode in counts:
                    counts[r.returncode] += 1
            if n % 4 == 0:
                out = os.path.join(work, "out.h5")
                r = cascade(["run", scen, "-o", out, "-q", "--paths", "2", "--set", "steps=10"], 120)
                problems += judge("run", r, out, work)
            if problems:
                failures += 1
                os.makedirs(FINDINGS, exist_ok=True)
                keep = os.path.join(FINDINGS, f"seed{SEED}-m{n}")
                shutil.rmtree(keep, ignore_errors=True)
                shutil.copytree(work, keep)
                print(f"FAIL mutant {n} of {name} ({what}): {'; '.join(problems)} -> {keep}")
            shutil.rmtree(work, ignore_errors=True)
    print(f"{MUTANTS} mutants (seed {SEED}): exits {counts}; {failures} finding(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
