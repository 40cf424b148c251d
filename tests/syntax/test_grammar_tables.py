"""The analysed grammar kept between runs: shared by both parsers, kept as JSON in a private folder,
never read from a folder another user could write, and analysed again when the kept copy is bad."""

import glob
import json
import os
import stat
import tempfile

import pytest
from lark.exceptions import UnexpectedToken

from policylang.syntax import parser as P
from policylang.syntax import tables as T


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    home = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.setattr(T, "_in_memory", {})
    return home


def _stop_state(parser, text):
    with pytest.raises(UnexpectedToken) as caught:
        parser.parse(text)
    return caught.value.state.position, caught.value.accepts


def _kept(home):
    return glob.glob(str(home / "policylang" / "grammar-*.json"))


def test_both_parsers_number_states_alike(cache_home):
    # Lark numbers the states anew on every analysis; the mistake catalogue compares numbers.
    builder = T.make_parser(P._grammar())
    plain = T.make_parser(P._grammar())
    for text in ("input selected bool\n", "decision d: money a * b\n", "决策 d：金额 {\n    当 selected 1元\n}\n"):
        assert _stop_state(builder, text) == _stop_state(plain, text)


def test_tables_are_kept_as_json_readable_by_this_user_only(cache_home):
    T.make_parser(P._grammar())
    (path,) = _kept(cache_home)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
    with open(path, encoding="utf-8") as fh:
        stored = json.load(fh)
    assert stored["key"] == T._key(P._grammar())
    assert not glob.glob(os.path.join(tempfile.gettempdir(), ".lark_cache_*_" + stored["key"] + "*"))


def test_kept_tables_read_back_as_analysed(cache_home):
    grammar = P._grammar()
    fresh = T.make_parser(grammar)
    (path,) = _kept(cache_home)
    assert T._read(path, T._key(grammar)) == T._in_memory[T._key(grammar)]
    T._in_memory.clear()
    loaded = T.make_parser(grammar)
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "policies", "cn", "gd", "stent-2020.policy"),
              encoding="utf-8") as fh:
        text = fh.read()
    assert loaded.parse(text) == fresh.parse(text)
    assert _stop_state(loaded, "input selected bool\n")[1] == _stop_state(fresh, "input selected bool\n")[1]


@pytest.mark.parametrize("content", [
    "not json at all",
    json.dumps({"key": "0" * 64, "tables": {}}),
    "{\"key\": \"KEY\", \"tables\": {\"data\": {}, \"memo\": []}}",
    "{\"key\": \"KEY\", \"tables\": {\"data\": {\"parser\": {\"parser\": {\"states\": [[1, [[2, 3]]]], \"tokens\": []}}},"
    " \"memo\": []}}",
])
def test_a_bad_kept_file_is_analysed_again(cache_home, content):
    grammar = P._grammar()
    T.make_parser(grammar)
    (path,) = _kept(cache_home)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(content.replace("KEY", T._key(grammar)))
    T._in_memory.clear()
    parser = T.make_parser(grammar)
    assert _stop_state(parser, "input selected bool\n")[1] == {"COLON", "ZH_FF1A"}
    with open(path, encoding="utf-8") as fh:
        assert json.load(fh)["key"] == T._key(grammar)  # written again, whole


def test_a_folder_others_can_write_is_neither_read_nor_written(cache_home):
    folder = cache_home / "policylang"
    folder.mkdir(parents=True)
    os.chmod(folder, 0o777)
    grammar = P._grammar()
    planted = folder / f"grammar-{T._key(grammar)[:16]}.json"
    planted.write_text("planted", encoding="utf-8")
    T.make_parser(grammar)
    assert planted.read_text(encoding="utf-8") == "planted"
    assert T._in_memory  # analysed in memory instead
