"""Every override is held to its parent: bound decisions, tables, cases, schedules, blanks and periods.

tests/fixtures/binding/<class>_loosened and <class>_tightened encode, under the seed policies, the ways a
city can change a bound value (a replaced decision, a new parameter in a decision, a hard-coded formula, a
dropped schedule step, a bound relative to a blank, a period in other units). Each loosening must be
rejected with both locations and a counterexample that really breaks the bound when the reference
interpreter evaluates both levels on it; each tightening must be accepted, as proved.
"""

from __future__ import annotations

import datetime as _dt
import os
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylang.diagnostics import BINDING_CODES, render_text
from policylang.pipeline import check
from policylang.semantics import judgment as J
from policylang.semantics.checks import binding
from policylang.semantics.checks.common import CheckContext
from policylang.semantics.evaluate import Interpreter, add_duration
from policylang.semantics.model import Duration


@pytest.fixture(autouse=True)
def _fresh_proofs(monkeypatch):
    # Each check here stands for a fresh `policylang check` process: proofs another test made in
    # this process (same content, another tree) would give the same verdict with another
    # counterexample, and the golden texts are those of a fresh run.
    monkeypatch.setattr(binding, "_PROOF_MEMO", {})


HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(os.path.dirname(HERE), "fixtures", "binding")
GOLDEN = os.path.join(HERE, "golden", "binding")
CASES = sorted(os.listdir(FIXTURES))
LOOSENED = [c for c in CASES if c.endswith("_loosened")]
TIGHTENED = [c for c in CASES if c.endswith("_tightened")]


def _run(case):
    return check([os.path.join(FIXTURES, case, "policies")], cache=False)


def test_every_class_has_both_variants():
    assert {c[: -len("_loosened")] for c in LOOSENED} == {c[: -len("_tightened")] for c in TIGHTENED}
    assert len(LOOSENED) >= 8


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("case", LOOSENED)
def test_golden_text(case, lang, monkeypatch):
    """The exact text an author sees; UPDATE_GOLDEN=1 rewrites it, a missing golden file fails."""
    monkeypatch.chdir(os.path.join(FIXTURES, case))
    run = check(["policies"], cache=False)
    text = render_text(run.diagnostics, run.workspace.sources, colour=False, lang=lang)
    path = os.path.join(GOLDEN, lang, f"{case}.txt")
    if os.environ.get("UPDATE_GOLDEN"):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    assert os.path.exists(path), f"no golden text for {case} ({lang}): run with UPDATE_GOLDEN=1 and review it"
    with open(path, encoding="utf-8") as fh:
        assert text == fh.read()


@pytest.mark.parametrize("case", LOOSENED)
def test_loosening_is_an_error_at_the_child_with_the_parent_as_related(case):
    run = _run(case)
    found = [d for d in run.diagnostics if d.code in BINDING_CODES and d.severity == "error"]
    assert found, f"{case}: the loosening was not reported"
    for d in found:
        assert d.related, d.message
        assert d.related[0].span.file != d.span.file  # the parent's rule, in the parent's file
        assert "/cn/gd/" in d.span.file.replace(os.sep, "/") or "/cn/nm/" in d.span.file.replace(os.sep, "/")
        assert d.message_zh and d.hint and d.hint_zh
        assert "For " in d.message and "例如" in d.message_zh  # the counterexample, in both languages


def _proofs(case):
    run = _run(case)
    ctx = CheckContext(run.workspace, run.resolution)
    binding.check(ctx)
    return run, ctx.proofs


@pytest.mark.parametrize("case", LOOSENED)
def test_counterexample_breaks_the_bound_when_the_interpreter_evaluates_it(case):
    run, proofs = _proofs(case)
    loosened = [p for p in proofs.values() if p.verdict == J.LOOSENED]
    assert loosened
    for proof in loosened:
        child = run.resolution.policies[proof.policy_id]
        parent = run.resolution.policies[child.parent]
        example = proof.counterexample
        if proof.kind == "param" and isinstance(example.child_value, Duration):
            start = example.start
            mine = add_duration(start, child.params[proof.name].value.value)
            theirs = add_duration(start, parent.params[proof.name].value.value)
            assert mine > theirs
            continue
        values = dict(example.inputs)
        values.update(example.blanks)
        day = example.day or child.effective
        hybrid = binding.parent_under(parent, child)
        if proof.kind == "param":
            mine = Interpreter(child).param_value(proof.name, day, values)
            theirs = Interpreter(hybrid).param_value(proof.name, day, values)
        else:
            mine = Interpreter(child).evaluate_validated(values, day, [proof.name]).values[proof.name]
            theirs = Interpreter(hybrid).evaluate_validated(values, day, [proof.name]).values[proof.name]
        assert (mine, theirs) == (example.child_value, example.parent_value)
        assert J.breaks(proof.direction, mine, theirs), (proof, mine, theirs)


