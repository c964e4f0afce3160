/**
 * The README's exit-code table, generated from the module registry (each module
 * declares its codes), so the documentation cannot drift from the code.
 */
import type { CheckModule } from '../core/module.js';
import { CODE_CANNOT_ASK, CODE_INTERNAL } from '../core/reporter.js';

/** Codes that belong to irsa-check itself rather than to one check module. */
export const TOOL_CODES: Array<{ code: number; module: string; title: string }> = [
  { code: 0, module: '–', title: 'every check passed (WARNs do not fail a run)' },
  {
    code: 1,
    module: 'cli',
    title: 'usage error: bad flag, invalid namespace, unknown component, empty list, malformed values file',
  },
  {
    code: CODE_CANNOT_ASK,
    module: 'any',
    title:
      'irsa-check could not ask Kubernetes or AWS (its own permission denied, throttling beyond retries, network)',
  },
  {
    code: 3,
    module: 'cli',
    title: 'no kubeconfig, unknown context, API server unreachable or credentials rejected (fatal)',
  },
  {
    code: CODE_INTERNAL,
    module: 'any',
    title: 'internal error in irsa-check (a bug: please report it with --verbose output)',
  },
  {
    code: 130,
    module: 'cli',
    title:
      'interrupted (Ctrl-C / SIGINT, the Unix 128+2; it shares its number with jobs 130, the last line tells them apart); verification Jobs are deleted first; 143 for SIGTERM',
  },
];

export function codesTable(modules: readonly CheckModule[]): string {
  const rows = new Map<string, { code: number; module: string; title: string }>();
  for (const c of TOOL_CODES) rows.set(`${c.code}/${c.module}`, c);
  for (const m of modules)
    for (const c of m.codes) rows.set(`${c.code}/${m.id}`, { code: c.code, module: m.id, title: c.title });
  const sorted = [...rows.values()].sort((a, b) => a.code - b.code || a.module.localeCompare(b.module));
  return [
    '| code | module | meaning |',
    '|---:|---|---|',
    ...sorted.map((r) => `| ${r.code} | ${r.module} | ${r.title.replace(/\|/g, '\\|')} |`),
  ].join('\n');
}
