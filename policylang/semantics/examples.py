"""Running a policy's `example` blocks: one implementation for `check`, `test` and the pytest plugin.

An example gives inputs (`given`), an optional day (`as_of`, else the policy's effective
date) and expectations (`expect NAME = VALUE`, or `expect NAME needs BLANK`: the result
cannot be computed until the delegated blank BLANK is filled). `run_example` folds the
literals with the reference interpreter, asks an evaluator for each expected decision and
compares; what it returns is data (`Mismatch`), which each caller words its own way:

- `check` (checks/examples.py) evaluates with the reference interpreter and reports each
  mismatch as PL601 at the expectation's line;
- `test` and the pytest plugin (backends/runner.py) evaluate with the policy's compiled
  module, the code users embed, and print a pytest-like report.

An evaluator is a function (inputs, decision name, day) -> Outcome; `interpreter_evaluator`
and runner's module evaluator are the two there are.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any, Callable, Optional

import attrs

from ..syntax.ast import Span
from .evaluate import BlankNotFilled, EvaluationError, Interpreter, TraceStep
from .model import Duration, RExample, RListValue, ResolvedPolicy

EXAMPLE_FAILED = "PL601"


@attrs.frozen
class Outcome:
    """What an evaluator computed for one decision: a value, a blank it needs, or an error."""

    value: Any = None
    blank: Optional[str] = None  # the unfilled blank that stopped it
    error: Optional[str] = None  # the evaluation error's message (for a blank: why it is needed)
    trace: tuple[TraceStep, ...] = ()  # the rules that decided the value, when the evaluator records them

    @property
    def computed(self) -> bool:
        return self.blank is None and self.error is None


Evaluator = Callable[[dict, str, Optional[_dt.date]], Outcome]


# What went wrong with one expectation (or with the example's inputs: decision "").
INPUTS = "inputs"  # the given values (or the day) cannot be evaluated
EXPECTED = "expected"  # the expected value cannot be evaluated
VALUE = "value"  # computed, but not the value expected
NEEDS_GOT_VALUE = "needs_got_value"  # expected to need a blank, but computed
WRONG_BLANK = "wrong_blank"  # needs a blank, not the one (or not the value) expected
ERROR = "error"  # evaluation failed


@attrs.frozen
class Mismatch:
    kind: str  # INPUTS | EXPECTED | VALUE | NEEDS_GOT_VALUE | WRONG_BLANK | ERROR
    decision: str  # "" for INPUTS
    span: Span  # the expectation's, or the example's for INPUTS
    expected: Any = None  # the expected value (when not a `needs`)
    needs: Optional[str] = None  # the blank the expectation says is needed
    outcome: Optional[Outcome] = None  # what the evaluator computed
    problem: Optional[str] = None  # for INPUTS and EXPECTED: why they cannot be evaluated
    problem_type: Optional[str] = None  # the class of the exception that said so


@attrs.frozen
class ExampleResult:
    example: RExample
    index: int  # 0-based, in the policy's own examples
    as_of: Optional[_dt.date]
    mismatches: tuple[Mismatch, ...]
    checked: int  # expectations checked
    inputs: dict = attrs.field(factory=dict, eq=False)  # the given values, folded

    @property
    def passed(self) -> bool:
        return not self.mismatches


def same_value(expected: Any, actual: Any) -> bool:
    """Whether a computed value is the one expected: numbers by value (469 yuan is 469.00),
    durations by what they say, none only as none, booleans only as booleans."""
    if isinstance(expected, bool) or isinstance(actual, bool) or expected is None or actual is None:
        return expected is actual
    if isinstance(expected, Duration) or hasattr(actual, "unit"):
        return str(expected) == str(actual)
    if isinstance(expected, (int, Decimal)) and isinstance(actual, (int, Decimal)):
        return expected == actual
    return type(expected) is type(actual) and expected == actual


def _problem(exc: Exception) -> dict:
    return {"problem": exc.message if isinstance(exc, EvaluationError) else str(exc),
            "problem_type": type(exc).__name__}


def run_example(policy: ResolvedPolicy, index: int, evaluate: Evaluator,
                interpreter: Optional[Interpreter] = None) -> ExampleResult:
    """Run the example at `index` of the policy's own examples through `evaluate`.

    interpreter: the one that folds the example's literals (a fresh one by default)."""
    interpreter = interpreter or Interpreter(policy)
    example = policy.examples[index]
    try:
        as_of = interpreter.constant(example.as_of) if example.as_of is not None else policy.effective
        inputs = {name: given_value(interpreter, expr, as_of) for name, expr, _ in example.given}
    except Exception as exc:  # noqa: BLE001 - a literal that cannot be folded is the example's failure
        mismatch = Mismatch(INPUTS, "", example.origin.span, **_problem(exc))
        return ExampleResult(example, index, None, (mismatch,), 0)
    mismatches = []
    checked = 0
    for name, value_expr, needs, span in example.expect:
        if name not in policy.decisions:
            continue  # PL602, reported by the resolver
        checked += 1
        expected = None
        if needs is None:
            try:
                expected = interpreter.constant(value_expr, as_of) if value_expr is not None else None
            except Exception as exc:  # noqa: BLE001
                mismatches.append(Mismatch(EXPECTED, name, span, **_problem(exc)))
                continue
        got = evaluate(inputs, name, as_of)
        if got.blank is not None:
            if needs is not None and got.blank == needs:
                continue
            mismatches.append(Mismatch(WRONG_BLANK, name, span, expected, needs, got))
        elif got.error is not None:
            mismatches.append(Mismatch(ERROR, name, span, expected, needs, got))
        elif needs is not None:
            mismatches.append(Mismatch(NEEDS_GOT_VALUE, name, span, None, needs, got))
        elif not same_value(expected, got.value):
            mismatches.append(Mismatch(VALUE, name, span, expected, None, got))
    return ExampleResult(example, index, as_of, tuple(mismatches), checked, inputs)


def given_value(interpreter: Interpreter, value, as_of):
    """A given value folded: a list input's elements as the records a caller passes (field -> value)."""
    if isinstance(value, RListValue):
        return [{field: interpreter.constant(expr, as_of) for field, expr in element} for element in value.elements]
    return interpreter.constant(value, as_of)


def run_examples(policy: ResolvedPolicy, evaluate: Evaluator, only: Optional[int] = None,
                 interpreter: Optional[Interpreter] = None) -> list[ExampleResult]:
    """Every example of the policy (or only the one at index `only`), in order."""
    interpreter = interpreter or Interpreter(policy)
    indexes = range(len(policy.examples)) if only is None else [only]
    return [run_example(policy, i, evaluate, interpreter) for i in indexes]


def interpreter_evaluator(interpreter: Interpreter, explain: bool = False) -> Evaluator:
    """Evaluate with the reference interpreter (the semantics of the language). explain: record
    which rules decided each value (Outcome.trace)."""

    def evaluate(inputs: dict, name: str, as_of: Optional[_dt.date]) -> Outcome:
        try:
            result = interpreter.evaluate(inputs, as_of, [name], explain=explain)
        except BlankNotFilled as exc:
            return Outcome(blank=exc.blank, error=exc.message)
        except EvaluationError as exc:
            return Outcome(error=exc.message)
        return Outcome(result.values[name], trace=result.trace.get(name, ()))

    return evaluate
