import { describe, expect, it } from 'vitest';
import { identifyDomain, parseDomainHost, type DomainEndpointKind } from '../../src/checks/opensearch.js';
import type { OpenSearchDomain } from '../../src/ports/aws.js';
import type { WorldModel } from '../support/world.js';
import {
  accessDenied,
  describeModuleCases,
  healthy,
  plant,
  runModules,
  type ModuleCase,
} from './aws-checks-harness.js';

const VPC = 'vpc-camunda-prod-os-4kq7rx2m5nbv3c9w1z8yd6tfha.eu-west-1.es.amazonaws.com';
const PUBLIC = 'search-camunda-prod-os-4kq7rx2m5nbv3c9w1z8yd6tfha.eu-west-1.es.amazonaws.com';
const CUSTOM = 'opensearch.camunda.example.com';

const domainOf = (w: WorldModel) => w.aws.domains![0]!;

function setHost(w: WorldModel, host: string): void {
  const user = w.kube.releases![0]!.user as { global: { opensearch: { url: { host: string } } } };
  user.global.opensearch.url.host = host;
}

// ---------------------------------------------------------------- pure identification

describe('identifyDomain', () => {
  const { region: _r, ...base } = domainOf(healthy);
  const vpcDomain: OpenSearchDomain = { ...base, customEndpoint: CUSTOM };
  const publicDomain: OpenSearchDomain = {
    ...base,
    name: 'camunda-public',
    arn: 'arn:aws:es:eu-west-1:123456789012:domain/camunda-public',
    endpoint: 'search-camunda-public-abcdefghijklmnopqrstuvwxyz.eu-west-1.es.amazonaws.com',
    endpoints: {},
  };
  const cases: Array<[string, string, string[], DomainEndpointKind | undefined, string | undefined]> = [
    ['VPC endpoint', VPC, [], 'vpc', 'camunda-prod-os'],
    ['public search- endpoint', publicDomain.endpoint!, [], 'public', 'camunda-public'],
    ['custom endpoint', CUSTOM, [], 'custom', 'camunda-prod-os'],
    ['with scheme, port and upper case', `https://${VPC.toUpperCase()}:443/`, [], 'vpc', 'camunda-prod-os'],
    ['CNAME to the VPC endpoint', 'os.internal.example.com', [VPC], 'vpc', 'camunda-prod-os'],
    [
      'another hash: parsed from the name',
      'vpc-camunda-prod-os-ffffffffff.eu-west-1.es.amazonaws.com',
      [],
      'parsed',
      'camunda-prod-os',
    ],
    [
      'a domain that is not there',
      'search-gone-ffffffffff.eu-west-1.es.amazonaws.com',
      [],
      undefined,
      undefined,
    ],
    ['a host nobody knows', 'es.example.com', [], undefined, undefined],
  ];
  it.each(cases)('%s', (_name, host, cnames, kind, name) => {
    const m = identifyDomain(host, [publicDomain, vpcDomain], cnames);
    expect(m?.kind).toBe(kind);
    expect(m?.domain.name).toBe(name);
  });

  it.each([
    [VPC, { name: 'camunda-prod-os', kind: 'vpc', region: 'eu-west-1' }],
    [PUBLIC, { name: 'camunda-prod-os', kind: 'public', region: 'eu-west-1' }],
    ['search-a-b-c.cn-north-1.es.amazonaws.com.cn', { name: 'a-b', kind: 'public', region: 'cn-north-1' }],
    [CUSTOM, undefined],
  ])('parseDomainHost(%s)', (host, parsed) => {
    expect(parseDomainHost(host)).toEqual(parsed);
  });
});

// ---------------------------------------------------------------- the module over worlds

const IDENTIFIED = `[OK] ${VPC} is the VPC endpoint of OpenSearch domain camunda-prod-os (eu-west-1)`;
/** The healthy fixture runs FGAC with IAM as the master user and anonymous access off. */
const FGAC_OK =
  '[OK] fine-grained access control is enabled on OpenSearch domain camunda-prod-os, anonymous access off';
const POLICY_OK = '[OK] the access policy of OpenSearch domain camunda-prod-os has 1 Allow statement(s)';

