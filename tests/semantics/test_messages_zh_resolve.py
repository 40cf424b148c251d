"""Chinese findings of the resolver (names and types, inheritance, dates, examples) and of the
unused-item (PL207) and unfilled-blank (PL312) checks: each has message_zh, hint_zh where it has a
hint, and Chinese related notes, carrying the same names, labels and values as the English."""

from __future__ import annotations

import ast
import glob
import os
import re

import pytest

from helpers import header, write_tree
from policylang.pipeline import check

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CJK = re.compile(r"[\u4e00-\u9fff]")

# The codes only resolve.py, checks/blanks.py and checks/unused.py report.
OWN_CODES = {
    "PL106", "PL107", "PL108", "PL109",
    "PL201", "PL202", "PL203", "PL204", "PL205", "PL206", "PL207", "PL208", "PL209", "PL210", "PL212",
    "PL301", "PL302", "PL303", "PL307", "PL308", "PL310", "PL312", "PL314", "PL315",
    "PL403", "PL405", "PL408", "PL501", "PL502", "PL602",
}

NATIONAL = header("national", "2020-12-15") + """
input price: money "价格"
input agreed_amount: money "约定采购金额"
param prepayment_ratio: percent floor 30% "预付比例" article "二(二)"
param cap: money delegated "支付标准高限"
decision prepayment_min: money "预付下限" = round(agreed_amount * prepayment_ratio, fen, up)
decision standard: money "医保支付标准" = min(price, cap)
provision no_offline: 医疗机构 must not "线下采购" article "三"
"""


def _child(text: str) -> dict:
    return {"cn/x": NATIONAL, "cn/gd/x": header("provincial", extends="cn/x") + text}


def _national(text: str) -> dict:
    return {"cn/x": header("national") + text}


