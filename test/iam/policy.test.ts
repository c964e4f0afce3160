import { describe, expect, it } from 'vitest';
import { esDomainArn, oidcProviderArn, rdsDbUserArn } from '../../src/iam/arn.js';
import {
  conditionValuesFor,
  describeStatement,
  evaluate,
  evaluateWithBoundary,
  federatedPrincipals,
  normalizePolicy,
  PolicyParseError,
  trustAdmits,
  type DecisionKind,
  type MatchedStatement,
  type Request,
} from '../../src/iam/policy.js';
import { undeterminedReason } from '../../src/iam/undetermined.js';

const ACCT = '123456789012';
const OTHER_ACCT = '210987654321';
const REGION = 'eu-west-1';
const ISSUER = `https://oidc.eks.${REGION}.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789`;
const OTHER_ISSUER = `https://oidc.eks.${REGION}.amazonaws.com/id/99999999999999999999999999999999`;
const PROVIDER = oidcProviderArn('aws', ACCT, ISSUER);
const OTHER_PROVIDER = oidcProviderArn('aws', ACCT, OTHER_ISSUER);
const HOST = ISSUER.replace('https://', '');
const SUB = 'system:serviceaccount:camunda:camunda-identity';
const CLUSTER = 'cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const IDENTITY_DB = rdsDbUserArn('aws', REGION, ACCT, CLUSTER, 'identity');
const DOMAIN = esDomainArn('aws', REGION, ACCT, 'camunda');
const ROLE = `arn:aws:iam::${ACCT}:role/camunda/orchestration`;

/** Statement ids for assertions: the Sid, else `#<index>`. */
const ids = (ms: MatchedStatement[]) => ms.map((m) => m.sid ?? `#${m.index}`);

const allow = (Sid: string, rest: Record<string, unknown>) => ({ Sid, Effect: 'Allow', ...rest });
const deny = (Sid: string, rest: Record<string, unknown>) => ({ Sid, Effect: 'Deny', ...rest });
const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });

interface Case {
  name: string;
  policies: unknown[];
  request: Request;
  decision: DecisionKind;
  allowedBy?: string[];
  deniedBy?: string[];
}

function runCases(cases: Case[]): void {
  it.each(cases)('$name', ({ policies, request, decision, allowedBy = [], deniedBy = [] }) => {
    const result = evaluate(policies.map(normalizePolicy), request);
    expect(result.decision).toBe(decision);
    expect(ids(result.allowedBy)).toEqual(allowedBy);
    expect(ids(result.deniedBy)).toEqual(deniedBy);
    expect(result.undetermined).toEqual([]);
  });
}

const es = (action: string, resource = `${DOMAIN}/index/_search`): Request => ({ action, resource });
const connect = (resource: string): Request => ({ action: 'rds-db:connect', resource });

describe('evaluate: actions', () => {
  runCases([
    {
      name: 'Action as a string',
      policies: [doc(allow('S', { Action: 'es:ESHttpGet', Resource: '*' }))],
      request: es('es:ESHttpGet'),
      decision: 'Allow',
      allowedBy: ['S'],
    },
    {
      name: 'Action as an array',
      policies: [doc(allow('S', { Action: ['es:ESHttpPut', 'es:ESHttpGet'], Resource: '*' }))],
      request: es('es:ESHttpGet'),
      decision: 'Allow',
      allowedBy: ['S'],
    },
    {
      name: 'Action array without the requested action',
      policies: [doc(allow('S', { Action: ['es:ESHttpPut', 'es:ESHttpPost'], Resource: '*' }))],
      request: es('es:ESHttpGet'),
      decision: 'ImplicitDeny',
    },
    {
      name: 'service wildcard es:ESHttp*',
      policies: [doc(allow('S', { Action: 'es:ESHttp*', Resource: '*' }))],
      request: es('es:ESHttpPost'),
      decision: 'Allow',
      allowedBy: ['S'],
    },
    {
      name: 'es:ESHttp* does not cover es:DescribeDomain',
      policies: [doc(allow('S', { Action: 'es:ESHttp*', Resource: '*' }))],
      request: es('es:DescribeDomain'),
      decision: 'ImplicitDeny',
    },
    {
      name: 'rds-db:* covers rds-db:connect',
      policies: [doc(allow('S', { Action: 'rds-db:*', Resource: '*' }))],
      request: connect(IDENTITY_DB),
      decision: 'Allow',
      allowedBy: ['S'],
    },
    {
      name: 'rds-db:conn* covers rds-db:connect',
      policies: [doc(allow('S', { Action: 'rds-db:conn*', Resource: '*' }))],
      request: connect(IDENTITY_DB),
      decision: 'Allow',
      allowedBy: ['S'],
    },
    {
      name: 'rds:* is another service and does not cover rds-db:connect',
      policies: [doc(allow('S', { Action: 'rds:*', Resource: '*' }))],
      request: connect(IDENTITY_DB),
      decision: 'ImplicitDeny',
    },
    {
      name: 'bare * covers everything',
      policies: [doc(allow('Admin', { Action: '*', Resource: '*' }))],
      request: connect(IDENTITY_DB),
      decision: 'Allow',
      allowedBy: ['Admin'],
    },
    {
      name: 'actions match case-insensitively (policy lower case)',
      policies: [doc(allow('S', { Action: 'rds-db:CONNECT', Resource: '*' }))],
      request: connect(IDENTITY_DB),
      decision: 'Allow',
      allowedBy: ['S'],
    },
    {
      name: 'actions match case-insensitively (wildcard, request upper case)',
      policies: [doc(allow('S', { Action: 'ES:eshttp*', Resource: '*' }))],
      request: es('es:ESHttpDelete'),
      decision: 'Allow',
      allowedBy: ['S'],
    },
    {
      name: '? matches exactly one character in an action',
      policies: [doc(allow('S', { Action: 'es:ESHttpP?t', Resource: '*' }))],
      request: es('es:ESHttpPut'),
      decision: 'Allow',
      allowedBy: ['S'],
    },
    {
      name: '? does not match two characters',
      policies: [doc(allow('S', { Action: 'es:ESHttpP?t', Resource: '*' }))],
      request: es('es:ESHttpPost'),
      decision: 'ImplicitDeny',
    },
    {
      name: 'NotAction allows what it does not list',
      policies: [doc(allow('AllButIam', { NotAction: 'iam:*', Resource: '*' }))],
      request: es('es:ESHttpGet'),
      decision: 'Allow',
      allowedBy: ['AllButIam'],
    },
    {
      name: 'NotAction does not allow what it lists',
      policies: [doc(allow('AllButEs', { NotAction: ['es:*', 'iam:*'], Resource: '*' }))],
      request: es('es:ESHttpGet'),
      decision: 'ImplicitDeny',
    },
    {
      name: 'no statement at all matches: implicit deny',
      policies: [doc(allow('S', { Action: 's3:GetObject', Resource: '*' }))],
      request: connect(IDENTITY_DB),
      decision: 'ImplicitDeny',
    },
  ]);
});

