/** The panel's HTML shell: nonce CSP, assets only from dist/webview through asWebviewUri. */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { PANEL_BODY } from './panelMarkup';

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomBytes(18).toString('base64');
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('main.css')}" nonce="${nonce}">
<title>RLM run</title>
</head>
<body>
${PANEL_BODY}<script nonce="${nonce}" src="${asset('main.js')}"></script>
</body>
</html>`;
}
