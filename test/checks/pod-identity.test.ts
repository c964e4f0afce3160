/**
 * EKS Pod Identity as a mechanism, over the healthy 8.8 world: an association decides which
 * role the pods get, whatever the IRSA annotation says (aws/amazon-eks-pod-identity-webhook,
 * pkg/handler/handler.go, buildPodPatchConfig: "Container credentials method takes
 * precedence"; handler test testdata/containercredentials/rawPodWithRoleArn.pod.yaml), and that
 * mechanism's chain is checked: the role trusts pods.eks.amazonaws.com with sts:AssumeRole and
 * sts:TagSession (EKS user guide, "pod-id-role"), the agent runs on the nodes, a dry-run pod
 * gets the container-credentials variables, and permissions are those of the role used.
 */
import { describe, expect, it } from 'vitest';
import { plant } from './aws-checks-harness.js';
import { runWorld, type WorldModel } from '../support/world.js';
import { withTrustChain } from '../support/trust-chain-world.js';
import type { KubePod } from '../../src/ports/kube.js';

const ACCT = '123456789012';
const role = (name: string) => `arn:aws:iam::${ACCT}:role/${name}`;
const IDENTITY_ROLE = role('camunda-identity-irsa');
const PI_TRUST = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AllowEksAuthToAssumeRoleForPodIdentity',
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
    },
  ],
};
const CONTAINER_ENV = [
  { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: 'http://169.254.170.23/v1/credentials' },
  {
    name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
    value: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token',
  },
];

/** The add-on's agent, one running pod per node (aws/eks-pod-identity-agent, templates/daemonset.yaml). */
function agents(w: WorldModel, count = (w.kube.nodes ?? []).length): void {
  const pods: KubePod[] = Array.from({ length: count }, (_, i) => ({
    name: `eks-pod-identity-agent-${i}`,
    namespace: 'kube-system',
    labels: { 'app.kubernetes.io/name': 'eks-pod-identity-agent' },
    phase: 'Running',
    containers: [{ name: 'eks-pod-identity-agent', env: [] }],
    projectedTokenAudiences: [],
  }));
  w.kube.pods = [...(w.kube.pods ?? []), ...pods];
}

function associate(w: WorldModel, serviceAccount: string, roleArn: string, id = 'a-1234567890abcdef0'): void {
  const list = Array.isArray(w.aws.podIdentity) ? w.aws.podIdentity : [];
  w.aws.podIdentity = [
    ...list,
    {
      cluster: 'camunda-prod',
      region: 'eu-west-1',
      associationId: id,
      namespace: 'camunda',
      serviceAccount,
      roleArn,
    },
  ];
}

/** The identity component's pods as Pod Identity starts them: container credentials, no AWS_ROLE_ARN. */
function podsUseContainerCredentials(w: WorldModel, sa: string): void {
  for (const p of w.kube.pods ?? []) {
    if (p.serviceAccountName !== sa) continue;
    for (const c of p.containers) {
      c.env = [
        ...c.env.filter((e) => e.name !== 'AWS_ROLE_ARN' && e.name !== 'AWS_WEB_IDENTITY_TOKEN_FILE'),
        ...CONTAINER_ENV,
      ];
    }
    p.projectedTokenAudiences = ['pods.eks.amazonaws.com'];
  }
}

const identityRole = (w: WorldModel) => w.aws.roles!.find((r) => r.name === 'camunda-identity-irsa')!;

/** Identity on Pod Identity only: no annotation, an association, a role trusting EKS Pod Identity. */
const podIdentityOnly = plant((w) => {
  delete w.kube.serviceAccounts!.find((s) => s.name === 'camunda-identity')!.annotations[
    'eks.amazonaws.com/role-arn'
  ];
  identityRole(w).trustPolicy = PI_TRUST;
  associate(w, 'camunda-identity', IDENTITY_ROLE);
  podsUseContainerCredentials(w, 'camunda-identity');
  agents(w);
});

