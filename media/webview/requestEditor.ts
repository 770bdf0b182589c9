/**
 * The Hotjar Request Editor's page: a form over one `*.hotjar.json` file, the preview of its request
 * and the Test result. The file is the source of truth: every change here is posted to the host as a
 * field edit, the host edits the text document, and the new document comes back as a `document`
 * message. Nothing is rendered, validated or sent here; the host asks the core.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import {
  isHostMessage,
  type EditorModel,
  type FieldEdit,
  type HostMessage,
  type InitMessage,
  type JsonValue,
  type PreviewState,
  type SampleInfo,
  type TemplateInfo,
  type TestOutcome,
  type TrustState,
  type ValidationIssueInfo,
} from '../../src/shared/requestEditorProtocol';
import { Debouncer, clear, el, hasFocusWithin } from './_dom';
import { loadState, newRequestId, post, saveState } from './_host';

type TextField = HTMLElementTagNameMap['vscode-textfield'];
type Select = HTMLElementTagNameMap['vscode-single-select'];
type TextArea = HTMLElementTagNameMap['vscode-textarea'];
type Button = HTMLElementTagNameMap['vscode-button'];
type JsonObject = { [key: string]: JsonValue };
type ReadResult = { value: JsonValue | undefined } | { error: string };

/** Typing waits this long before the file changes, so a word is one edit and one preview, not five. */
const TYPING_DEBOUNCE_MS = 300;
const MANUAL = '';

const persisted = loadState();
let init: InitMessage | undefined;
let model: EditorModel | undefined;
let sample: SampleInfo = { fields: [] };
let trust: TrustState = { trusted: true };
let credentialNames: string[] = [];
const waitingReplies = new Map<string, (reply: Extract<HostMessage, { type: 'reply' }>) => void>();

// ---------------------------------------------------------------------------------------------
// Field bindings: one per control that shows one property of the file.

type BoundElement = TextField | Select | TextArea;

interface Binding<E extends BoundElement = BoundElement> {
  path: string[];
  element: E;
  error: HTMLElement;
  debouncer: Debouncer;
  show(value: JsonValue | undefined): string;
  read(text: string): ReadResult;
  /** Edits for a committed text; default: set (or remove) `path`. */
  edits?(value: JsonValue | undefined): FieldEdit[];
  /** Runs before the control gets a value from the file (e.g. to add a missing option). */
  beforeShow?(value: JsonValue | undefined): void;
}

const bindings = new Map<string, Binding>();
const parameterBindings = new Map<string, { binding: Binding; row: HTMLElement }>();

function pathKey(path: readonly string[]): string {
  return path.join('.');
}

function getPath(root: JsonObject | undefined, path: readonly string[]): JsonValue | undefined {
  let current: JsonValue | undefined = root;
  for (const key of path) {
    if (current === null || current === undefined || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = Object.prototype.hasOwnProperty.call(current, key) ? current[key] : undefined;
  }
  return current;
}

function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const readString = (text: string): ReadResult => ({ value: text === '' ? undefined : text });
const showString = (value: JsonValue | undefined): string => (typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value));

function readNumber(text: string): ReadResult {
  const trimmed = text.trim();
  if (trimmed === '') return { value: undefined };
  const number = Number(trimmed);
  return Number.isFinite(number) ? { value: number } : { error: 'must be a number' };
}

function readJson(text: string): ReadResult {
  if (text.trim() === '') return { value: undefined };
  try {
    return { value: JSON.parse(text) as JsonValue };
  } catch (error) {
    return { error: `not valid JSON yet (${error instanceof Error ? error.message : String(error)}); the file keeps the last valid body` };
  }
}

function sendEdits(edits: FieldEdit[]): void {
  if (edits.length === 0) return;
  const requestId = newRequestId();
  waitingReplies.set(requestId, (reply) => {
    if (!reply.ok) announce(reply.message ?? 'The file could not be changed.');
  });
  post({ type: 'edit', requestId, edits });
}

function editFor(path: string[], value: JsonValue | undefined): FieldEdit {
  return value === undefined ? { path } : { path, value };
}

function commit(binding: Binding): void {
  binding.debouncer.cancel();
  const result = binding.read(binding.element.value);
  if ('error' in result) {
    setFieldError(binding, result.error);
    return;
  }
  setFieldError(binding, issueMessageFor(pathKey(binding.path)));
  if (model?.value && sameJson(getPath(model.value, binding.path), result.value)) return;
  sendEdits(binding.edits ? binding.edits(result.value) : [editFor(binding.path, result.value)]);
}

function setFieldError(binding: Binding, message: string | undefined): void {
  binding.error.textContent = message ?? '';
  binding.error.hidden = !message;
  binding.element.invalid = Boolean(message);
}

