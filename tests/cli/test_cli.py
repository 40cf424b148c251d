"""The command line as a user meets it: exit codes, formats, and no tracebacks on bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from helpers import header, write_tree

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def policylang(*args, cwd=None, stdin=None):
    env = dict(os.environ, PYTHONPATH=REPO, NO_COLOR="1")
    env.pop("POLICYLANG_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "policylang", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, env=env, timeout=120)


def assert_no_traceback(proc):
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr


def test_version_and_help():
    proc = policylang("--version")
    assert proc.returncode == 0 and "policylang" in proc.stdout
    for command in ("check", "fmt", "build"):
        proc = policylang(command, "--help")
        assert proc.returncode == 0 and "Usage" in proc.stdout


def test_bundled_policies_check_without_errors():
    proc = policylang("check", "policies", cwd=REPO)
    assert_no_traceback(proc)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 errors" in proc.stdout


def test_commands_taking_paths_take_policy_ids_too(tmp_path):
    # eval and run take an id; check, compile, docs and build take one as well (found under ./policies).
    out = tmp_path / "out"
    proc = policylang("compile", "cn/gd/stent-2020", "-o", str(out), cwd=REPO)
    assert_no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    assert (out / "cn" / "gd" / "stent_2020.py").is_file() and not (out / "cn" / "stent_2020.py").exists()
    proc = policylang("check", "cn/gd/stent-2020", cwd=REPO)
    assert proc.returncode == 0 and "1 policy checked" in proc.stdout, proc.stdout + proc.stderr
    proc = policylang("check", "cn/gd/no-such-notice", cwd=REPO)
    assert proc.returncode == 2 and "no such file or folder: cn/gd/no-such-notice" in proc.stderr
    assert_no_traceback(proc)


BAD_FILES = {
    "empty": b"",
    "comments_only": b"# nothing here\n",
    "binary": bytes(range(256)),
    "invalid_utf8": header("national").encode() + b'input x: money "\xff\xfe"\n',
    "gbk": '政策'.encode("gbk") + b"\n",
    "deep_parens": (header("national") + "decision d: count = " + "(" * 10000 + "1" + ")" * 10000 + "\n").encode(),
    "deep_minus": (header("national") + "decision d: count = " + "-" * 10000 + "1\n").encode(),
    "truncated": (header("national") + "decision d: money = round(").encode(),
    "garbage_line": (header("national") + "input a: money\n%%% garbage ¤¤ \ninput b: money\n").encode(),
    "full_width": (header("national") + "param a: percent floor 30％\n").encode(),
    "unknown_keyword": (header("national") + "decison d: money = 1 yuan\n").encode(),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_give_located_diagnostics_and_exit_1(tmp_path, name):
    folder = tmp_path / "policies"
    folder.mkdir()
    path = folder / "bad.policy"
    path.write_bytes(BAD_FILES[name])
    proc = policylang("check", str(path), "--format", "json")
    assert_no_traceback(proc)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["summary"]["error"] >= 1
    for diag in payload["diagnostics"]:
        assert diag["code"].startswith("PL")
        loc = diag["location"]
        assert loc["file"].endswith("bad.policy") and loc["line"] >= 1 and loc["column"] >= 1


def test_all_errors_of_a_file_are_reported(tmp_path):
    root = write_tree(tmp_path, {"cn/x": header("national") + """
