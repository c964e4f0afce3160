/**
 * Table tests built from the examples of the AWS IAM User Guide, each case named after the
 * page and section whose rule it checks. Policies and values are our own, shaped like the
 * guide's examples; the expected decision is what the guide's rule says.
 */
import { describe, expect, it } from 'vitest';
import {
  evaluate,
  evaluateAccess,
  evaluateWithBoundary,
  normalizePolicy,
  type DecisionKind,
  type Request,
} from '../../src/iam/policy.js';
import { undeterminedReason } from '../../src/iam/undetermined.js';

const ACCT = '111122223333';
const OTHER = '444455556666';

type Doc = Record<string, unknown>;
const doc = (...Statement: Doc[]): Doc => ({ Version: '2012-10-17', Statement });
const allow = (rest: Doc): Doc => ({ Sid: 'A', Effect: 'Allow', ...rest });
const deny = (rest: Doc): Doc => ({ Sid: 'D', Effect: 'Deny', ...rest });
/** A complete request context: keys it does not list are absent, as in the guide's worked examples. */
const req = (
  action: string,
  resource: string,
  context: Request['context'] = {},
  rest: Partial<Request> = {},
) => ({ action, resource, context, otherKeys: 'absent', ...rest }) as Request;

interface Case {
  name: string;
  policies: Doc[];
  boundary?: Doc;
  request: Request;
  decision: DecisionKind;
}

function table(page: string, cases: Case[]): void {
  describe(`IAM User Guide › ${page}`, () => {
    it.each(cases)('$name', ({ policies, boundary, request, decision }) => {
      const docs = policies.map(normalizePolicy);
      const result = boundary
        ? evaluateWithBoundary(docs, normalizePolicy(boundary), request)
        : evaluate(docs, request);
      expect(result.decision).toBe(decision);
      if (decision !== 'Undetermined') expect(result.undetermined).toEqual([]);
    });
  });
}

// ---------------------------------------------------------------- evaluation logic

