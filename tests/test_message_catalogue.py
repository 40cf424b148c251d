"""The message catalogue (policylang/messages.py, entries in policylang/catalogue.py).

- every entry has its English and its Chinese, for the message and for the hint;
- the codes of the catalogue are the codes of the registry (diagnostics.CODES), each with an entry;
- every entry is used by some pass and every key a pass names is in the catalogue, with the
  parameters its templates need;
- every code in the catalogue is reported by some fixture, and every code the fixtures report is in
  the catalogue.
"""

from __future__ import annotations

import ast
import glob
import importlib.util
import os
import re
import string
import sys
from pathlib import Path

import pytest

from policylang.diagnostics import CODES
from policylang.messages import CATALOGUE, M
from policylang.pipeline import check
from policylang.semantics import checker
from policylang.syntax.parser import parse_source, read_source

REPO = Path(__file__).resolve().parents[1]
SOURCES = sorted(str(p) for p in (REPO / "policylang").rglob("*.py") if p.name not in ("catalogue.py", "messages.py"))


def _calls():
    """(file, line, key or prefix of a dynamic key, keyword names or None when given with **)."""
    for path in SOURCES:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in ("M", "N", "P", "say", "related_note", "W"):
                index = 0
            elif name in ("_say",):
                index = 0
            elif name in ("_say_at", "_problem"):
                index = 1 if name == "_say_at" else 0
            else:
                continue
            if name == "related_note":
                index = 1
            if len(node.args) <= index:
                continue
            arg = node.args[index]
            keywords = None if any(k.arg is None for k in node.keywords) else {k.arg for k in node.keywords}
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                key = arg.value
                yield path, node.lineno, key, keywords
            elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
                yield path, node.lineno, arg.values[0].value + "*", None


CALLS = list(_calls())


def test_every_entry_has_both_languages():
    for key, entry in CATALOGUE.items():
        assert entry.en and entry.zh is not None, key
        assert (entry.hint is None) == (entry.hint_zh is None), key
        if entry.code is not None:
            assert entry.zh, key  # a message in Chinese, not only a phrase left empty on purpose


def test_templates_are_well_formed():
    for key, entry in CATALOGUE.items():
        for template in (entry.en, entry.zh, entry.hint, entry.hint_zh):
            if template:
                list(string.Formatter().parse(template))  # raises on a stray brace
        assert re.fullmatch(r"(PL\d{3}|phrase|note)\.[\w.]+", key), key


def test_codes_are_the_registry():
    codes = {entry.code for entry in CATALOGUE.values() if entry.code is not None}
    assert codes <= set(CODES), codes - set(CODES)
    assert set(CODES) <= codes, f"codes with no message in the catalogue: {sorted(set(CODES) - codes)}"


KEY = re.compile(r"(PL\d{3}|phrase|note)\.[\w.]+")


def _literals():
    """Every string in the sources that names an entry (or starts one built at run time)."""
    for path in SOURCES:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
        parts = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        for node in ast.walk(tree):
            if id(node) in parts:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY.fullmatch(node.value):
                yield path, node.lineno, node.value
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant) \
                    and isinstance(node.values[0].value, str) and KEY.match(node.values[0].value):
                yield path, node.lineno, node.values[0].value + "*"


def test_every_entry_is_used_and_every_key_exists():
    used, prefixes = set(), []
    for path, line, key in _literals():
        if key.endswith("*"):
            prefixes.append(key[:-1])
            assert any(k.startswith(key[:-1]) for k in CATALOGUE), f"{path}:{line}: no entry starts with {key[:-1]}"
        elif key.startswith(("phrase.", "note.")) or key in CATALOGUE or "." in key[6:]:
            assert key in CATALOGUE or ("phrase." + key) in CATALOGUE, f"{path}:{line}: {key} is not in the catalogue"
            used.update({key, "phrase." + key})
    # Keys built from a table at run time: the binding proofs' "{code}.loosened_…" and the resolver's hints.
    dynamic = re.compile(r"^(PL30[456]\.loosened_|phrase\.hint\.)")
    unused = [k for k in CATALOGUE if k not in used and not any(k.startswith(p) for p in prefixes)
              and not dynamic.match(k)]
    assert not unused, f"entries no pass uses: {unused}"


