"""The canonical layout of a policy file (``policylang fmt``).

One layout, no options: header lines first in a fixed order, a blank line,
then the declarations in source order, one blank line apart (consecutive
inputs, params or provisions stay together as a group). Inside braces every
entry gets its own line, indented by four spaces. Expressions get the fewest
parentheses their precedence needs. Comments are kept: each is attached to the
line it trails, or to the line that follows it, and is printed back there.

Formatting is idempotent (fmt(fmt(x)) == fmt(x)) and preserves meaning: the
formatted text parses to the same tree, spans aside (see compare.py).

Keywords are written in one language, English (`en`, the default) or Chinese
(`zh`: `参数 prepayment_ratio：百分比 下限 30%`), whichever they were written in:
the words come from keywords.py, so both directions give the same tree.
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence

import attrs

from ..diagnostics import ERROR, Diagnostic, display_width
from . import ast as A
from . import keywords as K
from .parser import keyword_language, parse_source
from .precedence import STRENGTH, strength

# The keyword language of the file being formatted (format_file sets it).
_lang = "en"


def _kw(english: str) -> str:
    """A keyword (or a sequence such as 'at least') in the language being written."""
    return K.word(english, _lang)


def _colon() -> str:
    return "：" if _lang == "zh" else ": "

INDENT = "    "
GROUPED_KINDS = (A.InputDecl, A.ParamDecl, A.ProvisionDecl)
MAX_WIDTH = 100

HEADER_ORDER = ("title", "level", "region", "issuer", "document", "issued", "effective", "ends", "status",
                "extends", "amends", "amended_effective", "amended_ends")
HEADER_KEYWORD = {"title": "policy"}
_UNIT_WORDS = {"yuan": ("yuan", "yuan"), "days": ("day", "days"), "months": ("month", "months"),
               "years": ("year", "years"), "working_days": ("working day", "working days")}

# ---------------------------------------------------------------- expressions

# Binding strength, weakest first (syntax/precedence.py, the table every backend uses too); a
# child binding weaker than its slot needs parentheses.
P_IF, P_OR, P_AND, P_NOT, P_CMP, P_SUM, P_TERM, P_UNARY, P_POSTFIX, P_ATOM = (
    STRENGTH[k] for k in ("if", "or", "and", "not", "compare", "sum", "product", "negation", "postfix", "atom"))


def _precedence(expr: A.Expr) -> int:
    if isinstance(expr, A.IfElse):
        return P_IF
    if isinstance(expr, A.Binary):
        return strength(expr.op)
    if isinstance(expr, A.InSet):
        return strength("not_in" if expr.negated else "in")
    if isinstance(expr, A.Unary):
        return strength("not" if expr.op == "not" else "neg")
    return P_ATOM


def quote(text: str, lang: Optional[str] = None) -> str:
    """A string literal the parser reads back as exactly `text`.

    In Chinese (lang, else the language being written) a text is quoted “like this”
    when it can be: when it holds no ” (which would end it) and nothing to escape."""
    if (lang or _lang) == "zh" and "”" not in text and not any(
            ch in text for ch in '\\\n\t\x7f\x85\u2028\u2029') and all(ord(ch) >= 0x20 for ch in text):
        return f"“{text}”"
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ch in "\x7f\x85\u2028\u2029":
            # Line breaks of every kind (and other controls) would end or garble the line.
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def format_number(number: A.Number) -> str:
    if number.unit is None:
        return number.text
    if number.unit == "percent":
        return number.text + "%"
    if _lang == "zh" and number.unit in K.UNITS_ZH:
        return number.text + K.UNITS_ZH[number.unit]
    singular, plural = _UNIT_WORDS.get(number.unit, (number.unit, number.unit))
    word = singular if number.unit != "yuan" and number.text == "1" else plural
    return f"{number.text} {word}"


def format_expr(expr: A.Expr, slot: int = P_IF) -> str:
    """expr as text; parenthesised when it binds weaker than the slot it sits in."""
    text = _format_bare(expr)
    return f"({text})" if _precedence(expr) < slot else text


def _format_bare(expr: A.Expr) -> str:
    if isinstance(expr, A.Number):
        return format_number(expr)
    if isinstance(expr, A.DateLit):
        return expr.value.isoformat()
    if isinstance(expr, A.Text):
        return quote(expr.value)
    if isinstance(expr, A.BoolLit):
        return _kw("true") if expr.value else _kw("false")
    if isinstance(expr, A.NoneLit):
        return _kw("none")
    if isinstance(expr, A.Name):
        return K.name_word(K.BUILTINS, expr.name, _lang)
    if isinstance(expr, A.Attribute):
        return f"{format_expr(expr.base, P_POSTFIX)}.{expr.attr}"
    if isinstance(expr, A.Call):
        args = [format_expr(arg) for arg in expr.args]
        if expr.func == "round" and _lang == "zh":
            args = args[:1] + [K.name_word(K.ROUND_WORDS, a.name, _lang) if isinstance(a, A.Name) else text
                               for a, text in zip(expr.args[1:], args[1:])]
        return f"{K.name_word(K.FUNCTIONS, expr.func, _lang)}({', '.join(args)})"
    if isinstance(expr, A.Where):
        return f"{format_expr(expr.source)} {_kw('where')} {format_expr(expr.cond)}"
    if isinstance(expr, A.Unary):
        if expr.op == "not":
            return _kw("not") + " " + format_expr(expr.operand, P_NOT)
        operand = format_expr(expr.operand, P_UNARY)
        return "- " + operand if operand.startswith("-") else "-" + operand
    if isinstance(expr, A.InSet):
        keyword = _kw("not in") if expr.negated else _kw("in")
        return f"{format_expr(expr.operand, P_SUM)} {keyword} {{{', '.join(format_expr(i) for i in expr.items)}}}"
    if isinstance(expr, A.IfElse):
        return (f"{_kw('if')} {format_expr(expr.cond)} {_kw('then')} {format_expr(expr.then)} "
                f"{_kw('else')} {format_expr(expr.otherwise)}")
    if isinstance(expr, A.Binary):
        prec = _precedence(expr)
        if prec == P_CMP:  # comparisons do not chain: both sides are sums
            left_slot, right_slot = P_SUM, P_SUM
        elif prec == P_AND:
            left_slot, right_slot = P_AND, P_NOT
        else:  # left-associative: the right operand must bind tighter
            left_slot, right_slot = prec, prec + 1
        op = _kw(expr.op) if expr.op in ("and", "or") else expr.op
        return f"{format_expr(expr.left, left_slot)} {op} {format_expr(expr.right, right_slot)}"
    raise TypeError(f"not an expression node: {expr!r}")


# ---------------------------------------------------------------- metadata and pieces


def meta_parts(meta: A.Meta) -> list[str]:
    """The metadata of a declaration or entry, in canonical order: label, article, note, because."""
    parts = []
    if meta.label is not None:
        parts.append(quote(meta.label))
    if meta.article is not None:
        parts.append(_kw("article") + " " + quote(meta.article))
    if meta.note is not None:
        parts.append(_kw("note") + " " + quote(meta.note))
    if meta.reason is not None:
        parts.append(_kw("because") + " " + quote(meta.reason))
    return parts


def format_meta(meta: A.Meta) -> str:
    return " ".join(meta_parts(meta))


def _with_meta(code: str, meta: A.Meta, suffix: str = "", indent_width: int = 0) -> list[str]:
    """code, its metadata and suffix (' {', ' =') on one line when that fits in MAX_WIDTH.

    Otherwise: the label and the article stay together, on the first line if the label
    fits there (the article alone always does), else on an indented continuation line;
    note and because each get an indented continuation line of their own.
    """
    parts = meta_parts(meta)
    one_line = _join(code, *parts) + suffix
    if not parts or indent_width + display_width(one_line) <= MAX_WIDTH:
        return [one_line]
    cited = _join(quote(meta.label) if meta.label is not None else None,
                  _kw("article") + " " + quote(meta.article) if meta.article is not None else None)
    lines = [code]
    if cited:
        fits = indent_width + display_width(_join(code, quote(meta.label))) <= MAX_WIDTH \
            if meta.label is not None else True
        if fits:
            lines[0] = _join(code, cited)
        else:
            lines.append(INDENT + cited)
    if meta.note is not None:
        lines.append(INDENT + _kw("note") + " " + quote(meta.note))
    if meta.reason is not None:
        lines.append(INDENT + _kw("because") + " " + quote(meta.reason))
    lines[-1] += suffix
    return lines


def _join(*parts: Optional[str]) -> str:
    return " ".join(p for p in parts if p)


def _format_cell(cell: A.Cell) -> str:
    if cell.kind == "any":
        return "-"
    if cell.kind == "eq":
        return format_expr(cell.values[0])
    if cell.kind == "cmp":
        return f"{cell.op} {format_expr(cell.values[0])}"
    items = ", ".join(format_expr(v) for v in cell.values)
    return (_kw("not in") if cell.kind == "not_in" else _kw("in")) + " {" + items + "}"


def _format_header(item: A.HeaderItem) -> str:
    if item.key in ("amended_effective", "amended_ends"):
        return f"{_kw('override')} {_kw(item.key[len('amended_'):])} {item.value.isoformat()}"
    keyword = _kw(HEADER_KEYWORD.get(item.key, item.key))
    value = item.value
    if item.key in ("title", "region", "issuer", "document", "summary"):
        return f"{keyword} {quote(str(value))}"
    if hasattr(value, "isoformat"):
        return f"{keyword} {value.isoformat()}"
    if value is None and item.key == "effective":
        return f"{keyword} {_kw('unknown')}"
    if item.key == "level":
        return f"{keyword} {K.name_word(K.LEVELS, str(value), _lang)}"
    if item.key == "status":
        return f"{keyword} {K.name_word(K.STATUSES, str(value), _lang)}"
    return f"{keyword} {value}"


def _header_rank(item) -> int:
    if isinstance(item, A.Uses):
        return len(HEADER_ORDER)
    if item.key == "summary":
        return len(HEADER_ORDER) + 1
    return HEADER_ORDER.index(item.key) if item.key in HEADER_ORDER else len(HEADER_ORDER) + 2


def canonical_header(policy: A.PolicyFile) -> list:
    """Header items and uses lines in the canonical order (stable for repeated keys)."""
    return sorted([*policy.header, *policy.uses], key=_header_rank)


# ---------------------------------------------------------------- layout with comments


@attrs.define
class _Unit:
    """One printable element: a header line, a declaration, or an entry inside braces.

    head: the output lines of the element itself (for a block, the last ends in '{');
    children: the entries inside its braces (None when it has no braces);
    tail: the closing line of a block ('}').
    Comments attach to units: `leading` ones are printed on their own lines above it;
    `trailing` ones at the end of its first line (when written on its first line) or
    of its last head line; `closing` ones above the closing brace, and `trailing_tail`
    ones after it.
    """

    span: A.Span
    head: list[str]
    children: Optional[list["_Unit"]] = None
    tail: Optional[str] = None
    leading: list[tuple[int, int, str]] = attrs.Factory(list)  # (line, column, text) of each comment
    trailing: list[tuple[int, int, str]] = attrs.Factory(list)
    trailing_tail: list[str] = attrs.Factory(list)
    closing: list[str] = attrs.Factory(list)
    one_line_ok: bool = False  # a block that may be printed on one line (an enum)


def _child(span: A.Span, code: str, meta: A.Meta = A.EMPTY_META) -> _Unit:
    return _Unit(span, _with_meta(code, meta, "", len(INDENT)))


def _block(span: A.Span, code: str, meta: A.Meta, children: list[_Unit]) -> _Unit:
    return _Unit(span, _with_meta(code, meta, " {"), children, "}")


def _line(span: A.Span, code: str, meta: A.Meta) -> _Unit:
    return _Unit(span, _with_meta(code, meta))


def type_words(type_ref: A.TypeRef) -> str:
    """A type as written: `money` (金额), `list of PurchaseLine` (列表 PurchaseLine)."""
    if type_ref.is_list:
        return f"{_kw('list of')} {type_ref.name}"
    text = K.name_word(K.TYPES, type_ref.name, _lang)
    if type_ref.up_to is not None:
        text += f" {_kw('up to')} {type_ref.up_to_text}%"
    return text


def _decl_unit(decl: A.Decl) -> _Unit:
    prefix = _kw("override") + " " if decl.override else ""
    colon = _colon()

    def head(keyword: str, name: str, type_ref: Optional[A.TypeRef] = None) -> str:
        text = f"{prefix}{_kw(keyword)} {name}"
        return text + colon + type_words(type_ref) if type_ref is not None else text

    if isinstance(decl, A.EnumDecl):
        members = [_child(m.span, _join(m.name, quote(m.label) if m.label is not None else None) + ",")
                   for m in decl.members]
        unit = _block(decl.span, head("enum", decl.name), decl.meta, members)
        unit.one_line_ok = True
        return unit
    if isinstance(decl, A.RecordDecl):
        fields = [_child(f.span, _join(f"{f.name}{colon}{type_words(f.type)}", _kw("optional") if f.optional else None,
                                       quote(f.label) if f.label is not None else None) + ",")
                  for f in decl.fields]
        unit = _block(decl.span, head("record", decl.name), decl.meta, fields)
        unit.one_line_ok = True
        return unit
    if isinstance(decl, A.InputDecl):
        code = _join(head("input", decl.name, decl.type), _kw("optional") if decl.optional else None)
        return _line(decl.span, code, decl.meta)
    if isinstance(decl, A.ParamDecl) and decl.is_keyed:
        by = "按" if _lang == "zh" else _kw("by")
        keys = [_child(k.span, f"{k.name}{colon}{_param_statement(k)}", k.meta) for k in decl.keys]
        return _block(decl.span, f"{head('param', decl.name, decl.type)} {by} {decl.key_input}", decl.meta, keys)
    if isinstance(decl, A.ParamDecl):
        return _line(decl.span, _join(head("param", decl.name, decl.type), _param_statement(decl)), decl.meta)
    if isinstance(decl, A.DecisionDecl):
        code = head("decision", decl.name, decl.type) + _direction_words(decl)
        if decl.expr is not None:
            expr = format_expr(decl.expr)
            one_line = _join(code, format_meta(decl.meta)) + " = " + expr
            if display_width(one_line) <= MAX_WIDTH:
                return _Unit(decl.span, [one_line])
            return _Unit(decl.span, _with_meta(code, decl.meta, " =") + [INDENT + expr])
        cases = [_child(c.span, f"{_kw('when')} {format_expr(c.cond)} {_kw('then')} {format_expr(c.value)}"
                        + _direction_words(c), c.meta)
                 for c in decl.cases]
        if decl.otherwise is not None:
            o = decl.otherwise
            cases.append(_child(o.span, f"{_kw('otherwise')} {format_expr(o.value)}", o.meta))
        return _block(decl.span, code, decl.meta, cases)
    if isinstance(decl, A.TableDecl):
        columns_span = decl.columns[0].span.merge(decl.columns[-1].span) if decl.columns else decl.span
        entries = [_child(columns_span, _kw("columns") + " " + ", ".join(c.name for c in decl.columns))]
        for row in decl.rows:
            cells = _kw("otherwise") if row.is_otherwise else ", ".join(_format_cell(c) for c in row.cells)
            direction = ((" " + _kw("in principle") if row.in_principle else "")
                         + (f" {_kw(row.direction)}" if row.direction else ""))
            entries.append(_child(row.span, f"{_kw('row')} {cells} => {format_expr(row.output)}{direction}",
                                  row.meta))
        return _block(decl.span, head("table", decl.name, decl.type) + _direction_words(decl), decl.meta, entries)
    if isinstance(decl, A.ScheduleDecl):
        entries = [_child(e.span, f"{_kw('from')} {format_expr(e.start)}{colon}{format_expr(e.value)}", e.meta)
                   for e in decl.entries]
        return _block(decl.span, head("schedule", decl.name), decl.meta, entries)
    if isinstance(decl, A.RequireDecl):
        deadline = f"{_kw('by')} {format_expr(decl.deadline)}" if decl.deadline is not None else None
        return _line(decl.span, _join(head("require", decl.name) + colon + format_expr(decl.cond), deadline),
                     decl.meta)
    if isinstance(decl, A.ExampleDecl):
        entries = []
        if decl.as_of is not None:
            entries.append(_child(decl.as_of.span, f"{_kw('as_of')} {format_expr(decl.as_of)}"))
        entries.extend(_aligned(_kw("given"), [(b.span, f"{b.name} = {_given_value(b.value)}") for b in decl.given],
                                decl.span))
        expectations = [(e.span, f"{e.name} {_kw('needs')} {e.needs}" if e.needs is not None
                         else f"{e.name} = {format_expr(e.value)}") for e in decl.expect]
        entries.extend(_aligned(_kw("expect"), expectations, decl.span))
        return _block(decl.span, _join(f"{prefix}{_kw('example')}", decl.name), decl.meta, entries)
    if isinstance(decl, A.ProvisionDecl):
        modality = _kw(decl.modality.replace("_", " "))
        actors = ", ".join(decl.actors) if decl.actors else decl.actor
        code = f"{head('provision', decl.name)}{colon}{actors} {modality} {quote(decl.text)}"
        return _line(decl.span, code, decl.meta)
    if isinstance(decl, A.CalendarDecl):
        entries = []
        if decl.document is not None:
            entries.append((decl.document_span, f"{_kw('document')} {quote(decl.document)}"))
        if decl.issued is not None:
            entries.append((decl.issued_span, f"{_kw('issued')} {decl.issued.isoformat()}"))
        for day in decl.holidays:
            text = f"{_kw('holiday')} {day.first.isoformat()}"
            if day.last != day.first:
                text += f" {_kw('to')} {day.last.isoformat()}"
            entries.append((day.span, _join(text, quote(day.label) if day.label is not None else None)))
        for day in decl.workdays:
            entries.append((day.span, _join(f"{_kw('workday')} {day.first.isoformat()}",
                                            quote(day.label) if day.label is not None else None)))
        entries.sort(key=lambda e: (e[0].line, e[0].column) if e[0] is not None else (0, 0))
        children = [_child(span or decl.span, text) for span, text in entries]
        return _block(decl.span, head("calendar", decl.name), decl.meta, children)
    raise TypeError(f"not a declaration: {decl!r}")


def _param_statement(decl: A.ParamDecl) -> str:
    """A param's (or one key's) statement kind, value and bounds: `in principle floor 30% at most 50%`."""
    if decl.statement == "delegated":
        statement = (_kw("delegated to") + " " + K.name_word(K.LEVELS, decl.to_level, _lang)
                     if decl.to_level else _kw("delegated"))
        if decl.required:
            statement += " " + _kw("required")
    else:
        statement = f"{_kw(decl.statement)} {format_expr(decl.value)}"
    if decl.in_principle:
        statement = _kw("in principle") + " " + statement
    bounds = " ".join(_kw("at least" if b.op == "at_least" else "at most") + " " + format_expr(b.expr)
                      for b in decl.bounds)
    return _join(statement, bounds)


def _direction_words(node) -> str:
    """' fixed', ' ceiling', ' floor' or nothing: how a decision, table or case binds lower levels."""
    if node.fixed:
        return " " + _kw("fixed")
    principle = " " + _kw("in principle") if getattr(node, "in_principle", False) else ""
    return f"{principle} {_kw(node.bound)}" if node.bound else ""


def _given_value(value) -> str:
    """A value in an example's `given`: an expression, or a list of records `[{a = 1, b = true}, …]`."""
    if isinstance(value, A.ListValue):
        elements = ["{" + ", ".join(f"{f.name} = {format_expr(f.value)}" for f in element.fields) + "}"
                    for element in value.elements]
        if len(elements) < 2:
            return "[" + "".join(elements) + "]"
        # one element a line, under the name: `given purchases = [` … `]`
        return "[\n" + ",\n".join(INDENT + e for e in elements) + "\n]"
    return format_expr(value)


