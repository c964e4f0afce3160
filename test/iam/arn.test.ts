import { describe, expect, it } from 'vitest';
import {
  assumedRoleMatchesRole,
  describeRoleArnProblem,
  esDomainArn,
  formatArn,
  issuerHostPath,
  oidcProviderArn,
  oidcProviderHostPath,
  parseArn,
  parseRoleArn,
  partitionOf,
  rdsDbUserArn,
  roleArn,
} from '../../src/iam/arn.js';

const ACCT = '123456789012';

describe('parseArn', () => {
  it.each([
    [
      `arn:aws:iam::${ACCT}:role/camunda`,
      { partition: 'aws', service: 'iam', region: '', account: ACCT, resource: 'role/camunda' },
    ],
    [
      `arn:aws-cn:rds-db:cn-north-1:${ACCT}:dbuser:cluster-ABC/identity`,
      {
        partition: 'aws-cn',
        service: 'rds-db',
        region: 'cn-north-1',
        account: ACCT,
        resource: 'dbuser:cluster-ABC/identity',
      },
    ],
    [
      'arn:aws-us-gov:es:us-gov-west-1:123456789012:domain/camunda/*',
      {
        partition: 'aws-us-gov',
        service: 'es',
        region: 'us-gov-west-1',
        account: ACCT,
        resource: 'domain/camunda/*',
      },
    ],
    ['arn:aws:s3:::bucket', { partition: 'aws', service: 's3', region: '', account: '', resource: 'bucket' }],
  ])('%s', (text, expected) => {
    expect(parseArn(text)).toEqual(expected);
    expect(formatArn(parseArn(text)!)).toBe(text);
  });

  it.each([
    '',
    'role/camunda',
    'arn:aws:iam',
    'arn:aws:iam::123',
    'urn:aws:iam::1:role/r',
    'arn::iam::1:role/r',
    'arn:aws:iam::1:',
  ])('rejects %j', (text) => {
    expect(parseArn(text)).toBeUndefined();
  });
});

describe('parseRoleArn / describeRoleArnProblem', () => {
  it.each([
    [
      `arn:aws:iam::${ACCT}:role/camunda-identity`,
      { partition: 'aws', account: ACCT, path: '/', name: 'camunda-identity' },
    ],
    [`arn:aws:iam::${ACCT}:role/a/b/r`, { partition: 'aws', account: ACCT, path: '/a/b/', name: 'r' }],
    [
      `arn:aws-cn:iam::${ACCT}:role/service-role/x`,
      { partition: 'aws-cn', account: ACCT, path: '/service-role/', name: 'x' },
    ],
    [
      `arn:aws-us-gov:iam::${ACCT}:role/Name+=,.@_-1`,
      { partition: 'aws-us-gov', account: ACCT, path: '/', name: 'Name+=,.@_-1' },
    ],
    [
      `arn:aws:iam::${ACCT}:role/${'r'.repeat(64)}`,
      { partition: 'aws', account: ACCT, path: '/', name: 'r'.repeat(64) },
    ],
  ])('accepts %s', (text, expected) => {
    expect(parseRoleArn(text)).toEqual(expected);
    expect(describeRoleArnProblem(text)).toBeUndefined();
    expect(roleArn(expected as Parameters<typeof roleArn>[0])).toBe(text);
  });

  it.each([
    ['', 'the role ARN is empty'],
    [` arn:aws:iam::${ACCT}:role/r`, 'the role ARN has leading or trailing whitespace'],
    ['camunda-identity', 'a role ARN must start with "arn:", got "camunda-identity"'],
    ['arn:aws:iam::role/r', 'a role ARN must have the form arn:<partition>:iam::<account>:role/<name>'],
    [`arn:awss:iam::${ACCT}:role/r`, 'partition must be one of aws, aws-cn, aws-us-gov, got "awss"'],
    [`arn:aws:sts::${ACCT}:assumed-role/r/s`, 'service must be "iam", got "sts"'],
    [`arn:aws:iam:eu-west-1:${ACCT}:role/r`, 'IAM ARNs have no region, got "eu-west-1"'],
    ['arn:aws:iam::12345678901:role/r', 'account ID must be 12 digits, got 11'],
    ['arn:aws:iam::1234567890123:role/r', 'account ID must be 12 digits, got 13'],
    ['arn:aws:iam::12345678901O:role/r', 'account ID must be 12 digits, got "12345678901O"'],
    ['arn:aws:iam:::role/r', 'account ID must be 12 digits, got an empty string'],
    [`arn:aws:iam::${ACCT}:user/r`, 'resource must start with "role/", got "user/r"'],
    [`arn:aws:iam::${ACCT}:role/`, 'the role name is missing'],
    [`arn:aws:iam::${ACCT}:role/a/`, 'the role name is missing'],
    [`arn:aws:iam::${ACCT}:role//r`, 'role path "//" has an empty segment'],
    [`arn:aws:iam::${ACCT}:role/my role`, 'role name "my role" may only contain letters, digits and +=,.@_-'],
    [`arn:aws:iam::${ACCT}:role/${'r'.repeat(65)}`, 'role name must be at most 64 characters, got 65'],
    [`arn:aws:iam::${ACCT}:role/pa th/r`, 'role path "/pa th/" contains characters IAM does not allow'],
  ])('%j: %s', (text, problem) => {
    expect(describeRoleArnProblem(text)).toBe(problem);
    expect(parseRoleArn(text)).toBeUndefined();
  });
});

