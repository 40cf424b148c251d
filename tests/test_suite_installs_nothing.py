"""The test suite never installs system packages itself: `.ci/run` does, explicitly."""

from __future__ import annotations

import os
import re

import pytest

from helpers import missing_system_tool

TESTS = os.path.dirname(__file__)
INSTALLERS = re.compile(r"""["'](apt-get|apt|dnf|yum|brew|apk)["']\s*,\s*["'](install|add)["']|\b(apt-get|apt) install\b""")


def test_no_test_runs_a_package_manager():
    offenders = []
    for folder, _dirs, files in os.walk(TESTS):
        for name in files:
            if name.endswith(".py") and name != os.path.basename(__file__):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as fh:
                    for number, line in enumerate(fh, 1):
                        if INSTALLERS.search(line):
                            offenders.append(f"{os.path.relpath(path, TESTS)}:{number}: {line.strip()}")
    assert offenders == [], "tests must not install system packages:\n" + "\n".join(offenders)


def test_ci_script_installs_what_the_tests_need_and_marks_the_run():
    with open(os.path.join(TESTS, "..", ".ci", "run"), encoding="utf-8") as fh:
        script = fh.read()
    assert "export POLICYLANG_CI=1" in script
    assert "chromium" in script and "fonts-noto-cjk" in script


def test_a_missing_tool_fails_in_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setenv("POLICYLANG_CI", "1")
    with pytest.raises(pytest.fail.Exception, match="Debian's 'frobnicate'"):
        missing_system_tool("frobnicate", "install Debian's 'frobnicate'")
    monkeypatch.delenv("POLICYLANG_CI")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="frobnicate"):
        missing_system_tool("frobnicate", "install Debian's 'frobnicate'")
