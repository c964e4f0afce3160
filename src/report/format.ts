import type { Finding, Level } from '../core/finding.js';
import { RUN_CHECKS } from '../core/catalogue.js';

/** Which stream a level goes to: the output contract (OK/INFO stdout, WARN/FAIL stderr). */
export function streamOf(level: Level): 'stdout' | 'stderr' {
  return level === 'OK' || level === 'INFO' ? 'stdout' : 'stderr';
}

import { escapeControl } from './escape.js';

/**
 * Control characters (ESC, BEL, NUL, CR, …) from values or API answers, written as `\x1b`:
 * raw, they could rewrite the terminal (title, clear screen, fake lines). Tabs stay.
 */
export { escapeControl };

/** `[FAIL] webModeler: message` — the one line a finding prints as. */
export function findingLine(f: Finding): string {
  return escapeControl(`[${f.level}] ${f.component ? `${f.component}: ` : ''}${f.message}`);
}

export interface Summary {
  ok: number;
  info: number;
  warn: number;
  fail: number;
  exitCode: number;
}

/** Exit code = the code of the last FAIL (aws-irsa.sh compatible), 0 when nothing failed. */
export function summarize(findings: readonly Finding[]): Summary {
  const s: Summary = { ok: 0, info: 0, warn: 0, fail: 0, exitCode: 0 };
  for (const f of findings) {
    if (f.level === 'OK') s.ok++;
    else if (f.level === 'INFO') s.info++;
    else if (f.level === 'WARN') s.warn++;
    else {
      s.fail++;
      s.exitCode = f.code ?? 1;
    }
  }
  return s;
}

/**
 * irsa-check's own failures: nothing (or not everything) was checked. They come from the run
 * itself, or from the module whose call found the cluster gone (kube-timeout raised in preflight
 * or any later module carries that module's name), so the catalogue's run checks decide, not the
 * module. `cannot-ask` (one call refused) stays a finding: the other checks ran.
 */
function isOwnFailure(f: Finding): boolean {
  return f.module === 'run' || (f.check !== undefined && f.check !== 'cannot-ask' && f.check in RUN_CHECKS);
}

/** The exit code of a run whose only problems are WARNs, with `--fail-on warn`. */
export const CODE_WARN = 10;

/**
 * The process's exit code under `--fail-on` (kubescape's --severity-threshold, Trivy's --exit-code):
 * - `fail` (default): the code of the last FAIL, as aws-irsa.sh;
 * - `warn`: that, or CODE_WARN when the worst finding is a WARN;
 * - `never`: findings never fail the run; irsa-check's own failures (module `run`: a usage error,
 *   no kubeconfig, an unreachable API server, a timeout, an interrupt) still do, since then nothing
 *   was checked.
 */
export function exitCodeFor(
  findings: readonly Finding[],
  summary: Summary,
  failOn: 'fail' | 'warn' | 'never' = 'fail',
): number {
  if (failOn === 'never') {
    let code = 0;
    for (const f of findings) if (f.level === 'FAIL' && isOwnFailure(f)) code = f.code ?? 1;
    return code;
  }
  if (summary.exitCode !== 0) return summary.exitCode;
  return failOn === 'warn' && summary.warn > 0 ? CODE_WARN : 0;
}
