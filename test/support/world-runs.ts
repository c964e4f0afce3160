/**
 * Whole runs of the built CLI against a fixture world: Kubernetes from the fake API
 * server, AWS from a seeded moto. What the e2e files that check a run's exact lines
 * and exit code share, so a planted fault is one table row there.
 */
import { expect } from 'vitest';
import { runCli } from './cli.js';
import { startWorld } from './kube-world.js';
import { replaceDeep, seedMoto, type SeededMoto } from './moto.js';
import { cloneWorld, type WorldModel } from './world.js';

/** The CLI with `args` against `world`'s cluster (a fake API server for this run) and `moto`. */
export async function runAgainst(world: WorldModel, args: string[], moto: SeededMoto) {
  const fake = await startWorld(world);
  try {
    return await runCli(['--kubeconfig', fake.kubeconfigPath, '-n', 'camunda', ...args], { env: moto.env });
  } finally {
    await fake.close();
  }
}

/** The [FAIL] and [WARN] lines of a run. */
export const problems = (lines: string[]) => lines.filter((l) => /^\[(FAIL|WARN)\]/.test(l));

/** One fault planted in a fixture world, with the FAIL lines it gives (fixture names) and the exit code. */
export interface PlantedFault {
  name: string;
  plant: (w: WorldModel) => void;
  fails: string[];
  code: number;
}

/**
 * Plants the fault in a copy of `world`, seeds its own moto with it and runs the CLI
 * with -s: its problems are exactly `fails` (moto's names) and the summary line,
 * and it exits with `code`.
 */
export async function expectPlantedFault(world: WorldModel, { plant, fails, code }: PlantedFault) {
  const planted = cloneWorld(world);
  plant(planted);
  const moto = await seedMoto(planted);
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
}
