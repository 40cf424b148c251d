"""render_site: a CheckRun in, a folder of Markdown and a self-contained HTML site out.

Pages: one per policy (policies/<id>.<ext>), an override report per regional
policy (overrides/<id>.<ext>), and an index with the region tree (index.<ext>).
The HTML site links its stylesheet, its script and its search index as relative
files under assets/, so it works opened from disk (file://). The search index is
one shared file (assets/search-index.js, a script that sets a global) rather than
a copy inside every page: a copy per page made the site quadratic in size.

Output is deterministic: the same run gives the same bytes (no timestamps,
items in source order, JSON with sorted keys).
"""

from __future__ import annotations

import json
import os
from typing import Iterable, Optional, Sequence

import jinja2

from ...semantics.loader import UsageError
from . import i18n
from .formula import Rich, md_escape
from .views import (
    PolicyPageBuilder,
    SiteModel,
    anchor,
    build_index,
    index_page,
    override_page,
    policy_page,
)

FORMATS = ("md", "html")
DEFAULT_FORMATS = FORMATS
PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
TEMPLATE_DIR = os.path.join(PACKAGE_DIR, "templates")
STATIC_DIR = os.path.join(PACKAGE_DIR, "static")
ASSETS = ("style.css", "site.js")


class TemplateProblem(UsageError):
    """A user's template folder is missing or a template fails: a usage problem (exit 2), not a crash."""


# ---------------------------------------------------------------- Jinja


def _md(value) -> str:
    """Markdown text of a value: Rich formulas print their own Markdown; strings are escaped."""
    if value is None:
        return ""
    if isinstance(value, Rich):
        return value.md
    return md_escape(value)


def _cell(value) -> str:
    """Markdown for a table cell: never empty, never breaks the row."""
    text = _md(value)
    return text if text.strip() else " "


def make_environment(templates: Optional[str] = None) -> jinja2.Environment:
    """Templates from the user's folder first, then the package's own."""
    loaders: list[jinja2.BaseLoader] = []
    if templates:
        if not os.path.isdir(templates):
            raise TemplateProblem(f"no such template folder: {templates}")
        loaders.append(jinja2.FileSystemLoader(templates))
    loaders.append(jinja2.FileSystemLoader(TEMPLATE_DIR))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=lambda name: name is not None and ".html" in name,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = _md
    env.filters["cell"] = _cell
    env.globals["anchor"] = anchor
    return env


def _render(env: jinja2.Environment, name: str, **context) -> str:
    try:
        text = env.get_template(name).render(**context)
    except jinja2.TemplateNotFound as exc:
        raise TemplateProblem(f"template not found: {exc.name}") from None
    except jinja2.TemplateError as exc:
        where = f" (line {exc.lineno})" if getattr(exc, "lineno", None) else ""
        raise TemplateProblem(f"template {name} failed{where}: {exc}") from None
    # One trailing newline, no trailing blank lines: stable diffs in git.
    return text.rstrip("\n") + "\n"


# ---------------------------------------------------------------- search index


def search_entries(site: SiteModel, builders: dict[str, PolicyPageBuilder]) -> list[dict]:
    """Every item of every rendered policy: name, label, kind, and where its page is."""
    entries = []
    for pid in site.rendered:
        builder = builders[pid]
        policy = builder.policy
        w = builder.words
        region = policy.region or pid
        url = policy_page(pid, "html")
        entries.append({"name": pid, "label": policy.title or pid, "kind": w.ui("policy_page"),
                        "policy": region, "url": url})
        kinds = (("params", policy.params), ("decisions", policy.decisions), ("schedules", policy.schedules),
                 ("requirements", policy.requirements), ("inputs", policy.inputs), ("enums", policy.enums),
                 ("provisions", policy.provisions))
        for key, table in kinds:
            for name, item in table.items():
                section = key
                if key == "decisions" and item.form == "table":
                    section = "tables"
                target = anchor("schedule-" + name) if key == "schedules" else anchor(name)
                entries.append({"name": name, "label": item.label or name, "kind": w.ui(section),
                                "policy": region, "url": f"{url}#{target}"})
    return entries


