/**
 * Aurora PostgreSQL: which DB cluster each pg component's host points at, and
 * whether that cluster can take IAM-authenticated connections. The host is
 * matched against every cluster's writer, reader and custom endpoints (after
 * resolving a CNAME), never parsed first: the original script parsed it and broke
 * on `cluster-ro-`, `cluster-custom-` and CNAME hosts. The collector
 * (src/collectors/aurora.ts) provides the auroraClusters fact: each pg component's cluster
 * and its region. A pure evaluator over what it gathered (issue 16).
 */
import { defineModule } from '../engine/module.js';
import type { Reporter } from '../core/reporter.js';
import { normalizeHost } from '../aws-hosts.js';
import { cannotFindFrom } from '../platform/accounts.js';
import {
  collectAurora,
  parseRdsHost,
  type AuroraComponent,
  type ClusterMatch,
  type EndpointKind,
} from '../collectors/aurora.js';

// The host matching is the collector's (it decides where to look next); tests and callers keep
// reaching it here.
export { identifyCluster, parseRdsHost } from '../collectors/aurora.js';
export type { ClusterMatch, EndpointKind, ParsedRdsHost } from '../collectors/aurora.js';

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

/** Judges the cluster behind one component's host, as the collector found it. */
function checkDatabaseTarget(c: AuroraComponent, out: Reporter<Id>, caller: string): void {
  const host = c.target.host;
  if (c.kind === 'error') {
    out.unexpected(c.error);
    return;
  }
  if (c.kind === 'no-region') {
    out.fail('aurora-endpoint', `cannot tell the AWS region of database host ${host}`, {
      fix: 'Pass the region of the Aurora cluster with --region.',
    });
    return;
  }
  const { region, cnames, problem, clusters, match, account, unread } = c;
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
  if (cluster.port !== undefined && c.target.port !== cluster.port) {
    out.warn(
      'aurora-port',
      `the configured database port ${c.target.port} differs from the port ${cluster.port} of Aurora cluster ${cluster.identifier}`,
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
    return;
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
}

export const aurora = defineModule({
  id: 'aurora',
  title: 'Aurora PostgreSQL cluster',
  needs: ['plan', 'pgList', 'databases', 'caller'],
  uses: ['region', 'podIdentity'],
  provides: ['auroraClusters'],
  checks: CHECKS,
  collect: collectAurora,
  evaluate(input, out) {
    if (input.kind === 'no-targets') {
      if (input.pgComponents) out.info('skipped: no database host is known for the pg components');
      return;
    }
    // In the pg list's order, each component's findings together, as eachInOrder flushed them
    // before the split: a judgement that cannot go on is that component's line.
    const buffers = input.components.map((c) => out.buffered(c.component));
    input.components.forEach((c, i) => {
      const o = buffers[i]!.reporter;
      try {
        checkDatabaseTarget(c, o, input.caller);
      } catch (error) {
        o.unexpected(error);
      }
    });
    buffers.forEach((b) => b.flush());
  },
});