@pytest.mark.parametrize("case", TIGHTENED)
def test_tightening_is_accepted_as_proved(case):
    run, proofs = _proofs(case)
    assert not [d for d in run.diagnostics if d.severity == "error"]
    assert not [d for d in run.diagnostics if d.code == "PL318"]
    mine = [p for p in proofs.values() if p.policy_id.count("/") >= 3]
    assert mine, f"{case}: nothing was compared"
    assert {p.verdict for p in mine} <= {J.TIGHTENED, J.RESTATED}
    assert J.TIGHTENED in {p.verdict for p in mine} or case.startswith("new_param_cap")


def test_seed_policies_prove_nothing_loosened():
    run = check([os.path.join(os.path.dirname(os.path.dirname(HERE)), "policies")], cache=False)
    assert not [d for d in run.diagnostics if d.code in ("PL317", "PL318")]


# ---------------------------------------------------------------- the one judgment


def test_periods_compare_by_the_dates_they_give():
    assert J.duration_order(Duration(1, "months"), Duration(30, "days")) is None  # 31-day months
    assert J.duration_order(Duration(1, "months"), Duration(32, "days")) == -1
    assert J.judge("ceiling", Duration(31, "days"), Duration(1, "months")) == J.TIGHTENED  # never later
    assert J.duration_order(Duration(1, "months"), Duration(27, "days")) == 1
    assert J.duration_order(Duration(1, "years"), Duration(12, "months")) == 0
    assert J.duration_order(Duration(1, "years"), Duration(367, "days")) == -1
    assert J.duration_order(Duration(1, "years"), Duration(365, "days")) is None  # leap years
    start = J.duration_counterexample(Duration(1, "months"), Duration(30, "days"), "ceiling",
                                      after=_dt.date(2021, 2, 1))
    assert start == _dt.date(2021, 3, 1)  # February + 1 month is 28 days; March + 1 month is 31


def test_judge_is_the_one_place_that_says_tightened():
    assert J.judge("floor", Decimal("0.30"), Decimal("0.40")) == J.TIGHTENED
    assert J.judge("floor", Decimal("0.30"), Decimal("0.20")) == J.LOOSENED
    assert J.judge("ceiling", 1, 0) == J.TIGHTENED
    assert J.judge("ceiling", _dt.date(2021, 2, 28), _dt.date(2021, 3, 31)) == J.LOOSENED
    assert J.judge("fixed", 1, 1) == J.RESTATED
    assert J.judge("ceiling", Duration(30, "days"), Duration(1, "months")) == J.LOOSENED
    assert J.judge("floor", Duration(30, "days"), Duration(1, "months")) == J.LOOSENED
    assert J.judge("floor", Duration(28, "days"), Duration(1, "months")) == J.TIGHTENED
    assert J.breaks("floor", None, Decimal(1)) and not J.breaks("ceiling", None, Decimal(1))
    assert not J.breaks("floor", Decimal(0), None)


# ---------------------------------------------------------------- an oracle: brute force on a finite domain

HEADER = """policy "{title}"
level {level}
region "{region}"
effective {effective}
"""
MEMBERS = ("a", "b", "c")
AMOUNTS = ("0", "100", "250", "798", "1000")


def _cases(draw_cases):
    lines = []
    for member, flag, amount in draw_cases:
        cond = f"kind == {member}" + (" and urgent" if flag == 1 else " and not urgent" if flag == 2 else "")
        lines.append(f"    when {cond} then {amount} yuan")
    return lines


