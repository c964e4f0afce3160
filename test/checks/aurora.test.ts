import { describe, expect, it } from 'vitest';
import { identifyCluster, parseRdsHost, type EndpointKind } from '../../src/checks/aurora.js';
import { regionFromHost } from '../../src/aws-hosts.js';
import type { DbCluster } from '../../src/ports/aws.js';
import type { WorldModel } from '../support/world.js';
import {
  accessDenied,
  describeModuleCases,
  healthy,
  plant,
  runModules,
  type ModuleCase,
} from './aws-checks-harness.js';

const WRITER = 'camunda-prod-aurora.cluster-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com';
const READER = 'camunda-prod-aurora.cluster-ro-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com';
const CUSTOM = 'reporting.cluster-custom-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com';
const CNAME = 'aurora.rds.your.domain';

/** Sets a dotted path in the release's user values. */
function setValue(w: WorldModel, path: string, value: unknown): void {
  let node = w.kube.releases![0]!.user as Record<string, unknown>;
  const parts = path.split('.');
  for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
  node[parts.at(-1)!] = value;
}

const dbCluster = (w: WorldModel) => w.aws.dbClusters![0]!;

// ---------------------------------------------------------------- pure identification

describe('identifyCluster', () => {
  const cluster: DbCluster = { ...dbCluster(healthy), customEndpoints: [CUSTOM] };
  const other: DbCluster = {
    ...cluster,
    identifier: 'other',
    endpoint: 'other.cluster-zzzz.eu-west-1.rds.amazonaws.com',
    readerEndpoint: 'other.cluster-ro-zzzz.eu-west-1.rds.amazonaws.com',
    customEndpoints: [],
  };
  const cases: Array<[string, string, string[], EndpointKind | undefined, string?]> = [
    ['writer endpoint', WRITER, [], 'writer'],
    ['reader endpoint (cluster-ro-)', READER, [], 'reader'],
    ['custom endpoint (cluster-custom-)', CUSTOM, [], 'custom'],
    ['CNAME to the writer endpoint', CNAME, [WRITER], 'writer', WRITER],
    ['CNAME chain to the reader endpoint', CNAME, ['db.internal', READER], 'reader', READER],
    ['upper case and a trailing dot', `${WRITER.toUpperCase()}.`, [], 'writer'],
    [
      'an unknown hash: parsed from the name',
      'camunda-prod-aurora.cluster-ffff.eu-west-1.rds.amazonaws.com',
      [],
      'parsed',
    ],
    [
      'an unregistered custom endpoint names no cluster',
      'camunda-prod-aurora.cluster-custom-ffff.eu-west-1.rds.amazonaws.com',
      [],
      undefined,
    ],
    [
      'an instance endpoint names no cluster',
      'camunda-prod-aurora.c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com',
      [],
      undefined,
    ],
    ['a host nobody knows', 'db.example.com', [], undefined],
  ];
  it.each(cases)('%s', (_name, host, cnames, kind, via) => {
    const m = identifyCluster(host, [other, cluster], cnames);
    expect(m?.kind).toBe(kind);
    if (kind) expect(m?.cluster.identifier).toBe('camunda-prod-aurora');
    if (via) expect(m?.via).toBe(via);
  });
});

describe('parseRdsHost / regionFromHost', () => {
  it.each([
    [WRITER, { name: 'camunda-prod-aurora', kind: 'writer', region: 'eu-west-1' }],
    [READER, { name: 'camunda-prod-aurora', kind: 'reader', region: 'eu-west-1' }],
    [CUSTOM, { name: 'reporting', kind: 'custom', region: 'eu-west-1' }],
    [
      'db1.c1a2b3c4d5e6.cn-north-1.rds.amazonaws.com.cn',
      { name: 'db1', kind: 'instance', region: 'cn-north-1' },
    ],
    ['x.cluster-abc.us-gov-west-1.rds.amazonaws.com', { name: 'x', kind: 'writer', region: 'us-gov-west-1' }],
    [CNAME, undefined],
  ])('%s', (host, parsed) => {
    expect(parseRdsHost(host)).toEqual(parsed);
    expect(regionFromHost(host)).toBe(parsed?.region);
  });
});

