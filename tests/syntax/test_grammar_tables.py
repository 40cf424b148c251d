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


BAD_FILES = [
    "not json at all",
    json.dumps({"key": "0" * 64, "tables": {}}),
    "{\"key\": \"KEY\", \"tables\": {\"data\": {}, \"memo\": []}}",
    "{\"key\": \"KEY\", \"tables\": {\"data\": {\"parser\": {\"parser\": {\"states\": [[1, [[2, 3]]]], \"tokens\": []}}},"
    " \"memo\": []}}",
]


def test_a_bad_kept_file_is_analysed_again_and_rewritten(cache_home):
    grammar = P._grammar()
    key = T._key(grammar)
    T.make_parser(grammar)
    (path,) = _kept(cache_home)
    for content in BAD_FILES:  # each is refused as it is read (analysing again costs ~1 s each)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(content.replace("KEY", key))
        assert T._read(path, key) is None, content
    # A file that reads as tables but that Lark cannot load: analysed again, and written again whole.
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"key": key, "tables": {"data": {"parser": {"parser": {"states": [], "tokens": []}}},
                                                    "memo": []}}))
    assert T._read(path, key) is not None
    T._in_memory.clear()
    parser = T.make_parser(grammar)
    assert _stop_state(parser, "input selected bool\n")[1] == {"COLON", "ZH_FF1A"}
    with open(path, encoding="utf-8") as fh:
        assert json.load(fh)["key"] == key


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


def test_the_compact_lalr_table_is_the_one_lark_would_load():
    # The same analysis, loaded by Lark's own deserialiser and through the compact form.
    from lark import Lark
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    analysed = Lark(P._grammar(), cache=False, **T.PARSER_OPTIONS)
    data, memo = analysed.memo_serialize([TerminalDef, Rule])
    theirs = Lark.__new__(Lark)._load({"data": data, "memo": memo})
    stored = json.loads(json.dumps(T._encode({"data": T._compact(data), "memo": memo})))
    ours = T.parser_from(T._decode(stored))
    their_table, our_table = theirs.parser.parser._parse_table, ours.parser.parser._parse_table
    assert our_table.states == their_table.states
    assert (our_table.start_states, our_table.end_states) == (their_table.start_states, their_table.end_states)
    assert all(type(n) is int for flat in stored["data"]["parser"]["parser"]["states"] for n in flat)


@pytest.mark.parametrize("states", [[[0, 2, 5]], [[0, 0]], [[0, 0, "1"]], [{"0": [0, 1]}]])
def test_a_kept_table_with_a_malformed_state_is_refused(cache_home, states):
    grammar = P._grammar()
    key = T._key(grammar)
    T.make_parser(grammar)
    (path,) = _kept(cache_home)
    with open(path, encoding="utf-8") as fh:
        stored = json.load(fh)
    stored["tables"]["data"]["parser"]["parser"]["states"] = states
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(stored, fh)
    tables = T._read(path, key)
    if tables is not None:  # well-formed integers, wrong meaning: Lark cannot load it, analysed again
        with pytest.raises(Exception):
            T.parser_from(tables)
    T._in_memory.clear()
    assert _stop_state(T.make_parser(grammar), "input selected bool\n")[1] == {"COLON", "ZH_FF1A"}
