/**
 * The IRSA trust chain of one component, as the markdown report draws it and the text summary
 * writes it in one line:
 *
 *   pods → ServiceAccount → IAM role → IAM OIDC provider → cluster's OIDC issuer
 *                           IAM role → Aurora PostgreSQL / OpenSearch
 *
 * (the chain the Camunda IRSA guide sets up and the AWS IRSA docs describe: the webhook injects
 * the role and the projected token into the pods of an annotated ServiceAccount, the token is
 * issued by the cluster's issuer, the IAM OIDC provider trusts that issuer, the role's trust
 * policy trusts the provider for the ServiceAccount's `sub`, and the role's policies grant
 * rds-db:connect or es:ESHttp*.)
 *
 * Each link's status comes from the check IDs of the findings: CHECK_LINKS says, per check, which
 * link it is about (a test holds every FAIL-severity check of the catalogue to that table or to
 * NOT_A_LINK). Never a false ✓: a link is ✓ only when a check about it reported an OK and none
 * reported a FAIL. A proof (the pod-less token, the identity Job, an application log line) tests
 * the chain end to end and cannot say which link broke: its FAIL marks ✗ only where no static
 * check of the same component already points at a link of the identity chain, and then the
 * trust relationship (role → provider), which is what STS's AccessDenied is about.
 */
import type { Facts } from '../engine/facts.js';
import type { Finding } from '../core/finding.js';

export type LinkId =
  'pods-sa' | 'sa-role' | 'role-provider' | 'provider-issuer' | 'role-aurora' | 'role-opensearch';
export type LinkStatus = 'ok' | 'fail' | 'unchecked';
export type Target = 'aurora' | 'opensearch';

export interface LinkClaim {
  /** The links an OK vouches for and a FAIL breaks. */
  links: readonly LinkId[];
  /** An end-to-end proof: its FAIL is placed on a link only when no static check did (see above). */
  proof?: boolean;
  /** Reported once for the release (no component): it counts for every component. */
  global?: boolean;
}

const IDENTITY: readonly LinkId[] = ['pods-sa', 'sa-role', 'role-provider', 'provider-issuer'];
const POD_LESS: readonly LinkId[] = ['sa-role', 'role-provider', 'provider-issuer'];
const claim = (links: LinkId | readonly LinkId[], extra: Omit<LinkClaim, 'links'> = {}): LinkClaim => ({
  links: typeof links === 'string' ? [links] : links,
  ...extra,
});
const proof = (links: readonly LinkId[] = IDENTITY): LinkClaim => ({ links, proof: true });
const global = (links: LinkId | readonly LinkId[]): LinkClaim => claim(links, { global: true });

