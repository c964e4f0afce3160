/**
 * `--assume-role ACCOUNT=ROLE_ARN`, repeatable: which account is read as which role. Bad input is
 * a usage error naming the flag and the value, never a stack trace.
 */
import { describe, expect, it } from 'vitest';
import { accountAccessOf, assumeRolesOf, buildProgram, profilesOf, toRunOptions } from '../../src/cli.js';
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

describe('--profile-for', () => {
  it('maps each account to an AWS profile; repeatable, beside --assume-role for other accounts', () => {
    const o = parse(
      '--profile-for',
      '210987654321=prod-reader',
      '--profile-for',
      '111122223333=shared-services',
      '--assume-role',
      '444455556666=arn:aws:iam::444455556666:role/reader',
    );
    expect(o.profiles).toEqual({ '210987654321': 'prod-reader', '111122223333': 'shared-services' });
    expect(o.assumeRoles).toEqual({ '444455556666': 'arn:aws:iam::444455556666:role/reader' });
    expect(parse().profiles).toBeUndefined();
  });

  it.each([
    ['210987654321', 'got "210987654321"'],
    ['2109=prod', 'got "2109=prod"'],
    ['210987654321=', 'got "210987654321="'],
  ])('%s: a usage error naming the flag and the value', (value, tail) => {
    expect(() => profilesOf([value])).toThrow(
      new UsageError(
        `--profile-for takes ACCOUNT=PROFILE (a 12-digit account and an AWS profile name that reads it), ${tail}`,
      ),
    );
  });

  it('two profiles, or a profile and a role, for one account: a usage error', () => {
    expect(() => profilesOf(['210987654321=a', '210987654321=b'])).toThrow(
      '--profile-for names two profiles for account 210987654321: a and b',
    );
    expect(() =>
      accountAccessOf(['210987654321=arn:aws:iam::210987654321:role/r'], ['210987654321=p']),
    ).toThrow(
      'account 210987654321 has both --assume-role arn:aws:iam::210987654321:role/r and --profile-for p: give one',
    );
  });
});
