/**
 * The S3 document store evaluator as a table (valid / invalid snapshots → exact lines, as
 * ESLint's RuleTester), with no dispatcher and no port. The values side is the chart's
 * `global.documentStore.type.aws.*` (which pods get static keys: src/helm/chart/document-store.ts);
 * the AWS side is what the collector gathered: the bucket's region (S3 GetBucketLocation), its
 * policy (GetBucketPolicy) and each wired pod's role with its policies, weighed as AWS does
 * (IAM User Guide, "Policy evaluation logic": identity and resource policies together).
 * test/checks/document-store.test.ts and the worlds run the same evaluator end to end.
 */
import { describe, expect, it } from 'vitest';
import { documentStore } from '../../src/checks/document-store.js';
import type {
  DocumentStoreAwsSide,
  DocumentStoreInput,
  PodRole,
} from '../../src/collectors/document-store.js';
import { ApiCallError } from '../../src/core/errors.js';
import type { DocumentStoreAws } from '../../src/helm/chart.js';
import { Values } from '../../src/helm/values.js';
import { normalizePolicy } from '../../src/iam/policy.js';
import type { RolePolicySet } from '../../src/iam/role-policies.js';
import { evaluate } from '../support/evaluate.js';

const AWS = 'global.documentStore.type.aws';
const BUCKET = 'camunda-prod-documents';
const ACCOUNT = '123456789012';
const OBJECTS = `arn:aws:s3:::${BUCKET}/*`;
const ORCH = { component: 'orchestration', workload: 'camunda-zeebe' };
const OPT = { component: 'optimize', workload: 'camunda-optimize' };
const DOCS = 'statement "Documents" of policy "documents"';
const arnOf = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

function values(irsa: boolean, bucket = BUCKET): Values {
  return new Values(
    {},
    {
      global: {
        documentStore: {
          activeStoreId: 'aws',
          type: { aws: { enabled: true, irsa: { enabled: irsa }, bucket, region: 'eu-west-1' } },
        },
      },
    },
  );
}

function store(over: Partial<DocumentStoreAws> = {}): DocumentStoreAws {
  return {
    enabled: true,
    active: true,
    irsa: true,
    bucket: BUCKET,
    region: 'eu-west-1',
    pods: [ORCH, OPT],
    ...over,
  };
}

/** A role whose one inline policy has `effect` on the S3 object actions of the bucket. */
function role(name: string, effect: 'Allow' | 'Deny' = 'Allow'): RolePolicySet {
  const doc = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Documents',
        Effect: effect,
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        Resource: OBJECTS,
      },
    ],
  };
  return {
    role: { arn: arnOf(name), name, path: '/', trustPolicy: {} },
    policies: [{ doc: normalizePolicy(doc), label: 'documents' }],
  };
}

const pod = (p: typeof ORCH, name: string, policies: RolePolicySet = role(name)): PodRole => ({
  pod: p,
  serviceAccount: p.workload,
  arn: arnOf(name),
  policies,
});

function aws(over: Partial<DocumentStoreAwsSide> = {}): DocumentStoreAwsSide {
  return {
    callerAccount: ACCOUNT,
    bucketRegion: { region: 'eu-west-1' },
    partition: 'aws',
    bucketPolicy: { raw: undefined },
    pods: [pod(ORCH, 'camunda-orchestration-irsa'), pod(OPT, 'camunda-optimize-irsa')],
    ...over,
  };
}

function input(
  s: DocumentStoreAws,
  v: Values,
  side?: DocumentStoreAwsSide,
  valuesMode = false,
): DocumentStoreInput {
  return side
    ? { kind: 'store', store: s, values: v, valuesMode, awsSide: side }
    : { kind: 'store', store: s, values: v, valuesMode };
}

const IRSA_OK = `OK docstore-static-keys: ${AWS}.irsa.enabled is true: no static AWS keys in the pods of orchestration (camunda-zeebe), optimize (camunda-optimize); they reach S3 with their ServiceAccount's role`;
const BUCKET_OK = `OK docstore-bucket: S3 document store bucket ${BUCKET} (eu-west-1)`;
const EXISTS_OK = `OK docstore-bucket-exists: S3 bucket ${BUCKET} exists in eu-west-1`;
const accessOk = (c: typeof ORCH, name: string) =>
  `OK docstore-s3-access ${c.component}: role ${name} of ${c.workload} allows s3:GetObject, s3:PutObject, s3:DeleteObject on ${OBJECTS} (${DOCS})`;

