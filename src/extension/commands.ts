/** Command ids in one place; test/unit/manifest.test.ts checks them against package.json. */
export const COMMANDS = {
  showLog: 'hotjar.showLog',
  refresh: 'hotjar.refresh',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];
