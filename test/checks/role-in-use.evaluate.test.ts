/**
 * The role-in-use evaluator as a table: IAM's RoleLastUsed (GetRole) counts any principal's use
 * and names no session (IAM user guide, "Viewing last accessed information": reported up to about
 * four hours late), so a use after the pods started is an INFO that corroborates, never an OK; no use
 * since then is a WARN; this run's own use is not counted.
 */
import { describe, expect, it } from 'vitest';
import { roleInUse } from '../../src/checks/role-in-use.js';
import type { RoleInUseInput, RoleUse } from '../../src/collectors/role-in-use.js';
import { ApiCallError } from '../../src/core/errors.js';
import { evaluate } from '../support/evaluate.js';

const START = Date.parse('2026-11-20T08:00:00.000Z');
const HOUR = 3_600_000;
const input = (components: RoleUse[], now = START + 10 * HOUR): RoleInUseInput => ({
  components,
  now,
  runStartedMs: now - 60_000,
});
const used = (lastUsedDate?: string, starts = [START, START + HOUR]): RoleUse => ({
  key: 'identity',
  kind: 'role',
  starts,
  role: { name: 'camunda-identity-irsa', ...(lastUsedDate ? { lastUsedDate } : {}) },
});

describe('role-in-use evaluator', () => {
  it.each<[string, RoleInUseInput, string[]]>([
    ['no component with a role and running pods', input([{ key: 'identity', kind: 'not-judged' }]), []],
    [
      'used after the earliest pod start: corroboration, an INFO, never an OK',
      input([used('2026-11-20T09:00:00.000Z')]),
      [
        "INFO identity: role camunda-identity-irsa was last used at 2026-11-20T09:00:00.000Z, after its pods started (2026-11-20T08:00:00.000Z): this corroborates, but does not prove, that the application uses it (IAM counts any principal's use: an earlier irsa-check, another cluster); the in-pod identity and injection proofs are the proof",
      ],
    ],
    [
      "used since this irsa-check started: its own proof's use",
      input([used(new Date(START + 10 * HOUR - 1000).toISOString())]),
      [
        "INFO identity: role camunda-identity-irsa use not judged: its last recorded use (2026-11-20T17:59:59.000Z) is this irsa-check run's own proof, not evidence about the application",
      ],
    ],
    [
      'not used since the pods started, which is longer ago than IAM’s delay: WARN',
      input([used('2026-11-19T08:00:00.000Z')]),
      [
        "WARN role-not-used identity: role camunda-identity-irsa was last used at 2026-11-19T08:00:00.000Z, before its pods started (2026-11-20T08:00:00.000Z): the application has not used its role since it started and may run on other credentials (node role, static keys); check its logs and its AWS SDK's credential chain",
      ],
    ],
    [
      'never used: WARN',
      input([used(undefined)]),
      [
        "WARN role-not-used identity: role camunda-identity-irsa has no recorded use, before its pods started (2026-11-20T08:00:00.000Z): the application has not used its role since it started and may run on other credentials (node role, static keys); check its logs and its AWS SDK's credential chain",
      ],
    ],
    [
      'pods younger than IAM’s reporting delay: not judged',
      input([used(undefined)], START + HOUR),
      [
        'INFO identity: role camunda-identity-irsa use not judged: its pods started at 2026-11-20T08:00:00.000Z, less than 4 hours ago (IAM reports last use late)',
      ],
    ],
  ])('%s', (_name, snapshot, lines) => {
    expect(evaluate(roleInUse, snapshot).lines).toEqual(lines);
  });

  it('an IAM error is that component’s, not the others’', () => {
    const denied = new ApiCallError('aws', 'iam:GetRole', 'AccessDenied', 'not authorized', 403);
    const r = evaluate(
      roleInUse,
      input([{ key: 'optimize', kind: 'error', error: denied }, used('2026-11-20T09:00:00.000Z')]),
    );
    expect(r.lines[0]).toMatch(
      /^FAIL cannot-ask optimize: irsa-check cannot call iam:GetRole \(AccessDenied\)/,
    );
    expect(r.lines[1]).toMatch(/^INFO identity: role camunda-identity-irsa was last used/);
  });
});
