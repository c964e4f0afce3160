/**
 * Gathers what the roles evaluator (src/checks/roles/) judges, for every component with a
 * role ARN, all components at once: the role (GetRole, in the role's own account or through
 * --assume-role), the Pod Identity association's first-hop role for a cross-account
 * association, the cluster's OIDC facts, the service account (its audience annotation) and
 * the role's account's IAM OIDC providers for IRSA, and, for a pg/os component, the role's
 * attached and inline policies, their documents, its permissions boundary, the resource the
 * component uses (its Aurora cluster and database user, its OpenSearch domain) and IAM's
 * policy simulator's answer for it. API errors are captured as values: the evaluator
 * reports them where the check needed them.
 */
import type { ModuleContext } from '../engine/module.js';
import type { PlannedComponent } from '../engine/facts.js';
import { ApiCallError } from '../core/errors.js';
import type {
  Aws,
  AttachedPolicy,
  IamRole,
  InlinePolicy,
  OidcProvider,
  OpenSearchDomain,
  SimulationResult,
} from '../ports/aws.js';
import type { KubeServiceAccount } from '../ports/kube.js';
import type { CredentialSource } from '../platform/pod-identity.js';
import { esDomainArn, parseArn, parseRoleArn, rdsDbUserArn, type RoleArn } from '../iam/arn.js';
import { normalizePolicy } from '../iam/policy.js';
import { actionList, statementsAllowing } from '../iam/explain.js';
import { CAMUNDA_ES_ACTIONS } from '../iam/opensearch-actions.js';

export const RDS_CONNECT = 'rds-db:connect';

/**
 * What irsa-check asked IAM's policy simulator about the OpenSearch domain before it judged
 * es:ESHttpHead and es:ESHttpDelete too. A bundle recorded then holds the simulator's answer for
 * these three only, and a replay answers only the arguments it recorded: asked only when the
 * bundle has no answer for CAMUNDA_ES_ACTIONS, so such a bundle's answer still cross-checks these
 * three, and the evaluator says the other two were not cross-checked. Not a list of what Camunda
 * sends (that is CAMUNDA_ES_ACTIONS, the one list).
 */
const ES_ACTIONS_IN_OLDER_BUNDLES = ['es:ESHttpGet', 'es:ESHttpPut', 'es:ESHttpPost'] as const;

/** A call's answer, or the error it threw (reported by the evaluator where the check needed it). */
export type Fetched<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** The cluster facts the trust analysis compares with. */
export interface ClusterOidc {
  oidcProviderArn?: string;
  issuer?: string;
  /** A self-managed cluster (EKS Anywhere, kOps, kubeadm): its issuer is the operator's own URL. */
  selfManaged?: boolean;
  /** The account irsa-check runs as: IAM lists only its providers. */
  callerAccount?: string;
}

/** A role read in its own account: not readable from here, unknown, or its GetRole. */
export type RoleRead =
  | { kind: 'other-account'; caller: string; arn: RoleArn }
  | { kind: 'error'; arn: RoleArn; error: unknown }
  | { kind: 'missing'; arn: RoleArn }
  | { kind: 'found'; arn: RoleArn; role: IamRole };

/** The resource a permission is checked on, or why it is not known (plain data: the evaluator words it). */
export type TargetData =
  | { kind: 'unidentified'; unidentified: string }
  | {
      kind: 'database';
      resource: string;
      dbUser: string;
      clusterIdentifier: string;
      sameAccountOnly?: { account: string; what: string };
    }
  | { kind: 'search'; resource: string; domain: OpenSearchDomain };

/** IAM's policy simulator for one permission: its results, or not available (undefined). */
export type Simulation = Fetched<SimulationResult[] | undefined> & {
  /**
   * Actions the replayed bundle holds no simulator answer for, although it holds one for the
   * others: recorded by an irsa-check that asked about fewer (ES_ACTIONS_IN_OLDER_BUNDLES).
   */
  notInBundle?: readonly string[];
  /** What that bundle's answer was asked about. */
  askedInBundle?: readonly string[];
};

export interface PermissionsInput {
  partition: string;
  listing: Fetched<[AttachedPolicy[], InlinePolicy[]]>;
  /** Attached policies' and the boundary's documents by ARN (fetched only when the role has policies). */
  documents: ReadonlyMap<string, Fetched<unknown>>;
  database?: { target: TargetData; simulation?: Simulation };
  search?: { target: TargetData; simulation?: Simulation };
}

