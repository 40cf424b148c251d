"""Rows of text cells for the batch tests, drawn with a seeded random generator (for samples too
large for hypothesis): mostly valid, some absent, some hostile."""

from __future__ import annotations

import random

from policylang.semantics.evaluate import Interpreter

POOLS = {
    "money": ["0", "0.00", "469", "469.00", "590.55", "7000", "7000.01", "6500", "100000", "99.99", "100.01", "0.01",
              "1e3", "1_000", " 12.50 ", "+5", ".5", "1200", "123456789.12"],
    "percent": ["0%", "30%", "70%", "80%", "85%", "100%", "12.5%", "33.333333%", "0.855", "1", "0"],
    "decimal": ["0", "1.5", "-2.25", "1000", "0.001"],
    "count": ["0", "1", "9", "80", "101", "3.0", "500"],
    "bool": ["true", "false", "True", "yes", "no", "是", "否", "1", "0"],
    "date": ["2020-12-15", "2021-01-31", "2021-02-28", "2021-03-10", "2021-12-31", "2023-04-26", "2024-01-31",
             "2024-02-29", "2025-12-15", "2026-04-25", "9999-12-31", "0001-01-01"],
    "text": ["", "x", "中文", "it's"],
}
BAD = ["-1", "-0.01", "1.234", "abc", "NaN", "inf", "2021-02-30", "2021-2-3", "80%%", "101%", "3.5", "it's",
       "a\\b", "line\nbreak", "\"quoted\"", "public ", "DROP TABLE x;--"]


def sample_rows(policy, count: int, seed: int = 17) -> list[dict]:
    rng = random.Random(seed)
    interp = Interpreter(policy)
    accepted = interp.accepted_inputs()
    rows = []
    for _ in range(count):
        row = {}
        for name, t in accepted.items():
            roll = rng.random()
            if roll < 0.06:
                continue  # absent
            if roll < 0.10:
                row[name] = rng.choice(BAD)
                continue
            if t.kind == "enum":
                row[name] = rng.choice(list(interp.enum_members.get(t.enum, ("x",))))
            else:
                row[name] = rng.choice(POOLS.get(t.kind, ["x"]))
        rows.append(row)
    return rows
