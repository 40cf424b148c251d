"""Differential tests: the generated module and the reference interpreter agree on values, errors
(same class, field and decision) and explanations, for the seed policies and for generated ones."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import header, write_tree
from policylang.semantics.evaluate import Interpreter
from support import POLICIES, compile_module, outcome_interpreter, outcome_module, resolve_tree

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

DATES = st.dates(dt.date(2019, 1, 1), dt.date(2027, 12, 31))
MONTH_ENDS = st.builds(lambda y, m: dt.date(y, m, 1) - dt.timedelta(days=1),
                       st.integers(2019, 2027), st.integers(1, 12))


def _value(kind: str, members=()):
    money = st.decimals(0, 100000, places=2)
    # Huge values too: the interpreter and the generated code now agree on them (amounts beyond
    # 48 digits are input errors; arithmetic beyond 50 digits is an evaluation error).
    huge_money = st.one_of(st.decimals(0, 10 ** 52, places=2), st.integers(0, 10 ** 52))
    good = {
        "money": st.one_of(money, money.map(str), st.integers(0, 10000), huge_money, huge_money.map(str)),
        "percent": st.one_of(st.integers(0, 300).map(lambda n: f"{n}%"), st.decimals(0, 1, places=3).map(str),
                             st.decimals(0, 1, places=60).map(str), st.decimals(0, 100, places=40).map(lambda d: f"{d}%")),
        "decimal": st.one_of(st.decimals(-1000, 1000, places=3).map(str),
                             st.decimals(-10 ** 60, 10 ** 60, places=30).map(str)),
        "count": st.one_of(st.integers(0, 500), st.integers(0, 10 ** 30)),
        "bool": st.booleans(),
        "date": st.one_of(DATES, MONTH_ENDS).map(lambda d: d.isoformat()),
        "text": st.text(max_size=5),
        "enum": st.sampled_from(list(members) or ["x"]),
        "duration": st.sampled_from(["2 years", "6 months", "30 days"]),
    }[kind]
    bad = st.sampled_from(["-1", "1.234", "abc", "NaN", "inf", "2021-02-30", None, True, "80%%", "", "1e3"])
    return st.one_of(good, good, good, good, bad)


def _inputs_strategy(policy):
    interp = Interpreter(policy)
    accepted = interp.accepted_inputs()
    fields = {}
    for name, t in accepted.items():
        if t.kind == "list":  # a list of records: elements from the record's fields, mostly valid
            record = policy.records[t.record]
            element = st.fixed_dictionaries(
                {f.name: _value(f.type.kind, interp.enum_members.get(f.type.enum, ()) if f.type.kind == "enum"
                                else ()) for f in record.fields if not f.optional},
                optional={f.name: _value(f.type.kind) for f in record.fields if f.optional})
            fields[name] = st.one_of(st.just(None), st.lists(element, max_size=4), st.sampled_from(["x", 3, [1]]))
            continue
        members = interp.enum_members.get(t.enum, ()) if t.kind == "enum" else ()
        fields[name] = st.one_of(st.just(None), _value(t.kind, members))
    extras = st.sampled_from([{}, {}, {}, {"unknown_field": 1}])

    def build(values, extra):
        out = {k: v for k, v in values.items() if v is not None or st is None}
        # Absent is the common way to leave an input out; an explicit None is tested too.
        return {**{k: v for k, v in out.items()}, **extra}

    absent = st.fixed_dictionaries({}, optional={k: v for k, v in fields.items()})
    return st.builds(build, absent, extras)


def _seed_policies():
    policies = resolve_tree(POLICIES)
    return {pid: p for pid, p in policies.items() if not p.has_errors}


SEEDS = _seed_policies()


@pytest.mark.parametrize("policy_id", sorted(SEEDS))
def test_seed_policy_agrees_with_interpreter(policy_id):
    policy = SEEDS[policy_id]
    module = compile_module(policy)
    interp = Interpreter(policy)

    @SETTINGS
    @given(inputs=_inputs_strategy(policy), as_of=DATES, explain=st.booleans())
    def check(inputs, as_of, explain):
        expected = outcome_interpreter(interp, inputs, as_of, explain)
        got = outcome_module(module, inputs, as_of, explain)
        assert got == expected

    check()


@pytest.mark.parametrize("policy_id", sorted(SEEDS))
def test_seed_policy_each_decision_agrees(policy_id):
    """Decisions one at a time: laziness (only what is read is required) matches too."""
    policy = SEEDS[policy_id]
    module = compile_module(policy)
    interp = Interpreter(policy)

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(inputs=_inputs_strategy(policy), as_of=DATES)
    def check(inputs, as_of):
        for name in policy.decision_order:
            try:
                want = ("ok", interp.evaluate(inputs, as_of, decisions=[name]).values[name])
            except Exception as exc:  # noqa: BLE001 - the class is what is compared
                want = ("error", type(exc).__name__, getattr(exc, "field", None), str(exc))
            try:
                have = ("ok", module.decide(inputs, [name], as_of=as_of)[0][name])
            except Exception as exc:  # noqa: BLE001
                have = ("error", type(exc).__name__, getattr(exc, "field", None), str(exc))
            assert have == want, name

    check()


# ---------------------------------------------------------------- generated policies

def _money(depth):
    # opt_amount may be none; share and base are fixed, so formulas of them are folded when generated
    leaves = st.sampled_from(["a", "b", "cap", "7000 yuan", "0.01 yuan", "469 yuan", "stepped", "opt_amount",
                              "base", "kcap", "kcap.military"])
    if depth <= 0:
        return leaves
    sub = _money(depth - 1)
    return st.one_of(
        leaves,
        st.tuples(sub, st.sampled_from(["+", "-"]), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(sub, st.sampled_from(["r", "30%", "n", "1.5", "q", "share", "r2", "markup"]))
        .map(lambda t: f"{t[0]} * {t[1]}"),
        st.tuples(sub, st.sampled_from(["n", "r", "3"])).map(lambda t: f"{t[0]} / {t[1]}"),
        st.tuples(st.sampled_from(["min", "max"]), sub, sub).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        st.tuples(sub, st.sampled_from(["fen", "jiao", "yuan"]), st.sampled_from(["half_up", "half_even", "up", "down"]))
        .map(lambda t: f"round({t[0]}, {t[1]}, {t[2]})"),
        st.tuples(_bool(depth - 1), sub, sub).map(lambda t: f"(if {t[0]} then {t[1]} else {t[2]})"),
    )


def _bool(depth):
    leaves = st.sampled_from(["flag", "a <= b", "n > 3", "k == public", "k in {public, military}",
                              "d <= as_of", "opt_amount > 100 yuan", "not flag"])
    if depth <= 0:
        return leaves
    sub = _bool(depth - 1)
    return st.one_of(leaves, st.tuples(sub, st.sampled_from(["and", "or"]), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"))


def _date_expr():
    return st.sampled_from(["d", "end_of_month(add_months(d, n))", "d + 3 months", "add_days(d, 30)",
                            "add_years(d, 1)", "effective_date + 2 years", "d - 1 month",
                            "end_of_month(add_years(d, 1))", "end_of_month(add_months(d, -13))",
                            "end_of_month(add_months(effective_date, 14))"])


def _count_expr():
    return st.sampled_from(["n", "ceil(n * r)", "floor(n * 90%)", "n + 2", "days_between(d, as_of)",
                            "round(n * 1.5, unit, half_even)", "year(d)", "max(n, 10)", "n * n"])


POLICY_TEMPLATE = header("national", "2021-01-01") + """\
{ends}
enum Kind {{ public "公立", military "军队", private_other "其他" }}
input a: money
input b: money
input r: percent
input n: count
input q: decimal
input d: date
input flag: bool
input k: Kind
input opt_amount: money optional
input r2: percent up to 250%
param cap: money delegated to provincial "高限"
param share: percent fixed 90%
param base: money fixed 1234.56 yuan
param markup: percent up to 200% ceiling 120%
param stepped: money default 1000 yuan
schedule stepped {{
    from 2022-01-01: 800 yuan
    from 2023-07-01: 500 yuan
}}
param kcap: money by k "分类高限" {{
    public: ceiling 700 yuan
    military: fixed base - 34.56 yuan
    private_other: delegated
}}
schedule kcap.public {{
    from 2022-06-01: 650 yuan
}}
decision m1: money = {m1}
decision m2: money "分情况" {{
    when {c1} then {v1}
    when {c2} then m1
    {otherwise}
}}
decision when_due: date = {dexpr}
decision amount_n: count = {cexpr}
decision total: money = m2 + opt_amount
decision scaled: money = {scaled}
table kind_rule: bool {{
    columns flag, k, a
    row true, public, - => true
    row false, in {{military, private_other}}, >= 100 yuan => false
    {table_default}
}}
require drawn: {req}
require stepped_within_cap: stepped <= cap by {deadline}
"""


def _scaled_quotient():
    # A quotient of a value with more decimals than money's two (money times a percent, a decimal, a
    # percent): the recursive generator rarely builds one, and on DuckDB such a quotient was once
    # written without its parentheses and came out ten billion times too small.
    dividend = st.tuples(st.sampled_from(["a", "b", "base", "stepped"]),
                         st.sampled_from(["r", "q", "r2", "markup", "share", "30%"])).map(lambda t: f"{t[0]} * {t[1]}")
    dividend = st.one_of(dividend, dividend.map(lambda e: f"({e})"), st.sampled_from(["a * r * q"]))
    return st.tuples(dividend, st.sampled_from(["3", "n", "r", "q"])).map(
        lambda t: f"{t[0]} / {t[1]}")


@st.composite
def generated_policy(draw):
    return POLICY_TEMPLATE.format(
        m1=draw(_money(2)), c1=draw(_bool(1)), v1=draw(_money(1)), c2=draw(_bool(1)),
        otherwise=draw(st.sampled_from(["otherwise none", "otherwise b", ""])),
        dexpr=draw(_date_expr()), cexpr=draw(_count_expr()),
        table_default=draw(st.sampled_from(["", "row otherwise => flag"])),
        ends=draw(st.sampled_from(["", "ends 2024-06-30"])),
        req=draw(_bool(1)), deadline=draw(st.sampled_from(["2022-06-01", "effective_date + 2 years"])),
        scaled=draw(_scaled_quotient()),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=generated_policy(), data=st.data())
def test_generated_policies_agree_with_interpreter(text, data):
    with tempfile.TemporaryDirectory() as tmp:
        root = write_tree(Path(tmp), {"cn/gen": text})
        policies = resolve_tree(root)
        policy = policies.get("cn/gen")
        if policy is None or policy.has_errors:
            return  # a combination the type checker rejects: nothing to compile
        module = compile_module(policy)
        interp = Interpreter(policy)
        for _ in range(4):
            inputs = data.draw(_inputs_strategy(policy))
            as_of = data.draw(DATES)
            explain = data.draw(st.booleans())
            assert outcome_module(module, inputs, as_of, explain) == outcome_interpreter(interp, inputs, as_of, explain)


# ---------------------------------------------------------------- hostile names

# Names that are the generated module's API, its helpers and locals, Python keywords and builtins:
# each must compile and evaluate (mangled where it becomes Python), results keyed by the policy's names.
HOSTILE_DECISIONS = ["decide_each", "decide", "evaluate", "validate", "explain", "trace", "as_dict", "int",
                     "self", "value", "rule", "v", "outer", "step", "datetime", "Decimal", "Result", "print",
                     "def", "lambda", "match", "None", "c_price", "m_x", "field", "dataclass", "os", "sys"]
HOSTILE_ALIASES = ["class", "def", "None", "True", "lambda", "match", "_", "__import__", "self", "Decimal",
                   "date", "evaluate", "inputs", "result", "os"]


def _hostile_tree() -> dict:
    other = header("national") + ('param rate: percent fixed 30% "比例"\n'
                                  'param gap: money delegated to provincial "未填"\n')
    lines = [header("national")]
    lines += [f"uses cn/other as {alias}\n" for alias in HOSTILE_ALIASES]
    lines.append("input price: money\ninput flag: bool optional\n")
    previous = "price"
    for index, name in enumerate(HOSTILE_DECISIONS):
        alias = HOSTILE_ALIASES[index % len(HOSTILE_ALIASES)]
        if index % 5 == 4:
            lines.append(f"decision {name}: money = {alias}.gap + {previous}\n")
        elif index % 5 == 3:
            lines.append(f'decision {name}: money "分情况" {{\n    when flag then {previous} * {alias}.rate\n'
                         f"    otherwise {previous}\n}}\n")
        else:
            lines.append(f"decision {name}: money = {previous} * {alias}.rate + 1 yuan\n")
        previous = name if index % 5 != 4 else previous
    return {"cn/other": other, "cn/hostile": "".join(lines)}


def test_hostile_names_compile_and_agree(tmp_path):
    root = write_tree(tmp_path, _hostile_tree())
    policy = resolve_tree(root)["cn/hostile"]
    assert not policy.has_errors
    module = compile_module(policy)
    interp = Interpreter(policy)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(inputs=_inputs_strategy(policy), as_of=DATES, explain=st.booleans())
    def check(inputs, as_of, explain):
        assert outcome_module(module, inputs, as_of, explain) == outcome_interpreter(interp, inputs, as_of, explain)
        values, errors, _ = module.decide_each(inputs, as_of=as_of) if not _bad(inputs, as_of) else ({}, {}, {})
        assert set(values) | set(errors) <= set(HOSTILE_DECISIONS)

    def _bad(inputs, as_of):
        if as_of < module.EFFECTIVE:
            return True  # not in force (NotInForce, compared with the interpreter above)
        try:
            module.validate(inputs)
        except module.EvaluationError:
            return True
        return False

    check()
    # The module's API is not shadowed by a decision of the same name; results use the policy's names.
    day = dt.date(2022, 1, 1)
    values, errors, _ = module.decide_each({"price": "100", "flag": True}, as_of=day)
    assert set(values) | set(errors) == set(HOSTILE_DECISIONS)
    assert {name for name, exc in errors.items() if isinstance(exc, module.BlankNotFilled)} == set(errors) \
        == set(HOSTILE_DECISIONS[4::5])
    assert module.decide({"price": "100"}, ["decide_each"], as_of=day)[0]["decide_each"] == values["decide_each"]
    with pytest.raises(module.BlankNotFilled) as info:
        module.evaluate({"price": "100"}, as_of=day)
    assert info.value.decision == HOSTILE_DECISIONS[4]
    assert module.DECISIONS == tuple(HOSTILE_DECISIONS)


# ---------------------------------------------------------------- generated policies with lists

LIST_TEMPLATE = header("national", "2021-01-01") + """\
enum Kind {{ public "公立", military "军队" }}
record Line "采购明细" {{
    product: text "产品",
    selected: bool "是否中选",
    quantity: count "数量",
    amount: money "金额",
    price: money optional "单价",
    kind: Kind optional "机构类型",
    ratio: decimal optional "系数",
    signed: date optional "签订日期",
}}
input lines: list of Line "采购明细"
input extra: list of Line optional "补充明细"
input cap: money "高限"
input share: percent "占比下限"
decision total: money = {total}
decision selected: money = {selected}
decision ratio: decimal = selected / total
decision lines_n: count = {count}
decision top: money = {extreme}
decision when_first: date = {date_extreme}
decision ok: bool = {allany}
decision met: bool = selected >= total * share
decision extra_total: money = sum(extra, amount) + 1 yuan
"""


def _filter():
    return st.sampled_from(["", " where selected", " where not selected", " where quantity > 2",
                            " where price > cap", " where kind == public", " where amount >= cap and selected"])


@st.composite
def generated_list_policy(draw):
    value = st.sampled_from(["amount", "price", "amount * share", "round(amount * 1.5, fen)", "amount + cap",
                             "if selected then amount else 0 yuan", "min(amount, cap)"])
    return LIST_TEMPLATE.format(
        total=f"sum(lines{draw(_filter())}, {draw(value)})",
        selected=f"sum(lines{draw(_filter())}, {draw(value)})",
        count=f"count(lines{draw(_filter())})" + draw(st.sampled_from(["", " + 1", " * 2"])),
        extreme=f"{draw(st.sampled_from(['min', 'max']))}(lines{draw(_filter())}, {draw(value)})",
        date_extreme=f"{draw(st.sampled_from(['min', 'max']))}(lines{draw(_filter())}, signed)",
        allany=f"{draw(st.sampled_from(['all', 'any']))}(lines{draw(_filter())}, "
               f"{draw(st.sampled_from(['quantity > 0', 'price <= cap', 'ratio > 1', 'selected or amount > cap']))})",
    )


def _line():
    good = st.fixed_dictionaries(
        {"product": st.text(max_size=3), "selected": st.booleans(), "quantity": st.integers(0, 5),
         "amount": st.one_of(st.decimals(0, 10000, places=2).map(str), st.integers(0, 5000))},
        optional={"price": st.one_of(st.none(), st.decimals(0, 2000, places=2).map(str)),
                  "kind": st.one_of(st.none(), st.sampled_from(["public", "military", "privat"])),
                  "ratio": st.one_of(st.none(), st.decimals(-5, 5, places=2).map(str)),
                  "signed": st.one_of(st.none(), DATES.map(lambda d: d.isoformat()))})
    bad_field = st.sampled_from([{"amount": "-1"}, {"quantity": 1.5}, {"selected": None}, {"amout": 1},
                                 {"signed": "2021-02-30"}, {"amount": "0.001"}])
    broken = st.tuples(good, bad_field).map(lambda t: {**t[0], **t[1]})
    return st.one_of(good, good, good, good, good, broken, st.sampled_from([1, "x", None, []]))


def _list_inputs():
    lists = st.lists(_line(), max_size=6)
    return st.fixed_dictionaries(
        {"lines": st.one_of(lists, lists, lists, st.sampled_from([{}, "lines", None, 3])),
         "cap": st.decimals(0, 3000, places=2).map(str), "share": st.integers(0, 100).map(lambda n: f"{n}%")},
        optional={"extra": st.one_of(st.none(), lists)})


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=generated_list_policy(), data=st.data())
def test_generated_list_policies_agree_with_interpreter(text, data):
    """Aggregates over list inputs, filtered or not, and every element validated: the compiled module
    gives the interpreter's values and errors (an empty list's min, a share of nothing: 0/0)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = write_tree(Path(tmp), {"cn/gen": text})
        policies = resolve_tree(root)
        policy = policies.get("cn/gen")
        assert policy is not None and not policy.has_errors, text
        module = compile_module(policy)
        interp = Interpreter(policy)
        for _ in range(4):
            inputs = data.draw(_list_inputs())
            as_of = data.draw(DATES)
            explain = data.draw(st.booleans())
            assert outcome_module(module, inputs, as_of, explain) == outcome_interpreter(interp, inputs, as_of, explain)
            for name in policy.decision_order:  # each decision alone: its own error, where the whole stops at the first
                try:
                    want = ("ok", interp.evaluate(inputs, as_of, decisions=[name]).values[name])
                except Exception as exc:  # noqa: BLE001 - the class is what is compared
                    want = ("error", type(exc).__name__, getattr(exc, "field", None), str(exc))
                try:
                    have = ("ok", module.decide(inputs, [name], as_of=as_of)[0][name])
                except Exception as exc:  # noqa: BLE001
                    have = ("error", type(exc).__name__, getattr(exc, "field", None), str(exc))
                assert have == want, name


