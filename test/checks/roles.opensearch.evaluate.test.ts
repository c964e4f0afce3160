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
const input = (statements: Statement[], simulation?: Simulation): RolesInput => {
  const permissions: PermissionsInput = {
    partition: 'aws',
    listing: { ok: true, value: [[{ arn: POLICY_ARN, name: 'camunda-opensearch-access' }], []] },
    documents: new Map([[POLICY_ARN, { ok: true, value: { Version: '2012-10-17', Statement: statements } }]]),
    search: { target: { kind: 'search', resource: RESOURCE, domain }, ...(simulation ? { simulation } : {}) },
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
      `Allow {"Effect": "Allow", "Action": ["es:ESHttpHead","es:ESHttpDelete"], "Resource": "${RESOURCE}"} in a policy of role camunda-orchestration-irsa.`,
    );
    expect(findings[0]!.code).toBe(212);
  });
});
