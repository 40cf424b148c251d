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
import re
from typing import Callable, Collection, Optional, Sequence

import jinja2
from markupsafe import escape

from ...semantics.loader import UsageError
from ...wording import os_error_zh
from . import i18n
from .. import workers
from .formula import Rich, md_escape
from .fragments import Fragments
from .i18n import Words
from .views import (
    ANY_FORMAT,
    PolicyPageBuilder,
    SiteModel,
    anchor,
    build_index,
    index_page,
    impact_page,
    override_page,
    policy_page,
    relative,
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
        auto_reload=False,  # one environment per run: its templates do not change under it
    )
    env.filters["md"] = _md
    env.filters["cell"] = _cell
    env.globals["anchor"] = anchor
    env.globals["fragment"] = Fragments(env, by_region=bool(templates))
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


def search_entries(site: SiteModel) -> list[dict]:
    """Every item of every rendered policy: name, label, kind, and where its page is."""
    entries = []
    for pid in site.rendered:
        policy = site.policies[pid]
        w = Words(site.language_of(policy))
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


def policies_to_render(run) -> list[str]:
    """The policies asked for and their ancestors (so chain links resolve), in dependency order."""
    policies = run.resolution.policies
    wanted: set[str] = set()
    targets = [p for p in run.workspace.targets if p in policies] or list(policies)
    for pid in targets:
        wanted.update(link.policy_id for link in policies[pid].chain)
    ordered = [p for p in run.resolution.order if p in wanted and p in policies]
    placed = set(ordered)
    ordered += sorted(p for p in wanted if p not in placed)
    return ordered


def _read_asset(name: str, templates: Optional[str]) -> str:
    for folder in ([templates] if templates else []) + [STATIC_DIR]:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as fh:
                return fh.read()
    raise TemplateProblem(f"missing asset {name}")


_SURROGATE = re.compile("[\ud800-\udfff]")


# Folders made by this process already (a site writes thousands of pages into a few folders each).
_MADE_FOLDERS: set[str] = set()


def _target(out_dir: str, rel_path: str) -> str:
    """Where a page of the site goes. A file name that is not UTF-8 (a GBK name from a zip
    archive) reaches here as lone surrogates: written as U+FFFD, in the page and in its file name
    alike, so links still work."""
    if not rel_path.isascii():
        rel_path = _SURROGATE.sub("\ufffd", rel_path)
    return os.path.join(out_dir, *rel_path.split("/"))


def _write(out_dir: str, rel_path: str, text: str, written: list[str]) -> None:
    # (Only text with a surrogate fails to encode: the usual page is encoded once and not searched.)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        data = _SURROGATE.sub("\ufffd", text).encode("utf-8")
    path = _target(out_dir, rel_path)
    try:
        folder = os.path.dirname(path)
        if folder not in _MADE_FOLDERS:
            os.makedirs(folder, exist_ok=True)
            _MADE_FOLDERS.add(folder)
        try:  # a page already holding these bytes (an earlier build) is left as it is
            with open(path, "rb") as old:
                if old.read() == data:
                    written.append(path)
                    return
        except OSError:
            pass
        try:
            fh = open(path, "wb")
        except FileNotFoundError:  # the folder was removed since (another run into the same place)
            os.makedirs(folder, exist_ok=True)
            fh = open(path, "wb")
        with fh:
            fh.write(data)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}", f"无法写入 {path}：{os_error_zh(exc)}") from None
    written.append(path)


# An override report links to its policy's page from nearly every row (the item, the names in its
# formulas): written as this token while the report is built and rendered, and replaced by the
# relative link in the finished page, the rows of items inherited alike are the same on every
# sibling's report, so each is rendered once (fragments.py; template changes.*.j2). Noncharacters
# and NUL, which no page text holds, and which neither HTML nor Markdown escaping changes.
OWN_PAGE = "\x00\ufdd0own-page\ufdd1\x00"


def _with_ext(text: str, views_ext: str, ext: str) -> str:
    """A page rendered from views built for every format, with its links given their extension."""
    return text.replace(ANY_FORMAT, ext) if views_ext == ANY_FORMAT else text


def _plain_link(link: str) -> bool:
    """Whether a link reads the same escaped for HTML and for Markdown (so the token, which is
    not escaped either, can stand for it)."""
    return str(escape(link)) == link and md_escape(link) == link


# The fewest policies handed to a worker at a time (workers.spans: the first chunks are larger):
# enough to keep the hand-over cheap.
CHUNK_SIZE = 16


