import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';

/** Everything the page loads comes from here; the webview may read nothing else. */
export function runViewMediaRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'media');
}

/**
 * The page: a strict Content-Security-Policy (nothing by default; styles, fonts and images from the
 * extension's media folder only; the one script by nonce), then the script draws the run. The chart is
 * SVG built with DOM calls, so no inline style or script is ever needed.
 */
export function runViewHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomUUID().replace(/-/g, '');
  const media = runViewMediaRoot(extensionUri);
  const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'dist', 'runView.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'runView.css'));
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
  <title>Hotjar Run</title>
</head>
<body>
  <main id="app" aria-busy="true"><p>Loading the run…</p></main>
  <script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
