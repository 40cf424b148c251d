"""`percent up to N%`: a percent input or param that may go above 100% (1.2 times the highest selected
price, paid at 110% of the cap), exact, in the checker, the interpreter and the compiled module."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "codegen"))

from helpers import header, write_tree  # noqa: E402
from policylang.pipeline import check  # noqa: E402
from policylang.semantics.evaluate import InputError, Interpreter  # noqa: E402
from policylang.syntax.formatter import format_source  # noqa: E402
from support import compile_module  # noqa: E402

NATIONAL = header("national") + """\
input highest: money "最高中选价"
input paid_ratio: percent up to 200% "支付比例"
param markup: percent up to 200% ceiling 120% "不高于最高中选价的1.2倍" article "三"
param payment_share: percent up to 150% fixed 110% "按高限的110%支付"
decision limit: money = highest * markup
decision paid: money = highest * payment_share * paid_ratio
example {
    given highest = 798 yuan
          paid_ratio = 150%
    expect limit = 957.60 yuan
           paid = 1316.70 yuan
}
"""


def _codes(tmp_path, files, lang="en"):
    run = check([write_tree(tmp_path, files)])
    return run, [(d.code, d.message if lang == "en" else d.message_zh) for d in run.diagnostics
                 if d.severity == "error"]


def test_percents_above_100_where_declared_are_exact_in_both_evaluators(tmp_path):
    run, errors = _codes(tmp_path, {"cn/x": NATIONAL})
    assert errors == []
    policy = run.resolution.policies["cn/x"]
    assert policy.params["markup"].percent_limit == 2 and policy.inputs["paid_ratio"].percent_limit == 2
    interp, module = Interpreter(policy), compile_module(policy)
    day = dt.date(2021, 3, 1)
    want = interp.evaluate({"highest": "798", "paid_ratio": "150%"}, day).values
    assert want == {"limit": Decimal("957.60"), "paid": Decimal("1316.70")}
    have = module.evaluate({"highest": "798", "paid_ratio": "1.5"}, as_of=day).as_dict()
    assert have == want and str(have["paid"]) == "1316.70"
    for evaluate in (lambda: interp.evaluate({"highest": 1, "paid_ratio": "250%"}, day),
                     lambda: module.evaluate({"highest": 1, "paid_ratio": "250%"}, as_of=day)):
        with pytest.raises(Exception) as info:
            evaluate()
        assert type(info.value).__name__ == "InputError" and info.value.field == "paid_ratio"
        assert str(info.value) == "'paid_ratio' is 250%, outside 0%–200%"
    assert issubclass(InputError, Exception)


def test_the_limit_is_inherited_and_a_raised_ceiling_above_100_is_reported(tmp_path):
    child = header("provincial", "2021-02-01", "cn/x") + \
        'override param markup: percent ceiling 130% because "放宽"\n'
    _run, errors = _codes(tmp_path, {"cn/x": NATIONAL, "cn/gd/x": child})
    assert [code for code, _ in errors] == ["PL305"]
    assert "must be at most 120%" in errors[0][1] and "raises it to 130%" in errors[0][1]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_misplaced_or_exceeded_ranges_are_reported(tmp_path, lang):
    bad = header("national") + """\
input n: count up to 200%
param markup: percent up to 200% ceiling 250%
param low: percent up to 50% fixed 10%
param plain: percent fixed 120%
decision d: percent up to 300% = markup
"""
    _run, errors = _codes(tmp_path, {"cn/y": bad}, lang)
    assert [code for code, _ in errors] == ["PL213", "PL205", "PL213", "PL205", "PL213"]
    messages = [m for _, m in errors]
    if lang == "en":
        assert messages[1] == "250% is above 200%, the limit of 'markup' (percent up to 200%)"
        assert messages[3] == "120% is outside 0–100%"
        assert "goes on an input or a param, not on a decision" in messages[4]
    else:
        assert messages[1] == "250% 超过了“markup”声明的上限 200%（百分比 可达 200%）"
        assert "只用于百分比" in messages[0] and "低于 100%" in messages[2]


def test_format_round_trip_in_both_languages():
    text, _ = format_source(NATIONAL)
    assert "input paid_ratio: percent up to 200% \"支付比例\"" in text
    zh, _ = format_source(text, keywords="zh")
    assert "参数 markup：百分比 可达 200% 上限 120%" in zh
    assert format_source(zh, keywords="en")[0] == text
    assert format_source(text)[0] == text