class _PageRenderer:
    """Renders and writes the pages of one policy (its page and its override report) in every format."""

    def __init__(self, env: jinja2.Environment, site: SiteModel, contexts: dict[str, dict], out_dir: str,
                 only: Optional[Collection[str]] = None, by_format: bool = False):
        self.env = env
        self.site = site
        self.contexts = contexts  # per format: what every page's template gets besides its view
        self.out_dir = out_dir
        self.only = only  # the policies whose pages are written (None: all)
        # (the extension the views' links are built with, the formats rendered from those views):
        # the package's templates print a link as it is or escaped, so one view, its links written
        # with views.ANY_FORMAT, serves every format; a user's templates may do anything with a
        # link, so each format gets views of its own.
        if by_format:
            self.view_formats = [(ext, [ext]) for ext in contexts]
        else:
            self.view_formats = [(ANY_FORMAT, list(contexts))]

    def files_of(self, pid: str) -> dict[str, list[str]]:
        """The files of one policy's pages, per format, without rendering them."""
        policy = self.site.policies[pid]
        files: dict[str, list[str]] = {}
        for ext in self.contexts:
            pages = [policy_page(pid, ext)] + ([override_page(pid, ext)] if policy.parent else [])
            files[ext] = [_target(self.out_dir, page) for page in pages]
        return files

    def render(self, pid: str) -> dict[str, list[str]]:
        """The files written for one policy, per format."""
        if self.only is not None and pid not in self.only:
            return self.files_of(pid)
        site, env = self.site, self.env
        policy = site.policies[pid]
        files: dict[str, list[str]] = {ext: [] for ext in self.contexts}
        for views_ext, formats in self.view_formats:
            view = PolicyPageBuilder(site, policy, views_ext).build()
            for ext in formats:
                text = _render(env, f"policy.{ext}.j2", view=view, w=view.words, **self.contexts[ext])
                _write(self.out_dir, policy_page(pid, ext), _with_ext(text, views_ext, ext), files[ext])
            if policy.parent:
                page = override_page(pid, views_ext)
                own = relative(policy_page(pid, views_ext), page)
                token = OWN_PAGE if _plain_link(own) else None
                report = PolicyPageBuilder(site, policy, views_ext, page, own_token=token).build_overrides()
                for ext in formats:
                    text = _render(env, f"overrides.{ext}.j2", view=report, w=report.words, **self.contexts[ext])
                    if token is not None:
                        text = text.replace(token, own)
                    _write(self.out_dir, override_page(pid, ext), _with_ext(text, views_ext, ext), files[ext])
        return files

    def render_chunk(self, pids: Sequence[str]) -> list[dict[str, list[str]]]:
        return [self.render(pid) for pid in pids]


def _render_policy_pages(renderer: _PageRenderer, jobs: int,
                         progress: Optional[Callable[[int], None]] = None) -> list[dict[str, list[str]]]:
    """Every rendered policy's files per format, in the site's policy order, however many processes.

    Each page depends only on the run, never on other pages, so rendering them in forked
    workers (workers.map_chunks) writes the same bytes as rendering them here; results come
    back in order. progress(n) is told each time n more policies are rendered.
    """
    if renderer.only is None:
        todo = renderer.site.rendered
    else:  # the others' files are named here; only these policies' pages are rendered
        todo = [pid for pid in renderer.site.rendered if pid in renderer.only]
    done: dict[str, dict[str, list[str]]] = {}
    chunks = [todo[start:stop] for start, stop in workers.spans(len(todo), jobs, CHUNK_SIZE)]
    # A worker's TemplateProblem or UsageError comes back here and is raised as it is.
    for pids, files in zip(chunks, workers.map_chunks(renderer.render_chunk, chunks, jobs)):
        done.update(zip(pids, files))
        if progress:
            progress(len(files))
    return [done[pid] if pid in done else renderer.files_of(pid) for pid in renderer.site.rendered]


class SiteFiles:
    """The files of a documentation site: the site-wide ones (index, search index, assets) and
    each rendered policy's (its page and its override report, every format)."""

    def __init__(self, formats: Sequence[str], site_files: dict[str, list[str]], rendered: Sequence[str],
                 pages: list[dict[str, list[str]]]):
        self.site_files = [path for ext in formats for path in site_files[ext]]
        self.by_policy = {pid: [path for ext in formats for path in files[ext]] for pid, files in zip(rendered, pages)}
        self.rendered = list(rendered)
        # In the order render_site has always listed them: per format, the site's files, then each policy's.
        self.all = [path for ext in formats for path in site_files[ext] + [p for files in pages for p in files[ext]]]


def render_site(run, out_dir: str, formats: Sequence[str] = DEFAULT_FORMATS,
                templates: Optional[str] = None, jobs: Optional[int] = None,
                progress: Optional[Callable[[int, int], None]] = None) -> list[str]:
    """Write the documentation of a checked tree into out_dir; returns the files written.

    `jobs` is how many processes render the pages (None: one per core for a large site,
    see workers.default_jobs). The output is the same bytes whatever it is. progress(done, total) is
    told how many of the policies' pages are written, as they are.
    """
    return render_site_files(run, out_dir, formats, templates, jobs, progress).all


