import os
import sys

import pytest

# pytester drives the pytest plugin's own tests; it must be declared in the root conftest.
pytest_plugins = ["pytester"]

# Make tests/helpers.py importable as `helpers` from every test folder.
sys.path.insert(0, os.path.dirname(__file__))

# Findings are compared in English; a developer's own POLICYLANG_LANG must not change them.
os.environ.pop("POLICYLANG_LANG", None)
# Nor may a Chinese locale (the default language follows it, see config.locale_language).
for _name in ("LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_name, None)
if os.environ.get("LANG", "").lower().startswith("zh"):
    os.environ["LANG"] = "C.UTF-8"


@pytest.fixture(autouse=True, scope="session")
def _user_cache_in_a_temporary_folder(tmp_path_factory):
    """The cache's default place is the user's cache directory: tests keep theirs apart."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield
