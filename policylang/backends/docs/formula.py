"""Resolved expressions as readable formulas.

`round(agreed_amount * prepayment_ratio, fen, up)` becomes
`round(年度约定采购金额 × 医保基金预付比例【30%】, 分, 向上)`: each name is shown by its
label (the name stays available as a tooltip in HTML), parameters show the
value in force, operators are the ones on a reader's desk.

A formula is built once as a list of segments (Rich) and printed either as
Markdown text or as HTML; both printers escape what the policy author wrote.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Callable, Optional

import attrs
from markupsafe import Markup, escape

from ...semantics.builtins import AGGREGATES, BUILTINS
from ...semantics.model import Duration, RAggregate, RBinary, RCall, RExpr, RIf, RIn, RLit, RRef, RUnary
from ...semantics.operators import STRENGTH, key_of
from . import i18n
from .i18n import Words

# Characters that Markdown would read as markup. Escaping them keeps a hostile
# or unusual label literal text in the rendered Markdown.
_MD_SPECIAL = "\\`*_[]<>|#"


_MD_TABLE = {ord(ch): "\\" + ch for ch in _MD_SPECIAL}
_MD_TABLE[ord("\n")] = " "


def md_escape(text) -> str:
    if text is None:
        return ""
    return str(text).translate(_MD_TABLE)


@attrs.frozen
class Seg:
    """One piece of a formula. kind: 'text' (operators, punctuation), 'ref' (a
    named item, shown by its label), 'lit' (a literal value), 'val' (the value in
    force of a referenced parameter), 'blank' (a parameter nobody has filled)."""

    kind: str
    text: str
    name: Optional[str] = None  # for refs: the item's name (tooltip / code)
    ref_kind: Optional[str] = None  # input | param | decision | builtin | external
    href: Optional[str] = None


@attrs.frozen
class Rich:
    """Text with references, printable as Markdown (`.md`), HTML (`__html__`) or plain (`str`)."""

    segs: tuple[Seg, ...] = ()

    def __str__(self) -> str:
        return "".join(s.text for s in self.segs)

    def __bool__(self) -> bool:
        return bool(self.segs)

    @property
    def md(self) -> str:
        return "".join(_seg_md(s) for s in self.segs)

    def __html__(self) -> str:
        return "".join(_seg_html(s) for s in self.segs)

    @property
    def html(self) -> Markup:
        return Markup(self.__html__())

    def __add__(self, other: "Rich") -> "Rich":
        return Rich(self.segs + other.segs)


def plain(text: str) -> Rich:
    return Rich((Seg("text", text),))


def _seg_md(seg: Seg) -> str:
    return md_escape(seg.text)


def _seg_html(seg: Seg) -> str:
    text = escape(seg.text)
    if seg.kind == "ref":
        title = escape(seg.name or "")
        cls = f"ref ref-{escape(seg.ref_kind or 'item')}"
        if seg.href:
            return f'<a class="{cls}" href="{escape(seg.href)}" title="{title}">{text}</a>'
        return f'<span class="{cls}" title="{title}">{text}</span>'
    if seg.kind == "lit":
        return f'<span class="lit">{text}</span>'
    if seg.kind == "val":
        return f'<span class="val">{text}</span>'
    if seg.kind == "blank":
        return f'<span class="val blank">{text}</span>'
    return str(text)


# ---------------------------------------------------------------- values


def format_decimal(value: Decimal) -> str:
    """A Decimal without exponent or needless trailing zeros after the point."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def format_money(value: Decimal, words: Words) -> str:
    text = format(value.quantize(Decimal("0.01")), "f") if value != value.to_integral_value() else format_decimal(value)
    return f"{text}元" if words.lang == i18n.ZH else f"{text} yuan"


