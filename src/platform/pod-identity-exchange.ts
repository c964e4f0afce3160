/**
 * The verdicts of the pod-less proof of EKS Pod Identity (src/proofs/token.ts): what the EKS
 * Pod Identity Agent does for a pod, done from here. The agent presents the pod's projected ServiceAccount token (aud
 * pods.eks.amazonaws.com) to EKS Auth's AssumeRoleForPodIdentity for its cluster and hands the
 * answer's credentials to the pod (aws/eks-pod-identity-agent, internal/cloud/eksauth/service.go);
 * the token module requests the same token (TokenRequest) and makes the same call
 * (platform/eks-auth.ts), then asserts what the answer claims: the subject is the component's
 * ServiceAccount, the association is the one EKS lists for it, and the role the credentials are
 * for is the association's role (its target role, for cross-account Pod Identity). Shapes and
 * error codes: the service's Smithy model (aws/aws-sdk-js-v3,
 * codegen/sdk-codegen/aws-models/eks-auth.json). The token and the credentials are never printed.
 */
import { ApiCallError } from '../core/errors.js';
import { assumedRoleMatchesRole, parseRoleArn } from '../iam/arn.js';
import {
  POD_IDENTITY_ACTIONS,
  POD_IDENTITY_AUDIENCE,
  POD_IDENTITY_SERVICE,
  roleWords,
  type CredentialSource,
} from './pod-identity.js';
import type { TemporaryCredentials } from '../ports/aws.js';
import type { PodIdentityAnswer } from '../ports/eks-auth.js';

/** The token module's check IDs for the verdicts below (src/proofs/token.ts declares them). */
export type PodIdentityId = 'token-pod-identity' | 'token-pod-identity-role' | 'token-pod-identity-ask';

/** What the proof reports: a verdict with its check ID, or the credentials of a proven role. */
export type PodIdentityVerdict =
  | { level: 'OK'; id: 'token-pod-identity-role'; message: string; credentials?: TemporaryCredentials }
  | { level: 'FAIL'; id: PodIdentityId; message: string; fix: string }
  | { level: 'INFO'; id: 'token-pod-identity-ask'; message: string };

export type PodIdentitySource = Extract<CredentialSource, { mechanism: 'pod-identity' }>;

export interface PodIdentityTarget {
  cluster: string;
  region: string;
  namespace: string;
  serviceAccount: string;
  source: PodIdentitySource;
}

export const POD_IDENTITY_OPERATION = 'eks-auth:AssumeRoleForPodIdentity';

/** The role, as an assumed-role ARN of any session (eks-…) or as the role ARN itself. */
export function podIdentityRoleMatches(assumed: string, roleArn: string): boolean {
  if (assumedRoleMatchesRole(assumed, roleArn)) return true;
  const a = parseRoleArn(assumed);
  const r = parseRoleArn(roleArn);
  return !!a && !!r && a.partition === r.partition && a.account === r.account && a.name === r.name;
}

/** The trust statement a Pod Identity role needs (EKS User Guide, "Create the IAM role for Pod Identity"). */
function trustFix(t: PodIdentityTarget): string {
  const { association, roleArn } = t.source;
  const first = association.roleArn ?? roleArn;
  const base = `Allow the Service principal ${POD_IDENTITY_SERVICE} the actions ${POD_IDENTITY_ACTIONS.join(' and ')} in the trust policy of ${first} (EKS User Guide, "Create the IAM role for Pod Identity")`;
  if (association.targetRoleArn) {
    return `${base}, and let ${first} sts:AssumeRole and sts:TagSession on ${association.targetRoleArn} in that role's trust policy (cross-account Pod Identity); then run again.`;
  }
  return `${base}; then run again.`;
}

/**
 * Who AccessDeniedException denies. IAM names the caller and the action it refuses ("User: … is
 * not authorized to perform: eks-auth:AssumeRoleForPodIdentity"): irsa-check's own identity. A
 * refusal that names sts:AssumeRole/TagSession or the role's trust is EKS Pod Identity's: the
 * role does not trust pods.eks.amazonaws.com. Anything else cannot be told apart.
 */
export function accessDeniedParty(message: string): 'operator' | 'trust' | 'unknown' {
  if (/eks-auth:AssumeRoleForPodIdentity/i.test(message)) return 'operator';
  if (/sts:(AssumeRole|TagSession)\b|trust (policy|relationship)|assume (the )?role/i.test(message))
    return 'trust';
  return 'unknown';
}

/**
 * The verdict on EKS Auth's answer for the component's token: OK with the credentials when the
 * answer is for the component's ServiceAccount and the association's role.
 */
