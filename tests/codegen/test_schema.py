"""`policylang schema`: the JSON Schema of an evaluator's inputs and results, checked with
jsonschema against every seed policy's examples and what the evaluator returns for them."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys

import jsonschema
import pytest

from helpers import header, write_tree
from policylang.semantics.examples import given_value
from policylang.backends.runner import evaluate_case, to_json
from policylang.schema import policy_schema
from policylang.semantics import examples
from policylang.semantics.evaluate import Interpreter
from support import POLICIES, REPO, compile_module, resolve_tree

SEEDS = resolve_tree(POLICIES)
WITH_EXAMPLES = sorted(pid for pid, p in SEEDS.items() if p.examples)


def validator(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def example_inputs(policy):
    """(the example's given values as a caller writes them in JSON, its date), for each example."""
    interpreter = Interpreter(policy)
    for index, example in enumerate(policy.examples):
        as_of = interpreter.constant(example.as_of) if example.as_of is not None else policy.effective
        values = {name: given_value(interpreter, expr, as_of) for name, expr, _ in example.given}
        yield {name: to_json(value) for name, value in values.items()}, as_of


def test_the_seed_policies_have_examples():
    assert len(WITH_EXAMPLES) >= 3


@pytest.mark.parametrize("pid", WITH_EXAMPLES)
def test_seed_examples_and_results_match_the_schema(pid):
    policy = SEEDS[pid]
    schema = policy_schema(policy)
    inputs = validator(policy_schema(policy, "inputs"))
    results = validator(policy_schema(policy, "results"))
    whole = validator(schema)
    module = compile_module(policy)
    for given, as_of in example_inputs(policy):
        inputs.validate(given)
        result, _error = evaluate_case(module, given, as_of, None, False)
        results.validate(result)
        whole.validate({"inputs": given, "results": result})
        # the schema says what the evaluator rejects: a wrong type, an unknown name
        for name, value in given.items():
            bad = dict(given, **{name: {"not": "a value"}})
            assert not inputs.is_valid(bad)
        assert not inputs.is_valid(dict(given, no_such_input="1"))


def test_types_enums_optional_inputs_and_blanks(tmp_path):
    root = write_tree(tmp_path, {
        "cn/n": header("national") + """enum kind "类别" { a "甲类", b "乙类" }
input amount: money "金额" article "二"
input k: kind "类别"
input on: date "日期"
input extra: money optional "可选金额"
param ratio: percent floor 30% "比例"
param cap: money delegated "上限"
decision pay: money "支付" = min(amount, cap) * ratio
decision late: bool "逾期" = on > 2021-06-01
""",
    })
    policy = resolve_tree(root)["cn/n"]
    schema = policy_schema(policy)
    inputs = schema["$defs"]["inputs"]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert inputs["required"] == ["amount", "k", "on"]
    assert inputs["properties"]["amount"]["$ref"] == "#/$defs/money"
    assert schema["$defs"]["enum:kind"]["enum"] == ["a", "b"]
    assert inputs["properties"]["cap"]["x-policylang-blank"]["delegated_by"] == "cn/n"
    assert inputs["x-policylang-blanks"] == {"cap": "provincial"}
    check = validator(schema["$defs"]["inputs"] | {"$defs": schema["$defs"]})
    good = {"amount": "100.50", "k": "a", "on": "2021-01-01", "extra": None, "cap": "80"}
    assert check.is_valid(good)
    for bad in ({"amount": 100.5}, {"amount": "1.234"}, {"amount": "-1"}, {"k": "c"}, {"on": "2021-13-01"},
                {"on": "01/02/2021"}, {"cap": "1e3"}):
        assert not check.is_valid(dict(good, **bad)), bad
    assert not check.is_valid({"amount": "1"})  # k and on are required
    assert check.is_valid({k: v for k, v in good.items() if k not in ("extra", "cap")})
    module = compile_module(policy)
    result, _ = evaluate_case(module, good, datetime.date(2021, 7, 1), None, False)
    validator(policy_schema(policy, "results")).validate(result)
    # without the blank, the decision that needs it is left out and _error says why
    result, _ = evaluate_case(module, {k: v for k, v in good.items() if k != "cap"}, datetime.date(2021, 7, 1),
                              None, False)
    assert "pay" not in result and result["_error"]["blank"] == "cap"
    validator(policy_schema(policy, "results")).validate(result)


def _cli(*args, cwd=REPO):
    env = dict(os.environ, PYTHONPATH=str(REPO), NO_COLOR="1")
    env.pop("POLICYLANG_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "policylang", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=120)


def test_the_command(tmp_path):
    proc = _cli("schema", "cn/gd/chaozhou/stent-2020")
    assert proc.returncode == 0, proc.stderr
    schema = json.loads(proc.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "nonselected_payment_cap" in schema["$defs"]["inputs"]["x-policylang-blanks"]
    proc = _cli("schema", "cn/gd/stent-2020", "--only", "results")
    assert proc.returncode == 0 and json.loads(proc.stdout)["properties"]["listing_price"]
    for args in (("schema", "cn/no-such"), ("schema", "cn/gd/stent-2020", "--only", "both")):
        proc = _cli(*args)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    root = write_tree(tmp_path, {"cn/bad": header("national") + "decision d: money = nope\n"})
    proc = _cli("schema", os.path.join(root, "cn", "bad.policy"), cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "fix them first" in proc.stderr