def format_value(value, kind: str, words: Words, enum_label: Callable[[str], Optional[str]] = lambda m: None) -> str:
    """A computed or literal value as a reader writes it: 7000元, 30%, 3年, 是."""
    if value is None:
        return i18n.NONE_WORD[words.lang]
    if isinstance(value, bool):
        return i18n.BOOL_WORDS[value][words.lang]
    if kind == "money" and isinstance(value, (Decimal, int)):
        return format_money(Decimal(value), words)
    if kind == "percent" and isinstance(value, (Decimal, int)):
        return format_decimal(Decimal(value) * 100) + "%"
    if isinstance(value, Duration):
        unit = i18n.DURATION_UNITS.get(value.unit, {}).get(words.lang, value.unit)
        return f"{value.amount}{unit}" if words.lang == i18n.ZH else f"{value.amount} {unit}"
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format_decimal(value)
    if kind == "enum" and isinstance(value, str):
        return enum_label(value) or value
    if kind == "text" and isinstance(value, str):
        return f"“{value}”" if words.lang == i18n.ZH else f'"{value}"'
    return str(value)


# ---------------------------------------------------------------- expressions

def _strength(expr: RExpr) -> int:
    """Binding strength (semantics/operators.py): a child looser than its parent is parenthesised."""
    op = key_of(expr)
    if op is not None:
        return op.strength
    return STRENGTH["if"] if isinstance(expr, RIf) else STRENGTH["atom"]


@attrs.frozen
class RefInfo:
    """How to show a name: its label, a link, and (for parameters) the value in force."""

    label: str
    href: Optional[str] = None
    value: Optional[str] = None
    is_blank: bool = False


