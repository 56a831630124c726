// Starts `specc lsp` (the command in the setting specdsl.server.command) for .spec files.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("specdsl").get("server.command", ["specc", "lsp"]);
  client = new LanguageClient(
    "specdsl",
    "specdsl language server",
    { command, args },
    { documentSelector: [{ scheme: "file", language: "specdsl" }] },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