# ---------------------------------------------------------------- working days

# A year the tree adds (`calendar 2027`): the 2027 dates are then counted, not refused.
CALENDAR_2027 = """\
calendar 2027 "国务院办公厅关于2027年部分节假日安排的通知（示例）" {
    document "国办发明电〔2026〕99号"
    issued 2026-11-01
    holiday 2027-01-01 to 2027-01-03 "元旦"
    holiday 2027-02-06 to 2027-02-12 "春节"
    workday 2027-02-14 "春节调休上班"
    holiday 2027-10-01 to 2027-10-07 "国庆节"
    workday 2027-10-09
}
"""

WORKING_DAYS_TEMPLATE = """\
policy "按工作日计算期限的示例"
level national
effective {effective}
{ends}
input d: date
input n: count
input flag: bool
input opt_day: date optional
param wd: duration ceiling {amount} working days "期限"
schedule wd {{
    from 2023-07-01: {later} working days
}}
decision due: date ceiling = {due}
decision due2: date = {due2}
decision in_time: bool = {cond}
decision opt_due: date = opt_day + wd
{calendar}"""


def _working_date_expr():
    return st.sampled_from(["d + wd", "d - wd", "d + 15 working days", "d - 3 working days", "d + 0 working days",
                            "add_days(d + 5 working days, 1)", "end_of_month(d + 22 working days)",
                            "effective_date + 20 working days", "if flag then d + wd else d + 30 days",
                            "d + 1 working day", "as_of + wd", "add_months(d, n) + 2 working days"])


