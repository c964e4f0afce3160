/**
 * The roles evaluator on an OpenSearch component, as a table: the role's own policies must allow
 * every request Camunda sends to its domain, es:ESHttpGet/Head/Put/Post/Delete
 * (src/iam/opensearch-actions.ts; Camunda's IRSA guide, "Amazon OpenSearch Service" → "AWS
 * Policy", grants exactly these five). The domain's access policy names only the account here, so
 * it leaves the decision to the role's policies (IAM User Guide, "Policy evaluation logic").
 */
import { describe, expect, it } from 'vitest';
import { roles } from '../../src/checks/roles/index.js';
import type { PermissionsInput, RolesInput, Simulation } from '../../src/collectors/roles.js';
import type { PlannedComponent } from '../../src/engine/facts.js';
import type { IamRole, OpenSearchDomain, SimulationResult } from '../../src/ports/aws.js';
import { parseRoleArn } from '../../src/iam/arn.js';
import { CAMUNDA_ES_ACTIONS } from '../../src/iam/opensearch-actions.js';
import { evaluate } from '../support/evaluate.js';

const ACCT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCT}:role/camunda-orchestration-irsa`;
const POLICY_ARN = `arn:aws:iam::${ACCT}:policy/camunda-opensearch-access`;
const DOMAIN_ARN = `arn:aws:es:eu-west-1:${ACCT}:domain/camunda-prod-os`;
const RESOURCE = `${DOMAIN_ARN}/*`;
const arn = parseRoleArn(ROLE_ARN)!;

const component = {
  key: 'orchestration',
  pg: false,
  os: true,
  serviceAccount: { name: 'camunda-zeebe', annotations: {} },
} as unknown as PlannedComponent;
const role: IamRole = { arn: ROLE_ARN, name: 'camunda-orchestration-irsa', path: '/', trustPolicy: {} };
const domain: OpenSearchDomain = {
  name: 'camunda-prod-os',
  arn: DOMAIN_ARN,
  endpoints: {},
  created: true,
  deleted: false,
  processing: false,
  httpsEnforced: true,
  fineGrainedAccessControl: false,
  accessPolicies: {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Account',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCT}:root` },
        Action: 'es:ESHttp*',
        Resource: RESOURCE,
      },
    ],
  },
};

type Statement = Record<string, unknown>;
const input = (
  statements: Statement[] | 'no policies',
  simulation?: Simulation,
  on: { domain: OpenSearchDomain; resource: string } = { domain, resource: RESOURCE },
): RolesInput => {
  const none = statements === 'no policies';
  const permissions: PermissionsInput = {
    partition: 'aws',
    listing: {
      ok: true,
      value: [none ? [] : [{ arn: POLICY_ARN, name: 'camunda-opensearch-access' }], []],
    },
    documents: new Map(
      none ? [] : [[POLICY_ARN, { ok: true, value: { Version: '2012-10-17', Statement: statements } }]],
    ),
    search: {
      target: { kind: 'search', resource: on.resource, domain: on.domain },
      ...(simulation ? { simulation } : {}),
    },
  };
  return {
    kind: 'components',
    namespace: 'camunda',
    components: [
      {
        component,
        roleArn: ROLE_ARN,
        read: { kind: 'found', arn, role },
        crossAccount: false,
        permissions,
      },
    ],
  };
};
const allow = (Action: string | string[]): Statement => ({
  Sid: 'OpenSearchHttp',
  Effect: 'Allow',
  Action,
  Resource: RESOURCE,
});
const answers = (
  decide: (action: string) => SimulationResult['decision'],
  actions: readonly string[] = CAMUNDA_ES_ACTIONS,
): SimulationResult[] => actions.map((action) => ({ action, resource: RESOURCE, decision: decide(action) }));

const DOMAIN_DELEGATES = `OK es-domain-admits-role orchestration: the access policy of OpenSearch domain camunda-prod-os admits role camunda-orchestration-irsa through its account (statement "Account"): the role's own policies must allow it too`;
const ALL_FIVE = `OK es-http-resource orchestration: role camunda-orchestration-irsa allows es:ESHttpGet/Head/Put/Post/Delete on ${RESOURCE} (statement "OpenSearchHttp" of policy "camunda-opensearch-access")`;
/** The domain policy's account statement, said with a refusal: it leaves the decision to the role's policies. */
const LEFT_TO_ROLE = `; statement "Account" of the access policy of OpenSearch domain camunda-prod-os names only the account (arn:aws:iam::${ACCT}:root), which leaves it to the role's own policies`;
const GUIDE = ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpDelete', 'es:ESHttpPost', 'es:ESHttpPut'];
const OLDER = ['es:ESHttpGet', 'es:ESHttpPut', 'es:ESHttpPost'];

