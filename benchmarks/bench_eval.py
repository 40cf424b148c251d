"""Decisions per second on the seed policies: the generated modules, the reference interpreter, and
(for cn/gd/stent-2020) a hand-written Python function of the same rules.

Run: python benchmarks/bench_eval.py [--cases N] [--seconds S]   (prints figures; not a test)

Each policy is evaluated on N varied cases (the same seed gives the same cases), generated from its
inputs and blanks and kept when the interpreter evaluates them without an error. Three ways in:
- strings: every value as a string or a JSON boolean, as read from JSON (how claims systems send cases);
- typed: values already Decimal, datetime.date, bool, int (a Python caller);
- validated once: the inputs checked and converted beforehand (module.validate(case),
  Interpreter.coerce_inputs), so only the rules are measured: what remains of a case when the same
  inputs are evaluated more than once, and the work where a compiler differs from an interpreter.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import os
import platform
import random
import sys
import timeit
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal, DivisionByZero, InvalidOperation, Overflow

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from policylang.backends.pycodegen import compile_module  # noqa: E402
from policylang.pipeline import check  # noqa: E402
from policylang.semantics.evaluate import EvaluationError, Interpreter  # noqa: E402

# ---------------------------------------------------------------- cases


def random_value(rng: random.Random, kind: str, members) -> object:
    """One valid input value, written as JSON would carry it."""
    if kind == "money":
        return f"{rng.randint(0, 2_000_000) / 100:.2f}" if rng.random() < 0.8 else str(rng.randint(0, 20_000))
    if kind == "percent":
        return f"{rng.randint(0, 100)}%" if rng.random() < 0.7 else f"0.{rng.randint(0, 99):02d}"
    if kind == "decimal":
        return f"{rng.randint(-100_000, 100_000) / 100:.2f}"
    if kind == "count":
        return str(rng.randint(0, 500))
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "date":
        return (dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 6 * 365))).isoformat()
    if kind == "enum":
        return rng.choice(list(members))
    if kind == "duration":
        return rng.choice(["6 months", "2 years", "30 days"])
    return "x"


def make_cases(policy, interpreter: Interpreter, count: int, seed: int) -> list[tuple[dict, dt.date]]:
    rng = random.Random(f"{seed}:{policy.policy_id}")
    accepted = interpreter.accepted_inputs()
    cases = []
    for _ in range(count * 20):
        case = {name: random_value(rng, t.kind, interpreter.enum_members.get(t.enum, ()))
                for name, t in accepted.items()}
        as_of = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 6 * 365))
        try:
            interpreter.evaluate(case, as_of)
        except EvaluationError:
            continue  # e.g. a decision not applicable at this date reading a missing value
        cases.append((case, as_of))
        if len(cases) == count:
            break
    return cases


# ---------------------------------------------------------------- hand-written (cn/gd/stent-2020)
# As a careful developer would write the Guangdong stent rules directly: the same validation,
# 50-digit context and rounding as the generated code, and the same idioms (positional quantize).

CTX = Context(prec=50, traps=[InvalidOperation, DivisionByZero, Overflow])
FEN = Decimal("0.01")
ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)
LISTING_CAP = Decimal(7000)
PREPAYMENT_RATIO = Decimal("0.3")


def _money(raw):
    value = raw if isinstance(raw, Decimal) else Decimal(raw)
    at_fen = value.quantize(FEN, None, CTX)
    if at_fen != value or not at_fen >= ZERO:
        raise ValueError(raw)
    return at_fen


def _percent(raw):
    if isinstance(raw, Decimal):
        value = raw
    else:
        value = CTX.divide(Decimal(raw[:-1]), HUNDRED) if raw.endswith("%") else Decimal(raw)
    if not ZERO <= value <= ONE:
        raise ValueError(raw)
    return value


def _date(raw):
    return raw if isinstance(raw, dt.date) else dt.date.fromisoformat(raw)


def hand_validate(case):
    return {
        "selected": case["selected"], "selected_price": _money(case["selected_price"]),
        "price": _money(case["price"]), "in_fund_scope": case["in_fund_scope"],
        "reimbursement_ratio": _percent(case["reimbursement_ratio"]),
        "agreed_amount": _money(case["agreed_amount"]), "acceptance_date": _date(case["acceptance_date"]),
        "payment_date": _date(case["payment_date"]), "lowest_purchase_price": _money(case["lowest_purchase_price"]),
        "nonselected_payment_cap": _money(case["nonselected_payment_cap"]),
        "retention_ratio": _percent(case["retention_ratio"]), "fund_savings": _money(case["fund_savings"]),
        "assessment_passed": case.get("assessment_passed"),
    }


def hand_rules(v, as_of):
    selected = v["selected"]
    lowest = v["lowest_purchase_price"]
    price = v["price"]
    in_scope = v["in_fund_scope"]
    if selected:
        listing_allowed, listing_price = True, v["selected_price"]
        standard = v["selected_price"].quantize(FEN, ROUND_HALF_UP, CTX)
    elif lowest <= LISTING_CAP:
        listing_allowed, listing_price = True, lowest
        standard = min(price, v["nonselected_payment_cap"]) if in_scope else None
    else:  # not listed: the notice says nothing, so no listing price and no payment standard
        listing_allowed = listing_price = standard = None
    if selected or (in_scope and standard is not None):
        fund = CTX.multiply(min(price, standard), v["reimbursement_ratio"]).quantize(FEN, ROUND_HALF_UP, CTX)
        patient = CTX.subtract(price, fund).quantize(FEN, ROUND_HALF_UP, CTX)
    else:  # outside the fund's scope, or no payment standard: the fund pays nothing stated
        fund = patient = None
    prepay = CTX.multiply(v["agreed_amount"], PREPAYMENT_RATIO).quantize(FEN, ROUND_CEILING, CTX)
    accepted = v["acceptance_date"]
    year, month = divmod(accepted.year * 12 + accepted.month, 12)  # the month after, 0-based
    deadline = dt.date(year, month + 1, calendar.monthrange(year, month + 1)[1])
    on_time = v["payment_date"] <= deadline
    passed = v["assessment_passed"]
    if passed is None:
        retained = None
    elif passed:
        retained = CTX.multiply(v["fund_savings"], v["retention_ratio"]).quantize(FEN, ROUND_FLOOR, CTX)
    else:
        retained = ZERO
    return (listing_allowed, listing_price, standard, fund, patient, prepay, deadline, on_time, retained)


def hand_written(case, as_of):
    return hand_rules(hand_validate(case), as_of)


# ---------------------------------------------------------------- measuring


def rate(function, decisions_per_call: int, seconds: float) -> float:
    """Decisions per second of function(), over timeit loops lasting at least `seconds`."""
    number, total, elapsed = 1, 0, 0.0
    while elapsed < seconds:
        took = timeit.timeit(function, number=number)
        elapsed += took
        total += number
        if took < seconds / 10:
            number *= 2
    return total * decisions_per_call / elapsed


def typed_case(interpreter: Interpreter, case: dict) -> dict:
    """The case as a Python caller would pass it: the interpreter's converted values."""
    return interpreter.coerce_inputs(case)