const cases: ModuleCase[] = [
  { name: 'healthy (VPC endpoint)', world: healthy, lines: [IDENTIFIED, FGAC_OK, POLICY_OK], exitCode: 0 },
  {
    name: 'public search- endpoint (original’s mistake)',
    world: plant((w) => {
      domainOf(w).endpoints = {};
      domainOf(w).endpoint = PUBLIC;
      setHost(w, PUBLIC);
    }),
    lines: [
      `[OK] ${PUBLIC} is the public endpoint of OpenSearch domain camunda-prod-os (eu-west-1)`,
      FGAC_OK,
      POLICY_OK,
    ],
    exitCode: 0,
  },
  {
    name: 'custom endpoint (original’s mistake)',
    world: plant((w) => {
      domainOf(w).customEndpoint = CUSTOM;
      setHost(w, CUSTOM);
    }),
    lines: [
      `[OK] ${CUSTOM} is the custom endpoint of OpenSearch domain camunda-prod-os (eu-west-1)`,
      FGAC_OK,
      POLICY_OK,
    ],
    exitCode: 0,
  },
  {
    name: 'CNAME to the VPC endpoint',
    world: plant((w) => {
      w.aws.cnames = { 'os.internal.example.com': [VPC] };
      setHost(w, 'os.internal.example.com');
    }),
    lines: [
      `[OK] os.internal.example.com (CNAME of ${VPC}) is the VPC endpoint of OpenSearch domain camunda-prod-os (eu-west-1)`,
      FGAC_OK,
      POLICY_OK,
    ],
    exitCode: 0,
  },
  {
    name: 'domain still processing: WARN',
    world: plant((w) => (domainOf(w).processing = true)),
    lines: [
      IDENTIFIED,
      '[WARN] OpenSearch domain camunda-prod-os is still processing a configuration change',
      FGAC_OK,
      POLICY_OK,
    ],
    exitCode: 0,
  },
  {
    name: 'FGAC disabled: only the access policy guards the domain (WARN, not FAIL)',
    world: plant((w) => {
      Object.assign(domainOf(w), {
        fineGrainedAccessControl: false,
        anonymousAuthEnabled: undefined,
        internalUserDatabaseEnabled: undefined,
      });
    }),
    lines: [
      IDENTIFIED,
      '[WARN] fine-grained access control is disabled on OpenSearch domain camunda-prod-os: only its access policy controls what the roles may do',
      POLICY_OK,
    ],
    exitCode: 0,
  },
  {
    name: 'FGAC with the internal user database',
    world: plant((w) => {
      Object.assign(domainOf(w), {
        fineGrainedAccessControl: true,
        anonymousAuthEnabled: false,
        internalUserDatabaseEnabled: true,
      });
    }),
    lines: [
      IDENTIFIED,
      '[OK] fine-grained access control is enabled on OpenSearch domain camunda-prod-os, anonymous access off',
      "[INFO] OpenSearch domain camunda-prod-os: the master user is in the internal user database; map the components' IAM roles to backend roles in OpenSearch security",
      POLICY_OK,
    ],
    exitCode: 0,
  },
  {
    name: 'FGAC with an IAM master user but anonymous auth on',
    world: plant((w) => {
      Object.assign(domainOf(w), {
        fineGrainedAccessControl: true,
        anonymousAuthEnabled: true,
        internalUserDatabaseEnabled: false,
        masterUserArn: 'arn:aws:iam::123456789012:role/opensearch-admin',
      });
    }),
    lines: [
      IDENTIFIED,
      '[FAIL] anonymous authentication is enabled on OpenSearch domain camunda-prod-os: unauthenticated requests get the anonymous role',
      '[INFO] OpenSearch domain camunda-prod-os: the master user is the IAM principal arn:aws:iam::123456789012:role/opensearch-admin',
      POLICY_OK,
    ],
    exitCode: 64,
  },
  {
    name: 'HTTPS not enforced',
    world: plant((w) => (domainOf(w).httpsEnforced = false)),
    lines: [
      IDENTIFIED,
      '[FAIL] OpenSearch domain camunda-prod-os does not enforce HTTPS',
      FGAC_OK,
      POLICY_OK,
    ],
    exitCode: 65,
  },
  {
    name: 'domain being deleted',
    world: plant((w) => (domainOf(w).deleted = true)),
    lines: [IDENTIFIED, '[FAIL] OpenSearch domain camunda-prod-os is being deleted', FGAC_OK, POLICY_OK],
  },
  {
    name: 'access policy unreadable',
    world: plant(
      (w) => (domainOf(w).accessPolicies = '{"Statement": [{"Effect": "Maybe", "Action": "es:*"}]}'),
    ),
    lines: [
      IDENTIFIED,
      FGAC_OK,
      '[FAIL] the access policy of OpenSearch domain camunda-prod-os cannot be read: Statement[0].Effect must be "Allow" or "Deny", got "Maybe"',
    ],
  },
  {
    name: 'access policy without an Allow statement',
    world: plant((w) => {
      domainOf(w).accessPolicies = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Principal: '*', Action: 'es:ESHttpDelete', Resource: '*' }],
      };
    }),
    // Within one account the roles' own policies suffice (IAM User Guide, "Policy evaluation logic"):
    // not a FAIL here; the roles module checks each role against both.
    lines: [
      IDENTIFIED,
      FGAC_OK,
      '[INFO] the access policy of OpenSearch domain camunda-prod-os has no Allow statement: only roles of account 123456789012 whose own policies allow es:ESHttp* reach it (checked per role)',
    ],
  },
  {
    name: 'no access policy at all',
    world: plant((w) => delete domainOf(w).accessPolicies),
    lines: [
      IDENTIFIED,
      FGAC_OK,
      '[INFO] the access policy of OpenSearch domain camunda-prod-os is not set: only roles of account 123456789012 whose own policies allow es:ESHttp* reach it (checked per role)',
    ],
  },
  {
    name: 'host of no domain',
    world: plant((w) => setHost(w, 'es.example.com')),
    lines: [
      '[FAIL] OpenSearch host es.example.com is not an endpoint of any OpenSearch domain in eu-west-1 (domains: camunda-prod-os)',
    ],
    exitCode: 62,
  },
  {
    name: 'host naming a domain that does not exist',
    world: plant((w) =>
      setHost(w, 'vpc-camunda-old-os-4kq7rx2m5nbv3c9w1z8yd6tfha.eu-west-1.es.amazonaws.com'),
    ),
    lines: [
      '[FAIL] OpenSearch host vpc-camunda-old-os-4kq7rx2m5nbv3c9w1z8yd6tfha.eu-west-1.es.amazonaws.com names domain camunda-old-os, but DescribeDomain finds no domain camunda-old-os in eu-west-1',
    ],
    exitCode: 63,
  },
];