describe('roles evaluator: every request Camunda sends to OpenSearch', () => {
  it.each<[string, RolesInput, string[]]>([
    ['the five actions of Camunda’s IRSA guide: OK', input([allow(GUIDE)]), [ALL_FIVE, DOMAIN_DELEGATES]],
    [
      'only es:ESHttpGet/Put/Post (HEAD and DELETE missing): FAIL naming exactly those two, and what Camunda sends them for',
      input([allow(OLDER)]),
      [
        `FAIL es-http-resource orchestration: role camunda-orchestration-irsa (IRSA, account 123456789012) may not es:ESHttpHead/Delete on ${RESOURCE}: no statement of its policies allows es:ESHttpHead/Delete (Camunda sends es:ESHttpHead to check that indices and index templates exist, es:ESHttpDelete to delete indices)${LEFT_TO_ROLE}`,
        DOMAIN_DELEGATES,
      ],
    ],
    [
      'es:ESHttp* covers all five: OK',
      input([allow('es:ESHttp*')]),
      [
        `OK es-http-resource orchestration: role camunda-orchestration-irsa allows es:ESHttpGet/Head/Put/Post/Delete on ${RESOURCE} (statement "OpenSearchHttp" of policy "camunda-opensearch-access")`,
        DOMAIN_DELEGATES,
      ],
    ],
    ['es:* covers all five: OK', input([allow('es:*')]), [ALL_FIVE, DOMAIN_DELEGATES]],
    [
      'a Deny on es:ESHttpDelete: FAIL naming the Deny',
      input([
        allow('es:ESHttp*'),
        { Sid: 'NoDelete', Effect: 'Deny', Action: 'es:ESHttpDelete', Resource: '*' },
      ]),
      [
        `FAIL es-http-resource orchestration: role camunda-orchestration-irsa (IRSA, account 123456789012) may not es:ESHttpDelete on ${RESOURCE}: explicitly denied by statement "NoDelete" of policy "camunda-opensearch-access" (Camunda sends es:ESHttpDelete to delete indices)`,
        DOMAIN_DELEGATES,
      ],
    ],
    [
      'nothing Camunda sends (es:ESHttpPatch only): the general FAIL, as before',
      input([allow('es:ESHttpPatch')]),
      [
        'FAIL es-http orchestration: no statement in the policies of role camunda-orchestration-irsa (IRSA, account 123456789012) allows es:ESHttp*',
        DOMAIN_DELEGATES,
      ],
    ],
    [
      'IAM’s policy simulator answering for all five, agreeing: no further line',
      input([allow(GUIDE)], { ok: true, value: answers(() => 'allowed') }),
      [ALL_FIVE, DOMAIN_DELEGATES],
    ],
    [
      'the simulator refusing es:ESHttpDelete (an SCP) where the policies allow it: WARN on that action',
      input([allow(GUIDE)], {
        ok: true,
        value: answers((a) => (a === 'es:ESHttpDelete' ? 'implicitDeny' : 'allowed')).map((r) =>
          r.action === 'es:ESHttpDelete' ? { ...r, deniedByOrganizations: true } : r,
        ),
      }),
      [
        `WARN policy-simulator orchestration: IAM's policy simulator and irsa-check disagree on es:ESHttpDelete on ${RESOURCE} for role camunda-orchestration-irsa (IRSA, account 123456789012): the simulator says ImplicitDeny, the local evaluation Allow (the simulator says AWS Organizations does not allow it: a service control policy of the account refuses it)`,
        ALL_FIVE,
        DOMAIN_DELEGATES,
      ],
    ],
    [
      'a bundle recorded when irsa-check asked the simulator about three actions: its answer cross-checks those, the other two are said not cross-checked (INFO), never guessed',
      input([allow(GUIDE)], {
        ok: true,
        value: answers(() => 'allowed', OLDER),
        notInBundle: ['es:ESHttpHead', 'es:ESHttpDelete'],
        askedInBundle: OLDER,
      }),
      [
        `INFO orchestration: cannot tell what IAM's policy simulator says of es:ESHttpHead/Delete on ${RESOURCE} for role camunda-orchestration-irsa (IRSA, account 123456789012): the bundle has no answer for them (it was recorded by an irsa-check that asked only about es:ESHttpGet/Put/Post), so only irsa-check's evaluation of the recorded policies decides them, without the simulator's cross-check`,
        ALL_FIVE,
        DOMAIN_DELEGATES,
      ],
    ],
    [
      'such a bundle and a policy granting only the three: the FAIL stands (the local evaluation decides), never an OK',
      input([allow(OLDER)], {
        ok: true,
        value: answers(() => 'allowed', OLDER),
        notInBundle: ['es:ESHttpHead', 'es:ESHttpDelete'],
        askedInBundle: OLDER,
      }),
      [
        `INFO orchestration: cannot tell what IAM's policy simulator says of es:ESHttpHead/Delete on ${RESOURCE} for role camunda-orchestration-irsa (IRSA, account 123456789012): the bundle has no answer for them (it was recorded by an irsa-check that asked only about es:ESHttpGet/Put/Post), so only irsa-check's evaluation of the recorded policies decides them, without the simulator's cross-check`,
        `FAIL es-http-resource orchestration: role camunda-orchestration-irsa (IRSA, account 123456789012) may not es:ESHttpHead/Delete on ${RESOURCE}: no statement of its policies allows es:ESHttpHead/Delete (Camunda sends es:ESHttpHead to check that indices and index templates exist, es:ESHttpDelete to delete indices)${LEFT_TO_ROLE}`,
        DOMAIN_DELEGATES,
      ],
    ],
  ])('%s', (_name, given, lines) => {
    expect(evaluate(roles, given).lines).toEqual(lines);
  });

  it('the fix of a partial refusal names exactly the missing actions', () => {
    const { findings } = evaluate(roles, input([allow(OLDER)]));
    expect(findings[0]!.fix).toBe(
      // Within one account the domain's access policy could allow them instead: the fix offers either side.
      `Allow {"Effect": "Allow", "Action": ["es:ESHttpHead","es:ESHttpDelete"], "Resource": "${RESOURCE}"} in a policy of role camunda-orchestration-irsa, or allow {"Effect": "Allow", "Principal": {"AWS": "${ROLE_ARN}"}, "Action": ["es:ESHttpHead","es:ESHttpDelete"], "Resource": "${RESOURCE}"} in the access policy of OpenSearch domain camunda-prod-os.`,
    );
    expect(findings[0]!.code).toBe(212);
  });
});

