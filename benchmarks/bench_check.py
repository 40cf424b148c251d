#!/usr/bin/env python3
"""Measure `check` (and `build`) on generated trees of several sizes; print a table.

    python benchmarks/bench_check.py [--sizes 1000,3209,10000] [--seed 1] [--conflicts 20] [--work DIR]
                                     [--no-build] [--against SRC [--rounds N]]

For each size a tree is generated with benchmarks/gen_tree.py (the default
3,209 is the real 1 + 31 + 333 + 2,844 shape; other sizes scale provinces,
cities and counties in proportion) into a fresh folder with its own cache, and
every measurement runs in a fresh Python process (as the CLI would):

  cold         check with an empty cache (parses everything, in parallel)
  warm         check again, nothing changed
  one city     check after appending a comment to one city's file
  build        `policylang build` (check + compile + docs, cold cache) on the same shape without
               planted conflicts (a build stops at errors), when the command exists
  peak MB      the largest resident set of the cold check (parent + worker processes)

It also counts the planted conflicts found in each mode. Figures are wall-clock
seconds and CPU seconds (user + system, of the check and of its parse workers); wall
figures vary with the load of the machine, so run it on a quiet one.

--against SRC compares this checkout with another source tree (a folder holding a
`policylang` package, such as `git archive COMMIT policylang | tar -x -C SRC`): both
check their own copy of the same tree with their own cache, each step of one run right
after the other's (cold, cold, warm, warm, one city, one city), for --rounds rounds,
so that the machine's load falls on both alike; it prints each round and the best and
median of each figure. Builds are not measured then.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CONFLICTS = ("PL304", "PL305", "PL306", "PL317")

# Runs one check in a child process and prints what it found as JSON.
CHILD = r"""
import json, resource, sys, time
if len(sys.argv) > 2:
    sys.path.insert(0, sys.argv[2])  # the source tree to measure (--against)
start = time.perf_counter()
from policylang.pipeline import check
run = check([sys.argv[1]])
elapsed = time.perf_counter() - start
found = sorted([d.policy_id, d.code] for d in run.diagnostics if d.code in %r)
self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
self_ru = resource.getrusage(resource.RUSAGE_SELF)
child_ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": elapsed, "found": found,
                  "cpu": self_ru.ru_utime + self_ru.ru_stime + child_ru.ru_utime + child_ru.ru_stime,
                  "cpu_workers": child_ru.ru_utime + child_ru.ru_stime, "stats": {k: str(v) for k, v in run.stats.items()},
                  "self_mb": self_kb / 1024, "child_mb": child_kb / 1024}))
