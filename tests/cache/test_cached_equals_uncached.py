"""Cached and uncached checks give the same findings, always.

A state machine edits a small tree (add, change, break, fix, delete and rename files, change
`extends`, add, change and remove amending notices (`amends`, also of a policy others extend), change the configuration) and after every step compares a check that uses the
on-disk cache (warm snapshot or incremental re-check) with one from scratch.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from helpers import header
import policylang.pipeline as pipeline

LIBRARY = header("national", title="库") + """
param lib_rate: percent fixed 10%
param lib_spare: money fixed 5 yuan
"""

NATIONAL = header("national", title="国家") + """uses cn/lib as lib
input price: money
input selected: bool
input savings: money optional
param cap: money ceiling 7000 yuan
param rate: percent floor 30%
param blank: percent delegated to provincial
param spare: money fixed 10 yuan
decision pay: money = round(min(price, cap) * rate, fen)
decision bonus: money = round(price * lib.lib_rate, fen)
decision kept: money = round(savings * blank, fen)
"""

# Policy id -> (level, parent, body) of the starting tree, which already has findings.
START = {
    "cn/a": ("provincial", "cn/x", 'override param blank: percent fixed 50% because "填写比例"\n'),
    "cn/b": ("provincial", "cn/x", ""),  # leaves the blank to its cities: PL312 below it
    "cn/a/c1": ("municipal", "cn/a", ""),
    "cn/a/c2": ("municipal", "cn/a", 'override param cap: money ceiling 8000 yuan because "提高上限"\n'),  # PL305
    "cn/b/c1": ("municipal", "cn/b", "decision wrong: money = price + no_such_name\n"),  # PL201
    "cn/a/c1/k1": ("county", "cn/a/c1", "decision local: money = price + spare\n"),  # the only reader of spare
    "cn/a/c1/k2": ("county", "cn/a/c1", "input extra: count\n"),  # PL207
    "cn/b/c1/k1": ("county", "cn/b/c1", ""),
}
LEVELS = ("provincial", "municipal", "county")

# What a lower level may say; a policy's body is up to three of these. Several are findings.
LINES = [
    "# 本地补充说明\n",
    'override param cap: money ceiling 6000 yuan because "降低上限"\n',
    'override param cap: money ceiling 8000 yuan because "提高上限"\n',  # PL305
    'override param rate: percent floor 20% because "降低比例"\n',  # PL304
    'override param blank: percent fixed 50% because "填写比例"\n',  # fills the blank
    "decision local: money = price + spare\n",  # reads `spare`: no longer unused
    "decision wrong: money = price + no_such_name\n",  # PL201
    "input extra: count\n",  # an unused input
    "decision uses_lib: money = price + lib.lib_spare\n",  # PL201 unless the policy `uses` cn/lib
    "uses cn/lib as lib\n",  # (always written first)
    "decision broken money = \n",  # syntax error
    'override decision pay: money = price + spare because "按价格支付"\n',
    "table t: money {\n    columns selected\n    row true => price\n    row true => spare\n}\n",  # overlap
]
# What an amendment of a policy with children may say: a cap lower than a child's 6000 yuan (a
# finding below it from the amendment's date), a floor higher, a decision changed.
AMENDING = [
    'override param cap: money ceiling 5000 yuan because "降低上限"\n',
    'override param rate: percent floor 40% because "提高比例"\n',
    'override decision pay: money = round(price * rate, fen) because "按价格支付"\n',
    "decision local: money = price + spare\n",
    "override ends 2020-06-01\n",  # before the effective date as amended: PL502 (written first)
]
BODIES = st.lists(st.sampled_from(LINES), max_size=3, unique=True).map(
    lambda lines: "".join(sorted(lines, key=lambda line: not line.startswith("uses "))))
# Ways to break a file. The first three keep its place in the tree (its `extends`), so the
# next check is incremental; they are drawn more often.
BROKEN = ["extends line", "no level line", "bad level"] * 2 + ["first line", "empty", "binary", "not utf-8",
                                                               "cut in half"]
CONFIGS = [
    None,
    '[tool.policylang]\nseverity = { PL207 = "off" }\n',
    '[tool.policylang]\nseverity = { PL312 = "error", PL305 = "warning" }\n',
    '[tool.policylang]\nseverity = { PL999 = "loud" }\n',  # PL903
]


def source(level: str, parent, body: str) -> str:
    """parent: the id the policy extends, or ("amends", ID, effective) for an amending notice."""
    if isinstance(parent, tuple):
        _, target, effective = parent
        return header(level, effective=effective) + f"amends {target}\n" + body
    return header(level, extends=parent) + body


def findings(run, root):
    out = []
    for d in run.diagnostics:
        where = None if d.span is None else (os.path.relpath(d.span.file, root), d.span.line, d.span.column,
                                             d.span.end_line, d.span.end_column)
        related = tuple((os.path.relpath(r.span.file, root), r.span.line, r.message) for r in d.related)
        out.append((d.code, d.severity, d.policy_id, where, d.message, d.message_zh, d.hint, related))
    return sorted(out, key=repr)


class CachedMatchesUncached(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.base = tempfile.mkdtemp(prefix="policylang-sm-")
        self.root = os.path.join(self.base, "policies")
        self.saved = {key: os.environ.get(key) for key in ("POLICYLANG_CACHE_DIR", "POLICYLANG_NO_CACHE")}
        os.environ["POLICYLANG_CACHE_DIR"] = os.path.join(self.base, "cache")
        os.environ.pop("POLICYLANG_NO_CACHE", None)
        self.share = pipeline.INCREMENTAL_MAX_SHARE
        self.tree: dict[str, tuple[str, object, str]] = {}  # id -> (level, parent, body) as last written
        self.counter = 0
        self.last = None
        self.write_raw("cn/lib", LIBRARY)
        self.write_raw("cn/x", NATIONAL)
        for pid, (level, parent, body) in START.items():
            self.write(pid, level, parent, body)
        self.last = None

    # ------------------------------------------------------------ files
    def path(self, pid: str) -> str:
        return os.path.join(self.root, *pid.split("/")) + ".policy"

    def write_raw(self, pid: str, text, mode="w") -> None:
        path = self.path(pid)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(text, bytes):
            with open(path, "wb") as fh:
                fh.write(text)
        else:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)

    def write(self, pid: str, level: str, parent, body: str) -> None:
        self.tree[pid] = (level, parent, body)
        self.write_raw(pid, source(level, parent, body))
        self.last = pid

    def lower(self) -> list[str]:
        return sorted(self.tree)

    def pick(self, data) -> str:
        """A policy of the tree below the national ones; often the one edited last (as an author
        does: edit a file, check, edit it again)."""
        ids = self.lower()
        if self.last in self.tree:
            return data.draw(st.one_of(st.just(self.last), st.sampled_from(ids)))
        return data.draw(st.sampled_from(ids))

    # ------------------------------------------------------------ steps
    @initialize(share=st.sampled_from([pipeline.INCREMENTAL_MAX_SHARE, 1.0]))
    def how_much_is_incremental(self, share):
        # 1.0: every change that keeps the tree's shape is re-checked incrementally.
        pipeline.INCREMENTAL_MAX_SHARE = share

    @precondition(lambda self: self.tree)
    @rule(data=st.data(), body=BODIES)
    def change(self, data, body):
        pid = self.pick(data)
        level, parent, _ = self.tree[pid]
        self.write(pid, level, parent, body)

    @precondition(lambda self: self.tree)
    @rule(data=st.data(), how=st.sampled_from(BROKEN))
    def break_file(self, data, how):
        pid = self.pick(data)
        level, parent, body = self.tree[pid]
        text = source(level, parent, body)
        if how == "first line":
            self.write_raw(pid, text.splitlines()[0] + "\n")
        elif how == "extends line":
            self.write_raw(pid, f"extends {parent}\n" if parent and not isinstance(parent, tuple) else "\n")
        elif how == "no level line":
            self.write_raw(pid, "".join(line for line in text.splitlines(True) if not line.startswith("level ")))
        elif how == "bad level":
            self.write_raw(pid, text.replace(f"level {level}", "level city"))
        elif how == "empty":
            self.write_raw(pid, "")
        elif how == "binary":
            self.write_raw(pid, b"\x00\x01\x02policy\x00")
        elif how == "not utf-8":
            self.write_raw(pid, text.encode("utf-8") + b"\xff\xfe\n")
        else:
            self.write_raw(pid, text[: len(text) // 2])

    @precondition(lambda self: self.tree)
    @rule(data=st.data())
    def fix(self, data):
        pid = self.pick(data)
        level, parent, body = self.tree[pid]
        self.write(pid, level, parent, body)

    @rule(data=st.data(), how=st.sampled_from(["add", "delete", "rename", "extends", "library version"]),
          level=st.sampled_from(LEVELS), body=BODIES)
    def reshape(self, data, how, level, body):
        """A change to the tree's shape: a file added, deleted or renamed, `extends` changed, or a
        province's own version of the library that `uses cn/lib` then reads in that province."""
        if how == "library version":
            self.counter += 1
            province = data.draw(st.sampled_from(["cn/a", "cn/b"]))
            self.write(f"{province}/lib{self.counter}", "provincial", "cn/lib",
                       'override param lib_rate: percent fixed 20% because "本省比例"\n')
            return
        if how == "add" or not self.tree:
            parent = data.draw(st.sampled_from(["cn/x", *self.lower()]))
            self.counter += 1
            self.write(f"{parent}/n{self.counter}", level, parent, body)
            return
        pid = self.pick(data)
        if how == "delete":
            os.unlink(self.path(pid))
            del self.tree[pid]
        elif how == "rename":
            self.counter += 1
            new = pid.rsplit("/", 1)[0] + f"/r{self.counter}"
            os.makedirs(os.path.dirname(self.path(new)), exist_ok=True)
            os.rename(self.path(pid), self.path(new))
            self.tree[new] = self.tree.pop(pid)  # its children still name the old id
        else:
            parent = data.draw(st.sampled_from(["cn/x", "cn/lib", "cn/gone", *self.lower()]))
            old_level, _, old_body = self.tree[pid]
            self.write(pid, old_level, parent, old_body)

    @precondition(lambda self: self.tree)
    @rule(data=st.data(), body=BODIES, effective=st.sampled_from(["2021-06-01", "2022-01-01"]))
    def amend(self, data, body, effective):
        """An amending notice of a policy of the tree (of its level, from a date: two of them on the same
        day changing the same item is PL341), or one of an amendment (the chain of amendments)."""
        target = self.pick(data)
        level = self.tree[target][0]
        self.counter += 1
        self.write(f"{target}-am{self.counter}", level, ("amends", target, effective), body)

    @precondition(lambda self: any(parent == pid for pid in self.tree for _, parent, _ in self.tree.values()))
    @rule(data=st.data(), lines=st.lists(st.sampled_from(AMENDING), min_size=1, max_size=2, unique=True),
          effective=st.sampled_from(["2021-06-01", "2022-01-01"]))
    def amend_above(self, data, lines, effective):
        """An amending notice of a policy that others extend: they are held to the amended version
        from its date (a city within the notice as written and beyond it as amended is a finding)."""
        parents = sorted({parent for _, parent, _ in self.tree.values() if parent in self.tree})
        target = data.draw(st.sampled_from(parents))
        self.counter += 1
        body = "".join(sorted(lines, key=lambda line: not line.startswith("override ends")))
        self.write(f"{target}-am{self.counter}", self.tree[target][0], ("amends", target, effective), body)

    @rule(config=st.sampled_from(CONFIGS))
    def configure(self, config):
        path = os.path.join(self.base, "pyproject.toml")
        if config is None:
            if os.path.exists(path):
                os.unlink(path)
        else:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(config)

    # ------------------------------------------------------------ the property
    @invariant()
    def cached_equals_uncached(self):
        cached = pipeline.check([self.root])
        uncached = pipeline.check([self.root], cache=False)
        assert findings(cached, self.root) == findings(uncached, self.root), cached.stats
        # What a backend reads after the check is whole too (an incremental run loads the
        # declarations of the files it did not resolve only when asked).
        assert cached.workspace.files == uncached.workspace.files
        assert set(cached.resolution.policies) == set(uncached.resolution.policies)
        # the versions of each policy (an amended notice's, and those of the policies below it)
        assert {pid: [(start, v.policy_id, v.amended_by) for start, v in p.versions]
                for pid, p in cached.resolution.policies.items()} == \
            {pid: [(start, v.policy_id, v.amended_by) for start, v in p.versions]
             for pid, p in uncached.resolution.policies.items()}

    def teardown(self):
        pipeline.INCREMENTAL_MAX_SHARE = self.share
        for key, value in self.saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(self.base, ignore_errors=True)


CachedMatchesUncached.TestCase.settings = settings(
    max_examples=30, stateful_step_count=8, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestCachedMatchesUncached = CachedMatchesUncached.TestCase
