"""What each diagnostic code means and how to fix it, in Chinese and English.

One entry per code of diagnostics.CODES; `docs/codes/PLxxx.md` is generated from
here (`python -m policylang.codes_help docs/codes`; a test keeps the pages in step),
and every finding links to its page (`help_url`): the text output's hint line, the
`url` of JSON, SARIF's `helpUri`.

The link is `docs/codes/PLxxx.md` (the page in this repository) unless
`help_url = "https://…/"` under [tool.policylang] or $POLICYLANG_HELP_URL names
where the pages are published.
"""

from __future__ import annotations

import os
import sys
from typing import Optional

import attrs

from .diagnostics import CODES


@attrs.frozen
class Help:
    zh: str  # what it means, in Chinese
    fix_zh: str
    en: str
    fix_en: str
    example: Optional[str] = None  # a wrong file (or part of one), in Chinese keywords


_H = Help

HELP: dict[str, Help] = {
    "PL001": _H("政策文件无法读取：文件不存在、没有读取权限，或者给出的是文件夹。", "检查路径是否正确，文件是否存在、可以读取。",
                "The policy file cannot be read: it does not exist, cannot be read, or is a folder.",
                "Check the path and the file's permissions."),
    "PL002": _H("文件不是 UTF-8 编码的文本：常见原因是用 GBK/GB2312 保存，或者误把 Word、Excel 等二进制文件当作政策文件。",
                "用编辑器把文件另存为 UTF-8 编码（例如 iconv -f GBK -t UTF-8）。",
                "The file is not UTF-8 text: often it was saved as GBK/GB2312, or it is a binary file.",
                "Save the file as UTF-8 (e.g. iconv -f GBK -t UTF-8)."),
    "PL003": _H("文件里没有任何政策内容（只有空行或注释）。", "先写文件头：政策 “标题”、层级、生效日期。",
                "The file has no policy in it (only blank lines or comments).",
                "Start with a header: policy \"title\", level, effective."),
    "PL004": _H("政策编号来自文件路径，只能使用小写字母、数字、“_”和“-”。", "重命名文件或文件夹，例如 policies/cn/gd/stent-2020.policy。",
                "A policy's id is its path; it may use lower-case letters, digits, '_' and '-' only.",
                "Rename the file or folder, e.g. policies/cn/gd/stent-2020.policy."),
    "PL101": _H("这一行不符合政策语言的写法。提示会指出常见错误：漏写冒号、“=”、“则”、“=>”，比较写成了“=”，关键字与名称连写等。",
                "按提示改正；每条声明从行首开始写，续行缩进。",
                "The line does not follow the policy language. The hint names the usual mistakes: a missing ':', '=', "
                "'then' or '=>', '=' for a comparison, a keyword written together with a name.",
                "Follow the hint; start each declaration at the beginning of a line and indent continuation lines.",
                "输入 selected 是否\n"),
    "PL102": _H("声明还没写完文件就结束了（例如公式写到一半）。", "把声明写完整，或者删掉它。",
                "The declaration stops before it is complete.", "Finish the declaration or remove it.",
                "决策 d：金额 = 年度约定采购金额 *\n"),
    "PL103": _H("行首的词不是关键字，通常是拼写错误。提示给出最接近的关键字（按文件所用的语言）。",
                "改成提示中的关键字，例如“参术”改为“参数”。",
                "The word at the start of the line is not a keyword, usually a misspelling; the hint names the nearest "
                "keyword in the file's language.", "Write the keyword the hint names.",
                "参术 prepayment_ratio：百分比 下限 30%\n"),
    "PL104": _H("表达式嵌套超过 100 层。", "把它拆成几个有名称的决策项。",
                "The expression nests more than 100 levels.", "Split it into several named decisions."),
    "PL114": _H("名称使用了兼容写法：全角字母、连字等。Python 按 NFKC 规范化标识符，所以它与规范写法是同一个名称，policylang 也这样读，并提醒改写。",
                "按提示改为规范写法。",
                "A name is written in a compatibility form: full-width letters (ｐｒｉｃｅ), a ligature (ﬁnal). Python "
                "reads identifiers in NFKC form, so it is the same name as the plain spelling; policylang reads it so "
                "and asks for the plain spelling.", "Write the plain spelling the message gives.",
                "输入 ｐｒｉｃｅ：金额\n"),
    "PL115": _H("名称混用了形近的字母表，例如拉丁字母中夹了西里尔字母 р：看起来和另一个名称一样，其实是不同的名称（同形异义字攻击）。",
                "只用一种字母书写名称。",
                "A name mixes lookalike alphabets, such as a Cyrillic р among Latin letters: it looks like another "
                "name but is a different one (a homoglyph).", "Write the name in one alphabet.",
                "输入 рrice：金额\n"),
    "PL105": _H("字面值写错了：不存在的日期（2020-13-01、2021-02-29）、带千位分隔符的数字（7,000）、超过 28 位的数字、非整数的时长、无法识别的转义。",
                "按提示改正：日期按“年-月-日”书写，数字不加逗号（7000元）。",
                "A literal is wrong: a date that does not exist, a number with a thousands separator (7,000), a "
                "number of more than 28 digits, a fractional duration, an unknown escape.", "Follow the hint: dates are year-month-day, numbers have "
                "no commas (7000 yuan).",
                "覆盖 参数 nonselected_payment_cap：金额 固定 7,000元\n"),
    "PL106": _H("同一个文件头行写了两次。", "只保留一行。", "A header line appears twice.", "Keep one of them."),
    "PL107": _H("文件头缺少必需的行：政策（标题）、层级或生效日期。", "补上这一行，例如：生效日期 2021-01-01。",
                "The header lacks a required line: policy (title), level or effective.",
                "Add the line, e.g. effective 2021-01-01."),
    "PL108": _H("层级只能是国家、省、市、县（也可写自治区、盟市、旗县等本地叫法）。", "改为以上之一。",
                "The level is not national, provincial, municipal or county.", "Use one of them."),
    "PL109": _H("同一个名称在本文件中声明了两次。", "删掉一处，或者改名。", "A name is declared twice in this file.",
                "Remove one or rename it."),
    "PL110": _H("这里不能用这个字符。全角的冒号、逗号、括号和中文引号可以用；全角数字、％、＝ 等不行。",
                "改用半角字符（提示会写出应改成哪个）。",
                "The character is not allowed here. Full-width ：，（） and “…” are accepted; full-width digits, ％, "
                "＝ and the like are not.", "Use the ASCII character the hint names.",
                "参数 p：百分比 下限 30％\n"),
    "PL111": _H("一条声明的中文名称、条款、说明或理由只能写一个。", "把两段文字合并。",
                "A declaration has its label, article, note or reason twice.", "Join the two texts."),
    "PL112": _H("“状态”只能是“重构”（原文不在手边，据其他文件引用整理）。", "删掉这一行，或写“状态 重构”。",
                "The status is not 'reconstructed'.", "Remove the line or write status reconstructed."),
    "PL113": _H("文件中有不可见的字符：双向文字控制符（如 U+202E）、零宽字符或控制字符（如 ESC）。"
                "它们会在不被看见的情况下改变文字的显示顺序，让读到的和计算机读到的不一致。",
                "删除这个字符；确实需要时，在“说明”中说明原因。",
                "The file holds an invisible character: a bidirectional control (such as U+202E), a zero-width "
                "character or a control character (such as ESC). It changes how the text is shown without being "
                "seen, so what a reader sees is not what is computed (Trojan Source).",
                "Remove the character; if the text needs it, say why in a note."),
    "PL201": _H("用到的名称在本政策及上级政策中都没有定义。", "检查拼写，或把它声明为输入项、参数或决策。",
                "A name is defined neither here nor in the levels above.",
                "Check the spelling or declare it as an input, a param or a decision.",
                "决策 d：金额 = 中选价 * 2\n"),
    "PL202": _H("类型名称无法识别。", "用 金额、百分比、小数、数量、是否、日期、期间、文字 或一个枚举。",
                "The type is unknown.", "Use money, percent, decimal, count, bool, date, duration, text or an enum."),
    "PL203": _H("值的类型与要求不符，例如把金额和日期相加，或者金额没写单位。", "按提示改正，金额写单位（7000元），百分比写 %。",
                "A value has the wrong type, e.g. money added to a date, or an amount without its unit.",
                "Follow the hint; write the unit (7000 yuan) or the % sign.",
                "参数 cap：金额 上限 7000\n"),
    "PL204": _H("比较的两边类型不同。", "让两边类型一致。", "The two sides of a comparison have different types.",
                "Compare values of one type."),
    "PL214": _H("数量、金额或百分比类型的参数值或限定范围写了负号：例如“数量 上限 -5”会让结清期限早于验收日期，-0% 也不是通知会写的比例。",
                "去掉负号，写通知中给出的数值。",
                "A parameter's value or bound of type count, money or percent is written with a minus sign: "
                "`count ceiling -5` puts a deadline before acceptance, and -0% is no share a notice writes.",
                "Write the number the notice gives, without '-'.",
                "参数 settlement_lag_months：数量 上限 -5\n"),
    "PL205": _H("百分比必须在 0% 到 100% 之间；输入或参数声明为“百分比 可达 200%”时，可到所写的上限。",
                "改正数值；确实可以超过 100% 的（如“不高于最高中选价的1.2倍”“按高限的110%支付”），把参数声明为 百分比 可达 N%。",
                "A percent lies outside 0–100%, or above the limit its input or param declares (`percent up to 200%`).",
                "Correct the value; for a share that may exceed 100% (1.2 times the highest price, paid at 110%), "
                "declare the param `percent up to N%`.",
                "参数 markup：百分比 上限 120%\n"),
    "PL206": _H("金额最多两位小数（到分）。", "取到分，或用 取整(x，分)。", "An amount has more than two decimals.",
                "Round it to the fen."),
    "PL207": _H("声明了但没有任何地方用到的输入或参数。", "删掉它，或在计算中用到它。",
                "An input or param that nothing reads.", "Remove it or use it."),
    "PL208": _H("函数不存在，或参数个数、种类不对。", "按提示改正，例如 取整(x，分，向上)。",
                "The function does not exist or gets the wrong arguments.", "Follow the hint, e.g. round(x, fen, up)."),
    "PL209": _H("决策项直接或间接依赖它自己。", "拆开循环。", "A decision depends on itself.", "Break the cycle."),
    "PL210": _H("名称同时是多个枚举的成员。", "写成 枚举名.成员 的形式。", "The name is a member of several enums.",
                "Write Enum.member."),
    "PL213": _H("“可达 N%”只能写在百分比类型的输入或参数上，且 N 不小于 100。",
                "写在输入或参数的 百分比 之后；决策项的值不受此限。",
                "`up to N%` goes only after `percent` in an input or a param, with N at least 100.",
                "Write it after `percent` of an input or param; a decision's value is not limited.",
                "参数 n：数量 可达 200% 固定 3\n"),
    "PL212": _H("参数的值必须是常量（可以引用其他参数），不能依赖输入或评估日期。", "随时间变化的值用过渡安排。",
                "A param's value must be constant.", "Use a schedule for values that change over time."),
    "PL230": _H("分类参数（按某个枚举输入项分别取值）写法有误：分类依据不是枚举输入项，键不是该枚举的成员，缺少某个成员的键，"
                "下级改变了分类方式，或者在常量中整体读取了分类参数。",
                "每个键写一个枚举成员；要留给下级的键写“授权”；常量中写 参数名.键 读取某一个键。",
                "A keyed param is written wrongly: it is keyed by something that is not an enum input, a key is not a "
                "member of the enum, a member has no key, a lower level keys it differently, or a constant reads it "
                "as a whole.",
                "Write one key per member (`KEY: delegated` for one the levels below fill); in a constant read one "
                "key as NAME.KEY.",
                "参数 cap：金额 按 material {\n    stainless：上限 798元\n}\n"),
    "PL231": _H("列表输入项、记录类型或汇总写法有误：列表的元素类型不是已声明的记录，记录类型被当作单个值的类型，记录字段重复或是列表，"
                "参数或决策项是列表，列表在汇总之外被读取，“其中”写在汇总的第一个参数之外，汇总嵌套，或者汇总的参数个数、种类不对。",
                "列表只能是输入项（`输入 名称：列表 记录类型`），只能用 合计、计数、最小值、最大值、全部满足、任一满足 读取；"
                "汇总中的名称指元素的字段；内层汇总请单独写成决策项。",
                "A list input, a record type or an aggregate is written wrongly: a list's element type is not a declared "
                "record, a record type stands where a value's type should, a record repeats a field or has a list "
                "field, a param or decision is a list, a list is read outside an aggregate, `where` is outside an "
                "aggregate's first argument, aggregates are nested, or an aggregate gets the wrong arguments.",
                "Only an input may be a list (`input NAME: list of RECORD`), read with sum, count, min, max, all or "
                "any; inside the aggregate the names are the element's fields; compute an inner aggregate as a "
                "decision of its own.",
                "记录 PurchaseLine { amount：金额 }\n输入 purchases：列表 PurchaseLine\n"
                "决策 total：金额 = purchases\n"),
    "PL240": _H("节假日安排（`节假日安排 年份 { … }`）写法有误：年份不在 1900–2299 之间，缺少通知标题、文号或印发日期，"
                "假期的结束日早于开始日，日期不属于该年的安排（一年的通知只安排本年和上一年 12 月的日子），"
                "调休上班日不是星期六或星期日，或者同一天既放假又上班。",
                "照通知原文逐项写：标题写在年份后，大括号内写 文号、印发日期，每段假期写 `放假 开始日 至 结束日 “节日”`，"
                "每个调休上班日写 `上班 日期`。",
                "A year of the working-day calendar (`calendar YEAR { … }`) is written wrongly: the year is outside "
                "1900–2299, the notice's title, document number or date is missing, a span of days off ends before "
                "it begins, a day is not one the year's notice arranges (its own year and the December before), a "
                "day worked is not a Saturday or Sunday, or a day is both off and worked.",
                "Write the notice as it reads: its title after the year, `document` and `issued` in the braces, "
                "`holiday FIRST to LAST \"节日\"` for each span of days off and `workday DAY` for each weekend day "
                "worked.",
                "节假日安排 2027 “国务院办公厅关于2027年部分节假日安排的通知” {\n    上班 2027-01-05\n}\n"),
    "PL301": _H("“继承”的上级政策不存在。", "检查政策编号（即 policies/ 下的路径）。", "The parent policy does not exist.",
                "Check the id (its path under policies/)."),
    "PL302": _H("政策之间循环继承。", "去掉循环中的一个“继承”。", "The policies extend each other in a cycle.",
                "Remove one extends."),
    "PL303": _H("本政策的层级不低于上级政策（例如市级政策继承市级政策）。", "改正层级或上级政策。",
                "The level does not sit below the parent's.", "Correct the level or the parent."),
    "PL323": _H("继承链超过了允许的层数。层级正确时一条链最多 4 层（国家、省、市、县）；超过 16 层的部分不再解析，以免一棵政策树耗尽机器。",
                "让每个政策继承紧邻上一级的政策。",
                "An extends chain is longer than allowed. With the levels right a chain has at most 4 policies "
                "(national, provincial, municipal, county); past 16 the rest is not resolved, so that no tree can "
                "exhaust the machine.", "Extend the policy of the level just above."),
    "PL340": _H("修订通知（“修订 政策编号”）写法有误：被修订的通知不存在或不在同一层级、地区，写了自己的“继承”，"
                "修订形成循环，没有生效日期，或没有修订任何通知却写了“覆盖 生效日期”。",
                "修订通知与被修订通知同级、同地区，不写“继承”，写明自己的生效日期。",
                "An amending notice (amends POLICY) is written wrongly: the notice it amends does not exist or is at "
                "another level or region, it has an extends line of its own, amendments amend each other in a "
                "circle, it has no effective date, or 'override effective' appears in a notice that amends none.",
                "An amendment is at the level and region of the notice it amends, has no extends line, and says "
                "when it takes effect.",
                "政策 “关于推迟执行时间的通知”\n层级 市\n生效日期 2023-04-06\n修订 cn/nm/spine-2023\n"),
    "PL341": _H("同一通知的两项修订自同一天起修改同一事项，无法确定以哪一项为准。",
                "让两项修订的生效日期不同，或合并为一项修订。",
                "Two amendments of the same notice change the same item from the same day; which one holds is "
                "not said.", "Give them different effective dates, or merge them."),
    "PL304": _H("上级规定了下限（“不低于”），本级把它降低了。下级只能提高下限。", "取不低于上级下限的值。",
                "The parent sets a floor (at least); this level lowers it. A lower level may only raise it.",
                "Use a value at least the parent's floor.",
                "覆盖 参数 prepayment_ratio：百分比 下限 20% 理由 “本市”\n"),
    "PL305": _H("上级规定了上限（“不高于”“不超过”），本级把它提高了。下级只能降低上限。", "取不高于上级上限的值。",
                "The parent sets a ceiling (at most); this level raises it.", "Use a value at most the parent's ceiling.",
                "覆盖 参数 nonselected_listing_cap：金额 上限 8000元\n"),
    "PL306": _H("上级的固定规则被改动了。固定规则下级不得修改。", "删掉这条覆盖，或原样重申。",
                "A fixed rule of the parent is changed.", "Remove the override or restate the rule unchanged."),
    "PL307": _H("重新定义了继承来的事项，但没有写“覆盖”。", "在前面加“覆盖”，并用“理由”说明依据。",
                "An inherited item is defined again without override.", "Write override in front and give a reason."),
    "PL308": _H("写了“覆盖”，但上级没有这个事项。", "去掉“覆盖”，或改正名称。", "override of something not inherited.",
                "Remove override or correct the name."),
    "PL309": _H("条款性质被改变，例如把下限改成上限。", "保持上级的性质（下限只能提高，上限只能降低）。",
                "The statement kind changed (e.g. a floor made a ceiling).", "Keep the parent's kind."),
    "PL310": _H("覆盖改变了类型。", "保持上级的类型。", "The override changes the type.", "Keep the parent's type."),
    "PL311": _H("义务性条款被削弱，例如“应当”改成“可以”。", "只能改得更严：可以→应当，原则上应→应当。",
                "A provision is weakened (must made may).", "Only make it stricter."),
    "PL312": _H("上级授权本级填写的事项没有填写：依赖它的计算在本地无法得出。", "用“覆盖 参数 … 固定 …”填写，并写明理由。",
                "A blank the parent left for this level is not filled; what depends on it cannot be computed.",
                "Fill it with override param … fixed …, with a reason."),
    "PL325": _H("上级要求本级必须设定的事项（“对……设定”），到本级为止都没有设定：这是对上级规定的违反。",
                "用“覆盖 参数 … 固定 …”设定，并写明本地文件的依据；本地文件确实没有规定时，保留这一问题或写明理由忽略它。",
                "A blank the parent requires this level to set (not only permits) is not set down to this leaf.",
                "Set it with override param … fixed …, citing the local notice; if the notice omits it, keep the "
                "finding or record it with a reasoned ignore."),
    "PL313": _H("取值超出上级规定的限定范围（不低于/不高于）。", "取限定范围内的值。", "A value lies outside its bound.",
                "Use a value within the bound."),
    "PL314": _H("“引用”的政策不存在。", "检查政策编号。", "The policy named by uses does not exist.", "Check the id."),
    "PL315": _H("覆盖改变了事项的种类（例如把参数改成决策项）。", "保持原来的种类。", "The override changes the kind of item.",
                "Keep the kind."),
    "PL316": _H("约束的取值尚未确定（一个空白未填写），暂时无法检查。", "填写该空白后即会检查。",
                "The bound is not known yet (a blank), so the check waits.", "It is checked once the blank is filled."),
    "PL317": _H("上级规定为上限/下限/固定的计算规则，被本级（通过覆盖它或它读取的任何事项）放宽了；提示给出一个反例。",
                "让本级的规则在任何情形、任何日期都不超出上级的约束。",
                "A bound rule of the parent is loosened by this level; a counterexample is shown.",
                "Keep this level's rule within the bound on every input and day."),
    "PL318": _H("无法证明本级规则是否符合上级约束（例如两个未知数相乘）。", "简化规则，或写示例说明。",
                "The bound could not be proved either way.", "Simplify the rule or add examples."),
    "PL319": _H("改动了上级条款的文字或责任主体，但没有写理由。", "写上“理由 …”。",
                "The provision's text or actor changed without a reason.", "Add because \"…\"."),
    "PL320": _H("“引用”的简称没有任何地方用到。", "删掉这一行。", "A uses name nothing reads.", "Remove the line."),
    "PL321": _H("引用的简称已指向另一项政策。", "换一个简称。", "The uses name already stands for another policy.",
                "Choose another name."),
    "PL322": _H("本级偏离了上级“原则上”的下限或上限，并说明了理由。", "请审核理由是否充分。",
                "This level departs from an in-principle rule, with its reason.", "Review the reason."),
    "PL401": _H("表格的行或决策的情形互相重叠：同一组输入有两种结果。", "改正条件，使各行互不重叠。",
                "Rows or cases overlap: one input has two results.", "Make them exclusive."),
    "PL402": _H("有些输入组合没有任何行或情形覆盖（表格的空缺）。", "补上一行，或确认通知确实没有规定。",
                "Some inputs are covered by no row or case (a gap).", "Add a row, or confirm the notice is silent."),
    "PL403": _H("表格行的格数与列数不一致。", "每行的格数与“列”一致。", "A row does not match the columns.",
                "Give each row one cell per column."),
    "PL404": _H("过渡安排没有在期限前达到要求。", "调整过渡安排的日期或取值。", "The schedule misses its deadline.",
                "Adjust its dates or values."),
    "PL405": _H("过渡安排的日期没有按先后顺序。", "按日期先后排列。", "Schedule entries are out of order.",
                "Order them by date."),
    "PL406": _H("要求在某些情形下可能不被满足。", "检查规则或要求。", "The requirement can be violated.",
                "Check the rule or the requirement."),
    "PL407": _H("本级的要求与上级矛盾。", "改正要求。", "The requirement contradicts the parent's.", "Correct it."),
    "PL408": _H("过渡安排对应的参数不存在。", "检查参数名称。", "The schedule's parameter does not exist.",
                "Check the name."),
    "PL501": _H("本政策的生效日期早于上级政策。", "改正生效日期。", "The policy takes effect before its parent.",
                "Correct the date."),
    "PL502": _H("失效日期早于生效日期；修订通知中，修订后的失效日期（覆盖 失效日期）早于修订后的生效日期"
                "（覆盖 生效日期，或原通知的生效日期）。", "改正日期。",
                "The end date is before the start date; in an amending notice, the end date as amended "
                "(override ends) is before the effective date as amended (override effective, or the amended "
                "notice's own).", "Correct the dates."),
    "PL503": _H("政策按工作日计算期限（如“15个工作日”），而它的施行期间超出了工作日日历所包括的年份。"
                "工作日依据国务院办公厅每年印发的节假日安排通知（含调休上班日）；尚未公布的年份无法计算，"
                "在这些日子上按工作日计算时，评估会报错并说明缺少哪一年。",
                "国务院办公厅公布该年节假日安排后，用 `节假日安排 年份 “通知标题” { … }` 补充该年（可以写在本政策或上级政策中）；"
                "或者升级 policylang 以获得新的年份。",
                "The policy counts working days (`15 working days`) and its window runs past the years of the "
                "working-day calendar. Working days follow the State Council's yearly notices on public holidays "
                "(with their weekend days worked); a year with no notice yet cannot be counted, and a count of "
                "working days on its days is an evaluation error (calendar_not_covered).",
                "When the notice of that year is out, add it with `calendar YEAR \"TITLE\" { … }` (in this policy "
                "or one above it), or upgrade policylang for the new year.",
                "政策 \"四川省关于预付的通知\"\n层级 省\n生效日期 2024-01-01\n\n参数 prepay_within：期间 上限 15个工作日\n"),
    "PL601": _H("示例的预期结果与政策算出的结果不符。", "改正示例，或改正规则。", "An example's expectation fails.",
                "Correct the example or the rule."),
    "PL602": _H("示例用到了不存在的输入或决策项，或者列表写得不对：字段不属于该记录、缺少必填字段、给非列表输入项写了列表、"
                "列表输入项没有写成列表。", "检查名称；列表写成 [{字段 = 取值, …}, …]。",
                "The example names an unknown input or decision, or gives a list wrongly: a field not in the record, "
                "a required field missing, a list for an input that is not one, a list input not given as a list.",
                "Check the name; give a list as [{field = value, …}, …]."),
    "PL901": _H("忽略指令没有写理由，因此不起作用。", "写成 # policylang: ignore[代码] 理由 \"……\"。",
                "A suppression without a reason suppresses nothing.", "Write the reason."),
    "PL902": _H("忽略指令没有对应的问题。", "删掉它。", "The suppression matches no finding.", "Remove it."),
    "PL903": _H("pyproject.toml 中 [tool.policylang] 的配置无效。", "按提示改正。", "The configuration is invalid.",
                "Follow the hint."),
    "PL904": _H("约束类问题不能通过配置降级，只能逐行写明理由忽略。", "删掉这项配置。",
                "A binding finding cannot be lowered by configuration.", "Remove the setting."),
    "PL990": _H("policylang 的检查程序内部出错，这是 policylang 的缺陷，不是政策文件的问题。", "请报告这个问题。",
                "A check failed inside policylang: a bug in policylang, not in the policies.", "Please report it."),
}

