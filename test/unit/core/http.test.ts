// The token provider and the HTTP client with a stubbed exchange: exact OAuth request, caching,
// single flight, refresh, 401 handling, host confinement and redirects.
import { strict as assert } from 'node:assert';
import { normalizeCredential, credentialFromEnvironment, CredentialError } from '../../../src/core/credentials';
import { HostNotAllowedError, HotjarHttpClient, TokenError, TokenProvider, type Transport, type TransportRequest, type TransportResponse } from '../../../src/core/http';

const credential = normalizeCredential({ name: 'prod', clientId: 'id-1', clientSecret: 's3cret-value', tokenUrl: 'https://api.hotjar.io/v1/oauth/token' });

class StubTransport implements Transport {
  readonly requests: TransportRequest[] = [];
  tokenCount = 0;
  constructor(private readonly answer: (request: TransportRequest, stub: StubTransport) => TransportResponse | Promise<TransportResponse>) {}
  async send(request: TransportRequest): Promise<TransportResponse> {
    this.requests.push(request);
    return this.answer(request, this);
  }
  close(): void {}
  get apiRequests(): TransportRequest[] {
    return this.requests.filter((r) => !r.url.endsWith('/oauth/token'));
  }
}

function tokenAnswer(stub: StubTransport, expiresIn = 3600): TransportResponse {
  stub.tokenCount++;
  return { status: 200, headers: {}, body: JSON.stringify({ access_token: `token-${stub.tokenCount}`, token_type: 'bearer', expires_in: expiresIn }) };
}

describe('TokenProvider', () => {
  it('asks for a token with a form-encoded client-credentials body', async () => {
    const stub = new StubTransport((_r, s) => tokenAnswer(s));
    const token = await new TokenProvider(stub).getToken(credential);
    assert.equal(token.value, 'token-1');
    const [request] = stub.requests;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, 'https://api.hotjar.io/v1/oauth/token');
    assert.equal(request.headers['Content-Type'], 'application/x-www-form-urlencoded');
    assert.equal(request.headers.Authorization, undefined, 'no Basic header: the secret goes in the body');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(request.body)), { grant_type: 'client_credentials', client_id: 'id-1', client_secret: 's3cret-value' });
  });

  it('fetches once for concurrent callers and caches until shortly before expiry', async () => {
    let now = 1_000_000;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const stub = new StubTransport(async (_r, s) => {
      await gate;
      return tokenAnswer(s, 100);
    });
    const provider = new TokenProvider(stub, { clock: () => now });
    const all = Promise.all([provider.getToken(credential), provider.getToken(credential), provider.getToken(credential)]);
    release();
    assert.deepEqual((await all).map((t) => t.value), ['token-1', 'token-1', 'token-1']);
    assert.equal(stub.requests.length, 1);
    now += 79_000; // before 80 % of 100 s
    assert.equal((await provider.getToken(credential)).value, 'token-1');
    now += 2_000; // past it: refreshed before expires_in runs out
    assert.equal((await provider.getToken(credential)).value, 'token-2');
  });

  it('invalidates only the token that was refused', async () => {
    const stub = new StubTransport((_r, s) => tokenAnswer(s));
    const provider = new TokenProvider(stub);
    const first = await provider.getToken(credential);
    provider.invalidate(credential, 'some-older-token');
    assert.equal((await provider.getToken(credential)).value, first.value);
    provider.invalidate(credential, first.value);
    assert.equal((await provider.getToken(credential)).value, 'token-2');
  });

  it('a refused credential is a fatal TokenError that says what to check, without the secret', async () => {
    const stub = new StubTransport(() => ({ status: 401, headers: {}, body: '{"error":"invalid_client","error_description":"bad s3cret-value"}' }));
    await assert.rejects(new TokenProvider(stub).getToken(credential), (error: unknown) => {
      assert.ok(error instanceof TokenError && error.fatal);
      assert.match(error.message, /refused credential "prod" \(401: invalid_client — bad \*\*\*\*\).*check its client ID and secret/);
      assert.ok(!error.message.includes('s3cret-value'));
      return true;
    });
    const unreachable = new StubTransport(() => Promise.reject(new Error('ECONNREFUSED')));
    await assert.rejects(new TokenProvider(unreachable).getToken(credential), (error: unknown) => error instanceof TokenError && !error.fatal);
  });
});

