#!/usr/bin/env python3
"""The language server's latencies, measured through the protocol: diagnostics after an edit and hover.

    python benchmarks/bench_lsp.py [--tree seeds|generated|PATH] [--edits 10] [--hovers 200]

Starts `policylang lsp` (a subprocess over stdio, driven by pygls's LanguageClient, as the tests
do) on a copy of the tree with its own cache folder, opens one municipal or county file, and
measures:

- open: from didOpen to the first diagnostics (a check of the whole tree; the cache is filled by
  `policylang check` first, as after a CI run, unless --cold);
- first hover after opening;
- per edit (alternately a floor lowered below the national one — PL304 with the national rule as
  related information — and its removal): from didChange to the diagnostics that show it (this
  includes the server's 0.25 s pause before checking, DEBOUNCE_SECONDS), then the first hover
  after it;
- hovers with no edit in between: p50 and p99 over --hovers requests on the names of the file.

`--tree generated` writes benchmarks/gen_tree.py's default tree (3,209 policies) into a temporary
folder first. Nothing is sent anywhere but to the server's standard input.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from lsprotocol import types as T
from pygls.lsp.client import LanguageClient

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.path.join(HERE, "..", "policies")
LOWERED_FLOOR = '\noverride param prepayment_ratio: percent floor 10% "预付比例"\n'
NAME = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def uri(path: str) -> str:
    return "file://" + os.path.abspath(path)


class Client(LanguageClient):
    def __init__(self):
        super().__init__("bench-lsp", "1")
        self.published: dict[str, list] = {}

        @self.feature(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _published(params: T.PublishDiagnosticsParams):
            self.published.setdefault(params.uri, []).append(list(params.diagnostics))


def pick_file(root: str) -> str:
    """A municipal or county file that does not override prepayment_ratio (the edit adds that)."""
    candidates = []
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            depth = os.path.relpath(path, root).count(os.sep)
            if name.endswith(".policy") and depth >= 2:
                candidates.append(path)
    for path in sorted(candidates):
        text = open(path, encoding="utf-8").read()
        if "override param prepayment_ratio" not in text and "stent" in path and NAME.search(text):
            return path
    raise SystemExit(f"no file to edit under {root}")


async def wait_for(client: Client, path: str, seen: int, predicate, timeout: float = 900.0) -> float:
    start = time.perf_counter()
    while True:
        got = client.published.get(uri(path), [])
        if len(got) > seen and predicate(got[-1]):
            return time.perf_counter() - start
        if time.perf_counter() - start > timeout:
            raise SystemExit(f"no diagnostics for {path} within {timeout} s")
        await asyncio.sleep(0.005)


async def hover(client: Client, path: str, position: T.Position) -> tuple[float, bool]:
    start = time.perf_counter()
    result = await client.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri=uri(path)), position=position))
    return time.perf_counter() - start, result is not None


def name_positions(text: str) -> list[T.Position]:
    out = []
    for number, line in enumerate(text.split("\n")):
        if line.lstrip().startswith("#"):
            continue
        for m in NAME.finditer(line):
            if '"' not in line[:m.start()] or line[:m.start()].count('"') % 2 == 0:
                out.append(T.Position(line=number, character=m.start() + 1))
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


async def run(root: str, edits: int, hovers: int) -> dict:
    path = pick_file(root)
    text = open(path, encoding="utf-8").read()
    positions = name_positions(text)
    client = Client()
    await client.start_io(sys.executable, "-m", "policylang", "lsp")
    await client.initialize_async(T.InitializeParams(process_id=os.getpid(), capabilities=T.ClientCapabilities(),
                                                     root_uri=uri(os.path.dirname(root))))
    client.initialized(T.InitializedParams())
    figures: dict[str, object] = {"file": os.path.relpath(path, root), "names": len(positions)}
    start = time.perf_counter()
    client.text_document_did_open(T.DidOpenTextDocumentParams(
        text_document=T.TextDocumentItem(uri=uri(path), language_id="policy", version=1, text=text)))
    await wait_for(client, path, 0, lambda ds: True)
    figures["open_s"] = time.perf_counter() - start
    figures["first_hover_ms"] = (await hover(client, path, positions[0]))[0] * 1000
    after_edit_diag, after_edit_hover = [], []
    current, version = text, 1
    for index in range(edits):
        new = text + LOWERED_FLOOR if index % 2 == 0 else text
        rows = current.split("\n")
        seen = len(client.published.get(uri(path), []))
        version += 1
        client.text_document_did_change(T.DidChangeTextDocumentParams(
            text_document=T.VersionedTextDocumentIdentifier(uri=uri(path), version=version),
            content_changes=[T.TextDocumentContentChangePartial(range=T.Range(
                start=T.Position(line=0, character=0),
                end=T.Position(line=len(rows) - 1, character=len(rows[-1]))), text=new)]))
        conflict = index % 2 == 0
        after_edit_diag.append(await wait_for(
            client, path, seen, lambda ds: any(d.code == "PL304" for d in ds) == conflict))
        after_edit_hover.append((await hover(client, path, positions[index % len(positions)]))[0])
        current = new
    steady, answered = [], 0
    for index in range(hovers):
        seconds, ok = await hover(client, path, positions[index % len(positions)])
        steady.append(seconds)
        answered += ok
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    figures.update(
        edits=edits, diag_after_edit_p50_ms=pct(after_edit_diag, 50), diag_after_edit_max_ms=max(after_edit_diag) * 1000,
        first_hover_after_edit_p50_ms=pct(after_edit_hover, 50),
        first_hover_after_edit_max_ms=max(after_edit_hover) * 1000,
        hovers=hovers, answered=answered, hover_p50_ms=pct(steady, 50), hover_p99_ms=pct(steady, 99),
        hover_mean_ms=statistics.mean(steady) * 1000)
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", default="seeds", help="seeds, generated (3,209 policies) or a policies folder")
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--hovers", type=int, default=200)
    parser.add_argument("--cold", action="store_true", help="start the server with an empty cache")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-lsp-") as tmp:
        root = os.path.join(tmp, "policies")
        if args.tree == "generated":
            subprocess.run([sys.executable, os.path.join(HERE, "gen_tree.py"), root], check=True,
                           stdout=subprocess.DEVNULL)
        else:
            shutil.copytree(SEEDS if args.tree == "seeds" else args.tree, root)
        os.environ["POLICYLANG_CACHE_DIR"] = os.path.join(tmp, "cache")
        if not args.cold:  # the usual case: the tree was checked before (by CI, or `policylang check`)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "policylang", "check", root], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            print(f"policylang check (filling the cache)  {time.perf_counter() - start:.1f} s")
        figures = asyncio.run(run(root, args.edits, args.hovers))
    count = sum(1 for _f, _d, files in os.walk(SEEDS) for n in files if n.endswith(".policy")) \
        if args.tree == "seeds" else None
    print(f"tree: {args.tree}" + (f" ({count} policies)" if count else "") + f", file {figures['file']}, "
          f"{figures['names']} name positions")
    print(f"open → first diagnostics      {figures['open_s']:.2f} s")
    print(f"first hover after opening     {figures['first_hover_ms']:.1f} ms")
    print(f"diagnostics after an edit     p50 {figures['diag_after_edit_p50_ms']:.0f} ms, "
          f"max {figures['diag_after_edit_max_ms']:.0f} ms ({figures['edits']} edits, 250 ms pause included)")
    print(f"first hover after an edit     p50 {figures['first_hover_after_edit_p50_ms']:.1f} ms, "
          f"max {figures['first_hover_after_edit_max_ms']:.1f} ms")
    print(f"hover, no edit in between     p50 {figures['hover_p50_ms']:.1f} ms, p99 {figures['hover_p99_ms']:.1f} ms, "
          f"mean {figures['hover_mean_ms']:.1f} ms ({figures['hovers']} requests, {figures['answered']} answered)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