def test_callers_give_the_parameters_the_templates_need():
    for path, line, key, keywords in CALLS:
        if key.endswith("*") or keywords is None:
            continue
        missing = CATALOGUE[key].params - keywords
        assert not missing, f"{path}:{line}: {key} needs {sorted(missing)}"


def test_rendering_fills_every_field():
    """Each entry renders with exactly its parameters (str.format raises on a missing one)."""
    for key, entry in CATALOGUE.items():
        texts = M(key, **{name: f"<{name}>" for name in entry.params})
        assert texts["message"] and (texts["message_zh"] is not None), key
        assert all(f"<{name}>" in "".join(t or "" for t in texts.values() if isinstance(t, str))
                   for name in entry.params), key


def test_a_whole_text_parameter_left_out_gives_no_hint():
    entry = next(e for e in CATALOGUE.values() if e.hint == "{hint}")
    params = {name: "x" for name in entry.params}
    params["hint"] = params["hint_zh"] = None
    assert M(entry.key, **params)["hint"] is None


# ---------------------------------------------------------------- every code is reported by a fixture


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reported(tmp_path_factory) -> set:
    """The codes the fixtures report: every fixture tree under tests/fixtures, the resolver's and
    the parser's example cases, an unreadable file and a check that fails."""
    found = set()
    cwd = os.getcwd()
    for folder in sorted(glob.glob(str(REPO / "tests" / "fixtures" / "*" / "*"))):
        os.chdir(folder)  # a fixture's pyproject.toml applies to it
        try:
            run = check(["policies"], cache=False)
        finally:
            os.chdir(cwd)
        found |= {d.code for d in run.diagnostics}
    sys.path.insert(0, str(REPO / "tests"))
    resolver_cases = _load(REPO / "tests" / "semantics" / "test_resolver.py", "resolver_cases")
    for code, (files, _) in resolver_cases.CASES.items():
        ws, res = resolver_cases.run(tmp_path_factory.mktemp(code), files)
        found |= {d.code for d in ws.diagnostics + res.diagnostics}
    syntax_cases = _load(REPO / "tests" / "syntax" / "test_syntax_golden.py", "syntax_cases")
    for name, (filename, text) in syntax_cases.CASES.items():
        found |= {d.code for d in parse_source(text, filename).diagnostics}
    found |= {d.code for d in read_source(str(tmp_path_factory.mktemp("gone") / "missing.policy"))[1]}

    def boom(ctx):
        raise KeyError("x")

    checks = checker.CHECKS
    checker.CHECKS = (("boom", boom),)
    try:
        found |= {d.code for d in check([str(REPO / "tests" / "fixtures" / "clean" / "city_adds_provision" / "policies")],
                                        cache=False).diagnostics}
    finally:
        checker.CHECKS = checks
    return found


def test_every_code_in_the_catalogue_is_reported_by_a_fixture(reported):
    codes = {entry.code for entry in CATALOGUE.values() if entry.code is not None}
    assert not codes - reported, f"no fixture reports {sorted(codes - reported)}"


def test_every_reported_code_is_in_the_catalogue(reported):
    codes = {entry.code for entry in CATALOGUE.values() if entry.code is not None}
    assert not reported - codes, sorted(reported - codes)


def test_no_pass_writes_a_message_itself():
    """Diagnostics are built from the catalogue: no Diagnostic(...), diag(...) or error(...) call with
    a message text written at the call."""
    inline = []
    for path in SOURCES:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name not in ("Diagnostic", "diag", "error", "_report", "_report_at", "Related", "Problem"):
                continue
            texts = [a for a in node.args if isinstance(a, (ast.JoinedStr,)) or
                     (isinstance(a, ast.Constant) and isinstance(a.value, str) and " " in a.value)]
            texts += [k.value for k in node.keywords if k.arg in ("message", "hint", "message_zh", "hint_zh")
                      and isinstance(k.value, (ast.JoinedStr, ast.Constant)) and getattr(k.value, "value", "x")]
            if texts:
                inline.append(f"{os.path.relpath(path, REPO)}:{node.lineno}")
    assert not inline, inline


