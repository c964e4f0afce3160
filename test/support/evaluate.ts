/**
 * Runs a check's pure evaluator on one snapshot, as ESLint's RuleTester runs a rule on one
 * source: no dispatcher, no ports, no I/O. Returns what the user would see of each finding
 * (`LEVEL check-id component: message`) and the facts the evaluator published.
 */
import { Reporter } from '../../src/core/reporter.js';
import type { Finding } from '../../src/core/finding.js';
import { FatalCheckError } from '../../src/core/errors.js';
import type { CheckModule } from '../../src/engine/module.js';

export interface Evaluated {
  lines: string[];
  findings: Finding[];
  provided: Record<string, unknown>;
  notApplicable: string[];
  /** A fatal precondition the evaluator threw (`throw out.fatal(…)`): its line ends `lines`, as the dispatcher prints it. */
  fatal?: FatalCheckError;
}

export function evaluate(module: CheckModule, input: unknown): Evaluated {
  if (!module.evaluate) throw new Error(`${module.id} is a proof: it has no pure evaluator`);
  const findings: Finding[] = [];
  const provided: Record<string, unknown> = {};
  const notApplicable: string[] = [];
  let fatal: FatalCheckError | undefined;
  try {
    module.evaluate(input, new Reporter(module.id, (f) => findings.push(f), module.checks), {
      provide: (k, v) => void (provided[k] = v),
      notApplicable: (k) => void notApplicable.push(k),
    });
  } catch (e) {
    // Anything else an evaluator throws (a UsageError, a captured error it rethrows) is the test's to expect.
    if (!(e instanceof FatalCheckError)) throw e;
    fatal = e;
    findings.push({ level: 'FAIL', check: e.check, code: e.code, module: module.id, message: e.message });
  }
  const lines = findings.map(
    (f) => `${f.level}${f.check ? ` ${f.check}` : ''}${f.component ? ` ${f.component}` : ''}: ${f.message}`,
  );
  return { lines, findings, provided, notApplicable, ...(fatal ? { fatal } : {}) };
}
