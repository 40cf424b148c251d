"""The VS Code extension's client code and its package.

- extension.js is run under node with stand-ins for the `vscode` module and the language client
  library: activating it starts `policylang [--lang L] lsp` for .policy files, and deactivating
  stops it (a typo in the client fails here, not in an author's editor).
- The .vsix that `.ci/run` builds (`npm ci && npm run package` in editors/vscode; see its README)
  is a zip holding the manifest, the grammar, the language configuration, the client and the
  language client library it needs; the client loads from it with the bundled library.

The tests never run npm: without node, or without a built .vsix that matches the sources, they
skip (and fail under POLICYLANG_CI=1, where `.ci/run` has built it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile

import pytest

from helpers import in_ci, missing_system_tool

HERE = os.path.dirname(__file__)
EXT = os.path.abspath(os.path.join(HERE, "..", "..", "editors", "vscode"))
VSIX = os.path.join(EXT, "policylang.vsix")

# Stand-ins for `vscode` and `vscode-languageclient/node`, installed in node's module cache before
# extension.js is loaded; what the client is asked to do is printed as JSON.
HARNESS = r"""
const Module = require("module");
const path = require("path");
const [extensionPath, configJson, stubClient] = process.argv.slice(1);
const config = JSON.parse(configJson);
const calls = [];
// The language client library reads much of the vscode API when it loads (classes, enums): any
// name not given here is a stand-in function whose properties are stand-ins too.
const anything = () => new Proxy(function () {}, { get: (t, k) => (k === "prototype" ? {} : anything()) });
const vscode = new Proxy({
  workspace: {
    getConfiguration: (section) => ({ get: (key) => config[key] }),
    createFileSystemWatcher: (glob) => ({ glob, dispose() {} }),
  },
}, { get: (t, k) => (k in t ? t[k] : anything()) });
class LanguageClient {
  constructor(id, name, serverOptions, clientOptions) {
    calls.push({ new: { id, name, serverOptions, clientOptions } });
  }
  start() { calls.push("start"); return Promise.resolve(); }
  stop() { calls.push("stop"); return Promise.resolve(); }
}
const stubs = { vscode };
if (stubClient === "stub") stubs["vscode-languageclient/node"] = { LanguageClient };
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request in stubs ? "stub:" + request : resolve.call(this, request, ...rest);
};
for (const [name, exports] of Object.entries(stubs)) {
  require.cache["stub:" + name] = { id: name, filename: name, loaded: true, exports };
}
const ext = require(path.resolve(extensionPath));
const out = { exports: Object.keys(ext).sort() };
if (stubClient === "stub") {
  const context = { subscriptions: [] };
  ext.activate(context);
  out.subscriptions = context.subscriptions.length;
  ext.deactivate();
  out.calls = calls;
}
console.log(JSON.stringify(out));
"""


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        missing_system_tool("node", "install Node.js 20 (Debian's 'nodejs')")
    return node


def _run(extension_js: str, config: dict, stub_client: bool = True) -> dict:
    done = subprocess.run([_node(), "-e", HARNESS, extension_js, json.dumps(config),
                           "stub" if stub_client else "real"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_client_starts_policylang_lsp_for_policy_files():
    out = _run(os.path.join(EXT, "extension.js"), {})
    assert out["exports"] == ["activate", "deactivate", "serverOptions"]
    created = out["calls"][0]["new"]
    assert created["id"] == "policylang"
    assert created["serverOptions"]["run"] == {"command": "policylang", "args": ["lsp"]}
    assert created["clientOptions"]["documentSelector"] == [{"scheme": "file", "language": "policy"}]
    assert created["clientOptions"]["synchronize"]["fileEvents"]["glob"] == "**/*.policy"
    assert out["calls"][1:] == ["start", "stop"] and out["subscriptions"] == 1


def test_the_configured_command_and_language_are_passed_on():
    out = _run(os.path.join(EXT, "extension.js"), {"command": ["/venv/bin/python", "-m", "policylang"], "lang": "zh"})
    server = out["calls"][0]["new"]["serverOptions"]
    assert server["run"] == server["debug"] == {
        "command": "/venv/bin/python", "args": ["-m", "policylang", "--lang", "zh", "lsp"]}
    # The configuration the client reads is the one package.json declares.
    package = json.load(open(os.path.join(EXT, "package.json"), encoding="utf-8"))
    declared = package["contributes"]["configuration"]["properties"]
    assert set(declared) == {"policylang.command", "policylang.lang"}
    assert declared["policylang.lang"]["enum"] == ["", "en", "zh"]


def test_the_command_it_starts_is_the_language_server():
    """`policylang --lang zh lsp` is a command line the CLI accepts (its help, not a server)."""
    import sys

    done = subprocess.run([sys.executable, "-m", "policylang", "--lang", "zh", "lsp", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "lsp" in done.stdout


# ---------------------------------------------------------------- the built package

SHIPPED = ("package.json", "extension.js", "language-configuration.json", "syntaxes/policy.tmLanguage.json")


def _built() -> zipfile.ZipFile:
    why = None
    if not os.path.isfile(VSIX):
        why = "editors/vscode/policylang.vsix is not built"
    else:
        archive = zipfile.ZipFile(VSIX)
        names = set(archive.namelist())
        for name in SHIPPED:
            with open(os.path.join(EXT, name), "rb") as fh:
                if f"extension/{name}" in names and archive.read(f"extension/{name}") != fh.read():
                    why = f"editors/vscode/policylang.vsix is older than {name}"
        if why is None:
            return archive
    message = f"{why}: run `npm ci && npm run package` in editors/vscode (`.ci/run` does)"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def test_the_vsix_holds_the_extension_and_the_client_library():
    archive = _built()
    names = set(archive.namelist())
    assert {"extension.vsixmanifest", "[Content_Types].xml"} <= names
    for name in SHIPPED:
        assert f"extension/{name}" in names, name  # and equal to the sources (_built)
    assert "extension/node_modules/vscode-languageclient/package.json" in names
    assert "extension/node_modules/vscode-languageclient/node.js" in names
    assert any(n.startswith("extension/LICENSE") for n in names)
    # Only what runs: no packaging tools, no lock file, no other package.
    assert not any(n.startswith("extension/node_modules/@vscode/vsce") for n in names)
    assert "extension/package-lock.json" not in names
    manifest = archive.read("extension.vsixmanifest").decode("utf-8")
    package = json.loads(archive.read("extension/package.json"))
    assert f'Version="{package["version"]}"' in manifest and 'Id="policylang"' in manifest
    grammar = json.loads(archive.read("extension/syntaxes/policy.tmLanguage.json"))
    assert grammar["scopeName"] == package["contributes"]["grammars"][0]["scopeName"] == "source.policy"


def test_the_client_loads_from_the_vsix_with_its_bundled_library(tmp_path):
    archive = _built()
    archive.extractall(tmp_path)
    out = _run(str(tmp_path / "extension" / "extension.js"), {}, stub_client=False)
    assert out["exports"] == ["activate", "deactivate", "serverOptions"]


def test_ci_builds_the_package_before_the_tests():
    with open(os.path.join(HERE, "..", "..", ".ci", "run"), encoding="utf-8") as fh:
        script = fh.read()
    build = script.index("npm run --silent package")
    assert "cd editors/vscode && npm ci --ignore-scripts" in script
    assert build < script.index("-m pytest")
    package = json.load(open(os.path.join(EXT, "package.json"), encoding="utf-8"))
    assert package["scripts"]["package"].endswith("--out policylang.vsix")
    assert "@vscode/vsce" in package["devDependencies"] and "vscode-languageclient" in package["dependencies"]
    lock = json.load(open(os.path.join(EXT, "package-lock.json"), encoding="utf-8"))
    assert {"node_modules/@vscode/vsce", "node_modules/vscode-languageclient"} <= set(lock["packages"])
