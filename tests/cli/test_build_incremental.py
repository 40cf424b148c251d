"""`policylang build` into a folder it built before writes only what changed, and the result is the
same bytes as a build into an empty folder: after edits to a county, a city, a province and the
national file, a policy added or deleted, output files changed or removed by hand, and no change."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from policylang.cli import cli as main

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEED_POLICIES = os.path.join(REPO, "policies")


def _generated_tree(path) -> str:
    tree = str(path)
    subprocess.run([sys.executable, os.path.join(REPO, "benchmarks", "gen_tree.py"), tree, "--provinces", "2",
                    "--cities", "3", "--counties", "7"], check=True, capture_output=True)
    return tree


def _build(tree: str, out: str, cache: str, monkeypatch, *extra: str):
    monkeypatch.setenv("POLICYLANG_CACHE_DIR", cache)
    monkeypatch.delenv("POLICYLANG_NO_CACHE", raising=False)
    result = CliRunner().invoke(main, ["build", "--root", tree, tree, "-o", out, *extra])
    assert result.exit_code == 0, result.output
    return result


def _files(folder: str) -> dict[str, bytes]:
    out = {}
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(dirpath, name)
            out[os.path.relpath(path, folder)] = open(path, "rb").read()
    return out


def _folders(folder: str) -> set[str]:
    return {os.path.relpath(d, folder) for d, _dirs, _names in os.walk(folder)}


def _same_as_a_fresh_build(tree: str, out: str, tmp_path, monkeypatch) -> None:
    fresh = str(tmp_path / "fresh")
    shutil.rmtree(fresh, ignore_errors=True)
    _build(tree, fresh, str(tmp_path / "fresh-cache"), monkeypatch)
    built, expected = _files(out), _files(fresh)
    assert sorted(built) == sorted(expected)
    assert [rel for rel in expected if built[rel] != expected[rel]] == []
    assert _folders(out) == _folders(fresh)
    assert not filecmp.dircmp(out, fresh).diff_files


def _edit(path: str, old: str, new: str) -> None:
    text = open(path, encoding="utf-8").read()
    assert old in text, (path, old)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text.replace(old, new, 1))


def _county(tree):
    return os.path.join(tree, "cn", "p01", "c001", "k0001", "stent-2020.policy")


def _city(tree):
    return os.path.join(tree, "cn", "p01", "c001", "stent-2020.policy")


def _province(tree):
    return os.path.join(tree, "cn", "p01", "stent-2020.policy")


def _national(tree):
    return os.path.join(tree, "cn", "stent-2020.policy")


def _retitle(path):
    _edit(path, 'document "', 'document "（修订）')


def _add_county(tree, out):
    folder = os.path.join(tree, "cn", "p01", "c001", "k0099")
    os.makedirs(folder)
    shutil.copy(_county(tree), os.path.join(folder, "stent-2020.policy"))


def _tamper(tree, out):
    page = os.path.join(out, "docs", "policies", "cn", "p01", "c001", "stent-2020.html")
    with open(page, "a", encoding="utf-8") as fh:
        fh.write("<!-- edited by hand -->")
    os.remove(os.path.join(out, "docs", "overrides", "cn", "p02", "stent-2020.md"))
    os.remove(os.path.join(out, "python", "cn", "p02", "c003", "k0006", "stent_2020.py"))


EDITS = {
    "nothing": lambda tree, out: None,
    "county provision": lambda tree, out: _edit(_county(tree), "第1项措施", "第1项措施（修订）"),
    "city header": lambda tree, out: _retitle(_city(tree)),
    "city comment only": lambda tree, out: _edit(_city(tree), "# 合成数据", "# 合成的数据"),
    "province header": lambda tree, out: _retitle(_province(tree)),
    "province value": lambda tree, out: _edit(_province(tree), "money fixed 6", "money fixed 7"),
    "national label": lambda tree, out: _edit(_national(tree), '"中选价格"', '"中选产品价格"'),
    "county deleted": lambda tree, out: shutil.rmtree(os.path.dirname(_county(tree))),
    "city deleted with its counties": lambda tree, out: shutil.rmtree(
        os.path.join(tree, "cn", "p02", "c003")),
    "county added": _add_county,
    "output changed by hand": _tamper,
}


EVERYWHERE = {"national label"}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_build_after_an_edit_is_a_fresh_build(edit, tmp_path, monkeypatch):
    tree = _generated_tree(tmp_path / "tree")
    out, cache = str(tmp_path / "out"), str(tmp_path / "cache")
    _build(tree, out, cache, monkeypatch)
    EDITS[edit](tree, out)
    before = {rel: os.stat(os.path.join(out, rel)).st_mtime_ns for rel in _files(out)}
    again = _build(tree, out, cache, monkeypatch)
    _same_as_a_fresh_build(tree, out, tmp_path, monkeypatch)
    after = {rel: os.stat(os.path.join(out, rel)).st_mtime_ns for rel in _files(out)}
    if edit == "nothing":
        # one line per stage, saying nothing was written (not also what a build writes)
        said = [line for line in again.output.splitlines() if line.startswith(out)]
        python, docs = len(_files(os.path.join(out, "python"))), len(_files(os.path.join(out, "docs")))
        assert said == [f"{os.path.join(out, 'python')}: nothing changed since the last build, no file written "
                        f"({python} files up to date)",
                        f"{os.path.join(out, 'docs')}: nothing changed since the last build, no file written "
                        f"({docs} files up to date)"], again.output
        assert "compiled" not in again.output and "wrote" not in again.output
        assert after == before
    elif edit in EVERYWHERE:  # every page shows it: a full build, without saying so
        assert "since the last build" not in again.output
    else:
        assert "changed since the last build" in again.output
        # Only some of the policies' files were written again (a page rendered to the same bytes is
        # left as it is, as after a comment changed).
        rewritten = {rel for rel in after if before.get(rel) != after[rel]}
        assert len(rewritten) < len(after) / 2, sorted(rewritten)


def test_a_series_of_edits_on_the_seed_policies(tmp_path, monkeypatch):
    tree = str(tmp_path / "policies")
    shutil.copytree(SEED_POLICIES, tree)
    out, cache = str(tmp_path / "out"), str(tmp_path / "cache")
    _build(tree, out, cache, monkeypatch)
    chaozhou = os.path.join(tree, "cn", "gd", "chaozhou", "stent-2020.policy")
    _edit(chaozhou, 'summary "', 'summary "（修订）')
    _build(tree, out, cache, monkeypatch)
    _same_as_a_fresh_build(tree, out, tmp_path, monkeypatch)
    _edit(os.path.join(tree, "cn", "gd", "stent-2020.policy"), 'document "', 'document "（修订）')
    _build(tree, out, cache, monkeypatch)
    _same_as_a_fresh_build(tree, out, tmp_path, monkeypatch)
    os.remove(chaozhou)
    _build(tree, out, cache, monkeypatch)
    _same_as_a_fresh_build(tree, out, tmp_path, monkeypatch)
    assert not os.path.exists(os.path.join(out, "docs", "policies", "cn", "gd", "chaozhou"))
    assert not os.path.exists(os.path.join(out, "python", "cn", "gd", "chaozhou"))


def test_force_writes_every_module_and_page_again(tmp_path, monkeypatch):
    tree = _generated_tree(tmp_path / "tree")
    out, cache = str(tmp_path / "out"), str(tmp_path / "cache")
    _build(tree, out, cache, monkeypatch)
    _tamper(tree, out)
    forced = _build(tree, out, cache, monkeypatch, "--force")
    assert "changed since the last build" not in forced.output
    _same_as_a_fresh_build(tree, out, tmp_path, monkeypatch)


def test_without_a_cache_every_build_is_a_full_one(tmp_path, monkeypatch):
    tree = _generated_tree(tmp_path / "tree")
    out = str(tmp_path / "out")
    monkeypatch.setenv("POLICYLANG_NO_CACHE", "1")
    for _ in range(2):
        result = CliRunner().invoke(main, ["build", "--root", tree, tree, "-o", out])
        assert result.exit_code == 0, result.output
        assert "since the last build" not in result.output
    _retitle(_city(tree))
    result = CliRunner().invoke(main, ["build", "--root", tree, tree, "-o", out])
    assert result.exit_code == 0 and "since the last build" not in result.output
    _same_as_a_fresh_build(tree, out, tmp_path, monkeypatch)


def test_a_damaged_manifest_means_a_full_build(tmp_path, monkeypatch):
    tree = _generated_tree(tmp_path / "tree")
    out, cache = str(tmp_path / "out"), str(tmp_path / "cache")
    _build(tree, out, cache, monkeypatch)
    entries = [os.path.join(d, n) for d, _dirs, names in os.walk(os.path.join(cache, "builds")) for n in names]
    assert len(entries) == 1
    with open(entries[0], "r+b") as fh:  # a manifest naming a file outside the output folder
        data = fh.read().replace(b'"docs/index.md"', b'"../../x.md"')
        fh.seek(0)
        fh.write(data)
        fh.truncate()
    _retitle(_city(tree))
    _build(tree, out, cache, monkeypatch)
    _same_as_a_fresh_build(tree, out, tmp_path, monkeypatch)


def _parallel_tree(path, monkeypatch) -> str:
    """A tree whose compile stage runs in worker processes, the docs then worked out while they
    run (the threshold and the chunks made smaller, to keep the tree small)."""
    from policylang.backends import pycodegen, workers
    from policylang.backends.docs import site

    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 4)
    monkeypatch.setattr(workers, "available_cores", lambda: 2)
    monkeypatch.setattr(pycodegen, "CHUNK_SIZE", 3)
    monkeypatch.setattr(site, "CHUNK_SIZE", 3)
    return _generated_tree(path)


def test_docs_worked_out_while_the_modules_are_compiled_are_the_docs_worked_out_after(tmp_path, monkeypatch):
    """The docs stage is worked out in a thread while the compile workers run: the site is byte
    for byte the one worked out after the compile stage (--no-compile), and the modules the ones
    compiled without docs (--no-docs)."""
    import threading

    from policylang.commands import build as B

    tree = _parallel_tree(tmp_path / "tree", monkeypatch)
    planned_in = []
    plan = B._DocsPlan._plan

    def recording(self):
        planned_in.append(threading.current_thread() is threading.main_thread())
        return plan(self)

    monkeypatch.setattr(B._DocsPlan, "_plan", recording)
    both = str(tmp_path / "both")
    _build(tree, both, str(tmp_path / "cache-both"), monkeypatch)
    assert planned_in == [False]  # worked out in the background, once
    docs_alone, modules_alone = str(tmp_path / "docs-alone"), str(tmp_path / "modules-alone")
    _build(tree, docs_alone, str(tmp_path / "cache-docs"), monkeypatch, "--no-compile")
    _build(tree, modules_alone, str(tmp_path / "cache-modules"), monkeypatch, "--no-docs")
    assert planned_in == [False, True]
    built = _files(both)
    assert {rel: data for rel, data in built.items() if rel.startswith("docs" + os.sep)} == _files(docs_alone)
    assert {rel: data for rel, data in built.items() if rel.startswith("python" + os.sep)} == _files(modules_alone)
    assert sum(rel.startswith("docs" + os.sep) for rel in built) > 40


def test_a_docs_problem_found_while_the_modules_are_compiled_stops_the_build_as_before(tmp_path, monkeypatch):
    """A problem met while the docs are worked out in the background is reported once the compile
    stage is done, as a usage problem (exit 2), and no page is written."""
    from policylang.backends.docs import site as S
    from policylang.cli import main as run_cli
    from policylang.semantics.loader import UsageError

    tree = _parallel_tree(tmp_path / "tree", monkeypatch)

    def broken(*args, **options):
        raise UsageError("missing asset style.css", "缺少资源文件 style.css")

    monkeypatch.setattr(S, "prepare_site", broken)
    monkeypatch.setenv("POLICYLANG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("POLICYLANG_NO_CACHE", raising=False)
    out = tmp_path / "out"
    assert run_cli(["build", "--root", tree, tree, "-o", str(out), "--lang", "en"]) == 2
    assert (out / "python").is_dir() and not (out / "docs").exists()
