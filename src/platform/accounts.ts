/**
 * Which AWS account a resource is in, and the one line irsa-check says when it cannot read that
 * account with the run's credentials: never a FAIL, since nothing is known to be wrong
 * (EKS user guide, "Authenticate to another account with IRSA": the role, its OIDC provider and
 * the resources may all live in another account than the cluster).
 */
import { parseArn } from '../iam/arn.js';
import type { Aws, PodIdentityAssociation } from '../ports/aws.js';
import { ROLE_ARN_ANNOTATION, type Kube } from '../ports/kube.js';
import { associationRole } from './pod-identity.js';

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
  const a = associations?.get(c.serviceAccount.name);
  const viaAssociation = a && associationRole(a);
  if (viaAssociation) return viaAssociation;
  const live = await kube.serviceAccount(namespace, c.serviceAccount.name).catch(() => undefined);
  const annotations = live?.annotations ?? c.serviceAccount.annotations;
  return annotations[ROLE_ARN_ANNOTATION]?.trim() || undefined;
}

export interface OtherAccount {
  account: string;
  /** The component role that points there; absent for an account only named by --assume-role. */
  roleArn?: string;
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
  roleArns: ReadonlyArray<string | undefined>,
  awsIn: (account: string) => Aws | undefined,
  assumable: readonly string[] = [],
): OtherAccount[] {
  const seen = new Set<string>([caller]);
  const out: OtherAccount[] = [];
  const add = (account: string | undefined, roleArn?: string) => {
    if (!account || seen.has(account)) return;
    seen.add(account);
    const aws = awsIn(account);
    out.push({ account, ...(roleArn ? { roleArn } : {}), ...(aws ? { aws } : {}) });
  };
  for (const roleArn of roleArns) add(accountOf(roleArn), roleArn);
  for (const account of assumable) add(account);
  return out;
}

/** Where `find` found the resource in the other accounts, or the first account it could not read. */
export interface ElsewhereSearch<T> {
  match?: T;
  /** The account that holds `match`. */
  account?: string;
  /** No match, and a component role's account could not be read: the "cannot check from" case. */
  unread?: OtherAccount & { roleArn: string };
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
  const unread = others.find((o): o is OtherAccount & { roleArn: string } => !o.aws && !!o.roleArn);
  return unread ? { unread } : {};
}

/** The INFO when the resource may be in a role's account irsa-check cannot read. */
export function cannotFindFrom(
  caller: string,
  what: string,
  unread: OtherAccount & { roleArn: string },
): string {
  return cannotCheckFrom(
    caller,
    unread.account,
    `${what}, and role ${unread.roleArn} is in account ${unread.account}, where it may be`,
    parseArn(unread.roleArn)?.partition,
  );
}
