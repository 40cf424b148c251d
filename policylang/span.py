"""Where something is in a source file. Shared by the syntax tree, the diagnostics and every pass
(it depends on nothing else of policylang, so neither the parser nor the diagnostics depend on
each other through it)."""

from __future__ import annotations

import attrs


@attrs.frozen(slots=True)
class Span:
    """A region of a source file. Lines and columns are 1-based; end is exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    start_pos: int = 0
    end_pos: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def merge(self, other: "Span") -> "Span":
        first, last = (self, other) if self.start_pos <= other.start_pos else (other, self)
        return Span(
            self.file,
            first.line,
            first.column,
            last.end_line,
            last.end_column,
            first.start_pos,
            last.end_pos,
        )


NO_SPAN = Span("<builtin>", 0, 0, 0, 0)
