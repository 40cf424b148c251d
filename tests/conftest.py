import os
import sys

import pytest

# pytester drives the pytest plugin's own tests; it must be declared in the root conftest.
pytest_plugins = ["pytester"]

# Make tests/helpers.py importable as `helpers` from every test folder.
sys.path.insert(0, os.path.dirname(__file__))

# Findings are compared in English; a developer's own POLICYLANG_LANG must not change them.
os.environ.pop("POLICYLANG_LANG", None)


@pytest.fixture(autouse=True, scope="session")
def _user_cache_in_a_temporary_folder(tmp_path_factory):
    """The cache's default place is the user's cache directory: tests keep theirs apart."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield
