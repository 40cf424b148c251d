"""Source text -> AST, with located diagnostics and recovery.

How it works:
- The file is split into *chunks* at lines that start (in column 1) with a
  top-level keyword. Each chunk is parsed on its own, so a syntax error costs
  one declaration, never the rest of the file: every error of a file is
  reported in one run.
- Lark's LALR parser runs with the AST builder as its callbacks (no parse
  tree), which is fast and never recurses: a 10,000-deep expression parses
  fine and is then rejected with PL104 instead of overflowing the stack.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import errno
import os
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Optional

import attrs
from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from ..diagnostics import Diagnostic, printable
from ..messages import M as MSG
from . import ast as A
from . import keywords as K
from . import mistakes as M
from . import tables as T
from .files import SkippedFile, read_policy_bytes

GRAMMAR_PATH = os.path.join(os.path.dirname(__file__), "grammar.lark")

# Deeper expressions are rejected: later passes walk expressions recursively.
MAX_EXPR_DEPTH = 100
# A number literal has at most this many digits (PL105); 28 is what a decimal with the default
# precision holds exactly, far more than any amount, share or period a notice writes.
MAX_LITERAL_DIGITS = 28

TOP_KEYWORDS = K.TOP_LEVEL
# The same in Chinese (canonical forms first): a line may start with either.
TOP_KEYWORDS_ZH = tuple(K.zh(word) for word in K.TOP_LEVEL)

# Terminals whose text is data; every other token is punctuation or a keyword.
_DATA_TERMINALS = frozenset(
    {"NAME", "STRING", "NUMBER", "DATE", "POLICY_ID", "COMP_OP", "PLUS", "MINUS", "MUL_OP",
     "OVERRIDE", "OPTIONAL", "REQUIRED", "MUST", "MAY", "SHOULD", "NOT_KW", "FIXED", "CEILING", "FLOOR", "IN_PRINCIPLE"}
)

# How several actors of one provision are joined for display (中选企业、配送企业).
ACTOR_SEPARATOR = "、"

# The words that give a direction (fixed, ceiling, floor): after a param's type they start
# its statement; after a decision's, a table's or a case's they say how it binds lower levels.
DIRECTION_TOKENS = frozenset({"FIXED", "CEILING", "FLOOR", "IN_PRINCIPLE"})

# The terminal of each keyword whose word the builder reads (the others it skips).
_DATA_KEYWORDS = {"override": "OVERRIDE", "optional": "OPTIONAL", "required": "REQUIRED", "fixed": "FIXED", "ceiling": "CEILING",
                  "floor": "FLOOR", "must": "MUST", "may": "MAY", "should": "SHOULD", "not": "NOT_KW",
                  "in principle": "IN_PRINCIPLE"}


def _english(tok):
    """A token of a Chinese keyword as the token of its English one (others unchanged)."""
    if isinstance(tok, Token) and tok.type.startswith("ZH_"):
        english = K.english_token(tok.type, str(tok))
        if english is not None:
            return Token.new_borrow_pos(_DATA_KEYWORDS.get(english, "ZH_KEYWORD"), english, tok)
    return tok


def _name(tok, table: dict) -> str:
    """A name token's text, its Chinese form (a type, function, level…) read as English."""
    text = str(tok)
    return table.get(text, text)


@attrs.frozen
class _Direction:
    word: str
    span: object  # where the word is written (a Span), so a case's span still ends after it
    in_principle: bool = False


_FRIENDLY_TERMINALS = {
    "NAME": "a name",
    "STRING": 'a quoted text ("…")',
    "NUMBER": "a number",
    "DATE": "a date (YYYY-MM-DD)",
    "POLICY_ID": "a policy id such as cn/gd/stent-2020",
    "COMP_OP": "a comparison (==, !=, <, <=, >, >=)",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "MUL_OP": "'*' or '/'",
    "$END": "the end of the file",
}

# The same descriptions in Chinese, for message_zh and hint_zh.
_FRIENDLY_TERMINALS_ZH = {
    "NAME": "名称",
    "STRING": '带引号的文字（"…"）',
    "NUMBER": "数字",
    "DATE": "日期（年-月-日，如 2021-01-15）",
    "POLICY_ID": "政策编号（如 cn/gd/stent-2020）",
    "COMP_OP": "比较符号（==、!=、<、<=、>、>=）",
    "PLUS": "“+”",
    "MINUS": "“-”",
    "MUL_OP": "“*”或“/”",
    "$END": "文件结尾",
}

# A label, article, note or reason given twice (PL111), in Chinese.
_META_ZH = {
    "label": "中文名称",
    "article": "“article”（条款）",
    "note": "“note”（说明）",
    "reason": "“because”（理由）",
}

# Units of a duration, in Chinese: a whole number of 天 / 个月 / 年.
_UNIT_ZH = {"days": "天", "months": "个月", "years": "年", "working_days": "个工作日"}


# Full-width characters that Chinese input methods produce and the language does not
# accept, and what was meant. (`：` `，` `（` `）` and texts in “…” are accepted: see
# keywords.PUNCTUATION. A `：` or `，` where the grammar expects neither is an ordinary
# syntax error.) Digits and the signs of numbers and formulas stay ASCII, so that
# 30％, ７０００ or ＝ are told apart from what they resemble.
_FULL_WIDTH = {
    "＝": "=", "％": "%", "｛": "{", "｝": "}", "；": ";", "＜": "<", "＞": ">", "＋": "+", "－": "-",
    "＊": "*", "／": "/", "。": ".", "．": ".", "、": ",", "‘": '"', "’": '"', "＂": '"',
    "【": "(", "】": ")", "《": '"', "》": '"',
    **{chr(0xFF10 + d): str(d) for d in range(10)},
}


class _TooDeep(Exception):
    def __init__(self, span: A.Span):
        self.span = span


