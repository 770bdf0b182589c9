import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';

/** Everything a page of ours loads comes from here; the webviews may read nothing else. */
export function webviewMediaRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'media');
}

export interface WebviewPage {
  /** The bundle in media/dist, e.g. `runView.js`. */
  script: string;
  /** The stylesheet in media/, e.g. `runView.css`. */
  style: string;
  title: string;
  /** What a screen reader hears until the script has drawn the page. */
  loadingText: string;
  /** `main` when the script fills the page's main landmark itself; `div` when it draws its own `<main>`. */
  appElement: 'main' | 'div';
}

/**
 * The one page shell of every webview: a strict Content-Security-Policy (nothing by default; styles,
 * fonts and images from the extension's media folder only; the one script by a fresh nonce), then the
 * script draws the page with DOM calls, so no inline style or script is ever needed.
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const nonce = randomUUID().replace(/-/g, '');
  const media = webviewMediaRoot(extensionUri);
  const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'dist', page.script));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(media, page.style));
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
  <title>${page.title}</title>
</head>
<body>
  <${page.appElement} id="app" aria-busy="true"><p>${page.loadingText}</p></${page.appElement}>
  <script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
