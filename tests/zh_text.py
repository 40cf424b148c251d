"""One detector of English where a reader of Chinese expects Chinese, used by every test of Chinese output.

`foreign(text, ...)` returns the fragments of `text` a reader of Chinese would count as English or
code: English words, raw identifiers (`rod_plate_used`), English units (`7000 yuan`), English
booleans and keywords (`true`, `otherwise`). What stays Latin by right is allowed:

- policy ids (`cn/gd/stent-2020`), file paths, URLs and codes such as PL305;
- the names an author must type: a declared name right after its label (「“预付比例”（prepayment_ratio）」),
  in full-width parentheses as a reference, or inside a quoted or `code` snippet (「把“retention_ratio”作为输入项提供」), given as `names`;
- the notices' own Latin text (`latin`: every Latin word of the policy files' texts and labels);
- the suppression directive `# policylang: ignore[…]`, which is a machine directive, and the
  words a caller allows for its output (`extra`: patterns such as a --help page's option names).

English keywords and units are never allowed, even inside a snippet: a Chinese hint writes its
snippet in Chinese keywords (「覆盖 参数 retention_ratio：百分比 固定 …」).
"""

from __future__ import annotations

import glob
import os
import re
from typing import Iterable

from policylang.syntax import keywords as K

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Latin that is no English word: codes, ids, paths, URLs, numbers with their signs, the directive.
_ALWAYS = [
    r"https?://\S+",
    r"#\s*policylang\s*:\s*ignore\[[^\]]*\]",
    r"\[tool\.policylang\](?:\.severity| severity)?",
    r"(?a:[\w.\-]*[A-Za-z][\w.\-]*(?:/[\w.\-]+)*/(?:[\w.\-]+)?)",  # ids and paths: cn/gd/stent-2020, policies/
    r"(?a:\b[\w\-]+\.(?:policy|md|html|json|jsonl|csv|parquet|py|css|js|toml|txt|sql|xml|sarif)\b)",
    r"PL\d{3}",
    r"(?a:(?<![\w-])--[a-z][\w-]*)",  # an option of a command: --force, --as-of
    r"(?a:(?<![\w.])\.(?:parquet|csv|jsonl|json|policy|md|html)\b)",  # a kind of file
    r"(?a:\b[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d{4}\b)",  # a policy's file name: stent-2020, drug-vbp-2019
    r"U\+[0-9A-F]{4,6}[（(][A-Z][A-Z0-9 \-]*[）)]",  # a character by its Unicode name: U+202E（RIGHT-TO-LEFT OVERRIDE）
    r"`policylang [^`]*`",  # a command to type
    r"\bpolicylang(?: (?:check|build|compile|eval|run|test|docs|explain|diff|init|fmt|schema|serve|lsp|claims)\b)?",  # the tool
    r"^policylang(?: \w+)?[：:]",  # the program's name before its message, as every command-line tool writes it
    r"pyproject\.toml|\bTOML\b|\bUTF-8\b|\bGBK\b|\bGB2312\b|\bASCII\b",
    r"\b(?:iconv -f GBK -t UTF-8|FIFO|POLICYLANG_\w+=?\w*)",
    # names of products and formats, which Chinese text writes in Latin too
    r"\b(?:Python|NFKC|Word|Excel|Unicode|Git|git|GitHub|JSON(?: Lines| Schema)?|SARIF|JUnit|CSV|HTML|Markdown|DuckDB|Spark"
    r"|Parquet|SQL|ESC|Chromium|Java|CI|YAML)\b",
]

# Words of the policy language and of its values that must not show in Chinese text.
ENGLISH_WORDS = frozenset(
    {w for english, _ in K.KEYWORDS for w in english.split()}
    | set(K.TYPES) | set(K.FUNCTIONS) | set(K.ROUND_WORDS) | set(K.LEVELS) | set(K.UNITS_ZH)
    | {"yuan", "true", "false", "none", "null", "cases", "case", "rule", "rules", "level"}
) - {"as"}

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# A name right after its label: ”（prepayment_ratio） or ”(prepayment_ratio)
_AFTER_LABEL = re.compile(r"(?<=[”\"])[（(]([A-Za-z_][\w.]*)[）)]")
# Snippets where an author's names stand as they are typed.
# and names in full-width parentheses, as a reference beside a label: （listing_allowed，cn/gd/stent-2020）.
_SNIPPET = re.compile(r"`[^`]*`|“[^”]*”|\"[^\"]*\"|'[^']*'|（[^（）]*）")


