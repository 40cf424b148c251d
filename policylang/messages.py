"""The message catalogue: every diagnostic's text, in English and Chinese, in one place.

Each entry is keyed `PLxxx.what` (the code it is reported under, then what it says) and holds
the message, the hint and their Chinese, as str.format templates whose named fields are its
parameters; `note.…` entries are the texts of related locations, `phrase.…` entries pieces
that messages put together (a clause that depends on the case). Passes never write a message
themselves: they name the entry and give the parameters,

    Diagnostic(**M("PL903.unreadable", error=exc), span=span)
    Related(span, **N("note.PL321.declared_here", alias=alias))

and the test of the catalogue (tests/test_message_catalogue.py) checks that every code is
reported by some fixture, that every reported code has its entries here, and that each
template's parameters are the ones its callers give.
"""

from __future__ import annotations

import string
from typing import Optional

import attrs

from .catalogue import ENTRIES


@attrs.frozen
class Message:
    key: str
    en: str
    zh: Optional[str] = None
    hint: Optional[str] = None
    hint_zh: Optional[str] = None

    @property
    def code(self) -> Optional[str]:
        head = self.key.split(".", 1)[0]
        return head if head.startswith("PL") else None

    @property
    def params(self) -> frozenset:
        """The names the templates use."""
        names = set()
        for template in (self.en, self.zh, self.hint, self.hint_zh):
            if template:
                names.update(field.split(".")[0].split("[")[0]
                             for _, field, _, _ in string.Formatter().parse(template) if field)
        return frozenset(names)


def _build() -> dict[str, Message]:
    out: dict[str, Message] = {}
    for entry in ENTRIES:
        message = Message(*entry) if isinstance(entry, tuple) else entry
        if message.key in out:
            raise ValueError(f"the message {message.key} is in the catalogue twice")
        out[message.key] = message
    return out


CATALOGUE: dict[str, Message] = _build()


class Bi(str):
    """A text given to a message in both languages: the English as the str, the Chinese as `.zh`.

    A value (`7000 yuan` / 「7000元」), a condition in words, a list of labels: a pass gives it once
    as a parameter, and each template is filled in its own language."""

    zh: str

    def __new__(cls, en: str, zh: Optional[str] = None):
        obj = super().__new__(cls, en)
        obj.zh = en if zh is None else zh
        return obj

    def __reduce__(self):
        return (Bi, (str(self), self.zh))

    def __add__(self, other):
        if isinstance(other, str):
            return Bi(str(self) + str(other), self.zh + getattr(other, "zh", str(other)))
        return NotImplemented

    def __radd__(self, other):
        if isinstance(other, str):
            return Bi(str(other) + str(self), getattr(other, "zh", str(other)) + self.zh)
        return NotImplemented

    @staticmethod
    def join(sep_en: str, sep_zh: str, parts) -> "Bi":
        parts = list(parts)
        return Bi(sep_en.join(str(p) for p in parts), sep_zh.join(getattr(p, "zh", str(p)) for p in parts))


def zh_of(text) -> Optional[str]:
    """The Chinese of a text given as a parameter: `.zh` of a Bi, else the text itself."""
    return getattr(text, "zh", text)


def _in_chinese(params: dict) -> dict:
    return {k: (v.zh if isinstance(v, Bi) else v) for k, v in params.items()}


def _fill(template: Optional[str], params: dict, zh: bool = False) -> Optional[str]:
    if template is None:
        return None
    if zh:
        params = _in_chinese(params)
    else:
        params = {k: (str(v) if isinstance(v, Bi) else v) for k, v in params.items()}
    if template[:1] == "{" and template[-1:] == "}" and template[1:-1].isidentifier() \
            and params.get(template[1:-1]) is None:
        return None  # a text given whole by the caller (a hint that depends on the case), and none this time
    return template.format(**params)


def M(key: str, /, **params) -> dict:
    """The code and texts of a diagnostic (code, message, message_zh, hint, hint_zh), for Diagnostic()
    and the passes' reporting functions."""
    entry = CATALOGUE[key]
    return {"code": entry.code, "message": _fill(entry.en, params), "message_zh": _fill(entry.zh, params, True),
            "hint": _fill(entry.hint, params), "hint_zh": _fill(entry.hint_zh, params, True)}


def N(key: str, /, **params) -> dict:
    """The texts of a related location (message, message_zh), for Related()."""
    entry = CATALOGUE[key]
    return {"message": _fill(entry.en, params), "message_zh": _fill(entry.zh, params, True)}


def P(key: str, /, **params) -> tuple[str, Optional[str]]:
    """A phrase in English and Chinese, to give to a message as parameters."""
    entry = CATALOGUE[key]
    return _fill(entry.en, params), _fill(entry.zh, params, True)


def PB(key: str, /, **params) -> Bi:
    """A phrase as one bilingual text (see Bi), to give to a message as one parameter."""
    en, zh = P(key, **params)
    return Bi(en or "", zh if zh is not None else en)
