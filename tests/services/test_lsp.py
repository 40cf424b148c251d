"""The language server, driven through the protocol by a real client (pygls's LanguageClient)
talking to `policylang lsp` in a subprocess over stdio.

(pytest-lsp is not used: its pytest plugin breaks items that are not functions, such as the
policy examples policylang's own pytest plugin collects.)"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import sys

import pytest

pytest.importorskip("pygls")

from lsprotocol import types as T  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402

SEEDS = os.path.join(os.path.dirname(__file__), "..", "..", "policies")
LOWERED_FLOOR = '\noverride param prepayment_ratio: percent floor 10% "预付比例"\n'


def _uri(path: str) -> str:
    return "file://" + os.path.abspath(path)


@pytest.fixture
def tree(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "policies")
    return str(tmp_path / "policies")


class Client(LanguageClient):
    def __init__(self):
        super().__init__("policylang-tests", "1")
        self.diagnostics: dict[str, list[T.Diagnostic]] = {}

        @self.feature(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _published(params: T.PublishDiagnosticsParams):
            self.diagnostics[params.uri] = list(params.diagnostics)


@contextlib.asynccontextmanager
async def _session(tree: str, *args: str):
    client = Client()
    await client.start_io(sys.executable, "-m", "policylang", *args, "lsp")
    try:
        await asyncio.wait_for(client.initialize_async(T.InitializeParams(
            process_id=os.getpid(), capabilities=T.ClientCapabilities(),
            root_uri=_uri(os.path.dirname(tree)))), 60)
        client.initialized(T.InitializedParams())
        yield client
        await asyncio.wait_for(client.shutdown_async(None), 30)
        client.exit(None)
    finally:
        # After a failed assertion the server was never asked to shut down: end it rather than wait
        # for it forever (the failure is then reported instead of the run hanging).
        try:
            await asyncio.wait_for(client.stop(), 15)
        except asyncio.TimeoutError:
            server = getattr(client, "_server", None)
            if server is not None and server.returncode is None:
                server.kill()


def through_the_protocol(*args: str):
    """Run the async test body with a client connected to a fresh `policylang [args] lsp`."""

    def wrap(body):
        def test(tree):
            async def scenario():
                async with _session(tree, *args) as client:
                    await body(client, tree)

            asyncio.run(scenario())

        test.__name__, test.__doc__ = body.__name__, body.__doc__  # not wraps: pytest would read body's arguments
        return test

    return wrap


def _open(client, path: str) -> str:
    text = open(path, encoding="utf-8").read()
    client.text_document_did_open(T.DidOpenTextDocumentParams(
        text_document=T.TextDocumentItem(uri=_uri(path), language_id="policy", version=1, text=text)))
    return text


def _replace_all(client, path: str, old: str, new: str, version: int = 2) -> None:
    rows = old.split("\n")
    end = T.Position(line=len(rows) - 1, character=len(rows[-1]))
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        text_document=T.VersionedTextDocumentIdentifier(uri=_uri(path), version=version),
        content_changes=[T.TextDocumentContentChangePartial(
            range=T.Range(start=T.Position(line=0, character=0), end=end), text=new)]))


async def _diagnostics(client, path: str, predicate, timeout: float = 60.0):
    """Wait until the diagnostics published for `path` satisfy `predicate`."""
    uri = _uri(path)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        diags = client.diagnostics.get(uri)
        if diags is not None and predicate(diags):
            return diags
        if loop.time() > deadline:
            raise AssertionError(f"no such diagnostics for {path}; last: {diags}")
        await asyncio.sleep(0.05)


def _position(text: str, needle: str, offset: int = 1) -> T.Position:
    for number, line in enumerate(text.split("\n")):
        if needle in line:
            return T.Position(line=number, character=line.index(needle) + offset)
    raise AssertionError(needle)


def _codes(diags):
    return {d.code for d in diags}


@through_the_protocol()
async def test_a_conflict_typed_in_is_reported_with_the_parents_rule(client, tree):
    city = os.path.join(tree, "cn", "gd", "chaozhou", "stent-2020.policy")
    text = _open(client, city)
    await _diagnostics(client, city, lambda ds: not any(d.severity == T.DiagnosticSeverity.Error for d in ds))
    _replace_all(client, city, text, text + LOWERED_FLOOR)
    diags = await _diagnostics(client, city, lambda ds: "PL304" in _codes(ds))
    lowered = next(d for d in diags if d.code == "PL304")
    assert lowered.severity == T.DiagnosticSeverity.Error and lowered.source == "policylang"
    assert lowered.range.start.line == len(text.split("\n"))  # the line typed in
    assert "floor" in lowered.message
    related = lowered.related_information
    assert related and related[0].location.uri == _uri(os.path.join(tree, "cn", "stent-2020.policy"))
    national = open(os.path.join(tree, "cn", "stent-2020.policy"), encoding="utf-8").read().split("\n")
    floor_line = next(i for i, line in enumerate(national) if line.startswith("param prepayment_ratio"))
    assert related[0].location.range.start.line == floor_line  # `param prepayment_ratio … floor 30%`
    # The unsaved text was checked, not the file: the file on disk is as it was.
    assert open(city, encoding="utf-8").read() == text
    # Typing the fix clears the finding.
    _replace_all(client, city, text + LOWERED_FLOOR, text, version=3)
    await _diagnostics(client, city, lambda ds: "PL304" not in _codes(ds))


@through_the_protocol("--lang", "zh")
async def test_findings_in_the_configured_language(client, tree):
    city = os.path.join(tree, "cn", "gd", "chaozhou", "stent-2020.policy")
    text = _open(client, city)
    _replace_all(client, city, text, text + LOWERED_FLOOR)
    diags = await _diagnostics(client, city, lambda ds: "PL304" in _codes(ds))
    lowered = next(d for d in diags if d.code == "PL304")
    assert "下限" in lowered.message
    assert "国家级" in lowered.related_information[0].message


@through_the_protocol()
async def test_hover_shows_label_type_value_in_force_and_the_chain(client, tree):
    province = os.path.join(tree, "cn", "gd", "stent-2020.policy")
    text = _open(client, province)
    await _diagnostics(client, province, lambda ds: True)
    hover = await client.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri=_uri(province)),
        position=_position(text, "<= nonselected_listing_cap", 4)))
    value = hover.contents.value
    assert "非中选冠脉支架挂网价格上限" in value and "nonselected_listing_cap" in value
    assert "money" in value and "ceiling 7000 yuan" in value
    assert "provincial" in value and "article 二" in value
    # An inherited name: the level above set it, and the chain says so.
    hover = await client.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri=_uri(province)),
        position=_position(text, "then selected_price", 7)))
    value = hover.contents.value
    assert "中选价格" in value and "cn/stent-2020" in value and "national" in value
    assert "set at the national level by `cn/stent-2020`" in value  # the level that wrote it, not the one reading it


@through_the_protocol()
async def test_definition_of_an_override_goes_to_the_parents_rule(client, tree):
    province = os.path.join(tree, "cn", "gd", "stent-2020.policy")
    national = os.path.join(tree, "cn", "stent-2020.policy")
    text = _open(client, province)
    await _diagnostics(client, province, lambda ds: True)
    locations = await client.text_document_definition_async(T.DefinitionParams(
        text_document=T.TextDocumentIdentifier(uri=_uri(province)),
        position=_position(text, "override param nonselected_payment_cap", 16)))
    assert locations[0].uri == _uri(national)
    national_text = open(national, encoding="utf-8").read()
    assert locations[0].range.start.line == _position(national_text, "param nonselected_payment_cap").line
    # A name used in a formula: its declaration in force.
    locations = await client.text_document_definition_async(T.DefinitionParams(
        text_document=T.TextDocumentIdentifier(uri=_uri(province)),
        position=_position(text, "<= nonselected_listing_cap", 4)))
    assert locations[0].uri == _uri(province)
    assert locations[0].range.start.line == _position(text, "param nonselected_listing_cap").line
    # `extends`: the parent's file.
    locations = await client.text_document_definition_async(T.DefinitionParams(
        text_document=T.TextDocumentIdentifier(uri=_uri(province)), position=_position(text, "extends cn/", 9)))
    assert locations[0].uri == _uri(national)


@through_the_protocol()
async def test_completion_offers_keywords_inherited_names_and_units(client, tree):
    city = os.path.join(tree, "cn", "gd", "chaozhou", "stent-2020.policy")
    text = _open(client, city)
    await _diagnostics(client, city, lambda ds: True)
    result = await client.text_document_completion_async(T.CompletionParams(
        text_document=T.TextDocumentIdentifier(uri=_uri(city)), position=_position(text, "given selected", 6)))
    labels = {item.label: item for item in result.items}
    for expected in ("override", "param", "decision", "when", "floor"):
        assert labels[expected].kind == T.CompletionItemKind.Keyword
    assert "inherited from cn/stent-2020" in labels["selected_price"].detail  # national
    assert "inherited from cn/gd/stent-2020" in labels["nonselected_listing_cap"].detail  # provincial
    assert {"yuan", "months", "at least", "delegated to", "money", "round", "half_up", "municipal"} <= set(labels)
    assert labels["yuan"].kind == T.CompletionItemKind.Unit and "元" in labels["yuan"].detail
    # The file's keywords are English: the Chinese forms are not offered.
    assert not {"覆盖", "参数", "元", "个月", "金额"} & set(labels)


def _chinese(path: str) -> str:
    """Rewrite a seed policy with Chinese keywords, as `policylang fmt --keywords zh` does."""
    from policylang.syntax.formatter import format_source

    text, _diags = format_source(open(path, encoding="utf-8").read(), path, keywords="zh")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return text


@through_the_protocol()
async def test_completion_in_a_chinese_keyword_file_offers_the_chinese_forms(client, tree):
    from policylang.syntax import keywords as K

    city = os.path.join(tree, "cn", "gd", "chaozhou", "stent-2020.policy")
    text = _chinese(city)
    assert "已知 selected" in text and "继承 cn/gd/stent-2020" in text
    _open(client, city)
    await _diagnostics(client, city, lambda ds: not any(d.severity == T.DiagnosticSeverity.Error for d in ds))
    result = await client.text_document_completion_async(T.CompletionParams(
        text_document=T.TextDocumentIdentifier(uri=_uri(city)), position=_position(text, "已知 selected", 3)))
    labels = {item.label: item for item in result.items}
    # Every keyword's Chinese forms (from the one table), the synonyms too; no English keyword.
    for english, forms in K.KEYWORDS:
        for form in forms:
            assert labels[form].kind in (T.CompletionItemKind.Keyword, T.CompletionItemKind.Constant), form
    assert labels["覆盖"].detail == "关键字 · override"
    assert labels["不超过"].detail == "关键字 · at most（同“不高于”）"
    assert not {"override", "param", "when", "at least", "yuan", "money"} & set(labels)
    # Chinese units, types, functions, round()'s words and levels.
    for unit in K.UNITS_ZH.values():
        assert labels[unit].kind == T.CompletionItemKind.Unit
    assert labels["个月"].detail == "单位 · months"
    assert labels["金额"].kind == T.CompletionItemKind.TypeParameter and "money" in labels["金额"].detail
    assert labels["取整"].kind == T.CompletionItemKind.Function and {"四舍五入", "分", "市"} <= set(labels)
    # The names in scope are the same in either keyword language: the inherited ones too.
    assert "inherited from cn/stent-2020" in labels["selected_price"].detail
    assert "inherited from cn/gd/stent-2020" in labels["nonselected_listing_cap"].detail
    # `继承 cn/gd/stent-2020` goes to the parent's file, as `extends` does.
    locations = await client.text_document_definition_async(T.DefinitionParams(
        text_document=T.TextDocumentIdentifier(uri=_uri(city)), position=_position(text, "继承 cn/", 5)))
    assert locations[0].uri == _uri(os.path.join(tree, "cn", "gd", "stent-2020.policy"))


@through_the_protocol()
async def test_completion_in_a_new_or_mixed_file_offers_both_forms(client, tree):
    new = os.path.join(tree, "cn", "gd", "shantou", "stent-2020.policy")
    client.text_document_did_open(T.DidOpenTextDocumentParams(
        text_document=T.TextDocumentItem(uri=_uri(new), language_id="policy", version=1, text="")))
    result = await client.text_document_completion_async(T.CompletionParams(
        text_document=T.TextDocumentIdentifier(uri=_uri(new)), position=T.Position(line=0, character=0)))
    labels = {item.label for item in result.items}
    assert {"policy", "政策", "extends", "继承", "yuan", "元"} <= labels
    mixed = 'policy "汕头"\n层级 市\neffective 2021-01-01\n继承 cn/gd/stent-2020\n'
    _replace_all(client, new, "", mixed)
    result = await client.text_document_completion_async(T.CompletionParams(
        text_document=T.TextDocumentIdentifier(uri=_uri(new)), position=T.Position(line=4, character=0)))
    labels = {item.label for item in result.items}
    assert {"override", "覆盖", "months", "个月"} <= labels


@through_the_protocol()
async def test_formatting_rewrites_the_document_as_fmt_does(client, tree):
    from policylang.syntax.formatter import format_source

    province = os.path.join(tree, "cn", "gd", "stent-2020.policy")
    text = _open(client, province)
    messy = text.replace("input lowest_purchase_price: money", "input   lowest_purchase_price :  money")
    _replace_all(client, province, text, messy)
    edits = await client.text_document_formatting_async(T.DocumentFormattingParams(
        text_document=T.TextDocumentIdentifier(uri=_uri(province)),
        options=T.FormattingOptions(tab_size=4, insert_spaces=True)))
    assert len(edits) == 1 and edits[0].new_text == format_source(messy)[0]
    assert "input lowest_purchase_price: money" in edits[0].new_text
    # Text that does not parse is left alone.
    _replace_all(client, province, messy, messy + "\nparam (", version=3)
    edits = await client.text_document_formatting_async(T.DocumentFormattingParams(
        text_document=T.TextDocumentIdentifier(uri=_uri(province)),
        options=T.FormattingOptions(tab_size=4, insert_spaces=True)))
    assert not edits


@through_the_protocol()
async def test_a_file_changed_on_disk_is_checked_again(client, tree):
    province = os.path.join(tree, "cn", "gd", "stent-2020.policy")
    city = os.path.join(tree, "cn", "gd", "chaozhou", "stent-2020.policy")
    _open(client, province)
    await _diagnostics(client, province, lambda ds: True)
    assert "PL304" not in _codes(client.diagnostics.get(_uri(city), []))
    with open(city, "a", encoding="utf-8") as fh:  # not open in the editor: changed by a checkout
        fh.write(LOWERED_FLOOR)
    client.workspace_did_change_watched_files(T.DidChangeWatchedFilesParams(
        changes=[T.FileEvent(uri=_uri(city), type=T.FileChangeType.Changed)]))
    await _diagnostics(client, city, lambda ds: "PL304" in _codes(ds))


def test_a_tree_parsed_in_parallel_is_checked(tmp_path, monkeypatch):
    """A cold check of a tree large enough to be parsed by worker processes (100 files and more):
    the server's threads must not be copied into the workers (a forked worker waited forever on a
    lock held by the server's I/O thread, and no diagnostics ever came)."""
    import subprocess

    gen = os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks", "gen_tree.py")
    root = tmp_path / "policies"
    subprocess.run([sys.executable, gen, str(root), "--provinces", "4", "--cities", "20", "--counties", "100",
                    "--conflicts", "1"], check=True, capture_output=True)
    monkeypatch.setenv("POLICYLANG_CACHE_DIR", str(tmp_path / "cache"))
    planted = json.load(open(root / "planted.json", encoding="utf-8"))[0]
    path = os.path.join(str(root), *planted["policy"].split("/")) + ".policy"

    async def scenario():
        async with _session(str(root)) as client:
            _open(client, path)
            await _diagnostics(client, path, lambda ds: planted["code"] in _codes(ds), timeout=240)

    asyncio.run(scenario())