export type TrustInput =
  | {
      kind: 'irsa';
      oidc: ClusterOidc;
      /** Undefined without a cluster (values-only): the ServiceAccount as rendered. */
      serviceAccount?: Fetched<KubeServiceAccount | undefined>;
      /** The role's account's IAM OIDC providers; undefined when not listed or not listable. */
      oidcProviders?: OidcProvider[];
      /** Why they could not be listed (a role in another account: whether it holds the provider is unknown). */
      oidcProvidersError?: unknown;
    }
  | { kind: 'pod-identity'; cluster?: { arn: string; name: string } }
  | {
      kind: 'pod-identity-target';
      cluster?: { arn: string; name: string };
      /** The association's own role (first hop); undefined when its ARN does not parse. */
      firstHop?: RoleRead;
    };

export interface RoleComponent {
  component: PlannedComponent;
  roleArn: string;
  /** Undefined when the ARN does not parse (the service-accounts module said why). */
  read?: RoleRead;
  crossAccount?: boolean;
  source?: CredentialSource;
  trust?: TrustInput;
  permissions?: PermissionsInput;
}

export type RolesInput =
  | { kind: 'no-roles'; planned: boolean }
  | { kind: 'components'; namespace: string; components: RoleComponent[] };

type Needs = 'plan' | 'roleArns' | 'caller';
type Uses =
  | 'platform'
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

const settle = <T>(p: Promise<T>): Promise<Fetched<T>> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

/** The services reading a role's account: the caller's, --assume-role's, or none. */
function accountOf(ctx: Ctx, arn: RoleArn): { aws: Aws | undefined; crossAccount: boolean } {
  const caller = ctx.facts.caller.account;
  const crossAccount = Boolean(caller) && arn.account !== caller;
  return { aws: crossAccount ? ctx.awsIn(arn.account) : ctx.aws, crossAccount };
}

async function readRole(ctx: Ctx, aws: Aws | undefined, arn: RoleArn): Promise<RoleRead> {
  if (!aws) return { kind: 'other-account', caller: ctx.facts.caller.account, arn };
  try {
    const role = await aws.role(arn.name);
    return role ? { kind: 'found', arn, role } : { kind: 'missing', arn };
  } catch (error) {
    return { kind: 'error', arn, error };
  }
}

export async function collectRoles(ctx: Ctx): Promise<RolesInput> {
  const { plan, roleArns } = ctx.facts;
  const planned = plan.filter((c) => roleArns.has(c.key));
  if (planned.length === 0) return { kind: 'no-roles', planned: plan.length > 0 };
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
  const components = await Promise.all(
    planned.map((c) => collectComponent(ctx, clusterOidc, c, roleArns.get(c.key)!)),
  );
  return { kind: 'components', namespace: ctx.scope.namespace, components };
}

async function collectComponent(
  ctx: Ctx,
  clusterOidc: () => Promise<ClusterOidc>,
  c: PlannedComponent,
  roleArn: string,
): Promise<RoleComponent> {
  const arn = parseRoleArn(roleArn);
  if (!arn) return { component: c, roleArn };
  const { aws, crossAccount } = accountOf(ctx, arn);
  // GetRole and the policy listings start together, before any fact is awaited.
  const rolePromise = readRole(ctx, aws, arn);
  const listing =
    aws && (c.pg || c.os)
      ? settle(Promise.all([aws.attachedPolicies(arn.name), aws.inlinePolicies(arn.name)]))
      : undefined;
  // IAM's policy simulator needs only the role's ARN and the resource: asked now, with the
  // annotation's ARN, its answer arrives with GetRole's (critical path, issue 20); the evaluator
  // weighs it only where the permission check gets that far.
  const early = aws && listing ? earlyPermissions(ctx, c, aws, roleArn) : undefined;
  // The attached policies' documents as soon as the listing names them (memoised: asked once).
  if (aws && listing)
    void listing.then((l) => {
      if (l.ok) for (const p of l.value[0]) aws.policyDocument(p.arn).catch(() => {});
    });
  const read = await rolePromise;
  if (read.kind !== 'found' || !aws) return { component: c, roleArn, read, crossAccount };
  const source = (await ctx.use('credentialSources'))?.get(c.key);
  const trust = await collectTrust(ctx, clusterOidc, c, aws, crossAccount, source);
  const permissions =
    listing &&
    (await collectPermissions(
      ctx,
      c,
      aws,
      read.role,
      listing,
      source,
      read.role.arn === roleArn ? early : undefined,
    ));
  return {
    component: c,
    roleArn,
    read,
    crossAccount,
    ...(source ? { source } : {}),
    trust,
    ...(permissions ? { permissions } : {}),
  };
}

