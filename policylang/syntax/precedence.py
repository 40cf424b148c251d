"""How tightly each operator of the language binds: the one table of binding strengths.

The grammar (grammar.lark) nests its expression rules in this order, loosest first: `if … then
… else`, `or`, `and`, `not`, the comparisons and `in` / `not in` (which do not chain), sums
(`+ -`), products (`* /`), unary minus, then postfix forms (`a.b`, calls) and atoms. The
formatter parenthesises by this table, and semantics/operators.py takes each operator's strength
from it, so the docs, explain and the checks' wording parenthesise exactly as the source is read
(docs/language.md, "Operators and precedence"). It lives in syntax/ because the syntax layer may
not import semantics/.
"""

from __future__ import annotations

# Binding strength, loosest first; an operand binding looser than its slot needs parentheses.
STRENGTH = {"if": 0, "or": 1, "and": 2, "not": 3, "compare": 4, "sum": 5, "product": 6, "negation": 7,
            "postfix": 8, "atom": 9}

# Each operator's level, by its key as the resolved model writes it ('neg' is unary minus,
# 'not_in' is `not in`).
LEVEL = {
    "or": "or", "and": "and", "not": "not",
    "==": "compare", "!=": "compare", "<": "compare", "<=": "compare", ">": "compare", ">=": "compare",
    "in": "compare", "not_in": "compare",
    "+": "sum", "-": "sum", "*": "product", "/": "product",
    "neg": "negation",
}


def strength(key: str) -> int:
    """The binding strength of the operator with this key."""
    return STRENGTH[LEVEL[key]]
