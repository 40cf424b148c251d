"""The words of the documentation pages, in Chinese and English.

A page is written in Chinese when the policy's own labels are Chinese (the
readers are bureau officials); otherwise in English. Every word the generator
itself puts on a page comes from here, so a page never mixes the two.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

from ...semantics.operators import OPERATORS as _OPERATORS

ZH = "zh"
EN = "en"

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def has_cjk(text: Optional[str]) -> bool:
    return bool(text) and bool(_CJK.search(text))


def page_language(texts: Iterable[Optional[str]]) -> str:
    """Chinese when any of the policy's labels (title, region, item labels) is Chinese."""
    return ZH if any(has_cjk(t) for t in texts) else EN


UI: dict[str, dict[str, str]] = {
    # page structure
    "site_title": {ZH: "政策文档", EN: "Policy documentation"},
    "index_title": {ZH: "政策总览：地区层级与状态", EN: "Policies by region and status"},
    "index_intro": {
        ZH: "按上下级关系（继承）排列：国家 → 省 → 市 → 县。每项政策的状态来自检查结果；“未填写”指上级授权、本链尚无任何一级填写的事项。",
        EN: "Arranged by inheritance (extends): national → provinces → cities → counties. Status comes from the "
            "checker; 'blanks' are items an upper level delegated that no level of the chain has filled yet.",
    },
    "search": {ZH: "搜索事项名称或标签", EN: "Search items by name or label"},
    "search_none": {ZH: "没有匹配的事项", EN: "No matching item"},
    "home": {ZH: "总览", EN: "Overview"},
    "contents": {ZH: "目录", EN: "Contents"},
    "policy_page": {ZH: "政策全文（解析后）", EN: "Resolved policy"},
    "override_report": {ZH: "调整对照", EN: "Override report"},
    "override_report_title": {ZH: "本级调整对照", EN: "What this policy changes"},
    "impact_report": {ZH: "调整影响测算", EN: "Impact simulation"},
    "title": {ZH: "标题", EN: "Title"},
    "issuer": {ZH: "发文机关", EN: "Issuer"},
    "document": {ZH: "文号", EN: "Document number"},
    "issued": {ZH: "印发日期", EN: "Issued"},
    "effective": {ZH: "生效日期", EN: "Effective"},
    "ends": {ZH: "失效日期", EN: "Ends"},
    "level": {ZH: "层级", EN: "Level"},
    "region": {ZH: "地区", EN: "Region"},
    "summary": {ZH: "概述", EN: "Summary"},
    "policy_id": {ZH: "政策编号", EN: "Policy id"},
    "source_file": {ZH: "源文件", EN: "Source file"},
    "chain": {ZH: "上级链（至国家）", EN: "Chain up to the national policy"},
    "uses": {ZH: "引用的其他政策", EN: "Other policies referred to"},
    # "cn/gd/drug-vbp-2019 (drug, the version of cn/drug-vbp-2019 in force here)"
    "uses_version_of": {ZH: "即本地区适用的", EN: "the version in force here of"},
    "value_from": {ZH: "取自", EN: "from"},
    "children": {ZH: "下级政策", EN: "Policies below this one"},
    "status": {ZH: "状态", EN: "Status"},
    "not_given": {ZH: "（未写明）", EN: "(not given)"},
    "in_principle": {ZH: "原则上", EN: "in principle"},
    "effective_unknown": {ZH: "未知（原文未见）", EN: "unknown (the notice's text is not in hand)"},
    "reconstructed_banner": {ZH: "本文件为重构：通知原文未见，其规则依据其他通知的引述整理，日期和条款号可能不全",
                             EN: "Reconstructed: the notice's own text is not in hand; its rules are rebuilt from what "
                                 "other notices quote, and dates and article numbers may be missing."},
    "has_errors_banner": {
        ZH: "本政策（或其上级）有错误，以下内容可能不完整，计算结果不可信。请先修正检查结果中的错误。",
        EN: "This policy (or one above it) has errors: what follows may be incomplete and must not be relied on. "
            "Fix the errors in the findings first.",
    },
    # sections
    "at_a_glance": {ZH: "本地适用要点", EN: "At a glance"},
    "glance_set_here": {ZH: "本级设定或调整的事项", EN: "Items this level sets or changes"},
    "glance_by_level": {ZH: "现行事项由各级设定的数量", EN: "Items in force, by the level that set them"},
    "glance_inherited": {ZH: "从上级继承的事项", EN: "Items inherited from above"},
    "glance_open": {ZH: "尚未确定的事项（空白）", EN: "Still undecided (blanks)"},
    "glance_findings": {ZH: "检查发现的问题", EN: "Checker findings"},
    "enums": {ZH: "分类", EN: "Enumerations"},
    "inputs": {ZH: "需要提供的信息（输入）", EN: "Information needed (inputs)"},
    "params": {ZH: "参数", EN: "Parameters"},
    "decisions": {ZH: "计算规则", EN: "Decisions"},
    "tables": {ZH: "判定表", EN: "Decision tables"},
    "schedules": {ZH: "过渡安排", EN: "Schedules"},
    "requirements": {ZH: "要求", EN: "Requirements"},
    "examples": {ZH: "示例", EN: "Examples"},
    "provisions": {ZH: "其他条款（按责任主体）", EN: "Provisions (by actor)"},
    "findings": {ZH: "检查结果", EN: "Findings"},
    "no_findings": {ZH: "没有检查发现的问题。", EN: "The checker found nothing."},
    "suppressed_title": {ZH: "已忽略的约束类问题", EN: "Suppressed binding findings"},
    "suppressed_intro": {
        ZH: "以下每一条都表示本政策突破了上级的约束性规定；政策文件在该行用 “# policylang: ignore[…] because …” "
            "写明理由后予以忽略，因此检查不报错误。忽略并不改变上级的规定，请逐条审核理由。",
        EN: "Each of these says that this policy breaks a binding rule of a level above it; the policy file accepts "
            "it on that line with “# policylang: ignore[…] because …” and the reason shown, so the check does not "
            "report it as an error. Suppressing does not change the upper level's rule: review each reason.",
    },
    "suppressed_word": {ZH: "已忽略", EN: "suppressed"},
    "suppressed_count": {ZH: "已忽略的约束类问题", EN: "binding findings suppressed"},
    "suppression_reason": {ZH: "忽略理由", EN: "Reason given"},
    "blanks": {ZH: "未填写的空白", EN: "Blanks left unfilled"},
    "no_blanks": {ZH: "没有未填写的空白。", EN: "No blank is left unfilled."},
    # item fields
    "name": {ZH: "名称", EN: "Name"},
    "label": {ZH: "标签", EN: "Label"},
    "type": {ZH: "类型", EN: "Type"},
    "value": {ZH: "取值", EN: "Value"},
    "kind": {ZH: "性质", EN: "Kind"},
    "bounds": {ZH: "限定", EN: "Bounds"},
    "optional": {ZH: "可不填", EN: "optional"},
    "required": {ZH: "必填", EN: "required"},
    "article": {ZH: "条款", EN: "Article"},
    "source": {ZH: "出处", EN: "Source"},
    "this_level": {ZH: "本级", EN: "This level"},
    "history": {ZH: "沿革", EN: "History"},
    "amended_set_by": {ZH: "由 {policy} 设定", EN: "set by {policy}"},
    "amended_by": {ZH: "自 {day} 起由 {policy} 修订", EN: "amended by {policy} from {day}"},
    "amended_sep": {ZH: "，", EN: ", "},
    "note": {ZH: "说明", EN: "Note"},
    "reason": {ZH: "调整理由", EN: "Reason"},
    "rule": {ZH: "规则", EN: "Rule"},
    "formula": {ZH: "计算公式", EN: "Formula"},
    "depends_on": {ZH: "依据", EN: "Reads"},
    "result_type": {ZH: "结果类型", EN: "Result type"},
    "members": {ZH: "取值范围", EN: "Members"},
    "when": {ZH: "当", EN: "when"},
    "fixed_case": {ZH: "固定规则，下级不得修改", EN: "fixed: lower levels may not change it"},
    "fixed_decision": {ZH: "本项为固定规则，下级不得修改", EN: "This decision is fixed: lower levels may not change it."},
    "ceiling_decision": {ZH: "本项为上限：下级在任何情形、任何日期得出的结果都不得高于本级",
                         EN: "This decision is a ceiling: a lower level's result may never be higher, on any input or "
                             "day."},
    "floor_decision": {ZH: "本项为下限：下级在任何情形、任何日期得出的结果都不得低于本级",
                       EN: "This decision is a floor: a lower level's result may never be lower, on any input or day."},
    "ceiling_case": {ZH: "上限：下级不得更高", EN: "ceiling: lower levels may not give more"},
    "floor_case": {ZH: "下限：下级不得更低", EN: "floor: lower levels may not give less"},
    "then": {ZH: " 时", EN: ""},
    "otherwise": {ZH: "否则", EN: "otherwise"},
    "otherwise_none": {ZH: "其余情形不适用", EN: "in every other case: not applicable"},
    "row_otherwise": {ZH: "其他情形", EN: "any other case"},
    "any": {ZH: "任意", EN: "any"},
    "result": {ZH: "结果", EN: "Result"},
    "explanation": {ZH: "说明", EN: "Explanation"},
    "no_row_matches": {ZH: "没有一行匹配时：不适用（表格未覆盖的情形）", EN: "When no row matches: not applicable (a gap)"},
    "from_date": {ZH: "起始日期", EN: "From"},
    "before_first": {ZH: "此前", EN: "before that"},
    "schedule_of": {ZH: "逐步调整的参数", EN: "Schedules the parameter"},
    "schedule_base": {ZH: "首个日期之前取参数本身的值", EN: "Before the first date the parameter's own value applies"},
    "deadline": {ZH: "期限", EN: "Deadline"},
    "from_deadline_on": {ZH: "自该日起须满足", EN: "must hold from that date on"},
    "always": {ZH: "始终须满足", EN: "must always hold"},
    "condition": {ZH: "条件", EN: "Condition"},
    "as_of": {ZH: "评估日期", EN: "As of"},
    "given": {ZH: "已知", EN: "Given"},
    "expect": {ZH: "应得", EN: "Expect"},
    "needs": {ZH: "无法计算，缺少", EN: "cannot be computed without"},
    "actor": {ZH: "责任主体", EN: "Actor"},
    "modality": {ZH: "要求", EN: "Modality"},
    "severity": {ZH: "级别", EN: "Severity"},
    "code": {ZH: "代码", EN: "Code"},
    "message": {ZH: "内容", EN: "Message"},
    "location": {ZH: "位置", EN: "Location"},
    "hint": {ZH: "建议", EN: "Hint"},
    "see_also": {ZH: "相关位置", EN: "See also"},
    "nothing": {ZH: "无", EN: "none"},
    # override report
    "vs_parent": {ZH: "相对上级", EN: "Compared with the parent"},
    "vs_root": {ZH: "相对国家", EN: "Compared with the national policy"},
    "no_changes_parent": {
        ZH: "本级未作任何调整：上级规定原样适用。",
        EN: "This level changes nothing: the parent's rules apply unchanged.",
    },
    "parent_is_root": {ZH: "上级就是国家政策：对照见上表。", EN: "The parent is the national policy: see the table above."},
    "no_changes_root": {ZH: "与国家政策相同。", EN: "Same as the national policy."},
    "change": {ZH: "调整", EN: "Change"},
    "item": {ZH: "事项", EN: "Item"},
    "before": {ZH: "调整前", EN: "Before"},
    "after": {ZH: "调整后", EN: "After"},
    "national": {ZH: "国家规定", EN: "National rule"},
    "in_force_here": {ZH: "本地现行", EN: "In force here"},
    "changed_by": {ZH: "调整层级", EN: "Changed by"},
    "expected_here": {ZH: "应由本级填写", EN: "This level is expected to fill it"},
    "expected_below": {ZH: "留待下级填写", EN: "Left for a lower level"},
    "expected_by": {ZH: "应由谁填写", EN: "Who fills it"},
    "delegated_at": {ZH: "授权于", EN: "Delegated by"},
    # status
    "clean": {ZH: "无问题", EN: "clean"},
    "errors": {ZH: "错误", EN: "errors"},
    "warnings": {ZH: "警告", EN: "warnings"},
    "infos": {ZH: "提示", EN: "notes"},
    "blank_count": {ZH: "未填写空白", EN: "blanks unfilled"},
    "not_rendered": {ZH: "（未生成页面）", EN: "(no page generated)"},
    "colon": {ZH: "：", EN: ": "},
    "list_sep": {ZH: "、", EN: ", "},
    "that_is": {ZH: "，即 ", EN: ", that is "},
    "workdays": {ZH: "工作日日历", EN: "Working-day calendar"},
    "workdays_intro": {ZH: "本政策按工作日计算期限：工作日依国务院办公厅每年的节假日安排通知（含调休上班日），使用以下年份",
                       EN: "This policy counts periods in working days, on the State Council's yearly notices on "
                           "public holidays (with their weekend days worked); the years it counts on"},
    "workdays_changed_by": {ZH: "经以下通知调整", EN: "changed by"},
    "workdays_declared": {ZH: "由本树声明", EN: "declared in this tree by"},
    "needed_by": {ZH: "缺少此项无法计算", EN: "Cannot be computed without it"},
    "comma": {ZH: "，", EN: ", "},
    "open_paren": {ZH: "（", EN: " ("},
    "close_paren": {ZH: "）", EN: ")"},
    "generated_by": {ZH: "由 policylang 根据政策文件生成。", EN: "Generated by policylang from the policy files."},
}

