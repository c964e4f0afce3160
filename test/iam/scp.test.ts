/**
 * SCPs and RCPs of AWS Organizations are out of scope, and a run says so once when something
 * suggests one refused a request (IAM User Guide, "Policy evaluation logic"; src/iam/scp.ts):
 * AWS's error text, IAM's simulator (OrganizationsDecisionDetail), or a real call refused that
 * the IAM checks found allowed.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import { scpNotice } from '../../src/iam/scp.js';
import { ApiCallError } from '../../src/core/errors.js';
import { Reporter } from '../../src/core/reporter.js';
import { cloneWorld, loadWorld, runWorld } from '../support/world.js';

const OUT_OF_SCOPE =
  "irsa-check does not evaluate SCPs or RCPs of AWS Organizations (out of scope); ask the organization's administrators which policies apply to the account (aws organizations list-policies-for-target --target-id <account id> --filter SERVICE_CONTROL_POLICY, from the management account)";
const DB = 'arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-ABC/identity_irsa';
const allowed = (component: string): Finding => ({
  level: 'OK',
  module: 'roles',
  check: 'rds-connect-resource',
  component,
  message: `role camunda-${component}-irsa allows rds-db:connect as ${component}_irsa on Aurora cluster c`,
});
const pamFailed = (component: string): Finding => ({
  level: 'FAIL',
  module: 'data-plane',
  check: 'aurora-pam-authentication-failed',
  component,
  code: 260,
  message: `Aurora refused the IAM auth token of ${component}_irsa (${DB})`,
});

describe('scpNotice', () => {
  it.each<[string, Finding[]]>([
    ['a healthy run', [allowed('identity')]],
    [
      'a refused login the IAM checks explain (the role lacks rds-db:connect)',
      [{ ...allowed('identity'), level: 'FAIL', code: 211 }, pamFailed('identity')],
    ],
    [
      'an INFO quoting the words is no sign',
      [{ level: 'INFO', module: 'roles', message: 'no service control policy here' }],
    ],
  ])('nothing suggests an SCP: no line (%s)', (_name, findings) => {
    expect(scpNotice(findings)).toBeUndefined();
  });

  it("AWS's AccessDenied text naming a service control policy: one INFO naming where", () => {
    const notice = scpNotice([
      {
        level: 'FAIL',
        module: 'aurora',
        check: 'cannot-ask',
        code: 2,
        message:
          'irsa-check cannot call rds:DescribeDBClusters (AccessDenied): AWS says an explicit deny in a service or resource control policy of AWS Organizations refuses it',
      },
    ]);
    expect(notice).toEqual({
      level: 'INFO',
      module: 'run',
      message: `AWS says a service or resource control policy of AWS Organizations refused a request: ${OUT_OF_SCOPE}`,
    });
  });

  it('a real login refused although the role is allowed: one INFO naming the component and the account', () => {
    expect(
      scpNotice([allowed('identity'), pamFailed('identity'), allowed('keycloak'), pamFailed('keycloak')]),
    ).toEqual({
      level: 'INFO',
      module: 'run',
      message: `AWS refused a request the role's policies allow (component identity, account 123456789012): ${OUT_OF_SCOPE}`,
    });
  });
});

describe('a whole run', () => {
  it("IAM's simulator says AWS Organizations refuses: the WARN says so, and the run says once that SCPs are out of scope", async () => {
    const w = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
    const arn = (user: string) =>
      `arn:aws:rds-db:eu-west-1:123456789012:dbuser:${w.aws.dbClusters![0]!.resourceId}/${user}`;
    w.aws.simulation = ['identity_irsa', 'keycloak_irsa'].map((user) => ({
      action: 'rds-db:connect',
      resource: arn(user),
      decision: 'implicitDeny' as const,
      deniedByOrganizations: true,
    }));
    const run = await runWorld(w);
    expect(run.lines('roles').filter((l) => l.startsWith('[WARN]'))).toEqual([
      expect.stringMatching(
        /^\[WARN\] identityKeycloak: IAM's policy simulator and irsa-check disagree on rds-db:connect on \S+ for role camunda-keycloak-irsa \(IRSA, account \d{12}\): the simulator says ImplicitDeny, the local evaluation Allow \(the simulator says AWS Organizations does not allow it: a service control policy of the account refuses it\)$/,
      ),
      expect.stringMatching(
        /^\[WARN\] identity: IAM's policy simulator .* a service control policy of the account refuses it\)$/,
      ),
    ]);
    const scp = run.lines('run').filter((l) => l.includes('SCPs'));
    expect(scp).toEqual([
      `[INFO] AWS says a service or resource control policy of AWS Organizations refused a request (component identityKeycloak, account 123456789012): ${OUT_OF_SCOPE}`,
    ]);
  });
});

describe("irsa-check's own call refused by an SCP", () => {
  it('says so instead of "grant it" (granting would not help), and the run notice picks it up', () => {
    const findings: Finding[] = [];
    new Reporter('aurora', (f) => findings.push(f)).unexpected(
      new ApiCallError(
        'aws',
        'rds:DescribeDBClusters',
        'AccessDenied',
        'User: arn:aws:sts::123456789012:assumed-role/ops/me is not authorized to perform: rds:DescribeDBClusters with an explicit deny in a service control policy',
      ),
    );
    expect(findings.map((f) => [f.level, f.message, f.fix])).toEqual([
      [
        'FAIL',
        'irsa-check cannot call rds:DescribeDBClusters (AccessDenied): AWS says an explicit deny in a service or resource control policy of AWS Organizations refuses it',
        "Run irsa-check with credentials the organization's control policies allow rds:DescribeDBClusters, or ask its administrators.",
      ],
    ]);
    expect(scpNotice(findings)?.message).toMatch(/^AWS says a service or resource control policy/);
  });
});