class _Builder(Transformer):
    """Lark callbacks that build AST nodes directly (used as the LALR transformer)."""

    def __init__(self):
        super().__init__(visit_tokens=False)
        self.path = "<string>"
        self.line_base = 0
        self.pos_base = 0
        self.diags: list[Diagnostic] = []
        self.depth: dict[int, int] = {}
        self.track_depth = True
        self.kw_lang = "en"  # the keyword language of the file being parsed, for hints
        self.unreadable = False  # the chunk being parsed holds an impossible date

    # -- helpers ------------------------------------------------------------
    def _tspan(self, tok: Token) -> A.Span:
        return A.Span(
            self.path,
            tok.line + self.line_base,
            tok.column,
            tok.end_line + self.line_base,
            tok.end_column,
            tok.start_pos + self.pos_base,
            tok.end_pos + self.pos_base,
        )

    def _span_of(self, item) -> Optional[A.Span]:
        if isinstance(item, Token):
            return self._tspan(item)
        span = getattr(item, "span", None)
        if span is None and isinstance(item, tuple) and item and isinstance(item[-1], A.Span):
            span = item[-1]
        return span

    def _span(self, children) -> A.Span:
        first = last = None
        for c in children:
            first = self._span_of(c)
            if first is not None:
                break
        if first is None:
            return A.Span(self.path, 1 + self.line_base, 1, 1 + self.line_base, 1)
        for c in reversed(children):
            last = self._span_of(c)
            if last is not None:
                break
        return first.merge(last) if last is not first else first

    @staticmethod
    def _data(children):
        children = [_english(c) for c in children]
        return [
            c for c in children
            if not (isinstance(c, Token) and c.type not in _DATA_TERMINALS)
        ]

    def _expr(self, node, *kids):
        if not self.track_depth:
            return node
        d = 1 + max((self.depth.get(id(k), 1) for k in kids), default=0)
        if d > MAX_EXPR_DEPTH:
            raise _TooDeep(node.span)
        self.depth[id(node)] = d
        return node

    def _string(self, tok: Token) -> str:
        return _unescape(str(tok)[1:-1], self._tspan(tok), self.diags)

    # -- header ---------------------------------------------------------------
    def _header(self, key, children, convert=None):
        data = self._data(children)
        value = data[-1]  # `override effective DATE` keeps its OVERRIDE token: the date is last
        if key in ("title", "region", "issuer", "document", "summary"):
            value = self._string(value)
        elif key in ("issued", "effective", "ends", "amended_effective", "amended_ends"):
            value = self._date(value)
        elif key == "level":
            value = _name(value, K.LEVEL_OF)
        elif key == "status":
            value = _name(value, K.STATUS_OF)
        else:
            value = str(value)
        return A.HeaderItem(key, value, self._span(children))

    def h_title(self, c): return self._header("title", c)
    def h_level(self, c): return self._header("level", c)
    def h_region(self, c): return self._header("region", c)
    def h_issuer(self, c): return self._header("issuer", c)
    def h_document(self, c): return self._header("document", c)
    def h_issued(self, c): return self._header("issued", c)
    def h_effective(self, c): return self._header("effective", c)
    def h_ends(self, c): return self._header("ends", c)
    def h_status(self, c): return self._header("status", c)

    def h_effective_unknown(self, c):
        """`effective unknown`: the notice's text (and so its date) is not in hand."""
        return A.HeaderItem("effective", None, self._span(c))
    def h_extends(self, c): return self._header("extends", c)
    def h_amends(self, c): return self._header("amends", c)
    def h_amended_effective(self, c): return self._header("amended_effective", c)
    def h_amended_ends(self, c): return self._header("amended_ends", c)
    def h_summary(self, c): return self._header("summary", c)

    def h_uses(self, c):
        data = self._data(c)
        return A.Uses(str(data[0]), str(data[1]), self._span(c))

    # -- declarations ---------------------------------------------------------
    def declaration(self, c):
        c = [_english(x) for x in c]
        if isinstance(c[0], Token) and c[0].type == "OVERRIDE":
            decl = c[1]
            return attrs.evolve(decl, override=True, span=self._tspan(c[0]).merge(decl.span))
        return c[0]

    def meta_item(self, c):  # the bare label (alias m_label)
        return self.m_label(c)

    def m_label(self, c):
        return ("label", self._string(self._data(c)[0]), self._span(c))

    def m_article(self, c):
        return ("article", self._string(self._data(c)[0]), self._span(c))

    def m_note(self, c):
        return ("note", self._string(self._data(c)[0]), self._span(c))

    def m_reason(self, c):
        return ("reason", self._string(self._data(c)[0]), self._span(c))

    def meta(self, c):
        fields = {}
        for key, value, span in c:
            if key in fields:
                what = "label" if key == "label" else f"'{'because' if key == 'reason' else key}'"
                self.diags.append(
                    Diagnostic(**MSG("PL111.twice", what=what, what_zh=_META_ZH[key]), span=span)
                )
                continue
            fields[key] = value
        return A.Meta(**fields) if fields else A.EMPTY_META

    def type_ref(self, c):
        data = self._data(c)
        tok = data[0]
        numbers = [x for x in data[1:] if isinstance(x, Token) and x.type == "NUMBER"]
        if numbers:
            text = str(numbers[0])
            return A.TypeRef(_name(tok, K.TYPE_OF), self._tspan(tok).merge(self._tspan(numbers[0])),
                             Decimal(text) / 100, text)
        return A.TypeRef(_name(tok, K.TYPE_OF), self._tspan(tok))

    def list_type_ref(self, c):
        tok = self._data(c)[0]
        return A.TypeRef(str(tok), self._span(c), is_list=True)

    def record_field(self, c):
        data = self._data(c)
        name, type_ref = data[0], data[1]
        optional = any(isinstance(x, Token) and x.type == "OPTIONAL" for x in data)
        label = next((self._string(x) for x in data[2:] if isinstance(x, Token) and x.type == "STRING"), None)
        return A.RecordField(str(name), type_ref, optional, label, self._span(c))

    def record_decl(self, c):
        data = self._data(c)
        name = data[0]
        fields = tuple(x for x in data[2:] if isinstance(x, A.RecordField))
        return A.RecordDecl(str(name), fields, data[1], False, self._tspan(name), self._span(c))

    def enum_member(self, c):
        data = self._data(c)
        label = self._string(data[1]) if len(data) > 1 else None
        return A.EnumMember(str(data[0]), label, self._span(c))

    def enum_decl(self, c):
        data = self._data(c)
        name = data[0]
        members = tuple(x for x in data[2:] if isinstance(x, A.EnumMember))
        return A.EnumDecl(str(name), members, data[1], False, self._tspan(name), self._span(c))

    def input_decl(self, c):
        data = self._data(c)
        name, type_ref = data[0], data[1]
        optional = any(isinstance(x, Token) and x.type == "OPTIONAL" for x in data)
        meta = data[-1]
        return A.InputDecl(str(name), type_ref, optional, meta, False, self._tspan(name), self._span(c))

    def _kind(self, kind, c):
        data = [x for x in self._data(c) if not (isinstance(x, Token) and x.type in DIRECTION_TOKENS)]
        return (kind, data[0] if data else None, None, self._span(c))

    def k_fixed(self, c): return self._kind("fixed", c)
    def k_floor(self, c): return self._kind("floor", c)
    def k_ceiling(self, c): return self._kind("ceiling", c)
    def k_default(self, c): return self._kind("default", c)

    def k_delegated(self, c):
        data = self._data(c)
        required = any(isinstance(x, Token) and x.type == "REQUIRED" for x in data)
        data = [x for x in data if not (isinstance(x, Token) and x.type == "REQUIRED")]
        to_level = _name(data[0], K.LEVEL_OF) if data else None
        return ("delegated_required" if required else "delegated", None, to_level, self._span(c))

    def b_least(self, c):
        return A.Bound("at_least", self._data(c)[0], self._span(c))

    def b_most(self, c):
        return A.Bound("at_most", self._data(c)[0], self._span(c))

    def param_decl(self, c):
        data = self._data(c)
        principle = any(isinstance(x, Token) and x.type == "IN_PRINCIPLE" for x in data)
        data = [x for x in data if not (isinstance(x, Token) and x.type == "IN_PRINCIPLE")]
        name, type_ref, (statement, value, to_level, kspan) = data[0], data[1], data[2]
        required = statement == "delegated_required"
        statement = "delegated" if required else statement
        bounds = tuple(x for x in data[3:] if isinstance(x, A.Bound))
        meta = data[-1]
        return A.ParamDecl(
            str(name), type_ref, statement, value, to_level, bounds, meta, False,
            self._tspan(name), self._span(c), kspan, in_principle=principle, required=required,
        )

    def param_key(self, c):
        """One key of a keyed param: a ParamDecl named by the key (the type is the keyed param's)."""
        data = self._data(c)
        principle = any(isinstance(x, Token) and x.type == "IN_PRINCIPLE" for x in data)
        data = [x for x in data if not (isinstance(x, Token) and x.type == "IN_PRINCIPLE")]
        name, (statement, value, to_level, kspan) = data[0], data[1]
        bounds = tuple(x for x in data[2:] if isinstance(x, A.Bound))
        return A.ParamDecl(str(name), A.TypeRef("", A.NO_SPAN), statement, value, to_level, bounds, data[-1], False,
                           self._tspan(name), self._span(c), kspan, in_principle=principle)

    def param_keyed(self, c):
        data = self._data(c)
        name, type_ref, key_input, meta = data[0], data[1], data[2], data[3]
        keys = tuple(attrs.evolve(k, type=type_ref) for k in data[4:] if isinstance(k, A.ParamDecl))
        return A.ParamDecl(str(name), type_ref, "keyed", None, None, (), meta, False, self._tspan(name),
                           self._span(c), key_input=str(key_input), keys=keys, key_input_span=self._tspan(key_input))

    def direction(self, c):
        tokens = self._data(c)
        principle = tokens[0].type == "IN_PRINCIPLE"
        return _Direction(str(tokens[-1]), self._tspan(tokens[0]).merge(self._tspan(tokens[-1])), principle)

    @staticmethod
    def _direction(data) -> tuple[bool, Optional[str], bool, list]:
        """(fixed, bound, in principle, the rest): a `fixed`, `ceiling` or `floor` (perhaps `in principle`)
        written after a type, a case's value or a row's result."""
        found = next((x for x in data if isinstance(x, _Direction)), None)
        rest = [x for x in data if not isinstance(x, _Direction)]
        if found is None:
            return False, None, False, rest
        if found.word == "fixed":
            return True, None, False, rest
        return False, found.word, found.in_principle, rest

    def decision_expr(self, c):
        fixed, bound, principle, data = self._direction(self._data(c))
        name, type_ref, meta, expr = data
        return A.DecisionDecl(str(name), type_ref, expr, (), None, meta, False, self._tspan(name), self._span(c),
                              fixed=fixed, bound=bound, in_principle=principle)

    def decision_cases(self, c):
        fixed, bound, principle, data = self._direction(self._data(c))
        name, type_ref, meta = data[0], data[1], data[2]
        cases = tuple(x for x in data[3:] if isinstance(x, A.Case))
        other = next((x for x in data[3:] if isinstance(x, A.Otherwise)), None)
        return A.DecisionDecl(str(name), type_ref, None, cases, other, meta, False, self._tspan(name), self._span(c),
                              fixed=fixed, bound=bound, in_principle=principle)

    def case(self, c):
        fixed, bound, principle, data = self._direction(self._data(c))
        cond, value, meta = data
        return A.Case(cond, value, meta, self._span(c), fixed, bound, principle)

    def otherwise(self, c):
        value, meta = self._data(c)
        return A.Otherwise(value, meta, self._span(c))

    def columns(self, c):
        return tuple(A.Column(str(t), self._tspan(t)) for t in self._data(c))

    def cell_any(self, c):
        return A.Cell("any", None, (), self._span(c))

    def cell_eq(self, c):
        return A.Cell("eq", None, (self._data(c)[0],), self._span(c))

    def cell_cmp(self, c):
        op, expr = self._data(c)
        return A.Cell("cmp", str(op), (expr,), self._span(c))

    def cell_in(self, c):
        return A.Cell("in", None, tuple(self._data(c)), self._span(c))

    def cell_not_in(self, c):
        return A.Cell("not_in", None, tuple(x for x in self._data(c) if not isinstance(x, Token)), self._span(c))

    def row(self, c):
        fixed, bound, principle, data = self._direction(self._data(c))
        cells = tuple(x for x in data if isinstance(x, A.Cell))
        output, meta = data[-2], data[-1]
        return A.Row(cells, output, False, meta, self._span(c), "fixed" if fixed else bound, principle)

    def row_otherwise(self, c):
        fixed, bound, principle, data = self._direction(self._data(c))
        output, meta = data
        return A.Row((), output, True, meta, self._span(c), "fixed" if fixed else bound, principle)

    def table_decl(self, c):
        fixed, bound, principle, data = self._direction(self._data(c))
        name, type_ref, meta, columns = data[0], data[1], data[2], data[3]
        rows = tuple(x for x in data[4:] if isinstance(x, A.Row))
        return A.TableDecl(str(name), type_ref, columns, rows, meta, False, self._tspan(name), self._span(c),
                           fixed=fixed, bound=bound, in_principle=principle)

    def sched_entry(self, c):
        start, value, meta = self._data(c)
        return A.ScheduleEntry(start, value, meta, self._span(c))

    def schedule_decl(self, c):
        data = self._data(c)
        names = [x for x in data if isinstance(x, Token) and x.type == "NAME"]
        meta = next(x for x in data if isinstance(x, A.Meta))
        name = A.key_name(str(names[0]), str(names[1])) if len(names) == 2 else str(names[0])
        name_span = self._tspan(names[0]).merge(self._tspan(names[-1]))
        entries = tuple(x for x in data if isinstance(x, A.ScheduleEntry))
        return A.ScheduleDecl(name, entries, meta, False, name_span, self._span(c))

    def deadline(self, c):
        return ("deadline", self._data(c)[0])

    def require_decl(self, c):
        data = self._data(c)
        name, cond = data[0], data[1]
        deadline = next((x[1] for x in data[2:] if isinstance(x, tuple) and x[0] == "deadline"), None)
        meta = data[-1]
        return A.RequireDecl(str(name), cond, deadline, meta, False, self._tspan(name), self._span(c))

    def example_as_of(self, c):
        return ("as_of", self._data(c)[0])

    def binding(self, c):
        data = self._data(c)
        if len(data) == 3:  # a key of a keyed blank: `given cap.stainless = 798 yuan`
            return A.Binding(A.key_name(str(data[0]), str(data[1])), data[2], self._span(c))
        return A.Binding(str(data[0]), data[1], self._span(c))

    def field_value(self, c):
        data = self._data(c)
        return A.Binding(str(data[0]), data[1], self._span(c))

    def record_value(self, c):
        return A.RecordValue(tuple(self._data(c)), self._span(c))

    def list_value(self, c):
        return A.ListValue(tuple(self._data(c)), self._span(c))

    def given(self, c):
        return ("given", tuple(self._data(c)))

    def expect_value(self, c):
        data = self._data(c)
        return A.Expectation(str(data[0]), data[1], None, self._span(c))

    def expect_blank(self, c):
        data = self._data(c)
        return A.Expectation(str(data[0]), None, str(data[1]), self._span(c))

    def expect(self, c):
        return ("expect", tuple(self._data(c)))

    def example_decl(self, c):
        data = self._data(c)
        name_tok = data[0] if isinstance(data[0], Token) else None
        rest = data[1:] if name_tok is not None else data
        meta = rest[0]
        parts = {x[0]: x[1] for x in rest[1:] if isinstance(x, tuple)}
        span = self._span(c)
        return A.ExampleDecl(
            str(name_tok) if name_tok is not None else None,
            parts.get("as_of"),
            parts.get("given", ()),
            parts.get("expect", ()),
            meta,
            False,
            self._tspan(name_tok) if name_tok is not None else span,
            span,
        )

    def modality(self, c):
        words = [str(_english(t)) for t in c]
        return "_".join(" ".join(words).split())

    def provision_decl(self, c):
        data = self._data(c)
        name, meta, text, modality = data[0], data[-1], data[-2], data[-3]
        actors = tuple(str(a) for a in data[1:-3])
        return A.ProvisionDecl(
            str(name), ACTOR_SEPARATOR.join(actors), modality, self._string(text), meta, False, self._tspan(name),
            self._span(c), actors,
        )

    # -- a year of the working-day calendar -------------------------------------
    def cal_document(self, c):
        tok = self._data(c)[0]
        return ("document", self._string(tok), self._tspan(tok))

    def cal_issued(self, c):
        tok = self._data(c)[0]
        return ("issued", self._date(tok), self._tspan(tok))

    def _calendar_day(self, c) -> A.CalendarDay:
        data = self._data(c)
        dates = [x for x in data if isinstance(x, Token) and x.type == "DATE"]
        label = next((self._string(x) for x in data if isinstance(x, Token) and x.type == "STRING"), None)
        first = self._date(dates[0])
        return A.CalendarDay(first, self._date(dates[1]) if len(dates) > 1 else first, label, self._span(c))

    def cal_holiday(self, c):
        return ("holiday", self._calendar_day(c), None)

    def cal_workday(self, c):
        return ("workday", self._calendar_day(c), None)

    def calendar_decl(self, c):
        data = self._data(c)
        year_tok, meta = data[0], data[1]
        items = [x for x in data[2:] if isinstance(x, tuple)]
        first = {}
        for key, value, span in items:
            if key in ("document", "issued"):
                if key in first:
                    what = f"'{key}'"
                    self.diags.append(Diagnostic(**MSG("PL111.twice", what=what, what_zh=f"“{key}”"), span=span))
                    continue
                first[key] = (value, span)
        try:
            year = int(str(year_tok))
        except ValueError:
            year = 0
        return A.CalendarDecl(
            str(year_tok), year,
            first.get("document", (None, None))[0], first.get("issued", (None, None))[0],
            tuple(v for k, v, _ in items if k == "holiday"), tuple(v for k, v, _ in items if k == "workday"),
            meta, False, self._tspan(year_tok), self._span(c),
            first.get("document", (None, None))[1], first.get("issued", (None, None))[1])

    # -- expressions ------------------------------------------------------------
    def atom(self, c):  # parenthesised expression: no node of its own, but it counts as nesting
        inner = self._data(c)[0]
        if not self.track_depth:
            return inner
        depth = self.depth.get(id(inner), 1) + 1
        if depth > MAX_EXPR_DEPTH:
            raise _TooDeep(self._span(c))
        self.depth[id(inner)] = depth
        return inner

    def if_then_else(self, c):
        cond, then, other = self._data(c)
        return self._expr(A.IfElse(cond, then, other, self._span(c)), cond, then, other)

    def _binop(self, op, c):
        data = self._data(c)
        left, right = data[0], data[-1]
        return self._expr(A.Binary(op, left, right, self._span(c)), left, right)

    def or_op(self, c): return self._binop("or", c)
    def and_op(self, c): return self._binop("and", c)

    def not_op(self, c):
        operand = self._data(c)[-1]
        return self._expr(A.Unary("not", operand, self._span(c)), operand)

    def compare(self, c):
        left, op, right = self._data(c)
        return self._expr(A.Binary(str(op), left, right, self._span(c)), left, right)

    def arith(self, c):
        left, op, right = self._data(c)
        return self._expr(A.Binary(str(op), left, right, self._span(c)), left, right)

    def set_lit(self, c):
        return tuple(self._data(c))

    def in_set(self, c):
        data = self._data(c)
        operand, items = data[0], data[-1]
        return self._expr(A.InSet(operand, items, False, self._span(c)), operand, *items)

    def not_in_set(self, c):
        data = self._data(c)
        operand, items = data[0], data[-1]
        return self._expr(A.InSet(operand, items, True, self._span(c)), operand, *items)

    def neg(self, c):
        operand = self._data(c)[-1]
        return self._expr(A.Unary("-", operand, self._span(c)), operand)

    def attribute(self, c):
        base, attr = self._data(c)
        return self._expr(A.Attribute(base, str(attr), self._span(c)), base)

    def where(self, c):
        source, cond = self._data(c)
        return self._expr(A.Where(source, cond, self._span(c)), source, cond)

    def call(self, c):
        data = self._data(c)
        func = data[0]
        args = tuple(x for x in data[1:] if x is not None)
        name = _name(func, K.FUNCTION_OF)
        if name == "round":  # round(x, 分, 向上): the unit and the mode in English
            args = args[:1] + tuple(
                attrs.evolve(a, name=K.ROUND_WORD_OF[a.name]) if isinstance(a, A.Name) and a.name in K.ROUND_WORD_OF
                else a for a in args[1:])
        return self._expr(A.Call(name, args, self._span(c), self._tspan(func)), *args)

    def u_yuan(self, c): return ("yuan", self._span(c))
    def u_days(self, c): return ("days", self._span(c))
    def u_months(self, c): return ("months", self._span(c))
    def u_years(self, c): return ("years", self._span(c))
    def u_working_days(self, c): return ("working_days", self._span(c))

    def _digits_bounded(self, tok: Token) -> bool:
        """A number literal has at most MAX_LITERAL_DIGITS digits (PL105): no notice writes more,
        and every later step (the solver, the docs, the generated code) may then convert it freely."""
        digits = len(str(tok)) - str(tok).count(".")
        if digits <= MAX_LITERAL_DIGITS:
            return True
        self.unreadable = True  # the declaration is left out: its value cannot be what the notice says
        self.diags.append(Diagnostic(**MSG("PL105.too_many_digits", digits=digits, most=MAX_LITERAL_DIGITS),
                                     span=self._tspan(tok)))
        return False

    def number(self, c):
        tok = c[0]
        unit = c[1][0] if len(c) > 1 else None
        span = self._span(c)
        try:
            value = Decimal(str(tok)) if self._digits_bounded(tok) else Decimal(0)
        except InvalidOperation:  # pragma: no cover - the token regex admits only digits
            value = Decimal(0)
        if unit in ("days", "months", "years", "working_days") and value != value.to_integral_value():
            self.diags.append(Diagnostic(**MSG("PL105.fractional_duration", unit=unit.replace("_", " "), unit_zh=_UNIT_ZH[unit],
                                               value=tok), span=span))
        return self._expr(A.Number(value, unit, str(tok), span))

    def percent(self, c):
        tok = c[0]
        value = Decimal(str(tok)) / 100 if self._digits_bounded(tok) else Decimal(0)
        return self._expr(A.Number(value, "percent", str(tok), self._span(c)))

    def _date(self, tok: Token) -> _dt.date:
        try:
            return _dt.date.fromisoformat(str(tok))
        except ValueError:
            self.unreadable = True  # the declaration is left out: it would mislead every later check
            message, hint, message_zh, hint_zh = M.impossible_date(str(tok))
            self.diags.append(Diagnostic("PL105", message, self._tspan(tok), hint=hint, message_zh=message_zh,
                                         hint_zh=hint_zh))
            return _dt.date(1, 1, 1)

    def date(self, c):
        tok = c[0]
        return self._expr(A.DateLit(self._date(tok), self._tspan(tok)))

    def text(self, c):
        tok = c[0]
        return self._expr(A.Text(self._string(tok), self._tspan(tok)))

    def true(self, c): return self._expr(A.BoolLit(True, self._span(c)))
    def false(self, c): return self._expr(A.BoolLit(False, self._span(c)))
    def none(self, c): return self._expr(A.NoneLit(self._span(c)))

    def name(self, c):
        tok = c[0]
        return self._expr(A.Name(_name(tok, K.BUILTIN_OF), self._tspan(tok)))


