/**
 * The IAM side of each component's IRSA: its role exists, its trust policy lets
 * exactly this cluster's service account assume it (trust.ts), and its permission
 * policies (attached and inline, capped by a permissions boundary) allow what the
 * component does — `rds-db:connect` as its database user on its actual Aurora
 * cluster, or `es:ESHttp*` on its OpenSearch domain, whose access policy must
 * admit the role too (permissions.ts). Every decision comes from the one evaluator
 * in iam/policy.ts; IAM's policy simulator, where it answers, confirms it.
 *
 * Every component's GetRole and policy listings start at once; the cluster, Aurora
 * and OpenSearch facts are awaited only where a check compares with them.
 */
import { defineModule, type ModuleContext } from '../../engine/module.js';
import { eachInOrder, type Reporter } from '../../core/reporter.js';
import type { PlannedComponent } from '../../engine/facts.js';
import { esDomainArn, parseArn, parseRoleArn, rdsDbUserArn } from '../../iam/arn.js';
import {
  checkPodIdentityTrust,
  checkTargetRoleTrust,
  checkTrust,
  TRUST_CHECKS,
  type ClusterOidc,
} from './trust.js';
import { cannotCheckFrom } from '../../platform/accounts.js';
import {
  checkPermission,
  databasePermission,
  listPolicies,
  loadPolicies,
  PERMISSION_CHECKS,
  searchPermission,
  startSimulation,
  type PermissionTarget,
  type SessionPolicy,
  type Unidentified,
} from './permissions.js';
import { normalizePolicy, PolicyParseError } from '../../iam/policy.js';
import type { PodIdentityAssociationRef } from '../../platform/pod-identity.js';

const CHECKS = {
  'role-account': {
    severity: 'INFO',
    title:
      'the role is in another AWS account than irsa-check runs as and no --assume-role reads it: its policies are not checked',
  },
  'role-exists': {
    severity: 'FAIL',
    code: 120,
    title: 'the annotated IAM role does not exist',
    fix: 'Create the role or correct the role-arn annotation.',
  },
  'role-arn': {
    severity: 'FAIL',
    code: 120,
    title: 'the annotated role ARN is not the ARN of the role of that name (e.g. a wrong path)',
    fix: 'Correct the role-arn annotation to the role’s ARN.',
  },
  ...TRUST_CHECKS,
  ...PERMISSION_CHECKS,
} as const;
type Id = keyof typeof CHECKS;

type Needs = 'plan' | 'roleArns' | 'caller';
type Uses =
  | 'partition'
  | 'region'
  | 'issuer'
  | 'oidcProviderArn'
  | 'databases'
  | 'auroraClusters'
  | 'openSearchDomain'
  | 'credentialSources'
  | 'cluster';
type Ctx = ModuleContext<Needs, Uses>;

/**
 * Runs `step`; an API error (irsa-check's own missing permission, throttling…) is
 * reported once through `out.unexpected` and the next step still runs.
 */
async function step(out: Reporter<Id>, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (e) {
    out.unexpected(e);
  }
}

/** `make`, called at most once: its promise is shared by everyone who asks. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

/** Where the component's database user connects: its Aurora cluster, as the aurora module found it. */
async function databaseTarget(
  ctx: Ctx,
  c: PlannedComponent,
  roleArn: string,
): Promise<PermissionTarget | Unidentified> {
  const [databases, clusters] = await Promise.all([ctx.use('databases'), ctx.use('auroraClusters')]);
  const dbUser = databases?.get(c.key)?.dbUser;
  const found = clusters?.get(c.key);
  if (!found || !dbUser) {
    return {
      unidentified: `rds-db:connect not checked against the component's database: ${!found ? 'its Aurora cluster is not identified' : 'its database user is not known'}`,
    };
  }
  const { cluster } = found;
  const clusterArn = parseArn(cluster.arn);
  const role = parseRoleArn(roleArn);
  const partition = clusterArn?.partition ?? (await ctx.use('partition')) ?? role?.partition ?? 'aws';
  const region = clusterArn?.region || found.region || (await ctx.use('region')) || '';
  const account = clusterArn?.account || role?.account || '';
  const resource = rdsDbUserArn(partition, region, account, cluster.resourceId, dbUser);
  return {
    resource,
    allows: (actions) => `${actions} as ${dbUser} on Aurora cluster ${cluster.identifier}`,
    refused: (actions) => `${actions} as ${dbUser} to Aurora cluster ${cluster.identifier} (${resource})`,
    ...(clusterArn?.account
      ? { sameAccountOnly: { account: clusterArn.account, what: `Aurora cluster ${cluster.identifier}` } }
      : {}),
  };
}

