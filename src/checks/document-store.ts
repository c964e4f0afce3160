/**
 * The S3 document store (`global.documentStore.type.aws.*`): from the values alone, before any
 * pod exists, whether the chart injects static AWS keys into the pods it wires to the store
 * (they take precedence over IRSA in the AWS SDK's default credential chain — for S3 and for
 * OpenSearch and Aurora in the same pods), and whether the bucket is named. Which pods and keys,
 * per chart version, is src/helm/chart/document-store.ts' business.
 */
import { skipUnrendered } from '../helm/placeholders.js';
import { defineModule, type ModuleContext } from '../engine/module.js';
import { eachInOrder, type Reporter } from '../core/reporter.js';
import { describeValue } from '../helm/describe.js';
import { DOC_ACTIVE, DOC_AWS, documentStoreAws, serviceAccountFor, type StorePod } from '../helm/chart.js';
import type { Values } from '../helm/values.js';
import type { ChartProfile } from '../helm/chart.js';
import { describeRoleArnProblem, parseRoleArn } from '../iam/arn.js';
import {
  describeStatement,
  evaluateAccess,
  normalizePolicy,
  PolicyParseError,
  type LabeledPolicy,
} from '../iam/policy.js';
import { roleRequest } from '../iam/request-context.js';
import { ApiCallError } from '../core/errors.js';
import { readRolePolicies } from '../iam/role-policies.js';
import { ROLE_ARN_ANNOTATION } from '../ports/kube.js';

/**
 * The S3 object actions Camunda's AWS document store sends (upload, download and link, delete,
 * io.camunda.document.store.aws): s3:ListBucket is not among them.
 */
export const S3_OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'] as const;

/** The chart's placeholder bucket name (values.yaml). */
const PLACEHOLDER_BUCKET = 'your-aws-bucket';

const CHECKS = {
  'docstore-static-keys': {
    severity: 'FAIL',
    code: 160,
    title:
      'the chart injects static AWS keys (document store, irsa.enabled false) into component pods: they override IRSA there, for S3, OpenSearch and Aurora',
    fix: 'Set global.documentStore.type.aws.irsa.enabled: true and grant each component’s IRSA role the S3 object actions on the bucket.',
  },
  'docstore-s3-access': {
    severity: 'FAIL',
    code: 162,
    title:
      'a component wired to the S3 document store has no IRSA role that allows the S3 object actions on the bucket',
    fix: 'Allow s3:GetObject, s3:PutObject and s3:DeleteObject on arn:aws:s3:::<bucket>/* in each component’s IRSA role.',
  },
  'docstore-bucket-exists': {
    severity: 'FAIL',
    code: 164,
    title: 'the document store’s S3 bucket does not exist, or not in the configured region',
    fix: 'Create the bucket, or set global.documentStore.type.aws.bucket and .region to the existing one.',
  },
  'docstore-bucket-policy': {
    severity: 'WARN',
    title:
      'the S3 bucket’s policy cannot be read: its Allow and Deny statements are not weighed with the roles’ policies',
    fix: 'Grant irsa-check s3:GetBucketPolicy on the bucket, and run it with credentials of the bucket’s account.',
  },
  'docstore-bucket': {
    severity: 'FAIL',
    code: 161,
    title: 'the S3 document store has no bucket (or the chart’s placeholder)',
    fix: 'Set global.documentStore.type.aws.bucket to the S3 bucket’s name.',
  },
} as const;