_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


def _hidden(ch: str) -> bool:
    from ..diagnostics import hidden_character

    return hidden_character(ch)


_HIDDEN_KNOWN: dict[str, bool] = {}  # character -> whether _hidden_characters reports it


def _hidden_characters(text: str, path: str) -> list[Diagnostic]:
    """Bidirectional controls, invisible format characters and control characters written in the file
    (Trojan Source): what the reader sees is not what the parser reads. One finding per line."""
    from ..diagnostics import hidden_character

    # Each distinct character is looked at once (a file holds a few hundred of them), and the text
    # is walked only when one of them is hidden.
    known = _HIDDEN_KNOWN
    hidden = set()
    for ch in set(text):
        is_hidden = known.get(ch)
        if is_hidden is None:
            is_hidden = known[ch] = ch not in "\n\r\t" and hidden_character(ch)
        if is_hidden:
            hidden.add(ch)
    if not hidden:
        return []
    found = []
    last_line = 0
    for pos, ch in enumerate(text):
        if ch not in hidden:
            continue
        line = text.count("\n", 0, pos) + 1
        if line == last_line:
            continue
        last_line = line
        column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        found.append(_hidden_diagnostic(ch, A.Span(path, line, column, line, column + 1)))
    return found


def _hidden_diagnostic(ch: str, span: A.Span) -> Diagnostic:
    name = unicodedata.name(ch, "a control character")
    return Diagnostic(**MSG("PL113.invisible", code=f"{ord(ch):04X}", name=name), span=span)


