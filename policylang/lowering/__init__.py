"""The lowered form every backend emits from.

- facts.py: one pure pass over a resolved policy computing what every backend needs to know
  about its expressions (nullability, number class, money at the fen, constancy and folded
  values, the order parameters are needed in);
- ir.py: a small typed intermediate form of expressions and statements (nodes with declared
  children, each expression carrying its facts), with no target language in it;
- lower.py: resolved policy -> that form.

The Python generator (backends/pycodegen.py) prints it; a SQL generator can print the same form.
"""

from .facts import Facts
from .lower import LoweredPolicy, lower_policy

__all__ = ["Facts", "LoweredPolicy", "lower_policy"]
