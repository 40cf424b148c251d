#!/usr/bin/env python3
"""Compare the reference interpreter of another checkout (OLD) with this one's, in one process, on a
loaded machine.

    python benchmarks/compare_interp.py OLD_CHECKOUT [--rounds 40]

OLD_CHECKOUT's package is copied under the name `policylang_old` (its modules import each other
relatively), so both interpreters run in this process on the same cases (benchmarks/bench_eval
make_cases, made by this checkout), alternately policy by policy, A then B then B then A, keeping
the best of --rounds rounds: what is left of a run once other jobs' noise is gone. Prints
decisions per second (validated once, and from strings) and the ratio new/old per policy, then the
geometric mean of the ratios, and the function calls per evaluation of each (cProfile: the same
figure on an idle and on a loaded machine).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import math
import os
import pstats
import shutil
import sys
import tempfile
import timeit

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from bench_eval import make_cases  # noqa: E402


def setup(package: str, cases_by_policy: dict, make: bool) -> dict:
    check = importlib.import_module(package + ".pipeline").check
    interpreter_class = importlib.import_module(package + ".semantics.evaluate").Interpreter
    run = check([os.path.join(ROOT, "policies")], cache=False)
    out = {}
    for policy_id, policy in sorted(run.resolution.policies.items()):
        if not policy.decision_order or policy.has_errors:
            continue
        interpreter = interpreter_class(policy)
        if make:
            cases_by_policy[policy_id] = make_cases(policy, interpreter, 200, 2020)
        cases = cases_by_policy.get(policy_id)
        if not cases:
            continue
        typed = [(interpreter.coerce_inputs(c), a) for c, a in cases]
        out[policy_id] = {
            "decisions": len(cases) * len(policy.decision_order),
            "validated once": lambda i=interpreter, t=typed: [i.evaluate_validated(dict(v), a) for v, a in t],
            "strings": lambda i=interpreter, c=cases: [i.evaluate(x, a) for x, a in c],
        }
    return out


def calls(function) -> int:
    profile = cProfile.Profile()
    profile.enable()
    function()
    profile.disable()
    return pstats.Stats(profile, stream=io.StringIO()).total_calls


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="the other checkout (its policylang/ is compared with this one's)")
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(os.path.join(args.old, "policylang"), os.path.join(tmp, "policylang_old"))
        sys.path.insert(0, tmp)
        cases: dict = {}
        new = setup("policylang", cases, make=True)
        old = setup("policylang_old", cases, make=False)
        modes = ("validated once", "strings")
        best: dict = {}
        for r in range(args.rounds):
            for policy_id in new:
                for mode in modes:
                    order = (("old", old), ("new", new)) if r % 2 == 0 else (("new", new), ("old", old))
                    for name, sets in order:
                        took = timeit.timeit(sets[policy_id][mode], number=3) / 3
                        key = (name, policy_id, mode)
                        best[key] = min(best.get(key, math.inf), took)
        for mode in modes:
            ratios = []
            for policy_id, figures in new.items():
                n = figures["decisions"]
                o, w = best[("old", policy_id, mode)], best[("new", policy_id, mode)]
                ratios.append(o / w)
                print(f"{policy_id:28} {mode:15} old {n / o:10,.0f}/s  new {n / w:10,.0f}/s  new/old {o / w:.3f}  "
                      f"calls old {calls(old[policy_id][mode]):,} new {calls(new[policy_id][mode]):,}")
            print(f"geometric mean new/old ({mode}): {math.exp(sum(map(math.log, ratios)) / len(ratios)):.3f}")


if __name__ == "__main__":
    main()