def measure_policy(policy, cases, seconds: float, hand: bool):
    module = compile_module(policy)
    interpreter = Interpreter(policy)
    n = len(policy.decision_order) * len(cases)
    typed = [(typed_case(interpreter, c), a) for c, a in cases]
    validated = [(module.validate(c), interpreter.coerce_inputs(c), a) for c, a in cases]
    for case, as_of in cases:  # the three evaluators agree on every case
        expected = interpreter.evaluate(case, as_of).values
        assert module.evaluate(case, as_of=as_of).as_dict() == expected, case
        if hand:
            assert list(hand_written(case, as_of)) == [expected[k] for k in policy.decision_order], case

    def each(function, items):
        return lambda: [function(*item) for item in items]

    rows = {
        "strings": {
            "generated": each(lambda c, a: module.evaluate(c, as_of=a), cases),
            "interpreter": each(interpreter.evaluate, cases),
            "hand-written": each(hand_written, cases) if hand else None,
        },
        "typed": {
            "generated": each(lambda c, a: module.evaluate(c, as_of=a), typed),
            "interpreter": each(interpreter.evaluate, typed),
            "hand-written": each(hand_written, typed) if hand else None,
        },
        "validated once": {
            "generated": each(lambda m, i, a: module.evaluate(m, as_of=a), validated),
            "interpreter": each(lambda m, i, a: interpreter.evaluate_validated(i, a), validated),
            "hand-written": each(lambda m, i, a: hand_rules(i, a), validated) if hand else None,
        },
    }
    return {mode: {name: (rate(f, n, seconds) if f else None) for name, f in fs.items()}
            for mode, fs in rows.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200, help="cases per policy (default 200)")
    parser.add_argument("--seconds", type=float, default=0.5, help="time per figure (default 0.5)")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--policy", action="append", help="only these policy ids")
    args = parser.parse_args(argv)

    run = check([os.path.join(os.path.dirname(HERE), "policies")])
    print(f"Python {platform.python_version()} on {platform.machine()} {platform.system()} "
          f"({os.cpu_count()} CPUs); {args.cases} cases per policy, seed {args.seed}")
    print(f"{'policy':<27} {'inputs':<15} {'generated/s':>12} {'interpreter/s':>14} {'hand/s':>11} "
          f"{'gen/interp':>10} {'hand/gen':>8}")
    totals: dict[str, list[float]] = {}
    for policy_id, policy in sorted(run.resolution.policies.items()):
        if args.policy and policy_id not in args.policy:
            continue
        if not policy.decision_order or policy.has_errors:
            continue
        interpreter = Interpreter(policy)
        cases = make_cases(policy, interpreter, args.cases, args.seed)
        if not cases:
            print(f"{policy_id:<27} (no case evaluates without an error)")
            continue
        figures = measure_policy(policy, cases, args.seconds, hand=policy_id == "cn/gd/stent-2020")
        for mode, f in figures.items():
            hand = f["hand-written"]
            ratio = f["generated"] / f["interpreter"]
            totals.setdefault(mode, []).append(ratio)
            hand_rate = f"{hand:,.0f}" if hand else "-"
            hand_ratio = f"{hand / f['generated']:.2f}x" if hand else "-"
            print(f"{policy_id:<27} {mode:<15} {f['generated']:>12,.0f} {f['interpreter']:>14,.0f} "
                  f"{hand_rate:>11} {ratio:>9.1f}x {hand_ratio:>8}")
    print("generated / interpreter, geometric mean over the policies:")
    for mode, ratios in totals.items():
        product = 1.0
        for r in ratios:
            product *= r
        print(f"  {mode:<15} {product ** (1 / len(ratios)):.1f}x")


if __name__ == "__main__":
    main()
