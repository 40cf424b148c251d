"""The mistakes policy authors make, each recognised and answered with the fix.

A syntax error is first matched against this catalogue; only an error that matches
nothing gets the generic "unexpected … here, expected …". Each entry is tested in
tests/syntax/test_mistakes.py with its examples and a case of its own.

Two kinds of entry:
- PARSER_STATE: recognised by the state the parser stopped in, with Lark's
  `match_examples` — each entry lists a few wrong declarations that stop the parser
  where this mistake does (in both keyword languages);
- the others are recognised from the text (a thousands separator, an impossible
  date, a keyword glued to a name, mismatched quotation marks): see parser.py, which
  builds their findings with the functions below.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Optional

import attrs


@attrs.frozen
class Mistake:
    label: str
    examples: tuple[str, ...]
    message: str
    hint: str
    message_zh: str
    hint_zh: str
    # Told by its line alone (BY_LINE): its state is one another mistake is told by, so its
    # examples are not given to the parser's matching.
    by_line_only: bool = False


PARSER_STATE: tuple[Mistake, ...] = (
    Mistake(
        "missing_colon",
        ("input selected bool\n", "param p percent floor 30%\n", "输入 selected 是否\n", "参数 p 百分比 下限 30%\n",
         "decision d money = 1 yuan\n", "决策 d 金额 = 1元\n"),
        "a ':' goes between the name and its type",
        "write the name, a colon, then the type, e.g. input selected: bool",
        "名称和类型之间要有冒号",
        "先写名称，再写冒号，然后写类型，例如：“输入 selected：是否”",
    ),
    Mistake(
        "formula_without_equals",
        ("decision d: money round(a, fen)\n", "decision d: money a * b\n", "决策 d：金额 取整(a, 分)\n",
         "决策 d：金额 a * b\n"),
        "a decision's formula follows '=' (or its cases are written in braces)",
        "write decision NAME: TYPE = FORMULA, or decision NAME: TYPE { when … then … }",
        "决策的计算公式要写在“=”后面（或者把各种情形写在大括号里）",
        "写作：决策 名称：类型 = 公式；或者：决策 名称：类型 { 当 … 则 … }",
    ),
    Mistake(
        "single_equals",
        ("decision d: money {\n    when selected = true then 1 yuan\n}\n",
         "决策 d：金额 {\n    当 selected = 是 则 1元\n}\n",
         "decision d: bool = a = b\n", "require r: a = b\n", "要求 r：a = b\n"),
        "a comparison is written '==' (one '=' gives a value)",
        "write == to compare, e.g. when selected == true then …",
        "比较两个值是否相等要写“==”（一个“=”表示赋值）",
        "比较时请写“==”，例如：“当 selected == 是 则 …”",
    ),
    Mistake(
        "param_without_binding",
        ("param p: money 900 yuan\n", "param p: percent = 30%\n", "override param p: money 900 yuan\n",
         "参数 p：金额 900元\n", "覆盖 参数 p：百分比 = 30%\n"),
        "a param's value says how it binds the levels below: fixed, floor, ceiling or default",
        "write e.g. param cap: money ceiling 900 yuan (lower levels may lower it), fixed 900 yuan (they may not "
        "change it), floor … (they may raise it) or default … (they may replace it)",
        "参数的取值前要写明它对下级的约束：固定、下限、上限或默认",
        "例如：“参数 cap：金额 上限 900元”（下级只能降低），“固定 900元”（下级不得更改），"
        "“下限 …”（下级只能提高）或“默认 …”（下级可以另定）",
        by_line_only=True,
    ),
    Mistake(
        "missing_then",
        ("decision d: money {\n    when selected 1 yuan\n}\n", "决策 d：金额 {\n    当 selected 1元\n}\n"),
        "'then' goes between the condition and the value",
        "write when CONDITION then VALUE (or if CONDITION then VALUE else VALUE)",
        "条件和结果之间要写“则”",
        "写作：当 条件 则 结果（或：如果 条件 则 结果 否则 结果）",
    ),
    Mistake(
        "missing_arrow",
        ("table t: bool {\n    columns a\n    row true false\n}\n", "表格 t：是否 {\n    列 a\n    行 是 否\n}\n"),
        "'=>' goes between a row's cells and its result",
        "write row CELL, CELL => RESULT",
        "表格行的各格与结果之间要写“=>”",
        "写作：行 格, 格 => 结果",
    ),
)

BY_LABEL = {m.label: m for m in PARSER_STATE}

# The parser's states after a name are shared by every place a name may stand (LALR), so
# two of these are told by the line the error is on: a case without its 'then', a row
# without its '=>'. (label, the line up to the error -> whether it is this mistake)
BY_LINE = (
    ("missing_then", lambda line: re.match(r"\s*(when\s|当)", line) is not None
     and re.search(r"\sthen\s|则", line) is None),
    ("missing_arrow", lambda line: re.match(r"\s*(row\s|行\s)", line) is not None and "=>" not in line),
    # a param whose type is followed by its value (or '='), with no fixed/floor/ceiling/default
    ("param_without_binding", lambda line: re.match(
        r"\s*(?:(?:override|覆盖)\s*)?(?:param|参数)\s*\w+\s*[:：]\s*\w+\s*(?:=\s*)?[-+]?[0-9]", line) is not None),
)
LINE_LABELS = frozenset(label for label, _ in BY_LINE)


def examples() -> dict[str, list[str]]:
    """The examples the parser's state is matched against (not those told by their line alone)."""
    return {m.label: list(m.examples) for m in PARSER_STATE if not m.by_line_only}