@st.composite
def generated_working_days_policy(draw):
    effective, ends = draw(st.sampled_from([("2021-01-01", ""), ("2021-01-01", "ends 2025-06-30"),
                                            ("2024-03-01", ""), ("2024-03-01", "ends 2026-12-31"),
                                            ("2026-01-01", "")]))
    return WORKING_DAYS_TEMPLATE.format(
        effective=effective, ends=ends,
        amount=draw(st.integers(1, 40)), later=draw(st.integers(1, 40)),
        due=draw(_working_date_expr()), due2=draw(_working_date_expr()),
        cond=draw(st.sampled_from(["d + wd <= as_of", "d + 10 working days > as_of", "due <= as_of"])),
        calendar=draw(st.sampled_from(["", CALENDAR_2027])),
    )


WORKING_DAY_DATES = st.dates(dt.date(2018, 11, 1), dt.date(2028, 2, 1))


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=generated_working_days_policy(), data=st.data())
def test_generated_working_day_policies_agree_with_interpreter(text, data):
    """Values, the calendar_not_covered error (a date outside the years the policy counts on, or a year
    no notice arranges) and explanations agree; the module embeds only the years of the window."""
    with tempfile.TemporaryDirectory() as tmp:
        root = write_tree(Path(tmp), {"cn/gen": text})
        policy = resolve_tree(root).get("cn/gen")
        assert policy is not None and not policy.has_errors, text
        module = compile_module(policy)
        assert sorted(module._WORKDAYS.years) == sorted(policy.workdays.covered)
        interp = Interpreter(policy)
        for _ in range(6):
            inputs = {"d": data.draw(WORKING_DAY_DATES).isoformat(), "n": data.draw(st.integers(0, 30)),
                      "flag": data.draw(st.booleans())}
            if data.draw(st.booleans()):
                inputs["opt_day"] = data.draw(WORKING_DAY_DATES).isoformat()
            window_end = policy.ends or dt.date(2027, 12, 31)
            as_of = data.draw(st.dates(policy.effective, window_end))
            explain = data.draw(st.booleans())
            assert outcome_module(module, inputs, as_of, explain) == outcome_interpreter(interp, inputs, as_of, explain)