describe('evaluate: resources', () => {
  runCases([
    {
      name: 'exact resource',
      policies: [doc(allow('S', { Action: 'rds-db:connect', Resource: IDENTITY_DB }))],
      request: connect(IDENTITY_DB),
      decision: 'Allow',
      allowedBy: ['S'],
    },
    {
      name: 'resource matching is case-sensitive',
      policies: [doc(allow('S', { Action: 'rds-db:connect', Resource: IDENTITY_DB.toLowerCase() }))],
      request: connect(IDENTITY_DB),
      decision: 'ImplicitDeny',
    },
    {
      name: 'domain/* covers a path under the domain',
      policies: [doc(allow('S', { Action: 'es:ESHttp*', Resource: `${DOMAIN}/*` }))],
      request: es('es:ESHttpGet'),
      decision: 'Allow',
      allowedBy: ['S'],
    },
    {
      name: 'domain/* of another domain does not cover this one',
      policies: [doc(allow('S', { Action: 'es:ESHttp*', Resource: `${DOMAIN}-old/*` }))],
      request: es('es:ESHttpGet'),
      decision: 'ImplicitDeny',
    },
    {
      name: 'wildcard account and region segments',
      policies: [doc(allow('S', { Action: 'es:*', Resource: 'arn:aws:es:*:*:domain/camunda/*' }))],
      request: es('es:ESHttpGet'),
      decision: 'Allow',
      allowedBy: ['S'],
    },
    {
      name: '? in a resource matches one character',
      policies: [
        doc(allow('S', { Action: 'es:*', Resource: `arn:aws:es:eu-west-?:${ACCT}:domain/camunda/*` })),
      ],
      request: es('es:ESHttpGet'),
      decision: 'Allow',
      allowedBy: ['S'],
    },
    {
      name: '? does not match an empty string',
      policies: [
        doc(allow('S', { Action: 'es:*', Resource: `arn:aws:es:eu-west-1?:${ACCT}:domain/camunda/*` })),
      ],
      request: es('es:ESHttpGet'),
      decision: 'ImplicitDeny',
    },
    {
      name: 'Resource as an array, second entry matches',
      policies: [doc(allow('S', { Action: 'es:*', Resource: ['arn:aws:s3:::bucket', `${DOMAIN}/*`] }))],
      request: es('es:ESHttpGet'),
      decision: 'Allow',
      allowedBy: ['S'],
    },
    {
      name: 'NotResource allows resources it does not list',
      policies: [doc(allow('S', { Action: 'es:*', NotResource: 'arn:aws:es:*:*:domain/secret/*' }))],
      request: es('es:ESHttpGet'),
      decision: 'Allow',
      allowedBy: ['S'],
    },
    {
      name: 'NotResource does not allow a resource it lists',
      policies: [doc(allow('S', { Action: 'es:*', NotResource: `${DOMAIN}/*` }))],
      request: es('es:ESHttpGet'),
      decision: 'ImplicitDeny',
    },
  ]);
});

describe('evaluate: rds-db:connect on the component cluster and user', () => {
  const statement = (resource: string) =>
    doc(allow('Connect', { Action: 'rds-db:connect', Resource: resource }));
  runCases([
    {
      name: 'right cluster, right user',
      policies: [statement(IDENTITY_DB)],
      request: connect(IDENTITY_DB),
      decision: 'Allow',
      allowedBy: ['Connect'],
    },
    {
      name: 'wrong cluster resource id',
      policies: [statement(rdsDbUserArn('aws', REGION, ACCT, 'cluster-OTHERCLUSTER0000000000', 'identity'))],
      request: connect(IDENTITY_DB),
      decision: 'ImplicitDeny',
    },
    {
      name: 'wrong DB user',
      policies: [statement(rdsDbUserArn('aws', REGION, ACCT, CLUSTER, 'keycloak'))],
      request: connect(IDENTITY_DB),
      decision: 'ImplicitDeny',
    },
    {
      name: 'wrong region',
      policies: [statement(rdsDbUserArn('aws', 'eu-central-1', ACCT, CLUSTER, 'identity'))],
      request: connect(IDENTITY_DB),
      decision: 'ImplicitDeny',
    },
    {
      name: 'any user of the right cluster',
      policies: [statement(rdsDbUserArn('aws', REGION, ACCT, CLUSTER, '*'))],
      request: connect(IDENTITY_DB),
      decision: 'Allow',
      allowedBy: ['Connect'],
    },
    {
      name: 'rds-db:* on another cluster still denied (original passed it)',
      policies: [
        doc(
          allow('All', {
            Action: 'rds-db:*',
            Resource: `arn:aws:rds-db:${REGION}:${ACCT}:dbuser:cluster-X/*`,
          }),
        ),
      ],
      request: connect(IDENTITY_DB),
      decision: 'ImplicitDeny',
    },
    {
      name: 'user prefix wildcard does not cover a longer name in another cluster',
      policies: [statement(`arn:aws:rds-db:${REGION}:${ACCT}:dbuser:cluster-ABC*/ident*`)],
      request: connect(rdsDbUserArn('aws', REGION, ACCT, 'cluster-XYZ', 'identity')),
      decision: 'ImplicitDeny',
    },
  ]);
});

