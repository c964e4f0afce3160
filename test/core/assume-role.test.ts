/**
 * `--assume-role ACCOUNT=ROLE_ARN`, repeatable: which account is read as which role. Bad input is
 * a usage error naming the flag and the value, never a stack trace.
 */
import { describe, expect, it } from 'vitest';
import { assumeRolesOf, buildProgram, toRunOptions } from '../../src/cli.js';
import { UsageError } from '../../src/core/errors.js';

const parse = (...args: string[]) => {
  const program = buildProgram();
  program.parse(['-n', 'camunda', ...args], { from: 'user' });
  return toRunOptions(program.opts(), {});
};

describe('--assume-role', () => {
  it('maps each account to its role; repeatable', () => {
    expect(
      parse(
        '--assume-role',
        '210987654321=arn:aws:iam::210987654321:role/irsa-check-reader',
        '--assume-role',
        '111122223333=arn:aws:iam::111122223333:role/path/reader',
      ).assumeRoles,
    ).toEqual({
      '210987654321': 'arn:aws:iam::210987654321:role/irsa-check-reader',
      '111122223333': 'arn:aws:iam::111122223333:role/path/reader',
    });
    expect(parse().assumeRoles).toBeUndefined();
  });

  it.each([
    [
      '210987654321',
      '--assume-role takes ACCOUNT=ROLE_ARN (a 12-digit account and the ARN of a role to read it with), got "210987654321"',
    ],
    [
      '2109=arn:aws:iam::210987654321:role/r',
      '--assume-role takes ACCOUNT=ROLE_ARN (a 12-digit account and the ARN of a role to read it with), got "2109=arn:aws:iam::210987654321:role/r"',
    ],
    [
      '210987654321=arn:aws:iam::111122223333:role/r',
      '--assume-role 210987654321=arn:aws:iam::111122223333:role/r: the role is in account 111122223333, not 210987654321; name a role of account 210987654321',
    ],
  ])('%s: a usage error', (value, message) => {
    expect(() => assumeRolesOf([value])).toThrow(new UsageError(message));
  });

  it('two roles for one account: a usage error', () => {
    expect(() =>
      assumeRolesOf([
        '210987654321=arn:aws:iam::210987654321:role/a',
        '210987654321=arn:aws:iam::210987654321:role/b',
      ]),
    ).toThrow('--assume-role names two roles for account 210987654321');
  });
});