DEFAULT_BASE = "docs/codes/"


def help_base(root: Optional[str] = None) -> str:
    base = os.environ.get("POLICYLANG_HELP_URL")
    if not base:
        try:
            from .config import help_url_setting

            base = help_url_setting(root)
        except Exception:  # noqa: BLE001 - a broken configuration is reported elsewhere (PL903)
            base = None
    base = base or DEFAULT_BASE
    return base if base.endswith("/") else base + "/"


def help_url(code: str, root: Optional[str] = None) -> str:
    """Where the page explaining `code` is: docs/codes/PL304.md unless configured."""
    return f"{help_base(root)}{code}.md"


def page(code: str) -> str:
    """The Markdown page of one code, Chinese first."""
    entry = CODES[code]
    h = HELP[code]
    severity_zh = {"error": "错误", "warning": "警告", "info": "提示"}[entry.severity]
    lines = [f"# {code} {entry.title_zh} · {entry.title}", "",
             f"{severity_zh}（{entry.severity}）", "", "## 中文", "", h.zh, "", f"**怎样改正**：{h.fix_zh}", ""]
    if h.example:
        lines += ["错误的写法：", "", "```", h.example.rstrip("\n"), "```", ""]
    lines += ["## English", "", h.en, "", f"**How to fix it**: {h.fix_en}", ""]
    if h.example:
        lines += ["A wrong line:", "", "```", _in_english(h.example).rstrip("\n"), "```", ""]
    lines += ["[全部代码 · All codes](README.md)", ""]
    return "\n".join(lines)


def _in_english(example: str) -> str:
    """The example in English keywords, where it parses (a syntax error's example stays as written)."""
    from .syntax.formatter import format_source

    formatted, _ = format_source(example, "example.policy", keywords="en")
    return formatted or example


def index_page() -> str:
    lines = ["# 检查代码 · Diagnostic codes", "",
             "每个代码一页，先中文后英文。Each code has a page, Chinese first, then English.", "",
             "| 代码 code | 中文 | English | 级别 severity |", "|---|---|---|---|"]
    for code, entry in CODES.items():
        lines.append(f"| [{code}]({code}.md) | {entry.title_zh} | {entry.title} | {entry.severity} |")
    return "\n".join(lines) + "\n"


def pages() -> dict[str, str]:
    out = {f"{code}.md": page(code) for code in CODES}
    out["README.md"] = index_page()
    return out


def write_pages(folder: str) -> None:
    os.makedirs(folder, exist_ok=True)
    for name, text in pages().items():
        with open(os.path.join(folder, name), "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)


if __name__ == "__main__":  # pragma: no cover
    write_pages(sys.argv[1] if len(sys.argv) > 1 else "docs/codes")
