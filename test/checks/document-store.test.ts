/**
 * Issue 9 point 8: the S3 document store, from the values alone. Each expectation is what the
 * component templates render (the `if and …aws.enabled (not …aws.irsa.enabled)` blocks that add
 * AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), per chart version.
 */
import { describe, expect, it } from 'vitest';
import { documentStoreAws, parseChartVersion, profileFor } from '../../src/helm/chart.js';
import { Values } from '../../src/helm/values.js';
import { put, variant, W87, W88, W89, W810 } from '../support/values-worlds.js';
import { cloneWorld, loadWorld, runWorld, type WorldModel } from '../support/world.js';

const profile = (v: string) => profileFor(parseChartVersion(v)!);
const AWS = 'global.documentStore.type.aws';

describe('documentStoreAws: the pods the chart wires to S3 and injects keys into', () => {
  it('8.6 (chart 11) has no AWS document store in its templates', () => {
    expect(
      documentStoreAws(
        profile('11.12.3'),
        new Values({}, { global: { documentStore: { type: { aws: { enabled: true } } } } }),
        'camunda',
      ),
    ).toBeUndefined();
  });

  it('8.7: zeebe, zeebe-gateway, operate, tasklist, connectors, execution-identity, web-modeler restapi; keys from existingSecret', () => {
    const values = new Values(
      {},
      {
        global: {
          documentStore: {
            activeStoreId: 'aws',
            type: {
              aws: {
                enabled: true,
                bucket: 'docs',
                existingSecret: 'aws-credentials',
                accessKeyIdKey: 'awsAccessKeyId',
                secretAccessKeyKey: 'awsSecretAccessKey',
              },
            },
          },
        },
        webModeler: { enabled: true },
        executionIdentity: { enabled: true },
      },
    );
    const store = documentStoreAws(profile('12.13.3'), values, 'camunda')!;
    expect(store.pods.map((p) => p.workload)).toEqual([
      'camunda-zeebe',
      'camunda-zeebe-gateway',
      'camunda-operate',
      'camunda-tasklist',
      'camunda-connectors',
      'camunda-execution-identity',
      'camunda-web-modeler-restapi',
    ]);
    expect(store.staticKeys?.source).toBe(`the Secret named in ${AWS}.existingSecret`);
  });

  it('8.7 without existingSecret: the templates inject nothing (the condition also needs existingSecret)', () => {
    const values = new Values(
      {},
      { global: { documentStore: { type: { aws: { enabled: true, existingSecret: '' } } } } },
    );
    expect(documentStoreAws(profile('12.13.3'), values, 'camunda')!.staticKeys).toBeUndefined();
  });

  it.each(['13.12.7', '14.8.4', '15.0.0'])(
    'chart %s: orchestration, connectors, optimize, web-modeler restapi',
    (version) => {
      const values = new Values(
        {},
        {
          global: {
            documentStore: {
              type: {
                aws: {
                  enabled: true,
                  accessKeyId: { secret: { existingSecret: 's3-keys', existingSecretKey: 'id' } },
                },
              },
            },
          },
          optimize: { enabled: true },
          webModeler: { enabled: true },
        },
      );
      const store = documentStoreAws(profile(version), values, 'camunda')!;
      expect(store.pods.map((p) => `${p.component}=${p.workload}`)).toEqual([
        'orchestration=camunda-zeebe',
        'connectors=camunda-connectors',
        'optimize=camunda-optimize',
        'webModeler=camunda-web-modeler-restapi',
      ]);
      expect(store.staticKeys?.source).toBe(`the Secret named in ${AWS}.accessKeyId.secret.existingSecret`);
    },
  );

  it('8.9: no secret configured: the variables are rendered without a value, still overriding IRSA', () => {
    const values = new Values({}, { global: { documentStore: { type: { aws: { enabled: true } } } } });
    expect(documentStoreAws(profile('14.8.4'), values, 'camunda')!.staticKeys).toEqual({
      source: 'no value (the variables are rendered empty)',
      keys: [],
    });
  });

  it('8.7 has no schema: irsa.enabled "false" (a string) is true for `{{ not … }}`, so no keys', () => {
    const values = new Values(
      {},
      {
        global: {
          documentStore: {
            type: { aws: { enabled: true, irsa: { enabled: 'false' }, existingSecret: 'x' } },
          },
        },
      },
    );
    expect(documentStoreAws(profile('12.13.3'), values, 'camunda')!.irsa).toBe(true);
  });
});

const staticKeys = (values: Record<string, unknown>, world?: WorldModel) => {
  if (world) world.aws.buckets = { 'camunda-prod-documents': 'eu-west-1' };
  put(values, 'global.documentStore', {
    activeStoreId: 'aws',
    type: {
      aws: {
        enabled: true,
        region: 'eu-west-1',
        bucket: 'camunda-prod-documents',
        accessKeyId: { secret: { existingSecret: 'camunda-s3', existingSecretKey: 'access-key-id' } },
      },
    },
  });
};

