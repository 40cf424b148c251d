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

    # ---------------------------------------------------------------- cross-references (checks/crossrefs.py)
    ("PL320.never_read",
     "'uses {declared} as {alias}' is never read: no expression of this policy, or of the policies that extend it, "
     "reads a value {alias}.NAME",
     "引用“uses {declared} as {alias}”没有被使用：本政策和继承本政策的下级政策中，没有任何规则读取 {alias}.名称 这样的取值",
     "remove this line, or read the value it is for, e.g. {alias}.NAME in a bound or a formula",
     "请删除这一行，或在限定范围、公式中读取它所引用的取值（写成 {alias}.名称）"),
    ("PL313.outside_here",
     "{words} is {at}, but {upper} allows only values {limit_words} {limit} ('{text}'): in this region {where}.",
     "{words_zh}{at_zh}，但 {upper} 只允许{limit_words_zh} {limit} 的值（“{text}”）：在本地区，{where_zh}",
     "choose a value {limit_words} {limit}", "请取{limit_words_zh} {limit} 的值"),
    ("PL313.outside_inherited",
     "{words} is {at}, but {upper} allows only values {limit_words} {limit} ('{text}'): in this region {where}.",
     "{words_zh}{at_zh}，但 {upper} 只允许{limit_words_zh} {limit} 的值（“{text}”）：在本地区，{where_zh}",
     "set this region's own value, {limit_words} {limit}, with 'override param {name}: …' because \"…\"",
     "请在本政策中用 `override param {name}: …` 设定本地区自己的取值（{limit_words_zh} {limit}），并用 `because \"…\"` 说明理由"),
    ("phrase.PL313.here", "{value} here", "在这里取值 {value}"),
    ("phrase.PL313.inherited", "{value} here (set by {setter})", "在这里取值 {value}（由 {setter} 设定）"),
    ("phrase.PL313.source", "{alias}.{name} = {value} from {bound}", "{alias}.{name} = {value}，取自 {bound}"),
    ("note.PL313.version", "{alias}.{name} = {value} in {bound}, the version of {declared} in force in this region",
     "{alias}.{name} = {value}（{bound} 是 {declared} 在本地区适用的版本）"),
    ("note.PL313.must_be", "{words} must be {text}", "{words_zh}须满足“{text}”"),
    ("PL316.rebound_blank",
     "the bound '{text}' on {words} cannot be checked yet: here it reads '{blank}' from {bound} (the version of "
     "{declared} in force in this region), a blank no level has filled",
     "{words_zh}的限定条件“{text}”暂时无法检查：在本地区它读取的是 {bound}（{declared} 在本地区适用的版本）中的“{blank}”，"
     "而这项授权事项还没有任何层级填写",
     "the check runs once '{blank}' is filled", "待“{blank}”填写后即会检查"),

    # ---------------------------------------------------------------- requirements (checks/requirements.py)
    ("PL316.requirement_blank",
     "the requirement {words} ({cond}) cannot be checked until '{blank}' is filled: it is a blank no level of this "
     "policy's chain has set",
     "约束要求{words_zh}（条件：{cond}）要等“{blank}”填写后才能检查：这是一项授权事项，本政策及其各级上级政策都还没有填写",
     "the check runs once a level sets '{blank}'", "待某一层级填写“{blank}”后即会检查"),
    ("PL404.missed",
     "the requirement {words} says {cond} must hold {when}; with the values in force on {day} — {values} — it does "
     "not hold.",
     "约束要求{words_zh}规定{when_zh}须满足：{cond}；但按 {day} 当天有效的取值——{values_zh}——这一条件不成立",
     "bring the schedule forward so the value meets the requirement on or before the deadline, e.g. add an entry "
     "'from {day}: …'",
     "请把过渡安排提前，使取值在期限当天或之前就满足要求，例如增加一条“from {day}: …”"),
    ("PL404.missed_value",
     "the requirement {words} says {cond} must hold {when}; with the values in force on {day} — {values} — it does "
     "not hold.",
     "约束要求{words_zh}规定{when_zh}须满足：{cond}；但按 {day} 当天有效的取值——{values_zh}——这一条件不成立",
     "change {name} so that the requirement holds on {day}, or give it a schedule that meets it by then, e.g. "
     "'schedule {name} {{ from {day}: … }}'",
     "请修改 {name} 的取值，使这条约束要求在 {day} 成立；或为它增加过渡安排，按期达到要求，例如“schedule {name} {{ from {day}: … }}”"),
    ("PL406.missed",
     "the requirement {words} says {cond} must hold {when}; with the values in force on {day} — {values} — it does "
     "not hold.",
     "约束要求{words_zh}规定{when_zh}须满足：{cond}；但按 {day} 当天有效的取值——{values_zh}——这一条件不成立",
     "change the value so that the requirement holds", "请修改取值，使这条约束要求成立"),
    ("phrase.req.by_deadline", "by {deadline} (the deadline, {text})", "最迟自 {deadline}（期限：{text}）起"),
    ("phrase.req.from_deadline", "from {deadline} on, but on {day} it does not", "自 {deadline} 起始终"),
    ("phrase.req.on_day", "on {day}", "在 {day}"),
    ("phrase.req.from_entry", " (the schedule entry from {start})", "（过渡安排自 {start} 起的取值）"),
    ("phrase.req.entry", "the schedule entry from {start}", "过渡安排自 {start} 起的取值"),
    ("phrase.req.own_value", "its value", "取值"),
    ("note.req.value_on", "{name} = {value} on {day} ({what})", "{name} 在 {day} 为 {value}（{what_zh}）"),
    ("phrase.req.from", ", from {day} on", "，自 {day} 起须满足"),
    ("note.req.requirement", "the requirement {words}: {cond}{by}", "约束要求{words_zh}：{cond}{by_zh}"),
    ("PL406.can_be_false", "the requirement {words} ({cond}) can be false: for example when {example}",
     "约束要求{words_zh}（条件：{cond}）可能不成立，例如{example_zh}",
     "check the decisions it reads for this input, or narrow the requirement",
     "请检查这组输入下它所用到的决策项的结果，或收窄这条约束要求"),
    ("PL407.contradicts",
     "this policy redefines the requirement {words} as {cond}, which can never hold together with the upper level's "
     "{parent}: no input satisfies both.",
     "本政策把约束要求{words_zh}改写为 {cond}，它与上级的 {parent} 不可能同时成立：没有任何输入能同时满足两者",
     "a lower level may add conditions to a requirement, not contradict it; keep the upper level's condition and "
     "narrow it",
     "下级可以给约束要求增加条件，但不能与之矛盾；请保留上级的条件，在此基础上收窄"),

    # ---------------------------------------------------------------- tables and cases (checks/logic.py)
    ("PL401.rows_overlap",
     "rows {first} and {row} of the table {words} {verb} the same input but give different results ({first_result} "
     "and {result}), for example when {example}. The first matching row wins, so row {row}'s result never applies there.",
     "决策表{words_zh}的第 {first} 行和第 {row} 行{verb_zh}同时匹配同一组输入，结果却不同（{first_result} 与 {result}），"
     "例如{example_zh}；表格以最先匹配的一行为准，所以在这种情况下第 {row} 行的结果不会生效",
     "make the rows exclusive: in the column where the two situations differ, give row {row} (or row {first}) a value "
     "instead of '-'",
     "请让这两行互不重叠：在两种情形应当区分的那一列，为第 {row} 行（或第 {first} 行）填写具体取值，而不是“-”"),
    ("phrase.PL401.may_both", "may both match", "可能"),
    ("phrase.PL401.both", "both match", ""),
    ("note.PL401.also_matches", "row {row} (result {result}) also matches these inputs", "第 {row} 行（结果为 {result}）也匹配这组输入"),
    ("note.PL401.replaced", "the table or decision this one replaces ({words})", "被本政策替换的决策表或决策项{words_zh}"),
    ("PL402.table_gap", "the table {words} {verb} these inputs, so it has no result (none) for them: {listed}{extra}.{example}",
     "决策表{words_zh}{verb_zh}覆盖以下输入情形，遇到这些情形时没有结果（none）：{listed_zh}{extra_zh}{example_zh}",
     "add a row for this situation (or 'row otherwise => …'); if the notice really says nothing about it, suppress "
     "this with '# policylang: ignore[PL402] because \"…\"'",
     "请为这种情形补充一行（或写“row otherwise => …”）；如果政策原文确实没有规定这种情形，"
     "可以用“# policylang: ignore[PL402] because \"…\"”忽略这条提示，并写明理由"),
    ("phrase.PL402.may_not_cover", "may not cover", "可能没有"),
    ("phrase.PL402.does_not_cover", "does not cover", "没有"),
    ("phrase.PL402.more", "; and {count} more", "；另有 {count} 种情形未列出"),
    ("phrase.PL402.example", " For example: {example}.", "；例如：{example_zh}"),
    ("PL401.case_never_true",
     "case {case} of {words} (when {cond}) can never apply: its condition is false for every input",
     "{words_zh}的第 {case} 个情形（when {cond}）永远不会适用：无论输入什么，它的条件都不成立",
     "correct the condition, or remove the case", "请修改条件，或删除这个情形"),
    ("PL401.case_shadowed", "case {case} of {words} (when {cond}) can never apply: {reason}; the first case that applies wins.",
     "{words_zh}的第 {case} 个情形（when {cond}）永远不会适用：{reason_zh}；各情形以最先适用的为准",
     "put the more specific case first, or remove the case that cannot apply", "请把更具体的情形放在前面，或删除不会适用的情形"),
    ("phrase.PL401.covered_by", "case {case} comes first and applies to every input this case applies to",
     "排在它前面的第 {case} 个情形已经涵盖了它适用的全部输入"),
    ("phrase.PL401.covered_before", "the cases before it already cover every input it applies to",
     "它前面的各个情形已经涵盖了它适用的全部输入"),
    ("note.PL401.comes_first", "case {case} (when {cond}) comes first", "第 {case} 个情形（when {cond}）排在前面"),
    ("PL402.cases_gap",
     "no case of {words} {verb} for some inputs, so the decision has no result (none) for them, for example when {example}",
     "对某些输入，决策项{words_zh}{verb_zh}没有任何情形适用，因此没有结果（none），例如{example_zh}",
     "add an 'otherwise …' line (write 'otherwise none' if having no result is intended)",
     "请补充一行“otherwise …”（如果确实应当没有结果，写“otherwise none”）"),
    ("phrase.PL402.may_apply", "may apply", "可能"),
    ("phrase.PL402.applies", "applies", ""),

    # ---------------------------------------------------------------- overrides (checks/overrides.py)
    ("PL306.fixed_changed",
     "{words} is fixed at {prev} by {upper}; this policy changes it to {now}. A fixed rule applies unchanged at every "
     "lower level.",
     "{words_zh}已由 {upper} 固定为 {prev}，本政策却改为 {now}；固定的规定在以下各级都必须原样执行",
     "remove this override so that the {level} rule applies, or restate it as 'fixed {prev}'",
     "删除这处覆盖（override），让{level_zh}规定直接适用；或原样写为“fixed {prev}”"),
    ("note.PL306.fixed_at", "{words} is fixed at {prev}", "{words_zh}固定为 {prev}"),
    ("PL309.floor_kind_changed",
     "{words} is {kind_words} set by {upper} at {prev}; this policy turns it into {statement}, which would let it go "
     "below {prev}.",
     "{words_zh}由 {upper} 定为{kind_zh}，取值 {prev}；本政策却把它改为{statement_zh}，这样取值就可能低于 {prev}",
     "write '{kind} V' or 'fixed V' with V at least {prev}", "写成“{kind} V”或“fixed V”，其中 V 不低于 {prev}"),
    ("PL309.ceiling_kind_changed",
     "{words} is {kind_words} set by {upper} at {prev}; this policy turns it into {statement}, which would let it go "
     "above {prev}.",
     "{words_zh}由 {upper} 定为{kind_zh}，取值 {prev}；本政策却把它改为{statement_zh}，这样取值就可能高于 {prev}",
     "write '{kind} V' or 'fixed V' with V at most {prev}", "写成“{kind} V”或“fixed V”，其中 V 不高于 {prev}"),
    ("note.PL309.limit", "{words} is {kind} {prev}", "{words_zh}的{noun_zh}为 {prev}"),
    ("PL304.floor_lowered", "{words} must be at least {prev} ({kind} set by {upper}); this policy lowers it to {now}.",
     "{words_zh}不得低于 {prev}（{upper} 设定的{noun_zh}），本政策却降低为 {now}",
     "use a value at least {prev}: a lower level may only make this rule stricter (higher)",
     "请取不低于 {prev} 的值：下级只能把这条规定定得更严（更高）"),
    ("PL305.ceiling_raised", "{words} must be at most {prev} ({kind} set by {upper}); this policy raises it to {now}.",
     "{words_zh}不得高于 {prev}（{upper} 设定的{noun_zh}），本政策却提高为 {now}",
     "use a value at most {prev}: a lower level may only make this rule stricter (lower)",
     "请取不高于 {prev} 的值：下级只能把这条规定定得更严（更低）"),
    ("PL316.bound_blank",
     "the bound '{text}' on {words} cannot be checked yet: it reads '{blank}', a blank no level has filled",
     "{words_zh}的限定条件“{text}”暂时无法检查：它用到了“{blank}”，而这项授权事项还没有任何层级填写",
     "the check runs once '{blank}' is filled", "待“{blank}”填写后即会检查"),
    ("PL313.outside_bound", "{words} is {value} here, but {upper} allows only values {limit_words} {limit} ('{text}').",
     "{words_zh}在这里取值 {value}，但 {upper} 只允许{limit_words_zh} {limit} 的值（“{text}”）",
     "choose a value {limit_words} {limit}", "请取{limit_words_zh} {limit} 的值"),
    ("note.PL313.must_be_value", "{words} must be {text} = {limit}", "{words_zh}须满足“{text}”，即{limit_words_zh} {limit}"),
    ("phrase.PL3xx.scheduled", "from {start} the schedule sets {message}", "按本政策的过渡安排，自 {start} 起：{message_zh}"),
    ("PL306.decision_fixed",
     "the decision {words} is fixed by {upper} ({level}); this policy changes how it is decided",
     "决策项{words_zh}已由 {upper}（{level_zh}）固定，本政策却改动了它的判定方式",
     "remove this override: a fixed rule applies unchanged at every level below",
     "删除这处覆盖（override）：固定的规定在以下各级都原样适用"),
    ("note.PL306.fixed_here", "{words} is fixed here", "{words_zh}在此固定"),
    ("PL306.case_fixed",
     "case {case} of {words} must stay as {upper} ({level}) wrote it: “{label}” is a fixed rule, and the cases up to "
     "it decide in order",
     "{words_zh}的第 {case} 个情形必须与 {upper}（{level_zh}）的写法保持一致：“{label_zh}”是固定规则，"
     "而各情形按先后顺序判定，它和它之前的情形都不能改动",
     "start this decision with the {count} inherited case(s) unchanged, then add or replace only the cases after them",
     "本决策项应先原样保留继承来的前 {count} 个情形，之后只能新增或替换其后的情形"),
    ("phrase.PL306.case_n", "case {case}", "第 {case} 个情形"),
    ("note.PL306.fixed_case", "{intro} ({where}): the fixed case “{label}”", "{ref_zh}：固定情形“{label_zh}”"),

    # ---------------------------------------------------------------- binding proofs (checks/binding.py)
    ("PL317.loosened",
     "{words} is {kind} set by {declared}{where_case}: no lower level may give a {beyond} value, but this policy does. "
     "For {given}: this policy gives {mine}; {parent} allows {limit} {theirs}.",
     "{words_zh}由 {declared} 定为{kind_zh}{where_case_zh}，下级不得给出{beyond_zh}的值，但本政策给出了。例如 {given_zh}："
     "本政策得出 {mine_zh}，而 {parent} {limit_zh}允许 {theirs_zh}",
     "change this policy's rule so that it never gives a {beyond} value than {parent}'s, or ask the {level} level to "
     "change its rule",
     "请修改本政策的规则，使其在任何情形下都不比 {parent} 的结果{beyond_zh}；或请{level_zh}修改其规定"),
    ("phrase.PL317.where_case", " where its case {index} applies", "（在其第 {index} 个情形适用时）"),
    ("phrase.PL317.where_row", " where its row {index} applies", "（在其第 {index} 行适用时）"),
    ("phrase.PL317.part", " ({what} {index})", ""),
    ("note.PL317.declared", "{intro} ({where}): {words} is {kind}{part}", "{ref_zh}：{words_zh}为{kind_zh}{where_case_zh}"),
    ("PL304.loosened_value",
     "{words} must be {limit} {parent}'s value ({kind} set by {upper}); this policy's is {beyond}. For {given}: this "
     "policy has {mine}; {parent} allows {limit} {theirs}.",
     "{words_zh}的取值{must_zh} {parent} 的取值（{upper} 设定的{kind_zh}），本政策的取值却{beyond_zh}。例如 {given_zh}："
     "本政策为 {mine_zh}，而 {parent} {limit_zh}允许 {theirs_zh}",
     "use a value {limit} {parent}'s on every day of this policy's window",
     "请在本政策施行期间的每一天都取{limit_zh}为 {parent} 取值的值"),
    ("PL305.loosened_value",
     "{words} must be {limit} {parent}'s value ({kind} set by {upper}); this policy's is {beyond}. For {given}: this "
     "policy has {mine}; {parent} allows {limit} {theirs}.",
     "{words_zh}的取值{must_zh} {parent} 的取值（{upper} 设定的{kind_zh}），本政策的取值却{beyond_zh}。例如 {given_zh}："
     "本政策为 {mine_zh}，而 {parent} {limit_zh}允许 {theirs_zh}",
     "use a value {limit} {parent}'s on every day of this policy's window",
     "请在本政策施行期间的每一天都取{limit_zh}为 {parent} 取值的值"),
    ("PL306.loosened_value",
     "{words} must be {limit} {parent}'s value ({kind} set by {upper}); this policy's is {beyond}. For {given}: this "
     "policy has {mine}; {parent} allows {limit} {theirs}.",
     "{words_zh}的取值{must_zh} {parent} 的取值（{upper} 设定的{kind_zh}），本政策的取值却{beyond_zh}。例如 {given_zh}："
     "本政策为 {mine_zh}，而 {parent} {limit_zh}允许 {theirs_zh}",
     "use a value {limit} {parent}'s on every day of this policy's window",
     "请在本政策施行期间的每一天都取{limit_zh}为 {parent} 取值的值"),
    ("PL304.loosened_duration",
     "{words} must be {limit} {parent}'s value ({kind} set by {upper}); this policy's is {beyond}. For {given}: this "
     "policy has {mine}; {parent} allows {limit} {theirs}.",
     "{words_zh}的取值{must_zh} {parent} 的取值（{upper} 设定的{kind_zh}），本政策的取值却{beyond_zh}。例如 {given_zh}："
     "本政策为 {mine_zh}，而 {parent} {limit_zh}允许 {theirs_zh}",
     "compare periods by the dates they give: months differ in length, so write the period in the parent's unit",
     "期限按其得出的日期比较：各月天数不同，请用与上级相同的单位书写期限"),
    ("PL305.loosened_duration",
     "{words} must be {limit} {parent}'s value ({kind} set by {upper}); this policy's is {beyond}. For {given}: this "
     "policy has {mine}; {parent} allows {limit} {theirs}.",
     "{words_zh}的取值{must_zh} {parent} 的取值（{upper} 设定的{kind_zh}），本政策的取值却{beyond_zh}。例如 {given_zh}："
     "本政策为 {mine_zh}，而 {parent} {limit_zh}允许 {theirs_zh}",
     "compare periods by the dates they give: months differ in length, so write the period in the parent's unit",
     "期限按其得出的日期比较：各月天数不同，请用与上级相同的单位书写期限"),
    ("PL306.loosened_duration",
     "{words} must be {limit} {parent}'s value ({kind} set by {upper}); this policy's is {beyond}. For {given}: this "
     "policy has {mine}; {parent} allows {limit} {theirs}.",
     "{words_zh}的取值{must_zh} {parent} 的取值（{upper} 设定的{kind_zh}），本政策的取值却{beyond_zh}。例如 {given_zh}："
     "本政策为 {mine_zh}，而 {parent} {limit_zh}允许 {theirs_zh}",
     "compare periods by the dates they give: months differ in length, so write the period in the parent's unit",
     "期限按其得出的日期比较：各月天数不同，请用与上级相同的单位书写期限"),
    ("phrase.PL317.on_day", " on {day}", "（{day} 当日）"),
    ("note.PL30x.declared", "{intro} ({where}): {words} is {kind} {value}{on}", "{ref_zh}：{words_zh}的{kind_zh}为 {value}{on_zh}"),
    ("PL318.undecided",
     "could not prove that {words} stays within {parent}'s {kind}: {reason}. {samples} varied inputs found no "
     "counterexample, but that is not a proof.",
     "无法证明{words_zh}始终不超出 {parent} 的{kind_zh}：{reason_zh}。用 {samples} 组不同输入试算没有发现反例，但这不等于证明",
     "simplify the rule (fixed rates instead of products of inputs), or state why it stays within the bound",
     "可以简化规则（例如用固定比例代替输入之间的乘积），或说明它为何不会超出上级约束"),
    ("note.PL318.declared", "{intro} ({where}): {words} is {kind}", "{ref_zh}：{words_zh}为{kind_zh}"),

    # ---------------------------------------------------------------- internal errors (checks/common.py)
    ("PL990.check_failed",
     "the '{name}' check failed{subject}: {error} — this is a bug in policylang, not in the policy; please report it",
     "“{name}”检查{subject_zh}出错：{error}。这是 policylang 程序本身的缺陷，不是政策文件的问题，请向维护者报告",
     "{missing}, so the result is incomplete (the other checks ran); run again with POLICYLANG_DEBUG=1 to see the "
     "traceback, and include it in the report",
     "{missing_zh}，检查结果不完整（其他检查照常进行）；设置环境变量 POLICYLANG_DEBUG=1 后重新运行可看到详细的出错信息，报告时请一并附上"),
    ("phrase.PL990.on_item", " on {policy} ({item})", "在处理 {policy}（{item}）时"),
    ("phrase.PL990.on_policy", " on {policy}", "在处理 {policy} 时"),
    ("phrase.PL990.on_name", " on {item}", "在处理 {item} 时"),
    ("phrase.PL990.stopped", "the '{name}' check stopped here: its findings for the rest of the tree are missing",
     "“{name}”检查在此中止，其余部分的检查结论缺失"),
    ("phrase.PL990.missing", "the '{name}' check's findings for {what} are missing", "“{name}”检查对{what_zh}的结论缺失"),
    ("phrase.PL990.item", "this item", "这一项"),
    ("phrase.PL990.policy", "this policy", "这项政策"),
    ("phrase.PL990.tree", "the tree", "整个政策目录"),
]
