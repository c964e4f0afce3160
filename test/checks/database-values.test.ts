/**
 * database-values over in-memory worlds: one healthy world per chart generation, then one
 * planted fault per case (clone + change), asserting the module's exact lines and exit code.
 */
import { describe, expect, it } from 'vitest';
import type { RunOptions } from '../../src/core/options.js';
import { loadWorld, runWorld, type WorldModel, type WorldRun } from '../support/world.js';
import { factsAfter, put, variant, W86, W87, W88, W89, W810, type Tree } from '../support/values-worlds.js';
import { databaseValues } from '../../src/checks/database-values/index.js';
import { hasIamPlugin, parseJdbcParams, parseJdbcUrl, tlsRequirement } from '../../src/db/jdbc.js';

const MODULE = 'database-values';
const HOST = 'camunda-prod-aurora.cluster-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com';
const CNAME = 'aurora.camunda.example.com';

// ---------------------------------------------------------------------------------------------
// Planting faults
// ---------------------------------------------------------------------------------------------

/** Replaces (or, with `undefined`, removes) one entry of an env list in a values tree. */
function putEnv(tree: Tree, path: string, name: string, value: string | undefined): void {
  const keys = path.split('.');
  let node = tree;
  for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Tree;
  const last = keys[keys.length - 1]!;
  const list = ((node[last] as Array<{ name: string }> | undefined) ?? []).filter((e) => e.name !== name);
  if (value !== undefined) list.push({ name, value } as { name: string });
  node[last] = list;
}

// ---------------------------------------------------------------------------------------------
// Reading results
// ---------------------------------------------------------------------------------------------

/** The module's lines about one component (or all of them). */
function linesOf(run: WorldRun, component?: string): string[] {
  const all = run.lines(MODULE);
  return component ? all.filter((l) => l.includes(`] ${component}: `)) : all;
}

/** The exit code this module alone would give: its last FAIL's code, 0 when none. */
function moduleExit(run: WorldRun): number {
  return run.fails(MODULE).at(-1)?.code ?? 0;
}

// ---------------------------------------------------------------------------------------------
// Healthy worlds
// ---------------------------------------------------------------------------------------------

const kcOk = (image: string, host: string, tls: string) => [
  '[OK] identityKeycloak: identityKeycloak.postgresql.enabled is false: Keycloak uses the external database',
  `[OK] identityKeycloak: image ${image} contains the AWS JDBC wrapper`,
  `[OK] identityKeycloak: database keycloak_irsa@${host}:5432`,
  `[OK] identityKeycloak: identityKeycloak.extraEnvVars select the AWS JDBC wrapper with IAM authentication and TLS (${tls})`,
];
const identityOk = (host: string, tls: string, user = 'identity_irsa') => [
  '[OK] identity: identity.externalDatabase.enabled is true',
  `[OK] identity: database ${user}@${host}:5432`,
  `[OK] identity: identity.env selects the AWS JDBC wrapper with IAM authentication and TLS (${tls})`,
];
const wmOk = (host: string, tls: string, user = 'modeler_irsa') => [
  `[OK] webModeler: webModeler.restapi.externalDatabase.url uses the AWS JDBC wrapper with IAM authentication and TLS (${tls})`,
  `[OK] webModeler: database ${user}@${host}:5432`,
  '[OK] webModeler: webModeler.restapi.env SPRING_DATASOURCE_DRIVER_CLASS_NAME is software.amazon.jdbc.Driver',
];
/** Keycloak (with `image`), Identity and Web Modeler all on Aurora at `host` with TLS `tls`. */
const allOk = (image: string, host: string, tls: string) => [
  ...kcOk(image, host, tls),
  ...identityOk(host, tls),
  ...wmOk(host, tls),
];

describe('database-values: healthy worlds, one per chart generation', () => {
  it.each([
    {
      name: '8.6 (chart 11): subchart Keycloak on by the chart default, Web Modeler with `user`',
      world: W86,
      lines: allOk('docker.io/camunda/keycloak:25.0.6', HOST, 'sslmode=require'),
    },
    {
      name: '8.7 (chart 12): a CNAME as database host',
      world: W87,
      lines: allOk('docker.io/camunda/keycloak:26.3.3', CNAME, 'sslmode=verify-full'),
    },
    {
      name: '8.8 (chart 13): Keycloak params in another order (sslmode first)',
      world: W88,
      lines: allOk('docker.io/camunda/keycloak:26.3.1', HOST, 'sslmode=require'),
    },
    {
      name: '8.9 (chart 14): Web Modeler with `username`',
      world: W89,
      lines: allOk('docker.io/camunda/keycloak:26.3.3', HOST, 'sslmode=require'),
    },
    {
      name: '8.10 (chart 15.0.0-alpha4): camundaHub keys, external Keycloak, URL with extra query parameters',
      world: W810,
      lines: [
        '[INFO] Keycloak is external (keycloak-service.keycloak.svc.cluster.local); this chart has no identityKeycloak subchart, so its database is not checked here',
        ...identityOk(HOST, 'sslmode=verify-full'),
        '[OK] webModeler: camundaHub.restapi.externalDatabase.url uses the AWS JDBC wrapper with IAM authentication and TLS (sslmode=verify-full)',
        `[OK] webModeler: database hub_irsa@${HOST}:5432`,
        '[OK] webModeler: camundaHub.restapi.env SPRING_DATASOURCE_DRIVER_CLASS_NAME is software.amazon.jdbc.Driver',
      ],
    },
  ])('$name', async ({ world, lines }) => {
    const run = await runWorld(world);
    expect(linesOf(run)).toEqual(lines);
    expect(moduleExit(run)).toBe(0);
    expect(run.fails()).toEqual([]);
    expect(run.exitCode).toBe(0);
  });

  it('records host, port and DB user of every pg component for the Aurora and role checks', async () => {
    const facts = await factsAfter(W88, databaseValues);
    expect(Object.fromEntries(facts.databases!)).toEqual({
      identityKeycloak: { host: HOST, port: 5432, dbUser: 'keycloak_irsa' },
      identity: { host: HOST, port: 5432, dbUser: 'identity_irsa' },
      webModeler: { host: HOST, port: 5432, dbUser: 'modeler_irsa' },
    });
    const hub = await factsAfter(W810, databaseValues);
    expect(Object.fromEntries(hub.databases!)).toEqual({
      identity: { host: HOST, port: 5432, dbUser: 'identity_irsa' },
      webModeler: { host: HOST, port: 5432, dbUser: 'hub_irsa' },
    });
  });
});

// ---------------------------------------------------------------------------------------------
// One planted fault per case
// ---------------------------------------------------------------------------------------------

interface Case {
  name: string;
  world: WorldModel;
  options?: Partial<RunOptions>;
  /** The component whose lines are compared; all of the module's lines when absent. */
  component?: string;
  lines: string[];
  exit: number;
  /** The fixes of the module's FAILs, when the case pins them. */
  fixes?: string[];
}

const KC_ENV = 'identityKeycloak.extraEnvVars';
const kcEnvOk = (tls: string) =>
  `[OK] identityKeycloak: ${KC_ENV} select the AWS JDBC wrapper with IAM authentication and TLS (${tls})`;