# id: (files, code, values in both the English and the Chinese message,
#      values in both hints, values only the Chinese message must name)
CASES = {
    "PL106 header line twice": (_national("level national\n"), "PL106", ["level"], [], []),
    "PL107 header line missing": ({"cn/x": 'policy "x"\nlevel national\n'}, "PL107", ["effective"],
                                  ["effective 2021-01-01"], []),
    "PL108 unknown level": ({"cn/x": 'policy "x"\nlevel provincal\neffective 2021-01-01\n'}, "PL108",
                            ["provincal"], ["provincial"], []),
    "PL109 declared twice": (_national("input amount: money\ninput amount: count\n"), "PL109", ["amount"], [], []),
    "PL201 unknown name": (_national("input price: money\ndecision d: money = prise\n"), "PL201",
                           ["prise"], ["price"], []),
    "PL201 unknown member": (_national("enum A { x, y }\ninput a: A\ndecision d: bool = a == A.z\n"), "PL201",
                             ["A", "z"], ["x", "y"], []),
    "PL202 unknown type": (_national("input price: mony\n"), "PL202", ["mony"], ["money"], []),
    "PL203 wrong type": (_national("input price: money\ndecision d: date = price\n"), "PL203",
                         ["d", "date", "money"], [], ["日期", "金额"]),
    "PL203 arithmetic": (_national("input a: money\ninput b: count\ndecision d: money = a + b\n"), "PL203",
                         ["money", "count", "+"], ["yuan"], ["金额", "数量"]),
    "PL203 when condition": (_national("input a: money\ndecision d: money { when a then a\n otherwise 3 yuan }\n"),
                             "PL203", ["when", "bool", "money"], [], ["是/否"]),
    "PL204 comparison": (_national("input price: money\ndecision d: bool = price <= 7000\n"), "PL204",
                         ["money", "count"], ["7000 yuan"], []),
    "PL204 table cell": (_national("input a: money\ntable t: bool {\n    columns a\n    row 5 => true\n}\n"),
                         "PL204", ["a", "money", "count"], ["7000 yuan"], ["单元格"]),
    "PL205 percent": (_national("param r: percent fixed 130%\n"), "PL205", ["130%", "0–100%"], ["0%", "100%"], []),
    "PL206 money decimals": (_national("param m: money fixed 10.005 yuan\n"), "PL206",
                             ["10.005 yuan", "0.01 yuan"], [], []),
    "PL207 unused input": (_national('input spare_count: count "数量甲"\nparam p: money fixed 3 yuan\n'
                                     'decision d: money = p\n'),
                           "PL207", ["数量甲", "spare_count"], ["ignore[PL207]"], ["输入项“数量甲”（spare_count）"]),
    "PL208 unknown function": (_national("input d: date\ndecision e: date = end_of_mnth(d)\n"), "PL208",
                               ["end_of_mnth"], ["end_of_month"], []),
    "PL208 argument count": (_national("input a: count\ndecision d: count = abs(a, a)\n"), "PL208",
                             ["abs", "1", "2"], ["abs(x)"], []),
    "PL208 round unit": (_national("input a: count\ndecision d: count = round(a, fen)\n"), "PL208",
                         ["fen", "unit"], ["unit)", "unit, up)"], ["分"]),
    "PL209 circle": (_national("decision a: count = b + 1\ndecision b: count = a + 1\n"), "PL209",
                     ["a -> b -> a"], [], []),
    "PL210 ambiguous member": (_national("enum A { x, y }\nenum B { x, z }\ninput a: A\ndecision d: bool = a == x\n"),
                               "PL210", ["x", "A", "B"], ["A.x"], []),
    "PL212 parameter from input": (_national("input price: money\nparam p: money fixed price\n"), "PL212",
                                   ["price"], [], ["输入项"]),
    "PL301 unknown parent": ({"cn/gd/x": header("provincial", extends="cn/nope")}, "PL301", ["cn/nope"],
                             [".policy"], []),
    "PL302 cycle": ({"cn/a": header("provincial", extends="cn/b"), "cn/b": header("provincial", extends="cn/a")},
                    "PL302", ["cn/a -> cn/b -> cn/a"], [], []),
    "PL303 level order": ({"cn/x": header("national"), "cn/y": header("national", extends="cn/x")}, "PL303",
                          [], ["provincial", "municipal", "county"], ["国家级"]),
    "PL307 without override": (_child("param prepayment_ratio: percent floor 40%\n"), "PL307",
                               ["prepayment_ratio", "cn/x"], ["override param prepayment_ratio", 'because "…"'],
                               ["国家级"]),
    "PL308 override of nothing": (_child("override param prepaymnt_ratio: percent floor 40%\n"), "PL308",
                                  ["prepaymnt_ratio", "override"], ["prepayment_ratio"], []),
    "PL310 type changed": (_child("override param prepayment_ratio: decimal floor 0.4\n"), "PL310",
                           ["prepayment_ratio", "percent", "decimal"], ["percent"], ["国家级", "百分比"]),
    "PL312 blank unfilled": (_child(""), "PL312",
                             ["支付标准高限", "cap", "医保支付标准", "standard", "cn/x"],
                             ["override param cap: money fixed"], ["省级"]),
    "PL314 unknown uses": (_national("uses cn/nope as other\n"), "PL314", ["cn/nope", "uses"], [], []),
    "PL315 kind changed": (_child("override decision prepayment_ratio: percent = 40%\n"), "PL315",
                           ["prepayment_ratio"], [], ["参数", "决策项", "国家级"]),
    "PL403 row cells": (_national("input a: bool\ninput b: bool\ntable t: bool {\n    columns a, b\n"
                                  "    row true => true\n}\n"), "PL403", ["1", "2"], ["a", "b"], []),
    "PL405 schedule order": (_national("param p: money default 10 yuan\nschedule p {\n"
                                       "    from 2022-01-01: 5 yuan\n    from 2021-01-01: 6 yuan\n}\n"
                                       "decision d: money = p\n"), "PL405", ["2021-01-01", "2022-01-01"], [], []),
    "PL408 schedule of nothing": (_national("schedule nothing {\n    from 2022-01-01: 5 yuan\n}\n"), "PL408",
                                  ["nothing"], [], ["过渡安排"]),
    "PL501 before parent": ({"cn/x": header("national", "2021-01-01"),
                             "cn/gd/x": header("provincial", "2020-06-01", extends="cn/x")}, "PL501",
                            ["2020-06-01", "2021-01-01", "cn/x"], [], []),
    "PL502 ends before start": ({"cn/x": header("national", "2021-01-01") + "ends 2020-01-01\n"}, "PL502",
                                ["2020-01-01", "2021-01-01"], [], []),
    "PL602 unknown given": (_national("input a: count\ndecision d: count = a\nexample { given b = 1 expect d = 1 }\n"),
                            "PL602", ["b"], ["a"], ["输入项"]),
    "PL602 unknown expected": (_national("input a: count\ndecision d: count = a\n"
                                         "example { given a = 1 expect e = 1 }\n"), "PL602", ["e"], ["d"], ["决策项"]),
}


