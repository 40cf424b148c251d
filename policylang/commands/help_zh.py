"""`--help` in Chinese: with --lang zh (or $POLICYLANG_LANG=zh, or lang = "zh" in pyproject.toml)
every command's help, its options and click's own words (用法、选项、命令) are Chinese.

The texts are here, by command and option name; a command or option without an entry keeps
its English help (a test lists every command and option, so none is forgotten).
"""

from __future__ import annotations

import contextlib

from typing import Optional

import click

OPTIONS = {
    "output_format": "检查结果的输出格式：text 供人阅读，json 供程序读取，github 用于工作流注释，sarif 用于代码扫描，junit 供 CI 服务器的测试报告使用（JSON、SARIF 和 JUnit 中的路径相对于项目根目录：存放政策的 git 工作树，否则为 policies/ 的上一级文件夹）。",
    "lang": "检查结果和帮助使用的语言：zh（中文）或 en（英文）。默认依次取 $POLICYLANG_LANG、pyproject.toml 中 "
            "[tool.policylang] 的 lang，否则为 en。",
    "root": "政策目录的根文件夹（默认：最近的名为 policies 的文件夹）。",
    "help": "显示本帮助并退出。",
    "_click_default_help": "显示本帮助并退出。",
    "version": "显示版本号并退出。",
}

