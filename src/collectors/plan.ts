/**
 * Gathers what the component plan judges: the release facts it needs and the component
 * lists typed on the command line (-p/--pg, -l/--os, -e/--exclude). Nothing is asked of a
 * cluster or AWS: the plan is decided from the values alone, in every mode.
 */
import type { ModuleContext } from '../engine/module.js';
import type { Facts } from '../engine/facts.js';

export interface PlanInput {
  profile: Facts['profile'];
  values: Facts['values'];
  releaseName: string;
  keycloakMode: Facts['keycloakMode'];
  /** -e/--exclude, as typed. */
  exclude: string[];
  /** -p/--pg and -l/--os as typed; undefined: the chart's defaults. */
  pg?: string[];
  os?: string[];
}

export async function collectPlan(
  ctx: ModuleContext<'profile' | 'values' | 'release' | 'keycloakMode'>,
): Promise<PlanInput> {
  const { profile, values, release, keycloakMode } = ctx.facts;
  return {
    profile,
    values,
    releaseName: release.name,
    keycloakMode,
    exclude: ctx.options.exclude,
    ...(ctx.options.pg !== undefined ? { pg: ctx.options.pg } : {}),
    ...(ctx.options.os !== undefined ? { os: ctx.options.os } : {}),
  };
}