def _unescape(body: str, span: A.Span, diags: list) -> str:
    if "\\" not in body:
        return body
    out = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1] if i + 1 < len(body) else ""
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2:i + 6] or ""):
            code = int(body[i + 2:i + 6], 16)
            low = body[i + 8:i + 12] if body[i + 6:i + 8] == "\\u" else ""
            if 0xD800 <= code <= 0xDBFF and re.fullmatch(r"[dD][c-fC-F][0-9a-fA-F]{2}", low):
                # A surrogate pair, as JSON writes a character beyond U+FFFF (an emoji): one character.
                out.append(chr(0x10000 + ((code - 0xD800) << 10) + (int(low, 16) - 0xDC00)))
                i += 12
                continue
            if 0xD800 <= code <= 0xDFFF:
                diags.append(Diagnostic(**MSG("PL105.lone_surrogate", code=f"{code:04X}"), span=span))
                out.append("\ufffd")
            else:
                out.append(chr(code))
                if chr(code) not in "\n\t" and _hidden(chr(code)) and not any(
                        d.code == "PL113" and d.span == span for d in diags):  # one finding per text
                    diags.append(_hidden_diagnostic(chr(code), span))
            i += 6
        else:
            diags.append(Diagnostic(**MSG("PL105.unknown_escape", char=nxt), span=span))
            out.append(nxt)
            i += 2
    return "".join(out)