case_strategy = st.lists(st.tuples(st.sampled_from(MEMBERS), st.sampled_from([0, 1, 2]), st.sampled_from(AMOUNTS)),
                         min_size=1, max_size=3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(direction=st.sampled_from(["ceiling", "floor"]), national=case_strategy,
       national_otherwise=st.sampled_from(AMOUNTS + ("none",)), provincial=case_strategy,
       provincial_otherwise=st.sampled_from(AMOUNTS + ("none",)), cap=st.sampled_from(AMOUNTS))
def test_checker_verdict_equals_brute_force(tmp_path_factory, direction, national, national_otherwise, provincial,
                                            provincial_otherwise, cap):
    """Random decision overrides over a small finite input domain (an enum and a flag): the checker reports a
    loosening exactly when enumerating every input finds one."""
    root = tmp_path_factory.mktemp("oracle") / "policies"
    (root / "cn" / "gd").mkdir(parents=True)

    def decision(cases, otherwise, override):
        head = ("override " if override else "") + f"decision pay: money{'' if override else ' ' + direction}"
        body = _cases(cases) + [f"    otherwise {'none' if otherwise == 'none' else otherwise + ' yuan'}"]
        reason = ' because "本省调整"' if override else ""
        return "\n".join([f"{head}{reason} {{", *body, "}"])

    (root / "cn" / "n.policy").write_text(
        HEADER.format(title="全国", level="national", region="全国", effective="2021-01-01")
        + "enum Kind { a, b, c }\ninput kind: Kind\ninput urgent: bool\n"
        + f"param cap: money delegated\n" + decision(national, national_otherwise, False)
        + "\ndecision capped: money = min(pay, cap)\n", encoding="utf-8")
    (root / "cn" / "gd" / "p.policy").write_text(
        HEADER.format(title="广东", level="provincial", region="广东", effective="2021-02-01")
        + "extends cn/n\n" + f"override param cap: money fixed {cap} yuan because \"本省设定\"\n"
        + decision(provincial, provincial_otherwise, True) + "\n", encoding="utf-8")
    run = check([str(root)], cache=False)
    assert not [d for d in run.diagnostics if d.code in ("PL318", "PL990") or (d.code.startswith(("PL1", "PL2")) and d.severity == "error")]
    reported = any(d.code == "PL317" for d in run.diagnostics)
    child = run.resolution.policies["cn/gd/p"]
    parent = binding.parent_under(run.resolution.policies["cn/n"], child)
    enumerated = False
    for kind in MEMBERS:
        for urgent in (False, True):
            inputs = {"kind": kind, "urgent": urgent}
            mine = Interpreter(child).evaluate_validated(inputs, child.effective, ["pay"]).values["pay"]
            theirs = Interpreter(parent).evaluate_validated(inputs, child.effective, ["pay"]).values["pay"]
            enumerated = enumerated or J.breaks(direction, mine, theirs)
    assert reported == enumerated


# ---------------------------------------------------------------- "in principle" (原则上)


def test_an_in_principle_floor_may_be_departed_from_with_a_reason():
    run = _run("in_principle_departed")
    departures = [d for d in run.diagnostics if d.code == "PL322"]
    assert len(departures) == 1 and departures[0].severity == "warning"
    assert "受疫情影响" in departures[0].message and "原则上" in departures[0].message_zh
    assert not [d for d in run.diagnostics if d.severity == "error"]  # the decision reading it is not reported again


def test_without_a_reason_the_in_principle_floor_still_binds():
    run = _run("in_principle_no_reason")
    assert {d.code for d in run.diagnostics if d.severity == "error"} == {"PL304"}


def test_in_principle_round_trips_through_the_formatter():
    from policylang.syntax.formatter import format_source
    from policylang.syntax.parser import parse_source

    text = ('policy "t"\nlevel national\nregion "x"\neffective 2020-01-01\n\ninput n: count\n\n'
            'param r: percent in principle floor 90%\n\n'
            'decision v: count in principle floor = ceil(n * r)\n')
    parsed = parse_source(text, "t.policy")
    assert not parsed.diagnostics
    assert parsed.file.decls[1].in_principle and parsed.file.decls[2].in_principle
    assert format_source(text, "t.policy")[0] == text