def notice_latin(root: str = os.path.join(REPO, "policies")) -> frozenset:
    """The Latin words of the policy files' quoted texts (titles, labels, notes, provisions)."""
    words = set()
    for path in glob.glob(os.path.join(root, "**", "*.policy"), recursive=True):
        with open(path, encoding="utf-8") as fh:
            for text in re.findall(r"\"([^\"\n]*)\"|“([^”\n]*)”", fh.read()):
                words.update(_WORD.findall(" ".join(text)))
    return frozenset(words)


def declared_names(root: str = os.path.join(REPO, "policies")) -> frozenset:
    """The names the policy files declare or write (inputs, params, decisions, tables, enums and their
    members, aliases, statuses): what an author types, and may see quoted back in a finding."""
    names = set()
    english = {w for w in ENGLISH_WORDS}
    for path in glob.glob(os.path.join(root, "**", "*.policy"), recursive=True):
        with open(path, encoding="utf-8") as fh:
            code = re.sub(r"\"[^\"\n]*\"|“[^”\n]*”|#.*", " ", fh.read())
        names.update(w for w in re.findall(r"(?a:[A-Za-z_]\w*)", code) if w not in english)
    decl = re.compile(r"^\s*(?:override\s+|覆盖\s*)?(?:input|param|decision|table|enum|schedule|require|provision|record"
                      r"|输入|参数|决策|表格|枚举|过渡安排|要求|规定|记录)\s+([A-Za-z_]\w*)", re.M)
    member = re.compile(r"^\s+([A-Za-z_]\w*)\s+[\"“]", re.M)
    alias = re.compile(r"\b(?:as|简称)\s+([A-Za-z_]\w*)")
    for path in glob.glob(os.path.join(root, "**", "*.policy"), recursive=True):
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        names.update(decl.findall(text))
        names.update(member.findall(text))
        names.update(alias.findall(text))
    return frozenset(names)


# The values of [tool.policylang] an author types in pyproject.toml (「“PL304 = "warning"”」).
CONFIG_WORDS = frozenset({"error", "warning", "info", "off", "en", "zh", "lang", "severity", "help_url"})

# A keyword quoted as a file written in English keywords writes it (「后面可以接着写“if”、“true”」): the words
# the author of that file types. Callers reading findings about such files pass it in `extra`.
ENGLISH_FILE_KEYWORDS = r"“(?:" + "|".join(sorted({e for e, _ in K.KEYWORDS}, key=len, reverse=True)) + r")”"


def foreign(text: str, names: Iterable[str] = (), latin: Iterable[str] = (), extra: Iterable[str] = ()) -> list[str]:
    """The English words, identifiers and English units of `text` a reader of Chinese would count."""
    names, latin = set(names), set(latin)
    for pattern in (*_ALWAYS, *extra):
        text = re.sub(pattern, " ", text, flags=re.M)
    found: list[str] = []

    def scan(piece: str, allowed: set) -> None:
        for word in _WORD.findall(piece):
            if word in allowed and "_" in word:  # a name such as as_of, though the language has a keyword so spelt
                continue
            if word in ENGLISH_WORDS:
                found.append(word)
            elif word in allowed or word in latin or word.rstrip("0123456789") in allowed:  # drug2: a name to choose
                continue
            elif "_" in word or len(word) >= 2:
                found.append(word)

    def after_label(m: re.Match) -> str:
        dotted = m.group(1).split(".")
        if all(part in names for part in dotted):
            return " "
        return m.group(0)

    text = _AFTER_LABEL.sub(after_label, text)
    rest = []
    last = 0
    for m in _SNIPPET.finditer(text):
        rest.append(text[last:m.start()])
        scan(m.group(0), names | CONFIG_WORDS)
        last = m.end()
    rest.append(text[last:])
    scan(" ".join(rest), set())
    return found