describe('document-store module: one FAIL from the values alone', () => {
  it('8.9 static keys: names the keys, the pods and the fix', async () => {
    const run = await runWorld(
      variant(W89, (v, w) => staticKeys(v, w)),
      { pg: ['identity'], os: [] },
    );
    expect(run.fails('document-store').map((f) => [f.check, f.code, f.message, f.fix])).toEqual([
      [
        'docstore-static-keys',
        160,
        `${AWS}.irsa.enabled is not set: the chart injects AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the Secret named in ${AWS}.accessKeyId.secret.existingSecret into the pods of orchestration (camunda-zeebe), connectors (camunda-connectors), optimize (camunda-optimize), webModeler (camunda-web-modeler-restapi); static keys come first in the AWS SDK credential chain, so those pods use them, not their IRSA role, for S3 and also for OpenSearch and Aurora`,
        `Set ${AWS}.irsa.enabled: true (the chart then injects no keys) and allow each of those components' IRSA roles s3:GetObject, s3:PutObject and s3:DeleteObject on the bucket.`,
      ],
    ]);
  });

  it.each([
    ['8.7', W87, 'zeebe (camunda-zeebe)'],
    ['8.8', W88, 'orchestration (camunda-zeebe)'],
    ['8.10', W810, 'orchestration (camunda-zeebe)'],
  ])('%s with irsa.enabled: true: no keys, OK', async (_c, base) => {
    const run = await runWorld(
      variant(base, (v, w) => {
        staticKeys(v, w);
        put(v, `${AWS}.irsa`, { enabled: true });
      }),
      { pg: ['identity'], os: [] },
    );
    expect(run.fails('document-store').filter((f) => f.check !== 'docstore-s3-access')).toEqual([]);
    expect(run.lines('document-store')[0]).toMatch(
      /^\[OK\] global\.documentStore\.type\.aws\.irsa\.enabled is true: no static AWS keys in the pods of /,
    );
    expect(run.lines('document-store')[1]).toBe(
      '[OK] S3 document store bucket camunda-prod-documents (eu-west-1)',
    );
  });

  it('active aws store with the chart placeholder bucket: FAIL', async () => {
    const run = await runWorld(
      variant(W88, (v) => {
        staticKeys(v);
        put(v, `${AWS}.irsa`, { enabled: true });
        put(v, `${AWS}.bucket`, 'your-aws-bucket');
      }),
      { pg: ['identity'], os: [] },
    );
    expect(run.fails('document-store').map((f) => f.message)).toEqual([
      'global.documentStore.activeStoreId is aws but global.documentStore.type.aws.bucket is "your-aws-bucket"',
    ]);
  });

  it('no document store in the values: the module says nothing', async () => {
    const run = await runWorld(W88, { pg: ['identity'], os: [] });
    expect(run.lines('document-store')).toEqual([]);
  });
});

describe('document-store module: the roles, with the IAM evaluator (src/iam/policy.ts)', () => {
  const IRSA = loadWorld('camunda-8.9-document-store-irsa.yaml');
  const POLICY = 'arn:aws:iam::123456789012:policy/camunda-document-store';
  const s3Lines = async (w: WorldModel) =>
    (await runWorld(w, { pg: ['identity'], os: [] }))
      .lines('document-store')
      .filter((l) => l.includes('connectors:'));

  it('an explicit Deny on s3:DeleteObject is named with its statement', async () => {
    const w = cloneWorld(IRSA);
    w.aws.roles!.find((r) => r.name === 'camunda-connectors-irsa')!.inline = [
      {
        name: 'no-delete',
        document: {
          Version: '2012-10-17',
          Statement: [{ Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' }],
        },
      },
    ];
    expect(await s3Lines(w)).toEqual([
      '[FAIL] connectors: role camunda-connectors-irsa (IRSA, account 123456789012) of camunda-connectors may not s3:DeleteObject (denied by statement "NoDelete" of policy "no-delete") on arn:aws:s3:::camunda-prod-documents/*',
    ]);
  });

  it('a grant on a prefix only: enough with that bucketPath, refused without', async () => {
    const prefixOnly = (w: WorldModel) => {
      const doc = w.aws.policies![POLICY] as { Statement: Array<{ Resource: string }> };
      doc.Statement[0]!.Resource = 'arn:aws:s3:::camunda-prod-documents/invoices/*';
    };
    const withPath = variant(IRSA, (v, w) => {
      prefixOnly(w);
      put(v, `${AWS}.bucketPath`, 'invoices');
    });
    expect((await s3Lines(withPath))[0]).toMatch(
      /^\[OK\] connectors: role camunda-connectors-irsa of camunda-connectors allows/,
    );
    const without = variant(IRSA, (_v, w) => prefixOnly(w));
    expect((await s3Lines(without))[0]).toMatch(
      /^\[FAIL\] connectors: role camunda-connectors-irsa \(IRSA, account 123456789012\) of camunda-connectors may not s3:GetObject, s3:PutObject, s3:DeleteObject on /,
    );
  });
});