export function answerVerdict(answer: PodIdentityAnswer, t: PodIdentityTarget): PodIdentityVerdict {
  const subject = `system:serviceaccount:${t.namespace}:${t.serviceAccount}`;
  const id = t.source.association.associationId;
  const roleArn = t.source.roleArn;
  const account = parseRoleArn(roleArn)?.account ?? 'unknown';
  const got = answer.subject;
  if (got.namespace !== t.namespace || got.serviceAccount !== t.serviceAccount) {
    return {
      level: 'FAIL',
      id: 'token-pod-identity-role',
      message: `EKS Auth took the token for ${subject} as service account ${got.namespace}/${got.serviceAccount}: its credentials are not the component's`,
      fix: `Check that irsa-check's kubeconfig context is cluster ${t.cluster} and that the component uses service account ${t.serviceAccount}; then run again.`,
    };
  }
  if (!podIdentityRoleMatches(answer.assumedRoleArn, roleArn)) {
    return {
      level: 'FAIL',
      id: 'token-pod-identity-role',
      message: `EKS Pod Identity handed out credentials for ${answer.assumedRoleArn} to ${subject} (association ${answer.podIdentityAssociation.associationId}), not for the association's ${roleWords(roleArn, 'EKS Pod Identity')}`,
      fix: `Check Pod Identity association ${id} of service account ${t.serviceAccount} (aws eks describe-pod-identity-association --cluster-name ${t.cluster} --association-id ${id}): its role${t.source.association.targetRoleArn ? ' and target role' : ''}; then run again.`,
    };
  }
  return {
    level: 'OK',
    id: 'token-pod-identity-role',
    message: `pod-less proof: a token for ${subject} (aud ${POD_IDENTITY_AUDIENCE}) gets EKS Pod Identity credentials for role ${roleArn} (account ${account}) through association ${answer.podIdentityAssociation.associationId}`,
    ...(answer.credentials ? { credentials: answer.credentials } : {}),
  };
}

/**
 * The verdict on EKS Auth's refusal; undefined when it is no verdict (throttling beyond the
 * retries, a timeout, a network error, 5xx, irsa-check's own expired session): the caller
 * throws it, and the module reports "could not check" (cannot-ask).
 */
export function refusalVerdict(e: unknown, t: PodIdentityTarget): PodIdentityVerdict | undefined {
  if (!(e instanceof ApiCallError) || e.api === 'kube') return undefined;
  const subject = `system:serviceaccount:${t.namespace}:${t.serviceAccount}`;
  const aws = `${e.reason}: ${e.message}`;
  const roleArn = t.source.roleArn;
  const id = t.source.association.associationId;
  // Beyond the retries, or no answer in time: irsa-check could not check (cannot-ask), no verdict.
  if (e.isThrottled || e.reason === 'ClockSkew' || e.reason === 'Timeout') return undefined;
  const notAnApi = /NotImplemented|UnknownError/.test(e.reason);
  if (!notAnApi && (e.status === undefined || e.status >= 500)) return undefined;
  // The caller's own expired session has the same code: its message names "the security token".
  if (/security token included in the request/i.test(e.message)) return undefined;
  if (/InvalidToken|ExpiredToken/i.test(e.reason)) {
    return {
      level: 'FAIL',
      id: 'token-pod-identity',
      message: `EKS Auth rejects the token for ${subject} (${aws})`,
      fix: `EKS Auth accepts only tokens its cluster's API server issued for aud ${POD_IDENTITY_AUDIENCE}: check that irsa-check's kubeconfig context is EKS cluster ${t.cluster} (region ${t.region}) and the clocks of this machine and the API server; then run again.`,
    };
  }
  if (/ResourceNotFound/i.test(e.reason)) {
    return {
      level: 'FAIL',
      id: 'token-pod-identity',
      message: `EKS Auth finds no Pod Identity association for ${subject} in cluster ${t.cluster} (${aws}), although EKS lists association ${id}: the pods get no credentials`,
      fix: `Check that irsa-check's kubeconfig context is EKS cluster ${t.cluster} (region ${t.region}); recreate the association if it was deleted (aws eks create-pod-identity-association --cluster-name ${t.cluster} --namespace ${t.namespace} --service-account ${t.serviceAccount} --role-arn ${roleArn}).`,
    };
  }
  if (e.isAccessDenied) {
    const party = accessDeniedParty(`${e.reason} ${e.message}`);
    if (party === 'trust') {
      return {
        level: 'FAIL',
        id: 'token-pod-identity',
        message: `EKS Pod Identity cannot assume ${roleWords(roleArn, 'EKS Pod Identity')} for ${subject} (association ${id}): the role's trust policy does not let ${POD_IDENTITY_SERVICE} ${POD_IDENTITY_ACTIONS.join(' and ')} (${aws})`,
        fix: trustFix(t),
      };
    }
    return {
      level: 'INFO',
      id: 'token-pod-identity-ask',
      message:
        party === 'operator'
          ? `cannot prove EKS Pod Identity for ${subject} from here: irsa-check's identity may not call ${POD_IDENTITY_OPERATION} (${aws}); grant ${POD_IDENTITY_OPERATION} on the cluster ${t.cluster} to prove it`
          : `cannot prove EKS Pod Identity for ${subject} from here: EKS Auth denies the call (${aws}); either irsa-check's identity lacks ${POD_IDENTITY_OPERATION} on the cluster ${t.cluster}, or the trust policy of ${roleWords(roleArn, 'EKS Pod Identity')} does not let ${POD_IDENTITY_SERVICE} ${POD_IDENTITY_ACTIONS.join(' and ')} (see the roles check)`,
    };
  }
  // An endpoint without the EKS Auth API (an emulator, a proxy), or a request EKS Auth calls invalid.
  return {
    level: 'INFO',
    id: 'token-pod-identity-ask',
    message: `cannot prove EKS Pod Identity for ${subject} from here: ${POD_IDENTITY_OPERATION} gave no answer to judge (${aws})`,
  };
}
