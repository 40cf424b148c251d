"""`policylang init`: scaffold a new regional policy under a parent.

The file it writes parses as it stands: the header is filled from the options (the level is the
one below the parent's, the effective date `unknown` until given), and every blank the parent
chain leaves unfilled is listed as a commented `override`, with its label, the article and level
that left it, its bounds and the form of its value, so that filling one is deleting the `#` and
writing the number. It checks with warnings for the blanks left, and with an error (PL325) for a
blank the parent requires this level to fill, until that one is filled.
"""

from __future__ import annotations

import datetime as _dt
import os
from typing import Optional

import click

from ..messages import P
from ..pipeline import check as run_pipeline
from ..semantics.model import ResolvedPolicy, next_level
from ..syntax import ast as A
from ..syntax.formatter import format_expr, quote
from ..semantics.checks.common import label_of
from ..syntax import keywords as K
from ..wording import expr_zh, level_name, type_words
from .common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, chosen_language, exit_status, lang_option, report

# What a value of each type looks like, after the blank to fill (`______`).
_VALUE_FORMS = {"money": "______ yuan", "percent": "______%", "date": "____-__-__"}
_VALUE_FORMS_ZH = {"money": "______元", "percent": "______%", "date": "____-__-__"}


@click.command("init")
@lang_option
@click.argument("policy")
@click.option("--extends", "parent", required=True, help="The policy the new one extends (an id such as cn/gd/stent-2020).")
@click.option("--title", default=None, help="The notice's title (default: a placeholder to replace).")
@click.option("--region", default=None, help="The region, as the notice names it (广东省佛山市).")
@click.option("--issuer", default=None, help="The issuing department (佛山市医疗保障局).")
@click.option("--document", default=None, help="The document number (佛医保〔2021〕1号).")
@click.option("--effective", default=None, help="The date it takes effect, YYYY-MM-DD (default: unknown).")
@click.option("--level", "level", type=click.Choice(A.LEVELS), default=None,
              help="The new policy's level (default: the level below the parent's).")
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="The policy tree's root, where ids are looked up and the file is written (default: ./policies).")
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
def init_command(policy, parent, title, region, issuer, document, effective, level, root, force):
    """Write a new policy POLICY (an id such as cn/gd/foshan/stent-2020) that extends PARENT: the header
    filled, and each blank the parent leaves unfilled listed, with its label and article, as a commented
    `override` ready to fill. Prints the path of the file written.
    """
    root = root or "policies"
    lang = chosen_language(root)

    def fail(key: str, status: int = EXIT_USAGE, **params) -> None:
        en, zh = P(key, **params)
        click.echo(f"policylang init: {zh if lang == 'zh' else en}", err=True)
        raise SystemExit(status)

    if not A.POLICY_ID_RE.fullmatch(policy):
        fail("phrase.init.bad_id", policy=policy)
    path = os.path.join(root, *policy.split("/")) + ".policy"
    if os.path.exists(path) and not force:
        fail("phrase.init.exists", path=path)
    if effective is not None:
        try:
            _dt.date.fromisoformat(effective)
        except ValueError:
            fail("phrase.init.bad_date", date=effective)
    parent_path = os.path.join(root, *parent.split("/")) + ".policy"
    if not os.path.isfile(parent_path):
        fail("phrase.init.no_parent", parent=parent, path=parent_path)

    run = run_pipeline([parent_path], root)
    errors = [d for d in run.diagnostics_for_targets() if d.severity == "error"]
    targets = run.target_policies()
    if exit_status(errors) != EXIT_OK or not targets or targets[0].has_errors:
        report(errors, run.workspace.sources, "text", root=run.workspace.root)
        fail("phrase.init.parent_errors", EXIT_FINDINGS, parent=parent)
    resolved = targets[0]
    text = scaffold(resolved, policy, lang, level=level or next_level(resolved.level), title=title,
                    region=region, issuer=issuer, document=document, effective=effective)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    click.echo(path)
    raise SystemExit(EXIT_OK)


