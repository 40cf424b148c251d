"""How policylang words a policy in Chinese for the officials who read it.

Shared by `explain`, `diff`, `test` and the docs pages, so that each says a thing
the same way:

- `level_name(level, region)`: levels as the region calls them — Inner Mongolia's
  cities are 盟市 and its counties 旗县, an autonomous region is 自治区;
- `provision_sentence(actor, modality, text)`: a provision as the notices word it,
  built from the provision's text: 「医疗机构不得线下采购」, a condition first
  (「协议采购量完成后，医疗机构原则上应仍优先使用中选品种」), no modality twice
  (「患者原则上自付……」);
- `value_zh` and `expr_zh`: values and formulas in words, names shown by their labels
  (「非中选产品医保支付标准高限 ≤ 最高中选价」, 「本政策生效日期后2年」, 「798元」).
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal
from typing import Callable, Optional

from .syntax import ast as A
from .syntax import keywords as K
from .semantics import operators as OPS
from .messages import Bi

# ---------------------------------------------------------------- levels

_LEVELS_ZH = {"national": "国家", "provincial": "省", "municipal": "市", "county": "县"}
_AUTONOMOUS = ("内蒙古", "广西", "西藏", "宁夏", "新疆")
_MUNICIPALITIES = ("北京", "上海", "天津", "重庆")


def level_word(level: Optional[str], region: Optional[str] = None) -> str:
    """The level as the region names it, without 级: 国家, 省, 自治区, 市, 盟市, 县, 旗县."""
    region = region or ""
    if level == "provincial":
        if any(region.startswith(r) for r in _AUTONOMOUS):
            return "自治区"
        if any(region.startswith(r) for r in _MUNICIPALITIES):
            return "直辖市"
    if level == "municipal" and region.startswith("内蒙古"):
        return "盟市"
    if level == "county":
        if region.startswith("内蒙古"):
            return "旗县"
        if region.endswith("区") and not region.endswith("自治区"):
            return "区"
    return _LEVELS_ZH.get(level or "", level or "")


def level_name(level: Optional[str], region: Optional[str] = None) -> str:
    """The level with 级: 国家级, 省级, 自治区级, 盟市级, 旗县级."""
    word = level_word(level, region)
    return word + "级" if word else ""


# ---------------------------------------------------------------- provisions

# How the notices word each modality (必须/应当/应、不得、可以、原则上).
MODALITY_ZH = {"must": "应当", "must_not": "不得", "should": "原则上应", "should_not": "原则上不得", "may": "可以"}
# Words that already say the modality when a provision's text starts with them.
_MODAL_STARTS = ("应当", "应", "必须", "要", "不得", "严禁", "禁止", "可以", "可", "原则上", "鼓励", "仍应", "须")
# A clause that sets a condition ends with one of these before the first comma.
_CONDITION_ENDS = ("的", "后", "时", "前提下", "情况下", "之前", "以前", "以后", "期间", "之内", "以内")


def provision_sentence(actor: str, modality: str, text: str) -> str:
    """The provision as one Chinese sentence: actor, modality, duty; a condition first."""
    word = MODALITY_ZH.get(modality, modality)
    condition, duty = "", text
    head, sep, rest = text.partition("，")
    if sep and rest and head.endswith(_CONDITION_ENDS) and len(head) <= 40:
        condition, duty = head + "，", rest
    if duty.startswith(_MODAL_STARTS):
        return f"{condition}{actor}{duty}"
    return f"{condition}{actor}{word}{duty}"


# ---------------------------------------------------------------- values and formulas

_UNITS = {"yuan": "元", "days": "天", "months": "个月", "years": "年", "working_days": "个工作日"}
# What an input of each kind must be, in Chinese (the runtime says it in English: InputError.expected).
INPUT_KINDS_ZH = {
    "money": "金额（元），例如 469 或 \"469.50\"，不为负数，最多两位小数", "percent": "0% 到 100% 之间的百分比，例如 \"30%\" 或 0.3",
    "count": "不小于 0 的整数", "decimal": "数值", "bool": "true 或 false（是或否）", "date": "日期，写作 YYYY-MM-DD",
    "text": "文字", "duration": "时长，例如 \"2 years\"、\"6 months\" 或 \"30 days\"",
    "object": "一个 JSON 对象（输入项名称: 取值）",
}

_TYPES_ZH = {"money": "金额", "percent": "百分比", "decimal": "数值", "count": "整数", "bool": "是/否", "date": "日期",
             "duration": "时长", "text": "文字", "none": "不适用", "unknown": "未知"}
STATEMENTS_ZH = {"fixed": "固定", "floor": "不低于（下限）", "ceiling": "不高于（上限）", "default": "默认（可替换）",
                 "delegated": "授权下级填写"}


def type_zh(name: Optional[str]) -> str:
    if name and name.startswith("list of "):  # a list of records: the record type is the author's name
        return f"由 {name[len('list of '):]} 组成的列表"
    return _TYPES_ZH.get(name or "", name or "")


def _decimal(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def value_zh(value, kind: Optional[str] = None) -> str:
    """A value as a reader writes it: 798元, 30%, 2年, 是, 2021-01-31, 不适用."""
    from .semantics.model import Duration

    if value is None:
        return "不适用"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, Duration):
        return f"{value.amount}{_UNITS.get(value.unit, value.unit)}"
    if isinstance(value, (Decimal, int)):
        value = Decimal(value)
        if kind == "percent":
            return _decimal(value * 100) + "%"
        if kind == "money":
            return (format(value.quantize(Decimal("0.01")), "f") if value != value.to_integral_value()
                    else _decimal(value)) + "元"
        return _decimal(value)
    if kind == "text" and isinstance(value, str):
        return f"“{value}”"
    return str(value)


_P_IF, _P_CMP, _P_SUM, _P_ATOM = (OPS.STRENGTH[k] for k in ("if", "compare", "sum", "atom"))


def _operator(expr):
    """The entry (semantics/operators.py) of an operator as the parser wrote it, or None."""
    if isinstance(expr, A.Binary):
        return OPS.binary(expr.op)
    if isinstance(expr, A.Unary):
        return OPS.unary(expr.op)
    if isinstance(expr, A.InSet):
        return OPS.membership(expr.negated)
    return None


def _strength(expr) -> int:
    op = _operator(expr)
    if op is not None:
        return op.strength
    return _P_IF if isinstance(expr, A.IfElse) else _P_ATOM


def expr_zh(expr, label: Callable[[str], Optional[str]] = lambda name: None) -> str:
    """A formula (an AST expression) in words: names by their labels, 较小值(…), 取整(…, 分, 向上),
    「本政策生效日期后2年」, 且/或/非, 属于 {…}."""
    if expr is None:
        return ""

    def child(e, slot: int) -> str:
        text = expr_zh(e, label)
        return f"（{text}）" if _strength(e) < slot else text

    if isinstance(expr, A.Number):
        if expr.unit == "percent":
            return expr.text + "%"
        return expr.text + _UNITS.get(expr.unit or "", "")
    if isinstance(expr, A.DateLit):
        return expr.value.isoformat()
    if isinstance(expr, A.Text):
        return f"“{expr.value}”"
    if isinstance(expr, A.BoolLit):
        return "是" if expr.value else "否"
    if isinstance(expr, A.NoneLit):
        return "不适用"
    if isinstance(expr, A.Name):
        if expr.name in K.BUILTINS:
            return K.BUILTINS[expr.name][0]
        return label(expr.name) or expr.name
    if isinstance(expr, A.Attribute):
        base = expr.base.name if isinstance(expr.base, A.Name) else expr_zh(expr.base, label)
        return label(f"{base}.{expr.attr}") or f"{base}.{expr.attr}"
    if isinstance(expr, A.Call):
        args = [expr_zh(a, label) for a in expr.args]
        if expr.func == "round":
            args = args[:1] + [K.ROUND_WORDS[a.name][0] if isinstance(a, A.Name) and a.name in K.ROUND_WORDS
                               else text for a, text in zip(expr.args[1:], args[1:])]
        return f"{K.name_word(K.FUNCTIONS, expr.func, 'zh')}（{'，'.join(args)}）"
    if isinstance(expr, A.Unary):
        op = _operator(expr)
        return op.docs["zh"] + child(expr.operand, op.strength)
    if isinstance(expr, A.InSet):
        items = "、".join(expr_zh(i, label) for i in expr.items)
        return f"{child(expr.operand, _P_SUM)}{_operator(expr).docs['zh']}｛{items}｝"
    if isinstance(expr, A.IfElse):
        return f"如果{expr_zh(expr.cond, label)}，则{expr_zh(expr.then, label)}，否则{expr_zh(expr.otherwise, label)}"
    if isinstance(expr, A.Binary):
        op = _operator(expr)
        if op.zh_after_period and isinstance(expr.right, A.Number) and expr.right.unit in ("days", "months", "years",
                                                                                           "working_days"):
            return f"{child(expr.left, _P_SUM)}{op.zh_after_period}{expr_zh(expr.right, label)}"  # 本政策生效日期后2年
        mine = op.strength
        if op.words:  # 且, 或 without spaces
            return f"{child(expr.left, mine)}{op.docs['zh']}{child(expr.right, mine + 1)}"
        right_slot = mine + 1 if op.tight_right else mine
        left_slot = _P_SUM if mine == _P_CMP else mine
        return f"{child(expr.left, left_slot)} {op.docs['zh']} {child(expr.right, right_slot)}"
    return "?"


_CODE_SPAN = re.compile(r"`([^`]+)`")


def without_backticks(text: Optional[str]) -> Optional[str]:
    """Markdown code spans (`…`) as plain words, for a page that is not Markdown."""
    if not text:
        return text
    return _CODE_SPAN.sub(lambda m: "“" + m.group(1) + "”", text)


def keyword_words(english: str) -> Bi:
    """A keyword of the language in both forms (`floor` / 「下限」), for a snippet of a hint."""
    forms = dict(K.KEYWORDS).get(english)
    return Bi(english, forms[0] if forms else english)


def type_words(t) -> Bi:
    """A type as written in a policy, in both keyword forms (`percent` / 「百分比」, an enum by its name)."""
    text = str(t)
    kind = getattr(t, "kind", text)
    if kind == "list":
        return Bi(text, f"列表 {t.record}")
    forms = K.TYPES.get(kind)
    return Bi(text, forms[0] if forms and kind != "enum" else text)


_OS_ERRORS_ZH = {2: "文件或文件夹不存在", 13: "没有权限", 21: "这是一个文件夹", 20: "路径中有一部分不是文件夹",
                 28: "磁盘空间不足", 30: "只读的文件系统", 36: "文件名太长"}


def os_error_zh(exc: OSError) -> str:
    """An operating-system error (ENOENT, EACCES…) in words: 「文件或文件夹不存在」."""
    return _OS_ERRORS_ZH.get(getattr(exc, "errno", None) or -1) or exc.strerror or str(exc)
