"""Golden files are never created quietly: a missing one fails, UPDATE_GOLDEN=1 writes it."""

from __future__ import annotations

import pytest

from helpers import assert_golden


def test_missing_golden_file_fails(tmp_path, monkeypatch):
    monkeypatch.delenv("UPDATE_GOLDEN", raising=False)
    path = tmp_path / "golden" / "x.txt"
    with pytest.raises(AssertionError, match="UPDATE_GOLDEN=1"):
        assert_golden(path, "text\n")
    assert not path.exists()


def test_update_golden_writes_then_compares(tmp_path, monkeypatch):
    path = tmp_path / "golden" / "x.txt"
    monkeypatch.setenv("UPDATE_GOLDEN", "1")
    assert_golden(path, "text\n")
    monkeypatch.delenv("UPDATE_GOLDEN")
    assert_golden(path, "text\n")
    with pytest.raises(AssertionError):
        assert_golden(path, "other\n")
