/**
 * The S3 document store (`global.documentStore.type.aws.*`): from the values alone, before any
 * pod exists, whether the chart injects static AWS keys into the pods it wires to the store
 * (they take precedence over IRSA in the AWS SDK's default credential chain — for S3 and for
 * OpenSearch and Aurora in the same pods), and whether the bucket is named. Which pods and keys,
 * per chart version, is src/helm/chart/document-store.ts' business.
 *
 * A pure evaluator over the snapshot src/collectors/document-store.ts gathers: the same code
 * judges a live release, a replayed bundle and a values file, with or without AWS (issue 16).
 */
import { skipUnrendered } from '../helm/placeholders.js';
import { defineModule } from '../engine/module.js';
import type { Reporter } from '../core/reporter.js';
import { describeValue } from '../helm/describe.js';
import { DOC_ACTIVE, DOC_AWS } from '../helm/chart.js';
import type { Values } from '../helm/values.js';
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
import { ROLE_ARN_ANNOTATION } from '../ports/kube.js';
import { roleWords } from '../platform/pod-identity.js';
import {
  BUCKET_POLICY,
  BUCKET_REGION,
  collectDocumentStore,
  lookupBucket,
  type DocumentStoreAwsSide,
  type PodRole,
} from '../collectors/document-store.js';

/**
 * The S3 object actions Camunda's AWS document store sends (upload, download and link, delete,
 * io.camunda.document.store.aws): s3:ListBucket is not among them.
 */
export const S3_OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'] as const;

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
  queries: [BUCKET_REGION, BUCKET_POLICY],
  collect: collectDocumentStore,
  evaluate(input, reporter) {
    if (input.kind === 'none') return; // no S3 document store in this chart or these values: nothing to say
    const out = skipUnrendered(reporter, input.valuesMode);
    const { store, values } = input;
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
    const bucket = lookupBucket(store);
    if (store.active && !bucket) {
      out.fail(
        'docstore-bucket',
        `${DOC_ACTIVE} is aws but ${DOC_AWS}.bucket is ${describeValue(values, `${DOC_AWS}.bucket`)}`,
        { fix: `Set ${DOC_AWS}.bucket to the name of the S3 bucket.` },
      );
      return;
    }
    if (!bucket) return;
    out.ok(
      'docstore-bucket',
      `S3 document store bucket ${bucket}${store.region ? ` (${store.region})` : ''}`,
    );
    const aws = input.awsSide;
    if (!aws) return; // no AWS: the values checks above are all there is
    if ('error' in aws.bucketRegion) return out.unexpected(aws.bucketRegion.error);
    const bucketRegion = aws.bucketRegion.region;
    checkBucket(bucket, store.region, bucketRegion, out);
    if (!store.irsa) return;
    const partition = aws.partition ?? 'aws';
    let policy: BucketPolicy = { account: undefined };
    if (bucketRegion) {
      const read = readBucketPolicy(bucket, aws, out);
      if (!read) return;
      policy = read;
    }
    const where = { bucket, region: bucketRegion, policy };
    // One wired pod after another, in the chart's order; an error is that component's line.
    for (const role of aws.pods ?? []) {
      const o = skipUnrendered(reporter.forComponent(role.pod.component), input.valuesMode);
      try {
        checkPodRole(values, role, where, partition, o);
      } catch (error) {
        o.unexpected(error);
      }
    }
  },
});

type Id = keyof typeof CHECKS;

/** Whether the bucket exists, and in the configured region. */
function checkBucket(
  bucket: string,
  region: string | undefined,
  actual: string | undefined,
  out: Reporter<Id>,
): void {
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
}

/** The bucket policy as the evaluator weighs it, and the bucket's account when known. */
interface BucketPolicy {
  doc?: LabeledPolicy;
  /** Only the owner's account may read the policy: known once GetBucketPolicy answered. */
  account: string | undefined;
  /** The policy could not be read: the roles' own policies alone are judged (said once, WARN). */
  unread?: true;
}

/** The policy GetBucketPolicy answered, parsed; undefined when an unexpected error ends the judgement. */
function readBucketPolicy(
  bucket: string,
  aws: DocumentStoreAwsSide,
  out: Reporter<Id>,
): BucketPolicy | undefined {
  const label = `bucket policy of ${bucket}`;
  const unread = (why: string): BucketPolicy => {
    out.warn(
      'docstore-bucket-policy',
      `the policy of S3 bucket ${bucket} cannot be read (${why}): S3 access below is judged on the roles' own policies alone, without the bucket policy's Allow and Deny statements`,
    );
    return { account: undefined, unread: true };
  };
  const answer = aws.bucketPolicy;
  if (!answer) throw new Error(`no answer about the policy of S3 bucket ${bucket}`);
  if ('error' in answer) {
    if (answer.error instanceof ApiCallError) return unread(answer.error.reason);
    out.unexpected(answer.error);
    return undefined;
  }
  if (answer.raw === undefined || answer.raw === null) return { account: aws.callerAccount };
  try {
    return { doc: { doc: normalizePolicy(answer.raw), label }, account: aws.callerAccount };
  } catch (e) {
    if (e instanceof PolicyParseError) return unread(e.message);
    throw e;
  }
}

function checkPodRole(
  values: Values,
  role: PodRole,
  where: { bucket: string; region: string | undefined; policy: BucketPolicy },
  partition: string,
  out: Reporter<Id>,
): void {
  if ('error' in role) return out.unexpected(role.error);
  if ('unseen' in role) {
    out.info(
      `service account ${role.serviceAccount} is created outside the chart: without the cluster its annotation cannot be seen, so S3 access of ${role.pod.workload} is not checked`,
    );
    return;
  }
  const { pod, serviceAccount, arn } = role;
  const { bucket, policy } = where;
  const objects = `arn:${partition}:s3:::${bucket}/*`;
  const fixFor = (role: string) => `Allow ${S3_OBJECT_ACTIONS.join(', ')} on ${objects} in role ${role}.`;
  if (!arn || describeRoleArnProblem(arn)) {
    out.fail(
      'docstore-s3-access',
      `the pods of ${pod.workload} run as service account ${serviceAccount}, which names no IAM role (${ROLE_ARN_ANNOTATION}): with irsa.enabled they have no credentials for S3 bucket ${bucket}`,
      {
        fix: `Annotate service account ${serviceAccount} with ${ROLE_ARN_ANNOTATION} and ${fixFor('<that role>')}`,
      },
    );
    return;
  }
  const name = parseRoleArn(arn)?.name ?? arn;
  const set = role.policies;
  if (!set) throw new Error(`no policies read for role ${name}`);
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
      `${roleWords(arn, 'IRSA')} of ${pod.workload} may not ${refused.join(', ')} on ${objects}`,
      { fix: fixFor(name) },
    );
  } else if (undetermined.length > 0) {
    out.fail(
      'docstore-s3-access',
      `${roleWords(arn, 'IRSA')} of ${pod.workload}: irsa-check cannot tell whether it may ${undetermined.join(', ')} on ${objects}`,
      { fix: `Check those statements by hand, or ${fixFor(name).toLowerCase()}` },
    );
  } else {
    out.ok(
      'docstore-s3-access',
      `role ${name} of ${pod.workload} allows ${S3_OBJECT_ACTIONS.join(', ')} on ${objects} (${[...by].join(', ')})`,
    );
  }
}
