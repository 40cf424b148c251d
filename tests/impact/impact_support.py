"""Shared set-up of the impact tests: a policy tree with a city that sets Guangdong's delegated cap,
and synthetic claims from policylang claims. (A module of its own: test modules cannot import
`conftest` by name, other test directories have one too.)"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FOSHAN = os.path.join(HERE, "data", "foshan-stent-2020.policy")
AS_OF = dt.date(2021, 6, 1)


def make_tree(dest, cap: str = "1500") -> str:
    """The repository's policies plus cn/gd/foshan/stent-2020 setting nonselected_payment_cap = cap."""
    tree = os.path.join(str(dest), "policies")
    shutil.copytree(os.path.join(REPO, "policies"), tree)
    os.makedirs(os.path.join(tree, "cn", "gd", "foshan"))
    with open(FOSHAN, encoding="utf-8") as fh:
        text = fh.read().replace("CAP", cap)
    with open(os.path.join(tree, "cn", "gd", "foshan", "stent-2020.policy"), "w", encoding="utf-8") as fh:
        fh.write(text)
    return tree


def read_rows(path: str) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
