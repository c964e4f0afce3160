/**
 * Issue 9, points 6-12: the chart knowledge verified against the templates, end to end — the
 * built CLI against the fake API server and moto, one fixture world per rule.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.js';
import { replaceDeep, seedMoto, type SeededMoto } from '../support/moto.js';
import { cloneWorld, loadWorld, type WorldModel } from '../support/world.js';
import { expectPlantedFault, problems, runAgainst, type PlantedFault } from '../support/world-runs.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- fault plants poke into fixture documents */
const orchestrationUser = (w: WorldModel) => (w.kube.releases![0]!.user as any).orchestration;

describe('8.9: orchestration secondary storage in Aurora PostgreSQL with IAM (orchestration/files/_application.yaml)', () => {
  const world = loadWorld('camunda-8.9-rdbms-iam.yaml');
  let moto: SeededMoto;
  beforeAll(async () => {
    moto = await seedMoto(world);
  });
  afterAll(() => moto?.close());

  it('healthy: orchestration is a pg component with the whole chain, and passes', async () => {
    const r = await runAgainst(moto.world, ['-s'], moto);
    expect(problems(r.err)).toEqual([]);
    const lines = replaceDeep(
      [
        '[OK] orchestration: orchestration.data.secondaryStorage.rdbms.aws.enabled is true: IAM database authentication',
        '[OK] orchestration: database orchestration_irsa@camunda-prod-aurora.cluster-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com:5432 (orchestration.data.secondaryStorage.rdbms.url)',
        '[OK] orchestration: Aurora cluster camunda-prod-aurora is available with IAM database authentication enabled',
        '[OK] orchestration: role camunda-orchestration-irsa allows rds-db:connect as orchestration_irsa on Aurora cluster camunda-prod-aurora (statement "OrchestrationDbConnect" of policy "camunda-orchestration-rds-iam-auth")',
      ],
      moto.mapping.replacements,
    );
    for (const line of lines) expect(r.out).toContain(line);
    // On rdbms, orchestration's role needs no es:ESHttp* on the OpenSearch domain.
    expect(r.out.filter((l) => l.startsWith('[OK] orchestration:') && l.includes('es:ESHttp'))).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('-p orchestration is valid on 8.9 and checks only it', async () => {
    const r = await runAgainst(moto.world, ['-s', '-p', 'orchestration', '-l', ''], moto);
    expect(r.out).toContain(
      '[INFO] checking Aurora PostgreSQL IRSA for: orchestration; OpenSearch IRSA for: (none)',
    );
    expect(problems(r.err)).toEqual([]);
    expect(r.code).toBe(0);
  });
});

const rdbmsFaults: PlantedFault[] = [
  {
    name: 'RDBMS exporter off: the chart renders no rdbms block at all',
    plant: (w) => {
      orchestrationUser(w).exporters.rdbms.enabled = false;
    },
    fails: [
      '[FAIL] orchestration: orchestration.exporters.rdbms.enabled is false: the chart renders the rdbms connection settings (url, username, aws-enabled) only with the RDBMS exporter on',
    ],
    code: 77,
  },
  {
    name: 'rdbms.aws.enabled left to the chart default: password login',
    plant: (w) => {
      delete orchestrationUser(w).data.secondaryStorage.rdbms.aws;
    },
    fails: [
      '[FAIL] orchestration: orchestration.data.secondaryStorage.rdbms.aws.enabled is false (chart default): orchestration logs in with a password, not with IAM database authentication',
    ],
    code: 78,
  },
  {
    name: 'the role may connect only as another DB user',
    plant: (w) => {
      (w.aws.policies as any)[
        'arn:aws:iam::123456789012:policy/camunda-orchestration-rds-iam-auth'
      ].Statement[0].Resource =
        'arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-7GJQ2XKZ5N4M3P2R1S0T9U8V7W/camunda';
    },
    fails: [
      '[FAIL] orchestration: role camunda-orchestration-irsa (IRSA, account 123456789012) may not rds-db:connect as orchestration_irsa to Aurora cluster camunda-prod-aurora (arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-7GJQ2XKZ5N4M3P2R1S0T9U8V7W/orchestration_irsa): it allows rds-db:connect only on arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-7GJQ2XKZ5N4M3P2R1S0T9U8V7W/camunda (statement "OrchestrationDbConnect" of policy "camunda-orchestration-rds-iam-auth")',
    ],
    code: 211,
  },
];

describe('8.9 rdbms with IAM, broken: exact FAIL lines and exit code', () => {
  it.each(rdbmsFaults)('$name', (fault) =>
    expectPlantedFault(loadWorld('camunda-8.9-rdbms-iam.yaml'), fault),
  );
});

describe('values-only mode offline: a pre-merge CI gate (no cluster, no AWS credentials)', () => {
  const VALUES = `${ROOT}/fixtures/values/camunda-8.8-irsa-values.yaml`;
  const CHART = `${ROOT}/fixtures/charts/camunda-platform-13.1.2`;
  const OFFLINE = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, KUBECONFIG: undefined };

  it('runs every check that needs neither, and skips the rest with one INFO each', async () => {
    const r = await runCli(['-n', 'camunda', '--values', VALUES, '--chart', CHART], { env: OFFLINE });
    const info = r.out.filter((l) => l.startsWith('[INFO] '));
    expect(info.slice(0, 2)).toEqual([
      '[INFO] no kubeconfig (values-only mode): the checks that ask the cluster are skipped',
      '[INFO] values-only mode: no AWS credentials found; the checks that ask AWS are skipped',
    ]);
    // The plan and its ServiceAccount names, and the values checks, still run.
    expect(r.out).toContain('[INFO] orchestration: service account camunda-zeebe (generated by the chart)');
    expect(r.out).toContain(
      '[OK] identity: database identity_irsa@camunda-prod-aurora.cluster-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com:5432',
    );
    // cluster, service-accounts, and the runtime signals that read pods and nodes (imds, pod-logs).
    expect(r.out.filter((l) => l.startsWith('[INFO] skipped: needs the Kubernetes cluster'))).toEqual([
      '[INFO] skipped: needs the Kubernetes cluster',
      '[INFO] skipped: needs the Kubernetes cluster for the pods; the service accounts are checked as the chart renders them',
      '[INFO] skipped: needs the Kubernetes cluster',
      '[INFO] skipped: needs the Kubernetes cluster',
    ]);
    // One per module that asks AWS.
    expect(r.out.filter((l) => l === '[INFO] skipped: needs the AWS caller identity')).toHaveLength(6);
    expect(r.err.filter((l) => l.startsWith('[FAIL]'))).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('finds the document store’s static keys from the values alone, with exit 160', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irsa-docstore-'));
    const extra = join(dir, 'docstore.yaml');
    writeFileSync(
      extra,
      [
        'global:',
        '  documentStore:',
        '    activeStoreId: aws',
        '    type:',
        '      aws:',
        '        enabled: true',
        '        bucket: camunda-prod-documents',
        '        region: eu-west-1',
        '        accessKeyId: { secret: { existingSecret: camunda-s3, existingSecretKey: access-key-id } }',
        '',
      ].join('\n'),
    );
    const r = await runCli(['-n', 'camunda', '--values', VALUES, '--values', extra, '--chart', CHART], {
      env: OFFLINE,
    });
    expect(r.err.filter((l) => l.startsWith('[FAIL]'))).toEqual([
      '[FAIL] global.documentStore.type.aws.irsa.enabled is not set: the chart injects AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the Secret named in global.documentStore.type.aws.accessKeyId.secret.existingSecret into the pods of orchestration (camunda-zeebe), connectors (camunda-connectors), optimize (camunda-optimize); static keys come first in the AWS SDK credential chain, so those pods use them, not their IRSA role, for S3 and also for OpenSearch and Aurora',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 160).',
    ]);
    expect(r.code).toBe(160);
  });

  it('with AWS reachable (moto) and no cluster: the trust policies and permissions are checked from the values', async () => {
    const moto = await seedMoto(loadWorld('camunda-8.8-healthy.yaml'));
    try {
      const dir = mkdtempSync(join(tmpdir(), 'irsa-values-'));
      const values = join(dir, 'values.yaml');
      writeFileSync(values, replaceDeep(readFileSync(VALUES, 'utf8'), moto.mapping.replacements));
      const r = await runCli(['-n', 'camunda', '--values', values, '--chart', CHART], {
        env: { ...moto.env, KUBECONFIG: undefined },
      });
      expect(r.out).toContain(
        '[INFO] skipped: needs the Kubernetes cluster for the pods; the service accounts are checked as the chart renders them',
      );
      expect(
        r.out.filter((l) => l.startsWith('[OK] identity: role camunda-identity-irsa allows rds-db:connect')),
      ).toHaveLength(1);
      expect(
        r.out.filter((l) =>
          /^\[INFO\] (identity|orchestration|optimize): this cluster's OIDC provider is unknown/.test(l),
        ),
      ).toHaveLength(3);
      expect(r.err.filter((l) => l.startsWith('[FAIL]'))).toEqual([]);
      expect(r.code).toBe(0);
    } finally {
      await moto.close();
    }
  });

  it('with AWS and --cluster-name, no cluster: the EKS issuer and IAM OIDC provider are checked; a role trusting another cluster fails', async () => {
    const world = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
    const role = world.aws.roles!.find((x) => x.name === 'camunda-identity-irsa')!;
    role.trustPolicy = JSON.parse(
      JSON.stringify(role.trustPolicy).replaceAll(
        '5C9F1A2B3D4E5F60718293A4B5C6D7E8',
        '0000AAAABBBBCCCCDDDDEEEEFFFF1111',
      ),
    );
    const moto = await seedMoto(world);
    try {
      const dir = mkdtempSync(join(tmpdir(), 'irsa-values-'));
      const values = join(dir, 'values.yaml');
      writeFileSync(values, replaceDeep(readFileSync(VALUES, 'utf8'), moto.mapping.replacements));
      const cluster = replaceDeep('camunda-prod', moto.mapping.replacements);
      const r = await runCli(
        [
          '-n',
          'camunda',
          '--values',
          values,
          '--chart',
          CHART,
          '--cluster-name',
          cluster,
          '--region',
          'eu-west-1',
        ],
        { env: { ...moto.env, KUBECONFIG: undefined } },
      );
      expect(r.out).toContain(`[OK] EKS cluster ${cluster} (--cluster-name) exists in eu-west-1`);
      expect(r.out.filter((l) => l.startsWith('[OK] IAM OIDC provider '))).toHaveLength(1);
      expect(r.err.filter((l) => l.startsWith('[FAIL]'))).toEqual([
        expect.stringMatching(
          /^\[FAIL\] identity: the trust policy of role camunda-identity-irsa \(IRSA, account \d{12}\) trusts OIDC provider oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/0000AAAABBBBCCCCDDDDEEEEFFFF1111, not this cluster's /,
        ),
        '[FAIL] irsa-check: At least one of the checks failed (error code: 201).',
      ]);
      expect(r.code).toBe(201);
    } finally {
      await moto.close();
    }
  });

  it('a kubeconfig named explicitly that does not exist is still a usage error', async () => {
    const r = await runCli(
      ['-n', 'camunda', '--values', VALUES, '--chart', CHART, '--kubeconfig', '/nonexistent'],
      {
        env: OFFLINE,
      },
    );
    expect(r.code).toBe(3);
  });
});

describe('S3 document store worlds (moto: S3 bucket, IAM roles; fake API server)', () => {
  it('IRSA: no static keys; the bucket exists in its region; every wired pod’s role may use it', async () => {
    const moto = await seedMoto(loadWorld('camunda-8.9-document-store-irsa.yaml'));
    try {
      const r = await runAgainst(moto.world, ['-s'], moto);
      expect(problems(r.err)).toEqual([]);
      const doc = r.out.filter((l) => /S3|document store|s3:/.test(l));
      const objects = replaceDeep('arn:aws:s3:::camunda-prod-documents/*', moto.mapping.replacements);
      const bucket = replaceDeep('camunda-prod-documents', moto.mapping.replacements);
      expect(doc).toEqual([
        "[OK] global.documentStore.type.aws.irsa.enabled is true: no static AWS keys in the pods of orchestration (camunda-zeebe), connectors (camunda-connectors), optimize (camunda-optimize), webModeler (camunda-web-modeler-restapi); they reach S3 with their ServiceAccount's role",
        `[OK] S3 document store bucket ${bucket} (eu-west-1)`,
        `[OK] S3 bucket ${bucket} exists in eu-west-1`,
        ...[
          ['orchestration', 'camunda-orchestration-irsa', 'camunda-zeebe'],
          ['connectors', 'camunda-connectors-irsa', 'camunda-connectors'],
          ['optimize', 'camunda-optimize-irsa', 'camunda-optimize'],
          ['webModeler', 'camunda-web-modeler-irsa', 'camunda-web-modeler-restapi'],
        ].map(
          ([c, role, workload]) =>
            `[OK] ${c}: role ${role} of ${workload} allows s3:GetObject, s3:PutObject, s3:DeleteObject on ${objects} (statement "DocumentStoreObjects" of policy "camunda-document-store")`,
        ),
      ]);
      expect(r.code).toBe(0);
    } finally {
      await moto.close();
    }
  });

  it('IRSA, broken: connectors’ role lacks the policy, and the bucket is in another region', async () => {
    const world = cloneWorld(loadWorld('camunda-8.9-document-store-irsa.yaml'));
    world.aws.roles!.find((r) => r.name === 'camunda-connectors-irsa')!.attached = [];
    world.aws.buckets = { 'camunda-prod-documents': 'eu-central-1' };
    const moto = await seedMoto(world);
    try {
      const r = await runAgainst(moto.world, ['-s'], moto);
      const bucket = replaceDeep('camunda-prod-documents', moto.mapping.replacements);
      expect(problems(r.err)).toEqual([
        `[FAIL] S3 bucket ${bucket} is in eu-central-1, not in eu-west-1 (global.documentStore.type.aws.region)`,
        `[FAIL] connectors: role camunda-connectors-irsa (IRSA, account ${moto.accountId}) of camunda-connectors may not s3:GetObject, s3:PutObject, s3:DeleteObject on arn:aws:s3:::${bucket}/*`,
        '[FAIL] irsa-check: At least one of the checks failed (error code: 162).',
      ]);
    } finally {
      await moto.close();
    }
  });

  it('static keys: one FAIL naming the keys, the pods and the fix, exit 160', async () => {
    const moto = await seedMoto(loadWorld('camunda-8.9-document-store-static-keys.yaml'));
    try {
      const r = await runAgainst(moto.world, ['-s'], moto);
      expect(problems(r.err)).toEqual([
        '[FAIL] global.documentStore.type.aws.irsa.enabled is false: the chart injects AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the Secret named in global.documentStore.type.aws.accessKeyId.secret.existingSecret into the pods of orchestration (camunda-zeebe), connectors (camunda-connectors), optimize (camunda-optimize), webModeler (camunda-web-modeler-restapi); static keys come first in the AWS SDK credential chain, so those pods use them, not their IRSA role, for S3 and also for OpenSearch and Aurora',
        '[FAIL] irsa-check: At least one of the checks failed (error code: 160).',
      ]);
      expect(r.code).toBe(160);
      expect([...r.out, ...r.err]).toContain(
        "       fix: Set global.documentStore.type.aws.irsa.enabled: true (the chart then injects no keys) and allow each of those components' IRSA roles s3:GetObject, s3:PutObject and s3:DeleteObject on the bucket.",
      );
    } finally {
      await moto.close();
    }
  });
});

describe('more worlds: an externally created ServiceAccount; Keycloak through extraStartupArgs', () => {
  it('identity.serviceAccount.enabled false with a name: that SA, its annotation and role are checked; passes', async () => {
    const moto = await seedMoto(loadWorld('camunda-8.8-external-service-account.yaml'));
    try {
      const r = await runAgainst(moto.world, ['-s'], moto);
      expect(problems(r.err)).toEqual([]);
      expect(r.out).toContain(
        '[INFO] identity: service account platform-identity (from values, created outside the chart)',
      );
      expect(r.out.filter((l) => l.includes('"default"'))).toEqual([]);
      expect(
        r.out.some((l) =>
          l.startsWith(
            '[OK] identity: role camunda-identity-irsa trusts system:serviceaccount:camunda:platform-identity',
          ),
        ),
      ).toBe(true);
      expect(r.code).toBe(0);
    } finally {
      await moto.close();
    }
  });

  it('external SA missing from the namespace: one FAIL that says the chart does not create it', async () => {
    const world = cloneWorld(loadWorld('camunda-8.8-external-service-account.yaml'));
    world.kube.serviceAccounts = world.kube.serviceAccounts!.filter((s) => s.name !== 'platform-identity');
    const moto = await seedMoto(world);
    try {
      const r = await runAgainst(moto.world, ['-s', '--no-token'], moto);
      expect(problems(r.err)).toEqual([
        '[FAIL] identity: service account platform-identity does not exist in namespace camunda: with identity.serviceAccount.enabled: false the chart does not create it, and the pods run as it',
        '[FAIL] irsa-check: At least one of the checks failed (error code: 110).',
      ]);
    } finally {
      await moto.close();
    }
  });

  it('Keycloak via extraStartupArgs (KEYCLOAK_EXTRA_ARGS): no FAIL, passes', async () => {
    const moto = await seedMoto(loadWorld('camunda-8.8-keycloak-startup-args.yaml'));
    try {
      const r = await runAgainst(moto.world, ['-s'], moto);
      expect(problems(r.err)).toEqual([]);
      expect(r.out).toContain(
        '[OK] identityKeycloak: identityKeycloak.extraStartupArgs and identityKeycloak.extraEnvVars select the AWS JDBC wrapper with IAM authentication and TLS (sslmode=require)',
      );
      expect(r.code).toBe(0);
    } finally {
      await moto.close();
    }
  });
});
