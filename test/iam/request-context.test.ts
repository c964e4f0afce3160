/**
 * The request context irsa-check knows for the requests it evaluates (src/iam/request-context.ts),
 * each case named after the key's section of the IAM User Guide, "AWS global condition context
 * keys": a guard on a known key is decided (a Deny that applies is an ExplicitDeny, one that does
 * not is silent); a key that cannot be known stays undetermined.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, normalizePolicy, type DecisionKind } from '../../src/iam/policy.js';
import { roleRequest } from '../../src/iam/request-context.js';

const ACCT = '111122223333';
const ROLE = `arn:aws:iam::${ACCT}:role/camunda-identity-irsa`;
const DB_USER = `arn:aws:rds-db:eu-west-1:${ACCT}:dbuser:cluster-ABC/identity_irsa`;
const DOMAIN = `arn:aws:es:eu-west-1:${ACCT}:domain/camunda/*`;
const OBJECT = 'arn:aws:s3:::camunda-docs/camunda-document';

const allowAll = { Sid: 'Ok', Effect: 'Allow', Action: '*', Resource: '*' };
const guard = (Condition: Record<string, unknown>) => ({
  Sid: 'Guard',
  Effect: 'Deny',
  NotAction: ['iam:*', 'sts:*'],
  Resource: '*',
  Condition,
});

const cases: Array<{
  name: string;
  action: string;
  resource: string;
  region?: string;
  condition: Record<string, unknown>;
  decision: DecisionKind;
}> = [
  {
    name: 'aws:RequestedRegion › a region guard that excludes the Aurora cluster’s region denies rds-db:connect',
    action: 'rds-db:connect',
    resource: DB_USER,
    condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-central-1'] } },
    decision: 'ExplicitDeny',
  },
  {
    name: 'aws:RequestedRegion › a region guard that admits the region does not apply',
    action: 'rds-db:connect',
    resource: DB_USER,
    condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-central-1', 'eu-west-1'] } },
    decision: 'Allow',
  },
  {
    name: 'aws:RequestedRegion › the OpenSearch domain’s region, from its ARN',
    action: 'es:ESHttpPut',
    resource: DOMAIN,
    condition: { StringNotLike: { 'aws:RequestedRegion': ['us-*'] } },
    decision: 'ExplicitDeny',
  },
  {
    name: 'aws:RequestedRegion › S3 ARNs have no region: the bucket’s region is given',
    action: 's3:PutObject',
    resource: OBJECT,
    region: 'eu-west-1',
    condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
    decision: 'Allow',
  },
  {
    name: 'aws:RequestedRegion › S3 without a known region: undetermined',
    action: 's3:PutObject',
    resource: OBJECT,
    condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
    decision: 'Undetermined',
  },
  {
    name: 'aws:SecureTransport › a Deny on plain HTTP does not apply: the pods use TLS/HTTPS',
    action: 'es:ESHttpGet',
    resource: DOMAIN,
    condition: { Bool: { 'aws:SecureTransport': 'false' } },
    decision: 'Allow',
  },
  {
    name: 'aws:PrincipalArn › the role ARN (not the session’s): a guard exempting the role does not apply',
    action: 'es:ESHttpGet',
    resource: DOMAIN,
    condition: { ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCT}:role/camunda-*` } },
    decision: 'Allow',
  },
  {
    name: 'aws:PrincipalAccount › a guard for another account applies',
    action: 'rds-db:connect',
    resource: DB_USER,
    condition: { StringNotEquals: { 'aws:PrincipalAccount': '444455556666' } },
    decision: 'ExplicitDeny',
  },
  {
    name: 'aws:PrincipalType › AssumedRole',
    action: 'rds-db:connect',
    resource: DB_USER,
    condition: { StringNotEquals: { 'aws:PrincipalType': 'AssumedRole' } },
    decision: 'Allow',
  },
  {
    name: 'aws:SourceIdentity › absent for IRSA sessions: a Deny requiring one applies',
    action: 'rds-db:connect',
    resource: DB_USER,
    condition: { Null: { 'aws:SourceIdentity': 'true' } },
    decision: 'ExplicitDeny',
  },
  {
    name: 'aws:username › absent for role sessions',
    action: 'rds-db:connect',
    resource: DB_USER,
    condition: { StringEquals: { 'aws:username': 'admin' } },
    decision: 'Allow',
  },
  {
    name: 'aws:SourceIp › cannot be known: a guard on it stays undetermined',
    action: 'rds-db:connect',
    resource: DB_USER,
    condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    decision: 'Undetermined',
  },
  {
    name: 'aws:ViaAWSService › not present for every service: undetermined',
    action: 'rds-db:connect',
    resource: DB_USER,
    condition: { Bool: { 'aws:ViaAWSService': 'false' } },
    decision: 'Undetermined',
  },
];

describe('IAM User Guide › AWS global condition context keys (reference_policies_condition-keys)', () => {
  it.each(cases)('$name', ({ action, resource, region, condition, decision }) => {
    const policy = normalizePolicy({ Version: '2012-10-17', Statement: [allowAll, guard(condition)] });
    const request = roleRequest({ action, resource, roleArn: ROLE, region });
    expect(evaluate([policy], request).decision).toBe(decision);
  });
});