describe('HotjarHttpClient', () => {
  const request = { method: 'POST' as const, url: 'https://api.hotjar.io/v1/organizations/1/user-lookup', headers: { 'Content-Type': 'application/json' }, body: '{}' };

  it('attaches the bearer token and re-authenticates once on 401', async () => {
    const stub = new StubTransport((r, s) => {
      if (r.url.endsWith('/oauth/token')) return tokenAnswer(s);
      return { status: r.headers.Authorization === 'Bearer token-1' ? 401 : 200, headers: {}, body: '{}' };
    });
    const client = new HotjarHttpClient(credential, new TokenProvider(stub), stub);
    const result = await client.send(request, { timeoutMs: 1000 });
    assert.equal(result.status, 200);
    assert.deepEqual(stub.apiRequests.map((r) => r.headers.Authorization), ['Bearer token-1', 'Bearer token-2']);
  });

  it('gives up after the second 401', async () => {
    const stub = new StubTransport((r, s) => (r.url.endsWith('/oauth/token') ? tokenAnswer(s) : { status: 401, headers: {}, body: '' }));
    const result = await new HotjarHttpClient(credential, new TokenProvider(stub), stub).send(request, { timeoutMs: 1000 });
    assert.equal(result.status, 401);
    assert.equal(stub.apiRequests.length, 2);
  });

  it('refuses hosts the credential does not allow, and http:// off loopback, before any exchange', async () => {
    const stub = new StubTransport((_r, s) => tokenAnswer(s));
    const client = new HotjarHttpClient(credential, new TokenProvider(stub), stub);
    await assert.rejects(client.send({ ...request, url: 'https://evil.example/v1/x' }, { timeoutMs: 1000 }), (error: unknown) => {
      assert.ok(error instanceof HostNotAllowedError);
      assert.match(error.message, /The host evil\.example is not allowed for credential "prod" \(allowed: api\.hotjar\.io\).*--allow-host evil\.example/);
      return true;
    });
    await assert.rejects(client.send({ ...request, url: 'http://api.hotjar.io/v1/x' }, { timeoutMs: 1000 }), HostNotAllowedError);
    await assert.rejects(client.send({ ...request, url: 'https://api.hotjar.io:8443/v1/x' }, { timeoutMs: 1000 }), HostNotAllowedError);
    assert.equal(stub.requests.length, 0);
  });

  it('follows same-host redirects with the token, and refuses redirects to other hosts', async () => {
    const stub = new StubTransport((r, s) => {
      if (r.url.endsWith('/oauth/token')) return tokenAnswer(s);
      if (r.url.endsWith('/moved')) return { status: 307, headers: { location: '/v1/here' }, body: '' };
      if (r.url.endsWith('/away')) return { status: 302, headers: { location: 'https://elsewhere.example/steal' }, body: '' };
      return { status: 200, headers: {}, body: 'ok' };
    });
    const client = new HotjarHttpClient(credential, new TokenProvider(stub), stub);
    const followed = await client.send({ ...request, url: 'https://api.hotjar.io/v1/moved' }, { timeoutMs: 1000 });
    assert.equal(followed.status, 200);
    assert.equal(stub.apiRequests.at(-1)!.url, 'https://api.hotjar.io/v1/here');
    assert.equal(stub.apiRequests.at(-1)!.body, '{}', '307 keeps the method and body');
    const refused = await client.send({ ...request, url: 'https://api.hotjar.io/v1/away' }, { timeoutMs: 1000 });
    assert.equal(refused.refusedRedirect, 'https://elsewhere.example');
    assert.ok(stub.requests.every((r) => !r.url.includes('elsewhere')), 'nothing went to the other host');
  });

  it('scrubs the token and the secret from response bodies', async () => {
    const stub = new StubTransport((r, s) => (r.url.endsWith('/oauth/token') ? tokenAnswer(s) : { status: 400, headers: {}, body: `echo Bearer token-1 and s3cret-value` }));
    const result = await new HotjarHttpClient(credential, new TokenProvider(stub), stub).send(request, { timeoutMs: 1000 });
    assert.equal(result.body, 'echo Bearer **** and ****');
  });
});

describe('credentials from the environment', () => {
  it('forms an unnamed credential whose allowed host is the token URL host', () => {
    assert.equal(credentialFromEnvironment({}), undefined);
    const fromEnv = credentialFromEnvironment({ HOTJAR_CLIENT_ID: 'a', HOTJAR_CLIENT_SECRET: 'b', HOTJAR_TOKEN_URL: 'http://127.0.0.1:4380/v1/oauth/token' })!;
    assert.deepEqual([fromEnv.name, fromEnv.tokenUrl, fromEnv.allowedHosts], ['environment', 'http://127.0.0.1:4380/v1/oauth/token', ['127.0.0.1:4380']]);
    assert.deepEqual(credentialFromEnvironment({ HOTJAR_CLIENT_ID: 'a', HOTJAR_CLIENT_SECRET: 'b' })!.allowedHosts, ['api.hotjar.io']);
    assert.throws(() => credentialFromEnvironment({ HOTJAR_CLIENT_ID: 'a' }), CredentialError);
    assert.throws(() => credentialFromEnvironment({ HOTJAR_CLIENT_ID: 'a', HOTJAR_CLIENT_SECRET: 'b', HOTJAR_TOKEN_URL: 'http://example.com/token' }), /https/);
  });
});
