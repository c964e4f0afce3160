/**
 * Which AWS account a resource is in, and the one line irsa-check says when it cannot read that
 * account with the run's credentials: never a FAIL, since nothing is known to be wrong
 * (EKS user guide, "Authenticate to another account with IRSA": the role, its OIDC provider and
 * the resources may all live in another account than the cluster).
 */
import { parseArn } from '../iam/arn.js';
import type { Aws, PodIdentityAssociation } from '../ports/aws.js';
import { ROLE_ARN_ANNOTATION, type Kube } from '../ports/kube.js';
import { associationRole, roleWords } from './pod-identity.js';

/** The account of an ARN; undefined for text that is no ARN or names no account (S3, aws-managed). */
export function accountOf(arn: string | undefined): string | undefined {
  const account = arn ? parseArn(arn)?.account : undefined;
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/**
 * "cannot check from account X: <subject>; run with a profile for account Y (--profile-for Y=…, or
 * --assume-role Y=arn:…)". `account` undefined: the subject names no account (the resource is
 * known only not to be the caller's).
 */
export function cannotCheckFrom(
  caller: string,
  account: string | undefined,
  subject: string,
  partition = 'aws',
): string {
  const y = account ?? 'ACCOUNT';
  return `cannot check from account ${caller}: ${subject}; run with a profile for ${account ? `account ${account}` : 'the account that holds it'} (--profile-for ${y}=<profile>, or --assume-role ${y}=arn:${partition}:iam::${y}:role/<a role that may read it>)`;
}

/** The accounts the run can read besides the caller's: --assume-role and --profile-for, in that order. */
export function readableAccounts(options: {
  assumeRoles?: Record<string, string>;
  profiles?: Record<string, string>;
}): string[] {
  return [...new Set([...Object.keys(options.assumeRoles ?? {}), ...Object.keys(options.profiles ?? {})])];
}

/** What the "where else could it be" search needs of a component (core/facts.ts PlannedComponent). */
interface ComponentRef {
  serviceAccount: { name: string; annotations: Record<string, string> };
}

/**
 * The role a component's pods use: the association's, else the ServiceAccount's annotation as
 * the cluster has it (the same memoised read the service-accounts module makes), else as the
 * values render it (values-only mode, or the ServiceAccount unreadable).
 */
export async function plannedRole(
  kube: Kube,
  namespace: string,
  c: ComponentRef,
  associations: ReadonlyMap<string, PodIdentityAssociation> | undefined,
): Promise<string | undefined> {
  return (await plannedCredentials(kube, namespace, c, associations))?.roleArn;
}

/** The role a component's pods use and the mechanism that hands it out (plannedRole's rules). */
export async function plannedCredentials(
  kube: Kube,
  namespace: string,
  c: ComponentRef,
  associations: ReadonlyMap<string, PodIdentityAssociation> | undefined,
): Promise<{ roleArn: string; mechanism: NamedResource['mechanism'] } | undefined> {
  const a = associations?.get(c.serviceAccount.name);
  const viaAssociation = a && associationRole(a);
  if (viaAssociation) return { roleArn: viaAssociation, mechanism: 'EKS Pod Identity' };
  // Unread: the annotation as rendered stands in (only which account to look in for the resource
  // depends on it, never a verdict); service-accounts makes the same call and reports its failure.
  const live = await kube.serviceAccount(namespace, c.serviceAccount.name).catch(() => undefined);
  const annotations = live?.annotations ?? c.serviceAccount.annotations;
  const annotated = annotations[ROLE_ARN_ANNOTATION]?.trim();
  return annotated ? { roleArn: annotated, mechanism: 'IRSA' } : undefined;
}

export interface OtherAccount {
  account: string;
  /** The component role that points there; absent for an account only named by --assume-role. */
  roleArn?: string;
  /** How the component's pods get `roleArn`, and which component it is (when the line has no component prefix). */
  via?: Omit<RoleRef, 'roleArn'>;
  /** A resource of this account that a component role's own policy names (the role is the caller's). */
  namedBy?: NamedResource;
  /** Reads the account (--assume-role); absent when the run cannot. */
  aws?: Aws;
}

/**
 * Where a resource the caller's account does not hold may be instead: the accounts of the
 * components' roles other than the caller's, then every account named by --assume-role, each
 * with the client that reads it or none. Each account once, in that order.
 */
export function otherAccounts(
  caller: string,
  roles: ReadonlyArray<string | RoleRef | undefined>,
  awsIn: (account: string) => Aws | undefined,
  assumable: readonly string[] = [],
  named: readonly NamedResource[] = [],
): OtherAccount[] {
  const seen = new Set<string>([caller]);
  const out: OtherAccount[] = [];
  const add = (account: string | undefined, role?: RoleRef, namedBy?: NamedResource) => {
    if (!account || seen.has(account)) return;
    seen.add(account);
    const aws = awsIn(account);
    const { roleArn, ...via } = role ?? {};
    out.push({
      account,
      ...(roleArn ? { roleArn } : {}),
      ...(role ? { via: via as Omit<RoleRef, 'roleArn'> } : {}),
      ...(namedBy ? { namedBy } : {}),
      ...(aws ? { aws } : {}),
    });
  };
  for (const r of roles) {
    const role = typeof r === 'string' ? { roleArn: r, mechanism: 'IRSA' as const } : r;
    add(accountOf(role?.roleArn), role);
  }
  for (const n of named) add(n.account, undefined, n);
  for (const account of assumable) add(account);
  return out;
}

/** A component's role and the mechanism its pods get it through. */
export interface RoleRef {
  roleArn: string;
  mechanism: NamedResource['mechanism'];
  /** The component, for a line that has no component prefix (the OpenSearch domain is the run's, not one component's). */
  component?: string;
}

/** A resource ARN of another account in an Allow statement of a role's own policy. */
export interface NamedResource {
  account: string;
  /** The Resource pattern as the policy writes it. */
  resource: string;
  roleArn: string;
  /** How the component's pods get the role: in the line, so the reader knows which chain. */
  mechanism: 'IRSA' | 'EKS Pod Identity';
  component?: string;
}

/**
 * The accounts other than `caller` whose `service` resources (`rds-db`, `es`) the role's attached
 * and inline policies allow: where a database or domain the caller's account does not hold may be,
 * when the role itself is the caller's (a role of another account points there by itself). Read
 * with the caller's credentials, the same calls the roles module makes (answered once per run); a
 * policy that cannot be read names nothing.
 */
export async function accountsNamedByPolicies(
  aws: Aws,
  roleArn: string | undefined,
  service: string,
  caller: string,
  mechanism: NamedResource['mechanism'],
  component?: string,
): Promise<NamedResource[]> {
  const role = roleArn ? parseArn(roleArn) : undefined;
  const name = role?.resource.split('/').pop();
  if (!roleArn || !role || role.account !== caller || !name) return [];
  // A policy that cannot be read names no other account (only a "cannot check from" hint is lost,
  // never a verdict): the roles module makes the same calls (answered once) and reports them.
  const [attached, inline] = await Promise.all([
    aws.attachedPolicies(name).catch(() => []),
    aws.inlinePolicies(name).catch(() => []),
  ]);
  const managed = await Promise.all(attached.map((p) => aws.policyDocument(p.arn).catch(() => undefined)));
  const found: NamedResource[] = [];
  for (const doc of [...managed, ...inline.map((p) => p.document)]) {
    for (const resource of allowedResources(doc)) {
      const arn = parseArn(resource);
      if (arn?.service !== service || !/^\d{12}$/.test(arn.account) || arn.account === caller) continue;
      if (!found.some((f) => f.account === arn.account))
        found.push({
          account: arn.account,
          resource,
          roleArn,
          mechanism,
          ...(component ? { component } : {}),
        });
    }
  }
  return found;
}

/** The Resource strings of a policy document's Allow statements (no evaluation: where to look, not whether). */
function allowedResources(doc: unknown): string[] {
  const d = typeof doc === 'string' ? safeJson(doc) : doc;
  const statements = (d as { Statement?: unknown } | undefined)?.Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  return list.flatMap((s: { Effect?: unknown; Resource?: unknown }) => {
    if (s?.Effect !== 'Allow') return [];
    const r = s.Resource;
    return (Array.isArray(r) ? r : [r]).filter((x): x is string => typeof x === 'string');
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(decodeURIComponent(text));
  } catch {
    return undefined;
  }
}

/** Where `find` found the resource in the other accounts, or the first account it could not read. */
export interface ElsewhereSearch<T> {
  match?: T;
  /** The account that holds `match`. */
  account?: string;
  /** No match, and an account a component role is in or names could not be read: the "cannot check from" case. */
  unread?: OtherAccount;
}

/**
 * Looks for a resource the caller's account does not hold in each readable other account, in
 * order (the Aurora cluster and OpenSearch domain lookups share it).
 */
export async function findElsewhere<T>(
  others: readonly OtherAccount[],
  find: (aws: Aws) => Promise<T | undefined>,
): Promise<ElsewhereSearch<T>> {
  for (const o of others) {
    if (!o.aws) continue;
    const match = await find(o.aws);
    if (match) return { match, account: o.account };
  }
  const unread = others.find((o) => !o.aws && (o.roleArn !== undefined || o.namedBy !== undefined));
  return unread ? { unread } : {};
}

/**
 * The INFO when the resource may be in a role's account irsa-check cannot read: it names the
 * role with its mechanism and account (roleWords), and its component when the line has no prefix.
 */
export function cannotFindFrom(caller: string, what: string, unread: OtherAccount): string {
  const n = unread.namedBy;
  const owner = (component: string | undefined) => (component ? `the ${component} component's ` : '');
  const why =
    unread.roleArn || !n
      ? `which holds ${owner(unread.via?.component)}${roleWords(unread.roleArn ?? '', unread.via?.mechanism ?? 'IRSA')}`
      : `which the policy of ${owner(n.component)}${roleWords(n.roleArn, n.mechanism)} names (${n.resource})`;
  return cannotCheckFrom(
    caller,
    unread.account,
    `${what}; it may be in account ${unread.account}, ${why}`,
    parseArn(unread.roleArn ?? n?.roleArn ?? '')?.partition,
  );
}
