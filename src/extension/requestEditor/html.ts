import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';

/** Everything the page loads comes from here; the webview may read nothing else. */
export function mediaRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'media');
}

/**
 * The page: a strict Content-Security-Policy (nothing by default; styles, fonts and images from the
 * extension's media folder only; the one script by nonce), then the script builds the form.
 */
export function requestEditorHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomUUID().replace(/-/g, '');
  const media = mediaRoot(extensionUri);
  const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'dist', 'requestEditor.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'requestEditor.css'));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${style.toString()}">
  <title>Hotjar Request Editor</title>
</head>
<body>
  <div id="app" aria-busy="true"><p>Loading the Hotjar Request Editor…</p></div>
  <script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
