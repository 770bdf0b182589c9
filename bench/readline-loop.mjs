// Baseline of the dry-run row: a plain `readline` loop over the file that parses each record and
// nothing else (JSON.parse per line for JSON Lines; split(',') into an object for the generated CSV,
// which has no quoted fields). Prints one JSON line: {records, bytes, ms}.
//   node bench/readline-loop.mjs <file.jsonl|file.csv>
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';

const file = process.argv[2];
const csv = file.endsWith('.csv');
const started = performance.now();
let records = 0;
let columns;
let sink = 0;
for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
  if (line === '') continue;
  if (csv) {
    const cells = line.split(',');
    if (!columns) {
      columns = cells;
      continue;
    }
    const fields = {};
    for (let i = 0; i < columns.length; i++) fields[columns[i]] = cells[i];
    sink += fields.email.length;
  } else {
    sink += JSON.parse(line).email.length;
  }
  records++;
}
process.stdout.write(`${JSON.stringify({ records, bytes: statSync(file).size, ms: Math.round(performance.now() - started), sink })}\n`);
