/**
 * The run view's page: what happened to the records of one run, at a glance. Headline figures, a chart
 * of requests and answers per second by status class (plain SVG built with DOM calls: no library, no
 * inline style, themed by VS Code's chart colours), response times, and the failed and skipped records
 * with what to do about them. Nothing is computed about the run here beyond grouping and filtering the
 * rows: the host sends the core's RunStats (src/core/runStats.ts).
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { type ProblemRow, type RunStats, type SeriesPoint, type StatusClass } from '../../src/core/runStatsTypes';
import {
  isRunViewHostMessage,
  isRunViewState,
  type RunViewAction,
  type RunViewHostMessage,
  type RunViewMessage,
  type RunViewState,
  type ShowMessage,
} from '../../src/shared/runViewProtocol';
import { Debouncer, clear, el } from './_dom';

type Button = HTMLElementTagNameMap['vscode-button'];

interface VsCodeApi {
  postMessage(message: RunViewMessage): void;
  getState(): unknown;
  setState(state: RunViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';
/** The order of the stacked bars, bottom up, with their names in words. */
const CLASSES: ReadonlyArray<{ key: StatusClass; label: string; description: string }> = [
  { key: '2xx', label: '2xx', description: 'accepted' },
  { key: '4xx', label: '4xx', description: 'refused (other than 429)' },
  { key: '429', label: '429', description: 'rate limited' },
  { key: '5xx', label: '5xx', description: 'server error' },
  { key: 'network', label: 'network', description: 'no answer (timeout, reset, refused)' },
];
const ROWS_PER_PAGE = 200;

const stored = api.getState();
const state: RunViewState = isRunViewState(stored) ? stored : { reportFile: '', filter: '', outcome: 'all' };
let current: ShowMessage | undefined;
let requestCounter = 0;
const waiting = new Map<string, (reply: Extract<RunViewHostMessage, { type: 'reply' }>) => void>();

// ---------------------------------------------------------------------------------------------
// Formatting

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1, minimumFractionDigits: 1 });

function count(value: number): string {
  return integer.format(value);
}

