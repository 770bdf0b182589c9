/** The core's public surface: the extension and the CLI import from here only. */
export * from './types';
export * from './templates';
export * from './destinationSchema';
export * from './destination';
export * from './render';
export * from './formats';
export * from './credentials';
export * from './records';
export * from './http';
export * from './pacing';
export * from './retry';
export * from './report';
export * from './failedRecords';
export * from './runTypes';
export * from './engine';
