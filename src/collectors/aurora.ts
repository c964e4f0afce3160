/**
 * Gathers what the Aurora check judges: for each pg component with a database host, in the
 * pg list's order, the host's CNAME chain and region, the region's DB clusters and which of
 * them the host is an endpoint of. A host the caller's account holds no cluster for is looked
 * up in the accounts the component's role is in or its policies name (platform/accounts.ts).
 * The components are gathered at once (Promise.all; identical calls are answered once by the
 * dispatcher); an error is that component's value. Publishes auroraClusters as soon as all
 * are gathered, where the module did before the split.
 */
import type { ModuleContext } from '../engine/module.js';
import type { AuroraTarget, DatabaseTarget, PlannedComponent } from '../engine/facts.js';
import type { DbCluster } from '../ports/aws.js';
import { locateHost, normalizeHost, REGION_PATTERN } from '../aws-hosts.js';
import {
  findElsewhere,
  otherAccounts,
  readableAccounts,
  plannedCredentials,
  accountsNamedByPolicies,
  type OtherAccount,
} from '../platform/accounts.js';

/** Which of a cluster's endpoints a host is. `parsed`: only its name was read from the host. */
export type EndpointKind = 'writer' | 'reader' | 'custom' | 'parsed';

export interface ClusterMatch {
  cluster: DbCluster;
  kind: EndpointKind;
  /** The name that matched: the host itself or the CNAME target it resolves to. */
  via: string;
}

/** What a host name says about itself, when it is an RDS endpoint. */
export interface ParsedRdsHost {
  /** First label: the cluster identifier for writer/reader endpoints, the endpoint name for custom ones. */
  name: string;
  kind: 'writer' | 'reader' | 'custom' | 'instance';
  region: string;
}

const RDS_HOST = new RegExp(
  `^([a-z0-9-]+)\\.(?:cluster-(?:(ro|custom)-)?)?[a-z0-9]+\\.(${REGION_PATTERN})\\.rds\\.amazonaws\\.com(?:\\.cn)?$`,
);

/** `<id>.cluster-[ro-|custom-]<hash>.<region>.rds.amazonaws.com[.cn]`, or an instance endpoint. */
export function parseRdsHost(host: string): ParsedRdsHost | undefined {
  const h = normalizeHost(host);
  const m = RDS_HOST.exec(h);
  if (!m) return undefined;
  const [, name = '', tag, region = ''] = m;
  const isCluster = h.startsWith(`${name}.cluster-`);
  const kind = !isCluster ? 'instance' : tag === 'ro' ? 'reader' : tag === 'custom' ? 'custom' : 'writer';
  return { name, kind, region };
}

/**
 * The cluster a host belongs to: the host, then each name of its CNAME chain, is
 * compared with every cluster's writer, reader and custom endpoints; only when
 * nothing matches is a writer/reader endpoint name parsed for the cluster identifier.
 */
export function identifyCluster(
  host: string,
  clusters: readonly DbCluster[],
  cnames: readonly string[] = [],
): ClusterMatch | undefined {
  const names = [host, ...cnames].map(normalizeHost);
  for (const via of names) {
    for (const cluster of clusters) {
      const same = (e: string | undefined) => e !== undefined && normalizeHost(e) === via;
      if (same(cluster.endpoint)) return { cluster, kind: 'writer', via };
      if (same(cluster.readerEndpoint)) return { cluster, kind: 'reader', via };
      if (cluster.customEndpoints.some(same)) return { cluster, kind: 'custom', via };
    }
  }
  for (const via of names) {
    const parsed = parseRdsHost(via);
    // A custom endpoint's first label is the endpoint's name, an instance's the instance's: neither names the cluster.
    if (!parsed || (parsed.kind !== 'writer' && parsed.kind !== 'reader')) continue;
    const cluster = clusters.find((c) => c.identifier.toLowerCase() === parsed.name);
    if (cluster) return { cluster, kind: 'parsed', via };
  }
  return undefined;
}

