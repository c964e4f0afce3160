import type { Context } from './context.js';
import type { Reporter } from './reporter.js';

/** One exit code a module can fail with: its meaning and the fix printed with the FAIL. */
export interface CodeMeta {
  code: number;
  title: string;
  fix: string;
}

/**
 * A check module: one file under src/checks/, registered once in checks/index.ts.
 * It declares its codes up front (so the README's exit-code table is generated
 * from the registry) and reports findings through `out`.
 */
export interface CheckModule {
  id: string;
  title: string;
  codes: CodeMeta[];
  run(ctx: Context, out: Reporter): Promise<void>;
}

export function defineModule(module: CheckModule): CheckModule {
  const seen = new Set<number>();
  for (const c of module.codes) {
    if (seen.has(c.code)) throw new Error(`module ${module.id} declares code ${c.code} twice`);
    seen.add(c.code);
  }
  return module;
}
