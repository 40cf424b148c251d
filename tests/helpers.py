"""Small helpers shared by the test suites: build policy trees from strings."""

from __future__ import annotations

import os
import textwrap

NATIONAL_HEADER = """\
policy "国家示例政策"
level national
issuer "国家医疗保障局"
document "医保发〔2020〕1号"
effective 2020-12-15
"""


def write_tree(root, files: dict[str, str]) -> str:
    """Write {policy id: source} under root/policies and return that folder."""
    base = os.path.join(str(root), "policies")
    for pid, text in files.items():
        path = os.path.join(base, *pid.split("/")) + ".policy"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(textwrap.dedent(text))
    return base


def header(level: str, effective: str = "2021-01-01", extends: str | None = None, title: str = "示例") -> str:
    out = f'policy "{title}"\nlevel {level}\neffective {effective}\n'
    if extends:
        out += f"extends {extends}\n"
    return out


def assert_golden(path, text: str, what: str = "") -> None:
    """Compare text with the golden file at path. UPDATE_GOLDEN=1 rewrites the file; without it a
    missing golden file fails the test (it is never created quietly)."""
    path = os.fspath(path)
    if os.environ.get("UPDATE_GOLDEN"):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    assert os.path.exists(path), f"no golden file {path}{what}: run with UPDATE_GOLDEN=1 and review it"
    with open(path, encoding="utf-8", newline="") as fh:
        expected = fh.read()
    assert text == expected, f"{path} differs from the output (UPDATE_GOLDEN=1 regenerates it after a deliberate change)"


def in_ci() -> bool:
    """True in a CI job (`.ci/run` sets POLICYLANG_CI=1; most CI services set CI)."""
    return bool(os.environ.get("POLICYLANG_CI") or os.environ.get("CI"))


def missing_system_tool(what: str, install: str) -> None:
    """A test needs a system tool that is not installed. The test suite never installs system
    packages itself (`.ci/run` does): in CI the test fails, saying what to install, so a CI run
    can never pass by skipping; elsewhere it is skipped with the same message."""
    import pytest

    message = f"{what} is not installed: {install} (`.ci/run` installs it when run as root)"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
