"""Worker processes: when this process may fork, and the pool every pass hands work to.

`fork()` copies the calling thread only, and the whole heap as it is. Two hazards follow, and the
test suite (many commands run in one long process) met both:

- a lock that another thread holds at that moment stays held in the child forever;
- the child's garbage collector finalizes the parent's unreachable objects, among them a native
  library's (z3's solvers and contexts), whose finalizers then run against a copy of that library's
  state: a worker crashed so ("Fatal Python error: Segmentation fault ... Garbage-collecting").

So a process forks only while it runs one thread (this package's idle helper threads are stopped
first, see `register_idle_thread_stopper`), the parent's objects are frozen for the collector
(`gc.freeze`) while its workers are forked, so no child ever finalizes them, and the pool is a
`concurrent.futures.ProcessPoolExecutor`: a worker that dies makes the next result raise
`BrokenProcessPool` (an internal error), where `multiprocessing.Pool` waits for it forever.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from typing import TYPE_CHECKING, Callable, Iterator, Optional

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

# multiprocessing and concurrent.futures are imported when a pool is wanted: a command that works
# in one process (most checks) does not pay for them at start.

_idle_thread_stoppers: list[Callable[[], None]] = []


def register_idle_thread_stopper(stop: Callable[[], None]) -> None:
    """`stop()` ends a helper thread of this package that has nothing to do (and returns at once
    when it is busy); it is called before this process decides whether it may fork."""
    _idle_thread_stoppers.append(stop)


def can_fork_safely() -> bool:
    """This platform forks and this process runs one thread (after stopping idle helpers)."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    for stop in _idle_thread_stoppers:
        stop()
    return threading.active_count() == 1


def fork_context():
    """The fork start method's context when forking is safe here, else None."""
    import multiprocessing

    return multiprocessing.get_context("fork") if can_fork_safely() else None


def fresh_context():
    """A start method that begins each worker afresh (no inherited state): forkserver, else spawn."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


@contextlib.contextmanager
def worker_pool(jobs: int, context, initializer: Optional[Callable] = None,
                initargs: tuple = ()) -> Iterator["ProcessPoolExecutor"]:
    """A pool of `jobs` worker processes made with `context`. While it is open the objects that
    exist now are frozen for the collector, so a forked worker never collects them (and their
    memory pages stay shared). On leaving, work not yet started is cancelled."""
    from concurrent.futures import ProcessPoolExecutor

    gc.freeze()
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=initializer, initargs=initargs)
    try:
        yield pool
    finally:
        try:
            pool.shutdown(wait=True, cancel_futures=True)
        finally:
            gc.unfreeze()