LEVELS = {
    "national": {ZH: "国家级", EN: "national"},
    "provincial": {ZH: "省级", EN: "provincial"},
    "municipal": {ZH: "市级", EN: "municipal"},
    "county": {ZH: "县级", EN: "county"},
}

# What a level did to an item (see views.item_action).
ACTIONS = {
    "set": {ZH: "本级设定", EN: "set here"},
    "added": {ZH: "本级新增", EN: "added here"},
    "tightened": {ZH: "收紧", EN: "tightened"},
    "loosened": {ZH: "放宽（与上级冲突）", EN: "loosened (conflicts with the level above)"},
    "filled": {ZH: "填写", EN: "filled"},
    "replaced": {ZH: "替换", EN: "replaced"},
    "inherited": {ZH: "继承", EN: "inherited"},
    "delegated": {ZH: "转授下级", EN: "passed down"},
    "restated": {ZH: "重申", EN: "restated"},
    "changed": {ZH: "修改", EN: "changed"},
    "tightened, proved": {ZH: "收紧（已证明）", EN: "tightened, proved"},
    "restated, proved": {ZH: "重申（已证明）", EN: "restated, proved"},
    "not proved": {ZH: "未能证明是否符合上级", EN: "not proved within the level above"},
    "changed kind": {ZH: "改变规则类型（与上级冲突）", EN: "kind changed (conflicts with the level above)"},
    "outside bound": {ZH: "超出上级限定范围", EN: "outside the bound set above"},
}

