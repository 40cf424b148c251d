"""Compile resolved policies into Python evaluator modules.

One module per policy, covering its whole `extends` chain. The generated code
needs only the standard library (it never imports policylang) and agrees with
the reference interpreter (policylang/semantics/evaluate.py) on every input.

How: the policy is lowered first (policylang/lowering: the facts of every
expression, then a typed form of expressions and statements); this module prints
that form as Python through a code writer (backends/codewriter.py), once per
strategy: the lazy evaluator (`_Run`, one memoized method per decision and
parameter, also used to explain) and the straight-line `_decide_fast()`. Builtins
are printed by their entries in policylang/semantics/builtins.py. The runtime
(backends/python/runtime.py: values, validation, errors and the fixed API --
evaluate, decide, decide_each, validate, Result's as_dict/trace/explain) is copied
into a standalone module, or written once per compiled package and loaded by each
module (write_modules).

Safety: policy text (labels, notes, titles, enum members, names) never reaches
the generated code unescaped. Strings go through repr(); text in comments and
docstrings is escaped so that it cannot end the comment or the string; names
become Python identifiers only when they are safe ones, never one the module
itself defines, a keyword or a builtin (otherwise they are mangled
deterministically; results stay keyed by the policy's own names).
"""

from __future__ import annotations

import builtins
import contextlib
import datetime as _dt
import hashlib
import keyword
import os
import types
import unicodedata
from decimal import Decimal
from typing import Callable, Collection, Iterable, Optional

import attrs

from ..lowering import ir
from ..lowering.lower import UNFILLED, lower_policy
from ..semantics.builtins import AGGREGATES, BUILTINS
from ..semantics.operators import OPERATORS, membership, unary
from ..semantics.model import Duration, RDecision, RLit, RParam, ResolvedPolicy, next_level
from ..semantics.types import Type
from . import workers
from .codewriter import CodeWriter, comment_text
from .codewriter import escape_char as _escape_char

# The code written for each item (Gen.item): (kind, item, ...) -> (item, lines, registrations,
# temporaries numbered after it, the objects its key names by id). Per process; emptied when full.
_EMISSIONS: dict[tuple, tuple] = {}
_EMISSIONS_MAX = 20_000  # the 3,209 tree writes about 8,200

RUNTIME_PATH = os.path.join(os.path.dirname(__file__), "python", "runtime.py")
WIDTH = 100