def _findings(tmp_path, files):
    root = write_tree(tmp_path, files)
    return check([root], cache=False).diagnostics


def _assert_chinese(d):
    """message_zh, hint_zh (when there is a hint) and every related note's message_zh are Chinese."""
    assert d.message_zh and CJK.search(d.message_zh), f"{d.code} has no Chinese message: {d.message}"
    assert not d.message_zh.endswith("。"), d.message_zh
    if d.hint:
        assert d.hint_zh and CJK.search(d.hint_zh), f"{d.code} has no Chinese hint: {d.hint}"
    else:
        assert d.hint_zh is None, f"{d.code}: a Chinese hint without an English one: {d.hint_zh}"
    for r in d.related:
        assert r.message_zh and CJK.search(r.message_zh), f"{d.code}: related note not in Chinese: {r.message}"


@pytest.mark.parametrize("case", sorted(CASES))
def test_finding_has_chinese_with_the_same_facts(tmp_path, case):
    files, code, values, hint_values, zh_words = CASES[case]
    found = [d for d in _findings(tmp_path, files) if d.code == code]
    assert found, f"{code} not reported"
    d = found[0]
    _assert_chinese(d)
    for value in values:
        assert value in d.message, (value, d.message)
        assert zh_value(value) in d.message_zh or value in d.message_zh, (zh_value(value), d.message_zh)
    for value in hint_values:
        assert value in d.hint, (value, d.hint)
        assert zh_value(value) in d.hint_zh or value in d.hint_zh, (zh_value(value), d.hint_zh)


def zh_value(value: str) -> str:
    """A fact as the Chinese writes it: types, keywords and units in Chinese (money → 金额, override → 覆盖,
    7000 yuan → 7000元, `override param cap: money fixed` → `覆盖 参数 cap：金额 固定`)."""
    from policylang.syntax import keywords as K

    value = re.sub(r"(\d(?:[\d.]*\d)?) yuan\b", r"\1元", value).replace(": ", "：")

    def word(m):
        w = m.group(0)
        if w in K.TYPES:
            return "是/否值" if w == "bool" else {"decimal": "数值", "duration": "期限", "text": "文本"}.get(w, K.TYPES[w][0])
        if w in K.ROUND_WORDS:
            return K.ROUND_WORDS[w][0]
        return dict(K.KEYWORDS).get(w, (w,))[0] if w in ("override", "param", "uses", "when", "fixed", "because") else w

    return re.sub(r"[a-z_]+", word, value)
    for word in zh_words:
        assert word in d.message_zh, (word, d.message_zh)


