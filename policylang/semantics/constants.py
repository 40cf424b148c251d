"""Folding constant expressions (schedule dates, deadlines) while a policy is being resolved.

The full interpreter needs a resolved policy; during resolution only the
policy's dates are known, which is all a schedule date or a deadline may read.
"""

from __future__ import annotations

import datetime as _dt
from typing import Optional

import attrs

from .evaluate import EvaluationError, Interpreter
from .model import RExpr


class ConstantError(Exception):
    """The expression reads something that is not known before evaluation."""


@attrs.frozen
class _DatesOnly:
    policy_id: str = "<constant>"
    effective: Optional[_dt.date] = None
    ends: Optional[_dt.date] = None
    params: dict = attrs.Factory(dict)
    decisions: dict = attrs.Factory(dict)
    inputs: dict = attrs.Factory(dict)
    externals: dict = attrs.Factory(dict)
    enums: dict = attrs.Factory(dict)
    workdays: object = None  # the working-day calendar (workdays.WorkCalendar); None: the built-in one


def fold(expr: RExpr, effective: Optional[_dt.date], ends: Optional[_dt.date] = None, workdays=None):
    interp = Interpreter(_DatesOnly(effective=effective, ends=ends, workdays=workdays))  # type: ignore[arg-type]
    try:
        return interp.expression_value(expr, {}, effective or _dt.date.today())
    except (EvaluationError, KeyError, TypeError, ValueError) as exc:
        raise ConstantError(str(exc)) from None
