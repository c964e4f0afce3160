/**
 * The request context of the requests irsa-check evaluates: a component's pod calling, with
 * its role's session credentials, `rds-db:connect` (an IAM auth token presented to Aurora over
 * TLS), `es:ESHttp*` (HTTPS to the OpenSearch domain) or the S3 object actions (HTTPS to the
 * bucket). Some global condition keys are always in such a request and irsa-check knows
 * their value; some are surely absent; everything else stays unknown (the evaluator then
 * answers "Undetermined" wherever such a key could change the verdict).
 *
 * Each key below cites its section of the IAM User Guide, "AWS global condition context keys"
 * (reference_policies_condition-keys.html#condition-keys-<key>), whose "Availability" line
 * says when the key is in the request context.
 */
import { parseArn, parseRoleArn } from './arn.js';
import { CAMUNDA_ES_ACTIONS } from './opensearch-actions.js';
import type { ContextValue, Request } from './policy.js';

/** The actions the context is defined for: what Camunda's components send with their role. */
export const CONTEXT_ACTIONS = [
  'rds-db:connect',
  ...CAMUNDA_ES_ACTIONS,
  's3:GetObject',
  's3:PutObject',
  's3:DeleteObject',
] as const;

export interface RoleRequest {
  action: string;
  /** The resource ARN the request names. */
  resource: string;
  /** The role whose session credentials sign the request. */
  roleArn: string;
  /**
   * The region the request is sent to: the database's, the domain's, the bucket's. Taken from
   * the resource ARN when it has one (S3 ARNs have none); unknown when neither says.
   */
  region?: string | undefined;
}

/**
 * Keys that are surely not in the request of a pod calling with its IRSA (or Pod Identity)
 * role session, directly (no AWS service calls on its behalf):
 * - aws:SourceIdentity (#condition-keys-sourceidentity): present only when a source identity
 *   was set when the role was assumed; a Kubernetes service account token carries no
 *   source-identity claim, and Pod Identity sets none;
 * - aws:username (#condition-keys-username): IAM users only, never role sessions;
 * - aws:SourceArn, aws:SourceAccount, aws:SourceOrgID, aws:SourceOrgPaths
 *   (#condition-keys-sourcearn …): only when an AWS service calls another on a resource
 *   owner's behalf, with a service principal;
 * - aws:PrincipalServiceName, aws:PrincipalServiceNamesList (#condition-keys-principalservicename):
 *   only for AWS service principals;
 * - aws:CalledVia, aws:CalledViaFirst, aws:CalledViaLast (#condition-keys-calledvia): only when
 *   a service makes the request with the principal's credentials (forward access sessions);
 * - aws:Ec2InstanceSourceVpc, aws:Ec2InstanceSourcePrivateIPv4 (#condition-keys-ec2instancesourcevpc),
 *   ec2:SourceInstanceArn: only for requests signed with an EC2 instance role's credentials;
 * - aws:AssumedRoot (#condition-keys-assumedroot): only for sessions of sts:AssumeRoot.
 */
const ABSENT = new Set(
  [
    'aws:SourceIdentity',
    'aws:username',
    'aws:SourceArn',
    'aws:SourceAccount',
    'aws:SourceOrgID',
    'aws:SourceOrgPaths',
    'aws:PrincipalServiceName',
    'aws:PrincipalServiceNamesList',
    'aws:CalledVia',
    'aws:CalledViaFirst',
    'aws:CalledViaLast',
    'aws:Ec2InstanceSourceVpc',
    'aws:Ec2InstanceSourcePrivateIPv4',
    'ec2:SourceInstanceArn',
    'aws:AssumedRoot',
  ].map((k) => k.toLowerCase()),
);

/**
 * The request as the evaluator takes it, principal and context included. Known keys:
 * - aws:RequestedRegion (#condition-keys-requestedregion), always present: the region the
 *   request goes to, the resource's region;
 * - aws:SecureTransport (#condition-keys-securetransport), always present: true, the pods
 *   reach Aurora with the IAM token over TLS (IAM database authentication requires SSL) and
 *   OpenSearch and S3 over HTTPS;
 * - aws:PrincipalArn (#condition-keys-principalarn), always present: for a role session, the
 *   ARN of the role (not of the session);
 * - aws:PrincipalAccount (#condition-keys-principalaccount), always present: the role's account;
 * - aws:PrincipalType (#condition-keys-principaltype), always present: `AssumedRole`;
 * - aws:PrincipalIsAWSService (#condition-keys-principalisawsservice), always present in signed
 *   requests: false, the principal is a role session.
 * Unknown, on purpose: aws:ViaAWSService (#condition-keys-viaawsservice: present "for most
 * services", so not surely for rds-db:connect), aws:SourceIp, aws:SourceVpc, aws:SourceVpce, aws:VpcSourceIp (where the pod
 * calls from), aws:CurrentTime, aws:EpochTime, aws:TokenIssueTime (when), aws:userid (includes
 * the session name the SDK picks), aws:PrincipalTag/* and aws:RequestTag/* (not read),
 * aws:PrincipalOrg* (not read), aws:ResourceAccount and aws:ResourceOrg* (not present for every
 * action), aws:FederatedProvider, aws:MultiFactorAuthPresent, service-specific keys.
 */
export function roleRequest(r: RoleRequest): Request {
  const role = parseRoleArn(r.roleArn);
  const region = r.region || parseArn(r.resource)?.region || undefined;
  const context: Record<string, ContextValue> = {
    'aws:SecureTransport': true,
    'aws:PrincipalArn': r.roleArn,
    'aws:PrincipalType': 'AssumedRole',
    'aws:PrincipalIsAWSService': false,
  };
  if (role) context['aws:PrincipalAccount'] = role.account;
  if (region) context['aws:RequestedRegion'] = region;
  return {
    action: r.action,
    resource: r.resource,
    principal: { type: 'AWS', id: r.roleArn },
    context,
    otherKeys: (key) => (ABSENT.has(key.toLowerCase()) ? 'absent' : 'unknown'),
  };
}
