#!/usr/bin/env python3
"""Compare the generated modules of two versions of policylang, A then B, on a loaded machine.

    python benchmarks/compare_eval.py OLD_CHECKOUT NEW_CHECKOUT [--rounds 15] [--policies DIR]

Each checkout generates the standalone modules of the policies (default: OLD_CHECKOUT/policies)
in a process of its own; this process loads both sets and evaluates each module on the same 200
cases (benchmarks/bench_eval.make_cases) alternately, keeping the best of --rounds rounds per
module, in this process's CPU time (time.process_time: time other jobs hold the CPU is not
counted). The best of many short rounds is what is left of a run once other jobs' noise is gone,
so the ratio new/old is comparable even when single figures are not. Prints decisions per second
and the ratio per policy and mode, then the geometric mean of the ratios per mode.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import subprocess
import sys
import tempfile
import time
import timeit

HERE = os.path.dirname(os.path.abspath(__file__))

GENERATE = r"""
import os, sys
from policylang.pipeline import check
from policylang.backends.pycodegen import generate_module
run = check([sys.argv[1]], sys.argv[1], cache=False)
for pid, p in run.resolution.policies.items():
    if not p.has_errors and p.decision_order:
        with open(os.path.join(sys.argv[2], pid.replace("/", "__") + ".py"), "w", encoding="utf-8") as fh:
            fh.write(generate_module(p))
"""


def load(path: str, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--policies")
    args = parser.parse_args()
    policies = args.policies or os.path.join(args.old, "policies")
    sys.path.insert(0, os.path.dirname(HERE))
    sys.path.insert(0, HERE)
    import bench_eval as B
    from policylang.pipeline import check
    from policylang.semantics.evaluate import Interpreter

    with tempfile.TemporaryDirectory() as tmp:
        for version, checkout in (("old", args.old), ("new", args.new)):
            os.makedirs(os.path.join(tmp, version))
            env = dict(os.environ, PYTHONPATH=checkout)
            subprocess.run([sys.executable, "-c", GENERATE, policies, os.path.join(tmp, version)], env=env, check=True)
        run = check([policies], policies, cache=False)
        ratios: dict[str, list[float]] = {}
        for pid in sorted(run.resolution.policies):
            policy = run.resolution.policies[pid]
            if policy.has_errors or not policy.decision_order:
                continue
            file = pid.replace("/", "__") + ".py"
            modules = {v: load(os.path.join(tmp, v, file), f"compare_{v}_{file[:-3].replace('-', '_')}")
                       for v in ("old", "new")}
            interpreter = Interpreter(policy)
            cases = B.make_cases(policy, interpreter, 200, 2020)
            if not cases:  # no generated case evaluates without an error: nothing to time
                print(f"{pid:27} skipped: no case of the 200 generated evaluates without an error", flush=True)
                continue
            typed = [(interpreter.coerce_inputs(c), a) for c, a in cases]
            n = len(policy.decision_order) * len(cases)
            for module in modules.values():
                for case, as_of in cases:
                    assert module.evaluate(case, as_of=as_of).as_dict() == interpreter.evaluate(case, as_of).values
            for mode in ("strings", "typed", "validated once"):
                work = {}
                for version, module in modules.items():
                    items = cases if mode == "strings" else typed if mode == "typed" else \
                        [(module.validate(c), a) for c, a in cases]
                    work[version] = (lambda ev=module.evaluate, items=items: [ev(c, as_of=a) for c, a in items])
                best = {"old": math.inf, "new": math.inf}
                for _ in range(args.rounds):
                    for version in ("old", "new"):
                        best[version] = min(best[version], timeit.Timer(work[version], timer=time.process_time).timeit(number=3) / 3)
                old, new = n / best["old"], n / best["new"]
                ratios.setdefault(mode, []).append(new / old)
                print(f"{pid:27} {mode:15} old {old:12,.0f}  new {new:12,.0f}  new/old {new / old:5.3f}", flush=True)
        for mode, values in ratios.items():
            print(f"geometric mean new/old, {mode}: {math.exp(sum(map(math.log, values)) / len(values)):.3f}")


if __name__ == "__main__":
    main()
