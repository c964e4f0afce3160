/**
 * The healthy fixture world of each chart generation and the means to plant one
 * fault in its Helm values (clone + change), for the tests of the values modules
 * (database-values, opensearch-values); and the facts such a module leaves.
 */
import { plan } from '../../src/checks/plan.js';
import { release } from '../../src/checks/release.js';
import type { Facts } from '../../src/engine/facts.js';
import type { CheckModule } from '../../src/engine/module.js';
import type { RunOptions } from '../../src/core/options.js';
import { runChecks } from './module-run.js';
import { cloneWorld, loadWorld, type WorldModel } from './world.js';

export type Tree = Record<string, unknown>;

export const W86 = loadWorld('camunda-8.6-zeebe-operate-tasklist.yaml');
export const W87 = loadWorld('camunda-8.7-healthy.yaml');
export const W88 = loadWorld('camunda-8.8-healthy.yaml');
export const W89 = loadWorld('camunda-8.9-secondary-storage.yaml');
export const W810 = loadWorld('camunda-8.10-camunda-hub.yaml');

/** The user-supplied values of the world's release. */
export function user(w: WorldModel): Tree {
  return w.kube.releases![0]!.user as Tree;
}

/** Sets a dotted path in a values tree (creating maps); `undefined` removes the key, `null` stores null. */
export function put(tree: Tree, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = tree;
  for (const k of keys.slice(0, -1)) {
    if (typeof node[k] !== 'object' || node[k] === null) node[k] = {};
    node = node[k] as Tree;
  }
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/** A clone of `base` with `change` applied to its user values (and, if it needs, the clone). */
export function variant(base: WorldModel, change: (values: Tree, world: WorldModel) => void): WorldModel {
  const w = cloneWorld(base);
  change(user(w), w);
  return w;
}

/** Facts after release → plan → `module`, without the later modules. */
export async function factsAfter(
  world: WorldModel,
  module: CheckModule,
  overrides: Partial<RunOptions> = {},
): Promise<Partial<Facts>> {
  return (await runChecks(world, [release, plan, module], { options: overrides })).ctx.facts;
}
