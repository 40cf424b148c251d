"""policylang: a language, checker and compiler for hierarchical medical-insurance policy."""

__version__ = "0.1.0"