const S3_OBJECT = 'arn:aws:s3:::amzn-s3-demo-bucket/report.csv';
const readObjects = allow({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::amzn-s3-demo-bucket/*' });

table('Policy evaluation logic (reference_policies_evaluation-logic)', [
  {
    name: 'Determining whether a request is allowed or denied › every request starts implicitly denied',
    policies: [doc(allow({ Action: 's3:ListBucket', Resource: '*' }))],
    request: req('s3:GetObject', S3_OBJECT),
    decision: 'ImplicitDeny',
  },
  {
    name: 'Determining whether a request is allowed or denied › an explicit Allow overrides the implicit deny',
    policies: [doc(readObjects)],
    request: req('s3:GetObject', S3_OBJECT),
    decision: 'Allow',
  },
  {
    name: 'Determining whether a request is allowed or denied › an explicit Deny in any policy overrides every Allow',
    policies: [doc(readObjects), doc(deny({ Action: 's3:*', Resource: '*' }))],
    request: req('s3:GetObject', S3_OBJECT),
    decision: 'ExplicitDeny',
  },
  {
    name: 'The difference between explicit and implicit denies › a Deny whose condition does not hold denies nothing',
    policies: [
      doc(
        readObjects,
        deny({ Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ),
    ],
    request: req('s3:GetObject', S3_OBJECT, { 'aws:SecureTransport': true }),
    decision: 'Allow',
  },
  {
    name: 'Evaluating identity-based policies with permissions boundaries › allowed only where both allow',
    policies: [doc(readObjects)],
    boundary: doc(allow({ Action: 's3:*', Resource: '*' })),
    request: req('s3:GetObject', S3_OBJECT),
    decision: 'Allow',
  },
  {
    name: 'Evaluating identity-based policies with permissions boundaries › the boundary alone grants nothing',
    policies: [doc(allow({ Action: 'ec2:*', Resource: '*' }))],
    boundary: doc(allow({ Action: 's3:*', Resource: '*' })),
    request: req('s3:GetObject', S3_OBJECT),
    decision: 'ImplicitDeny',
  },
  {
    name: 'Evaluating identity-based policies with permissions boundaries › an action outside the boundary is denied',
    policies: [doc(allow({ Action: '*', Resource: '*' }))],
    boundary: doc(allow({ Action: 'ec2:*', Resource: '*' })),
    request: req('s3:GetObject', S3_OBJECT),
    decision: 'ImplicitDeny',
  },
  {
    name: 'Evaluating identity-based policies with permissions boundaries › a Deny in the boundary wins',
    policies: [doc(readObjects)],
    boundary: doc(allow({ Action: 's3:*', Resource: '*' }), deny({ Action: 's3:GetObject', Resource: '*' })),
    request: req('s3:GetObject', S3_OBJECT),
    decision: 'ExplicitDeny',
  },
]);

// ---------------------------------------------------------------- condition operators

const R = 'arn:aws:s3:::amzn-s3-demo-bucket';
const when = (Condition: Doc, effect: 'Allow' | 'Deny' = 'Allow'): Doc[] =>
  effect === 'Allow'
    ? [doc(allow({ Action: 's3:ListBucket', Resource: R, Condition }))]
    : [
        doc(
          allow({ Action: 's3:ListBucket', Resource: R }),
          deny({ Action: 's3:ListBucket', Resource: R, Condition }),
        ),
      ];
const list = (context: Request['context']) => req('s3:ListBucket', R, context);
const OPS = 'IAM JSON policy elements: Condition operators (reference_policies_elements_condition_operators)';

table(OPS, [
  {
    name: 'String condition operators › StringEquals is case-sensitive',
    policies: when({ StringEquals: { 'aws:PrincipalTag/job-category': 'iamuser-admin' } }),
    request: list({ 'aws:PrincipalTag/job-category': 'IAMUser-Admin' }),
    decision: 'ImplicitDeny',
  },
  {
    name: 'String condition operators › StringEqualsIgnoreCase ignores case',
    policies: when({ StringEqualsIgnoreCase: { 'aws:PrincipalTag/job-category': 'iamuser-admin' } }),
    request: list({ 'aws:PrincipalTag/job-category': 'IAMUser-Admin' }),
    decision: 'Allow',
  },
  {
    name: 'String condition operators › StringLike * spans slashes',
    policies: when({ StringLike: { 's3:prefix': ['', 'home/', 'home/${aws:username}/*'] } }),
    request: list({ 's3:prefix': 'home/martha/photos/2024/', 'aws:username': 'martha' }),
    decision: 'Allow',
  },
  {
    name: "String condition operators › StringLike with a variable: another user's folder does not match",
    policies: when({ StringLike: { 's3:prefix': ['', 'home/', 'home/${aws:username}/*'] } }),
    request: list({ 's3:prefix': 'home/carlos/', 'aws:username': 'martha' }),
    decision: 'ImplicitDeny',
  },
  {
    name: 'Numeric condition operators › NumericLessThanEquals at the limit holds',
    policies: when({ NumericLessThanEquals: { 's3:max-keys': '10' } }),
    request: list({ 's3:max-keys': '10' }),
    decision: 'Allow',
  },
  {
    name: 'Numeric condition operators › NumericLessThanEquals above the limit fails',
    policies: when({ NumericLessThanEquals: { 's3:max-keys': '10' } }),
    request: list({ 's3:max-keys': '11' }),
    decision: 'ImplicitDeny',
  },
  {
    name: 'Numeric condition operators › NumericNotEquals on a different number holds',
    policies: when({ NumericNotEquals: { 's3:max-keys': '10' } }),
    request: list({ 's3:max-keys': '7' }),
    decision: 'Allow',
  },
  {
    name: 'Numeric condition operators › NumericGreaterThan compares numbers, not text',
    policies: when({ NumericGreaterThan: { 's3:max-keys': '9' } }),
    request: list({ 's3:max-keys': '10' }),
    decision: 'Allow',
  },
  {
    name: 'Date condition operators › DateGreaterThan on ISO 8601 times',
    policies: when({ DateGreaterThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } }),
    request: list({ 'aws:TokenIssueTime': '2024-05-01T12:00:00Z' }),
    decision: 'Allow',
  },
  {
    name: 'Date condition operators › DateLessThan fails once the time has passed',
    policies: when({ DateLessThan: { 'aws:CurrentTime': '2024-06-30T00:00:00Z' } }),
    request: list({ 'aws:CurrentTime': '2024-07-01T00:00:00Z' }),
    decision: 'ImplicitDeny',
  },
  {
    name: 'Date condition operators › epoch seconds compare with ISO times',
    policies: when({ DateLessThanEquals: { 'aws:EpochTime': '1719705600' } }),
    request: list({ 'aws:EpochTime': '2024-06-29T00:00:00Z' }),
    decision: 'Allow',
  },
  {
    name: 'Boolean condition operators › Bool Deny on aws:SecureTransport false denies plain HTTP',
    policies: when({ Bool: { 'aws:SecureTransport': 'false' } }, 'Deny'),
    request: list({ 'aws:SecureTransport': false }),
    decision: 'ExplicitDeny',
  },
  {
    name: 'Boolean condition operators › the same Deny spares HTTPS',
    policies: when({ Bool: { 'aws:SecureTransport': 'false' } }, 'Deny'),
    request: list({ 'aws:SecureTransport': true }),
    decision: 'Allow',
  },
  {
    name: 'Binary condition operators › BinaryEquals compares the base64 value',
    policies: when({ BinaryEquals: { 'key-name': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } }),
    request: list({ 'key-name': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' }),
    decision: 'Allow',
  },
  {
    name: 'Binary condition operators › BinaryEquals on another value fails',
    policies: when({ BinaryEquals: { 'key-name': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } }),
    request: list({ 'key-name': 'b3RoZXI=' }),
    decision: 'ImplicitDeny',
  },
  {
    name: 'IP address condition operators › IpAddress inside the CIDR block holds',
    policies: when({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }),
    request: list({ 'aws:SourceIp': '203.0.113.77' }),
    decision: 'Allow',
  },
  {
    name: 'IP address condition operators › IpAddress outside the CIDR block fails',
    policies: when({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }),
    request: list({ 'aws:SourceIp': '198.51.100.1' }),
    decision: 'ImplicitDeny',
  },
  {
    name: 'IP address condition operators › IPv6 block, either case',
    policies: when({ IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:DB8:1234:5678::/64'] } }),
    request: list({ 'aws:SourceIp': '2001:db8:1234:5678::a' }),
    decision: 'Allow',
  },
  {
    name: 'IP address condition operators › NotIpAddress Deny denies callers outside the block',
    policies: when({ NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '203.0.113.0/24'] } }, 'Deny'),
    request: list({ 'aws:SourceIp': '198.51.100.9' }),
    decision: 'ExplicitDeny',
  },
  {
    name: 'IP address condition operators › NotIpAddress Deny spares callers inside the block',
    policies: when({ NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '203.0.113.0/24'] } }, 'Deny'),
    request: list({ 'aws:SourceIp': '192.0.2.10' }),
    decision: 'Allow',
  },
  {
    name: 'Amazon Resource Name (ARN) condition operators › ArnLike with wildcards in region and resource',
    policies: when({ ArnLike: { 'aws:SourceArn': `arn:aws:cloudtrail:*:${ACCT}:trail/*` } }),
    request: list({ 'aws:SourceArn': `arn:aws:cloudtrail:us-east-2:${ACCT}:trail/main` }),
    decision: 'Allow',
  },
  {
    name: 'Amazon Resource Name (ARN) condition operators › ArnEquals honours wildcards like ArnLike',
    policies: when({ ArnEquals: { 'aws:SourceArn': `arn:aws:sns:*:${ACCT}:alerts` } }),
    request: list({ 'aws:SourceArn': `arn:aws:sns:eu-west-1:${ACCT}:alerts` }),
    decision: 'Allow',
  },
  {
    name: 'Amazon Resource Name (ARN) condition operators › ArnLike: * does not span the colon between service and region',
    policies: when({ ArnLike: { 'aws:SourceArn': `arn:aws:*:${ACCT}:alerts:x` } }),
    request: list({ 'aws:SourceArn': `arn:aws:sns:eu-west-1:${ACCT}:alerts:x` }),
    decision: 'ImplicitDeny',
  },
  {
    name: 'Amazon Resource Name (ARN) condition operators › ArnNotLike Deny spares the matching source',
    policies: when({ ArnNotLike: { 'aws:SourceArn': `arn:aws:cloudtrail:*:${ACCT}:trail/*` } }, 'Deny'),
    request: list({ 'aws:SourceArn': `arn:aws:cloudtrail:us-east-2:${ACCT}:trail/main` }),
    decision: 'Allow',
  },
  {
    name: 'Amazon Resource Name (ARN) condition operators › ArnNotEquals Deny hits another account',
    policies: when({ ArnNotEquals: { 'aws:SourceArn': `arn:aws:cloudtrail:*:${ACCT}:trail/*` } }, 'Deny'),
    request: list({ 'aws:SourceArn': `arn:aws:cloudtrail:us-east-2:${OTHER}:trail/main` }),
    decision: 'ExplicitDeny',
  },
  {
    name: '...IfExists condition operators › StringLikeIfExists holds when the key is absent',
    policies: when({ StringLikeIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*'] } }),
    request: list({}),
    decision: 'Allow',
  },
  {
    name: '...IfExists condition operators › StringLikeIfExists still tests a present key',
    policies: when({ StringLikeIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*'] } }),
    request: list({ 'ec2:InstanceType': 'm5.large' }),
    decision: 'ImplicitDeny',
  },
  {
    name: '...IfExists condition operators › NumericLessThanEqualsIfExists, BoolIfExists, IpAddressIfExists, DateLessThanIfExists, ArnLikeIfExists, BinaryEqualsIfExists on absent keys',
    policies: when({
      NumericLessThanEqualsIfExists: { 's3:max-keys': '10' },
      BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' },
      IpAddressIfExists: { 'aws:SourceIp': '203.0.113.0/24' },
      DateLessThanIfExists: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' },
      ArnLikeIfExists: { 'aws:SourceArn': 'arn:aws:sns:*:*:x' },
      BinaryEqualsIfExists: { 'key-name': 'eA==' },
    }),
    request: list({}),
    decision: 'Allow',
  },
  {
    name: 'Condition operator to check existence of condition keys › Null true holds when the key is absent',
    policies: when({ Null: { 'aws:TokenIssueTime': 'true' } }),
    request: list({}),
    decision: 'Allow',
  },
  {
    name: 'Condition operator to check existence of condition keys › Null false fails when the key is absent',
    policies: when({ Null: { 'aws:TokenIssueTime': 'false' } }),
    request: list({}),
    decision: 'ImplicitDeny',
  },
  {
    name: 'Negated operators with an absent key › StringNotEquals, ArnNotLike, NotIpAddress, NumericNotEquals, DateNotEquals all hold',
    policies: when({
      StringNotEquals: { 'aws:PrincipalTag/team': 'ops' },
      ArnNotLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:x' },
      NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' },
      NumericNotEquals: { 's3:max-keys': '10' },
      DateNotEquals: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' },
    }),
    request: list({}),
    decision: 'Allow',
  },
  {
    name: 'Negated operators with an absent key › so a negated Deny applies to a request without the key',
    policies: when({ StringNotEquals: { 'aws:PrincipalTag/team': 'ops' } }, 'Deny'),
    request: list({}),
    decision: 'ExplicitDeny',
  },
]);

// ---------------------------------------------------------------- multivalued context keys

const TABLE = `arn:aws:dynamodb:us-east-2:${ACCT}:table/Thread`;
const get = (attributes: string[]) => req('dynamodb:GetItem', TABLE, { 'dynamodb:Attributes': attributes });
const put = (attributes: string[]) => req('dynamodb:PutItem', TABLE, { 'dynamodb:Attributes': attributes });
const onlyThese = doc(
  allow({
    Action: 'dynamodb:GetItem',
    Resource: TABLE,
    Condition: { 'ForAllValues:StringLike': { 'dynamodb:Attributes': ['PostDateTime', 'Message', 'Tags'] } },
  }),
);
const noneOfThese = doc(
  allow({ Action: 'dynamodb:PutItem', Resource: TABLE }),
  deny({
    Action: 'dynamodb:PutItem',
    Resource: TABLE,
    Condition: { 'ForAnyValue:StringLike': { 'dynamodb:Attributes': ['ID', 'PostDateTime'] } },
  }),
);

table('Multivalued context keys (reference_policies_multi-value-conditions)', [
  {
    name: 'ForAllValues › every requested value is in the policy set: holds',
    policies: [onlyThese],
    request: get(['PostDateTime', 'Message']),
    decision: 'Allow',
  },
  {
    name: 'ForAllValues › one requested value outside the set: fails',
    policies: [onlyThese],
    request: get(['PostDateTime', 'UserName']),
    decision: 'ImplicitDeny',
  },
  {
    name: 'ForAllValues › an empty set of values: holds',
    policies: [onlyThese],
    request: get([]),
    decision: 'Allow',
  },
  {
    name: 'ForAllValues › the key absent: holds',
    policies: [onlyThese],
    request: req('dynamodb:GetItem', TABLE),
    decision: 'Allow',
  },
  {
    name: 'ForAnyValue › one requested value in the set: the Deny applies',
    policies: [noneOfThese],
    request: put(['UserName', 'Message', 'PostDateTime']),
    decision: 'ExplicitDeny',
  },
  {
    name: 'ForAnyValue › no requested value in the set: the Deny does not apply',
    policies: [noneOfThese],
    request: put(['UserName']),
    decision: 'Allow',
  },
  {
    name: 'ForAnyValue › an empty set of values: fails, the Deny does not apply',
    policies: [noneOfThese],
    request: put([]),
    decision: 'Allow',
  },
  {
    name: 'ForAnyValue › the key absent: fails, the Deny does not apply',
    policies: [noneOfThese],
    request: req('dynamodb:PutItem', TABLE),
    decision: 'Allow',
  },
  {
    name: 'ForAllValues with a negated operator › no requested value is in the forbidden set: holds',
    policies: [
      doc(
        allow({
          Action: 'dynamodb:GetItem',
          Resource: TABLE,
          Condition: { 'ForAllValues:StringNotEquals': { 'dynamodb:Attributes': ['ID', 'UserName'] } },
        }),
      ),
    ],
    request: get(['Message', 'Tags']),
    decision: 'Allow',
  },
]);

// ---------------------------------------------------------------- Resource, wildcards and variables

const DB_USER = `arn:aws:rds-db:us-east-2:${ACCT}:dbuser:cluster-ABCDEFGHIJKL01234/identity`;
const connect = (Resource: string | string[], context: Request['context'] = {}, version = '2012-10-17') => ({
  policies: [{ Version: version, Statement: [allow({ Action: 'rds-db:connect', Resource })] }],
  request: req('rds-db:connect', DB_USER, context),
});

table('IAM JSON policy elements: Resource (reference_policies_elements_resource)', [
  {
    name: 'Wildcards in the resource ARN › * inside the region and resource segments',
    ...connect(`arn:aws:rds-db:*:${ACCT}:dbuser:*/identity`),
    decision: 'Allow',
  },
  {
    name: 'Using wildcards in resource ARNs › a pattern missing its account segment: its region * ending the segment may match across the colon, undetermined',
    ...connect('arn:aws:rds-db:*:dbuser:*/identity'),
    decision: 'Undetermined',
  },
  {
    name: 'Using wildcards in resource ARNs › a * ending the region segment matches the account too only across a colon: undetermined',
    ...connect(`arn:aws:rds-db:*:dbuser:cluster-ABCDEFGHIJKL01234/identity`),
    decision: 'Undetermined',
  },
  {
    name: 'Using wildcards in resource ARNs › * inside a segment (not ending it) never spans a colon',
    ...connect(`arn:aws:rds-db:us-*2:dbuser:cluster-ABCDEFGHIJKL01234/identity`),
    decision: 'ImplicitDeny',
  },
  {
    name: 'Wildcards in the resource ARN › * in the last segment may span colons',
    ...connect(`arn:aws:rds-db:us-east-2:${ACCT}:*`),
    decision: 'Allow',
  },
  {
    name: 'Wildcards in the resource ARN › several wildcards in one segment',
    ...connect(`arn:aws:rds-db:us-*-?:${ACCT}:dbuser:cluster-*/ident*`),
    decision: 'Allow',
  },
  {
    name: 'Wildcards in the resource ARN › ? is exactly one character',
    ...connect(`arn:aws:rds-db:us-east-2:${ACCT}:dbuser:cluster-ABCDEFGHIJKL01234/identit?`),
    decision: 'Allow',
  },
  {
    name: 'Wildcards in the resource ARN › matching is case-sensitive',
    ...connect(`arn:aws:rds-db:us-east-2:${ACCT}:dbuser:cluster-abcdefghijkl01234/identity`),
    decision: 'ImplicitDeny',
  },
  {
    name: 'Specifying multiple resources › any one entry may match',
    ...connect([`arn:aws:rds-db:us-east-2:${ACCT}:dbuser:*/keycloak`, DB_USER]),
    decision: 'Allow',
  },
  {
    name: 'Policy variables in resource ARNs › ${aws:username} is replaced by the request value',
    ...connect(`arn:aws:rds-db:us-east-2:${ACCT}:dbuser:*/\${aws:username}`, { 'aws:username': 'identity' }),
    decision: 'Allow',
  },
  {
    name: 'Policy variables in resource ARNs › another user name does not match',
    ...connect(`arn:aws:rds-db:us-east-2:${ACCT}:dbuser:*/\${aws:username}`, { 'aws:username': 'keycloak' }),
    decision: 'ImplicitDeny',
  },
]);

table('IAM policy elements: Variables and tags (reference_policies_variables)', [
  {
    name: 'Policy variables with no value › a resource with a variable the request does not carry matches nothing',
    ...connect(`arn:aws:rds-db:us-east-2:${ACCT}:dbuser:*/\${aws:username}`),
    decision: 'ImplicitDeny',
  },
  {
    name: 'Specifying default values › the default stands in for a missing key',
    ...connect(`arn:aws:rds-db:us-east-2:${ACCT}:dbuser:*/\${aws:username, 'identity'}`),
    decision: 'Allow',
  },
  {
    name: 'Specifying default values › a present key wins over the default',
    ...connect(`arn:aws:rds-db:us-east-2:${ACCT}:dbuser:*/\${aws:username, 'identity'}`, {
      'aws:username': 'keycloak',
    }),
    decision: 'ImplicitDeny',
  },
  {
    name: 'Tags as policy variables › ${aws:PrincipalTag/…} is replaced by the tag value',
    ...connect(`arn:aws:rds-db:us-east-2:${ACCT}:dbuser:*/\${aws:PrincipalTag/db-user}`, {
      'aws:PrincipalTag/db-user': 'identity',
    }),
    decision: 'Allow',
  },
  {
    name: 'Special characters › ${*} is a literal asterisk, not a wildcard',
    ...connect(`arn:aws:rds-db:us-east-2:${ACCT}:dbuser:cluster-ABCDEFGHIJKL01234/\${*}`),
    decision: 'ImplicitDeny',
  },
  {
    name: 'Special characters › ${?} is a literal question mark, not a wildcard',
    ...connect(`arn:aws:rds-db:us-east-2:${ACCT}:dbuser:cluster-ABCDEFGHIJKL01234/identit\${?}`),
    decision: 'ImplicitDeny',
  },
  {
    name: 'Special characters › ${$} is a literal dollar sign',
    policies: [doc(allow({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/${$}{x}/${*}${?}' }))],
    request: req('s3:GetObject', 'arn:aws:s3:::bucket/${x}/*?'),
    decision: 'Allow',
  },
  {
    name: 'Where you can use policy variables › Version 2008-10-17 keeps ${…} as literal text',
    ...connect(
      `arn:aws:rds-db:us-east-2:${ACCT}:dbuser:*/\${aws:username}`,
      { 'aws:username': 'identity' },
      '2008-10-17',
    ),
    decision: 'ImplicitDeny',
  },
  {
    // The page's note: a variable AWS cannot resolve may make the whole statement invalid, so
    // "equals nothing, hence the negation holds" is not sure (iam-simulate: it does not hold).
    name: 'Introduction (note) › a variable without a value in StringNotEquals may invalidate the statement: undetermined',
    policies: when({ StringNotEquals: { 's3:prefix': 'home/${aws:username}' } }),
    request: list({ 's3:prefix': 'home/martha' }),
    decision: 'Undetermined',
  },
  {
    name: 'Introduction (note) › the same Deny next to an Allow: undetermined, never a plain Allow',
    policies: when({ StringNotEquals: { 's3:prefix': 'home/${aws:username}' } }, 'Deny'),
    request: list({ 's3:prefix': 'home/martha' }),
    decision: 'Undetermined',
  },
  {
    name: 'Condition element › variables are not substituted in Numeric operators (literal, unreadable)',
    policies: when({ NumericEquals: { 's3:max-keys': '${aws:username}' } }),
    request: list({ 's3:max-keys': '10', 'aws:username': '10' }),
    decision: 'Undetermined',
  },
]);

// ---------------------------------------------------------------- NotAction / NotResource

table('IAM JSON policy elements: NotAction (reference_policies_elements_notaction)', [
  {
    name: 'NotAction with Allow › allows every action it does not list',
    policies: [doc(allow({ NotAction: 'iam:*', Resource: '*' }))],
    request: req('s3:GetObject', S3_OBJECT),
    decision: 'Allow',
  },
  {
    name: 'NotAction with Allow › does not allow a listed action',
    policies: [doc(allow({ NotAction: 'iam:*', Resource: '*' }))],
    request: req('iam:CreateUser', `arn:aws:iam::${ACCT}:user/x`),
    decision: 'ImplicitDeny',
  },
  {
    name: 'NotAction with Deny › denies every action it does not list',
    policies: [doc(allow({ Action: '*', Resource: '*' }), deny({ NotAction: 'iam:*', Resource: '*' }))],
    request: req('s3:GetObject', S3_OBJECT),
    decision: 'ExplicitDeny',
  },
  {
    name: 'NotAction with Deny › spares a listed action',
    policies: [doc(allow({ Action: '*', Resource: '*' }), deny({ NotAction: 'iam:*', Resource: '*' }))],
    request: req('iam:GetUser', `arn:aws:iam::${ACCT}:user/x`),
    decision: 'Allow',
  },
]);

table('IAM JSON policy elements: NotResource (reference_policies_elements_notresource)', [
  {
    name: 'NotResource with Deny › denies every resource but the listed one',
    policies: [
      doc(allow({ Action: 's3:*', Resource: '*' }), deny({ Action: 's3:*', NotResource: `${R}/*` })),
    ],
    request: req('s3:GetObject', 'arn:aws:s3:::other-bucket/x'),
    decision: 'ExplicitDeny',
  },
  {
    name: 'NotResource with Deny › spares the listed resource',
    policies: [
      doc(allow({ Action: 's3:*', Resource: '*' }), deny({ Action: 's3:*', NotResource: `${R}/*` })),
    ],
    request: req('s3:GetObject', `${R}/x`),
    decision: 'Allow',
  },
  {
    name: 'NotResource with Allow › allows every resource but the listed one',
    policies: [doc(allow({ Action: 's3:*', NotResource: `${R}/*` }))],
    request: req('s3:GetObject', `${R}/x`),
    decision: 'ImplicitDeny',
  },
]);

// ---------------------------------------------------------------- NotPrincipal

const BOB = `arn:aws:iam::${OTHER}:user/Bob`;
const bucketPolicy = (NotPrincipal: Doc) =>
  doc(
    allow({ Principal: '*', Action: 's3:*', Resource: `${R}/*` }),
    deny({ NotPrincipal, Action: 's3:*', Resource: `${R}/*` }),
  );
const asPrincipal = (id: string) => req('s3:GetObject', `${R}/x`, {}, { principal: { type: 'AWS', id } });

table('AWS JSON policy elements: NotPrincipal (reference_policies_elements_notprincipal)', [
  {
    name: 'NotPrincipal with Deny › the listed user and their account are spared',
    policies: [bucketPolicy({ AWS: [BOB, `arn:aws:iam::${OTHER}:root`] })],
    request: asPrincipal(BOB),
    decision: 'Allow',
  },
  {
    name: 'NotPrincipal with Deny › a principal of another account is denied',
    policies: [bucketPolicy({ AWS: [BOB, `arn:aws:iam::${OTHER}:root`] })],
    request: asPrincipal(`arn:aws:iam::${ACCT}:user/Alice`),
    decision: 'ExplicitDeny',
  },
  {
    name: 'NotPrincipal with Deny › the role, its session and its account listed: the session is spared',
    policies: [
      bucketPolicy({
        AWS: [
          `arn:aws:sts::${OTHER}:assumed-role/audit/audit-app`,
          `arn:aws:iam::${OTHER}:role/audit`,
          `arn:aws:iam::${OTHER}:root`,
        ],
      }),
    ],
    request: asPrincipal(`arn:aws:sts::${OTHER}:assumed-role/audit/audit-app`),
    decision: 'Allow',
  },
  {
    name: 'NotPrincipal with Deny › the user listed without the account: may depend on the service, undetermined',
    policies: [bucketPolicy({ AWS: BOB })],
    request: asPrincipal(BOB),
    decision: 'Undetermined',
  },
  {
    name: 'NotPrincipal with Allow › allows every principal it does not list',
    policies: [
      doc(allow({ NotPrincipal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 's3:*', Resource: '*' })),
    ],
    request: asPrincipal(`arn:aws:iam::${ACCT}:user/Alice`),
    decision: 'Allow',
  },
]);

// ---------------------------------------------------------------- remaining limits: each undetermined, never OK

/**
 * One case per limit listed in the header of src/iam/policy.ts. Each is shown twice: as an
 * Allow with no other Allow (undetermined, not a silent deny) and as a Deny next to a sure
 * Allow (undetermined, never Allow).
 */
const LIMITS: Array<{
  limit: string;
  statement: Doc;
  context?: Request['context'];
  principal?: string;
  reason: string;
}> = [
  {
    limit: 'a condition key the request does not define',
    statement: { Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-1' } } },
    reason: 'the value of condition key aws:SourceVpc is unknown to irsa-check',
  },
  {
    limit: 'a policy variable naming a key the request does not define',
    statement: { Resource: `${R}/\${aws:PrincipalTag/team}/*` },
    reason: 'policy variable ${aws:PrincipalTag/team} has a value irsa-check cannot know',
  },
  {
    limit: 'a policy variable naming a multivalued key',
    statement: { Resource: `${R}/\${aws:TagKeys}/*` },
    context: { 'aws:TagKeys': ['a', 'b'] },
    reason: 'policy variable ${aws:TagKeys} names a multivalued key',
  },
  {
    limit: 'a malformed policy variable',
    statement: { Resource: `${R}/\${aws:username, unquoted}/*` },
    reason: 'policy variable ${aws:username, unquoted} is not well-formed',
  },
  {
    limit: 'an unsupported condition operator',
    statement: { Condition: { StringMatchesRegex: { 'aws:username': 'a.*' } } },
    context: { 'aws:username': 'alice' },
    reason: 'condition operator "StringMatchesRegex" is not supported',
  },
  {
    limit: 'Null with IfExists',
    statement: { Condition: { NullIfExists: { 'aws:username': 'true' } } },
    context: { 'aws:username': 'alice' },
    reason: 'condition operator "NullIfExists" is not valid',
  },
  {
    limit: 'a Numeric value that is not a number',
    statement: { Condition: { NumericLessThan: { 's3:max-keys': 'ten' } } },
    context: { 's3:max-keys': '5' },
    reason: '"ten" is not a number',
  },
  {
    limit: 'a Date value that is not a date',
    statement: { Condition: { DateGreaterThan: { 'aws:CurrentTime': 'tomorrow' } } },
    context: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' },
    reason: '"tomorrow" is not a date',
  },
  {
    limit: 'an IpAddress value that is not a CIDR block',
    statement: { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } } },
    context: { 'aws:SourceIp': '10.0.0.1' },
    reason: '"10.0.0.0/33" is not an IP address or CIDR block',
  },
  {
    limit: 'a Bool value that is neither true nor false',
    statement: { Condition: { Bool: { 'aws:SecureTransport': 'yes' } } },
    context: { 'aws:SecureTransport': true },
    reason: '"yes" is not true or false',
  },
  {
    limit: 'a NotPrincipal listing the role but not its account',
    statement: { NotPrincipal: { AWS: `arn:aws:iam::${ACCT}:role/app` } },
    principal: `arn:aws:iam::${ACCT}:role/app`,
    reason: `NotPrincipal lists the principal of arn:aws:iam::${ACCT}:role/app but not its account; whether the statement applies depends on the service`,
  },
  {
    limit: 'an ArnLike value with fewer than six ARN segments that would match flat',
    statement: { Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam*' } } },
    context: { 'aws:PrincipalArn': `arn:aws:iam::${ACCT}:role/app` },
    reason: '"arn:aws:iam*" is not a six-part ARN pattern',
  },
];

describe('evaluator limits (src/iam/policy.ts header): undetermined, never OK', () => {
  const request = (context: Request['context'] = {}, principal?: string): Request => ({
    action: 's3:GetObject',
    resource: `${R}/x/y`,
    context,
    ...(principal ? { principal: { type: 'AWS' as const, id: principal } } : {}),
  });
  const base = { Action: 's3:GetObject', Resource: `${R}/*` };
  it.each(LIMITS)('an Allow on $limit is undetermined', ({ statement, context, principal, reason }) => {
    const result = evaluate(
      [normalizePolicy(doc({ Sid: 'S', Effect: 'Allow', ...base, ...statement }))],
      request(context, principal),
    );
    expect(result.decision).toBe('Undetermined');
    expect(undeterminedReason(result)).toBe(`statement "S" (Allow) may apply: ${reason}`);
  });
  it.each(LIMITS)(
    'a Deny on $limit next to a sure Allow is undetermined',
    ({ statement, context, principal, reason }) => {
      const policy = doc(
        { Sid: 'Ok', Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' },
        { Sid: 'S', Effect: 'Deny', ...base, ...statement },
      );
      const result = evaluate([normalizePolicy(policy)], request(context, principal));
      expect(result.decision).toBe('Undetermined');
      expect(undeterminedReason(result)).toBe(`statement "S" (Deny) may apply: ${reason}`);
    },
  );
  it('an unknown that cannot change the outcome leaves the decision made', () => {
    const policy = doc(
      { Sid: 'Ok', Effect: 'Allow', Action: 's3:*', Resource: '*' },
      {
        Sid: 'Maybe',
        Effect: 'Allow',
        Action: 's3:*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceVpc': 'v' } },
      },
      { Sid: 'No', Effect: 'Deny', Action: 's3:*', Resource: `${R}/*` },
      {
        Sid: 'MaybeNo',
        Effect: 'Deny',
        Action: 's3:*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceVpc': 'v' } },
      },
    );
    expect(evaluate([normalizePolicy(policy)], request()).decision).toBe('ExplicitDeny');
    const allowOnly = doc(
      { Sid: 'Ok', Effect: 'Allow', Action: 's3:*', Resource: '*' },
      {
        Sid: 'Maybe',
        Effect: 'Allow',
        Action: 's3:*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceVpc': 'v' } },
      },
    );
    expect(evaluate([normalizePolicy(allowOnly)], request()).decision).toBe('Allow');
  });
  it('a permissions boundary that is undetermined makes an identity Allow undetermined', () => {
    const identity = normalizePolicy(doc({ Sid: 'Ok', Effect: 'Allow', Action: 's3:*', Resource: '*' }));
    const boundary = normalizePolicy(
      doc({
        Sid: 'B',
        Effect: 'Allow',
        Action: 's3:*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceVpc': 'v' } },
      }),
    );
    const result = evaluateWithBoundary([identity], boundary, request());
    expect(result.decision).toBe('Undetermined');
    expect(undeterminedReason(result)).toBe(
      'statement "B" (Allow) may apply: the value of condition key aws:SourceVpc is unknown to irsa-check',
    );
  });
});

