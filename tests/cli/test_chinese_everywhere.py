"""Chinese all the way: every command's human-facing output under `--lang zh`, read as a reader of Chinese.

Each command runs on the seed tree (policies/), on the fixture trees with the usual mistakes and
conflicts, and on a tree whose pyproject.toml sets lang = "zh": check (text, JSON, SARIF, JUnit,
GitHub), explain (every item of every seed, with cases given and without), diff, test, eval (good
and bad cases), run and compile errors, init, build, the docs pages (their HTML text) and every
`--help`. Every human-facing string is collected and read by the one detector (tests/zh_text.py):
an English word, a raw identifier or an English unit where Chinese is expected fails the test,
naming the command, the string and the fragments. JSON and CSV keep their machine keys; only the
messages are read.
"""

from __future__ import annotations

import glob
import html
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from helpers import header, write_tree
from policylang.cli import cli
from zh_text import ENGLISH_FILE_KEYWORDS, declared_names, foreign, notice_latin

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(REPO, "tests", "fixtures")
SEEDS = os.path.join(REPO, "policies")


def _fixture_trees() -> list[str]:
    return sorted(os.path.dirname(p) for p in glob.glob(os.path.join(FIXTURES, "*", "*", "policies")))


def _names_and_latin() -> tuple[frozenset, frozenset]:
    names, latin = set(), set()
    for root in [SEEDS, *_fixture_trees()]:
        names |= declared_names(os.path.join(root, "policies") if root != SEEDS else root)
        latin |= notice_latin(os.path.join(root, "policies") if root != SEEDS else root)
    return frozenset(names), frozenset(latin)


NAMES, LATIN = _names_and_latin()
# The input names the tests below type in their cases (a misspelt one among them): quoted back, they are allowed.
NAMES = NAMES | {"foo", "prepayment_base", "as_of", "x", "no_such_item", "Bad", "Id", "cap2"}


def _ids(root: str) -> list[str]:
    return sorted(os.path.relpath(p, root)[:-len(".policy")].replace(os.sep, "/")
                  for p in glob.glob(os.path.join(root, "**", "*.policy"), recursive=True))


# ---------------------------------------------------------------- reading outputs


def _text_lines(out: str) -> list[str]:
    """The human-facing lines of a text output: without the quoted source lines, carets and locations."""
    lines = []
    for line in out.splitlines():
        if re.match(r"^\s*(\d+\s*)?\|", line) or re.match(r"^\s*-->", line) or not line.strip():
            continue
        lines.append(line)
    return lines


def _json_texts(data, keys=("message_zh", "hint_zh", "title_zh", "error_zh", "text_zh")) -> list[str]:
    out = []
    if isinstance(data, dict):
        for k, v in data.items():
            if k in keys and isinstance(v, str):
                out.append(v)
            else:
                out.extend(_json_texts(v, keys))
    elif isinstance(data, list):
        for v in data:
            out.extend(_json_texts(v, keys))
    return out


def _sarif_texts(data) -> list[str]:
    out = []
    for run in data["runs"]:
        for rule in run["tool"]["driver"].get("rules", []):
            for key in ("shortDescription", "fullDescription", "help"):
                if key in rule:
                    out.append(rule[key]["text"])
        for result in run.get("results", []):
            out.append(result["message"]["text"])
            for rel in result.get("relatedLocations", []):
                if "message" in rel:
                    out.append(rel["message"]["text"])
        out.extend(_json_texts(run.get("results", [])))
    return out


def _junit_texts(xml: str) -> list[str]:
    out = []
    for el in ET.fromstring(xml).iter():
        for attr in ("message",):
            if el.get(attr):
                out.append(el.get(attr))
        if el.tag in ("system-out", "failure", "error") and el.text:
            out.extend(_text_lines(el.text))
    return out


def _html_texts(page: str) -> list[str]:
    """The text a browser shows: without <script>, <style>, and the policy source shown in <pre>/<code>."""
    page = re.sub(r"(?is)<(script|style|pre)\b.*?</\1>", " ", page)
    page = re.sub(r"(?is)<code\b[^>]*class=\"[^\"]*source[^\"]*\"[^>]*>.*?</code>", " ", page)
    # a name in <code> beside its label is the name the author types: read it as a reference, （name）
    page = re.sub(r"(?s)<code\b[^>]*>(.*?)</code>", lambda m: "（" + re.sub(r"<[^>]+>", "", m.group(1)) + "）", page)
    page = re.sub(r"(?s)<[^>]+>", "\n", page)
    return [html.unescape(t).strip() for t in page.split("\n") if t.strip()]


