#!/usr/bin/env python3
"""Measure `policylang build` stage by stage on a generated tree; print wall and CPU seconds.

    python benchmarks/bench_build.py [--size 3209] [--seed 1] [--work DIR] [--jobs N] [--tree DIR]

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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=3209)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tree", default=None, help="measure this tree instead of a generated one")
    parser.add_argument("--work", default=None, help="folder for the tree, its cache and the output")
    parser.add_argument("--jobs", type=int, default=None, help="processes per stage (default: one per core)")
    args = parser.parse_args(argv)
    work = args.work or tempfile.mkdtemp(prefix="policylang-bench-build-")
    tree = args.tree
    if tree is None:
        tree = os.path.join(work, "policies")
        shutil.rmtree(tree, ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(HERE, "gen_tree.py"), tree, "--seed", str(args.seed),
                        *shape(args.size)], check=True, capture_output=True)
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
