/**
 * Aurora PostgreSQL: which DB cluster each pg component's host points at, and
 * whether that cluster can take IAM-authenticated connections. The host is
 * matched against every cluster's writer, reader and custom endpoints (after
 * resolving a CNAME), never parsed first: the original script parsed it and broke
 * on `cluster-ro-`, `cluster-custom-` and CNAME hosts. Provides the auroraClusters
 * fact: each pg component's cluster and its region.
 */
import { defineModule } from '../engine/module.js';
import { eachInOrder, type Reporter } from '../core/reporter.js';
import type { AuroraTarget, DatabaseTarget, PlannedComponent } from '../engine/facts.js';
import type { DbCluster } from '../ports/aws.js';
import { locateHost, normalizeHost, REGION_PATTERN, type HostServices } from '../aws-hosts.js';
import {
  cannotFindFrom,
  findElsewhere,
  otherAccounts,
  readableAccounts,
  plannedCredentials,
  accountsNamedByPolicies,
  type OtherAccount,
} from '../platform/accounts.js';

const CHECKS = {
  'aurora-endpoint': {
    severity: 'FAIL',
    code: 73,
    title:
      'the database host is not an endpoint of any Aurora cluster in the region (or its region is unknown)',
    fix: 'Set the host to an endpoint of the Aurora cluster, or pass --region.',
  },
  'aurora-cluster-exists': {
    severity: 'FAIL',
    code: 74,
    title: 'the Aurora cluster the host names does not exist',
    fix: 'Point the host at an existing Aurora cluster.',
  },
  'aurora-named-endpoint': {
    severity: 'WARN',
    title: 'the database host names an Aurora cluster but is none of its endpoints',
    fix: 'Set the host to the writer, reader or a custom endpoint of the Aurora cluster.',
  },
  'aurora-engine': {
    severity: 'WARN',
    title: 'the Aurora cluster does not run aurora-postgresql',
    fix: 'Point the host at an Aurora PostgreSQL cluster.',
  },
  'aurora-port': {
    severity: 'WARN',
    title: 'the configured database port differs from the Aurora cluster’s port',
    fix: 'Set the database port to the port of the Aurora cluster.',
  },
  'aurora-iam-auth': {
    severity: 'FAIL',
    code: 75,
    title: 'IAM database authentication is disabled on the Aurora cluster',
    fix: 'Enable IAM database authentication on the cluster.',
  },
  'aurora-status': {
    severity: 'FAIL',
    code: 76,
    title: 'the Aurora cluster is not available',
    fix: 'Bring the cluster back to "available".',
  },
  'aurora-status-serving': {
    severity: 'WARN',
    title:
      'the Aurora cluster serves connections, but is not "available" (backing up, maintenance, modifying, upgrading)',
    fix: 'Wait until the cluster is "available" again, then run irsa-check again.',
  },
} as const;
type Id = keyof typeof CHECKS;

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

const KIND_TEXT: Record<EndpointKind, string> = {
  writer: 'the writer endpoint',
  reader: 'the reader endpoint',
  custom: 'a custom endpoint',
  parsed: 'named after',
};

/** States in which a cluster still serves connections: worth a WARN, not a FAIL. */
const SERVING = new Set(['backing-up', 'maintenance', 'modifying', 'storage-optimization', 'upgrading']);

function describeMatch(host: string, m: ClusterMatch, region: string, account?: string): string {
  const through = m.via === normalizeHost(host) ? '' : ` (CNAME of ${m.via})`;
  const where = account ? `${region}, account ${account}` : region;
  return m.kind === 'parsed'
    ? `${host}${through} names Aurora cluster ${m.cluster.identifier} (${where}), though it is none of its endpoints`
    : `${host}${through} is ${KIND_TEXT[m.kind]} of Aurora cluster ${m.cluster.identifier} (${where})`;
}

/** Accounts besides the caller's where the component's cluster may be (platform/accounts.ts). */
type Elsewhere = () => Promise<OtherAccount[]>;