function bind<E extends BoundElement>(binding: Omit<Binding<E>, 'debouncer' | 'error'> & { error?: HTMLElement }, typing: boolean): Binding<E> {
  const full: Binding<E> = { ...binding, error: binding.error ?? el('div', { className: 'field-error', attrs: { 'aria-live': 'polite' } }), debouncer: new Debouncer(TYPING_DEBOUNCE_MS) };
  full.error.hidden = true;
  if (typing) {
    full.element.addEventListener('input', () => {
      onTyping(full);
      full.debouncer.schedule(() => commit(full));
    });
    full.element.addEventListener('change', () => commit(full));
    full.element.addEventListener('blur', () => {
      if (full.debouncer.isPending) commit(full);
    });
  } else {
    full.element.addEventListener('change', () => commit(full));
  }
  return full;
}

/** Per-control reactions to typing before the edit is sent (the body keeps its draft). */
function onTyping(binding: Binding): void {
  if (pathKey(binding.path) !== 'request.body') return;
  const result = binding.read(binding.element.value);
  if ('error' in result) {
    persisted.bodyDraft = binding.element.value;
    setFieldError(binding, result.error);
  } else {
    delete persisted.bodyDraft;
    setFieldError(binding, undefined);
  }
  saveState(persisted);
}

// ---------------------------------------------------------------------------------------------
// Building the page

let fieldCounter = 0;

function fieldRow(label: string, control: HTMLElement, helper?: HTMLElement | string, error?: HTMLElement): HTMLElement {
  fieldCounter += 1;
  control.id ||= `field-${fieldCounter}`;
  if ('label' in control) (control as TextField).label = label;
  const labelElement = el('vscode-label', { text: label });
  labelElement.htmlFor = control.id;
  const helperElement = typeof helper === 'string' ? el('div', { className: 'helper', text: helper }) : helper;
  return el('div', { className: 'field' }, labelElement, control, helperElement, error);
}

function textField(path: string[], options: { placeholder?: string; type?: 'text' | 'number' | 'url'; kind?: 'string' | 'number' } = {}): Binding<TextField> {
  const element = el('vscode-textfield');
  element.type = options.type ?? 'text';
  if (options.placeholder) element.placeholder = options.placeholder;
  const number = options.kind === 'number';
  const binding = bind({ path, element, show: showString, read: number ? readNumber : readString }, true);
  bindings.set(pathKey(path), binding);
  return binding;
}

function select(path: string[], choices: ReadonlyArray<{ value: string; label: string }>): Binding<Select> {
  const element = el('vscode-single-select');
  setOptions(element, choices);
  const binding = bind({ path, element, show: showString, read: readString }, false);
  bindings.set(pathKey(path), binding);
  return binding;
}

const shownChoices = new WeakMap<Select, string>();

/**
 * Replaces the options of a select, keeping `selected` chosen. The option is marked selected when
 * created: the select reads its new options only after they are slotted, so setting `value` right
 * away would not stick.
 */
function setOptions(element: Select, choices: ReadonlyArray<{ value: string; label: string }>, selected: string = element.value): void {
  const key = JSON.stringify(choices);
  if (shownChoices.get(element) === key) {
    element.value = selected;
    return;
  }
  shownChoices.set(element, key);
  element.replaceChildren(
    ...choices.map((choice) => {
      const option = el('vscode-option', { text: choice.label });
      option.value = choice.value;
      option.selected = choice.value === selected;
      return option;
    }),
  );
  element.value = selected;
}

function button(label: string, onClick: () => void, options: { secondary?: boolean; id?: string; title?: string } = {}): Button {
  const element = el('vscode-button', { text: label });
  if (options.id) element.id = options.id;
  if (options.secondary) element.secondary = true;
  if (options.title) element.title = options.title;
  element.addEventListener('click', () => {
    if (!element.disabled) onClick();
  });
  return element;
}

function section(id: string, title: string, ...children: Array<Node | undefined>): HTMLElement {
  return el('section', { id, className: 'card', attrs: { 'aria-labelledby': `${id}-title` } }, el('h2', { id: `${id}-title`, text: title }), ...children);
}

// Elements the updates reach.
const fileTitle = el('span', { className: 'file-name' });
const validity = el('span', { className: 'validity', attrs: { role: 'status' } });
const parseBanner = el('div', { className: 'banner error', attrs: { role: 'alert' } });
const issueList = el('ul', { className: 'issues' });
const issuePanel = el('div', { className: 'banner warning', attrs: { 'aria-live': 'polite' } }, el('strong', { text: 'Problems in this destination' }), issueList);
const liveStatus = el('div', { className: 'sr-only', attrs: { 'aria-live': 'polite', role: 'status' } });