const sameRoleOidcOnly = plant((w) => {
  associate(w, 'camunda-identity', IDENTITY_ROLE);
  agents(w);
});
const otherRole = plant((w) => {
  w.aws.roles!.push({
    arn: role('camunda-identity-pod-identity'),
    name: 'camunda-identity-pod-identity',
    trustPolicy: PI_TRUST,
  });
  associate(w, 'camunda-identity', role('camunda-identity-pod-identity'));
  agents(w);
});
const OTHER_ACCT = '210987654321';
const OTHER_PROVIDER = `arn:aws:iam::${OTHER_ACCT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C9F1A2B3D4E5F60718293A4B5C6D7E8`;
const READER = { assumeRoles: { [OTHER_ACCT]: `arn:aws:iam::${OTHER_ACCT}:role/irsa-check-reader` } };
/** Optimize's role in another account (EKS user guide, "Authenticate to another account with IRSA"). */
const crossAccount = (withProvider: boolean) =>
  plant((w) => {
    const other = `arn:aws:iam::${OTHER_ACCT}:role/camunda-optimize-irsa`;
    w.kube.serviceAccounts!.find((s) => s.name === 'camunda-optimize')!.annotations[
      'eks.amazonaws.com/role-arn'
    ] = other;
    for (const p of w.kube.pods!)
      for (const c of p.containers)
        for (const e of c.env) if (e.value?.endsWith('role/camunda-optimize-irsa')) e.value = other;
    // The domain (in the caller's account) admits the role of the other account.
    w.aws.domains = JSON.parse(
      JSON.stringify(w.aws.domains).replaceAll(role('camunda-optimize-irsa'), other),
    );
    const moved = JSON.parse(
      JSON.stringify(w.aws.roles!.find((r) => r.name === 'camunda-optimize-irsa')).replaceAll(
        `arn:aws:iam::${ACCT}:`,
        `arn:aws:iam::${OTHER_ACCT}:`,
      ),
    );
    w.aws.roles = w.aws.roles!.filter((r) => r.name !== 'camunda-optimize-irsa');
    w.aws.accounts = {
      [OTHER_ACCT]: {
        roles: [moved],
        policies: Object.fromEntries(
          Object.entries(w.aws.policies!).map(([k, v]) => [k.replace(`::${ACCT}:`, `::${OTHER_ACCT}:`), v]),
        ),
        oidcProviders: withProvider ? w.aws.oidcProviders!.map((p) => ({ ...p, arn: OTHER_PROVIDER })) : [],
      },
    };
  });

const relevant = (lines: string[]) =>
  lines.filter((l) => /^\[(WARN|FAIL)\]|Pod Identity|pods\.eks|pod-identity|cannot check/.test(l));

