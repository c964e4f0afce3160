/**
 * The worlds of issue 17 (AWS's rules beyond one account and one mechanism), shared by the world
 * tests that check each one's exact lines (test/e2e/pod-identity.moto.test.ts,
 * cross-account*.moto.test.ts) and by the table test that walks them all
 * (test/e2e/cross-account-lines.moto.test.ts): EKS Pod Identity on the healthy Camunda 8.8 world,
 * and the two-account OpenSearch and Aurora worlds (each account pinned by the test proxy's
 * x-moto-account-id; credentials of a role assumed in B act in B, as on AWS).
 */
import { randomAccountId, replaceDeep, seedMoto, type SeededMoto } from './moto.js';
import { cloneWorld, loadWorld, type WorldModel } from './world.js';
import { runAgainst } from './world-runs.js';

export const fixture = loadWorld('camunda-8.8-healthy.yaml');
export const ACCT = '123456789012';
/** The other account's number in the lines the tests expect (each run seeds a random one). */
export const B_NAME = '210987654321';
export const IDENTITY_ROLE = `arn:aws:iam::${ACCT}:role/camunda-identity-irsa`;

// ------------------------------------------------------------------ EKS Pod Identity

/** The trust statement EKS Pod Identity needs (EKS user guide, "pod-id-role"). */
export const PI_STATEMENT = {
  Sid: 'AllowEksAuthToAssumeRoleForPodIdentity',
  Effect: 'Allow',
  Principal: { Service: 'pods.eks.amazonaws.com' },
  Action: ['sts:AssumeRole', 'sts:TagSession'],
};

/** The healthy world with the agent add-on running, then `change`. */
export function podIdentityWorld(change: (w: WorldModel) => void): WorldModel {
  const w = cloneWorld(fixture);
  // The agent add-on: one running pod per node (aws/eks-pod-identity-agent, templates/daemonset.yaml).
  for (const [i] of (w.kube.nodes ?? []).entries()) {
    w.kube.pods!.push({
      name: `eks-pod-identity-agent-${i}`,
      namespace: 'kube-system',
      labels: { 'app.kubernetes.io/name': 'eks-pod-identity-agent' },
      phase: 'Running',
      containers: [{ name: 'eks-pod-identity-agent', env: [] }],
      projectedTokenAudiences: [],
    });
  }
  change(w);
  return w;
}

/** One association for `serviceAccount`, with its session policy when given (PodIdentityAssociation.policy). */
export const associate = (w: WorldModel, serviceAccount: string, roleArn: string, policy?: unknown) => {
  w.aws.podIdentity = [
    {
      cluster: 'camunda-prod',
      region: 'eu-west-1',
      associationId: 'a-0123456789abcdef0',
      namespace: 'camunda',
      serviceAccount,
      roleArn,
      ...(policy !== undefined ? { policy: JSON.stringify(policy) } : {}),
    },
  ];
};

export const identityRole = (w: WorldModel) => w.aws.roles!.find((r) => r.name === 'camunda-identity-irsa')!;

/** The identity pods as the webhook mutates them when an association exists: container credentials only. */
export const containerCredentials = (w: WorldModel) => {
  for (const p of w.kube.pods!.filter((p) => p.serviceAccountName === 'camunda-identity'))
    for (const c of p.containers)
      c.env = [
        ...c.env.filter((e) => !['AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE'].includes(e.name)),
        { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: 'http://169.254.170.23/v1/credentials' },
        {
          name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
          value: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token',
        },
      ];
};

/** Pod Identity only: no role-arn annotation, the role trusts EKS Pod Identity, the pods carry its variables. */
export const podIdentityOnly = (policy?: unknown) =>
  podIdentityWorld((w) => {
    delete w.kube.serviceAccounts!.find((s) => s.name === 'camunda-identity')!.annotations[
      'eks.amazonaws.com/role-arn'
    ];
    identityRole(w).trustPolicy = { Version: '2012-10-17', Statement: [PI_STATEMENT] };
    associate(w, 'camunda-identity', IDENTITY_ROLE, policy);
    containerCredentials(w);
  });

/** Seeds its own moto with `w`, runs the CLI with -s and `args`; lines in the fixture's names, the association ID as a-ID. */
export async function runWorldCli(w: WorldModel, args: string[] = []) {
  const moto = await seedMoto(w);
  try {
    const r = await runAgainst(moto.world, ['-s', ...args], moto);
    // Lines in the fixture's names: moto's identifiers mapped back, the generated association ID as a-ID.
    const back = moto.mapping.replacements.map(
      ([from, to]) => [to, from === 'a-0123456789abcdef0' ? 'a-ID' : from] as const,
    );
    const named = (l: string) => back.reduce((x, [to, from]) => x.replaceAll(to, from), l);
    return { ...r, out: r.out.map(named), err: r.err.map(named) };
  } finally {
    await moto.close();
  }
}

// ------------------------------------------------------------------ two accounts

/** A seeded two-account world: the cluster in A, something in B; `named` writes lines in A/B_NAME. */
export interface TwoAccounts {
  a: SeededMoto;
  other: SeededMoto;
  /** B's random account ID. */
  b: string;
  world: WorldModel;
  named(line: string): string;
  close(): Promise<void>;
}

/** A role of B irsa-check may read B with (--assume-role B=…). */
const reader = {
  name: 'irsa-check-reader',
  arn: `arn:aws:iam::${ACCT}:role/irsa-check-reader`,
  trustPolicy: { Version: '2012-10-17', Statement: [] },
};

export const OS_ROLES = ['camunda-orchestration-irsa', 'camunda-optimize-irsa'];

