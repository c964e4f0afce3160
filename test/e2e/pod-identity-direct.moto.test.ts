/**
 * The pod-less proof of EKS Pod Identity, the whole product: the built CLI requests a token of
 * aud pods.eks.amazonaws.com from the fake API server and presents it to EKS Auth's
 * AssumeRoleForPodIdentity, answered by the test proxy's fake EKS Auth (test/support/fake-eks-auth.ts,
 * built from the Smithy model aws-sdk-js-v3 codegen/sdk-codegen/aws-models/eks-auth.json) from
 * its stored associations, the role's trust policy in moto and moto's STS AssumeRole.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startWorld } from '../support/kube-world.js';
import { seedMoto } from '../support/moto.js';
import { cloneWorld, loadWorld, type WorldModel } from '../support/world.js';

const fixture = loadWorld('camunda-8.8-healthy.yaml');
const ACCT = '123456789012';
const IDENTITY_ROLE = `arn:aws:iam::${ACCT}:role/camunda-identity-irsa`;
const PI_STATEMENT = {
  Sid: 'AllowEksAuthToAssumeRoleForPodIdentity',
  Effect: 'Allow',
  Principal: { Service: 'pods.eks.amazonaws.com' },
  Action: ['sts:AssumeRole', 'sts:TagSession'],
};

/** camunda-identity gets its role from a Pod Identity association only (no annotation). */
function podIdentityWorld(trust: unknown[] | 'keep' = [PI_STATEMENT]): WorldModel {
  const w = cloneWorld(fixture);
  delete w.kube.serviceAccounts!.find((s) => s.name === 'camunda-identity')!.annotations[
    'eks.amazonaws.com/role-arn'
  ];
  if (trust !== 'keep')
    w.aws.roles!.find((r) => r.name === 'camunda-identity-irsa')!.trustPolicy = {
      Version: '2012-10-17',
      Statement: trust,
    };
  w.aws.podIdentity = [
    {
      cluster: 'camunda-prod',
      region: 'eu-west-1',
      associationId: 'a-0123456789abcdef0',
      namespace: 'camunda',
      serviceAccount: 'camunda-identity',
      roleArn: IDENTITY_ROLE,
    },
  ];
  return w;
}

async function run(w: WorldModel, args: string[], plant?: (m: Awaited<ReturnType<typeof seedMoto>>) => void) {
  const moto = await seedMoto(w);
  const fake = await startWorld(moto.world);
  try {
    moto.proxy.trustKubernetesIssuer(`${fake.url}/openid/v1/jwks`);
    plant?.(moto);
    const r = await runCli(['--kubeconfig', fake.kubeconfigPath, '-n', 'camunda', ...args], {
      env: moto.env,
    });
    const back = moto.mapping.replacements.map(
      ([from, to]) => [to, from === 'a-0123456789abcdef0' ? 'a-ID' : from] as const,
    );
    const named = (l: string) => back.reduce((x, [to, from]) => x.replaceAll(to, from), l);
    return { ...r, out: r.out.map(named), err: r.err.map(named), moto };
  } finally {
    await fake.close();
    await moto.close();
  }
}

/** The token module's lines and the fix under each FAIL. */
const tokenLines = (r: { out: string[]; err: string[] }) =>
  [...r.out, ...r.err]
    .filter(
      (l, i, all) =>
        /pod-less proof|EKS Auth|EKS Pod Identity (cannot|for)|cannot prove EKS Pod Identity/.test(l) ||
        (/^ {7}fix: /.test(l) && /EKS Auth|EKS Pod Identity cannot/.test(all[i - 1] ?? '')),
    )
    .filter((l) => !/camunda-(keycloak|web-modeler|zeebe|optimize)/.test(l));

