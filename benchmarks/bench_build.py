#!/usr/bin/env python3
"""Measure `policylang build` stage by stage on a generated tree; print wall and CPU seconds.

    python benchmarks/bench_build.py [--size 3209] [--seed 1] [--work DIR] [--jobs N] [--tree DIR]
                                     [--against SRC [--rounds N]] [--incremental]

The tree (benchmarks/gen_tree.py, the national 1 + 31 + 333 + 2,844 shape scaled to --size, or
--tree) is checked in this process with its own cache, once cold and once warm; then the two
stages after the check run as `policylang build` runs them:

  check      the cold check (parse, resolve, checks; in parallel)
  compile    write_modules: one evaluator module per policy (forked workers, --jobs)
  docs       render_site: the Markdown and HTML pages (forked workers, --jobs)

CPU is user + system time of this process and of its workers (RUSAGE_SELF + RUSAGE_CHILDREN):
on a shared machine the wall time follows the load, the CPU time much less. Run the same
command on two checkouts back to back to compare them; the outputs (--work DIR/out) can be
compared with `diff -r`.

--against SRC compares this checkout with another source tree (a folder holding a `policylang`
package, such as `git archive COMMIT policylang | tar -x -C SRC`) in one run: each round runs
the stages once for each version, one right after the other, each in a fresh process with its
own warm cache of the same tree (so the machine's load falls on both alike), prints every round
and the best and median per stage, and says whether the two outputs are the same bytes.

--incremental runs `policylang build` itself into one folder: cold, again with nothing changed,
after one city's file changed, and again; wall and CPU of each.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bench_check import compile_bytecode, machine, shape  # noqa: E402


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Stage:
    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *exc):
        wall, cpu = time.perf_counter() - self.wall, cpu_seconds() - self.cpu
        if exc[0] is None:
            print(f"{self.name:<10} {wall:8.1f} {cpu:8.1f}", flush=True)


# One version's stages in a child process (the check warm: its cache is made first), as JSON.
CHILD = r"""
import json, os, resource, sys, time
if sys.argv[4]:
    sys.path.insert(0, sys.argv[4])
tree, out, jobs = sys.argv[1], sys.argv[2], (int(sys.argv[3]) if sys.argv[3] else None)
from policylang.backends.docs import render_site
from policylang.backends.pycodegen import write_modules
from policylang.pipeline import check

def cpu():
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

figures = {}
def stage(name, work):
    wall, used = time.perf_counter(), cpu()
    result = work()
    figures[name] = (time.perf_counter() - wall, cpu() - used)
    return result

