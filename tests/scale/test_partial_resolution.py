"""After one file changes only the affected chains are resolved again; the findings must be
exactly those of a cold run, including what untouched policies contribute."""

from __future__ import annotations

import os

from helpers import header, write_tree
from policylang.pipeline import check

NATIONAL = header("national") + """
input price: money
param only_a_reads: money fixed 10 yuan
param nobody_reads: money fixed 20 yuan
"""
PROVINCE = header("provincial", extends="cn/x")
CITY_A = header("municipal", extends="cn/gd/x") + """
decision d: money = price + only_a_reads
decision broken: money = price + no_such_name
"""
CITY_B = header("municipal", extends="cn/gd/x") + "input extra: count\ndecision e: count = extra\n"


def codes(run):
    return sorted((d.code, d.policy_id, d.message) for d in run.diagnostics)


def test_incremental_run_equals_cold_run(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYLANG_CACHE_DIR", str(tmp_path / "cache"))
    others = {f"cn/gd/c{i}/x": header("municipal", extends="cn/gd/x") for i in range(6)}  # untouched cities
    root = write_tree(tmp_path, {"cn/x": NATIONAL, "cn/gd/x": PROVINCE, "cn/gd/a/x": CITY_A, "cn/gd/b/x": CITY_B,
                                 **others})
    first = check([root])
    found = {(c, p) for c, p, _ in codes(first)}
    assert ("PL201", "cn/gd/a/x") in found  # the untouched city's resolver error
    assert ("PL207", "cn/x") in found  # nobody_reads
    # Change city B only.
    path = os.path.join(root, "cn", "gd", "b", "x.policy")
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("decision f: count = extra + 1\n")
    incremental = check([root])
    assert incremental.stats["mode"] == "incremental"
    cold = check([root], cache=False)
    assert codes(incremental) == codes(cold)
    messages = [m for c, p, m in codes(incremental) if c == "PL207"]
    assert any("nobody_reads" in m for m in messages)
    assert not any("only_a_reads" in m for m in messages)  # read by the untouched city A
    # Only the affected chains were resolved; a backend that needs every policy resolves the rest.
    assert incremental._resolution is None
    assert set(incremental.resolution.policies) == {"cn/x", "cn/gd/x", "cn/gd/a/x", "cn/gd/b/x", *others}