function plural(value: number, one: string, many = `${one}s`): string {
  return `${count(value)} ${value === 1 ? one : many}`;
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${decimal.format(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** `24.4 s`, `1m 29s`, `2h 05m`: fits a tile. */
function compactDuration(ms: number): string {
  if (ms < 60_000) return duration(ms);
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

function clock(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

function rate(perSecond: number): string {
  if (perSecond >= 10) return `${count(perSecond)}/s`;
  if (perSecond >= 1) return `${decimal.format(perSecond)}/s`;
  return `${count(perSecond * 60)}/min`;
}

function percent(part: number, whole: number): string {
  if (whole <= 0) return '';
  const value = (part / whole) * 100;
  return `${value > 0 && value < 0.1 ? '< 0.1' : value >= 99.9 && value < 100 ? '> 99.9' : decimal.format(value)} %`;
}

// ---------------------------------------------------------------------------------------------
// Talking to the host

function post(message: RunViewMessage): void {
  api.postMessage(message);
}

function request(build: (requestId: string) => RunViewMessage, onReply?: (reply: Extract<RunViewHostMessage, { type: 'reply' }>) => void): void {
  requestCounter += 1;
  const requestId = `r${Date.now().toString(36)}-${requestCounter}`;
  waiting.set(requestId, (reply) => {
    if (reply.message) announce(reply.message);
    else if (!reply.ok) announce('That did not work; see the Hotjar log.');
    onReply?.(reply);
  });
  post(build(requestId));
}

function act(action: RunViewAction, button?: Button): void {
  if (button) button.disabled = true;
  request(
    (requestId) => ({ type: 'action', requestId, action }),
    () => {
      if (button && current) renderActions(current);
    },
  );
}

function saveState(): void {
  api.setState(state);
}

// ---------------------------------------------------------------------------------------------
// The page's parts, built once

function button(label: string, onClick: (b: Button) => void, options: { secondary?: boolean; id: string; title?: string }): Button {
  const element = el('vscode-button', { text: label, id: options.id });
  if (options.secondary) element.secondary = true;
  if (options.title) element.title = options.title;
  element.addEventListener('click', () => {
    if (!element.disabled) onClick(element);
  });
  return element;
}

const announcer = el('div', { className: 'visually-hidden', attrs: { 'aria-live': 'polite', role: 'status' } });
const titleText = el('h1', { id: 'run-title' });
const statusPill = el('span', { className: 'pill', id: 'run-status' });
const meta = el('p', { className: 'meta', id: 'run-meta' });
const progressBar = el('vscode-progress-bar', { id: 'run-progress' });
const progressText = el('span', { className: 'progress-text' });
const progressRow = el('div', { className: 'progress-row' }, progressBar, progressText);
const notices = el('div', { className: 'notices', id: 'run-notices' });

const retryButton = button('Retry Failed', (b) => act('retryFailed', b), { id: 'retry-failed', title: 'Send the failed and skipped records again, to the same destination' });
const resumeButton = button('Resume', (b) => act('resume', b), { id: 'resume', title: 'Continue the run where it stopped; delivered records are not sent again' });
const cancelButton = button('Cancel', (b) => act('cancel', b), { id: 'cancel', secondary: true, title: 'No new requests; those in flight finish. Resume sends the rest later.' });
const exportButton = button('Export Failed…', (b) => act('exportFailed', b), { id: 'export-failed', secondary: true, title: 'Save the failed and skipped records (in the data file’s format) somewhere else' });
const reportButton = button('Open Report', () => act('openReport'), { id: 'open-report', secondary: true, title: 'The report: one JSON line per request and record' });
const dataButton = button('Open Data File', () => act('openDataFile'), { id: 'open-data', secondary: true });
const actionsRow = el('div', { className: 'actions', attrs: { role: 'toolbar', 'aria-label': 'Run actions' } }, retryButton, resumeButton, cancelButton, exportButton, reportButton, dataButton);

const tiles = el('dl', { className: 'tiles', id: 'figures' });

const chartHost = el('div', { className: 'chart', id: 'chart' });
const chartReadout = el('p', { className: 'readout', id: 'chart-readout', attrs: { 'aria-live': 'polite' } });
const legend = el('ul', { className: 'legend', attrs: { 'aria-label': 'Legend' } });
legend.append(el('li', {}, el('span', { className: 'swatch line requests', attrs: { 'aria-hidden': 'true' } }), 'requests started'));
for (const c of CLASSES) legend.append(el('li', { attrs: { title: c.description } }, el('span', { className: `swatch c-${c.key}`, attrs: { 'aria-hidden': 'true' } }), c.label));
const chartNote = el('p', { className: 'note' });

const percentiles = el('dl', { className: 'percentiles', id: 'latency' });
const distribution = el('div', { className: 'distribution', id: 'latency-distribution' });

const reasonsList = el('div', { className: 'reasons', id: 'reasons', attrs: { role: 'group', 'aria-label': 'Reasons' } });
const filterField = el('vscode-textfield', { id: 'problem-filter' });
filterField.placeholder = 'Filter by line, status or reason';
filterField.setAttribute('aria-label', 'Filter the failed and skipped records');
const outcomeSelect = el('vscode-single-select', { id: 'problem-outcome' });
outcomeSelect.setAttribute('aria-label', 'Outcome');
for (const [value, label] of [
  ['all', 'Failed and skipped'],
  ['failed', 'Failed only'],
  ['skipped', 'Skipped only'],
] as const) {
  const option = el('vscode-option', { text: label });
  option.value = value;
  outcomeSelect.append(option);
}
const problemsCount = el('span', { className: 'count', id: 'problems-count' });
const problemsHeading = el('h2', { id: 'problems-heading' }, 'Failed and skipped records ', problemsCount);
const tableBody = el('tbody');
const table = el(
  'table',
  { className: 'problems-table', id: 'problems', attrs: { 'aria-labelledby': 'problems-heading' } },
  el(
    'thead',
    {},
    el(
      'tr',
      {},
      el('th', { text: 'Line', attrs: { scope: 'col' }, className: 'num' }),
      el('th', { text: 'Outcome', attrs: { scope: 'col' } }),
      el('th', { text: 'Status', attrs: { scope: 'col' }, className: 'num' }),
      el('th', { text: 'Attempts', attrs: { scope: 'col' }, className: 'num' }),
      el('th', { text: 'Reason', attrs: { scope: 'col' } }),
      el('th', { attrs: { scope: 'col' } }, el('span', { className: 'visually-hidden', text: 'Actions' })),
    ),
  ),
  tableBody,
);
const tableFooter = el('div', { className: 'table-footer' });
const noProblems = el('p', { className: 'empty', id: 'no-problems' });
let shownRows = ROWS_PER_PAGE;
let tableSignature = '';

const problemsSection = el(
  'section',
  { className: 'card problems-card', attrs: { 'aria-labelledby': 'problems-heading' } },
  problemsHeading,
  reasonsList,
  el('div', { className: 'filters' }, filterField, outcomeSelect),
  noProblems,
  el('div', { className: 'table-scroll' }, table),
  tableFooter,
);

function buildPage(): void {
  const app = document.getElementById('app')!;
  clear(app);
  app.removeAttribute('aria-busy');
  app.append(
    el(
      'header',
      { className: 'run-header' },
      el('div', { className: 'title-row' }, titleText, statusPill),
      meta,
      progressRow,
      notices,
      actionsRow,
    ),
    el('section', { attrs: { 'aria-label': 'Figures' } }, tiles),
    el(
      'div',
      { className: 'panels' },
      el(
        'section',
        { className: 'card chart-card', attrs: { 'aria-labelledby': 'chart-heading' } },
        el('div', { className: 'card-title' }, el('h2', { id: 'chart-heading', text: 'Requests and answers per second' }), legend),
        chartHost,
        chartReadout,
        chartNote,
      ),
      el(
        'section',
        { className: 'card latency-card', attrs: { 'aria-labelledby': 'latency-heading' } },
        el('h2', { id: 'latency-heading', text: 'Response time' }),
        percentiles,
        distribution,
      ),
    ),
    problemsSection,
    announcer,
  );
  filterField.value = state.filter;
  outcomeSelect.value = state.outcome;
  const filterDebouncer = new Debouncer(150);
  filterField.addEventListener('input', () =>
    filterDebouncer.schedule(() => {
      state.filter = filterField.value;
      saveState();
      shownRows = ROWS_PER_PAGE;
      if (current) renderProblems(current, true);
    }),
  );
  outcomeSelect.addEventListener('change', () => {
    const value = outcomeSelect.value;
    state.outcome = value === 'failed' || value === 'skipped' ? value : 'all';
    saveState();
    shownRows = ROWS_PER_PAGE;
    if (current) renderProblems(current, true);
  });
  new ResizeObserver(() => {
    if (current?.stats) renderChart(current.stats);
  }).observe(chartHost);
}

function announce(message: string): void {
  announcer.textContent = '';
  announcer.textContent = message;
}

// ---------------------------------------------------------------------------------------------
// Rendering a `show`

function statusOf(message: ShowMessage): { text: string; kind: 'running' | 'ok' | 'warn' | 'error' } {
  const stats = message.stats;
  if (!stats) return { text: 'Unreadable', kind: 'error' };
  if (stats.running) return { text: 'Sending', kind: 'running' };
  if (message.runningElsewhere) return { text: 'Running elsewhere?', kind: 'running' };
  if (stats.interrupted) return { text: stats.error && stats.error !== 'Cancelled.' ? 'Stopped' : 'Interrupted', kind: 'warn' };
  if (stats.failed > 0) return { text: 'Finished with failures', kind: 'error' };
  if (stats.skipped > 0) return { text: 'Finished, some skipped', kind: 'warn' };
  return { text: 'All delivered', kind: 'ok' };
}

let lastStatusText = '';

function render(message: ShowMessage): void {
  const previous = current;
  current = message;
  if (state.reportFile !== message.reportFile) {
    if (state.reportFile) {
      state.filter = '';
      state.outcome = 'all';
      filterField.value = '';
      outcomeSelect.value = 'all';
    }
    state.reportFile = message.reportFile;
    saveState();
    shownRows = ROWS_PER_PAGE;
  }
  const { stats } = message;
  const status = statusOf(message);
  titleText.textContent = stats ? `${message.dataFileLabel || stats.dataFile} → ${stats.destination.name}` : message.reportLabel;
  document.title = `Run: ${titleText.textContent}`;
  statusPill.textContent = status.text;
  statusPill.className = `pill ${status.kind}`;
  if (status.text !== lastStatusText) {
    if (lastStatusText) announce(`Run ${status.text.toLowerCase()}.`);
    lastStatusText = status.text;
  }
  renderNotices(message);
  renderActions(message);
  if (!stats) {
    meta.textContent = message.reportLabel;
    progressRow.hidden = true;
    for (const part of [tiles, problemsSection, chartHost.closest('.panels')]) if (part instanceof HTMLElement) part.hidden = true;
    return;
  }
  for (const part of [tiles, problemsSection, chartHost.closest('.panels')]) if (part instanceof HTMLElement) part.hidden = false;
  renderMeta(message, stats);
  renderProgress(stats);
  renderTiles(stats);
  renderChart(stats);
  renderLatency(stats);
  renderProblems(message, previous?.reportFile !== message.reportFile);
}

function renderMeta(message: ShowMessage, stats: RunStats): void {
  const parts = [
    stats.destination.method ? `${stats.destination.method} ${stats.destination.url}` : undefined,
    `started ${new Date(stats.startedAt).toLocaleString()}`,
    stats.sessions > 1 ? plural(stats.sessions, 'session') : undefined,
    stats.fromLine !== undefined || stats.toLine !== undefined ? `lines ${stats.fromLine ?? 1}–${stats.toLine ?? 'end'}` : undefined,
    stats.client ? `by ${stats.client}` : undefined,
    message.reportLabel,
  ];
  meta.textContent = parts.filter(Boolean).join(' · ');
}

function renderProgress(stats: RunStats): void {
  const live = stats.live;
  progressRow.hidden = !stats.running;
  if (!stats.running) return;
  const settled = stats.delivered + stats.failed + stats.skipped;
  if (live?.total !== undefined && live.total > 0) {
    progressBar.max = live.total;
    progressBar.value = Math.min(live.total, live.done);
    progressText.textContent = `${count(live.done)} of ${plural(live.total, 'record')}`;
  } else if (live && live.totalBytes > 0) {
    const read = Math.min(live.bytesRead, live.totalBytes);
    progressBar.max = live.totalBytes;
    progressBar.value = read;
    progressText.textContent = `${plural(settled, 'record')} done · ${percent(read, live.totalBytes)} of the file read`;
  } else {
    progressBar.indeterminate = true;
    progressText.textContent = `${plural(settled, 'record')}`;
  }
  progressBar.ariaLabel = progressText.textContent;
  if (live && live.inFlight > 0) progressText.textContent += ` · ${count(live.inFlight)} in flight`;
}

function renderNotices(message: ShowMessage): void {
  clear(notices);
  const add = (text: string, kind: 'info' | 'warn' | 'error'): void => {
    notices.append(el('p', { className: `notice ${kind}`, text }));
  };
  const stats = message.stats;
  if (message.error) add(message.error, 'error');
  if (!stats) return;
  if (message.runningElsewhere) {
    add('This report has no end yet and was written a moment ago: the run probably still goes in a terminal or another window. The figures follow it.', 'info');
  }
  if (stats.error && stats.error !== 'Cancelled.') add(`Stopped: ${stats.error}`, 'error');
  else if (stats.interrupted && !message.runningElsewhere) {
    const left = stats.pending + stats.uncertain;
    add(`${stats.error === 'Cancelled.' ? 'Cancelled' : 'Interrupted'}${left > 0 ? ` with ${plural(left, 'record')} not sent yet` : ''}. Resume continues where it stopped; delivered records are not sent again.`, 'warn');
  }
  if (stats.possibleDuplicates > 0) {
    add(`${plural(stats.possibleDuplicates, 'delivered record')} may have reached the API twice: an earlier attempt lost its answer.`, 'info');
  }
  if (message.actions.disabledReason && !stats.running) add(message.actions.disabledReason, 'info');
  if (stats.damagedLines > 0) add(`${plural(stats.damagedLines, 'report line')} could not be read (torn by a kill).`, 'warn');
}

function renderActions(message: ShowMessage): void {
  const { actions, stats } = message;
  const problems = stats ? stats.failed + stats.skipped : 0;
  retryButton.textContent = problems > 0 ? `Retry ${plural(problems, 'Failed Record')}` : 'Retry Failed';
  const running = Boolean(stats?.running);
  retryButton.hidden = problems === 0 || running;
  retryButton.disabled = !actions.retryFailed;
  retryButton.secondary = Boolean(stats?.interrupted);
  resumeButton.hidden = !stats?.interrupted || stats.running;
  resumeButton.disabled = !actions.resume;
  cancelButton.hidden = !actions.cancel;
  cancelButton.disabled = false;
  exportButton.hidden = problems === 0 || running;
  exportButton.disabled = !actions.exportFailed;
  reportButton.disabled = false;
  dataButton.hidden = !stats;
  const reason = actions.disabledReason ?? '';
  for (const b of [retryButton, resumeButton]) b.title = b.disabled && reason ? reason : b.id === 'resume' ? 'Continue the run where it stopped; delivered records are not sent again' : 'Send the failed and skipped records again, to the same destination';
}

function tile(label: string, value: string, options: { sub?: string; kind?: string; id: string; title?: string }): HTMLElement {
  const box = el(
    'div',
    { className: `tile${options.kind ? ` ${options.kind}` : ''}`, id: options.id },
    el('dt', { text: label }),
    el('dd', { className: 'value', text: value }),
    options.sub ? el('dd', { className: 'sub', text: options.sub }) : undefined,
  );
  if (options.title) box.title = options.title;
  return box;
}

function renderTiles(stats: RunStats): void {
  const settled = stats.delivered + stats.failed + stats.skipped;
  const whole = settled + stats.pending + stats.uncertain;
  const left = stats.pending + stats.uncertain;
  const parts = [
    tile('Delivered', count(stats.delivered), { id: 'tile-delivered', kind: 'ok', sub: percent(stats.delivered, whole) }),
    tile('Failed', count(stats.failed), { id: 'tile-failed', kind: stats.failed > 0 ? 'error' : undefined, sub: stats.failed > 0 ? percent(stats.failed, whole) : undefined }),
    tile('Skipped', count(stats.skipped), { id: 'tile-skipped', kind: stats.skipped > 0 ? 'warn' : undefined, sub: stats.skipped > 0 ? 'not sendable' : undefined, title: 'Records that could not be read or rendered: never sent' }),
    stats.running
      ? stats.live?.total !== undefined
        ? tile('To go', count(left), { id: 'tile-pending', title: 'Read, no outcome yet' })
        : undefined
      : left > 0
        ? tile('Not sent', count(left), { id: 'tile-pending', kind: 'warn', title: 'Resume sends them' })
        : undefined,
    tile('Elapsed', compactDuration(stats.elapsedMs), { id: 'tile-elapsed', sub: stats.sessions > 1 ? `${plural(stats.sessions, 'session')}` : undefined, title: duration(stats.elapsedMs) }),
    tile('Rate', rate(stats.recordsPerSecond), { id: 'tile-rate', sub: 'records', title: 'Records with an outcome per second of running time' }),
    tile('Requests', count(stats.requests), { id: 'tile-requests', sub: 'HTTP calls', title: 'Requests sent, retries included' }),
    tile('Retries', count(stats.retries), { id: 'tile-retries', kind: stats.retries > 0 ? 'warn' : undefined }),
    tile('429s', count(stats.rateLimited), { id: 'tile-429', kind: stats.rateLimited > 0 ? 'warn' : undefined, sub: stats.rateLimited > 0 ? 'slowed down' : 'rate limited', title: 'Answers 429 Too Many Requests: the run slowed down and retried them' }),
  ];
  tiles.replaceChildren(...parts.filter((p): p is HTMLElement => p !== undefined));
}

// ---------------------------------------------------------------------------------------------
// The chart

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: Array<SVGElement | string>): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child);
  return element;
}

/** A round upper bound and step for an axis from 0 to max. */
function niceScale(max: number, ticks = 4): { top: number; step: number } {
  if (max <= 0) return { top: 1, step: 0.25 };
  const raw = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  return { top: Math.ceil(max / step) * step, step };
}

const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400];

let selected: number | undefined;
let chartPoints: SeriesPoint[] = [];
let chartBucket = 1;

function total(point: SeriesPoint): number {
  return CLASSES.reduce((sum, c) => sum + point.responses[c.key], 0);
}

function renderChart(stats: RunStats): void {
  const { series } = stats;
  chartPoints = series.points;
  chartBucket = series.bucketSeconds;
  const width = Math.max(280, Math.floor(chartHost.clientWidth || 600));
  const height = 220;
  const margin = { left: 44, right: 10, top: 10, bottom: 26 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const span = Math.max(series.durationSeconds, 10 * series.bucketSeconds, 10);
  const peak = Math.max(0, ...series.points.map((p) => Math.max(total(p), p.requests)));
  const { top, step } = niceScale(peak * 1.05);
  const x = (seconds: number): number => margin.left + (seconds / span) * plotWidth;
  const y = (value: number): number => margin.top + plotHeight - (value / top) * plotHeight;
  const barWidth = Math.max(1, (series.bucketSeconds / span) * plotWidth);
  const gap = barWidth > 4 ? 1 : 0;

  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'chart-svg', role: 'img', 'aria-labelledby': 'chart-heading chart-summary' });
  const summaryId = svg('desc', { id: 'chart-summary' }, chartSummary(stats, peak));
  root.append(summaryId);

  const grid = svg('g', { class: 'grid', 'aria-hidden': 'true' });
  for (let value = 0; value <= top + step / 2; value += step) {
    grid.append(svg('line', { x1: margin.left, x2: width - margin.right, y1: y(value), y2: y(value) }));
    grid.append(svg('text', { x: margin.left - 6, y: y(value) + 4, 'text-anchor': 'end', class: 'tick' }, Number.isInteger(value) ? count(value) : decimal.format(value)));
  }
  const timeStep = TIME_STEPS.find((s) => span / s <= Math.max(2, Math.floor(plotWidth / 70))) ?? TIME_STEPS.at(-1)!;
  for (let t = 0; t <= span; t += timeStep) {
    grid.append(svg('text', { x: x(t), y: height - 8, 'text-anchor': t === 0 ? 'start' : 'middle', class: 'tick' }, clock(t)));
  }
  root.append(grid);

  const bars = svg('g', { class: 'bars', 'aria-hidden': 'true' });
  for (const point of series.points) {
    let base = 0;
    for (const c of CLASSES) {
      const value = point.responses[c.key];
      if (value <= 0) continue;
      const y0 = y(base);
      const y1 = y(base + value);
      bars.append(svg('rect', { x: x(point.t) + gap / 2, y: y1, width: Math.max(1, barWidth - gap), height: Math.max(0.5, y0 - y1), class: `c-${c.key}` }));
      base += value;
    }
  }
  root.append(bars);

  if (series.points.length > 0) {
    const path = series.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${(x(p.t) + barWidth / 2).toFixed(1)},${y(p.requests).toFixed(1)}`).join(' ');
    root.append(svg('path', { d: path, class: 'requests-line', 'aria-hidden': 'true' }));
  }
  for (const start of series.sessionStarts) {
    root.append(svg('line', { x1: x(start), x2: x(start), y1: margin.top, y2: margin.top + plotHeight, class: 'session-start', 'aria-hidden': 'true' }));
    root.append(svg('text', { x: x(start) + 4, y: margin.top + 10, class: 'tick session-label', 'aria-hidden': 'true' }, 'resumed'));
  }
  root.append(svg('line', { x1: margin.left, x2: width - margin.right, y1: y(0), y2: y(0), class: 'axis', 'aria-hidden': 'true' }));

  const cursor = svg('rect', { x: 0, y: margin.top, width: barWidth, height: plotHeight, class: 'cursor', visibility: 'hidden', 'aria-hidden': 'true' });
  root.append(cursor);
  const pick = (index: number | undefined): void => {
    selected = index;
    const point = index === undefined ? undefined : chartPoints[index];
    if (!point) {
      cursor.setAttribute('visibility', 'hidden');
      chartReadout.textContent = readoutIdle(stats);
      return;
    }
    cursor.setAttribute('x', String(x(point.t)));
    cursor.setAttribute('visibility', 'visible');
    chartReadout.textContent = readoutOf(point);
  };
  root.addEventListener('mousemove', (event) => {
    const box = root.getBoundingClientRect();
    const seconds = ((event.clientX - box.left - margin.left) / plotWidth) * span;
    const index = Math.floor(seconds / chartBucket);
    pick(index >= 0 && index < chartPoints.length ? index : undefined);
  });
  root.addEventListener('mouseleave', () => pick(undefined));
  root.tabIndex = 0;
  root.addEventListener('keydown', (event) => {
    if (chartPoints.length === 0) return;
    const last = chartPoints.length - 1;
    const keys: Record<string, number> = { ArrowLeft: (selected ?? last + 1) - 1, ArrowRight: (selected ?? -1) + 1, Home: 0, End: last };
    if (!(event.key in keys)) {
      if (event.key === 'Escape') pick(undefined);
      return;
    }
    event.preventDefault();
    pick(Math.max(0, Math.min(last, keys[event.key])));
  });
  root.addEventListener('blur', () => pick(undefined));
  chartHost.replaceChildren(root);
  pick(selected !== undefined && selected < chartPoints.length ? selected : undefined);
  chartNote.textContent = [
    series.bucketSeconds > 1 ? `Each bar: ${duration(series.bucketSeconds * 1000)} averaged.` : '',
    series.approximate ? 'An older report without a line per answer: only each record’s last answer is shown.' : '',
    'Hover or use the arrow keys on the chart for a bar’s figures.',
  ]
    .filter(Boolean)
    .join(' ');
}

function chartSummary(stats: RunStats, peak: number): string {
  const answers = CLASSES.filter((c) => stats.responses[c.key] > 0).map((c) => `${c.label} ${count(stats.responses[c.key])}`);
  return `Over ${duration(stats.series.durationSeconds * 1000)}: peak ${decimal.format(peak)} per second. Answers ${answers.length > 0 ? answers.join(', ') : 'none yet'}.`;
}

function readoutIdle(stats: RunStats): string {
  const answers = CLASSES.map((c) => `${c.label} ${count(stats.responses[c.key])}`).join(' · ');
  return `${stats.running ? 'Answers so far' : 'Answers'}: ${answers}.`;
}

function readoutOf(point: SeriesPoint): string {
  const span = chartBucket > 1 ? `${clock(point.t)}–${clock(point.t + chartBucket)}` : clock(point.t);
  const answers = CLASSES.filter((c) => point.responses[c.key] > 0).map((c) => `${c.label} ${decimal.format(point.responses[c.key])}`);
  return `${span}: ${decimal.format(point.requests)} requests/s; answers/s ${answers.length > 0 ? answers.join(', ') : 'none'}.`;
}

// ---------------------------------------------------------------------------------------------
// Response times

function renderLatency(stats: RunStats): void {
  const { latency } = stats;
  clear(percentiles);
  clear(distribution);
  if (latency.count === 0 || latency.p50 === undefined) {
    percentiles.append(el('div', { className: 'empty' }, el('dt', { text: 'No answers yet' }), el('dd', { text: '' })));
    return;
  }
  const entries: Array<[string, number | undefined, string]> = [
    ['p50', latency.p50, 'Half the answers came faster'],
    ['p95', latency.p95, '95 % of the answers came faster'],
    ['p99', latency.p99, '99 % of the answers came faster'],
    ['max', latency.max, 'The slowest answer'],
  ];
  for (const [label, value, title] of entries) {
    percentiles.append(el('div', { className: `percentile ${label}`, attrs: { title } }, el('dt', { text: label }), el('dd', { text: value === undefined ? '–' : duration(value) })));
  }
  const biggest = Math.max(1, ...latency.distribution.map((b) => b.count));
  const list = el('ul', { attrs: { 'aria-label': `Distribution of ${plural(latency.count, 'answer')}` } });
  for (const bin of latency.distribution) {
    const label = bin.toMs === undefined ? `≥ ${duration(bin.fromMs)}` : `${bin.fromMs === 0 ? '< ' : `${duration(bin.fromMs)}–`}${duration(bin.toMs)}`;
    const bar = svg('svg', { class: 'bin-bar', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true' }, svg('rect', { x: 0, y: 0, height: 10, width: Math.max(bin.count > 0 ? 1 : 0, (bin.count / biggest) * 100) }));
    list.append(el('li', { attrs: { 'aria-label': `${label}: ${plural(bin.count, 'answer')}` } }, el('span', { className: 'bin-label', text: label }), bar, el('span', { className: 'bin-count', text: count(bin.count) })));
  }
  distribution.append(list, el('p', { className: 'note', text: `${plural(latency.count, 'answer')} measured, every attempt included; mean ${duration(latency.mean ?? 0)}.` }));
}

// ---------------------------------------------------------------------------------------------
// Failed and skipped records

/** A reason without the record's own line number, so that equal reasons group. */
function reasonKey(row: ProblemRow): string {
  return (row.reason ?? (row.status ? `HTTP ${row.status}` : row.state)).replace(/^line \d+: /, '').replace(/ \(line \d+\)/g, '');
}

function matches(row: ProblemRow, filter: string): boolean {
  if (state.outcome !== 'all' && row.state !== state.outcome) return false;
  if (!filter) return true;
  const needle = filter.toLowerCase();
  return [String(row.line), row.state, row.status === undefined ? 'network' : String(row.status), row.reason ?? '', row.response ?? ''].some((text) => text.toLowerCase().includes(needle));
}

function renderProblems(message: ShowMessage, force = false): void {
  const stats = message.stats;
  if (!stats) return;
  const rows = stats.problems;
  const signature = `${state.filter}|${state.outcome}|${shownRows}|${stats.problemsTotal}|${rows.map((r) => `${r.index}:${r.state}:${r.attempts}:${r.status ?? ''}:${r.retryable ? 1 : 0}:${r.response?.length ?? 0}`).join(',')}`;
  problemsCount.textContent = stats.problemsTotal > 0 ? `(${count(stats.problemsTotal)})` : '';
  if (!force && signature === tableSignature) return;
  tableSignature = signature;
  renderReasons(rows);
  const none = stats.problemsTotal === 0;
  noProblems.hidden = !none;
  noProblems.textContent = stats.running ? 'None so far.' : stats.delivered > 0 && !stats.interrupted ? 'None: every record was delivered.' : 'None.';
  for (const part of [table, tableFooter, filterField.parentElement, reasonsList]) if (part instanceof HTMLElement) part.hidden = none;
  if (none) return;

  const focusedLine = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.line : undefined;
  const visible = rows.filter((row) => matches(row, state.filter.trim()));
  const page = visible.slice(0, shownRows);
  tableBody.replaceChildren(...page.map((row) => problemRow(row, message.dataFileLabel)));
  clear(tableFooter);
  const hiddenByCap = stats.problemsTotal - rows.length;
  const text =
    visible.length === rows.length
      ? `${plural(page.length, 'record')} shown${page.length < visible.length ? ` of ${count(visible.length)}` : ''}.`
      : `${count(Math.min(page.length, visible.length))} of ${count(visible.length)} matching (${count(rows.length)} in all).`;
  tableFooter.append(el('span', { text: `${text}${hiddenByCap > 0 ? ` The first ${count(rows.length)} of ${count(stats.problemsTotal)} are listed here; Export Failed has them all.` : ''}` }));
  if (page.length < visible.length) {
    tableFooter.append(
      button(`Show ${count(Math.min(ROWS_PER_PAGE, visible.length - page.length))} More`, () => {
        shownRows += ROWS_PER_PAGE;
        if (current) renderProblems(current, true);
      }, { id: 'show-more', secondary: true }),
    );
  }
  if (focusedLine) {
    const again = tableBody.querySelector<HTMLElement>(`[data-line="${CSS.escape(focusedLine)}"]`);
    again?.focus();
  }
}

function renderReasons(rows: readonly ProblemRow[]): void {
  const groups = new Map<string, number>();
  for (const row of rows) groups.set(reasonKey(row), (groups.get(reasonKey(row)) ?? 0) + 1);
  const sorted = [...groups.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
  reasonsList.replaceChildren(
    el('span', { className: 'reasons-label', text: sorted.length > 1 ? 'Most common reasons:' : 'Reason:' }),
    ...sorted.map(([reason, n]) => {
      const chip = el('button', { className: 'reason', attrs: { type: 'button', title: `Show only: ${reason}` } }, el('span', { className: 'reason-count', text: `${count(n)} ×` }), ` ${reason}`);
      chip.addEventListener('click', () => {
        const needle = reason.length > 60 ? reason.slice(0, 60) : reason;
        state.filter = state.filter === needle ? '' : needle;
        filterField.value = state.filter;
        saveState();
        shownRows = ROWS_PER_PAGE;
        if (current) renderProblems(current, true);
      });
      return chip;
    }),
  );
}

function problemRow(row: ProblemRow, dataFileLabel: string): HTMLTableRowElement {
  const open = el('button', { className: 'link', text: 'Open at line', attrs: { type: 'button', 'aria-label': `Open ${dataFileLabel} at line ${row.line}` } });
  open.dataset.line = String(row.line);
  open.addEventListener('click', () => request((requestId) => ({ type: 'openAtLine', requestId, line: row.line })));
  const outcome = row.state === 'skipped' ? 'skipped' : row.retryable ? 'failed, may succeed later' : 'failed';
  // The line has its own column: "line 58: the field …" reads "the field …" here.
  const reason = el('td', { className: 'reason-cell' }, (row.reason ?? '').replace(/^line \d+: /, ''));
  if (row.response) reason.append(el('div', { className: 'response', text: row.response, attrs: { title: row.response } }));
  return el(
    'tr',
    { className: row.state },
    el('td', { className: 'num', text: String(row.line) }),
    el('td', {}, el('span', { className: `badge ${row.state}`, text: outcome })),
    el('td', { className: 'num', text: row.status === undefined ? (row.attempts > 0 ? 'none' : '–') : String(row.status) }),
    el('td', { className: 'num', text: String(row.attempts) }),
    reason,
    el('td', { className: 'row-actions' }, open),
  );
}

// ---------------------------------------------------------------------------------------------
// Start

function onHostMessage(message: RunViewHostMessage): void {
  switch (message.type) {
    case 'show':
      render(message);
      return;
    case 'reply': {
      const handler = waiting.get(message.requestId);
      waiting.delete(message.requestId);
      handler?.(message);
      return;
    }
  }
}

buildPage();
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isRunViewHostMessage(event.data)) onHostMessage(event.data);
});
post({ type: 'ready' });