const nameField = textField(['name'], { placeholder: 'e.g. GDPR lookups (prod)' });
const descriptionField = textField(['description']);
const templateSelect = select(['template'], [{ value: MANUAL, label: 'Manual configuration' }]);
const templateHelp = el('div', { className: 'helper' });
const credentialSelect = select(['credential'], [{ value: '', label: '(none)' }]);
const methodSelect = select(['request', 'method'], []);
const methodHelp = el('div', { className: 'helper' });
const urlField = textField(['request', 'url'], { type: 'url' });
const urlHelp = el('div', { className: 'helper' });
const parameterList = el('div', { className: 'parameters', attrs: { role: 'group', 'aria-label': 'URL parameters' } });
const formatSelect = select(['request', 'contentFormat'], []);
const formatHelp = el('div', { className: 'helper' });
const headerRows = el('div', { className: 'header-rows' });
const headerError = el('div', { className: 'field-error', attrs: { 'aria-live': 'polite' } });
const bodyArea = el('vscode-textarea');
const bodyHelp = el('div', { className: 'helper' });
const fieldChips = el('div', { className: 'chips', attrs: { role: 'group', 'aria-label': 'Insert a record field into the body template' } });
const deliveryHelp = el('div', { className: 'helper' });

bodyArea.monospace = true;
bodyArea.rows = 10;
bodyArea.resize = 'vertical';
const bodyField = bind(
  {
    path: ['request', 'body'],
    element: bodyArea,
    read: readJson,
    show: (value) => (value === undefined ? '' : JSON.stringify(value, null, 2)),
  },
  true,
);
bindings.set('request.body', bodyField);

templateSelect.edits = (value) => templateEdits(typeof value === 'string' ? value : undefined);
credentialSelect.beforeShow = (value) => refreshCredentialOptions(typeof value === 'string' ? value : undefined);

const deliveryFields = {
  mode: select(['delivery', 'mode'], [
    { value: '', label: '(default)' },
    { value: 'record', label: 'record: one request per record' },
    { value: 'batch', label: 'batch: several records per request' },
  ]),
  batchSize: textField(['delivery', 'batchSize'], { type: 'number', kind: 'number' }),
  concurrency: textField(['delivery', 'concurrency'], { type: 'number', kind: 'number' }),
  ratePerMinute: textField(['delivery', 'ratePerMinute'], { type: 'number', kind: 'number' }),
  maxAttempts: textField(['delivery', 'maxAttempts'], { type: 'number', kind: 'number' }),
  timeoutMs: textField(['delivery', 'timeoutMs'], { type: 'number', kind: 'number' }),
  onInvalidRecord: select(['delivery', 'onInvalidRecord'], [
    { value: '', label: '(default)' },
    { value: 'skip', label: 'skip: report invalid records, send the others' },
    { value: 'abort', label: 'abort: send nothing when a record is invalid' },
  ]),
};

// Preview and Test
const sampleLabel = el('div', { className: 'sample-label' });
const sampleError = el('div', { className: 'field-error', attrs: { 'aria-live': 'polite' } });
const previewSource = el('div', { className: 'helper' });
const previewText = el('pre', { className: 'code', id: 'preview-request', attrs: { tabindex: '0', 'aria-label': 'Request preview' } });
const includeToken = el('vscode-checkbox');
includeToken.label = 'Include the real token (asks first)';
const testButton = button('Test', () => runTest(), { id: 'test-button', title: 'Get a token with the credential and send one request' });
const copyButton = button('Copy as curl', () => copyCurl(), { secondary: true, id: 'copy-curl' });
const trustMessage = el('div', { className: 'banner warning' });
const testStatus = el('div', { className: 'test-status', attrs: { role: 'status', 'aria-live': 'polite' } });
const testResult = el('div', { className: 'test-result', id: 'test-result' });

