/**
 * The OpenSearch Helm settings evaluator as a table (valid / invalid snapshots → exact lines,
 * as ESLint's RuleTester): the chart's own keys per version (camunda-platform-8.x values.yaml,
 * `global.opensearch.*`; 8.9+ `orchestration.data.secondaryStorage.*`, `optimize.database.*`),
 * judged without a dispatcher or a port. The same evaluator runs live, on a bundle and on a
 * values file; test/checks/opensearch-values.test.ts runs it through whole worlds.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { openSearchValues } from '../../src/checks/opensearch-values.js';
import type { OpenSearchValuesInput } from '../../src/collectors/opensearch-values.js';
import { evaluate } from '../support/evaluate.js';
import { baseFacts, withUser, type BaseFacts } from '../support/values-facts.js';
import { put, W88, W89, type Tree } from '../support/values-worlds.js';

const OS = 'vpc-camunda-prod-os-4kq7rx2m5nbv3c9w1z8yd6tfha.eu-west-1.es.amazonaws.com';
const STORE = 'orchestration.data.secondaryStorage';

let f88: BaseFacts;
let f89: BaseFacts;
beforeAll(async () => {
  [f88, f89] = await Promise.all([baseFacts(W88), baseFacts(W89)]);
});

type Row = [name: string, facts: () => BaseFacts, change: (u: Tree) => void, lines: string[]];

function input(base: BaseFacts, change: (u: Tree) => void, valuesMode = false): OpenSearchValuesInput {
  return {
    profile: base.profile,
    values: withUser(base.values, change),
    osList: base.osList,
    valuesMode,
  };
}

const none = () => {};

describe('opensearch-values evaluator', () => {
  it.each<Row>([
    [
      '8.8: the global keys of the IRSA guide',
      () => f88,
      none,
      [
        'OK os-aws-signing: Amazon OpenSearch with AWS request signing (global.opensearch.enabled=true, global.opensearch.aws.enabled=true)',
        `OK os-host: OpenSearch endpoint ${OS}:443 (global.opensearch.url.host)`,
      ],
    ],
  ])('valid: %s', (_name, facts, change, lines) => {
    const r = evaluate(openSearchValues, input(facts(), change));
    expect(r.lines).toEqual(lines);
    expect(r.provided).toEqual({ openSearch: { host: OS, port: 443 } });
  });

  it.each<Row>([
    [
      '8.8: global.opensearch.aws.enabled off',
      () => f88,
      (u) => put(u, 'global.opensearch.aws.enabled', false),
      [
        'FAIL os-aws-signing: global.opensearch.aws.enabled is false: requests must be signed with the IRSA credentials',
        `OK os-host: OpenSearch endpoint ${OS}:443 (global.opensearch.url.host)`,
      ],
    ],
    [
      '8.8: the host removed',
      () => f88,
      (u) => put(u, 'global.opensearch.url.host', undefined),
      [
        'OK os-aws-signing: Amazon OpenSearch with AWS request signing (global.opensearch.enabled=true, global.opensearch.aws.enabled=true)',
        'FAIL os-host: the OpenSearch host is not set',
      ],
    ],
    [
      '8.8: port 9200',
      () => f88,
      (u) => put(u, 'global.opensearch.url.port', 9200),
      [
        'OK os-aws-signing: Amazon OpenSearch with AWS request signing (global.opensearch.enabled=true, global.opensearch.aws.enabled=true)',
        `OK os-host: OpenSearch endpoint ${OS}:9200 (global.opensearch.url.host)`,
        'WARN os-port: OpenSearch port 9200: Amazon OpenSearch Service listens on 443',
      ],
    ],
    [
      '8.9: orchestration typed elasticsearch',
      () => f89,
      (u) => put(u, `${STORE}.type`, 'elasticsearch'),
      [
        `FAIL os-aws-signing orchestration: ${STORE}.type is "elasticsearch": IRSA works with Amazon OpenSearch only`,
        'OK os-aws-signing optimize: Amazon OpenSearch with AWS request signing (optimize.database.opensearch.enabled=true, optimize.database.opensearch.aws.enabled=true)',
        `OK os-host orchestration: OpenSearch endpoint ${OS}:443 (${STORE}.opensearch.url)`,
        `OK os-host optimize: OpenSearch endpoint ${OS}:443 (optimize.database.opensearch.url.host)`,
      ],
    ],
    [
      '8.9: global.opensearch.enabled off while orchestration signs (Operate and Tasklist do not)',
      () => f89,
      (u) => put(u, 'global.opensearch.enabled', false),
      [
        `OK os-aws-signing orchestration: Amazon OpenSearch with AWS request signing (${STORE}.type=opensearch, ${STORE}.opensearch.aws.enabled=true)`,
        `FAIL os-webapps-signing orchestration: ${STORE}.opensearch.aws.enabled is true but global.opensearch.enabled is false: the chart renders AWS request signing for Operate and Tasklist only when global.opensearch.enabled is true, so Amazon OpenSearch rejects their requests (401/403)`,
        'OK os-aws-signing optimize: Amazon OpenSearch with AWS request signing (optimize.database.opensearch.enabled=true, optimize.database.opensearch.aws.enabled=true)',
        `OK os-host orchestration: OpenSearch endpoint ${OS}:443 (${STORE}.opensearch.url)`,
        `OK os-host optimize: OpenSearch endpoint ${OS}:443 (optimize.database.opensearch.url.host)`,
      ],
    ],
  ])('invalid: %s', (_name, facts, change, lines) => {
    expect(evaluate(openSearchValues, input(facts(), change)).lines).toEqual(lines);
  });

  it('no os component checked: the openSearch fact does not apply, nothing is said', () => {
    const r = evaluate(openSearchValues, { ...input(f88, none), osList: [] });
    expect(r.lines).toEqual([]);
    expect(r.notApplicable).toEqual(['openSearch']);
    expect(r.provided).toEqual({});
  });

  it('values-only: an unrendered host is neither passed nor looked up (the release module names it once)', () => {
    const change = (u: Tree) => put(u, 'global.opensearch.url.host', '${OPENSEARCH_HOST}');
    const offline = evaluate(openSearchValues, input(f88, change, true));
    expect(offline.lines).toEqual([
      'OK os-aws-signing: Amazon OpenSearch with AWS request signing (global.opensearch.enabled=true, global.opensearch.aws.enabled=true)',
    ]);
    expect(offline.provided).toEqual({});
  });
});