/** Check ID → the link it is about (README "Checks" for the IDs). */
export const CHECK_LINKS: Readonly<Record<string, LinkClaim>> = {
  // pods → ServiceAccount: the pods run as the ServiceAccount and got its role injected.
  'pod-service-account': claim('pods-sa'),
  'pod-injection': claim('pods-sa'),
  'pod-role-current': claim('pods-sa'),
  'pod-identity-conflict': claim('pods-sa'),
  // EKS Pod Identity: the node agent serves the credentials the webhook points the pods at.
  'pod-identity-agent': global('pods-sa'),
  'webhook-missing': global('pods-sa'),
  'webhook-cert-missing': global('pods-sa'),
  'webhook-cert-expired': global('pods-sa'),
  'webhook-service-missing': global('pods-sa'),
  'webhook-deployment-missing': global('pods-sa'),
  'webhook-deployment-unavailable': global('pods-sa'),
  'webhook-no-endpoints': global('pods-sa'),
  'webhook-namespace-excluded': global('pods-sa'),
  'webhook-pods-excluded': global('pods-sa'),
  'webhook-annotation-prefix': global('pods-sa'),
  'webhook-token-audience': global('pods-sa'),
  'injection-refused': claim('pods-sa'),
  'injection-missing': claim('pods-sa'),
  'injection-mismatch': claim('pods-sa'),
  'log-unable-to-load-credentials': claim('pods-sa'),
  // A data-plane proof that ran as another principal (the node role): the pod did not get the role.
  'aurora-wrong-principal': claim('pods-sa'),
  'opensearch-wrong-principal': claim('pods-sa'),
  // ServiceAccount → IAM role: the annotation names an existing role whose trust policy admits this SA.
  'sa-enabled': claim('sa-role'),
  'sa-exists': claim('sa-role'),
  'sa-annotation': claim('sa-role'),
  'sa-role-empty': claim('sa-role'),
  'sa-role-arn': claim('sa-role'),
  'role-exists': claim('sa-role'),
  'role-arn': claim('sa-role'),
  'trust-sub': claim('sa-role'),
  'trust-sub-with-aud': claim('sa-role'),
  'trust-audience-annotation': claim('sa-role'),
  'token-role': claim('sa-role'),
  // EKS Pod Identity's pod-less proof handed out another role or subject than the association's.
  'token-pod-identity-role': claim('sa-role'),
  // IAM role → IAM OIDC provider: the trust policy federates this provider for AssumeRoleWithWebIdentity.
  'trust-readable': claim('role-provider'),
  'trust-action': claim('role-provider'),
  'trust-provider': claim('role-provider'),
  'trust-this-provider': claim('role-provider'),
  'trust-deny': claim('role-provider'),
  'trust-aud': claim('role-provider'),
  // EKS Pod Identity's trust (pods.eks.amazonaws.com) stands where the OIDC provider does for IRSA.
  'trust-pod-identity': claim('role-provider'),
  'trust-provider-account': claim('role-provider'),
  // The proofs: STS's own verdict on the whole chain.
  // The pod-less proof signs a token for the ServiceAccount itself: it does not involve the pods.
  'token-request': proof(POD_LESS),
  'token-sts': proof(POD_LESS),
  // EKS Auth's verdict on the same chain for a Pod Identity component (its trust stands for the provider).
  'token-pod-identity': proof(POD_LESS),
  'identity-job-create': proof(),
  'identity-job-complete': proof(),
  'identity-job-json': proof(),
  'identity-job-arn': proof(),
  'identity-job-role': proof(),
  'log-not-authorized-assume': proof(),
  'log-web-identity-error': proof(),
  'log-expired-token': proof(),
  // IAM OIDC provider → the cluster's issuer.
  'token-valid': claim('provider-issuer'),
  'log-invalid-identity-token': claim('provider-issuer'),
  'eks-api-server': global('provider-issuer'),
  'eks-region': global('provider-issuer'),
  'eks-clusters': global('provider-issuer'),
  'eks-cluster-match': global('provider-issuer'),
  'eks-version': global('provider-issuer'),
  'oidc-issuer': global('provider-issuer'),
  'oidc-provider': global('provider-issuer'),
  'oidc-provider-audience': global('provider-issuer'),
  'issuer-not-set': global('provider-issuer'),
  'issuer-unreadable': global('provider-issuer'),
  'issuer-discovery-unreachable': global('provider-issuer'),
  'issuer-jwks-unreachable': global('provider-issuer'),
  'issuer-discovery-mismatch': global('provider-issuer'),
  'issuer-jwks-stale': global('provider-issuer'),
  'issuer-no-provider': global('provider-issuer'),
  'issuer-provider-audience': global('provider-issuer'),
  // IAM role → Aurora PostgreSQL: rds-db:connect, the JDBC configuration, the cluster, the login.
  'rds-policies': claim('role-aurora'),
  'rds-policy-documents': claim('role-aurora'),
  'rds-connect': claim('role-aurora'),
  'rds-connect-resource': claim('role-aurora'),
  'aurora-endpoint': claim('role-aurora'),
  'aurora-cluster-exists': claim('role-aurora'),
  'aurora-iam-auth': claim('role-aurora'),
  'aurora-status': claim('role-aurora'),
  'aurora-pam-authentication-failed': claim('role-aurora'),
  'aurora-database-missing': claim('role-aurora'),
  'aurora-tls-refused': claim('role-aurora'),
  'aurora-unreachable': claim('role-aurora'),
  'aurora-login-error': claim('role-aurora'),
  'aurora-user-not-rds-iam': claim('role-aurora'),
  'aurora-token-rejected': claim('role-aurora'),
  'aurora-hba-rejected': claim('role-aurora'),
  'aurora-proxy-iam': claim('role-aurora'),
  'log-pam-authentication-failed': claim('role-aurora'),
  'orch-rdbms-exporter': claim('role-aurora'),
  'orch-rdbms-iam': claim('role-aurora'),
  'orch-rdbms-url': claim('role-aurora'),
  'orch-rdbms-username': claim('role-aurora'),
  'db-host-name': claim('role-aurora'),
  'db-port': claim('role-aurora'),
  'keycloak-postgresql-unset': claim('role-aurora'),
  'keycloak-postgresql-bundled': claim('role-aurora'),
  'keycloak-image-unset': claim('role-aurora'),
  'keycloak-image': claim('role-aurora'),
  'keycloak-db-host': claim('role-aurora'),
  'keycloak-external-host': claim('role-aurora'),
  'keycloak-db-user': claim('role-aurora'),
  'keycloak-jdbc-env': claim('role-aurora'),
  'identity-db-external-unset': claim('role-aurora'),
  'identity-db-external': claim('role-aurora'),
  'identity-db-host': claim('role-aurora'),
  'identity-db-username': claim('role-aurora'),
  'identity-db-env': claim('role-aurora'),
  'webmodeler-db-url-unset': claim('role-aurora'),
  'webmodeler-db-url': claim('role-aurora'),
  'webmodeler-db-username': claim('role-aurora'),
  'webmodeler-db-driver-unset': claim('role-aurora'),
  'webmodeler-db-driver': claim('role-aurora'),
  // IAM role → OpenSearch: es:ESHttp*, request signing, the domain and its policy, the mapping.
  'es-policies': claim('role-opensearch'),
  'es-policy-documents': claim('role-opensearch'),
  'es-http': claim('role-opensearch'),
  'es-http-resource': claim('role-opensearch'),
  'es-domain-admits-role': claim('role-opensearch'),
  // The Pod Identity association's own policy caps whichever request the component makes (issue 17).
  'pod-identity-session-policy': claim(['role-aurora', 'role-opensearch']),
  'os-aws-signing': global('role-opensearch'),
  'os-webapps-signing': global('role-opensearch'),
  'os-host': global('role-opensearch'),
  'os-domain': global('role-opensearch'),
  'os-domain-exists': global('role-opensearch'),
  'os-anonymous-auth': global('role-opensearch'),
  'os-https': global('role-opensearch'),
  'os-domain-state': global('role-opensearch'),
  'os-access-policy-readable': global('role-opensearch'),
  'os-access-policy': global('role-opensearch'),
  'opensearch-role-unmapped': claim('role-opensearch'),
  'opensearch-signed-request-refused': claim('role-opensearch'),
  'opensearch-unreachable': claim('role-opensearch'),
  'opensearch-authinfo-error': claim('role-opensearch'),
  'opensearch-role-insufficient': claim('role-opensearch'),
  'opensearch-writes-refused': claim('role-opensearch'),
  'log-opensearch-no-permissions': claim('role-opensearch'),
  // Reachability Jobs: the network path to the data stores of the component.
  'tcp-job-create': claim(['role-aurora', 'role-opensearch']),
  'tcp-job-complete': claim(['role-aurora', 'role-opensearch']),
  'tcp-reachable': claim(['role-aurora', 'role-opensearch']),
};

