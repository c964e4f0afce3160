/**
 * A fixture world run in values-only mode without a cluster, in process: its release's user values
 * written to a values file, no kubeconfig (NoCluster), and AWS either the world's (values + AWS) or
 * no credentials at all (offline). The same dispatcher and modules as every other run.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { RunOptions } from '../../src/core/options.js';
import { NoCluster } from '../../src/platform/no-cluster.js';
import type { Platform } from '../../src/ports/platform.js';
import { cloneWorld, MemoryAws, runWithPlatform, type WorldModel, type WorldRun } from './world.js';

export type ValuesMode = 'offline' | 'values+aws';

/** Writes the world's release user values to a fresh values file. */
export function valuesFileOf(world: WorldModel): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-values-only-'));
  const file = join(dir, 'values.yaml');
  writeFileSync(file, yaml.dump(world.kube.releases![0]!.user ?? {}, { lineWidth: -1 }));
  return file;
}

/**
 * A platform without a cluster, as run.ts's platformFor builds it for `--values` without a
 * kubeconfig: the scope says why (RunScope.noCluster), so modules that need the cluster skip.
 */
export function noClusterPlatform(aws: Platform['aws']): Platform {
  const reason = 'no kubeconfig (values-only mode)';
  return { kube: new NoCluster(reason), aws, noCluster: reason };
}

export function runValuesOnly(
  world: WorldModel,
  mode: ValuesMode,
  overrides: Partial<RunOptions> = {},
): Promise<WorldRun> {
  const release = world.kube.releases![0]!;
  const aws = mode === 'offline' ? { ...cloneWorld(world).aws, caller: undefined } : cloneWorld(world).aws;
  return runWithPlatform(world, noClusterPlatform(new MemoryAws(aws)), {
    values: [valuesFileOf(world)],
    chartVersion: release.chart.version,
    release: release.name,
    ...overrides,
  });
}