/** The component's OpenSearch domain, as the opensearch module found it. */
async function searchTarget(ctx: Ctx, roleArn: string): Promise<PermissionTarget | Unidentified> {
  const found = await ctx.use('openSearchDomain');
  if (!found) {
    return {
      unidentified: 'es:ESHttp* not checked against the OpenSearch domain: the domain is not identified',
    };
  }
  const { domain } = found;
  const domainArn = parseArn(domain.arn);
  const partition = domainArn?.partition ?? (await ctx.use('partition')) ?? 'aws';
  const region = domainArn?.region || found.region || (await ctx.use('region')) || '';
  const account = domainArn?.account || parseRoleArn(roleArn)?.account || '';
  const resource = `${esDomainArn(partition, region, account, domain.name)}/*`;
  return {
    resource,
    allows: (actions) => `${actions} on ${resource}`,
    refused: (actions) => `${actions} on ${resource}`,
    domain,
  };
}

/** The role EKS Pod Identity assumes first for a cross-account association: it must trust pods.eks.amazonaws.com. */
async function checkFirstHop(
  ctx: Ctx,
  c: PlannedComponent,
  roleArnText: string,
  target: Parameters<typeof checkPodIdentityTrust>[4],
  out: Reporter<Id>,
): Promise<void> {
  const arn = parseRoleArn(roleArnText);
  if (!arn) return;
  const caller = ctx.facts.caller.account;
  const aws = !caller || arn.account === caller ? ctx.aws : ctx.awsIn(arn.account);
  if (!aws) {
    out.info(
      'role-account',
      cannotCheckFrom(
        caller,
        arn.account,
        `role ${arn.name} (the Pod Identity association's own role) is in account ${arn.account}`,
        arn.partition,
      ),
    );
    return;
  }
  const role = await aws.role(arn.name);
  if (!role) {
    out.fail(
      'role-exists',
      `role ${arn.name} of Pod Identity association ${target.associationId} does not exist in account ${arn.account}`,
      {
        fix: `Create role ${arn.name} trusting pods.eks.amazonaws.com, or correct the association's role.`,
      },
    );
    return;
  }
  const svc = aws === ctx.aws ? ctx : (Object.assign(Object.create(ctx) as Ctx, { aws }) as Ctx);
  await checkPodIdentityTrust(svc, c, arn, role, target, out);
}

/**
 * A Pod Identity association's own policy, read as the session policy EKS applies with it;
 * undefined (with a FAIL) when it is no policy document: the pods' permissions cannot be told.
 */
function sessionPolicyOf(
  a: PodIdentityAssociationRef,
  clusterName: string | undefined,
  out: Reporter<Id>,
): SessionPolicy | undefined {
  const label = `the policy of Pod Identity association ${a.associationId}`;
  const update = `aws eks update-pod-identity-association --cluster-name ${clusterName ?? '<cluster>'} --association-id ${a.associationId} --policy file://policy.json`;
  try {
    return { doc: normalizePolicy(JSON.parse(a.policy!)), label, update };
  } catch (e) {
    if (!(e instanceof PolicyParseError) && !(e instanceof SyntaxError)) throw e;
    out.fail(
      'pod-identity-session-policy',
      `${label} is not a valid policy document (${e.message}): the permissions of its pods cannot be told`,
      { fix: `Correct the policy (${update}).` },
    );
    return undefined;
  }
}

