/**
 * The one message protocol between the run view's host (src/extension/runView) and its webview
 * (media/webview/runView.ts). Types and validators only: both sides compile this file, so it imports
 * neither `vscode` nor the DOM (only types from the core, which has neither).
 *
 * Handshake: the webview posts `ready` each time its page loads (first open, shown again after being
 * hidden, window reload); the host answers with `show`, the whole state of the run shown. While a run
 * goes the host posts `show` again at most four times a second. Actions that expect an answer carry a
 * `requestId` the host echoes in its `reply`.
 *
 * Messages from the webview are untrusted input: the host passes each one through
 * `parseRunViewMessage` and drops what does not fit. No message names a file: the host acts on the run
 * it shows (the data file for "Open at line", the failed-records file for "Export failed").
 */
import { type RunStats } from '../core/runStatsTypes';

export const RUN_VIEW_TYPE = 'hotjar.runView';

/** What the person may do with the run shown, as the host judges it. */
export interface RunActions {
  /** Failed or skipped records, a failed-records file, a trusted workspace, no send running. */
  retryFailed: boolean;
  /** Interrupted, its destination file known, a trusted workspace, no send running. */
  resume: boolean;
  /** The failed-records file exists. */
  exportFailed: boolean;
  /** This run is being sent from this window. */
  cancel: boolean;
  /** Why Retry and Resume are disabled, when they are (untrusted workspace, a send running…). */
  disabledReason?: string;
}

export interface ShowMessage {
  type: 'show';
  /** The report shown (the page keeps it in its state, for the window's next reload). */
  reportFile: string;
  /** Stats of the run; absent with `error` when the report cannot be read. */
  stats?: RunStats;
  error?: string;
  /** The report file's path relative to the workspace, for the title. */
  reportLabel: string;
  dataFileLabel: string;
  actions: RunActions;
  /**
   * No end line, but the report was written a moment ago: probably a `hotjar-send` still going in a
   * terminal (Resume would send records twice).
   */
  runningElsewhere: boolean;
  /** Most failed/skipped rows the host sends (the rest: Export failed or the report). */
  maxProblems: number;
}

export type RunViewHostMessage =
  | ShowMessage
  /** The answer to an action: done or not, and what to tell the person. */
  | { type: 'reply'; requestId: string; ok: boolean; message?: string };

export type RunViewAction = 'retryFailed' | 'resume' | 'exportFailed' | 'openReport' | 'cancel' | 'openDataFile';
export const RUN_VIEW_ACTIONS: readonly RunViewAction[] = ['retryFailed', 'resume', 'exportFailed', 'openReport', 'cancel', 'openDataFile'];

export type RunViewMessage =
  | { type: 'ready' }
  | { type: 'action'; requestId: string; action: RunViewAction }
  /** Opens the run's data file at this 1-based line. */
  | { type: 'openAtLine'; requestId: string; line: number };

/** Limits that keep a malformed or hostile message from costing much. */
export const RUN_VIEW_LIMITS = Object.freeze({ requestIdLength: 64, maxLine: 2 ** 31 });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRequestId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= RUN_VIEW_LIMITS.requestIdLength && /^[A-Za-z0-9_.:-]+$/.test(value);
}

/** The message if it is a well-formed RunViewMessage (rebuilt from its checked fields), else undefined. */
export function parseRunViewMessage(raw: unknown): RunViewMessage | undefined {
  if (!isPlainObject(raw) || typeof raw.type !== 'string') return undefined;
  const onlyKeys = (...allowed: string[]): boolean => Object.keys(raw).every((key) => key === 'type' || allowed.includes(key));
  switch (raw.type) {
    case 'ready':
      return onlyKeys() ? { type: 'ready' } : undefined;
    case 'action': {
      if (!onlyKeys('requestId', 'action') || !isRequestId(raw.requestId)) return undefined;
      const action = RUN_VIEW_ACTIONS.find((a) => a === raw.action);
      return action ? { type: 'action', requestId: raw.requestId, action } : undefined;
    }
    case 'openAtLine': {
      const { line } = raw;
      if (!onlyKeys('requestId', 'line') || !isRequestId(raw.requestId)) return undefined;
      if (typeof line !== 'number' || !Number.isInteger(line) || line < 1 || line > RUN_VIEW_LIMITS.maxLine) return undefined;
      return { type: 'openAtLine', requestId: raw.requestId, line };
    }
    default:
      return undefined;
  }
}

const HOST_MESSAGE_TYPES: ReadonlySet<string> = new Set<RunViewHostMessage['type']>(['show', 'reply']);

/** The webview's check of what it receives (the host is trusted: the discriminant keeps stray messages out). */
export function isRunViewHostMessage(raw: unknown): raw is RunViewHostMessage {
  return isPlainObject(raw) && typeof raw.type === 'string' && HOST_MESSAGE_TYPES.has(raw.type);
}

/** What the webview keeps across hiding and window reloads (VS Code's webview state). */
export interface RunViewState {
  /** The report shown: the host's serializer reopens it after a reload. */
  reportFile: string;
  filter: string;
  outcome: 'all' | 'failed' | 'skipped';
}

export function isRunViewState(value: unknown): value is RunViewState {
  return (
    isPlainObject(value) &&
    typeof value.reportFile === 'string' &&
    value.reportFile.length > 0 &&
    typeof value.filter === 'string' &&
    (value.outcome === 'all' || value.outcome === 'failed' || value.outcome === 'skipped')
  );
}
