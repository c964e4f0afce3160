/**
 * The OpenSearch evaluator as a table (valid / invalid snapshots → exact lines, as RuleTester).
 * Amazon OpenSearch Service developer guide: "Fine-grained access control" (anonymous
 * authentication, the master user) and "Enforcing HTTPS"; the access policy read as an IAM
 * resource policy (IAM User Guide, "Policy evaluation logic").
 */
import { describe, expect, it } from 'vitest';
import { openSearch } from '../../src/checks/opensearch.js';
import type { OpenSearchInput } from '../../src/collectors/opensearch.js';
import type { OpenSearchDomain } from '../../src/ports/aws.js';
import { evaluate } from '../support/evaluate.js';

const HOST = 'vpc-camunda-abc123.eu-west-1.es.amazonaws.com';

function domain(over: Partial<OpenSearchDomain> = {}): OpenSearchDomain {
  return {
    name: 'camunda',
    arn: 'arn:aws:es:eu-west-1:111111111111:domain/camunda',
    endpoints: { vpc: HOST },
    created: true,
    deleted: false,
    processing: false,
    httpsEnforced: true,
    fineGrainedAccessControl: true,
    anonymousAuthEnabled: false,
    accessPolicies: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111111111111:role/zeebe' },
          Action: 'es:ESHttp*',
          Resource: 'arn:aws:es:eu-west-1:111111111111:domain/camunda/*',
        },
      ],
    }),
    ...over,
  };
}

function located(d: OpenSearchDomain | undefined, over: Partial<OpenSearchInput> = {}): OpenSearchInput {
  return {
    kind: 'located',
    host: HOST,
    caller: '111111111111',
    region: 'eu-west-1',
    cnames: [],
    domains: d ? [d] : [],
    ...(d ? { match: { domain: d, kind: 'vpc' as const, via: HOST } } : {}),
    ...over,
  } as OpenSearchInput;
}

describe('opensearch evaluator', () => {
  it.each<[string, OpenSearchInput, string[]]>([
    ['no OpenSearch host: nothing to say', { kind: 'none' }, []],
    [
      'the VPC endpoint of a live, HTTPS-only domain with fine-grained access control',
      located(domain()),
      [
        `OK os-domain: ${HOST} is the VPC endpoint of OpenSearch domain camunda (eu-west-1)`,
        'OK os-anonymous-auth: fine-grained access control is enabled on OpenSearch domain camunda, anonymous access off',
        'OK os-access-policy: the access policy of OpenSearch domain camunda has 1 Allow statement(s)',
      ],
    ],
    [
      'a domain of another account',
      located(domain(), { account: '222222222222' } as Partial<OpenSearchInput>),
      [
        `OK os-domain: ${HOST} is the VPC endpoint of OpenSearch domain camunda (eu-west-1, account 222222222222)`,
        'OK os-anonymous-auth: fine-grained access control is enabled on OpenSearch domain camunda, anonymous access off',
        'OK os-access-policy: the access policy of OpenSearch domain camunda has 1 Allow statement(s)',
      ],
    ],
  ])('valid: %s', (_name, input, lines) => {
    expect(evaluate(openSearch, input).lines).toEqual(lines);
  });

  it.each<[string, OpenSearchInput, string[]]>([
    [
      'HTTPS not enforced, anonymous access on',
      located(domain({ httpsEnforced: false, anonymousAuthEnabled: true })),
      [
        `OK os-domain: ${HOST} is the VPC endpoint of OpenSearch domain camunda (eu-west-1)`,
        'FAIL os-https: OpenSearch domain camunda does not enforce HTTPS',
        'FAIL os-anonymous-auth: anonymous authentication is enabled on OpenSearch domain camunda: unauthenticated requests get the anonymous role',
        'OK os-access-policy: the access policy of OpenSearch domain camunda has 1 Allow statement(s)',
      ],
    ],
    [
      'being deleted, no fine-grained access control, no access policy',
      located(domain({ deleted: true, fineGrainedAccessControl: false, accessPolicies: undefined })),
      [
        `OK os-domain: ${HOST} is the VPC endpoint of OpenSearch domain camunda (eu-west-1)`,
        'FAIL os-domain-state: OpenSearch domain camunda is being deleted',
        'WARN os-fgac: fine-grained access control is disabled on OpenSearch domain camunda: only its access policy controls what the roles may do',
        'INFO: the access policy of OpenSearch domain camunda is not set: only roles of account 111111111111 whose own policies allow es:ESHttp* reach it (checked per role)',
      ],
    ],
    [
      'the host names a domain that does not exist',
      located(undefined),
      [
        `FAIL os-domain-exists: OpenSearch host ${HOST} names domain camunda, but DescribeDomain finds no domain camunda in eu-west-1`,
      ],
    ],
    [
      'a host that is no domain endpoint',
      located(undefined, { host: 'search.internal' } as Partial<OpenSearchInput>),
      [
        'FAIL os-domain: OpenSearch host search.internal is not an endpoint of any OpenSearch domain in eu-west-1 (domains: none)',
      ],
    ],
    [
      'no region',
      { kind: 'no-region', host: 'search.internal' },
      ['FAIL os-domain: cannot tell the AWS region of OpenSearch host search.internal'],
    ],
  ])('invalid: %s', (_name, input, lines) => {
    expect(evaluate(openSearch, input).lines).toEqual(lines);
  });

  it('the evaluator publishes nothing: the collector provides openSearchDomain', () => {
    expect(evaluate(openSearch, located(domain())).provided).toEqual({});
  });
});
