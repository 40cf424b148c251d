"""Compile resolved policies into standalone Python evaluator modules.

One module per policy, covering its whole `extends` chain. The generated code
needs only the standard library (it never imports policylang) and agrees with
the reference interpreter (policylang/semantics/evaluate.py) on every input:
the runtime part is copied from backends/python/runtime.py, which mirrors the
interpreter's helpers, and each decision becomes a method computing exactly
what the interpreter computes, in the same order, reading inputs and blanks
only when the computation reaches them.

Safety: policy text (labels, notes, titles, enum members, names) never reaches
the generated code unescaped. Strings go through repr(); text in comments and
docstrings is escaped so that it cannot end the comment or the string; names
become Python identifiers only when they are safe ones (otherwise they are
mangled deterministically).
"""

from __future__ import annotations

import builtins
import datetime as _dt
import hashlib
import keyword
import os
import re
import textwrap
import types
import unicodedata
from decimal import Decimal
from typing import Iterable, Optional

from ..semantics.evaluate import NOT_FILLED, Interpreter, _next_level
from ..semantics.model import (
    Duration,
    RBinary,
    RCall,
    RDecision,
    RExpr,
    RIf,
    RIn,
    RLit,
    RParam,
    RRef,
    RUnary,
    ResolvedPolicy,
)
from ..semantics.types import Type

RUNTIME_PATH = os.path.join(os.path.dirname(__file__), "python", "runtime.py")
WIDTH = 100

# Names a policy item may not take as a Python name: keywords, builtins, and the
# public names every generated module defines.
MODULE_NAMES = frozenset({
    "POLICY_ID", "TITLE", "LEVEL", "EFFECTIVE", "ENDS", "CHAIN", "DOCUMENTS", "DECISIONS", "INPUTS",
    "BLANKS", "ENUMS", "Inputs", "Result", "TraceStep", "Duration", "EvaluationError", "InputError",
    "BlankNotFilled", "evaluate", "decide", "explain", "validate", "Validated", "trace", "as_dict", "calendar", "datetime",
    "decimal", "dataclass", "field", "Decimal", "Any", "Mapping", "Optional", "TypedDict", "Literal",
    "ROUND_CEILING", "ROUND_FLOOR", "ROUND_HALF_EVEN", "ROUND_HALF_UP", "annotations",
})
RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins)) | MODULE_NAMES
MAX_NAME = 80

PY_TYPES = {
    "money": "Decimal", "percent": "Decimal", "decimal": "Decimal", "count": "int", "bool": "bool",
    "date": "datetime.date", "duration": "Duration", "text": "str", "enum": "str",
}
COERCERS = {
    "money": "_coerce_money", "percent": "_coerce_percent", "decimal": "_coerce_decimal",
    "count": "_coerce_count", "bool": "_coerce_bool", "date": "_coerce_date", "duration": "_coerce_duration",
    "text": "_coerce_text", "enum": "_coerce_enum",
}
ROUNDING_NAMES = {"half_up": "ROUND_HALF_UP", "half_even": "ROUND_HALF_EVEN", "up": "ROUND_CEILING",
                  "down": "ROUND_FLOOR"}


class CodegenError(Exception):
    """A policy that cannot be compiled (it has errors, or uses something the generator cannot express)."""


# ---------------------------------------------------------------- escaping


def comment_text(text: object) -> str:
    """Text safe inside a # comment: every character that could end the line (or is not printable) escaped."""
    out = []
    for ch in str(text):
        if ch.isprintable() and ch != "\\":
            out.append(ch)
        elif ch == "\\":
            out.append("\\\\")
        else:
            out.append(_escape_char(ch))
    return "".join(out)


def doc_text(text: object) -> str:
    """Text safe inside a \"\"\" docstring (not raw): backslashes, quotes and non-printables escaped."""
    out = []
    for ch in str(text):
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(_escape_char(ch))
    return "".join(out)