def test_related_notes_carry_the_same_facts(tmp_path):
    # PL312: the delegating rule, named by level, policy and article, with the blank's label.
    d = next(d for d in _findings(tmp_path, _child("")) if d.code == "PL312")
    (note,) = d.related
    assert "支付标准高限" in note.message_zh and "cap" in note.message_zh
    assert "国家级规定" in note.message_zh and "cn/x" in note.message_zh and "省级" in note.message_zh
    # PL109: the first declaration, with its kind in Chinese.
    d = next(d for d in _findings(tmp_path / "b", _national("input a: money\ninput a: count\n")) if d.code == "PL109")
    assert "输入项" in d.related[0].message_zh
    # PL310: the parent's declaration, with the type and the policy.
    d = next(d for d in _findings(tmp_path / "c", _child("override param prepayment_ratio: decimal floor 0.4\n"))
             if d.code == "PL310")
    assert "百分比" in d.related[0].message_zh and "cn/x" in d.related[0].message_zh


def test_english_is_unchanged_and_chinese_differs(tmp_path):
    d = next(d for d in _findings(tmp_path, _national("input price: money\ndecision d: bool = price <= 7000\n"))
             if d.code == "PL204")
    assert d.message == "cannot compare money (金额) with count (数量)"
    assert d.hint == "write the amount with its unit, for example 7000 yuan"
    assert d.message_zh == "金额和数量无法比较"
    assert d.hint_zh == "金额要带单位，例如 7000元"


def _trees() -> list[str]:
    trees = sorted(glob.glob(os.path.join(REPO, "tests", "fixtures", "*", "*", "policies")))
    assert trees, "no fixture trees found"
    seeds = os.path.join(REPO, "policies")
    if os.path.isdir(seeds):
        trees.append(seeds)
    return trees


def test_no_finding_of_these_files_lacks_chinese_on_the_fixtures_and_seeds(tmp_path):
    seen = set()
    for tree in _trees():
        for d in check([tree], cache=False).diagnostics:
            if d.code in OWN_CODES:
                seen.add(d.code)
                _assert_chinese(d)
    # The same over the trees of the cases above, which also raise follow-on findings.
    for i, case in enumerate(sorted(CASES)):
        for d in _findings(tmp_path / str(i), CASES[case][0]):
            if d.code in OWN_CODES:
                seen.add(d.code)
                _assert_chinese(d)
    assert {"PL312", "PL301", "PL501"} <= seen


def _from_catalogue(call: ast.Call) -> bool:
    """Texts given as **M(...) or **N(...): taken from the message catalogue."""
    return any(k.arg is None and isinstance(k.value, ast.Call) and getattr(k.value.func, "id", None) in ("M", "N")
               for k in call.keywords)


def test_every_report_in_the_source_passes_chinese():
    """Each diagnostic built in these files gives message_zh (and hint_zh with a hint)."""
    base = os.path.join(REPO, "policylang", "semantics")
    sources = {
        "resolve.py": ("error", "_report", "_report_at"),
        os.path.join("checks", "blanks.py"): ("diag",),
        os.path.join("checks", "unused.py"): ("diag",),
    }
    missing = []
    for rel, names in sources.items():
        with open(os.path.join(base, rel), encoding="utf-8") as fh:
            tree = ast.parse(fh.read())
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name not in names:
                continue
            keywords = {k.arg for k in node.keywords}
            if _from_catalogue(node):
                continue  # the catalogue's entries have both languages (tests/test_message_catalogue.py)
            if "message_zh" not in keywords or ("hint" in keywords and "hint_zh" not in keywords):
                missing.append(f"{rel}:{node.lineno}")
        # Related notes: Related(span, message, message_zh) and common.related(origin, what, what_zh).
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("Related", "related"):
                if len(node.args) < 3 and not {k.arg for k in node.keywords} & {"message_zh", "what_zh"} \
                        and not _from_catalogue(node):
                    missing.append(f"{rel}:{node.lineno} (related note)")
    assert not missing, missing