describe('evaluate: explicit deny', () => {
  const allowAll = allow('AllowAll', { Action: '*', Resource: '*' });
  runCases([
    {
      name: 'Deny overrides Allow in the same policy',
      policies: [doc(allowAll, deny('NoDb', { Action: 'rds-db:connect', Resource: '*' }))],
      request: connect(IDENTITY_DB),
      decision: 'ExplicitDeny',
      allowedBy: ['AllowAll'],
      deniedBy: ['NoDb'],
    },
    {
      name: 'Deny in another policy overrides Allow',
      policies: [doc(allowAll), doc(deny('NoDb', { Action: 'rds-db:*', Resource: IDENTITY_DB }))],
      request: connect(IDENTITY_DB),
      decision: 'ExplicitDeny',
      allowedBy: ['AllowAll'],
      deniedBy: ['NoDb'],
    },
    {
      name: 'Deny with NotResource denies everything but the listed resource',
      policies: [doc(allowAll, deny('OnlyOther', { Action: 'rds-db:connect', NotResource: `${DOMAIN}/*` }))],
      request: connect(IDENTITY_DB),
      decision: 'ExplicitDeny',
      allowedBy: ['AllowAll'],
      deniedBy: ['OnlyOther'],
    },
    {
      name: 'Deny with NotResource spares the listed resource',
      policies: [doc(allowAll, deny('OnlyThis', { Action: 'rds-db:connect', NotResource: IDENTITY_DB }))],
      request: connect(IDENTITY_DB),
      decision: 'Allow',
      allowedBy: ['AllowAll'],
    },
    {
      name: 'Deny with NotAction denies other actions',
      policies: [doc(allowAll, deny('OnlyEs', { NotAction: 'es:*', Resource: '*' }))],
      request: connect(IDENTITY_DB),
      decision: 'ExplicitDeny',
      allowedBy: ['AllowAll'],
      deniedBy: ['OnlyEs'],
    },
    {
      name: 'Deny with NotAction spares the listed actions',
      policies: [doc(allowAll, deny('OnlyEs', { NotAction: 'es:*', Resource: '*' }))],
      request: es('es:ESHttpGet'),
      decision: 'Allow',
      allowedBy: ['AllowAll'],
    },
    {
      name: 'Deny on another resource does not apply',
      policies: [doc(allowAll, deny('NoOther', { Action: '*', Resource: 'arn:aws:s3:::*' }))],
      request: connect(IDENTITY_DB),
      decision: 'Allow',
      allowedBy: ['AllowAll'],
    },
    {
      name: 'Deny alone is still a deny, without any Allow',
      policies: [doc(deny('NoDb', { Action: 'rds-db:*', Resource: '*' }))],
      request: connect(IDENTITY_DB),
      decision: 'ExplicitDeny',
      deniedBy: ['NoDb'],
    },
    {
      name: 'statements without Sid are reported by index',
      policies: [
        doc(
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { Effect: 'Deny', Action: 'rds-db:*', Resource: '*' },
        ),
      ],
      request: connect(IDENTITY_DB),
      decision: 'ExplicitDeny',
      allowedBy: ['#0'],
      deniedBy: ['#1'],
    },
  ]);
});

/** The trust policy eksctl / the Camunda docs generate, with a customisable condition block. */
const trust = (
  Condition: Record<string, unknown> | undefined,
  principal = PROVIDER,
  action: unknown = 'sts:AssumeRoleWithWebIdentity',
) =>
  doc({
    Sid: 'Irsa',
    Effect: 'Allow',
    Principal: { Federated: principal },
    Action: action,
    ...(Condition ? { Condition } : {}),
  });

