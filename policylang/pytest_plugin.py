"""pytest plugin: the `example` blocks of policy files become pytest tests.

Which `.policy` files are collected, by the ini option `policylang_examples`:

- `auto` (the default): the files of the project's policy tree that pytest meets: the
  `policies/` folder at pytest's rootdir (or, when the nearest pyproject.toml at or above the
  rootdir has a `[tool.policylang]` table, the `policies/` folder beside it). So a plain `pytest`
  in a policy project runs the examples; `pytest tests/` does not walk `policies/`, and the
  policy files kept as test fixtures elsewhere (tests/…/policies) are never collected. A file
  named on the command line, or lying in a policy tree named on it (`pytest policies/cn`), is
  collected too.
- `false` (also `off`, `no`, `0`): only what is named on the command line, as above.
- `true` (also `all`): every `.policy` file pytest meets.

`pytest -p no:policylang` turns the plugin off altogether.
"""

from __future__ import annotations

import os

import pytest

_TREE = pytest.StashKey[str]()
MODES = {"auto": "auto", "": "auto", "true": "all", "all": "all", "yes": "all", "1": "all", "on": "all",
         "false": "off", "off": "off", "no": "off", "0": "off"}


def pytest_addoption(parser):
    parser.addini("policylang_examples", type="string", default="auto",
                  help="policylang: which .policy files' examples to collect: auto (the project's "
                       "policies/ tree, and what is named on the command line), false (only what is "
                       "named on the command line) or true (every .policy file pytest finds)")


def _mode(config) -> str:
    value = config.getini("policylang_examples")
    if isinstance(value, bool):
        return "all" if value else "off"
    mode = MODES.get(str(value).strip().lower())
    if mode is None:
        raise pytest.UsageError(f"policylang_examples: expected auto, true or false, not {value!r}")
    return mode


def _explicit(config, path: str) -> bool:
    from policylang.semantics.loader import find_root

    path = os.path.abspath(path)
    for arg in config.args:
        target = os.path.abspath(arg.split("::", 1)[0])
        if target == path:
            return True
        if os.path.isdir(target) and path.startswith(target.rstrip(os.sep) + os.sep):
            if os.path.basename(find_root(target)) == "policies":
                return True
    return False


def _has_policylang_table(pyproject: str) -> bool:
    import tomllib

    try:
        with open(pyproject, "rb") as fh:
            return isinstance(tomllib.load(fh).get("tool", {}).get("policylang"), dict)
    except (OSError, ValueError):
        return False


def project_policy_tree(config) -> str:
    """The project's policy tree: `policies/` at pytest's rootdir, or beside the nearest
    pyproject.toml at or above it that has a [tool.policylang] table."""
    cached = config.stash.get(_TREE, None)
    if cached is None:
        rootdir = str(config.rootpath)
        cached = os.path.join(rootdir, "policies")
        if not os.path.isdir(cached):
            from policylang.config import find_pyproject

            pyproject = find_pyproject(rootdir)
            if pyproject is not None and _has_policylang_table(pyproject):
                cached = os.path.join(os.path.dirname(pyproject), "policies")
        config.stash[_TREE] = cached
    return cached


def _in_project_tree(config, path: str) -> bool:
    tree = project_policy_tree(config)
    return os.path.isdir(tree) and os.path.abspath(path).startswith(os.path.abspath(tree) + os.sep)


def pytest_collect_file(file_path, parent):
    if file_path.suffix != ".policy":
        return None
    config = parent.config
    mode = _mode(config)
    path = str(file_path)
    if mode == "all" or _explicit(config, path) or (mode == "auto" and _in_project_tree(config, path)):
        return PolicyExamples.from_parent(parent, path=file_path)
    return None


class PolicyExamples(pytest.File):
    """The examples of one policy file; its tree is resolved and the policy compiled once."""

    def collect(self):
        from policylang.backends.pycodegen import compile_module
        from policylang.pipeline import check
        from policylang.semantics.examples import EXAMPLE_FAILED
        from policylang.semantics.loader import find_root

        path = str(self.path)
        run = check([path], find_root(path))
        policies = run.target_policies()
        # A failed example (PL601, from the check) is reported by its own test item below.
        errors = [d for d in run.diagnostics_for_targets() if d.severity == "error" and d.code != EXAMPLE_FAILED]
        if errors or not policies or policies[0].has_errors:
            raise PolicyError(path, [f"{d.span.file}:{d.span.line}: {d.code} {d.message}" for d in errors]
                              or ["the policy could not be resolved"])
        policy = policies[0]
        module = compile_module(policy)
        for index, example in enumerate(policy.examples, 1):
            name = example.title or f"example {index}"
            yield PolicyExample.from_parent(self, name=name, policy=policy, module=module, index=index - 1)


class PolicyError(Exception):
    def __init__(self, path, lines):
        super().__init__("\n".join(lines))
        self.path = path


class ExampleFailed(Exception):
    def __init__(self, outcome):
        super().__init__(outcome.title)
        self.outcome = outcome


class PolicyExample(pytest.Item):
    def __init__(self, *, policy, module, index, **kwargs):
        super().__init__(**kwargs)
        self.policy = policy
        self.module = module
        self.index = index

    def runtest(self):
        from policylang.backends.runner import run_examples

        outcome = run_examples(self.policy, self.module, only=self.index)[0]
        if not outcome.passed:
            raise ExampleFailed(outcome)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ExampleFailed):
            o = excinfo.value.outcome
            lines = [f"example at {o.location}"]
            for f in o.failures:
                lines += [f"{f.location}: expect {f.decision}", f"    expected: {f.expected}",
                          f"    actual:   {f.actual}"]
            return "\n".join(lines)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        line = self.policy.examples[self.index].origin.span.line
        return self.path, line - 1, f"{self.policy.policy_id}: {self.name}"
