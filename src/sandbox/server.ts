// A local emulator of the Hotjar API on 127.0.0.1: OAuth client-credentials tokens, user-lookup,
// surveys, an echo endpoint for manual destinations, a rate limit and fault injection.
// Plain node:http, no vscode: the extension, the CLI and the tests all start it.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { appendFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { parseBody } from './bodies';
import {
  DEMO_CLIENT,
  MAX_BODY_BYTES,
  SECRET_LOG_ENV,
  type FaultKind,
  type ReceivedCall,
  type Sandbox,
  type SandboxOptions,
  type SandboxStats,
} from './contract';
import { FaultPlan } from './faults';
import { HttpError, isJsonMediaType, isPlainObject, mediaType, parseJsonOrThrow, readBody, type Reply } from './http';
import { applyOptions, defaultSettings, optionProblems, publicSettings, type Settings } from './options';
import { PAGE_RECENT_CALLS, renderStatusPage } from './page';
import { SlidingWindowLimiter } from './rateLimiter';
import { StatsRecorder } from './stats';
import { getSurvey, listResponses, listSurveys } from './surveys';
import { TokenStore } from './tokens';
import { subjectOf, validateUserLookup } from './userLookup';

export * from './contract';

const HOST = '127.0.0.1';
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const TOKEN_PATH = '/v1/oauth/token';
/** Headers an echo answer never repeats back. */
const PRIVATE_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/** token: the OAuth endpoint; api: Bearer-protected and subject to rate limit and faults; admin: `/` and `/_sandbox/*`. */
type Area = 'token' | 'api' | 'admin';

interface CallContext {
  method: string;
  url: URL;
  params: string[];
  headers: IncomingHttpHeaders;
  body: Buffer;
  contentType?: string;
  mediaType?: string;
  requestId: string;
  now: number;
}

interface HandlerResult {
  reply: Reply;
  /** Present for write calls: recorded in stats when the reply is a 2xx. */
  received?: Omit<ReceivedCall, 'at' | 'status'>;
}

interface Route {
  area: Area;
  pattern: RegExp;
  methods: string[];
  handle: (call: CallContext) => HandlerResult;
}

