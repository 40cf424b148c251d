import os
import sys

# pytester drives the pytest plugin's own tests; it must be declared in the root conftest.
pytest_plugins = ["pytester"]

# Make tests/helpers.py importable as `helpers` from every test folder.
sys.path.insert(0, os.path.dirname(__file__))
