/**
 * The IRSA trust chain of one component, as the markdown report draws it:
 *
 *   ServiceAccount → IAM role → IAM OIDC provider → cluster's OIDC issuer
 *                    IAM role → Aurora PostgreSQL / OpenSearch
 *
 * (the chain the Camunda IRSA guide sets up and the AWS IRSA docs describe: the pod's
 * projected token is issued by the cluster's issuer, the IAM OIDC provider trusts that
 * issuer, the role's trust policy trusts the provider for the ServiceAccount's `sub`, and
 * the role's policies grant rds-db:connect or es:ESHttp*.)
 *
 * Each link's status comes from findings. Which findings decide a link is the table
 * LINK_EVIDENCE, keyed by check module and (for modules that check several links) check ID.
 * Never a false ✓: a link is ✓ only when a check vouching for it reported an OK and no
 * check feeding it reported a FAIL; a FAIL of a check no link claims marks every link its
 * module feeds ✗; no finding at all leaves the link "not checked".
 */
import type { Facts } from '../core/facts.js';
import type { Finding } from '../core/finding.js';

export type LinkId = 'sa-role' | 'role-provider' | 'provider-issuer' | 'role-aurora' | 'role-opensearch';
export type LinkStatus = 'ok' | 'fail' | 'unchecked';
export type Target = 'aurora' | 'opensearch';

interface Evidence {
  module: string;
  /** Checks (catalogue IDs) of this module about this link; undefined: every check of the module. */
  checks?: readonly string[];
  /** The module's findings are about the whole release (no component): they count for every component. */
  global?: boolean;
}

/** Which checks decide each link (README "Checks" for the IDs). */
export const LINK_EVIDENCE: Record<LinkId, readonly Evidence[]> = {
  'sa-role': [
    { module: 'service-accounts' }, // annotation, pods carrying AWS_ROLE_ARN, no static keys
    { module: 'roles', checks: ['role-exists', 'role-arn'] }, // the annotated role exists
  ],
  'role-provider': [
    // Trust policy: action, provider, sub, aud.
    {
      module: 'roles',
      checks: [
        'trust-readable',
        'trust-action',
        'trust-provider',
        'trust-this-provider',
        'trust-deny',
        'trust-sub',
        'trust-sub-with-aud',
        'trust-aud',
        'trust-audience-annotation',
      ],
    },
    { module: 'token', checks: ['token-request', 'token-sts', 'token-role'] }, // pod-less proof: STS's own verdict
    {
      module: 'jobs',
      checks: [
        'identity-job-create',
        'identity-job-complete',
        'identity-job-json',
        'identity-job-arn',
        'identity-job-role',
      ],
    }, // in-pod identity
  ],
  'provider-issuer': [
    { module: 'cluster', global: true }, // cluster, its issuer, the IAM OIDC provider for exactly it
    // The token's signature and iss against the issuer's keys; an accepted token proves the whole chain.
    { module: 'token', checks: ['token-valid'] },
  ],
  'role-aurora': [
    {
      module: 'roles',
      checks: ['rds-policies', 'rds-policy-documents', 'rds-connect', 'rds-connect-resource'],
    },
    { module: 'database-values' }, // JDBC wrapper with IAM authentication
    { module: 'aurora' }, // the Aurora cluster, with IAM database authentication
    { module: 'jobs', checks: ['tcp-job-create', 'tcp-job-complete', 'tcp-reachable'] }, // reachable from the cluster
  ],
  'role-opensearch': [
    {
      module: 'roles',
      checks: ['es-policies', 'es-policy-documents', 'es-http', 'es-http-resource', 'es-domain-admits-role'],
    },
    { module: 'opensearch-values', global: true }, // AWS request signing in the chart
    { module: 'opensearch', global: true }, // the domain, HTTPS, fine-grained access control
    { module: 'jobs', checks: ['tcp-job-create', 'tcp-job-complete', 'tcp-reachable'], global: true },
  ],
};

/** What the nodes are called in this run (from the run's facts; any may be unknown). */
export interface ChainLabels {
  serviceAccount?: string;
  role?: string;
  provider?: string;
  issuer?: string;
  aurora?: string;
  opensearch?: string;
  /** The data stores this component was checked for; unknown: both links are drawn only if evidenced. */
  targets?: readonly Target[];
}

