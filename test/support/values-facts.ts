/**
 * The facts the release and plan modules leave for a fixture world (chart profile, values over
 * the chart's defaults, component lists, Keycloak mode), for the evaluator table tests of the
 * values modules: a row changes the user values and feeds the evaluator a snapshot built on them.
 */
import { plan } from '../../src/checks/plan.js';
import { release } from '../../src/checks/release.js';
import type { Facts } from '../../src/engine/facts.js';
import { Values } from '../../src/helm/values.js';
import { runChecks } from './module-run.js';
import type { Tree } from './values-worlds.js';
import type { WorldModel } from './world.js';

export type BaseFacts = Pick<Facts, 'profile' | 'values' | 'release' | 'keycloakMode' | 'pgList' | 'osList'>;

export async function baseFacts(world: WorldModel): Promise<BaseFacts> {
  const { facts } = (await runChecks(world, [release, plan])).ctx;
  const { profile, values, release: r, keycloakMode, pgList, osList } = facts;
  if (!profile || !values || !r || !keycloakMode || !pgList || !osList)
    throw new Error('the release and plan modules left no values facts for this world');
  return { profile, values, release: r, keycloakMode, pgList, osList };
}

/** The same chart defaults under user values changed by `change` (on a deep copy). */
export function withUser(values: Values, change: (user: Tree) => void): Values {
  const user = structuredClone(values.user) as Tree;
  change(user);
  return new Values(values.defaults, user);
}