def _aligned(keyword: str, items: list[tuple[A.Span, str]], fallback: A.Span) -> list[_Unit]:
    """`given a = 1` with later items on their own lines, aligned under the first."""
    if not items:
        # An empty 'given' still has to be written; it has no span of its own, so it
        # borrows one that sorts before any comment inside the example.
        return [_Unit(attrs.evolve(fallback, end_line=fallback.line), [keyword])]
    pad = " " * (display_width(keyword) + 1)
    units = [_child(span, (f"{keyword} " if i == 0 else pad) + text) for i, (span, text) in enumerate(items)]
    for unit in units:
        if "\n" in unit.head[0]:  # a list given one element a line: the later lines under the item
            first, *rest = unit.head[0].split("\n")
            unit.head[0:1] = [first] + [pad + line for line in rest]
    return units


def _code_before(comment: A.Comment, spans_by_line: dict[int, list[A.Span]]) -> bool:
    """Whether any code precedes the comment on its line (then it trails that code)."""
    for span in spans_by_line.get(comment.line, ()):
        if span.line == comment.line and span.column < comment.column:
            return True
        if span.end_line == comment.line and span.end_column <= comment.column:
            return True
    return False


def _all_spans(policy: A.PolicyFile) -> Iterable[A.Span]:
    """Every span in the tree (declarations, entries and every expression node)."""
    stack: list = [*policy.header, *policy.uses, *policy.decls]
    while stack:
        node = stack.pop()
        if isinstance(node, A.Span):
            yield node
        elif isinstance(node, tuple):
            stack.extend(node)
        elif attrs.has(type(node)):
            for field in attrs.fields(type(node)):
                value = getattr(node, field.name)
                if isinstance(value, (A.Span, tuple)) or attrs.has(type(value)):
                    stack.append(value)


