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
 * deadline runs from the first byte written to the last byte read.
 */
export function timedRequest(url: URL, opts: TimedRequest): Promise<TimedResponse> {
  return new Promise((resolve, reject) => {
    let phase: ExchangePhase = 'connect';
    let bytes = 0;
    let settled = false;
    let deadlinePassed = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const fail = (e: unknown): void => {
      finish(() => {
        if (deadlinePassed) return reject(new RequestDeadlineError(phase, opts.timeoutMs));
        const code = (e as { code?: string })?.code;
        if (phase !== 'connect' && code && RESET_CODES.has(code))
          return reject(new ConnectionResetError(bytes));
        reject(e);
      });
    };
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(
      url,
      { method: opts.method, headers: opts.headers, ...(opts.agent ? { agent: opts.agent } : {}) },
      (res) => {
        phase = 'body';
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => {
          bytes += d.length;
          chunks.push(d);
        });
        res.on('error', fail);
        res.on('aborted', () => fail(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
        res.on('end', () => {
          // Node ends a response cut short by a closed socket too: it is complete only when complete.
          if (!res.complete) return fail(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
          finish(() =>
            resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res), body: Buffer.concat(chunks) }),
          );
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
    const timer = setTimeout(() => {
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
