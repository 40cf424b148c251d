"""The language server keeps resolved policies from one check to the next (services/lsp.py
KeptPolicies): after an edit, what the edit cannot have changed is not resolved again, what it can
have changed is never answered from before, and the whole tree is never resolved for one hover.

These run real checks of a copy of the seed tree (the protocol itself is tested in test_lsp.py)."""

from __future__ import annotations

import os
import shutil
from decimal import Decimal

import pytest

pytest.importorskip("pygls")

from policylang.services.lsp import KeptPolicies, analyse  # noqa: E402

SEEDS = os.path.join(os.path.dirname(__file__), "..", "..", "policies")
CITY = "cn/gd/chaozhou/stent-2020"
PROVINCE = "cn/gd/stent-2020"
NATIONAL = "cn/stent-2020"
LOWERED_FLOOR = '\noverride param prepayment_ratio: percent floor 10% "预付比例"\n'


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYLANG_CACHE_DIR", str(tmp_path / "cache"))
    shutil.copytree(SEEDS, tmp_path / "policies")
    return str(tmp_path / "policies")


def _path(tree: str, pid: str) -> str:
    return os.path.join(tree, *pid.split("/")) + ".policy"


def _floor(policy, index: int = -1) -> Decimal:
    return policy.params["prepayment_ratio"].history[index].decl.value.value


def test_hover_after_an_edit_reuses_what_the_edit_cannot_change(tree, monkeypatch):
    kept = KeptPolicies()
    first = analyse(tree, {}, None, kept)
    province, resolution = first.policy(PROVINCE)
    assert province.policy_id == PROVINCE and NATIONAL in resolution.policies
    city_before, _ = first.policy(CITY)
    assert kept.stats["resolved"] == 0  # all from what the check resolved

    # The whole tree is never resolved for a lookup.
    def whole_tree(self):
        raise AssertionError("the whole tree was resolved")

    monkeypatch.setattr(type(first.run), "resolution", property(whole_tree))
    city = _path(tree, CITY)
    edited_text = open(city, encoding="utf-8").read() + LOWERED_FLOOR
    edited = analyse(tree, {city: edited_text}, None, kept)
    # (The seed tree is small: a check after any edit re-checks it all, resolving every policy again.)
    again, _ = edited.policy(PROVINCE)
    assert again is province  # its files are unchanged: the very same resolution
    city_after, _ = edited.policy(CITY)
    assert city_after is not city_before and _floor(city_after) == Decimal("0.1")
    assert kept.stats["resolved"] == 0

    # The edit undone: the check comes whole from the cache, and the city's earlier resolution is valid again.
    undone = analyse(tree, {}, None, kept)
    assert undone.run.stats["mode"] == "warm"
    assert undone.policy(CITY)[0] is city_before
    assert undone.policy(PROVINCE)[0] is province
    assert kept.stats["resolved"] == 0


def test_a_change_above_is_seen_below(tree):
    kept = KeptPolicies()
    first = analyse(tree, {}, None, kept)
    city_before, _ = first.policy(CITY)
    national = _path(tree, NATIONAL)
    text = open(national, encoding="utf-8").read()
    assert "floor 30%" in text
    raised = analyse(tree, {national: text.replace("floor 30%", "floor 35%", 1)}, None, kept)
    city_after, resolution = raised.policy(CITY)
    assert city_after is not city_before
    national_after = resolution.policies[NATIONAL]
    assert _floor(national_after) == _floor(city_after, 0) == Decimal("0.35")


def test_a_policy_the_check_did_not_resolve_is_resolved_alone(tree, monkeypatch):
    kept = KeptPolicies()
    analyse(tree, {}, None, kept)  # fills the cache
    fresh = KeptPolicies()  # a server started on a tree checked before: the check is warm
    run = analyse(tree, {}, None, fresh)
    assert run.run.stats["mode"] == "warm" and run.run.checked_resolution is None
    calls = []
    original = type(run.run).resolve_some

    def spy(self, ids):
        calls.append(set(ids))
        return original(self, ids)

    monkeypatch.setattr(type(run.run), "resolve_some", spy)
    city, resolution = run.policy(CITY)
    assert city.policy_id == CITY and calls == [{CITY}]
    # Only the city and what it builds on were resolved, not the other topics' policies.
    assert {CITY, PROVINCE, NATIONAL} <= set(resolution.policies)
    assert "cn/nm/spine-2023" not in resolution.policies
    # Asked again (or for the province it built on): nothing more is resolved.
    assert run.policy(CITY)[0] is city and run.policy(PROVINCE)[0] is resolution.policies[PROVINCE]
    assert calls == [{CITY}] and fresh.stats["resolved"] == 1
