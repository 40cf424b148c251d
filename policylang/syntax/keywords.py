"""The words of the policy language in English and in Chinese: one table for both.

Every keyword of the grammar has one or more Chinese forms; the first is the one
`policylang fmt --keywords zh` writes, the others are accepted synonyms (the
notices say 必须 and 应当 alike). Both languages may be mixed in one file and
give the same syntax tree: the parser turns every Chinese word into its English
one, so nothing after the parser knows which was written.

The grammar (grammar.lark) is written with the English words only. When it is
loaded, every quoted keyword in a rule gets its Chinese forms as alternatives
(see `extend_grammar`), so a new keyword gets its Chinese form by one entry in
KEYWORDS below. A keyword written as two English words (`at least`) may have a
Chinese form of one word (不低于): the entry's English is the words in order.

Besides keywords, some *names* have Chinese forms: the types (金额), the functions
(取整), the rounding units and modes of round (分, 向上), the built-in values
(评估日期) and the levels (市). They are names in the grammar; the parser maps
their Chinese forms to English where the name stands (a type after `:`, a function
before `(`, a level after `level`, …).
"""

from __future__ import annotations

import re
from typing import Optional

# (English, Chinese forms: the first is canonical). English is one keyword or a
# sequence of keywords exactly as they follow each other in the grammar.
KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # header
    ("policy", ("政策",)),
    ("level", ("层级",)),
    ("region", ("地区",)),
    ("issuer", ("发文机关",)),
    ("document", ("文号",)),
    ("issued", ("印发日期", "发布日期")),
    ("effective", ("生效日期", "施行日期")),
    ("ends", ("失效日期",)),
    ("extends", ("继承",)),
    ("amends", ("修订",)),
    ("uses", ("引用",)),
    ("as", ("简称",)),
    ("summary", ("概述",)),
    ("status", ("状态",)),
    ("unknown", ("不详", "未知")),
    # declarations
    ("override", ("覆盖",)),
    ("enum", ("枚举",)),
    ("input", ("输入",)),
    ("param", ("参数",)),
    ("decision", ("决策", "决定")),
    ("table", ("表格",)),
    ("schedule", ("过渡安排",)),
    ("require", ("要求",)),
    ("example", ("示例",)),
    ("provision", ("规定", "条款规定")),
    ("record", ("记录",)),
    ("calendar", ("节假日安排",)),
    # metadata
    ("article", ("条款",)),
    ("note", ("说明",)),
    ("because", ("理由",)),
    # inside declarations
    ("optional", ("可选",)),
    ("required", ("必填",)),
    ("fixed", ("固定",)),
    ("floor", ("下限",)),
    ("ceiling", ("上限",)),
    ("default", ("默认",)),
    ("delegated to", ("授权给",)),
    ("delegated", ("授权",)),
    ("at least", ("不低于", "至少")),
    ("at most", ("不高于", "至多", "不超过")),
    ("up to", ("可达",)),
    ("when", ("当",)),
    ("then", ("则",)),
    ("otherwise", ("否则",)),
    ("columns", ("列",)),
    ("row", ("行",)),
    ("from", ("自",)),
    ("by", ("截至", "按")),  # 按: a keyed param (`按 material { … }`), as fmt writes it
    ("as_of", ("评估日期",)),
    ("given", ("已知",)),
    ("expect", ("应得",)),
    ("needs", ("缺少",)),
    ("list of", ("列表",)),
    ("where", ("其中",)),
    ("holiday", ("放假",)),
    ("workday", ("上班", "调休上班")),
    ("to", ("至",)),
    # modalities of a provision, as the notices word them
    ("must not", ("不得", "禁止", "严禁")),
    ("must", ("应当", "必须", "应")),
    ("should not", ("原则上不得", "原则上不")),
    ("should", ("原则上应",)),
    ("in principle", ("原则上",)),
    ("may", ("可以", "可")),
    # expressions
    ("not in", ("不属于",)),
    ("in", ("属于",)),
    ("if", ("如果",)),
    ("else", ("否则",)),
    ("and", ("且", "并且")),
    ("or", ("或", "或者")),
    ("not", ("非",)),
    ("true", ("是",)),
    ("false", ("否",)),
    ("none", ("不适用", "无")),
)

# Punctuation: what a Chinese input method types, accepted beside the ASCII one.
PUNCTUATION: dict[str, str] = {":": "：", ",": "，", "(": "（", ")": "）"}
# Texts may be quoted “like this” as well as "like this" (see STRING in grammar.lark).

