"""pytest plugin: the `example` blocks of policy files become pytest tests.

Collected files: a `.policy` file named on the command line, every `.policy` file under a
directory argument that is (or lies inside) a folder named `policies`, and every `.policy`
file pytest meets anywhere when the ini option `policylang_examples = true` is set.
So `pytest policies/` runs the examples, while the project's own `pytest tests/` does not
pick up the policy files kept as test fixtures.
"""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser):
    parser.addini("policylang_examples", type="bool", default=False,
                  help="policylang: collect the examples of every .policy file pytest finds")


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


def pytest_collect_file(file_path, parent):
    if file_path.suffix != ".policy":
        return None
    config = parent.config
    if config.getini("policylang_examples") or _explicit(config, str(file_path)):
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
