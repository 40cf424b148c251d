"""The VS Code extension's TextMate grammar, run on every seed policy: every token gets a scope.

The grammar has only single-line `match` rules, which this scanner applies as TextMate does: at
each point the rule whose match starts first wins (the first listed on a tie), and the text it
skips over must be blank. Its regular expressions are written in the common subset of Oniguruma
and Python's `re`, so they are tested here as VS Code will run them.
"""

from __future__ import annotations

import glob
import json
import os
import re

import pytest

HERE = os.path.dirname(__file__)
EXT = os.path.join(HERE, "..", "..", "editors", "vscode")
SEEDS = sorted(glob.glob(os.path.join(HERE, "..", "..", "policies", "**", "*.policy"), recursive=True))


def _grammar():
    with open(os.path.join(EXT, "syntaxes", "policy.tmLanguage.json"), encoding="utf-8") as fh:
        return json.load(fh)


def _rules():
    return [(re.compile(rule["match"]), rule) for rule in _grammar()["patterns"]]


def tokenize(line: str, rules) -> list[tuple[str, str]]:
    """(text, scope) for every token of a line; raises on text no rule scopes."""
    out = []
    pos = 0
    while pos < len(line):
        best = None
        for pattern, rule in rules:
            m = pattern.search(line, pos)
            if m is not None and m.end() > m.start() and (best is None or m.start() < best[0].start()):
                best = (m, rule)
        if best is None:
            rest = line[pos:]
            assert not rest.strip(), f"no scope for {rest!r} in {line!r}"
            break
        m, rule = best
        gap = line[pos:m.start()]
        assert not gap.strip(), f"no scope for {gap!r} in {line!r}"
        if "captures" in rule:
            for group, capture in rule["captures"].items():
                if m.group(int(group)):
                    out.append((m.group(int(group)), capture["name"]))
        else:
            out.append((m.group(0), rule["name"]))
        pos = m.end()
    return out


def test_the_extension_is_well_formed():
    package = json.load(open(os.path.join(EXT, "package.json"), encoding="utf-8"))
    assert package["contributes"]["grammars"][0]["scopeName"] == _grammar()["scopeName"] == "source.policy"
    assert package["contributes"]["languages"][0]["extensions"] == [".policy"]
    config = json.load(open(os.path.join(EXT, "language-configuration.json"), encoding="utf-8"))
    assert config["comments"]["lineComment"] == "#"
    assert os.path.isfile(os.path.join(EXT, package["main"]))


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: os.path.relpath(p, os.path.join(HERE, "..", "..")))
def test_every_token_of_the_seeds_is_scoped(path):
    rules = _rules()
    scopes = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh.read().splitlines():
            scopes.update(scope for _text, scope in tokenize(line, rules))
    assert "keyword.other.header.policy" in scopes and "string.quoted.double.policy" in scopes


def test_keywords_units_and_names_get_their_scopes():
    rules = _rules()
    tokens = dict(tokenize('override param nonselected_listing_cap: money ceiling 7000 元 "上限" article "二"', rules))
    assert tokens["override"] == "storage.type.declaration.policy"
    assert tokens["nonselected_listing_cap"] == "entity.name.policy"
    assert tokens["money"] == "support.type.policy"
    assert tokens["ceiling"] == "storage.modifier.statement.policy"
    assert tokens["7000"] == "constant.numeric.policy" and tokens["元"] == "keyword.other.unit.policy"
    assert tokens["article"] == "keyword.other.meta.policy"
    tokens = dict(tokenize("extends cn/gd/stent-2020  # 上级", rules))
    assert tokens["cn/gd/stent-2020"] == "entity.name.namespace.policy"
    assert tokens["# 上级"] == "comment.line.number-sign.policy"
    tokens = dict(tokenize("    when lowest_purchase_price <= 6 months then round(x, fen)", rules))
    assert tokens["months"] == "keyword.other.unit.policy" and tokens["round"] == "support.function.policy"
    assert tokens["<="] == "keyword.operator.policy"


# ---------------------------------------------------------------- made from keywords.py, both keyword forms


def test_the_grammar_is_made_from_the_keyword_table():
    from policylang.syntax import keywords as K
    from policylang.syntax.textmate import SCOPE_OF_KEYWORD, grammar_json

    assert [english for english, _ in K.KEYWORDS if english not in SCOPE_OF_KEYWORD] == []
    with open(os.path.join(EXT, "syntaxes", "policy.tmLanguage.json"), encoding="utf-8") as fh:
        committed = fh.read()
    assert committed == grammar_json(), "run `python -m policylang.syntax.textmate` and commit the grammar"