# ---------------------------------------------------------------- mistakes read from the text

# A number written with a thousands separator: 7,000 or 7，000 (1,234.50), outside texts.
THOUSANDS = re.compile(r"(?<![\w.])[0-9]{1,3}(?:[,，][0-9]{3})+(?:\.[0-9]+)?(?![0-9])")


def thousands(written: str) -> tuple[str, str, str, str, str]:
    """(meant, message, hint, message_zh, hint_zh) for a number written with separators."""
    meant = re.sub("[,，]", "", written)
    return (meant,
            f"'{written}' is written with a thousands separator; numbers are written without one",
            f"write {meant}",
            f"“{written}”中用了千位分隔符；数字中不能有逗号",
            f"请写成 {meant}")


_MONTH_DAYS_ZH = "日必须是该月实际有的一天"


def impossible_date(text: str) -> tuple[str, str, str, str]:
    """(message, hint, message_zh, hint_zh) for a YYYY-MM-DD that is not a day of the calendar."""
    year, month, day = (int(part) for part in text.split("-"))
    if not 1 <= month <= 12:
        swapped = f"{year:04d}-{day:02d}-{month:02d}"
        fits = 1 <= day <= 12 and _real(swapped)
        return (f"{text} is not a date: there is no month {month:02d}",
                "months are 01 to 12; the date is written year-month-day"
                + (f": did you mean {swapped}?" if fits else ""),
                f"{text} 不是有效日期：没有 {month} 月",
                "月份只能是 01 到 12，日期按“年-月-日”的顺序书写" + (f"：是不是想写 {swapped}？" if fits else ""))
    last = _last_day(year, month)
    return (f"{text} is not a date: {year:04d}-{month:02d} has {last} days",
            f"the day is 01 to {last:02d} in that month",
            f"{text} 不是有效日期：{year} 年 {month} 月只有 {last} 天",
            f"该月的日只能是 01 到 {last:02d}")


def _real(text: str) -> bool:
    try:
        _dt.date.fromisoformat(text)
        return True
    except ValueError:
        return False


def _last_day(year: int, month: int) -> int:
    if month == 12:
        return 31
    try:
        return (_dt.date(year, month + 1, 1) - _dt.timedelta(days=1)).day
    except ValueError:  # year 0
        return 31


def glued_keyword(word: str, keywords) -> Optional[tuple[str, str]]:
    """(the keyword, 'before'/'after') when a name is a Chinese keyword written together with
    a name (当已中选, 已中选则): a keyword must stand apart from the names beside it."""
    if not any(ord(ch) > 0x2E80 for ch in word):
        return None
    best = None
    for kw in keywords:
        if kw == word or len(kw) >= len(word):
            continue
        if word.startswith(kw) and (best is None or len(kw) > len(best[0])):
            best = (kw, "after")
        elif word.endswith(kw) and (best is None or len(kw) > len(best[0])):
            best = (kw, "before")
    return best
