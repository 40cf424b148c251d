"""Compile resolved policies to SQL (DuckDB or Spark), from the same lowered form as the Python
generator (policylang/lowering).

    query = compile_sql(policy, "duckdb", source="claims")
    query.sql          # the SELECT, rendered for the dialect
    query.tree         # the sqlglot expression tree it was rendered from

The query maps an input table whose columns are the policy's inputs (and unfilled blanks, as
columns or bound values) to the same columns plus one column per decision, an optional column per
decision naming the rule that decided it, and the error columns of a row that could not be
evaluated. See compiler.py for the semantics and docs/batch.md for the types.
"""

from .compiler import (
    ERROR_COLUMNS,
    SQL_TYPES,
    SqlCompileError,
    SqlInternalError,
    SqlQuery,
    UnsupportedInSql,
    compile_sql,
    input_sql_type,
)

__all__ = ["ERROR_COLUMNS", "SQL_TYPES", "SqlCompileError", "SqlInternalError", "SqlQuery", "UnsupportedInSql", "compile_sql",
           "input_sql_type"]