describe('trustAdmits', () => {
  interface TrustCase {
    name: string;
    trust: unknown;
    sub?: string;
    aud?: string;
    provider?: string;
    decision: DecisionKind;
  }
  const cases: TrustCase[] = [
    {
      name: 'StringEquals on the exact sub',
      trust: trust({ StringEquals: { [`${HOST}:sub`]: SUB } }),
      decision: 'Allow',
    },
    {
      name: 'sub names another service account',
      trust: trust({ StringEquals: { [`${HOST}:sub`]: 'system:serviceaccount:camunda:other' } }),
      decision: 'ImplicitDeny',
    },
    {
      name: 'sub names another namespace',
      trust: trust({ StringEquals: { [`${HOST}:sub`]: 'system:serviceaccount:default:camunda-identity' } }),
      decision: 'ImplicitDeny',
    },
    {
      name: 'one of several sub values matches (OR)',
      trust: trust({ StringEquals: { [`${HOST}:sub`]: ['system:serviceaccount:camunda:other', SUB] } }),
      decision: 'Allow',
    },
    {
      name: 'StringLike with system:serviceaccount:camunda:* admits',
      trust: trust({ StringLike: { [`${HOST}:sub`]: 'system:serviceaccount:camunda:*' } }),
      decision: 'Allow',
    },
    {
      name: 'StringLike with another namespace wildcard does not admit',
      trust: trust({ StringLike: { [`${HOST}:sub`]: 'system:serviceaccount:camunda-dev:*' } }),
      decision: 'ImplicitDeny',
    },
    {
      name: 'StringEquals with a wildcard string does NOT wildcard-match',
      trust: trust({ StringEquals: { [`${HOST}:sub`]: 'system:serviceaccount:camunda:*' } }),
      decision: 'ImplicitDeny',
    },
    {
      name: 'StringEquals is case-sensitive on values',
      trust: trust({ StringEquals: { [`${HOST}:sub`]: SUB.toUpperCase() } }),
      decision: 'ImplicitDeny',
    },
    {
      name: 'sub and aud both required (AND) and both match',
      trust: trust({ StringEquals: { [`${HOST}:sub`]: SUB, [`${HOST}:aud`]: 'sts.amazonaws.com' } }),
      decision: 'Allow',
    },
    {
      name: 'aud condition requires sts.amazonaws.com, token has another audience',
      trust: trust({ StringEquals: { [`${HOST}:sub`]: SUB, [`${HOST}:aud`]: 'sts.amazonaws.com' } }),
      aud: 'camunda',
      decision: 'ImplicitDeny',
    },
    {
      name: 'aud condition names another audience than sts.amazonaws.com',
      trust: trust({ StringEquals: { [`${HOST}:aud`]: 'sts.amazonaws.com.cn' } }),
      decision: 'ImplicitDeny',
    },
    {
      name: 'sub under StringLike and aud under StringEquals (operators AND)',
      trust: trust({
        StringLike: { [`${HOST}:sub`]: 'system:serviceaccount:camunda:camunda-*' },
        StringEquals: { [`${HOST}:aud`]: 'sts.amazonaws.com' },
      }),
      decision: 'Allow',
    },
    {
      name: 'one operator fails: whole statement fails',
      trust: trust({
        StringLike: { [`${HOST}:sub`]: 'system:serviceaccount:camunda:camunda-*' },
        StringEquals: { [`${HOST}:aud`]: 'other' },
      }),
      decision: 'ImplicitDeny',
    },
    {
      name: 'condition key case differs from the request (issuer ID in lower case)',
      trust: trust({ StringEquals: { [`${HOST.toLowerCase()}:SUB`]: SUB } }),
      decision: 'Allow',
    },
    {
      name: "condition on another cluster's issuer key is a missing key",
      trust: trust({ StringEquals: { [`${OTHER_ISSUER.replace('https://', '')}:sub`]: SUB } }),
      decision: 'ImplicitDeny',
    },
    {
      name: "principal is another cluster's OIDC provider",
      trust: trust({ StringEquals: { [`${HOST}:sub`]: SUB } }, OTHER_PROVIDER),
      decision: 'ImplicitDeny',
    },
    {
      name: 'request from the other provider against this trust policy',
      trust: trust({ StringEquals: { [`${HOST}:sub`]: SUB } }),
      provider: OTHER_PROVIDER,
      decision: 'ImplicitDeny',
    },
    {
      name: 'Action as an array (original missed it)',
      trust: trust({ StringEquals: { [`${HOST}:sub`]: SUB } }, PROVIDER, ['sts:AssumeRoleWithWebIdentity']),
      decision: 'Allow',
    },
    {
      name: 'only sts:AssumeRole allowed',
      trust: trust({ StringEquals: { [`${HOST}:sub`]: SUB } }, PROVIDER, 'sts:AssumeRole'),
      decision: 'ImplicitDeny',
    },
    {
      name: 'no condition at all admits any service account of the cluster',
      trust: trust(undefined),
      sub: 'system:serviceaccount:kube-system:anything',
      decision: 'Allow',
    },
    {
      name: 'Service principal does not admit a web identity',
      trust: doc({
        Sid: 'Ec2',
        Effect: 'Allow',
        Principal: { Service: 'ec2.amazonaws.com' },
        Action: 'sts:AssumeRole',
      }),
      decision: 'ImplicitDeny',
    },
    {
      name: 'Deny for the service account overrides the Allow',
      trust: doc(
        {
          Sid: 'Irsa',
          Effect: 'Allow',
          Principal: { Federated: PROVIDER },
          Action: 'sts:AssumeRoleWithWebIdentity',
        },
        {
          Sid: 'NoIdentity',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sts:*',
          Condition: { StringEquals: { [`${HOST}:sub`]: SUB } },
        },
      ),
      decision: 'ExplicitDeny',
    },
    {
      name: 'URL-encoded trust policy from GetRole',
      trust: encodeURIComponent(JSON.stringify(trust({ StringEquals: { [`${HOST}:sub`]: SUB } }))),
      decision: 'Allow',
    },
  ];
  it.each(cases)('$name', ({ trust: t, sub = SUB, aud, provider = PROVIDER, decision }) => {
    const result = trustAdmits(normalizePolicy(t), { providerArn: provider, sub, ...(aud ? { aud } : {}) });
    expect(result.decision).toBe(decision);
    if (decision === 'Allow') expect(ids(result.allowedBy)).toEqual(['Irsa']);
  });

  it('names the denying statement', () => {
    const t = normalizePolicy(cases.find((c) => c.name.startsWith('Deny for'))!.trust);
    const result = trustAdmits({ doc: t, label: 'trust policy' }, { providerArn: PROVIDER, sub: SUB });
    expect(result.deniedBy.map(describeStatement)).toEqual([
      'statement "NoIdentity" of policy "trust policy"',
    ]);
  });

  it('rejects a provider ARN that is not an OIDC provider', () => {
    expect(() => trustAdmits(normalizePolicy(trust(undefined)), { providerArn: ROLE, sub: SUB })).toThrow(
      /not an IAM OIDC provider ARN/,
    );
  });
});

