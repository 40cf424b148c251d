"""List inputs of records and the aggregates sum, count, min, max, all, any (with `where`): parsed,
formatted (English and Chinese keywords), resolved, interpreted, compiled, described by the schema
and read by `eval`; the checker's findings are in tests/fixtures/codes/list_aggregate_loosened (PL317) and list_bound_not_proved (PL318)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest

from helpers import header, write_tree
from policylang.backends.pycodegen import compile_module, generate_module
from policylang.pipeline import check
from policylang.schema import policy_schema
from policylang.semantics.evaluate import EvaluationError, InputError, Interpreter
from policylang.syntax.formatter import format_source

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VOLUME = os.path.join(REPO, "tests", "fixtures", "codes", "list_aggregate_loosened", "policies",
                      "cn", "stent-volume-2020.policy")

EXTRA = """
decision top: money "最高一笔" = max(purchases, amount)
decision lowest_selected: money = min(purchases where selected, amount)
decision lines_selected: count = count(purchases where selected and quantity > 0)
decision all_counted: bool = all(purchases, quantity > 0)
decision big_unselected: bool = any(purchases where not selected, amount > 500 yuan)
"""

LINES = [{"product": "A", "selected": True, "quantity": 2, "amount": "900"},
         {"product": "B", "selected": False, "quantity": 1, "amount": "100.50"},
         {"product": "C", "selected": True, "quantity": 0, "amount": 0}]


@pytest.fixture(scope="module")
def policy(tmp_path_factory):
    with open(VOLUME, encoding="utf-8") as fh:
        text = fh.read() + EXTRA
    root = write_tree(tmp_path_factory.mktemp("lists"), {"cn/stent-volume-2020": text})
    run = check([root], cache=False)
    assert not [d for d in run.diagnostics if d.severity == "error"], [d.message for d in run.diagnostics]
    return run.resolution.policies["cn/stent-volume-2020"]


def both(policy, inputs, as_of=dt.date(2021, 6, 1)):
    """The interpreter's and the compiled module's outcome: values, or (class, field, decision, message)."""
    out = []
    for run in (lambda: Interpreter(policy).evaluate(inputs, as_of).values,
                lambda: compile_module(policy).evaluate(inputs, as_of=as_of).as_dict()):
        try:
            out.append(run())
        except Exception as exc:  # noqa: BLE001 - each side raises its own classes; their names are compared
            out.append((type(exc).__name__, exc.field, exc.decision, exc.message))
    assert out[0] == out[1]
    return out[0]


def test_hand_computed_values(policy):
    values = both(policy, {"purchases": LINES})
    assert values["selected_amount"] == Decimal("900.00")
    assert values["total_amount"] == Decimal("1000.50")
    assert values["selected_share"] == Decimal("0.89955022488755622188905547226386806596701649175412")  # 50 digits
    assert values["volume_completed"] is True  # 900 >= 800.40
    assert values["top"] == Decimal("900.00")
    assert values["lowest_selected"] == Decimal("0.00")
    assert values["lines_selected"] == 1
    assert values["all_counted"] is False
    assert values["big_unselected"] is False
    below = both(policy, {"purchases": LINES[:2] + [{"product": "D", "selected": False, "quantity": 1,
                                                       "amount": "200"}]})
    assert below["volume_completed"] is False  # 900 < 0.8 * 1200.50


def test_an_empty_list_is_an_error_naming_the_decision(policy):
    outcome = both(policy, {"purchases": []})
    assert outcome[0] == "EvaluationError" and outcome[2] == "selected_share"
    assert "0 divided by 0" in outcome[3] and "InvalidOperation" not in outcome[3]
    interp = Interpreter(policy)
    values = interp.evaluate({"purchases": []}, dt.date(2021, 6, 1),
                             ["volume_completed", "lines_selected", "all_counted", "big_unselected"]).values
    assert values == {"volume_completed": True, "lines_selected": 0, "all_counted": True, "big_unselected": False}
    for name in ("top", "lowest_selected"):
        with pytest.raises(EvaluationError) as info:
            interp.evaluate({"purchases": LINES[1:2]} if name == "lowest_selected" else {"purchases": []},
                            dt.date(2021, 6, 1), [name])
        assert info.value.decision == name
        assert "has no value" in info.value.message
        with pytest.raises(Exception) as compiled:
            compile_module(policy).decide({"purchases": []} if name == "top" else {"purchases": LINES[1:2]},
                                          [name], as_of=dt.date(2021, 6, 1))
        assert (compiled.value.message, compiled.value.decision) == (info.value.message, name)


@pytest.mark.parametrize("raw, field, words", [
    ([{**LINES[0], "amount": "-1"}], "purchases[0].amount", "negative"),
    ([LINES[0], LINES[1], LINES[2], {**LINES[0], "amount": "1.001"}], "purchases[3].amount", "fractions of a fen"),
    ([LINES[0], {"product": "B", "quantity": 1, "amount": 1}], "purchases[1].selected", "has no value"),
    ([{**LINES[0], "amout": 1}], "purchases[0].amout", "did you mean 'amount'"),
    ([LINES[0], "B"], "purchases[1]", "must be an object"),
    ("A, B", "purchases", "must be a list of PurchaseLine records"),
])
def test_every_element_is_validated_with_its_index(policy, raw, field, words):
    outcome = both(policy, {"purchases": raw})
    assert outcome[0] == "InputError" and outcome[1] == field and words in outcome[3]


def test_the_compiled_module_types_each_record():
    source = generate_module(_policy_of(VOLUME))
    assert "PurchaseLine = TypedDict('PurchaseLine', {" in source
    assert "'purchases': list[PurchaseLine]," in source
    assert "_agg_sum((_e['amount'] for _e in" in source


def _policy_of(path):
    run = check([os.path.dirname(os.path.dirname(path))], cache=False)
    return run.resolution.policies["cn/stent-volume-2020"]


def test_formatter_round_trip_in_both_keyword_languages():
    with open(VOLUME, encoding="utf-8") as fh:
        text = fh.read()
    english = format_source(text, "x.policy")[0]
    chinese = format_source(text, "x.policy", keywords="zh")[0]
    assert "记录 PurchaseLine" in chinese and "列表 PurchaseLine" in chinese
    assert "合计(purchases 其中 selected, amount)" in chinese
    assert format_source(chinese, "x.policy", keywords="en")[0] == english
    assert format_source(english, "x.policy")[0] == english


def test_schema_gives_an_array_of_objects():
    schema = policy_schema(_policy_of(VOLUME))
    assert schema["$defs"]["inputs"]["properties"]["purchases"]["type"] == "array"
    record = schema["$defs"]["record:PurchaseLine"]
    assert record["required"] == ["product", "selected", "quantity", "amount"]
    assert record["additionalProperties"] is False
    assert record["properties"]["amount"]["$ref"] == "#/$defs/money"


def _cli(*args, cwd, stdin=None):
    return subprocess.run([sys.executable, "-m", "policylang", *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, encoding="utf-8")


def test_eval_reads_lists_from_json_and_refuses_csv(tmp_path):
    with open(VOLUME, encoding="utf-8") as fh:
        write_tree(tmp_path, {"cn/stent-volume-2020": fh.read()})
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"purchases": LINES}) + "\n" + json.dumps({"purchases": [{**LINES[0], "amount": -1}]})
                     + "\n", encoding="utf-8")
    proc = _cli("eval", "cn/stent-volume-2020", "-i", str(cases), "--as-of", "2021-06-01", cwd=tmp_path)
    out = json.loads(proc.stdout)
    assert out[0]["selected_amount"] == "900.00" and out[0]["volume_completed"] is True
    assert out[1]["_error"]["field"] == "purchases[0].amount"
    assert proc.returncode == 1 and "case 1: purchases[0].amount:" in proc.stderr
    csv = tmp_path / "cases.csv"
    csv.write_text("purchases\nx\n", encoding="utf-8")
    proc = _cli("eval", "cn/stent-volume-2020", "-i", str(csv), cwd=tmp_path)
    assert proc.returncode == 1 and "cannot give" in proc.stderr and "Traceback" not in proc.stderr


def test_names_inside_an_aggregate_are_the_element_fields(tmp_path):
    root = write_tree(tmp_path, {"cn/x": header("national") + """\
