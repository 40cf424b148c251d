"""Support files for the Python code generator (policylang.backends.pycodegen).

runtime.py is not imported by policylang at run time: its source text is copied
into every generated module, so generated modules need only the standard library.
"""
