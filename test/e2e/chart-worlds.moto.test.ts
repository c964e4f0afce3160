/**
 * Issue 9, points 6-12: the chart knowledge verified against the templates, end to end — the
 * built CLI against the fake API server and moto, one fixture world per rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startWorld } from '../support/kube-world.js';
import { replaceDeep, seedMoto, type SeededMoto } from '../support/moto.js';
import { cloneWorld, loadWorld, type WorldModel } from '../support/world.js';

async function runAgainst(world: WorldModel, args: string[], moto: SeededMoto) {
  const fake = await startWorld(world);
  try {
    return await runCli(['--kubeconfig', fake.kubeconfigPath, '-n', 'camunda', ...args], { env: moto.env });
  } finally {
    await fake.close();
  }
}

const problems = (lines: string[]) => lines.filter((l) => /^\[(FAIL|WARN)\]/.test(l));

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

const rdbmsFaults: Array<{ name: string; plant: (w: WorldModel) => void; fails: string[]; code: number }> = [
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
      '[FAIL] orchestration: role camunda-orchestration-irsa may not rds-db:connect as orchestration_irsa to Aurora cluster camunda-prod-aurora (arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-7GJQ2XKZ5N4M3P2R1S0T9U8V7W/orchestration_irsa): it allows rds-db:connect only on arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-7GJQ2XKZ5N4M3P2R1S0T9U8V7W/camunda (statement "OrchestrationDbConnect" of policy "camunda-orchestration-rds-iam-auth")',
    ],
    code: 211,
  },
];

describe('8.9 rdbms with IAM, broken: exact FAIL lines and exit code', () => {
  it.each(rdbmsFaults)('$name', async ({ plant, fails, code }) => {
    const world = cloneWorld(loadWorld('camunda-8.9-rdbms-iam.yaml'));
    plant(world);
    const moto = await seedMoto(world);
    try {
      const r = await runAgainst(moto.world, ['-s'], moto);
      expect(problems(r.err)).toEqual([
        ...replaceDeep(fails, moto.mapping.replacements),
        `[FAIL] irsa-check: At least one of the checks failed (error code: ${code}).`,
      ]);
      expect(r.code).toBe(code);
    } finally {
      await moto.close();
    }
  });
});