const keycloakCases: Case[] = [
  {
    name: '81: postgresql.enabled deleted (null) from values, chart and sub-chart defaults',
    world: variant(W86, (u) => put(u, 'identityKeycloak.postgresql.enabled', null)),
    component: 'identityKeycloak',
    lines: [
      "[FAIL] identityKeycloak: identityKeycloak.postgresql.enabled is not set in your values, the chart defaults or the Keycloak chart's defaults",
      ...kcOk('docker.io/camunda/keycloak:25.0.6', HOST, 'sslmode=require').slice(1),
    ],
    exit: 81,
  },
  {
    name: '82: postgresql.enabled left to the Bitnami sub-chart default (true)',
    world: variant(W86, (u) => put(u, 'identityKeycloak.postgresql', undefined)),
    component: 'identityKeycloak',
    lines: [
      '[FAIL] identityKeycloak: identityKeycloak.postgresql.enabled is true (chart default): Keycloak uses the bundled PostgreSQL, not Aurora',
      ...kcOk('docker.io/camunda/keycloak:25.0.6', HOST, 'sslmode=require').slice(1),
    ],
    exit: 82,
    fixes: ['Set identityKeycloak.postgresql.enabled: false'],
  },
  {
    name: '83: image.repository deleted (null)',
    world: variant(W88, (u) => put(u, 'identityKeycloak.image', { repository: null })),
    component: 'identityKeycloak',
    lines: [
      kcOk('', HOST, '')[0]!,
      "[FAIL] identityKeycloak: identityKeycloak.image.repository is not set in your values, the chart defaults or the Keycloak chart's defaults",
      `[OK] identityKeycloak: database keycloak_irsa@${HOST}:5432`,
      kcEnvOk('sslmode=require'),
    ],
    exit: 83,
  },
  {
    name: '83: image given as one string (the IRSA guide’s example), which the Keycloak chart cannot read',
    world: variant(W86, (u) => put(u, 'identityKeycloak.image', 'docker.io/camunda/keycloak:23')),
    component: 'identityKeycloak',
    lines: [
      kcOk('', HOST, '')[0]!,
      '[FAIL] identityKeycloak: identityKeycloak.image is the string "docker.io/camunda/keycloak:23": the Keycloak chart reads image.registry, image.repository and image.tag',
      `[OK] identityKeycloak: database keycloak_irsa@${HOST}:5432`,
      kcEnvOk('sslmode=require'),
    ],
    exit: 83,
  },
  {
    name: '84: a Bitnami image without the AWS JDBC wrapper',
    world: variant(W87, (u) =>
      put(u, 'identityKeycloak.image', { repository: 'bitnami/keycloak', tag: '26.3.3' }),
    ),
    component: 'identityKeycloak',
    lines: [
      kcOk('', CNAME, '')[0]!,
      '[FAIL] identityKeycloak: identityKeycloak.image is docker.io/bitnami/keycloak:26.3.3: only the camunda/keycloak images contain the AWS JDBC wrapper',
      `[OK] identityKeycloak: database keycloak_irsa@${CNAME}:5432`,
      kcEnvOk('sslmode=verify-full'),
    ],
    exit: 84,
  },
  {
    name: '84 passes: camunda/keycloak mirrored into a private ECR registry',
    world: variant(W88, (u) =>
      put(u, 'identityKeycloak.image', {
        registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        repository: 'mirror/camunda/keycloak',
        tag: '26.3.1',
      }),
    ),
    component: 'identityKeycloak',
    lines: kcOk(
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/camunda/keycloak:26.3.1',
      HOST,
      'sslmode=require',
    ),
    exit: 0,
  },
  {
    name: '85: externalDatabase.host missing (the sub-chart default is empty)',
    world: variant(W86, (u) => put(u, 'identityKeycloak.externalDatabase.host', undefined)),
    component: 'identityKeycloak',
    lines: [
      ...kcOk('docker.io/camunda/keycloak:25.0.6', HOST, 'sslmode=require').slice(0, 2),
      '[FAIL] identityKeycloak: identityKeycloak.externalDatabase.host is not set',
      kcEnvOk('sslmode=require'),
    ],
    exit: 85,
  },
  {
    name: '71: host with the port glued on',
    world: variant(W88, (u) => put(u, 'identityKeycloak.externalDatabase.host', `${HOST}:5432`)),
    component: 'identityKeycloak',
    lines: [
      ...kcOk('docker.io/camunda/keycloak:26.3.1', HOST, 'sslmode=require').slice(0, 2),
      `[FAIL] identityKeycloak: identityKeycloak.externalDatabase.host "${HOST}:5432" is not a host name (no scheme, port or path allowed)`,
      kcEnvOk('sslmode=require'),
    ],
    exit: 71,
    fixes: [`Set identityKeycloak.externalDatabase.host: ${HOST}`],
  },
  {
    name: '72: a port that is no TCP port',
    world: variant(W88, (u) => put(u, 'identityKeycloak.externalDatabase.port', 'postgres')),
    component: 'identityKeycloak',
    lines: [
      ...kcOk('docker.io/camunda/keycloak:26.3.1', HOST, 'sslmode=require').slice(0, 2),
      '[FAIL] identityKeycloak: identityKeycloak.externalDatabase.port is postgres: not a TCP port',
      kcEnvOk('sslmode=require'),
    ],
    exit: 72,
  },
  {
    name: 'port left out: the default 5432',
    world: variant(W86, (u) => put(u, 'identityKeycloak.externalDatabase.port', undefined)),
    component: 'identityKeycloak',
    lines: [
      ...kcOk('docker.io/camunda/keycloak:25.0.6', HOST, 'sslmode=require').slice(0, 2),
      `[OK] identityKeycloak: database keycloak_irsa@${HOST}:5432`,
      kcEnvOk('sslmode=require'),
    ],
    exit: 0,
  },
  {
    name: '87: externalDatabase.user deleted (null), so not even the sub-chart default remains',
    world: variant(W88, (u) => put(u, 'identityKeycloak.externalDatabase.user', null)),
    component: 'identityKeycloak',
    lines: [
      ...kcOk('docker.io/camunda/keycloak:26.3.1', HOST, 'sslmode=require').slice(0, 2),
      "[FAIL] identityKeycloak: identityKeycloak.externalDatabase.user is not set in your values, the chart defaults or the Keycloak chart's defaults",
      `[OK] identityKeycloak: database ?@${HOST}:5432`,
      kcEnvOk('sslmode=require'),
    ],
    exit: 87,
  },
  {
    name: 'WARN: externalDatabase.user left to the Bitnami default bn_keycloak',
    world: variant(W86, (u) => put(u, 'identityKeycloak.externalDatabase.user', undefined)),
    component: 'identityKeycloak',
    lines: [
      ...kcOk('docker.io/camunda/keycloak:25.0.6', HOST, 'sslmode=require').slice(0, 2),
      '[WARN] identityKeycloak: identityKeycloak.externalDatabase.user is not in your values: the chart default bn_keycloak is the database user',
      `[OK] identityKeycloak: database bn_keycloak@${HOST}:5432`,
      kcEnvOk('sslmode=require'),
    ],
    exit: 0,
  },
  {
    name: '87: KEYCLOAK_EXTRA_ARGS missing',
    world: variant(W88, (u) => putEnv(u, KC_ENV, 'KEYCLOAK_EXTRA_ARGS', undefined)),
    component: 'identityKeycloak',
    lines: [
      ...kcOk('docker.io/camunda/keycloak:26.3.1', HOST, 'sslmode=require').slice(0, 3),
      `[FAIL] identityKeycloak: ${KC_ENV} KEYCLOAK_EXTRA_ARGS is not set`,
    ],
    exit: 87,
  },
  {
    name: '87: KEYCLOAK_EXTRA_ARGS names the plain PostgreSQL driver',
    world: variant(W88, (u) =>
      putEnv(u, KC_ENV, 'KEYCLOAK_EXTRA_ARGS', '--db-driver=org.postgresql.Driver --optimized'),
    ),
    component: 'identityKeycloak',
    lines: [
      ...kcOk('docker.io/camunda/keycloak:26.3.1', HOST, 'sslmode=require').slice(0, 3),
      `[FAIL] identityKeycloak: ${KC_ENV} KEYCLOAK_EXTRA_ARGS sets --db-driver=org.postgresql.Driver, not software.amazon.jdbc.Driver`,
    ],
    exit: 87,
  },
  {
    name: '87 passes: --db-driver given as two words',
    world: variant(W88, (u) =>
      putEnv(
        u,
        KC_ENV,
        'KEYCLOAK_EXTRA_ARGS',
        '--transaction-xa-enabled=false --db-driver software.amazon.jdbc.Driver',
      ),
    ),
    component: 'identityKeycloak',
    lines: kcOk('docker.io/camunda/keycloak:26.3.1', HOST, 'sslmode=require'),
    exit: 0,
  },
  {
    name: '87: KEYCLOAK_JDBC_DRIVER is the plain driver',
    world: variant(W88, (u) => putEnv(u, KC_ENV, 'KEYCLOAK_JDBC_DRIVER', 'postgresql')),
    component: 'identityKeycloak',
    lines: [
      ...kcOk('docker.io/camunda/keycloak:26.3.1', HOST, 'sslmode=require').slice(0, 3),
      `[FAIL] identityKeycloak: ${KC_ENV} KEYCLOAK_JDBC_DRIVER is "postgresql", not aws-wrapper:postgresql`,
    ],
    exit: 87,
  },
  {
    name: '87: KEYCLOAK_JDBC_PARAMS without the iam plugin',
    world: variant(W88, (u) =>
      putEnv(u, KC_ENV, 'KEYCLOAK_JDBC_PARAMS', 'sslmode=require&wrapperPlugins=failover'),
    ),
    component: 'identityKeycloak',
    lines: [
      ...kcOk('docker.io/camunda/keycloak:26.3.1', HOST, 'sslmode=require').slice(0, 3),
      `[FAIL] identityKeycloak: ${KC_ENV} KEYCLOAK_JDBC_PARAMS has no wrapperPlugins=iam`,
    ],
    exit: 87,
    fixes: [
      'Set identityKeycloak.extraEnvVars KEYCLOAK_JDBC_PARAMS to wrapperPlugins=iam&sslmode=require (other parameters may follow).',
    ],
  },
  {
    name: 'original’s mistake: other order and extra TLS options pass',
    world: variant(W88, (u) =>
      putEnv(
        u,
        KC_ENV,
        'KEYCLOAK_JDBC_PARAMS',
        'sslrootcert=/opt/keycloak/certs/global-bundle.pem&sslmode=verify-full&ssl=true&wrapperPlugins=failover,iam',
      ),
    ),
    component: 'identityKeycloak',
    lines: kcOk('docker.io/camunda/keycloak:26.3.1', HOST, 'sslmode=verify-full'),
    exit: 0,
  },
  {
    name: 'WARN: TLS not required (the IRSA guide’s bare wrapperPlugins=iam)',
    world: variant(W88, (u) => putEnv(u, KC_ENV, 'KEYCLOAK_JDBC_PARAMS', 'wrapperPlugins=iam')),
    component: 'identityKeycloak',
    lines: [
      ...kcOk('docker.io/camunda/keycloak:26.3.1', HOST, 'sslmode=require').slice(0, 3),
      `[WARN] identityKeycloak: ${KC_ENV} KEYCLOAK_JDBC_PARAMS does not require TLS (no sslmode or ssl=true): the IAM token is sent as the password`,
      `[OK] identityKeycloak: ${KC_ENV} select the AWS JDBC wrapper with IAM authentication`,
    ],
    exit: 0,
  },
  {
    name: 'WARN: sslmode=prefer wins over ssl=true',
    world: variant(W88, (u) =>
      putEnv(u, KC_ENV, 'KEYCLOAK_JDBC_PARAMS', 'wrapperPlugins=iam&ssl=true&sslmode=prefer'),
    ),
    component: 'identityKeycloak',
    lines: [
      ...kcOk('docker.io/camunda/keycloak:26.3.1', HOST, 'sslmode=require').slice(0, 3),
      `[WARN] identityKeycloak: ${KC_ENV} KEYCLOAK_JDBC_PARAMS does not require TLS (sslmode=prefer): the IAM token is sent as the password`,
      `[OK] identityKeycloak: ${KC_ENV} select the AWS JDBC wrapper with IAM authentication`,
    ],
    exit: 0,
  },
];