def render_site_files(run, out_dir: str, formats: Sequence[str] = DEFAULT_FORMATS,
                      templates: Optional[str] = None, jobs: Optional[int] = None,
                      progress: Optional[Callable[[int, int], None]] = None,
                      only: Optional[Collection[str]] = None) -> SiteFiles:
    """render_site, saying which files are whose. With `only`, the site-wide files are written
    and, of the policies' pages, those of the policies in `only` (the others are named, as they
    are, but not rendered: `policylang build` knows them to be up to date); progress counts those."""
    return prepare_site(run, out_dir, formats, templates, jobs, only).write(progress)


class PreparedSite:
    """A site worked out up to its pages: the templates compiled, the site model, and the text of
    the site-wide files (index, search index, assets), nothing written yet. `policylang build`
    prepares the docs while the compile stage's workers run, and writes them after."""

    def __init__(self, env: jinja2.Environment, site: SiteModel, formats: list[str], out_dir: str,
                 contexts: dict[str, dict], site_texts: dict[str, list[tuple[str, str]]], todo: int, jobs: int,
                 only: Optional[Collection[str]], by_format: bool):
        self.env, self.site, self.formats, self.out_dir = env, site, formats, out_dir
        self.contexts = contexts  # per format: what every page's template gets besides its view
        self.site_texts = site_texts  # per format: (path in the site, text) of its site-wide files
        self.todo, self.jobs, self.only, self.by_format = todo, jobs, only, by_format

    def write(self, progress: Optional[Callable[[int, int], None]] = None) -> SiteFiles:
        """Write the site-wide files, then render and write the policies' pages."""
        site_files: dict[str, list[str]] = {}
        for ext in self.formats:
            head = site_files[ext] = []
            for rel, text in self.site_texts[ext]:
                _write(self.out_dir, rel, text, head)
        done = [0]

        def advance(n: int) -> None:
            done[0] += n
            if progress:
                progress(done[0], self.todo)

        renderer = _PageRenderer(self.env, self.site, self.contexts, self.out_dir, self.only, by_format=self.by_format)
        pages = _render_policy_pages(renderer, self.jobs, advance)
        return SiteFiles(self.formats, site_files, self.site.rendered, pages)


def prepare_site(run, out_dir: str, formats: Sequence[str] = DEFAULT_FORMATS, templates: Optional[str] = None,
                 jobs: Optional[int] = None, only: Optional[Collection[str]] = None) -> PreparedSite:
    """Everything render_site_files does before it writes (see PreparedSite); a missing template or
    asset, or an index template that fails, is raised here, before any file is written."""
    unknown = set(formats) - set(FORMATS)
    formats = [f for f in FORMATS if f in set(formats)]
    if unknown or not formats:
        raise UsageError(f"unknown documentation format: {', '.join(sorted(unknown)) or '(none)'}")
    env = make_environment(templates)
    site = SiteModel(run, policies_to_render(run))
    env.globals["fragment"].pinned = site.shared_view_ids
    site.impact_reports = {pid for pid in site.rendered
                           if os.path.isfile(os.path.join(out_dir, impact_page(pid)))}
    assets = {name: _read_asset(name, templates) for name in ASSETS} if "html" in formats else {}
    todo = len(site.rendered) if only is None else len(set(site.rendered) & set(only))
    if jobs is None:
        jobs = workers.default_jobs(todo)
    contexts: dict[str, dict] = {}
    site_texts: dict[str, list[tuple[str, str]]] = {}
    for ext in formats:
        common = contexts[ext] = {"ext": ext}
        texts = site_texts[ext] = []
        if ext == "html":
            search_json = embed_json(search_entries(site))
            texts.append((SEARCH_INDEX_ASSET, search_index_script(search_json)))
            # Still offered to templates, for a custom base.html.j2 that inlines the index
            # (site.js reads an inline <script id="search-index"> when the global is absent).
            common["search_json"] = search_json
        index = build_index(site, ext)
        texts.append((index_page(ext), _render(env, f"index.{ext}.j2", view=index, w=index.words, **common)))
        if ext == "html":
            texts.extend((f"assets/{name}", text) for name, text in assets.items())
    if jobs > 1:
        # Compiled here once, so that the forked workers inherit the templates instead of each
        # compiling them again (a template that fails still fails where it is rendered, as before).
        for ext in formats:
            for name in (f"policy.{ext}.j2", f"overrides.{ext}.j2", f"items.{ext}.j2", f"changes.{ext}.j2",
                         f"macros.{ext}.j2",
                         f"base.{ext}.j2"):
                try:
                    env.get_template(name)
                except Exception:
                    pass
    return PreparedSite(env, site, formats, out_dir, contexts, site_texts, todo, jobs, only, bool(templates))


def language_of(run, policy_id: str) -> str:
    """The page language chosen for a policy ('zh' or 'en'); for tools and tests."""
    site = SiteModel(run, [policy_id])
    return site.language_of(site.policies[policy_id]) if policy_id in site.policies else i18n.EN
