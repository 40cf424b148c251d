"""z3, imported when a proof first needs it.

A check whose proofs all come from the cache (a warm or incremental run) never calls the solver,
and importing z3 costs ~0.1 s of every process. A checker module says `z3 = lazy_z3(__name__)`
instead of `import z3`: the first attribute read imports z3 and puts the real module in place of
the stand-in in every module that asked, so later reads cost nothing extra.
"""

from __future__ import annotations

import sys
from typing import Any

_USERS: list[str] = []


class _LazyZ3:
    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        import z3

        for user in _USERS:
            module = sys.modules.get(user)
            if module is not None and getattr(module, "z3", None) is self:
                module.z3 = z3
        return getattr(z3, name)


_STANDIN = _LazyZ3()


def lazy_z3(module_name: str) -> Any:
    """The stand-in for z3 in module `module_name` (see the module's text)."""
    _USERS.append(module_name)
    return _STANDIN
