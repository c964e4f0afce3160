/**
 * Gathers the release to check: with --values, the files (and --chart) read as a release;
 * otherwise Helm's release records of the namespace, decoded (within the input limits), and,
 * when none is a Camunda release and none is corrupt, an Argo CD Application deploying the
 * chart. Errors are values: the evaluator decides what each means.
 */
import type { ModuleContext } from '../engine/module.js';
import type { HelmRelease, ReleaseSearch } from '../helm/release.js';
import { findCamundaReleases } from '../helm/release.js';
import { loadValuesOnlyRelease, releaseFromArgo, type LoadedRelease } from '../helm/values-only.js';

export type ReleaseInput =
  /** --values: the release the files describe, and the INFO line saying where it came from. */
  | { kind: 'values-only'; loaded: LoadedRelease }
  /** Helm's records could not be listed; `server` names the API server in a fatal. */
  | { kind: 'records-error'; namespace: string; error: unknown; server: string }
  | {
      kind: 'records';
      namespace: string;
      /** --release, if given. */
      wanted?: string;
      search: ReleaseSearch;
      /** Asked only when no record is a Camunda release and none is corrupt. */
      argo?: { loaded?: LoadedRelease } | { error: unknown };
    };

export async function collectRelease(ctx: ModuleContext): Promise<ReleaseInput> {
  if (ctx.options.values.length > 0) {
    const loaded = await loadValuesOnlyRelease(ctx);
    learn(ctx, loaded.release);
    return { kind: 'values-only', loaded };
  }
  const namespace = ctx.scope.namespace;
  let records;
  try {
    records = await ctx.kube.helmReleaseRecords(namespace);
  } catch (error) {
    return { kind: 'records-error', namespace, error, server: (await ctx.kube.clusterInfo()).server };
  }
  const search = findCamundaReleases(records, ctx.options.limits);
  const input: ReleaseInput = {
    kind: 'records',
    namespace,
    ...(ctx.scope.release !== undefined ? { wanted: ctx.scope.release } : {}),
    search,
  };
  if (search.releases.length === 0 && search.corrupt.length === 0) {
    try {
      const loaded = await releaseFromArgo(ctx);
      input.argo = loaded ? { loaded } : {};
      if (loaded) learn(ctx, loaded.release);
    } catch (error) {
      input.argo = { error };
    }
  }
  // Only the release that will be checked (the evaluator picks it the same way).
  const chosen = input.wanted
    ? search.releases.find((r) => r.name === input.wanted)
    : search.releases.length === 1
      ? search.releases[0]
      : undefined;
  if (chosen) learn(ctx, chosen);
  return input;
}

/** The redactor learns the secrets in the values before any line can quote them. */
function learn(ctx: ModuleContext, release: HelmRelease): void {
  ctx.redactor.learn(release.user);
  ctx.redactor.learn(release.defaults);
}