describe('EKS Pod Identity only (no role-arn annotation)', () => {
  it('is checkable: no "missing annotation" FAIL; trust, agent, dry run and permissions of the association role', async () => {
    const run = await runWorld(podIdentityOnly);
    expect(relevant(run.lines())).toEqual([
      `[INFO] identity: Pod Identity association a-1234567890abcdef0 gives service account camunda-identity the role ${IDENTITY_ROLE}: its pods get it through the eks-pod-identity-agent`,
      '[OK] the eks-pod-identity-agent runs on 3 node(s) of 3 (service account(s) camunda-identity)',
      `[OK] identity: service account camunda-identity gets role ${IDENTITY_ROLE} from EKS Pod Identity association a-1234567890abcdef0`,
      `[OK] identity: 1 running pod(s) carry the Pod Identity container-credentials variables (role ${IDENTITY_ROLE})`,
      `[OK] identity: injection proof: a new pod of service account camunda-identity gets the Pod Identity container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, the eks-pod-identity-token volume, aud pods.eks.amazonaws.com) for ${IDENTITY_ROLE} (dry run of a minimal pod (no workload uses it yet))`,
      `[OK] identity: role camunda-identity-irsa (EKS Pod Identity, account ${ACCT}) trusts pods.eks.amazonaws.com (sts:AssumeRole, sts:TagSession) for service account camunda-identity through Pod Identity association a-1234567890abcdef0 (statement "AllowEksAuthToAssumeRoleForPodIdentity")`,
      // role-in-use names the mechanism too (issue 17).
      `[INFO] identity: role camunda-identity-irsa (EKS Pod Identity, account ${ACCT}) was last used at 2026-11-20T09:13:15.000Z, after its pods started (2026-11-20T08:12:44.000Z): this corroborates, but does not prove, that the application uses it (IAM counts any principal's use: an earlier irsa-check, another cluster); the in-pod identity and injection proofs are the proof`,
    ]);
    // Permissions are those of the association's role.
    expect(run.lines('roles')).toContain(
      '[OK] identity: role camunda-identity-irsa allows rds-db:connect as identity_irsa on Aurora cluster camunda-prod-aurora (statement "IdentityDbConnect" of policy "rds-iam-auth")',
    );
    expect(run.exitCode).toBe(0);
  });

  it('the pod-less proof of Pod Identity components asks EKS Auth (AssumeRoleForPodIdentity), not STS for a web identity', async () => {
    const w = await withTrustChain(
      plant((w) => {
        for (const sa of w.kube.serviceAccounts!) {
          associate(w, sa.name, sa.annotations['eks.amazonaws.com/role-arn']!, `a-${sa.name}`);
          delete sa.annotations['eks.amazonaws.com/role-arn'];
        }
      }),
    );
    const run = await runWorld(w, { token: true });
    // The roles trust only the OIDC provider: EKS Pod Identity cannot assume them (FAIL 235 each).
    const lines = run.lines('token').filter((l) => !/issuer's public/.test(l));
    expect(lines).toHaveLength(5);
    for (const l of lines)
      expect(l).toMatch(
        /^\[FAIL\] \w+: EKS Pod Identity cannot assume role (\S+) \(EKS Pod Identity, account 123456789012\) for system:serviceaccount:camunda:(\S+) \(association a-\2\): the role's trust policy does not let pods\.eks\.amazonaws\.com sts:AssumeRole and sts:TagSession \(AccessDeniedException: Unauthorized to perform sts:AssumeRole on arn:aws:iam::123456789012:role\/\1\)$/,
      );
    expect(run.lines('token').join('\n')).not.toMatch(/STS|AssumeRoleWithWebIdentity/);
  });

  it('a role trusting pods.eks.amazonaws.com without sts:TagSession: FAIL 121 with the statement to add', async () => {
    const w = plant((w) => {
      identityRole(w).trustPolicy = {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      };
    });
    const run = await runWorld(
      plant((x) => {
        Object.assign(x, structuredClone(podIdentityOnly));
        identityRole(x).trustPolicy = identityRole(w).trustPolicy;
      }),
    );
    expect(run.lines('roles').filter((l) => l.includes('identity:') && l.includes('trust'))).toEqual([
      `[FAIL] identity: the trust policy of role camunda-identity-irsa (EKS Pod Identity, account ${ACCT}) does not let pods.eks.amazonaws.com sts:TagSession: the pods of service account camunda-identity get their credentials through Pod Identity association a-1234567890abcdef0, which takes precedence over IRSA, so they get none`,
    ]);
    expect(run.fails('roles')[0]!.code).toBe(121);
    expect(run.fails('roles')[0]!.fix).toBe(
      'Add {"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]} to the trust policy of role camunda-identity-irsa.',
    );
  });

  it('a trust condition on the session tags: this namespace and service account pass, another fails', async () => {
    const scoped = (sa: string) =>
      plant((x) => {
        Object.assign(x, structuredClone(podIdentityOnly));
        identityRole(x).trustPolicy = {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'pods.eks.amazonaws.com' },
              Action: ['sts:AssumeRole', 'sts:TagSession'],
              Condition: {
                StringEquals: {
                  'aws:RequestTag/kubernetes-namespace': 'camunda',
                  'aws:RequestTag/kubernetes-service-account': sa,
                  'aws:RequestTag/eks-cluster-name': 'camunda-prod',
                },
              },
            },
          ],
        };
      });
    expect((await runWorld(scoped('camunda-identity'))).fails('roles')).toEqual([]);
    const wrong = await runWorld(scoped('identity'));
    expect(wrong.fails('roles').map((f) => f.check)).toEqual(['trust-pod-identity']);
  });
});