function buildPage(): void {
  const app = document.getElementById('app');
  if (!app) return;
  const toolbar = el(
    'header',
    { className: 'toolbar' },
    el('h1', { text: 'Hotjar Request Editor' }),
    fileTitle,
    validity,
    el('span', { className: 'spacer' }),
    button('Open as Text', () => post({ type: 'openAsText' }), { secondary: true, id: 'open-as-text', title: 'Show this file in the JSON editor' }),
  );

  const general = section(
    'general',
    'Destination',
    fieldRow('Name', nameField.element, undefined, nameField.error),
    fieldRow('Description', descriptionField.element, undefined, descriptionField.error),
    fieldRow('Template', templateSelect.element, templateHelp, templateSelect.error),
    el(
      'div',
      { className: 'inline' },
      fieldRow('Credential', credentialSelect.element, 'Stored in the OS keychain; the file keeps only its name.', credentialSelect.error),
      button('Add credential…', () => addCredential(), { secondary: true, id: 'add-credential' }),
    ),
  );

  const request = section(
    'request',
    'Request',
    el('div', { className: 'inline' }, fieldRow('Method', methodSelect.element, methodHelp, methodSelect.error), fieldRow('Content format', formatSelect.element, formatHelp, formatSelect.error)),
    fieldRow('URL', urlField.element, urlHelp, urlField.error),
    parameterList,
    el('h3', { text: 'Headers' }),
    el('div', { className: 'helper', text: 'Authorization is added from the credential. Values may use {{field}} placeholders.' }),
    headerRows,
    headerError,
    button('Add header', () => addHeaderRow(), { secondary: true, id: 'add-header' }),
  );

  const body = section(
    'body',
    'Body template',
    fieldRow('Body (JSON)', bodyArea, bodyHelp, bodyField.error),
    el('div', { className: 'helper', text: 'Record fields (select one to insert it at the cursor):' }),
    fieldChips,
  );

  const delivery = section(
    'delivery',
    'Delivery',
    deliveryHelp,
    el(
      'div',
      { className: 'grid' },
      fieldRow('Mode', deliveryFields.mode.element, undefined, deliveryFields.mode.error),
      fieldRow('Batch size', deliveryFields.batchSize.element, undefined, deliveryFields.batchSize.error),
      fieldRow('Concurrency', deliveryFields.concurrency.element, undefined, deliveryFields.concurrency.error),
      fieldRow('Requests per minute', deliveryFields.ratePerMinute.element, undefined, deliveryFields.ratePerMinute.error),
      fieldRow('Attempts per request', deliveryFields.maxAttempts.element, undefined, deliveryFields.maxAttempts.error),
      fieldRow('Timeout (ms)', deliveryFields.timeoutMs.element, undefined, deliveryFields.timeoutMs.error),
      fieldRow('Invalid records', deliveryFields.onInvalidRecord.element, undefined, deliveryFields.onInvalidRecord.error),
    ),
  );

  const preview = section(
    'preview',
    'Preview',
    el(
      'div',
      { className: 'inline sample' },
      el('div', {}, el('div', { className: 'label-text', text: 'Sample data file' }), sampleLabel),
      button('Choose…', () => pickSample(), { secondary: true, id: 'choose-sample', title: 'A CSV, JSON or JSON Lines file whose first record fills the preview and a write Test' }),
      button('Clear', () => clearSample(), { secondary: true, id: 'clear-sample' }),
    ),
    sampleError,
    previewSource,
    previewText,
    el('div', { className: 'inline' }, copyButton, includeToken),
  );

  const test = section(
    'test',
    'Test',
    el('div', { className: 'helper', text: 'Gets a token with the credential, then sends one request: the GET itself for a read endpoint, the first record for a write endpoint (after you confirm).' }),
    trustMessage,
    testButton,
    testStatus,
    testResult,
  );

  app.removeAttribute('aria-busy');
  app.replaceChildren(
    toolbar,
    parseBanner,
    issuePanel,
    liveStatus,
    el('main', { className: 'columns' }, el('div', { className: 'column form' }, general, request, body, delivery), el('div', { className: 'column side' }, preview, test)),
  );
  parseBanner.hidden = true;
  issuePanel.hidden = true;
  trustMessage.hidden = true;
  setFormDisabled(true);

  includeToken.checked = persisted.includeToken;
  includeToken.addEventListener('change', () => {
    persisted.includeToken = includeToken.checked;
    saveState(persisted);
  });
  const scrollSaver = new Debouncer(200);
  window.addEventListener('scroll', () =>
    scrollSaver.schedule(() => {
      persisted.scrollTop = window.scrollY;
      saveState(persisted);
    }),
  );
  if (persisted.lastTest) showTestOutcome(persisted.lastTest);
}

function announce(message: string): void {
  liveStatus.textContent = '';
  liveStatus.textContent = message;
  testStatus.textContent = message;
}

// ---------------------------------------------------------------------------------------------
// Reacting to the host

function currentTemplate(): TemplateInfo | undefined {
  const id = model?.value?.template;
  return typeof id === 'string' ? init?.templates.find((t) => t.id === id) : undefined;
}

function setFormDisabled(disabled: boolean): void {
  for (const binding of [...bindings.values(), ...[...parameterBindings.values()].map((p) => p.binding)]) binding.element.disabled = disabled;
  for (const control of document.querySelectorAll<Button | TextField>('.column.form vscode-button, .header-rows vscode-textfield')) control.disabled = disabled;
}