run = stage("check", lambda: check([tree]))
policies = [p for p in run.target_policies() if not p.has_errors]
stage("compile", lambda: write_modules(policies, os.path.join(out, "python"), jobs=jobs))
stage("docs", lambda: render_site(run, os.path.join(out, "docs"), jobs=jobs))
print(json.dumps(figures))
"""


def compare(args, tree: str, work: str) -> None:
    """This checkout against args.against, round by round (see the module's text)."""
    import json
    import statistics

    versions = [("this", ""), ("against", os.path.abspath(args.against))]
    compile_bytecode(versions[1][1])
    print(f"'against' is {versions[1][1]}; per stage wall s / CPU s (user + system, workers included)")
    rows: dict[str, dict[str, list]] = {name: {} for name, _ in versions}
    outs = {}
    for name, source in versions:  # each version's cache of the tree, made before anything is timed
        cache = os.path.join(work, f"cache-{name}")
        shutil.rmtree(cache, ignore_errors=True)
        env = dict(os.environ, POLICYLANG_CACHE_DIR=cache)
        env.pop("POLICYLANG_NO_CACHE", None)
        outs[name] = (os.path.join(work, f"out-{name}"), env)
        subprocess.run([sys.executable, "-c", "import sys\nif sys.argv[2]: sys.path.insert(0, sys.argv[2])\n"
                        "from policylang.pipeline import check\ncheck([sys.argv[1]])", tree, source],
                       check=True, env=env, capture_output=True)
    for round_no in range(1, args.rounds + 1):
        for name, source in versions:
            out, env = outs[name]
            shutil.rmtree(out, ignore_errors=True)
            done = subprocess.run([sys.executable, "-c", CHILD, tree, out, str(args.jobs or ""), source],
                                  check=True, env=env, capture_output=True, text=True)
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            load = os.getloadavg()[0]
            print(f"  round {round_no} {name:>8}: " + "  ".join(
                f"{stage} {wall:.1f} / {cpu:.1f}" for stage, (wall, cpu) in figures.items()) + f"  load {load:.1f}",
                flush=True)
            for stage, pair in figures.items():
                rows[name].setdefault(stage, []).append(pair)
    for name, _ in versions:
        print(f"  {name:>8} best / median: " + "  ".join(
            f"{stage} wall {min(w for w, _ in v):.1f} / {statistics.median(w for w, _ in v):.1f}, "
            f"CPU {min(c for _, c in v):.1f} / {statistics.median(c for _, c in v):.1f}"
            for stage, v in rows[name].items()))
    same = subprocess.run(["diff", "-rq", outs["this"][0], outs["against"][0]], capture_output=True, text=True)
    print("outputs: the same bytes" if same.returncode == 0 else
          f"outputs DIFFER ({len(same.stdout.splitlines())} files): diff -r {outs['this'][0]} {outs['against'][0]}")


def incremental(args, tree: str, work: str) -> None:
    """`policylang build` as a command, three times into one folder: cold (the check's cache
    warm, the output folder empty), again with nothing changed, and after one city's file changed;
    wall and CPU of each (the command's process and its workers)."""
    import re

    out = os.path.join(work, "out-incremental")
    shutil.rmtree(out, ignore_errors=True)
    cache = os.path.join(work, "cache-incremental")
    shutil.rmtree(cache, ignore_errors=True)
    env = dict(os.environ, POLICYLANG_CACHE_DIR=cache)
    env.pop("POLICYLANG_NO_CACHE", None)
    command = [sys.executable, "-m", "policylang", "build", tree, "-o", out]
    subprocess.run([sys.executable, "-m", "policylang", "check", tree], env=env, capture_output=True)
    city = sorted(os.path.join(d, n) for d, _dirs, names in os.walk(tree) for n in names
                  if n.endswith(".policy") and os.path.relpath(d, tree).count(os.sep) == 2)[0]
    original = open(city, encoding="utf-8").read()

    def timed(name: str) -> None:
        before, wall = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        said = [line for line in done.stderr.splitlines() if "since the last build" in line]
        print(f"{name:<34} {time.perf_counter() - wall:8.1f} {cpu:8.1f}  load {os.getloadavg()[0]:.1f}"
              + (f"  ({said[-1].split(': ', 1)[-1]})" if said else ""), flush=True)
        if done.returncode != 0:
            raise SystemExit(done.stdout + done.stderr)

    print(f"{'build (check cache warm)':<34} {'wall s':>8} {'CPU s':>8}")
    try:
        timed("cold: empty output folder")
        timed("again, nothing changed")
        with open(city, "w", encoding="utf-8") as fh:
            fh.write(re.sub('document "', 'document "（修订）', original, count=1))
        timed(f"one city changed ({os.path.relpath(city, tree)})")
        timed("again, nothing changed")
    finally:
        with open(city, "w", encoding="utf-8") as fh:
            fh.write(original)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=3209)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tree", default=None, help="measure this tree instead of a generated one")
    parser.add_argument("--work", default=None, help="folder for the tree, its cache and the output")
    parser.add_argument("--jobs", type=int, default=None, help="processes per stage (default: one per core)")
    parser.add_argument("--against", default=None, help="another source tree to compare with, round by round")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the comparison (--against)")
    parser.add_argument("--incremental", action="store_true",
                        help="time `policylang build` cold, unchanged and after one city changed, instead")
    args = parser.parse_args(argv)
    work = args.work or tempfile.mkdtemp(prefix="policylang-bench-build-")
    tree = args.tree
    if tree is None:
        tree = os.path.join(work, "policies")
        shutil.rmtree(tree, ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(HERE, "gen_tree.py"), tree, "--seed", str(args.seed),
                        *shape(args.size)], check=True, capture_output=True)
    mode = incremental if args.incremental else compare if args.against else None
    if mode is not None:
        print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
        compile_bytecode()
        mode(args, tree, work)
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
        return 0
    out = os.path.join(work, "out")
    shutil.rmtree(out, ignore_errors=True)
    cache = os.path.join(work, "cache")
    shutil.rmtree(cache, ignore_errors=True)
    os.environ["POLICYLANG_CACHE_DIR"] = cache
    os.environ.pop("POLICYLANG_NO_CACHE", None)
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    compile_bytecode()

    from policylang.backends.docs import render_site
    from policylang.backends.pycodegen import write_modules
    from policylang.pipeline import check

    print(f"{'stage':<10} {'wall s':>8} {'CPU s':>8}")
    with Stage("check"):
        run = check([tree])
    policies = [p for p in run.target_policies() if not p.has_errors]
    with Stage("compile"):
        modules = write_modules(policies, os.path.join(out, "python"), jobs=args.jobs)
    with Stage("docs"):
        pages = render_site(run, os.path.join(out, "docs"), jobs=args.jobs)
    print(f"{len(policies)} policies: {len(modules)} module files, {len(pages)} documentation files in {out}; "
          f"load average {os.getloadavg()[0]:.1f}")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
