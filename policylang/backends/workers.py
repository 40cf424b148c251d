"""Parallel work of the backends: how many processes, and handing chunks of a list to forked workers.

`policylang build` writes one evaluator module and a few documentation pages per policy; each
depends only on the checked run, never on another policy's output, so the work is split into
chunks of policies handed to forked workers (fork copies the run: nothing big is pickled on the
way in) and the results come back in order. The output is the same bytes whatever the number of
processes.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any, Callable, Iterator, Optional, Sequence

from ..processes import fork_context, worker_pool

# Below this many policies the work stays in one process: starting workers costs more than it saves.
PARALLEL_THRESHOLD = 64
# At most this many processes, however many cores.
MAX_JOBS = 8


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_jobs(count: int) -> int:
    """How many processes work on `count` policies: one per available core (at most MAX_JOBS),
    one below PARALLEL_THRESHOLD or where processes cannot be forked."""
    if count < PARALLEL_THRESHOLD or not can_fork():
        return 1
    return max(1, min(available_cores(), MAX_JOBS))


def chunked(items: Sequence, size: int) -> list[Sequence]:
    """The items in consecutive slices of `size` (the last one shorter)."""
    return [items[i:i + size] for i in range(0, len(items), size)]


# How many chunks each worker gets of what is left, at each cut (see spans).
_SHARE = 4


def spans(count: int, jobs: int, smallest: int) -> list[tuple[int, int]]:
    """(start, stop) of consecutive chunks of `count` items for `jobs` workers: each chunk a
    1/(jobs * _SHARE) share of what is left, never fewer than `smallest` items, so the chunks shrink
    towards the end (guided scheduling). Large early chunks keep neighbouring policies in one
    worker: the policies are in tree order, and siblings share most of what each process
    remembers of the work (the generated items' code, the docs' views and fragments), which a
    worker handed every other small chunk would work out again. Small last chunks keep the workers
    finishing together."""
    out: list[tuple[int, int]] = []
    start = 0
    share = max(1, jobs) * _SHARE
    while start < count:
        size = max(smallest, -(-(count - start) // share))
        out.append((start, min(count, start + size)))
        start += size
    return out


# What a forked worker inherits from the parent: the function to apply to each chunk.
_WORKER_FUNCTION: Optional[Callable[[Any], Any]] = None


def _run_in_worker(chunk):
    assert _WORKER_FUNCTION is not None, "worker started without its job"
    return _WORKER_FUNCTION(chunk)


def map_chunks(function: Callable[[Any], Any], chunks: Sequence, jobs: int,
               started: Optional[Callable[[], None]] = None) -> Iterator:
    """function(chunk) for each chunk, in the chunks' order, in `jobs` forked processes (here when
    jobs <= 1 or there is one chunk). The function and what it reads are inherited by the workers,
    not pickled; only each chunk and each result cross between processes. An exception raised in a
    worker is raised here as it is. Workers are started once the first result is asked for;
    started(), when given, is called once they are (never when the work stays in this process), so
    the caller can use the time this process would spend waiting."""
    if jobs <= 1 or len(chunks) < 2 or not can_fork():
        for chunk in chunks:
            yield function(chunk)
        return
    global _WORKER_FUNCTION
    if _WORKER_FUNCTION is not None:  # already inside a map: no nested pools
        for chunk in chunks:
            yield function(chunk)
        return
    context = fork_context()
    if context is None:  # other threads run here (see processes): one process
        for chunk in chunks:
            yield function(chunk)
        return
    _WORKER_FUNCTION = function
    try:
        with worker_pool(min(jobs, len(chunks)), context) as pool:
            results = pool.map(_run_in_worker, chunks)  # every chunk handed out: the workers exist
            if started is not None:
                started()
            yield from results
    finally:
        _WORKER_FUNCTION = None