def _escape_char(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def py_str(text: str) -> str:
    """A Python string literal for any text. repr() escapes quotes, backslashes and every non-printable
    character (newlines, U+2028, U+2029…), so the literal stays on one line."""
    return repr(str(text))


def _wrap_comment(prefix: str, text: str, indent: str, width: int = WIDTH) -> list[str]:
    body = comment_text(text)
    lead = f"{indent}# {prefix}"
    room = max(40, width - len(lead))
    pieces = textwrap.wrap(body, room, break_long_words=True, break_on_hyphens=False) or [""]
    lines = [f"{lead}{pieces[0]}".rstrip()]
    pad = f"{indent}#" + " " * (len(prefix) + 1)
    lines.extend(f"{pad}{p}".rstrip() for p in pieces[1:])
    return lines


# ---------------------------------------------------------------- names


def _is_safe_name(name: str) -> bool:
    return (name.isidentifier() and not name.startswith("_") and name not in RESERVED
            and unicodedata.normalize("NFKC", name) == name and len(name) <= MAX_NAME and name.isprintable())


def _mangled(name: str, attempt: int = 0) -> str:
    digest = hashlib.sha256(f"{attempt}:{name}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"n_{digest[:12]}"


def python_names(names: Iterable[str]) -> dict[str, str]:
    """A safe, distinct Python identifier for each policy name; the same names give the same result."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in sorted(set(names)):
        candidate = name if _is_safe_name(name) else _mangled(name)
        attempt = 0
        while candidate in used:
            attempt += 1
            candidate = _mangled(name, attempt)
        used.add(candidate)
        out[name] = candidate
    return out


def module_relpath(policy_id: str) -> str:
    """cn/gd/stent-2020 -> cn/gd/stent_2020.py (each part a Python identifier)."""
    parts = [module_part(p) for p in policy_id.split("/")]
    return "/".join(parts) + ".py"


def module_part(part: str) -> str:
    cleaned = "".join(ch if (ch.isascii() and (ch.isalnum() or ch == "_")) else "_" for ch in part)
    if not cleaned or cleaned[0].isdigit() or keyword.iskeyword(cleaned):
        cleaned = "p_" + cleaned
    return cleaned


def display_path(path: str, policy_id: str) -> str:
    """The policy file's path relative to the folder holding the tree root (policies/cn/x.policy),
    so that generated code is the same on every machine."""
    norm = path.replace(os.sep, "/")
    tail = policy_id + ".policy"
    if norm.endswith("/" + tail):
        root = norm[: -len(tail) - 1]
        return f"{root.rsplit('/', 1)[-1]}/{tail}" if "/" in root else f"{root}/{tail}"
    return os.path.basename(norm)


# ---------------------------------------------------------------- the generator


class _Gen:
    def __init__(self, policy: ResolvedPolicy):
        if policy.has_errors:
            raise CodegenError(f"{policy.policy_id} has errors; fix them before compiling")
        self.p = policy
        self.names = python_names(list(policy.inputs) + list(policy.params) + list(policy.decisions))
        self.alias_names = python_names(f"{a}.{n}" for a, n in policy.externals)
        self.consts: dict[str, tuple[str, str]] = {}  # name -> (code, comment)
        self.paths: dict[str, str] = {c.policy_id: display_path(c.path, c.policy_id) for c in policy.chain}
        self._nullable: dict[int, bool] = {}
        self._null_decisions: dict[str, bool] = {}
        self._null_params: dict[str, bool] = {}
        self._constant: dict[int, bool] = {}
        self.interpreter = Interpreter(policy)  # folds constant expressions in _decide_fast()
        # False: expressions read the lazy evaluator's state (v[...], self.p_x(), self.d_x());
        # True: they read the local variables of the one-pass _decide_fast().
        self.fast = False
        self.temps = 0  # temporaries named so far (_t1, _t2, ...)
        # code of the form (None if HEAD is None else BODY) where BODY is never none: {code: (HEAD, BODY)}
        self.guarded: dict[str, tuple[str, str]] = {}
        self.unfilled: dict[str, list[str]] = {}  # functions raising BlankNotFilled for unfilled values of `uses`

    # ------------------------------------------------------------ provenance
    def where(self, origin) -> str:
        return f"{self.path_of(origin)}:{origin.span.line}"

    def path_of(self, origin) -> str:
        return self.paths.get(origin.policy_id) or display_path(origin.path, origin.policy_id)

    def step_info(self, kind, name, detail, origin, line, article, label) -> list[str]:
        return ([
            py_str(kind), py_str(name), py_str(detail), py_str(origin.policy_id), py_str(origin.level),
            py_str(self.path_of(origin)), str(int(line)), _opt_str(article), _opt_str(label),
        ])

    # ------------------------------------------------------------ constants
    def const(self, value, text: str = "") -> str:
        if isinstance(value, bool) or value is None:
            return repr(value)
        if isinstance(value, int):
            return repr(value)
        if isinstance(value, str):
            return py_str(value)
        if isinstance(value, Decimal):
            name = "_D_" + _token(str(value))
            self.consts.setdefault(name, (f"Decimal({str(value)!r})", text))
            return name
        if isinstance(value, _dt.date):
            name = f"_DATE_{value.year:04d}_{value.month:02d}_{value.day:02d}"
            self.consts.setdefault(name, (f"datetime.date({value.year}, {value.month}, {value.day})", ""))
            return name
        if isinstance(value, Duration):
            name = f"_PERIOD_{_token(str(value.amount))}_{value.unit.upper()}"
            self.consts.setdefault(name, (f"Duration({int(value.amount)}, {py_str(value.unit)})", ""))
            return name
        raise CodegenError(f"cannot compile the constant {value!r}")

    # ------------------------------------------------------------ static facts about expressions
    def nullable(self, e: RExpr) -> bool:
        """Can this expression be none (not applicable) at run time?"""
        key = id(e)
        if key not in self._nullable:
            self._nullable[key] = self._compute_nullable(e)
        return self._nullable[key]

    def _compute_nullable(self, e: RExpr) -> bool:
        if isinstance(e, RLit):
            return e.value is None
        if isinstance(e, RRef):
            if e.kind == "input":
                inp = self.p.inputs.get(e.name)
                return inp is None or inp.optional
            if e.kind == "param":
                return self.param_nullable(e.name)
            if e.kind == "decision":
                return self.decision_nullable(e.name)
            if e.kind == "builtin":
                if e.name == "as_of":
                    return False
                return (self.p.effective if e.name == "effective_date" else self.p.ends) is None
            if e.kind == "external":
                return self.external_value(e) is None
            return True
        if isinstance(e, RBinary):
            if e.op in ("and", "or", "==", "!="):
                return False
            return self.nullable(e.left) or self.nullable(e.right)
        if isinstance(e, RUnary):
            return e.op != "not" and self.nullable(e.operand)
        if isinstance(e, RIf):
            return self.nullable(e.then) or self.nullable(e.otherwise)
        if isinstance(e, RIn):
            return False
        if isinstance(e, RCall):
            return any(self.nullable(a) for a in e.args)
        return True

    def is_constant(self, e: RExpr) -> bool:
        """Does e read only literals and fixed values (no input, decision, date of evaluation or
        schedule)? Then its value is the same in every evaluation."""
        key = id(e)
        if key not in self._constant:
            self._constant[key] = False  # a guard while computing (a cycle is not constant)
            self._constant[key] = all(self._constant_ref(ref) for ref in _refs(e))
        return self._constant[key]

    def _constant_ref(self, ref: RRef) -> bool:
        if ref.kind == "param":
            prm = self.p.params.get(ref.name)
            return prm is not None and prm.schedule is None and prm.value is not None and self.is_constant(prm.value)
        if ref.kind == "builtin":
            return ref.name != "as_of"
        if ref.kind == "external":
            return self.external_value(ref) is not NOT_FILLED
        return False

    def folded(self, e: RExpr):
        """The value of a constant expression, computed now by the reference interpreter (so exactly
        what every evaluation would compute); NOT_FILLED when it fails, to fail at run time instead."""
        try:
            value = self.interpreter.constant(e, self.p.effective)
        except Exception:
            return NOT_FILLED
        return value if isinstance(value, (bool, int, str, Decimal, _dt.date, Duration, type(None))) else NOT_FILLED

    def param_nullable(self, name: str) -> bool:
        if name not in self._null_params:
            self._null_params[name] = True  # a guard while computing
            p = self.p.params[name]
            values = [p.value] if p.value is not None else []
            if p.schedule is not None:
                values += [entry.value for entry in p.schedule.entries]
            self._null_params[name] = any(self.nullable(v) for v in values)
        return self._null_params[name]

    def decision_nullable(self, name: str) -> bool:
        if name not in self._null_decisions:
            self._null_decisions[name] = True
            d = self.p.decisions[name]
            if d.form == "expr":
                result = self.nullable(d.expr)
            elif d.form == "cases":
                result = d.otherwise is None or self.nullable(d.otherwise.value) \
                    or any(self.nullable(c.value) for c in d.cases)
            else:
                rows = d.table.rows
                result = not any(r.is_otherwise or all(c.kind == "any" for c in r.cells) for r in rows) \
                    or any(self.nullable(r.output) for r in rows)
            self._null_decisions[name] = result
        return self._null_decisions[name]

    def runtime_class(self, e: RExpr) -> str:
        """'D' when the value is always a Decimal, 'I' always an int, '?' either (or not a number)."""
        kind = e.type.kind
        if kind in ("money", "percent"):
            return "D"
        if kind == "count":
            return "I"
        if kind != "decimal":
            return "?"
        if isinstance(e, RLit):
            return "I" if isinstance(e.value, int) else "D"
        if isinstance(e, RRef):
            if e.kind in ("input", "decision"):
                return "D"  # inputs are coerced to Decimal; decisions leave through finish()
            if e.kind == "external":
                value = self.external_value(e)
                return "I" if isinstance(value, int) and not isinstance(value, bool) else \
                    "D" if isinstance(value, Decimal) else "?"
            if e.kind == "param":
                p = self.p.params[e.name]
                if p.value is None and p.schedule is None:
                    return "D"
                classes = {self.runtime_class(v) for v in ([p.value] if p.value is not None else [])
                           + [x.value for x in (p.schedule.entries if p.schedule else ())]}
                return classes.pop() if len(classes) == 1 else "?"
            return "?"
        if isinstance(e, RBinary):
            a, b = self.runtime_class(e.left), self.runtime_class(e.right)
            if e.op == "/":
                return "D"
            if "D" in (a, b):
                return "D"
            return "I" if a == b == "I" else "?"
        if isinstance(e, RUnary):
            return self.runtime_class(e.operand)
        if isinstance(e, RIf):
            a, b = self.runtime_class(e.then), self.runtime_class(e.otherwise)
            return a if a == b else "?"
        if isinstance(e, RCall):
            if e.func in ("min", "max"):
                classes = {self.runtime_class(a) for a in e.args}
                return classes.pop() if len(classes) == 1 else "?"
            if e.func == "abs":
                return self.runtime_class(e.args[0])
        return "?"

    # ------------------------------------------------------------ expressions
    def expr(self, e: RExpr) -> str:
        """Python code for e; compound expressions come back in parentheses."""
        if isinstance(e, RLit):
            return self.const(e.value, e.text)
        if self.fast and not isinstance(e, RRef) and self.is_constant(e):
            folded = self.folded(e)
            if folded is not NOT_FILLED:
                return self.const(folded)
        if isinstance(e, RRef):
            return self.ref(e)
        if isinstance(e, RBinary):
            return self.binary(e)
        if isinstance(e, RUnary):
            operand = self.expr(e.operand)
            if e.op == "not":
                return f"({operand} is not True)" if self.nullable(e.operand) else f"(not {operand})"
            if self.nullable(e.operand) or e.operand.type.kind == "duration":
                return f"_neg({operand})"
            cls = self.runtime_class(e.operand)
            if cls == "D":
                return f"_minus({operand})"  # in the exact context, like the interpreter
            if cls == "I":
                return f"(-{operand})"
            return f"_neg({operand})"
        if isinstance(e, RIf):
            return f"({self.expr(e.then)} if {self.cond(e.cond)} else {self.expr(e.otherwise)})"
        if isinstance(e, RIn):
            items = ", ".join(self.expr(i) for i in e.items) + ("," if len(e.items) == 1 else "")
            op = "not in" if e.negated else "in"
            return f"({self.expr(e.operand)} {op} ({items}))"
        if isinstance(e, RCall):
            return self.call(e)
        raise CodegenError(f"cannot compile the expression {e!r}")

    def cond(self, e: RExpr) -> str:
        """A condition: true only when the value is true (none counts as false)."""
        code = self.expr(e)
        return f"{code} is True" if self.nullable(e) else code

    def ref(self, e: RRef) -> str:
        values = "_v" if self.fast else "v"  # the validated inputs
        if e.kind == "input":
            inp = self.p.inputs.get(e.name)
            if inp is not None and not inp.optional:
                return f"{values}[{py_str(e.name)}]"
            return f"{values}.get({py_str(e.name)})"
        if self.fast and e.kind == "param" and self.is_blank(self.p.params[e.name]):
            return f"_v[{py_str(e.name)}]"  # a blank the caller supplies (KeyError when not: see _decide_fast)
        if self.fast and e.kind in ("param", "decision"):
            return self.names[e.name]  # a local variable of _decide_fast()
        if e.kind == "param":
            return f"self.p_{self.names[e.name]}()"
        if e.kind == "decision":
            return f"self.d_{self.names[e.name]}()"
        if e.kind == "builtin":
            if e.name == "as_of":
                return "_as_of" if self.fast else "self.as_of"
            value = self.p.effective if e.name == "effective_date" else self.p.ends
            return self.const(value)
        if e.kind == "external":
            return self.external(e)
        raise CodegenError(f"cannot compile the reference {e.name!r}")

    def binary(self, e: RBinary) -> str:
        op = e.op
        left, right = self.expr(e.left), self.expr(e.right)
        if op not in ("and", "or", "==", "!=") and self.nullable(e.left):
            # Operands are evaluated left to right and none stops the rest (as in the
            # interpreter): the right side runs only when the left has a value.
            name, head = self.held(left)
            body = self.binary_code(e, name, right, left_checked=True)
            code = f"(None if {head} is None else {body})"
            if not self.nullable(e.right):
                self.guarded[code] = (head, body)  # none only through the left operand
            return code
        return self.binary_code(e, left, right)

    def held(self, code: str) -> tuple[str, str]:
        """(a name for code's value, the code that evaluates it once and names it): code itself
        when it is a name, else an assignment expression to a new temporary."""
        if code.isidentifier():
            return code, code
        self.temps += 1
        name = f"_t{self.temps}"
        return name, f"({name} := {_top(code)})"

    def binary_code(self, e: RBinary, left: str, right: str, left_checked: bool = False) -> str:
        """left op right; left_checked: the left value is known not to be none here."""
        op = e.op
        left_nullable = self.nullable(e.left) and not left_checked
        if op in ("and", "or"):
            lc = f"{left} is True" if left_nullable else left
            rc = f"{right} is True" if self.nullable(e.right) else right
            return f"({lc} {op} {rc})"
        if op in ("==", "!="):
            return f"({left} {op} {right})"
        nullable = left_nullable or self.nullable(e.right)
        if op in ("<", "<=", ">", ">="):
            if nullable:
                helper = {"<": "_lt", "<=": "_le", ">": "_gt", ">=": "_ge"}[op]
                return f"{helper}({left}, {right})"
            return f"({left} {op} {right})"
        kinds = {e.left.type.kind, e.right.type.kind}
        if nullable or kinds & {"date", "duration"}:
            return f"_arith({op!r}, {left}, {right})"
        if op == "/":
            return f"_div({left}, {right})"
        classes = (self.runtime_class(e.left), self.runtime_class(e.right))
        if classes == ("I", "I"):
            return f"({left} {op} {right})"
        if "D" in classes:
            helper = {"+": "_add", "-": "_sub", "*": "_mul"}[op]
            return f"{helper}({left}, {right})"
        return f"_arith({op!r}, {left}, {right})"

    def call(self, e: RCall) -> str:
        f = e.func
        money = e.type.kind == "money"
        if f == "round":
            unit, mode = e.options
            return self.rounded(e.args[0], self.expr(e.args[0]), unit, mode, money)
        args = [self.expr(a) for a in e.args]
        nullable = any(self.nullable(a) for a in e.args)
        if f in ("ceil", "floor"):
            unit = "yuan" if money else "unit"
            mode = "up" if f == "ceil" else "down"
            return self.rounded(e.args[0], args[0], unit, mode, money)
        if f in ("min", "max"):
            if len(args) == 1:
                return args[0]
            if nullable:
                return self.optional_call(f, args)
            if len(args) == 2 and all(_is_plain_read(a) for a in args):
                # what min()/max() return (the first of equal values), without the call
                a, b = args
                return f"({a} if {a} {'<=' if f == 'min' else '>='} {b} else {b})"
            return f"{f}({', '.join(args)})"
        helper = {
            "abs": "_abs", "add_days": "_add_days", "add_months": "_add_months_n", "add_years": "_add_years",
            "end_of_month": "_end_of_month", "days_between": "_days_between", "year": "_year",
            "month": "_month", "day": "_day",
        }.get(f)
        if helper is None:
            raise CodegenError(f"cannot compile the function {f}")
        if helper == "_add_months_n":
            if nullable:
                return self.optional_call("_add_months_n", args)
            return f"_add_months({args[0]}, {self.whole(e.args[1], args[1])})"
        if nullable:
            return self.optional_call(helper, args)
        inner = e.args[0]
        if f == "end_of_month" and isinstance(inner, RCall) and inner.func in ("add_months", "add_years") \
                and not any(self.nullable(a) for a in inner.args):
            months = self.whole(inner.args[1], self.expr(inner.args[1]))
            if inner.func == "add_years":
                months = f"12 * {months}"
            return f"_month_end_after({self.expr(inner.args[0])}, {months})"
        if f == "days_between":
            return f"({args[1]} - {args[0]}).days"
        if f in ("year", "month", "day"):
            return f"{args[0]}.{f}"
        if f == "abs" and self.runtime_class(e.args[0]) == "I":
            return f"abs({args[0]})"
        return f"{helper}({', '.join(args)})"

    def rounded(self, arg: RExpr, x: str, unit: str, mode: str, money: bool) -> str:
        """The interpreter's round_value(): x quantized; money stays Decimal, other numbers become int."""
        if self.runtime_class(arg) != "D":
            return f"_round({x}, {unit!r}, {mode!r}, {money})"
        quantum = {"fen": "_FEN", "jiao": "_JIAO", "yuan": "_YUAN", "unit": "_YUAN"}[unit]

        def quantized(value: str) -> str:
            code = f"{value}.quantize({quantum}, {ROUNDING_NAMES[mode]}, _CTX)"
            return code if money else f"int({code})"

        if not self.nullable(arg):
            return quantized(x)
        if x in self.guarded:  # (None if h is None else body): round the body
            head, body = self.guarded[x]
            return f"(None if {head} is None else {quantized(body)})"
        name, head = self.held(x)
        return f"(None if {head} is None else {quantized(name)})"

    def whole(self, e: RExpr, code: str) -> str:
        """A count of months or years as int (as the interpreter's int(...))."""
        return code if self.runtime_class(e) == "I" else f"int({code})"

    @staticmethod
    def optional_call(function: str, args: list[str]) -> str:
        """function(*args) where an argument may be none: arguments are evaluated left to
        right and the first none is the result (later arguments are not evaluated)."""
        if len(args) == 1:
            return f"_opt({function}, {args[0]})"
        return f"_opt_lazy({function}, " + ", ".join(f"lambda: {a}" for a in args) + ")"

    # ------------------------------------------------------------ values read through `uses`
    def external_value(self, e: RRef):
        """The value of alias.name, folded in its own policy by the resolver (NOT_FILLED for a blank)."""
        return self.p.external_values.get((e.alias, e.name), NOT_FILLED)

    def external(self, e: RRef) -> str:
        value = self.external_value(e)
        if value is not NOT_FILLED:
            return self.const(value)
        # A blank of the other policy that no level filled: reading it is an error.
        safe = self.alias_names[f"{e.alias}.{e.name}"]
        if safe not in self.unfilled:
            other = self.p.externals[(e.alias, e.name)]
            by = other.delegated_by or other.origin
            level = other.to_level or _next_level(by.level)
            self.unfilled[safe] = [
                f"def _unfilled_{safe}():",
                f'    """{doc_text(e.alias)}.{doc_text(e.name)}: a blank of {doc_text(other.origin.policy_id)} '
                f'that no level filled."""',
                f"    raise BlankNotFilled({py_str(f'{e.alias}.{e.name}')}, {py_str(level)}, {py_str(by.policy_id)})",
            ]
        return f"_unfilled_{safe}()"

    # ------------------------------------------------------------ the module
    def module(self) -> str:
        p = self.p
        body: list[str] = []
        # Generate the parts that register constants first, then assemble in reading order.
        run_class = self.run_class()
        result_class = self.result_class()
        api = self.api()
        # No `from __future__ import annotations`: with real annotations the dataclasses work
        # even when the module is loaded by path without being registered in sys.modules.
        out = [self.docstring(), ""]
        out.append(_runtime_source().rstrip("\n"))
        out += ["", ""]
        out += self.policy_section()
        out += ["", ""]
        out += self.const_section()
        out += ["", ""]
        out += self.trace_section()
        out += ["", ""]
        out += run_class
        out += ["", ""]
        out += result_class
        out += ["", ""]
        out += api
        body = "\n".join(out).rstrip("\n") + "\n"
        del p
        return body

    def docstring(self) -> str:
        p = self.p
        lines = [f"Evaluator for {p.policy_id}: {p.title or ''}".rstrip(": ").rstrip()]
        lines.append("")
        lines.append(f"Level {p.level}" + (f", {p.region}" if p.region else "")
                     + (f", issued by {p.issuer}" if p.issuer else "") + ".")
        if p.document:
            lines.append(f"Document: {p.document}")
        dates = []
        if p.effective:
            dates.append(f"effective {p.effective.isoformat()}")
        if p.ends:
            dates.append(f"ends {p.ends.isoformat()}")
        if dates:
            lines.append("In force: " + ", ".join(dates) + ".")
        lines.append("")
        lines.append("Chain (national first); each level's source document:")
        for link in p.chain:
            lines.append(f"    {link.level:<10} {link.policy_id}  {link.document or '(no document number)'}")
            if link.title:
                lines.append(f"               {link.title}")
        if p.bindings:
            # Every `uses` in force here (inherited ones included), in the version bound in this region.
            lines.append("")
            lines.append("Reads values of: " + ", ".join(
                f"{b.bound} (as {alias}" + (f", the version of {b.declared} in force here)" if b.rebound else ")")
                for alias, b in sorted(p.bindings.items())))
        lines += [
            "",
            "Generated by policylang from " + display_path(p.path, p.policy_id)
            + "; do not edit, regenerate with `policylang compile`.",
            "Needs only the Python standard library.",
            "",
            "Use:",
            "    result = evaluate({'input_name': value, ...}, as_of=datetime.date(2021, 3, 1))",
            "    result.<decision>, result.as_dict(), result.explain()",
            "Each decision is also a function of its own: <decision>(inputs, as_of=...).",
            "To evaluate the same inputs more than once (other dates, other decisions), check them once:",
            "    values = validate({...}); evaluate(values, as_of=...)",
            "Money is Decimal (yuan, quantized to the fen), None means not applicable.",
        ]
        text = "\n".join(doc_text(line) if line else "" for line in lines)
        return f'"""{text}\n"""'

    def policy_section(self) -> list[str]:
        p = self.p
        out = ["# ---------------------------------------------------------------- the policy", ""]
        out.append(f"POLICY_ID = {py_str(p.policy_id)}")
        out.append(f"TITLE = {_opt_str(p.title)}")
        out.append(f"LEVEL = {py_str(p.level)}")
        out.append(f"EFFECTIVE = {_date_code(p.effective)}")
        out.append(f"ENDS = {_date_code(p.ends)}")
        out.append("# (policy id, level, file, document number), national first")
        out.append("CHAIN = (")
        for link in p.chain:
            out.append(f"    ({py_str(link.policy_id)}, {py_str(link.level)}, "
                       f"{py_str(display_path(link.path, link.policy_id))}, {_opt_str(link.document)}),")
        out.append(")")
        out.append("# every decision, in the order evaluate() computes them (dependencies first)")
        out.append("DECISIONS = (")
        for name in p.decision_order:
            out.append(f"    {py_str(name)},")
        out.append(")")
        accepted = self.accepted()
        out.append("# every input the caller may give, with its type; unfilled blanks are optional inputs")
        out.append("INPUTS = {")
        for name, (t, optional, blank) in accepted.items():
            out.append(f"    {py_str(name)}: {py_str(str(t))},")
        out.append("}")
        out.append("# blanks no level filled: the level expected to fill each")
        out.append("BLANKS = {")
        for blank in p.blanks:
            by = blank.delegated_by or blank.origin
            out.append(f"    {py_str(blank.name)}: {py_str(blank.to_level or _next_level(by.level))},")
        out.append("}")
        out.append("ENUMS = {" if p.enums else "ENUMS = {}")
        for name in sorted(p.enums):
            members = ", ".join(py_str(m) for m in p.enums[name].member_names)
            out.append(f"    {py_str(name)}: ({members}{',' if len(p.enums[name].member_names) == 1 else ''}),")
        if p.enums:
            out.append("}")
        out.append("")
        out.append("# declared inputs: (type, enum members), for the message when one is missing")
        out.append("_INPUT_TYPES = {")
        for name, inp in p.inputs.items():
            out.append(f"    {py_str(name)}: ({py_str(inp.type.kind)}, {self.members_code(inp.type)}),")
        out.append("}")
        out.append("# what the caller may give: name -> (validator, optional, enum members)")
        out.append("_INPUT_SPECS = {")
        for name, (t, optional, blank) in accepted.items():
            out.append(f"    {py_str(name)}: ({COERCERS.get(t.kind, '_coerce_text')}, {optional}, "
                       f"{self.members_code(t)}),")
        out.append("}")
        out.append("_ACCEPTED = frozenset(_INPUT_SPECS)")
        out.append("")
        out.append("Inputs = TypedDict(\"Inputs\", {")
        for name, (t, optional, blank) in accepted.items():
            out.append(f"    {py_str(name)}: {self.py_type(t)},")
        out.append("}, total=False)")
        out.append('Inputs.__doc__ = "The inputs of " + POLICY_ID + " (money as Decimal or a decimal string)."')
        return out

    def accepted(self) -> dict[str, tuple[Type, bool, bool]]:
        """The inputs the caller may give, in the interpreter's order: declared inputs, then blanks."""
        out = {name: (i.type, i.optional, False) for name, i in self.p.inputs.items()}
        for blank in self.p.blanks:
            out[blank.name] = (blank.type, False, True)
        return out

    def members_code(self, t: Type) -> str:
        if t.kind != "enum" or t.enum not in self.p.enums:
            return "()"
        members = self.p.enums[t.enum].member_names
        return "(" + ", ".join(py_str(m) for m in members) + ("," if len(members) == 1 else "") + ")"

    def py_type(self, t: Type) -> str:
        if t.kind == "enum" and t.enum in self.p.enums:
            members = self.p.enums[t.enum].member_names
            return "Literal[" + ", ".join(py_str(m) for m in members) + "]"
        return PY_TYPES.get(t.kind, "Any")

    def const_section(self) -> list[str]:
        out = ["# ---------------------------------------------------------------- constants of the policy", ""]
        for name in sorted(self.consts):
            code, text = self.consts[name]
            line = f"{name} = {code}"
            if text and text != code:
                line += f"  # {comment_text(text)}"
            out.append(line)
        for safe in sorted(self.unfilled):
            out += ["", ""] + self.unfilled[safe]
        return out

    # ------------------------------------------------------------ explanations
    def trace_section(self) -> list[str]:
        out = ["# ---------------------------------------------------------------- where each rule is written",
               "# (kind, name, detail, policy, level, file, line, article, label) of each rule and parameter", ""]
        for name in self.p.decision_order:
            out.append(f"_RULES_{self.names[name]} = (")
            for info in self.rule_infos(self.p.decisions[name]):
                out += _tuple_lines(info)
            out.append(")")
        for name, param in self.p.params.items():
            out.append(f"_PARAM_{self.names[name]} = (")
            for info in self.param_infos(param):
                out += _tuple_lines(info)
            out.append(")")
        return out

    def rule_infos(self, d: RDecision) -> list[str]:
        o = d.origin
        if d.form == "expr":
            return [self.step_info("rule", d.name, "formula", o, o.span.line, d.article, d.label)]
        infos = []
        if d.form == "cases":
            for index, case in enumerate(d.cases, 1):
                infos.append(self.step_info("rule", d.name, f"case {index}", o, case.span.line,
                                            case.meta.article or d.article, case.meta.label or d.label))
            if d.otherwise is not None:
                oc = d.otherwise
                infos.append(self.step_info("rule", d.name, "otherwise", o, oc.span.line,
                                            oc.meta.article or d.article, oc.meta.label or d.label))
            infos.append(self.step_info("no_rule", d.name, "no case applies", o, o.span.line, d.article, d.label))
            return infos
        for index, row in enumerate(d.table.rows, 1):
            detail = "otherwise row" if row.is_otherwise else f"row {index}"
            infos.append(self.step_info("rule", d.name, detail, o, row.span.line,
                                        row.meta.article or d.article, row.meta.label or d.label))
        infos.append(self.step_info("no_rule", d.name, "no row of the table covers this case", o, o.span.line,
                                    d.article, d.label))
        return infos

    def param_infos(self, p: RParam) -> list[str]:
        # index 0: the parameter's own value (or the caller's, for a blank); 1..n: schedule entries
        own = "supplied by the caller (a blank no level filled)" if p.value is None else p.statement
        infos = [self.step_info("param", p.name, own, p.origin, p.origin.span.line, p.article, p.label)]
        if p.schedule is not None:
            for entry in p.schedule.entries:
                infos.append(self.step_info("param", p.name, f"schedule from {entry.start.isoformat()}",
                                            p.schedule.origin, entry.span.line, p.article, p.label))
        return infos

    # ------------------------------------------------------------ the evaluation class
    def run_class(self) -> list[str]:
        p = self.p
        memo_params = [n for n, prm in p.params.items() if not self.is_constant_param(prm)]
        slots = [f"m_{self.names[n]}" for n in p.decision_order] + [f"mp_{self.names[n]}" for n in memo_params]
        out = [
            "# ---------------------------------------------------------------- the rules",
            "",
            "",
            "class _Run(_RunBase):",
            '    """One evaluation of ' + doc_text(p.policy_id) + ': each decision and parameter is a method,'
            ' computed',
            '    when first needed and remembered (m_* attributes)."""',
            "",
        ]
        if slots:
            out.append("    __slots__ = (")
            for s in slots:
                out.append(f"        {s!r},")
            out.append("    )")
        else:
            out.append("    __slots__ = ()")
        out += ["", "    def __init__(self, values, as_of, trace):", "        _RunBase.__init__(self, values, as_of, trace)"]
        for chunk in _chunks([f"self.{s}" for s in slots], 4):
            out.append("        " + " = ".join(chunk) + " = _UNSET")
        for name, param in p.params.items():
            out.append("")
            out += self.param_method(param)
        for name in p.decision_order:
            out.append("")
            out += self.decision_method(p.decisions[name])
        return out

    def is_constant_param(self, prm: RParam) -> bool:
        return prm.schedule is None and isinstance(prm.value, RLit)

    @staticmethod
    def is_blank(prm: RParam) -> bool:
        """A blank no level filled, with no schedule: its value is always the caller's input."""
        return prm.schedule is None and prm.value is None

    def param_method(self, prm: RParam) -> list[str]:
        self.temps = 0
        safe = self.names[prm.name]
        label = f"{prm.label} " if prm.label else ""
        head = [
            f"    def p_{safe}(self):",
            f'        """{doc_text(label)}({doc_text(prm.name)}, {doc_text(prm.type)}): {prm.statement}; '
            f'{doc_text(self.where(prm.origin))}{doc_text(_article_words(prm.article))}."""',
        ]
        if self.is_constant_param(prm):
            value = self.expr(prm.value)
            return head + [
                "        if self.trace is not None:",
                f"            self.param_step(_PARAM_{safe}[0], {value})",
                f"        return {value}",
            ]
        out = head + [
            f"        value = self.mp_{safe}",
            "        if value is not _UNSET:",
            "            return value",
        ]
        branches = []
        if prm.schedule is not None:
            entries = list(enumerate(prm.schedule.entries, 1))
            for index, entry in reversed(entries):
                branches.append((f"self.as_of >= {self.const(entry.start)}", index, entry.value, entry.meta.label))
        keyword_ = "if"
        for cond, index, value_expr, label_text in branches:
            out.append(f"        {keyword_} {cond}:")
            if label_text:
                out += _wrap_comment("", label_text, "            ")
            out.append(f"            value, step = {_top(self.expr(value_expr))}, {index}")
            keyword_ = "elif"
        indent = "            " if branches else "        "
        if branches:
            out.append("        else:")
        if prm.value is not None:
            out.append(f"{indent}value, step = {_top(self.expr(prm.value))}, 0")
        else:
            by = prm.delegated_by or prm.origin
            level = prm.to_level or _next_level(by.level)
            out += [
                f"{indent}# a blank: {comment_text(by.policy_id)} left it for the {level} level",
                f"{indent}value = self.v.get({py_str(prm.name)}, _UNSET)",
                f"{indent}if value is _UNSET:",
                f"{indent}    raise BlankNotFilled({py_str(prm.name)}, {py_str(level)}, {py_str(by.policy_id)})",
                f"{indent}step = 0",
            ]
        out += [
            "        if self.trace is not None:",
            f"            self.param_step(_PARAM_{safe}[step], value)",
            f"        self.mp_{safe} = value",
            "        return value",
        ]
        return out

    def decision_method(self, d: RDecision) -> list[str]:
        self.temps = 0
        safe = self.names[d.name]
        o = d.origin
        label = f"{d.label} " if d.label else ""
        out = [
            f"    def d_{safe}(self):",
            f'        """{doc_text(label)}({doc_text(d.name)}, {doc_text(d.type)}); '
            f'{doc_text(o.level)} {doc_text(o.policy_id)}, {doc_text(self.where(o))}'
            f'{doc_text(_article_words(d.article))}."""',
            f"        value = self.m_{safe}",
            "        if value is not _UNSET:",
            "            return value",
            "        v = self.v",
            f"        outer, self.current = self.current, {py_str(d.name)}",
            "        try:",
        ]
        ind = "            "
        if d.note:
            out += _wrap_comment("", d.note, ind)
        out += self.decision_body(d, ind, "value", True)
        out += [
            "        except Exception as exc:",
            f"            raise self.failure(exc, {py_str(d.name)})",
            "        finally:",
            "            self.current = outer",
            "        if self.trace is not None:",
            f"            self.rule_step(_RULES_{safe}[rule], value)",
            f"        self.m_{safe} = value",
            "        return value",
        ]
        return out

    def decision_body(self, d: RDecision, ind: str, target: str, rules: bool) -> list[str]:
        """Statements setting `target` to the decision's value; with rules, `rule` to the index of
        the rule that decided (for explanations)."""
        if d.form == "expr":
            out = self.assign(ind, target, self.expr(d.expr), 0 if rules else None)
        elif d.form == "cases":
            out = self.cases_body(d, ind, target, rules)
        else:
            out = self.table_body(d, ind, target, rules)
        finish = self.finish(d, target)
        if finish:
            out.append(f"{ind}{finish}")
        return out

    @staticmethod
    def assign(ind: str, target: str, code: str, rule: Optional[int]) -> list[str]:
        out = [f"{ind}{target} = {_top(code)}"]
        if rule is not None:
            out.append(f"{ind}rule = {rule}")
        return out

    def finish(self, d: RDecision, target: str) -> str:
        """The interpreter's finish(): money at the fen (half up), counts as int, decimals as Decimal.
        Nothing when every value the decision can take is already so (an input, a decision,
        round(…, fen)): quantizing them again would change nothing."""
        kind = d.type.kind
        values = [v for v in self.decision_values(d) if not (isinstance(v, RLit) and v.value is None)]
        if kind == "money":
            if all(self.at_fen(v) for v in values):
                return ""
            if self.decision_nullable(d.name):
                return f"{target} = _to_money({target})"
            return f"{target} = {target}.quantize(_FEN, ROUND_HALF_UP, _CTX)"
        if kind == "count":
            return "" if all(self.runtime_class(v) == "I" for v in values) else f"{target} = _to_count({target})"
        if kind in ("decimal", "percent"):
            return "" if all(self.runtime_class(v) == "D" for v in values) else f"{target} = _to_decimal({target})"
        return ""

    def decision_values(self, d: RDecision) -> list[RExpr]:
        if d.form == "expr":
            return [d.expr]
        if d.form == "cases":
            return [c.value for c in d.cases] + ([d.otherwise.value] if d.otherwise is not None else [])
        return [row.output for row in d.table.rows]

    def at_fen(self, e: RExpr) -> bool:
        """Is this money value always a Decimal quantized to the fen (or none)?"""
        if e.type.kind != "money":
            return False
        if isinstance(e, RLit):
            return e.value is None or (isinstance(e.value, Decimal) and e.value.as_tuple().exponent == -2)
        if isinstance(e, RRef):
            if e.kind in ("input", "decision"):
                return True  # inputs are validated to the fen; decisions leave through finish()
            if e.kind == "param":
                prm = self.p.params[e.name]
                return prm.value is None and prm.schedule is None  # a blank: the caller's validated input
            if e.kind == "external":
                value = self.external_value(e)
                return isinstance(value, Decimal) and value.as_tuple().exponent == -2
            return False
        if isinstance(e, RCall):
            if e.func == "round":
                return e.options[0] == "fen"
            if e.func in ("min", "max"):
                return all(self.at_fen(a) for a in e.args)
            return False
        if isinstance(e, RIf):
            return self.at_fen(e.then) and self.at_fen(e.otherwise)
        return False

    def cases_body(self, d: RDecision, ind: str, target: str, rules: bool) -> list[str]:
        out = []
        for index, case in enumerate(d.cases):
            kw = "if" if index == 0 else "elif"
            out.append(f"{ind}{kw} {_top(self.cond(case.cond))}:")
            out += self.case_comment(f"case {index + 1}", case, d, ind + "    ")
            out += self.assign(ind + "    ", target, self.expr(case.value), index if rules else None)
        last = len(d.cases)
        if d.otherwise is not None:
            body = [*self.case_comment("otherwise", d.otherwise, d, ind + "    "),
                    *self.assign(ind + "    ", target, self.expr(d.otherwise.value), last if rules else None)]
        else:
            body = [f"{ind}    # no case applies: not applicable",
                    f"{ind}    value, rule = None, {last}" if rules else f"{ind}    {target} = None"]
        if d.cases:
            out.append(f"{ind}else:")
            out += body
        else:
            out += [line[4:] for line in body]
        return out

    def case_comment(self, what: str, case, d: RDecision, ind: str) -> list[str]:
        where = f"{what}, {self.path_of(d.origin)}:{case.span.line}"
        article = case.meta.article
        text = where + (f", article {article}" if article else "")
        if case.meta.label:
            text += f": {case.meta.label}"
        return _wrap_comment("", text, ind)

    def table_body(self, d: RDecision, ind: str, target: str, rules: bool) -> list[str]:
        table = d.table
        out = [f"{ind}# a decision table: every column is read first, then the first matching row applies"]
        columns = []
        for col in table.columns:
            # (in _decide_fast, item names are locals: its own locals start with '_')
            local = f"{'_' if self.fast else ''}c_{self.names.get(col.name, 'col')}"
            if col.name not in self.names:
                raise CodegenError(f"the column {col.name!r} is not an input, parameter or decision")
            columns.append((local, col))
        if columns:
            targets = ", ".join(local for local, _ in columns)
            values = ", ".join(self.expr(col) for _, col in columns)
            if len(columns) == 1:
                out.append(f"{ind}{targets} = {_top(values)}")
            else:
                out.append(f"{ind}{targets} = {values}")
        first = True
        terminal = False
        for index, row in enumerate(table.rows):
            tests = []
            if not row.is_otherwise:
                for cell, (local, col) in zip(row.cells, columns):
                    test = self.cell(cell, local, col)
                    if test is not None:
                        tests.append(test)
            header = f"row {index + 1}" if not row.is_otherwise else "otherwise row"
            comment = self.case_comment(header, row, d, ind + "    ")
            assign = self.assign(ind + "    ", target, self.expr(row.output), index if rules else None)
            if row.is_otherwise or not tests:
                if first:
                    out += [line[4:] for line in comment + assign]
                else:
                    out += [f"{ind}else:", *comment, *assign]
                terminal = True
                break
            condition = " and ".join(tests)
            out.append(f"{ind}{'if' if first else 'elif'} {condition}:")
            out += comment + assign
            first = False
        if not terminal:
            gap = [f"{ind}    # no row covers this case: not applicable",
                   f"{ind}    value, rule = None, {len(table.rows)}" if rules else f"{ind}    {target} = None"]
            if first:
                out += [line[4:] for line in gap]
            else:
                out += [f"{ind}else:", *gap]
        return out

    def cell(self, cell, local: str, col: RRef) -> Optional[str]:
        if cell.kind == "any":
            return None
        if cell.kind == "eq":
            return f"{local} == {self.expr(cell.values[0])}"
        if cell.kind == "cmp":
            value = cell.values[0]
            if self.nullable(col) or self.nullable(value):
                helper = {"<": "_lt", "<=": "_le", ">": "_gt", ">=": "_ge", "==": None, "!=": None}[cell.op]
                if helper is None:
                    return f"({local} {cell.op} {self.expr(value)})"
                return f"{helper}({local}, {self.expr(value)}) is True"
            return f"{local} {cell.op} {self.expr(value)}"
        items = ", ".join(self.expr(v) for v in cell.values) + ("," if len(cell.values) == 1 else "")
        op = "in" if cell.kind == "in" else "not in"
        return f"{local} {op} ({items})"

    # ------------------------------------------------------------ the one-pass evaluation
    def validate_function(self) -> list[str]:
        """_validate_fast(): the caller's inputs validated, one straight-line check per input."""
        out = [
            "def _validate_fast(_inputs):",
            '    """The inputs validated, as _read_inputs() validates them, for the usual case: a dict of',
            "    known names. Anything else raises, and evaluate() validates with _read_inputs(), which",
            "    reports the first bad input in the caller's order as the reference interpreter does.\"\"\"",
            "    if not _ACCEPTED.issuperset(_inputs):",
            "        raise _Unusual()  # an unknown input",
            "    _v = {}",
        ]
        for name, (t, optional, blank) in self.accepted().items():
            coerce = COERCERS.get(t.kind, "_coerce_text")
            members = self.members_code(t)
            extra = f", {members}" if members != "()" else ""
            key = py_str(name)
            test = f"_inputs.get({key}) is not None" if optional else f"{key} in _inputs"
            out += [f"    if {test}:", f"        _v[{key}] = {coerce}({key}, _inputs[{key}]{extra})"]
        out.append("    return _v")
        return out

    def fast_function(self) -> list[str]:
        """_decide_fast(): every decision in one function, in dependency order, with local variables.

        It computes exactly what the lazy evaluator computes when nothing goes wrong; whenever
        anything does (an input missing where it is read, a blank not supplied, an arithmetic
        failure) it raises, and evaluate() runs the lazy evaluator, which reports the error
        exactly as the interpreter does. So the fast path never needs to know which error comes
        first."""
        p = self.p
        self.fast = True
        self.temps = 0
        try:
            out = [
                "def _decide_fast(_v, _as_of):",
                '    """Every decision in one pass from validated inputs _v, for the usual case: whatever the',
                "    rules read is there. An input or blank read but not given raises KeyError; any exception",
                "    makes evaluate() run the lazy evaluator (_Run), which finds the same values or reports",
                '    the error as the reference interpreter does."""',
            ]
            params = self.param_order()
            if params:
                out += [f"    # the parameters the decisions read, at {'_as_of' if self.any_schedule(params) else 'any date'}"]
            for prm in params:
                out += self.fast_param(prm)
            for name in p.decision_order:
                d = p.decisions[name]
                o = d.origin
                out += ["", *_wrap_comment("", f"{name}" + (f" ({d.label})" if d.label else "")
                                           + f": {o.level} {o.policy_id}, {self.where(o)}"
                                           + _article_words(d.article), "    ")]
                if d.form == "expr" and not isinstance(d.expr, (RLit, RRef)) and self.is_constant(d.expr):
                    out.append("    # (its formula reads only fixed values: computed once, when this module was generated)")
                out += self.decision_body(d, "    ", self.names[name], False)
            out += ["", "    # the result, built as Result() would build it, without its per-field frozen setattr",
                    "    _result = _new_object(Result)", "    _fields = _result.__dict__"]
            for name in p.decision_order:
                out.append(f"    _fields[{py_str(self.names[name])}] = {self.names[name]}")
            out += ["    _fields['_case'] = (_v, _as_of, None)", "    return _result"]
            return out
        finally:
            self.fast = False

    def param_order(self) -> list[RParam]:
        """The parameters the decisions read (directly or through other parameters), each after the
        parameters its value reads."""
        order: list[RParam] = []
        state: dict[str, str] = {}

        def visit(name: str) -> None:
            if state.get(name) is not None:
                return  # done, or a cycle the resolver reports
            state[name] = "visiting"
            prm = self.p.params[name]
            exprs = [prm.value] + [entry.value for entry in (prm.schedule.entries if prm.schedule else ())]
            for expr in exprs:
                for ref in _refs(expr):
                    if ref.kind == "param" and ref.name in self.p.params:
                        visit(ref.name)
            state[name] = "done"
            order.append(prm)

        for name in self.p.decision_order:
            for expr in self.decision_exprs(self.p.decisions[name]):
                for ref in _refs(expr):
                    if ref.kind == "param" and ref.name in self.p.params:
                        visit(ref.name)
        return order

    def any_schedule(self, params: list[RParam]) -> bool:
        return any(prm.schedule is not None for prm in params)

    def decision_exprs(self, d: RDecision) -> list[RExpr]:
        """Every expression of a decision: conditions, values, table columns and cells."""
        if d.form == "expr":
            return [d.expr]
        if d.form == "cases":
            out = []
            for case in d.cases:
                out += [case.cond, case.value]
            if d.otherwise is not None:
                out.append(d.otherwise.value)
            return out
        out = list(d.table.columns)
        for row in d.table.rows:
            out.append(row.output)
            if not row.is_otherwise:
                for cell in row.cells:
                    out += list(cell.values or ())
        return out

    def fast_param(self, prm: RParam) -> list[str]:
        local = self.names[prm.name]
        head = _wrap_comment("", f"{prm.name}" + (f" ({prm.label})" if prm.label else "")
                             + f": {prm.statement}, {self.where(prm.origin)}" + _article_words(prm.article), "    ")
        out = list(head)
        keyword_ = "if"
        entries = list(prm.schedule.entries) if prm.schedule is not None else []
        for entry in reversed(entries):
            out.append(f"    {keyword_} _as_of >= {self.const(entry.start)}:")
            out.append(f"        {local} = {_top(self.expr(entry.value))}")
            keyword_ = "elif"
        indent = "        " if entries else "    "
        if prm.value is not None:
            if entries:
                out.append("    else:")
            out.append(f"{indent}{local} = {_top(self.expr(prm.value))}")
        else:
            by = prm.delegated_by or prm.origin
            blank = (f"a blank {comment_text(by.policy_id)} left for the "
                     f"{prm.to_level or _next_level(by.level)} level: the caller's input")
            if entries:
                out += ["    else:", f"        {local} = _v[{py_str(prm.name)}]  # before the schedule, {blank}"]
            else:
                out.append(f"    # {blank}, read where it is used")
        return out

    # ------------------------------------------------------------ results and the public functions
    def result_class(self) -> list[str]:
        p = self.p
        out = [
            "# ---------------------------------------------------------------- results",
            "",
            "",
            "@dataclass(frozen=True)",
            "class Result:",
            '    """The decisions of ' + doc_text(p.policy_id) + " for one case (None: not applicable).",
            "",
            "    explain() says which rule decided each value and where the policy says it;",
            '    trace gives the same as data."""',
            "",
        ]
        for name in p.decision_order:
            d = p.decisions[name]
            label = f"  # {comment_text(d.label)}" if d.label else ""
            out.append(f"    {self.names[name]}: Optional[{self.py_type(d.type)}]{label}")
        out += [
            "    _case: Any = field(default=None, repr=False, compare=False)",
            "",
            "    def as_dict(self) -> dict:",
            '        """{decision name as written in the policy: value}."""',
            "        return {",
        ]
        for name in p.decision_order:
            out.append(f"            {py_str(name)}: self.{self.names[name]},")
        out += [
            "        }",
            "",
            "    @property",
            "    def trace(self) -> dict:",
            '        """{decision: (TraceStep, ...)}: the rules and parameters that decided each value."""',
            "        values, as_of, trace = self._case",
            "        if trace is None:  # computed without explanations: explain now, from the same inputs",
            "            trace = _evaluate(values, as_of, True)[1]",
            "        return trace",
            "",
            "    def explain(self) -> str:",
            '        """A readable account: each decision, its value, and the rules that decided it."""',
            "        lines = []",
            "        for name, value in self.as_dict().items():",
            "            lines.append(f\"{name} = {_show(value)}\")",
            "            for step in self.trace.get(name, ()):",
            "                lines.append(f\"    {step}\")",
            "        return \"\\n\".join(lines)",
        ]
        return out

    def api(self) -> list[str]:
        p = self.p
        out = [
            "# ---------------------------------------------------------------- the functions to call",
            "",
            "",
            "def _show(value) -> str:",
            "    if value is None:",
            "        return \"none (not applicable)\"",
            "    if isinstance(value, bool):",
            "        return \"true\" if value else \"false\"",
            "    return str(value)",
            "",
            "",
            "def _start(inputs, as_of, trace):",
            "    return _Run(_validated(inputs), as_of or datetime.date.today(), trace)",
            "",
            "",
            "def _evaluate(values, as_of, explain):",
            "    run = _Run(values, as_of, {} if explain else None)",
            "    result = Result(",
        ]
        for name in p.decision_order:
            out.append(f"        run.d_{self.names[name]}(),")
        out += [
            "    )",
            "    trace = None",
            "    if explain:",
            "        trace = {name: tuple(run.trace.get(name, ())) for name in DECISIONS}",
            "    return result, trace",
            "",
            "",
        ]
        out += self.validate_function()
        out += ["", ""]
        out += self.fast_function()
        out += [
            "",
            "",
            "def _validated(inputs):",
            "    if inputs.__class__ is Validated:",
            "        return inputs",
            "    if inputs.__class__ is dict:",
            "        try:",
            "            return _validate_fast(inputs)",
            "        except Exception:",
            "            pass  # not the usual case: _read_inputs() finds the first bad input and says what is wrong",
            "    return _read_inputs(inputs, _INPUT_SPECS, POLICY_ID)",
            "",
            "",
            "def validate(inputs: Mapping[str, Any]) -> Validated:",
            '    """The inputs checked and converted (money and percents as Decimal, dates as datetime.date),',
            "    for evaluating them more than once: evaluate(validate(inputs), as_of=...) does not check",
            '    them again. Raises InputError as evaluate() would."""',
            "    values = _validated(inputs)",
            "    return values if values.__class__ is Validated else Validated(values)",
            "",
            "",
            "def evaluate(inputs: Mapping[str, Any], *, as_of: Optional[datetime.date] = None,",
            "             explain: bool = False) -> Result:",
            '    """Every decision for one case. Raises InputError for a bad or missing input and',
            "    BlankNotFilled when a decision needs a blank that no level filled and inputs do not give.",
            "    inputs: a mapping of input names to values, or what validate() returned for them.",
            '    as_of: the evaluation date (default: today)."""',
            "    as_of = as_of or datetime.date.today()",
            "    values = inputs if inputs.__class__ is Validated else _validated(inputs)",
            "    if not explain:",
            "        try:",
            "            return _decide_fast(values, as_of)",
            "        except Exception:",
            "            pass  # not the usual case: the lazy evaluator below finds what is wrong and says it",
            "    result, trace = _evaluate(values, as_of, explain)",
            "    object.__setattr__(result, \"_case\", (values, as_of, trace))",
            "    return result",
            "",
            "",
            "def decide(inputs: Mapping[str, Any], decisions, *, as_of: Optional[datetime.date] = None,",
            "           explain: bool = False) -> tuple:",
            '    """Only the named decisions (and what they need): ({name: value}, {name: trace steps})."""',
            "    run = _start(inputs, as_of, {} if explain else None)",
            "    values = {}",
            "    for name in decisions:",
            "        method = _DECISION_METHODS.get(name)",
            "        if method is None:",
            "            import difflib",
            "",
            "            close = difflib.get_close_matches(name, list(DECISIONS), n=1)",
            "            raise EvaluationError(f\"'{name}' is not a decision of {POLICY_ID}\"",
            "                                  + (f\"; did you mean '{close[0]}'?\" if close else \"\"), field=name)",
            "        values[name] = method(run)",
            "    trace = {name: tuple(run.trace.get(name, ())) for name in values} if explain else {}",
            "    return values, trace",
            "",
            "",
            "def decide_each(inputs: Mapping[str, Any], decisions=None, *, as_of: Optional[datetime.date] = None,",
            "                explain: bool = False) -> tuple:",
            '    """Each decision on its own: ({name: value}, {name: EvaluationError}, {name: trace steps}).',
            "    A decision that fails (a blank not supplied, a missing input) does not stop the others;",
            '    invalid inputs still raise InputError at once."""',
            "    run = _start(inputs, as_of, {} if explain else None)",
            "    values, errors = {}, {}",
            "    for name in (DECISIONS if decisions is None else decisions):",
            "        method = _DECISION_METHODS.get(name)",
            "        if method is None:",
            "            raise EvaluationError(f\"'{name}' is not a decision of {POLICY_ID}\", field=name)",
            "        try:",
            "            values[name] = method(run)",
            "        except EvaluationError as exc:",
            "            errors[name] = exc",
            "    trace = {name: tuple(run.trace.get(name, ())) for name in values} if explain else {}",
            "    return values, errors, trace",
            "",
            "",
            "_DECISION_METHODS = {",
        ]
        for name in p.decision_order:
            out.append(f"    {py_str(name)}: _Run.d_{self.names[name]},")
        out.append("}")
        for name in p.decision_order:
            d = p.decisions[name]
            safe = self.names[name]
            out += [
                "",
                "",
                f"def {safe}(inputs: Mapping[str, Any], *, as_of: Optional[datetime.date] = None)"
                f" -> Optional[{self.py_type(d.type)}]:",
                f'    """{doc_text(d.label or d.name)} ({doc_text(d.name)}); {doc_text(self.where(d.origin))}'
                f'{doc_text(_article_words(d.article))}."""',
                f"    return _start(inputs, as_of, None).d_{safe}()",
            ]
        return out


# ---------------------------------------------------------------- helpers


def _token(text: str) -> str:
    table = {".": "_", "-": "m", "+": "p", "E": "e"}
    return "".join(table.get(ch, ch) if not ch.isalnum() or ch == "E" else ch for ch in text)


def _tuple_lines(items: list[str], indent: str = "    ") -> list[str]:
    """One tuple element of a table: on one line when it fits, else one item per line."""
    one = f"{indent}({', '.join(items)}),"
    if len(one) <= WIDTH:
        return [one]
    return [f"{indent}("] + [f"{indent}    {item}," for item in items] + [f"{indent}),"]


def _opt_str(text: Optional[str]) -> str:
    return "None" if text is None else py_str(text)


def _date_code(d: Optional[_dt.date]) -> str:
    return "None" if d is None else f"datetime.date({d.year}, {d.month}, {d.day})"


def _article_words(article: Optional[str]) -> str:
    return f", article {article}" if article else ""


def _top(code: str) -> str:
    """Drop the outer parentheses of a compound expression used as a whole statement's value."""
    if code.startswith("(") and code.endswith(")") and _balanced_inside(code):
        return code[1:-1]
    return code


def _balanced_inside(code: str) -> bool:
    """True when code's first '(' closes at its last character (string literals skipped)."""
    depth = 0
    quote = None
    escaped = False
    for index, ch in enumerate(code):
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = None
            continue
        if ch in ("'", '"'):
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0 and index != len(code) - 1:
                return False
    return depth == 0


def _refs(expr: RExpr):
    from ..semantics.model import references

    return references(expr)


_PLAIN_READ = re.compile(r"""_?v\[(?:'[^'\\]*'|"[^"\\]*")\]""")


def _is_plain_read(code: str) -> bool:
    """A name or a read of one validated input: cheap to evaluate twice, and always the same value."""
    return code.isidentifier() or _PLAIN_READ.fullmatch(code) is not None


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


_RUNTIME_CACHE: dict[str, str] = {}


def _runtime_source() -> str:
    if "text" not in _RUNTIME_CACHE:
        with open(RUNTIME_PATH, encoding="utf-8") as fh:
            _RUNTIME_CACHE["text"] = fh.read()
    return _RUNTIME_CACHE["text"]


# ---------------------------------------------------------------- entry points


def generate_module(policy: ResolvedPolicy) -> str:
    """The Python source of the evaluator module for one policy (deterministic: same policy, same bytes)."""
    return _Gen(policy).module()


def compile_module(policy: ResolvedPolicy, name: Optional[str] = None) -> types.ModuleType:
    """Generate the module and load it in memory (for `policylang eval` and `test`)."""
    source = generate_module(policy)
    module_name = name or "policylang_generated." + module_relpath(policy.policy_id)[:-3].replace("/", ".")
    module = types.ModuleType(module_name)
    module.__file__ = f"<policylang:{policy.policy_id}>"
    code = compile(source, module.__file__, "exec")
    import linecache
    import sys

    # Tracebacks through the generated code show its lines.
    linecache.cache[module.__file__] = (len(source), None, source.splitlines(True), module.__file__)

    # dataclasses look the module up in sys.modules while building classes.
    saved = sys.modules.get(module_name)
    sys.modules[module_name] = module
    try:
        exec(code, module.__dict__)
    finally:
        if saved is None:
            sys.modules.pop(module_name, None)
        else:
            sys.modules[module_name] = saved
    return module


def write_modules(policies: Iterable[ResolvedPolicy], out_dir: str) -> list[str]:
    """Write one module per policy under out_dir (cn/gd/stent-2020 -> out_dir/cn/gd/stent_2020.py), with
    __init__.py files so that the tree imports as a package. Returns the files written, sorted."""
    written: set[str] = set()
    for policy in policies:
        rel = module_relpath(policy.policy_id)
        target = os.path.join(out_dir, *rel.split("/"))
        source = generate_module(policy)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        _write_if_changed(target, source)
        written.add(target)
        folder = os.path.dirname(target)
        while True:
            init = os.path.join(folder, "__init__.py")
            if not os.path.exists(init):
                _write_if_changed(init, '"""Evaluators generated by policylang."""\n')
            written.add(init)
            if os.path.abspath(folder) == os.path.abspath(out_dir):
                break
            folder = os.path.dirname(folder)
    return sorted(written)


def _write_if_changed(path: str, text: str) -> None:
    data = text.encode("utf-8")
    try:
        with open(path, "rb") as fh:
            if fh.read() == data:
                return
    except OSError:
        pass
    with open(path, "wb") as fh:
        fh.write(data)
