/**
 * Turns an "Undetermined" decision of the evaluator into one finding naming the
 * statements that leave it open and why, so no check reports OK on a decision
 * irsa-check could not make.
 */
import type { Reporter } from '../core/reporter.js';
import { describeStatement, type Decision, type UndeterminedStatement } from './policy.js';

function describeOne(u: UndeterminedStatement): string {
  return `${describeStatement(u)} (${u.statement.Effect}) may apply: ${u.reasons.join('; ')}`;
}

/** `statement "X" of policy "Y" (Deny) may apply: <why>; …` for every statement that leaves the decision open. */
export function undeterminedReason(d: Decision): string {
  return d.undetermined.map(describeOne).join('; ');
}

/**
 * Only Deny statements leave it open: some statement surely allows the request, and
 * it is refused only if a Deny irsa-check cannot evaluate applies.
 */
export function onlyDenyInDoubt(d: Decision): boolean {
  return d.undetermined.length > 0 && d.undetermined.every((u) => u.statement.Effect === 'Deny');
}

/**
 * Reports an undetermined decision and returns true; returns false for any other decision.
 * WARN (check `ids.warn`) when the request is allowed unless an unevaluable Deny applies;
 * FAIL (check `ids.fail`) when no statement can be shown to allow it (the permission is not
 * confirmed). `question` completes "irsa-check cannot decide whether …".
 */
export function reportUndetermined<W extends string, F extends string>(
  out: Reporter<W | F>,
  d: Decision,
  ids: { warn: W; fail: F },
  question: string,
): boolean {
  if (d.decision !== 'Undetermined') return false;
  const message = `irsa-check cannot decide whether ${question}: ${undeterminedReason(d)}`;
  const statements = [...new Set(d.undetermined.map((u) => describeStatement(u)))].join(', ');
  const fix = `Confirm by hand whether ${statements} applies to this request, or rewrite it with elements irsa-check evaluates (README, "IAM policy evaluation").`;
  if (onlyDenyInDoubt(d)) out.warn(ids.warn, message, { fix });
  else out.fail(ids.fail, message, { fix });
  return true;
}