def scaffold(parent: ResolvedPolicy, policy_id: str, lang: str, *, level: str, title: Optional[str] = None,
             region: Optional[str] = None, issuer: Optional[str] = None, document: Optional[str] = None,
             effective: Optional[str] = None) -> str:
    """The text of a new policy file extending `parent` at `level`."""

    def say(key: str, **params) -> str:
        en, zh = P(key, **params)
        return zh if lang == "zh" else en

    def kw(english: str) -> str:  # a Chinese reader gets the file in Chinese keywords (both forms may be mixed)
        return K.word(english, lang)

    lines = [f"# {say('phrase.init.opening', parent=parent.policy_id)}",
             f"{kw('policy')} {quote(title or say('phrase.init.title_placeholder'))}",
             f"{kw('level')} {K.name_word(K.LEVELS, level, lang)}"]
    if region or parent.region:
        lines.append(f"{kw('region')} "
                     f"{quote(region or say('phrase.init.region_placeholder', parent_region=parent.region))}")
    if issuer:
        lines.append(f"{kw('issuer')} {quote(issuer)}")
    if document:
        lines.append(f"{kw('document')} {quote(document)}")
    if effective:
        lines.append(f"{kw('effective')} {effective}")
    else:
        lines += [f"# {say('phrase.init.effective_unknown')}", f"{kw('effective')} {kw('unknown')}"]
    lines.append(f"{kw('extends')} {parent.policy_id}")

    # Each blank by the level expected to fill it: this one, one above that did not, one below.
    groups: dict[str, list] = {"here": [], "above": [], "below": []}
    for param in sorted(parent.blanks, key=lambda p: p.origin.span.line):
        delegator = param.delegated_by or param.origin
        expected = param.to_level or next_level(delegator.level)
        if expected == level:
            groups["here"].append((param, delegator, expected))
        elif A.LEVELS.index(expected) < A.LEVELS.index(level):
            groups["above"].append((param, delegator, expected))
        else:
            groups["below"].append((param, delegator, expected))
    for group in ("here", "above", "below"):
        if groups[group]:
            lines += ["", f"# {say(f'phrase.init.blanks_{group}', count=len(groups[group]))}"]
            for param, delegator, expected in groups[group]:
                lines += _blank_lines(param, delegator, expected, say, region or parent.region, lang, parent)
    if not any(groups.values()):
        lines += ["", f"# {say('phrase.init.no_blanks', parent=parent.policy_id)}"]
    return "\n".join(lines) + "\n"


def _blank_lines(param, delegator, expected: str, say, region: Optional[str], lang: str = "en",
                 parent: Optional[ResolvedPolicy] = None) -> list[str]:
    where = say("phrase.init.left_by", label=param.label or param.name, policy=delegator.policy_id, article=param.article or "—",
                level=expected, level_zh=level_name(expected, region))
    out = ["", f"# {where}"]
    if getattr(delegator.decl, "required", False):
        out.append(f"#   {say('phrase.init.required')}")
    for bound in getattr(delegator.decl, "bounds", ()) or ():
        shown = expr_zh(bound.expr, lambda n: label_of(parent, n) if parent is not None else None) \
            if lang == "zh" else format_expr(bound.expr)
        out.append(f"#   {say(f'phrase.init.{bound.op}', bound=shown)}")
    meta = []
    if param.label:
        meta.append(quote(param.label))
    if param.article:
        meta.append(f"{K.word('article', lang)} {quote(param.article)}")
    if lang == "zh":
        value = _VALUE_FORMS_ZH.get(param.type.kind, "______")
        out.append(f"# 覆盖 参数 {param.name}：{type_words(param.type).zh} 固定 {value}" + "".join(" " + m for m in meta))
        return out
    value = _VALUE_FORMS.get(param.type.kind, "______")
    out.append(f"# override param {param.name}: {param.type} fixed {value}" + "".join(" " + m for m in meta))
    return out