function applyInit(message: InitMessage): void {
  init = message;
  fileTitle.textContent = message.fileName;
  document.title = `${message.fileName} (Hotjar Request Editor)`;
  setOptions(templateSelect.element, [
    { value: MANUAL, label: 'Manual configuration' },
    ...message.templates.map((t) => ({ value: t.id, label: `${t.label} (${t.destructive ? 'deletion' : t.kind})` })),
  ]);
  setOptions(methodSelect.element, [{ value: '', label: '(default)' }, ...message.methods.map((m) => ({ value: m, label: m }))]);
  setOptions(formatSelect.element, [{ value: '', label: '(default)' }, ...message.contentFormats.map((f) => ({ value: f, label: f }))]);
  credentialNames = message.credentials;
  sample = message.sample;
  trust = message.trust;
  applyDocument(message.model, 'external');
  applySample();
  applyPreview(message.preview);
  applyTrust();
  if (message.lastTest) showTestOutcome(message.lastTest);
  restoreBodyDraft();
  window.scrollTo(0, persisted.scrollTop);
}

/** A body that was not valid JSON when the editor was hidden comes back as it was typed. */
function restoreBodyDraft(): void {
  const draft = persisted.bodyDraft;
  if (draft === undefined || model?.value === undefined) return;
  if (!('error' in readJson(draft))) {
    delete persisted.bodyDraft;
    return;
  }
  bodyArea.value = draft;
  onTyping(bodyField);
}

function applyDocument(next: EditorModel, origin: 'webview' | 'external'): void {
  model = next;
  const broken = next.value === undefined;
  parseBanner.hidden = !broken;
  parseBanner.textContent = broken ? `${next.parseError ?? 'The file cannot be read.'} Fix it with "Open as Text"; the form comes back when the JSON is valid.` : '';
  setFormDisabled(broken);
  if (broken) {
    validity.textContent = 'Not valid JSON';
    validity.className = 'validity invalid';
    return;
  }
  renderParameters(next, origin);
  for (const binding of bindings.values()) showBinding(binding, origin);
  for (const { binding } of parameterBindings.values()) showBinding(binding, origin);
  renderHeaders(origin);
  renderHints();
  renderChips();
  renderIssues(next.issues);
}

function showBinding(binding: Binding, origin: 'webview' | 'external'): void {
  const value = getPath(model?.value, binding.path);
  if (origin === 'external') binding.debouncer.cancel();
  else if (binding.debouncer.isPending || hasFocusWithin(binding.element)) return;
  binding.beforeShow?.(value);
  const current = binding.read(binding.element.value);
  // Leave the control alone when it already says the same (keeps the caret and the user's formatting).
  if (!('error' in current) && sameJson(current.value, value)) return;
  if (origin === 'webview' && 'error' in current) return;
  binding.element.value = binding.show(value);
  if (pathKey(binding.path) === 'request.body') {
    delete persisted.bodyDraft;
    saveState(persisted);
  }
}

function renderHints(): void {
  const template = currentTemplate();
  const defaults = init?.deliveryDefaults;
  templateHelp.textContent = template
    ? `${template.description} Fields you set below override the template.`
    : 'Manual configuration: you give the URL, method, headers and body.';
  methodHelp.textContent = `Default: ${template?.method ?? 'POST'}`;
  formatHelp.textContent = `Default: ${template?.contentFormat ?? 'json'}`;
  urlField.element.placeholder = template?.url ?? 'https://api.hotjar.io/v1/…';
  urlHelp.textContent = template
    ? 'Empty: the template\'s URL. {name} takes a parameter (listed below); {{field}} a record field (query only).'
    : 'https:// (http:// only for 127.0.0.1 or localhost). {name} takes a parameter (listed below); {{field}} a record field (query only).';
  bodyArea.placeholder = template?.body !== undefined ? `Empty: the template's body\n${JSON.stringify(template.body, null, 2)}` : 'Empty: the record itself is the body.';
  bodyHelp.textContent = 'A string that is exactly "{{field}}" keeps the field\'s type; other strings get the text inserted.';
  if (defaults) {
    deliveryHelp.textContent = 'Empty fields use the defaults shown.';
    deliveryFields.batchSize.element.placeholder = String(defaults.batchSize);
    deliveryFields.concurrency.element.placeholder = String(defaults.concurrency);
    deliveryFields.ratePerMinute.element.placeholder = String(defaults.ratePerMinute);
    deliveryFields.maxAttempts.element.placeholder = String(defaults.maxAttempts);
    deliveryFields.timeoutMs.element.placeholder = String(defaults.timeoutMs);
  }
}

function refreshCredentialOptions(fileValue: string | undefined): void {
  const choices = [{ value: '', label: '(none)' }, ...credentialNames.map((name) => ({ value: name, label: name }))];
  if (fileValue && !credentialNames.includes(fileValue)) choices.push({ value: fileValue, label: `${fileValue} (not stored on this machine)` });
  setOptions(credentialSelect.element, choices, fileValue ?? '');
}

