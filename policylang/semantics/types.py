"""The type system: value types of the language (the operators' typing rules are in operators.py, the
functions' in builtins.py)."""

from __future__ import annotations

from typing import Optional

import attrs


@attrs.frozen(slots=True)
class Type:
    """A value type. kind is one of KINDS; enum types carry their enum's name."""

    kind: str
    enum: Optional[str] = None
    record: Optional[str] = None  # kind 'list': the record type of its elements

    def __str__(self) -> str:
        if self.kind == "list":
            return f"list of {self.record}"
        return self.enum if self.kind == "enum" else self.kind

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


KINDS = ("money", "percent", "decimal", "count", "bool", "date", "duration", "text", "enum", "list", "none",
         "unknown")
NUMERIC_KINDS = frozenset({"money", "percent", "decimal", "count"})
SCALAR_TYPE_NAMES = ("money", "percent", "decimal", "count", "bool", "date", "duration", "text")

MONEY = Type("money")
PERCENT = Type("percent")
DECIMAL = Type("decimal")
COUNT = Type("count")
BOOL = Type("bool")
DATE = Type("date")
DURATION = Type("duration")
TEXT = Type("text")
NONE = Type("none")
UNKNOWN = Type("unknown")  # after an error: suppresses follow-on errors

BY_NAME = {t.kind: t for t in (MONEY, PERCENT, DECIMAL, COUNT, BOOL, DATE, DURATION, TEXT)}

# Chinese names, used in messages to authors.
ZH = {
    "money": "金额", "percent": "百分比", "decimal": "数值", "count": "数量", "bool": "是/否",
    "date": "日期", "duration": "期限", "text": "文本", "none": "不适用", "unknown": "未知", "list": "列表",
}


def list_of(record: str) -> Type:
    """The type of a list input whose elements are records of type `record`."""
    return Type("list", record=record)


def describe(t: Type) -> str:
    if t.kind == "enum":
        return f"{t.enum} (enumeration)"
    if t.kind == "list":
        return f"list of {t.record} (列表)"
    return f"{t.kind} ({ZH.get(t.kind, t.kind)})"


def is_unknown(*types: Type) -> bool:
    return any(t.kind == "unknown" for t in types)


def assignable(target: Type, value: Type) -> bool:
    """Can a value of type `value` stand where `target` is declared?"""
    if is_unknown(target, value) or value.kind == "none":
        return True
    if target == value:
        return True
    if target.kind == "decimal" and value.kind == "count":
        return True
    return False


def comparable(a: Type, b: Type) -> bool:
    if is_unknown(a, b) or a.kind == "none" or b.kind == "none":
        return True
    if a == b:
        return True
    return {a.kind, b.kind} <= {"count", "decimal"}


def unify(a: Type, b: Type) -> Optional[Type]:
    """The common type of two branches (if/else, min/max, case values), or None."""
    if a.kind == "unknown" or b.kind == "unknown":
        return UNKNOWN
    if a.kind == "none":
        return b
    if b.kind == "none":
        return a
    if a == b:
        return a
    if {a.kind, b.kind} == {"count", "decimal"}:
        return DECIMAL
    return None


# Rounding units and modes accepted by round().
ROUND_UNITS = {"fen": "0.01", "jiao": "0.1", "yuan": "1", "unit": "1"}
ROUND_MODES = ("half_up", "half_even", "up", "down")

# Functions: name -> (min args, max args or None, a short signature for messages)

# Names every policy can read.
BUILTIN_NAMES = {
    "as_of": (DATE, "the evaluation date (评估日期)"),
    "effective_date": (DATE, "the effective date of the policy being evaluated (生效日期)"),
    "end_date": (DATE, "the end date of the policy being evaluated, none when open-ended (失效日期)"),
}