class FormulaPrinter:
    """Prints the resolved expressions of one policy page.

    `lookup(ref)` gives the RefInfo of a referenced item (None: show the name).
    `enum_label(type_name, member)` gives an enum member's label.
    """

    def __init__(self, words: Words, lookup: Callable[[RRef], Optional[RefInfo]],
                 enum_label: Callable[[Optional[str], str], Optional[str]], show_values: bool = True,
                 builtin_labels: Optional[dict[str, str]] = None,
                 field_label: Optional[Callable[[str, str], Optional[str]]] = None):
        self.words = words
        self.lookup = lookup
        self.enum_label = enum_label
        self.show_values = show_values
        self.builtin_labels = builtin_labels or {}
        # field_label(record type, field) -> the field's label, for the fields an aggregate reads
        self.field_label = field_label
        self._records: list[str] = []  # the record types of the aggregates being printed, innermost last

    def naming(self, **builtin_labels: str) -> "FormulaPrinter":
        """The same printer, with builtins (effective_date…) named otherwise: an inherited deadline
        counts from the declaring policy's date, not this page's."""
        return FormulaPrinter(self.words, self.lookup, self.enum_label, self.show_values,
                              {**self.builtin_labels, **builtin_labels}, self.field_label)

    def __call__(self, expr: Optional[RExpr]) -> Rich:
        if expr is None:
            return Rich()
        out: list[Seg] = []
        self._emit(expr, out)
        return Rich(tuple(_merge_text(out)))

    # -- pieces
    def literal(self, lit: RLit) -> str:
        w = self.words
        if lit.type.kind == "enum" and isinstance(lit.value, str):
            return self.enum_label(lit.type.enum, lit.value) or lit.value
        if lit.type.kind == "none" or lit.value is None:
            return i18n.NONE_WORD[w.lang]
        return format_value(lit.value, lit.type.kind, w)

    def _emit(self, expr: RExpr, out: list[Seg]) -> None:
        # Expressions nest at most 100 deep (PL104), so recursion is safe here.
        w = self.words
        if isinstance(expr, RLit):
            out.append(Seg("lit", self.literal(expr)))
        elif isinstance(expr, RRef):
            self._ref(expr, out)
        elif isinstance(expr, RUnary):
            op = key_of(expr)
            out.append(Seg("text", op.docs[w.lang] + (" " if op.words else "")))
            self._child(expr.operand, op.strength, out, tight=True)
        elif isinstance(expr, RBinary):
            op = key_of(expr)
            self._child(expr.left, op.strength, out)
            out.append(Seg("text", f" {op.docs[w.lang]} "))
            # Right operands of - and / and comparisons bind tighter: a − (b − c).
            self._child(expr.right, op.strength, out, tight=op.tight_right and not op.associative)
        elif isinstance(expr, RIn):
            op = key_of(expr)
            self._child(expr.operand, op.strength, out, tight=True)
            out.append(Seg("text", f" {op.docs[w.lang]} {{"))
            for i, item in enumerate(expr.items):
                if i:
                    out.append(Seg("text", "、" if w.lang == i18n.ZH else ", "))
                self._emit(item, out)
            out.append(Seg("text", "}"))
        elif isinstance(expr, RIf):
            out.append(Seg("text", i18n.OPERATORS["if"][w.lang] + " "))
            self._child(expr.cond, STRENGTH["if"], out, tight=True)
            out.append(Seg("text", " " + i18n.OPERATORS["then"][w.lang] + " "))
            self._child(expr.then, STRENGTH["if"], out, tight=True)
            out.append(Seg("text", " " + i18n.OPERATORS["else"][w.lang] + " "))
            self._child(expr.otherwise, STRENGTH["if"], out)
        elif isinstance(expr, RCall):
            self._call(expr, out)
        elif isinstance(expr, RAggregate):
            agg = AGGREGATES[expr.func]
            out.append(Seg("text", f"{agg.docs.get(w.lang, expr.func)}("))
            self._emit(expr.source, out)
            self._records.append(expr.record)
            try:
                if expr.where is not None:
                    out.append(Seg("text", f" {i18n.OPERATORS['where'][w.lang]} "))
                    self._emit(expr.where, out)
                if expr.value is not None:
                    out.append(Seg("text", ", "))
                    self._emit(expr.value, out)
            finally:
                self._records.pop()
            out.append(Seg("text", ")"))
        else:  # an unknown node (a newer model): show nothing rather than fail
            out.append(Seg("text", "?"))

    def _child(self, child: RExpr, parent_strength: int, out: list[Seg], tight: bool = False) -> None:
        strength = _strength(child)
        needs = strength < parent_strength or (tight and strength == parent_strength and strength < STRENGTH["atom"])
        if needs:
            out.append(Seg("text", "("))
        self._emit(child, out)
        if needs:
            out.append(Seg("text", ")"))

    def _call(self, call: RCall, out: list[Seg]) -> None:
        w = self.words
        builtin = BUILTINS.get(call.func)
        name = builtin.docs.get(w.lang, call.func) if builtin is not None else call.func
        out.append(Seg("text", f"{name}("))
        for i, arg in enumerate(call.args):
            if i:
                out.append(Seg("text", ", "))
            self._emit(arg, out)
        if builtin is not None and builtin.docs_options is not None:
            for word in builtin.docs_options(call, w.lang):
                out.append(Seg("text", ", " + word))
        out.append(Seg("text", ")"))

    def _ref(self, ref: RRef, out: list[Seg]) -> None:
        w = self.words
        if ref.kind == "field":  # a field of the element an aggregate is at, by its label
            label = (self.field_label(self._records[-1], ref.name)
                     if self.field_label is not None and self._records else None)
            out.append(Seg("ref", label, ref.name, "field") if label else Seg("text", ref.name))
            return
        if ref.kind == "builtin":
            label = self.builtin_labels.get(ref.name) or i18n.BUILTINS.get(ref.name, {}).get(w.lang, ref.name)
            out.append(Seg("ref", label, ref.name, "builtin"))
            return
        info = self.lookup(ref)
        shown_name = f"{ref.alias}.{ref.name}" if ref.alias else ref.name
        if info is None:
            out.append(Seg("ref", shown_name, shown_name, ref.kind))
            return
        out.append(Seg("ref", info.label, shown_name, ref.kind, info.href))
        if self.show_values and ref.kind in ("param", "external"):
            if info.is_blank:
                out.append(Seg("blank", _bracket(i18n.BLANK_WORD[w.lang], w)))
            elif info.value is not None:
                out.append(Seg("val", _bracket(info.value, w)))


def _bracket(text: str, words: Words) -> str:
    return f"【{text}】" if words.lang == i18n.ZH else f" [{text}]"


def _merge_text(segs: list[Seg]) -> list[Seg]:
    """Join adjacent text segments so the output is compact and stable."""
    merged: list[Seg] = []
    for seg in segs:
        if merged and seg.kind == "text" and merged[-1].kind == "text":
            merged[-1] = Seg("text", merged[-1].text + seg.text)
        else:
            merged.append(seg)
    return merged
