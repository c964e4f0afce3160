/**
 * Gathers what the S3 document store check judges. From the values (facts, the same in every
 * mode): whether the chart wires pods to an S3 store, with which keys and bucket
 * (src/helm/chart/document-store.ts). From AWS, only when the values name a bucket and AWS
 * answers (a caller identity): the bucket's region and policy and, with IRSA, each wired pod's
 * role and its policies. The role is the live ServiceAccount's annotation, or the one the chart
 * renders when there is no cluster (values + AWS) or the pods run as the namespace's default SA.
 *
 * The calls follow the evaluator's order and stop where it stops (an error that ends the module's
 * judgement ends the gathering too), so no call is made whose answer is not judged. Errors are
 * values: the evaluator reports them where the judgement meets them.
 */
import type { ModuleContext } from '../engine/module.js';
import { documentStoreAws, serviceAccountFor, type DocumentStoreAws, type StorePod } from '../helm/chart.js';
import type { Values } from '../helm/values.js';
import { ApiCallError } from '../core/errors.js';
import { describeRoleArnProblem, parseRoleArn } from '../iam/arn.js';
import { readRolePolicies, type RolePolicySet } from '../iam/role-policies.js';
import { ROLE_ARN_ANNOTATION } from '../ports/kube.js';
import { awsQuery } from '../ports/aws.js';
import type { GetBucketLocationOutput, GetBucketPolicyOutput } from '@aws-sdk/client-s3';

/**
 * S3 GetBucketLocation: the region a bucket lives in; undefined when no such bucket exists. Asked
 * in us-east-1, which answers for a bucket in any region (S3 API reference, GetBucketLocation).
 */
export const BUCKET_REGION = awsQuery({
  name: 'bucketRegion',
  service: 's3',
  command: 'GetBucketLocation',
  actions: ['s3:GetBucketLocation'],
  input: (bucket: string) => ({ region: 'us-east-1', params: { Bucket: bucket } }),
  absent: { codes: ['NoSuchBucket'], value: undefined },
  // An empty LocationConstraint is us-east-1; "EU" is the legacy name of eu-west-1.
  output: ({ LocationConstraint: where }: GetBucketLocationOutput): string | undefined =>
    !where ? 'us-east-1' : where === 'EU' ? 'eu-west-1' : where,
});

/**
 * S3 GetBucketPolicy, sent to the bucket's region: the policy as S3 stores it (JSON text);
 * undefined when the bucket has none (NoSuchBucketPolicy, 404). Only the bucket owner's account
 * may call it: an answer means the bucket is in the caller's account; another account's bucket
 * is AccessDenied (an ApiCallError).
 */
export const BUCKET_POLICY = awsQuery({
  name: 'bucketPolicy',
  service: 's3',
  command: 'GetBucketPolicy',
  actions: ['s3:GetBucketPolicy'],
  input: (bucket: string, region: string) => ({ region, params: { Bucket: bucket } }),
  absent: { codes: ['NoSuchBucketPolicy'], value: undefined },
  output: ({ Policy }: GetBucketPolicyOutput): unknown =>
    Policy === undefined || Policy === '' ? undefined : Policy,
});

/** The chart's placeholder bucket name (values.yaml). */
export const PLACEHOLDER_BUCKET = 'your-aws-bucket';

/** One wired pod's role: the ServiceAccount it runs as, the role ARN, and that role's policies. */
export type PodRole =
  | {
      pod: StorePod;
      serviceAccount: string;
      /** The eks.amazonaws.com/role-arn annotation, trimmed; undefined when there is none. */
      arn: string | undefined;
      /** Read when `arn` is a valid role ARN. */
      policies?: RolePolicySet;
    }
  /** Without a cluster, a ServiceAccount created outside the chart: its annotation cannot be seen. */
  | { pod: StorePod; serviceAccount: string; unseen: true }
  | { pod: StorePod; error: unknown };