/**
 * The role's policies and the domain's access policy together, action by action (IAM User Guide,
 * "Policy evaluation logic": within one account an Allow in an identity-based or a resource-based
 * policy suffices; across accounts both must allow). One FAIL names only what neither allows.
 */
describe('roles evaluator: the role’s policies and the OpenSearch domain’s access policy, action by action', () => {
  const withPolicy = (accessPolicies: unknown) => ({
    domain: { ...domain, accessPolicies },
    resource: RESOURCE,
  });
  const grant = (Sid: string, AWS: string, Action: string | string[], Resource = RESOURCE) => ({
    Version: '2012-10-17',
    Statement: [{ Sid, Effect: 'Allow', Principal: { AWS }, Action, Resource }],
  });
  const OTHER = '210987654321';
  const OTHER_ARN = `arn:aws:es:eu-west-1:${OTHER}:domain/camunda-prod-os`;
  const OTHER_RESOURCE = `${OTHER_ARN}/*`;
  const allowOn = (Action: string | string[], Resource: string): Statement => ({
    Sid: 'OpenSearchHttp',
    Effect: 'Allow',
    Action,
    Resource,
  });

  it.each<[string, RolesInput, string[], string | undefined]>([
    [
      'one account, the role’s policies allow GET/PUT/POST, the domain has no access policy: one FAIL naming HEAD and DELETE, the fix on either side',
      input([allow(OLDER)], undefined, withPolicy(undefined)),
      [
        `FAIL es-http-resource orchestration: role camunda-orchestration-irsa (IRSA, account 123456789012) may not es:ESHttpHead/Delete on ${RESOURCE}: no statement of its policies allows es:ESHttpHead/Delete (Camunda sends es:ESHttpHead to check that indices and index templates exist, es:ESHttpDelete to delete indices); OpenSearch domain camunda-prod-os has no access policy that could allow the role es:ESHttpHead/Delete instead (within one account either would suffice)`,
      ],
      `Allow {"Effect": "Allow", "Action": ["es:ESHttpHead","es:ESHttpDelete"], "Resource": "${RESOURCE}"} in a policy of role camunda-orchestration-irsa, or give OpenSearch domain camunda-prod-os an access policy that allows {"Effect": "Allow", "Principal": {"AWS": "${ROLE_ARN}"}, "Action": ["es:ESHttpHead","es:ESHttpDelete"], "Resource": "${RESOURCE}"}.`,
    ],
    [
      // Camunda's reference access policy for the OpenSearch domain: "AWS": "*", es:* on domain/NAME/*.
      'one account, no policy of the role’s own, Camunda’s reference domain policy ("AWS": "*", es:*): OK',
      input('no policies', undefined, withPolicy(grant('Open', '*', 'es:*'))),
      [
        `OK es-http-resource orchestration: role camunda-orchestration-irsa may es:ESHttpGet/Head/Put/Post/Delete on ${RESOURCE}: the access policy of OpenSearch domain camunda-prod-os allows it (statement "Open"), which suffices within one account without a statement of the role's own`,
        'OK es-domain-admits-role orchestration: the access policy of OpenSearch domain camunda-prod-os admits role camunda-orchestration-irsa (statement "Open")',
      ],
      undefined,
    ],
    [
      'one account, the role’s policies allow GET/PUT/POST, the domain’s access policy grants the role HEAD and DELETE: OK, each side naming what it allows',
      input(
        [allow(OLDER)],
        undefined,
        withPolicy(grant('HeadDelete', ROLE_ARN, ['es:ESHttpHead', 'es:ESHttpDelete'])),
      ),
      [
        `OK es-http-resource orchestration: role camunda-orchestration-irsa may es:ESHttpGet/Head/Put/Post/Delete on ${RESOURCE}: its policies allow es:ESHttpGet/Put/Post (statement "OpenSearchHttp" of policy "camunda-opensearch-access"), the access policy of OpenSearch domain camunda-prod-os allows es:ESHttpHead/Delete (statement "HeadDelete"), which suffices within one account`,
        `OK es-domain-admits-role orchestration: the access policy of OpenSearch domain camunda-prod-os allows role camunda-orchestration-irsa es:ESHttpHead/Delete (statement "HeadDelete"), and the role's own policies allow es:ESHttpGet/Put/Post: within one account either suffices`,
      ],
      undefined,
    ],
    [
      'another account: the role’s policies allow all five, the domain’s access policy grants it GET only: FAIL naming the four others (both must allow)',
      input([allowOn('es:ESHttp*', OTHER_RESOURCE)], undefined, {
        domain: {
          ...domain,
          arn: OTHER_ARN,
          accessPolicies: grant('GetOnly', ROLE_ARN, 'es:ESHttpGet', OTHER_RESOURCE),
        },
        resource: OTHER_RESOURCE,
      }),
      [
        `OK es-http-resource orchestration: role camunda-orchestration-irsa allows es:ESHttpGet/Head/Put/Post/Delete on ${OTHER_RESOURCE} (statement "OpenSearchHttp" of policy "camunda-opensearch-access")`,
        `FAIL es-domain-admits-role orchestration: the access policy of OpenSearch domain camunda-prod-os does not allow role camunda-orchestration-irsa (IRSA, account 123456789012) es:ESHttpHead/Put/Post/Delete on ${OTHER_RESOURCE} (the role is in another account: the domain and the role must both allow it)`,
      ],
      `Add "${ROLE_ARN}" to Principal.AWS of an Allow statement for es:ESHttp* on "${OTHER_RESOURCE}" in the access policy of OpenSearch domain camunda-prod-os.`,
    ],
  ])('%s', (_name, given, lines, fix) => {
    const { lines: got, findings } = evaluate(roles, given);
    expect(got).toEqual(lines);
    if (fix !== undefined) {
      const fails = findings.filter((f) => f.level === 'FAIL');
      expect(fails).toHaveLength(1);
      expect(fails[0]!.fix).toBe(fix);
    }
  });
});