export const documentStore = defineModule({
  id: 'document-store',
  title: 'S3 document store',
  needs: ['profile', 'values', 'release'],
  uses: ['caller', 'partition'],
  checks: CHECKS,
  async run(ctx, reporter) {
    const out = skipUnrendered(reporter, ctx.options.values.length > 0);
    const { profile, values, release } = ctx.facts;
    const store = documentStoreAws(profile, values, release.name);
    if (!store) return; // no S3 document store in this chart or these values: nothing to say
    const pods = store.pods.map((p) => `${p.component} (${p.workload})`).join(', ');
    if (store.staticKeys) {
      out.fail(
        'docstore-static-keys',
        `${DOC_AWS}.irsa.enabled is ${describeValue(values, `${DOC_AWS}.irsa.enabled`)}: the chart injects AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from ${store.staticKeys.source} into the pods of ${pods || '(no enabled component)'}; static keys come first in the AWS SDK credential chain, so those pods use them, not their IRSA role, for S3 and also for OpenSearch and Aurora`,
        {
          fix: `Set ${DOC_AWS}.irsa.enabled: true (the chart then injects no keys) and allow each of those components' IRSA roles s3:GetObject, s3:PutObject and s3:DeleteObject on the bucket.`,
        },
      );
    } else if (store.irsa) {
      out.ok(
        'docstore-static-keys',
        `${DOC_AWS}.irsa.enabled is true: no static AWS keys in the pods of ${pods || '(no enabled component)'}; they reach S3 with their ServiceAccount's role`,
      );
    }
    if (store.active && (!store.bucket || store.bucket === PLACEHOLDER_BUCKET)) {
      out.fail(
        'docstore-bucket',
        `${DOC_ACTIVE} is aws but ${DOC_AWS}.bucket is ${describeValue(values, `${DOC_AWS}.bucket`)}`,
        { fix: `Set ${DOC_AWS}.bucket to the name of the S3 bucket.` },
      );
      return;
    }
    if (!store.bucket) return;
    out.ok(
      'docstore-bucket',
      `S3 document store bucket ${store.bucket}${store.region ? ` (${store.region})` : ''}`,
    );
    const caller = await ctx.use('caller');
    if (!caller) return; // no AWS: the values checks above are all there is
    const bucketRegion = await checkBucket(ctx, store.bucket, store.region, out);
    if (!store.irsa) return;
    const partition = (await ctx.use('partition')) ?? 'aws';
    const bucket = store.bucket;
    const policy = bucketRegion
      ? await readBucketPolicy(ctx, bucket, bucketRegion, caller.account, out)
      : { account: undefined };
    const where = { bucket, region: bucketRegion, policy };
    await eachInOrder(
      store.pods,
      out,
      (p) => p.component,
      (p, o) => checkPodRole(ctx, profile, values, release.name, p, where, partition, o),
    );
  },
});

type Ctx = ModuleContext<'profile' | 'values' | 'release', 'caller' | 'partition', never>;
type Id = keyof typeof CHECKS;

/** The bucket's region, once it is known to exist. */
async function checkBucket(
  ctx: Ctx,
  bucket: string,
  region: string | undefined,
  out: Reporter<Id>,
): Promise<string | undefined> {
  const actual = await ctx.aws.bucketRegion(bucket);
  if (actual === undefined) {
    out.fail(
      'docstore-bucket-exists',
      `S3 bucket ${bucket} does not exist in the account irsa-check runs as`,
      {
        fix: `Create S3 bucket ${bucket}${region ? ` in ${region}` : ''}, or set ${DOC_AWS}.bucket to the existing bucket.`,
      },
    );
  } else if (region && actual !== region) {
    out.fail(
      'docstore-bucket-exists',
      `S3 bucket ${bucket} is in ${actual}, not in ${region} (${DOC_AWS}.region)`,
      {
        fix: `Set ${DOC_AWS}.region: ${actual}`,
      },
    );
  } else out.ok('docstore-bucket-exists', `S3 bucket ${bucket} exists in ${actual}`);
  return actual;
}

/** The bucket policy as the evaluator weighs it, and the bucket's account when known. */
interface BucketPolicy {
  doc?: LabeledPolicy;
  /** Only the owner's account may read the policy: known once GetBucketPolicy answered. */
  account: string | undefined;
  /** The policy could not be read: the roles' own policies alone are judged (said once, WARN). */
  unread?: true;
}

async function readBucketPolicy(
  ctx: Ctx,
  bucket: string,
  region: string,
  callerAccount: string,
  out: Reporter<Id>,
): Promise<BucketPolicy> {
  const label = `bucket policy of ${bucket}`;
  const unread = (why: string): BucketPolicy => {
    out.warn(
      'docstore-bucket-policy',
      `the policy of S3 bucket ${bucket} cannot be read (${why}): S3 access below is judged on the roles' own policies alone, without the bucket policy's Allow and Deny statements`,
    );
    return { account: undefined, unread: true };
  };
  try {
    const raw = await ctx.aws.bucketPolicy(bucket, region);
    if (raw === undefined || raw === null) return { account: callerAccount };
    return { doc: { doc: normalizePolicy(raw), label }, account: callerAccount };
  } catch (e) {
    if (e instanceof PolicyParseError) return unread(e.message);
    if (e instanceof ApiCallError) return unread(e.reason);
    throw e;
  }
}

