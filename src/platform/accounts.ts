/**
 * Which AWS account a resource is in, and the one line irsa-check says when it cannot read that
 * account with the run's credentials: never a FAIL, since nothing is known to be wrong
 * (EKS user guide, "Authenticate to another account with IRSA": the role, its OIDC provider and
 * the resources may all live in another account than the cluster).
 */
import { parseArn } from '../iam/arn.js';

/** The account of an ARN; undefined for text that is no ARN or names no account (S3, aws-managed). */
export function accountOf(arn: string | undefined): string | undefined {
  const account = arn ? parseArn(arn)?.account : undefined;
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/**
 * "cannot check from account X: <what> is in account Y; run with a profile for account Y
 * (--profile, or --assume-role Y=arn:…)".
 */
export function cannotCheckFrom(caller: string, account: string, what: string, partition = 'aws'): string {
  return `cannot check from account ${caller}: ${what} is in account ${account}; run with a profile for account ${account} (--profile, or --assume-role ${account}=arn:${partition}:iam::${account}:role/<a role that may read it>)`;
}
