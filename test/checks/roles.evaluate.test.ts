/**
 * The roles evaluator as a table (valid / invalid, as RuleTester): a role read or not, its
 * IRSA trust policy (EKS user guide, "Configure a role to be assumed by a service account":
 * Federated OIDC provider, sub and aud conditions), its rds-db:connect permission on the
 * component's Aurora cluster (Aurora User Guide, "Creating and using an IAM policy for IAM
 * database access") and IAM's policy simulator's answer, all from collected snapshots.
 */
import { describe, expect, it } from 'vitest';
import { roles } from '../../src/checks/roles/index.js';
import type { PermissionsInput, RoleComponent, RolesInput, TrustInput } from '../../src/collectors/roles.js';
import { ApiCallError } from '../../src/core/errors.js';
import type { PlannedComponent } from '../../src/engine/facts.js';
import type { IamRole } from '../../src/ports/aws.js';
import { parseRoleArn } from '../../src/iam/arn.js';
import { evaluate } from '../support/evaluate.js';

const ACCT = '123456789012';
const HOST = 'oidc.eks.eu-west-1.amazonaws.com/id/ABC123';
const PROVIDER = `arn:aws:iam::${ACCT}:oidc-provider/${HOST}`;
const ROLE_ARN = `arn:aws:iam::${ACCT}:role/camunda-identity-irsa`;
const POLICY_ARN = `arn:aws:iam::${ACCT}:policy/camunda-rds`;
const RESOURCE = `arn:aws:rds-db:eu-west-1:${ACCT}:dbuser:cluster-XYZ/identity_irsa`;
const arn = parseRoleArn(ROLE_ARN)!;

const component: PlannedComponent = {
  key: 'identity',
  pg: true,
  os: false,
  serviceAccount: { name: 'camunda-identity', annotations: {} },
} as unknown as PlannedComponent;

const trustPolicy = (sub = 'system:serviceaccount:camunda:camunda-identity') => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Irsa',
      Effect: 'Allow',
      Principal: { Federated: PROVIDER },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${HOST}:sub`]: sub, [`${HOST}:aud`]: 'sts.amazonaws.com' } },
    },
  ],
});
const role = (sub?: string): IamRole => ({
  arn: ROLE_ARN,
  name: 'camunda-identity-irsa',
  path: '/',
  trustPolicy: trustPolicy(sub),
});
const irsa = (serviceAccount?: Extract<TrustInput, { kind: 'irsa' }>['serviceAccount']): TrustInput => ({
  kind: 'irsa',
  oidc: { oidcProviderArn: PROVIDER },
  ...(serviceAccount ? { serviceAccount } : {}),
});
const rdsPolicy = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'Connect', Effect: 'Allow', Action: 'rds-db:connect', Resource: RESOURCE }],
};
const permissions = (decision?: 'allowed' | 'implicitDeny'): PermissionsInput => ({
  partition: 'aws',
  listing: { ok: true, value: [[{ arn: POLICY_ARN, name: 'camunda-rds' }], []] },
  documents: new Map([[POLICY_ARN, { ok: true, value: rdsPolicy }]]),
  database: {
    target: {
      kind: 'database',
      resource: RESOURCE,
      dbUser: 'identity_irsa',
      clusterIdentifier: 'camunda',
      sameAccountOnly: { account: ACCT, what: 'Aurora cluster camunda' },
    },
    simulation: {
      ok: true,
      value: decision ? [{ action: 'rds-db:connect', resource: RESOURCE, decision }] : undefined,
    },
  },
});
const one = (c: Partial<RoleComponent>): RolesInput => ({
  kind: 'components',
  namespace: 'camunda',
  components: [{ component, roleArn: ROLE_ARN, ...c }],
});
const found = { read: { kind: 'found' as const, arn, role: role() }, crossAccount: false };

const TRUSTED = `OK trust-sub identity: role camunda-identity-irsa trusts system:serviceaccount:camunda:camunda-identity (audience sts.amazonaws.com) from this cluster's OIDC provider (statement "Irsa")`;
const CONNECTS = `OK rds-connect-resource identity: role camunda-identity-irsa allows rds-db:connect as identity_irsa on Aurora cluster camunda (statement "Connect" of policy "camunda-rds")`;

describe('roles evaluator', () => {
  it.each<[string, RolesInput, string[]]>([
    [
      'no component has a role ARN',
      { kind: 'no-roles', planned: true },
      ['INFO: skipped: no component has a role ARN annotation'],
    ],
    ['nothing planned: silent', { kind: 'no-roles', planned: false }, []],
    ['an ARN that does not parse: the service-accounts module says why', one({}), []],
    [
      'the role does not exist',
      one({ read: { kind: 'missing', arn } }),
      [`FAIL role-exists identity: role camunda-identity-irsa (IRSA, account ${ACCT}) does not exist`],
    ],
    [
      'a healthy IRSA role, the simulator agreeing',
      one({ ...found, trust: irsa(), permissions: permissions('allowed') }),
      [TRUSTED, CONNECTS],
    ],
    [
      'another service account trusted: FAIL trust-sub, permissions still checked',
      one({
        read: { kind: 'found', arn, role: role('system:serviceaccount:camunda:other') },
        trust: irsa(),
        permissions: permissions(),
      }),
      [
        'FAIL trust-sub identity: trust policy of role camunda-identity-irsa (IRSA, account 123456789012) does not admit system:serviceaccount:camunda:camunda-identity: statement "Irsa" admits system:serviceaccount:camunda:other',
        CONNECTS,
      ],
    ],
    [
      'the simulator disagrees: WARN naming both answers',
      one({ ...found, trust: irsa(), permissions: permissions('implicitDeny') }),
      [
        TRUSTED,
        `WARN policy-simulator identity: IAM's policy simulator and irsa-check disagree on rds-db:connect on ${RESOURCE} for role camunda-identity-irsa (IRSA, account ${ACCT}): the simulator says ImplicitDeny, the local evaluation Allow`,
        CONNECTS,
      ],
    ],
    [
      'the service account could not be read: the error where trust needs it, the permissions still checked',
      one({
        ...found,
        trust: irsa({
          ok: false,
          error: new ApiCallError('kube', 'get serviceaccounts', 'Forbidden', 'forbidden', 403),
        }),
        permissions: permissions(),
      }),
      [
        'FAIL cannot-ask identity: irsa-check cannot call get serviceaccounts (Forbidden): grant it, see README "Permissions"',
        CONNECTS,
      ],
    ],
    [
      'the Aurora cluster is not identified: the general OK and an INFO, never a false OK on the resource',
      one({
        ...found,
        trust: irsa(),
        permissions: {
          ...permissions(),
          database: {
            target: {
              kind: 'unidentified',
              unidentified: 'rds-db:connect not checked: its cluster is unknown',
            },
          },
        },
      }),
      [
        TRUSTED,
        'OK rds-connect identity: role camunda-identity-irsa allows rds-db:connect (statement "Connect" of policy "camunda-rds")',
        'INFO identity: role camunda-identity-irsa (IRSA, account 123456789012): rds-db:connect not checked: its cluster is unknown',
      ],
    ],
  ])('%s', (_name, input, lines) => {
    expect(evaluate(roles, input).lines).toEqual(lines);
  });
});
