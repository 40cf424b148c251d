"""The long fuzzing run: mutated policy files and hostile cases, with the inputs tried and failures.

    python tests/fuzz/run_fuzz.py --policies 100000 --cases 100000 [--jobs 2] [--seed 1]

Mutated policies: a small tree (the national seed of tests/fuzz/hostile.py with a few of its
declarations, sometimes with the provincial seed) with one file mutated, checked; findings
rendered as text and JSON (every format and both languages for one input in ten); each policy
that checks without errors compiled and evaluated on hostile cases by its generated module and the
reference interpreter. Hostile cases: the full seed tree compiled once, then cases of hostile
values through the module and the interpreter, and hostile case files through eval's reader.

Prints the counts and every distinct failure (kind and first line); exits 1 when any failure was
found. A failure is a traceback, an internal error (PL990), output UTF-8 cannot carry, a module
and the interpreter that disagree, or an input that took over 10 s.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import tempfile
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))  # as the CLI does

import hostile  # noqa: E402


def _policies_worker(args):
    seed, count = args
    rng = random.Random(seed)
    folder = tempfile.mkdtemp(prefix="policylang-fuzz-")
    failures: list = []
    cases = 0
    slowest = 0.0
    for index in range(count):
        files = hostile.small_seed(rng)
        target = rng.choice(sorted(files))
        files[target] = hostile.mutate(files[target], rng)
        every = index % 10 == 0
        started = time.perf_counter()
        outcome = hostile.check_tree(
            files, rng, cases_per_policy=3 if every else 0, folder=folder,
            formats=("text", "json", "sarif", "github", "junit") if every else ("text", "json"),
            languages=("en", "zh") if every else ("en",))
        took = time.perf_counter() - started
        slowest = max(slowest, took)
        if took > 10:
            outcome.fail("hang", f"checking took {took:.1f} s")
        cases += outcome.cases
        failures += [(kind, detail, files) for kind, detail in outcome.failures]
    return count, cases, failures, slowest


def _cases_worker(args):
    seed, count = args
    from policylang.backends.pycodegen import compile_module
    from policylang.pipeline import check
    from policylang.semantics.evaluate import EvaluationError, Interpreter

    rng = random.Random(seed)
    folder = tempfile.mkdtemp(prefix="policylang-fuzz-")
    root = os.path.join(folder, "policies")
    for pid, text in {"cn/base": hostile.NATIONAL, "cn/base/prov": hostile.PROVINCIAL}.items():
        path = os.path.join(root, *pid.split("/")) + ".policy"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    runs = [check([root], root, cache=False, jobs=1, progress=False),
            check([os.path.join(repo, "policies")], os.path.join(repo, "policies"), cache=False, jobs=1,
                  progress=False)]
    targets = []
    for run in runs:
        for policy in run.resolution.policies.values():
            if not policy.has_errors:
                targets.append((compile_module(policy), Interpreter(policy, run.resolution.policies)))
    outcome = hostile.Outcome()
    files = 0
    slowest = 0.0
    for index in range(count):
        module, interp = targets[index % len(targets)]
        started = time.perf_counter()
        hostile.evaluate_both(module, interp, hostile.hostile_case(rng, list(module.INPUTS)),
                              hostile.hostile_as_of(rng), outcome, EvaluationError)
        if index % 20 == 0:
            files += 1
            hostile.check_case_file(hostile.hostile_case_file(rng, list(module.INPUTS)), outcome)
        slowest = max(slowest, time.perf_counter() - started)
    return count, files, [(k, d, None) for k, d in outcome.failures], slowest


def _split(total: int, jobs: int, seed: int, chunk: int = 500):
    parts = []
    index = 0
    while total > 0:
        n = min(chunk, total)
        parts.append((seed * 1_000_003 + index, n))
        total -= n
        index += 1
    return parts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--policies", type=int, default=2000, help="mutated policy trees to check")
    parser.add_argument("--cases", type=int, default=20000, help="hostile cases to evaluate")
    parser.add_argument("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.time()
    kinds: Counter = Counter()
    distinct: dict = {}
    totals = Counter()
    slowest = {"policy": 0.0, "case": 0.0}
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        for count, cases, failures, slow in pool.imap_unordered(_policies_worker, _split(args.policies, args.jobs,
                                                                                        args.seed)):
            totals["policies"] += count
            totals["policy cases"] += cases
            slowest["policy"] = max(slowest["policy"], slow)
            for kind, detail, files in failures:
                kinds[kind] += 1
                distinct.setdefault((kind, detail.split("\n")[0][:160]), files)
            print(f"  {totals['policies']} mutated policies checked, {sum(kinds.values())} failures "
                  f"({time.time() - started:.0f} s)", file=sys.stderr, flush=True)
        for count, files, failures, slow in pool.imap_unordered(_cases_worker, _split(args.cases, args.jobs,
                                                                                    args.seed + 7, chunk=5000)):
            totals["cases"] += count
            totals["case files"] += files
            slowest["case"] = max(slowest["case"], slow)
            for kind, detail, _ in failures:
                kinds[kind] += 1
                distinct.setdefault((kind, detail.split("\n")[0][:160]), None)
            print(f"  {totals['cases']} hostile cases evaluated, {sum(kinds.values())} failures "
                  f"({time.time() - started:.0f} s)", file=sys.stderr, flush=True)
    elapsed = time.time() - started
    print(f"mutated policies checked: {totals['policies']} (with {totals['policy cases']} cases on the ones "
          f"that compiled); slowest {slowest['policy']:.2f} s")
    print(f"hostile cases evaluated (module and interpreter): {totals['cases']}; hostile case files read: "
          f"{totals['case files']}; slowest {slowest['case']:.3f} s")
    print(f"failures: {sum(kinds.values())} ({', '.join(f'{k}: {n}' for k, n in kinds.most_common()) or 'none'})")
    print(f"time: {elapsed:.0f} s with {args.jobs} processes")
    for (kind, detail), files in sorted(distinct.items())[:50]:
        print(f"- {kind}: {detail}")
        if files:
            for pid, text in files.items():
                print(f"    {pid}: {text[:300]!r}")
    return 1 if kinds else 0


if __name__ == "__main__":
    sys.exit(main())
