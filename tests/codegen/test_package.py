"""A compiled package: one shared runtime (one EvaluationError for all modules) however a module is
imported or loaded; --standalone one-file modules; the evaluation date's one rule; names of the
generated module's API, helpers, keywords and builtins."""

from __future__ import annotations

import ast
import datetime as dt
import os
import subprocess
import sys

import pytest

from policylang.backends.pycodegen import MODULE_NAMES, RUNTIME_MODULE, generate_module, write_modules
from policylang.semantics.evaluate import InputError, Interpreter
from support import POLICIES, compile_module, resolve_tree

CASE = {"selected": False, "lowest_purchase_price": "7000"}


@pytest.fixture(scope="module")
def seeds():
    return {pid: p for pid, p in resolve_tree(POLICIES).items() if not p.has_errors}


def _run(script: str, cwd, path) -> list[str]:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(path)}
    done = subprocess.run([sys.executable, "-S", "-c", script], cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_package_shares_one_runtime(seeds, tmp_path):
    written = write_modules(seeds.values(), str(tmp_path / "out"))
    runtime = tmp_path / "out" / f"{RUNTIME_MODULE}.py"
    assert str(runtime) in written
    module = (tmp_path / "out" / "cn" / "gd" / "stent_2020.py").read_text(encoding="utf-8")
    assert "class EvaluationError" not in module and "def _coerce_money" not in module
    assert len(module) < len(generate_module(seeds["cn/gd/stent-2020"])) * 0.8
    script = (
        "import sys, importlib.util\n"
        "assert not any('policylang' in p for p in sys.path)\n"
        "import out.cn.gd.stent_2020 as a\n"           # as a package below the folder on sys.path
        "sys.path.insert(0, 'out')\n"
        "from cn.nm import spine_2023 as b\n"          # with the package's folder on sys.path
        "spec = importlib.util.spec_from_file_location('c', 'out/cn/stent_2020.py')\n"  # by path
        "c = importlib.util.module_from_spec(spec); spec.loader.exec_module(c)\n"
        "print(a.EvaluationError is b.EvaluationError is c.EvaluationError, issubclass(a.InputError, c.EvaluationError))\n"
        f"print(a.listing_price({CASE!r}))\n"
        "try:\n"
        "    c.evaluate({'price': 'x'})\n"
        "except b.EvaluationError as exc:\n"
        "    print(type(exc).__name__, exc.field)\n"
    )
    assert _run(script, tmp_path, tmp_path) == ["True True", "7000.00", "InputError price"]


def test_standalone_modules_carry_their_runtime(seeds, tmp_path):
    written = write_modules(seeds.values(), str(tmp_path / "out"), standalone=True)
    assert not any(p.endswith(f"{RUNTIME_MODULE}.py") for p in written)
    path = tmp_path / "out" / "cn" / "gd" / "stent_2020.py"
    assert path.read_text(encoding="utf-8") == generate_module(seeds["cn/gd/stent-2020"])
    script = ("import importlib.util\n"
              "spec = importlib.util.spec_from_file_location('m', 'lone.py')\n"
              "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
              f"print(m.listing_price({CASE!r}))\n")
    (tmp_path / "lone.py").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert _run(script, tmp_path, tmp_path) == ["7000.00"]


@pytest.mark.parametrize("as_of", [20210301, dt.datetime(2021, 3, 1, 8, 0), "2021-03-01", 1.5, pytest.param(10 ** 5000, id="int-of-5001-digits"),
                                   pytest.param("9" * 100_000, id="text-of-100000-nines")])
def test_as_of_has_one_rule(seeds, as_of):
    """as_of is a datetime.date (or None for today): anything else is an InputError naming as_of, in
    every entry point of every module and in the interpreter."""
    for pid, policy in seeds.items():
        module = compile_module(policy)
        calls = [lambda: module.evaluate(CASE, as_of=as_of), lambda: module.decide(CASE, [], as_of=as_of),
                 lambda: module.decide_each(CASE, as_of=as_of), lambda: Interpreter(policy).evaluate(CASE, as_of)]
        calls += [lambda name=name: getattr(module, module.Result._FIELDS[i][1])(CASE, as_of=as_of)
                  for i, name in enumerate(policy.decision_order)]
        for call in calls:
            with pytest.raises((module.InputError, InputError)) as info:
                call()
            assert info.value.field == "as_of" and "datetime.date" in info.value.message, pid
            assert len(info.value.message) < 200  # the value is quoted shortened (a 5,000-digit int cannot be printed)


def test_every_public_name_of_a_module_is_reserved(seeds):
    """A policy name equal to any name a generated module defines would shadow it: the reserved list
    covers them all (decision functions aside, which are the policy's own names)."""
    for policy in seeds.values():
        tree = ast.parse(generate_module(policy))
        defined = set()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                defined.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                defined.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, ast.Assign):
                defined.update(n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name))
        # the policy's own names: its decisions, and its records (a TypedDict each)
        own = set(compile_module(policy).Result.__dataclass_fields__) | {"Inputs"} | set(policy.records)
        missing = {n for n in defined - own - MODULE_NAMES if not n.startswith("_")}
        assert not missing, (policy.policy_id, missing)


def _tree_bytes(folder) -> dict[str, bytes]:
    return {os.path.relpath(os.path.join(d, f), folder): open(os.path.join(d, f), "rb").read()
            for d, _, files in os.walk(folder) for f in files}


@pytest.mark.parametrize("standalone", [False, True])
def test_modules_made_by_workers_are_the_ones_made_in_one_process(seeds, tmp_path, standalone):
    alone = write_modules(seeds.values(), str(tmp_path / "alone"), standalone=standalone, jobs=1)
    workers = write_modules(seeds.values(), str(tmp_path / "workers"), standalone=standalone, jobs=2)
    assert [os.path.relpath(p, tmp_path / "alone") for p in alone] == \
        [os.path.relpath(p, tmp_path / "workers") for p in workers]
    files = _tree_bytes(tmp_path / "alone")
    assert files == _tree_bytes(tmp_path / "workers")
    assert sum(name.endswith("__init__.py") for name in files) >= 3  # every folder up to the root