# Names with Chinese forms, by where they stand (English: Chinese forms, canonical first).
TYPES: dict[str, tuple[str, ...]] = {
    "money": ("金额",),
    "percent": ("百分比", "比例"),
    "decimal": ("小数", "数值"),
    "count": ("数量", "整数"),
    "bool": ("是否",),
    "date": ("日期",),
    "duration": ("期间", "时长"),
    "text": ("文字", "文本"),
}
FUNCTIONS: dict[str, tuple[str, ...]] = {
    "min": ("较小值", "最小值"),
    "max": ("较大值", "最大值"),
    "round": ("取整", "舍入"),
    "ceil": ("向上取整",),
    "floor": ("向下取整",),
    "abs": ("绝对值",),
    "add_days": ("加天数",),
    "add_months": ("加月数",),
    "add_years": ("加年数",),
    "end_of_month": ("月末",),
    "days_between": ("相隔天数",),
    "year": ("年份",),
    "month": ("月份",),
    "day": ("日",),
    "sum": ("合计", "求和"),
    "count": ("计数", "条数"),
    "all": ("全部满足", "均满足"),
    "any": ("任一满足",),
}
# The second and third arguments of round(x, UNIT, MODE).
ROUND_WORDS: dict[str, tuple[str, ...]] = {
    "fen": ("分",),
    "jiao": ("角",),
    "yuan": ("元",),
    "unit": ("个", "整数"),
    "half_up": ("四舍五入",),
    "half_even": ("四舍六入五成双",),
    "up": ("向上", "进位"),
    "down": ("向下", "舍去"),
}
# Values every expression may read.
BUILTINS: dict[str, tuple[str, ...]] = {
    "as_of": ("评估日期",),
    "effective_date": ("本政策生效日期",),
    "end_date": ("本政策失效日期",),
}
# Levels, after `level` and `delegated to`. A region's own words are accepted too:
# Inner Mongolia's cities are 盟市, its counties 旗; a county may be a 区.
LEVELS: dict[str, tuple[str, ...]] = {
    "national": ("国家", "国家级"),
    "provincial": ("省", "省级", "自治区", "直辖市"),
    "municipal": ("市", "市级", "地市", "盟市", "地级市"),
    "county": ("县", "县级", "区", "旗", "县区", "旗县"),
}
# The status of a notice (`status reconstructed`).
STATUSES: dict[str, tuple[str, ...]] = {"reconstructed": ("重构",)}
# Keywords the grammar writes as named terminals in its rules (a pattern, not a quoted word):
# their Chinese forms come from the entry of the English words they stand for.
TERMINAL_KEYWORDS: dict[str, str] = {"IN_PRINCIPLE": "in principle"}
# Units of numbers; the grammar's `unit` rule lists both forms, these are what fmt writes.
UNITS_ZH = {"yuan": "元", "days": "天", "months": "个月", "years": "年", "working_days": "个工作日"}

LANGUAGES = ("en", "zh")

# Header and declaration keywords: a line that starts with one starts a new declaration.
TOP_LEVEL = ("policy", "level", "region", "issuer", "document", "issued", "effective", "ends",
             "extends", "amends", "uses", "summary", "status",
             "override", "enum", "input", "param", "decision", "table", "schedule", "require",
             "example", "provision", "record", "calendar")


