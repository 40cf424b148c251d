"""A large file is parsed by several processes; the result must be the same as parsing it in one."""

from __future__ import annotations

from policylang.syntax import parser as P


def _big_source(n: int) -> str:
    lines = ['policy "大文件"', "level national", "effective 2021-01-01", "input a: money", "input d: date"]
    for i in range(n):
        lines.append(f'param p{i}: percent floor {i % 100}% "参数{i}" article "二(二)"  # 注释 {i}')
        lines.append(f"decision d{i}: money = round(a * p{i} + min(a, {i} yuan), fen, up)")
        if i == n // 2:
            lines.append("decision broken: money = round(")  # a syntax error in the second half
    return "\n".join(lines) + "\n"


def test_parallel_parse_equals_sequential(monkeypatch):
    text = _big_source(400)
    sequential = P.parse_source(text, "big.policy", "big")
    monkeypatch.setattr(P, "PARALLEL_MIN_CHARS", 1_000)
    monkeypatch.setattr(P, "_CHARS_PER_PROCESS", 5_000)
    monkeypatch.setattr(P.os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    parallel = P.parse_source(text, "big.policy", "big")
    assert parallel.file == sequential.file
    assert parallel.diagnostics == sequential.diagnostics
    assert [d.code for d in parallel.diagnostics] == ["PL102"]
    assert len(parallel.file.comments) == 400