describe('evaluate: condition operators', () => {
  const st = (Condition: Record<string, unknown>) =>
    doc(allow('C', { Action: 'es:ESHttpGet', Resource: '*', Condition }));
  const withContext = (context: Request['context']): Request => ({
    ...es('es:ESHttpGet'),
    context,
    otherKeys: 'absent',
  });
  const groups = ['camunda-admins', 'readers'];
  const cases: Array<[string, Record<string, unknown>, Request['context'], DecisionKind]> = [
    [
      'StringNotEquals: different value holds',
      { StringNotEquals: { 'aws:PrincipalTag/team': 'ops' } },
      { 'aws:PrincipalTag/team': 'dev' },
      'Allow',
    ],
    [
      'StringNotEquals: equal value fails',
      { StringNotEquals: { 'aws:PrincipalTag/team': 'ops' } },
      { 'aws:PrincipalTag/team': 'ops' },
      'ImplicitDeny',
    ],
    [
      'StringNotEquals: missing key holds',
      { StringNotEquals: { 'aws:PrincipalTag/team': 'ops' } },
      {},
      'Allow',
    ],
    [
      'StringNotEquals with several values: must equal none',
      { StringNotEquals: { 'aws:PrincipalTag/team': ['ops', 'dev'] } },
      { 'aws:PrincipalTag/team': 'dev' },
      'ImplicitDeny',
    ],
    [
      'StringEquals: missing key fails',
      { StringEquals: { 'aws:PrincipalTag/team': 'ops' } },
      {},
      'ImplicitDeny',
    ],
    [
      'StringEqualsIfExists: missing key holds',
      { StringEqualsIfExists: { 'aws:PrincipalTag/team': 'ops' } },
      {},
      'Allow',
    ],
    [
      'StringEqualsIfExists: present and different fails',
      { StringEqualsIfExists: { 'aws:PrincipalTag/team': 'ops' } },
      { 'aws:PrincipalTag/team': 'dev' },
      'ImplicitDeny',
    ],
    [
      'StringEqualsIgnoreCase matches other case',
      { StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'OPS' } },
      { 'aws:PrincipalTag/team': 'ops' },
      'Allow',
    ],
    [
      'StringNotEqualsIgnoreCase fails on other case',
      { StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'OPS' } },
      { 'aws:PrincipalTag/team': 'ops' },
      'ImplicitDeny',
    ],
    [
      'StringLike is case-sensitive',
      { StringLike: { 'aws:PrincipalTag/team': 'OP*' } },
      { 'aws:PrincipalTag/team': 'ops' },
      'ImplicitDeny',
    ],
    [
      'StringLike with ?',
      { StringLike: { 'aws:PrincipalTag/team': 'o?s' } },
      { 'aws:PrincipalTag/team': 'ops' },
      'Allow',
    ],
    [
      'StringNotLike: matching value fails',
      { StringNotLike: { 'aws:PrincipalTag/team': 'o*' } },
      { 'aws:PrincipalTag/team': 'ops' },
      'ImplicitDeny',
    ],
    ['StringNotLike: missing key holds', { StringNotLike: { 'aws:PrincipalTag/team': 'o*' } }, {}, 'Allow'],
    [
      'condition keys are case-insensitive',
      { StringEquals: { 'aws:sourcearn': ROLE } },
      { 'aws:SourceArn': ROLE },
      'Allow',
    ],
    ['ArnEquals exact', { ArnEquals: { 'aws:SourceArn': ROLE } }, { 'aws:SourceArn': ROLE }, 'Allow'],
    [
      'ArnLike with wildcard',
      { ArnLike: { 'aws:SourceArn': `arn:aws:iam::${ACCT}:role/camunda/*` } },
      { 'aws:SourceArn': ROLE },
      'Allow',
    ],
    [
      'ArnLike on another account',
      { ArnLike: { 'aws:SourceArn': `arn:aws:iam::${OTHER_ACCT}:role/*` } },
      { 'aws:SourceArn': ROLE },
      'ImplicitDeny',
    ],
    [
      'ArnNotLike on a matching ARN fails',
      { ArnNotLike: { 'aws:SourceArn': 'arn:aws:iam::*:role/camunda/*' } },
      { 'aws:SourceArn': ROLE },
      'ImplicitDeny',
    ],
    [
      'ArnNotEquals on another ARN holds',
      { ArnNotEquals: { 'aws:SourceArn': `${ROLE}-x` } },
      { 'aws:SourceArn': ROLE },
      'Allow',
    ],
    [
      'Bool true as JSON boolean',
      { Bool: { 'aws:SecureTransport': true } },
      { 'aws:SecureTransport': true },
      'Allow',
    ],
    [
      'Bool "true" against false',
      { Bool: { 'aws:SecureTransport': 'true' } },
      { 'aws:SecureTransport': false },
      'ImplicitDeny',
    ],
    ['Bool against a missing key fails', { Bool: { 'aws:SecureTransport': 'true' } }, {}, 'ImplicitDeny'],
    [
      'BoolIfExists against a missing key holds',
      { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
      {},
      'Allow',
    ],
    ['Null true: key absent holds', { Null: { 'aws:PrincipalTag/team': 'true' } }, {}, 'Allow'],
    [
      'Null true: key present fails',
      { Null: { 'aws:PrincipalTag/team': 'true' } },
      { 'aws:PrincipalTag/team': 'ops' },
      'ImplicitDeny',
    ],
    [
      'Null false: key present holds',
      { Null: { 'aws:PrincipalTag/team': 'false' } },
      { 'aws:PrincipalTag/team': 'ops' },
      'Allow',
    ],
    ['Null false: key absent fails', { Null: { 'aws:PrincipalTag/team': false } }, {}, 'ImplicitDeny'],
    [
      'ForAnyValue: one request value in the set',
      { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['readers', 'x'] } },
      { 'aws:TagKeys': groups },
      'Allow',
    ],
    [
      'ForAnyValue: no request value in the set',
      { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['x', 'y'] } },
      { 'aws:TagKeys': groups },
      'ImplicitDeny',
    ],
    [
      'ForAnyValue: missing key fails',
      { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['x'] } },
      {},
      'ImplicitDeny',
    ],
    [
      'ForAnyValue: empty list is missing',
      { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['x'] } },
      { 'aws:TagKeys': [] },
      'ImplicitDeny',
    ],
    [
      'ForAnyValue:StringLike with wildcard',
      { 'ForAnyValue:StringLike': { 'aws:TagKeys': 'camunda-*' } },
      { 'aws:TagKeys': groups },
      'Allow',
    ],
    [
      'ForAllValues: every request value in the set',
      { 'ForAllValues:StringEquals': { 'aws:TagKeys': [...groups, 'x'] } },
      { 'aws:TagKeys': groups },
      'Allow',
    ],
    [
      'ForAllValues: one request value outside the set',
      { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['readers'] } },
      { 'aws:TagKeys': groups },
      'ImplicitDeny',
    ],
    [
      'ForAllValues: missing key holds (vacuous truth)',
      { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['readers'] } },
      {},
      'Allow',
    ],
    [
      'ForAllValues:StringNotLike: no value matches',
      { 'ForAllValues:StringNotLike': { 'aws:TagKeys': 'admin*' } },
      { 'aws:TagKeys': groups },
      'Allow',
    ],
    [
      'ForAnyValue:StringEqualsIfExists: missing key holds',
      { 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': ['x'] } },
      {},
      'Allow',
    ],
    [
      'single-valued StringEquals on a list: any value may match',
      { StringEquals: { 'aws:TagKeys': 'readers' } },
      { 'aws:TagKeys': groups },
      'Allow',
    ],
    [
      'single-valued StringNotEquals on a list: no value may match',
      { StringNotEquals: { 'aws:TagKeys': 'readers' } },
      { 'aws:TagKeys': groups },
      'ImplicitDeny',
    ],
    [
      'two keys under one operator: both must hold',
      { StringEquals: { 'aws:PrincipalTag/team': 'ops', 'aws:PrincipalTag/env': 'prod' } },
      { 'aws:PrincipalTag/team': 'ops', 'aws:PrincipalTag/env': 'dev' },
      'ImplicitDeny',
    ],
    [
      'undefined context value counts as missing',
      { StringEquals: { 'aws:PrincipalTag/team': 'ops' } },
      { 'aws:PrincipalTag/team': undefined },
      'ImplicitDeny',
    ],
  ];
  it.each(cases)('%s', (_name, condition, context, decision) => {
    const result = evaluate([normalizePolicy(st(condition))], withContext(context));
    expect(result.decision).toBe(decision);
    expect(ids(result.allowedBy)).toEqual(decision === 'Allow' ? ['C'] : []);
    expect(result.undetermined).toEqual([]);
  });

  it('an unknown operator leaves the decision undetermined, naming the statement and the operator', () => {
    const policy = {
      doc: normalizePolicy(st({ StringMatchesRegex: { 'aws:PrincipalTag/team': 'o.s' } })),
      label: 'os-access',
    };
    const result = evaluate([policy], withContext({ 'aws:PrincipalTag/team': 'ops' }));
    expect(result.decision).toBe('Undetermined');
    expect(undeterminedReason(result)).toBe(
      'statement "C" of policy "os-access" (Allow) may apply: condition operator "StringMatchesRegex" is not supported',
    );
  });
});