/**
 * FAIL-severity checks that are about no link of the chain: irsa-check's own run, the release,
 * the plan, the document store (S3, not drawn), the data store's region or STS reachability.
 */
export const NOT_A_LINK: ReadonlySet<string> = new Set([
  'docstore-static-keys',
  'docstore-s3-access',
  'docstore-bucket-exists',
  'docstore-bucket',
  'sa-static-keys',
  'private-sts-endpoint',
]);

const DATA: readonly LinkId[] = ['role-aurora', 'role-opensearch'];
/**
 * The links each module's checks are about. A FAIL that is irsa-check's own (cannot-ask,
 * internal-error, credentials-expired: the module could not finish) breaks every link of its
 * module: what it could not read may be exactly what is wrong, and a ✓ would be a guess.
 */
export const MODULE_LINKS: Readonly<Record<string, readonly LinkId[]>> = {
  'service-accounts': ['pods-sa', 'sa-role'],
  webhook: ['pods-sa'],
  injection: ['pods-sa'],
  'pod-identity': ['pods-sa'],
  roles: ['sa-role', 'role-provider', ...DATA],
  token: POD_LESS,
  jobs: [...IDENTITY, ...DATA],
  cluster: ['provider-issuer'],
  'issuer-chain': ['provider-issuer'],
  'database-values': ['role-aurora'],
  aurora: ['role-aurora'],
  'opensearch-values': ['role-opensearch'],
  opensearch: ['role-opensearch'],
  'data-plane': DATA,
  'pod-logs': [...IDENTITY, ...DATA],
};