SHORT_ACTIONS = {
    "set": {ZH: "设定", EN: "set"},
    "added": {ZH: "新增", EN: "added"},
}

STATEMENTS = {
    "floor": {ZH: "不低于（下限）", EN: "at least (floor)"},
    "ceiling": {ZH: "不高于（上限）", EN: "at most (ceiling)"},
    "fixed": {ZH: "固定", EN: "fixed"},
    "default": {ZH: "默认（可替换）", EN: "default (replaceable)"},
    "delegated": {ZH: "授权地方确定", EN: "delegated"},
}

BOUND_OPS = {
    "at_least": {ZH: "不低于", EN: "at least"},
    "at_most": {ZH: "不高于", EN: "at most"},
}

# As the notices word them: 应当 binds (must); 原则上应 is what "should" says.
MODALITIES = {
    "must": {ZH: "应当", EN: "must"},
    "must_not": {ZH: "不得", EN: "must not"},
    "may": {ZH: "可以", EN: "may"},
    "should": {ZH: "原则上应", EN: "should"},
    "should_not": {ZH: "原则上不得", EN: "should not"},
}

TYPES = {
    "money": {ZH: "金额（元）", EN: "money (yuan)"},
    "percent": {ZH: "百分比", EN: "percent"},
    "decimal": {ZH: "数值", EN: "number"},
    "count": {ZH: "整数", EN: "whole number"},
    "bool": {ZH: "是/否", EN: "yes/no"},
    "date": {ZH: "日期", EN: "date"},
    "duration": {ZH: "时长", EN: "duration"},
    "text": {ZH: "文本", EN: "text"},
    "none": {ZH: "不适用", EN: "not applicable"},
    "unknown": {ZH: "未知", EN: "unknown"},
}