def _contains(span: A.Span, line: int) -> bool:
    return span.line <= line <= span.end_line


def _attach(units: list[_Unit], comment: A.Comment, text: str, trailing: bool) -> bool:
    """Attach a comment inside `units` (a list of siblings). False when it lies after them all."""
    line = comment.line
    note = (comment.line, comment.column, text)
    for unit in units:
        if not _contains(unit.span, line):
            continue
        if unit.children is not None and unit.span.line < line:
            if _attach(unit.children, comment, text, trailing):
                return True
            if line == unit.span.end_line and trailing:
                unit.trailing_tail.append(text)
            else:
                unit.closing.append(text)
            return True
        if trailing:
            unit.trailing.append(note)
        else:
            unit.leading.append(note)
        return True
    # An own-line comment, or one trailing code without a unit of its own (a lone '{'):
    # it goes with the next element.
    for unit in units:
        if unit.span.line > line:
            unit.leading.append(note)
            return True
    return False


def _place_trailing(unit: _Unit, lines: list[str]) -> list[tuple[int, int, str]]:
    """Append trailing comments to `lines` (the unit's head, indented): a comment written on
    the unit's first line stays on its first line, the others go to the last line. A line
    holds one comment; the rest are returned, to be printed above the unit."""
    on_first = [c for c in unit.trailing if c[0] == unit.span.line]
    on_later = [c for c in unit.trailing if c[0] != unit.span.line]
    if len(lines) == 1:
        on_first, on_later = [], on_first + on_later
    extra: list[tuple[int, int, str]] = []
    for index, group in ((0, on_first), (len(lines) - 1, on_later)):
        if group:
            lines[index] += "  " + group[-1][2]
            extra.extend(group[:-1])
    return extra