const keycloakModeCases: Case[] = [
  {
    name: 'mode: explicit identityKeycloak.enabled=false beats the chart’s true default → external Keycloak',
    world: variant(W86, (u, w) => {
      put(u, 'identityKeycloak.enabled', false);
      put(u, 'global.identity.keycloak.url', { protocol: 'http', host: 'keycloak-service', port: 8080 });
      w.kube.services!.push({ name: 'keycloak-service', namespace: 'camunda', type: 'ClusterIP' });
    }),
    component: 'identityKeycloak',
    lines: [
      '[OK] identityKeycloak: external Keycloak at keycloak-service:8080 (the identityKeycloak subchart is not deployed)',
      '[OK] identityKeycloak: Service keycloak-service exists in namespace camunda',
    ],
    exit: 0,
  },
  {
    name: 'mode: global.identity.keycloak.internal=true does not make the subchart external',
    world: variant(W88, (u) => {
      put(u, 'global.identity.keycloak.internal', true);
      put(u, 'global.identity.keycloak.url', { protocol: 'http', host: 'keycloak-service', port: 8080 });
    }),
    component: 'identityKeycloak',
    lines: kcOk('docker.io/camunda/keycloak:26.3.1', HOST, 'sslmode=require'),
    exit: 0,
  },
  {
    name: 'mode: internal=false (its default) does not stop the external branch; port defaults to 80',
    world: variant(W88, (u) => {
      put(u, 'identityKeycloak.enabled', false);
      put(u, 'global.identity.keycloak', {
        internal: false,
        url: { protocol: 'http', host: 'keycloak.keycloak.svc.cluster.local' },
      });
    }),
    component: 'identityKeycloak',
    lines: [
      '[OK] identityKeycloak: external Keycloak at keycloak.keycloak.svc.cluster.local:80 (default port) (the identityKeycloak subchart is not deployed)',
      '[WARN] identityKeycloak: no Service keycloak in namespace keycloak: the external Keycloak host may not resolve',
    ],
    exit: 0,
  },
  {
    name: 'external Keycloak outside the cluster: no Service expected',
    world: variant(W88, (u) => {
      put(u, 'identityKeycloak.enabled', false);
      put(u, 'global.identity.keycloak.url', { protocol: 'https', host: 'login.example.com', port: 443 });
    }),
    component: 'identityKeycloak',
    lines: [
      '[OK] identityKeycloak: external Keycloak at login.example.com:443 (the identityKeycloak subchart is not deployed)',
      '[INFO] identityKeycloak: login.example.com is not a cluster Service name: reached through DNS',
    ],
    exit: 0,
  },
  {
    name: '86: chart 11 deploys Keycloak by default; switched off without an external URL',
    world: variant(W86, (u) => put(u, 'identityKeycloak.enabled', false)),
    component: 'identityKeycloak',
    lines: [
      '[FAIL] identityKeycloak: the identityKeycloak subchart is not deployed and global.identity.keycloak.url.host is not set: no Keycloak is configured',
    ],
    exit: 86,
  },
  {
    name: '86: -p identityKeycloak named explicitly, but no Keycloak at all (chart 13)',
    world: variant(W88, (u) => put(u, 'identityKeycloak.enabled', false)),
    options: { pg: ['identitykeycloak'] },
    component: 'identityKeycloak',
    lines: [
      '[FAIL] identityKeycloak: the identityKeycloak subchart is not deployed and global.identity.keycloak.url.host is not set: no Keycloak is configured',
    ],
    exit: 86,
  },
  {
    name: 'chart 13 without Keycloak and the default -p list: skipped, not failed',
    world: variant(W88, (u) => put(u, 'identityKeycloak.enabled', false)),
    component: 'identityKeycloak',
    lines: [
      '[INFO] identityKeycloak: no Keycloak is configured (subchart disabled, no external URL): skipped',
    ],
    exit: 0,
  },
  {
    name: '71: the external Keycloak host given as a URL',
    world: variant(W88, (u) => {
      put(u, 'identityKeycloak.enabled', false);
      put(u, 'global.identity.keycloak.url', {
        protocol: 'https',
        host: 'https://login.example.com',
        port: 443,
      });
    }),
    component: 'identityKeycloak',
    lines: [
      '[FAIL] identityKeycloak: global.identity.keycloak.url.host "https://login.example.com" is not a host name (no scheme, port or path allowed)',
    ],
    exit: 71,
    fixes: ['Set global.identity.keycloak.url.host: login.example.com'],
  },
  {
    name: '72: the external Keycloak port is a word',
    world: variant(W88, (u) => {
      put(u, 'identityKeycloak.enabled', false);
      put(u, 'global.identity.keycloak.url', { protocol: 'http', host: 'keycloak-service', port: 'http' });
    }),
    component: 'identityKeycloak',
    lines: ['[FAIL] identityKeycloak: global.identity.keycloak.url.port is http: not a TCP port'],
    exit: 72,
  },
];