SEVERITIES = {
    "error": {ZH: "错误", EN: "error"},
    "warning": {ZH: "警告", EN: "warning"},
    "info": {ZH: "提示", EN: "note"},
}

# Expression words.
BOOL_WORDS = {True: {ZH: "是", EN: "yes"}, False: {ZH: "否", EN: "no"}}
NONE_WORD = {ZH: "不适用", EN: "not applicable"}
BLANK_WORD = {ZH: "未填写", EN: "not filled"}
# The words of the operators (and, or, not, in, not_in: semantics/operators.py) and of the other
# keywords a formula shows.
OPERATORS = {
    **{key: dict(op.docs) for key, op in _OPERATORS.items() if op.words},
    "if": {ZH: "如果", EN: "if"},
    "then": {ZH: "则", EN: "then"},
    "else": {ZH: "否则", EN: "else"},
    "where": {ZH: "其中", EN: "where"},
}
# The symbols of the other binary operators (the same in both languages): × ÷ + − = ≠ < ≤ > ≥.
SYMBOLS = {key: op.docs[ZH] for key, op in _OPERATORS.items() if not op.words and op.form == "binary"}
BUILTINS = {
    "as_of": {ZH: "评估日期", EN: "evaluation date"},
    "effective_date": {ZH: "本政策生效日期", EN: "effective date of this policy"},
    "end_date": {ZH: "本政策失效日期", EN: "end date of this policy"},
}
# effective_date in an inherited deadline: the date of the policy that declares it, named.
DECLARER_EFFECTIVE_DATE = {ZH: "{level}政策 {policy} 的生效日期", EN: "effective date of {policy} ({level})"}
DURATION_UNITS = {
    "days": {ZH: "天", EN: "days"},
    "months": {ZH: "个月", EN: "months"},
    "years": {ZH: "年", EN: "years"},
    "working_days": {ZH: "个工作日", EN: "working days"},
}


