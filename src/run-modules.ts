import type { Context } from './core/context.js';
import { FatalCheckError, UsageError } from './core/errors.js';
import type { CheckModule } from './core/module.js';
import { Reporter, type FindingSink } from './core/reporter.js';

/** Runs the modules in order; a fatal precondition stops the rest. Returns false when it did. */
export async function runModules(
  modules: readonly CheckModule[],
  ctx: Context,
  sink: FindingSink,
): Promise<boolean> {
  for (const module of modules) {
    const out = new Reporter(module.id, sink, new Map(module.codes.map((c) => [c.code, c])));
    try {
      await module.run(ctx, out);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      if (e instanceof FatalCheckError) {
        out.fail(e.code, e.message, { fix: e.fix });
        return false;
      }
      out.unexpected(e);
    }
  }
  return true;
}