/** Checks the cluster behind one component's host; returns it when the host is one of its endpoints (or names it). */
async function checkDatabaseTarget(
  services: HostServices,
  target: DatabaseTarget,
  fallbackRegion: string | undefined,
  out: Reporter<Id>,
  caller = '',
  elsewhere: Elsewhere = async () => [],
): Promise<AuroraTarget | undefined> {
  const host = target.host;
  const { cnames, problem, region } = await locateHost(services, host, fallbackRegion);
  if (!region) {
    out.fail('aurora-endpoint', `cannot tell the AWS region of database host ${host}`, {
      fix: 'Pass the region of the Aurora cluster with --region.',
    });
    return;
  }
  const clusters = await services.aws.dbClusters(region);
  // Not the caller's: the account of the component's role may hold it (cross-account).
  const found = identifyCluster(host, clusters, cnames);
  const {
    match = found,
    account,
    unread,
  } = found
    ? {}
    : await findElsewhere(await elsewhere(), async (aws) =>
        identifyCluster(host, await aws.dbClusters(region), cnames),
      );
  if (!match && unread) {
    out.info(
      cannotFindFrom(
        caller,
        `database host ${host} is no Aurora cluster of account ${caller} in ${region}`,
        unread,
      ),
    );
    return;
  }
  if (!match) {
    const parsed = [host, ...cnames].map(parseRdsHost).find((p) => p !== undefined);
    if (parsed && (parsed.kind === 'writer' || parsed.kind === 'reader')) {
      out.fail(
        'aurora-cluster-exists',
        `database host ${host} names Aurora cluster ${parsed.name}, but no DB cluster ${parsed.name} exists in ${region}`,
        {
          fix: `Point the host at an existing cluster's endpoint (aws rds describe-db-clusters --region ${region}), or check --region.`,
        },
      );
      return;
    }
    const known = clusters.map((c) => c.identifier).join(', ') || 'none';
    out.fail(
      'aurora-endpoint',
      `database host ${host}${cnames.length ? ` (CNAME of ${cnames.join(' → ')})` : ''} is not an endpoint of any Aurora cluster in ${region} (clusters: ${known})${problem ? `; ${problem}` : ''}`,
      {
        fix: `Set the host to the writer, reader or a custom endpoint of the Aurora cluster (aws rds describe-db-clusters --region ${region}), or pass its region with --region.`,
      },
    );
    return;
  }
  const { cluster } = match;
  // A host that only names the cluster (an unknown hash) will not resolve to it: worth a WARN.
  if (match.kind === 'parsed') out.warn('aurora-named-endpoint', describeMatch(host, match, region, account));
  else out.ok('aurora-endpoint', describeMatch(host, match, region, account));
  if (cluster.engine && cluster.engine !== 'aurora-postgresql') {
    out.warn(
      'aurora-engine',
      `Aurora cluster ${cluster.identifier} runs ${cluster.engine}, not aurora-postgresql`,
    );
  }
  if (cluster.port !== undefined && target.port !== cluster.port) {
    out.warn(
      'aurora-port',
      `the configured database port ${target.port} differs from the port ${cluster.port} of Aurora cluster ${cluster.identifier}`,
    );
  }
  if (!cluster.iamAuthEnabled) {
    out.fail(
      'aurora-iam-auth',
      `IAM database authentication is disabled on Aurora cluster ${cluster.identifier}`,
      {
        fix: `aws rds modify-db-cluster --region ${region} --db-cluster-identifier ${cluster.identifier} --enable-iam-database-authentication --apply-immediately (Terraform: iam_database_authentication_enabled = true).`,
      },
    );
  }
  const status = cluster.status ?? 'unknown';
  if (status === 'available') {
    if (cluster.iamAuthEnabled) {
      out.ok(
        'aurora-iam-auth',
        `Aurora cluster ${cluster.identifier} is available with IAM database authentication enabled`,
      );
    }
    return { cluster, region };
  }
  if (cluster.iamAuthEnabled) {
    out.ok(
      'aurora-iam-auth',
      `IAM database authentication is enabled on Aurora cluster ${cluster.identifier}`,
    );
  }
  if (SERVING.has(status)) {
    out.warn(
      'aurora-status-serving',
      `Aurora cluster ${cluster.identifier} is ${status}: it serves connections, but is not "available"`,
    );
  } else {
    out.fail('aurora-status', `Aurora cluster ${cluster.identifier} is ${status}, not available`, {
      fix: `Bring the cluster back to "available" (aws rds describe-db-clusters --region ${region} --db-cluster-identifier ${cluster.identifier}; a stopped cluster: aws rds start-db-cluster).`,
    });
  }
  return { cluster, region };
}

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

export const aurora = defineModule({
  id: 'aurora',
  title: 'Aurora PostgreSQL cluster',
  needs: ['plan', 'pgList', 'databases', 'caller'],
  uses: ['region', 'podIdentity'],
  provides: ['auroraClusters'],
  checks: CHECKS,
  async run(ctx, out) {
    const { plan, pgList, databases } = ctx.facts;
    const targets = orderedTargets(plan, pgList, databases);
    if (targets.length === 0) {
      if (pgList.length > 0) {
        out.info('skipped: no database host is known for the pg components');
      }
      ctx.provide('auroraClusters', new Map());
      return;
    }
    const fallbackRegion = (await ctx.use('region')) ?? ctx.options.region;
    const found = new Map<string, AuroraTarget>();
    // Components sharing a cluster share the AWS calls: the dispatcher answers identical calls once.
    await eachInOrder(
      targets,
      out,
      ([component]) => component,
      async ([component, target], o) => {
        const c = plan.find((p) => p.key === component);
        const elsewhere: Elsewhere = async () => {
          if (!c) return [];
          const caller = ctx.facts.caller.account;
          const planned = await plannedCredentials(
            ctx.kube,
            ctx.scope.namespace,
            c,
            await ctx.use('podIdentity'),
          );
          // A role of the caller's account whose policy names another account's clusters points there.
          const named = planned
            ? await accountsNamedByPolicies(ctx.aws, planned.roleArn, 'rds-db', caller, planned.mechanism)
            : [];
          return otherAccounts(
            caller,
            [planned?.roleArn],
            (a) => ctx.awsIn(a),
            readableAccounts(ctx.options),
            named,
          );
        };
        const t = await checkDatabaseTarget(
          ctx,
          target,
          fallbackRegion,
          o,
          ctx.facts.caller.account,
          elsewhere,
        );
        if (t) found.set(component, t);
      },
    );
    // Complete, in the pg list's order (the checks above finish in any order).
    const clusters = new Map<string, AuroraTarget>();
    for (const [component] of targets) {
      const t = found.get(component);
      if (t) clusters.set(component, t);
    }
    ctx.provide('auroraClusters', clusters);
  },
});