def _emit(unit: _Unit, indent: str, out: list[str]) -> None:
    head = [indent + line for line in unit.head]
    extra = _place_trailing(unit, head)
    for _, _, text in sorted(unit.leading + extra):
        out.append(indent + text)
    if unit.children is None:
        out.extend(head)
        return
    quiet = not unit.trailing and not unit.trailing_tail and not unit.closing and all(
        not c.leading and not c.trailing for c in unit.children)
    if unit.one_line_ok and quiet and len(unit.head) == 1:
        inner = ", ".join(c.head[0].rstrip(",") for c in unit.children)
        one_line = f"{indent}{unit.head[0][:-2]} {{ {inner} }}"
        if display_width(one_line) <= MAX_WIDTH:
            out.append(one_line)
            return
    out.extend(head)
    for child in unit.children:
        _emit(child, indent + INDENT, out)
    for text in unit.closing:
        out.append(indent + INDENT + text)
    for text in unit.trailing_tail[:-1]:
        out.append(indent + INDENT + text)
    out.append(indent + unit.tail + ("  " + unit.trailing_tail[-1] if unit.trailing_tail else ""))


def _groups_with(previous: A.Decl, decl: A.Decl, unit: _Unit) -> bool:
    """Consecutive inputs, params or provisions (one kind at a time) are printed as one
    group without blank lines; a comment above one starts a new group, as its heading."""
    keyed = isinstance(decl, A.ParamDecl) and decl.is_keyed or isinstance(previous, A.ParamDecl) and previous.is_keyed
    return isinstance(decl, GROUPED_KINDS) and type(previous) is type(decl) and not keyed \
        and not unit.leading and not _place_trailing(unit, list(unit.head))