# ---------------------------------------------------------------- running commands


def run(args, cwd=None, **kw):
    """The command as `policylang ARGS` runs it (cli.main: its usage errors and exit statuses), in process."""
    from policylang.cli import main
    from policylang.commands.common import CHOSEN

    runner = CliRunner()
    old = os.getcwd()
    os.chdir(cwd or REPO)
    CHOSEN["lang"] = None
    try:
        with runner.isolation(**kw) as (out, err, *_):
            code = main(list(args))
            result = _Result(out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace"),
                             code)
    finally:
        os.chdir(old)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert "internal error" not in result.stderr and "内部错误" not in result.stderr, (args, result.stderr)
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.stderr)
    return result


class _Result:
    def __init__(self, stdout: str, stderr: str, exit_code: int):
        self.stdout, self.stderr, self.exit_code = stdout, stderr, exit_code
        self.stderr_bytes = stderr.encode()


def _out(result) -> str:
    return result.stdout + (result.stderr if result.stderr_bytes is not None else "")


class Reader:
    """Collects (where, text) pairs and reports every foreign fragment in them."""

    def __init__(self):
        self.findings: list[tuple[str, str, list[str]]] = []

    def read(self, where: str, texts, extra=()):
        for text in texts:
            bad = foreign(text, NAMES, LATIN, extra)
            if bad:
                self.findings.append((where, text, bad))

    def report(self) -> str:
        seen, lines = set(), []
        for where, text, bad in self.findings:
            if text in seen:
                continue
            seen.add(text)
            lines.append(f"{where}: {bad}\n    {text}")
        return "\n".join(lines)


def _check_everywhere(reader: Reader, root: str, label: str, cwd=None, extra=()):
    for fmt in ("text", "json", "sarif", "junit", "github"):
        result = run(["--lang", "zh", "check", "--format", fmt, root], cwd=cwd)
        out = result.stdout
        assert "Traceback" not in out, out
        if fmt == "text":
            reader.read(f"check {label}", _text_lines(out), extra)
        elif fmt == "json":
            reader.read(f"check --format json {label}", _json_texts(json.loads(out)), extra)
        elif fmt == "sarif":
            reader.read(f"check --format sarif {label}", _sarif_texts(json.loads(out)), extra)
        elif fmt == "junit":
            reader.read(f"check --format junit {label}", _junit_texts(out), extra)
        else:
            reader.read(f"check --format github {label}",
                        [part for line in out.splitlines() if line.startswith("::")
                         for part in re.sub(r"^::\w+ [^:]*::", "", line).split("%0A")], extra)


def _in_chinese_keywords(tree: str, to: str) -> str:
    """A copy of the fixture tree written in Chinese keywords (`fmt --keywords zh`), as an official writes it;
    a file that does not parse (a syntax mistake) is copied as it is. Returns the copy, and whether every
    file is in Chinese keywords now."""
    from policylang.syntax.formatter import format_source

    converted = True
    for path in glob.glob(os.path.join(tree, "**", "*"), recursive=True):
        if os.path.isdir(path):
            continue
        target = os.path.join(to, os.path.relpath(path, tree))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if path.endswith(".policy"):
            with open(path, encoding="utf-8", errors="surrogateescape") as fh:
                text = fh.read()
            formatted, _ = format_source(text, path, "zh")
            converted = converted and formatted is not None
            with open(target, "w", encoding="utf-8", errors="surrogateescape") as fh:
                fh.write(formatted if formatted is not None else text)
        else:
            shutil.copyfile(path, target)
    return to, converted


def collect_check(reader: Reader, tmp_path):
    _check_everywhere(reader, SEEDS, "policies/")
    for tree in _fixture_trees():
        label = os.path.relpath(tree, FIXTURES)
        # findings about a file in English keywords may quote its keywords as it writes them
        _check_everywhere(reader, os.path.join(tree, "policies"), label, extra=(ENGLISH_FILE_KEYWORDS,))
        copy, converted = _in_chinese_keywords(os.path.join(tree, "policies"), str(tmp_path / "zh" / label / "policies"))
        _check_everywhere(reader, copy, label + "（中文关键字）", extra=() if converted else (ENGLISH_FILE_KEYWORDS,))


def _items(root: str, pid: str) -> list[str]:
    names = set()
    with open(os.path.join(root, *pid.split("/")) + ".policy", encoding="utf-8") as fh:
        names |= set(re.findall(r"^(?:override\s+)?(?:param|decision|table|input|schedule|require|provision)\s+(\w+)",
                                fh.read(), re.M))
    return sorted(names)


