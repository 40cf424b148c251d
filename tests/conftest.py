import os
import sys

# pytester drives the pytest plugin's own tests; it must be declared in the root conftest.
pytest_plugins = ["pytester"]

# Make tests/helpers.py importable as `helpers` from every test folder.
sys.path.insert(0, os.path.dirname(__file__))

# Findings are compared in English; a developer's own POLICYLANG_LANG must not change them.
os.environ.pop("POLICYLANG_LANG", None)
