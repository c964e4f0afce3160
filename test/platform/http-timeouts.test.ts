/**
 * The one timeout model (src/platform/http-timeouts.ts, README "Timeouts"): one deadline
 * per request over connect, TLS, first byte and body, and a reset told from a silence.
 * Loopback servers; short deadlines, generous upper bounds.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConnectionResetError,
  RequestDeadlineError,
  timedRequest,
} from '../../src/platform/http-timeouts.js';
import { publicIssuer } from '../../src/platform/public-issuer.js';
import { startSilentServer, type TestServer } from '../support/silent-servers.js';

let server: Server | undefined;
let silent: TestServer | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
  await silent?.close();
  silent = undefined;
});

const BODY = Buffer.from(JSON.stringify({ items: Array.from({ length: 100 }, (_, i) => ({ i })) }));

/** Answers with `how`: drip one byte every 100 ms, or cut the connection after half the body. */
async function misbehaving(how: 'drip' | 'reset' | 'close'): Promise<string> {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(BODY.length) });
    if (how === 'drip') {
      let i = 0;
      const t = setInterval(() => {
        if (res.destroyed || i >= BODY.length) return clearInterval(t);
        res.write(BODY.subarray(i, ++i));
      }, 100);
      return;
    }
    res.write(BODY.subarray(0, BODY.length / 2), () =>
      setTimeout(() => (how === 'reset' ? res.socket?.resetAndDestroy() : res.socket?.end()), 10),
    );
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function failure(p: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    await p;
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  throw new Error('expected a failure');
}

describe('timedRequest', () => {
  it('a server that accepts and never answers: "no answer within 0.5 s" at the deadline', async () => {
    silent = await startSilentServer();
    const { error, ms } = await failure(
      timedRequest(new URL(silent.url), { method: 'GET', headers: {}, timeoutMs: 500 }),
    );
    expect(error).toBeInstanceOf(RequestDeadlineError);
    expect((error as Error).message).toBe('no answer within 0.5 s');
    expect(ms).toBeLessThan(5000);
  });

  it('over https, a server that never completes the handshake: "no TLS handshake within 0.5 s"', async () => {
    silent = await startSilentServer();
    const { error } = await failure(
      timedRequest(new URL(`https://127.0.0.1:${silent.port}`), {
        method: 'GET',
        headers: {},
        timeoutMs: 500,
      }),
    );
    expect((error as Error).message).toBe('no TLS handshake within 0.5 s');
  });

  it('a body dripped a byte at a time: "the answer did not complete" at the deadline, though bytes keep coming', async () => {
    const url = await misbehaving('drip');
    const { error, ms } = await failure(
      timedRequest(new URL(url), { method: 'GET', headers: {}, timeoutMs: 700 }),
    );
    expect((error as Error).message).toBe('the answer did not complete within 0.7 s');
    expect(ms).toBeLessThan(5000);
  });

  it.each(['reset', 'close'] as const)(
    'a connection cut after half the body (%s): a reset, at once, with the bytes received',
    async (how) => {
      const url = await misbehaving(how);
      const { error, ms } = await failure(
        timedRequest(new URL(url), { method: 'GET', headers: {}, timeoutMs: 30_000 }),
      );
      expect(error).toBeInstanceOf(ConnectionResetError);
      expect((error as Error).message).toBe(
        `connection reset by the server after ${Math.floor(BODY.length / 2)} bytes of the answer`,
      );
      expect(ms).toBeLessThan(10_000);
    },
  );

  it('a complete answer: status, headers and body', async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(BODY);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const r = await timedRequest(new URL(url), { method: 'GET', headers: {}, timeoutMs: 5000 });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.body.equals(BODY)).toBe(true);
  });
});

describe('the public issuer fetch (discovery and JWKS)', () => {
  it('a discovery document dripped a byte at a time ends at its deadline', async () => {
    const url = await misbehaving('drip');
    const { ms } = await failure(publicIssuer.fetch(url, 700));
    expect(ms).toBeLessThan(5000);
  });
});

describe('timedRequest with lines (a watch)', () => {
  /** A watch-like answer: headers and `lines` at once, then silence until the connection is closed. */
  async function watchLike(lines: string[], status = 200): Promise<string> {
    server = createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.write(lines.map((l) => `${l}\n`).join(''));
      if (status !== 200) res.end();
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('a stream the server never ends: its lines as they come, then ended here at the body bound, as complete', async () => {
    const url = await watchLike(['{"type":"ADDED","object":{"n":1}}', 'not json', '{"type":"MODIFIED"}']);
    const seen: string[] = [];
    const answer = await timedRequest(new URL(url), {
      method: 'GET',
      headers: {},
      timeoutMs: 5000,
      lines: { bodyMs: 300, onLine: (l) => seen.push(l) },
    });
    expect(answer.status).toBe(200);
    expect(seen).toEqual(['{"type":"ADDED","object":{"n":1}}', 'not json', '{"type":"MODIFIED"}']);
  });

  it('a stream that never answers: RequestDeadlineError before the headers, not the body bound', async () => {
    silent = await startSilentServer();
    const { error } = await failure(
      timedRequest(new URL(silent.url), {
        method: 'GET',
        headers: {},
        timeoutMs: 300,
        lines: { bodyMs: 60_000, onLine: () => undefined },
      }),
    );
    expect(error).toBeInstanceOf(RequestDeadlineError);
    expect((error as Error).message).toBe('no answer within 0.3 s');
  });

  it('another status than 200 is read whole, not as lines', async () => {
    const url = await watchLike(['{"kind":"Status","code":403}'], 403);
    const seen: string[] = [];
    const answer = await timedRequest(new URL(url), {
      method: 'GET',
      headers: {},
      timeoutMs: 5000,
      lines: { bodyMs: 300, onLine: (l) => seen.push(l) },
    });
    expect(answer.status).toBe(403);
    expect(answer.body.toString()).toBe('{"kind":"Status","code":403}\n');
    expect(seen).toEqual([]);
  });
});
