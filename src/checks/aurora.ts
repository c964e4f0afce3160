/**
 * Aurora PostgreSQL: which DB cluster each pg component's host points at, and
 * whether that cluster can take IAM-authenticated connections. The host is
 * matched against every cluster's writer, reader and custom endpoints (after
 * resolving a CNAME), never parsed first: the original script parsed it and broke
 * on `cluster-ro-`, `cluster-custom-` and CNAME hosts.
 */
import { defineModule } from '../core/module.js';
import { eachInOrder, type Reporter } from '../core/reporter.js';
import type { Context, DatabaseTarget } from '../core/context.js';
import { ApiCallError } from '../core/errors.js';
import type { DbCluster } from '../platform/aws.js';
import { requireRelease } from './release.js';

export const CODE_CLUSTER_UNKNOWN = 73;
export const CODE_CLUSTER_MISSING = 74;
export const CODE_IAM_AUTH = 75;
export const CODE_CLUSTER_STATUS = 76;

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

const REGION = '[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\\d+';
const RDS_HOST = new RegExp(
  `^([a-z0-9-]+)\\.(?:cluster-(?:(ro|custom)-)?)?[a-z0-9]+\\.(${REGION})\\.rds\\.amazonaws\\.com(?:\\.cn)?$`,
);

export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.+$/, '');
}

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

