"""A code writer: lines at an indentation level (writeline, indent), as Jinja2's CodeGenerator
writes Python. Generators write through it instead of slicing and padding strings."""

from __future__ import annotations

import textwrap
from typing import Iterable

INDENT = "    "
WIDTH = 100


class CodeWriter:
    def __init__(self, level: int = 0):
        self.lines: list[str] = []
        self.level = level

    @property
    def prefix(self) -> str:
        return INDENT * self.level

    def writeline(self, text: str = "") -> None:
        """One line at the current level (an empty line stays empty)."""
        self.lines.append(INDENT * self.level + text if text else "")

    def writelines(self, lines: Iterable[str]) -> None:
        """Lines as they are (already indented, or at the top level)."""
        self.lines.extend(lines)

    def indent(self, levels: int = 1) -> "_Indented":
        """`with writer.indent():` the lines written inside are one level (or `levels`) deeper."""
        return _Indented(self, levels)

    def comment(self, text: str, prefix: str = "") -> None:
        """A # comment at the current level, wrapped at WIDTH (text escaped: it cannot end the line)."""
        self.lines.extend(wrap_comment(prefix, text, self.prefix))

    def text(self) -> str:
        return "\n".join(self.lines)


class _Indented:
    __slots__ = ("writer", "levels")

    def __init__(self, writer: CodeWriter, levels: int):
        self.writer, self.levels = writer, levels

    def __enter__(self) -> CodeWriter:
        self.writer.level += self.levels
        return self.writer

    def __exit__(self, *exc) -> None:
        self.writer.level -= self.levels


def comment_text(text: object) -> str:
    """Text safe inside a # comment: every character that could end the line (or is not printable) escaped."""
    text = str(text)
    if text.isprintable() and "\\" not in text:
        return text  # the usual case: nothing to escape
    out = []
    for ch in text:
        if ch.isprintable() and ch != "\\":
            out.append(ch)
        elif ch == "\\":
            out.append("\\\\")
        else:
            out.append(escape_char(ch))
    return "".join(out)


def escape_char(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def wrap_comment(prefix: str, text: str, indent: str, width: int = WIDTH) -> list[str]:
    """The lines of a # comment: `prefix` then the (escaped) text, wrapped at `width`."""
    if type(text) is str:
        # The same labels, articles and notes come back in every module of a tree: each comment is
        # wrapped once per run (the lines depend only on these four values).
        key = (prefix, text, indent, width)
        lines = _WRAPPED.get(key)
        if lines is None:
            if len(_WRAPPED) >= _WRAPPED_MAX:
                _WRAPPED.clear()
            lines = _WRAPPED[key] = tuple(_wrap_comment(prefix, text, indent, width))
        return list(lines)
    return _wrap_comment(prefix, text, indent, width)


_WRAPPED: dict[tuple, tuple] = {}
_WRAPPED_MAX = 200_000


def _wrap_comment(prefix: str, text: str, indent: str, width: int = WIDTH) -> list[str]:
    body = comment_text(text)
    lead = f"{indent}# {prefix}"
    room = max(40, width - len(lead))
    if len(body) <= room:
        # What textwrap.wrap gives for text that fits on one line, without its cost (trailing
        # spaces go with the rstrip below; comment_text left no other whitespace).
        pieces = [body] if body.strip(" ") else [""]
    else:
        pieces = textwrap.wrap(body, room, break_long_words=True, break_on_hyphens=False) or [""]
    lines = [f"{lead}{pieces[0]}".rstrip()]
    pad = f"{indent}#" + " " * (len(prefix) + 1)
    lines.extend(f"{pad}{p}".rstrip() for p in pieces[1:])
    return lines
