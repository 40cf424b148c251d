"""The range a number in a query can take, worked out while the query is built.

The SQL generator sizes every DECIMAL it casts to from what it knows of the value: a validated
money input is at least 0 and below 10^16, a percent input between 0 and its limit, a constant is
itself. Following the ranges through the arithmetic (a percent of at most 100% times money keeps
the money's range; a difference of two amounts of money is between minus and plus the larger)
gives narrower types than counting digits does: most money decisions fit DuckDB's 64-bit decimals,
written and rounded at a fraction of the cost of the 128-bit ones. A range is always a superset
of the values that can occur; a value outside it would fail its CAST loudly, never round.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

import attrs


@attrs.frozen
class Range:
    """low <= value <= high, for every row."""

    low: Decimal
    high: Decimal

    @classmethod
    def of(cls, value) -> "Range":
        return cls(Decimal(value), Decimal(value))

    @property
    def magnitude(self) -> Decimal:
        return max(abs(self.low), abs(self.high))

    def __add__(self, other: "Range") -> "Range":
        return Range(self.low + other.low, self.high + other.high)

    def __sub__(self, other: "Range") -> "Range":
        return Range(self.low - other.high, self.high - other.low)

    def __mul__(self, other: "Range") -> "Range":
        corners = [self.low * other.low, self.low * other.high, self.high * other.low, self.high * other.high]
        return Range(min(corners), max(corners))

    def __neg__(self) -> "Range":
        return Range(-self.high, -self.low)

    def absolute(self) -> "Range":
        if self.low >= 0:
            return self
        if self.high <= 0:
            return -self
        return Range(Decimal(0), self.magnitude)

    def rounded(self, places: int) -> "Range":
        """The range of the values rounded to `places` decimals, in any rounding mode."""
        unit = Decimal(1).scaleb(-places)
        return Range(self.low.quantize(unit, rounding="ROUND_FLOOR"), self.high.quantize(unit, rounding="ROUND_CEILING"))


def union(*ranges: Optional[Range]) -> Optional[Range]:
    """The range of a value that is one of these (a CASE, min, max), None when one is unknown."""
    if not ranges or any(r is None for r in ranges):
        return None
    return Range(min(r.low for r in ranges), max(r.high for r in ranges))


def least(*ranges: Optional[Range]) -> Optional[Range]:
    """The range of the smallest of values in these ranges."""
    if not ranges or any(r is None for r in ranges):
        return None
    return Range(min(r.low for r in ranges), min(r.high for r in ranges))


def greatest(*ranges: Optional[Range]) -> Optional[Range]:
    """The range of the largest of values in these ranges."""
    if not ranges or any(r is None for r in ranges):
        return None
    return Range(max(r.low for r in ranges), max(r.high for r in ranges))


def combined(a: Optional[Range], b: Optional[Range], node: str) -> Optional[Range]:
    """The range of a <node> b for Add, Sub and Mul (None for anything else, or when one is unknown)."""
    if a is None or b is None:
        return None
    if node == "Add":
        return a + b
    if node == "Sub":
        return a - b
    if node == "Mul":
        return a * b
    return None


def rounded(r: Optional[Range], places: int) -> Optional[Range]:
    return None if r is None else r.rounded(places)
