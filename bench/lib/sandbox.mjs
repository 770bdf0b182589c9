// The project's sandbox (the built `hotjar-sandbox`) as a child process on 127.0.0.1, a free port,
// with its own CPU core to run on: what the measured clients send to.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { httpJson } from './util.mjs';

export const DEMO_CLIENT = { clientId: 'sandbox-client-id', clientSecret: 'sandbox-client-secret' };

/** Starts `node <sandboxJs> --port 0 --quiet ...args`; resolves once it prints its URL. */
export function startSandboxProcess(sandboxJs, args = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [sandboxJs, '--port', '0', '--quiet', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the sandbox did not start within 20 s: ${stderr}`));
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the sandbox exited (${code}) before it started: ${stderr}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const url = match[1];
      resolve({
        url,
        tokenUrl: `${url}/v1/oauth/token`,
        lookupUrl: `${url}/v1/organizations/123456/user-lookup`,
        pid: child.pid,
        /** Counters without the list of received calls. */
        stats: async () => (await httpJson(`${url}/_sandbox/stats?received=0`)).body,
        reset: async () => {
          await httpJson(`${url}/_sandbox/reset`, { method: 'POST' });
        },
        configure: async (options) => {
          const answer = await httpJson(`${url}/_sandbox/config`, { method: 'POST', body: options });
          if (answer.status !== 200) throw new Error(`sandbox config refused: ${JSON.stringify(answer.body)}`);
        },
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }),
      });
    });
  });
}

/** The environment that gives `hotjar-send` the sandbox's demo credential without a keychain. */
export function credentialEnv(sandbox) {
  return { HOTJAR_CLIENT_ID: DEMO_CLIENT.clientId, HOTJAR_CLIENT_SECRET: DEMO_CLIENT.clientSecret, HOTJAR_TOKEN_URL: sandbox.tokenUrl };
}

/** A bearer token from the sandbox, for the peers (newman, httpyac) that are handed one. */
export async function fetchToken(sandbox) {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: DEMO_CLIENT.clientId, client_secret: DEMO_CLIENT.clientSecret }).toString();
  const answer = await httpJson(sandbox.tokenUrl, { method: 'POST', body: form, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  if (answer.status !== 200) throw new Error(`the sandbox refused the demo credential: ${JSON.stringify(answer.body)}`);
  return answer.body.access_token;
}