/** What AWS answered, in the order the evaluator judges it; a later part is absent when an earlier one ended the judgement. */
export interface DocumentStoreAwsSide {
  callerAccount: string;
  bucketRegion: { region: string | undefined } | { error: unknown };
  /** With irsa.enabled, once the bucket's region is known. */
  partition?: string;
  /** GetBucketPolicy's document (undefined: the bucket has none), or the error asking it. */
  bucketPolicy?: { raw: unknown } | { error: unknown };
  /** With irsa.enabled: one per wired pod, in the chart's order. */
  pods?: PodRole[];
}

export type DocumentStoreInput =
  | { kind: 'none' }
  | {
      kind: 'store';
      values: Values;
      store: DocumentStoreAws;
      /** Values-only mode (`--values`): verdicts on unrendered `${VAR}` placeholders are dropped. */
      valuesMode: boolean;
      /** Absent without a usable bucket name or without AWS. */
      awsSide?: DocumentStoreAwsSide;
    };

type Ctx = ModuleContext<'profile' | 'values' | 'release', 'caller' | 'partition', never>;

/** A bucket the AWS side can look up: named, and not the chart's placeholder when the store is active. */
export function lookupBucket(store: DocumentStoreAws): string | undefined {
  if (store.active && (!store.bucket || store.bucket === PLACEHOLDER_BUCKET)) return undefined;
  return store.bucket;
}

async function podRole(ctx: Ctx, pod: StorePod): Promise<PodRole> {
  const { profile, values, release } = ctx.facts;
  try {
    const sa = serviceAccountFor(profile, values, release.name, pod.component);
    // camundaPlatform.serviceAccountName: switch off with a name → the chart neither creates nor
    // annotates it; without the cluster nothing says which role it has (issue 16: INFO, never OK/FAIL).
    if (ctx.scope.noCluster !== undefined && !sa.enabled && sa.how === 'values')
      return { pod, serviceAccount: sa.name, unseen: true };
    const annotated =
      ctx.scope.noCluster !== undefined || sa.how === 'default'
        ? sa.annotations
        : (await ctx.kube.serviceAccount(ctx.scope.namespace, sa.name))?.annotations;
    const arn = annotated?.[ROLE_ARN_ANNOTATION]?.trim();
    if (!arn || describeRoleArnProblem(arn)) return { pod, serviceAccount: sa.name, arn };
    const policies = await readRolePolicies(ctx.aws, parseRoleArn(arn)?.name ?? arn);
    return { pod, serviceAccount: sa.name, arn, policies };
  } catch (error) {
    return { pod, error };
  }
}

export async function collectDocumentStore(ctx: Ctx): Promise<DocumentStoreInput> {
  const { profile, values, release } = ctx.facts;
  const store = documentStoreAws(profile, values, release.name);
  if (!store) return { kind: 'none' };
  const input: DocumentStoreInput = {
    kind: 'store',
    values,
    store,
    valuesMode: ctx.options.values.length > 0,
  };
  const bucket = lookupBucket(store);
  if (!bucket) return input;
  const caller = await ctx.use('caller');
  if (!caller) return input; // no AWS: the values are all there is
  const aws: DocumentStoreAwsSide = { callerAccount: caller.account, bucketRegion: { region: undefined } };
  input.awsSide = aws;
  try {
    aws.bucketRegion = { region: await ctx.aws.query(BUCKET_REGION, bucket) };
  } catch (error) {
    aws.bucketRegion = { error };
    return input;
  }
  if (!store.irsa) return input;
  aws.partition = (await ctx.use('partition')) ?? 'aws';
  const region = aws.bucketRegion.region;
  if (region) {
    try {
      aws.bucketPolicy = { raw: await ctx.aws.query(BUCKET_POLICY, bucket, region) };
    } catch (error) {
      aws.bucketPolicy = { error };
      // Only an API refusal leaves the judgement going (the roles' own policies alone).
      if (!(error instanceof ApiCallError)) return input;
    }
  }
  aws.pods = await Promise.all(store.pods.map((pod) => podRole(ctx, pod)));
  return input;
}
