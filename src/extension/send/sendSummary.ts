/**
 * The words shown before a send: the summary, and the confirmation of an irreversible deletion.
 * Free of `vscode` so a plain-Node unit test can check exactly what a person will read.
 */

export interface SendPlan {
  dataFileName: string;
  destinationName: string;
  method: string;
  /** The URL with its parameters filled in. */
  url: string;
  credentialName?: string;
  destructive: boolean;
  /** Undefined when the file was too large to count cheaply. */
  records?: number;
  invalid?: number;
  invalidLines?: readonly number[];
  concurrency: number;
  ratePerMinute: number;
  /** Only these lines of the file are sent (Send Selection). */
  lines?: { from: number; to: number };
  /** The text of the editor, not the file on disk, is sent. */
  unsaved?: boolean;
  reportFile: string;
}

export interface Confirmation {
  message: string;
  detail: string;
  /** The label of the button that starts the send. */
  confirmLabel: string;
}

/** How long the requests take at the destination's pace, ignoring slow answers. */
export function expectedDurationSeconds(records: number, ratePerMinute: number): number {
  return records <= 0 ? 0 : Math.ceil((records / ratePerMinute) * 60);
}

export function formatDuration(seconds: number): string {
  if (seconds < 1) return 'under a second';
  if (seconds < 90) return `about ${seconds} s`;
  if (seconds < 90 * 60) return `about ${Math.round(seconds / 60)} min`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.round((seconds % 3600) / 60);
  return `about ${hours} h ${minutes} min`;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

export function confirmationFor(plan: SendPlan): Confirmation {
  const source = `${plan.dataFileName}${plan.lines ? ` (lines ${plan.lines.from}–${plan.lines.to})` : ''}${plan.unsaved ? ', as shown in the editor (unsaved)' : ''}`;
  const pace =
    plan.records === undefined
      ? `${plan.concurrency} in flight, at most ${plan.ratePerMinute}/min.`
      : `${plan.concurrency} in flight, at most ${plan.ratePerMinute}/min: ${formatDuration(expectedDurationSeconds(plan.records, plan.ratePerMinute))}.`;
  const invalid =
    plan.invalid && plan.invalid > 0
      ? `\n${plural(plan.invalid, 'record')} cannot be read and will be skipped (line${plan.invalid === 1 ? '' : 's'} ${plan.invalidLines?.join(', ') ?? '?'}${plan.invalid > (plan.invalidLines?.length ?? 0) ? ', …' : ''}).`
      : '';
  const facts = [
    `${plan.method} ${plan.url}`,
    `Credential: ${plan.credentialName ?? 'HOTJAR_CLIENT_ID / HOTJAR_CLIENT_SECRET from the environment'}`,
    pace + invalid,
    `Report: ${plan.reportFile}`,
  ].join('\n');

  if (plan.destructive) {
    const subjects = plan.records === undefined ? 'every data subject' : plural(plan.records, 'data subject');
    return {
      message: `Permanently delete the Hotjar data of ${subjects} in ${plan.dataFileName}?`,
      detail:
        `"${plan.destinationName}" submits a GDPR deletion request (delete_all_hits: true) for each ${plan.records === undefined ? 'record' : `of the ${plural(plan.records, 'record')}`} of ${source}. ` +
        'Hotjar then deletes the recordings, heatmap data, feedback and survey responses of these people. This cannot be undone.\n\n' +
        facts,
      confirmLabel: plan.records === undefined ? 'Delete Their Data' : `Delete Data of ${plural(plan.records, 'Data Subject')}`,
    };
  }
  const what = plan.records === undefined ? 'the records' : plural(plan.records, 'record');
  return {
    message: `Send ${what} from ${plan.dataFileName} to "${plan.destinationName}"?`,
    detail: `${plan.lines || plan.unsaved ? `From ${source}.\n` : ''}${facts}`,
    confirmLabel: 'Send',
  };
}
