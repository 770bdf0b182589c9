import assert from 'node:assert/strict';
import { REDACTED, SecretRedactor } from '../../src/core/secretRedaction';

describe('SecretRedactor', () => {
  it('replaces registered secrets wherever they appear', () => {
    const redactor = new SecretRedactor();
    redactor.add('s3cr3t-value');
    assert.equal(redactor.redact('secret=s3cr3t-value and again s3cr3t-value.'), `secret=${REDACTED} and again ${REDACTED}.`);
  });

  it('masks bearer tokens, form and JSON secrets nobody registered', () => {
    const redactor = new SecretRedactor();
    assert.equal(redactor.redact('Authorization: Bearer eyJabc.def-ghi'), `Authorization: Bearer ${REDACTED}`);
    assert.equal(
      redactor.redact('grant_type=client_credentials&client_id=id&client_secret=abc123xyz'),
      `grant_type=client_credentials&client_id=id&client_secret=${REDACTED}`,
    );
    assert.equal(redactor.redact('{"access_token":"tok-123456","expires_in":3600}'), `{"access_token":"${REDACTED}","expires_in":3600}`);
  });

  it('replaces the longer of two overlapping secrets whole', () => {
    const redactor = new SecretRedactor();
    redactor.add('abcdef');
    redactor.add('abcdef-ghijkl');
    assert.equal(redactor.redact('x abcdef-ghijkl y'), `x ${REDACTED} y`);
  });

  it('ignores values too short to replace safely', () => {
    const redactor = new SecretRedactor();
    redactor.add('ab');
    redactor.add('');
    redactor.add(undefined);
    assert.equal(redactor.redact('a tab and a cab'), 'a tab and a cab');
  });

  it('leaves text without secrets unchanged', () => {
    assert.equal(new SecretRedactor().redact('Delivered 12 records to POST /v1/organizations/1/user-lookup'), 'Delivered 12 records to POST /v1/organizations/1/user-lookup');
  });
});