export interface ChainLink {
  id: LinkId;
  from: 'sa' | 'role' | 'provider';
  to: 'role' | 'provider' | 'issuer' | Target;
  status: LinkStatus;
}

export interface TrustChain {
  component: string;
  labels: ChainLabels;
  links: ChainLink[];
}

const ENDS: Record<LinkId, Pick<ChainLink, 'from' | 'to'>> = {
  'sa-role': { from: 'sa', to: 'role' },
  'role-provider': { from: 'role', to: 'provider' },
  'provider-issuer': { from: 'provider', to: 'issuer' },
  'role-aurora': { from: 'role', to: 'aurora' },
  'role-opensearch': { from: 'role', to: 'opensearch' },
};

/** Every check some link claims for `module`: a FAIL of any other check is unmapped. */
function mappedChecks(module: string): Set<string> {
  const checks = new Set<string>();
  for (const evidence of Object.values(LINK_EVIDENCE)) {
    for (const e of evidence) if (e.module === module) e.checks?.forEach((c) => checks.add(c));
  }
  return checks;
}

function feeds(e: Evidence, f: Finding, component: string): boolean {
  if (f.module !== e.module) return false;
  return f.component === component || (e.global === true && f.component === undefined);
}

/** The status of one link for one component, from the findings of its release. */
export function linkStatus(id: LinkId, component: string, findings: readonly Finding[]): LinkStatus {
  let ok = false;
  for (const e of LINK_EVIDENCE[id]) {
    const mapped = mappedChecks(e.module);
    const about = (f: Finding) =>
      e.checks === undefined || (f.check !== undefined && e.checks.includes(f.check));
    for (const f of findings) {
      if (!feeds(e, f, component)) continue;
      if (f.level === 'FAIL') {
        if (about(f) || f.check === undefined || !mapped.has(f.check)) return 'fail';
      } else if (f.level === 'OK' && about(f)) ok = true;
    }
  }
  return ok ? 'ok' : 'unchecked';
}

/** The trust chain of `component`: the identity links always, the data-store links it was checked for. */
export function trustChain(
  component: string,
  findings: readonly Finding[],
  labels: ChainLabels = {},
): TrustChain {
  const ids: LinkId[] = ['sa-role', 'role-provider', 'provider-issuer'];
  for (const target of ['aurora', 'opensearch'] as const) {
    const id: LinkId = `role-${target}`;
    const checked = labels.targets
      ? labels.targets.includes(target)
      : linkStatus(id, component, findings) !== 'unchecked';
    if (checked) ids.push(id);
  }
  return {
    component,
    labels,
    links: ids.map((id) => ({ id, ...ENDS[id], status: linkStatus(id, component, findings) })),
  };
}

/**
 * Node names from a single-release run's facts (the names the checks resolved), each
 * passed through `redact` like every printed message.
 */
export function labelsFromFacts(
  facts: Partial<Facts>,
  component: string,
  redact: (s: string) => string,
): ChainLabels {
  const planned = facts.plan?.find((p) => p.key === component);
  const roleArn = facts.roleArns?.get(component);
  const database = facts.databases?.get(component);
  const names: Omit<ChainLabels, 'targets'> = {
    serviceAccount: planned?.serviceAccount.name,
    role: roleArn?.slice(roleArn.lastIndexOf('/') + 1),
    provider: facts.oidcProviderArn?.replace(/^arn:[^:]+:iam::\d+:oidc-provider\//, ''),
    issuer: facts.issuer,
    aurora: facts.auroraClusters?.get(component)?.cluster.identifier ?? database?.host,
    opensearch: facts.openSearchDomain?.domain.name ?? facts.openSearch?.host,
  };
  const labels: ChainLabels = {};
  for (const [key, value] of Object.entries(names) as Array<[keyof typeof names, string | undefined]>) {
    if (value) labels[key] = redact(value);
  }
  const targets: Target[] = [];
  if (planned?.pg ?? facts.pgList?.includes(component)) targets.push('aurora');
  if (planned?.os ?? facts.osList?.includes(component)) targets.push('opensearch');
  if (planned || facts.pgList || facts.osList) labels.targets = targets;
  return labels;
}