/** The role the component's pods assume: the live ServiceAccount's annotation, or the values' without a cluster. */
async function podRole(ctx: Ctx, profile: ChartProfile, values: Values, release: string, component: string) {
  const sa = serviceAccountFor(profile, values, release, component);
  if (ctx.scope.noCluster !== undefined || sa.how === 'default')
    return { sa, arn: sa.annotations[ROLE_ARN_ANNOTATION]?.trim() };
  const live = await ctx.kube.serviceAccount(ctx.scope.namespace, sa.name);
  return { sa, arn: live?.annotations[ROLE_ARN_ANNOTATION]?.trim() };
}

async function checkPodRole(
  ctx: Ctx,
  profile: ChartProfile,
  values: Values,
  release: string,
  pod: StorePod,
  where: { bucket: string; region: string | undefined; policy: BucketPolicy },
  partition: string,
  out: Reporter<Id>,
): Promise<void> {
  const { bucket, policy } = where;
  const { sa, arn } = await podRole(ctx, profile, values, release, pod.component);
  const objects = `arn:${partition}:s3:::${bucket}/*`;
  const fixFor = (role: string) => `Allow ${S3_OBJECT_ACTIONS.join(', ')} on ${objects} in role ${role}.`;
  if (!arn || describeRoleArnProblem(arn)) {
    out.fail(
      'docstore-s3-access',
      `the pods of ${pod.workload} run as service account ${sa.name}, which names no IAM role (${ROLE_ARN_ANNOTATION}): with irsa.enabled they have no credentials for S3 bucket ${bucket}`,
      { fix: `Annotate service account ${sa.name} with ${ROLE_ARN_ANNOTATION} and ${fixFor('<that role>')}` },
    );
    return;
  }
  const name = parseRoleArn(arn)?.name ?? arn;
  const set = await readRolePolicies(ctx.aws, name);
  if ('problem' in set) {
    out.fail('docstore-s3-access', `S3 access of ${pod.workload} not confirmed: ${set.problem}`, {
      fix: fixFor(name),
    });
    return;
  }
  // One object key under the bucket: a policy on bucket/* or bucket/<prefix>/* matches it as S3 would.
  const prefix = (values.string(`${DOC_AWS}.bucketPath`) ?? '').replace(/^\/+|\/+$/g, '');
  const resource = `arn:${partition}:s3:::${bucket}/${prefix ? `${prefix}/` : ''}camunda-document`;
  const refused: string[] = [];
  const undetermined: string[] = [];
  const by = new Set<string>();
  for (const action of S3_OBJECT_ACTIONS) {
    // With the bucket policy as AWS weighs it (iam/policy.ts, evaluateAccess): within the
    // bucket's account an Allow in either suffices; from another account both must allow.
    const d = evaluateAccess(
      {
        identity: set.policies,
        boundary: set.boundary,
        resourcePolicy: policy.doc,
        principalAccount: parseRoleArn(arn)?.account,
        resourceAccount: policy.account,
      },
      roleRequest({ action, resource, roleArn: arn, region: where.region }),
    );
    const granting =
      d.identity.decision === 'Allow' ? d.identity.allowedBy : (d.resourceDirect?.allowedBy ?? []);
    if (d.decision === 'Allow') granting.forEach((m) => by.add(describeStatement(m)));
    else if (d.decision === 'Undetermined')
      undetermined.push(`${action} (${d.undetermined.map(describeStatement).join(', ')})`);
    else refused.push(`${action}${d.deniedBy[0] ? ` (denied by ${describeStatement(d.deniedBy[0])})` : ''}`);
  }
  if (refused.length > 0) {
    out.fail(
      'docstore-s3-access',
      `role ${name} of ${pod.workload} may not ${refused.join(', ')} on ${objects}`,
      { fix: fixFor(name) },
    );
  } else if (undetermined.length > 0) {
    out.fail(
      'docstore-s3-access',
      `role ${name} of ${pod.workload}: irsa-check cannot tell whether it may ${undetermined.join(', ')} on ${objects}`,
      { fix: `Check those statements by hand, or ${fixFor(name).toLowerCase()}` },
    );
  } else {
    out.ok(
      'docstore-s3-access',
      `role ${name} of ${pod.workload} allows ${S3_OBJECT_ACTIONS.join(', ')} on ${objects} (${[...by].join(', ')})`,
    );
  }
}