/** Every role check for one component: trust, then permissions for its pg/os use. */
async function checkRoleForComponent(
  ctx: Ctx,
  clusterOidc: () => Promise<ClusterOidc>,
  c: PlannedComponent,
  roleArnText: string,
  out: Reporter<Id>,
): Promise<void> {
  const arn = parseRoleArn(roleArnText);
  if (!arn) return; // the service-accounts module said why
  const caller = ctx.facts.caller.account;
  // A role of another account is read as that account (--assume-role), else not at all.
  const crossAccount = Boolean(caller) && arn.account !== caller;
  const aws = crossAccount ? ctx.awsIn(arn.account) : ctx.aws;
  if (!aws) {
    out.info(
      'role-account',
      cannotCheckFrom(
        caller,
        arn.account,
        `role ${arn.name} (its trust and permission policies) is in account ${arn.account}`,
        arn.partition,
      ),
    );
    return;
  }
  // Every role call below goes to the role's account.
  const svc = crossAccount ? (Object.assign(Object.create(ctx) as Ctx, { aws }) as Ctx) : ctx;
  // GetRole and the policy listings start together, before any fact is awaited.
  const rolePromise = svc.aws.role(arn.name);
  const listing = c.pg || c.os ? listPolicies(svc, arn.name) : undefined;
  // IAM's policy simulator needs only the role's ARN and the resource, not the role or its policy
  // documents: asked now, its answer arrives with GetRole's instead of two round trips after the
  // documents (live-aws.ts asks once before the others). checkPermission still decides whether
  // it is read; an annotation that names the role differently is simulated again with its ARN.
  const partition = (await ctx.use('partition')) ?? 'aws';
  const db = databasePermission(partition);
  const search = searchPermission(partition);
  const permissionsFor = (roleArn: string, simulate: boolean) => {
    const dbTarget = c.pg ? once(() => databaseTarget(ctx, c, roleArn)) : undefined;
    const searchTargetOf = c.os ? once(() => searchTarget(ctx, roleArn)) : undefined;
    const early = simulate && listing !== undefined;
    return {
      dbTarget,
      searchTargetOf,
      dbSimulation: early && dbTarget ? startSimulation(svc, roleArn, db, dbTarget) : undefined,
      searchSimulation:
        early && searchTargetOf ? startSimulation(svc, roleArn, search, searchTargetOf) : undefined,
    };
  };
  const annotated = permissionsFor(roleArnText, true);
  // The attached policies' documents as soon as the listing names them, not after the trust
  // policy's analysis: loadPolicies asks for the same documents and gets these answers.
  listing
    ?.then(([attached]) => attached.forEach((p) => svc.aws.policyDocument(p.arn).catch(() => {})))
    .catch(() => {});
  const role = await rolePromise;
  if (!role) {
    out.fail('role-exists', `role ${arn.name} does not exist in account ${arn.account}`, {
      fix: `Create role ${arn.name} (with its trust and permission policies), or correct the eks.amazonaws.com/role-arn annotation of service account ${c.serviceAccount.name}.`,
    });
    return;
  }
  if (role.arn !== roleArnText) {
    out.fail(
      'role-arn',
      `the annotation names role ${roleArnText}, but the role ${arn.name} is ${role.arn}`,
      {
        fix: `Set the eks.amazonaws.com/role-arn annotation of service account ${c.serviceAccount.name} to ${role.arn}.`,
      },
    );
  }
  const { dbTarget, searchTargetOf, dbSimulation, searchSimulation } =
    role.arn === roleArnText ? annotated : permissionsFor(role.arn, false);
  const source = (await ctx.use('credentialSources'))?.get(c.key);
  const cluster = source?.mechanism === 'pod-identity' ? await ctx.use('cluster') : undefined;
  if (source?.mechanism === 'pod-identity') {
    // The association wins over any annotation: the role must trust EKS Pod Identity, not the OIDC provider.
    const a = source.association;
    const podTarget = {
      associationId: a.associationId,
      ...(a.disableSessionTags ? { disableSessionTags: true } : {}),
      ...(cluster ? { clusterArn: cluster.arn, clusterName: cluster.name } : {}),
    };
    if (a.targetRoleArn && a.roleArn) {
      // Cross-account: the target role trusts the association's role, which trusts EKS Pod Identity.
      const first = a.roleArn;
      checkTargetRoleTrust(
        arn,
        role,
        {
          associationId: a.associationId,
          roleArn: first,
          ...(a.externalId ? { externalId: a.externalId } : {}),
        },
        out,
      );
      await step(out, () => checkFirstHop(ctx, c, first, podTarget, out));
    } else {
      await step(out, () => checkPodIdentityTrust(svc, c, arn, role, podTarget, out));
    }
  } else {
    await step(out, () => checkTrust(svc, clusterOidc, c, arn, role, out, crossAccount));
  }
  if (!listing) return;
  await step(out, async () => {
    const loaded = await loadPolicies(svc, role, listing, c.pg ? db : search, out);
    if (!loaded) return;
    if (source?.mechanism === 'pod-identity' && source.association.policy !== undefined) {
      const session = sessionPolicyOf(source.association, cluster?.name, out);
      if (!session) return;
      loaded.session = session;
    }
    if (dbTarget) await checkPermission(svc, role, loaded, db, dbTarget, out, dbSimulation);
    if (searchTargetOf)
      await checkPermission(svc, role, loaded, search, searchTargetOf, out, searchSimulation);
  });
}

export const roles = defineModule({
  id: 'roles',
  title: 'IAM roles, trust and permission policies',
  needs: ['plan', 'roleArns', 'caller'],
  uses: [
    'platform',
    'partition',
    'region',
    'issuer',
    'oidcProviderArn',
    'databases',
    'auroraClusters',
    'openSearchDomain',
    'credentialSources',
    'cluster',
  ],
  checks: CHECKS,
  async run(ctx, out) {
    const { plan, roleArns } = ctx.facts;
    const planned = plan.filter((c) => roleArns.has(c.key));
    if (planned.length === 0) {
      if (plan.length > 0) out.info('skipped: no component has a role ARN annotation');
      return;
    }
    let oidc: Promise<ClusterOidc> | undefined;
    const clusterOidc = () =>
      (oidc ??= Promise.all([ctx.use('oidcProviderArn'), ctx.use('issuer'), ctx.use('platform')]).then(
        ([oidcProviderArn, issuer, platform]) => ({
          ...(oidcProviderArn !== undefined ? { oidcProviderArn } : {}),
          ...(issuer !== undefined ? { issuer } : {}),
          ...(platform?.kind === 'self-managed'
            ? { selfManaged: true, callerAccount: ctx.facts.caller.account }
            : {}),
        }),
      ));
    await eachInOrder(
      planned,
      out,
      (c) => c.key,
      (c, o) => checkRoleForComponent(ctx, clusterOidc, c, roleArns.get(c.key)!, o),
    );
  },
});
