/**
 * The dataflow dispatcher. Every module starts as soon as the facts it needs
 * exist, so independent Kubernetes and AWS calls overlap instead of queueing
 * behind unrelated modules; each module's findings are buffered and flushed in
 * registry order, so the output is byte-identical to a sequential run.
 *
 * - A module whose needed fact is missing (its provider failed or was skipped)
 *   says "skipped: needs <fact>" once and never runs.
 * - A fatal precondition stops the run after the module that raised it: modules
 *   later in the registry are not started, and the findings of those already
 *   running are dropped, exactly as if they had never run.
 */
import type { RunContext } from '../core/context.js';
import { FACT_LABELS, type FactKey, type Facts } from './facts.js';
import type { Finding } from '../core/finding.js';
import { FatalCheckError, UsageError } from '../core/errors.js';
import type { CheckModule, ModuleContext } from './module.js';
import { Reporter, type FindingSink } from '../core/reporter.js';
import { AWS_PERMISSIONS, type AnyAwsQuery } from '../ports/aws.js';

const ORDER = Object.keys(FACT_LABELS) as FactKey[];

/** Facts as one run holds them: written once by their provider, awaited by everyone else. */
class FactStore {
  private readonly waiters = new Map<FactKey, Array<() => void>>();
  private readonly settled = new Set<FactKey>();
  /** Facts their provider said do not apply: missing by design, not because a check failed. */
  readonly notApplicable = new Set<FactKey>();

  constructor(
    readonly values: Partial<Facts>,
    /** Facts some module of this run will provide: the rest are final as given. */
    pending: Iterable<FactKey>,
  ) {
    const open = new Set(pending);
    for (const key of Object.keys(FACT_LABELS) as FactKey[]) if (!open.has(key)) this.settled.add(key);
  }

  set<K extends FactKey>(key: K, value: Facts[K]): void {
    this.values[key] = value;
    this.settle(key);
  }

  /** Its provider finished (or will never run): whoever waits for `key` goes on, with or without it. */
  settle(key: FactKey): void {
    if (this.settled.has(key)) return;
    this.settled.add(key);
    for (const wake of this.waiters.get(key) ?? []) wake();
    this.waiters.delete(key);
  }

  async when<K extends FactKey>(key: K): Promise<Facts[K] | undefined> {
    if (!this.settled.has(key)) {
      await new Promise<void>((resolve) =>
        this.waiters.set(key, [...(this.waiters.get(key) ?? []), resolve]),
      );
    }
    return this.values[key];
  }
}

/**
 * Throws when the registry breaks the contract: one provider per fact, providers before their
 * readers, one query per query name (bundles record queries by name) and no query named like a
 * method of the Aws port (a replay answers a query from an older bundle's record of the method it
 * replaced, by that name: src/platform/replay.ts).
 */
export function validateRegistry(modules: readonly CheckModule[]): void {
  const queries = new Map<string, AnyAwsQuery>();
  for (const m of modules) {
    for (const q of m.queries ?? []) {
      if (q.name in AWS_PERMISSIONS || q.name === 'query')
        throw new Error(
          `module ${m.id} declares the AWS query ${q.name}, named like a method of the Aws port`,
        );
      const other = queries.get(q.name);
      if (other && other !== q) throw new Error(`two AWS queries are named ${q.name}`);
      queries.set(q.name, q);
    }
  }
  const provider = new Map<FactKey, number>();
  modules.forEach((m, i) => {
    for (const key of m.provides) {
      const other = provider.get(key);
      if (other !== undefined) {
        throw new Error(`fact ${key} is provided by both ${modules[other]!.id} and ${m.id}`);
      }
      provider.set(key, i);
    }
  });
  modules.forEach((m, i) => {
    for (const key of [...m.needs, ...m.uses]) {
      const p = provider.get(key);
      // A reader before its provider would see different facts than a sequential run.
      if (p !== undefined && p >= i) {
        throw new Error(
          `module ${m.id} reads fact ${key}, provided by ${modules[p]!.id}, which runs after it`,
        );
      }
    }
  });
}

