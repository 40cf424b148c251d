"""The entries of the message catalogue (see messages.py), grouped by the pass that reports them:
(key, English, Chinese, hint, Chinese hint). Templates are str.format strings: {name} is a
parameter, {{ and }} are braces."""

from __future__ import annotations

ENTRIES = [
    # ---------------------------------------------------------------- configuration (config.py)
    ("PL903.unreadable", "pyproject.toml cannot be read: {error}", "无法读取 pyproject.toml：{error}"),
    ("PL903.not_toml", "pyproject.toml is not valid TOML: {error}", "pyproject.toml 不是有效的 TOML 文件：{error}"),
    ("PL903.not_a_table", "[tool.policylang] must be a table", "[tool.policylang] 必须是一个 TOML 表（table）"),
    ("PL903.unknown_setting", "unknown setting '{key}' in [tool.policylang]", "[tool.policylang] 中的设置项“{key}”无法识别",
     "the settings are: {known}", "可以使用的设置项有：{known_zh}"),
    ("PL903.bad_lang", "lang is {lang!r}; it must be one of: {choices}", "lang 的值是 {lang!r}，只能是下列之一：{choices_zh}",
     'lang = "zh" prints findings in Chinese, lang = "en" in English', 'lang = "zh" 用中文显示检查结果，lang = "en" 用英文显示'),
    ("PL903.severity_not_a_table", "'severity' must be a table such as {{ PL207 = \"off\" }}",
     "“severity”必须是一个 TOML 表（table），例如 {{ PL207 = \"off\" }}"),
    ("PL903.unknown_code", "'{code}' in [tool.policylang] severity is not a policylang code",
     "[tool.policylang] severity 中的“{code}”不是 policylang 的代码",
     "codes look like PL207{near}", "代码的写法如 PL207{near_zh}"),
    ("phrase.PL903.codes_near", "; codes near it: {codes}", "；与它相近的代码有：{codes_zh}"),
    ("PL903.bad_severity", "the severity of {code} is {value!r}; it must be one of: {choices}",
     "{code} 的严重程度设为 {value!r}，只能是下列之一：{choices_zh}"),
    ("PL903.not_configurable", "the severity of {code} ({title}) cannot be configured; the setting is ignored",
     "{code}（{title_zh}）的严重程度不能通过配置修改，这项设置不起作用",
     "remove {code} from [tool.policylang] severity", "请从 [tool.policylang] severity 中删除 {code}"),
    ("PL904.binding_not_lowered",
     "{code} ({title}) says that a lower level breaks a binding rule of a level above it; the configuration cannot "
     "{lowered} for the whole tree, so '{code} = \"{value}\"' is ignored and {code} stays an error",
     "{code}（{title_zh}）表示下级违反了上级的约束性规定，不能通过配置对整个政策目录一律{lowered_zh}，"
     "因此“{code} = \"{value}\"”这项设置不起作用，{code} 仍按错误处理",
     "remove the setting; where a finding is really acceptable, put '# policylang: ignore[{code}] because \"…\"' on "
     "that line (or the line before), with the reason: it is then listed as a suppressed binding finding in the "
     "check's summary and on the policy's pages",
     "请删除这项设置；如果某处问题确实可以接受，请在该行（或上一行）写上 '# policylang: ignore[{code}] because \"…\"' "
     "并写明理由：它会作为“已忽略的约束类问题”列在检查摘要和该政策的文档页上"),
    ("phrase.PL904.off", "turn it off", "关闭"),
    ("phrase.PL904.lower", "make it {value}", "降为{level_zh}（{value}）"),
    ("PL903.unknown_suppressed_code", "the suppression names unknown code(s): {codes}",
     "这条忽略指令写了不存在的代码：{codes_zh}", "codes look like PL402", "代码的写法如 PL402"),
    ("PL901.no_reason", "this suppression gives no reason, so it suppresses nothing",
     "这条忽略指令没有写明理由，因此不会忽略任何问题",
     "say why the finding is acceptable: # policylang: ignore[{codes}] because \"…\"",
     "请写明为什么可以接受这个问题：# policylang: ignore[{codes}] because \"…\""),
    ("PL902.unused", "this suppression of {codes} matches no finding on line {line}",
     "这条针对 {codes_zh} 的忽略指令在第 {line} 行没有对应的问题",
     "remove it (the finding it was for is gone), or move it to the line before the finding",
     "请删除它（它原先针对的问题已经不存在），或把它移到该问题所在行的上一行"),

    # ---------------------------------------------------------------- blanks (checks/blanks.py)
    ("PL312.unfilled", "the blank {words} is not filled: {situation}; {consequence}.",
     "授权事项{words_zh}尚未填写：{situation_zh}；{consequence_zh}",
     "if this region has set the value, add it to this file, e.g. 'override param {name}: {type} fixed …' with "
     "because \"…\"; until then callers must supply '{name}' as an input",
     "如果本地已经规定了这个值，请写进本文件，例如 `override param {name}: {type} fixed …`，并用 `because \"…\"` 说明依据；"
     "在此之前，按本政策计算时必须把“{name}”作为输入项提供"),
    ("phrase.PL312.needing", "these decisions cannot be computed here when they need it: {listed}",
     "以下决策项用到它时，在本政策中无法计算：{listed_zh}"),
    ("phrase.PL312.requirements", "the requirement {names} cannot be checked", "约束要求 {names_zh} 无法检查"),
    ("phrase.PL312.nothing", "nothing computes with it yet, but the notice leaves it to be set",
     "目前还没有计算用到它，但通知把它留待下级填写"),
    ("phrase.PL312.left_here", "this policy leaves it for the {expected} level, but no policy extends this one yet",
     "本政策把它留给{to_zh}填写，但目前还没有下级政策继承本政策"),
    ("phrase.PL312.left_above", "{by} left it for the {expected} level, and no level down to this {level} policy sets it",
     "{by} 把它留给{to_zh}填写，但直到本{level_zh}政策，各层都没有填写"),
    ("note.PL312.left_blank", "{words} is left blank for the {expected} level to fill", "{words_zh}留给{to_zh}填写"),

    # ---------------------------------------------------------------- unused names (checks/unused.py)
    ("PL207.unused",
     "the {kind} {words} is declared but no decision, table, requirement or schedule uses it (here, in the policies "
     "that extend this one, or through 'uses')",
     "{kind_zh}{words_zh}已经声明，但没有任何决策项、决策表、约束要求或过渡安排用到它"
     "（本政策、继承本政策的下级政策以及通过引用（uses）读取它的政策都没有用到）",
     "remove it, or use it in the rule it belongs to; if it is kept only for reference, suppress this with "
     "'# policylang: ignore[PL207] because \"…\"'",
     "请删除它，或在它所属的规则中用上它；如果只是留作参考，请用 `# policylang: ignore[PL207] because \"…\"` 忽略这条提示"),

    # ---------------------------------------------------------------- examples (checks/examples.py)
    ("PL601.inputs", 'example "{title}": its inputs cannot be evaluated: {problem}', "示例“{title}”：给出的输入无法求值：{problem}",
     "each given value must be a literal of the input's type (469 yuan, 80%, 2021-03-01, true)",
     "给出的每个值都必须是该输入类型的字面值（如 469 yuan、80%、2021-03-01、true）"),
    ("PL601.expected", 'example "{title}": the expected value of {name} cannot be evaluated: {problem}',
     "示例“{title}”：{words_zh}的期望值无法求值：{problem}",
     "write the expected result as a literal (469 yuan, 80%, 2021-03-01, true, none)",
     "请把期望结果写成字面值（如 469 yuan、80%、2021-03-01、true、none）"),
    ("phrase.PL601.expected_needs", "expected {name} to need the blank {needs}", "期望{words_zh}因授权事项 {needs} 尚未填写而无法计算"),
    ("phrase.PL601.expected_value", "expected {name} = {value}", "期望{words_zh}为 {value}"),
    ("PL601.value", 'example "{title}": {expected}, got {value}', "示例“{title}”：{expected_zh}，实际算得 {value}",
     "if the notice's figure is right, the rule that decided it (or a value it reads) is wrong{see}; "
     "`policylang explain {pid} {name}` shows how each level defines it; if the policy is right, correct the example",
     "如果通知中的数字无误，说明计算它的规则（或它用到的取值）有误{see_zh}；"
     "`policylang explain {pid} {name}` 可查看各级如何规定这一项；如果政策无误，请改正示例"),
    ("phrase.PL601.see_note", " (see the note)", "（见说明）"),
    ("PL601.needs_got_value", 'example "{title}": {expected}, got a value: {value}',
     "示例“{title}”：{expected_zh}，实际却算出了结果：{value}",
     "a level of the chain fills {needs}, or {name} does not read it: if {value} is right, write `expect {name} = {value}`",
     "本链已有一级填写了 {needs}，或者 {name} 并不用到它；如果 {value} 正确，请改写为 `expect {name} = {value}`"),
    ("PL601.wrong_blank",
     'example "{title}": {expected}, got no value: it needs the blank {blank}, which no level of the chain has filled',
     "示例“{title}”：{expected_zh}，实际却无法计算：它需要授权事项 {blank}，而本链尚无任何一级填写",
     "give {blank} in the example (`given {blank} = …`), or fill it in the policy; if the example shows what cannot "
     "be computed yet, write `expect {name} needs {blank}`",
     "请在示例中给出 {blank}（`given {blank} = …`），或在政策中填写它；如果示例要说明的正是尚无法计算的情形，"
     "请写 `expect {name} needs {blank}`"),
    ("PL601.error", 'example "{title}": {expected}, got an evaluation error: {error}',
     "示例“{title}”：{expected_zh}，计算时却出错：{error}",
     "the example's inputs are incomplete or outside what the rules accept: the error names the input or the step at fault",
     "示例给出的输入不完整，或超出了规则能接受的范围：出错信息指出了有问题的输入或计算步骤"),
    ("note.PL601.decided_by", "{name} = {value} was decided by {detail} of the {level} rule ({policy}){reading}",
     "{name} = {value} 由{level_zh}规定（{policy}）的{detail_zh}得出{reading_zh}"),
    ("phrase.PL601.reading", ", reading {params}{more}", "，其中用到 {params_zh}{more_zh}"),
    ("phrase.PL601.more", ", and {count} more", "等 {total} 项"),

    # ---------------------------------------------------------------- provisions (checks/provisions.py)
    ("PL311.weakened",
     "the provision {words} says '{actor} {old} …' at the {level} level; this policy {what} it to '{new}'. A lower "
     "level may make an obligation stricter, not weaker.",
     "条款义务{words_zh}在{level_zh}政策中为“{actor} {old} …”（{old_zh}），本政策却把它{what_zh}“{new}”（{new_zh}）；"
     "下级只能让义务更严格，不能放宽",
     "keep '{old}' (or remove this override so the upper rule applies)",
     "保留“{old}”；或删除这处覆盖（override），让上级规定直接适用"),
    ("phrase.PL311.reverses", "reverses", "改成了相反的"),
    ("phrase.PL311.weakens", "weakens", "放宽为"),
    ("note.PL311.upper", "{actor} {old} “{text}”", "{actor} {old}（{old_zh}）“{text}”"),
    ("PL319.changed",
     "the provision {words} changes {what} without a reason: the {level} text ({upper}) is {old}; this policy writes {new}",
     "条款义务{words_zh}改动了上级条款的{what_zh}，但没有说明理由：{level_zh}政策（{upper}）的原文是 {old_zh}；本政策写为 {new_zh}",
     "say why with because \"…\" (for example, that it is the local notice's own wording), or remove this override so "
     "that the upper text applies",
     "请用 because \"…\" 说明改动的理由（例如这是本地文件的原文表述）；或删除这处覆盖（override），让上级条款原样适用"),
    ("phrase.PL319.text", "its text", "文字"),
    ("phrase.PL319.actor", "its actor", "主体"),
    ("phrase.PL319.text_and_actor", "its text and its actor", "文字和主体"),
    ("note.PL319.replaced", "the text this override replaces: {old}", "被覆盖的原文：{old_zh}"),
]