# ---------------------------------------------------------------- the parser


_builder = _Builder()
_comments: list = []
_odd_names: list = []  # (token as written, its NFKC form) of the chunk being parsed: PL114, PL115

# Alphabets whose letters look alike (Latin p and Cyrillic р): a name mixing them is reported.
_ALPHABET_ZH = {"LATIN": "拉丁", "CYRILLIC": "西里尔", "GREEK": "希腊", "ARMENIAN": "亚美尼亚", "CHEROKEE": "切罗基",
                "COPTIC": "科普特"}
_LOOKALIKE_ALPHABETS = frozenset(_ALPHABET_ZH)


def _alphabets(text: str) -> set[str]:
    out = set()
    for ch in text:
        if ch.isalpha() and not ch.isascii():
            script = unicodedata.name(ch, "").split(" ", 1)[0]
            if script in _LOOKALIKE_ALPHABETS:
                out.add(script)
        elif ch.isascii() and ch.isalpha():
            out.add("LATIN")
    return out


def _name_token(tok: Token) -> Token:
    """A name as the language reads it: in NFKC form, as Python reads identifiers (ﬁnal is final,
    ｐｒｉｃｅ is price), so two spellings are never two names. A name that NFKC changes (PL114) or
    that mixes lookalike alphabets (PL115, Cyrillic р in price) is reported after the chunk."""
    text = str(tok)
    if text.isascii():
        return tok
    normal = unicodedata.normalize("NFKC", text)
    if normal != text or len(_alphabets(normal)) > 1:
        _odd_names.append((tok, normal))
    if normal != text and normal.isidentifier():
        return Token.new_borrow_pos(tok.type, normal, tok)
    return tok


def _name_findings(builder, names) -> list[Diagnostic]:
    out = []
    for tok, normal in names:
        span = builder._tspan(tok)
        if normal != str(tok):
            out.append(Diagnostic(**MSG("PL114.compatibility", written=printable(str(tok)), normal=normal), span=span))
        alphabets = sorted(_alphabets(normal))
        if len(alphabets) > 1:
            letters = ", ".join(f"{ch} ({unicodedata.name(ch, '?').title()})" for ch in dict.fromkeys(normal)
                                if ch.isalpha() and unicodedata.name(ch, "").split(" ", 1)[0] != "LATIN"
                                and unicodedata.name(ch, "").split(" ", 1)[0] in _LOOKALIKE_ALPHABETS)
            out.append(Diagnostic(**MSG("PL115.mixed", name=normal, alphabets=" and ".join(a.title() for a in alphabets),
                                        alphabets_zh="和".join(_ALPHABET_ZH[a] for a in alphabets), letters=letters),
                                  span=span))
    return out


@lru_cache(maxsize=1)
def _grammar() -> str:
    with open(GRAMMAR_PATH, encoding="utf-8") as fh:
        return K.extend_grammar(fh.read())


@lru_cache(maxsize=1)
def _lark() -> Lark:
    # Made from the same analysed tables as the plain parser below (see tables.py).
    return T.make_parser(_grammar(), transformer=_builder,
                         lexer_callbacks={"COMMENT": _comments.append, "NAME": _name_token})


def grammar_parser() -> Lark:
    """The loaded Lark parser (built once per process)."""
    return _lark()


@attrs.frozen
class ParseResult:
    file: Optional[A.PolicyFile]
    diagnostics: tuple[Diagnostic, ...]
    text: str = ""


_BOUNDARY = re.compile(r"^(?P<word>[^\W\d]\w*)", re.MULTILINE)


_TOP_ALL = frozenset(K.TOP_LEVEL_ALL)
_TOP_EN = frozenset(K.TOP_LEVEL)
_TOP_ZH = frozenset(K.TOP_LEVEL_ZH)


def _is_boundary_word(word: str) -> bool:
    if word in _TOP_ALL:
        return True
    if any(ord(ch) > 0x2E80 for ch in word):  # a misspelt Chinese keyword: 参术, 决测
        return len(word) >= 2 and bool(difflib.get_close_matches(word, TOP_KEYWORDS_ZH, n=1, cutoff=0.5))
    return bool(difflib.get_close_matches(word, TOP_KEYWORDS, n=1, cutoff=0.75))


def _chunks(text: str):
    """(start offset, line number of start) of each chunk, in order."""
    starts = [(0, 1)]
    line = 1
    last = 0
    for m in _BOUNDARY.finditer(text):
        if m.start() == 0:
            continue
        if not _is_boundary_word(m.group("word")):
            continue
        line += text.count("\n", last, m.start())
        last = m.start()
        starts.append((m.start(), line))
    return starts


def parse_source(text: str, path: str = "<string>", policy_id: str = "") -> ParseResult:
    """Parse policy source text. Never raises on bad input: problems are diagnostics."""
    diags: list[Diagnostic] = []
    if "\x00" in text:
        pos = text.index("\x00")
        line = text.count("\n", 0, pos) + 1
        diags.append(Diagnostic(**MSG("PL002.binary"), span=A.Span(path, line, 1, line, 2)))
        return ParseResult(None, tuple(diags), text)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        diags.append(Diagnostic(**MSG("PL003.empty"), span=A.Span(path, 1, 1, 1, 1)))
        return ParseResult(None, tuple(diags), text)

    diags.extend(_hidden_characters(text, path))
    written = text
    text, separator_diags = _thousands_separators(text, path)
    diags.extend(separator_diags)
    chunks = _chunks(text)
    _builder.kw_lang = keyword_language(text)
    parts = _parse_chunks_in_parallel(text, path, chunks)
    if parts is None:
        parts = [_parse_chunk_range(text, path, chunks, 0, len(chunks))]
    header: list = []
    uses: list = []
    decls: list = []
    comments: list = []
    unreadable: set = set()
    for part_header, part_uses, part_decls, part_comments, part_diags, part_unreadable in parts:
        unreadable.update(part_unreadable)
        header.extend(part_header)
        uses.extend(part_uses)
        decls.extend(part_decls)
        comments.extend(part_comments)
        diags.extend(part_diags)
    policy = A.PolicyFile(path, policy_id, tuple(header), tuple(uses), tuple(decls), tuple(comments),
                          frozenset(unreadable))
    return ParseResult(policy, tuple(diags), written)


_CODE_SKIPS = re.compile(r'"(?:[^"\\\n]|\\.)*"?|“[^”\n]*”?|#[^\n]*')


def _thousands_separators(text: str, path: str) -> tuple[str, list[Diagnostic]]:
    """Numbers written 7,000: one finding each, and the text as it was meant (7000), so
    that the comma starts no other finding (a syntax error, a call with one more argument)."""
    if "," not in text and "，" not in text:
        return text, []
    diags = []
    pieces = []
    last = 0
    for m in re.finditer(_CODE_SKIPS.pattern + "|(?P<n>" + M.THOUSANDS.pattern + ")", text):
        if m.group("n") is None:
            continue
        written = m.group("n")
        meant, message, hint, message_zh, hint_zh = M.thousands(written)
        line = text.count("\n", 0, m.start()) + 1
        column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        diags.append(Diagnostic("PL105", message, A.Span(path, line, column, line, column + len(written),
                                                         m.start(), m.end()),
                                hint=hint, message_zh=message_zh, hint_zh=hint_zh))
        pieces.append(text[last:m.start()])
        pieces.append(meant + " " * (len(written) - len(meant)))
        last = m.end()
    if not diags:
        return text, []
    pieces.append(text[last:])
    return "".join(pieces), diags


