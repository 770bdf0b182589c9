// hotjar-sandbox: runs the local Hotjar API emulator until SIGINT/SIGTERM.
import { parseSandboxArgs, USAGE } from './cli';
import { DEFAULT_FAULT_SEED } from './faults';
import {
  DEFAULT_ORGANIZATION_ID,
  DEFAULT_SITE_ID,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  DEMO_CLIENT,
  startSandbox,
  type Sandbox,
  type SandboxOptions,
} from './server';

const EXIT_USAGE = 2;

async function main(): Promise<number> {
  const command = parseSandboxArgs(process.argv.slice(2));
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command.kind === 'error') {
    process.stderr.write(`hotjar-sandbox: ${command.message}\nRun hotjar-sandbox --help for the options.\n`);
    return EXIT_USAGE;
  }

  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({ ...command.options, log: (line) => console.log(line) });
  } catch (error) {
    process.stderr.write(`hotjar-sandbox: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  console.log(banner(sandbox, command.options));

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      console.log(`Received ${signal}, stopping the Hotjar sandbox.`);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sandbox.close();
  console.log('Hotjar sandbox stopped.');
  return 0;
}

function banner(sandbox: Sandbox, options: SandboxOptions): string {
  const faults = options.faults;
  const rateWindow = options.rateWindowSeconds ?? 60;
  return [
    `Hotjar sandbox running at ${sandbox.url}`,
    `  Token URL       ${sandbox.tokenUrl}`,
    `  Client ID       ${DEMO_CLIENT.clientId}`,
    // Printing the demo secret is intended: it only opens this local emulator.
    `  Client secret   ${DEMO_CLIENT.clientSecret}   (demo credentials, not a real secret)`,
    `  Organization    ${(options.organizations ?? [DEFAULT_ORGANIZATION_ID]).join(', ')}`,
    `  Site            ${(options.sites ?? [DEFAULT_SITE_ID]).join(', ')}`,
    `  Status page     ${sandbox.url}/   (JSON: ${sandbox.url}/_sandbox/stats)`,
    `  Rate limit      ${options.ratePerMinute ? `${options.ratePerMinute} calls per ${rateWindow} s (sliding window)` : 'none'}`,
    `  Token lifetime  ${options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS} s`,
    `  Faults          ${faults ? `${Math.round(faults.rate * 1000) / 10}% of API calls: ${faults.kinds.join(', ')} (seed ${faults.seed ?? DEFAULT_FAULT_SEED})` : 'none'}`,
    'Press Ctrl+C to stop.',
  ].join('\n');
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`hotjar-sandbox: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
