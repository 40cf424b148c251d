// Starts `policylang lsp` for .policy files (policylang/services/lsp.py).
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("policylang");
  const command = config.get("command") || ["policylang"];
  const lang = config.get("lang");
  const args = [...command.slice(1), ...(lang ? ["--lang", lang] : []), "lsp"];
  const server = { command: command[0], args };
  client = new LanguageClient("policylang", "policylang", { run: server, debug: server }, {
    documentSelector: [{ scheme: "file", language: "policy" }],
  });
  client.start();
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