/** Leaving a template for a manual configuration copies its request, so nothing changes until you edit. */
function templateEdits(templateId: string | undefined): FieldEdit[] {
  const previous = currentTemplate();
  if (templateId) return [{ path: ['template'], value: templateId }];
  const edits: FieldEdit[] = [{ path: ['template'] }];
  if (!previous || !model?.value) return edits;
  const request = model.value.request;
  const has = (key: string): boolean => typeof request === 'object' && request !== null && !Array.isArray(request) && key in request;
  if (!has('method')) edits.push({ path: ['request', 'method'], value: previous.method });
  if (!has('url')) edits.push({ path: ['request', 'url'], value: previous.url });
  if (!has('contentFormat')) edits.push({ path: ['request', 'contentFormat'], value: previous.contentFormat });
  if (!has('body') && previous.body !== undefined) edits.push({ path: ['request', 'body'], value: previous.body });
  return edits;
}

function renderParameters(next: EditorModel, origin: 'webview' | 'external'): void {
  const fileParameters = next.value?.parameters;
  const inFile = typeof fileParameters === 'object' && fileParameters !== null && !Array.isArray(fileParameters) ? Object.keys(fileParameters) : [];
  const names = [...next.urlParameters, ...inFile.filter((name) => !next.urlParameters.includes(name))];
  const template = currentTemplate();
  for (const [name, entry] of parameterBindings) {
    if (names.includes(name)) continue;
    if (origin === 'webview' && (hasFocusWithin(entry.row) || entry.binding.debouncer.isPending)) continue;
    entry.row.remove();
    parameterBindings.delete(name);
  }
  for (const name of names) {
    let entry = parameterBindings.get(name);
    if (!entry) {
      const binding = textField(['parameters', name]);
      bindings.delete(pathKey(binding.path));
      const description = template?.parameters.find((p) => p.name === name)?.description;
      const helper = el('div', { className: 'helper' });
      const row = fieldRow(`{${name}}`, binding.element, helper, binding.error);
      entry = { binding, row };
      parameterBindings.set(name, entry);
      helper.textContent = description ?? '';
      parameterList.append(row);
    }
    const used = next.urlParameters.includes(name);
    const helper = entry.row.querySelector('.helper');
    if (helper && !used) helper.textContent = 'Not used by the URL: clear it to remove it from the file.';
    else if (helper) helper.textContent = template?.parameters.find((p) => p.name === name)?.description ?? 'A value for this placeholder of the URL.';
  }
  parameterList.hidden = names.length === 0;
}

// Headers: key/value rows, written as one `request.headers` object.
const headersDebouncer = new Debouncer(TYPING_DEBOUNCE_MS);
let headerRowCounter = 0;

function fileHeaders(): Record<string, string> {
  const headers = getPath(model?.value, ['request', 'headers']);
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return {};
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
}

function rowsToHeaders(): { headers: Record<string, string>; duplicate?: string } {
  const headers: Record<string, string> = {};
  let duplicate: string | undefined;
  for (const row of headerRows.querySelectorAll('.header-row')) {
    const [key, value] = row.querySelectorAll('vscode-textfield');
    const name = key?.value.trim() ?? '';
    if (!name) continue;
    if (Object.keys(headers).some((k) => k.toLowerCase() === name.toLowerCase())) duplicate = name;
    headers[name] = value?.value ?? '';
  }
  return duplicate ? { headers, duplicate } : { headers };
}

function commitHeaders(): void {
  headersDebouncer.cancel();
  const { headers, duplicate } = rowsToHeaders();
  headerError.textContent = duplicate ? `The header "${duplicate}" is given twice; the last one counts.` : issueMessageFor('request.headers') ?? '';
  if (sameJson(fileHeaders(), headers)) return;
  sendEdits([editFor(['request', 'headers'], Object.keys(headers).length > 0 ? headers : undefined)]);
}

function headerRow(name: string, value: string): HTMLElement {
  headerRowCounter += 1;
  const position = headerRowCounter;
  const key = el('vscode-textfield', { className: 'header-name' });
  key.value = name;
  key.label = `Header ${position} name`;
  key.placeholder = 'Name';
  const val = el('vscode-textfield', { className: 'header-value' });
  val.value = value;
  val.label = `Header ${position} value`;
  val.placeholder = 'Value';
  const row = el('div', { className: 'header-row' }, key, val);
  const remove = button('Remove', () => {
    row.remove();
    commitHeaders();
    (headerRows.querySelector('vscode-textfield') ?? document.getElementById('add-header'))?.focus();
  }, { secondary: true, title: `Remove header ${position}` });
  row.append(remove);
  for (const field of [key, val]) {
    field.addEventListener('input', () => headersDebouncer.schedule(commitHeaders));
    field.addEventListener('change', commitHeaders);
  }
  return row;
}