def format_file(policy: A.PolicyFile, comments: Sequence[A.Comment] = (), keywords: str = "en") -> str:
    """The canonical text of a parsed policy, with its comments put back; keywords in
    English (en) or Chinese (zh)."""
    global _lang
    previous_lang, _lang = _lang, keywords
    try:
        return _format_file(policy, comments)
    finally:
        _lang = previous_lang


def _format_file(policy: A.PolicyFile, comments: Sequence[A.Comment]) -> str:
    header_units = [_Unit(item.span, [_format_header(item) if isinstance(item, A.HeaderItem)
                                      else f"{_kw('uses')} {item.policy_id} {_kw('as')} {item.alias}"])
                    for item in canonical_header(policy)]
    decl_units = [_decl_unit(decl) for decl in policy.decls]

    spans_by_line: dict[int, list[A.Span]] = {}
    for span in _all_spans(policy):
        spans_by_line.setdefault(span.line, []).append(span)
        if span.end_line != span.line:
            spans_by_line.setdefault(span.end_line, []).append(span)

    # Attach in source order: every unit at the top level, sorted by where it was written.
    top = sorted(header_units + decl_units, key=lambda u: (u.span.line, u.span.column))
    # Comments above everything describe the whole file: they stay on top even when the
    # header line below them moves.
    first_line = top[0].span.line if top else None
    preamble: list[str] = []
    final: list[str] = []
    for comment in sorted(comments, key=lambda c: (c.line, c.column)):
        text = comment.text.rstrip()
        if first_line is not None and comment.line < first_line:
            preamble.append(text)
            continue
        trailing = _code_before(comment, spans_by_line)
        if not _attach(top, comment, text, trailing):
            final.append(text)

    out: list[str] = list(preamble)
    for unit in header_units:
        _emit(unit, "", out)
    previous: Optional[A.Decl] = None
    for decl, unit in zip(policy.decls, decl_units):
        # One blank line after the header and between declarations (but not between the
        # opening comments of a file without header and its first declaration).
        if (previous is None and header_units) or (previous is not None and not _groups_with(previous, decl, unit)):
            out.append("")
        _emit(unit, "", out)
        previous = decl
    if final:
        if out:
            out.append("")
        out.extend(final)
    return "\n".join(out) + "\n" if out else ""


def format_source(text: str, path: str = "<string>", keywords: Optional[str] = None
                  ) -> tuple[Optional[str], list[Diagnostic]]:
    """Format policy source text. Returns (None, diagnostics) when the text does not parse.

    keywords: en or zh; by default the language most of the file's keywords are written in."""
    result = parse_source(text, path)
    diags = list(result.diagnostics)
    if result.file is None or any(d.severity == ERROR for d in diags):
        return None, diags
    return format_file(result.file, result.file.comments, keywords or keyword_language(text)), diags
