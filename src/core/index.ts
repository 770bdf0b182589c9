/** The core's public surface: the extension and the CLI import from here only. */
export * from './types';
export * from './templates';
export * from './destinationSchema';
export * from './destination';
export * from './render';
export * from './formats';
export * from './credentials';
