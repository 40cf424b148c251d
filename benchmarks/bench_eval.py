"""Decisions per second on the seed stent policy (cn/gd/stent-2020): the generated module, the
reference interpreter, and a hand-written Python function of the same rules.

Run: python benchmarks/bench_eval.py   (prints figures; not a test)
All three start from the same raw case and validate it, twice: with strings (as read from JSON, the
usual way claims systems send cases) and with values already typed (Decimal, datetime.date, bool).
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import platform
import sys
import timeit
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal, DivisionByZero, InvalidOperation, Overflow

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from policylang.backends.pycodegen import compile_module  # noqa: E402
from policylang.pipeline import check  # noqa: E402
from policylang.semantics.evaluate import Interpreter  # noqa: E402

CASE = {
    "selected": False, "selected_price": "469", "price": "6500.00", "reimbursement_ratio": "80%",
    "agreed_amount": "123456.78", "acceptance_date": "2021-01-31", "payment_date": "2021-02-28",
    "lowest_purchase_price": "6500", "nonselected_payment_cap": "3000", "retention_ratio": "50%",
    "fund_savings": "10000.01",
}
AS_OF = dt.date(2021, 3, 1)
TYPED = {
    "selected": False, "selected_price": Decimal("469"), "price": Decimal("6500.00"),
    "reimbursement_ratio": Decimal("0.8"), "agreed_amount": Decimal("123456.78"),
    "acceptance_date": dt.date(2021, 1, 31), "payment_date": dt.date(2021, 2, 28),
    "lowest_purchase_price": Decimal("6500"), "nonselected_payment_cap": Decimal("3000"),
    "retention_ratio": Decimal("0.5"), "fund_savings": Decimal("10000.01"),
}

# ---------------------------------------------------------------- hand-written
CTX = Context(prec=50, traps=[InvalidOperation, DivisionByZero, Overflow])
FEN = Decimal("0.01")


def _money(raw):
    value = Decimal(raw)
    if not value.is_finite() or value < 0 or value != value.quantize(FEN, context=CTX):
        raise ValueError(raw)
    return value.quantize(FEN, context=CTX)


def _percent(raw):
    value = CTX.divide(Decimal(raw[:-1]), 100) if isinstance(raw, str) and raw.endswith("%") else Decimal(raw)
    if not 0 <= value <= 1:
        raise ValueError(raw)
    return value


def _date(raw):
    return raw if isinstance(raw, dt.date) else dt.date.fromisoformat(raw)


def hand_written(case, as_of):
    """The Guangdong stent rules, written directly (same validation and rounding)."""
    selected = case["selected"]
    selected_price = _money(case["selected_price"])
    price = _money(case["price"])
    ratio = _percent(case["reimbursement_ratio"])
    agreed = _money(case["agreed_amount"])
    accepted = _date(case["acceptance_date"])
    paid = _date(case["payment_date"])
    lowest = _money(case["lowest_purchase_price"])
    cap = _money(case["nonselected_payment_cap"])
    retention = _percent(case["retention_ratio"])
    savings = _money(case["fund_savings"])
    listing_allowed = True if selected else lowest <= 7000
    listing_price = selected_price if selected else (lowest if lowest <= 7000 else None)
    standard = (selected_price if selected else min(price, cap)).quantize(FEN, ROUND_HALF_UP)
    fund = CTX.multiply(min(price, standard), ratio).quantize(FEN, ROUND_HALF_UP, CTX)
    patient = CTX.subtract(price, fund)
    prepay = CTX.multiply(agreed, Decimal("0.3")).quantize(FEN, ROUND_CEILING, CTX)
    month = accepted.month + 1
    year = accepted.year + (month > 12)
    month = month - 12 if month > 12 else month
    deadline = dt.date(year, month, calendar.monthrange(year, month)[1])
    on_time = paid <= deadline
    retained = CTX.multiply(savings, retention).quantize(FEN, ROUND_FLOOR, CTX)
    return (listing_allowed, listing_price, standard, fund, patient, prepay, deadline, on_time, retained)


def rate(function, decisions: int, seconds: float = 1.0) -> float:
    number = 100
    total = 0
    elapsed = 0.0
    while elapsed < seconds:
        elapsed += timeit.timeit(function, number=number)
        total += number
    return total * decisions / elapsed


def main():
    run = check([os.path.join(os.path.dirname(HERE), "policies")])
    policy = run.resolution.policies["cn/gd/stent-2020"]
    module = compile_module(policy)
    interpreter = Interpreter(policy)
    n = len(policy.decision_order)
    print(f"cn/gd/stent-2020, {n} decisions per case; Python {platform.python_version()} on "
          f"{platform.machine()} {platform.system()} ({os.cpu_count()} CPUs)")
    for title, case in (("inputs as strings (JSON)", CASE), ("inputs already typed", TYPED)):
        expected = interpreter.evaluate(case, AS_OF).values
        assert module.evaluate(case, as_of=AS_OF).as_dict() == expected
        assert list(hand_written(case, AS_OF)) == [expected[k] for k in policy.decision_order]
        figures = {
            "generated module": rate(lambda: module.evaluate(case, as_of=AS_OF), n),
            "reference interpreter": rate(lambda: interpreter.evaluate(case, AS_OF), n),
            "hand-written Python": rate(lambda: hand_written(case, AS_OF), n),
        }
        print(title)
        for name, value in figures.items():
            print(f"  {name:<24} {value:>12,.0f} decisions/s")
        compiled = figures["generated module"]
        print(f"  generated / interpreter:  {compiled / figures['reference interpreter']:.1f}x")
        print(f"  hand-written / generated: {figures['hand-written Python'] / compiled:.2f}x")


if __name__ == "__main__":
    main()