/** One pg component's database host, as gathered. */
export type AuroraComponent = { component: string; target: DatabaseTarget } & (
  | { kind: 'error'; error: unknown }
  /** Neither the host, its CNAMEs nor --region / the cluster's region tell where to look. */
  | { kind: 'no-region' }
  | {
      kind: 'located';
      region: string;
      cnames: string[];
      /** Why the CNAME chain could not be read (DNS), when it could not. */
      problem?: string;
      /** The caller's account's clusters in the region. */
      clusters: DbCluster[];
      /** The cluster the host is an endpoint of (or names), in the caller's account or `account`. */
      match?: ClusterMatch;
      /** The other account holding `match`; absent when it is the caller's. */
      account?: string;
      /** No match, and an account the component's role is in or names could not be read. */
      unread?: OtherAccount;
    }
);

export type AuroraInput =
  /** No pg component with a database host; `pgComponents`: the pg list names some. */
  | { kind: 'no-targets'; pgComponents: boolean }
  | { kind: 'targets'; caller: string; components: AuroraComponent[] };

type Ctx = ModuleContext<
  'plan' | 'pgList' | 'databases' | 'caller',
  'region' | 'podIdentity',
  'auroraClusters'
>;

/**
 * The Aurora targets of the planned pg components, in the order of the pg list so output
 * is the same on every run. Other entries (an external Keycloak's HTTP endpoint, kept for
 * the connectivity Job) are no Aurora clusters.
 */
function orderedTargets(
  plan: readonly PlannedComponent[],
  order: readonly string[],
  databases: ReadonlyMap<string, DatabaseTarget>,
): Array<[string, DatabaseTarget]> {
  const pg = plan.filter((c) => c.pg).map((c) => c.key);
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  return [...databases.entries()]
    .filter(([component]) => pg.includes(component))
    .sort(([a], [b]) => rank(a) - rank(b));
}

/** Accounts besides the caller's where the component's cluster may be (platform/accounts.ts). */
async function elsewhere(ctx: Ctx, component: string): Promise<OtherAccount[]> {
  const c = ctx.facts.plan.find((p) => p.key === component);
  if (!c) return [];
  const caller = ctx.facts.caller.account;
  const planned = await plannedCredentials(ctx.kube, ctx.scope.namespace, c, await ctx.use('podIdentity'));
  // A role of the caller's account whose policy names another account's clusters points there.
  const named = planned
    ? await accountsNamedByPolicies(ctx.aws, planned.roleArn, 'rds-db', caller, planned.mechanism)
    : [];
  return otherAccounts(caller, [planned], (a) => ctx.awsIn(a), readableAccounts(ctx.options), named);
}

async function collectComponent(
  ctx: Ctx,
  component: string,
  target: DatabaseTarget,
  fallbackRegion: string | undefined,
): Promise<AuroraComponent> {
  try {
    const host = target.host;
    const { cnames, problem, region } = await locateHost(ctx, host, fallbackRegion);
    if (!region) return { component, target, kind: 'no-region' };
    const clusters = await ctx.aws.dbClusters(region);
    // Not the caller's: the account of the component's role may hold it (cross-account).
    const found = identifyCluster(host, clusters, cnames);
    const other = found
      ? {}
      : await findElsewhere(await elsewhere(ctx, component), async (aws) =>
          identifyCluster(host, await aws.dbClusters(region), cnames),
        );
    return {
      component,
      target,
      kind: 'located',
      region,
      cnames,
      ...(problem !== undefined ? { problem } : {}),
      clusters,
      ...(found ? { match: found } : other),
    };
  } catch (error) {
    return { component, target, kind: 'error', error };
  }
}

export async function collectAurora(ctx: Ctx): Promise<AuroraInput> {
  const { plan, pgList, databases } = ctx.facts;
  const targets = orderedTargets(plan, pgList, databases);
  if (targets.length === 0) {
    ctx.provide('auroraClusters', new Map());
    return { kind: 'no-targets', pgComponents: pgList.length > 0 };
  }
  const fallbackRegion = (await ctx.use('region')) ?? ctx.options.region;
  // Components sharing a cluster share the AWS calls: the dispatcher answers identical calls once.
  const components = await Promise.all(
    targets.map(([component, target]) => collectComponent(ctx, component, target, fallbackRegion)),
  );
  // Complete, in the pg list's order: each component whose host is (or names) a cluster.
  const clusters = new Map<string, AuroraTarget>();
  for (const c of components) {
    if (c.kind === 'located' && c.match)
      clusters.set(c.component, { cluster: c.match.cluster, region: c.region });
  }
  ctx.provide('auroraClusters', clusters);
  return { kind: 'targets', caller: ctx.facts.caller.account, components };
}
