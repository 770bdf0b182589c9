/**
 * Command ids in one place; test/unit/manifest.test.ts checks them against package.json both ways.
 * Also the view ids, context keys and setting keys the manifest refers to. This file stays free of
 * `vscode` imports so the plain-Node unit test can load it.
 */
export const COMMANDS = {
  showLog: 'hotjar.showLog',
  refresh: 'hotjar.refresh',

  addCredential: 'hotjar.addCredential',
  editCredential: 'hotjar.editCredential',
  removeCredential: 'hotjar.removeCredential',
  testCredential: 'hotjar.testCredential',

  newDestination: 'hotjar.newDestination',
  openDestination: 'hotjar.openDestination',
  editInRequestEditor: 'hotjar.editInRequestEditor',
  testDestination: 'hotjar.testDestination',
  sendFileToDestination: 'hotjar.sendFileToDestination',
  dryRunFileToDestination: 'hotjar.dryRunFileToDestination',
  duplicateDestination: 'hotjar.duplicateDestination',
  deleteDestination: 'hotjar.deleteDestination',

  sendFile: 'hotjar.sendFile',
  dryRun: 'hotjar.dryRun',
  sendSelection: 'hotjar.sendSelection',
  cancelSend: 'hotjar.cancelSend',

  openReport: 'hotjar.openReport',
  retryFailed: 'hotjar.retryFailed',
  resumeRun: 'hotjar.resumeRun',

  // The run view and the Runs list (src/extension/runView).
  openRunView: 'hotjar.openRunView',
  exportFailed: 'hotjar.exportFailed',
  deleteRun: 'hotjar.deleteRun',
  deleteOldRuns: 'hotjar.deleteOldRuns',

  // The request editor (src/extension/requestEditor); it also registers testDestination.
  openAsText: 'hotjar.openAsText',
  copyAsCurl: 'hotjar.copyAsCurl',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/**
 * View ids, also checked against package.json. The Destinations view keeps the id of the skeleton's
 * single view (`hotjar.explorer`) so links, keybindings and tests written against it keep working.
 */
export const VIEWS = {
  templates: 'hotjar.templates',
  destinations: 'hotjar.explorer',
  credentials: 'hotjar.credentials',
  runs: 'hotjar.runs',
} as const;

/** The custom editor of issue 5; "Edit in Request Editor" opens destinations with it. */
export const REQUEST_EDITOR_VIEW_TYPE = 'hotjar.requestEditor';

/** Context keys the manifest's when-clauses read. */
export const CONTEXT_KEYS = {
  sending: 'hotjar.sending',
  hasDestinations: 'hotjar.hasDestinations',
  hasCredentials: 'hotjar.hasCredentials',
  credentialsInKeychain: 'hotjar.credentialsInKeychain',
  loaded: 'hotjar.loaded',
} as const;

/** Setting keys under the `hotjar` section; package.json declares each with scope and markdownDescription. */
export const SETTINGS = {
  destinationFolder: 'destinationFolder',
  reportFolder: 'reportFolder',
  concurrency: 'defaultConcurrency',
  ratePerMinute: 'defaultRatePerMinute',
  confirmDestructiveSends: 'confirmDestructiveSends',
  confirmBeforeSend: 'confirmBeforeSend',
  showRunViewOnSend: 'showRunViewOnSend',
} as const;