async function collectTrust(
  ctx: Ctx,
  clusterOidc: () => Promise<ClusterOidc>,
  c: PlannedComponent,
  aws: Aws,
  crossAccount: boolean,
  source: CredentialSource | undefined,
): Promise<TrustInput> {
  if (source?.mechanism === 'pod-identity') {
    const found = await ctx.use('cluster');
    const cluster = found ? { arn: found.arn, name: found.name } : undefined;
    const a = source.association;
    if (!(a.targetRoleArn && a.roleArn)) return { kind: 'pod-identity', ...(cluster ? { cluster } : {}) };
    const first = parseRoleArn(a.roleArn);
    const firstHop = first ? await readRole(ctx, accountOf(ctx, first).aws, first) : undefined;
    return {
      kind: 'pod-identity-target',
      ...(cluster ? { cluster } : {}),
      ...(firstHop ? { firstHop } : {}),
    };
  }
  const ns = ctx.scope.namespace;
  const noCluster = ctx.scope.noCluster !== undefined;
  const [oidc, serviceAccount] = await Promise.all([
    clusterOidc(),
    noCluster ? undefined : settle(ctx.kube.serviceAccount(ns, c.serviceAccount.name)),
  ]);
  // Listed only where the trust analysis may need them: a role in another account (its IAM must
  // hold this cluster's provider) or a self-managed cluster (name a provider never created).
  const listed =
    crossAccount || (oidc.selfManaged && oidc.callerAccount) ? await settle(aws.oidcProviders()) : undefined;
  return {
    kind: 'irsa',
    oidc,
    ...(serviceAccount ? { serviceAccount } : {}),
    ...(listed?.ok ? { oidcProviders: listed.value } : {}),
    ...(listed && !listed.ok ? { oidcProvidersError: listed.error } : {}),
  };
}

/** Where the component's database user connects: its Aurora cluster, as the aurora module found it. */
async function databaseTarget(ctx: Ctx, c: PlannedComponent, roleArn: string): Promise<TargetData> {
  const [databases, clusters] = await Promise.all([ctx.use('databases'), ctx.use('auroraClusters')]);
  const dbUser = databases?.get(c.key)?.dbUser;
  const found = clusters?.get(c.key);
  if (!found || !dbUser) {
    return {
      kind: 'unidentified',
      unidentified: `rds-db:connect not checked against the component's database: ${!found ? 'its Aurora cluster is not identified' : 'its database user is not known'}`,
    };
  }
  const { cluster } = found;
  const clusterArn = parseArn(cluster.arn);
  const role = parseRoleArn(roleArn);
  const partition = clusterArn?.partition ?? (await ctx.use('partition')) ?? role?.partition ?? 'aws';
  const region = clusterArn?.region || found.region || (await ctx.use('region')) || '';
  const account = clusterArn?.account || role?.account || '';
  return {
    kind: 'database',
    resource: rdsDbUserArn(partition, region, account, cluster.resourceId, dbUser),
    dbUser,
    clusterIdentifier: cluster.identifier,
    ...(clusterArn?.account
      ? { sameAccountOnly: { account: clusterArn.account, what: `Aurora cluster ${cluster.identifier}` } }
      : {}),
  };
}

/** The component's OpenSearch domain, as the opensearch module found it. */
async function searchTarget(ctx: Ctx, roleArn: string): Promise<TargetData> {
  const found = await ctx.use('openSearchDomain');
  if (!found) {
    return {
      kind: 'unidentified',
      unidentified: 'es:ESHttp* not checked against the OpenSearch domain: the domain is not identified',
    };
  }
  const { domain } = found;
  const domainArn = parseArn(domain.arn);
  const partition = domainArn?.partition ?? (await ctx.use('partition')) ?? 'aws';
  const region = domainArn?.region || found.region || (await ctx.use('region')) || '';
  const account = domainArn?.account || parseRoleArn(roleArn)?.account || '';
  return { kind: 'search', resource: `${esDomainArn(partition, region, account, domain.name)}/*`, domain };
}

