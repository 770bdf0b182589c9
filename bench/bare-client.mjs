// The limit: a bare Node keep-alive HTTP client sending every record of a JSONL or CSV file to the
// sandbox's user-lookup endpoint, `--concurrency` requests in flight. No pacing, no retries, no report:
// what node:http alone achieves against the same server. Prints one JSON line: {records, ok, ms}.
//   node bench/bare-client.mjs <file> --url <user-lookup URL> --token-url <URL> [--concurrency 16]
import { createReadStream } from 'node:fs';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { url: { type: 'string' }, 'token-url': { type: 'string' }, concurrency: { type: 'string', default: '16' } },
});
const file = positionals[0];
const concurrency = Number(values.concurrency);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function post(url, headers, body) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

const started = performance.now();
const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: process.env.HOTJAR_CLIENT_ID ?? '', client_secret: process.env.HOTJAR_CLIENT_SECRET ?? '' });
const token = JSON.parse((await post(values['token-url'], { 'Content-Type': 'application/x-www-form-urlencoded' }, form.toString())).body).access_token;
const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` };

const csv = file.endsWith('.csv');
let columns;
let records = 0;
let ok = 0;
const inFlight = new Set();
// Ctrl+C (the memory row stops a send after a while): no new requests, wait for those in flight.
let stopping = false;
process.once('SIGINT', () => (stopping = true));
for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
  if (stopping) break;
  if (line === '') continue;
  let fields;
  if (csv) {
    // The generated CSV has no quoted fields: a split is a fair "hand-written script".
    const cells = line.split(',');
    if (!columns) {
      columns = cells;
      continue;
    }
    fields = Object.fromEntries(columns.map((name, i) => [name, cells[i]]));
  } else fields = JSON.parse(line);
  records++;
  const body = JSON.stringify({ data_subject_email: fields.email, delete_all_hits: false });
  const task = post(values.url, headers, body).then((r) => {
    if (r.status === 200) ok++;
  });
  const tracked = task.finally(() => inFlight.delete(tracked));
  inFlight.add(tracked);
  if (inFlight.size >= concurrency) await Promise.race(inFlight);
}
await Promise.all(inFlight);
agent.destroy();
process.stdout.write(`${JSON.stringify({ records, ok, ms: Math.round(performance.now() - started) })}\n`);
