/**
 * trust-readable (roles module, src/checks/roles/trust.ts readTrustPolicy): a role whose
 * trust policy document is not parseable JSON is one FAIL naming the role and the parser's
 * words, with the fix, exit code 121; never an internal error, never an OK about its trust.
 * IAM returns the document URL-encoded (GetRole, AssumeRolePolicyDocument); a document that
 * decodes to broken JSON is what a hand-edited or truncated policy gives.
 */
import { describe, expect, it } from 'vitest';
import { plant, runModules } from './aws-checks-harness.js';

const ROLE = 'camunda-identity-irsa';
const BROKEN = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", ';

describe('trust-readable', () => {
  it.each([
    ['as JSON text', BROKEN],
    ['URL-encoded, as GetRole returns it', encodeURIComponent(BROKEN)],
  ])('a trust policy that is not JSON (%s): the FAIL line, its fix, exit 121', async (_how, doc) => {
    const world = plant((w) => {
      w.aws.roles!.find((r) => r.name === ROLE)!.trustPolicy = doc;
    });
    const run = await runModules(world);
    const fails = run.fails('roles').filter((f) => f.component === 'identity');
    expect(fails.map((f) => [f.check, f.code, f.message, f.fix])).toEqual([
      [
        'trust-readable',
        121,
        expect.stringMatching(
          /^the trust policy of role camunda-identity-irsa \(IRSA, account 123456789012\) cannot be read: the policy document is not valid JSON: /,
        ),
        `Correct the trust policy of role ${ROLE} (aws iam get-role --role-name ${ROLE}).`,
      ],
    ]);
    const lines = run.lines('roles');
    expect(lines.filter((l) => l.startsWith('[FAIL] identity: the trust policy'))).toHaveLength(1);
    // no verdict about a trust it could not read
    expect(lines.some((l) => l.startsWith(`[OK] identity: role ${ROLE} trusts`))).toBe(false);
    expect(lines.join('\n')).not.toMatch(/internal error/);
    expect(run.exitCode).toBe(121);
  });
});