/** A component's targets and their simulations, started before GetRole answers. */
interface EarlyPermissions {
  database?: Promise<{ target: TargetData; simulation?: Simulation }>;
  search?: Promise<{ target: TargetData; simulation?: Simulation }>;
}

function earlyPermissions(ctx: Ctx, c: PlannedComponent, aws: Aws, roleArn: string): EarlyPermissions {
  const simulated = async (target: TargetData, actions: readonly string[]) =>
    target.kind === 'unidentified'
      ? { target }
      : { target, simulation: await simulate(aws, roleArn, actions, target.resource, ctx.debug) };
  return {
    ...(c.pg ? { database: databaseTarget(ctx, c, roleArn).then((t) => simulated(t, [RDS_CONNECT])) } : {}),
    ...(c.os
      ? {
          search: searchTarget(ctx, roleArn).then(async (target) =>
            target.kind === 'unidentified'
              ? { target }
              : { target, simulation: await simulateSearch(aws, roleArn, target.resource, ctx.debug) },
          ),
        }
      : {}),
  };
}

async function collectPermissions(
  ctx: Ctx,
  c: PlannedComponent,
  aws: Aws,
  role: IamRole,
  listingPromise: Promise<Fetched<[AttachedPolicy[], InlinePolicy[]]>>,
  source: CredentialSource | undefined,
  early: EarlyPermissions | undefined,
): Promise<PermissionsInput> {
  const partition = (await ctx.use('partition')) ?? 'aws';
  const listing = await listingPromise;
  const input: PermissionsInput = { partition, listing, documents: new Map() };
  if (!listing.ok) return input;
  const [attached, inline] = listing.value;
  const boundaryArn = role.permissionsBoundaryArn;
  let withDocs = input;
  let policies: ReturnType<typeof readablePolicies>;
  if (attached.length + inline.length === 0) {
    // Without policies of its own an os role may still be granted by the domain's access policy
    // (pg is checked first: RDS has no resource policies).
    if (c.pg || boundaryArn) return input;
    policies = [];
  } else {
    const arns = [...attached.map((p) => p.arn), ...(boundaryArn ? [boundaryArn] : [])];
    const fetched = await Promise.all(arns.map((a) => settle(aws.policyDocument(a))));
    withDocs = { ...input, documents: new Map(arns.map((a, i) => [a, fetched[i]!])) };
    // The simulator is asked only where the evaluator weighs its answer: every policy readable,
    // the session policy too, some statement allowing the action (or a resource policy), the
    // resource known and in reach of the role.
    policies = readablePolicies(attached, inline, withDocs.documents, boundaryArn);
  }
  if (!policies) return withDocs;
  if (source?.mechanism === 'pod-identity' && source.association.policy !== undefined) {
    try {
      normalizePolicy(JSON.parse(source.association.policy));
    } catch {
      return withDocs;
    }
  }
  const result: PermissionsInput = { ...withDocs };
  if (c.pg) {
    const gathered = early?.database
      ? await early.database
      : { target: await databaseTarget(ctx, c, role.arn) };
    const { target } = gathered;
    const anyAllowed = statementsAllowing(policies, RDS_CONNECT).length > 0;
    if (anyAllowed && target.kind === 'database' && inReach(role, target)) {
      const simulation =
        gathered.simulation ?? (await simulate(aws, role.arn, [RDS_CONNECT], target.resource, ctx.debug));
      sayWhoAnswered(ctx, role, [RDS_CONNECT], target.resource, simulation);
      result.database = { target, simulation };
      // A simulator error other than IAM's answer stops the permission step, as before.
      if (!simulation.ok) return result;
    } else result.database = { target };
  }
  if (c.os) {
    const gathered = early?.search ? await early.search : { target: await searchTarget(ctx, role.arn) };
    const { target } = gathered;
    if (target.kind === 'search') {
      const simulation =
        gathered.simulation ?? (await simulateSearch(aws, role.arn, target.resource, ctx.debug));
      sayWhoAnswered(ctx, role, CAMUNDA_ES_ACTIONS, target.resource, simulation);
      result.search = { target, simulation };
    } else result.search = { target };
  }
  return result;
}

