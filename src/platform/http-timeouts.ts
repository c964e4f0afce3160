/**
 * One timeout model for every HTTP exchange irsa-check makes with Kubernetes and AWS
 * (README "Timeouts"): one deadline per request that covers connect, TLS handshake,
 * first byte and the whole body. A server that accepts the connection and never
 * answers, or drips its answer one byte at a time, ends at the deadline; a server that
 * resets the connection ends at once, as a reset.
 *
 * Socket idle timeouts (Node's `setTimeout`, smithy's `requestTimeout`) do not do this:
 * each dripped byte restarts them, and smithy's stops at the response headers.
 */
import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';

/** The server (scheme, host, port) each failed exchange went to, for the words of its FAIL. */
const servers = new WeakMap<object, string>();

/** The server a request error of timedRequest/timedStream came from, if it was one of theirs. */
export function serverOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null ? servers.get(e) : undefined;
}

function fromServer<E>(e: E, url: URL): E {
  if (typeof e === 'object' && e !== null) servers.set(e, url.origin);
  return e;
}

/** Where an exchange was when its deadline passed. */
export type ExchangePhase = 'connect' | 'tls' | 'first byte' | 'body';

/** The deadline of one request passed: `phase` says what the server had not done yet. */
export class RequestDeadlineError extends Error {
  override name = 'RequestDeadlineError';
  constructor(
    readonly phase: ExchangePhase,
    readonly timeoutMs: number,
  ) {
    super(deadlineWords(phase, timeoutMs));
  }
}

export function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

/** "no answer within 1 s" (nothing came), or what was still missing when the deadline passed. */
export function deadlineWords(phase: ExchangePhase, timeoutMs: number): string {
  if (phase === 'body') return `the answer did not complete within ${seconds(timeoutMs)}`;
  if (phase === 'tls') return `no TLS handshake within ${seconds(timeoutMs)}`;
  return `no answer within ${seconds(timeoutMs)}`;
}

/** The server closed or reset the connection before its answer was complete. */
export class ConnectionResetError extends Error {
  override name = 'ConnectionResetError';
  readonly code = 'ECONNRESET';
  constructor(
    /** Bytes of the body received before the reset (0: before or at the headers). */
    readonly bytes: number,
  ) {
    super(
      bytes > 0
        ? `connection reset by the server after ${bytes} bytes of the answer`
        : 'connection reset by the server before it answered',
    );
  }
}

export interface TimedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface TimedRequest {
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  agent?: HttpAgent | HttpsAgent;
  timeoutMs: number;
  /** An outer signal (client-node's own): aborting it ends the exchange too. */
  signal?: AbortSignal;
  /**
   * A long answer read as lines as they come (a Kubernetes watch) instead of whole: once a
   * 200's headers are in, each line goes to `onLine` and the body has `bodyMs` instead of
   * what is left of `timeoutMs`; when that passes the answer is ended here, as a complete
   * (empty-bodied) answer: the server was asked to end it by then. Other statuses are read whole.
   */
  lines?: { onLine: (line: string) => void; bodyMs: number };
}

/** Node's error codes for a connection the server closed mid-exchange. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

function flatHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/**
 * One HTTP(S) request read to its end within `timeoutMs`, whatever the server does: the
 * deadline runs from the first byte written to the last byte read (for `lines`, to the headers;
 * the body then has its own bound).
 */
export function timedRequest(url: URL, opts: TimedRequest): Promise<TimedResponse> {
  return new Promise((resolve, reject) => {
    let phase: ExchangePhase = 'connect';
    let bytes = 0;
    let settled = false;
    let deadlinePassed = false;
    /** A streamed answer whose body bound passed: ended here on purpose, not by the server. */
    let streamBoundPassed = false;
    let status = 0;
    let headers: Record<string, string> = {};
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const fail = (e: unknown): void => {
      finish(() => {
        if (streamBoundPassed) return resolve({ status, headers, body: Buffer.alloc(0) });
        if (deadlinePassed) return reject(fromServer(new RequestDeadlineError(phase, opts.timeoutMs), url));
        const code = (e as { code?: string })?.code;
        if (phase !== 'connect' && code && RESET_CODES.has(code))
          return reject(fromServer(new ConnectionResetError(bytes), url));
        reject(fromServer(e, url));
      });
    };
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(
      url,
      { method: opts.method, headers: opts.headers, ...(opts.agent ? { agent: opts.agent } : {}) },
      (res) => {
        phase = 'body';
        status = res.statusCode ?? 0;
        headers = flatHeaders(res);
        const stream = opts.lines && status === 200 ? opts.lines : undefined;
        const decoder = new StringDecoder('utf8');
        let partial = '';
        if (stream) {
          clearTimeout(timer);
          timer = setTimeout(() => {
            streamBoundPassed = true;
            req.destroy();
          }, stream.bodyMs);
        }
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => {
          bytes += d.length;
          if (!stream) return void chunks.push(d);
          const text = partial + decoder.write(d);
          const lines = text.split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) if (line.trim() !== '') stream.onLine(line);
        });
        res.on('error', fail);
        res.on('aborted', () => fail(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
        // A destroyed answer may close without 'end', 'error' or 'aborted' (a streamed one ended here).
        res.on('close', () => {
          if (!res.complete) fail(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
        });
        res.on('end', () => {
          // Node ends a response cut short by a closed socket too: it is complete only when complete.
          if (!res.complete) return fail(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
          const last = partial + decoder.end();
          if (stream && last.trim() !== '') stream.onLine(last);
          finish(() => resolve({ status, headers, body: Buffer.concat(chunks) }));
        });
      },
    );
    req.on('socket', (socket: Socket) => {
      const secure = url.protocol === 'https:';
      const afterConnect = (): void => {
        if (phase === 'connect') phase = secure ? 'tls' : 'first byte';
      };
      if (socket.connecting) socket.once('connect', afterConnect);
      else phase = 'first byte'; // a kept-alive socket: connected and past its handshake
      if (secure) {
        socket.once('secureConnect', () => {
          if (phase === 'connect' || phase === 'tls') phase = 'first byte';
        });
      }
    });
    req.on('error', fail);
    let timer = setTimeout(() => {
      deadlinePassed = true;
      req.destroy(new RequestDeadlineError(phase, opts.timeoutMs));
    }, opts.timeoutMs);
    const onAbort = (): void => {
      req.destroy(opts.signal?.reason instanceof Error ? opts.signal.reason : new Error('aborted'));
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.end(opts.body);
  });
}
