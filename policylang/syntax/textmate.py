"""The TextMate grammar of policy files (editors/vscode/syntaxes/policy.tmLanguage.json), made from
the one table of the language's words (keywords.py): every keyword in English and in all its
Chinese forms, the types, functions, units, round() words, levels and built-in values.

    python -m policylang.syntax.textmate [editors/vscode/syntaxes/policy.tmLanguage.json]

writes it; tests/editors/test_vscode_grammar.py checks that the committed file is what this
writes and runs it on the seed policies in both keyword languages. The rules are single-line
`match` rules whose regular expressions are in the common subset of Oniguruma (VS Code) and
Python's `re`. At each point the rule whose match starts first wins, the first listed on a tie:
so keywords come before the names rule, and a function name before `(` before the statement
words (`floor(x)` is the function, `floor 30%` the statement).
"""

from __future__ import annotations

import json
import os
import re
import sys

from . import keywords as K

# Each keyword entry's scope. A keyword added to keywords.py must be given one here (the grammar
# test fails until it is).
HEADER = "keyword.other.header.policy"
DECLARATION = "storage.type.declaration.policy"
STATEMENT = "storage.modifier.statement.policy"
META = "keyword.other.meta.policy"
MODALITY = "keyword.other.modality.policy"
CONTROL = "keyword.control.policy"
OPERATOR_WORD = "keyword.operator.word.policy"
CONSTANT = "constant.language.policy"

SCOPE_OF_KEYWORD: dict[str, str] = {
    **{word: HEADER for word in ("policy", "level", "region", "issuer", "document", "issued", "effective",
                                 "ends", "extends", "amends", "uses", "summary", "status")},
    **{word: DECLARATION for word in ("override", "enum", "input", "param", "decision", "table", "schedule",
                                      "require", "example", "provision", "record", "calendar")},
    **{word: META for word in ("article", "note", "because")},
    **{word: STATEMENT for word in ("optional", "required", "fixed", "floor", "ceiling", "default",
                                    "delegated to", "delegated", "at least", "at most", "up to", "in principle",
                                    "to")},
    **{word: CONTROL for word in ("when", "then", "otherwise", "columns", "row", "from", "by", "as_of", "given",
                                  "expect", "needs", "list of", "where", "if", "else", "as", "holiday", "workday")},
    **{word: MODALITY for word in ("must not", "must", "should not", "should", "may")},
    **{word: OPERATOR_WORD for word in ("not in", "in", "and", "or", "not")},
    **{word: CONSTANT for word in ("true", "false", "none", "unknown")},
}

# Header lines naming another policy.
REFERENCES = ("extends", "amends", "uses")
# Declarations followed by the name they declare.
NAMED = ("enum", "input", "param", "decision", "table", "schedule", "require", "provision", "record")
NAME = r"[^\W\d]\w*"
POLICY_ID = r"[a-z0-9_][a-z0-9_\-]*(?:/[a-z0-9_][a-z0-9_\-]*)*"


def _english(words: str) -> str:
    """An English keyword (or sequence: `at least`) as a pattern. A word that begins a longer
    keyword of another scope is not matched there (`in` of `in principle`)."""
    pattern = r"[ \t]+".join(re.escape(w) for w in words.split())
    scope = SCOPE_OF_KEYWORD.get(words)
    for longer, _ in K.KEYWORDS:
        rest = longer.split()
        if len(rest) > 1 and rest[0] == words and SCOPE_OF_KEYWORD.get(longer) != scope:
            pattern += r"(?![ \t]+" + re.escape(rest[1]) + r"\b)"
    return pattern


def _alternatives(patterns) -> str:
    unique = list(dict.fromkeys(patterns))
    # Longest first: `原则上不得` before `原则上`, `at least` before `at`.
    return "|".join(sorted(unique, key=lambda p: (-len(p), p)))


def _forms(englishes) -> list[str]:
    """The patterns of these keywords in English and in every Chinese form."""
    zh = dict(K.KEYWORDS)
    out = []
    for english in englishes:
        out.append(_english(english))
        out.extend(re.escape(form) for form in zh[english])
    return out


def _words(englishes) -> str:
    return r"\b(?:" + _alternatives(_forms(englishes)) + r")\b"


