"""The checker's individual checks. Each module exposes `check(ctx) -> list[Diagnostic]`.

checker.py runs them in order; common.py holds what they share (the context
with one interpreter per policy, value formatting, "the national rule: …"
descriptions for related locations).
"""