def collect_explain_diff(reader: Reader):
    for pid in _ids(SEEDS):
        for fmt in ("text", "json"):
            result = run(["--lang", "zh", "diff", "--format", fmt, pid])
            texts = _text_lines(result.stdout) if fmt == "text" else _json_texts(json.loads(result.stdout))
            reader.read(f"diff {pid}", texts)
        for item in _items(SEEDS, pid):
            result = run(["--lang", "zh", "explain", pid, item])
            reader.read(f"explain {pid} {item}", _text_lines(_out(result)))
    result = run(["--lang", "zh", "explain", "cn/gd/stent-2020", "no_such_item"])
    reader.read("explain (unknown item)", _text_lines(_out(result)))
    result = run(["--lang", "zh", "diff", "cn/no/such"])
    reader.read("diff (unknown policy)", _text_lines(_out(result)))


def collect_test_eval(reader: Reader, tmp_path):
    result = run(["--lang", "zh", "test"])
    reader.read("test", _text_lines(_out(result)))
    for tree in _fixture_trees():
        if "example" in tree:
            result = run(["--lang", "zh", "test", "--root", os.path.join(tree, "policies")])
            reader.read(f"test {os.path.relpath(tree, FIXTURES)}", _text_lines(_out(result)))
    good = tmp_path / "good.json"
    good.write_text(json.dumps([{"selected": True, "selected_price": 469, "price": 469, "prepayment_base": 10000,
                                 "lowest_purchase_price": 7000}]), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('[{"selected": "yes", "selected_price": "7,000", "price": -3}, {"selected": true}, {"foo": 1},'
                   ' {"selected": true, "selected_price": "469元", "as_of": "2020-13-01"}]', encoding="utf-8")
    for pid in _ids(SEEDS):
        for cases in (good, bad):
            for extra in ((), ("--explain",), ("--format", "csv")):
                result = run(["--lang", "zh", "eval", pid, "-i", str(cases), *extra])
                out = result.stdout
                if extra == ("--format", "csv"):
                    texts = [line for line in out.splitlines()[1:]]
                    texts = [t for t in texts if re.search(r"[\u4e00-\u9fff]", t)]
                else:
                    try:
                        texts = _eval_texts(json.loads(out)) if out.strip() else []
                    except json.JSONDecodeError:
                        texts = _text_lines(out)
                reader.read(f"eval {pid} {cases.name} {' '.join(extra)}", texts + _text_lines(result.stderr))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    for source in (str(broken), str(tmp_path / "missing.json")):
        result = run(["--lang", "zh", "eval", "cn/gd/stent-2020", "-i", source])
        reader.read("eval (not JSON, no file)", _text_lines(_out(result)))
    result = run(["--lang", "zh", "eval", "cn/gd/stent-2020", "-i", "{}", "--as-of", "2020-13-01"])
    reader.read("eval (bad date)", _text_lines(_out(result)))
    result = run(["--lang", "zh", "eval", "cn/no/such", "-i", "{}"])
    reader.read("eval (unknown policy)", _text_lines(_out(result)))


def _eval_texts(data) -> list[str]:
    """The messages of eval's JSON: its keys are machine keys; texts with Chinese in them are messages,
    and the explanations (_explain) and errors (_error, _errors) are read whole."""
    out = []
    if isinstance(data, dict):
        for k, v in data.items():
            if isinstance(v, str) and (k.startswith("_") or re.search(r"[\u4e00-\u9fff]", v)):
                out.append(v)
            else:
                out.extend(_eval_texts(v))
    elif isinstance(data, list):
        for v in data:
            out.extend(_eval_texts(v))
    return out


def collect_run_compile_init_build(reader: Reader, tmp_path):
    data = tmp_path / "claims.csv"
    data.write_text("selected,selected_price\ntrue,469\n", encoding="utf-8")
    for args in (["run", "cn/no/such", "--data", str(data), "--out", str(tmp_path / "o.csv")],
                 ["run", "cn/gd/stent-2020", "--data", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "o.csv")],
                 ["run", "cn/gd/stent-2020", "--data", str(data), "--out", str(tmp_path / "o.txt")],
                 ["run", "cn/gd/stent-2020", "--data", str(data), "--out", str(tmp_path / "o.csv"), "--blank", "x"],
                 ["compile", "--target", "sql", "-o", str(tmp_path / "sql"), "cn/nm/spine-2023"],
                 ["compile", "-o", str(tmp_path / "py"), os.path.join(FIXTURES, "conflicts", "listing_cap_raised",
                                                                   "policies")]):
        result = run(["--lang", "zh", *args])
        reader.read(" ".join(args[:2]), _text_lines(_out(result)))
    root = tmp_path / "tree"
    shutil.copytree(SEEDS, root / "policies")
    for args in (["init", "cn/gd/shantou/stent-2020", "--extends", "cn/gd/stent-2020", "--region", "广东省汕头市"],
                 ["init", "cn/gd/shantou/stent-2020", "--extends", "cn/gd/stent-2020"],
                 ["init", "Bad Id", "--extends", "cn/gd/stent-2020"],
                 ["init", "cn/gd/x/y", "--extends", "cn/no/such"],
                 ["init", "cn/gd/z/y", "--extends", "cn/gd/stent-2020", "--effective", "2020-13-01"]):
        result = run(["--lang", "zh", *args, "--root", str(root / "policies")])
        reader.read(" ".join(args[:2]), _text_lines(_out(result)))
    written = root / "policies" / "cn" / "gd" / "shantou" / "stent-2020.policy"
    if written.exists():
        comments = [line.lstrip("# ").strip() for line in written.read_text(encoding="utf-8").splitlines()
                    if line.startswith("#")]
        # a commented `override …` line is the code to uncomment: read only its label and bounds
        comments = [re.sub(r"^(override|覆盖)\b.*?(?=\"|“|$)", "", c) for c in comments]
        reader.read("init (the file)", comments)
    result = run(["--lang", "zh", "build", "-o", str(tmp_path / "out"), "--root", str(root / "policies")])
    reader.read("build", _text_lines(_out(result)))
    result = run(["--lang", "zh", "build", "-o", str(tmp_path / "out2"), "--no-docs", "--root",
                  os.path.join(FIXTURES, "conflicts", "prepayment_floor_lowered", "policies")])
    reader.read("build (errors)", _text_lines(_out(result)))