// ---------------------------------------------------------------- identity and resource policies together

const ROLE = `arn:aws:iam::${ACCT}:role/app`;
const OTHER_ROLE = `arn:aws:iam::${OTHER}:role/app`;
const DOMAIN = `arn:aws:es:us-east-2:${ACCT}:domain/search/*`;
const esGet = (principal = ROLE) =>
  ({
    action: 'es:ESHttpGet',
    resource: DOMAIN,
    principal: { type: 'AWS', id: principal },
    context: {},
    otherKeys: 'absent',
  }) as Request;
const roleGrant = doc(allow({ Action: 'es:ESHttp*', Resource: DOMAIN }));
const grantTo = (AWS: string | string[], rest: Doc = {}) =>
  doc(allow({ Principal: { AWS }, Action: 'es:*', Resource: DOMAIN, ...rest }));

interface AccessCase {
  name: string;
  identity: Doc[];
  boundary?: Doc;
  resource?: Doc;
  principal?: string;
  decision: DecisionKind;
}

function accessTable(page: string, cases: AccessCase[]): void {
  describe(`IAM User Guide › ${page}`, () => {
    it.each(cases)('$name', ({ identity, boundary, resource, principal = ROLE, decision }) => {
      const result = evaluateAccess(
        {
          identity: identity.map(normalizePolicy),
          boundary: boundary && normalizePolicy(boundary),
          resourcePolicy: resource && normalizePolicy(resource),
          principalAccount: principal.split(':')[4],
          resourceAccount: ACCT,
        },
        esGet(principal),
      );
      expect(result.decision).toBe(decision);
    });
  });
}

