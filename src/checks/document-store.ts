/**
 * The S3 document store (`global.documentStore.type.aws.*`): from the values alone, before any
 * pod exists, whether the chart injects static AWS keys into the pods it wires to the store
 * (they take precedence over IRSA in the AWS SDK's default credential chain — for S3 and for
 * OpenSearch and Aurora in the same pods), and whether the bucket is named. Which pods and keys,
 * per chart version, is src/helm/chart/document-store.ts' business.
 */
import { defineModule } from '../core/module.js';
import { describeValue } from '../helm/describe.js';
import { DOC_ACTIVE, DOC_AWS, documentStoreAws } from '../helm/chart.js';

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
  checks: CHECKS,
  async run(ctx, out) {
    const { profile, values, release } = ctx.facts;
    const store = documentStoreAws(profile, values, release.name);
    if (!store) return; // no S3 document store in this chart or these values: nothing to say
    const pods = store.pods.map((p) => `${p.component} (${p.workload})`).join(', ');
    if (store.staticKeys) {
      // check: docstore-static-keys
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
    } else if (store.bucket) {
      out.ok(
        'docstore-bucket',
        `S3 document store bucket ${store.bucket}${store.region ? ` (${store.region})` : ''}`,
      );
    }
  },
});