const identityCases: Case[] = [
  {
    name: '88: externalDatabase.enabled deleted (null)',
    world: variant(W88, (u) => put(u, 'identity.externalDatabase.enabled', null)),
    component: 'identity',
    lines: [
      '[FAIL] identity: identity.externalDatabase.enabled is not set in your values or the chart defaults',
      ...identityOk(HOST, 'sslmode=require').slice(1),
    ],
    exit: 88,
  },
  {
    name: '89: an explicit false is read as false (not skipped like jq’s //)',
    world: variant(W87, (u) => put(u, 'identity.externalDatabase.enabled', false)),
    component: 'identity',
    lines: [
      '[FAIL] identity: identity.externalDatabase.enabled is false: Identity does not use the external database',
      ...identityOk(CNAME, 'sslmode=verify-full').slice(1),
    ],
    exit: 89,
  },
  {
    name: '89: left to the chart default false',
    world: variant(W86, (u) => put(u, 'identity.externalDatabase.enabled', undefined)),
    component: 'identity',
    lines: [
      '[FAIL] identity: identity.externalDatabase.enabled is false (chart default): Identity does not use the external database',
      ...identityOk(HOST, 'sslmode=require').slice(1),
    ],
    exit: 89,
  },
  {
    name: '90: host missing (chart 11 default null)',
    world: variant(W86, (u) => put(u, 'identity.externalDatabase.host', undefined)),
    component: 'identity',
    lines: [
      identityOk(HOST, '')[0]!,
      '[FAIL] identity: identity.externalDatabase.host is not set',
      identityOk(HOST, 'sslmode=require')[2]!,
    ],
    exit: 90,
  },
  {
    name: 'port missing (chart 11 default null): 5432',
    world: variant(W86, (u) => put(u, 'identity.externalDatabase.port', undefined)),
    component: 'identity',
    lines: [
      identityOk(HOST, '')[0]!,
      `[OK] identity: database identity_irsa@${HOST}:5432 (default port)`,
      identityOk(HOST, 'sslmode=require')[2]!,
    ],
    exit: 0,
  },
  {
    name: '72: port out of range',
    world: variant(W88, (u) => put(u, 'identity.externalDatabase.port', 75432)),
    component: 'identity',
    lines: [
      identityOk(HOST, '')[0]!,
      '[FAIL] identity: identity.externalDatabase.port is 75432: not a TCP port',
      identityOk(HOST, 'sslmode=require')[2]!,
    ],
    exit: 72,
  },
  {
    name: '92: username missing',
    world: variant(W88, (u) => put(u, 'identity.externalDatabase.username', undefined)),
    component: 'identity',
    lines: [
      identityOk(HOST, '')[0]!,
      '[FAIL] identity: identity.externalDatabase.username is not set',
      `[OK] identity: database ?@${HOST}:5432`,
      identityOk(HOST, 'sslmode=require')[2]!,
    ],
    exit: 92,
  },
  {
    name: 'WARN: SPRING_DATASOURCE_USERNAME overrides the username (the IAM policy must name it)',
    world: variant(W86, (u) => putEnv(u, 'identity.env', 'SPRING_DATASOURCE_USERNAME', 'identity')),
    component: 'identity',
    lines: [
      identityOk(HOST, '')[0]!,
      '[WARN] identity: identity.env SPRING_DATASOURCE_USERNAME (identity) overrides identity.externalDatabase.username (identity_irsa): the application logs in as identity',
      `[OK] identity: database identity@${HOST}:5432`,
      identityOk(HOST, 'sslmode=require')[2]!,
    ],
    exit: 0,
  },
  {
    name: 'WARN: SPRING_DATASOURCE_URL connects to another host than externalDatabase.host',
    world: variant(W88, (u) =>
      putEnv(
        u,
        'identity.env',
        'SPRING_DATASOURCE_URL',
        `jdbc:aws-wrapper:postgresql://${HOST.replace('.cluster-', '.cluster-ro-')}:5432/identity?wrapperPlugins=iam&sslmode=require`,
      ),
    ),
    component: 'identity',
    lines: [
      ...identityOk(HOST, '').slice(0, 2),
      `[WARN] identity: identity.env SPRING_DATASOURCE_URL connects to ${HOST.replace('.cluster-', '.cluster-ro-')}, not to identity.externalDatabase.host (${HOST}): the Aurora checks follow identity.externalDatabase.host`,
      identityOk(HOST, 'sslmode=require')[2]!,
    ],
    exit: 0,
  },
  {
    name: '93: SPRING_DATASOURCE_URL uses the plain PostgreSQL driver',
    world: variant(W88, (u) =>
      putEnv(
        u,
        'identity.env',
        'SPRING_DATASOURCE_URL',
        `jdbc:postgresql://${HOST}:5432/identity?sslmode=require`,
      ),
    ),
    component: 'identity',
    lines: [
      ...identityOk(HOST, '').slice(0, 2),
      '[FAIL] identity: identity.env SPRING_DATASOURCE_URL does not start with jdbc:aws-wrapper:postgresql:// (jdbc:postgresql://)',
    ],
    exit: 93,
  },
  {
    name: '93: SPRING_DATASOURCE_URL without wrapperPlugins=iam',
    world: variant(W88, (u) =>
      putEnv(
        u,
        'identity.env',
        'SPRING_DATASOURCE_URL',
        `jdbc:aws-wrapper:postgresql://${HOST}:5432/identity?sslmode=require`,
      ),
    ),
    component: 'identity',
    lines: [
      ...identityOk(HOST, '').slice(0, 2),
      '[FAIL] identity: identity.env SPRING_DATASOURCE_URL has no wrapperPlugins=iam',
    ],
    exit: 93,
  },
  {
    name: '93: SPRING_DATASOURCE_URL missing',
    world: variant(W88, (u) => putEnv(u, 'identity.env', 'SPRING_DATASOURCE_URL', undefined)),
    component: 'identity',
    lines: [
      ...identityOk(HOST, '').slice(0, 2),
      '[FAIL] identity: identity.env SPRING_DATASOURCE_URL is not set',
    ],
    exit: 93,
    fixes: [
      `Set identity.env SPRING_DATASOURCE_URL to jdbc:aws-wrapper:postgresql://${HOST}:5432/identity?wrapperPlugins=iam&sslmode=require.`,
    ],
  },
  {
    name: '93: driver class missing',
    world: variant(W88, (u) => putEnv(u, 'identity.env', 'SPRING_DATASOURCE_DRIVER_CLASS_NAME', undefined)),
    component: 'identity',
    lines: [
      ...identityOk(HOST, '').slice(0, 2),
      '[FAIL] identity: identity.env SPRING_DATASOURCE_DRIVER_CLASS_NAME is not set',
    ],
    exit: 93,
  },
  {
    name: '93: driver class is the plain PostgreSQL driver',
    world: variant(W88, (u) =>
      putEnv(u, 'identity.env', 'SPRING_DATASOURCE_DRIVER_CLASS_NAME', 'org.postgresql.Driver'),
    ),
    component: 'identity',
    lines: [
      ...identityOk(HOST, '').slice(0, 2),
      '[FAIL] identity: identity.env SPRING_DATASOURCE_DRIVER_CLASS_NAME is org.postgresql.Driver, not software.amazon.jdbc.Driver',
    ],
    exit: 93,
  },
  {
    name: 'identity disabled: one INFO',
    world: variant(W88, (u) => put(u, 'identity.enabled', false)),
    component: 'identity',
    lines: ['[INFO] identity: disabled: its database settings are not checked'],
    exit: 0,
  },
];