def _runtime_names() -> frozenset:
    """Every name the runtime defines or imports at its top level (the generated module holds them too)."""
    import ast

    with open(RUNTIME_PATH, encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return frozenset(names)


# Names a policy item may not take as a Python name: keywords, builtins, every name of the runtime
# and the names every generated module defines (its public API, tables and helpers). A policy name
# that is one of them is mangled (n_<hash>) wherever it becomes Python; results stay keyed by the
# policy's own names.
MODULE_NAMES = frozenset({
    "POLICY_ID", "TITLE", "LEVEL", "EFFECTIVE", "ENDS", "CHAIN", "DOCUMENTS", "DECISIONS", "INPUTS",
    "BLANKS", "ENUMS", "Inputs", "Result", "evaluate", "decide", "decide_each", "explain", "validate", "trace",
    "as_dict", "violations", "WINDOWS", "REQUIREMENTS", "calendar", "annotations", "importlib", "os", "sys",
}) | _runtime_names()
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
    """A policy that cannot be compiled (it has errors, or uses something the generator cannot express).
    `zh`: the message in Chinese; what the generator cannot express is a defect of policylang's, said so."""

    def __init__(self, message: str, zh: Optional[str] = None):
        super().__init__(message)
        self.zh = zh if zh is not None else f"policylang 程序本身的缺陷：无法生成 Python 代码（{message}）"


# ---------------------------------------------------------------- escaping


def doc_text(text: object) -> str:
    """Text safe inside a \"\"\" docstring (not raw): backslashes, quotes and non-printables escaped."""
    text = str(text)
    if text.isprintable() and "\\" not in text and '"' not in text:
        return text  # the usual case: nothing to escape
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(_escape_char(ch))
    return "".join(out)


def py_str(text: str) -> str:
    """A Python string literal for any text. repr() escapes quotes, backslashes and every non-printable
    character (newlines, U+2028, U+2029…), so the literal stays on one line."""
    return repr(str(text))


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
    names = set(names)
    for name in sorted(names):
        # A key of a keyed param, `cap.stainless`, reads as cap__stainless.
        readable = name.replace(".", "__") if "." in name else name
        candidate = readable if _is_safe_name(readable) and (readable == name or readable not in names) else _mangled(name)
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
    # p_ before what could not be a module name, or would mean something else to Python
    # (__init__, __main__) or to the package (its shared runtime, whatever the case of the letters).
    if not cleaned or cleaned[0].isdigit() or keyword.iskeyword(cleaned) or cleaned.startswith("__") \
            or cleaned.lower() == RUNTIME_MODULE.lower():
        cleaned = "p_" + cleaned
    return cleaned


def package_layout(policy_ids: Iterable[str]) -> dict[str, str]:
    """Where each policy's module goes in a compiled package: policy id -> path under the package
    root. A policy whose module name is also a folder of the package (cn/gd next to cn/gd/x) is
    that folder's __init__.py, so that `import cn.gd` is the policy and cn.gd.x stays importable.

    Two policies that would share a file (cn/a-b and cn/a_b both become cn/a_b.py; names that
    differ only in case, which some file systems do not tell apart) raise CodegenError naming
    both: renaming a file is the author's choice, never the compiler's."""
    ids = sorted(set(policy_ids))
    plain = {pid: module_relpath(pid) for pid in ids}
    folders = {rel.rsplit("/", 1)[0] for rel in plain.values() if "/" in rel}
    folders |= {f.rsplit("/", i)[0] for f in list(folders) for i in range(1, f.count("/") + 1)}
    layout: dict[str, str] = {}
    taken: dict[str, str] = {}
    for pid in ids:
        rel = plain[pid]
        stem = rel[:-3]
        if stem in folders:
            rel = stem + "/__init__.py"
        other = taken.get(rel.lower())
        if other is not None:
            raise CodegenError(f"the policies {other} and {pid} would both compile to {rel}: rename one of the "
                               f"files (module names keep only letters, digits and '_', and some file systems "
                               f"do not tell upper from lower case)",
                               f"政策 {other} 和 {pid} 会生成同一个文件 {rel}：请把其中一个文件改名"
                               f"（模块名只保留字母、数字和“_”，有些文件系统不区分大小写）")
        taken[rel.lower()] = pid
        layout[pid] = rel
    return layout


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

# _Gen._trace_lines: each item's table of where its rules are written, printed once per process.
_TRACE_LINES: dict[tuple, tuple] = {}
_TRACE_LIMIT = 200_000



class _Gen:
    def __init__(self, policy: ResolvedPolicy):
        if policy.has_errors:
            raise CodegenError(f"{policy.policy_id} has errors; fix them before compiling",
                               f"{policy.policy_id} 有错误，请先改正再生成")
        self.p = policy
        self.names = python_names(list(policy.inputs) + list(policy.params) + list(policy.decisions))
        self.alias_names = python_names(f"{a}.{n}" for a, n in policy.externals)
        self.requirement_names = python_names(policy.requirements)
        # each record type: its TypedDict and its list validator (the record's name, when it is safe)
        self.record_names = python_names(policy.records)
        self.consts: dict[str, tuple[str, str]] = {}  # name -> (code, comment)
        self.paths: dict[str, str] = {c.policy_id: display_path(c.path, c.policy_id) for c in policy.chain}
        self.low = lower_policy(policy)  # the lowered form, with the facts every expression carries
        self.s = LAZY  # the strategy being emitted (see strategy())
        self.temps = 0  # temporaries named so far (_t1, _t2, ...)
        self.unfilled: dict[str, list[str]] = {}  # functions raising BlankNotFilled for unfilled values of `uses`
        self.registered: Optional[list] = None  # while an item is written anew: what it adds to the tables above

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

    @contextlib.contextmanager
    def strategy(self, strategy: "Strategy"):
        """Emit with this strategy (how expressions read values, whether constants are folded)."""
        saved, self.s = self.s, strategy
        try:
            yield
        finally:
            self.s = saved

    # ------------------------------------------------------------ items written once per process
    def register(self, table: dict, name: str, value) -> None:
        """table[name] = value unless it has one (the first comes first): a constant, or a function an
        item's code calls. Recorded while an item is written, to be replayed where it is reused."""
        if self.registered is not None:
            self.registered.append((table is self.unfilled, name, value))
        table.setdefault(name, value)

    def item(self, w: CodeWriter, kind: str, item, safe: str, emit: Callable[[], None]) -> None:
        """Write one item's code (emit() writes it to w), or the code written for the same item in an
        earlier module of this process when everything it is written from is the same.

        The item's code depends on the item, on what its facts read of the policy (Facts.reads: the
        objects each name it reaches is bound to), on the Python names of those names, on where it
        starts (indentation, temporaries numbered so far) and on the file it is shown in. A tree's
        modules share most items (a county inherits its province's decisions), so most are written
        once per process; what writing one registers (constants, functions) is replayed."""
        refs, context, objects = self.low.facts.reads(item)
        names = []
        for (ref_kind, alias, name), *_ in refs:
            if ref_kind in ("param", "decision"):
                names.append(self.names.get(name))
            elif ref_kind == "external":
                names.append(self.alias_names.get(f"{alias}.{name}"))
        key = (kind, id(item), safe, w.level, self.temps, self.path_of(item.origin), refs, context, tuple(names))
        found = _EMISSIONS.get(key)
        if found is not None and found[0] is item:
            _, lines, registered, temps, _ = found
            w.lines.extend(lines)
            for unfilled, name, value in registered:
                (self.unfilled if unfilled else self.consts).setdefault(name, value)
            self.temps = temps
            return
        start = len(w.lines)
        self.registered = []
        try:
            emit()
            registered = tuple(self.registered)
        finally:
            self.registered = None
        if len(_EMISSIONS) >= _EMISSIONS_MAX:
            _EMISSIONS.clear()
        _EMISSIONS[key] = (item, tuple(w.lines[start:]), registered, self.temps, objects)

    # ------------------------------------------------------------ constants
    def const(self, value, text: str = "") -> str:
        if isinstance(value, bool) or value is None:
            return _name(repr(value))
        if isinstance(value, int):
            return repr(value)
        if isinstance(value, str):
            return py_str(value)
        if isinstance(value, Decimal):
            name = "_D_" + _token(str(value))
            self.register(self.consts, name, (f"Decimal({str(value)!r})", text))
            return _name(name)
        if isinstance(value, _dt.date):
            name = f"_DATE_{value.year:04d}_{value.month:02d}_{value.day:02d}"
            self.register(self.consts, name, (f"datetime.date({value.year}, {value.month}, {value.day})", ""))
            return _name(name)
        if isinstance(value, Duration):
            name = f"_PERIOD_{_token(str(value.amount))}_{value.unit.upper()}"
            self.register(self.consts, name, (f"Duration({int(value.amount)}, {py_str(value.unit)})", ""))
            return _name(name)
        raise CodegenError(f"cannot compile the constant {value!r}")

    # ------------------------------------------------------------ expressions (from the lowered form)
    def expr(self, e: ir.Expr) -> str:
        """Python code for e; compound expressions come back in parentheses (as Py, which knows)."""
        if isinstance(e, ir.Lit):
            return self.const(e.value, e.text)
        if isinstance(e, ir.Folded):
            return self.const(e.value) if self.s.fold else self.expr(e.expr)
        if isinstance(e, ir.Ref):
            return self.ref(e)
        if isinstance(e, ir.Binary):
            return self.binary(e)
        if isinstance(e, ir.Unary):
            op = unary(e.op)
            return op.python(self, e, op, self.expr(e.operand))
        if isinstance(e, ir.If):
            return _wrapped(f"{self.expr(e.then)} if {self.cond(e.cond)} else {self.expr(e.otherwise)}")
        if isinstance(e, ir.In):
            op = membership(e.negated)
            return op.python(self, e, op)
        if isinstance(e, ir.Call):
            return self.call(e)
        if isinstance(e, ir.Aggregate):
            return self.aggregate(e)
        raise CodegenError(f"cannot compile the expression {e!r}")

    def aggregate(self, e: ir.Aggregate) -> str:
        """An aggregate as a generator over the elements (`_e`, each a dict of every field) that the
        filter keeps, given to the runtime's helper (AGGREGATES in semantics/builtins.py)."""
        agg = AGGREGATES[e.func]
        source = self.expr(e.source)
        name, head = self.held(source) if e.source.info.nullable else (source, source)
        keep = f" if {self.cond(e.where)}" if e.where is not None else ""
        value = _top(self.expr(e.value)) if e.value is not None else "None"
        values = f"{value} for _e in {name}{keep}"
        if e.func == "count":
            code = f"{agg.runtime}({values})" if keep else f"len({name})"
        elif e.func == "sum":
            zero = "0" if e.type.kind == "count" else "_ZERO"
            code = f"{agg.runtime}(({values}), {zero})"
        elif e.func in ("min", "max"):
            code = f"{agg.runtime}(({values}), {py_str(e.source.name)}, {e.where is not None})"
        else:
            code = f"{agg.runtime}({values})"
        if e.source.info.nullable:
            return _wrapped(f"None if {head} is None else {code}")
        return code

    # What the builtins' and operators' emitters (semantics/builtins.py, operators.py) ask of an
    # argument, and give back.
    @property
    def counts_working_days(self) -> bool:
        return self.p.counts_working_days

    @staticmethod
    def wrapped(inner: str, guard: Optional[tuple] = None) -> str:
        return _wrapped(inner, guard)

    @staticmethod
    def nullable(e: ir.Expr) -> bool:
        return e.info.nullable

    @staticmethod
    def runtime_class(e: ir.Expr) -> str:
        return e.info.cls

    def cond(self, e: ir.Expr) -> str:
        """A condition: true only when the value is true (none counts as false)."""
        code = self.expr(e)
        return f"{code} is True" if e.info.nullable else code

    def ref(self, e: ir.Ref) -> str:
        values = self.s.values  # the validated inputs
        if e.kind == "input":
            if e.required:
                return f"{values}[{py_str(e.name)}]"
            return f"{values}.get({py_str(e.name)})"
        if self.s.locals and e.kind == "param" and e.blank:
            return f"_v[{py_str(e.name)}]"  # a blank the caller supplies (KeyError when not: see _decide_fast)
        if self.s.locals and e.kind in ("param", "decision"):
            return _name(self.names[e.name])  # a local variable of _decide_fast()
        if e.kind == "param":
            return f"self.p_{self.names[e.name]}()"
        if e.kind == "decision":
            return f"self.d_{self.names[e.name]}()"
        if e.kind == "builtin":
            if e.name == "as_of":
                return _name(self.s.as_of) if self.s.locals else self.s.as_of
            return self.const(e.value)
        if e.kind == "external":
            return self.external(e)
        if e.kind == "field":
            return f"_e[{py_str(e.name)}]"  # the element of the aggregate (validated: every field is there)
        raise CodegenError(f"cannot compile the reference {e.name!r}")

    def binary(self, e: ir.Binary) -> str:
        op = OPERATORS[e.op]
        left, right = self.expr(e.left), self.expr(e.right)
        if op.strict and e.left.info.nullable:
            # Operands are evaluated left to right and none stops the rest (as in the
            # interpreter): the right side runs only when the left has a value.
            inner = getattr(left, "guard", None)
            if inner is not None and not e.right.info.nullable:
                # the left is (None if TEST else BODY): one test for both, the right still read
                # after the left's operands and its body
                test, name = inner
            else:
                name, head = self.held(left)
                test = f"{head} is None"
            body = op.python(self, e, op, name, right, False, e.right.info.nullable)
            # none only through the left operand when the right is never none: a rounding of
            # this value rounds the body (see rounded())
            guard = (test, body) if not e.right.info.nullable else None
            return _wrapped(f"None if {test} else {body}", guard)
        return op.python(self, e, op, left, right, e.left.info.nullable, e.right.info.nullable)

    def none_test(self, codes: list, nullables: list) -> tuple[list, str]:
        """(a name for each code's value, a test true when one of them is none) for operands read
        left to right where none stops the rest: the test reads each operand up to the last that
        may be none, in order (so one that fails still fails first); those after it are read
        where the names are used. Operands that are names are read as they are."""
        last = max(i for i, nullable in enumerate(nullables) if nullable)
        names, tests = [], []
        for i, (code, nullable) in enumerate(zip(codes, nullables)):
            if i > last or getattr(code, "is_name", False):
                names.append(code)
                if i <= last and nullable:
                    tests.append(f"{code} is None")
                continue
            name, head = self.held(code)
            names.append(_name(name))
            tests.append(f"{head} is None")
        return names, " or ".join(tests)

    def held(self, code: str) -> tuple[str, str]:
        """(a name for code's value, the code that evaluates it once and names it): code itself
        when it is a name, else an assignment expression to a new temporary."""
        if getattr(code, "is_name", False):
            return code, code
        self.temps += 1
        name = f"_t{self.temps}"
        return name, f"({name} := {_top(code)})"

    def call(self, e: ir.Call) -> str:
        builtin = BUILTINS.get(e.func)
        if builtin is None:
            raise CodegenError(f"cannot compile the function {e.func}")
        return builtin.python(self, e)

    def is_plain_read(self, e: ir.Expr) -> bool:
        """Is e's code a name or a read of one validated input: cheap to evaluate twice, and always
        the same value?"""
        if isinstance(e, ir.Lit):
            return _names_a_value(e.value)
        if isinstance(e, ir.Folded):
            return _names_a_value(e.value) if self.s.fold else self.is_plain_read(e.expr)
        if isinstance(e, ir.Ref):
            if e.kind == "input":
                return e.required
            if e.kind in ("param", "decision"):
                return self.s.locals
            if e.kind == "builtin":
                return self.s.locals if e.name == "as_of" else True
            if e.kind == "external":
                return e.value is not UNFILLED and _names_a_value(e.value)
            return False
        if isinstance(e, ir.Call) and len(e.args) == 1 and getattr(BUILTINS.get(e.func), "identity_of_one", False):
            return self.is_plain_read(e.args[0])
        return False

    def rounded(self, arg: ir.Expr, x: str, unit: str, mode: str, money: bool) -> str:
        """The interpreter's round_value(): x quantized; money stays Decimal, other numbers become int."""
        if arg.info.cls != "D":
            return f"_round({x}, {unit!r}, {mode!r}, {money})"
        quantum = {"fen": "_FEN", "jiao": "_JIAO", "yuan": "_YUAN", "unit": "_YUAN"}[unit]

        def quantized(value: str) -> str:
            code = f"{value}.quantize({quantum}, {ROUNDING_NAMES[mode]}, _CTX)"
            return code if money else f"int({code})"

        if not arg.info.nullable:
            return quantized(x)
        guard = getattr(x, "guard", None)
        if guard is not None:  # (None if test else body): round the body
            test, body = guard
            return _wrapped(f"None if {test} else {quantized(body)}")
        name, head = self.held(x)
        return _wrapped(f"None if {head} is None else {quantized(name)}")

    @staticmethod
    def whole(e: ir.Expr, code: str) -> str:
        """A count of months or years as int (as the interpreter's int(...))."""
        return code if e.info.cls == "I" else f"int({code})"

    def optional_call(self, function: str, args: list[str], nullables: list[bool]) -> str:
        """function(*args) where an argument may be none: arguments are evaluated left to
        right and the first none is the result (later arguments are not evaluated)."""
        names, test = self.none_test(args, nullables)
        body = f"{function}({', '.join(names)})"
        return _wrapped(f"None if {test} else {body}", (test, body))

    # ------------------------------------------------------------ values read through `uses`
    def external(self, e: ir.Ref) -> str:
        if e.value is not UNFILLED:
            return self.const(e.value)
        # A blank of the other policy that no level filled: reading it is an error.
        safe = self.alias_names[f"{e.alias}.{e.name}"]
        lines = self.unfilled.get(safe)
        if lines is None:
            other = self.p.externals[(e.alias, e.name)]
            by = other.delegated_by or other.origin
            level = other.to_level or next_level(by.level)
            lines = [
                f"def _unfilled_{safe}():",
                f'    """{doc_text(e.alias)}.{doc_text(e.name)}: a blank of {doc_text(other.origin.policy_id)} '
                f'that no level filled."""',
                f"    raise BlankNotFilled({py_str(f'{e.alias}.{e.name}')}, {py_str(level)}, {py_str(by.policy_id)})",
            ]
        self.register(self.unfilled, safe, lines)
        return f"_unfilled_{safe}()"

    # ------------------------------------------------------------ the module
    def module(self, shared_runtime_depth: Optional[int] = None) -> str:
        """The module's source: with the runtime copied in (standalone), or, with
        shared_runtime_depth (how many folders below the package root the module is), loading the
        package's one shared runtime (RUNTIME_MODULE at the package root)."""
        # The code parts name the constants they use (const()): they are printed first, so that the
        # constants section, which comes before them in the module, lists every one.
        run_class = self.run_class()
        result_class = self.result_class()
        api = self.api()
        # No `from __future__ import annotations`: with real annotations the dataclasses work
        # even when the module is loaded by path without being registered in sys.modules.
        out = [self.docstring(), ""]
        if shared_runtime_depth is None:
            out.append(_runtime_source().rstrip("\n"))
        else:
            out += _shared_runtime_loader(shared_runtime_depth)
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
        if self.p.versions:
            out += ["", ""]
            out += self.amendments_section()
        return "\n".join(out).rstrip("\n") + "\n"

    def body(self) -> list[str]:
        """The module without its docstring and runtime: what an amended version is made of."""
        run_class = self.run_class()
        result_class = self.result_class()
        api = self.api()
        return (self.policy_section() + ["", ""] + self.const_section() + ["", ""] + self.trace_section()
                + ["", ""] + run_class + ["", ""] + result_class + ["", ""] + api)

    def amendments_section(self) -> list[str]:
        """An amended policy (`amends`): each version after an amendment, built by a function of its
        own (its names are that function's), and the public functions choosing by as_of."""
        p = self.p
        out = ["# ---------------------------------------------------------------- amendments", ""]
        for start, version in p.versions:
            by = version.applies_by(start)
            if by == version.amended_by:  # a policy below an amended notice: its version over the amended one
                line = f"# {version.parent} amended by {version.amended_by} above it, from {start.isoformat()}"
                if version.amends:  # and amended itself before that day
                    line += f" (over {version.policy_id} in force here)"
                out.append(line)
                continue
            line = f"# amended by {version.policy_id} ({display_path(version.path, version.policy_id)}), " \
                   f"from {start.isoformat()}"
            if version.amended_by:
                line += f" (over {version.parent} as {version.amended_by} amended it)"
            out.append(line)
        out += [
            "# From each of those days evaluate(), decide(), decide_each(), violations() and the function of each",
            "# decision compute with the version as amended (the function _amended_N below builds it), before the",
            "# first with the policy as written (above). AMENDMENTS: (amending notice, the day it applies from).",
            "AMENDMENTS = (",
        ]
        for start, version in p.versions:
            out.append(f"    ({py_str(version.applies_by(start))}, {_date_code(start)}),")
        out.append(")")
        for number, (start, version) in enumerate(p.versions, 1):
            gen = _Gen(attrs.evolve(version, policy_id=p.policy_id, versions=()))
            out += ["", "", f"def _amended_{number}():",
                    f'    """{doc_text(p.policy_id)} as amended by {doc_text(version.applies_by(start))}, from '
                    f'{start.isoformat()}: its evaluate, decide, decide_each, violations and _start."""']
            out += [("    " + line) if line else "" for line in gen.body()]
            out += ["", "    return evaluate, decide, decide_each, violations, _start"]
        out += ["", "", "_VERSIONS = ("]
        for number, (start, _version) in enumerate(p.versions, 1):
            out.append(f"    ({_date_code(start)}, _amended_{number}()),")
        out += [
            ")",
            "evaluate = _by_date(evaluate, [(start, v[0]) for start, v in _VERSIONS])",
            "decide = _by_date(decide, [(start, v[1]) for start, v in _VERSIONS])",
            "decide_each = _by_date(decide_each, [(start, v[2]) for start, v in _VERSIONS])",
            "violations = _by_date(violations, [(start, v[3]) for start, v in _VERSIONS])",
            "_start = _by_date(_start, [(start, v[4]) for start, v in _VERSIONS], positional=True)",
        ]
        return out

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
        out.append("# the policies of this tree that may be in force in its region, for the error on a day this one")
        out.append("# is not: (policy id, level, folder depth, effective, ends, chain depth)")
        out.append("WINDOWS = (" if p.windows else "WINDOWS = ()")
        for w in p.windows:
            out.append(f"    ({py_str(w[0])}, {py_str(w[1])}, {int(w[2])}, {_date_code(w[3])}, {_date_code(w[4])}, "
                       f"{int(w[5])}),")
        if p.windows:
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
            out.append(f"    {py_str(blank.name)}: {py_str(blank.to_level or next_level(by.level))},")
        out.append("}")
        out.append("ENUMS = {" if p.enums else "ENUMS = {}")
        for name in sorted(p.enums):
            members = ", ".join(py_str(m) for m in p.enums[name].member_names)
            out.append(f"    {py_str(name)}: ({members}{',' if len(p.enums[name].member_names) == 1 else ''}),")
        if p.enums:
            out.append("}")
        out.append("")
        out += self.records_section()
        out.append("# declared inputs: (type, enum members), for the message when one is missing")
        out.append("_INPUT_TYPES = {")
        for name, inp in p.inputs.items():
            out.append(f"    {py_str(name)}: ({py_str(inp.type.kind)}, {self.members_code(inp.type)}),")
        out.append("}")
        out.append("# what the caller may give: name -> (validator, optional, enum members)")
        out.append("_INPUT_SPECS = {")
        for name, (t, optional, blank) in accepted.items():
            coerce, members = self.coercer(name, t)
            out.append(f"    {py_str(name)}: ({coerce}, {optional}, {members}),")
        out.append("}")
        out.append("_ACCEPTED = frozenset(_INPUT_SPECS)")
        out.append("")
        out.append("Inputs = TypedDict(\"Inputs\", {")
        for name, (t, optional, blank) in accepted.items():
            out.append(f"    {py_str(name)}: {self.py_type(t)},")
        out.append("}, total=False)")
        out.append('Inputs.__doc__ = "The inputs of " + POLICY_ID + " (money as Decimal or a decimal string)."')
        return out

    def coercer(self, name: str, t: Type) -> tuple[str, str]:
        """(the runtime's validator of an input, what it gets after the value): enum members, or
        for a `percent up to N%` the limit."""
        item = self.p.inputs.get(name) or self.p.params.get(name)
        limit = getattr(item, "percent_limit", None)
        if t.kind == "percent" and limit is not None:
            return "_coerce_percent_up_to", f"Decimal({str(limit)!r})"  # the input tables precede the constants
        if t.kind == "list":  # the record's own validator (records_section)
            return f"_coerce_list_{self.record_names[t.record]}", "()"
        return COERCERS.get(t.kind, "_coerce_text"), self.members_code(t)

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

    def records_section(self) -> list[str]:
        """Each record type: a TypedDict of its fields, and the validator of a list of such records
        (every element checked, an error naming it by its index from 0, as the interpreter does)."""
        out = []
        for name, record in self.p.records.items():
            safe = self.record_names[name]
            out.append(f"# the record {name}" + (f" ({comment_text(record.label)})" if record.label else "")
                       + ": one element of a list input")
            out.append(f"{safe} = TypedDict({py_str(safe)}, {{")
            for f in record.fields:
                label = f"  # {comment_text(f.label)}" if f.label else ""
                out.append(f"    {py_str(f.name)}: {self.py_type(f.type)},{label}")
            out.append("}, total=False)")
            out.append(f"_FIELDS_{safe} = (")
            for f in record.fields:
                out.append(f"    ({py_str(f.name)}, {COERCERS.get(f.type.kind, '_coerce_text')}, {f.optional}, "
                           f"{self.members_code(f.type)}),")
            out.append(")")
            out.append("")
            out.append("")
            out.append(f"def _coerce_list_{safe}(name, raw, members=()):")
            out.append(f"    return _coerce_records(name, raw, {py_str(name)}, _FIELDS_{safe})")
            out.append("")
            out.append("")
        return out

    def py_type(self, t: Type) -> str:
        if t.kind == "list" and t.record in self.record_names:
            return f"list[{self.record_names[t.record]}]"
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
        if self.p.counts_working_days:
            out += ["", ""] + self.workdays_section()
        return out

    def workdays_section(self) -> list[str]:
        """The working-day calendar of the years this policy counts on (workdays.policy_years), each
        with the notice that arranges it: the module holds no other year."""
        cal = self.p.workdays
        out = ["# The working days this policy counts `N working days` on: for each year of its window (and one",
               "# either side), the days off and the weekend days worked (调休上班) of the notice that arranges it.",
               "_WORKDAYS = _work_calendar({"]
        for y in cal.years:
            for n in y.notices:
                bits = [b for b in (n.document, n.issued.isoformat() if n.issued else None) if b]
                out.append(f"    # {comment_text(n.title)}" + (f"（{'，'.join(bits)}）" if bits else ""))
            if y.source != "built-in":
                out.append(f"    # declared by {comment_text(y.source)}")
            spans = ", ".join(f"({py_str(a.isoformat())}, {py_str(b.isoformat())})" for _, a, b in y.holidays)
            worked = ", ".join(py_str(d.isoformat()) for d in y.workdays)
            out.append(f"    {y.year}: (({spans}{',' if len(y.holidays) == 1 else ''}), "
                       f"({worked}{',' if len(y.workdays) == 1 else ''})),")
        known = ", ".join(str(k) for k in sorted(cal.known | cal.covered))
        out.append(f"}}, known=({known}{',' if len(cal.known | cal.covered) == 1 else ''}))")
        return out

    # ------------------------------------------------------------ explanations
    def trace_section(self) -> list[str]:
        out = ["# ---------------------------------------------------------------- where each rule is written",
               "# (kind, name, detail, policy, level, file, line, article, label) of each rule and parameter", ""]
        for name in self.p.decision_order:
            d = self.p.decisions[name]
            out += self._trace_lines("_RULES_", d, self.names[name], (self.path_of(d.origin),), self.rule_infos)
        for name, param in self.p.params.items():
            paths = (self.path_of(param.origin),
                     self.path_of(param.schedule.origin) if param.schedule is not None else None)
            out += self._trace_lines("_PARAM_", param, self.names[name], paths, self.param_infos)
        return out

    def _trace_lines(self, prefix: str, item, safe: str, paths: tuple, infos) -> list[str]:
        """The table of where each rule (or schedule entry) of one item is written. It reads the item
        (frozen), its Python name and the display paths of its definitions, nothing else: an item
        inherited unchanged prints the same table in every module below it, so it is printed once
        per process (_TRACE_LINES, keyed by all of them; the item kept, so that its id names it)."""
        key = (prefix, id(item), safe, paths)
        found = _TRACE_LINES.get(key)
        if found is not None and found[0] is item:
            return found[1]
        lines = [f"{prefix}{safe} = ("]
        for info in infos(item):
            lines += _tuple_lines(info)
        lines.append(")")
        if len(_TRACE_LINES) >= _TRACE_LIMIT:
            _TRACE_LINES.clear()
        _TRACE_LINES[key] = (item, lines)
        return lines

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

    # ------------------------------------------------------------ the evaluation class (the lazy strategy)
    def run_class(self) -> list[str]:
        p = self.p
        memo_params = [n for n, prm in p.params.items() if not self.low.facts.is_literal(prm)]
        slots = [f"m_{self.names[n]}" for n in p.decision_order] + [f"mp_{self.names[n]}" for n in memo_params]
        w = CodeWriter()
        w.writelines([
            "# ---------------------------------------------------------------- the rules",
            "",
            "",
            "class _Run(_RunBase):",
            '    """One evaluation of ' + doc_text(p.policy_id) + ': each decision and parameter is a method,'
            ' computed',
            '    when first needed and remembered (m_* attributes)."""',
            "",
        ])
        with w.indent():
            if slots:
                w.writeline("__slots__ = (")
                with w.indent():
                    for s in slots:
                        w.writeline(f"{s!r},")
                w.writeline(")")
            else:
                w.writeline("__slots__ = ()")
            w.writeline()
            w.writeline("input_types = _INPUT_TYPES")
            w.writeline()
            w.writeline("def __init__(self, values, as_of, trace):")
            with w.indent():
                w.writeline("_RunBase.__init__(self, values, as_of, trace)")
                for chunk in _chunks([f"self.{s}" for s in slots], 4):
                    w.writeline(" = ".join(chunk) + " = _UNSET")
            with self.strategy(LAZY):
                for name in p.params:
                    w.writeline()
                    self.temps = 0
                    self.item(w, "param method", p.params[name], self.names[name],
                              lambda name=name: self.param_method(w, self.low.params[name]))
                for name in p.decision_order:
                    w.writeline()
                    self.temps = 0
                    self.item(w, "decision method", p.decisions[name], self.names[name],
                              lambda name=name: self.decision_method(w, self.low.decisions[name]))
                for name in self.checked_requirements():
                    w.writeline()
                    self.temps = 0
                    self.item(w, "requirement method", p.requirements[name], self.requirement_names[name],
                              lambda name=name: self.requirement_method(w, name))
        return w.lines

    def checked_requirements(self) -> list[str]:
        """The requirements a result is checked against: all but those whose deadline cannot be
        placed in time (it counts from an unknown effective date)."""
        return [name for name, r in self.p.requirements.items()
                if name in self.low.requirements and (r.deadline is None or r.deadline_date is not None)]

    def requirement_method(self, w: CodeWriter, name: str) -> None:
        self.temps = 0
        r = self.p.requirements[name]
        w.writeline(f"def q_{self.requirement_names[name]}(self):")
        with w.indent():
            w.writeline(f'"""{doc_text(r.label or name)} (require {doc_text(name)}); '
                        f'{doc_text(self.where(r.origin))}{doc_text(_article_words(r.article))}."""')
            w.writeline("v = self.v")
            w.writeline(f"return {_top(self.expr(self.low.requirements[name]))}")

    def requirements_section(self) -> list[str]:
        out = ["# the requirements a result is checked against (result.violations): (requirement, label, article,",
               "# policy, level, file, line), the deadline from which it holds (None: always), its condition"]
        names = self.checked_requirements()
        if not names:
            return out + ["_REQUIREMENTS = ()"]
        out.append("_REQUIREMENTS = (")
        for name in names:
            r = self.p.requirements[name]
            o = r.origin
            info = ", ".join([py_str(name), _opt_str(r.label), _opt_str(r.article), py_str(o.policy_id),
                              py_str(o.level), py_str(self.path_of(o)), str(int(o.span.line))])
            out.append(f"    (({info}), {_date_code(r.deadline_date)}, _Run.q_{self.requirement_names[name]}),")
        out.append(")")
        return out

    def param_method(self, w: CodeWriter, prm: ir.Param) -> None:
        self.temps = 0
        src = prm.source
        safe = self.names[prm.name]
        label = f"{src.label} " if src.label else ""
        w.writeline(f"def p_{safe}(self):")
        with w.indent():
            w.writeline(f'"""{doc_text(label)}({doc_text(prm.name)}, {doc_text(src.type)}): {src.statement}; '
                        f'{doc_text(self.where(src.origin))}{doc_text(_article_words(src.article))}."""')
            if prm.literal:
                value = self.expr(prm.value)
                w.writeline("if self.trace is not None:")
                with w.indent():
                    w.writeline(f"self.param_step(_PARAM_{safe}[0], {value})")
                w.writeline(f"return {value}")
                return
            w.writeline(f"value = self.mp_{safe}")
            w.writeline("if value is not _UNSET:")
            with w.indent():
                w.writeline("return value")
            keyword_ = "if"
            for entry in reversed(prm.entries):
                w.writeline(f"{keyword_} self.as_of >= {self.const(entry.start)}:")
                with w.indent():
                    if entry.source.meta.label:
                        w.comment(entry.source.meta.label)
                    w.writeline(f"value, step = {_top(self.expr(entry.value))}, {entry.index}")
                keyword_ = "elif"
            if prm.entries:
                w.writeline("else:")
            with w.indent(1 if prm.entries else 0):
                if prm.value is not None:
                    w.writeline(f"value, step = {_top(self.expr(prm.value))}, 0")
                else:
                    level = prm.expected_level
                    w.writeline(f"# a blank: {comment_text(prm.delegated_by)} left it for the {level} level")
                    w.writeline(f"value = self.v.get({py_str(prm.name)}, _UNSET)")
                    w.writeline("if value is _UNSET:")
                    with w.indent():
                        w.writeline(f"raise BlankNotFilled({py_str(prm.name)}, {py_str(level)}, "
                                    f"{py_str(prm.delegated_by)})")
                    w.writeline("step = 0")
            w.writeline("if self.trace is not None:")
            with w.indent():
                w.writeline(f"self.param_step(_PARAM_{safe}[step], value)")
            w.writeline(f"self.mp_{safe} = value")
            w.writeline("return value")

    def decision_method(self, w: CodeWriter, d: ir.Decision) -> None:
        self.temps = 0
        src = d.source
        safe = self.names[d.name]
        o = src.origin
        label = f"{src.label} " if src.label else ""
        w.writeline(f"def d_{safe}(self):")
        with w.indent():
            w.writeline(f'"""{doc_text(label)}({doc_text(d.name)}, {doc_text(src.type)}); '
                        f'{doc_text(o.level)} {doc_text(o.policy_id)}, {doc_text(self.where(o))}'
                        f'{doc_text(_article_words(src.article))}."""')
            w.writeline(f"value = self.m_{safe}")
            w.writeline("if value is not _UNSET:")
            with w.indent():
                w.writeline("return value")
            w.writeline("v = self.v")
            w.writeline(f"outer, self.current = self.current, {py_str(d.name)}")
            w.writeline("try:")
            with w.indent():
                if src.note:
                    w.comment(src.note)
                self.decision_body(w, d, "value", True)
            w.writeline("except Exception as exc:")
            with w.indent():
                w.writeline(f"raise self.failure(exc, {py_str(d.name)})")
            w.writeline("finally:")
            with w.indent():
                w.writeline("self.current = outer")
            w.writeline("if self.trace is not None:")
            with w.indent():
                w.writeline(f"self.rule_step(_RULES_{safe}[rule], value)")
            w.writeline(f"self.m_{safe} = value")
            w.writeline("return value")

    # ------------------------------------------------------------ decision bodies (both strategies)
    def decision_body(self, w: CodeWriter, d: ir.Decision, target: str, rules: bool) -> None:
        """Statements setting `target` to the decision's value; with rules, `rule` to the index of
        the rule that decided (for explanations)."""
        if d.form == "expr":
            self.assign(w, target, self.expr(d.branches[0].value), 0 if rules else None)
        elif d.form == "cases":
            self.cases_body(w, d, target, rules)
        else:
            self.table_body(w, d, target, rules)
        finish = {
            "": "",
            "to_money": (f"{target} = None if {target} is None else {target}.quantize(_FEN, ROUND_HALF_UP, _CTX)"
                         if self.always_decimal(d) else f"{target} = _to_money({target})"),
            "quantize": f"{target} = {target}.quantize(_FEN, ROUND_HALF_UP, _CTX)",
            "to_count": f"{target} = _to_count({target})",
            "to_decimal": f"{target} = _to_decimal({target})",
        }[d.finish]
        if finish:
            w.writeline(finish)

    def always_decimal(self, d: ir.Decision) -> bool:
        """Is every value the decision can take that is not none a Decimal (so no type test is needed
        to quantize it)?"""
        facts = self.low.facts
        return all(facts.runtime_class(v) == "D" for v in facts.decision_values(d.source)
                   if not (isinstance(v, RLit) and v.value is None))

    @staticmethod
    def assign(w: CodeWriter, target: str, code: str, rule: Optional[int]) -> None:
        w.writeline(f"{target} = {_top(code)}")
        if rule is not None:
            w.writeline(f"rule = {rule}")

    def no_rule(self, w: CodeWriter, comment: str, target: str, rules: bool, rule: int) -> None:
        w.writeline(f"# {comment}: not applicable")
        w.writeline(f"value, rule = None, {rule}" if rules else f"{target} = None")

    def cases_body(self, w: CodeWriter, d: ir.Decision, target: str, rules: bool) -> None:
        cases = [b for b in d.branches if b.cond is not None]
        otherwise = [b for b in d.branches if b.cond is None]
        for index, case in enumerate(cases):
            w.writeline(f"{'if' if index == 0 else 'elif'} {_top(self.cond(case.cond))}:")
            with w.indent():
                self.case_comment(w, case.what, case.source, d)
                self.assign(w, target, self.expr(case.value), case.rule if rules else None)
        if cases:
            w.writeline("else:")
        with w.indent(1 if cases else 0):
            if otherwise:
                branch = otherwise[0]
                self.case_comment(w, "otherwise", branch.source, d)
                self.assign(w, target, self.expr(branch.value), branch.rule if rules else None)
            else:
                self.no_rule(w, "no case applies", target, rules, d.none_rule)

    def case_comment(self, w: CodeWriter, what: str, case, d: ir.Decision) -> None:
        where = f"{what}, {self.path_of(d.source.origin)}:{case.span.line}"
        article = case.meta.article
        text = where + (f", article {article}" if article else "")
        if case.meta.label:
            text += f": {case.meta.label}"
        w.comment(text)

    def table_body(self, w: CodeWriter, d: ir.Decision, target: str, rules: bool) -> None:
        w.writeline("# a decision table: every column is read first, then the first matching row applies")
        locals_ = []
        for col in d.columns:
            # (in _decide_fast, item names are locals: its own locals start with '_')
            if col.name not in self.names:
                raise CodegenError(f"the column {col.name!r} is not an input, parameter or decision")
            locals_.append(f"{self.s.column_prefix}c_{self.names[col.name]}")
        if d.columns:
            values = [self.expr(col.expr) for col in d.columns]
            if len(values) == 1:
                w.writeline(f"{locals_[0]} = {_top(values[0])}")
            else:
                w.writeline(f"{', '.join(locals_)} = {', '.join(values)}")
        first = True
        for row in d.rows:
            tests = [self.cell(test, locals_[test.column]) for test in row.tests]
            if row.otherwise or not tests:
                if not first:
                    w.writeline("else:")
                with w.indent(0 if first else 1):
                    self.case_comment(w, row.what, row.source, d)
                    self.assign(w, target, self.expr(row.value), row.rule if rules else None)
                return
            w.writeline(f"{'if' if first else 'elif'} {' and '.join(tests)}:")
            with w.indent():
                self.case_comment(w, row.what, row.source, d)
                self.assign(w, target, self.expr(row.value), row.rule if rules else None)
            first = False
        if not first:
            w.writeline("else:")
        with w.indent(0 if first else 1):
            self.no_rule(w, "no row covers this case", target, rules, d.none_rule)

    def cell(self, test: ir.Test, local: str) -> str:
        if test.kind == "eq":
            return f"{local} == {self.expr(test.values[0])}"
        if test.kind == "cmp":
            value = test.values[0]
            op = OPERATORS[test.op]
            if test.nullable:
                if not op.strict:
                    return f"({local} {op.py_symbol} {self.expr(value)})"
                return f"{op.py_helper}({local}, {self.expr(value)}) is True"
            return f"{local} {op.py_symbol} {self.expr(value)}"
        items = ", ".join(self.expr(v) for v in test.values) + ("," if len(test.values) == 1 else "")
        op = OPERATORS[test.kind]
        return f"{local} {op.py_symbol} ({items})"

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
            coerce, members = self.coercer(name, t)
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
        self.temps = 0
        w = CodeWriter()
        w.writelines([
            "def _decide_fast(_v, _as_of):",
            '    """Every decision in one pass from validated inputs _v, for the usual case: whatever the',
            "    rules read is there. An input or blank read but not given raises KeyError; any exception",
            "    makes evaluate() run the lazy evaluator (_Run), which finds the same values or reports",
            '    the error as the reference interpreter does."""',
        ])
        with self.strategy(STRAIGHT), w.indent():
            order = self.low.param_order
            if order:
                dated = any(p.params[name].schedule is not None and p.params[name].schedule.entries for name in order)
                w.writeline(f"# the parameters the decisions read, at {'_as_of' if dated else 'any date'}")
            for name in order:
                self.item(w, "straight-line param", p.params[name], self.names[name],
                          lambda name=name: self.fast_param(w, self.low.params[name]))
            for name in p.decision_order:
                w.writeline()
                self.item(w, "straight-line decision", p.decisions[name], self.names[name],
                          lambda name=name: self.fast_decision(w, self.low.decisions[name]))
            w.writeline()
            w.writeline("# the result, built as Result() would build it, without its per-field frozen setattr")
            w.writeline("_result = _new_object(Result)")
            w.writeline("_fields = _result.__dict__")
            for name in p.decision_order:
                w.writeline(f"_fields[{py_str(self.names[name])}] = {self.names[name]}")
            w.writeline("_fields['_case'] = (_v, _as_of, None)")
            w.writeline("return _result")
        return w.lines

    def fast_decision(self, w: CodeWriter, d: ir.Decision) -> None:
        src = d.source
        o = src.origin
        w.comment(f"{d.name}" + (f" ({src.label})" if src.label else "")
                  + f": {o.level} {o.policy_id}, {self.where(o)}" + _article_words(src.article))
        if d.constant_formula:
            w.writeline("# (its formula reads only fixed values: computed once, when this module was generated)")
        self.decision_body(w, d, self.names[d.name], False)

    def fast_param(self, w: CodeWriter, prm: ir.Param) -> None:
        src = prm.source
        local = self.names[prm.name]
        w.comment(f"{prm.name}" + (f" ({src.label})" if src.label else "")
                  + f": {src.statement}, {self.where(src.origin)}" + _article_words(src.article))
        keyword_ = "if"
        for entry in reversed(prm.entries):
            w.writeline(f"{keyword_} _as_of >= {self.const(entry.start)}:")
            with w.indent():
                w.writeline(f"{local} = {_top(self.expr(entry.value))}")
            keyword_ = "elif"
        if prm.value is not None:
            if prm.entries:
                w.writeline("else:")
            with w.indent(1 if prm.entries else 0):
                w.writeline(f"{local} = {_top(self.expr(prm.value))}")
        else:
            blank = (f"a blank {comment_text(prm.delegated_by)} left for the "
                     f"{prm.expected_level} level: the caller's input")
            if prm.entries:
                w.writeline("else:")
                with w.indent():
                    w.writeline(f"{local} = _v[{py_str(prm.name)}]  # before the schedule, {blank}")
            else:
                w.writeline(f"# {blank}, read where it is used")

    # ------------------------------------------------------------ results and the public functions
    def result_class(self) -> list[str]:
        p = self.p
        out = [
            "# ---------------------------------------------------------------- results",
            "",
            "",
            "@dataclass(frozen=True)",
            "class Result(_ResultBase):",
            '    """The decisions of ' + doc_text(p.policy_id) + " for one case (None: not applicable).",
            "",
            "    explain() says which rule decided each value and where the policy says it;",
            '    trace gives the same as data; as_dict() is keyed by the names the policy writes."""',
            "",
        ]
        for name in p.decision_order:
            d = p.decisions[name]
            label = f"  # {comment_text(d.label)}" if d.label else ""
            out.append(f"    {self.names[name]}: Optional[{self.py_type(d.type)}]{label}")
        out.append("    _case: Any = field(default=None, repr=False, compare=False)")
        out.append("")
        if p.decision_order:
            out.append("    _FIELDS = (")
            for name in p.decision_order:
                out.append(f"        ({py_str(name)}, {py_str(self.names[name])}),")
            out.append("    )")
        else:
            out.append("    _FIELDS = ()")
        return out

    def api(self) -> list[str]:
        p = self.p
        out = [
            "# ---------------------------------------------------------------- the functions to call",
            "",
            "",
        ]
        out += self.validate_function()
        out += ["", ""]
        out += self.fast_function()
        out += ["", ""]
        out.append("_DECISION_METHODS = {")
        for name in p.decision_order:
            out.append(f"    {py_str(name)}: _Run.d_{self.names[name]},")
        out.append("}")
        out += self.requirements_section()
        out += [
            "# evaluate(), decide(), decide_each(), validate() and violations(): the same in every module (see the",
            "# runtime); each raises NotInForce on a day the policy is not in force",
            "evaluate, decide, decide_each, validate, _validated, _start, _evaluate, violations = _api(",
            "    POLICY_ID, DECISIONS, _Run, Result, _validate_fast, _decide_fast, _INPUT_SPECS, _DECISION_METHODS,",
            "    _window_check(POLICY_ID, EFFECTIVE, ENDS, WINDOWS), _REQUIREMENTS)",
        ]
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


class Py(str):
    """Python code of an expression, with what the generator knows of its shape (so it never reads
    its own output back): inner, the code inside the parentheses that enclose all of it; guard,
    (test, body) when it is (None if test else body) and body is never none (body an operand as
    it is: a name, a call or in parentheses); is_name, a name (reading it twice costs nothing)."""

    def __new__(cls, text: str, inner: Optional[str] = None, guard: Optional[tuple] = None, is_name: bool = False):
        code = str.__new__(cls, text)
        code.inner, code.guard, code.is_name = inner, guard, is_name
        return code


def _wrapped(inner: str, guard: Optional[tuple] = None) -> Py:
    """(inner): a compound expression, in the parentheses a statement may drop (see _top)."""
    return Py(f"({inner})", inner=inner, guard=guard)


def _name(text: str) -> Py:
    return Py(text, is_name=True)


def _names_a_value(value) -> bool:
    """Is the constant value written as a name (a module constant, True, False, None)?"""
    return not isinstance(value, (int, str)) or isinstance(value, bool)


def _top(code: str) -> str:
    """The code of a compound expression without its outer parentheses, for a whole statement's value."""
    inner = getattr(code, "inner", None)
    return inner if inner is not None else code


@attrs.frozen
class Strategy:
    """How one kind of generated code reads values: the lazy evaluator's methods (each decision and
    parameter a memoized method; explanations are this code with a trace) or the straight-line
    _decide_fast() (locals, constants folded when generated)."""

    name: str
    fold: bool  # constant expressions as their values, computed when generated
    locals: bool  # parameters and decisions are local variables (else self.p_x() / self.d_x())
    values: str  # the validated inputs
    as_of: str  # the evaluation date
    column_prefix: str  # of a table's column variables


LAZY = Strategy("lazy", fold=False, locals=False, values="v", as_of="self.as_of", column_prefix="")
STRAIGHT = Strategy("straight-line", fold=True, locals=True, values="_v", as_of="_as_of", column_prefix="_")


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


_RUNTIME_CACHE: dict[str, str] = {}

# The shared runtime of a compiled package: one file at the package root. A policy id is lower-case,
# so no policy's module can take this name.
RUNTIME_MODULE = "_PolicyRuntime"


def _runtime_source() -> str:
    if "text" not in _RUNTIME_CACHE:
        with open(RUNTIME_PATH, encoding="utf-8") as fh:
            _RUNTIME_CACHE["text"] = fh.read()
    return _RUNTIME_CACHE["text"]


def runtime_module_source() -> str:
    """The shared runtime module of a compiled package (standard library only)."""
    return ('"""The runtime shared by every evaluator of this package (generated by policylang; do not edit).\n\n'
            'Each module loads it once per process, so EvaluationError, InputError and BlankNotFilled are the\n'
            'same classes in every module."""\n\n' + _runtime_source())


def _runtime_digest() -> str:
    """The shared runtime's fingerprint, which every module of a package checks (once per process)."""
    if "digest" not in _RUNTIME_CACHE:
        _RUNTIME_CACHE["digest"] = hashlib.sha256(runtime_module_source().encode("utf-8")).hexdigest()[:16]
    return _RUNTIME_CACHE["digest"]


def _shared_runtime_loader(depth: int) -> list[str]:
    digest = _runtime_digest()
    ups = ", ".join(['".."'] * depth)
    parts = f"{ups}, " if depth else ""
    return [
        "# ---------------------------------------------------------------- runtime",
        f"# Shared by every module of this package: {RUNTIME_MODULE}.py at the package's root, loaded once",
        "# per process (by its path, so the module works however it is imported or loaded).",
        "",
        "",
        "def _shared_runtime():",
        "    import importlib.util",
        "    import os",
        "    import sys",
        "",
        f"    name = {py_str('_policylang_runtime_' + digest)}",
        "    module = sys.modules.get(name)",
        "    if module is None:",
        f"        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), {parts}{py_str(RUNTIME_MODULE + '.py')})",
        "        spec = importlib.util.spec_from_file_location(name, path)",
        "        module = importlib.util.module_from_spec(spec)",
        "        sys.modules[name] = module",
        "        try:",
        "            spec.loader.exec_module(module)",
        "        except BaseException:",
        "            del sys.modules[name]",
        "            raise",
        "    return module",
        "",
        "",
        "globals().update((key, value) for key, value in vars(_shared_runtime()).items() if not key.startswith('__'))",
    ]


# ---------------------------------------------------------------- entry points


def generate_module(policy: ResolvedPolicy, shared_runtime_depth: Optional[int] = None) -> str:
    """The Python source of the evaluator module for one policy (deterministic: same policy, same bytes).
    Standalone (the runtime copied in) unless shared_runtime_depth says how many folders below the
    root of a compiled package the module is (it then loads the package's shared runtime)."""
    return _Gen(policy).module(shared_runtime_depth)


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


# The fewest policies handed to a worker at a time (workers.spans: the first chunks are larger).
CHUNK_SIZE = 32


# The policies, files and depths of the write_modules call under way: a forked worker inherits
# them, so that only a chunk's (start, stop) crosses to it, not the policies themselves (pickling
# the resolved policies cost the parent ~2 CPU-s on the 3,209 tree, and each worker as much again).
_WRITING: Optional[tuple] = None


def _write_chunk(job: tuple[int, int]) -> int:
    """Generate and write the modules of one chunk of policies (in a worker, or here); returns how many."""
    assert _WRITING is not None, "a chunk written outside write_modules"
    policies, targets, depths = _WRITING
    start, stop = job
    for i in range(start, stop):
        _write_if_changed(targets[i], generate_module(policies[i], depths[i]))
    return stop - start


def write_modules(policies: Iterable[ResolvedPolicy], out_dir: str, standalone: bool = False,
                  progress: Optional[Callable[[int, int], None]] = None, jobs: Optional[int] = None,
                  only: Optional[Collection[str]] = None,
                  started: Optional[Callable[[], None]] = None) -> list[str]:
    """Write one module per policy under out_dir (cn/gd/stent-2020 -> out_dir/cn/gd/stent_2020.py), with
    __init__.py files so that the tree imports as a package. The runtime is written once, as
    out_dir/_PolicyRuntime.py, and every module loads it (one EvaluationError for all); with standalone,
    each module carries its own copy instead. progress(done, total) is told as modules are written.
    `jobs` is how many processes generate the modules (None: one per core for many policies, see
    workers.default_jobs); each writes its own modules, and the files are the same bytes whatever
    it is. A file already holding the same bytes is not rewritten. Returns the files written, sorted.
    With `only`, the modules of the other policies are not generated (`policylang build` knows them to
    be up to date) but still listed, and the package's layout is that of all the policies.
    started() is called once worker processes generate the modules (workers.map_chunks)."""
    written: set[str] = set()
    policies = list(policies)
    layout = package_layout(p.policy_id for p in policies)  # refuses collisions before writing anything
    os.makedirs(out_dir, exist_ok=True)
    if not standalone:
        target = os.path.join(out_dir, RUNTIME_MODULE + ".py")
        _write_if_changed(target, runtime_module_source())
        written.add(target)
    depths = [None if standalone else layout[p.policy_id].count("/") for p in policies]
    targets = [os.path.join(out_dir, *layout[p.policy_id].split("/")) for p in policies]
    # Folders and their __init__.py files first (up to out_dir), so that workers only write modules.
    made: set[str] = set()
    for target in targets:
        written.add(target)
        folder = os.path.dirname(target)
        if folder in made:
            continue
        os.makedirs(folder, exist_ok=True)
        while folder not in made:
            made.add(folder)
            init = os.path.join(folder, "__init__.py")
            if not os.path.exists(init):
                _write_if_changed(init, '"""Evaluators generated by policylang."""\n')
            written.add(init)
            if os.path.abspath(folder) == os.path.abspath(out_dir):
                break
            folder = os.path.dirname(folder)
    if only is not None:
        kept = [i for i, p in enumerate(policies) if p.policy_id in only]
        policies = [policies[i] for i in kept]
        targets = [targets[i] for i in kept]
        depths = [depths[i] for i in kept]
    if jobs is None:
        jobs = workers.default_jobs(len(policies))
    jobs_list = workers.spans(len(policies), jobs, CHUNK_SIZE)
    done = 0
    if progress:
        progress(0, len(policies))
    global _WRITING
    saved, _WRITING = _WRITING, (policies, targets, depths)
    try:
        # A worker's CodegenError comes back here and is raised as it is.
        for count in workers.map_chunks(_write_chunk, jobs_list, jobs, started):
            done += count
            if progress:
                progress(done, len(policies))
    finally:
        _WRITING = saved
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