// ---------------------------------------------------------------- the module over worlds

const HEALTHY_LINES = ['identityKeycloak', 'identity', 'webModeler'].flatMap((c) => [
  `[OK] ${c}: ${WRITER} is the writer endpoint of Aurora cluster camunda-prod-aurora (eu-west-1)`,
  `[OK] ${c}: Aurora cluster camunda-prod-aurora is available with IAM database authentication enabled`,
]);

const cases: ModuleCase[] = [
  { name: 'healthy', world: healthy, lines: HEALTHY_LINES, exitCode: 0 },
  {
    name: 'reader endpoint (original’s mistake)',
    world: plant((w) => setValue(w, 'identity.externalDatabase.host', READER)),
    lines: [
      ...HEALTHY_LINES.slice(0, 2),
      `[OK] identity: ${READER} is the reader endpoint of Aurora cluster camunda-prod-aurora (eu-west-1)`,
      ...HEALTHY_LINES.slice(3),
    ],
    exitCode: 0,
  },
  {
    name: 'custom endpoint (original’s mistake)',
    world: plant((w) => {
      dbCluster(w).customEndpoints = [CUSTOM];
      setValue(
        w,
        'webModeler.restapi.externalDatabase.url',
        `jdbc:aws-wrapper:postgresql://${CUSTOM}:5432/modeler?wrapperPlugins=iam`,
      );
    }),
    lines: [
      ...HEALTHY_LINES.slice(0, 4),
      `[OK] webModeler: ${CUSTOM} is a custom endpoint of Aurora cluster camunda-prod-aurora (eu-west-1)`,
      HEALTHY_LINES[5]!,
    ],
    exitCode: 0,
  },
  {
    name: 'CNAME, as in the Camunda docs (original’s mistake)',
    world: plant((w) => {
      w.aws.cnames = { [CNAME]: [WRITER] };
      setValue(w, 'identityKeycloak.externalDatabase.host', CNAME);
    }),
    lines: [
      `[OK] identityKeycloak: ${CNAME} (CNAME of ${WRITER}) is the writer endpoint of Aurora cluster camunda-prod-aurora (eu-west-1)`,
      ...HEALTHY_LINES.slice(1),
    ],
    exitCode: 0,
  },
  {
    name: 'IAM database authentication disabled',
    world: plant((w) => (dbCluster(w).iamAuthEnabled = false)),
    lines: ['identityKeycloak', 'identity', 'webModeler'].flatMap((c) => [
      HEALTHY_LINES[0]!.replace('identityKeycloak', c),
      `[FAIL] ${c}: IAM database authentication is disabled on Aurora cluster camunda-prod-aurora`,
    ]),
    exitCode: 75,
  },
  {
    name: 'cluster stopped',
    world: plant((w) => (dbCluster(w).status = 'stopped')),
    lines: ['identityKeycloak', 'identity', 'webModeler'].flatMap((c) => [
      HEALTHY_LINES[0]!.replace('identityKeycloak', c),
      `[OK] ${c}: IAM database authentication is enabled on Aurora cluster camunda-prod-aurora`,
      `[FAIL] ${c}: Aurora cluster camunda-prod-aurora is stopped, not available`,
    ]),
    exitCode: 76,
  },
  {
    name: 'cluster backing up: serving, WARN',
    world: plant((w) => (dbCluster(w).status = 'backing-up')),
    lines: ['identityKeycloak', 'identity', 'webModeler'].flatMap((c) => [
      HEALTHY_LINES[0]!.replace('identityKeycloak', c),
      `[OK] ${c}: IAM database authentication is enabled on Aurora cluster camunda-prod-aurora`,
      `[WARN] ${c}: Aurora cluster camunda-prod-aurora is backing-up: it serves connections, but is not "available"`,
    ]),
    exitCode: 0,
  },
  {
    name: 'host of no cluster',
    world: plant((w) => setValue(w, 'identity.externalDatabase.host', 'db.example.com')),
    lines: [
      ...HEALTHY_LINES.slice(0, 2),
      '[FAIL] identity: database host db.example.com is not an endpoint of any Aurora cluster in eu-west-1 (clusters: camunda-prod-aurora)',
      ...HEALTHY_LINES.slice(4),
    ],
    exitCode: 73,
  },
  {
    name: 'host naming a cluster that does not exist',
    world: plant((w) =>
      setValue(
        w,
        'identity.externalDatabase.host',
        'camunda-old-aurora.cluster-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com',
      ),
    ),
    lines: [
      ...HEALTHY_LINES.slice(0, 2),
      '[FAIL] identity: database host camunda-old-aurora.cluster-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com names Aurora cluster camunda-old-aurora, but no DB cluster camunda-old-aurora exists in eu-west-1',
      ...HEALTHY_LINES.slice(4),
    ],
    exitCode: 74,
  },
  {
    name: 'host naming the cluster with another hash: WARN',
    world: plant((w) =>
      setValue(
        w,
        'identity.externalDatabase.host',
        'camunda-prod-aurora.cluster-ffff.eu-west-1.rds.amazonaws.com',
      ),
    ),
    lines: [
      ...HEALTHY_LINES.slice(0, 2),
      '[WARN] identity: camunda-prod-aurora.cluster-ffff.eu-west-1.rds.amazonaws.com names Aurora cluster camunda-prod-aurora (eu-west-1), though it is none of its endpoints',
      ...HEALTHY_LINES.slice(3),
    ],
  },
  {
    name: 'port differs from the cluster’s',
    world: plant((w) => setValue(w, 'identity.externalDatabase.port', 5433)),
    lines: [
      ...HEALTHY_LINES.slice(0, 3),
      '[WARN] identity: the configured database port 5433 differs from the port 5432 of Aurora cluster camunda-prod-aurora',
      ...HEALTHY_LINES.slice(3),
    ],
  },
];