/**
 * The cluster in A; the OpenSearch components' roles, their OIDC provider and the domain in B (EKS
 * user guide, "Authenticate to another account with IRSA"). `withProvider: false`: B has no IAM
 * OIDC provider for the cluster's issuer.
 */
export async function crossAccountOpenSearch({ withProvider = true } = {}): Promise<TwoAccounts> {
  const b = randomAccountId();
  // Account A: the cluster and the Aurora side; the OpenSearch roles and domain are B's.
  const inA = cloneWorld(fixture);
  inA.aws.roles = inA.aws.roles!.filter((r) => !OS_ROLES.includes(r.name));
  inA.aws.domains = [];
  const moved = JSON.parse(
    OS_ROLES.reduce(
      (text, r) => text.replaceAll(`arn:aws:iam::${ACCT}:role/${r}`, `arn:aws:iam::${b}:role/${r}`),
      JSON.stringify(inA),
    ),
  ) as WorldModel;
  const a = await seedMoto(moved);
  // Account B: the roles (trusting a provider for A's cluster issuer, in B), the domain, a reader role.
  const inB: WorldModel = {
    namespace: 'camunda',
    kube: { cluster: fixture.kube.cluster },
    aws: {
      roles: [...fixture.aws.roles!.filter((r) => OS_ROLES.includes(r.name)), reader],
      policies: Object.fromEntries(
        Object.entries(fixture.aws.policies!).filter(([k]) => k.endsWith('camunda-opensearch-access')),
      ),
      oidcProviders: withProvider ? fixture.aws.oidcProviders : [],
      domains: fixture.aws.domains,
    },
  };
  const issuerOnly = a.mapping.replacements.filter(([from]) => from !== ACCT);
  const other = await seedMoto(replaceDeep(inB, issuerOnly), undefined, { accountId: b });
  // The values' OpenSearch host: B's domain endpoint.
  const world = replaceDeep(
    a.world,
    other.mapping.replacements.filter(([from]) => from.endsWith('.es.amazonaws.com')),
  );
  const issuer = a.mapping.clusters['camunda-prod']!.issuer.replace('https://', '');
  return {
    a,
    other,
    b,
    world,
    named: (l) => l.replaceAll(b, B_NAME).replaceAll(a.accountId, ACCT).replaceAll(issuer, 'ISSUER'),
    close: async () => {
      await a.close();
      await other.close();
    },
  };
}

/**
 * Every role in A, the Aurora cluster in B; the roles' policies allow rds-db:connect on B's cluster
 * (nothing else in A says where the database is).
 */
export async function crossAccountAurora(): Promise<TwoAccounts> {
  const b = randomAccountId();
  // Account A: everything but the Aurora cluster; the roles' policies name B's cluster.
  const inA = cloneWorld(fixture);
  inA.aws.dbClusters = [];
  const a = await seedMoto(
    JSON.parse(
      JSON.stringify(inA).replaceAll(`arn:aws:rds-db:eu-west-1:${ACCT}:`, `arn:aws:rds-db:eu-west-1:${b}:`),
    ) as WorldModel,
  );
  // Account B: the Aurora cluster and a role irsa-check may read it with.
  const inB: WorldModel = {
    namespace: 'camunda',
    kube: { cluster: fixture.kube.cluster },
    aws: { roles: [reader], dbClusters: fixture.aws.dbClusters },
  };
  const other = await seedMoto(inB, undefined, { accountId: b });
  // The values' database host: B's cluster endpoint.
  const world = replaceDeep(
    a.world,
    other.mapping.replacements.filter(([from]) => from.endsWith('.rds.amazonaws.com')),
  );
  return {
    a,
    other,
    b,
    world,
    named: (l) => l.replaceAll(b, B_NAME).replaceAll(a.accountId, ACCT),
    close: async () => {
      await a.close();
      await other.close();
    },
  };
}

/** --assume-role B=<the reader role of B>. */
export const assumeB = (t: TwoAccounts) => [
  '--assume-role',
  `${t.b}=arn:aws:iam::${t.b}:role/irsa-check-reader`,
];

// ------------------------------------------------------------------ resource policies, request context

type Doc = { Statement: Array<Record<string, unknown>> };
export const domainPolicy = (w: WorldModel) => w.aws.domains![0]!.accessPolicies as Doc;
export const roleOf = (w: WorldModel, name: string) => w.aws.roles!.find((r) => r.name === name)!;

/** A company's region guard: deny everything but IAM/STS outside the approved regions. */
export const regionGuard = (regions: string[]) => ({
  Sid: 'RegionGuard',
  Effect: 'Deny',
  NotAction: ['iam:*', 'sts:*'],
  Resource: '*',
  Condition: { StringNotEquals: { 'aws:RequestedRegion': regions } },
});

/** The region guard in the identity role's inline policy. */
export const guardIdentity = (regions: string[]) => (w: WorldModel) =>
  (roleOf(w, 'camunda-identity-irsa').inline![0]!.document as Doc).Statement.push(regionGuard(regions));

/** Camunda's open domain policy ("AWS": "*", es:*), the optimize role without any policy of its own. */
export const openDomainPolicy = (w: WorldModel) => {
  const st = domainPolicy(w).Statement[0]!;
  st.Sid = 'Open';
  st.Principal = { AWS: '*' };
  st.Action = 'es:*';
  roleOf(w, 'camunda-optimize-irsa').attached = [];
};

/** A domain policy naming only the account root (it delegates to IAM), the optimize role without policies. */
export const accountDelegatingDomainPolicy = (w: WorldModel) => {
  domainPolicy(w).Statement[0]!.Principal = { AWS: `arn:aws:iam::${ACCT}:root` };
  roleOf(w, 'camunda-optimize-irsa').attached = [];
};
