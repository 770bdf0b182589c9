// A row of the results table: a figure, our value beside its baseline measured in the same run, the
// ratio, the goal, and whether it is met (or by how much it is missed, and why).

/**
 * @param {object} row
 * @param {string} row.id
 * @param {string} row.figure  what is measured
 * @param {string} row.ours    our value, formatted
 * @param {string} row.baseline the baseline's value, formatted, with what it is
 * @param {number|undefined} row.ratio ours ÷ baseline (or as the goal states it)
 * @param {string} row.goal
 * @param {'met'|'missed'|'info'|'skipped'|'failed'} row.verdict
 * @param {string} [row.why] how much it is missed and why, or a note
 * @param {object} [row.data] the raw figures, kept in results.json
 */
export function makeRow(row) {
  return { why: '', data: {}, ...row };
}

export function ratioText(ratio) {
  if (ratio === undefined || !Number.isFinite(ratio)) return '—';
  if (ratio >= 100) return `${Math.round(ratio)}×`;
  if (ratio >= 10) return `${ratio.toFixed(1)}×`;
  return `${ratio.toFixed(2)}×`;
}

export function verdictText(row) {
  switch (row.verdict) {
    case 'met':
      return 'met';
    case 'missed':
      return 'MISSED';
    case 'skipped':
      return 'skipped';
    case 'failed':
      return 'FAILED';
    default:
      return 'info';
  }
}

/** The table as Markdown (also what the terminal shows). */
export function markdownTable(rows) {
  const lines = ['| figure | ours | baseline (same run) | ratio | goal | verdict |', '| --- | --- | --- | --- | --- | --- |'];
  for (const row of rows) {
    const cell = (text) => String(text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
    lines.push(`| ${cell(row.figure)} | ${cell(row.ours)} | ${cell(row.baseline)} | ${ratioText(row.ratio)} | ${cell(row.goal)} | ${verdictText(row)}${row.why ? `: ${cell(row.why)}` : ''} |`);
  }
  return lines.join('\n');
}

/** A row for a measurement that could not be made, saying why. */
export function failedRow(id, figure, goal, error) {
  return makeRow({ id, figure, ours: 'n/a', baseline: 'n/a', ratio: undefined, goal, verdict: 'failed', why: error instanceof Error ? error.message.split('\n')[0] : String(error) });
}
