/**
 * The verdicts of the pod-less proof of EKS Pod Identity on EKS Auth's answers and refusals
 * (src/platform/pod-identity-exchange.ts), one row per answer the Smithy model allows
 * (aws-sdk-js-v3 codegen/sdk-codegen/aws-models/eks-auth.json): what the user sees, exactly.
 */
import { describe, expect, it } from 'vitest';
import { ApiCallError } from '../../src/core/errors.js';
import {
  accessDeniedParty,
  answerVerdict,
  refusalVerdict,
  type PodIdentityTarget,
} from '../../src/platform/pod-identity-exchange.js';

const ROLE = 'arn:aws:iam::111122223333:role/camunda-identity';
const TARGET_ROLE = 'arn:aws:iam::444455556666:role/camunda-identity-db';
const t = (targetRoleArn?: string): PodIdentityTarget => ({
  cluster: 'camunda-prod',
  region: 'eu-west-1',
  namespace: 'camunda',
  serviceAccount: 'camunda-identity',
  source: {
    mechanism: 'pod-identity',
    roleArn: targetRoleArn ?? ROLE,
    association: {
      associationId: 'a-1',
      serviceAccount: 'camunda-identity',
      roleArn: ROLE,
      ...(targetRoleArn ? { targetRoleArn } : {}),
    },
  },
});
const SUB = 'system:serviceaccount:camunda:camunda-identity';
const CREDS = { accessKeyId: 'ASIA1', secretAccessKey: 's', sessionToken: 't' };
const answer = (assumed: string, sa = 'camunda-identity') => ({
  subject: { namespace: 'camunda', serviceAccount: sa },
  audience: 'pods.eks.amazonaws.com',
  podIdentityAssociation: { associationArn: 'arn:aws:eks:…', associationId: 'a-1' },
  assumedRoleArn: assumed,
  credentials: CREDS,
});
const err = (reason: string, message: string, status?: number) =>
  new ApiCallError('aws', 'eks-auth:AssumeRoleForPodIdentity', reason, message, status);

describe('answers', () => {
  it.each([
    [
      'the association role, as an assumed-role session: OK with the credentials',
      answer('arn:aws:sts::111122223333:assumed-role/camunda-identity/eks-camunda-pr-x'),
      undefined,
      {
        level: 'OK',
        id: 'token-pod-identity-role',
        message: `pod-less proof: a token for ${SUB} (aud pods.eks.amazonaws.com) gets EKS Pod Identity credentials for role ${ROLE} (account 111122223333) through association a-1`,
        credentials: CREDS,
      },
    ],
    [
      'cross-account: the target role, in its own account',
      answer('arn:aws:sts::444455556666:assumed-role/camunda-identity-db/eks-camunda-pr-x'),
      TARGET_ROLE,
      {
        level: 'OK',
        id: 'token-pod-identity-role',
        message: `pod-less proof: a token for ${SUB} (aud pods.eks.amazonaws.com) gets EKS Pod Identity credentials for role ${TARGET_ROLE} (account 444455556666) through association a-1`,
        credentials: CREDS,
      },
    ],
  ])('%s', (_name, a, target, expected) => {
    expect(answerVerdict(a, t(target))).toEqual(expected);
  });

  it('cross-account: credentials of the first role only (not the target) are a FAIL', () => {
    const v = answerVerdict(
      answer('arn:aws:sts::111122223333:assumed-role/camunda-identity/eks-x'),
      t(TARGET_ROLE),
    );
    expect([v.level, v.id, v.message]).toEqual([
      'FAIL',
      'token-pod-identity-role',
      `EKS Pod Identity handed out credentials for arn:aws:sts::111122223333:assumed-role/camunda-identity/eks-x to ${SUB} (association a-1), not for the association's role camunda-identity-db (EKS Pod Identity, account 444455556666)`,
    ]);
  });

  it('another subject is a FAIL: the credentials are not the component’s', () => {
    const v = answerVerdict(
      answer('arn:aws:sts::111122223333:assumed-role/camunda-identity/eks-x', 'other'),
      t(),
    );
    expect([v.level, v.message]).toEqual([
      'FAIL',
      `EKS Auth took the token for ${SUB} as service account camunda/other: its credentials are not the component's`,
    ]);
  });
});

