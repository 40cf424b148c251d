"""Mutation fuzzing of policy files and fuzzing of cases, at a size CI affords.

Every input must end in findings or a named input error: never a traceback, an internal error,
output UTF-8 cannot carry, or a generated module that disagrees with the interpreter (see
hostile.py). The crashes found by hand and by the long run (run_fuzz.py) are kept as explicit
examples, so each is replayed on every run; failures Hypothesis finds are stored in
tests/fuzz/examples/ and replayed first next time.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

import hostile

STORED = DirectoryBasedExampleDatabase(os.path.join(os.path.dirname(__file__), "examples"))
FUZZ = settings(max_examples=int(os.environ.get("POLICYLANG_FUZZ_EXAMPLES", "40")), deadline=None,
                database=STORED, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _assert_held(outcome: hostile.Outcome) -> None:
    assert not outcome.failures, "\n".join(f"{kind}: {detail}" for kind, detail in outcome.failures)


# The crashes of the hostile-input issues, each as the text that caused it.
CRASHING_POLICIES = [
    hostile.NATIONAL.replace("floor 30%", "floor 12345678901234567890123456789%"),  # explain, diff
    hostile.NATIONAL.replace("ceiling 1 ", "ceiling -5 "),  # a negative count literal
    hostile.NATIONAL.replace("floor 30%", "floor -0%"),
    hostile.NATIONAL.replace('"说明文字"', '"smile \\uD83D\\uDE00 \\u001b]0;x\\u0007\\u202e"'),
    hostile.NATIONAL.replace('"说明文字"', '"\\ud800"'),
    hostile.NATIONAL.replace("input price:", "input \u0440rice: money\ninput price:"),
    hostile.NATIONAL.replace("decision fund:", "decision \ufb01nal: money = price\ndecision fund:"),
    hostile.NATIONAL.replace("decision fund:", "decision decide_each: money = price\ndecision fund:"),
    hostile.NATIONAL.replace("#", "\f#").replace('"预付比例"', '"预付\x85比例\x1c"'),
    hostile.NATIONAL + "decision deep: count = " + "(" * 150 + "1" + ")" * 150 + "\n",
    hostile.NATIONAL + '# ' + "长" * 300_000 + "\n",
]


@pytest.mark.parametrize("text", CRASHING_POLICIES, ids=range(len(CRASHING_POLICIES)))
def test_known_crashers_end_in_findings(text):
    _assert_held(hostile.check_tree({"cn/base": text, "cn/base/prov": hostile.PROVINCIAL}, random.Random(0)))


@FUZZ
@given(seed=st.integers(0, 2 ** 32 - 1), operations=st.integers(1, 6))
@example(seed=0, operations=1)
def test_mutated_policies_end_in_findings(seed, operations):
    rng = random.Random(seed)
    files = hostile.small_seed(rng)
    target = rng.choice(sorted(files))
    files[target] = hostile.mutate(files[target], rng, operations)
    _assert_held(hostile.check_tree(files, rng, cases_per_policy=2))


@pytest.fixture(scope="module")
def seed_modules(tmp_path_factory):
    from policylang.backends.pycodegen import compile_module
    from policylang.pipeline import check
    from policylang.semantics.evaluate import Interpreter

    root = tmp_path_factory.mktemp("fuzz") / "policies"
    for pid, text in {"cn/base": hostile.NATIONAL, "cn/base/prov": hostile.PROVINCIAL}.items():
        path = root.joinpath(*pid.split("/")).with_suffix(".policy")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    run = check([str(root)], str(root), cache=False, jobs=1, progress=False)
    assert not [d for d in run.diagnostics if d.severity == "error"]
    return [(compile_module(p), Interpreter(p, run.resolution.policies)) for p in run.resolution.policies.values()]


_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=10 ** 40, max_value=10 ** 5000),
    st.floats(allow_nan=True, allow_infinity=True), st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=30), st.sampled_from(hostile.hostile_values(random.Random(0))), st.dates(),
    st.datetimes(),
)


@FUZZ
@given(data=st.data())
@example(data=None)
def test_hostile_cases_are_values_or_named_errors(seed_modules, data):
    from policylang.semantics.evaluate import EvaluationError

    outcome = hostile.Outcome()
    if data is None:  # the cases of the issues, replayed every time
        module, interp = seed_modules[0]
        for case in ({"\ud800": 1}, {"price": "1e999999"}, {"price": "1" * 4301}, {"price": 10 ** 4301},
                     {"ratio": "1e999999999%"}, {"price": " 12 "}, {"price": "+5"}, {"price": "1e3"},
                     {"price": "１２３"}, {"price": "٣"}, {"ratio": "-0"}, {"price": Decimal("-0")},
                     {"volume": "1e999999"}, {"volume": Decimal("1e999999")}):
            for as_of in (None, dt.date(2021, 6, 1), 20210601, dt.datetime(2021, 6, 1)):
                hostile.evaluate_both(module, interp, case, as_of, outcome, EvaluationError)
        _assert_held(outcome)
        return
    module, interp = data.draw(st.sampled_from(seed_modules))
    names = list(module.INPUTS) + ["\ud800", "x" * 200]
    case = data.draw(st.dictionaries(st.sampled_from(names), _SCALARS, max_size=len(names)))
    as_of = data.draw(st.one_of(st.none(), st.dates(), st.datetimes(), st.integers()))
    hostile.evaluate_both(module, interp, case, as_of, outcome, EvaluationError)
    _assert_held(outcome)


@FUZZ
@given(seed=st.integers(0, 2 ** 32 - 1))
@example(seed=0)
def test_hostile_case_files_are_read_or_refused(seed):
    rng = random.Random(seed)
    outcome = hostile.Outcome()
    hostile.check_case_file(hostile.hostile_case_file(rng, ["price", "ratio"]), outcome)
    _assert_held(outcome)