accessTable('Policy evaluation logic › Evaluating identity-based policies with resource-based policies', [
  {
    name: 'same account: the identity policy alone allows',
    identity: [roleGrant],
    resource: grantTo(`arn:aws:iam::${ACCT}:role/other`),
    decision: 'Allow',
  },
  {
    name: 'same account: the resource policy alone allows (a grant to the role)',
    identity: [],
    resource: grantTo(ROLE),
    decision: 'Allow',
  },
  {
    name: 'same account: "AWS": "*" grants every principal, no identity policy needed',
    identity: [],
    resource: grantTo('*'),
    decision: 'Allow',
  },
  {
    name: 'same account: neither allows',
    identity: [doc(allow({ Action: 's3:*', Resource: '*' }))],
    resource: grantTo(`arn:aws:iam::${ACCT}:role/other`),
    decision: 'ImplicitDeny',
  },
  {
    name: 'an explicit Deny in the resource policy overrides the identity Allow',
    identity: [roleGrant],
    resource: doc(deny({ Principal: { AWS: ROLE }, Action: 'es:*', Resource: DOMAIN })),
    decision: 'ExplicitDeny',
  },
  {
    name: 'an explicit Deny in the identity policy overrides the resource Allow',
    identity: [doc(deny({ Action: 'es:*', Resource: '*' }))],
    resource: grantTo(ROLE),
    decision: 'ExplicitDeny',
  },
]);