COMMANDS: dict[str, tuple[str, dict[str, str]]] = {
    "": ("policylang：把医保政策写成代码，逐级检查各地的调整是否符合上级规定，生成计算程序，发布文档。\n\n"
         "\b\n常用命令：\n"
         "  policylang check                 检查 policies/ 目录下的全部政策\n"
         "  policylang explain cn/gd/stent-2020 prepayment_ratio\n"
         "  policylang eval cn/gd/stent-2020 --input cases.json\n"
         "  policylang init cn/gd/shantou/stent-2020 --extends cn/gd/stent-2020\n"
         "                                   新建一份继承上级的地方政策，列出待填写的空白\n"
         "  policylang build                 检查，并生成程序（_policylang/python）和文档（_policylang/docs）", {}),
    "check": ("检查政策文件：语法、继承关系、覆盖（调整）、类型、表格、过渡安排。\n\n"
              "默认检查 policies/ 目录；给出文件、文件夹或政策编号（如 cn/gd/stent-2020）时只检查它们（仍对照其全部上级）。"
              "退出码：0 没有错误，1 发现错误，2 无法给出结论（用法错误或内部错误）。",
              {"strict": "有警告时也以退出码 1 结束。", "quiet": "只输出检查结果，不输出最后的汇总行。",
               "changed_since": "只检查自 git 版本 REF 以来的改动所涉及的政策（已提交、已暂存、未暂存和未跟踪的文件；"
                                "从本分支离开 REF 处算起）：改动的政策、继承或引用它们的政策，以及这些政策所依据的上级。",
               "changed_files": "PATHS 是改动过的文件（pre-commit 就是这样传入的；不存在的文件视为已删除）：检查它们涉及的政策，"
                          "范围的算法与按 git 版本检查时相同。"}),
    "init": ("新建一份地方政策 POLICY（政策编号，如 cn/gd/foshan/stent-2020），继承上级政策 PARENT："
             "文件头已填好，上级留下的每一项空白都以注释的形式列出（附名称和条款），删去“#”填上数值即可。"
             "完成后输出所写文件的路径。",
             {"parent": "新政策所继承的上级政策（政策编号，如 cn/gd/stent-2020）。",
              "title": "通知标题（默认：一个待替换的占位文字）。",
              "region": "地区名称，按通知的写法（如 广东省佛山市）。",
              "issuer": "发文机关（如 佛山市医疗保障局）。",
              "document": "文号（如 佛医保〔2021〕1号）。",
              "effective": "生效日期，年-月-日（默认：写为“未知”）。",
              "level": "新政策的层级（默认：上级政策的下一级）。",
              "force": "文件已存在时覆盖它。",
              "root": "按政策编号查找上级政策、写入新文件的根文件夹（默认：./policies）。"}),
    "schema": ("输出政策 POLICY 计算程序的 JSON Schema（2020-12）：输入项（类型、枚举、可选输入、调用方必须提供的空白）"
               "和计算结果，与 policylang eval 读取和输出的格式一致（金额为小数字符串）。"
               "POLICY 是政策编号（如 cn/gd/stent-2020）或文件路径。",
               {"only": "只输出输入项的 Schema，或只输出计算结果的 Schema（默认：两者都输出，放在 $defs 下）。"}),
    "fmt": ("把政策文件整理成统一的格式（保留注释；整理两次与一次结果相同）。\n\n"
            "加 --check 时不修改文件，有文件需要整理时以退出码 1 结束。"
            "加 --keywords zh（或 en）时把关键字改写为中文（或英文），含义不变。有语法错误的文件只报告、不修改。",
            {"check_only": "不修改任何文件；有文件未整理时以退出码 1 结束。",
             "show_diff": "以统一差异格式显示将要做的修改。",
             "keywords": "关键字写成英文（en）或中文（zh），含义不变。默认：沿用每个文件中多数关键字所用的语言。"}),
    "build": ("检查全部政策，然后生成 Python 计算程序和文档。\n\n"
              "每次生成都会在检查缓存中记下每项政策的模块和页面由什么生成：下次生成到同一文件夹时，"
              "只重新生成有变化的政策（或其文件自上次以来被修改、删除）的模块和页面，重写索引和搜索索引，"
              "并删除已不存在的政策的文件；没有变化时不写入任何文件。输出与生成到空文件夹时逐字节相同。"
              "加 --force 时不看这份记录，全部重新生成（内容相同的文件仍不改写）。",
              {"out_dir": "输出文件夹：计算程序写到 OUT/python，文档写到 OUT/docs。",
               "no_docs": "跳过生成文档。", "no_compile": "跳过生成计算程序。",
               "standalone": "生成各自独立的模块，每个模块带有自己的一份运行库。",
               "verbose": "像 check 一样逐条完整输出每个警告和提示（默认：错误逐条输出，其余按代码计数）。",
               "force": "不管上次生成到 OUT 时记下了什么，重新生成每个模块和每个页面。"}),
    "compile": ("把政策编译成 Python 计算程序模块（只用标准库）。\n\n"
                "这些模块组成一个包，共用一份运行库（OUT/_PolicyRuntime.py：所有模块抛出的计算错误是同一个类）；"
                "加 --standalone 则生成各自独立的单文件模块。检查发现错误时不写任何文件：请先改正。",
                {"out_dir": "生成模块所在的文件夹（cn/gd/stent-2020 → OUT/cn/gd/stent_2020.py）。",
                 "standalone": "每个模块带有自己的一份运行库（一个政策一个文件，互不共用），"
                               "而不是在 OUT/_PolicyRuntime.py 写一份供包中所有模块使用。",
                 "target": "python（默认）：生成计算程序模块；sql：每个政策生成一个查询（OUT/cn/gd/stent-2020.<方言>.sql），"
                           "把案例表映射为相同的列再加上每个决策项一列。",
                 "dialect": "--target sql 所用的 SQL 方言：duckdb 或 spark。"}),
    "run": ("把政策 POLICY（政策编号如 cn/gd/stent-2020，或文件路径）编译成 SQL，对 --data 中的每个案例计算，"
            "结果写到 --out。\n\n"
            "无法计算的行（输入无效或缺失、空白未填写）不会中断整批计算：该行各决策项为空（NULL），错误列说明原因，"
            "并附上 Python 模块给出的说明。运行结束时列出失败的行数及原因；有行失败时退出码为 1，"
            "除非加 --continue-on-error。",
            {"data": "案例文件：CSV（第一行为表头）、JSON Lines 或 Parquet（文件或文件夹），按扩展名区分。",
             "out": "结果文件：Parquet 或 CSV（按扩展名区分）：输入列、每个决策项、决定它的规则"
                    "以及失败行的错误列。",
             "engine": "DuckDB（内嵌，无需服务器）或 Spark（默认 local[*]；集群用 --master）。",
             "as_of": "评估日期，YYYY-MM-DD（默认：今天）：过渡安排和 as_of 按此日期取值。",
             "blanks": "为各级都没有填写的空白指定一个值，适用于每一行（可重复）；若文件中有同名的列，则逐行读取该列。",
             "continue_on_error": "即使有行失败也以退出码 0 结束（失败的行照样计数，并连同错误写出）。",
             "no_rules": "不输出每个决策项“由哪条规则决定”的列。",
             "memory_limit": "DuckDB 可占用的内存上限（如 1GB；默认为本机内存的 80%）。为按输入顺序写出而暂存的行"
                             "超出上限时，写到 --out 旁边的一个文件夹，结束时删除。",
             "master": "Spark 的 master（默认 local[*]）。",
             "conf": "一项 Spark 配置（KEY=VALUE，可重复）。",
             "root": "政策目录的根文件夹，按编号查找政策（默认：./policies）。"}),
    "impact": ("在同一批理赔数据上，分别按政策 POLICY 和它的上级政策（或用 --against 指定的同一链条上的另一项政策，"
               "或 --set 给出的一组取值）计算，并按每个金额决策项报告：各方案下的合计（按分精确求和）、差额、"
               "变化的行数、逐行差额的分布、按 --by 各列分组的结果，以及变化最大的行及决定其取值的规则。"
               "无法计算的行逐一计数并列出，不会悄悄丢弃。\n\n"
               "报告写到 -o 指定的文件夹：一个带图表的网页（无需联网即可打开）、impact.json 及同样数字的 CSV 文件。",
               {"data": "理赔数据：CSV（第一行为表头）、JSON Lines 或 Parquet，按扩展名区分。",
                "against": "作为对照的基准：同一链条上的另一项政策（默认：POLICY 的上级政策；使用 --set 时为 POLICY 本身）。",
                "set_values": "取值扫描：把参数或空白 NAME 依次设为各个值（逗号分隔），每个值分别与基准对比。",
                "as_of": "评估日期，YYYY-MM-DD（默认：今天）：过渡安排和 as_of 按此日期取值。",
                "by": "按理赔数据中的这一列分组（可重复，也可用逗号分隔），例如按是否中选、医院或月份分组。",
                "blanks": "为各级都没有填写的空白指定一个值，适用于每一行和每个方案（可重复）。",
                "engine": "在哪里计算政策：DuckDB（内嵌）或 Spark（local[*]）。对比汇总总是用 DuckDB 的 SQL 完成。",
                "top": "列出变化最大的多少行（附决定其取值的规则）。",
                "synthetic": "在报告中注明理赔数据是合成的（或真实的）。默认：文件由 policylang claims 生成"
                             "（列名和理赔编号与之相符）时注明为合成数据。",
                "out_dir": "报告写入的文件夹：带图表的网页（无需联网）、impact.json、同样数字的 CSV 文件和 invalid_rows.csv。",
                "root": "政策目录的根文件夹，按编号查找政策（默认：./policies）。"}),
    "eval": ("用政策 POLICY（政策编号如 cn/gd/stent-2020，或文件路径）计算输入中的每一个案例。\n\n"
             "输出一个 JSON 列表，每个案例一项、占一行：每个决策项的取值（金额为精确的小数字符串，如 \"469.00\"；"
             "日期为 YYYY-MM-DD；null 表示不适用）；也可以用 --format 改为输出 JSON Lines 或 CSV。CSV 和 JSON Lines 输入边读边算边写，"
             "一批一批处理。无法计算的案例在标准错误输出中说明原因，结果为 {\"_error\": {...}}（其余案例照常计算）；"
             "最后输出无法计算的案例数，退出码为 1。",
             {"input_file": "案例：一个 JSON 对象或对象列表、JSON Lines（.jsonl）或 CSV（.csv）；“-”表示从标准输入读取。",
              "as_of": "评估日期，写作 YYYY-MM-DD（默认：今天）。案例中也可以有自己的 \"as_of\"。",
              "decisions": "只计算这个决策项（及其依赖的项目）；可以重复。默认：全部决策项。",
              "explain": "增加 \"_explain\"：决定每个取值的规则，附文件、行号和条款。",
              "results_format": "结果的格式：JSON 列表（每个案例一行）、JSON Lines（每行一个对象）或 CSV"
                                "（复制的列、每个决策项一列，然后是 _error、_error_field、_error_message）。",
              "output_file": "把结果写到 PATH（默认：标准输出）。",
              "keep": "原样复制到每个结果中、不作为输入项读取的输入列（逗号分隔，可以重复），例如 --keep claim_id。",
              "jobs": "输入多于一批时使用的工作进程数（默认：每个 CPU 一个）。",
              "batch_size": "一起读取、计算和写出的案例数（默认 5000，加 --explain 时 500）：内存占用由它决定。",
              "root": "按政策编号查找政策的根文件夹（默认：./policies）。"}),
    "claims": ("生成合成的（不是真实的）理赔数据：冠脉支架（stent）或骨科脊柱类耗材（spine），"
               "按固定的随机种子生成，相同参数得到逐字节相同的文件。各列的分布见 docs/claims.md。",
               {"rows": "生成的理赔条数。", "seed": "随机种子。",
                "year": "理赔发生的年份（默认：支架 2021，脊柱 2024）。",
                "invalid": "把这一比例的行中的一个单元格换成非法的值（负数金额、不存在的日期、超过 100% 的百分比、"
                           "未知的枚举值等），用于测试逐行报错。",
                "out": "写到文件 PATH（CSV 或 JSON Lines，按扩展名确定；默认：标准输出，CSV）。"}),
    "test": ("用生成的计算程序运行政策中的全部示例（已知 … 应得 …）。\n\n"
             "（policylang check 也用参考解释器运行示例，预期不符时报 PL601；本命令运行的是供其他系统嵌入的生成程序。）"
             "每个政策文件一行，通过的示例记“.”，未通过的记“F”，随后列出每个未通过的预期及其位置、预期值和实际值。", {}),
    "docs": ("为每项政策生成一页文档，为每项地方政策生成调整对照页，并生成总览页。\n\n"
             "页面列出在某地适用的每条规则、由哪一级设定、还有哪些空白未填写；检查发现的问题显示在相关事项旁。"
             "检查发现错误时仍生成页面（并在页面上显示错误），退出码为 1（检查程序内部出错时为 2，PL990）。",
             {"out_dir": "页面写入的文件夹。", "doc_format": "md：供在 git 中审阅的 Markdown；html：可直接打开的静态网页；both：两种都生成。",
              "templates": "优先使用的 Jinja2 模板文件夹（以及 style.css / site.js）。",
              "jobs": "生成页面的进程数（默认：大型目录每个 CPU 核一个）。结果相同。",
              "impacts": "一份调整影响测算报告的文件夹（由 policylang impact -o DIR 写出），复制到 OUT/impact/<政策编号>/，"
                         "并在该政策的页面上加上链接（可重复）。已在那里的报告同样加上链接。"}),
    "explain": ("显示政策 POLICY_ID 中事项 ITEM 自上而下（先国家级）的各级定义：每一级的文件、行号、条款、"
                "性质和取值，以及这一级做了什么调整。",
                {"output_format": "text 供人阅读，json 供程序读取。",
                 "root": "政策目录的根文件夹（默认：当前目录下的 policies 文件夹）。"}),
    "diff": ("显示政策 POLICY_ID 相对于上级和国家政策的改动：新增、收紧、填写、替换、重申、转授下级、放宽。",
             {"output_format": "text 供人阅读，json 供程序读取。",
              "root": "政策目录的根文件夹（默认：当前目录下的 policies 文件夹）。"}),
    "lsp": ("为编辑器运行语言服务：边写边检查、悬停说明、跳转到定义、补全和格式化。编辑器会自己启动它"
            "（见 editors/vscode）。\n\n需要安装可选依赖 policylang[lsp]。",
            {"stdio": "通过标准输入和标准输出通信（默认，也是唯一的方式）。"}),
    "serve": ("通过 HTTP 提供政策的计算服务：GET /policies、GET /policies/ID、POST /policies/ID/evaluate"
              "（返回与 policylang eval 相同的 JSON）、GET /policies/ID/schema、GET /openapi.json。"
              "计算程序只生成一次，政策文件改动后自动重新加载。\n\n需要安装可选依赖 policylang[serve]。",
              {"root": "政策目录的根文件夹（默认：./policies）。", "host": "监听的地址。", "port": "监听的端口。",
               "max_body": "接受的请求正文的最大字节数（超过时返回 413）。",
               "max_cases": "一次计算请求最多可含的案例数（超过时返回 422）。"}),
    "cache": ("check 的磁盘缓存（解析结果、检查结果、证明；见 docs/performance.md）。", {}),
    "cache clean": ("删除超过 --older-than 天未使用的缓存条目：用户缓存目录中 policylang 文件夹下每个政策目录的缓存，"
                    "设置了 $POLICYLANG_CACHE_DIR 时则是该文件夹。只删除 policylang 自己的文件（从不跟随符号链接）；"
                    "任何条目都可以随时删除，下次检查会重新计算。check 本身每天最多一次删除 30 天未使用的条目。",
                    {"older_than": "只删除至少 DAYS 天未使用的条目（0：删除全部条目）。"}),
}