def _parse_chunk_range(text: str, path: str, chunks, first: int, last: int):
    """Parse chunks[first:last]: (header items, uses, declarations, comments, diagnostics)."""
    parser = _lark()
    builder = _builder
    builder.path = path
    header: list = []
    uses: list = []
    decls: list = []
    comments: list = []
    diags: list = []
    unreadable: list = []
    for index in range(first, last):
        start, line = chunks[index]
        end = chunks[index + 1][0] if index + 1 < len(chunks) else len(text)
        segment = text[start:end]
        if not segment.strip():
            continue
        items, chunk_diags, chunk_comments, chunk_unreadable = _parse_chunk(parser, builder, segment, path, line,
                                                                            start)
        diags.extend(chunk_diags)
        comments.extend(chunk_comments)
        unreadable.extend(chunk_unreadable)
        if items is None:
            continue
        for item in _flatten(items):
            if isinstance(item, A.HeaderItem):
                header.append(item)
            elif isinstance(item, A.Uses):
                uses.append(item)
            else:
                decls.append(item)
    return header, uses, decls, comments, diags, unreadable


# A file this large is split between processes: Lark parses about 0.3 MB a second on
# one core, and chunks are independent, so each process takes a run of them.
PARALLEL_MIN_CHARS = 1_000_000
_CHARS_PER_PROCESS = 500_000
_fork_job: Optional[tuple] = None  # (text, path, chunks), inherited by forked workers


def _parse_forked_range(bounds: tuple[int, int]):
    text, path, chunks = _fork_job
    return _parse_chunk_range(text, path, chunks, *bounds)


