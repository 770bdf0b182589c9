import { parseArgs } from 'node:util';
import { DEFAULT_SANDBOX_PORT, FAULT_KINDS, type FaultKind, type SandboxOptions } from './contract';
import { isFaultKind, optionProblems } from './options';

export const USAGE = `Usage: hotjar-sandbox [options]

Starts a local emulator of the Hotjar API on 127.0.0.1 with demo credentials.

Options:
  --port N              port to listen on (default ${DEFAULT_SANDBOX_PORT}; 0 = any free port)
  --rate N              API calls accepted per minute, sliding window (default: no limit)
  --rate-window S       length of the rate window in seconds (default 60)
  --token-lifetime S    access token lifetime in seconds (default 3600)
  --latency MS          delay added to every /v1 answer (default 0)
  --faults RATE         share of API calls that fail, 0..1 (default 0)
  --fault-kinds LIST    comma-separated: ${FAULT_KINDS.join(',')} (default 500,503,429,reset)
  --retry-after S       Retry-After of injected 429s (default 1)
  --seed N              seed of the fault sequence (default 1)
  --org ID              a known organization id (repeatable; default 123456)
  --site ID             a known site id (repeatable; default 1234567)
  --forbidden-org ID    an organization whose plan refuses user-lookup with 403 (repeatable)
  --quiet               no log line per call
  -h, --help            show this help
`;

const DEFAULT_CLI_FAULT_KINDS: FaultKind[] = ['500', '503', '429', 'reset'];

export type SandboxCommand = { kind: 'help' } | { kind: 'run'; options: SandboxOptions } | { kind: 'error'; message: string };

/** Turns command-line arguments into sandbox options; never throws. */
export function parseSandboxArgs(argv: string[]): SandboxCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        rate: { type: 'string' },
        'rate-window': { type: 'string' },
        'token-lifetime': { type: 'string' },
        latency: { type: 'string' },
        faults: { type: 'string' },
        'fault-kinds': { type: 'string' },
        'retry-after': { type: 'string' },
        seed: { type: 'string' },
        org: { type: 'string', multiple: true },
        site: { type: 'string', multiple: true },
        'forbidden-org': { type: 'string', multiple: true },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
  }
  if (values.help) return { kind: 'help' };

  const problems: string[] = [];
  const number = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) {
      problems.push(`--${flag} needs a number, got "${text}"`);
      return undefined;
    }
    return value;
  };

  const options: SandboxOptions = {
    port: number('port', values.port),
    ratePerMinute: number('rate', values.rate),
    rateWindowSeconds: number('rate-window', values['rate-window']),
    tokenLifetimeSeconds: number('token-lifetime', values['token-lifetime']),
    latencyMs: number('latency', values.latency),
    organizations: values.org,
    sites: values.site,
    forbiddenOrganizations: values['forbidden-org'],
    quiet: values.quiet ?? false,
  };

  const faultRate = number('faults', values.faults);
  const kindNames = values['fault-kinds']?.split(',').map((kind) => kind.trim()).filter((kind) => kind !== '');
  const unknownKinds = kindNames?.filter((kind) => !isFaultKind(kind)) ?? [];
  if (unknownKinds.length > 0) problems.push(`--fault-kinds: unknown kind(s) ${unknownKinds.join(', ')}; use ${FAULT_KINDS.join(', ')}`);
  if (faultRate !== undefined && faultRate > 0) {
    options.faults = {
      rate: faultRate,
      kinds: kindNames && kindNames.length > 0 ? kindNames.filter(isFaultKind) : DEFAULT_CLI_FAULT_KINDS,
      retryAfterSeconds: number('retry-after', values['retry-after']),
      seed: number('seed', values.seed),
    };
  }
  if (problems.length > 0) return { kind: 'error', message: problems.join('\n') };

  // Same checks as the library, phrased with the flag names a user typed.
  const optionProblemsFound = optionProblems(options, 'start').map((problem) => toFlagWording(problem));
  if (optionProblemsFound.length > 0) return { kind: 'error', message: optionProblemsFound.join('\n') };
  return { kind: 'run', options };
}

const FLAG_FOR_OPTION: Record<string, string> = {
  port: '--port',
  ratePerMinute: '--rate',
  rateWindowSeconds: '--rate-window',
  tokenLifetimeSeconds: '--token-lifetime',
  latencyMs: '--latency',
  organizations: '--org',
  sites: '--site',
  forbiddenOrganizations: '--forbidden-org',
  'faults .rate': '--faults',
  'faults .retryAfterSeconds': '--retry-after',
  'faults .seed': '--seed',
  'faults .kinds': '--fault-kinds',
};

function toFlagWording(problem: string): string {
  for (const [option, flag] of Object.entries(FLAG_FOR_OPTION).sort(([left], [right]) => right.length - left.length)) {
    if (problem.startsWith(`${option} `)) return `${flag} ${problem.slice(option.length + 1)}`;
  }
  return problem;
}
