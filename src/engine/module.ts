/**
 * A check module, registered once in checks/index.ts. Like an ESLint rule it
 * declares up front every check it can report (src/core/catalogue.ts); like a
 * Renovate manager it exposes one small surface. It also declares the facts it
 * needs (the dispatcher starts it once they exist, typed as present), the facts it
 * may wait for (`uses`) and the facts it provides. A module never imports another
 * check module.
 *
 * Two shapes, as kube-score and Trivy split gathering from judging:
 * - a check (src/checks/): `collect` (src/collectors/) gathers a typed snapshot
 *   through the ports, then `evaluate`, a pure function of that snapshot, reports.
 *   No I/O in an evaluator (ESLint forbids `await` and the ports in src/checks/),
 *   so the same evaluator judges a live cluster, a bundle and rendered values, and
 *   a test feeds it a table of snapshots (test/support/evaluate.ts);
 * - a proof (src/proofs/): `run`, which acts (TokenRequest, Jobs, dry-run creates,
 *   data-plane logins) and reports as it goes.
 */
import type { CheckMeta } from '../core/catalogue.js';
import type { Facts, FactKey } from './facts.js';
import type { Reporter } from '../core/reporter.js';
import type { Services } from '../core/context.js';
import type { AnyAwsQuery, Aws } from '../ports/aws.js';

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

/** What an evaluator may do besides reporting: publish the facts its judgement decides. */
export type FactSink<P extends FactKey = never> = Pick<
  ModuleContext<never, never, P>,
  'provide' | 'notApplicable'
>;

interface SpecHead<Id extends string, N extends FactKey, U extends FactKey, P extends FactKey> {
  id: string;
  title: string;
  /** Facts without which the module cannot run: when one is missing it is skipped with one INFO. */
  needs: readonly N[];
  /** Facts the module reads when they exist, waiting for their provider where it reads them. */
  uses?: readonly U[];
  provides?: readonly P[];
  checks: { readonly [K in Id]: CheckMeta };
  /**
   * The AWS queries the module asks (`ctx.aws.query`), usually declared in its collector: README
   * "Permissions" lists their actions, and asking one not listed here fails the call.
   */
  queries?: readonly AnyAwsQuery[];
}

/** A proof (src/proofs/): acts and reports as it goes. */
export interface ProofSpec<
  Id extends string,
  N extends FactKey,
  U extends FactKey,
  P extends FactKey,
> extends SpecHead<Id, N, U, P> {
  run(ctx: ModuleContext<N, U, P>, out: Reporter<Id>): Promise<void>;
}

/**
 * A check (src/checks/): a collector gathers everything the judgement needs (API errors
 * included, as values), then the pure evaluator reports. A collector may publish facts
 * it gathered at once (`ctx.provide`), so the modules waiting for them start early; the
 * evaluator publishes the facts it judges (`facts`). An evaluator stops the run on a failed
 * precondition with `throw out.fatal(…)`, which the dispatcher treats as from a proof's `run`
 * (docs/ARCHITECTURE.md, "Checks and proofs").
 */
export interface CheckSpec<
  Id extends string,
  N extends FactKey,
  U extends FactKey,
  P extends FactKey,
  I,
> extends SpecHead<Id, N, U, P> {
  collect(ctx: ModuleContext<N, U, P>): Promise<I>;
  evaluate(input: I, out: Reporter<Id>, facts: FactSink<P>): void;
}

export type ModuleSpec<
  Id extends string,
  N extends FactKey,
  U extends FactKey,
  P extends FactKey,
  I = unknown,
> = ProofSpec<Id, N, U, P> | CheckSpec<Id, N, U, P, I>;

/** A registered module, its type parameters erased (method syntax keeps `run` assignable). */
export interface CheckModule {
  readonly id: string;
  readonly title: string;
  readonly needs: readonly FactKey[];
  readonly uses: readonly FactKey[];
  readonly provides: readonly FactKey[];
  readonly checks: Readonly<Record<string, CheckMeta>>;
  readonly queries: readonly AnyAwsQuery[];
  /** 'check': collector + pure evaluator; 'proof': acts. */
  readonly kind: 'check' | 'proof';
  run(ctx: ModuleContext<FactKey, FactKey, FactKey>, out: Reporter<string>): Promise<void>;
  /** The check's evaluator alone (kind 'check'), for table tests. */
  readonly evaluate?: (input: unknown, out: Reporter<string>, facts: FactSink<FactKey>) => void;
}

export function defineModule<
  const Id extends string,
  const N extends FactKey = never,
  const U extends FactKey = never,
  const P extends FactKey = never,
  I = unknown,
>(spec: ModuleSpec<Id, N, U, P, I>): CheckModule {
  const head = {
    id: spec.id,
    title: spec.title,
    needs: spec.needs,
    uses: spec.uses ?? [],
    provides: spec.provides ?? [],
    checks: spec.checks,
    queries: spec.queries ?? [],
  };
  const declared = new Set<unknown>(head.queries);
  const own = <C extends ModuleContext<N, U, P>>(ctx: C): C => declaredQueriesOnly(ctx, spec.id, declared);
  if ('run' in spec) {
    const run = spec.run;
    return {
      ...head,
      kind: 'proof',
      run: ((ctx: ModuleContext<N, U, P>, out: Reporter<Id>) => run(own(ctx), out)) as CheckModule['run'],
    };
  }
  const { collect, evaluate } = spec;
  return {
    ...head,
    kind: 'check',
    // The dispatcher sees one `run`: gather, then judge. A collector that throws is reported
    // by the dispatcher like any module error (out.unexpected).
    run: (async (ctx: ModuleContext<N, U, P>, out: Reporter<Id>) => {
      const input = await collect(own(ctx));
      evaluate(input, out, ctx);
    }) as unknown as CheckModule['run'],
    evaluate: evaluate as unknown as CheckModule['evaluate'],
  };
}

/**
 * The module's context whose AWS (its own account's and the others') refuses a query the module
 * does not declare: the permissions README "Permissions" lists come from the declarations, so an
 * undeclared query would be a call the documented policy does not allow.
 */
function declaredQueriesOnly<C extends Services>(ctx: C, id: string, declared: ReadonlySet<unknown>): C {
  const guard = (aws: Aws): Aws =>
    new Proxy(aws, {
      get(obj, prop, receiver) {
        const value = Reflect.get(obj, prop, receiver) as unknown;
        if (prop !== 'query' || typeof value !== 'function') return value;
        return (q: AnyAwsQuery, ...args: unknown[]) =>
          declared.has(q)
            ? (value as Aws['query']).call(obj, q, ...args)
            : Promise.reject(
                new Error(`module ${id} asks the AWS query ${q.name} without declaring it in its queries`),
              );
      },
    });
  const others = new WeakMap<Aws, Aws>();
  return {
    ...ctx,
    aws: guard(ctx.aws),
    // One guard per account, as the context keeps one Aws per account.
    awsIn: (account: string) => {
      const other = ctx.awsIn(account);
      if (!other) return undefined;
      let guarded = others.get(other);
      if (!guarded) others.set(other, (guarded = guard(other)));
      return guarded;
    },
  };
}