describeModuleCases('aurora', cases, () => {
  it('asks DescribeDBClusters once for three components on one cluster and records the cluster', async () => {
    const run = await runModules(healthy);
    expect(run.calls.sent.get('aws.dbClusters(["eu-west-1"])')).toBe(1);
    const identity = run.ctx.facts.auroraClusters?.get('identity');
    expect(identity?.cluster.resourceId).toBe('cluster-7GJQ2XKZ5N4M3P2R1S0T9U8V7W');
    expect(identity?.region).toBe('eu-west-1');
  });

  it('cannot list DB clusters: says so for each component', async () => {
    const world = plant((w) => {
      w.aws.errors = { dbClusters: accessDenied('rds:DescribeDBClusters') };
    });
    const run = await runModules(world);
    expect(run.lines('aurora')).toEqual(
      ['identityKeycloak', 'identity', 'webModeler'].map(
        (c) =>
          `[FAIL] ${c}: irsa-check cannot call rds:DescribeDBClusters (AccessDenied): grant it, see README "Permissions"`,
      ),
    );
  });
});

/** The check ID of every FAIL and WARN each case reports (issue 8: a stable ID per check). */
const CHECK_IDS: Array<[string, string[]]> = [
  ['IAM database authentication disabled', ['aurora-iam-auth', 'aurora-iam-auth', 'aurora-iam-auth']],
  ['cluster stopped', ['aurora-status', 'aurora-status', 'aurora-status']],
  [
    'cluster backing up: serving, WARN',
    ['aurora-status-serving', 'aurora-status-serving', 'aurora-status-serving'],
  ],
  ['host of no cluster', ['aurora-endpoint']],
  ['host naming a cluster that does not exist', ['aurora-cluster-exists']],
  ['host naming the cluster with another hash: WARN', ['aurora-named-endpoint']],
  ['port differs from the cluster’s', ['aurora-port']],
];

describe('aurora: check IDs', () => {
  it.each(CHECK_IDS)('%s', async (name, ids) => {
    const c = cases.find((k) => k.name === name);
    expect(c, name).toBeDefined();
    const run = await runModules(c!.world, c!.harness);
    const reported = run.findings.filter(
      (f) => f.module === 'aurora' && (f.level === 'FAIL' || f.level === 'WARN'),
    );
    expect(reported.map((f) => f.check)).toEqual(ids);
  });
});