describe('evaluate: principals in resource policies', () => {
  const accessPolicy = (Principal: unknown) =>
    doc(allow('Os', { Principal, Action: 'es:ESHttp*', Resource: `${DOMAIN}/*` }));
  const asRole = (id: string, type: 'AWS' | 'Federated' | 'Service' = 'AWS'): Request => ({
    ...es('es:ESHttpPost'),
    principal: { type, id },
  });
  runCases([
    {
      name: 'Principal "*"',
      policies: [accessPolicy('*')],
      request: asRole(ROLE),
      decision: 'Allow',
      allowedBy: ['Os'],
    },
    {
      name: 'AWS "*"',
      policies: [accessPolicy({ AWS: '*' })],
      request: asRole(ROLE),
      decision: 'Allow',
      allowedBy: ['Os'],
    },
    {
      name: 'exact role ARN',
      policies: [accessPolicy({ AWS: ROLE })],
      request: asRole(ROLE),
      decision: 'Allow',
      allowedBy: ['Os'],
    },
    {
      name: 'role ARN in a list',
      policies: [accessPolicy({ AWS: [`arn:aws:iam::${ACCT}:role/other`, ROLE] })],
      request: asRole(ROLE),
      decision: 'Allow',
      allowedBy: ['Os'],
    },
    {
      name: 'another role of the same account',
      policies: [accessPolicy({ AWS: `arn:aws:iam::${ACCT}:role/other` })],
      request: asRole(ROLE),
      decision: 'ImplicitDeny',
    },
    {
      name: 'account root ARN',
      policies: [accessPolicy({ AWS: `arn:aws:iam::${ACCT}:root` })],
      request: asRole(ROLE),
      decision: 'Allow',
      allowedBy: ['Os'],
    },
    {
      name: 'bare account id',
      policies: [accessPolicy({ AWS: ACCT })],
      request: asRole(ROLE),
      decision: 'Allow',
      allowedBy: ['Os'],
    },
    {
      name: 'another account',
      policies: [accessPolicy({ AWS: OTHER_ACCT })],
      request: asRole(ROLE),
      decision: 'ImplicitDeny',
    },
    {
      name: 'role principal covers its assumed-role session',
      policies: [accessPolicy({ AWS: ROLE })],
      request: asRole(`arn:aws:sts::${ACCT}:assumed-role/orchestration/botocore-session-1`),
      decision: 'Allow',
      allowedBy: ['Os'],
    },
    {
      name: 'principal type must match',
      policies: [accessPolicy({ Service: 'es.amazonaws.com' })],
      request: asRole(ROLE),
      decision: 'ImplicitDeny',
    },
    {
      name: 'Service principal',
      policies: [accessPolicy({ Service: 'es.amazonaws.com' })],
      request: asRole('es.amazonaws.com', 'Service'),
      decision: 'Allow',
      allowedBy: ['Os'],
    },
    {
      name: 'Federated principal must be named exactly',
      policies: [accessPolicy({ Federated: PROVIDER })],
      request: asRole(OTHER_PROVIDER, 'Federated'),
      decision: 'ImplicitDeny',
    },
    {
      name: 'principal statement without a principal in the request',
      policies: [accessPolicy({ AWS: ROLE })],
      request: es('es:ESHttpPost'),
      decision: 'ImplicitDeny',
    },
  ]);

  it('NotPrincipal with Allow applies to a principal it does not list', () => {
    const policy = doc(allow('Np', { NotPrincipal: { AWS: OTHER_ACCT }, Action: 'es:*', Resource: '*' }));
    const result = evaluate([normalizePolicy(policy)], asRole(ROLE));
    expect(result.decision).toBe('Allow');
    expect(ids(result.allowedBy)).toEqual(['Np']);
  });
});

