/**
 * Parse and build ARNs without assuming the `aws` partition: the original script
 * hard-coded `arn:aws:`, which broke China and GovCloud accounts.
 */

export const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;
export type Partition = (typeof PARTITIONS)[number];

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** Everything after the fifth colon; may itself contain colons (`dbuser:cluster-X/user`). */
  resource: string;
}

export interface RoleArn {
  partition: Partition;
  account: string;
  /** `/` for a role without a path, else `/a/b/` (always with both slashes). */
  path: string;
  name: string;
}

const ACCOUNT_ID = /^\d{12}$/;
// IAM's documented limits for role names and paths.
const ROLE_NAME = /^[\w+=,.@-]+$/;
const ROLE_NAME_MAX = 64;
const ROLE_PATH_CHARS = /^[\x21-\x7e]*$/;
const ROLE_PATH_MAX = 512;

export function isPartition(value: string): value is Partition {
  return (PARTITIONS as readonly string[]).includes(value);
}

export function isAccountId(value: string): boolean {
  return ACCOUNT_ID.test(value);
}

export function parseArn(arn: string): Arn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', account = ''] = parts;
  const resource = parts.slice(5).join(':');
  if (!partition || !service || !resource) return undefined;
  return { partition, service, region, account, resource };
}

export function formatArn(arn: Arn): string {
  return `arn:${arn.partition}:${arn.service}:${arn.region}:${arn.account}:${arn.resource}`;
}

export function partitionOf(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

type RoleArnAnalysis = { role: RoleArn; problem?: undefined } | { role?: undefined; problem: string };

/** One pass that either yields the parsed role ARN or the first thing wrong with it. */
function analyseRoleArn(arn: string): RoleArnAnalysis {
  const fail = (problem: string): RoleArnAnalysis => ({ problem });
  if (arn.trim() === '') return fail('the role ARN is empty');
  if (arn !== arn.trim()) return fail('the role ARN has leading or trailing whitespace');
  if (!arn.startsWith('arn:')) return fail(`a role ARN must start with "arn:", got "${arn}"`);
  const parsed = parseArn(arn);
  if (!parsed) return fail('a role ARN must have the form arn:<partition>:iam::<account>:role/<name>');
  const { partition, service, region, account, resource } = parsed;
  if (!isPartition(partition)) {
    return fail(`partition must be one of ${PARTITIONS.join(', ')}, got "${partition}"`);
  }
  if (service !== 'iam') return fail(`service must be "iam", got "${service}"`);
  if (region !== '') return fail(`IAM ARNs have no region, got "${region}"`);
  if (!isAccountId(account)) return fail(`account ID must be 12 digits, got ${describeAccount(account)}`);
  if (!resource.startsWith('role/')) return fail(`resource must start with "role/", got "${resource}"`);
  const lastSlash = resource.lastIndexOf('/');
  const path = resource.slice('role'.length, lastSlash + 1);
  const name = resource.slice(lastSlash + 1);
  const problem = rolePathProblem(path) ?? roleNameProblem(name);
  return problem ? fail(problem) : { role: { partition, account, path, name } };
}

function describeAccount(account: string): string {
  if (account === '') return 'an empty string';
  return /^\d+$/.test(account) ? String(account.length) : `"${account}"`;
}

function rolePathProblem(path: string): string | undefined {
  if (path.includes('//')) return `role path "${path}" has an empty segment`;
  if (path.length > ROLE_PATH_MAX) return `role path must be at most ${ROLE_PATH_MAX} characters`;
  if (!ROLE_PATH_CHARS.test(path)) return `role path "${path}" contains characters IAM does not allow`;
  return undefined;
}

function roleNameProblem(name: string): string | undefined {
  if (name === '') return 'the role name is missing';
  if (name.length > ROLE_NAME_MAX) {
    return `role name must be at most ${ROLE_NAME_MAX} characters, got ${name.length}`;
  }
  if (!ROLE_NAME.test(name)) return `role name "${name}" may only contain letters, digits and +=,.@_-`;
  return undefined;
}

/** `arn:<partition>:iam::<12 digits>:role[/path/]<name>`, else undefined. */
export function parseRoleArn(arn: string): RoleArn | undefined {
  return analyseRoleArn(arn).role;
}

/** One human sentence saying what is wrong with a role ARN, or undefined when it is well-formed. */
export function describeRoleArnProblem(arn: string): string | undefined {
  return analyseRoleArn(arn).problem;
}

export function roleArn(role: RoleArn): string {
  return `arn:${role.partition}:iam::${role.account}:role${role.path}${role.name}`;
}

/**
 * STS drops the role's path from the session ARN: `arn:aws:iam::1:role/a/b/r`
 * assumes as `arn:aws:sts::1:assumed-role/r/<session>`.
 */
export function assumedRoleMatchesRole(assumedArn: string, roleArnText: string): boolean {
  const role = parseRoleArn(roleArnText);
  const assumed = parseArn(assumedArn);
  if (!role || !assumed || assumed.service !== 'sts') return false;
  const [kind, name, session] = assumed.resource.split('/');
  return (
    kind === 'assumed-role' &&
    !!session &&
    name === role.name &&
    assumed.partition === role.partition &&
    assumed.account === role.account
  );
}

export function rdsDbUserArn(
  partition: string,
  region: string,
  account: string,
  dbiResourceId: string,
  dbUser: string,
): string {
  return `arn:${partition}:rds-db:${region}:${account}:dbuser:${dbiResourceId}/${dbUser}`;
}

export function esDomainArn(partition: string, region: string, account: string, domain: string): string {
  return `arn:${partition}:es:${region}:${account}:domain/${domain}`;
}

/** The issuer as IAM names it: no scheme, no trailing slash (`oidc.eks.<region>.amazonaws.com/id/<ID>`). */
export function issuerHostPath(issuerUrl: string): string {
  return issuerUrl.replace(/^https:\/\//i, '').replace(/\/+$/, '');
}

export function oidcProviderArn(partition: string, account: string, issuerUrl: string): string {
  return `arn:${partition}:iam::${account}:oidc-provider/${issuerHostPath(issuerUrl)}`;
}

/** `arn:aws:iam::<acct>:oidc-provider/<host/path>` → `<host/path>`, the prefix of its condition keys. */
export function oidcProviderHostPath(providerArn: string): string | undefined {
  const arn = parseArn(providerArn);
  const prefix = 'oidc-provider/';
  if (!arn || arn.service !== 'iam' || !arn.resource.startsWith(prefix)) return undefined;
  return arn.resource.slice(prefix.length) || undefined;
}
