"""Hypothesis: random chains of floor and ceiling overrides agree with a simple oracle."""

from __future__ import annotations

import tempfile
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylang.pipeline import check

from .conftest import write_tree

LEVELS = ("national", "provincial", "municipal", "county")
IDS = ("cn/base", "cn/p/base", "cn/p/c/base", "cn/p/c/d/base")
KINDS = ("floor", "ceiling", "fixed", "default")
OVERRIDE_CODES = {"PL304", "PL305", "PL306", "PL309"}

values = st.integers(min_value=0, max_value=5000).map(lambda n: Decimal(n) / 4)  # fractions of a yuan
definition = st.tuples(st.sampled_from(KINDS), values)


def policy_text(index: int, kind: str, value: Decimal) -> str:
    header = [f'policy "第{index}级"', f"level {LEVELS[index]}", f"effective 2021-0{index + 1}-01"]
    if index:
        header.append(f"extends {IDS[index - 1]}")
    money = f"{value} yuan"
    if index == 0:
        body = f'input amount: money "金额"\nparam limit: money {kind} {money} "限额"\n' \
               f'decision capped: money "金额" = min(amount, limit)\n'
    else:
        body = f'override param limit: money {kind} {money} because "本级规定"\n'
    return "\n".join(header) + "\n" + body


def oracle(chain: list[tuple[str, Decimal]]) -> set[tuple[str, str]]:
    """(policy id, code) of each level that breaks the rule in force above it.

    A floor binds at the highest floor so far (each level's value >= the previous binding value), a ceiling at
    the lowest; a fixed value binds exactly; a default binds nothing. A level that breaks the rule does not
    change the rule for the levels below it.
    """
    kind, bound = chain[0]
    found = set()
    for index, (new_kind, value) in enumerate(chain[1:], 1):
        pid = IDS[index]
        if kind == "default":
            kind, bound = new_kind, value
        elif kind == "fixed":
            if new_kind != "fixed" or value != bound:
                found.add((pid, "PL306"))
        elif new_kind not in (kind, "fixed"):
            found.add((pid, "PL309"))
        elif (kind == "floor" and value < bound) or (kind == "ceiling" and value > bound):
            found.add((pid, "PL304" if kind == "floor" else "PL305"))
        else:
            kind, bound = new_kind, value
    return found


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(definition, min_size=2, max_size=4).filter(lambda c: c[0][0] in ("floor", "ceiling")))
def test_random_override_chains_agree_with_the_oracle(chain):
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_tree(tmp, {IDS[i]: policy_text(i, k, v) for i, (k, v) in enumerate(chain)})
        run = check([folder])
    got = {(d.policy_id, d.code) for d in run.diagnostics if d.code in OVERRIDE_CODES}
    assert got == oracle(chain), [(d.policy_id, d.code, d.message) for d in run.diagnostics]
    assert not [d for d in run.diagnostics if d.severity == "error" and d.code not in OVERRIDE_CODES]