accessTable('AWS JSON policy elements: Principal › AWS account principals (the account delegates to IAM)', [
  {
    name: 'a resource policy naming the account root: the identity policy is required',
    identity: [],
    resource: grantTo(`arn:aws:iam::${ACCT}:root`),
    decision: 'ImplicitDeny',
  },
  {
    name: 'a resource policy naming the account ID: the identity policy is required',
    identity: [],
    resource: grantTo(ACCT),
    decision: 'ImplicitDeny',
  },
  {
    name: 'the account named, and the identity policy allows',
    identity: [roleGrant],
    resource: grantTo(`arn:aws:iam::${ACCT}:root`),
    decision: 'Allow',
  },
]);

accessTable('Cross-account policy evaluation logic', [
  {
    name: 'the identity policy allows, the resource policy does not name the account: denied',
    identity: [roleGrant],
    resource: grantTo(`arn:aws:iam::${ACCT}:role/other`),
    principal: OTHER_ROLE,
    decision: 'ImplicitDeny',
  },
  {
    name: 'the resource policy grants the other account, its identity policy does not allow: denied',
    identity: [],
    resource: grantTo(`arn:aws:iam::${OTHER}:root`),
    principal: OTHER_ROLE,
    decision: 'ImplicitDeny',
  },
  {
    name: 'both allow: allowed',
    identity: [roleGrant],
    resource: grantTo(`arn:aws:iam::${OTHER}:root`),
    principal: OTHER_ROLE,
    decision: 'Allow',
  },
  {
    name: 'both allow, a Deny in the resource policy: denied',
    identity: [roleGrant],
    resource: doc(
      allow({ Principal: { AWS: OTHER }, Action: 'es:*', Resource: DOMAIN }),
      deny({ Principal: '*', Action: 'es:ESHttpGet', Resource: DOMAIN }),
    ),
    principal: OTHER_ROLE,
    decision: 'ExplicitDeny',
  },
]);