describe('EKS Pod Identity and IRSA on one service account', () => {
  it('same role, trusting only the OIDC provider: WARN (the association wins) and FAIL (the pods get no credentials)', async () => {
    const run = await runWorld(sameRoleOidcOnly);
    expect(run.lines('pod-identity')).toEqual([
      `[WARN] identity: service account camunda-identity has both the IRSA annotation and Pod Identity association a-1234567890abcdef0 for ${IDENTITY_ROLE}: the pods use Pod Identity (the pod identity webhook injects AWS_CONTAINER_CREDENTIALS_FULL_URI, not AWS_ROLE_ARN, when an association exists), so the role must trust pods.eks.amazonaws.com; the annotation is unused`,
      '[OK] the eks-pod-identity-agent runs on 3 node(s) of 3 (service account(s) camunda-identity)',
    ]);
    expect(run.lines('roles').filter((l) => l.startsWith('[FAIL]'))).toEqual([
      `[FAIL] identity: the trust policy of role camunda-identity-irsa (EKS Pod Identity, account ${ACCT}) does not let pods.eks.amazonaws.com sts:AssumeRole (it trusts only the OIDC provider oidc.eks.eu-west-1.amazonaws.com/id/5C9F1A2B3D4E5F60718293A4B5C6D7E8, for IRSA): the pods of service account camunda-identity get their credentials through Pod Identity association a-1234567890abcdef0, which takes precedence over IRSA, so they get none`,
    ]);
    // The running pod started before the association: it still runs on IRSA until restarted.
    expect(run.lines('service-accounts').filter((l) => l.startsWith('[FAIL]'))).toEqual([
      `[FAIL] identity: pod camunda-identity-7d9c5b8f6-x2k4p has no AWS_CONTAINER_CREDENTIALS_FULL_URI/AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: it started before Pod Identity association a-1234567890abcdef0 and still uses IRSA (AWS_ROLE_ARN ${IDENTITY_ROLE})`,
    ]);
    expect(run.exitCode).toBe(121);
  });

  it('same role, trusting both: only the WARN (a migration in progress is no FAIL)', async () => {
    const w = plant((x) => {
      Object.assign(x, structuredClone(sameRoleOidcOnly));
      const r = identityRole(x);
      (r.trustPolicy as { Statement: unknown[] }).Statement.push(PI_TRUST.Statement[0]);
      podsUseContainerCredentials(x, 'camunda-identity');
    });
    const run = await runWorld(w);
    expect(run.lines().filter((l) => /^\[(WARN|FAIL)\]/.test(l))).toEqual([
      `[WARN] identity: service account camunda-identity has both the IRSA annotation and Pod Identity association a-1234567890abcdef0 for ${IDENTITY_ROLE}: the pods use Pod Identity (the pod identity webhook injects AWS_CONTAINER_CREDENTIALS_FULL_URI, not AWS_ROLE_ARN, when an association exists), so the role must trust pods.eks.amazonaws.com; the annotation is unused`,
    ]);
    expect(run.exitCode).toBe(0);
  });

  it('another role: WARN naming the role the pods use; its permissions are the ones checked', async () => {
    const run = await runWorld(otherRole);
    expect(run.lines('pod-identity')[0]).toBe(
      `[WARN] identity: Pod Identity association a-1234567890abcdef0 gives service account camunda-identity the role ${role('camunda-identity-pod-identity')}, and its IRSA annotation says ${IDENTITY_ROLE}: the pods use ${role('camunda-identity-pod-identity')} (the pod identity webhook injects AWS_CONTAINER_CREDENTIALS_FULL_URI, not AWS_ROLE_ARN, when an association exists); ${IDENTITY_ROLE} goes unused`,
    );
    expect(run.findings.find((f) => f.check === 'pod-identity-conflict')!.fix).toBe(
      'Remove the eks.amazonaws.com/role-arn annotation from service account camunda-identity, or delete the association (aws eks delete-pod-identity-association --cluster-name camunda-prod --association-id a-1234567890abcdef0) to use IRSA.',
    );
    expect(run.lines('roles').filter((l) => l.includes('identity:'))).toEqual([
      `[OK] identity: role camunda-identity-pod-identity (EKS Pod Identity, account ${ACCT}) trusts pods.eks.amazonaws.com (sts:AssumeRole, sts:TagSession) for service account camunda-identity through Pod Identity association a-1234567890abcdef0 (statement "AllowEksAuthToAssumeRoleForPodIdentity")`,
      `[FAIL] identity: role camunda-identity-pod-identity (EKS Pod Identity, account ${ACCT}) has no attached or inline policies`,
    ]);
  });
});

