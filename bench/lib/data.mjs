// Generated data files: people records (one data subject each) as JSON Lines or CSV, by record
// count or by size. Written under bench/.data/ (git-ignored); the big ones are deleted after a run.
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { dataDir, ensureDir } from './util.mjs';

const FIRST = ['Ada', 'Alan', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Frances', 'Dennis'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Allen', 'Ritchie'];
const PLANS = ['basic', 'plus', 'business', 'scale'];
export const CSV_HEADER = 'email,user_id,first_name,last_name,signed_up,plan\n';

function jsonLine(n) {
  return `{"email":"user${n}@example.com","user_id":"u-${n}","first_name":"${FIRST[n % 10]}","last_name":"${LAST[(n >> 3) % 10]}","signed_up":"2024-${String((n % 12) + 1).padStart(2, '0')}-${String((n % 28) + 1).padStart(2, '0')}","plan":"${PLANS[n % 4]}"}\n`;
}

function csvLine(n) {
  return `user${n}@example.com,u-${n},${FIRST[n % 10]},${LAST[(n >> 3) % 10]},2024-${String((n % 12) + 1).padStart(2, '0')}-${String((n % 28) + 1).padStart(2, '0')},${PLANS[n % 4]}\n`;
}

/**
 * Writes `name` in bench/.data/ with `records` records, or (with `bytes`) as many as fit in about that
 * many bytes. Reuses a complete earlier file of the same name. Returns { file, records, bytes }.
 */
export function generate(name, format, { records, bytes }) {
  const file = path.join(ensureDir(dataDir), name);
  const meta = `${file}.records`;
  if (existsSync(file) && existsSync(meta)) {
    const count = Number(readFileSync(meta, 'utf8'));
    if (count > 0) return { file, records: count, bytes: statSync(file).size };
  }
  const partial = `${file}.partial`;
  const fd = openSync(partial, 'w');
  let written = 0;
  let count = 0;
  const line = format === 'csv' ? csvLine : jsonLine;
  try {
    if (format === 'csv') written += writeSync(fd, CSV_HEADER);
    const limit = records ?? Number.POSITIVE_INFINITY;
    const byteLimit = bytes ?? Number.POSITIVE_INFINITY;
    while (count < limit && written < byteLimit) {
      let chunk = '';
      const until = Math.min(limit, count + 20_000);
      while (count < until) chunk += line(count++);
      written += writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
  renameSync(partial, file);
  writeFileSync(meta, String(count));
  return { file, records: count, bytes: written };
}

/** A destination file for the sandbox's user-lookup endpoint. */
export function destinationJson(sandboxUrl, delivery) {
  return JSON.stringify(
    {
      name: 'Bench user lookup',
      template: 'hotjar.user-lookup',
      parameters: { organization_id: '123456' },
      request: { url: `${sandboxUrl}/v1/organizations/{organization_id}/user-lookup` },
      delivery,
    },
    null,
    2,
  );
}