function addHeaderRow(): void {
  const row = headerRow('', '');
  headerRows.append(row);
  row.querySelector('vscode-textfield')?.focus();
}

function renderHeaders(origin: 'webview' | 'external'): void {
  if (origin === 'external') headersDebouncer.cancel();
  else if (headersDebouncer.isPending || hasFocusWithin(headerRows)) return;
  const { headers } = rowsToHeaders();
  const fromFile = fileHeaders();
  if (sameJson(headers, fromFile) && origin === 'webview') return;
  headerRows.replaceChildren(...Object.entries(fromFile).map(([name, value]) => headerRow(name, value)));
}

function renderChips(): void {
  const template = currentTemplate();
  const fields = [...sample.fields];
  for (const field of template?.recordFields ?? []) if (!fields.includes(field.name)) fields.push(field.name);
  clear(fieldChips);
  if (fields.length === 0) {
    fieldChips.append(el('span', { className: 'helper', text: 'Choose a sample data file (Preview) to list its fields.' }));
    return;
  }
  for (const field of fields) {
    fieldChips.append(button(field, () => insertField(field), { secondary: true, title: `Insert "{{${field}}}" at the cursor` }));
  }
}

function insertField(field: string): void {
  const textarea = bodyArea.wrappedElement;
  const text = bodyArea.value;
  const start = textarea?.selectionStart ?? text.length;
  const end = textarea?.selectionEnd ?? text.length;
  const insertion = `"{{${field}}}"`;
  bodyArea.value = text.slice(0, start) + insertion + text.slice(end);
  bodyArea.focus();
  textarea?.setSelectionRange(start + insertion.length, start + insertion.length);
  onTyping(bodyField);
  bodyField.debouncer.schedule(() => commit(bodyField));
}

function issueMessageFor(field: string): string | undefined {
  const issues = (model?.issues ?? []).filter((issue) => issue.field === field);
  return issues.length > 0 ? issues.map((issue) => issue.message).join('; ') : undefined;
}

function controlForIssue(issue: ValidationIssueInfo): HTMLElement | undefined {
  const exact = bindings.get(issue.field);
  if (exact) return exact.element;
  const parameter = /^parameters\.(.+)$/.exec(issue.field)?.[1];
  if (parameter && parameterBindings.has(parameter)) return parameterBindings.get(parameter)!.binding.element;
  if (issue.field.startsWith('request.headers')) return headerRows.querySelector('vscode-textfield') ?? document.getElementById('add-header') ?? undefined;
  if (issue.field === 'template') return templateSelect.element;
  return undefined;
}

function renderIssues(issues: ValidationIssueInfo[]): void {
  for (const binding of [...bindings.values(), ...[...parameterBindings.values()].map((p) => p.binding)]) {
    const pendingLocalError = binding.error.textContent && !binding.error.hidden && 'error' in binding.read(binding.element.value);
    if (!pendingLocalError) setFieldError(binding, issueMessageFor(pathKey(binding.path)));
  }
  const headerIssues = issues.filter((issue) => issue.field.startsWith('request.headers'));
  headerError.textContent = headerIssues.map((issue) => `${issue.field.slice('request.headers.'.length) || 'headers'}: ${issue.message}`).join('; ');
  clear(issueList);
  for (const issue of issues) {
    const target = controlForIssue(issue);
    const text = `${issue.field || 'file'}: ${issue.message}`;
    issueList.append(el('li', {}, target ? button(text, () => target.focus(), { secondary: true }) : text));
  }
  issuePanel.hidden = issues.length === 0;
  validity.textContent = issues.length === 0 ? 'Valid' : `${issues.length} problem${issues.length === 1 ? '' : 's'}`;
  validity.className = `validity ${issues.length === 0 ? 'valid' : 'invalid'}`;
}

function applySample(): void {
  sampleLabel.textContent = sample.label ?? 'None chosen';
  sampleError.textContent = sample.error ?? '';
  sampleError.hidden = !sample.error;
  const clearButton = document.getElementById('clear-sample') as Button | null;
  if (clearButton) clearButton.disabled = !sample.label;
  renderChips();
}