describe('the eks-pod-identity-agent', () => {
  const withAgents = (count: number, computeType?: string) =>
    plant((x) => {
      Object.assign(x, structuredClone(podIdentityOnly));
      x.kube.pods = x.kube.pods!.filter((p) => p.namespace !== 'kube-system');
      agents(x, count);
      if (computeType) for (const n of x.kube.nodes!) n.computeType = computeType;
    });

  it('not running: FAIL 256, as the pods get no credentials', async () => {
    const run = await runWorld(withAgents(0));
    expect(run.lines('pod-identity').at(-1)).toBe(
      '[FAIL] no running eks-pod-identity-agent pod in kube-system (app.kubernetes.io/name=eks-pod-identity-agent): pods of service account(s) camunda-identity get no credentials from their Pod Identity association',
    );
    expect(run.fails('pod-identity')[0]!.code).toBe(256);
  });

  it('on some nodes only: WARN', async () => {
    expect((await runWorld(withAgents(2))).lines('pod-identity').at(-1)).toBe(
      '[WARN] the eks-pod-identity-agent runs on 2 of 3 node(s): pods of service account(s) camunda-identity on the other nodes get no credentials',
    );
  });

  it('EKS Auto Mode nodes need no DaemonSet (its nodeAffinity excludes them)', async () => {
    expect((await runWorld(withAgents(0, 'auto'))).lines('pod-identity').at(-1)).toBe(
      '[OK] EKS Auto Mode nodes serve Pod Identity themselves (service account(s) camunda-identity)',
    );
  });
});

describe('a role in another account', () => {
  it('without --assume-role: one INFO naming both accounts and the flag, never a FAIL', async () => {
    const run = await runWorld(crossAccount(true));
    expect(run.lines('roles').filter((l) => l.includes('optimize'))).toEqual([
      `[INFO] optimize: cannot check from account ${ACCT}: the trust and permission policies of role camunda-optimize-irsa (IRSA, account ${OTHER_ACCT}); run with a profile for account ${OTHER_ACCT} (--profile-for ${OTHER_ACCT}=<profile>, or --assume-role ${OTHER_ACCT}=arn:aws:iam::${OTHER_ACCT}:role/<a role that may read it>)`,
    ]);
    expect(run.exitCode).toBe(0);
  });

  it("with --assume-role: trust and permissions read in the role's account, the provider in that account", async () => {
    const run = await runWorld(crossAccount(true), READER);
    expect(run.lines('roles').filter((l) => l.includes('optimize'))).toEqual([
      '[OK] optimize: role camunda-optimize-irsa trusts system:serviceaccount:camunda:camunda-optimize (audience sts.amazonaws.com) from this cluster\'s OIDC provider (statement "CamundaOptimizeIrsa")',
      `[OK] optimize: role camunda-optimize-irsa allows es:ESHttpGet/Head/Put/Post/Delete on arn:aws:es:eu-west-1:${ACCT}:domain/camunda-prod-os/* (statement "OpenSearchHttp" of policy "camunda-opensearch-access")`,
      '[OK] optimize: the access policy of OpenSearch domain camunda-prod-os admits role camunda-optimize-irsa (statement "CamundaRoles")',
    ]);
    expect(run.exitCode).toBe(0);
  });

  it("the role's account has no provider for this cluster's issuer: FAIL naming the account", async () => {
    const run = await runWorld(crossAccount(false), READER);
    expect(run.lines('roles').filter((l) => l.includes('optimize') && l.startsWith('[FAIL]'))).toEqual([
      `[FAIL] optimize: the account of role camunda-optimize-irsa (IRSA, account ${OTHER_ACCT}) has no IAM OIDC provider for this cluster's issuer (oidc.eks.eu-west-1.amazonaws.com/id/5C9F1A2B3D4E5F60718293A4B5C6D7E8): STS refuses the service account's token for the role`,
    ]);
    expect(run.fails('roles')[0]!.code).toBe(201);
  });

  it("the role's account's providers cannot be listed (AccessDenied): an INFO naming the grant, never passed over as held", async () => {
    // Without the provider, so that a list answered would FAIL: not seen must not read as "holds it".
    const w = crossAccount(false);
    w.aws.accounts![OTHER_ACCT]!.errors = {
      oidcProviders: {
        api: 'iam',
        operation: 'iam:ListOpenIDConnectProviders',
        reason: 'AccessDenied',
        message: 'not authorized',
        status: 403,
      },
    };
    const run = await runWorld(w, READER);
    expect(run.lines('roles').filter((l) => l.includes('optimize') && !l.startsWith('[OK]'))).toEqual([
      `[INFO] optimize: whether account ${OTHER_ACCT} of role camunda-optimize-irsa holds an IAM OIDC provider for this cluster's issuer (oidc.eks.eu-west-1.amazonaws.com/id/5C9F1A2B3D4E5F60718293A4B5C6D7E8) is not checked: cannot call iam:ListOpenIDConnectProviders (AccessDenied); grant it in account ${OTHER_ACCT} (README, "Permissions")`,
    ]);
    expect(run.fails('roles')).toEqual([]);
  });

  it("a trust policy naming the provider of the caller's account, not the role's: FAIL", async () => {
    const w = crossAccount(true);
    const r = w.aws.accounts![OTHER_ACCT]!.roles![0]!;
    r.trustPolicy = JSON.parse(
      JSON.stringify(r.trustPolicy).replaceAll(`iam::${OTHER_ACCT}:oidc`, `iam::${ACCT}:oidc`),
    );
    const run = await runWorld(w, READER);
    expect(run.fails('roles').map((f) => f.check)).toEqual(['trust-this-provider']);
  });
});

