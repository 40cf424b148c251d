"""The README's tour runs as written: its policy file, its commands and its Python, in a copy of
the project, with the outputs it shows."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = open(os.path.join(REPO, "README.md"), encoding="utf-8").read()
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.M | re.S)


def blocks():
    """(the text before the block since the previous one, language, body) of each fenced block."""
    out, last = [], 0
    for match in FENCE.finditer(README):
        out.append((README[last:match.start()], match.group(1), match.group(2)))
        last = match.end()
    return out


def block_after(lead: str, index: int = 0):
    found = [(before, lang, body) for before, lang, body in blocks() if lead in before]
    assert found, f"the README has no block after {lead!r}"
    return found[index]


def policylang(project, *args, lang="en"):
    env = dict(os.environ, PYTHONPATH=REPO, NO_COLOR="1", POLICYLANG_LANG=lang)
    env.pop("POLICYLANG_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "policylang", *args], cwd=project, capture_output=True,
                          text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of the project's policies and examples, with the tour's city written in."""
    root = tmp_path_factory.mktemp("tour")
    shutil.copytree(os.path.join(REPO, "policies"), root / "policies")
    shutil.copytree(os.path.join(REPO, "examples"), root / "examples")
    before, _, body = block_after("**Write a policy.**")
    path = re.search(r"`(policies/[^`]+\.policy)`", before).group(1)
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(body, encoding="utf-8")
    return root


def _clean(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def test_the_check_prints_the_summary_the_readme_shows(project):
    _, _, body = block_after("**Check it.**")
    shown = body.strip().splitlines()
    assert shown[0] == "$ policylang check"
    proc = policylang(project, "check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == shown[-1]


@pytest.mark.parametrize("lead, lang", [("**See an error.**", "en"), ("**In Chinese.**", "zh")])
def test_the_error_of_the_lowered_floor_is_word_for_word_the_readmes(project, tmp_path, lead, lang):
    city = project / "policies" / "cn" / "gd" / "foshan" / "stent-2020.policy"
    text = city.read_text(encoding="utf-8")
    assert "floor 40%" in text and "Lower the floor to 20%" in README
    copy = tmp_path / "project"
    shutil.copytree(project, copy)
    (copy / "policies" / "cn" / "gd" / "foshan" / "stent-2020.policy").write_text(
        text.replace("floor 40%", "floor 20%"), encoding="utf-8")
    _, _, body = block_after(lead)
    proc = policylang(copy, "check", lang=lang)
    assert proc.returncode == 1
    assert _clean(body) in _clean(proc.stdout), proc.stdout


def test_the_init_command_of_the_tour_writes_a_file_that_checks(project, tmp_path):
    command = re.search(r"`(policylang init [^`]+)`", README).group(1).split()
    copy = tmp_path / "project"
    shutil.copytree(project, copy)
    proc = policylang(copy, *command[1:])
    assert proc.returncode == 0, proc.stderr
    # As the README says: it checks, with an error only for the cap Guangdong requires of its cities.
    checked = policylang(copy, "check", os.path.join(*proc.stdout.strip().split("/")), "--format", "json")
    import json

    errors = [d["code"] for d in json.loads(checked.stdout)["diagnostics"] if d["severity"] == "error"]
    assert checked.returncode == 1 and errors == ["PL325"], checked.stdout


def test_every_shell_command_of_the_tour_runs(project):
    commands = []
    for before, lang, body in blocks():
        if lang != "sh" or "python3 -m venv" in body:
            continue  # the set-up commands are what made this environment
        for line in body.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("policylang "):
                commands.append(line)
    assert len(commands) >= 4, commands
    assert any("examples/" in c for c in commands)
    for command in commands:
        proc = policylang(project, *command.split()[1:])
        assert proc.returncode == 0, (command, proc.stdout[-2000:], proc.stderr[-2000:])
        assert "Traceback" not in proc.stderr


def test_the_python_of_the_tour_runs_on_the_compiled_modules(project):
    assert "`policylang compile -o _policylang/python`" in README
    assert policylang(project, "compile", "-o", "_policylang/python").returncode == 0
    _, _, body = block_after("**Compile and evaluate.**")
    assert "{...}" not in body and "…" not in body
    proc = subprocess.run([sys.executable, "-c", body], cwd=project, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    # The non-selected product at 6800 yuan: listed at its price, the patient pays above the 1500 cap.
    assert lines[0] == "6800.00 5600.00"
    assert lines[1] == "[Decimal('351.75'), Decimal('351.75')]"