describe('refusals', () => {
  it.each([
    [
      'InvalidTokenException',
      err('InvalidTokenException', 'bad token', 400),
      'FAIL',
      `EKS Auth rejects the token for ${SUB} (InvalidTokenException: bad token)`,
    ],
    [
      'ExpiredTokenException (the SA token)',
      err('ExpiredTokenException', 'The service account token is expired', 400),
      'FAIL',
      `EKS Auth rejects the token for ${SUB} (ExpiredTokenException: The service account token is expired)`,
    ],
    [
      'ResourceNotFoundException',
      err('ResourceNotFoundException', 'No association', 404),
      'FAIL',
      `EKS Auth finds no Pod Identity association for ${SUB} in cluster camunda-prod (ResourceNotFoundException: No association), although EKS lists association a-1: the pods get no credentials`,
    ],
    [
      'AccessDenied naming the operator',
      err(
        'AccessDeniedException',
        'User: arn:aws:sts::1:assumed-role/ci/x is not authorized to perform: eks-auth:AssumeRoleForPodIdentity on resource: arn:aws:eks:eu-west-1:1:cluster/camunda-prod',
        403,
      ),
      'INFO',
      `cannot prove EKS Pod Identity for ${SUB} from here: irsa-check's identity may not call eks-auth:AssumeRoleForPodIdentity (AccessDeniedException: User: arn:aws:sts::1:assumed-role/ci/x is not authorized to perform: eks-auth:AssumeRoleForPodIdentity on resource: arn:aws:eks:eu-west-1:1:cluster/camunda-prod); grant eks-auth:AssumeRoleForPodIdentity on the cluster camunda-prod to prove it`,
    ],
    [
      'AccessDenied naming sts:AssumeRole',
      err('AccessDeniedException', `not authorized to perform sts:AssumeRole on ${ROLE}`, 400),
      'FAIL',
      `EKS Pod Identity cannot assume role camunda-identity (EKS Pod Identity, account 111122223333) for ${SUB} (association a-1): the role's trust policy does not let pods.eks.amazonaws.com sts:AssumeRole and sts:TagSession (AccessDeniedException: not authorized to perform sts:AssumeRole on ${ROLE})`,
    ],
    [
      'AccessDenied that names neither: INFO with both causes, never a FAIL',
      err('AccessDeniedException', 'Access denied', 400),
      'INFO',
      `cannot prove EKS Pod Identity for ${SUB} from here: EKS Auth denies the call (AccessDeniedException: Access denied); either irsa-check's identity lacks eks-auth:AssumeRoleForPodIdentity on the cluster camunda-prod, or the trust policy of role camunda-identity (EKS Pod Identity, account 111122223333) does not let pods.eks.amazonaws.com sts:AssumeRole and sts:TagSession (see the roles check)`,
    ],
    [
      'an endpoint without EKS Auth',
      err('NotImplemented', 'HTTP 404: <html>', 404),
      'INFO',
      `cannot prove EKS Pod Identity for ${SUB} from here: eks-auth:AssumeRoleForPodIdentity gave no answer to judge (NotImplemented: HTTP 404: <html>)`,
    ],
  ])('%s', (_name, e, level, message) => {
    const v = refusalVerdict(e, t());
    expect([v?.level, v?.message]).toEqual([level, message]);
  });

  it.each([
    [
      'throttled beyond the retries',
      err('ThrottlingException', 'could not check: throttled by AWS after 5 attempts', 429),
    ],
    ['no answer in time', err('Timeout', 'no answer within 30 s')],
    ['5xx beyond the retries', err('InternalServerException', 'oops', 500)],
    ['unreachable', err('ECONNREFUSED', 'connect ECONNREFUSED')],
    [
      "irsa-check's own session expired",
      err('ExpiredTokenException', 'The security token included in the request is expired', 400),
    ],
    ['a Kubernetes error', new ApiCallError('kube', 'create serviceaccounts/token', 'Forbidden', 'no', 403)],
  ])('%s: no verdict ("could not check", reported by the module as cannot-ask)', (_name, e) => {
    expect(refusalVerdict(e, t())).toBeUndefined();
  });

  it('the trust fix names the statement to add; cross-account also the target role’s trust', () => {
    const denied = err('AccessDeniedException', 'Unable to sts:AssumeRole', 400);
    expect((refusalVerdict(denied, t()) as { fix: string }).fix).toBe(
      `Allow the Service principal pods.eks.amazonaws.com the actions sts:AssumeRole and sts:TagSession in the trust policy of ${ROLE} (EKS User Guide, "Create the IAM role for Pod Identity"); then run again.`,
    );
    expect((refusalVerdict(denied, t(TARGET_ROLE)) as { fix: string }).fix).toBe(
      `Allow the Service principal pods.eks.amazonaws.com the actions sts:AssumeRole and sts:TagSession in the trust policy of ${ROLE} (EKS User Guide, "Create the IAM role for Pod Identity"), and let ${ROLE} sts:AssumeRole and sts:TagSession on ${TARGET_ROLE} in that role's trust policy (cross-account Pod Identity); then run again.`,
    );
  });

  it('tells who AccessDenied denies as far as the message says', () => {
    expect(
      [
        'User: x is not authorized to perform: eks-auth:AssumeRoleForPodIdentity',
        'not authorized to perform: sts:TagSession',
        'the trust policy does not allow it',
        'Access denied',
      ].map(accessDeniedParty),
    ).toEqual(['operator', 'trust', 'trust', 'unknown']);
  });
});