/** The region an AWS service host names (`….eu-west-1.rds.amazonaws.com`), if any. */
export function regionFromHost(host: string): string | undefined {
  const m = new RegExp(`\\.(${REGION})\\.(?:[a-z0-9-]+\\.)?amazonaws\\.com(?:\\.cn)?$`).exec(
    normalizeHost(host),
  );
  return m?.[1];
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

const KIND_TEXT: Record<EndpointKind, string> = {
  writer: 'the writer endpoint',
  reader: 'the reader endpoint',
  custom: 'a custom endpoint',
  parsed: 'named after',
};

/** States in which a cluster still serves connections: worth a WARN, not a FAIL. */
const SERVING = new Set(['backing-up', 'maintenance', 'modifying', 'storage-optimization', 'upgrading']);

function describeMatch(host: string, m: ClusterMatch, region: string): string {
  const through = m.via === normalizeHost(host) ? '' : ` (CNAME of ${m.via})`;
  return m.kind === 'parsed'
    ? `${host}${through} names Aurora cluster ${m.cluster.identifier} (${region}), though it is none of its endpoints`
    : `${host}${through} is ${KIND_TEXT[m.kind]} of Aurora cluster ${m.cluster.identifier} (${region})`;
}

/**
 * The CNAME chain of a host (e.g. `aurora.rds.your.domain` → the cluster endpoint).
 * A DNS failure is not fatal: the host is then matched as it is, and `problem` says why.
 */
export async function cnameChain(
  ctx: Context,
  host: string,
): Promise<{ cnames: string[]; problem?: string }> {
  try {
    return { cnames: await ctx.aws.resolveCname(host) };
  } catch (e) {
    if (!(e instanceof ApiCallError)) throw e;
    ctx.debug(`cannot resolve the CNAME of ${host} (${e.reason}): matching the host as it is`);
    return { cnames: [], problem: `its CNAME could not be resolved: ${e.reason}` };
  }
}

/**
 * Where an AWS service host lives: its CNAME chain, and the region the host (or a
 * name it points to) names, else the cluster's region, else --region.
 */
export async function locateHost(
  ctx: Context,
  host: string,
): Promise<{ cnames: string[]; problem?: string; region?: string }> {
  const chain = await cnameChain(ctx, host);
  const region =
    [host, ...chain.cnames].map(regionFromHost).find((r) => r !== undefined) ??
    ctx.facts.region ??
    ctx.options.region;
  return { ...chain, region };
}

/** Checks the cluster behind one component's host and records it on the target. */
export async function checkDatabaseTarget(
  ctx: Context,
  target: DatabaseTarget,
  out: Reporter,
): Promise<void> {
  const host = target.host;
  const { cnames, problem, region } = await locateHost(ctx, host);
  if (!region) {
    out.fail(CODE_CLUSTER_UNKNOWN, `cannot tell the AWS region of database host ${host}`, {
      fix: 'Pass the region of the Aurora cluster with --region.',
    });
    return;
  }
  const clusters = await ctx.aws.dbClusters(region);
  const match = identifyCluster(host, clusters, cnames);
  if (!match) {
    const parsed = [host, ...cnames].map(parseRdsHost).find((p) => p !== undefined);
    if (parsed && (parsed.kind === 'writer' || parsed.kind === 'reader')) {
      out.fail(
        CODE_CLUSTER_MISSING,
        `database host ${host} names Aurora cluster ${parsed.name}, but no DB cluster ${parsed.name} exists in ${region}`,
        {
          fix: `Point the host at an existing cluster's endpoint (aws rds describe-db-clusters --region ${region}), or check --region.`,
        },
      );
      return;
    }
    const known = clusters.map((c) => c.identifier).join(', ') || 'none';
    out.fail(
      CODE_CLUSTER_UNKNOWN,
      `database host ${host}${cnames.length ? ` (CNAME of ${cnames.join(' → ')})` : ''} is not an endpoint of any Aurora cluster in ${region} (clusters: ${known})${problem ? `; ${problem}` : ''}`,
      {
        fix: `Set the host to the writer, reader or a custom endpoint of the Aurora cluster (aws rds describe-db-clusters --region ${region}), or pass its region with --region.`,
      },
    );
    return;
  }
  const { cluster } = match;
  target.cluster = cluster;
  target.region = region;
  // A host that only names the cluster (an unknown hash) will not resolve to it: worth a WARN.
  if (match.kind === 'parsed') out.warn(describeMatch(host, match, region));
  else out.ok(describeMatch(host, match, region));
  if (cluster.engine && cluster.engine !== 'aurora-postgresql') {
    out.warn(`Aurora cluster ${cluster.identifier} runs ${cluster.engine}, not aurora-postgresql`);
  }
  if (cluster.port !== undefined && target.port !== cluster.port) {
    out.warn(
      `the configured database port ${target.port} differs from the port ${cluster.port} of Aurora cluster ${cluster.identifier}`,
    );
  }
  if (!cluster.iamAuthEnabled) {
    out.fail(
      CODE_IAM_AUTH,
      `IAM database authentication is disabled on Aurora cluster ${cluster.identifier}`,
      {
        fix: `aws rds modify-db-cluster --region ${region} --db-cluster-identifier ${cluster.identifier} --enable-iam-database-authentication --apply-immediately (Terraform: iam_database_authentication_enabled = true).`,
      },
    );
  }
  const status = cluster.status ?? 'unknown';
  if (status === 'available') {
    if (cluster.iamAuthEnabled) {
      out.ok(`Aurora cluster ${cluster.identifier} is available with IAM database authentication enabled`);
    }
    return;
  }
  if (cluster.iamAuthEnabled) {
    out.ok(`IAM database authentication is enabled on Aurora cluster ${cluster.identifier}`);
  }
  if (SERVING.has(status)) {
    out.warn(
      `Aurora cluster ${cluster.identifier} is ${status}: it serves connections, but is not "available"`,
    );
  } else {
    out.fail(CODE_CLUSTER_STATUS, `Aurora cluster ${cluster.identifier} is ${status}, not available`, {
      fix: `Bring the cluster back to "available" (aws rds describe-db-clusters --region ${region} --db-cluster-identifier ${cluster.identifier}; a stopped cluster: aws rds start-db-cluster).`,
    });
  }
}

/**
 * The Aurora targets of the planned pg components, in the order of the pg list so output
 * is the same on every run. Other entries (an external Keycloak's HTTP endpoint, kept for
 * the connectivity Job) are no Aurora clusters.
 */
function orderedTargets(ctx: Context): Array<[string, DatabaseTarget]> {
  const pg = (ctx.facts.plan ?? []).filter((c) => c.pg).map((c) => c.key);
  const order = ctx.facts.pgList ?? [];
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  return [...ctx.facts.databases.entries()]
    .filter(([component]) => pg.includes(component))
    .sort(([a], [b]) => rank(a) - rank(b));
}

export const aurora = defineModule({
  id: 'aurora',
  title: 'Aurora PostgreSQL cluster',
  codes: [
    {
      code: CODE_CLUSTER_UNKNOWN,
      title: 'the database host is not an endpoint of any Aurora cluster in the region',
      fix: 'Set the host to an endpoint of the Aurora cluster, or pass --region.',
    },
    {
      code: CODE_CLUSTER_MISSING,
      title: 'the Aurora cluster the host names does not exist',
      fix: 'Point the host at an existing Aurora cluster.',
    },
    {
      code: CODE_IAM_AUTH,
      title: 'IAM database authentication is disabled on the Aurora cluster',
      fix: 'Enable IAM database authentication on the cluster.',
    },
    {
      code: CODE_CLUSTER_STATUS,
      title: 'the Aurora cluster is not available',
      fix: 'Bring the cluster back to "available".',
    },
  ],
  async run(ctx, out) {
    if (!requireRelease(ctx, out)) return;
    const targets = orderedTargets(ctx);
    if (targets.length === 0) {
      if ((ctx.facts.pgList ?? []).length > 0) {
        out.info('skipped: no database host is known for the pg components');
      }
      return;
    }
    // Components sharing a cluster share the AWS calls: the dispatcher answers identical calls once.
    await eachInOrder(
      targets,
      out,
      ([component]) => component,
      ([, target], o) => checkDatabaseTarget(ctx, target, o),
    );
  },
});
