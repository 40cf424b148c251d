"""A budget of CPU time for each z3 call, so that a proof's verdict does not depend on the machine's load.

z3's own `timeout` counts wall-clock time. On a machine running other jobs (a CI runner, a
developer's laptop during a build) a proof that needs 2 s of computing can run out of a 4 s limit,
and the finding — PL318 "the solver could not decide", or a case taken as reachable — changes
with the load: a CI job with `--strict` would fail or pass by chance. Here the limit is CPU time
of the thread that is solving: a watchdog thread reads that thread's CPU clock while a call runs
and interrupts the solver's context when the call has used its budget. The same proofs decide on
a loaded machine as on an idle one (only slower); a machine of a different speed may still
decide differently near the limit, as with any limit.

z3's wall-clock `timeout` stays as a far backstop (`BACKSTOP_FACTOR` times the budget), and is
the only limit where the platform has no per-thread CPU clock.
"""

from __future__ import annotations

import functools
import itertools
import os
import threading
import time
from typing import Any, Optional

from ...processes import register_idle_thread_stopper
from .lazyz3 import lazy_z3

z3 = lazy_z3(__name__)

POLL_SECONDS = 0.02
BACKSTOP_FACTOR = 30  # wall-clock limit, in budgets: reached only on a machine starved of CPU

_lock = threading.Lock()
_wake = threading.Event()
_active: dict[int, tuple[int, float, Any]] = {}  # call id -> (CPU clock, deadline on it, z3 context)
_watchdog: list[tuple[threading.Thread, threading.Event]] = []  # the running one and its stop signal
_call_ids = itertools.count(1)


def _after_fork_in_child() -> None:
    # a forked process has no watchdog thread (threads are not copied) and maybe a lock copied held
    global _lock, _wake
    _lock, _wake = threading.Lock(), threading.Event()
    _active.clear()
    _watchdog.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _thread_clock() -> Optional[int]:
    """The CPU clock of the calling thread, or None where the platform has none."""
    try:
        return time.pthread_getcpuclockid(threading.get_ident())
    except (AttributeError, OSError):
        return None


def _watch(stop: threading.Event) -> None:
    while True:
        _wake.wait()
        with _lock:
            if stop.is_set():  # set under the lock: seen here, or the wake that follows it is
                return
            if not _active:
                _wake.clear()
                continue
            for clock, deadline, context in _active.values():
                # under the lock: a call that has returned is no longer in _active, so it is never
                # interrupted; interrupting a context between two calls does nothing in z3
                if time.clock_gettime(clock) >= deadline:
                    context.interrupt()
        time.sleep(POLL_SECONDS)


def check_within(solver, cpu_seconds: float, *assumptions):
    """`solver.check(*assumptions)`, interrupted (result unknown, reason 'interrupted') after
    `cpu_seconds` of the calling thread's CPU time."""
    clock = _thread_clock()
    if clock is None:
        return z3.Solver.check(solver, *assumptions)
    with _lock:
        call = next(_call_ids)
        _active[call] = (clock, time.clock_gettime(clock) + cpu_seconds, solver.ctx)
        if not _watchdog:
            stop = threading.Event()
            thread = threading.Thread(target=_watch, args=(stop,), name="policylang-solver-budget", daemon=True)
            _watchdog.append((thread, stop))
            thread.start()
        _wake.set()
    try:
        return z3.Solver.check(solver, *assumptions)
    finally:
        with _lock:
            del _active[call]


def stop_idle_watchdog() -> None:
    """End the watchdog thread while no call runs (the next call starts another), so that a
    process that has proved things runs one thread again and may fork (see processes)."""
    with _lock:
        if _active or not _watchdog:
            return
        thread, stop = _watchdog.pop()
        stop.set()
        _wake.set()
    thread.join()


register_idle_thread_stopper(stop_idle_watchdog)


def ran_out(reason: str) -> bool:
    """z3's reason for 'unknown' says the call used its budget (or the wall-clock backstop)."""
    return any(word in reason for word in ("interrupted", "canceled", "timeout"))


def backstop_ms(cpu_seconds: float) -> int:
    """z3's wall-clock `timeout` for a call with this CPU budget."""
    if _thread_clock() is None:
        return int(cpu_seconds * 1000)
    return int(cpu_seconds * 1000 * BACKSTOP_FACTOR)


@functools.cache
def _budgeted_class() -> type:
    # made on first use: z3 is imported only when a proof needs it (see lazyz3)
    class BudgetedSolver(z3.Solver):
        cpu_seconds = 0.0

        def check(self, *assumptions):
            return check_within(self, self.cpu_seconds, *assumptions)

    return BudgetedSolver


def budgeted(solver, cpu_seconds: float):
    """The same z3 solver (the same underlying object), whose `check` keeps to `cpu_seconds` of
    CPU time per call; its wall-clock timeout is set to the backstop."""
    wrapped = _budgeted_class()(solver=solver.solver, ctx=solver.ctx)
    wrapped.cpu_seconds = cpu_seconds
    wrapped.set("timeout", backstop_ms(cpu_seconds))
    return wrapped
