/**
 * The webview's only door to the extension: typed posting of protocol messages, typed state that
 * VS Code keeps while the editor is hidden and across reloads, and request ids for replies.
 */
import { type HostMessage, type TestOutcome, type WebviewMessage } from '../../src/shared/requestEditorProtocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** What survives hiding the editor or reloading the window (the document itself lives in the host). */
export interface PersistedState {
  /** Body template text that is not valid JSON yet, so not in the file. */
  bodyDraft?: string;
  includeToken: boolean;
  lastTest?: TestOutcome;
  scrollTop: number;
}

const api = acquireVsCodeApi();
let requestCounter = 0;

export function post(message: WebviewMessage): void {
  api.postMessage(message);
}

export function newRequestId(): string {
  requestCounter += 1;
  return `r${Date.now().toString(36)}-${requestCounter}`;
}

function isPersistedState(value: unknown): value is PersistedState {
  return typeof value === 'object' && value !== null && typeof (value as PersistedState).includeToken === 'boolean';
}

export function loadState(): PersistedState {
  const stored = api.getState();
  return isPersistedState(stored) ? stored : { includeToken: false, scrollTop: 0 };
}

export function saveState(state: PersistedState): void {
  api.setState(state);
}

export type HostMessageHandler = (message: HostMessage) => void;