accessTable(
  'Policy evaluation for requests within a single account › permissions boundaries and resource policies',
  [
    {
      name: 'a grant to the role ARN in the resource policy is limited by an implicit deny in the boundary',
      identity: [],
      boundary: doc(allow({ Action: 's3:*', Resource: '*' })),
      resource: grantTo(ROLE),
      decision: 'ImplicitDeny',
    },
    {
      name: 'within the boundary, the resource policy grant suffices',
      identity: [],
      boundary: doc(allow({ Action: 'es:*', Resource: '*' })),
      resource: grantTo(ROLE),
      decision: 'Allow',
    },
    {
      // access_policies_boundaries, Important: NotPrincipal with Deny always denies a principal with a boundary.
      name: 'Permissions boundaries for IAM entities › a resource-policy Deny with NotPrincipal denies a role with a boundary whatever it lists',
      identity: [roleGrant],
      boundary: doc(allow({ Action: 'es:*', Resource: '*' })),
      resource: doc(
        allow({ Principal: { AWS: ROLE }, Action: 'es:*', Resource: DOMAIN }),
        deny({
          NotPrincipal: { AWS: [ROLE, `arn:aws:iam::${ACCT}:root`] },
          Action: 'es:*',
          Resource: DOMAIN,
        }),
      ),
      decision: 'ExplicitDeny',
    },
  ],
);