input a: money
decision d1: money = a +
decision d2: money = unknown_name
decision d3: date = a
"""})
    proc = policylang("check", root, "--format", "json")
    codes = sorted(d["code"] for d in json.loads(proc.stdout)["diagnostics"])
    assert codes == ["PL102", "PL201", "PL203"]


def test_missing_path_is_a_usage_error():
    proc = policylang("check", "/no/such/dir")
    assert proc.returncode == 2
    assert "no such file" in proc.stderr
    assert_no_traceback(proc)


def test_unknown_option_is_a_usage_error():
    proc = policylang("check", "--bogus")
    assert proc.returncode == 2


def test_text_output_has_caret_and_hint(tmp_path):
    root = write_tree(tmp_path, {"cn/x": header("national") + "input price: money\ndecision d: bool = price <= 7000\n"})
    proc = policylang("check", root)
    assert proc.returncode == 1
    assert "error[PL204]" in proc.stdout
    assert "^^^^" in proc.stdout
    assert "help: write the amount with its unit" in proc.stdout
    assert "x.policy:5:20" in proc.stdout


def test_github_format(tmp_path):
    root = write_tree(tmp_path, {"cn/x": header("national") + "input price: money\ndecision d: bool = price <= 7000\n"})
    proc = policylang("check", root, "--format", "github")
    line = proc.stdout.strip().splitlines()[0]
    assert line.startswith("::error file=") and ",line=5," in line and "title=PL204" in line


def test_fmt_check_and_idempotence(tmp_path):
    root = write_tree(tmp_path, {"cn/x": header("national") + "input   price :money  \"价格\"\n"})
    proc = policylang("fmt", "--check", root)
    assert proc.returncode == 1 and "would reformat" in proc.stderr
    assert policylang("fmt", root).returncode == 0
    proc = policylang("fmt", "--check", root)
    assert proc.returncode == 0, proc.stderr


def test_fmt_leaves_files_with_syntax_errors_alone(tmp_path):
    root = write_tree(tmp_path, {"cn/x": header("national") + "input price money\n"})
    path = os.path.join(root, "cn", "x.policy")
    before = open(path, encoding="utf-8").read()
    proc = policylang("fmt", root)
    assert proc.returncode == 1 and "PL101" in proc.stdout
    assert open(path, encoding="utf-8").read() == before


def test_strict_fails_on_warnings(tmp_path):
    root = write_tree(tmp_path, {"cn/x": header("national") + "param cap: money delegated\n"})
    plain = policylang("check", root)
    assert plain.returncode == 0
    assert "warning[PL312]" in plain.stdout  # a leaf leaving a blank unfilled is a warning
    strict = policylang("check", "--strict", root)
    assert strict.returncode == 1


def test_fmt_converts_keywords_both_ways_and_check_still_passes(tmp_path):
    import shutil

    tree = tmp_path / "policies"
    shutil.copytree(os.path.join(REPO, "policies"), tree)
    before = {p: p.read_text(encoding="utf-8") for p in tree.rglob("*.policy")}
    proc = policylang("fmt", "--keywords", "zh", "policies", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    chaozhou = (tree / "cn/gd/chaozhou/stent-2020.policy").read_text(encoding="utf-8")
    first_code_line = next(line for line in chaozhou.splitlines() if not line.startswith("#"))
    assert first_code_line.startswith("政策 “潮州市") and "\n继承 cn/gd/stent-2020\n" in chaozhou
    proc = policylang("check", "policies", cwd=tmp_path)
    assert proc.returncode == 0 and "0 errors" in proc.stdout, proc.stdout
    proc = policylang("fmt", "--keywords", "en", "policies", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert {p: p.read_text(encoding="utf-8") for p in tree.rglob("*.policy")} == before


def test_fmt_diff_prints_a_unified_diff_and_writes_nothing(tmp_path):
    root = write_tree(tmp_path, {"cn/x": header("national") + 'input   a :  money   "金额"\n'})
    path = os.path.join(root, "cn", "x.policy")
    with open(path, "rb") as fh:
        before = fh.read()
    proc = policylang("fmt", "--diff", path)
    assert_no_traceback(proc)
    assert proc.returncode == 1, proc.stderr  # something would change
    assert proc.stdout.startswith(f"--- {path}\n+++ {path}\n@@ ")
    assert '-input   a :  money   "金额"' in proc.stdout and '+input a: money "金额"' in proc.stdout
    assert "would reformat" in proc.stderr and "1 file would be reformatted" in proc.stderr
    with open(path, "rb") as fh:
        assert fh.read() == before
    proc = policylang("--lang", "zh", "fmt", "--diff", path)
    assert "将重新格式化" in proc.stderr
    # Formatted in place, the diff is empty and the exit status 0.
    assert policylang("fmt", path).returncode == 0
    proc = policylang("fmt", "--diff", path)
    assert proc.returncode == 0 and proc.stdout == ""


def test_build_writes_into_its_own_folder_not_pips(tmp_path):
    write_tree(tmp_path, {"cn/x": header("national") + 'input a: money "金额"\ndecision d: money "结果" = a\n'})
    proc = policylang("build", "--no-docs", cwd=tmp_path)
    assert_no_traceback(proc)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "_policylang" / "python").is_dir()
    assert not (tmp_path / "build").exists()
    gitignore = open(os.path.join(REPO, ".gitignore"), encoding="utf-8").read().split()
    assert "_policylang/" in gitignore


SEED_POLICIES = os.path.join(REPO, "policies")


def test_builds_first_output_is_a_summary_by_code_and_verbose_gives_every_finding(tmp_path):
    out = str(tmp_path / "out")
    proc = policylang("build", "--root", SEED_POLICIES, SEED_POLICIES, "-o", out, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    # One line per code with the policies it concerns, where to see each, then the verdict.
    assert any(line.strip().startswith("warning PL312 ") and "×" in line and "cn/gd/chaozhou/stent-2020" in line
               for line in lines), proc.stdout
    assert "-->" not in proc.stdout and "help:" not in proc.stdout
    assert lines[-1].startswith("ok: ") and len(lines) < 12
    verbose = policylang("build", "--root", SEED_POLICIES, SEED_POLICIES, "-o", out, "--verbose", cwd=tmp_path)
    check = policylang("check", "--root", SEED_POLICIES, SEED_POLICIES, cwd=tmp_path)
    assert verbose.returncode == 0 and verbose.stdout == check.stdout
    zh = policylang("--lang", "zh", "build", "--root", SEED_POLICIES, SEED_POLICIES, "-o", out, cwd=tmp_path)
    assert "警告 PL312 授权事项未填写 ×" in zh.stdout and zh.stdout.splitlines()[-1].startswith("通过：")
    assert "compiled 6 policies into" in proc.stderr
    # a rebuild with nothing changed says so, in Chinese when asked
    assert re.search(r"python：自上次生成以来没有变化，没有写入任何文件（\d+ 个文件均为最新）", zh.stderr), zh.stderr


def test_build_still_prints_errors_in_full(tmp_path):
    write_tree(tmp_path, {"cn/x": header("national") + 'param p: percent floor 30% "比例"\n',
                          "cn/x/y": header("provincial", extends="cn/x") + "override param p: percent floor 20%\n"})
    proc = policylang("build", cwd=tmp_path)
    assert proc.returncode == 1
    assert "error[PL304]" in proc.stdout and "-->" in proc.stdout


def test_every_long_stage_of_build_shows_progress_on_a_terminal(tmp_path):
    import pty

    write_tree(tmp_path, {"cn/x": header("national") + 'input a: money "金额"\ndecision d: money "结果" = a\n'})
    env = dict(os.environ, PYTHONPATH=REPO, NO_COLOR="1")
    for name in ("CI", "POLICYLANG_CI", "GITHUB_ACTIONS"):
        env.pop(name, None)
    primary, secondary = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "policylang", "build"], cwd=tmp_path, env=env,
                            stdin=secondary, stdout=secondary, stderr=secondary)
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(primary)
    assert proc.wait(timeout=120) == 0
    shown = b"".join(chunks).decode("utf-8", "replace")
    for stage in ("parsing policy files", "checking policies", "compiling evaluators", "writing documentation pages"):
        assert stage in shown, shown


def test_two_policies_that_would_be_one_module_stop_the_build_in_the_chosen_language(tmp_path):
    national = header("national") + 'param p: percent floor 30% "比例"\n'
    write_tree(tmp_path, {"cn/a-b": national, "cn/a_b": national.replace("示例", "另一示例")})
    for args, said in ((["build", "-o", "out"], "build stopped: the policies cn/a-b and cn/a_b would both compile to"),
                       (["--lang", "zh", "build", "-o", "out"],
                        "policylang build 已停止：政策 cn/a-b 和 cn/a_b 会生成同一个文件 cn/a_b.py：请把其中一个文件改名"),
                       (["--lang", "zh", "compile", "-o", "out"], "policylang compile：政策 cn/a-b 和 cn/a_b 会生成同一个文件")):
        proc = policylang(*args, cwd=tmp_path)
        assert proc.returncode == 1 and said in proc.stderr, (args, proc.stderr)
        assert_no_traceback(proc)
