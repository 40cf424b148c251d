"""Lark's analysed grammar is kept where only this user can write: Lark unpickles the file it finds,
and by default it looks in the shared temp folder, where another local user could plant one."""

import os
import pickle
import subprocess
import sys

from policylang.syntax import parser
from policylang.userdirs import private_file


def test_grammar_cache_lives_in_the_users_private_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = parser._grammar_cache("grammar-ast")
    assert path == str(tmp_path / "policylang" / "grammar-ast.lark-cache")
    assert oct(os.stat(tmp_path / "policylang").st_mode & 0o777) == oct(0o700)


def test_a_folder_or_file_others_can_write_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "policylang"
    folder.mkdir()
    folder.chmod(0o777)
    assert private_file("grammar-ast.lark-cache") is None
    assert parser._grammar_cache("grammar-ast") is False
    folder.chmod(0o700)
    planted = folder / "grammar-ast.lark-cache"
    planted.write_bytes(b"x")
    planted.chmod(0o666)
    assert parser._grammar_cache("grammar-ast") is False
    planted.chmod(0o600)
    assert parser._grammar_cache("grammar-ast") == str(planted)
    link = folder / "grammar-plain.lark-cache"
    link.symlink_to(tmp_path / "elsewhere")
    assert parser._grammar_cache("grammar-plain") is False


class _Planted:
    """Unpickling it creates the file at `path`: proof that a planted cache ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_the_shared_temp_folder_is_neither_read_nor_written(tmp_path):
    """A parse in a fresh process writes no grammar cache to the temp folder (Lark's default, which
    it would also read back), runs nothing planted there, and keeps its cache in the user's folder."""
    import tempfile

    mark = tmp_path / "ran"
    payload = pickle.dumps(_Planted(str(mark)))
    temp = tmp_path / "tmp"
    temp.mkdir()
    for kind in ("cache", "cache_grammar"):
        for user in ("root", "unknown", os.environ.get("USER", "x")):
            # Lark reads a hash line, then unpickles: the planted object runs as soon as it is loaded.
            (temp / f".lark_{kind}_{user}_planted.tmp").write_bytes(b"h\n" + payload)
    env = dict(os.environ, TMPDIR=str(temp), XDG_CACHE_HOME=str(tmp_path / "home"))
    code = ("import tempfile; from policylang.syntax.parser import parse_source; "
            "r = parse_source('policy \"x\" {}\\n', 'x.policy'); print(tempfile.gettempdir())")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert not mark.exists()
    assert not any(p.name.startswith(".lark_") and p.name.endswith(".tmp") and "planted" not in p.name
                   for p in temp.iterdir()), "Lark wrote its cache to the shared temp folder"
    assert (tmp_path / "home" / "policylang" / "grammar-ast.lark-cache").exists()
    assert tempfile.gettempdir()
