import type * as vscode from 'vscode';
import { webviewHtml } from '../webviewHtml';

export function requestEditorHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  return webviewHtml(webview, extensionUri, {
    script: 'requestEditor.js',
    style: 'requestEditor.css',
    title: 'Hotjar Request Editor',
    loadingText: 'Loading the Hotjar Request Editor…',
    appElement: 'div',
  });
}