function inReach(role: IamRole, target: { sameAccountOnly?: { account: string } }): boolean {
  const roleAccount = parseRoleArn(role.arn)?.account;
  const only = target.sameAccountOnly;
  return !(only && roleAccount && only.account && roleAccount !== only.account);
}

/** The role's policy documents as the evaluator reads them; undefined when one is unreadable or missing. */
function readablePolicies(
  attached: AttachedPolicy[],
  inline: InlinePolicy[],
  documents: ReadonlyMap<string, Fetched<unknown>>,
  boundaryArn: string | undefined,
) {
  const docs: unknown[] = [];
  for (const a of [...attached.map((p) => p.arn), ...(boundaryArn ? [boundaryArn] : [])]) {
    const d = documents.get(a);
    if (!d?.ok) return undefined;
    docs.push(d.value);
  }
  try {
    const parsed = docs.map((doc) => ({ doc: normalizePolicy(doc), label: '' }));
    const inlineParsed = inline.map((p) => ({ doc: normalizePolicy(p.document), label: p.name }));
    return [...parsed.slice(0, attached.length), ...inlineParsed];
  } catch {
    // Said by the evaluator (a FAIL, or the unexpected error), which reads them again.
    return undefined;
  }
}

/** IAM's policy simulator; an API error of its own (not granted, not implemented) leaves the local evaluator alone. */
async function simulate(
  aws: Aws,
  roleArn: string,
  actions: readonly string[],
  resource: string,
  debug: (message: string) => void,
): Promise<Simulation> {
  const { notRecorded: _, ...sim } = await ask(aws, roleArn, actions, resource, debug);
  return sim;
}

/** The simulator's answer, and whether a replayed bundle had none for these arguments. */
async function ask(
  aws: Aws,
  roleArn: string,
  actions: readonly string[],
  resource: string,
  debug: (message: string) => void,
): Promise<Simulation & { notRecorded?: true }> {
  try {
    return { ok: true, value: await aws.simulatePrincipalPolicy(roleArn, [...actions], [resource]) };
  } catch (e) {
    if (!(e instanceof ApiCallError)) return { ok: false, error: e };
    debug(`iam:SimulatePrincipalPolicy failed for ${roleArn} (${e.reason}): the local evaluator answers`);
    // Only a replayed bundle answers NotRecorded (platform/replay.ts).
    return {
      ok: true,
      value: undefined,
      ...(e.reason === 'NotRecorded' ? { notRecorded: true as const } : {}),
    };
  }
}

/**
 * The simulator on Camunda's OpenSearch requests; in a bundle recorded before HEAD and DELETE
 * were asked about, its answer for the three it holds, with the two it lacks named.
 */
async function simulateSearch(
  aws: Aws,
  roleArn: string,
  resource: string,
  debug: (message: string) => void,
): Promise<Simulation> {
  const { notRecorded, ...asked } = await ask(aws, roleArn, CAMUNDA_ES_ACTIONS, resource, debug);
  if (!notRecorded) return asked;
  const older = await simulate(aws, roleArn, ES_ACTIONS_IN_OLDER_BUNDLES, resource, debug);
  // No answer recorded then either (or the simulator was not available then): nothing is missing.
  if (!older.ok || older.value === undefined) return asked;
  const inBundle = new Set<string>(ES_ACTIONS_IN_OLDER_BUNDLES);
  return {
    ...older,
    notInBundle: CAMUNDA_ES_ACTIONS.filter((a) => !inBundle.has(a)),
    askedInBundle: ES_ACTIONS_IN_OLDER_BUNDLES,
  };
}

/** --verbose says which one answered, where the evaluator weighs the answer. */
function sayWhoAnswered(
  ctx: Ctx,
  role: IamRole,
  actions: readonly string[],
  resource: string,
  sim: Simulation,
): void {
  if (!sim.ok) return;
  const wanted = new Set(actions.map((a) => a.toLowerCase()));
  const answered = (sim.value ?? []).some(
    (r) => r.resource === resource && wanted.has(r.action.toLowerCase()),
  );
  ctx.debug(
    answered
      ? `role ${role.name}, ${actionList(actions)} on ${resource}: answered by the IAM policy simulator and the local evaluator`
      : `role ${role.name}, ${actionList(actions)} on ${resource}: answered by the local evaluator (IAM policy simulator not available)`,
  );
}