describe('pod-less proof of EKS Pod Identity (moto + fake EKS Auth + fake API server)', () => {
  it('a role that trusts pods.eks.amazonaws.com: OK naming the component, the mechanism, the role and its account; one signed EKS Auth call', async () => {
    const r = await run(podIdentityWorld(), ['-s']);
    expect(tokenLines(r)).toEqual([
      `[OK] identity: pod-less proof: a token for system:serviceaccount:camunda:camunda-identity (aud pods.eks.amazonaws.com) gets EKS Pod Identity credentials for role ${IDENTITY_ROLE} (account ${ACCT}) through association a-ID`,
    ]);
    const calls = r.moto.proxy.requests.filter((q) => q.action === 'eks-auth:AssumeRoleForPodIdentity');
    expect(calls.map((q) => [q.method, q.signed, q.region])).toEqual([['POST', true, 'eu-west-1']]);
    expect(calls[0]!.path).toBe('/clusters/camunda-prod/assume-role-for-pod-identity');
    expect(r.stdout + r.stderr).not.toMatch(/secretAccessKey|sessionToken|eyJ[A-Za-z0-9_-]{20,}/);
  }, 60_000);

  it('a role that trusts only the OIDC provider: FAIL 235 with the trust statement to add', async () => {
    const r = await run(podIdentityWorld('keep'), ['-s']);
    expect(tokenLines(r)).toEqual([
      `[FAIL] identity: EKS Pod Identity cannot assume role camunda-identity-irsa (EKS Pod Identity, account ${ACCT}) for system:serviceaccount:camunda:camunda-identity (association a-ID): the role's trust policy does not let pods.eks.amazonaws.com sts:AssumeRole and sts:TagSession (AccessDeniedException: Unable to sts:AssumeRole and sts:TagSession on ${IDENTITY_ROLE}: its trust policy does not allow pods.eks.amazonaws.com)`,
      `       fix: Allow the Service principal pods.eks.amazonaws.com the actions sts:AssumeRole and sts:TagSession in the trust policy of ${IDENTITY_ROLE} (EKS User Guide, "Create the IAM role for Pod Identity"); then run again.`,
    ]);
    expect(r.code).not.toBe(0);
  }, 60_000);

  it('irsa-check may not call eks-auth:AssumeRoleForPodIdentity: INFO "cannot prove from here", never a FAIL of the setup', async () => {
    const r = await run(podIdentityWorld(), ['-s'], (m) =>
      m.proxy.fail('eks-auth:AssumeRoleForPodIdentity', 'accessDenied'),
    );
    expect(tokenLines(r)).toEqual([
      `[INFO] identity: cannot prove EKS Pod Identity for system:serviceaccount:camunda:camunda-identity from here: irsa-check's identity may not call eks-auth:AssumeRoleForPodIdentity (AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/ci/irsa-check is not authorized to perform: eks-auth:AssumeRoleForPodIdentity); grant eks-auth:AssumeRoleForPodIdentity on the cluster camunda-prod to prove it`,
    ]);
    expect(r.err.filter((l) => /token-pod-identity|EKS Auth/.test(l))).toEqual([]);
  }, 60_000);

  it('--no-token: no EKS Auth call, the proof says it was skipped', async () => {
    const r = await run(podIdentityWorld(), ['-s', '--no-token']);
    expect(tokenLines(r)).toEqual([]);
    expect(r.moto.proxy.count('eks-auth:AssumeRoleForPodIdentity')).toBe(0);
    expect(r.out).toContain('[INFO] skipped (--no-token)');
  }, 60_000);

  it('--direct signs the Aurora login with the Pod Identity credentials (the unresolvable host is its own FAIL 263, not "cannot take them from here")', async () => {
    const r = await run(podIdentityWorld(), ['-s', '--direct', '--output', 'json']);
    const report = JSON.parse(r.stdout) as {
      findings: Array<{ module: string; level: string; code?: number; component?: string; message: string }>;
    };
    const dp = report.findings.filter((f) => f.module === 'data-plane' && f.component === 'identity');
    expect(dp.map((f) => [f.level, f.code])).toEqual([['FAIL', 263]]);
    expect(dp[0]!.message).toMatch(/^cannot reach \S+:5432 from here \(ENOTFOUND/);
    // One EKS Auth call: the data-plane proof reuses the pod-less proof's credentials.
    expect(r.moto.proxy.count('eks-auth:AssumeRoleForPodIdentity')).toBe(1);
    expect(r.stdout).not.toMatch(/cannot take from this machine|secretAccessKey|sessionToken/);
  }, 60_000);
});
