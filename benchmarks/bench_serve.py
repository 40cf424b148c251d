#!/usr/bin/env python3
"""Load-test `policylang serve` on this machine: throughput and p50/p99 latency, single and batched.

    python benchmarks/bench_serve.py [--root policies] [--requests 2000] [--seconds 30]
                                     [--concurrency 8] [--batch 100]

Starts `policylang serve` on 127.0.0.1 at a free port (requests go to that address only), waits
for it, then runs two rounds against POST /policies/cn/gd/stent-2020/evaluate:

  single   one case per request
  batched  --batch cases per request (throughput is also given in cases per second)

Each round stops after --requests requests or --seconds seconds, whichever comes first, with
--concurrency requests in flight (threads, one HTTP connection each). Then the server is stopped.
Every answer is checked (status 200, one result per case); a failed one is counted, not retried.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
import urllib.request

POLICY = "cn/gd/stent-2020"
CASE = {"selected": False, "selected_price": 469, "lowest_purchase_price": 6800, "price": 6800,
        "in_fund_scope": True, "reimbursement_ratio": "70%", "agreed_amount": 200000, "acceptance_date": "2021-01-15",
        "payment_date": "2021-02-26", "as_of": "2021-03-01"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, body: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def run_round(url: str, body: bytes, expected: int, requests: int, seconds: float, concurrency: int) -> dict:
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    issued = [0]
    deadline = time.monotonic() + seconds

    def worker():
        while True:
            with lock:
                if issued[0] >= requests or time.monotonic() > deadline:
                    return
                issued[0] += 1
            start = time.perf_counter()
            status, data = post(url, body)
            elapsed = time.perf_counter() - start
            ok = status == 200 and len(json.loads(data)) == expected
            with lock:
                latencies.append(elapsed)
                if not ok:
                    failures[0] += 1

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    return {"requests": len(latencies), "failed": failures[0], "seconds": wall,
            "rps": len(latencies) / wall if wall else 0.0, "cases_per_s": len(latencies) * expected / wall if wall else 0.0,
            "p50_ms": pct(0.50), "p99_ms": pct(0.99)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=os.path.join(os.path.dirname(__file__), "..", "policies"))
    parser.add_argument("--requests", type=int, default=2000, help="at most this many requests per round")
    parser.add_argument("--seconds", type=float, default=30.0, help="at most this long per round")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args(argv)
    args.requests = max(1, min(args.requests, 100_000))
    args.seconds = max(1.0, min(args.seconds, 600.0))

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "policylang", "serve", "--root", args.root, "--port", str(port),
                             "--max-cases", str(max(args.batch, 1000))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/policies", timeout=5).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    print("the server did not start", file=sys.stderr)
                    return 2
                time.sleep(0.1)
        url = f"{base}/policies/{POLICY}/evaluate"
        post(url, json.dumps({"case": CASE}).encode())  # compile the evaluator before measuring
        rounds = [("single", json.dumps({"case": CASE}).encode(), 1),
                  (f"batched ×{args.batch}", json.dumps({"cases": [CASE] * args.batch}).encode(), args.batch)]
        print(f"policylang serve on {platform.python_implementation()} {platform.python_version()}, "
              f"{os.cpu_count()} cores; {args.concurrency} in flight, ≤{args.requests} requests or "
              f"≤{args.seconds:g} s per round")
        print(f"{'round':<14} {'requests':>8} {'failed':>6} {'req/s':>8} {'cases/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
        for name, body, expected in rounds:
            r = run_round(url, body, expected, args.requests, args.seconds, args.concurrency)
            print(f"{name:<14} {r['requests']:>8} {r['failed']:>6} {r['rps']:>8.0f} {r['cases_per_s']:>9.0f} "
                  f"{r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f}")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