export interface DispatchOptions {
  /** Facts known before any module runs (e.g. the caller identity in -A); filled in as modules provide. */
  facts?: Partial<Facts>;
  /** Check and module IDs turned off with --skip. */
  skip?: ReadonlySet<string>;
  /** One module after another, in registry order: the reference the dataflow's output must equal. */
  sequential?: boolean;
}

interface Slot {
  held: Finding[];
  done: Promise<void>;
  fatal?: FatalCheckError;
  usage?: UsageError;
}

/**
 * Runs `modules` as a dataflow over `ctx` and streams their findings to `sink` in
 * registry order. Returns false when a fatal precondition stopped the run.
 */
export async function dispatch(
  modules: readonly CheckModule[],
  ctx: RunContext,
  sink: FindingSink,
  opts: DispatchOptions = {},
): Promise<boolean> {
  const skip = opts.skip ?? new Set<string>();
  const running = modules.filter((m) => !skip.has(m.id));
  const facts = opts.facts ?? {};
  // The run scope answers whether there is a cluster before any module runs.
  if (ctx.scope.noCluster === undefined) facts.kubernetes = true;
  const store = new FactStore(
    facts,
    running.flatMap((m) => m.provides),
  );
  // The lowest registry index that raised a fatal: modules after it are not started.
  let stopAt = Infinity;
  let previous: Promise<void> = Promise.resolve();

  const slots: Slot[] = modules.map((module, index) => {
    const slot: Slot = { held: [], done: Promise.resolve() };
    const out = new Reporter<string>(module.id, (f) => slot.held.push(f), module.checks, undefined, skip);
    const settleProvided = () => module.provides.forEach((k) => store.settle(k));
    if (skip.has(module.id)) {
      out.info(`skipped: --skip ${module.id}`);
      return slot;
    }
    const after = opts.sequential ? previous : undefined;
    slot.done = (async () => {
      try {
        await after;
        const needed = await Promise.all(module.needs.map((k) => store.when(k)));
        if (index > stopAt) return;
        // The first missing fact in the facts' own order: "needs the Helm release" before "the chart profile".
        const missing = ORDER.filter((k) => module.needs.some((n, i) => n === k && needed[i] === undefined));
        if (missing.length > 0) {
          if (!missing.some((k) => store.notApplicable.has(k)))
            out.info(`skipped: needs ${FACT_LABELS[missing[0]!]}`);
          return;
        }
        const allowed = new Set<FactKey>(module.provides);
        const mctx: ModuleContext<FactKey, FactKey, FactKey> = {
          ...ctx,
          facts: store.values as Facts,
          use: (key) => store.when(key),
          provide: (key, value) => {
            if (!allowed.has(key))
              throw new Error(`module ${module.id} provides ${key} without declaring it`);
            store.set(key, value);
          },
          notApplicable: (key) => {
            if (!allowed.has(key))
              throw new Error(`module ${module.id} provides ${key} without declaring it`);
            store.notApplicable.add(key);
            store.settle(key);
          },
        };
        await module.run(mctx, out);
      } catch (e) {
        if (e instanceof UsageError) slot.usage = e;
        else if (e instanceof FatalCheckError) {
          slot.fatal = e;
          stopAt = Math.min(stopAt, index);
        } else {
          try {
            out.unexpected(e);
          } catch (again) {
            if (again instanceof FatalCheckError) {
              slot.fatal = again;
              stopAt = Math.min(stopAt, index);
            } else throw again;
          }
        }
      } finally {
        settleProvided();
      }
    })();
    previous = slot.done;
    return slot;
  });

  let completed = true;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    await slot.done;
    slot.held.forEach(sink);
    if (slot.usage) {
      await Promise.allSettled(slots.map((s) => s.done));
      throw slot.usage;
    }
    if (slot.fatal) {
      const f = slot.fatal;
      sink({
        level: 'FAIL',
        check: f.check,
        code: f.code,
        module: modules[i]!.id,
        message: f.message,
        ...(f.fix !== undefined ? { fix: f.fix } : {}),
      });
      completed = false;
      break;
    }
  }
  // Modules still running after a fatal: let them end (their findings are dropped) so no call outlives the run.
  await Promise.allSettled(slots.map((s) => s.done));
  return completed;
}
