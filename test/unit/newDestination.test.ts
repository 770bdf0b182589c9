import assert from 'node:assert/strict';
import { apiBaseForTokenUrl, createDestinationFile, destinationFileName } from '../../src/core/newDestination';
import { parseDestination } from '../../src/core/destination';
import { findTemplate } from '../../src/core/templates';

describe('createDestinationFile', () => {
  const lookup = findTemplate('hotjar.user-lookup')!;

  it('writes the template, credential and parameters, and the result is a valid destination', () => {
    const file = createDestinationFile({ template: lookup, name: ' GDPR lookups ', credential: 'prod', parameters: { organization_id: ' 123456 ' } });
    assert.equal(file.name, 'GDPR lookups');
    assert.equal(file.template, 'hotjar.user-lookup');
    assert.equal(file.credential, 'prod');
    assert.deepEqual(file.parameters, { organization_id: '123456' });
    assert.equal(file.request, undefined, 'the template URL is not copied for Hotjar itself');
    const resolved = parseDestination(JSON.stringify(file));
    assert.equal(resolved.request.url, 'https://api.hotjar.io/v1/organizations/{organization_id}/user-lookup');
    assert.equal(resolved.destructive, false);
  });

  it('moves the URL to another origin, keeping the path, for a sandbox credential', () => {
    const file = createDestinationFile({ template: lookup, name: 'Sandbox', parameters: { organization_id: '1' }, apiBase: 'http://127.0.0.1:4380/' });
    assert.equal(file.request?.url, 'http://127.0.0.1:4380/v1/organizations/{organization_id}/user-lookup');
    assert.equal(file.credential, undefined);
    assert.doesNotThrow(() => parseDestination(JSON.stringify(file)));
  });

  it('leaves out empty optional parameters', () => {
    const file = createDestinationFile({ template: lookup, name: 'x', parameters: { organization_id: '1', extra: '  ' } });
    assert.deepEqual(file.parameters, { organization_id: '1' });
  });
});

describe('apiBaseForTokenUrl', () => {
  it('is undefined for Hotjar and the origin otherwise', () => {
    assert.equal(apiBaseForTokenUrl('https://api.hotjar.io/v1/oauth/token'), undefined);
    assert.equal(apiBaseForTokenUrl('http://127.0.0.1:4380/v1/oauth/token'), 'http://127.0.0.1:4380');
  });
});

describe('destinationFileName', () => {
  it('slugs names into file names', () => {
    assert.equal(destinationFileName('GDPR deletions (prod)'), 'gdpr-deletions-prod.hotjar.json');
    assert.equal(destinationFileName('Löschung / Ärger'), 'loschung-arger.hotjar.json');
    assert.equal(destinationFileName('***'), 'destination.hotjar.json');
    assert.equal(destinationFileName('a', '-2'), 'a-2.hotjar.json');
  });
});
