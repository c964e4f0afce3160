/**
 * The whole product against real emulation: the built CLI as a child process,
 * Kubernetes from the fake API server, AWS from moto (seeded with a fixture
 * world). A healthy Camunda 8.8 world passes with every distinct call made once;
 * each planted fault gives its exact FAIL lines and exit code; a recorded bundle
 * replays offline to the same findings.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { seedMoto, type SeededMoto } from '../support/moto.js';
import { cloneWorld, loadWorld, type WorldModel } from '../support/world.js';
import { expectPlantedFault, runAgainst, type PlantedFault } from '../support/world-runs.js';

const fixture = loadWorld('camunda-8.8-healthy.yaml');

describe('healthy Camunda 8.8 world', () => {
  let moto: SeededMoto;
  beforeAll(async () => {
    moto = await seedMoto(fixture);
  });
  afterAll(() => moto?.close());

  it('passes; --verbose shows each distinct call made once, and their count', async () => {
    const r = await runAgainst(moto.world, ['-s', '--verbose'], moto);
    expect(r.err.filter((l) => l.startsWith('[FAIL]') || l.startsWith('[WARN]'))).toEqual([]);
    expect(r.out.at(-1)).toBe('[OK] irsa-check: All checks passed.');
    expect(r.code).toBe(0);
    const calls = r.err.filter((l) => l.startsWith('[call] '));
    expect(new Set(calls).size).toBe(calls.length);
    const count = r.err.find((l) => l.startsWith('[debug] ') && l.endsWith(' AWS calls'));
    const aws = calls.filter((l) => l.startsWith('[call] aws.')).length;
    const kube = calls.filter((l) => l.startsWith('[call] kube.')).length;
    expect(count).toBe(`[debug] ${kube} Kubernetes calls, ${aws} AWS calls`);
    // One role, one policy document, one DB-cluster listing for all components that share them.
    expect(calls.filter((l) => l.startsWith('[call] aws.dbClusters('))).toHaveLength(1);
    expect(calls.filter((l) => l.startsWith('[call] aws.policyDocument('))).toHaveLength(3);
  });
});

/* eslint-disable @typescript-eslint/no-explicit-any -- fault plants poke into fixture documents */
const ROLE = (name: string) => (w: WorldModel) => w.aws.roles!.find((r) => r.name === name)! as any;
const faults: PlantedFault[] = [
  {
    name: "the trust policy names the component, not the chart's service account (#1 IRSA mistake)",
    plant: (w) => {
      const condition = ROLE('camunda-web-modeler-irsa')(w).trustPolicy.Statement[0].Condition.StringEquals;
      condition[Object.keys(condition).find((k) => k.endsWith(':sub'))!] =
        'system:serviceaccount:camunda:web-modeler';
    },
    fails: [
      '[FAIL] webModeler: trust policy of role camunda-web-modeler-irsa (IRSA, account 123456789012) does not admit system:serviceaccount:camunda:camunda-web-modeler: statement "CamundaWebModelerIrsa" admits system:serviceaccount:camunda:web-modeler',
    ],
    code: 202,
  },
  {
    name: 'rds-db:connect for another DB user (the original passed any rds-db grant)',
    plant: (w) => {
      (w.aws.policies as any)[
        'arn:aws:iam::123456789012:policy/camunda-web-modeler-rds-iam-auth'
      ].Statement[0].Resource =
        'arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-7GJQ2XKZ5N4M3P2R1S0T9U8V7W/modeler';
    },
    fails: [
      '[FAIL] webModeler: role camunda-web-modeler-irsa (IRSA, account 123456789012) may not rds-db:connect as modeler_irsa to Aurora cluster camunda-prod-aurora (arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-7GJQ2XKZ5N4M3P2R1S0T9U8V7W/modeler_irsa): it allows rds-db:connect only on arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-7GJQ2XKZ5N4M3P2R1S0T9U8V7W/modeler (statement "WebModelerDbConnect" of policy "camunda-web-modeler-rds-iam-auth")',
    ],
    code: 211,
  },
  {
    name: 'IAM database authentication off on the shared Aurora cluster',
    plant: (w) => {
      w.aws.dbClusters![0]!.iamAuthEnabled = false;
    },
    fails: ['identityKeycloak', 'identity', 'webModeler'].map(
      (c) => `[FAIL] ${c}: IAM database authentication is disabled on Aurora cluster camunda-prod-aurora`,
    ),
    code: 75,
  },
  {
    // Not naming the role is no fault within one account when the role's own policy allows it
    // (IAM policy evaluation logic); a Deny in the access policy is.
    name: "the OpenSearch access policy denies Optimize's role",
    plant: (w) => {
      (w.aws.domains![0]!.accessPolicies as any).Statement.push({
        Sid: 'NoOptimize',
        Effect: 'Deny',
        Principal: { AWS: 'arn:aws:iam::123456789012:role/camunda-optimize-irsa' },
        Action: 'es:*',
        Resource: 'arn:aws:es:eu-west-1:123456789012:domain/camunda-prod-os/*',
      });
    },
    fails: [
      '[FAIL] optimize: the access policy of OpenSearch domain camunda-prod-os denies role camunda-optimize-irsa (IRSA, account 123456789012) es:ESHttpGet/Head/Put/Post/Delete on arn:aws:es:eu-west-1:123456789012:domain/camunda-prod-os/*: statement "NoOptimize"',
    ],
    code: 212,
  },
  {
    name: 'no IAM OIDC provider for the cluster',
    plant: (w) => {
      w.aws.oidcProviders = [];
    },
    fails: [
      '[FAIL] no IAM OIDC provider for the issuer oidc.eks.eu-west-1.amazonaws.com/id/5C9F1A2B3D4E5F60718293A4B5C6D7E8 in account 123456789012: pods cannot assume IAM roles with their ServiceAccount tokens (IRSA)',
    ],
    code: 35,
  },
  {
    name: 'a service account without the role annotation',
    plant: (w) => {
      w.kube.serviceAccounts!.find((s) => s.name === 'camunda-optimize')!.annotations = {};
    },
    fails: ['[FAIL] optimize: service account camunda-optimize has no eks.amazonaws.com/role-arn annotation'],
    code: 110,
  },
];

describe('one planted fault per world: exact FAIL lines and exit code', () => {
  it.each(faults)('$name', (fault) => expectPlantedFault(fixture, fault));
});

describe('support bundles', () => {
  it('--record writes what --replay re-runs offline to the same findings', async () => {
    const world = cloneWorld(fixture);
    faults[0]!.plant(world);
    const moto = await seedMoto(world);
    const bundle = join(mkdtempSync(join(tmpdir(), 'irsa-bundle-')), 'support.json.gz');
    try {
      const live = await runAgainst(moto.world, ['-s', '--output', 'json', '--record', bundle], moto);
      // Offline: no kubeconfig, no AWS endpoint, no credentials.
      const replay = await runCli(['--replay', bundle, '-n', 'camunda', '-s', '--output', 'json'], {
        env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_ENDPOINT_URL: undefined },
      });
      expect(replay.code).toBe(live.code);
      expect(JSON.parse(replay.stdout).findings).toEqual(JSON.parse(live.stdout).findings);
      expect(readFileSync(bundle).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    } finally {
      await moto.close();
    }
  });
});
