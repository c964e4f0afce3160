/**
 * A check module: one file (or folder) under src/checks/, registered once in
 * checks/index.ts. Like an ESLint rule it declares up front every check it can
 * report (src/core/catalogue.ts); like a Renovate manager it exposes one small
 * surface. It also declares the facts it needs (the dispatcher starts it once
 * they exist, typed as present), the facts it may wait for (`uses`) and the facts
 * it provides. A module never imports another check module.
 */
import type { CheckMeta } from '../core/catalogue.js';
import type { Facts, FactKey } from './facts.js';
import type { Reporter } from '../core/reporter.js';
import type { Services } from '../core/context.js';

/** What a module's `run` sees: the services, its needed facts, and its way to wait for and write facts. */
export interface ModuleContext<
  N extends FactKey = never,
  U extends FactKey = never,
  P extends FactKey = never,
> extends Services {
  readonly facts: { readonly [K in N]: Facts[K] };
  /** Waits until the module that provides `key` has provided it or finished; undefined when it did not. */
  use<K extends U>(key: K): Promise<Facts[K] | undefined>;
  /** Publishes a fact; modules that need it may start at once. */
  provide<K extends P>(key: K, value: Facts[K]): void;
  /**
   * Says a fact it provides does not apply to this run (e.g. no OpenSearch component is
   * checked): modules that need it are skipped silently, not with "skipped: needs …",
   * since nothing failed.
   */
  notApplicable(key: P): void;
}

export interface ModuleSpec<Id extends string, N extends FactKey, U extends FactKey, P extends FactKey> {
  id: string;
  title: string;
  /** Facts without which the module cannot run: when one is missing it is skipped with one INFO. */
  needs: readonly N[];
  /** Facts the module reads when they exist, waiting for their provider where it reads them. */
  uses?: readonly U[];
  provides?: readonly P[];
  checks: { readonly [K in Id]: CheckMeta };
  run(ctx: ModuleContext<N, U, P>, out: Reporter<Id>): Promise<void>;
}

/** A registered module, its type parameters erased (method syntax keeps `run` assignable). */
export interface CheckModule {
  readonly id: string;
  readonly title: string;
  readonly needs: readonly FactKey[];
  readonly uses: readonly FactKey[];
  readonly provides: readonly FactKey[];
  readonly checks: Readonly<Record<string, CheckMeta>>;
  run(ctx: ModuleContext<FactKey, FactKey, FactKey>, out: Reporter<string>): Promise<void>;
}

export function defineModule<
  const Id extends string,
  const N extends FactKey = never,
  const U extends FactKey = never,
  const P extends FactKey = never,
>(spec: ModuleSpec<Id, N, U, P>): CheckModule {
  return {
    id: spec.id,
    title: spec.title,
    needs: spec.needs,
    uses: spec.uses ?? [],
    provides: spec.provides ?? [],
    checks: spec.checks,
    run: spec.run as CheckModule['run'],
  };
}