def _names(table: dict[str, tuple[str, ...]]) -> list[str]:
    return [re.escape(w) for english, forms in table.items() for w in (english, *forms)]


def _scoped(scope: str) -> list[str]:
    return [english for english, _ in K.KEYWORDS if SCOPE_OF_KEYWORD.get(english) == scope]


def grammar() -> dict:
    header = [w for w in _scoped(HEADER) if w not in REFERENCES]
    english_units = [u for english in K.UNITS_ZH if "_" not in english
                     for u in (english, english[:-1] if english.endswith("s") else None) if u]
    # A unit of two words (`working days`, `working day`), spaces between them as the grammar allows.
    spaced = [english.replace("_", "[ \\t]+") + "?" for english in K.UNITS_ZH if "_" in english]
    units = (r"\b(?:" + "|".join(spaced + [_alternatives(re.escape(u) for u in english_units)]) + r")\b"
             # A Chinese unit follows its number with no space (469元); 年份( is a function, not 年.
             + "|(?:" + _alternatives(re.escape(u) for u in list(K.UNITS_ZH.values()) + ["工作日"]) + r")(?!\w)")
    quoted = r'"(?:[^"\\]|\\.)*"|“(?:[^”\\]|\\.)*”'
    unterminated = r'"(?:[^"\\]|\\.)*$|“(?:[^”\\]|\\.)*$'
    punctuation = "".join(re.escape(c) for c in "{}[](),:.") + "".join(K.PUNCTUATION.values())

    def rule(scope: str, match: str) -> dict:
        return {"name": scope, "match": match}

    def captures(match: str, *scopes: str) -> dict:
        return {"match": match, "captures": {str(i): {"name": s} for i, s in enumerate(scopes, 1)}}

    patterns = [
        rule("comment.line.number-sign.policy", "#.*$"),
        rule("string.quoted.double.policy", quoted),
        rule("invalid.illegal.unterminated-string.policy", unterminated),
        captures(r"^\s*(" + _alternatives(_forms(REFERENCES)) + r")\s+(" + POLICY_ID + ")",
                 HEADER, "entity.name.namespace.policy"),
        captures(r"^\s*(" + _alternatives(_forms(header)) + r")\b", HEADER),
        captures(r"\b(" + _alternatives(_forms(NAMED)) + r")\s+(" + NAME + ")", DECLARATION, "entity.name.policy"),
        rule(DECLARATION, _words(_scoped(DECLARATION))),
        rule("constant.numeric.date.policy", r"\b\d{4}-\d{2}-\d{2}\b"),
        rule("constant.numeric.policy", r"\b\d+(?:\.\d+)?%?"),
        rule("keyword.other.unit.policy", units),
        rule(META, _words(_scoped(META))),
        rule(MODALITY, _words(_scoped(MODALITY))),
        rule(CONTROL, _words(_scoped(CONTROL))),
        rule(OPERATOR_WORD, _words(_scoped(OPERATOR_WORD))),
        rule(CONSTANT, _words(_scoped(CONSTANT))),
        rule("support.function.policy", NAME + r"(?=\s*[(（])"),
        rule(STATEMENT, _words(_scoped(STATEMENT))),
        rule("support.type.policy", r"\b(?:" + _alternatives(_names(K.TYPES)) + r")\b"),
        rule("support.constant.policy", r"\b(?:" + _alternatives(
            _names(K.ROUND_WORDS) + _names(K.LEVELS) + _names(K.STATUSES) + _names(K.BUILTINS)) + r")\b"),
        rule("variable.other.policy", NAME),
        rule("keyword.operator.policy", r"=>|==|!=|<=|>=|<|>|=|\+|-|\*|/"),
        rule("punctuation.policy", "[" + punctuation + "]"),
    ]
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "policylang",
        "scopeName": "source.policy",
        "fileTypes": ["policy"],
        "comment": "Made by `python -m policylang.syntax.textmate` from policylang/syntax/keywords.py: do not edit.",
        "patterns": patterns,
    }


def grammar_json() -> str:
    return json.dumps(grammar(), ensure_ascii=False, indent=2) + "\n"


DEFAULT_PATH = os.path.join("editors", "vscode", "syntaxes", "policy.tmLanguage.json")

if __name__ == "__main__":  # pragma: no cover
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_PATH
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(grammar_json())
