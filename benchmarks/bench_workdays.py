"""Working days: what counting them costs (prints figures; not a test).

Run: python benchmarks/bench_workdays.py [--cases 20000]

- arithmetic: `d + 15 working days` on every start date of 2019–2026 (semantics/workdays.py);
- evaluation: the Sichuan prepayment fixture (tests/fixtures/clean/province_prepays_in_working_days),
  the interpreter and the compiled module, next to the same policy with `30 days` instead;
- check: `policylang check` of that fixture (the param compared on every start date of its window,
  the decision proved by the solver with the calendar as a table), next to the days-only variant;
- the compiled module's size with and without its embedded calendar.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, REPO)

from policylang.backends.pycodegen import compile_module, generate_module  # noqa: E402
from policylang.pipeline import check  # noqa: E402
from policylang.semantics.evaluate import Interpreter  # noqa: E402
from policylang.semantics.workdays import builtin_calendar  # noqa: E402

FIXTURE = os.path.join(REPO, "tests", "fixtures", "clean", "province_prepays_in_working_days", "policies")


def _best(fn, repeat=3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _variant(days: bool) -> str:
    """A copy of the fixture; days=True replaces the working days by 30 days."""
    root = tempfile.mkdtemp(prefix="bench-workdays-")
    dest = os.path.join(root, "policies")
    shutil.copytree(FIXTURE, dest)
    if days:
        path = os.path.join(dest, "cn", "sc", "prepay-2024.policy")
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        text = text.replace("15 working days", "30 days")
        text = text.replace("2024-10-23", "2024-10-27").replace("2025-02-20", "2025-02-23")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    return dest


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20000)
    args = parser.parse_args()

    cal = builtin_calendar()
    starts = [dt.date(2019, 1, 1) + dt.timedelta(days=k) for k in range((dt.date(2026, 12, 1) - dt.date(2019, 1, 1)).days)]
    seconds = _best(lambda: [cal.add(d, 15) for d in starts])
    print(f"arithmetic: {len(starts)} starts + 15 working days in {seconds * 1000:.1f} ms "
          f"({seconds / len(starts) * 1e6:.2f} µs each)")

    for label, days in (("15 working days", False), ("30 days", True)):
        tree = _variant(days)
        check_seconds = _best(lambda: check([tree], tree, cache=False), repeat=2)
        run = check([tree], tree, cache=False)
        policy = run.resolution.policies["cn/sc/prepay-2024"]
        interp, module = Interpreter(policy), compile_module(policy)
        cases = [{"signing_date": (dt.date(2024, 3, 1) + dt.timedelta(days=k % 600)).isoformat()}
                 for k in range(args.cases)]
        as_of = dt.date(2024, 6, 1)
        t_interp = _best(lambda: [interp.evaluate(c, as_of) for c in cases], repeat=2)
        t_module = _best(lambda: [module.evaluate(c, as_of=as_of) for c in cases], repeat=2)
        size = len(generate_module(policy).encode("utf-8"))
        print(f"{label:>16}: check {check_seconds:.2f} s; interpreter {args.cases / t_interp:,.0f} cases/s; "
              f"module {args.cases / t_module:,.0f} cases/s; module {size:,} bytes")
        shutil.rmtree(os.path.dirname(tree), ignore_errors=True)


if __name__ == "__main__":
    main()