class UiText:
    """The interface words of one language as attributes: `w.t.params` is `w.ui("params")`.

    Templates use it because a Jinja attribute lookup costs a fraction of a Jinja call,
    and a page has hundreds of these words. An unknown key is an error, not a silent echo.
    """

    def __init__(self, lang: str):
        for key, entry in UI.items():
            setattr(self, key, entry[lang])


_UI_TEXT: dict[str, UiText] = {}


_LEVEL_WORDS: dict[tuple, str] = {}


class Words:
    """The word tables bound to one page language: words.ui('params'), words.level('municipal')…"""

    def __init__(self, lang: str, region: Optional[str] = None):
        self.lang = lang
        self.region = region  # a page's region: its levels are named as the region names them (盟市级)
        text = _UI_TEXT.get(lang)
        if text is None:
            text = _UI_TEXT[lang] = UiText(lang)
        self.t = text

    def _pick(self, table: dict, key, fallback: Optional[str] = None) -> str:
        entry = table.get(key)
        if entry is None:
            return fallback if fallback is not None else str(key)
        return entry[self.lang]

    def ui(self, key: str) -> str:
        return self._pick(UI, key)

    def level(self, level: Optional[str]) -> str:
        # Asked for every item and every step of its history on every page: looked up once per
        # (language, region, level).
        key = (self.lang, self.region, level)
        word = _LEVEL_WORDS.get(key)
        if word is None:
            if self.lang == ZH and self.region and level in LEVELS:
                from ...wording import level_name

                word = level_name(level, self.region)
            else:
                word = self._pick(LEVELS, level, level or "")
            _LEVEL_WORDS[key] = word
        return word

    def action(self, action: str, short: bool = False) -> str:
        """short: for a history trail ("国家级 设定 → 省级 收紧"), where "this level" would be wrong."""
        if short and action in SHORT_ACTIONS:
            return SHORT_ACTIONS[action][self.lang]
        return self._pick(ACTIONS, action)

    def statement(self, kind: str) -> str:
        return self._pick(STATEMENTS, kind)

    def bound(self, op: str) -> str:
        return self._pick(BOUND_OPS, op)

    def modality(self, modality: str) -> str:
        return self._pick(MODALITIES, modality)

    def type(self, kind: str) -> str:
        return self._pick(TYPES, kind)

    def severity(self, severity: str) -> str:
        return self._pick(SEVERITIES, severity)

    def delegated_blank(self, to_level: Optional[str]) -> str:
        """The words shown in place of the value of a blank nobody filled."""
        if self.lang == ZH:
            who = f"由{self.level(to_level).removesuffix('级')}级确定" if to_level else "由地方确定"
            return f"未填写 — {who}"
        return f"not filled — to be set by the {self.level(to_level)} level" if to_level else \
            "not filled — to be set locally"
