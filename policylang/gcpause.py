"""Pause the cyclic garbage collector while building large, acyclic structures.

Parsing and resolving allocate millions of small immutable objects and free almost
none; the collector's generation-2 passes then cost more than the work itself.
The structures built are trees, so nothing is left for the collector to find.
"""

from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def gc_paused():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