describe('a Pod Identity association with a target role (EKS API: targetRoleArn, externalId)', () => {
  const FIRST = role('camunda-pod-identity-hop');
  const chained = (targetTrust: unknown) =>
    plant((x) => {
      Object.assign(x, structuredClone(podIdentityOnly));
      x.aws.roles!.push({ arn: FIRST, name: 'camunda-pod-identity-hop', trustPolicy: PI_TRUST });
      identityRole(x).trustPolicy = targetTrust;
      x.aws.podIdentity = [
        {
          cluster: 'camunda-prod',
          region: 'eu-west-1',
          associationId: 'a-1234567890abcdef0',
          namespace: 'camunda',
          serviceAccount: 'camunda-identity',
          roleArn: FIRST,
          targetRoleArn: IDENTITY_ROLE,
          externalId: 'ext-0123',
        },
      ];
    });
  const trusting = (externalId: string) => ({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'FromPodIdentityHop',
        Effect: 'Allow',
        Principal: { AWS: FIRST },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: { StringEquals: { 'sts:ExternalId': externalId } },
      },
    ],
  });

  it('the pods get the target role: it trusts the association role (external ID), which trusts EKS Pod Identity', async () => {
    const run = await runWorld(chained(trusting('ext-0123')));
    expect(run.lines('roles').filter((l) => l.includes('identity:') && /trust/.test(l))).toEqual([
      `[OK] identity: target role camunda-identity-irsa (EKS Pod Identity, account ${ACCT}) trusts the association's role ${FIRST} (sts:AssumeRole, sts:TagSession) through Pod Identity association a-1234567890abcdef0 (statement "FromPodIdentityHop")`,
      `[OK] identity: role camunda-pod-identity-hop (EKS Pod Identity, account ${ACCT}) trusts pods.eks.amazonaws.com (sts:AssumeRole, sts:TagSession) for service account camunda-identity through Pod Identity association a-1234567890abcdef0 (statement "AllowEksAuthToAssumeRoleForPodIdentity")`,
    ]);
    expect(run.exitCode).toBe(0);
  });

  it('another external ID in the target trust: FAIL, the pods get no credentials', async () => {
    const run = await runWorld(chained(trusting('someone-else')));
    expect(run.fails('roles').map((f) => f.message)).toEqual([
      `the trust policy of target role camunda-identity-irsa (EKS Pod Identity, account ${ACCT}) does not let the association's role ${FIRST} sts:AssumeRole: the pods get no credentials through Pod Identity association a-1234567890abcdef0`,
    ]);
  });
});