record Line { amount: money, selected: bool }
input lines: list of Line
input amount: money
decision selected: bool = amount > 10 yuan
decision over: count = count(lines where amount > 10 yuan and selected)
"""})
    run = check([root], cache=False)
    assert not [d for d in run.diagnostics if d.severity == "error"]
    values = Interpreter(run.resolution.policies["cn/x"]).evaluate(
        {"amount": "1", "lines": [{"amount": "20", "selected": True}, {"amount": "20", "selected": False}]}).values
    assert values == {"selected": False, "over": 1}  # the fields, not the input and the decision


# ---------------------------------------------------------------- examples giving a list

LIST_EXAMPLES = """
example "三条采购明细" {
    given purchases = [
        {product = "A", selected = true, quantity = 2, amount = 900 yuan},
        {product = "B", selected = false, quantity = 1, amount = 100.50 yuan}
        {product = "C" selected = true quantity = 0 amount = 0 yuan}
    ]
    expect selected_amount = 900 yuan
           total_amount = 1000.50 yuan
           volume_completed = true
}

example "一条" {
    given purchases = [{product = "A", selected = false, quantity = 1, amount = 10 yuan}]
    expect total_amount = 10 yuan
           selected_amount = 0 yuan
}
"""


def _volume_tree(tmp_path, extra: str):
    with open(VOLUME, encoding="utf-8") as fh:
        text = fh.read() + extra
    return write_tree(tmp_path, {"cn/stent-volume-2020": text})


def test_an_example_gives_a_list_input_and_both_evaluators_agree(tmp_path):
    from policylang.backends.runner import run_examples

    root = _volume_tree(tmp_path, LIST_EXAMPLES)
    run = check([root], cache=False)
    assert not [d for d in run.diagnostics if d.severity == "error"], [d.message for d in run.diagnostics]
    policy = run.resolution.policies["cn/stent-volume-2020"]
    assert len(policy.examples) == 2
    # a wrong expectation is PL601, at its line
    wrong = LIST_EXAMPLES.replace("total_amount = 10 yuan", "total_amount = 11 yuan")
    run = check([_volume_tree(tmp_path / "wrong", wrong)], cache=False)
    found = [d for d in run.diagnostics if d.code == "PL601"]
    assert len(found) == 1 and "expected total_amount = 11.00 yuan, got 10.00 yuan" in found[0].message, found
    # the compiled module runs the same examples (policylang test)
    outcomes = run_examples(policy)
    assert [(o.title, o.failures, o.checked) for o in outcomes] == [("三条采购明细", (), 3), ("一条", (), 2)]


@pytest.mark.parametrize("given, key", [
    ('[{product = "A", selected = true, quantity = 1, amout = 1 yuan}]', "not a field of PurchaseLine"),
    ('[{product = "A", selected = true, quantity = 1}]', "does not give 'amount'"),
    ("3", "is a list"),
])
def test_a_list_given_wrongly_is_PL602(tmp_path, given, key):
    extra = f'\nexample "错" {{\n    given purchases = {given}\n    expect total_amount = 1 yuan\n}}\n'
    run = check([_volume_tree(tmp_path, extra)], cache=False)
    found = [d for d in run.diagnostics if d.code == "PL602"]
    assert any(key in d.message and d.message_zh for d in found), [d.message for d in run.diagnostics]


def test_a_list_for_a_plain_input_is_PL602(tmp_path):
    text = header("national") + "input x: money\ndecision y: money = x\n" + \
        'example "错" {\n    given x = [{a = 1}]\n    expect y = 1 yuan\n}\n'
    run = check([write_tree(tmp_path, {"cn/x": text})], cache=False)
    found = [d for d in run.diagnostics if d.code == "PL602"]
    assert len(found) == 1 and "not a list" in found[0].message


def test_a_list_in_an_example_formats_one_element_a_line_in_both_languages():
    with open(VOLUME, encoding="utf-8") as fh:
        text = fh.read() + LIST_EXAMPLES
    out, problems = format_source(text, "v.policy")
    assert not problems and format_source(out, "v.policy")[0] == out
    assert ('    given purchases = [\n'
            '              {product = "A", selected = true, quantity = 2, amount = 900 yuan},\n'
            '              {product = "B", selected = false, quantity = 1, amount = 100.50 yuan},\n'
            '              {product = "C", selected = true, quantity = 0, amount = 0 yuan}\n'
            '          ]\n') in out
    assert '    given purchases = [{product = "A", selected = false, quantity = 1, amount = 10 yuan}]\n' in out
    zh, problems = format_source(out, "v.policy", keywords="zh")
    assert not problems and "已知 purchases = [" in zh
    assert format_source(zh, "v.policy", keywords="en")[0] == out


def test_the_docs_page_shows_a_given_list_by_its_fields_labels(tmp_path):
    from policylang.backends.docs import render_site

    root = _volume_tree(tmp_path, LIST_EXAMPLES)
    render_site(check([root], cache=False), str(tmp_path / "out"), formats=("md",))
    page = (tmp_path / "out" / "policies" / "cn" / "stent-volume-2020.md").read_text(encoding="utf-8")
    assert "[{产品：“A”，是否中选产品：是，数量：2，金额：900元}，{产品：“B”，是否中选产品：否，数量：1，金额：100.50元}，" in page