/** Modules whose findings about the release count for every component (no component named). */
const GLOBAL_MODULES = new Set(['webhook', 'cluster', 'issuer-chain', 'opensearch-values', 'opensearch']);

const ENDS: Record<LinkId, Pick<ChainLink, 'from' | 'to'>> = {
  'pods-sa': { from: 'pods', to: 'sa' },
  'sa-role': { from: 'sa', to: 'role' },
  'role-provider': { from: 'role', to: 'provider' },
  'provider-issuer': { from: 'provider', to: 'issuer' },
  'role-aurora': { from: 'role', to: 'aurora' },
  'role-opensearch': { from: 'role', to: 'opensearch' },
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

export type ChainNode = 'pods' | 'sa' | 'role' | 'provider' | 'issuer' | Target;

export interface ChainLink {
  id: LinkId;
  from: ChainNode;
  to: ChainNode;
  status: LinkStatus;
}

export interface TrustChain {
  component: string;
  labels: ChainLabels;
  links: ChainLink[];
}

/** The findings about `component` (its own, and release-wide ones of global checks) with their claims. */
function claimsFor(component: string, findings: readonly Finding[]): Array<{ f: Finding; c: LinkClaim }> {
  const out: Array<{ f: Finding; c: LinkClaim }> = [];
  for (const f of findings) {
    let c = f.check !== undefined ? CHECK_LINKS[f.check] : undefined;
    if (!c && f.level === 'FAIL' && !NOT_A_LINK.has(f.check ?? '') && MODULE_LINKS[f.module]) {
      c = { links: MODULE_LINKS[f.module]!, global: GLOBAL_MODULES.has(f.module) };
    }
    if (!c) continue;
    if (f.component === component || (c.global === true && f.component === undefined)) out.push({ f, c });
  }
  return out;
}

/** The status of one link for one component, from the findings of its release. */
export function linkStatus(id: LinkId, component: string, findings: readonly Finding[]): LinkStatus {
  const about = claimsFor(component, findings);
  // A static check already points at a link of the identity chain: the proofs' FAILs agree with it.
  const pinpointed = about.some(
    ({ f, c }) => f.level === 'FAIL' && !c.proof && c.links.some((l) => IDENTITY.includes(l)),
  );
  let ok = false;
  for (const { f, c } of about) {
    if (!c.links.includes(id)) continue;
    if (f.level === 'FAIL') {
      if (!c.proof) return 'fail';
      if (!pinpointed && id === 'role-provider') return 'fail';
    } else if (f.level === 'OK') ok = true;
  }
  return ok ? 'ok' : 'unchecked';
}

/** The trust chain of `component`: the identity links always, the data-store links it was checked for. */
export function trustChain(
  component: string,
  findings: readonly Finding[],
  labels: ChainLabels = {},
): TrustChain {
  const ids: LinkId[] = [...IDENTITY];
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