describe('document-store evaluator', () => {
  it.each<[string, DocumentStoreInput, string[]]>([
    ['no S3 document store in the chart or the values', { kind: 'none' }, []],
    ['values only (no AWS): IRSA on and a bucket named', input(store(), values(true)), [IRSA_OK, BUCKET_OK]],
    [
      'values + AWS: the bucket exists where configured and both roles allow the object actions',
      input(store(), values(true), aws()),
      [
        IRSA_OK,
        BUCKET_OK,
        EXISTS_OK,
        accessOk(ORCH, 'camunda-orchestration-irsa'),
        accessOk(OPT, 'camunda-optimize-irsa'),
      ],
    ],
  ])('valid: %s', (_name, snapshot, lines) => {
    expect(evaluate(documentStore, snapshot).lines).toEqual(lines);
  });

  it.each<[string, DocumentStoreInput, string[]]>([
    [
      'static keys (irsa.enabled false), no AWS',
      input(store({ irsa: false, staticKeys: { source: 'the Secret named in x', keys: [] } }), values(false)),
      [
        `FAIL docstore-static-keys: ${AWS}.irsa.enabled is false: the chart injects AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the Secret named in x into the pods of orchestration (camunda-zeebe), optimize (camunda-optimize); static keys come first in the AWS SDK credential chain, so those pods use them, not their IRSA role, for S3 and also for OpenSearch and Aurora`,
        BUCKET_OK,
      ],
    ],
    [
      'the chart’s placeholder bucket',
      input(store({ bucket: 'your-aws-bucket' }), values(true, 'your-aws-bucket'), aws()),
      [
        IRSA_OK,
        `FAIL docstore-bucket: global.documentStore.activeStoreId is aws but ${AWS}.bucket is "your-aws-bucket"`,
      ],
    ],
    [
      'the bucket does not exist',
      input(store(), values(true), aws({ bucketRegion: { region: undefined }, bucketPolicy: undefined })),
      [
        IRSA_OK,
        BUCKET_OK,
        `FAIL docstore-bucket-exists: S3 bucket ${BUCKET} does not exist in the account irsa-check runs as`,
        accessOk(ORCH, 'camunda-orchestration-irsa'),
        accessOk(OPT, 'camunda-optimize-irsa'),
      ],
    ],
    [
      'the bucket is in another region',
      input(store(), values(true), aws({ bucketRegion: { region: 'us-east-1' } })),
      [
        IRSA_OK,
        BUCKET_OK,
        `FAIL docstore-bucket-exists: S3 bucket ${BUCKET} is in us-east-1, not in eu-west-1 (${AWS}.region)`,
        accessOk(ORCH, 'camunda-orchestration-irsa'),
        accessOk(OPT, 'camunda-optimize-irsa'),
      ],
    ],
    [
      'the bucket policy cannot be read, one role has no annotation, the other is denied',
      input(
        store(),
        values(true),
        aws({
          bucketPolicy: {
            error: new ApiCallError('s3', 's3:GetBucketPolicy', 'AccessDenied', 'denied', 403),
          },
          pods: [
            { pod: ORCH, serviceAccount: 'camunda-zeebe', arn: undefined },
            pod(OPT, 'camunda-optimize-irsa', role('camunda-optimize-irsa', 'Deny')),
          ],
        }),
      ),
      [
        IRSA_OK,
        BUCKET_OK,
        EXISTS_OK,
        `WARN docstore-bucket-policy: the policy of S3 bucket ${BUCKET} cannot be read (AccessDenied): S3 access below is judged on the roles' own policies alone, without the bucket policy's Allow and Deny statements`,
        `FAIL docstore-s3-access orchestration: the pods of camunda-zeebe run as service account camunda-zeebe, which names no IAM role (eks.amazonaws.com/role-arn): with irsa.enabled they have no credentials for S3 bucket ${BUCKET}`,
        `FAIL docstore-s3-access optimize: role camunda-optimize-irsa (IRSA, account 123456789012) of camunda-optimize may not s3:GetObject (denied by ${DOCS}), s3:PutObject (denied by ${DOCS}), s3:DeleteObject (denied by ${DOCS}) on ${OBJECTS}`,
      ],
    ],
    [
      'a role that does not exist, and a ServiceAccount the cluster refuses to show',
      input(
        store(),
        values(true),
        aws({
          pods: [
            pod(ORCH, 'camunda-orchestration-irsa', {
              problem: 'role camunda-orchestration-irsa does not exist',
            }),
            {
              pod: OPT,
              error: new ApiCallError('kube', 'get serviceaccounts', 'Forbidden', 'forbidden', 403),
            },
          ],
        }),
      ),
      [
        IRSA_OK,
        BUCKET_OK,
        EXISTS_OK,
        `FAIL docstore-s3-access orchestration: S3 access of camunda-zeebe not confirmed: role camunda-orchestration-irsa does not exist`,
        `FAIL cannot-ask optimize: irsa-check cannot call get serviceaccounts (Forbidden): grant it, see README "Permissions"`,
      ],
    ],
  ])('invalid: %s', (_name, snapshot, lines) => {
    expect(evaluate(documentStore, snapshot).lines).toEqual(lines);
  });

  it('values + AWS, a ServiceAccount created outside the chart: one INFO, never OK or FAIL', () => {
    const side = aws({
      pods: [
        pod(ORCH, 'camunda-orchestration-irsa'),
        { pod: OPT, serviceAccount: 'platform-optimize', unseen: true },
      ],
    });
    expect(evaluate(documentStore, input(store(), values(true), side, true)).lines.slice(3)).toEqual([
      accessOk(ORCH, 'camunda-orchestration-irsa'),
      'INFO optimize: service account platform-optimize is created outside the chart: without the cluster its annotation cannot be seen, so S3 access of camunda-optimize is not checked',
    ]);
  });

  it('a bucket policy that denies one role from its own account is weighed with the role’s Allow', () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'NoOptimize',
          Effect: 'Deny',
          Principal: { AWS: arnOf('camunda-optimize-irsa') },
          Action: 's3:DeleteObject',
          Resource: OBJECTS,
        },
      ],
    };
    const lines = evaluate(
      documentStore,
      input(store(), values(true), aws({ bucketPolicy: { raw: policy } })),
    ).lines;
    expect(lines.slice(3)).toEqual([
      accessOk(ORCH, 'camunda-orchestration-irsa'),
      `FAIL docstore-s3-access optimize: role camunda-optimize-irsa (IRSA, account 123456789012) of camunda-optimize may not s3:DeleteObject (denied by statement "NoOptimize" of policy "bucket policy of ${BUCKET}") on ${OBJECTS}`,
    ]);
  });
});