const WM_URL = 'webModeler.restapi.externalDatabase.url';
const webModelerCases: Case[] = [
  {
    name: '94: url missing, no discrete host in chart 11',
    world: variant(W86, (u) => put(u, WM_URL, undefined)),
    component: 'webModeler',
    lines: [
      `[FAIL] webModeler: ${WM_URL} is not set in your values or the chart defaults`,
      ...wmOk(HOST, '').slice(2),
    ],
    exit: 94,
  },
  {
    name: '94: url missing in chart 12: the chart builds a plain jdbc:postgresql URL from host',
    world: variant(W87, (u) => {
      put(u, WM_URL, undefined);
      put(u, 'webModeler.restapi.externalDatabase.host', CNAME);
    }),
    component: 'webModeler',
    lines: [
      `[FAIL] webModeler: ${WM_URL} is not set: the chart builds a jdbc:postgresql:// URL from webModeler.restapi.externalDatabase.host, without the AWS JDBC wrapper`,
      ...wmOk(CNAME, '').slice(2),
    ],
    exit: 94,
    fixes: [
      `Set ${WM_URL}: jdbc:aws-wrapper:postgresql://${CNAME}:5432/web-modeler?wrapperPlugins=iam&sslmode=require`,
    ],
  },
  {
    name: '94: the bundled PostgreSQL is on (chart 13: webModelerPostgresql)',
    world: variant(W88, (u) => put(u, 'webModelerPostgresql.enabled', true)),
    component: 'webModeler',
    lines: [
      `[FAIL] webModeler: webModelerPostgresql.enabled is true: Web Modeler uses the bundled PostgreSQL and ignores ${WM_URL}`,
      ...wmOk(HOST, '').slice(2),
    ],
    exit: 94,
  },
  {
    name: '94: the bundled PostgreSQL is on (chart 11: postgresql)',
    world: variant(W86, (u) => put(u, 'postgresql.enabled', true)),
    component: 'webModeler',
    lines: [
      `[FAIL] webModeler: postgresql.enabled is true: Web Modeler uses the bundled PostgreSQL and ignores ${WM_URL}`,
      ...wmOk(HOST, '').slice(2),
    ],
    exit: 94,
  },
  {
    name: '95: a plain jdbc:postgresql URL',
    world: variant(W88, (u) => put(u, WM_URL, `jdbc:postgresql://${HOST}:5432/modeler?sslmode=require`)),
    component: 'webModeler',
    lines: [
      `[FAIL] webModeler: ${WM_URL} is not a jdbc:aws-wrapper:postgresql://<host>[:<port>]/<database> URL (it uses jdbc:postgresql://)`,
      ...wmOk(HOST, '').slice(1),
    ],
    exit: 95,
  },
  {
    name: '95: no database in the URL',
    world: variant(W88, (u) =>
      put(u, WM_URL, `jdbc:aws-wrapper:postgresql://${HOST}:5432?wrapperPlugins=iam`),
    ),
    component: 'webModeler',
    lines: [
      `[FAIL] webModeler: ${WM_URL} is not a jdbc:aws-wrapper:postgresql://<host>[:<port>]/<database> URL`,
      ...wmOk(HOST, '').slice(1),
    ],
    exit: 95,
  },
  {
    name: '95: no wrapperPlugins=iam',
    world: variant(W88, (u) =>
      put(
        u,
        WM_URL,
        `jdbc:aws-wrapper:postgresql://${HOST}:5432/modeler?wrapperPlugins=failover&sslmode=require`,
      ),
    ),
    component: 'webModeler',
    lines: [
      `[FAIL] webModeler: ${WM_URL} has no wrapperPlugins=iam query parameter`,
      ...wmOk(HOST, '').slice(1),
    ],
    exit: 95,
  },
  {
    name: 'original’s mistake: extra query parameters pass, and no port means 5432',
    world: variant(W88, (u) =>
      put(
        u,
        WM_URL,
        `jdbc:aws-wrapper:postgresql://${HOST}/modeler?ApplicationName=web-modeler&sslmode=verify-full&wrapperPlugins=iam&connectTimeout=10`,
      ),
    ),
    component: 'webModeler',
    lines: wmOk(HOST, 'sslmode=verify-full'),
    exit: 0,
  },
  {
    name: 'WARN: the URL does not require TLS',
    world: variant(W88, (u) =>
      put(u, WM_URL, `jdbc:aws-wrapper:postgresql://${HOST}:5432/modeler?wrapperPlugins=iam`),
    ),
    component: 'webModeler',
    lines: [
      `[WARN] webModeler: ${WM_URL} does not require TLS (no sslmode or ssl=true): the IAM token is sent as the password`,
      `[OK] webModeler: ${WM_URL} uses the AWS JDBC wrapper with IAM authentication`,
      ...wmOk(HOST, '').slice(1),
    ],
    exit: 0,
  },
  {
    name: '71: an unrendered template as the URL host',
    world: variant(W88, (u) =>
      put(
        u,
        WM_URL,
        'jdbc:aws-wrapper:postgresql://{{ .Values.dbHost }}:5432/modeler?wrapperPlugins=iam&sslmode=require',
      ),
    ),
    component: 'webModeler',
    lines: [
      `[OK] webModeler: ${WM_URL} uses the AWS JDBC wrapper with IAM authentication and TLS (sslmode=require)`,
      `[FAIL] webModeler: the host in ${WM_URL} "{{ .Values.dbHost }}" is not a host name (no scheme, port or path allowed)`,
      ...wmOk(HOST, '').slice(2),
    ],
    exit: 71,
  },
  {
    name: '72: URL port out of range',
    world: variant(W88, (u) =>
      put(
        u,
        WM_URL,
        `jdbc:aws-wrapper:postgresql://${HOST}:99999/modeler?wrapperPlugins=iam&sslmode=require`,
      ),
    ),
    component: 'webModeler',
    lines: [
      `[OK] webModeler: ${WM_URL} uses the AWS JDBC wrapper with IAM authentication and TLS (sslmode=require)`,
      `[FAIL] webModeler: the port in ${WM_URL} is 99999: not a TCP port`,
      ...wmOk(HOST, '').slice(2),
    ],
    exit: 72,
    fixes: [`Use port 5432 in ${WM_URL}.`],
  },
  {
    name: '96: chart 11 reads `user`; `username` (the 8.9 key) is ignored',
    world: variant(W86, (u) => {
      put(u, 'webModeler.restapi.externalDatabase.user', undefined);
      put(u, 'webModeler.restapi.externalDatabase.username', 'modeler_irsa');
    }),
    component: 'webModeler',
    lines: [
      wmOk(HOST, 'sslmode=require')[0]!,
      '[WARN] webModeler: webModeler.restapi.externalDatabase.username is set but this chart version ignores it: it reads webModeler.restapi.externalDatabase.user',
      '[FAIL] webModeler: webModeler.restapi.externalDatabase.user is not set',
      `[OK] webModeler: database ?@${HOST}:5432`,
      wmOk(HOST, '')[2]!,
    ],
    exit: 96,
    fixes: ['Set webModeler.restapi.externalDatabase.user to the database user granted rds_iam.'],
  },
  {
    name: '96: chart 13 reads only `user` too',
    world: variant(W88, (u) => {
      put(u, 'webModeler.restapi.externalDatabase.user', undefined);
      put(u, 'webModeler.restapi.externalDatabase.username', 'modeler_irsa');
    }),
    component: 'webModeler',
    lines: [
      wmOk(HOST, 'sslmode=require')[0]!,
      '[WARN] webModeler: webModeler.restapi.externalDatabase.username is set but this chart version ignores it: it reads webModeler.restapi.externalDatabase.user',
      '[FAIL] webModeler: webModeler.restapi.externalDatabase.user is not set',
      `[OK] webModeler: database ?@${HOST}:5432`,
      wmOk(HOST, '')[2]!,
    ],
    exit: 96,
  },
  {
    name: '96 passes: chart 14 falls back to the deprecated `user`',
    world: variant(W89, (u) => {
      put(u, 'webModeler.restapi.externalDatabase.username', undefined);
      put(u, 'webModeler.restapi.externalDatabase.user', 'modeler_irsa');
    }),
    component: 'webModeler',
    lines: wmOk(HOST, 'sslmode=require'),
    exit: 0,
  },
  {
    name: 'WARN: chart 14 with both keys uses `username` and ignores `user`',
    world: variant(W89, (u) => put(u, 'webModeler.restapi.externalDatabase.user', 'modeler')),
    component: 'webModeler',
    lines: [
      wmOk(HOST, 'sslmode=require')[0]!,
      '[WARN] webModeler: webModeler.restapi.externalDatabase.user is set but this chart version ignores it: it reads webModeler.restapi.externalDatabase.username',
      ...wmOk(HOST, '').slice(1),
    ],
    exit: 0,
  },
  {
    name: '96: chart 14 with neither key',
    world: variant(W89, (u) => put(u, 'webModeler.restapi.externalDatabase.username', undefined)),
    component: 'webModeler',
    lines: [
      wmOk(HOST, 'sslmode=require')[0]!,
      '[FAIL] webModeler: webModeler.restapi.externalDatabase.username is not set',
      `[OK] webModeler: database ?@${HOST}:5432`,
      wmOk(HOST, '')[2]!,
    ],
    exit: 96,
  },
  {
    name: 'WARN: chart 15 (camundaHub) has no `user` key at all',
    world: variant(W810, (u) => put(u, 'camundaHub.restapi.externalDatabase.user', 'hub')),
    component: 'webModeler',
    lines: [
      '[OK] webModeler: camundaHub.restapi.externalDatabase.url uses the AWS JDBC wrapper with IAM authentication and TLS (sslmode=verify-full)',
      '[WARN] webModeler: camundaHub.restapi.externalDatabase.user is set but this chart version ignores it: it reads camundaHub.restapi.externalDatabase.username',
      `[OK] webModeler: database hub_irsa@${HOST}:5432`,
      '[OK] webModeler: camundaHub.restapi.env SPRING_DATASOURCE_DRIVER_CLASS_NAME is software.amazon.jdbc.Driver',
    ],
    exit: 0,
  },
  {
    name: '96: chart 15 without a username anywhere',
    world: variant(W810, (u) => put(u, 'camundaHub.restapi.externalDatabase.username', undefined)),
    component: 'webModeler',
    lines: [
      '[OK] webModeler: camundaHub.restapi.externalDatabase.url uses the AWS JDBC wrapper with IAM authentication and TLS (sslmode=verify-full)',
      '[FAIL] webModeler: camundaHub.restapi.externalDatabase.username is not set',
      `[OK] webModeler: database ?@${HOST}:5432`,
      '[OK] webModeler: camundaHub.restapi.env SPRING_DATASOURCE_DRIVER_CLASS_NAME is software.amazon.jdbc.Driver',
    ],
    exit: 96,
  },
  {
    name: '97: driver class missing',
    world: variant(W88, (u) => put(u, 'webModeler.restapi.env', [])),
    component: 'webModeler',
    lines: [
      ...wmOk(HOST, 'sslmode=require').slice(0, 2),
      '[FAIL] webModeler: webModeler.restapi.env SPRING_DATASOURCE_DRIVER_CLASS_NAME is not set',
    ],
    exit: 97,
  },
  {
    name: '98: driver class is the plain driver',
    world: variant(W87, (u) =>
      putEnv(u, 'webModeler.restapi.env', 'SPRING_DATASOURCE_DRIVER_CLASS_NAME', 'org.postgresql.Driver'),
    ),
    component: 'webModeler',
    lines: [
      ...wmOk(CNAME, 'sslmode=verify-full').slice(0, 2),
      '[FAIL] webModeler: webModeler.restapi.env SPRING_DATASOURCE_DRIVER_CLASS_NAME is org.postgresql.Driver, not software.amazon.jdbc.Driver',
    ],
    exit: 98,
  },
  {
    name: 'webModeler disabled (chart 15: neither camundaHub.enabled nor webModeler.enabled)',
    world: variant(W810, (u) => put(u, 'camundaHub.enabled', false)),
    component: 'webModeler',
    lines: ['[INFO] webModeler: disabled: its database settings are not checked'],
    exit: 0,
  },
];

