import type * as vscode from 'vscode';
import { webviewHtml } from '../webviewHtml';

export function runViewHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  return webviewHtml(webview, extensionUri, {
    script: 'runView.js',
    style: 'runView.css',
    title: 'Hotjar Run',
    loadingText: 'Loading the run…',
    appElement: 'main',
  });
}
