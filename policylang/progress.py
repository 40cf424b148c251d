"""A one-line progress display for long runs, on stderr.

    progress = Progress("parsing", total=len(paths))
    for path in paths:
        ...
        progress.advance()
    progress.close()

It draws only on an interactive terminal: when stderr is not a TTY (piped,
redirected, captured by a test) or the CI variable is set, every call is a
no-op, so stages can report progress unconditionally. Redraws are throttled
so that advancing once per file costs almost nothing.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Optional, TextIO

REDRAW_INTERVAL = 0.1  # seconds between redraws


def progress_wanted(stream: Optional[TextIO] = None) -> bool:
    """True on an interactive terminal outside CI."""
    if os.environ.get("CI"):
        return False
    stream = stream if stream is not None else sys.stderr
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or unusual streams
        return False


def stage_label(stage: str, lang: Optional[str] = None) -> str:
    """The words of a stage ('parse', 'check', 'compile', 'docs') from the message catalogue, in
    lang (default: the language the command's output is in)."""
    from .messages import P

    en, zh = P(f"phrase.progress.{stage}")
    if lang is None:
        from .config import output_language

        try:
            import click

            ctx = click.get_current_context(silent=True)
            chosen = ctx.meta.get("policylang.lang") if ctx is not None else None
        except ImportError:  # pragma: no cover - click is a dependency
            chosen = None
        lang = output_language(None, chosen)
    return zh if lang == "zh" and zh else en


class Progress:
    def __init__(self, label: str, total: Optional[int] = None, enabled: Optional[bool] = None,
                 stream: Optional[TextIO] = None):
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = progress_wanted(self.stream) if enabled is None else enabled
        self._last_draw = 0.0
        self._width = 0
        self._closed = False
        if self.enabled:
            self._draw()

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.enabled and not self._closed:
            now = time.monotonic()
            if now - self._last_draw >= REDRAW_INTERVAL or (self.total is not None and self.done >= self.total):
                self._draw(now)

    def update(self, done: int, total: Optional[int] = None) -> None:
        """Set the count (and the total, once known): the form of a stage's progress(done, total)."""
        if total is not None:
            self.total = total
        self.advance(done - self.done)

    def close(self) -> None:
        """Erase the line (the command's own output follows on a clean line)."""
        if self.enabled and not self._closed and self._width:
            self._write("\r" + " " * self._width + "\r")
        self._closed = True

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _draw(self, now: Optional[float] = None) -> None:
        self._last_draw = now if now is not None else time.monotonic()
        if self.total:
            text = f"{self.label}: {self.done}/{self.total} ({100 * self.done // self.total}%)"
        else:
            text = f"{self.label}: {self.done}"
        padding = " " * max(self._width - len(text), 0)
        self._width = max(self._width, len(text))
        self._write("\r" + text + padding)

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: stop drawing
            self.enabled = False