def _reverse(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {chinese: english for english, forms in table.items() for chinese in forms}


TYPE_OF = _reverse(TYPES)
FUNCTION_OF = _reverse(FUNCTIONS)
ROUND_WORD_OF = _reverse(ROUND_WORDS)
BUILTIN_OF = _reverse(BUILTINS)
LEVEL_OF = _reverse(LEVELS)
STATUS_OF = _reverse(STATUSES)

_ZH_OF: dict[str, tuple[str, ...]] = dict(KEYWORDS)
# Chinese word -> the English keywords it may stand for (否则: otherwise, else).
ENGLISH_OF: dict[str, tuple[str, ...]] = {}
for _english, _forms in KEYWORDS:
    for _form in _forms:
        ENGLISH_OF.setdefault(_form, ())
        ENGLISH_OF[_form] += (_english,)

TOP_LEVEL_ZH = tuple(form for word in TOP_LEVEL for form in _ZH_OF[word])
TOP_LEVEL_ALL = TOP_LEVEL + TOP_LEVEL_ZH


def zh(english: str) -> str:
    """The canonical Chinese form of a keyword (or a sequence such as 'at least')."""
    return _ZH_OF[english][0]


def word(english: str, lang: str) -> str:
    """A keyword in the language fmt writes: English as it is, or its canonical Chinese."""
    if lang != "zh":
        return english
    forms = _ZH_OF.get(english)
    if forms is not None:
        return forms[0]
    # A sequence written without its own entry ('must not' has one; 'not in' too).
    return " ".join(_ZH_OF.get(w, (w,))[0] for w in english.split())


def name_word(table: dict[str, tuple[str, ...]], english: str, lang: str) -> str:
    """A type, function, round word, built-in or level in the language fmt writes."""
    if lang != "zh":
        return english
    forms = table.get(english)
    return forms[0] if forms else english


def is_chinese_keyword(text: str) -> bool:
    return text in ENGLISH_OF


def keyword_in(text: str, lang: str) -> str:
    """An English keyword (or Chinese form) shown in the language of a message."""
    if lang == "zh":
        if text in ENGLISH_OF:
            return text
        return word(text, "zh") if text in _ZH_OF else text
    if text in ENGLISH_OF:
        return ENGLISH_OF[text][0]
    return text


# ---------------------------------------------------------------- the grammar


def terminal_name(chinese: str) -> str:
    """The grammar terminal of a Chinese form: ZH_ and its code points (Lark names are ASCII)."""
    return "ZH_" + "_".join(f"{ord(c):X}" for c in chinese)


_PUNCT_TERMINALS = {full: "ZH_" + f"{ord(full):X}" for full in PUNCTUATION.values()}


def _sequence_pattern(english: str) -> str:
    return r"\s+".join(re.escape(f'"{w}"') for w in english.split())


# Every keyword sequence, longest first, so `"at" "least"` is replaced before `"at"`.
_ALTERNATIVES = sorted(
    [(english, forms) for english, forms in KEYWORDS],
    key=lambda entry: -len(entry[0].split()),
)
_LITERAL = re.compile(
    "|".join(f"(?P<k{i}>{_sequence_pattern(english)})" for i, (english, _) in enumerate(_ALTERNATIVES))
    + "|" + "|".join(f"(?P<p{i}>{re.escape(chr(34) + ascii_ + chr(34))})" for i, ascii_ in enumerate(PUNCTUATION))
)
_PUNCT_LIST = list(PUNCTUATION)
_TERMINAL_DEFINITION = re.compile(r"^\s*[A-Z_][A-Z_0-9]*(\.\d+)?\s*:")


def _replacement(match: re.Match) -> str:
    for key, text in match.groupdict().items():
        if text is None:
            continue
        if key.startswith("k"):
            english, forms = _ALTERNATIVES[int(key[1:])]
            return "(" + " | ".join([text] + [terminal_name(f) for f in forms]) + ")"
        ascii_ = _PUNCT_LIST[int(key[1:])]
        return f"({text} | {_PUNCT_TERMINALS[PUNCTUATION[ascii_]]})"
    return match.group(0)  # pragma: no cover


def extend_grammar(grammar: str) -> str:
    """The grammar with every keyword's Chinese forms and the full-width punctuation as alternatives.

    Only rule lines are changed (not terminal definitions, not comments); the Chinese forms
    become terminals of their own (ZH_…), defined at the end.
    """
    out = []
    for line in grammar.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("//") or _TERMINAL_DEFINITION.match(line):
            out.append(line)
            continue
        code, sep, comment = line.partition("//")
        code = _LITERAL.sub(_replacement, code)
        for terminal, english in TERMINAL_KEYWORDS.items():
            forms = " | ".join(terminal_name(f) for f in _ZH_OF[english])
            code = re.sub(rf"\b{terminal}\b", f"({terminal} | {forms})", code)
        out.append(code + sep + comment)
    defined = {}
    for _, forms in KEYWORDS:
        for form in forms:
            defined[terminal_name(form)] = form
    for full, name in _PUNCT_TERMINALS.items():
        defined[name] = full
    out.append("")
    out.append("// ---------------------------------------------------------------- Chinese forms (keywords.py)")
    for name, text in defined.items():
        out.append(f'{name}: "{text}"')
    return "\n".join(out) + "\n"


def english_token(type_: str, text: str) -> Optional[str]:
    """The English keyword a token of a Chinese terminal stands for (its first meaning), or None."""
    if not type_.startswith("ZH_"):
        return None
    meanings = ENGLISH_OF.get(text)
    if meanings:
        return meanings[0]
    for ascii_, full in PUNCTUATION.items():
        if full == text:
            return ascii_
    return None


# Chinese words that cannot be names: every Chinese form above (a type, function, level or
# built-in value is read as its English name where it stands).
RESERVED_ZH = frozenset(
    [form for _, forms in KEYWORDS for form in forms]
    + [form for table in (TYPES, FUNCTIONS, ROUND_WORDS, BUILTINS, LEVELS, STATUSES) for forms in table.values()
       for form in forms]
    + list(UNITS_ZH.values()) + ["工作日"]
)


def keyword_table_md() -> str:
    """The table of keywords for docs/language.zh.md (between its keywords markers)."""
    lines = ["| 中文 | 英文 |", "| --- | --- |"]
    for english, forms in KEYWORDS:
        synonyms = "（" + "、".join(f"`{f}`" for f in forms[1:]) + "）" if len(forms) > 1 else ""
        lines.append(f"| `{forms[0]}`{synonyms} | `{english}` |")
    return "\n".join(lines)


def update_reference(path: str) -> None:
    """Write the keyword table into the Chinese reference (python -m policylang.syntax.keywords FILE)."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    begin, end = "<!-- keywords:begin -->\n", "<!-- keywords:end -->"
    head, _, rest = text.partition(begin)
    _, _, tail = rest.partition(end)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(head + begin + keyword_table_md() + "\n" + end + tail)


if __name__ == "__main__":  # pragma: no cover
    import sys

    update_reference(sys.argv[1] if len(sys.argv) > 1 else "docs/language.zh.md")