def _zh(path: str) -> str:
    from policylang.syntax.formatter import format_source

    text, _diags = format_source(open(path, encoding="utf-8").read(), path, keywords="zh")
    assert text is not None
    return text


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: os.path.relpath(p, os.path.join(HERE, "..", "..")))
def test_the_seeds_written_with_chinese_keywords_are_scoped_as_the_english(path):
    """`policylang fmt --keywords zh` of each seed: every token scoped, every Chinese keyword with
    the scope its English twin gets, the names, numbers and texts as in the English file."""
    from policylang.syntax import keywords as K
    from policylang.syntax.textmate import SCOPE_OF_KEYWORD

    rules = _rules()
    english = open(path, encoding="utf-8").read().splitlines()
    chinese = _zh(path).splitlines()
    scopes_en: dict[str, set] = {}
    for line in english:
        for text, scope in tokenize(line, rules):
            scopes_en.setdefault(scope, set()).add(text)
    zh_scope: dict[str, set] = {}
    for line in chinese:
        for text, scope in tokenize(line, rules):
            zh_scope.setdefault(text, set()).add(scope)
    for english_word, forms in K.KEYWORDS:
        for form in forms:
            if form in zh_scope and form not in ("否则", "评估日期"):  # two keywords each (else/otherwise; as_of)
                assert zh_scope[form] == {SCOPE_OF_KEYWORD[english_word]}, (form, zh_scope[form])
    names = scopes_en.get("entity.name.policy", set()) | scopes_en.get("variable.other.policy", set())
    keyword_like = {w for e, _ in K.KEYWORDS for w in e.split()}
    for name in names - keyword_like:
        if name in zh_scope:
            assert zh_scope[name] <= {"entity.name.policy", "variable.other.policy", "support.function.policy"}, name


def test_chinese_forms_units_and_punctuation_get_their_scopes():
    rules = _rules()
    tokens = dict(tokenize("覆盖 参数 nonselected_listing_cap：金额 上限 7000元 “上限” 条款 “二”", rules))
    assert tokens["覆盖"] == "storage.type.declaration.policy"
    assert tokens["参数"] == "storage.type.declaration.policy"
    assert tokens["nonselected_listing_cap"] == "entity.name.policy"
    assert tokens["："] == "punctuation.policy" and tokens["金额"] == "support.type.policy"
    assert tokens["上限"] == "storage.modifier.statement.policy"
    assert tokens["7000"] == "constant.numeric.policy" and tokens["元"] == "keyword.other.unit.policy"
    assert tokens["“上限”"] == "string.quoted.double.policy" and tokens["条款"] == "keyword.other.meta.policy"
    tokens = dict(tokenize("继承 cn/gd/stent-2020", rules))
    assert tokens["继承"] == "keyword.other.header.policy"
    assert tokens["cn/gd/stent-2020"] == "entity.name.namespace.policy"
    for line in ("修订 cn/gd/stent-2020", "amends cn/gd/stent-2020"):
        keyword, policy = tokenize(line, rules)
        assert keyword[1] == "keyword.other.header.policy" and policy == ("cn/gd/stent-2020", "entity.name.namespace.policy")
    tokens = dict(tokenize("    当 a 不低于 6个月 则 取整（x，分） 原则上不得 年份(d)", rules))
    assert tokens["当"] == tokens["则"] == "keyword.control.policy"
    assert tokens["个月"] == "keyword.other.unit.policy" and tokens["取整"] == "support.function.policy"
    assert tokens["（"] == tokens["，"] == tokens["）"] == "punctuation.policy"
    assert tokens["分"] == "support.constant.policy" and tokens["原则上不得"] == "keyword.other.modality.policy"
    assert tokens["年份"] == "support.function.policy"  # not the unit 年
    assert tokens["不低于"] == "storage.modifier.statement.policy"
    tokens = tokenize("    in principle floor 30% at least floor(x)", rules)
    assert tokens[:2] == [("in principle", "storage.modifier.statement.policy"),
                          ("floor", "storage.modifier.statement.policy")]
    assert ("at least", "storage.modifier.statement.policy") in tokens
    assert ("floor", "support.function.policy") in tokens  # floor(x): the function