""" % (CONFLICTS,)


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cores} cores, {cpu or 'unknown CPU'}; Python {platform.python_version()} on {platform.system()}"


def shape(size: int) -> list[str]:
    """Provinces, cities and counties in the national proportions for `size` policies in all."""
    scale = (size - 1) / 3208
    provinces = max(1, round(31 * scale))
    cities = max(provinces, round(333 * scale))
    counties = max(0, size - 1 - provinces - cities)
    return ["--provinces", str(provinces), "--cities", str(cities), "--counties", str(counties)]


def timed_check(tree: str, env: dict, source: str = "") -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, tree] + ([source] if source else []), env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def has_build() -> bool:
    try:
        out = subprocess.run([sys.executable, "-m", "policylang", "build", "--help"], capture_output=True, text=True)
    except OSError:
        return False
    return out.returncode == 0


def timed_build(tree: str, out_dir: str, env: dict) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "policylang", "build", tree, "-o", out_dir],
                          env=env, capture_output=True, text=True)
    return time.perf_counter() - start, proc.returncode


def one_city(tree: str) -> str:
    province = os.path.join(tree, "cn", "p01")
    city = sorted(d for d in os.listdir(province) if d.startswith("c"))[0]
    return os.path.join(province, city, "stent-2020.policy")


def bench(size: int, args, work: str, build: bool) -> dict:
    tree = os.path.join(work, f"tree-{size}", "policies")
    if os.path.exists(os.path.dirname(tree)):
        shutil.rmtree(os.path.dirname(tree))
    subprocess.run([sys.executable, os.path.join(HERE, "gen_tree.py"), tree, "--seed", str(args.seed),
                    "--conflicts", str(args.conflicts), *shape(size)], check=True, capture_output=True)
    with open(os.path.join(tree, "planted.json"), encoding="utf-8") as fh:
        planted = sorted([e["policy"], e["code"]] for e in json.load(fh))
    env = dict(os.environ, POLICYLANG_CACHE_DIR=os.path.join(work, f"cache-{size}"))
    env.pop("POLICYLANG_NO_CACHE", None)
    env["CI"] = "1"  # no progress line in the measurements
    row = {"size": size}
    cold = timed_check(tree, env)
    warm = timed_check(tree, env)
    city = one_city(tree)
    with open(city, "a", encoding="utf-8") as fh:
        fh.write("\n# benchmark: one city changed\n")
    incremental = timed_check(tree, env)
    row.update(cold=cold["seconds"], warm=warm["seconds"], city=incremental["seconds"],
               cpu=(cold["cpu"], warm["cpu"], incremental["cpu"]),
               peak_mb=max(cold["self_mb"], cold["child_mb"]), checked_after_city=incremental["stats"].get("examined"),
               planted=len(planted),
               found={mode: (r["found"] == planted, len(r["found"])) for mode, r in
                      (("cold", cold), ("warm", warm), ("city", incremental))})
    if build:
        # A build stops at the first error, so it is measured on the same shape without planted conflicts.
        clean = os.path.join(work, f"clean-{size}", "policies")
        shutil.rmtree(os.path.dirname(clean), ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(HERE, "gen_tree.py"), clean, "--seed", str(args.seed),
                        *shape(size)], check=True, capture_output=True)
        seconds, status = timed_build(clean, os.path.join(work, f"build-{size}"), env)
        row.update(build=seconds, build_status=status)
    return row


def compare(size: int, args, work: str) -> None:
    """This checkout against args.against, step by step (see the module's text)."""
    import statistics

    versions = [("this", ""), ("against", os.path.abspath(args.against))]
    print(f"{size} policies; 'against' is {versions[1][1]}; seconds wall / CPU (CPU of the parse workers)")
    rows: dict[str, dict[str, list]] = {name: {} for name, _ in versions}
    for round_no in range(1, args.rounds + 1):
        trees, envs = {}, {}
        base = os.path.join(work, f"tree-{size}", "policies")
        if round_no == 1:
            shutil.rmtree(os.path.dirname(base), ignore_errors=True)
            subprocess.run([sys.executable, os.path.join(HERE, "gen_tree.py"), base, "--seed", str(args.seed),
                            "--conflicts", str(args.conflicts), *shape(size)], check=True, capture_output=True)
        with open(os.path.join(base, "planted.json"), encoding="utf-8") as fh:
            planted = sorted([e["policy"], e["code"]] for e in json.load(fh))
        for name, _source in versions:
            tree = os.path.join(work, f"tree-{size}-{name}", "policies")
            shutil.rmtree(os.path.dirname(tree), ignore_errors=True)
            shutil.copytree(base, tree)
            cache = os.path.join(work, f"cache-{size}-{name}")
            shutil.rmtree(cache, ignore_errors=True)
            env = dict(os.environ, POLICYLANG_CACHE_DIR=cache, CI="1")
            env.pop("POLICYLANG_NO_CACHE", None)
            trees[name], envs[name] = tree, env
        results: dict[str, dict] = {name: {} for name, _ in versions}
        for mode in ("cold", "warm", "city"):
            for name, source in versions:
                if mode == "city":
                    with open(one_city(trees[name]), "a", encoding="utf-8") as fh:
                        fh.write("\n# benchmark: one city changed\n")
                results[name][mode] = timed_check(trees[name], envs[name], source)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        for name, _ in versions:
            r = results[name]
            ok = "/".join(f"{len(r[m]['found'])}{'' if r[m]['found'] == planted else '!'}" for m in r)
            print(f"  round {round_no} {name:>8}: " + "  ".join(
                f"{m} {r[m]['seconds']:.2f} / {r[m]['cpu']:.2f} ({r[m]['cpu_workers']:.2f})" for m in r)
                + f"  found {ok} of {len(planted)}  load {load:.1f}", flush=True)
            for m in r:
                rows[name].setdefault(m, []).append((r[m]["seconds"], r[m]["cpu"]))
    for name, _ in versions:
        print(f"  {name:>8} best / median: " + "  ".join(
            f"{m} wall {min(w for w, _ in v):.2f} / {statistics.median(w for w, _ in v):.2f}, "
            f"CPU {min(c for _, c in v):.2f} / {statistics.median(c for _, c in v):.2f}"
            for m, v in rows[name].items()))


def compile_bytecode(*sources: str) -> None:
    """Write policylang's bytecode before timing: an installed package has it (pip compiles at
    install), but an editable checkout run with PYTHONDONTWRITEBYTECODE=1 would compile every
    module again in each measured process (about 0.4 s of a one-city check here)."""
    import compileall

    import policylang

    compileall.compile_dir(os.path.dirname(policylang.__file__), quiet=1)
    for source in sources:
        compileall.compile_dir(os.path.join(source, "policylang"), quiet=1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,3209,10000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--conflicts", type=int, default=20)
    parser.add_argument("--work", default=None, help="folder for trees and caches (default: a temporary one)")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--against", default=None, help="another source tree to compare with, step by step")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the comparison (--against)")
    args = parser.parse_args(argv)
    work = args.work or tempfile.mkdtemp(prefix="policylang-bench-")
    if args.against:
        print(f"machine: {machine()}")
        compile_bytecode(args.against)
        for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
            compare(size, args, work)
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
        return 0
    build = not args.no_build and has_build()
    print(f"machine: {machine()}")
    compile_bytecode()
    if not build:
        print("build: skipped (" + ("--no-build" if args.no_build else "no `policylang build` command") + ")")
    header = f"{'policies':>8} {'cold s':>7} {'warm s':>7} {'1 city s':>8} {'build s':>8} {'peak MB':>8}  planted found (cold/warm/city)"
    print(header)
    print("-" * len(header))
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        row = bench(size, args, work, build)
        found = "/".join(f"{n}{'' if ok else '!'}" for ok, n in row["found"].values())
        build_s = f"{row['build']:8.2f}" if "build" in row else f"{'-':>8}"
        if "build" in row and row["build_status"] != 0:
            build_s = build_s.strip() + f"(exit {row['build_status']})"
        print(f"{row['size']:>8} {row['cold']:7.2f} {row['warm']:7.2f} {row['city']:8.2f} {build_s:>8} "
              f"{row['peak_mb']:8.0f}  {row['planted']} -> {found}  (after one city: {row['checked_after_city']} policies re-checked;"
              f" CPU s cold/warm/city {'/'.join(f'{c:.2f}' for c in row['cpu'])})",
              flush=True)
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