// orchestration (8.9+): secondary storage in Aurora PostgreSQL with IAM database authentication, as
// orchestration/files/_application.yaml renders it (the rdbms block only with the RDBMS exporter on).
const W89_RDBMS = loadWorld('camunda-8.9-rdbms-iam.yaml');
const RDBMS = 'orchestration.data.secondaryStorage.rdbms';
const RDBMS_IAM_OK = `[OK] orchestration: ${RDBMS}.aws.enabled is true: IAM database authentication`;
const orchestrationCases: Case[] = [
  {
    name: 'rdbms with IAM: the database recorded for the Aurora and role checks',
    world: W89_RDBMS,
    component: 'orchestration',
    lines: [RDBMS_IAM_OK, `[OK] orchestration: database orchestration_irsa@${HOST}:5432 (${RDBMS}.url)`],
    exit: 0,
  },
  {
    name: '77: type rdbms without the RDBMS exporter',
    world: variant(W89_RDBMS, (u) => put(u, 'orchestration.exporters', undefined)),
    component: 'orchestration',
    lines: [
      '[FAIL] orchestration: orchestration.exporters.rdbms.enabled is false (chart default): the chart renders the rdbms connection settings (url, username, aws-enabled) only with the RDBMS exporter on',
      RDBMS_IAM_OK,
      `[OK] orchestration: database orchestration_irsa@${HOST}:5432 (${RDBMS}.url)`,
    ],
    exit: 77,
    fixes: ['Set orchestration.exporters.rdbms.enabled: true'],
  },
  {
    name: '78, 79, 80: no IAM, no URL, no user',
    world: variant(W89_RDBMS, (u) => put(u, `${RDBMS}`, {})),
    component: 'orchestration',
    lines: [
      `[FAIL] orchestration: ${RDBMS}.aws.enabled is false (chart default): orchestration logs in with a password, not with IAM database authentication`,
      `[FAIL] orchestration: ${RDBMS}.url is empty (chart default)`.replace(
        ' is empty (chart default)',
        ' is not set',
      ),
      `[FAIL] orchestration: ${RDBMS}.username is not set`,
    ],
    exit: 80,
    fixes: [
      `Set ${RDBMS}.aws.enabled: true`,
      `Set ${RDBMS}.url to jdbc:postgresql://<cluster>.cluster-<id>.<region>.rds.amazonaws.com:5432/<database>?sslmode=require`,
      `Set ${RDBMS}.username to the database user granted rds_iam.`,
    ],
  },
  {
    name: '79: a URL that is no PostgreSQL JDBC URL; a MySQL one',
    world: variant(W89_RDBMS, (u) => put(u, `${RDBMS}.url`, `jdbc:mysql://${HOST}:3306/camunda`)),
    component: 'orchestration',
    lines: [
      RDBMS_IAM_OK,
      `[FAIL] orchestration: ${RDBMS}.url is not a PostgreSQL JDBC URL (jdbc:postgresql:// or jdbc:aws-wrapper:postgresql://)`,
    ],
    exit: 79,
  },
  {
    name: 'WARN: the URL does not require TLS',
    world: variant(W89_RDBMS, (u) => put(u, `${RDBMS}.url`, `jdbc:postgresql://${HOST}/camunda`)),
    component: 'orchestration',
    lines: [
      RDBMS_IAM_OK,
      `[WARN] orchestration: ${RDBMS}.url does not require TLS (no sslmode or ssl=true): the IAM token is sent as the password`,
      `[OK] orchestration: database orchestration_irsa@${HOST}:5432 (default port) (${RDBMS}.url)`,
    ],
    exit: 0,
  },
  {
    name: 'orchestration on OpenSearch, named with -p: nothing to check',
    world: W89,
    options: { pg: ['orchestration'] },
    component: 'orchestration',
    lines: [
      '[INFO] orchestration: orchestration.data.secondaryStorage.type is not rdbms: orchestration uses no relational database',
    ],
    exit: 0,
  },
];

// Every route the Bitnami Keycloak 24.x subchart offers (charts/keycloak-24/templates/statefulset.yaml,
// _helpers.tpl keycloak.databaseHost/databaseUser): a correct setup through any of them gets no FAIL.
const KC_HOST = HOST;
const KC_IMAGE_OK =
  '[OK] identityKeycloak: image docker.io/camunda/keycloak:26.3.1 contains the AWS JDBC wrapper';
const KC_DB_OK = `[OK] identityKeycloak: database keycloak_irsa@${KC_HOST}:5432`;
const KC_BUNDLED_OK =
  '[OK] identityKeycloak: identityKeycloak.postgresql.enabled is false: Keycloak uses the external database';