describe('assumedRoleMatchesRole', () => {
  it.each([
    [`arn:aws:sts::${ACCT}:assumed-role/r/session`, `arn:aws:iam::${ACCT}:role/r`, true],
    [`arn:aws:sts::${ACCT}:assumed-role/r/botocore-session-1`, `arn:aws:iam::${ACCT}:role/a/b/r`, true],
    [`arn:aws-cn:sts::${ACCT}:assumed-role/r/s`, `arn:aws-cn:iam::${ACCT}:role/r`, true],
    [`arn:aws:sts::${ACCT}:assumed-role/r/s`, `arn:aws-cn:iam::${ACCT}:role/r`, false],
    [`arn:aws:sts::210987654321:assumed-role/r/s`, `arn:aws:iam::${ACCT}:role/r`, false],
    [`arn:aws:sts::${ACCT}:assumed-role/other/s`, `arn:aws:iam::${ACCT}:role/r`, false],
    [`arn:aws:sts::${ACCT}:assumed-role/R/s`, `arn:aws:iam::${ACCT}:role/r`, false],
    [`arn:aws:sts::${ACCT}:assumed-role/r`, `arn:aws:iam::${ACCT}:role/r`, false],
    [`arn:aws:iam::${ACCT}:role/r`, `arn:aws:iam::${ACCT}:role/r`, false],
    [`arn:aws:sts::${ACCT}:federated-user/r`, `arn:aws:iam::${ACCT}:role/r`, false],
    [`arn:aws:sts::${ACCT}:assumed-role/r/s`, 'not-an-arn', false],
  ])('%s assumes %s → %s', (assumed, role, expected) => {
    expect(assumedRoleMatchesRole(assumed, role)).toBe(expected);
  });
});

describe('partitionOf', () => {
  it.each([
    ['eu-west-1', 'aws'],
    ['us-east-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-gov-east-1', 'aws-us-gov'],
  ])('%s → %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });
});

describe('builders', () => {
  it('rdsDbUserArn', () => {
    expect(rdsDbUserArn('aws-cn', 'cn-north-1', ACCT, 'cluster-ABC', 'identity')).toBe(
      `arn:aws-cn:rds-db:cn-north-1:${ACCT}:dbuser:cluster-ABC/identity`,
    );
  });

  it('esDomainArn', () => {
    expect(esDomainArn('aws-us-gov', 'us-gov-west-1', ACCT, 'camunda')).toBe(
      `arn:aws-us-gov:es:us-gov-west-1:${ACCT}:domain/camunda`,
    );
  });

  it.each([
    ['https://oidc.eks.eu-west-1.amazonaws.com/id/ABC', 'oidc.eks.eu-west-1.amazonaws.com/id/ABC'],
    ['https://oidc.eks.eu-west-1.amazonaws.com/id/ABC/', 'oidc.eks.eu-west-1.amazonaws.com/id/ABC'],
    ['oidc.eks.eu-west-1.amazonaws.com/id/ABC', 'oidc.eks.eu-west-1.amazonaws.com/id/ABC'],
  ])('oidcProviderArn(%s)', (issuer, hostPath) => {
    expect(issuerHostPath(issuer)).toBe(hostPath);
    const arn = oidcProviderArn('aws', ACCT, issuer);
    expect(arn).toBe(`arn:aws:iam::${ACCT}:oidc-provider/${hostPath}`);
    expect(oidcProviderHostPath(arn)).toBe(hostPath);
  });

  it.each([
    `arn:aws:iam::${ACCT}:role/r`,
    `arn:aws:iam::${ACCT}:oidc-provider/`,
    'garbage',
    `arn:aws:sts::${ACCT}:oidc-provider/x`,
  ])('oidcProviderHostPath(%s) is undefined', (arn) => {
    expect(oidcProviderHostPath(arn)).toBeUndefined();
  });
});
