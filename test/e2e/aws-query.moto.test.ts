/**
 * The document store's S3 queries (src/collectors/document-store.ts) sent by the real LiveAws to
 * moto through the fault proxy: S3's "none" errors become answers, and a `--assume-role` adapter
 * sends them as the role. (An error as an ApiCallError naming the query's action:
 * test/engine/adding-a-check.test.ts, with IAM, whose requests the fault proxy can refuse.)
 */
import { describe, expect, it } from 'vitest';
import { BUCKET_POLICY, BUCKET_REGION } from '../../src/collectors/document-store.js';
import { LiveAws } from '../../src/platform/live-aws.js';
import { REGION, liveAwsAgainstMoto } from '../support/live-aws-moto.js';

const moto = liveAwsAgainstMoto();

/** A bucket of its own per test (moto's bucket names are global), with or without a policy. */
async function bucket(region: string, policy?: (name: string) => string): Promise<string> {
  const s3 = await import('@aws-sdk/client-s3');
  const client = new s3.S3Client({ region, forcePathStyle: true });
  const name = `irsa-query-${Math.random().toString(36).slice(2, 10)}`;
  await client.send(
    new s3.CreateBucketCommand({
      Bucket: name,
      ...(region === 'us-east-1'
        ? {}
        : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
    }),
  );
  if (policy) await client.send(new s3.PutBucketPolicyCommand({ Bucket: name, Policy: policy(name) }));
  client.destroy();
  return name;
}

describe('S3 queries against moto', () => {
  it('GetBucketLocation: the region, us-east-1 for an empty constraint, undefined for NoSuchBucket', async () => {
    const aws = moto.live();
    const [central, east] = await Promise.all([bucket('eu-central-1'), bucket('us-east-1')]);
    expect(await aws.query(BUCKET_REGION, central)).toBe('eu-central-1');
    expect(await aws.query(BUCKET_REGION, east)).toBe('us-east-1');
    expect(await aws.query(BUCKET_REGION, 'irsa-query-no-such-bucket')).toBeUndefined();
  });

  it('GetBucketPolicy: the policy text, undefined for NoSuchBucketPolicy', async () => {
    const policy = (name: string) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${name}/*` }],
      });
    const aws = moto.live();
    const without = await bucket(REGION);
    expect(await aws.query(BUCKET_POLICY, without, REGION)).toBeUndefined();
    const name = await bucket(REGION, policy);
    expect(JSON.parse(String(await aws.query(BUCKET_POLICY, name, REGION)))).toEqual(
      JSON.parse(policy(name)),
    );
  });

  it('as another account (--assume-role): assumes the role first, then sends the query with its credentials', async () => {
    const roleArn = moto.seeded.world.aws.roles![0]!.arn;
    const other = new LiveAws({ region: REGION, assumeRoleArn: roleArn });
    const name = await bucket('eu-central-1');
    expect(await other.query(BUCKET_REGION, name)).toBe('eu-central-1');
    expect(moto.seeded.proxy.count('sts:AssumeRole')).toBe(1);
  });
});