const withoutEnv = (u: Tree, name: string) => {
  const kc = u.identityKeycloak as { extraEnvVars: Array<{ name: string }> };
  kc.extraEnvVars = kc.extraEnvVars.filter((e) => e.name !== name);
};
const keycloakRouteCases: Case[] = [
  {
    name: 'extraStartupArgs: rendered as KEYCLOAK_EXTRA_ARGS',
    world: variant(W88, (u) => {
      withoutEnv(u, 'KEYCLOAK_EXTRA_ARGS');
      put(u, 'identityKeycloak.extraStartupArgs', '--db-driver=software.amazon.jdbc.Driver --optimized');
    }),
    options: { pg: ['identityKeycloak'], os: [] },
    component: 'identityKeycloak',
    lines: [
      KC_BUNDLED_OK,
      KC_IMAGE_OK,
      KC_DB_OK,
      '[OK] identityKeycloak: identityKeycloak.extraStartupArgs and identityKeycloak.extraEnvVars select the AWS JDBC wrapper with IAM authentication and TLS (sslmode=require)',
    ],
    exit: 0,
  },
  {
    name: 'extraEnvVars KEYCLOAK_EXTRA_ARGS wins over extraStartupArgs (rendered later in env)',
    world: variant(W88, (u) =>
      put(u, 'identityKeycloak.extraStartupArgs', '--db-driver=org.postgresql.Driver'),
    ),
    options: { pg: ['identityKeycloak'], os: [] },
    component: 'identityKeycloak',
    lines: [
      KC_BUNDLED_OK,
      KC_IMAGE_OK,
      KC_DB_OK,
      '[OK] identityKeycloak: identityKeycloak.extraEnvVars select the AWS JDBC wrapper with IAM authentication and TLS (sslmode=require)',
    ],
    exit: 0,
  },
  {
    name: 'KEYCLOAK_JDBC_* through extraEnvVarsSecret / extraEnvVarsCM (envFrom): not read, no FAIL',
    world: variant(W88, (u) => {
      withoutEnv(u, 'KEYCLOAK_JDBC_PARAMS');
      withoutEnv(u, 'KEYCLOAK_JDBC_DRIVER');
      put(u, 'identityKeycloak.extraEnvVarsSecret', 'keycloak-jdbc');
      put(u, 'identityKeycloak.extraEnvVarsCM', 'keycloak-env');
    }),
    options: { pg: ['identityKeycloak'], os: [] },
    component: 'identityKeycloak',
    lines: [
      KC_BUNDLED_OK,
      KC_IMAGE_OK,
      KC_DB_OK,
      '[WARN] identityKeycloak: KEYCLOAK_JDBC_DRIVER, if set, from the Secret named in identityKeycloak.extraEnvVarsSecret or the ConfigMap named in identityKeycloak.extraEnvVarsCM: not checked (its content is not in the values)',
      '[WARN] identityKeycloak: KEYCLOAK_JDBC_PARAMS, if set, from the Secret named in identityKeycloak.extraEnvVarsSecret or the ConfigMap named in identityKeycloak.extraEnvVarsCM: not checked (its content is not in the values)',
    ],
    exit: 0,
  },
  {
    name: 'host and user from externalDatabase.existingSecret (existingSecretHostKey/UserKey): INFO, no FAIL',
    world: variant(W88, (u) =>
      put(u, 'identityKeycloak.externalDatabase', {
        existingSecret: 'keycloak-db',
        existingSecretHostKey: 'db-host',
        existingSecretUserKey: 'db-user',
        port: 5432,
      }),
    ),
    options: { pg: ['identityKeycloak'], os: [] },
    component: 'identityKeycloak',
    lines: [
      KC_BUNDLED_OK,
      KC_IMAGE_OK,
      '[INFO] identityKeycloak: the database host comes from the Secret named in identityKeycloak.externalDatabase.existingSecret, at the key named in identityKeycloak.externalDatabase.existingSecretHostKey: not read, so the Aurora checks cannot follow it',
      '[INFO] identityKeycloak: the database user comes from the Secret named in identityKeycloak.externalDatabase.existingSecret, at the key named in identityKeycloak.externalDatabase.existingSecretUserKey: not read, so rds-db:connect is not checked for it',
      '[OK] identityKeycloak: identityKeycloak.extraEnvVars select the AWS JDBC wrapper with IAM authentication and TLS (sslmode=require)',
    ],
    exit: 0,
  },
  {
    name: 'host and user through tpl: .Values.global.* and .Release.Name are rendered',
    world: variant(W88, (u) => {
      put(u, 'global.auroraHost', KC_HOST);
      put(u, 'identityKeycloak.externalDatabase.host', '{{ .Values.global.auroraHost }}');
      put(u, 'identityKeycloak.externalDatabase.user', '{{ .Release.Name }}_keycloak');
    }),
    options: { pg: ['identityKeycloak'], os: [] },
    component: 'identityKeycloak',
    lines: [
      KC_BUNDLED_OK,
      KC_IMAGE_OK,
      `[OK] identityKeycloak: database camunda_keycloak@${KC_HOST}:5432`,
      '[OK] identityKeycloak: identityKeycloak.extraEnvVars select the AWS JDBC wrapper with IAM authentication and TLS (sslmode=require)',
    ],
    exit: 0,
  },
];

const ALL_CASES = [
  ...keycloakRouteCases,
  ...keycloakCases,
  ...keycloakModeCases,
  ...identityCases,
  ...webModelerCases,
  ...orchestrationCases,
];

describe.each([
  { group: 'identityKeycloak subchart (81–85, 87, 71, 72)', cases: keycloakCases },
  { group: 'Keycloak mode and external Keycloak (86)', cases: keycloakModeCases },
  { group: 'identity (88–93)', cases: identityCases },
  { group: 'webModeler (94–98)', cases: webModelerCases },
  { group: 'orchestration rdbms, 8.9+ (77–80)', cases: orchestrationCases },
  { group: 'Keycloak subchart routes (extraStartupArgs, envFrom, Secrets, tpl)', cases: keycloakRouteCases },
])('database-values: $group', ({ cases }) => {
  it.each(cases)('$name', async ({ world, options, component, lines, exit, fixes }) => {
    const run = await runWorld(world, options);
    expect(linesOf(run, component)).toEqual(lines);
    expect(moduleExit(run)).toBe(exit);
    if (fixes) expect(run.fails(MODULE).map((f) => f.fix)).toEqual(fixes);
    if (exit !== 0) expect(run.exitCode).not.toBe(0);
  });
});

describe('database-values: every FAIL', () => {
  const declared = new Map(
    Object.values(databaseValues.checks)
      .filter((c) => c.severity === 'FAIL')
      .map((c) => [c.code, c]),
  );

  it('uses a declared check and code and carries a specific fix naming the key to set', async () => {
    const codes = new Set<number>();
    for (const c of ALL_CASES) {
      const run = await runWorld(c.world, c.options);
      for (const f of run.fails(MODULE)) {
        codes.add(f.code!);
        expect(declared.has(f.code!), `${c.name}: code ${f.code}`).toBe(true);
        expect(databaseValues.checks[f.check!]?.code, `${c.name}: check ${f.check}`).toBe(f.code);
        expect(f.fix, c.name).toBeTruthy();
        expect(f.fix, `${c.name}: names a key`).toMatch(/[a-zA-Z]+\.[a-zA-Z.]+|KEYCLOAK_|SPRING_/);
        expect(f.message).not.toContain('\n');
      }
    }
    // The test table covers every code the module declares.
    expect([...codes].sort()).toEqual([...declared.keys()].sort());
  });

  it('never prints a password, even one inside a JDBC URL or Keycloak parameters', async () => {
    // `sslpassword` escapes the shape-based redaction (it looks for `password=` at a word start).
    const secret = 'canary-db-Pw-31337';
    const world = variant(W88, (u) => {
      put(u, WM_URL, `jdbc:postgresql://${HOST}:5432/modeler?sslpassword=${secret}`);
      putEnv(u, KC_ENV, 'KEYCLOAK_JDBC_PARAMS', `sslpassword=${secret}&sslmode=disable`);
      putEnv(
        u,
        'identity.env',
        'SPRING_DATASOURCE_URL',
        `jdbc:postgresql://${HOST}/identity?sslpassword=${secret}`,
      );
    });
    const run = await runWorld(world);
    const text = run.findings
      .filter((f) => f.module === MODULE)
      .map((f) => `${f.message} ${f.fix ?? ''}`)
      .join('\n');
    expect(run.fails(MODULE).length).toBeGreaterThan(0);
    expect(text).not.toContain(secret);
  });
});