def embed_json(data) -> str:
    """JSON safe inside a <script> element or a .js file (no '</script>', no HTML entities, no line separators)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char in ("<", ">", "&", "\u2028", "\u2029"):
        text = text.replace(char, "\\u%04x" % ord(char))
    return text


SEARCH_INDEX_ASSET = "assets/search-index.js"
SEARCH_INDEX_GLOBAL = "POLICYLANG_SEARCH_INDEX"


def search_index_script(search_json: str) -> str:
    """The shared search index as a script: a relative <script src> loads it even from file://,
    where reading a JSON file with fetch() is not allowed."""
    return ("// policylang documentation: the search index of this site (generated, do not edit).\n"
            f"window.{SEARCH_INDEX_GLOBAL} = {search_json};\n")


# ---------------------------------------------------------------- the site


def _policies_to_render(run) -> list[str]:
    """The policies asked for and their ancestors (so chain links resolve), in dependency order."""
    policies = run.resolution.policies
    wanted: set[str] = set()
    targets = [p for p in run.workspace.targets if p in policies] or list(policies)
    for pid in targets:
        wanted.update(link.policy_id for link in policies[pid].chain)
    ordered = [p for p in run.resolution.order if p in wanted and p in policies]
    ordered += sorted(p for p in wanted if p not in set(ordered))
    return ordered


def _read_asset(name: str, templates: Optional[str]) -> str:
    for folder in ([templates] if templates else []) + [STATIC_DIR]:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as fh:
                return fh.read()
    raise TemplateProblem(f"missing asset {name}")


def _write(out_dir: str, rel_path: str, text: str, written: list[str]) -> None:
    path = os.path.join(out_dir, *rel_path.split("/"))
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    written.append(path)


def render_site(run, out_dir: str, formats: Sequence[str] = DEFAULT_FORMATS,
                templates: Optional[str] = None) -> list[str]:
    """Write the documentation of a checked tree into out_dir; returns the files written."""
    unknown = set(formats) - set(FORMATS)
    formats = [f for f in FORMATS if f in set(formats)]
    if unknown or not formats:
        raise UsageError(f"unknown documentation format: {', '.join(sorted(unknown)) or '(none)'}")
    env = make_environment(templates)
    site = SiteModel(run, _policies_to_render(run))
    written: list[str] = []
    for ext in formats:
        builders = {pid: PolicyPageBuilder(site, site.policies[pid], ext) for pid in site.rendered}
        common = {"ext": ext}
        if ext == "html":
            search_json = embed_json(search_entries(site, builders))
            _write(out_dir, SEARCH_INDEX_ASSET, search_index_script(search_json), written)
            # Still offered to templates, for a custom base.html.j2 that inlines the index
            # (site.js reads an inline <script id="search-index"> when the global is absent).
            common["search_json"] = search_json
        index = build_index(site, ext)
        _write(out_dir, index_page(ext), _render(env, f"index.{ext}.j2", view=index, w=index.words, **common),
               written)
        for pid in site.rendered:
            builder = builders[pid]
            view = builder.build()
            _write(out_dir, view.page, _render(env, f"policy.{ext}.j2", view=view, w=view.words, **common), written)
            if builder.policy.parent:
                report_builder = PolicyPageBuilder(site, builder.policy, ext, override_page(pid, ext))
                report = report_builder.build_overrides()
                _write(out_dir, report.page,
                       _render(env, f"overrides.{ext}.j2", view=report, w=report.words, **common), written)
        if ext == "html":
            for name in ASSETS:
                _write(out_dir, f"assets/{name}", _read_asset(name, templates), written)
    return written


def language_of(run, policy_id: str) -> str:
    """The page language chosen for a policy ('zh' or 'en'); for tools and tests."""
    site = SiteModel(run, [policy_id])
    return site.language_of(site.policies[policy_id]) if policy_id in site.policies else i18n.EN