describeModuleCases('opensearch', cases, () => {
  it('records the domain and its region', async () => {
    const run = await runModules(healthy);
    expect(run.ctx.facts.openSearchDomain?.domain.name).toBe('camunda-prod-os');
    expect(run.ctx.facts.openSearchDomain?.region).toBe('eu-west-1');
  });

  it('cannot describe the domains: says so once', async () => {
    const world = plant((w) => {
      w.aws.errors = { openSearchDomains: accessDenied('es:DescribeDomains') };
    });
    const run = await runModules(world);
    expect(run.lines('opensearch')).toEqual([
      '[FAIL] irsa-check cannot call es:DescribeDomains (AccessDenied): grant it, see README "Permissions"',
    ]);
  });

  it('a fix for every FAIL', async () => {
    const run = await runModules(cases.find((c) => c.name.startsWith('FGAC with an IAM'))!.world);
    expect(run.fails('opensearch')[0]?.fix).toBe(
      'aws opensearch update-domain-config --region eu-west-1 --domain-name camunda-prod-os --advanced-security-options AnonymousAuthEnabled=false',
    );
  });
});

/** The check ID of every FAIL and WARN each case reports (issue 8: a stable ID per check). */
const CHECK_IDS: Array<[string, string[]]> = [
  ['domain still processing: WARN', ['os-domain-processing']],
  ['FGAC disabled: only the access policy guards the domain (WARN, not FAIL)', ['os-fgac']],
  ['FGAC with an IAM master user but anonymous auth on', ['os-anonymous-auth']],
  ['HTTPS not enforced', ['os-https']],
  ['domain being deleted', ['os-domain-state']],
  ['access policy unreadable', ['os-access-policy-readable']],
  ['host of no domain', ['os-domain']],
  ['host naming a domain that does not exist', ['os-domain-exists']],
];

describe('opensearch: check IDs', () => {
  it.each(CHECK_IDS)('%s', async (name, ids) => {
    const c = cases.find((k) => k.name === name);
    expect(c, name).toBeDefined();
    const run = await runModules(c!.world, c!.harness);
    const reported = run.findings.filter(
      (f) => f.module === 'opensearch' && (f.level === 'FAIL' || f.level === 'WARN'),
    );
    expect(reported.map((f) => f.check)).toEqual(ids);
  });
});