describe('evaluate: partitions', () => {
  const cn = rdsDbUserArn('aws-cn', 'cn-north-1', ACCT, CLUSTER, 'identity');
  const gov = esDomainArn('aws-us-gov', 'us-gov-west-1', ACCT, 'camunda');
  runCases([
    {
      name: 'aws-cn resource',
      policies: [doc(allow('Cn', { Action: 'rds-db:connect', Resource: cn }))],
      request: connect(cn),
      decision: 'Allow',
      allowedBy: ['Cn'],
    },
    {
      name: 'aws partition policy does not cover an aws-cn resource',
      policies: [
        doc(allow('Aws', { Action: 'rds-db:connect', Resource: `arn:aws:rds-db:*:${ACCT}:dbuser:*/*` })),
      ],
      request: connect(cn),
      decision: 'ImplicitDeny',
    },
    {
      name: 'aws-us-gov resource via wildcard partition',
      policies: [doc(allow('Gov', { Action: 'es:ESHttpGet', Resource: 'arn:aws*:es:*:*:domain/camunda/*' }))],
      request: es('es:ESHttpGet', `${gov}/_search`),
      decision: 'Allow',
      allowedBy: ['Gov'],
    },
    {
      name: 'aws-us-gov account root principal',
      policies: [
        doc(allow('Gov', { Principal: { AWS: `arn:aws-us-gov:iam::${ACCT}:root` }, Action: 'es:*' })),
      ],
      request: {
        action: 'es:ESHttpGet',
        principal: { type: 'AWS', id: `arn:aws-us-gov:iam::${ACCT}:role/r` },
      },
      decision: 'Allow',
      allowedBy: ['Gov'],
    },
  ]);

  it('aws-cn trust policy with a China OIDC provider', () => {
    const issuer = 'https://oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC';
    const provider = oidcProviderArn('aws-cn', ACCT, issuer);
    const t = trust(
      {
        StringEquals: {
          'oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC:sub': SUB,
          'oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC:aud': 'sts.amazonaws.com',
        },
      },
      provider,
    );
    expect(trustAdmits(normalizePolicy(t), { providerArn: provider, sub: SUB }).decision).toBe('Allow');
  });
});

describe('evaluateWithBoundary', () => {
  const identity = [
    {
      label: 'camunda-db',
      doc: normalizePolicy(doc(allow('Connect', { Action: 'rds-db:connect', Resource: IDENTITY_DB }))),
    },
  ];
  const boundaryOf = (st: unknown) => ({ label: 'boundary', doc: normalizePolicy(doc(st)) });
  const cases: Array<{
    name: string;
    boundary: ReturnType<typeof boundaryOf> | undefined;
    decision: DecisionKind;
    allowedBy: string[];
    deniedBy: string[];
    boundaryDecision?: DecisionKind;
  }> = [
    {
      name: 'no boundary: identity decides',
      boundary: undefined,
      decision: 'Allow',
      allowedBy: ['Connect'],
      deniedBy: [],
    },
    {
      name: 'boundary allows too',
      boundary: boundaryOf(allow('Cap', { Action: ['rds-db:*', 'es:*'], Resource: '*' })),
      decision: 'Allow',
      allowedBy: ['Connect', 'Cap'],
      deniedBy: [],
      boundaryDecision: 'Allow',
    },
    {
      name: 'boundary does not allow what identity allows',
      boundary: boundaryOf(allow('Cap', { Action: 'es:*', Resource: '*' })),
      decision: 'ImplicitDeny',
      allowedBy: ['Connect'],
      deniedBy: [],
      boundaryDecision: 'ImplicitDeny',
    },
    {
      name: 'boundary allows another cluster only',
      boundary: boundaryOf(
        allow('Cap', { Action: 'rds-db:connect', Resource: `arn:aws:rds-db:*:*:dbuser:cluster-OTHER/*` }),
      ),
      decision: 'ImplicitDeny',
      allowedBy: ['Connect'],
      deniedBy: [],
      boundaryDecision: 'ImplicitDeny',
    },
    {
      name: 'boundary denies explicitly',
      boundary: boundaryOf(deny('NoDb', { Action: 'rds-db:*', Resource: '*' })),
      decision: 'ExplicitDeny',
      allowedBy: ['Connect'],
      deniedBy: ['NoDb'],
      boundaryDecision: 'ExplicitDeny',
    },
  ];
  it.each(cases)('$name', ({ boundary, decision, allowedBy, deniedBy, boundaryDecision }) => {
    const result = evaluateWithBoundary(identity, boundary, connect(IDENTITY_DB));
    expect(result.decision).toBe(decision);
    expect(ids(result.allowedBy)).toEqual(allowedBy);
    expect(ids(result.deniedBy)).toEqual(deniedBy);
    expect(result.identity.decision).toBe('Allow');
    expect(result.boundary?.decision).toBe(boundaryDecision);
  });

  it('a boundary cannot grant what identity does not allow', () => {
    const boundary = boundaryOf(allow('Cap', { Action: '*', Resource: '*' }));
    const result = evaluateWithBoundary(identity, boundary, es('es:ESHttpGet'));
    expect(result.decision).toBe('ImplicitDeny');
    expect(result.identity.decision).toBe('ImplicitDeny');
    expect(result.boundary?.decision).toBe('Allow');
  });
});

