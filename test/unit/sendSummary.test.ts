import assert from 'node:assert/strict';
import { confirmationFor, expectedDurationSeconds, formatDuration, type SendPlan } from '../../src/extension/send/sendSummary';

const plan: SendPlan = {
  dataFileName: 'people.csv',
  destinationName: 'GDPR deletions (prod)',
  method: 'POST',
  url: 'https://api.hotjar.io/v1/organizations/123456/user-lookup',
  credentialName: 'prod',
  destructive: true,
  records: 1200,
  concurrency: 4,
  ratePerMinute: 3000,
  reportFile: '/w/people.report.jsonl',
};

describe('send confirmation', () => {
  it('states the irreversible action and the number of records for a deletion', () => {
    const c = confirmationFor(plan);
    assert.equal(c.message, 'Permanently delete the Hotjar data of 1,200 data subjects in people.csv?');
    assert.match(c.detail, /delete_all_hits: true/);
    assert.match(c.detail, /cannot be undone/);
    assert.match(c.detail, /each of the 1,200 records of people\.csv/);
    assert.equal(c.confirmLabel, 'Delete Data of 1,200 Data Subjects');
  });

  it('still confirms a deletion whose records were not counted', () => {
    const c = confirmationFor({ ...plan, records: undefined });
    assert.match(c.message, /every data subject/);
    assert.equal(c.confirmLabel, 'Delete Their Data');
  });

  it('summarises a lookup: endpoint, credential, pace, expected duration, skipped lines', () => {
    const c = confirmationFor({ ...plan, destructive: false, destinationName: 'Lookups', invalid: 2, invalidLines: [4, 9] });
    assert.equal(c.message, 'Send 1,200 records from people.csv to "Lookups"?');
    assert.match(c.detail, /^POST https:\/\/api\.hotjar\.io\/v1\/organizations\/123456\/user-lookup$/m);
    assert.match(c.detail, /Credential: prod/);
    assert.match(c.detail, /4 in flight, at most 3000\/min: about 24 s\./);
    assert.match(c.detail, /2 records cannot be read and will be skipped \(lines 4, 9\)/);
    assert.equal(c.confirmLabel, 'Send');
  });

  it('names the lines of a selection and an unsaved editor', () => {
    const c = confirmationFor({ ...plan, destructive: false, records: 1, lines: { from: 3, to: 3 }, unsaved: true });
    assert.match(c.message, /Send 1 record from/);
    assert.match(c.detail, /people\.csv \(lines 3–3\), as shown in the editor \(unsaved\)/);
  });

  it('mentions the environment credential when the destination names none', () => {
    assert.match(confirmationFor({ ...plan, credentialName: undefined }).detail, /HOTJAR_CLIENT_ID/);
  });
});

describe('expected duration', () => {
  it('follows the rate', () => {
    assert.equal(expectedDurationSeconds(3000, 3000), 60);
    assert.equal(expectedDurationSeconds(0, 3000), 0);
    assert.equal(formatDuration(0), 'under a second');
    assert.equal(formatDuration(45), 'about 45 s');
    assert.equal(formatDuration(600), 'about 10 min');
    assert.equal(formatDuration(3 * 3600 + 20 * 60), 'about 3 h 20 min');
  });
});