function applyPreview(preview: PreviewState): void {
  if (preview.status === 'unavailable') {
    previewSource.textContent = '';
    previewText.textContent = preview.reason;
    previewText.classList.add('unavailable');
    copyButton.disabled = true;
    return;
  }
  const { request } = preview;
  const lines = [`${request.method} ${request.url}`, ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`)];
  previewText.textContent = request.body === undefined ? lines.join('\n') : `${lines.join('\n')}\n\n${request.body}`;
  previewText.classList.remove('unavailable');
  previewSource.textContent = preview.source;
  copyButton.disabled = false;
}

function applyTrust(): void {
  testButton.disabled = !trust.trusted;
  includeToken.disabled = !trust.trusted;
  trustMessage.hidden = trust.trusted;
  trustMessage.textContent = trust.message ?? '';
}

function showTestOutcome(outcome: TestOutcome): void {
  persisted.lastTest = outcome;
  saveState(persisted);
  clear(testResult);
  if (outcome.kind === 'cancelled') {
    testResult.append(el('p', { className: 'helper', text: outcome.message }));
    return;
  }
  if (outcome.kind === 'error') {
    testResult.append(el('h3', { className: 'result-title fail', text: outcome.title }), el('p', { className: 'result-message', text: outcome.message }));
    if (outcome.durationMs !== undefined) testResult.append(el('p', { className: 'helper', text: `after ${outcome.durationMs} ms` }));
    return;
  }
  const headerText = Object.entries(outcome.headers).map(([name, value]) => `${name}: ${value}`).join('\n');
  testResult.append(
    el('h3', { className: `result-title ${outcome.ok ? 'ok' : 'fail'}`, text: `${outcome.status} ${outcome.statusText}`.trim() }),
    el('p', { className: 'helper', text: `${outcome.method} ${outcome.url} · ${outcome.durationMs} ms` }),
    el('p', { className: 'result-message', text: outcome.summary }),
    el('h4', { text: 'Response headers' }),
    el('pre', { className: 'code', text: headerText, attrs: { tabindex: '0', 'aria-label': 'Response headers' } }),
    el('h4', { text: `Response body${outcome.bodyTruncated ? ' (truncated)' : ''}` }),
    el('pre', { className: 'code', id: 'test-response-body', text: outcome.body || '(empty)', attrs: { tabindex: '0', 'aria-label': 'Response body' } }),
  );
}

// ---------------------------------------------------------------------------------------------
// Actions

function request(message: { type: 'pickSample' | 'clearSample' | 'test' | 'addCredential' } | { type: 'copyCurl'; includeToken: boolean }, onReply?: (reply: Extract<HostMessage, { type: 'reply' }>) => void): string {
  const requestId = newRequestId();
  if (onReply) waitingReplies.set(requestId, onReply);
  post({ ...message, requestId });
  return requestId;
}

function pickSample(): void {
  request({ type: 'pickSample' }, (reply) => {
    if (reply.message) announce(reply.message);
  });
}

function clearSample(): void {
  request({ type: 'clearSample' });
}

function addCredential(): void {
  request({ type: 'addCredential' }, (reply) => {
    if (reply.message) announce(reply.message);
  });
}

function copyCurl(): void {
  request({ type: 'copyCurl', includeToken: includeToken.checked }, (reply) => announce(reply.message ?? (reply.ok ? 'Copied.' : 'Not copied.')));
}

let testInFlight: string | undefined;

function runTest(): void {
  if (testInFlight || !trust.trusted) return;
  // The form may still hold a change that has not reached the file: send it first.
  for (const binding of [...bindings.values(), ...[...parameterBindings.values()].map((p) => p.binding)]) {
    if (binding.debouncer.isPending) commit(binding);
  }
  if (headersDebouncer.isPending) commitHeaders();
  testButton.disabled = true;
  announce('Testing…');
  testInFlight = request({ type: 'test' });
}

function onHostMessage(message: HostMessage): void {
  switch (message.type) {
    case 'init':
      applyInit(message);
      return;
    case 'document':
      applyDocument(message.model, message.origin);
      return;
    case 'preview':
      applyPreview(message.preview);
      return;
    case 'sample':
      sample = message.sample;
      applySample();
      return;
    case 'credentials':
      credentialNames = message.names;
      refreshCredentialOptions(typeof model?.value?.credential === 'string' ? model.value.credential : undefined);
      return;
    case 'trust':
      trust = message.trust;
      applyTrust();
      return;
    case 'testStarted':
      announce(message.description);
      return;
    case 'testResult':
      if (message.requestId === testInFlight) testInFlight = undefined;
      applyTrust();
      announce(message.outcome.kind === 'response' ? `Test finished: ${message.outcome.status} ${message.outcome.statusText}` : message.outcome.kind === 'error' ? `Test failed: ${message.outcome.title}` : message.outcome.message);
      showTestOutcome(message.outcome);
      return;
    case 'reply': {
      const handler = waitingReplies.get(message.requestId);
      waitingReplies.delete(message.requestId);
      handler?.(message);
      return;
    }
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isHostMessage(event.data)) onHostMessage(event.data);
});

buildPage();
post({ type: 'ready' });
