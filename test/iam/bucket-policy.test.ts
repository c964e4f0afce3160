/**
 * The S3 document store's bucket policy weighed with each component's role policies, as AWS does
 * (IAM User Guide, "Policy evaluation logic": within the bucket's account an Allow in either
 * suffices, a Deny in either refuses; a policy naming only the account delegates to IAM).
 */
import { describe, expect, it } from 'vitest';
import { cloneWorld, loadWorld, runWorld, type WorldModel } from '../support/world.js';

const IRSA = loadWorld('camunda-8.9-document-store-irsa.yaml');
const ACCT = '123456789012';
const BUCKET = 'camunda-prod-documents';
const ROLE = `arn:aws:iam::${ACCT}:role/camunda-connectors-irsa`;
const OBJECTS = `arn:aws:s3:::${BUCKET}/*`;

const withBucketPolicy = (Statement: Array<Record<string, unknown>>, plant?: (w: WorldModel) => void) => {
  const w = cloneWorld(IRSA);
  w.aws.bucketPolicies = { [BUCKET]: { Version: '2012-10-17', Statement } };
  plant?.(w);
  return w;
};
const withoutS3Policies = (w: WorldModel) => {
  const r = w.aws.roles!.find((x) => x.name === 'camunda-connectors-irsa')!;
  r.attached = [];
  r.inline = [
    { name: 'nothing-s3', document: { Statement: [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }] } },
  ];
};
const lines = async (w: WorldModel) =>
  (await runWorld(w, { pg: ['identity'], os: [] }))
    .lines('document-store')
    .filter((l) => l.includes('connectors:') || l.includes('bucket policy') || l.includes('policy of S3'));

describe('document store: the S3 bucket policy', () => {
  it('a Deny in the bucket policy refuses the role, named with its statement', async () => {
    const w = withBucketPolicy([
      {
        Sid: 'NoDelete',
        Effect: 'Deny',
        Principal: { AWS: ROLE },
        Action: 's3:DeleteObject',
        Resource: OBJECTS,
      },
    ]);
    expect(await lines(w)).toEqual([
      `[FAIL] connectors: role camunda-connectors-irsa (IRSA, account 123456789012) of camunda-connectors may not s3:DeleteObject (denied by statement "NoDelete" of policy "bucket policy of ${BUCKET}") on ${OBJECTS}`,
    ]);
  });

  it('a grant to the role in the bucket policy suffices without an S3 statement of its own', async () => {
    const w = withBucketPolicy(
      [
        {
          Sid: 'Connectors',
          Effect: 'Allow',
          Principal: { AWS: ROLE },
          Action: 's3:*Object',
          Resource: OBJECTS,
        },
      ],
      withoutS3Policies,
    );
    expect(await lines(w)).toEqual([
      `[OK] connectors: role camunda-connectors-irsa of camunda-connectors allows s3:GetObject, s3:PutObject, s3:DeleteObject on ${OBJECTS} (statement "Connectors" of policy "bucket policy of ${BUCKET}")`,
    ]);
  });

  it('a bucket policy naming only the account delegates to IAM: the role’s own policy is required', async () => {
    const w = withBucketPolicy(
      [
        {
          Sid: 'Account',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCT}:root` },
          Action: 's3:*',
          Resource: OBJECTS,
        },
      ],
      withoutS3Policies,
    );
    expect(await lines(w)).toEqual([
      `[FAIL] connectors: role camunda-connectors-irsa (IRSA, account 123456789012) of camunda-connectors may not s3:GetObject, s3:PutObject, s3:DeleteObject on ${OBJECTS}`,
    ]);
  });

  it('a bucket policy that cannot be read: one WARN, the roles judged on their own policies', async () => {
    const w = cloneWorld(IRSA);
    w.aws.errors = {
      bucketPolicy: {
        api: 'aws',
        operation: 's3:GetBucketPolicy',
        reason: 'AccessDenied',
        message: 'Access Denied',
        status: 403,
      },
    };
    const run = await runWorld(w, { pg: ['identity'], os: [] });
    expect(run.lines('document-store').filter((l) => l.startsWith('[WARN]'))).toEqual([
      `[WARN] the policy of S3 bucket ${BUCKET} cannot be read (AccessDenied): S3 access below is judged on the roles' own policies alone, without the bucket policy's Allow and Deny statements`,
    ]);
    expect(run.lines('document-store').filter((l) => l.includes('connectors:'))[0]).toMatch(
      /^\[OK\] connectors: role/,
    );
  });
});
