"""The analysed grammar: Lark's LALR tables, computed once and shared by every parser built from them.

Both parsers of a process (the one that builds AST nodes and the plain one the syntax-mistake
catalogue runs its examples through) are made from the same tables, so a parser state number means
the same in both: Lark numbers the states differently on every analysis, and `match_examples`
compares numbers.

Analysing the grammar takes ~1 s, so the tables are kept between runs in policylang's folder of the
user's cache directory, as JSON (never pickle: nothing read back from disk can run code), and only
when that folder is this user's alone (userdirs.private_file). A file that is missing, stale,
malformed or not private is ignored and the grammar analysed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from typing import Any, Optional

import lark
from lark import Lark
from lark.grammar import Rule
from lark.lexer import TerminalDef
from lark.parsers.lalr_analysis import IntParseTable, Reduce, Shift
from lark.parsers.lalr_parser import LALR_Parser, _Parser

from ..userdirs import private_file

# How the grammar is analysed; what a parser adds when it is made (its AST builder, its lexer
# callbacks) does not change the tables.
PARSER_OPTIONS = dict(parser="lalr", lexer="contextual", keep_all_tokens=True, maybe_placeholders=True)

_FORMAT = 3


_in_memory: dict[str, dict[str, Any]] = {}


def make_parser(grammar: str, **options: Any) -> Lark:
    """A parser for `grammar` made from its analysed tables (the same tables for every parser of
    this process); `options` are those Lark allows when loading one (transformer, lexer_callbacks)."""
    key = _key(grammar)
    tables = _in_memory.get(key)
    if tables is not None:
        return parser_from(tables, **options)
    path = private_file(f"grammar-{key[:16]}.json")
    stored = _read(path, key) if path is not None else None
    if stored is not None:
        try:
            parser = parser_from(stored, **options)
        except Exception:  # a stored file that reads as JSON but not as tables: analyse again
            pass
        else:
            _in_memory[key] = stored
            return parser
    tables = _in_memory[key] = analysed(grammar, key, path)
    return parser_from(tables, **options)


def analysed(grammar: str, key: str, path: Optional[str]) -> dict[str, Any]:
    """Lark's serialised parser for `grammar` ({'data': …, 'memo': …}), analysed now and kept at
    `path` for the next run."""
    parser = Lark(grammar, cache=False, **PARSER_OPTIONS)
    data, memo = parser.memo_serialize([TerminalDef, Rule])
    tables = {"data": _compact(data), "memo": memo}
    if path is not None:
        _write(path, key, tables)
    return tables


def parser_from(tables: dict[str, Any], **options: Any) -> Lark:
    """A parser made from analysed tables; `options` are those Lark allows when loading one
    (transformer, lexer_callbacks, …)."""
    # Lark.load reads a pickle; its loader proper takes the serialised form as it is. The LALR
    # table is in this module's compact form (`_compact`), which `_CompactLALR` builds directly.
    return Lark.__new__(Lark)._load(tables, _plugins={"LALR_Parser": _CompactLALR}, **options)


# The LALR table, the bulk of the tables (1,333 states, ~30,000 actions), as Lark serialises it is a
# dict per state of {token number: (kind, argument)}, a reduction's argument a {"@": n} reference to
# a rule of the memo; Lark rebuilds it through its generic per-object deserialiser (~0.1 s) after
# JSON has parsed ~30,000 small arrays and objects. Kept instead as one flat list of integers per
# state, [token, kind, argument, token, kind, argument, …] (kind 0: shift to state `argument`;
# 1: reduce by rule `argument` of the memo), with the token names in one list; read back by
# `_CompactLALR.deserialize`, a plain loop over integers. Lark's own loader is given that class
# through its `_plugins` option, the way Lark lets a caller replace its LALR parser.
def _compact(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    frontend = data["parser"] = dict(data["parser"])
    lalr = frontend["parser"]
    numbers = sorted(lalr["states"])
    if numbers != list(range(len(numbers))):
        raise ValueError("the LALR states are not numbered 0…n-1")
    tokens = [lalr["tokens"][i] for i in range(len(lalr["tokens"]))]
    states = []
    for number in numbers:
        flat: list[int] = []
        for token, (kind, argument) in lalr["states"][number].items():
            if kind == 1:
                argument = argument["@"]
            elif kind != 0:
                raise ValueError(f"an LALR action of kind {kind!r}")
            flat.extend((token, kind, argument))
        states.append(flat)
    frontend["parser"] = {"tokens": tokens, "states": states, "start_states": lalr["start_states"],
                          "end_states": lalr["end_states"]}
    return data


class _CompactLALR(LALR_Parser):
    @classmethod
    def deserialize(cls, data, memo, callbacks, debug=False):
        tokens = data["tokens"]
        count = len(data["states"])
        states = {}
        # the reductions by rule number, each action made once (Lark's tables hold ~30,000 actions
        # of ~800 rules and ~1,300 states)
        reduce = {number: (Reduce, rule) for number, rule in memo.items() if type(rule) is Rule}
        shift = [(Shift, n) for n in range(count)]
        for number, flat in enumerate(data["states"]):
            actions = {}
            for token, kind, argument in zip(flat[0::3], flat[1::3], flat[2::3]):
                if token < 0:
                    raise ValueError(f"not a token number: {token!r}")
                if kind == 0 and 0 <= argument < count:
                    actions[tokens[token]] = shift[argument]
                elif kind == 1 and argument in reduce:
                    actions[tokens[token]] = reduce[argument]
                else:
                    raise ValueError(f"not an LALR action: {kind!r}, {argument!r}")
            states[number] = actions
        table = IntParseTable(states, dict(data["start_states"]), dict(data["end_states"]))
        inst = cls.__new__(cls)  # as LALR_Parser.deserialize makes it, from the table built here
        inst._parse_table = table
        inst.parser = _Parser(table, callbacks, debug)
        return inst


def _key(grammar: str) -> str:
    recipe = json.dumps([_FORMAT, lark.__version__, list(sys.version_info[:2]), sorted(PARSER_OPTIONS.items()),
                         grammar], ensure_ascii=False)
    return hashlib.sha256(recipe.encode("utf-8")).hexdigest()


def _read(path: str, key: str) -> Optional[dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as fh:
            stored = json.load(fh)
        if not isinstance(stored, dict) or stored.get("key") != key:
            return None
        return _decode(stored["tables"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None


def _write(path: str, key: str, tables: dict[str, Any]) -> None:
    try:
        encoded = _encode(tables)
        if _decode(json.loads(json.dumps(encoded))) != tables:
            return  # a Lark whose tables this module does not know how to keep
    except (TypeError, ValueError, KeyError, AttributeError):
        return
    try:
        fd, temporary = tempfile.mkstemp(prefix=".grammar-", suffix=".tmp", dir=os.path.dirname(path))
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"key": key, "tables": encoded}, fh, ensure_ascii=False, separators=(",", ":"))
        os.replace(temporary, path)  # whole or not at all, for a process reading it meanwhile
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass


# JSON has no tuples, and its keys are strings: the memo of rules and terminals (keyed by numbers) is
# kept as a list of pairs, and a tuple inside a rule or terminal as {"tuple": [...]}. The LALR table
# is already plain lists of integers and names (`_compact`); reading checks it is.
def _encode(tables: dict[str, Any]) -> dict[str, Any]:
    return {"data": tables["data"], "memo": [[number, _tagged(item)] for number, item in tables["memo"].items()]}


def _decode(encoded: dict[str, Any]) -> dict[str, Any]:
    data = dict(encoded["data"])
    frontend = data["parser"] = dict(data["parser"])
    lalr = frontend["parser"] = dict(frontend["parser"])
    tokens, states = lalr["tokens"], lalr["states"]
    if type(tokens) is not list or any(type(t) is not str for t in tokens) or type(states) is not list:
        raise ValueError("not an LALR table")
    for flat in states:
        if type(flat) is not list or len(flat) % 3 or not set(map(type, flat)) <= {int}:
            raise ValueError("not an LALR state")
    return {"data": data, "memo": {int(number): _untagged(item) for number, item in encoded["memo"]}}


def _tagged(value: Any) -> Any:
    if isinstance(value, tuple):
        return {"tuple": [_tagged(v) for v in value]}
    if isinstance(value, list):
        return [_tagged(v) for v in value]
    if isinstance(value, dict):
        if "tuple" in value:
            raise ValueError("a rule field named 'tuple'")
        return {k: _tagged(v) for k, v in value.items()}
    return value


def _untagged(value: Any) -> Any:
    if isinstance(value, list):
        return [_untagged(v) for v in value]
    if isinstance(value, dict):
        if "tuple" in value:
            return tuple(_untagged(v) for v in value["tuple"])
        return {k: _untagged(v) for k, v in value.items()}
    return value
