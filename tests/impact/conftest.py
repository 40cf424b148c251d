"""Fixtures of the impact tests (the helpers are in impact_support.py)."""

from __future__ import annotations

import pytest

from impact_support import make_tree


@pytest.fixture(scope="session")
def tree(tmp_path_factory):
    return make_tree(tmp_path_factory.mktemp("impact_tree"))


@pytest.fixture(scope="session")
def claims_csv(tmp_path_factory):
    """800 synthetic stent claims, 3% of them with a hostile cell."""
    from policylang import claims

    path = str(tmp_path_factory.mktemp("impact_claims") / "claims.csv")
    claims.write(path, "stent", 800, seed=11, invalid=0.03)
    return path
