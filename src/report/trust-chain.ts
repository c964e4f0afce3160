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
 * LINK_EVIDENCE, keyed by check module and (for modules that check several links) FAIL
 * code; when findings carry stable check IDs, the codes become IDs and nothing else changes.
 * Never a false ✓: a link is ✓ only when a module vouching for it reported an OK and no
 * module feeding it reported a FAIL; a FAIL code a module has not been mapped for marks every link that
 * module feeds ✗; no finding at all leaves the link "not checked".
 */
import type { Facts } from '../core/context.js';
import type { Finding } from '../core/finding.js';

export type LinkId = 'sa-role' | 'role-provider' | 'provider-issuer' | 'role-aurora' | 'role-opensearch';
export type LinkStatus = 'ok' | 'fail' | 'unchecked';
export type Target = 'aurora' | 'opensearch';

interface Evidence {
  module: string;
  /** FAIL codes of this module that break this link; undefined: every FAIL of the module. */
  codes?: readonly number[];
  /** The module's findings are about the whole release (no component): they count for every component. */
  global?: boolean;
  /**
   * Whether the module's OKs vouch for this link (OKs carry no code). Default: yes for a
   * module mapped whole, no for one mapped by codes (its OKs may be about other links).
   */
  ok?: boolean;
}

/** Which findings decide each link (README "Exit codes" for the codes). */
export const LINK_EVIDENCE: Record<LinkId, readonly Evidence[]> = {
  'sa-role': [
    { module: 'service-accounts' }, // annotation, pods carrying AWS_ROLE_ARN, no static keys
    { module: 'roles', codes: [120] }, // the annotated role does not exist
  ],
  'role-provider': [
    // Trust policy: action, provider, sub, aud. The roles module evaluates every component's
    // trust policy before its permissions, so any OK of it without a trust FAIL means the trust is OK.
    { module: 'roles', codes: [121, 122, 201, 202, 203, 222], ok: true },
    { module: 'token', codes: [231, 233, 234], ok: true }, // pod-less proof: STS's own verdict on the trust
    { module: 'jobs', codes: [130, 131, 132, 133, 134] }, // in-pod identity
  ],
  'provider-issuer': [
    { module: 'cluster', global: true }, // cluster, its issuer, the IAM OIDC provider for exactly it
    // The token's signature and iss against the issuer's keys; an accepted token proves the whole chain.
    { module: 'token', codes: [232], ok: true },
  ],
  'role-aurora': [
    { module: 'roles', codes: [140, 141, 142, 211] }, // rds-db:connect on the component's cluster and user
    { module: 'database-values' }, // JDBC wrapper with IAM authentication
    { module: 'aurora' }, // the Aurora cluster, with IAM database authentication
    { module: 'jobs', codes: [41, 42, 43] }, // reachable from the cluster
  ],
  'role-opensearch': [
    { module: 'roles', codes: [150, 151, 152, 212] }, // es:ESHttp* by the role and the domain's access policy
    { module: 'opensearch-values', global: true }, // AWS request signing in the chart
    { module: 'opensearch', global: true }, // the domain, HTTPS, fine-grained access control
    { module: 'jobs', codes: [41, 42, 43], global: true }, // reachable from the cluster
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

/** Every FAIL code some link claims for `module`: a FAIL outside these is unmapped. */
function mappedCodes(module: string): Set<number> {
  const codes = new Set<number>();
  for (const evidence of Object.values(LINK_EVIDENCE)) {
    for (const e of evidence) if (e.module === module) e.codes?.forEach((c) => codes.add(c));
  }
  return codes;
}

function feeds(e: Evidence, f: Finding, component: string): boolean {
  if (f.module !== e.module) return false;
  return f.component === component || (e.global === true && f.component === undefined);
}

/** The status of one link for one component, from the findings of its release. */
export function linkStatus(id: LinkId, component: string, findings: readonly Finding[]): LinkStatus {
  let ok = false;
  for (const e of LINK_EVIDENCE[id]) {
    const mapped = mappedCodes(e.module);
    const okCounts = e.ok ?? e.codes === undefined;
    for (const f of findings) {
      if (!feeds(e, f, component)) continue;
      if (f.level === 'FAIL') {
        const code = f.code ?? -1;
        if (e.codes === undefined || e.codes.includes(code) || !mapped.has(code)) return 'fail';
      } else if (f.level === 'OK' && okCounts) ok = true;
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
export function labelsFromFacts(facts: Facts, component: string, redact: (s: string) => string): ChainLabels {
  const planned = facts.plan?.find((p) => p.key === component);
  const roleArn = facts.roleArns.get(component);
  const database = facts.databases.get(component);
  const names: Omit<ChainLabels, 'targets'> = {
    serviceAccount: planned?.serviceAccount.name,
    role: roleArn?.slice(roleArn.lastIndexOf('/') + 1),
    provider: facts.oidcProviderArn?.replace(/^arn:[^:]+:iam::\d+:oidc-provider\//, ''),
    issuer: facts.issuer,
    aurora: database?.cluster?.identifier ?? database?.host,
    opensearch: facts.openSearch?.domain?.name ?? facts.openSearch?.host,
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
