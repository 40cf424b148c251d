// Starts `policylang lsp` for .policy files (policylang/services/lsp.py).
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

// How the server is started: `policylang.command` (default: policylang on the PATH), then
// `--lang` when `policylang.lang` is set, then `lsp`.
function serverOptions(config) {
  const command = config.get("command") || ["policylang"];
  const lang = config.get("lang");
  const args = [...command.slice(1), ...(lang ? ["--lang", lang] : []), "lsp"];
  const server = { command: command[0], args };
  return { run: server, debug: server };
}

function activate(context) {
  const config = vscode.workspace.getConfiguration("policylang");
  client = new LanguageClient("policylang", "policylang", serverOptions(config), {
    documentSelector: [{ scheme: "file", language: "policy" }],
    // A policy file changed on disk (a checkout, another editor) is checked again with the tree.
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.policy") },
  });
  client.start();
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate, serverOptions };
