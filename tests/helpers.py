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