def _parse_chunks_in_parallel(text: str, path: str, chunks):
    """Parse a large file's chunks in several processes; None to parse here instead."""
    global _fork_job
    import multiprocessing

    if len(text) < PARALLEL_MIN_CHARS or len(chunks) < 2 or multiprocessing.parent_process() is not None:
        return None
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    count = min(cores, max(1, len(text) // _CHARS_PER_PROCESS), len(chunks))
    if count < 2:
        return None
    # Split at chunk boundaries into runs of about equal size.
    target = len(text) / count
    bounds, first = [], 0
    for index, (start, _) in enumerate(chunks):
        if index > first and start >= target * (len(bounds) + 1) and len(bounds) < count - 1:
            bounds.append((first, index))
            first = index
    bounds.append((first, len(chunks)))
    if len(bounds) < 2:  # one chunk holds most of the file (a long text or comment): nothing to share
        return None
    from ..processes import fork_context, worker_pool

    try:
        context = fork_context()
    except (OSError, RuntimeError):
        context = None
    if context is None:  # other threads run here (see processes): parse in this one
        return None
    _fork_job = (text, path, chunks)
    try:
        with worker_pool(len(bounds) - 1, context) as pool:
            futures = [pool.submit(_parse_forked_range, b) for b in bounds[1:]]
            mine = _parse_chunk_range(text, path, chunks, *bounds[0])  # this process takes the first run
            return [mine] + [f.result() for f in futures]
    except (OSError, RuntimeError):  # no processes to be had here: parse in this one
        return None
    finally:
        _fork_job = None


_NESTING_MARKS = ("(", "+", "-", "*", "/", "<", ">", "=", "!", ".", "not", "and", "or", "if", "in")


def _may_nest_deeply(segment: str) -> bool:
    """Could an expression in this chunk nest more than MAX_EXPR_DEPTH levels?

    Each level of nesting needs at least one operator, parenthesis or keyword, so a
    chunk with fewer of those (counted generously, inside words too) cannot. Tracking
    depth costs a dictionary operation per node, so it is done only where needed.
    """
    budget = MAX_EXPR_DEPTH
    for mark in _NESTING_MARKS:
        budget -= segment.count(mark)
        if budget < 0:
            return True
    return False


def _parse_chunk(parser: Lark, builder: _Builder, segment: str, path: str, line: int, start: int,
                 retry: bool = True):
    """Parse one chunk: (items or None, diagnostics, comments).

    When the chunk fails at a line that starts with the offending token (a stray
    line after a complete declaration), the text before that line is parsed again
    on its own, so the declaration is kept and only the stray line is reported.
    """
    builder.line_base = line - 1
    builder.pos_base = start
    builder.diags = []
    builder.depth = {}
    builder.track_depth = _may_nest_deeply(segment)
    builder.unreadable = False
    _comments.clear()
    _odd_names.clear()
    diags: list[Diagnostic] = []
    comments: list[A.Comment] = []
    error_pos: Optional[int] = None
    try:
        items = parser.parse(segment)
    except _TooDeep as exc:
        diags.append(_too_deep(exc.span))
        items = None
    except VisitError as exc:
        if isinstance(exc.orig_exc, _TooDeep):
            diags.append(_too_deep(exc.orig_exc.span))
        else:  # pragma: no cover - a bug in the builder, shown located rather than as a traceback
            diags.append(Diagnostic(**MSG("PL101.internal", error=exc.orig_exc), span=A.Span(path, line, 1, line, 2)))
        items = None
    except UnexpectedInput as exc:
        syntax_error = _syntax_diagnostic(exc, segment, path, line - 1, start, parser, builder.kw_lang)
        diags.append(syntax_error)
        items = None
        if isinstance(exc, UnexpectedCharacters):
            error_pos = exc.pos_in_stream
        elif isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
            error_pos = exc.token.start_pos
    except RecursionError:
        diags.append(_too_deep(A.Span(path, line, 1, line, 2)))
        items = None
    finally:
        for tok in _comments:
            comments.append(A.Comment(str(tok), tok.line + line - 1, tok.column))
        builder.depth = {}
    diags.extend(builder.diags)
    diags.extend(_name_findings(builder, _odd_names))
    if items is not None and builder.unreadable:
        # An impossible date: reported once (PL105); the item is left out, and what it names
        # is marked unreadable, so no check reports what follows from a made-up date.
        keys = {item.key for item in _flatten(items) if isinstance(item, A.HeaderItem)}
        return None, diags, comments, frozenset(keys) | _words(segment)
    if items is None and retry and error_pos is not None:
        line_start = segment.rfind("\n", 0, error_pos) + 1
        if line_start > 0 and not segment[line_start:error_pos].strip() and segment[:line_start].strip():
            prefix_items, prefix_diags, prefix_comments, prefix_unreadable = _parse_chunk(
                parser, builder, segment[:line_start], path, line, start, retry=False)
            if prefix_items is not None:
                # Comments of the prefix were collected in both runs; keep those after it once.
                later = [c for c in comments if c.line >= line + segment.count("\n", 0, line_start)]
                # The prefix's own diagnostics were raised again by the second run: keep those.
                return (prefix_items, [syntax_error, *prefix_diags], prefix_comments + later,
                        prefix_unreadable | _words(segment[line_start:]))
    return items, diags, comments, (_words(segment) if items is None else frozenset())


_WORD = re.compile(r"[^\W\d]\w*")
_NOT_NAMES = frozenset(
    [w for english, _ in K.KEYWORDS for w in english.split()] + list(K.RESERVED_ZH) + list(K.TYPES)
    + list(K.LEVELS) + list(K.FUNCTIONS) + list(K.ROUND_WORDS) + list(K.BUILTINS) + list(K.TOP_LEVEL)
    + ["yuan", "day", "days", "month", "months", "year", "years", "to", "at", "least", "most", "working"]
)


def _words(segment: str) -> frozenset:
    """The names written in a piece of source that could not be read (texts and comments aside)."""
    code = _STRINGS_AND_COMMENTS.sub(" ", segment)
    return frozenset(w for w in _WORD.findall(code) if w not in _NOT_NAMES)


_STRINGS_AND_COMMENTS = re.compile(r'"(?:[^"\\\n]|\\.)*"?|“[^”\n]*”?|#[^\n]*')


def _flatten(items):
    # With the tree-less transformer, 'start' arrives as a Tree whose children are the built items.
    children = getattr(items, "children", items)
    return [c for c in children if c is not None and not isinstance(c, Token)]


def _too_deep(span: A.Span) -> Diagnostic:
    return Diagnostic(**MSG("PL104.too_deep", depth=MAX_EXPR_DEPTH), span=span)


def _shown_terminals(names, parser: Lark, kw_lang: str) -> list[tuple[str, str]]:
    """(name, text) of the terminals that may come next, as a writer of kw_lang types them:
    English keywords and ASCII punctuation in an English file; in a Chinese one, the
    canonical Chinese keywords and the full-width punctuation (synonyms are left out)."""
    shown = []
    for name in sorted(set(names)):
        if name in _FRIENDLY_TERMINALS:
            shown.append((name, ""))
            continue
        if name in K.TERMINAL_KEYWORDS:  # a keyword of several words, matched by a pattern: shown as typed
            value = K.TERMINAL_KEYWORDS[name]
        else:
            try:
                value = str(parser.get_terminal(name).pattern.value)
            except KeyError:
                shown.append((name, name.lower()))
                continue
        if name.startswith("ZH_"):
            english = K.english_token(name, value)
            canonical = english is not None and (value in K.PUNCTUATION.values() or K.zh(english) == value)
            if kw_lang == "zh" and canonical:
                shown.append((name, value))
            continue
        if kw_lang == "zh" and (value in K.PUNCTUATION or re.fullmatch(r"[A-Za-z_]+( [A-Za-z_]+)*", value)):
            continue  # its Chinese twin is listed
        shown.append((name, value))
    return shown


def _expected_pairs(names, parser: Lark, kw_lang: str = "en") -> list[tuple[str, str]]:
    """(English, Chinese) descriptions of the tokens that may come next, in the order they are listed."""
    pairs: dict[str, str] = {}
    for name, value in _shown_terminals(names, parser, kw_lang):
        if name in _FRIENDLY_TERMINALS:
            pairs.setdefault(_FRIENDLY_TERMINALS[name], _FRIENDLY_TERMINALS_ZH[name])
        else:
            pairs.setdefault(f"'{value}'", _q_zh(value))
    return sorted(pairs.items(), key=lambda pair: (not pair[0].startswith("'"), pair[0]))


def _keywords_of(names, parser: Lark, kw_lang: str = "en") -> list[str]:
    """The keywords among the terminals that may come next, in the file's keyword language."""
    return [value for name, value in _shown_terminals(names, parser, kw_lang)
            if value and name not in _FRIENDLY_TERMINALS and value.isidentifier()]


def _top_keywords(kw_lang: str) -> tuple[str, ...]:
    return TOP_KEYWORDS_ZH if kw_lang == "zh" else TOP_KEYWORDS


def _closest_keyword(value: str, candidates) -> Optional[str]:
    """The keyword a misspelt word most likely meant; Chinese words are short, so a looser match."""
    cutoff = 0.5 if any(ord(ch) > 0x2E80 for ch in value) else 0.7
    close = difflib.get_close_matches(value, list(dict.fromkeys(candidates)), n=1, cutoff=cutoff)
    return close[0] if close else None


def keyword_counts(text: str) -> tuple[int, int]:
    """(Chinese, English): how many declarations and header lines of text start with a keyword of each language."""
    zh = en = 0
    for m in _BOUNDARY.finditer(text):
        word = m.group("word")
        if word in _TOP_ZH:
            zh += 1
        elif word in _TOP_EN:
            en += 1
    return zh, en


def keyword_language(text: str) -> str:
    """'zh' when more declarations and header lines of text start with a Chinese keyword than an English one."""
    zh, en = keyword_counts(text)
    return "zh" if zh > en else "en"


def _syntax_diagnostic(exc: UnexpectedInput, segment: str, path: str, line_base: int, pos_base: int,
                       parser: Lark, kw_lang: str = "en") -> Diagnostic:
    line = (getattr(exc, "line", 1) or 1)
    column = (getattr(exc, "column", 1) or 1)
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        # Point at the last real character of the chunk, not past it.
        stripped = segment.rstrip()
        line = stripped.count("\n") + 1
        column = len(stripped.rsplit("\n", 1)[-1]) or 1
        span = A.Span(path, line + line_base, column, line + line_base, column + 1)
        pairs = _expected_pairs(getattr(exc, "expected", ()) or (), parser, kw_lang)
        expected = [english for english, _ in pairs]
        expected_zh = [chinese for _, chinese in pairs]
        if expected:
            return Diagnostic(**MSG("PL102.incomplete", expected=_join(expected[:8]),
                                    expected_zh=_join_zh(expected_zh[:8])), span=span)
        return Diagnostic(**MSG("PL102.incomplete_at_end"), span=span)
    if isinstance(exc, UnexpectedCharacters):
        ch = segment[exc.pos_in_stream] if exc.pos_in_stream < len(segment) else "?"
        span = A.Span(path, line + line_base, column, line + line_base, column + 1,
                      exc.pos_in_stream + pos_base, exc.pos_in_stream + pos_base + 1)
        if ch in _FULL_WIDTH:
            return Diagnostic(**MSG("PL110.full_width", char=ch, char_zh=_q_zh(ch), ascii=_FULL_WIDTH[ch],
                                    ascii_zh=_q_zh(_FULL_WIDTH[ch])), span=span)
        if ch == "“":
            return Diagnostic(**MSG("PL101.unclosed_curly_text"), span=span)
        if ch == '"':
            return Diagnostic(**MSG("PL101.unclosed_text"), span=span)
        pairs = _expected_pairs(exc.allowed or (), parser, kw_lang) if exc.allowed else []
        allowed = [english for english, _ in pairs]
        allowed_zh = [chinese for _, chinese in pairs]
        key = "PL110.not_allowed_expected" if allowed else "PL110.not_allowed"
        return Diagnostic(**MSG(key, char=ch, char_zh=_q_zh(ch), code=f"{ord(ch):04X}", expected=_join(allowed[:8]),
                                expected_zh=_join_zh(allowed_zh[:8])), span=span)
    assert isinstance(exc, UnexpectedToken)
    tok = exc.token
    value = str(tok)
    end_col = (tok.end_column or column + max(len(value), 1))
    end_line = (tok.end_line or line)
    span = A.Span(path, line + line_base, column, end_line + line_base, end_col,
                  (tok.start_pos or 0) + pos_base, (tok.end_pos or 0) + pos_base)
    expected_names = exc.expected or set()
    pairs = _expected_pairs(expected_names, parser, kw_lang)
    expected = [english for english, _ in pairs]
    expected_zh = [chinese for _, chinese in pairs]
    shown = value if len(value) <= 40 else value[:37] + "…"
    glued = _glued(value, segment[:max(0, (tok.start_pos or 0))])
    if glued is not None:
        word, keyword, side = glued
        return Diagnostic(**MSG(f"PL101.glued_{side}", word=word, keyword=keyword,
                                written=_split_glued(word, keyword, side)),
                          span=_word_span(segment, word, tok, span, path, line_base, pos_base))
    known = _known_mistake(exc, parser, segment)
    if known is not None:
        return Diagnostic(**MSG(f"PL101.mistake.{known.label}"), span=span)
    key = "PL101.unexpected"
    params = {"value": value, "value_zh": _q_zh(value), "shown": shown, "shown_zh": _q_zh(shown)}
    if value.isidentifier():
        if any(ord(ch) > 0x2E80 for ch in value):
            kw_lang = "zh"  # a Chinese word is compared with the Chinese keywords
        elif kw_lang == "zh" and value.isascii():
            kw_lang = "en"
        tops = _top_keywords(kw_lang)
        close = _closest_keyword(value, _keywords_of(expected_names, parser, kw_lang) + list(tops))
        if close and close != value:
            params.update(close=close, close_zh=_q_zh(close))
            if column == 1 and line == 1 and value not in _TOP_ALL:
                return Diagnostic(**MSG("PL103.did_you_mean", **params), span=span)
            key = "PL101.unexpected_did_you_mean"
        elif column == 1 and line == 1:
            return Diagnostic(**MSG("PL103.not_a_keyword", keywords=", ".join(tops), keywords_zh="、".join(tops),
                                    **params), span=span)
    if key == "PL101.unexpected" and expected:
        key = "PL101.unexpected_expected"
        params.update(expected=_join(expected[:8]) + (" …" if len(expected) > 8 else ""),
                      expected_zh=_join_zh(expected_zh[:8], more=len(expected) > 8))
    return Diagnostic(**MSG(key, **params), span=span)


_plain_parser = None


def _known_mistake(exc: UnexpectedInput, parser: Lark, segment: str) -> Optional[M.Mistake]:
    """The catalogued mistake (mistakes.PARSER_STATE) that stops the parser where this error did."""
    global _plain_parser
    if not isinstance(exc, UnexpectedToken) or exc.token.type == "$END":
        return None
    if _plain_parser is None:
        # The same grammar and options, without the AST builder: the examples build no nodes.
        _plain_parser = T.make_parser(_grammar())
    pos = exc.token.start_pos or 0
    start = segment.rfind("\n", 0, pos) + 1
    if not segment[start:pos].strip() and start > 0:  # the token starts a line: the mistake is on the one before
        pos = start - 1
        start = segment.rfind("\n", 0, pos) + 1
    end = segment.find("\n", pos)
    line = segment[start:end if end >= 0 else len(segment)]
    label = next((lab for lab, test in M.BY_LINE if test(line)), None)
    if label is None:
        try:
            label = exc.match_examples(_plain_parser.parse, M.examples(), use_accepts=True)
        except Exception:  # pragma: no cover - a catalogue example that does not fail as documented
            label = None
        if label in M.LINE_LABELS:
            label = None  # the same state elsewhere: not this mistake, since the line says otherwise
    return M.BY_LABEL.get(label) if label else None


# Keywords that join a condition or a formula: the ones written beside names without a space.
_GLUE_WORDS = tuple(K.zh(w) for w in ("when", "then", "otherwise", "and", "or", "not", "in", "not in", "if",
                                      "else", "at least", "at most", "by"))


def _glued(value: str, before: str) -> Optional[tuple[str, str, str]]:
    """(word, keyword, side) when the unexpected token, or the name just before it, is a Chinese
    keyword written together with a name (当已中选, 已中选则)."""
    previous = re.search(r"(\w+)\s*$", before)
    for word in (value, previous.group(1) if previous else None):
        if word:
            found = M.glued_keyword(word, _GLUE_WORDS)
            if found is not None:
                return word, found[0], found[1]
    return None


def _split_glued(word: str, keyword: str, side: str) -> str:
    return f"{keyword} {word[len(keyword):]}" if side == "after" else f"{word[:-len(keyword)]} {keyword}"


def _word_span(segment, word, tok, fallback, path, line_base, pos_base):
    """The span of `word`: the token itself, or the last occurrence before it."""
    if str(tok) == word:
        return fallback
    start = segment.rfind(word, 0, tok.start_pos or 0)
    if start < 0:
        return fallback
    line = segment.count("\n", 0, start) + 1
    column = start - (segment.rfind("\n", 0, start) + 1) + 1
    return A.Span(path, line + line_base, column, line + line_base, column + len(word),
                  start + pos_base, start + len(word) + pos_base)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def _join_zh(items: list[str], more: bool = False) -> str:
    """Chinese list: 甲、乙或丙; with more left out: 甲、乙、丙等."""
    if more:
        return "、".join(items) + "等"
    if len(items) <= 1:
        return "".join(items)
    return "、".join(items[:-1]) + "或" + items[-1]


def _q_zh(text: str) -> str:
    """text in Chinese quotation marks; single ones around text that holds a double quotation mark."""
    return f"‘{text}’" if any(c in text for c in '"“”') else f"“{text}”"


# ---------------------------------------------------------------- files


POLICY_SUFFIX = ".policy"
_ID_SEGMENT = re.compile(r"[a-z0-9_][a-z0-9_\-]*")


def policy_id_for(path: str, root: str) -> Optional[str]:
    """The id of the policy file at path under root: its relative path without '.policy'."""
    if os.path.isabs(path) and os.path.isabs(root):  # not depending on the working folder
        return _policy_id_of_absolute(path, root)
    return _policy_id_uncached(path, root)


@lru_cache(maxsize=1 << 16)
def _policy_id_of_absolute(path: str, root: str) -> Optional[str]:
    # A check asks it several times for every file of the tree (the plan, the cache keys, the loader).
    return _policy_id_uncached(path, root)


def _policy_id_uncached(path: str, root: str) -> Optional[str]:
    path, root = os.path.abspath(path), os.path.abspath(root)
    if path.startswith(root + os.sep):  # the common case, without relpath's cost
        rel = path[len(root) + 1:]
    else:
        rel = os.path.relpath(path, root)
    if rel.startswith(".."):
        return None
    rel = rel.replace(os.sep, "/")
    if rel.endswith(POLICY_SUFFIX):
        rel = rel[: -len(POLICY_SUFFIX)]
    return rel


def valid_policy_id(policy_id: str) -> bool:
    return bool(policy_id) and all(_ID_SEGMENT.fullmatch(seg) for seg in policy_id.split("/"))


# Why a file cannot be read, in Chinese, for the usual causes; otherwise the system's own words.
_OS_ERRORS_ZH = {
    errno.ENOENT: "文件不存在",
    errno.EACCES: "没有读取这个文件的权限",
    errno.EPERM: "没有读取这个文件的权限",
    errno.EISDIR: "这是一个文件夹，不是文件",
}


def _os_error_zh(exc: OSError) -> str:
    return _OS_ERRORS_ZH.get(exc.errno, str(exc.strerror or exc))


def read_source(path: str) -> tuple[Optional[str], list[Diagnostic]]:
    """Read a file as UTF-8. Unreadable or undecodable files give a located diagnostic."""
    try:
        data = read_policy_bytes(path)
    except SkippedFile as skipped:  # a folder, FIFO, device, link to one, or too large: not read
        return None, [Diagnostic("PL001", span=A.Span(path, 1, 1, 1, 1), message=skipped.message, hint=skipped.hint,
                                 message_zh=skipped.message_zh, hint_zh=skipped.hint_zh)]  # texts: the catalogue's
    except OSError as exc:
        return None, [Diagnostic(**MSG("PL001.unreadable", error=exc.strerror or exc, error_zh=_os_error_zh(exc)),
                                 span=A.Span(path, 1, 1, 1, 1))]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        if b"\x00" in data[:8192]:
            line = data.count(b"\n", 0, data.index(b"\x00")) + 1
            return None, [Diagnostic(**MSG("PL002.binary"), span=A.Span(path, line, 1, line, 2))]
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start:exc.start].decode("utf-8", errors="replace")) + 1
        return None, [Diagnostic(**MSG("PL002.not_utf8", byte=f"{data[exc.start]:02X}", offset=exc.start),
                                 span=A.Span(path, line, column, line, column + 1))]


def parse_file(path: str, root: Optional[str] = None) -> ParseResult:
    """Read and parse one policy file; its id is its path under root."""
    text, diags = read_source(path)
    if text is None:
        return ParseResult(None, tuple(diags), "")
    root = root or os.path.dirname(path)
    policy_id = policy_id_for(path, root) or os.path.splitext(os.path.basename(path))[0]
    result = parse_source(text, path, policy_id)
    if not valid_policy_id(policy_id):
        extra = Diagnostic(**MSG("PL004.invalid_id", id=policy_id, id_zh=_q_zh(policy_id)), span=A.Span(path, 1, 1, 1, 2))
        return ParseResult(result.file, (extra,) + result.diagnostics, text)
    return result
