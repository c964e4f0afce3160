/**
 * The Aurora evaluator as a table (valid / invalid snapshots → exact lines, as RuleTester).
 * Aurora User Guide, "IAM database authentication": the cluster must have it enabled and be
 * available; the host must be one of the cluster's endpoints (writer, reader or custom).
 */
import { describe, expect, it } from 'vitest';
import { aurora } from '../../src/checks/aurora.js';
import type { AuroraComponent, AuroraInput } from '../../src/collectors/aurora.js';
import type { DbCluster } from '../../src/ports/aws.js';
import { evaluate } from '../support/evaluate.js';

const HOST = 'camunda.cluster-abc123.eu-west-1.rds.amazonaws.com';

function cluster(over: Partial<DbCluster> = {}): DbCluster {
  return {
    identifier: 'camunda',
    arn: 'arn:aws:rds:eu-west-1:111111111111:cluster:camunda',
    resourceId: 'cluster-XYZ',
    endpoint: HOST,
    readerEndpoint: 'camunda.cluster-ro-abc123.eu-west-1.rds.amazonaws.com',
    customEndpoints: [],
    port: 5432,
    status: 'available',
    engine: 'aurora-postgresql',
    iamAuthEnabled: true,
    ...over,
  };
}

/** One component, `identity`, whose host is the writer endpoint of `c` (or of nothing). */
function located(c: DbCluster | undefined, over: Partial<AuroraComponent> = {}): AuroraInput {
  return {
    kind: 'targets',
    caller: '111111111111',
    components: [
      {
        component: 'identity',
        target: { host: HOST, port: 5432 },
        kind: 'located',
        region: 'eu-west-1',
        cnames: [],
        clusters: c ? [c] : [],
        ...(c ? { match: { cluster: c, kind: 'writer', via: HOST } } : {}),
        ...over,
      } as AuroraComponent,
    ],
  };
}

describe('aurora evaluator', () => {
  it.each<[string, AuroraInput, string[]]>([
    ['no pg component: nothing to say', { kind: 'no-targets', pgComponents: false }, []],
    [
      'pg components without a database host',
      { kind: 'no-targets', pgComponents: true },
      ['INFO: skipped: no database host is known for the pg components'],
    ],
    [
      'the writer endpoint of an available cluster with IAM auth',
      located(cluster()),
      [
        `OK aurora-endpoint identity: ${HOST} is the writer endpoint of Aurora cluster camunda (eu-west-1)`,
        'OK aurora-iam-auth identity: Aurora cluster camunda is available with IAM database authentication enabled',
      ],
    ],
    [
      'a cluster of another account (cross-account)',
      located(cluster(), { account: '222222222222' } as Partial<AuroraComponent>),
      [
        `OK aurora-endpoint identity: ${HOST} is the writer endpoint of Aurora cluster camunda (eu-west-1, account 222222222222)`,
        'OK aurora-iam-auth identity: Aurora cluster camunda is available with IAM database authentication enabled',
      ],
    ],
  ])('valid: %s', (_name, input, lines) => {
    expect(evaluate(aurora, input).lines).toEqual(lines);
  });

  it.each<[string, AuroraInput, string[]]>([
    [
      'IAM authentication disabled',
      located(cluster({ iamAuthEnabled: false })),
      [
        `OK aurora-endpoint identity: ${HOST} is the writer endpoint of Aurora cluster camunda (eu-west-1)`,
        'FAIL aurora-iam-auth identity: IAM database authentication is disabled on Aurora cluster camunda',
      ],
    ],
    [
      'a stopped cluster',
      located(cluster({ status: 'stopped' })),
      [
        `OK aurora-endpoint identity: ${HOST} is the writer endpoint of Aurora cluster camunda (eu-west-1)`,
        'OK aurora-iam-auth identity: IAM database authentication is enabled on Aurora cluster camunda',
        'FAIL aurora-status identity: Aurora cluster camunda is stopped, not available',
      ],
    ],
    [
      'the host names a cluster that does not exist',
      located(undefined),
      [
        `FAIL aurora-cluster-exists identity: database host ${HOST} names Aurora cluster camunda, but no DB cluster camunda exists in eu-west-1`,
      ],
    ],
    [
      'no region',
      {
        kind: 'targets',
        caller: '111111111111',
        components: [
          { component: 'identity', target: { host: 'db.internal', port: 5432 }, kind: 'no-region' },
        ],
      },
      ['FAIL aurora-endpoint identity: cannot tell the AWS region of database host db.internal'],
    ],
    [
      'the role is in an account irsa-check cannot read',
      located(undefined, {
        unread: { account: '222222222222', roleArn: 'arn:aws:iam::222222222222:role/identity' },
      } as Partial<AuroraComponent>),
      [
        expect.stringMatching(
          /^INFO identity: .*database host camunda\.cluster-abc123\..* is no Aurora cluster of account 111111111111 in eu-west-1; it may be in account 222222222222, which holds role identity \(IRSA, account 222222222222\);/,
        ) as unknown as string,
      ],
    ],
  ])('invalid: %s', (_name, input, lines) => {
    expect(evaluate(aurora, input).lines).toEqual(lines);
  });

  it('components are judged in the pg list order, an error as its own line, nothing provided', () => {
    const input: AuroraInput = {
      kind: 'targets',
      caller: '111111111111',
      components: [
        { component: 'identity', target: { host: 'db.internal', port: 5432 }, kind: 'no-region' },
        {
          component: 'zeebe',
          target: { host: HOST, port: 5432 },
          kind: 'error',
          error: new Error('boom'),
        },
      ],
    };
    const { lines, findings, provided } = evaluate(aurora, input);
    expect(lines[0]).toBe(
      'FAIL aurora-endpoint identity: cannot tell the AWS region of database host db.internal',
    );
    expect(lines).toHaveLength(2);
    expect(findings[1]?.component).toBe('zeebe');
    expect(provided).toEqual({});
  });
});
