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


# Input text in every form the Python module reads (and some it refuses), one input of each kind:
# the SQL validation must accept exactly what the module accepts, on every engine.
INPUT_FORMS_POLICY = """\
policy "输入形式"
level national
effective 2021-01-01
input m: money optional
input p: percent optional
input q: percent up to 200% optional
input d: decimal optional
input c: count optional
input b: bool optional
input t: date optional
decision om: money = m
decision op: percent = p
decision oq: percent = q
decision od: decimal = d
decision oc: count = c
decision ob: bool = b
decision ot: date = t
"""
INPUT_FORMS = {
    "m": ["1e3", "1_000", "1__0", "_1", " 12.50 ", ".5", "5.", "+5", "\t7\n", "7\n", "\u00a08", "\u30009", "１２",
          "-0", "-0.00", "1.000000000000000000000", "0.0000000000000000000001", "１２．５", "－１", "1" * 65,
          " " + "1" * 64 + " ", "469.0000",
          "1E+2", "1e-2", "1e-3", "0e5", "NaN", "inf", "-inf", "sNaN", "1.5e1", "12.345e1", "0.001e1", "1 0", "_",
          "-1", "1,000", "0x10", "٣٫٥",
          # the fast path's canonical forms and their edges
          "0.00", "469", "469.5", "469.50", "0469.50", "9999999999999999.99", "-5.00"],
    "p": ["80%", " 80 % ", "80 %", "1e1%", "150%", "0.5", "1.5", "1e-1", "100.0000000001%", "50%\n", ".5%", "%", "８０％", "80 ％", "-0", "-0%",
          "1%%", "-0%", "100%", "0%", "12.12345678%", "0.1234567891", "1", "1.0",
          "999.99999999%", "100.00000001%"],
    "q": ["150%", "200%", "201%", "1.5", "2", "2.0000001", "0%", "200.00000001%", "3"],
    "d": ["1e3", "-1.5e-3", "-0", "１", "1e", "-123456789012345678.123456789012", "-0.5", "7"],
    "c": ["3.0", "3.00", "-0", "-0.0", "３", "1e1", "1.5e1", "0.0", "+3", "3.", "1e0", "-1", "2.5",
          "0", "007", "999999999999999999"],
    "b": ["0", "1", "true", "TRUE", " yes ", "是", "否", "no\n", "\ttrue", "y", "01", "\u3000否", "yes", "No", "false"],
    "t": ["2021-02-28", " 2021-02-28 ", "2021-02-29", "2020-02-29", "20210228", "2021-2-28", "2021-02-28\n",
          "0000-01-01", "0001-01-01", "9999-12-31", "2021-W01-1", "２０２１-０１-０１", "+2021-01-01", "2021-01-01T00",
          "12021-01-01", "2021-13-01", "2021-06-01", "2021/06/01", "2021-06-01 00:00:00"],
}


def input_form_rows() -> list[dict]:
    return [{name: text} for name, texts in INPUT_FORMS.items() for text in texts]
