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

from ..userdirs import private_file

# How the grammar is analysed; what a parser adds when it is made (its AST builder, its lexer
# callbacks) does not change the tables.
PARSER_OPTIONS = dict(parser="lalr", lexer="contextual", keep_all_tokens=True, maybe_placeholders=True)

_FORMAT = 2


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
    tables = {"data": data, "memo": memo}
    if path is not None:
        _write(path, key, tables)
    return tables


def parser_from(tables: dict[str, Any], **options: Any) -> Lark:
    """A parser made from analysed tables; `options` are those Lark allows when loading one
    (transformer, lexer_callbacks, …)."""
    # Lark.load reads a pickle; its loader proper takes the serialised form as it is.
    return Lark.__new__(Lark)._load(tables, **options)


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


# JSON keys are strings and it has no tuples: the three tables keyed by numbers (states, tokens, the
# memo of rules and terminals) are kept as lists of pairs, each action as [token, kind, argument],
# and a tuple inside a rule or terminal as {"tuple": [...]}.
def _encode(tables: dict[str, Any]) -> dict[str, Any]:
    data = dict(tables["data"])
    frontend = data["parser"] = dict(data["parser"])
    lalr = frontend["parser"] = dict(frontend["parser"])
    lalr["states"] = [[state, [[token, kind, argument] for token, (kind, argument) in actions.items()]]
                      for state, actions in lalr["states"].items()]
    lalr["tokens"] = list(lalr["tokens"].items())
    return {"data": data, "memo": [[number, _tagged(item)] for number, item in tables["memo"].items()]}


def _decode(encoded: dict[str, Any]) -> dict[str, Any]:
    data = dict(encoded["data"])
    frontend = data["parser"] = dict(data["parser"])
    lalr = frontend["parser"] = dict(frontend["parser"])
    lalr["states"] = {int(state): {int(token): (kind, argument) for token, kind, argument in actions}
                      for state, actions in lalr["states"]}
    lalr["tokens"] = {int(number): name for number, name in lalr["tokens"]}
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