/** Starts a sandbox listening on 127.0.0.1. Rejects on invalid options or a port in use. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const problems = optionProblems(options, 'start');
  if (problems.length > 0) throw new TypeError(`Invalid sandbox options: ${problems.join('; ')}`);
  // An explicit `quiet: false` without a `log` means "log to the console"; otherwise code use is silent.
  const log = options.log !== undefined ? options.log : options.quiet === false ? (line: string) => console.log(line) : null;
  const sandbox = new SandboxServer(applyOptions(defaultSettings(), { ...options, log }), process.env[SECRET_LOG_ENV] || undefined);
  await sandbox.listen();
  return sandbox;
}

class SandboxServer implements Sandbox {
  url = '';
  port = 0;
  tokenUrl = '';

  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** Aborted by close() and goDown(): cancels latency waits so nothing answers after the server is gone. */
  private lifetime = unlimitedAbortController();
  private closed: Promise<void> | undefined;
  private down = false;
  /** Faults for the next API calls, in order (injectFaults), before the random plan. */
  private scriptedFaults: FaultKind[] = [];
  private readonly tokens = new TokenStore();
  private readonly recorder: StatsRecorder;
  private limiter: SlidingWindowLimiter | null = null;
  private faultPlan: FaultPlan;
  private readonly routes: Route[];

  constructor(
    private settings: Settings,
    /** SECRET_LOG_ENV: where issued tokens and accepted client secrets are appended for leak scans. */
    private readonly secretLog?: string,
  ) {
    this.logSecrets(settings.clients);
    this.recorder = new StatsRecorder(settings.clock(), settings.maxReceived);
    this.faultPlan = new FaultPlan(settings.faults);
    this.limiter = makeLimiter(settings);
    this.routes = this.buildRoutes();
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => this.answerUnexpected(response, error));
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        const reason = error.code === 'EADDRINUSE' ? `port ${this.settings.port} on ${HOST} is already in use` : error.message;
        reject(Object.assign(new Error(`The Hotjar sandbox could not start: ${reason}`), { code: error.code }));
      };
      this.server.once('error', onError);
      this.server.listen(this.settings.port, HOST, () => {
        this.server.off('error', onError);
        const address = this.server.address();
        this.port = typeof address === 'object' && address !== null ? address.port : this.settings.port;
        this.settings = { ...this.settings, port: this.port };
        this.url = `http://${HOST}:${this.port}`;
        this.tokenUrl = `${this.url}${TOKEN_PATH}`;
        resolve();
      });
    });
  }

  stats(): SandboxStats {
    return this.recorder.snapshot();
  }

  configure(options: Partial<SandboxOptions>): void {
    const problems = optionProblems(options, 'configure');
    if (problems.length > 0) throw new TypeError(`Invalid sandbox options: ${problems.join('; ')}`);
    this.settings = applyOptions(this.settings, options);
    if (options.ratePerMinute !== undefined || options.rateWindowSeconds !== undefined) this.limiter = makeLimiter(this.settings);
    if (options.faults !== undefined) this.faultPlan = new FaultPlan(this.settings.faults);
    if (options.maxReceived !== undefined) this.recorder.setMaxReceived(this.settings.maxReceived);
    if (options.clients !== undefined) this.logSecrets(this.settings.clients);
  }

  reset(): void {
    this.recorder.clear(this.settings.clock());
    this.limiter = makeLimiter(this.settings);
    this.faultPlan = new FaultPlan(this.settings.faults);
    this.scriptedFaults = [];
  }

  close(): Promise<void> {
    this.closed ??= this.stopListening();
    return this.closed;
  }

  injectFaults(kinds: readonly FaultKind[]): void {
    const problems = optionProblems({ faults: { rate: 1, kinds: [...kinds] } }, 'configure');
    if (kinds.length > 0 && problems.length > 0) throw new TypeError(`Invalid faults to inject: ${problems.join('; ')}`);
    this.scriptedFaults.push(...kinds);
  }

  expireTokens(): number {
    return this.tokens.expireAll(this.settings.clock());
  }

  issuedTokens(): string[] {
    return this.tokens.list();
  }

  async goDown(): Promise<void> {
    if (this.closed) throw new Error('The sandbox is closed.');
    if (this.down) return;
    this.down = true;
    await this.stopListening();
  }

  async comeUp(): Promise<void> {
    if (this.closed) throw new Error('The sandbox is closed: start a new one.');
    if (!this.down) return;
    this.lifetime = unlimitedAbortController();
    await this.listen();
    this.down = false;
  }

  private stopListening(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.lifetime.abort();
      // The callback also runs (with an error) when the server is not listening (closed while down).
      this.server.close(() => resolve());
      // Idle keep-alive connections and hung requests would otherwise keep close() waiting forever.
      this.server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
    });
  }

  /** Appends to the secret log (SECRET_LOG_ENV); a log that cannot be written is not the API's problem. */
  private appendSecretLog(lines: string[]): void {
    if (!this.secretLog || lines.length === 0) return;
    try {
      appendFileSync(this.secretLog, lines.map((line) => `${line}\n`).join(''));
    } catch {
      // ignored: the scan then finds fewer secrets to look for, and says how many it had
    }
  }

  private logSecrets(clients: ReadonlyArray<{ clientSecret: string }>): void {
    this.appendSecretLog(clients.filter((client) => client.clientSecret !== DEMO_CLIENT.clientSecret).map((client) => `secret ${client.clientSecret}`));
  }

  // ---- request flow ----

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const startedAt = performance.now();
    const method = request.method ?? 'GET';
    const rawUrl = request.url ?? '/';
    // Absolute-form targets (proxy style) are not for this server; '//x' must stay a path, not a host.
    const url = new URL(rawUrl.startsWith('/') ? `http://${HOST}${rawUrl}` : `http://${HOST}/`);
    const isV1 = url.pathname === '/v1' || url.pathname.startsWith('/v1/');
    const logCall = (outcome: string, fault?: FaultKind): void => {
      if (isV1) this.recorder.countOutcome(outcome);
      this.log(`${method} ${url.pathname} ${outcome} ${Math.round(performance.now() - startedAt)}ms${fault ? ` (fault ${fault})` : ''}`);
    };
    const answer = (reply: Reply, fault?: FaultKind): void => {
      send(response, reply);
      logCall(String(reply.status), fault);
    };

    if (!rawUrl.startsWith('/')) return answer(new HttpError(400, 'bad_request', 'The request target must be a path').toReply());
    const match = this.findRoute(url.pathname);
    if (!match) {
      if (isV1) this.recorder.countRequest(false);
      return answer(new HttpError(404, 'not_found', `No such endpoint: ${url.pathname}`).toReply());
    }
    const { route, params } = match;
    if (isV1) this.recorder.countRequest(route.area === 'api');
    if (!route.methods.includes(method)) {
      const error = new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}; use ${route.methods.join(', ')}`, {}, { allow: route.methods.join(', ') });
      return answer(error.toReply());
    }

    const bodyRead = await readBody(request, MAX_BODY_BYTES);
    if (bodyRead.kind === 'aborted') return logCall('aborted');
    if (bodyRead.kind === 'too-large') {
      const error = new HttpError(413, 'payload_too_large', `Request bodies are limited to ${MAX_BODY_BYTES} bytes`, { limit_bytes: MAX_BODY_BYTES }, { connection: 'close' });
      return answer(error.toReply());
    }

    const fault = route.area === 'api' ? (this.scriptedFaults.shift() ?? this.faultPlan.next()) : undefined;
    if (fault) this.recorder.countFault(fault);
    if (route.area !== 'admin' && this.settings.latencyMs > 0) {
      try {
        await delay(this.settings.latencyMs, undefined, { signal: this.lifetime.signal });
      } catch {
        return; // closing: the socket is being destroyed anyway
      }
    }

    switch (fault) {
      case 'reset':
        request.socket.destroy();
        return logCall('reset', fault);
      case 'hang':
        // No answer at all: the client's timeout (or close()) ends it.
        return logCall('hang', fault);
      case '500':
        return answer(faultReply(500, 'internal_error', 'Internal server error', fault), fault);
      case '503':
        return answer(faultReply(503, 'service_unavailable', 'Service temporarily unavailable', fault), fault);
      case '429': {
        const reply = faultReply(429, 'rate_limited', 'Too many requests', fault);
        reply.headers = { ...reply.headers, 'retry-after': this.faultPlan.retryAfterHeader(this.settings.clock()) };
        return answer(reply, fault);
      }
      default:
        break;
    }

    const contentType = request.headers['content-type'];
    const now = this.settings.clock();
    const call: CallContext = {
      method,
      url,
      params,
      headers: request.headers,
      body: bodyRead.bytes,
      contentType,
      mediaType: mediaType(contentType),
      requestId: randomUUID(),
      now,
    };
    const result = this.process(route, call);
    const status = result.reply.status;
    const processed = result.received && status >= 200 && status < 300 ? result.received : undefined;
    if (processed) this.recorder.record({ ...processed, at: now, status });
    if (fault === 'reset-after-processing') {
      // Processed and recorded, yet the client sees a dropped connection: it cannot know.
      request.socket.destroy();
      return logCall('reset', fault);
    }
    if (fault === 'hang-after-processing') {
      // Processed and recorded, and no answer ever: the client's timeout (or close()) ends it.
      return logCall('hang', fault);
    }
    const subject = processed?.subject;
    if (subject !== undefined) {
      // Written out whole: from now on the client knows this subject was received.
      response.once('finish', () => this.recorder.acknowledge(subject));
    }
    answer(result.reply, fault);
  }

  /** Authentication and rate limit for API routes, then the route's handler; HttpErrors become replies. */
  private process(route: Route, call: CallContext): HandlerResult {
    const rateHeaders: Record<string, string> = {};
    try {
      if (route.area === 'api') {
        this.authorize(call);
        if (this.limiter) {
          const decision = this.limiter.take(call.now);
          rateHeaders['x-ratelimit-limit'] = String(decision.limit);
          rateHeaders['x-ratelimit-remaining'] = String(decision.remaining);
          rateHeaders['x-ratelimit-reset'] = String(decision.resetSeconds);
          if (!decision.allowed) {
            this.recorder.countRateLimited();
            throw new HttpError(429, 'rate_limited', `Rate limit of ${decision.limit} requests per ${this.settings.rateWindowSeconds} s exceeded`, {}, { 'retry-after': String(decision.retryAfterSeconds) });
          }
        }
      }
      const result = route.handle(call);
      result.reply.headers = { ...rateHeaders, ...result.reply.headers };
      return result;
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      const reply = error.toReply();
      reply.headers = { ...rateHeaders, ...reply.headers };
      return { reply };
    }
  }

  private authorize(call: CallContext): void {
    const header = call.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const refuse = (reason: string, message: string): never => {
      this.recorder.countUnauthorized();
      throw new HttpError(401, 'unauthorized', message, {}, { 'www-authenticate': `Bearer realm="hotjar-sandbox", error="${reason}"` });
    };
    if (!match) return refuse('invalid_request', 'An Authorization: Bearer <access_token> header is required');
    const check = this.tokens.check(match[1], call.now);
    if (check.state === 'expired') return refuse('invalid_token', 'The access token has expired');
    if (check.state === 'unknown') return refuse('invalid_token', 'The access token is not valid');
  }

  private findRoute(pathname: string): { route: Route; params: string[] } | undefined {
    for (const route of this.routes) {
      const match = route.pattern.exec(pathname);
      if (!match) continue;
      try {
        return { route, params: match.slice(1).map((param) => decodeURIComponent(param ?? '')) };
      } catch {
        return undefined; // a malformed %-escape names nothing that exists
      }
    }
    return undefined;
  }

  private log(line: string): void {
    if (this.settings.log && !this.settings.quiet) this.settings.log(`${new Date().toISOString().slice(11, 23)} ${line}`);
  }

  private answerUnexpected(response: ServerResponse, error: unknown): void {
    this.log(`internal error: ${error instanceof Error ? error.message : String(error)}`);
    if (response.headersSent) response.destroy();
    else send(response, new HttpError(500, 'internal_error', 'The sandbox failed to handle this request').toReply());
  }

  // ---- routes ----

  private buildRoutes(): Route[] {
    return [
      { area: 'token', pattern: /^\/v1\/oauth\/token$/, methods: ['POST'], handle: (call) => this.issueToken(call) },
      { area: 'api', pattern: /^\/v1\/organizations\/([^/]+)\/user-lookup$/, methods: ['POST'], handle: (call) => this.userLookup(call) },
      { area: 'api', pattern: /^\/v1\/sites\/([^/]+)\/surveys$/, methods: ['GET'], handle: (call) => this.surveys(call) },
      { area: 'api', pattern: /^\/v1\/sites\/([^/]+)\/surveys\/([^/]+)$/, methods: ['GET'], handle: (call) => this.surveys(call) },
      { area: 'api', pattern: /^\/v1\/sites\/([^/]+)\/surveys\/([^/]+)\/responses$/, methods: ['GET'], handle: (call) => this.surveys(call) },
      { area: 'api', pattern: /^\/v1\/echo(?:\/.*)?$/, methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], handle: (call) => this.echo(call) },
      { area: 'admin', pattern: /^\/$/, methods: ['GET'], handle: () => this.statusPage() },
      { area: 'admin', pattern: /^\/_sandbox\/stats$/, methods: ['GET'], handle: (call) => this.statsReply(call) },
      { area: 'admin', pattern: /^\/_sandbox\/config$/, methods: ['GET', 'POST'], handle: (call) => this.configReply(call) },
      { area: 'admin', pattern: /^\/_sandbox\/reset$/, methods: ['POST'], handle: () => this.resetReply() },
    ];
  }

  private issueToken(call: CallContext): HandlerResult {
    const oauthError = (status: number, error: string, description: string): HttpError =>
      new HttpError(status, error, description, { error_description: description });
    if (isJsonMediaType(call.mediaType)) {
      throw oauthError(400, 'invalid_request', 'The token endpoint takes an application/x-www-form-urlencoded body (OAuth 2.0), not JSON');
    }
    if (call.mediaType !== 'application/x-www-form-urlencoded') {
      throw oauthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(call.body.toString('utf8'));
    const grantType = form.get('grant_type');
    if (!grantType) throw oauthError(400, 'invalid_request', 'grant_type is required');
    if (grantType !== 'client_credentials') throw oauthError(400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported');
    const clientId = form.get('client_id');
    const clientSecret = form.get('client_secret');
    if (!clientId || !clientSecret) {
      throw oauthError(400, 'invalid_request', 'client_id and client_secret are required in the form body (not in an Authorization header)');
    }
    const known = this.settings.clients.some((client) => client.clientId === clientId && client.clientSecret === clientSecret);
    if (!known) {
      this.recorder.countTokenRefused();
      throw oauthError(401, 'invalid_client', 'Unknown client_id or wrong client_secret');
    }
    const lifetimeSeconds = this.settings.tokenLifetimeSeconds;
    const accessToken = this.tokens.issue(clientId, lifetimeSeconds * 1000, call.now);
    this.recorder.countTokenIssued();
    this.appendSecretLog([`token ${accessToken}`]);
    return {
      reply: {
        status: 200,
        body: { access_token: accessToken, token_type: 'bearer', expires_in: Math.ceil(lifetimeSeconds) },
        headers: { pragma: 'no-cache' },
      },
    };
  }

  private userLookup(call: CallContext): HandlerResult {
    const organizationId = call.params[0];
    if (this.settings.forbiddenOrganizations.includes(organizationId)) {
      throw new HttpError(403, 'forbidden', `The plan of organization ${organizationId} does not include user lookup (it needs an Observe or Ask Scale plan)`);
    }
    if (!this.settings.organizations.includes(organizationId)) {
      throw new HttpError(404, 'not_found', `Organization ${organizationId} not found`);
    }
    if (!isJsonMediaType(call.mediaType)) {
      throw new HttpError(415, 'unsupported_media_type', `The body must be application/json, not ${call.mediaType ?? 'missing'}`);
    }
    const body = parseJsonOrThrow(call.body.toString('utf8'));
    if (!isPlainObject(body)) throw new HttpError(400, 'invalid_body', 'The body must be a JSON object');
    const validation = validateUserLookup(body);
    if (!validation.ok) {
      const summary = validation.problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ');
      throw new HttpError(422, 'validation_failed', `Invalid user-lookup request: ${summary}`, { details: validation.problems });
    }
    const { request } = validation;
    return {
      reply: {
        status: 200,
        body: {
          status: 'accepted',
          request_id: call.requestId,
          organization_id: organizationId,
          request_type: request.deleteAllHits ? 'deletion' : 'lookup',
        },
      },
      received: {
        ...this.receivedBase(call),
        organizationId,
        body,
        subject: subjectOf(request),
        deleteAllHits: request.deleteAllHits,
      },
    };
  }

  private surveys(call: CallContext): HandlerResult {
    const [siteId, surveyId] = call.params;
    if (!this.settings.sites.includes(siteId)) throw new HttpError(404, 'not_found', `Site ${siteId} not found`);
    const query = call.url.searchParams;
    let body: unknown;
    if (surveyId === undefined) body = listSurveys(query);
    else if (call.url.pathname.endsWith('/responses')) body = listResponses(surveyId, query);
    else body = getSurvey(surveyId);
    return { reply: { status: 200, body } };
  }

  private echo(call: CallContext): HandlerResult {
    const parsed = parseBody(call.body, call.mediaType);
    const subjectFields = isPlainObject(parsed.value) ? parsed.value : undefined;
    const email = subjectFields?.data_subject_email;
    const map = subjectFields?.data_subject_site_id_to_user_id_map;
    const subject = subjectOf({
      email: typeof email === 'string' ? email : undefined,
      siteIdToUserIdMap: isPlainObject(map) ? (map as Record<string, string | number>) : undefined,
    });
    const deleteAllHits = subjectFields?.delete_all_hits;
    const headers = Object.fromEntries(Object.entries(call.headers).filter(([name]) => !PRIVATE_HEADERS.has(name)));
    return {
      reply: {
        status: 200,
        body: {
          status: 'received',
          request_id: call.requestId,
          method: call.method,
          path: call.url.pathname,
          query: call.url.search.slice(1),
          content_type: call.contentType ?? null,
          bytes: call.body.length,
          format: parsed.format,
          headers,
          body: parsed.value,
        },
      },
      received: {
        ...this.receivedBase(call),
        body: parsed.value,
        subject,
        deleteAllHits: typeof deleteAllHits === 'boolean' ? deleteAllHits : undefined,
      },
    };
  }

  private receivedBase(call: CallContext): Omit<ReceivedCall, 'at' | 'status' | 'body'> {
    return { method: call.method, path: call.url.pathname, query: call.url.search.slice(1), requestId: call.requestId, contentType: call.contentType };
  }

  private statusPage(): HandlerResult {
    const stats = this.recorder.snapshot(0);
    const recent = this.recorder.lastReceived(PAGE_RECENT_CALLS);
    return { reply: { status: 200, body: renderStatusPage(stats, recent, this.url), contentType: 'text/html; charset=utf-8', headers: { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" } } };
  }

  private statsReply(call: CallContext): HandlerResult {
    const tailText = call.url.searchParams.get('received');
    if (tailText !== null && !/^\d+$/.test(tailText)) throw new HttpError(400, 'invalid_parameter', 'received must be a whole number of calls');
    return { reply: { status: 200, body: this.recorder.snapshot(tailText === null ? undefined : Number(tailText)) } };
  }

  private configReply(call: CallContext): HandlerResult {
    if (call.method === 'POST') {
      if (!isJsonMediaType(call.mediaType)) throw new HttpError(415, 'unsupported_media_type', 'Send the options as application/json');
      const changes = parseJsonOrThrow(call.body.toString('utf8'));
      const problems = optionProblems(changes, 'http');
      if (problems.length > 0) throw new HttpError(400, 'invalid_options', problems.join('; '), { problems });
      this.configure(changes as Partial<SandboxOptions>);
    }
    return { reply: { status: 200, body: { status: 'ok', options: publicSettings(this.settings) } } };
  }

  private resetReply(): HandlerResult {
    this.reset();
    return { reply: { status: 200, body: { status: 'reset' } } };
  }
}

/** Every call in its latency wait listens to the signal: dozens at once are normal, not a leak to warn about. */
function unlimitedAbortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

function makeLimiter(settings: Settings): SlidingWindowLimiter | null {
  return settings.ratePerMinute === null ? null : new SlidingWindowLimiter(settings.ratePerMinute, settings.rateWindowSeconds * 1000);
}

function faultReply(status: number, code: string, message: string, fault: FaultKind): Reply {
  // The body looks like a real failure; the header tells a human reading traffic that it was injected.
  return { status, body: { error: code, message }, headers: { 'x-sandbox-fault': fault } };
}

function send(response: ServerResponse, reply: Reply): void {
  if (response.destroyed || response.headersSent) return;
  const isJson = reply.contentType === undefined || reply.contentType.includes('json');
  const payload = isJson ? JSON.stringify(reply.body) : String(reply.body);
  response.writeHead(reply.status, {
    'content-type': reply.contentType ?? JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
    ...reply.headers,
  });
  response.end(payload);
}