def wants_chinese(ctx: Optional[click.Context]) -> bool:
    from .common import LANG_KEY

    from ..config import output_language

    try:
        chosen = ctx.meta.get(LANG_KEY) if ctx is not None else None
        return output_language(None, chosen) == "zh"
    except Exception:  # noqa: BLE001 - help must print even when the configuration is broken
        return False


def _name(ctx: click.Context) -> str:
    """The command's key in COMMANDS: "" for policylang itself, "cache clean" for a subcommand."""
    names = []
    while ctx.parent is not None:
        names.append(ctx.command.name or "")
        ctx = ctx.parent
    return " ".join(reversed(names))


@contextlib.contextmanager
def _section(formatter: click.HelpFormatter, heading: str):
    """click's `formatter.section`, with the full-width colon of Chinese text (click writes "选项:")."""
    formatter.write_paragraph()
    formatter.write(f"{'':>{formatter.current_indent}}{heading}：\n")
    with formatter.indentation():
        yield


def format_help_zh(command: click.Command, ctx: click.Context, formatter: click.HelpFormatter) -> None:
    """The command's help page in Chinese (click's layout, Chinese words)."""
    text, options = COMMANDS.get(_name(ctx), ((command.help or ""), {}))
    pieces = ["[选项]" if piece == command.options_metavar else piece for piece in command.collect_usage_pieces(ctx)]
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="用法：")
    if text:
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(text)
    rows = []
    for param in command.get_params(ctx):
        if not isinstance(param, click.Option) or param.hidden:
            continue
        saved = (param.help, param.show_default)
        zh = options.get(param.name) or OPTIONS.get(param.name)
        if zh is None and "--help" in param.opts:
            zh = OPTIONS["help"]
        default = None
        if param.show_default and param.default is not None and not param.is_flag:
            default = param.default
        param.help, param.show_default = (zh or param.help), False
        try:
            record = param.get_help_record(ctx)
        finally:
            param.help, param.show_default = saved
        if record is not None:
            name, help_text = record
            if default is not None:
                help_text += f"（默认：{default}）"
            rows.append((name, help_text))
    if rows:
        with _section(formatter, "选项"):
            formatter.write_dl(rows)
    if isinstance(command, click.Group):
        commands = []
        for sub in command.list_commands(ctx):
            cmd = command.get_command(ctx, sub)
            if cmd is None or cmd.hidden:
                continue
            key = f"{_name(ctx)} {sub}".strip()
            short = COMMANDS.get(key, (cmd.get_short_help_str(),))[0].split("\n")[0]
            commands.append((sub, short))
        if commands:
            with _section(formatter, "命令"):
                formatter.write_dl(commands)


def localized(cls: type) -> type:
    """A subclass of a click command class whose --help is Chinese when Chinese is chosen."""

    class Localized(cls):  # type: ignore[misc, valid-type]
        def format_help(self, ctx, formatter):
            if wants_chinese(ctx):
                return format_help_zh(self, ctx, formatter)
            return super().format_help(ctx, formatter)

    Localized.__name__ = Localized.__qualname__ = f"Localized{cls.__name__}"
    return Localized
