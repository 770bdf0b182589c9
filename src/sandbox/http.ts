import { type IncomingMessage } from 'node:http';

/** An answer before it is written: JSON unless `contentType` says otherwise (then `body` is a string). */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  contentType?: string;
}

/** Thrown by handlers to answer with a JSON error `{ error, message, ...extra }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toReply(): Reply {
    return { status: this.status, body: { error: this.code, message: this.message, ...this.extra }, headers: this.headers };
  }
}

export type BodyRead = { kind: 'complete'; bytes: Buffer } | { kind: 'too-large' } | { kind: 'aborted' };

/** Past this much discarded upload the socket is cut rather than drained. */
const MAX_DRAINED_BYTES = 32 * 1024 * 1024;

/**
 * Reads a request body up to `limitBytes`. An oversized body is drained (not kept) so the client,
 * still uploading, can read the 413; a declared oversized length is refused without reading.
 */
export function readBody(request: IncomingMessage, limitBytes: number): Promise<BodyRead> {
  const declaredLength = Number(request.headers['content-length'] ?? 0);
  if (declaredLength > limitBytes) return Promise.resolve({ kind: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let receivedBytes = 0;
    request.on('data', (chunk: Buffer) => {
      receivedBytes += chunk.length;
      if (receivedBytes <= limitBytes) chunks.push(chunk);
      else if (receivedBytes > MAX_DRAINED_BYTES) request.socket.destroy();
    });
    request.on('end', () => {
      resolve(receivedBytes > limitBytes ? { kind: 'too-large' } : { kind: 'complete', bytes: Buffer.concat(chunks) });
    });
    request.on('error', () => resolve({ kind: 'aborted' }));
    request.on('close', () => {
      if (!request.complete) resolve({ kind: 'aborted' });
    });
  });
}

/** 'application/json; charset=utf-8' → 'application/json'; undefined when absent. */
export function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0].trim().toLowerCase();
  return type ? type : undefined;
}

export function isJsonMediaType(type: string | undefined): boolean {
  return type === 'application/json' || (type?.endsWith('+json') ?? false);
}

/** Parses JSON text, turning a syntax error into a 400 that quotes the parser's reason. */
export function parseJsonOrThrow(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new HttpError(400, 'malformed_json', `The request body is not valid JSON: ${reason}`);
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
