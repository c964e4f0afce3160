import type { Catalogue } from '../core/catalogue.js';
import type { Finding } from '../core/finding.js';
import type { RunOptions } from '../core/options.js';
import type { Summary } from './format.js';
import { entryJson } from './doc-link.js';
import { VERSION } from '../version.js';

/** The versioned schema of `--output json` (documented in the README). */
export const JSON_SCHEMA = 'irsa-check/report@1';

/**
 * One JSON document: the findings (each verdict with its catalogue `check` ID) and,
 * for every check they name, its catalogue entry, so a reader needs nothing else.
 */
/** Calls made, AWS attempts throttled, and the slowest call: why a run was slow. */
export interface CallStats {
  kubernetes: number;
  aws: number;
  throttled: number;
  slowest?: { call: string; ms: number };
}

export function jsonReport(
  options: RunOptions,
  findings: readonly Finding[],
  summary: Summary,
  catalogue: Catalogue,
  calls?: CallStats,
): object {
  const checks: Record<string, object> = {};
  for (const f of findings) {
    const c = f.check !== undefined ? catalogue.get(f.check) : undefined;
    if (!c || checks[c.id]) continue;
    checks[c.id] = entryJson(c);
  }
  return {
    schema: JSON_SCHEMA,
    tool: { name: 'irsa-check', version: VERSION },
    namespace: options.namespace,
    ...(options.namespaceFrom ? { namespaceFromContext: options.namespaceFrom } : {}),
    exitCode: summary.exitCode,
    summary: { ok: summary.ok, info: summary.info, warn: summary.warn, fail: summary.fail },
    skipped: options.skip,
    ...(calls ? { calls } : {}),
    findings,
    checks,
  };
}