// ---------------------------------------------------------------------------------------------
// Parsers
// ---------------------------------------------------------------------------------------------

describe('JDBC parsing', () => {
  it.each([
    { params: 'wrapperPlugins=iam', iam: true, tls: false },
    { params: '?sslmode=require&wrapperPlugins=iam', iam: true, tls: true },
    { params: 'WRAPPERPLUGINS=failover, iam&ssl=true', iam: true, tls: true },
    { params: 'wrapperPlugins=iamx&sslmode=verify-ca', iam: false, tls: true },
    { params: 'wrapperPlugins=iam&ssl=true&sslmode=allow', iam: true, tls: false },
    { params: 'wrapperPlugins=iam&sslmode=VERIFY-FULL', iam: true, tls: true },
    { params: '', iam: false, tls: false },
  ])('$params → iam $iam, TLS $tls', ({ params, iam, tls }) => {
    const parsed = parseJdbcParams(params);
    expect(hasIamPlugin(parsed)).toBe(iam);
    expect(tlsRequirement(parsed).required).toBe(tls);
  });

  it.each([
    {
      url: 'jdbc:aws-wrapper:postgresql://db.example.com:6543/app?wrapperPlugins=iam',
      scheme: 'aws-wrapper:postgresql',
      host: 'db.example.com',
      port: '6543',
      database: 'app',
    },
    {
      url: 'jdbc:aws-wrapper:postgresql://user:pw@db.example.com/app',
      scheme: 'aws-wrapper:postgresql',
      host: 'db.example.com',
      port: undefined,
      database: 'app',
    },
    {
      url: 'jdbc:postgresql://[fd00::1]:5432/app',
      scheme: 'postgresql',
      host: 'fd00::1',
      port: '5432',
      database: 'app',
    },
    {
      url: 'jdbc:aws-wrapper:postgresql://a.example.com:5432,b.example.com:5432/app',
      scheme: 'aws-wrapper:postgresql',
      host: 'a.example.com',
      port: '5432',
      database: 'app',
    },
  ])('$url', ({ url, scheme, host, port, database }) => {
    const parsed = parseJdbcUrl(url)!;
    expect({
      scheme: parsed.scheme,
      host: parsed.host,
      port: parsed.port,
      database: parsed.database,
    }).toEqual({
      scheme,
      host,
      port,
      database,
    });
  });

  it.each(['postgresql://db/app', 'jdbc:aws-wrapper:postgresql:db/app', ''])('rejects %j', (url) =>
    expect(parseJdbcUrl(url)).toBeUndefined(),
  );
});

/** The check ID of every FAIL and WARN each case reports (issue 8: a stable ID per check). */
const CHECK_IDS: Array<[string, string[]]> = [
  [
    '81: postgresql.enabled deleted (null) from values, chart and sub-chart defaults',
    ['keycloak-postgresql-unset'],
  ],
  ['82: postgresql.enabled left to the Bitnami sub-chart default (true)', ['keycloak-postgresql-bundled']],
  ['83: image.repository deleted (null)', ['keycloak-image-unset']],
  [
    '83: image given as one string (the IRSA guide’s example), which the Keycloak chart cannot read',
    ['keycloak-image-unset'],
  ],
  ['84: a Bitnami image without the AWS JDBC wrapper', ['keycloak-image']],
  ['85: externalDatabase.host missing (the sub-chart default is empty)', ['keycloak-db-host']],
  ['71: host with the port glued on', ['db-host-name']],
  ['72: a port that is no TCP port', ['db-port']],
  [
    '87: externalDatabase.user deleted (null), so not even the sub-chart default remains',
    ['keycloak-db-user'],
  ],
  ['WARN: externalDatabase.user left to the Bitnami default bn_keycloak', ['keycloak-db-user-default']],
  ['87: KEYCLOAK_EXTRA_ARGS missing', ['keycloak-jdbc-env']],
  ['87: KEYCLOAK_EXTRA_ARGS names the plain PostgreSQL driver', ['keycloak-jdbc-env']],
  ['87: KEYCLOAK_JDBC_DRIVER is the plain driver', ['keycloak-jdbc-env']],
  ['87: KEYCLOAK_JDBC_PARAMS without the iam plugin', ['keycloak-jdbc-env']],
  ['WARN: TLS not required (the IRSA guide’s bare wrapperPlugins=iam)', ['db-tls']],
  ['WARN: sslmode=prefer wins over ssl=true', ['db-tls']],
  [
    'mode: internal=false (its default) does not stop the external branch; port defaults to 80',
    ['keycloak-service'],
  ],
  [
    '86: chart 11 deploys Keycloak by default; switched off without an external URL',
    ['keycloak-external-host'],
  ],
  ['86: -p identityKeycloak named explicitly, but no Keycloak at all (chart 13)', ['keycloak-external-host']],
  ['71: the external Keycloak host given as a URL', ['db-host-name']],
  ['72: the external Keycloak port is a word', ['db-port']],
  ['88: externalDatabase.enabled deleted (null)', ['identity-db-external-unset']],
  ['89: an explicit false is read as false (not skipped like jq’s //)', ['identity-db-external']],
  ['89: left to the chart default false', ['identity-db-external']],
  ['90: host missing (chart 11 default null)', ['identity-db-host']],
  ['72: port out of range', ['db-port']],
  ['92: username missing', ['identity-db-username']],
  [
    'WARN: SPRING_DATASOURCE_USERNAME overrides the username (the IAM policy must name it)',
    ['db-user-env-override'],
  ],
  [
    'WARN: SPRING_DATASOURCE_URL connects to another host than externalDatabase.host',
    ['identity-db-url-host'],
  ],
  ['93: SPRING_DATASOURCE_URL uses the plain PostgreSQL driver', ['identity-db-env']],
  ['93: SPRING_DATASOURCE_URL without wrapperPlugins=iam', ['identity-db-env']],
  ['93: SPRING_DATASOURCE_URL missing', ['identity-db-env']],
  ['93: driver class missing', ['identity-db-env']],
  ['93: driver class is the plain PostgreSQL driver', ['identity-db-env']],
  ['94: url missing, no discrete host in chart 11', ['webmodeler-db-url-unset']],
  [
    '94: url missing in chart 12: the chart builds a plain jdbc:postgresql URL from host',
    ['webmodeler-db-url-unset'],
  ],
  ['94: the bundled PostgreSQL is on (chart 13: webModelerPostgresql)', ['webmodeler-db-url-unset']],
  ['94: the bundled PostgreSQL is on (chart 11: postgresql)', ['webmodeler-db-url-unset']],
  ['95: a plain jdbc:postgresql URL', ['webmodeler-db-url']],
  ['95: no database in the URL', ['webmodeler-db-url']],
  ['95: no wrapperPlugins=iam', ['webmodeler-db-url']],
  ['WARN: the URL does not require TLS', ['db-tls']],
  ['71: an unrendered template as the URL host', ['db-host-name']],
  ['72: URL port out of range', ['db-port']],
  [
    '96: chart 11 reads `user`; `username` (the 8.9 key) is ignored',
    ['webmodeler-db-user-key', 'webmodeler-db-username'],
  ],
  ['96: chart 13 reads only `user` too', ['webmodeler-db-user-key', 'webmodeler-db-username']],
  ['WARN: chart 14 with both keys uses `username` and ignores `user`', ['webmodeler-db-user-key']],
  ['96: chart 14 with neither key', ['webmodeler-db-username']],
  ['WARN: chart 15 (camundaHub) has no `user` key at all', ['webmodeler-db-user-key']],
  ['96: chart 15 without a username anywhere', ['webmodeler-db-username']],
  ['97: driver class missing', ['webmodeler-db-driver-unset']],
  ['98: driver class is the plain driver', ['webmodeler-db-driver']],
];

describe('database-values: check IDs', () => {
  it.each(CHECK_IDS)('%s', async (name, ids) => {
    const c = ALL_CASES.find((k) => k.name === name);
    expect(c, name).toBeDefined();
    const run = await runWorld(c!.world, c!.options);
    const reported = run.findings.filter(
      (f) => f.module === MODULE && (f.level === 'FAIL' || f.level === 'WARN'),
    );
    expect(reported.map((f) => f.check)).toEqual(ids);
  });
});
