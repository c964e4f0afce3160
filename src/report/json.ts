import type { Finding } from '../core/finding.js';
import type { RunOptions } from '../core/options.js';
import type { Summary } from './format.js';
import { VERSION } from '../version.js';

/** The versioned schema of `--output json` (documented in the README). */
export const JSON_SCHEMA = 'irsa-check/report@1';

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
  calls?: CallStats,
): object {
  return {
    schema: JSON_SCHEMA,
    tool: { name: 'irsa-check', version: VERSION },
    namespace: options.namespace,
    exitCode: summary.exitCode,
    summary: { ok: summary.ok, info: summary.info, warn: summary.warn, fail: summary.fail },
    ...(calls ? { calls } : {}),
    findings,
  };
}