describe('normalizePolicy', () => {
  const plain = doc(allow('S', { Action: 'rds-db:connect', Resource: IDENTITY_DB }));
  const expected = {
    Version: '2012-10-17',
    Statement: [{ Sid: 'S', Effect: 'Allow', Action: ['rds-db:connect'], Resource: [IDENTITY_DB] }],
  };

  it.each([
    ['an object', plain],
    ['JSON text', JSON.stringify(plain, null, 2)],
    ['URL-encoded JSON (GetRolePolicy)', encodeURIComponent(JSON.stringify(plain))],
    ['a single Statement object', { Version: '2012-10-17', Statement: plain.Statement[0] }],
    ['an already normalised document', expected],
  ])('accepts %s', (_what, input) => {
    expect(normalizePolicy(input)).toEqual(expected);
  });

  it('normalises principals and condition values to lists of strings', () => {
    const p = normalizePolicy(
      doc({
        Effect: 'Allow',
        Principal: { Federated: PROVIDER, AWS: [ROLE] },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { Bool: { 'aws:SecureTransport': true }, StringEquals: { k: ['a', 'b'] } },
      }),
    );
    expect(p.Statement[0]).toEqual({
      Effect: 'Allow',
      Principal: { Federated: [PROVIDER], AWS: [ROLE] },
      Action: ['sts:AssumeRoleWithWebIdentity'],
      Condition: { Bool: { 'aws:SecureTransport': ['true'] }, StringEquals: { k: ['a', 'b'] } },
    });
  });

  it.each([
    ['not JSON', 'hello {', /not valid JSON/],
    ['broken URL encoding', '%E0%A4%A', /neither JSON nor URL-encoded/],
    ['a number', 42, /must be a JSON object, got number/],
    ['null', null, /got null/],
    ['no Statement', { Version: '2012-10-17' }, /no Statement/],
    [
      'a bad Effect',
      doc({ Effect: 'allow', Action: '*' }),
      /Statement\[0\]\.Effect must be "Allow" or "Deny"/,
    ],
    ['neither Action nor NotAction', doc({ Effect: 'Allow', Resource: '*' }), /neither Action nor NotAction/],
    [
      'both Resource and NotResource',
      doc({ Effect: 'Allow', Action: '*', Resource: '*', NotResource: 'x' }),
      /both Resource and NotResource/,
    ],
    [
      'an Action that is a number',
      doc({ Effect: 'Allow', Action: 5 }),
      /Statement\[0\]\.Action must be a string/,
    ],
    ['an empty Action list', doc({ Effect: 'Allow', Action: [] }), /non-empty list/],
    [
      'an unknown principal type',
      doc({ Effect: 'Allow', Action: '*', Principal: { User: 'x' } }),
      /unknown principal type "User"/,
    ],
    [
      'a string Condition',
      doc({ Effect: 'Allow', Action: '*', Condition: 'x' }),
      /Condition must be an object/,
    ],
    [
      'a null condition value',
      doc({ Effect: 'Allow', Action: '*', Condition: { StringEquals: { k: null } } }),
      /values must be strings/,
    ],
  ])('rejects %s', (_what, input, message) => {
    expect(() => normalizePolicy(input)).toThrow(PolicyParseError);
    expect(() => normalizePolicy(input)).toThrow(message);
  });
});

describe('describeStatement', () => {
  const st = { Effect: 'Allow' as const, Action: ['*'] };
  it.each([
    [{ index: 0, sid: 'Connect', statement: st }, 'statement "Connect"'],
    [{ index: 1, statement: st, label: 'camunda-db' }, 'statement #2 of policy "camunda-db"'],
    [{ index: 0, sid: 'S', statement: st, label: 'inline' }, 'statement "S" of policy "inline"'],
    [{ index: 3, statement: st }, 'statement #4'],
  ])('%j → %s', (m, text) => {
    expect(describeStatement(m)).toBe(text);
  });
});

describe('trust policy inspection', () => {
  const t = normalizePolicy(
    doc(
      {
        Sid: 'Irsa',
        Effect: 'Allow',
        Principal: { Federated: [PROVIDER, OTHER_PROVIDER] },
        Action: ['sts:AssumeRoleWithWebIdentity'],
        Condition: {
          StringEquals: {
            [`${HOST}:sub`]: 'system:serviceaccount:camunda:other',
            [`${HOST}:aud`]: 'sts.amazonaws.com',
          },
          StringLike: { [`${HOST}:SUB`]: 'system:serviceaccount:ops:*' },
        },
      },
      {
        Sid: 'Sts',
        Effect: 'Allow',
        Principal: { Federated: 'arn:aws:iam::1:saml-provider/x' },
        Action: 'sts:AssumeRoleWithSAML',
      },
      { Sid: 'AllSts', Effect: 'Allow', Principal: { Federated: PROVIDER }, Action: 'sts:*' },
      {
        Sid: 'Deny',
        Effect: 'Deny',
        Principal: { Federated: 'arn:aws:iam::1:oidc-provider/evil' },
        Action: '*',
      },
    ),
  );

  it('lists the Federated principals allowed to use a web identity, once each', () => {
    expect(federatedPrincipals(t)).toEqual([PROVIDER, OTHER_PROVIDER]);
  });

  it('quotes the sub conditions, whatever the key case', () => {
    expect(conditionValuesFor(t, ':sub')).toEqual([
      { operator: 'StringEquals', key: `${HOST}:sub`, values: ['system:serviceaccount:camunda:other'] },
      { operator: 'StringLike', key: `${HOST}:SUB`, values: ['system:serviceaccount:ops:*'] },
    ]);
  });

  it('quotes the aud conditions', () => {
    expect(conditionValuesFor({ doc: t, label: 'trust' }, ':aud')).toEqual([
      { operator: 'StringEquals', key: `${HOST}:aud`, values: ['sts.amazonaws.com'] },
    ]);
  });

  it('lists nothing for a trust policy without web identity', () => {
    const ec2 = normalizePolicy(
      doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }),
    );
    expect(federatedPrincipals(ec2)).toEqual([]);
    expect(conditionValuesFor(ec2, ':sub')).toEqual([]);
  });
});
