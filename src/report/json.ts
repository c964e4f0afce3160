import type { Finding } from '../core/finding.js';
import type { RunOptions } from '../core/options.js';
import type { Summary } from './format.js';
import { VERSION } from '../version.js';

/** The versioned schema of `--output json` (documented in the README). */
export const JSON_SCHEMA = 'irsa-check/report@1';

export function jsonReport(options: RunOptions, findings: readonly Finding[], summary: Summary): object {
  return {
    schema: JSON_SCHEMA,
    tool: { name: 'irsa-check', version: VERSION },
    namespace: options.namespace,
    exitCode: summary.exitCode,
    summary: { ok: summary.ok, info: summary.info, warn: summary.warn, fail: summary.fail },
    findings,
  };
}
