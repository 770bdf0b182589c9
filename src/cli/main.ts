// The hotjar-send executable (dist/cli.js): runs the CLI on the real process.
import { processIo } from './io';
import { runCli } from './runCli';

runCli(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`hotjar-send: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