describe("a Pod Identity association's own policy (EKS API: PodIdentityAssociation.policy, a session policy)", () => {
  const withPolicy = (policy: unknown) =>
    plant((x) => {
      Object.assign(x, structuredClone(podIdentityOnly));
      (x.aws.podIdentity as Array<{ policy?: string }>)[0]!.policy =
        typeof policy === 'string' ? policy : JSON.stringify(policy);
    });
  const connect = (resource: string, effect = 'Allow') => ({
    Version: '2012-10-17',
    Statement: [{ Sid: 'Db', Effect: effect, Action: 'rds-db:connect', Resource: resource }],
  });
  const sessionLines = (run: { lines(m?: string): string[] }) =>
    run.lines('roles').filter((l) => l.includes('policy of Pod Identity association'));

  it('allows the database user too: OK, the role keeps its permission', async () => {
    const run = await runWorld(withPolicy(connect('arn:aws:rds-db:*:*:dbuser:*/*')));
    expect(sessionLines(run)).toEqual([
      '[OK] identity: the policy of Pod Identity association a-1234567890abcdef0 allows rds-db:connect as identity_irsa on Aurora cluster camunda-prod-aurora too (statement "Db"); EKS Pod Identity applies it as a session policy, so the pods of role camunda-identity-irsa (EKS Pod Identity, account 123456789012) get only what both it and the role\'s policies allow',
    ]);
    expect(run.exitCode).toBe(0);
  });

  it('allows something else only: FAIL 213 although the role allows it (the intersection refuses)', async () => {
    const run = await runWorld(
      withPolicy({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
      }),
    );
    expect(run.lines('roles')).toContain(
      '[OK] identity: role camunda-identity-irsa allows rds-db:connect as identity_irsa on Aurora cluster camunda-prod-aurora (statement "IdentityDbConnect" of policy "rds-iam-auth")',
    );
    expect(sessionLines(run)).toEqual([
      expect.stringMatching(
        /^\[FAIL\] identity: the policy of Pod Identity association a-1234567890abcdef0 does not allow rds-db:connect as identity_irsa to Aurora cluster camunda-prod-aurora \(arn:aws:rds-db:eu-west-1:123456789012:dbuser:[^)]+\/identity_irsa\): no statement of it allows it; EKS Pod Identity applies it as a session policy/,
      ),
    ]);
    const fail = run.fails('roles').find((f) => f.check === 'pod-identity-session-policy')!;
    expect(fail.code).toBe(213);
    expect(fail.fix).toMatch(
      /^Allow rds-db:connect on arn:aws:rds-db:\S+ in the policy of Pod Identity association a-1234567890abcdef0 \(aws eks update-pod-identity-association --cluster-name camunda-prod --association-id a-1234567890abcdef0 --policy file:\/\/policy.json\), or remove that policy\.$/,
    );
  });

  it('denies it: FAIL naming the Deny statement', async () => {
    const run = await runWorld(
      withPolicy({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { Sid: 'NoDb', Effect: 'Deny', Action: 'rds-db:*', Resource: '*' },
        ],
      }),
    );
    expect(sessionLines(run)).toEqual([expect.stringContaining(': it denies it (statement "NoDb");')]);
  });

  it('is no policy document: FAIL, the permissions are not judged', async () => {
    const run = await runWorld(withPolicy('{not json'));
    expect(sessionLines(run)).toEqual([
      expect.stringMatching(
        /^\[FAIL\] identity: the policy of Pod Identity association a-1234567890abcdef0 is not a valid policy document \(.+\): the permissions of the pods of role camunda-identity-irsa \(EKS Pod Identity, account 123456789012\) cannot be told$/,
      ),
    ]);
  });
});
