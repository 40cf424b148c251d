"""The compiled module of an amended policy (`amends`) agrees with the reference interpreter on
every day: before the amendment, between its date and a postponed effective date, and after, for
generated amendments (values, statement kinds, dates, chains of two)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import header, write_tree
from policylang.semantics.evaluate import Interpreter
from support import compile_module, outcome_interpreter, outcome_module, resolve_tree

NATIONAL = header("national", effective="2020-01-01") + """
input amount: money
input signed: date
param ratio: percent floor 30%
param lag: count ceiling 3
decision prepay: money floor = round(amount * ratio, fen, up)
decision due: date ceiling = end_of_month(add_months(signed, lag))
"""

PROVINCE = header("provincial", effective="2021-01-01", extends="cn/x") + """
param start: date fixed 2021-03-01
override param ratio: percent floor 40% because "本省"
decision started: bool = as_of >= start
"""


def amendment(effective: dt.date, target: str, ratio: int, lag: int, start: dt.date, moved) -> str:
    out = (f'policy "修订"\nlevel provincial\neffective {effective.isoformat()}\namends {target}\n')
    if moved is not None:
        out += f"override effective {moved.isoformat()}\n"
    return out + (f'override param ratio: percent floor {ratio}% because "调整"\n'
                  f'override param lag: count ceiling {lag} because "调整"\n'
                  f'override param start: date fixed {start.isoformat()} because "推迟"\n')


DAY = st.dates(dt.date(2021, 1, 2), dt.date(2021, 12, 31))
AMENDMENT = st.tuples(DAY, st.integers(30, 100), st.integers(0, 3), DAY, st.one_of(st.none(), DAY))


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(amendments=st.lists(AMENDMENT, min_size=1, max_size=2, unique_by=lambda a: a[0]),
       chained=st.booleans(),
       cases=st.lists(st.tuples(st.decimals(0, 100000, places=2), DAY, st.dates(dt.date(2020, 6, 1),
                                                                             dt.date(2022, 6, 30))),
                      min_size=1, max_size=6))
def test_compiled_amended_policy_equals_interpreter(amendments, chained, cases):
    files = {"cn/x": NATIONAL, "cn/p": PROVINCE}
    previous = "cn/p"
    for number, (effective, ratio, lag, start, moved) in enumerate(amendments):
        pid = f"cn/p-am{number}"
        files[pid] = amendment(effective, previous, ratio, lag, start, moved)
        if chained:
            previous = pid
    with tempfile.TemporaryDirectory() as tmp:
        root = write_tree(tmp, files)
        policies = resolve_tree(root)
        policy = policies["cn/p"]
        assert len(policy.versions) == len(amendments) and not policy.has_errors
        interp, module = Interpreter(policy), compile_module(policy)
        assert [a[0] for a in module.AMENDMENTS] == [v.policy_id for _, v in policy.versions]
        for amount, signed, as_of in cases:
            inputs = {"amount": str(amount), "signed": signed.isoformat()}
            expected = outcome_interpreter(interp, inputs, as_of, explain=True)
            assert outcome_module(module, inputs, as_of, explain=True) == expected
            # the version of the day: its ratio when it is in force
            version = policy.version_on(as_of)
            if expected[0] == "ok":
                assert version.effective is None or version.effective <= as_of


CITY = header("municipal", effective="2021-02-01", extends="cn/p") + """
input urgent: bool
override param ratio: percent floor {ratio}% because "本市"
decision local_prepay: money = if urgent then prepay else round(amount * 30%, fen)
"""


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(amendments=st.lists(AMENDMENT, min_size=1, max_size=2, unique_by=lambda a: a[0]),
       chained=st.booleans(), city_ratio=st.integers(40, 100), county=st.booleans(),
       cases=st.lists(st.tuples(st.decimals(0, 100000, places=2), DAY, st.dates(dt.date(2020, 6, 1),
                                                                             dt.date(2022, 6, 30)), st.booleans()),
                      min_size=1, max_size=6))
def test_compiled_policy_below_an_amended_notice_equals_interpreter(amendments, chained, city_ratio, county, cases):
    """A city (and a county below it) extending an amended province: from each amendment's date its
    inherited items are the amended version's, in the interpreter and the compiled module alike."""
    files = {"cn/x": NATIONAL, "cn/p": PROVINCE, "cn/p/c": CITY.replace("{ratio}", str(city_ratio))}
    if county:
        files["cn/p/c/k"] = header("county", effective="2021-02-01", extends="cn/p/c") + "decision k: money = prepay\n"
    previous = "cn/p"
    for number, (effective, ratio, lag, start, moved) in enumerate(amendments):
        pid = f"cn/p-am{number}"
        files[pid] = amendment(effective, previous, ratio, lag, start, moved)
        if chained:
            previous = pid
    with tempfile.TemporaryDirectory() as tmp:
        root = write_tree(tmp, files)
        policies = resolve_tree(root)
        province = policies["cn/p"]
        for leaf in ["cn/p/c"] + (["cn/p/c/k"] if county else []):
            policy = policies[leaf]
            assert not policy.has_errors
            assert [(s, v.amended_by) for s, v in policy.versions] == [(s, v.policy_id) for s, v in province.versions]
            interp, module = Interpreter(policy), compile_module(policy)
            assert [a[0] for a in module.AMENDMENTS] == [v.policy_id for _, v in province.versions]
            for amount, signed, as_of, urgent in cases:
                inputs = {"amount": str(amount), "signed": signed.isoformat()}
                if leaf == "cn/p/c":
                    inputs["urgent"] = urgent
                expected = outcome_interpreter(interp, inputs, as_of, explain=True)
                assert outcome_module(module, inputs, as_of, explain=True) == expected
                if expected[0] == "ok":
                    # an inherited item follows the province's version of the day: its lag
                    version = province.version_on(as_of)
                    lag = Interpreter(version).constant(version.params["lag"].value)
                    month = signed.month - 1 + int(lag)
                    first_after = dt.date(signed.year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
                    assert expected[1]["due"] == ("date", str(first_after - dt.timedelta(days=1)))


def city_amendment(effective: dt.date, target: str, ratio: int) -> str:
    return (f'policy "本市修订"\nlevel municipal\neffective {effective.isoformat()}\namends {target}\n'
            f'override param ratio: percent floor {ratio}% because "本市调整"\n')


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(amendments=st.lists(AMENDMENT, min_size=1, max_size=2, unique_by=lambda a: a[0]),
       city_amendments=st.lists(st.tuples(DAY, st.integers(40, 100)), min_size=1, max_size=2,
                                unique_by=lambda a: a[0]),
       city_ratio=st.integers(40, 100), county=st.booleans(),
       cases=st.lists(st.tuples(st.decimals(0, 100000, places=2), DAY, st.dates(dt.date(2020, 6, 1),
                                                                             dt.date(2022, 6, 30)), st.booleans()),
                      min_size=1, max_size=6))
def test_compiled_amended_city_below_an_amended_notice_equals_interpreter(amendments, city_amendments, city_ratio,
                                                                         county, cases):
    """A city amended itself, below an amended province (and a county below the city): its versions
    start on every day either is amended, each its own version of the day over the province's of
    the day, in the interpreter and the compiled module alike."""
    files = {"cn/x": NATIONAL, "cn/p": PROVINCE, "cn/p/c": CITY.replace("{ratio}", str(city_ratio))}
    if county:
        files["cn/p/c/k"] = header("county", effective="2021-02-01", extends="cn/p/c") + "decision k: money = prepay\n"
    for number, (effective, ratio, lag, start, moved) in enumerate(amendments):
        files[f"cn/p-am{number}"] = amendment(effective, "cn/p", ratio, lag, start, moved)
    for number, (effective, ratio) in enumerate(city_amendments):
        files[f"cn/p/c-am{number}"] = city_amendment(effective, "cn/p/c", ratio)
    with tempfile.TemporaryDirectory() as tmp:
        root = write_tree(tmp, files)
        policies = resolve_tree(root)
        province, city = policies["cn/p"], policies["cn/p/c"]
        own = sorted((d, f"cn/p/c-am{n}") for n, (d, _) in enumerate(city_amendments))
        days = sorted({d for d, _ in own} | {s for s, _ in province.versions})
        assert [s for s, _ in city.versions] == days
        for leaf in ["cn/p/c"] + (["cn/p/c/k"] if county else []):
            policy = policies[leaf]
            interp, module = Interpreter(policy), compile_module(policy)
            assert [d for _, d in module.AMENDMENTS] == days
            for amount, signed, as_of, urgent in cases:
                inputs = {"amount": str(amount), "signed": signed.isoformat()}
                if leaf == "cn/p/c":
                    inputs["urgent"] = urgent
                expected = outcome_interpreter(interp, inputs, as_of, explain=True)
                assert outcome_module(module, inputs, as_of, explain=True) == expected
        # the city's ratio of the day is its own version's (the last of its amendments by then);
        # the province's start of the day is the province's version's
        for _, _, as_of, _ in cases:
            mine = [n for d, n in own if d <= as_of]
            version = city.version_on(as_of)
            ratio = Interpreter(version).constant(version.params["ratio"].value)
            wanted = city_amendments[int(mine[-1][-1])][1] if mine else city_ratio
            assert ratio == Decimal(wanted) / 100
            upper = province.version_on(as_of)
            assert version.params["start"].value == upper.params["start"].value