def collect_help(reader: Reader):
    from test_help_zh import HELP_EXTRA

    for args in (["--lang", "zh", "--help"], *[["--lang", "zh", name, "--help"] for name in cli.commands]):
        result = run(args)
        reader.read(" ".join(args), [result.stdout], extra=HELP_EXTRA)


def collect_docs(reader: Reader, tmp_path):
    out = tmp_path / "site"
    result = run(["--lang", "zh", "docs", "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.stdout
    for page in sorted(glob.glob(str(out / "**" / "*.html"), recursive=True)):
        with open(page, encoding="utf-8") as fh:
            reader.read(f"docs {os.path.relpath(page, out)}", _html_texts(fh.read()))


def collect_configured_tree(reader: Reader, tmp_path):
    """A tree whose pyproject.toml sets lang = "zh": no option, and Chinese all the same."""
    root = tmp_path / "configured"
    write_tree(root, {"cn/x": header("national") + 'param cap: money ceiling 7000 yuan "上限"\n'
                      'decision d: money "结果" = cap2\n'})
    (root / "pyproject.toml").write_text('[tool.policylang]\nlang = "zh"\n', encoding="utf-8")
    result = run(["check"], cwd=str(root))
    assert "未通过" in result.stdout, result.stdout
    reader.read("check (lang = zh in pyproject.toml)", _text_lines(result.stdout))


def collect_all(tmp_path) -> Reader:
    reader = Reader()
    collect_check(reader, tmp_path)
    collect_explain_diff(reader)
    collect_test_eval(reader, tmp_path)
    collect_run_compile_init_build(reader, tmp_path)
    collect_help(reader)
    collect_docs(reader, tmp_path)
    collect_configured_tree(reader, tmp_path)
    return reader


def test_no_english_in_chinese_output(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("POLICYLANG_LANG", raising=False)
    reader = collect_all(tmp_path)
    assert not reader.findings, "English or code where Chinese is expected:\n" + reader.report()


if __name__ == "__main__":  # print every finding: python tests/cli/test_chinese_everywhere.py [part]
    import sys
    import tempfile

    sys.path.insert(0, os.path.join(REPO, "tests"))
    reader = Reader()
    with tempfile.TemporaryDirectory() as tmp:
        import pathlib
        parts = sys.argv[1:] or ["check", "explain_diff", "test_eval", "run_compile_init_build", "help", "docs",
                                 "configured_tree"]
        for part in parts:
            fn = globals()["collect_" + part]
            import inspect
            if len(inspect.signature(fn).parameters) == 2:
                fn(reader, pathlib.Path(tmp))
            else:
                fn(reader)
    print(reader.report())
    print(len(reader.findings), "findings")
