"""Worker processes (policylang/processes.py): fork only while one thread runs, never let a child
finalize the parent's objects, and report a worker that dies instead of waiting for it.

Each case runs in a fresh interpreter: whether this process may fork depends on the threads the
test run itself has started."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from pathlib import Path

from policylang import claims

POLICIES = Path(__file__).resolve().parent.parent / "policies"


def _run(code: str, timeout: float = 120) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_process_running_another_thread_does_not_fork():
    out = _run("""
        import threading
        from policylang import processes
        release = threading.Event()
        other = threading.Thread(target=release.wait)
        other.start()
        print(processes.fork_context() is None)
        release.set(); other.join()
        print(processes.fork_context().get_start_method())
    """)
    assert out.splitlines() == ["True", "fork"]


def test_after_a_proof_the_idle_solver_watchdog_is_stopped_so_the_process_may_fork():
    out = _run("""
        import threading
        from policylang import processes
        from policylang.semantics.checks import solver_budget
        import z3
        x = z3.Int("x")
        solver = solver_budget.budgeted(z3.Solver(), 2.0)
        solver.add(x * x == 49, x > 0)
        print(solver.check())
        print(any(t.name == "policylang-solver-budget" for t in threading.enumerate()))
        print(processes.fork_context() is not None, threading.active_count())
        solver.add(x < 100)
        print(solver.check())  # a new watchdog serves the next call
    """)
    assert out.splitlines() == ["sat", "True", "True 1", "sat"]


def test_a_forked_worker_never_finalizes_the_parents_objects():
    # The crash this guards against: a child's collector ran a native library's finalizer on an
    # object the parent had dropped. Here the finalizer says which process ran it.
    out = _run("""
        import gc, os
        from policylang import processes

        class Native:
            def __del__(self):
                print("finalized in", "parent" if os.getpid() == PARENT else "child", flush=True)

        def collect_in_worker(_):
            gc.collect()
            return "collected"

        PARENT = os.getpid()
        gc.disable()
        a, b = Native(), Native()
        a.other, b.other = b, a  # a cycle: only the collector frees it
        del a, b
        with processes.worker_pool(1, processes.fork_context()) as pool:
            print(pool.submit(collect_in_worker, None).result(), flush=True)
        gc.collect()
    """)
    assert out.splitlines() == ["collected", "finalized in parent", "finalized in parent"]


def test_a_worker_that_dies_is_reported_not_waited_for():
    out = _run("""
        import os
        from concurrent.futures.process import BrokenProcessPool
        from policylang import processes

        def die(_):
            os._exit(11)

        try:
            with processes.worker_pool(2, processes.fork_context()) as pool:
                pool.submit(die, None).result()
        except BrokenProcessPool:
            print("reported")
    """, timeout=60)
    assert out == "reported"


def test_eval_with_workers_in_a_process_running_other_threads_gives_the_same_output(tmp_path):
    # A long-lived process (a service) with threads of its own evaluates in one process: the
    # output is the bytes the forked workers write.
    out = _run(f"""
        import threading
        from pathlib import Path
        from policylang.backends import stream
        from policylang.cli import main
        pools = []
        real_pool = stream.worker_pool
        def counted_pool(*args, **kwargs):
            pools.append(args[0])
            return real_pool(*args, **kwargs)
        stream.worker_pool = counted_pool
        tmp = Path({str(tmp_path)!r})
        assert main(["claims", "stent", "-n", "3000", "--seed", "5", "-o", str(tmp / "claims.csv")]) == 0
        def evaluate(name):
            args = ["eval", "cn/gd/stent-2020", "-i", str(tmp / "claims.csv"), "--as-of", "2021-06-01",
                    "--keep", {",".join(claims.STENT_CONTEXT)!r}, "-j", "2", "--batch-size", "100", "-o", str(tmp / name), "--root", {str(POLICIES)!r}]
            assert main(args) == 0
            return (tmp / name).read_bytes()
        forked = evaluate("forked.csv")
        print(pools)
        release = threading.Event()
        other = threading.Thread(target=release.wait)
        other.start()
        alone = evaluate("alone.csv")
        release.set(); other.join()
        print(pools, forked == alone, forked.count(b"\\n") > 3000)
    """, timeout=300)
    assert out.splitlines() == ["[2]", "[2] True True"]
