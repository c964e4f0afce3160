import { describe, expect, it } from 'vitest';
import {
  componentEnabled,
  openSearchSettings,
  parseChartVersion,
  profileFor,
  resolveComponent,
  serviceAccountFor,
  webModelerDatabase,
  type ChartProfile,
} from '../../src/helm/chart.js';
import { Values } from '../../src/helm/values.js';

type Tree = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Chart-default excerpts per chart line (hand-written, shaped like each chart's values.yaml)
// ---------------------------------------------------------------------------------------------

const sa = (enabled = true): Tree => ({
  enabled,
  name: '',
  annotations: {},
  automountServiceAccountToken: false,
});
const named = (enabled: boolean, extra: Tree = {}): Tree => ({
  enabled,
  fullnameOverride: '',
  nameOverride: '',
  serviceAccount: sa(),
  ...extra,
});

const openSearchGlobal = (): Tree => ({
  enabled: false,
  aws: { enabled: false },
  url: { protocol: 'https', host: '', port: 443 },
});

function splitDefaults(opts: {
  gateway: string;
  connectorsSa: boolean;
  consoleSa: Tree;
  keycloak: boolean;
  executionIdentity: boolean;
  wmDb: Tree;
}): Tree {
  return {
    global: {
      elasticsearch: {
        enabled: true,
        url: { protocol: 'http', host: '{{ .Release.Name }}-elasticsearch', port: 9200 },
      },
      ...(opts.keycloak ? { opensearch: openSearchGlobal() } : {}),
      identity: { keycloak: { internal: false, url: {} } },
    },
    zeebe: { enabled: true, serviceAccount: sa() },
    [opts.gateway]: { serviceAccount: sa() },
    operate: { enabled: true, serviceAccount: sa() },
    tasklist: { enabled: true, serviceAccount: sa() },
    optimize: { enabled: true, serviceAccount: sa() },
    identity: named(true, { externalDatabase: { enabled: false, host: null, port: null, username: null } }),
    ...(opts.keycloak
      ? {
          identityKeycloak: {
            enabled: true,
            nameOverride: 'keycloak',
            image: { repository: 'camunda/keycloak', tag: '26.3.3' },
            extraEnvVars: [],
          },
          identityPostgresql: { enabled: false, nameOverride: 'identity-postgresql' },
        }
      : {}),
    webModeler: named(false, { restapi: { externalDatabase: opts.wmDb, env: [] } }),
    postgresql: { enabled: false, nameOverride: 'postgresql-web-modeler' },
    connectors: { enabled: true, serviceAccount: sa(opts.connectorsSa) },
    console: { enabled: false, serviceAccount: opts.consoleSa },
    ...(opts.executionIdentity ? { executionIdentity: { enabled: false, serviceAccount: sa() } } : {}),
    elasticsearch: { enabled: true },
  };
}

/** chart 8.3.x (Camunda 8.3): zeebe-gateway key, console SA switch is `create` in the template. */
const defaults83 = (): Tree =>
  splitDefaults({
    gateway: 'zeebe-gateway',
    connectorsSa: false,
    consoleSa: sa(false),
    keycloak: false,
    executionIdentity: false,
    wmDb: { url: '', user: '', password: '' },
  });
/** chart 9.x (Camunda 8.4). */
const defaults84 = (): Tree =>
  splitDefaults({
    gateway: 'zeebe-gateway',
    connectorsSa: false,
    consoleSa: sa(),
    keycloak: false,
    executionIdentity: false,
    wmDb: { url: '', user: '', password: '' },
  });
/** chart 11.x (Camunda 8.6). */
const defaults86 = (): Tree =>
  splitDefaults({
    gateway: 'zeebeGateway',
    connectorsSa: true,
    consoleSa: sa(),
    keycloak: true,
    executionIdentity: true,
    wmDb: {
      url: '',
      user: '',
      password: '',
      existingSecret: '',
      existingSecretPasswordKey: 'database-password',
    },
  });
/** chart 12.x (Camunda 8.7): externalDatabase gains host/port/database. */
const defaults87 = (): Tree =>
  splitDefaults({
    gateway: 'zeebeGateway',
    connectorsSa: true,
    consoleSa: sa(),
    keycloak: true,
    executionIdentity: true,
    wmDb: { url: '', host: '', port: 5432, database: 'web-modeler', user: '', password: '' },
  });

function unifiedDefaults(version: '8.8' | '8.9'): Tree {
  const v89 = version === '8.9';
  return {
    global: {
      elasticsearch: {
        enabled: !v89,
        url: { protocol: 'http', host: '{{ .Release.Name }}-elasticsearch', port: 9200 },
      },
      opensearch: { ...openSearchGlobal(), clusterName: 'opensearch', prefix: 'zeebe-record' },
      noSecondaryStorage: false,
      identity: { keycloak: { internal: false, url: {} } },
    },
    identity: named(false, {
      externalDatabase: { enabled: false, host: '', port: 5432, username: '', database: '' },
    }),
    identityPostgresql: { enabled: false, nameOverride: 'identity-postgresql' },
    identityKeycloak: {
      enabled: false,
      nameOverride: 'keycloak',
      image: { repository: 'camunda/keycloak', tag: '26.3.3' },
      extraEnvVars: [],
    },
    console: { enabled: false, serviceAccount: sa() },
    webModeler: named(false, {
      restapi: {
        externalDatabase: v89
          ? { url: '', host: '', port: 5432, database: 'web-modeler', username: '', user: '' }
          : { url: '', host: '', port: 5432, database: 'web-modeler', user: '', password: '' },
        env: [],
      },
    }),
    webModelerPostgresql: { enabled: false, nameOverride: 'postgresql-web-modeler' },
    connectors: { enabled: true, serviceAccount: sa() },
    orchestration: {
      enabled: true,
      serviceAccount: sa(),
      ...(v89
        ? {
            exporters: { rdbms: { enabled: false } },
            data: {
              secondaryStorage: {
                type: '',
                rdbms: { aws: { enabled: false }, url: '', username: '' },
                elasticsearch: { aws: { enabled: false }, url: '' },
                opensearch: { aws: { enabled: false }, url: '' },
              },
            },
          }
        : {}),
    },
    optimize: {
      enabled: false,
      serviceAccount: sa(),
      ...(v89
        ? {
            database: {
              elasticsearch: { enabled: false, external: false, url: { protocol: '', host: '', port: 0 } },
              opensearch: {
                enabled: false,
                aws: { enabled: false },
                url: { protocol: '', host: '', port: 0 },
              },
            },
          }
        : {}),
    },
    elasticsearch: { enabled: !v89 },
  };
}

const defaults88 = (): Tree => unifiedDefaults('8.8');
const defaults89 = (): Tree => unifiedDefaults('8.9');

/** chart 15 (Camunda 8.10) after alpha4: camundaHub.* deep-merged over webModeler.*, secretStore. */
function defaults810(): Tree {
  const base = unifiedDefaults('8.9');
  for (const gone of [
    'identityKeycloak',
    'identityPostgresql',
    'webModelerPostgresql',
    'console',
    'elasticsearch',
  ])
    delete base[gone];
  return {
    ...base,
    camundaHub: {
      enabled: false,
      contextPath: null,
      image: {},
      restapi: { image: {}, externalDatabase: {}, mail: {} },
      websockets: { image: {} },
      serviceAccount: {},
      automountServiceAccountToken: null,
      persistence: {},
    },
    webModeler: named(false, {
      restapi: {
        externalDatabase: { url: '', host: '', port: 5432, database: 'web-modeler', username: '' },
        env: [],
      },
    }),
    orchestration: {
      ...(base.orchestration as Tree),
      secretStore: { file: {}, aws: {}, gcp: {}, physicalTenants: {} },
    },
  };
}

/**
 * The released chart 15.0.0-alpha4 (camunda-platform-helm 55138c7): its values.yaml has
 * `camundaHub.contextPath: ""`; the main branch, still labelled alpha4 but deep-merging, has null.
 */
function defaults810alpha4(): Tree {
  const d = defaults810();
  (d.camundaHub as Tree).contextPath = '';
  return d;
}

/** chart 15.0.0-alpha1..3: the overrides lived under camundaHub.webModeler.*. */
function defaults810alpha3(): Tree {
  const d = defaults810();
  d.camundaHub = {
    enabled: false,
    console: { image: {}, serviceAccount: {} },
    webModeler: {
      image: {},
      restapi: { image: {}, externalDatabase: {} },
      websockets: {},
      serviceAccount: {},
      persistence: {},
    },
  };
  delete (d.orchestration as Tree).secretStore;
  return d;
}

const DEFAULTS: Record<number, () => Tree> = {
  8: defaults83,
  9: defaults84,
  11: defaults86,
  12: defaults87,
  13: defaults88,
  14: defaults89,
  15: defaults810,
};

const RAW: Record<number, string> = {
  8: '8.3.26',
  9: '9.7.0',
  10: '10.11.3',
  11: '11.12.3',
  12: '12.13.3',
  13: '13.12.7',
  14: '14.8.4',
  15: '15.0.0-alpha5',
};

function profile(raw: string): ChartProfile {
  const v = parseChartVersion(raw);
  if (!v) throw new Error(`bad version ${raw}`);
  return profileFor(v);
}

function world(major: number, user: Tree = {}, raw = RAW[major]!): { p: ChartProfile; values: Values } {
  const p = profile(raw);
  return { p, values: new Values(DEFAULTS[major]!(), user) };
}

// ---------------------------------------------------------------------------------------------
// Versions and profiles
// ---------------------------------------------------------------------------------------------

describe('parseChartVersion', () => {
  it.each([
    { raw: '13.0.0-alpha1', major: 13, minor: 0, patch: 0, prerelease: 'alpha1' },
    { raw: '15.0.0-alpha4', major: 15, minor: 0, patch: 0, prerelease: 'alpha4' },
    { raw: 'v12.1.0', major: 12, minor: 1, patch: 0, prerelease: undefined },
    { raw: '8.3.26', major: 8, minor: 3, patch: 26, prerelease: undefined },
    { raw: '14.8.4+build.7', major: 14, minor: 8, patch: 4, prerelease: undefined },
    { raw: '13.0.0-rc.1', major: 13, minor: 0, patch: 0, prerelease: 'rc.1' },
    { raw: '12.1', major: 12, minor: 1, patch: 0, prerelease: undefined },
    { raw: ' 11.2.3 ', major: 11, minor: 2, patch: 3, prerelease: undefined },
  ])('$raw → $major.$minor.$patch $prerelease', ({ raw, major, minor, patch, prerelease }) => {
    expect(parseChartVersion(raw)).toEqual({
      raw,
      major,
      minor,
      patch,
      ...(prerelease ? { prerelease } : {}),
    });
  });

  it.each([
    '',
    'latest',
    '13',
    '13.x.0',
    '8.8.x',
    '1.2.3.4',
    'v',
    'thirteen.0.0',
    '13.0.0-',
    '13.0.0-alpha1!',
  ])('rejects %j', (raw) => expect(parseChartVersion(raw)).toBeUndefined());
});

describe('profileFor', () => {
  it.each([
    {
      raw: '8.3.26',
      major: 8,
      camunda: '8.3',
      supported: false,
      os: ['zeebe', 'operate', 'tasklist', 'optimize'],
      pg: ['identity', 'webModeler'],
    },
    {
      raw: '9.7.0',
      major: 9,
      camunda: '8.4',
      supported: false,
      os: ['zeebe', 'operate', 'tasklist', 'optimize'],
      pg: ['identity', 'webModeler'],
    },
    {
      raw: '10.11.3',
      major: 10,
      camunda: '8.5',
      supported: false,
      os: ['zeebe', 'operate', 'tasklist', 'optimize'],
      pg: ['identityKeycloak', 'identity', 'webModeler'],
    },
    {
      raw: '11.0.0',
      major: 11,
      camunda: '8.6',
      supported: true,
      os: ['zeebe', 'operate', 'tasklist', 'optimize'],
      pg: ['identityKeycloak', 'identity', 'webModeler'],
    },
    {
      raw: '12.13.3',
      major: 12,
      camunda: '8.7',
      supported: true,
      os: ['zeebe', 'operate', 'tasklist', 'optimize'],
      pg: ['identityKeycloak', 'identity', 'webModeler'],
    },
    {
      raw: '13.0.0-alpha1',
      major: 13,
      camunda: '8.8',
      supported: true,
      os: ['orchestration', 'optimize'],
      pg: ['identityKeycloak', 'identity', 'webModeler'],
    },
    {
      raw: '14.8.4',
      major: 14,
      camunda: '8.9',
      supported: true,
      os: ['orchestration', 'optimize'],
      pg: ['identityKeycloak', 'identity', 'webModeler'],
    },
    {
      raw: '15.0.0-alpha4',
      major: 15,
      camunda: '8.10',
      supported: true,
      os: ['orchestration', 'optimize'],
      pg: ['identity', 'webModeler'],
    },
    {
      raw: '16.0.0',
      major: 15,
      camunda: '8.10',
      supported: false,
      os: ['orchestration', 'optimize'],
      pg: ['identity', 'webModeler'],
    },
    {
      raw: '7.8.0',
      major: 8,
      camunda: '8.3',
      supported: false,
      os: ['zeebe', 'operate', 'tasklist', 'optimize'],
      pg: ['identity', 'webModeler'],
    },
  ])(
    '$raw → chart $major (Camunda $camunda), supported $supported',
    ({ raw, major, camunda, supported, os, pg }) => {
      const p = profile(raw);
      expect({ major: p.major, camunda: p.camunda, supported: p.supported }).toEqual({
        major,
        camunda,
        supported,
      });
      expect(p.defaultOs).toEqual(os);
      expect(p.defaultPg).toEqual(pg);
      expect(p.version.raw).toBe(raw);
      // every default name is a component the lists accept
      for (const k of p.defaultOs) expect(resolveComponent(p, k)?.lists).toContain('os');
      for (const k of p.defaultPg) expect(resolveComponent(p, k)?.lists).toContain('pg');
    },
  );

  it.each([
    {
      raw: '8.3.26',
      keys: [
        'zeebe',
        'zeebe-gateway',
        'operate',
        'tasklist',
        'optimize',
        'identity',
        'webModeler',
        'connectors',
        'console',
      ],
    },
    {
      raw: '10.0.0',
      keys: [
        'zeebe',
        'zeebeGateway',
        'operate',
        'tasklist',
        'optimize',
        'identity',
        'identityKeycloak',
        'webModeler',
        'connectors',
        'console',
      ],
    },
    {
      raw: '12.0.0',
      keys: [
        'zeebe',
        'zeebeGateway',
        'operate',
        'tasklist',
        'optimize',
        'identity',
        'identityKeycloak',
        'webModeler',
        'connectors',
        'console',
        'executionIdentity',
      ],
    },
    {
      raw: '13.0.0',
      keys: [
        'identity',
        'identityKeycloak',
        'console',
        'webModeler',
        'connectors',
        'orchestration',
        'optimize',
      ],
    },
    { raw: '15.0.0', keys: ['identity', 'webModeler', 'connectors', 'orchestration', 'optimize'] },
  ])('$raw has components $keys', ({ raw, keys }) => {
    expect(profile(raw).components.map((c) => c.key)).toEqual(keys);
  });

  it('ships the Bitnami Keycloak defaults the release does not serialise, only with the sub-chart', () => {
    const p = profile('13.1.0');
    expect(p.hasKeycloakSubchart).toBe(true);
    expect(p.subchartDefaults).toMatchObject({
      identityKeycloak: {
        postgresql: { enabled: true },
        serviceAccount: { create: true },
        image: { repository: 'bitnami/keycloak' },
        externalDatabase: { port: 5432, user: 'bn_keycloak' },
      },
    });
    expect(profile('15.0.0').subchartDefaults).toEqual({});
    expect(profile('9.0.0').subchartDefaults).toEqual({});
  });

  it.each([
    { raw: '15.0.0-alpha1', hub: 'nested-or' },
    { raw: '15.0.0-alpha3', hub: 'nested-or' },
    { raw: '15.0.0-alpha4', hub: 'or' },
    { raw: '15.0.0-alpha5', hub: 'deep' },
    { raw: '15.0.0', hub: 'deep' },
    { raw: '15.1.0-alpha2', hub: 'deep' },
  ])('chart $raw overlays camundaHub the "$hub" way', ({ raw, hub }) => {
    const p = profile(raw);
    expect(p.hasCamundaHub).toBe(true);
    expect(p.hubMerge).toBe(hub);
  });
});

describe('resolveComponent', () => {
  it.each([
    { raw: '13.0.0', name: 'webmodeler', key: 'webModeler' },
    { raw: '13.0.0', name: 'WEBMODELER', key: 'webModeler' },
    { raw: '13.0.0', name: 'web-modeler', key: 'webModeler' },
    { raw: '13.0.0', name: 'identitykeycloak', key: 'identityKeycloak' },
    { raw: '13.0.0', name: 'Orchestration', key: 'orchestration' },
    { raw: '12.0.0', name: 'zeebe-gateway', key: 'zeebeGateway' },
    { raw: '12.0.0', name: 'executionidentity', key: 'executionIdentity' },
    { raw: '9.0.0', name: 'zeebeGateway', key: 'zeebe-gateway' },
    { raw: '15.0.0', name: 'camundaHub', key: 'webModeler' },
    { raw: '15.0.0', name: 'camunda-hub', key: 'webModeler' },
  ])('$name on chart $raw → $key', ({ raw, name, key }) => {
    expect(resolveComponent(profile(raw), name)?.key).toBe(key);
  });

  it.each([
    { raw: '12.0.0', name: 'orchestration' },
    { raw: '13.0.0', name: 'zeebe' },
    { raw: '13.0.0', name: 'operate' },
    { raw: '13.0.0', name: 'executionIdentity' },
    { raw: '15.0.0', name: 'identityKeycloak' },
    { raw: '15.0.0', name: 'console' },
    { raw: '14.0.0', name: 'camundaHub' },
    { raw: '9.0.0', name: 'identityKeycloak' },
    { raw: '13.0.0', name: '' },
    { raw: '13.0.0', name: '--' },
    { raw: '13.0.0', name: 'keycloak' },
    { raw: '13.0.0', name: 'identityKeycloakX' },
  ])('$name is unknown on chart $raw', ({ raw, name }) => {
    expect(resolveComponent(profile(raw), name)).toBeUndefined();
  });

  it('says which lists may name each component', () => {
    const lists = (raw: string) => Object.fromEntries(profile(raw).components.map((c) => [c.key, c.lists]));
    expect(lists('12.0.0')).toMatchObject({
      zeebe: ['os'],
      zeebeGateway: [],
      identityKeycloak: ['pg'],
      webModeler: ['pg'],
      connectors: [],
    });
    expect(lists('13.0.0')).toMatchObject({ orchestration: ['os'] });
    // 8.9+: secondary storage may be a relational database (orchestration.data.secondaryStorage.rdbms).
    expect(lists('14.0.0')).toMatchObject({
      orchestration: ['os', 'pg'],
      optimize: ['os'],
      identity: ['pg'],
      console: [],
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Component switches
// ---------------------------------------------------------------------------------------------

describe('componentEnabled', () => {
  it.each([
    { major: 12, key: 'identityKeycloak', user: {}, want: true, why: '8.7 default' },
    {
      major: 12,
      key: 'identityKeycloak',
      user: { identityKeycloak: { enabled: false } },
      want: false,
      why: 'explicit false beats the true default',
    },
    {
      major: 12,
      key: 'identityKeycloak',
      user: { identity: { keycloak: { enabled: false } } },
      want: false,
      why: 'the 8.4-style condition path comes first',
    },
    {
      major: 12,
      key: 'identityKeycloak',
      user: { identity: { keycloak: { enabled: true } }, identityKeycloak: { enabled: false } },
      want: true,
      why: 'identity.keycloak.enabled wins the condition',
    },
    { major: 13, key: 'identityKeycloak', user: {}, want: false, why: '8.8 default' },
    {
      major: 13,
      key: 'identityKeycloak',
      user: { identity: { keycloak: { enabled: true } } },
      want: false,
      why: '8.8 condition is identityKeycloak.enabled only',
    },
    {
      major: 14,
      key: 'identityKeycloak',
      user: { identityKeycloak: { enabled: true } },
      want: true,
      why: 'enabled by the user',
    },
    {
      major: 15,
      key: 'identityKeycloak',
      user: { identityKeycloak: { enabled: true } },
      want: false,
      why: 'chart 15 has no sub-chart',
    },
    { major: 12, key: 'identity', user: {}, want: true, why: '8.7 default' },
    { major: 13, key: 'identity', user: {}, want: false, why: '8.8 default' },
    { major: 12, key: 'optimize', user: {}, want: true, why: '8.7 default' },
    { major: 13, key: 'optimize', user: {}, want: false, why: '8.8 default' },
    {
      major: 14,
      key: 'optimize',
      user: { optimize: { enabled: true }, global: { noSecondaryStorage: true } },
      want: false,
      why: 'no secondary storage → no Optimize',
    },
    {
      major: 12,
      key: 'zeebeGateway',
      user: { zeebe: { enabled: false } },
      want: false,
      why: 'the gateway follows zeebe.enabled',
    },
    { major: 9, key: 'zeebe-gateway', user: {}, want: true, why: 'the gateway follows zeebe.enabled' },
    {
      major: 13,
      key: 'webmodeler',
      user: { webModeler: { enabled: true } },
      want: true,
      why: 'names resolve case-insensitively',
    },
    {
      major: 15,
      key: 'webModeler',
      user: { camundaHub: { enabled: true } },
      want: true,
      why: 'camundaHub.enabled deploys Web Modeler',
    },
    {
      major: 15,
      key: 'webModeler',
      user: { webModeler: { enabled: true } },
      want: true,
      why: 'the deprecated key still works',
    },
    {
      major: 15,
      key: 'webModeler',
      user: { camundaHub: { enabled: true }, global: { topology: { mode: 'orchestration' } } },
      want: false,
      why: 'orchestration-only topology',
    },
    {
      major: 15,
      key: 'orchestration',
      user: { global: { topology: { mode: 'hub' } } },
      want: false,
      why: 'hub-only topology',
    },
    {
      major: 15,
      key: 'identity',
      user: { identity: { enabled: true }, global: { topology: { mode: 'hub' } } },
      want: true,
      why: 'identity runs with the hub',
    },
    { major: 13, key: 'nonsense', user: {}, want: false, why: 'unknown component' },
  ])('chart $major $key → $want ($why)', ({ major, key, user, want }) => {
    const { p, values } = world(major, user);
    expect(componentEnabled(p, values, key)).toBe(want);
  });

  it('falls back to the chart default when the release carries no defaults (values-only mode)', () => {
    const p = profile('13.0.0');
    const bare = new Values({}, {});
    expect(componentEnabled(p, bare, 'orchestration')).toBe(true);
    expect(componentEnabled(p, bare, 'optimize')).toBe(false);
    expect(componentEnabled(p, bare, 'identityKeycloak')).toBe(true); // a missing condition leaves a sub-chart on
    expect(serviceAccountFor(p, bare, 'camunda', 'identityKeycloak').name).toBe('camunda-keycloak');
    expect(serviceAccountFor(p, bare, 'camunda', 'connectors')).toMatchObject({
      enabled: true,
      name: 'camunda-connectors',
    });
    expect(serviceAccountFor(profile('8.0.0'), bare, 'camunda', 'connectors')).toMatchObject({
      enabled: false,
      name: 'default',
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Service accounts
// ---------------------------------------------------------------------------------------------

/** The component name in the full name the chart generates, per chart line. */
const GENERATED: Record<number, Record<string, string>> = {
  11: {
    zeebe: 'zeebe',
    zeebeGateway: 'zeebe-gateway',
    operate: 'operate',
    tasklist: 'tasklist',
    optimize: 'optimize',
    identity: 'identity',
    identityKeycloak: 'keycloak',
    webModeler: 'web-modeler',
    connectors: 'connectors',
    console: 'console',
    executionIdentity: 'execution-identity',
  },
  12: {
    zeebe: 'zeebe',
    zeebeGateway: 'zeebe-gateway',
    operate: 'operate',
    tasklist: 'tasklist',
    optimize: 'optimize',
    identity: 'identity',
    identityKeycloak: 'keycloak',
    webModeler: 'web-modeler',
    connectors: 'connectors',
    console: 'console',
    executionIdentity: 'execution-identity',
  },
  13: {
    identity: 'identity',
    identityKeycloak: 'keycloak',
    console: 'console',
    webModeler: 'web-modeler',
    connectors: 'connectors',
    orchestration: 'zeebe',
    optimize: 'optimize',
  },
  14: {
    identity: 'identity',
    identityKeycloak: 'keycloak',
    console: 'console',
    webModeler: 'web-modeler',
    connectors: 'connectors',
    orchestration: 'zeebe',
    optimize: 'optimize',
  },
  15: {
    identity: 'identity',
    webModeler: 'web-modeler',
    connectors: 'connectors',
    orchestration: 'zeebe',
    optimize: 'optimize',
  },
};

/** User values setting `patch` on a component's values (identityKeycloak's SA switch is `create`). */
function onComponent(key: string, patch: Tree): Tree {
  return { [key]: patch };
}
const saSwitch = (key: string, on: boolean): Tree =>
  key === 'identityKeycloak' ? { create: on } : { enabled: on };

const SA_CASES = Object.entries(GENERATED).flatMap(([major, parts]) =>
  Object.entries(parts).flatMap(([key, part]) => [
    {
      major: Number(major),
      key,
      case: 'generated',
      release: 'camunda',
      user: {},
      name: `camunda-${part}`,
      how: 'generated',
      enabled: true,
    },
    {
      major: Number(major),
      key,
      case: 'fullnameOverride',
      release: 'camunda',
      user: onComponent(key, { fullnameOverride: 'my-full-name' }),
      name: 'my-full-name',
      how: 'generated',
      enabled: true,
    },
    {
      major: Number(major),
      key,
      case: 'nameOverride',
      release: 'camunda',
      user: onComponent(key, { nameOverride: 'nick' }),
      name: 'camunda-nick',
      how: 'generated',
      enabled: true,
    },
    {
      major: Number(major),
      key,
      case: 'release contains the name',
      release: `prod-${part}-eu`,
      user: {},
      name: `prod-${part}-eu`,
      how: 'generated',
      enabled: true,
    },
    {
      major: Number(major),
      key,
      case: 'explicit name',
      release: 'camunda',
      user: onComponent(key, { serviceAccount: { name: 'my-sa' } }),
      name: 'my-sa',
      how: 'values',
      enabled: true,
    },
    {
      major: Number(major),
      key,
      case: 'SA disabled',
      release: 'camunda',
      user: onComponent(key, { serviceAccount: saSwitch(key, false) }),
      name: 'default',
      how: 'default',
      enabled: false,
    },
    {
      major: Number(major),
      key,
      case: 'SA disabled, explicit name',
      release: 'camunda',
      user: onComponent(key, { serviceAccount: { ...saSwitch(key, false), name: 'precreated' } }),
      name: 'precreated',
      how: 'values',
      enabled: false,
    },
  ]),
);

describe('serviceAccountFor', () => {
  it.each(SA_CASES)(
    'chart $major $key: $case → $name',
    ({ major, key, release, user, name, how, enabled }) => {
      const { p, values } = world(major, user);
      const plan = serviceAccountFor(p, values, release, key);
      expect({ name: plan.name, how: plan.how, enabled: plan.enabled }).toEqual({ name, how, enabled });
    },
  );

  it.each([
    { major: 13, release: 'camunda', want: 'camunda-zeebe' },
    { major: 14, release: 'c8', want: 'c8-zeebe' },
    { major: 15, release: 'zeebe', want: 'zeebe' },
    { major: 13, release: 'orchestration', want: 'orchestration-zeebe' },
  ])('orchestration (chart $major, release $release) → $want', ({ major, release, want }) => {
    const { p, values } = world(major);
    expect(serviceAccountFor(p, values, release, 'orchestration').name).toBe(want);
  });

  it.each([
    {
      major: 12,
      user: { identityKeycloak: { serviceAccount: { create: false } } },
      want: 'default',
      how: 'default',
    },
    {
      major: 13,
      user: { identityKeycloak: { enabled: true, serviceAccount: { create: false } } },
      want: 'default',
      how: 'default',
    },
    // `enabled` is not the Bitnami switch: it changes nothing
    {
      major: 13,
      user: { identityKeycloak: { enabled: true, serviceAccount: { enabled: false } } },
      want: 'camunda-keycloak',
      how: 'generated',
    },
    // the parent's nameOverride "keycloak" is replaced by the user's
    { major: 12, user: { identityKeycloak: { nameOverride: 'kc' } }, want: 'camunda-kc', how: 'generated' },
  ])('identityKeycloak on chart $major: $user → $want', ({ major, user, want, how }) => {
    const { p, values } = world(major, user);
    expect(serviceAccountFor(p, values, 'camunda', 'identityKeycloak')).toMatchObject({ name: want, how });
  });

  it('identityKeycloak: commonAnnotations reach the SA, its own annotations win', () => {
    const { p, values } = world(13, {
      identityKeycloak: {
        commonAnnotations: {
          team: 'iam',
          'eks.amazonaws.com/role-arn': 'arn:aws:iam::111111111111:role/common',
        },
        serviceAccount: {
          annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111111111111:role/keycloak' },
        },
      },
    });
    expect(serviceAccountFor(p, values, 'camunda', 'identityKeycloak').annotations).toEqual({
      team: 'iam',
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::111111111111:role/keycloak',
    });
  });

  it('identityKeycloak on chart 13+: the Bitnami helper sanitises the release name', () => {
    const { p, values } = world(13);
    expect(serviceAccountFor(p, values, 'camunda.prod', 'identityKeycloak').name).toBe(
      'camunda-prod-keycloak',
    );
    expect(serviceAccountFor(p, values, 'camunda.prod', 'identity').name).toBe('camunda.prod-identity');
  });

  it('truncates to 63 characters and trims one trailing dash, like the chart', () => {
    const { p, values } = world(13);
    const r62 = 'r'.repeat(62);
    expect(serviceAccountFor(p, values, r62, 'optimize').name).toBe(r62);
    const r55 = 'r'.repeat(55);
    expect(serviceAccountFor(p, values, r55, 'webModeler').name).toBe(`${r55}-web-mod`);
    const long = 'x'.repeat(70);
    expect(serviceAccountFor(p, values, 'camunda', 'identity').name).toBe('camunda-identity');
    const { values: v2 } = world(13, { identity: { fullnameOverride: `${'y'.repeat(62)}--tail` } });
    expect(serviceAccountFor(p, v2, long, 'identity').name).toBe(`${'y'.repeat(62)}`);
  });

  it('returns the annotations as values render them', () => {
    const { p, values } = world(14, {
      orchestration: {
        serviceAccount: {
          annotations: {
            'eks.amazonaws.com/role-arn': 'arn:aws:iam::111111111111:role/orch',
            'x/num': 5,
            'x/null': null,
          },
        },
      },
    });
    const plan = serviceAccountFor(p, values, 'camunda', 'orchestration');
    expect(plan.annotations).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::111111111111:role/orch',
      'x/num': '5',
    });
    expect(plan.settingsPaths).toEqual(['orchestration.serviceAccount']);
  });

  it('reads serviceAccount.enabled from the component, so a user false is seen', () => {
    const { p, values } = world(12, { operate: { serviceAccount: { enabled: false } } });
    expect(serviceAccountFor(p, values, 'camunda', 'operate')).toMatchObject({
      enabled: false,
      name: 'default',
    });
  });

  it('throws on a component the chart does not have', () => {
    const { p, values } = world(15);
    expect(() => serviceAccountFor(p, values, 'camunda', 'identityKeycloak')).toThrow(/unknown component/);
  });

  describe('charts 8/9 (Camunda 8.3/8.4)', () => {
    it.each([
      { major: 8, key: 'zeebe-gateway', user: {}, want: 'camunda-zeebe-gateway' },
      {
        major: 9,
        key: 'zeebe-gateway',
        user: { 'zeebe-gateway': { nameOverride: 'gw' } },
        want: 'camunda-gw',
      },
      { major: 8, key: 'identity', user: { identity: { fullnameOverride: 'id' } }, want: 'id' },
      { major: 9, key: 'connectors', user: {}, want: 'default' },
      {
        major: 9,
        key: 'connectors',
        user: { connectors: { serviceAccount: { enabled: true } } },
        want: 'camunda-connectors',
      },
      // connectors/console use the chart-level helper: the top-level fullnameOverride, never their own overrides
      {
        major: 9,
        key: 'connectors',
        user: {
          fullnameOverride: 'platform',
          connectors: { nameOverride: 'x', serviceAccount: { enabled: true } },
        },
        want: 'platform',
      },
      {
        major: 9,
        key: 'console',
        user: { console: { fullnameOverride: 'ignored' } },
        want: 'camunda-console',
      },
      // chart 8 console: the template's switch is serviceAccount.create; `enabled` (in values.yaml) does nothing
      { major: 8, key: 'console', user: { console: { serviceAccount: { enabled: true } } }, want: 'default' },
      {
        major: 8,
        key: 'console',
        user: { console: { serviceAccount: { create: true } } },
        want: 'camunda-console',
      },
    ])('chart $major $key with $user → $want', ({ major, key, user, want }) => {
      const { p, values } = world(major, user);
      expect(serviceAccountFor(p, values, 'camunda', key).name).toBe(want);
    });
  });

  describe('chart 15: Web Modeler settings from camundaHub', () => {
    const ROLE = 'eks.amazonaws.com/role-arn';
    it.each([
      {
        case: 'camundaHub annotations merged over webModeler ones',
        raw: '15.0.0',
        user: {
          webModeler: {
            serviceAccount: {
              annotations: { team: 'modeling', [ROLE]: 'arn:aws:iam::111111111111:role/old' },
            },
          },
          camundaHub: {
            enabled: true,
            serviceAccount: { annotations: { [ROLE]: 'arn:aws:iam::111111111111:role/hub' } },
          },
        },
        want: {
          name: 'camunda-web-modeler',
          enabled: true,
          annotations: { team: 'modeling', [ROLE]: 'arn:aws:iam::111111111111:role/hub' },
        },
      },
      {
        case: 'camundaHub false disables the SA (deep merge: false overrides)',
        raw: '15.0.0',
        user: { camundaHub: { enabled: true, serviceAccount: { enabled: false } } },
        want: { name: 'default', enabled: false, annotations: {} },
      },
      {
        case: 'a null in camundaHub falls through to webModeler',
        raw: '15.0.0',
        user: {
          camundaHub: { serviceAccount: { enabled: null, name: null } },
          webModeler: { serviceAccount: { name: 'wm-sa' } },
        },
        want: { name: 'wm-sa', enabled: true, annotations: {} },
      },
      {
        case: 'camundaHub name and fullnameOverride win',
        raw: '15.0.0',
        user: { camundaHub: { fullnameOverride: 'hub' }, webModeler: { fullnameOverride: 'legacy' } },
        want: { name: 'hub', enabled: true, annotations: {} },
      },
      {
        case: 'alpha4: false in camundaHub cannot override (first truthy value)',
        raw: '15.0.0-alpha4',
        user: { camundaHub: { serviceAccount: { enabled: false } } },
        want: { name: 'camunda-web-modeler', enabled: true, annotations: {} },
      },
      {
        case: 'alpha4: annotations are the first non-empty map, not merged',
        raw: '15.0.0-alpha4',
        user: {
          webModeler: { serviceAccount: { annotations: { team: 'modeling' } } },
          camundaHub: { serviceAccount: { annotations: { [ROLE]: 'arn:aws:iam::111111111111:role/hub' } } },
        },
        want: {
          name: 'camunda-web-modeler',
          enabled: true,
          annotations: { [ROLE]: 'arn:aws:iam::111111111111:role/hub' },
        },
      },
    ])('$case', ({ raw, user, want }) => {
      const p = profile(raw);
      const values = new Values(raw === '15.0.0-alpha4' ? defaults810alpha4() : defaults810(), user);
      const plan = serviceAccountFor(p, values, 'camunda', 'webModeler');
      expect({ name: plan.name, enabled: plan.enabled, annotations: plan.annotations }).toEqual(want);
      expect(plan.settingsPaths).toEqual(['camundaHub.serviceAccount', 'webModeler.serviceAccount']);
    });

    it('alpha1..3: overrides under camundaHub.webModeler (recognised from the defaults too)', () => {
      const user = { camundaHub: { webModeler: { serviceAccount: { name: 'nested-sa' } } } };
      for (const raw of ['15.0.0-alpha2', '15.0.0']) {
        const plan = serviceAccountFor(
          profile(raw),
          new Values(defaults810alpha3(), user),
          'camunda',
          'webModeler',
        );
        expect(plan.name).toBe('nested-sa');
        expect(plan.settingsPaths[0]).toBe('camundaHub.webModeler.serviceAccount');
      }
      // on an alpha4+ release the nested key is ignored by the chart
      expect(
        serviceAccountFor(profile('15.0.0'), new Values(defaults810(), user), 'camunda', 'webModeler').name,
      ).toBe('camunda-web-modeler');
    });
  });

  describe('chart 15: orchestration.secretStore adds the role-arn annotation', () => {
    const ROLE = 'eks.amazonaws.com/role-arn';
    it.each([
      {
        case: 'default store',
        store: {
          aws: { default: { region: 'eu-west-1', roleArn: 'arn:aws:iam::111111111111:role/secrets' } },
        },
        arn: 'arn:aws:iam::111111111111:role/secrets',
        key: 'orchestration.secretStore.aws.default.roleArn',
      },
      {
        case: 'a physical tenant',
        store: {
          physicalTenants: {
            tenanta: { aws: { default: { roleArn: 'arn:aws:iam::111111111111:role/tenant' } } },
          },
        },
        arn: 'arn:aws:iam::111111111111:role/tenant',
        key: 'orchestration.secretStore.physicalTenants.tenanta.aws.default.roleArn',
      },
      {
        case: 'no roleArn',
        store: { aws: { default: { region: 'eu-west-1' } } },
        arn: undefined,
        key: undefined,
      },
    ])('$case', ({ store, arn, key }) => {
      const { p, values } = world(15, {
        orchestration: { secretStore: store, serviceAccount: { annotations: { team: 'core' } } },
      });
      const plan = serviceAccountFor(p, values, 'camunda', 'orchestration');
      expect(plan.annotations).toEqual({ team: 'core', ...(arn ? { [ROLE]: arn } : {}) });
      expect(plan.roleArnKey).toBe(key);
      expect(plan.name).toBe('camunda-zeebe');
    });

    it('is not a chart 14 feature', () => {
      const { p, values } = world(14, {
        orchestration: { secretStore: { aws: { default: { roleArn: 'arn:aws:iam::111111111111:role/s' } } } },
      });
      expect(serviceAccountFor(p, values, 'camunda', 'orchestration').annotations).toEqual({});
    });
  });
});

// ---------------------------------------------------------------------------------------------
// OpenSearch
// ---------------------------------------------------------------------------------------------

describe('openSearchSettings', () => {
  const osOn = {
    global: {
      elasticsearch: { enabled: false },
      opensearch: {
        enabled: true,
        aws: { enabled: true },
        url: { host: 'vpc-c8-abc.eu-west-1.es.amazonaws.com' },
      },
    },
  };

  it.each([
    {
      case: '8.7 defaults: Elasticsearch on, OpenSearch off',
      major: 12,
      user: {},
      comps: ['zeebe', 'operate', 'tasklist', 'optimize'],
      want: {
        awsEnabled: false,
        opensearchEnabled: false,
        elasticsearchEnabled: true,
        storage: 'elasticsearch',
      },
    },
    {
      case: '8.7 OpenSearch with AWS',
      major: 12,
      user: osOn,
      comps: ['zeebe', 'operate', 'tasklist', 'optimize'],
      want: {
        awsEnabled: true,
        opensearchEnabled: true,
        elasticsearchEnabled: false,
        storage: 'opensearch',
        host: 'vpc-c8-abc.eu-west-1.es.amazonaws.com',
        port: 443,
      },
    },
    {
      case: '8.8 ignores the 8.9 per-component keys',
      major: 13,
      user: {
        global: { elasticsearch: { enabled: false }, opensearch: { enabled: true } },
        optimize: { database: { opensearch: { aws: { enabled: true } } } },
      },
      comps: ['orchestration', 'optimize'],
      want: {
        awsEnabled: false,
        opensearchEnabled: true,
        elasticsearchEnabled: false,
        storage: 'opensearch',
      },
    },
    {
      case: '8.8: both switches on → Elasticsearch is used',
      major: 13,
      user: { global: { opensearch: { enabled: true, aws: { enabled: true } } } },
      comps: ['orchestration'],
      want: {
        awsEnabled: true,
        opensearchEnabled: true,
        elasticsearchEnabled: true,
        storage: 'elasticsearch',
      },
    },
    {
      case: '8.9 globals still count',
      major: 14,
      user: osOn,
      comps: ['orchestration', 'optimize'],
      want: {
        awsEnabled: true,
        opensearchEnabled: true,
        elasticsearchEnabled: false,
        storage: 'opensearch',
        host: 'vpc-c8-abc.eu-west-1.es.amazonaws.com',
      },
    },
  ])('$case', ({ major, user, comps, want }) => {
    const { p, values } = world(major, user);
    const s = openSearchSettings(p, values, comps);
    expect(Object.keys(s.perComponent)).toEqual(comps);
    for (const c of comps) expect(s.perComponent[c]).toMatchObject(want);
  });

  it('8.9: the per-component switches OR the global one', () => {
    const { p, values } = world(14, {
      orchestration: {
        data: {
          secondaryStorage: {
            type: 'opensearch',
            opensearch: { aws: { enabled: true }, url: 'https://vpc-orch.eu-west-1.es.amazonaws.com' },
          },
        },
      },
      optimize: {
        enabled: true,
        database: {
          opensearch: {
            enabled: true,
            aws: { enabled: true },
            url: { protocol: 'https', host: 'vpc-opt.eu-west-1.es.amazonaws.com', port: 443 },
          },
        },
      },
    });
    const s = openSearchSettings(p, values, ['orchestration', 'optimize']);
    expect(s.perComponent.orchestration).toMatchObject({
      awsEnabled: true,
      opensearchEnabled: true,
      elasticsearchEnabled: false,
      storage: 'opensearch',
      host: 'vpc-orch.eu-west-1.es.amazonaws.com',
      hostKey: 'orchestration.data.secondaryStorage.opensearch.url',
    });
    expect(s.perComponent.orchestration!.keys).toContain(
      'orchestration.data.secondaryStorage.opensearch.aws.enabled',
    );
    expect(s.perComponent.optimize).toMatchObject({
      awsEnabled: true,
      opensearchEnabled: true,
      storage: 'opensearch',
      host: 'vpc-opt.eu-west-1.es.amazonaws.com',
    });
    expect(s.perComponent.optimize!.keys).toContain('optimize.database.opensearch.aws.enabled');
    // the domain endpoint: global first (empty), then optimize's host
    expect(s).toMatchObject({
      host: 'vpc-opt.eu-west-1.es.amazonaws.com',
      port: 443,
      hostKey: 'optimize.database.opensearch.url.host',
    });
  });

  it.each([
    { type: 'rdbms', storage: 'rdbms' },
    { type: 'elasticsearch', storage: 'elasticsearch' },
    { type: 'none', storage: 'none' },
  ])('8.9: secondaryStorage.type $type → no OpenSearch for orchestration', ({ type, storage }) => {
    const { p, values } = world(14, { ...osOn, orchestration: { data: { secondaryStorage: { type } } } });
    expect(openSearchSettings(p, values, ['orchestration']).perComponent.orchestration).toMatchObject({
      opensearchEnabled: false,
      storage,
    });
  });

  it('8.9: without a type, the rdbms exporter or noSecondaryStorage decide', () => {
    let w = world(14, { ...osOn, orchestration: { exporters: { rdbms: { enabled: true } } } });
    expect(openSearchSettings(w.p, w.values, ['orchestration']).perComponent.orchestration!.storage).toBe(
      'rdbms',
    );
    w = world(14, { global: { noSecondaryStorage: true } });
    expect(
      openSearchSettings(w.p, w.values, ['orchestration', 'optimize']).perComponent.optimize!.storage,
    ).toBe('none');
  });

  it.each([
    {
      case: 'the global host',
      user: osOn,
      host: 'vpc-c8-abc.eu-west-1.es.amazonaws.com',
      port: 443,
      hostKey: 'global.opensearch.url.host',
    },
    {
      case: 'the global host and port',
      user: {
        global: { opensearch: { url: { host: 'search-c8.eu-west-1.es.amazonaws.com', port: '9200' } } },
      },
      host: 'search-c8.eu-west-1.es.amazonaws.com',
      port: 9200,
      hostKey: 'global.opensearch.url.host',
    },
    {
      case: 'the orchestration URL (with a port)',
      user: {
        orchestration: { data: { secondaryStorage: { opensearch: { url: 'https://os.example.com:9200' } } } },
      },
      host: 'os.example.com',
      port: 9200,
      hostKey: 'orchestration.data.secondaryStorage.opensearch.url',
    },
    {
      case: 'the orchestration URL (https default port)',
      user: {
        orchestration: { data: { secondaryStorage: { opensearch: { url: 'https://os.example.com' } } } },
      },
      host: 'os.example.com',
      port: 443,
      hostKey: 'orchestration.data.secondaryStorage.opensearch.url',
    },
    { case: 'nothing set', user: {}, host: undefined, port: 443, hostKey: undefined },
  ])('8.9 domain endpoint from $case', ({ user, host, port, hostKey }) => {
    const { p, values } = world(14, user);
    const s = openSearchSettings(p, values, []);
    expect({ host: s.host, port: s.port, hostKey: s.hostKey }).toEqual({ host, port, hostKey });
  });

  it('before 8.9 only the global host counts', () => {
    const { p, values } = world(13, {
      optimize: { database: { opensearch: { url: { host: 'ignored.example.com' } } } },
    });
    expect(openSearchSettings(p, values, ['orchestration']).host).toBeUndefined();
  });

  it('charts 8/9 have no OpenSearch keys at all', () => {
    const { p, values } = world(9);
    expect(openSearchSettings(p, values, ['zeebe']).perComponent.zeebe).toMatchObject({
      opensearchEnabled: false,
      awsEnabled: false,
    });
  });

  it('keys the result by chart key, whatever the spelling', () => {
    const { p, values } = world(14);
    expect(Object.keys(openSearchSettings(p, values, ['ORCHESTRATION']).perComponent)).toEqual([
      'orchestration',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Web Modeler database
// ---------------------------------------------------------------------------------------------

describe('webModelerDatabase', () => {
  const URL =
    'jdbc:aws-wrapper:postgresql://aurora.cluster-abc.eu-west-1.rds.amazonaws.com:5432/modeler?wrapperPlugins=iam';
  const B = 'webModeler.restapi.externalDatabase';

  it.each([
    {
      case: '8.6: url + user',
      major: 11,
      user: { webModeler: { restapi: { externalDatabase: { url: URL, user: 'modeler' } } } },
      want: {
        urlKey: `${B}.url`,
        url: URL,
        usernameKey: `${B}.user`,
        username: 'modeler',
        ignoredUserKey: undefined,
        bundledPostgresKey: 'postgresql.enabled',
        host: undefined,
      },
    },
    {
      case: '8.6: the 8.9 key `username` is ignored',
      major: 11,
      user: { webModeler: { restapi: { externalDatabase: { url: URL, username: 'modeler' } } } },
      want: { usernameKey: `${B}.user`, username: undefined, ignoredUserKey: `${B}.username` },
    },
    {
      case: '8.7: discrete host/port/database',
      major: 12,
      user: {
        webModeler: {
          restapi: { externalDatabase: { host: 'aurora.example.com', port: 5433, user: 'modeler' } },
        },
      },
      want: {
        url: undefined,
        hostKey: `${B}.host`,
        host: 'aurora.example.com',
        port: 5433,
        database: 'web-modeler',
        username: 'modeler',
      },
    },
    {
      case: '8.8: user; bundled PostgreSQL key renamed',
      major: 13,
      user: {
        webModeler: { restapi: { externalDatabase: { url: URL, user: 'modeler' } } },
        webModelerPostgresql: { enabled: true },
      },
      want: {
        usernameKey: `${B}.user`,
        username: 'modeler',
        bundledPostgresKey: 'webModelerPostgresql.enabled',
        bundledPostgres: true,
      },
    },
    {
      case: '8.9: username',
      major: 14,
      user: { webModeler: { restapi: { externalDatabase: { url: URL, username: 'modeler' } } } },
      want: { usernameKey: `${B}.username`, username: 'modeler', ignoredUserKey: undefined },
    },
    {
      case: '8.9: deprecated user as fallback',
      major: 14,
      user: { webModeler: { restapi: { externalDatabase: { url: URL, user: 'legacy' } } } },
      want: { usernameKey: `${B}.user`, username: 'legacy', ignoredUserKey: undefined },
    },
    {
      case: '8.9: both set → user ignored',
      major: 14,
      user: {
        webModeler: { restapi: { externalDatabase: { url: URL, username: 'modeler', user: 'legacy' } } },
      },
      want: { usernameKey: `${B}.username`, username: 'modeler', ignoredUserKey: `${B}.user` },
    },
    {
      case: '8.9: nothing set → the key to set',
      major: 14,
      user: {},
      want: {
        urlKey: `${B}.url`,
        url: undefined,
        usernameKey: `${B}.username`,
        username: undefined,
        bundledPostgres: false,
      },
    },
  ])('$case', ({ major, user, want }) => {
    const { p, values } = world(major, user);
    const db = webModelerDatabase(p, values);
    expect(db).toMatchObject({
      envPath: 'webModeler.restapi.env',
      ...Object.fromEntries(Object.entries(want).filter(([, v]) => v !== undefined)),
    });
    for (const [k, v] of Object.entries(want))
      if (v === undefined) expect(db[k as keyof typeof db]).toBeUndefined();
  });

  describe('chart 15', () => {
    const H = 'camundaHub.restapi.externalDatabase';
    it.each([
      {
        case: 'camundaHub keys first',
        raw: '15.0.0',
        user: {
          camundaHub: {
            enabled: true,
            restapi: {
              externalDatabase: { url: URL, username: 'hub' },
              env: [{ name: 'SPRING_DATASOURCE_DRIVER_CLASS_NAME', value: 'software.amazon.jdbc.Driver' }],
            },
          },
          webModeler: { restapi: { externalDatabase: { url: 'jdbc:postgresql://old/db', username: 'old' } } },
        },
        want: {
          urlKey: `${H}.url`,
          url: URL,
          usernameKey: `${H}.username`,
          username: 'hub',
          envPath: 'camundaHub.restapi.env',
        },
      },
      {
        case: 'webModeler keys as fallback',
        raw: '15.0.0',
        user: {
          webModeler: { enabled: true, restapi: { externalDatabase: { url: URL, username: 'legacy' } } },
        },
        want: {
          urlKey: `${B}.url`,
          url: URL,
          usernameKey: `${B}.username`,
          username: 'legacy',
          envPath: 'webModeler.restapi.env',
        },
      },
      {
        case: 'nothing set → the camundaHub key to set',
        raw: '15.0.0',
        user: {},
        want: { urlKey: `${H}.url`, usernameKey: `${H}.username`, port: 5432, database: 'web-modeler' },
      },
      {
        case: '`user` is refused by chart 15',
        raw: '15.0.0',
        user: { webModeler: { restapi: { externalDatabase: { url: URL, user: 'legacy' } } } },
        want: { usernameKey: `${H}.username`, username: undefined, ignoredUserKey: `${B}.user` },
      },
      {
        case: 'alpha1..3: camundaHub.webModeler.*',
        raw: '15.0.0-alpha3',
        user: {
          camundaHub: { webModeler: { restapi: { externalDatabase: { url: URL, username: 'nested' } } } },
        },
        want: {
          urlKey: 'camundaHub.webModeler.restapi.externalDatabase.url',
          url: URL,
          usernameKey: 'camundaHub.webModeler.restapi.externalDatabase.username',
          username: 'nested',
        },
      },
    ])('$case', ({ raw, user, want }) => {
      const defaults = raw.endsWith('alpha3') ? defaults810alpha3() : defaults810();
      const db = webModelerDatabase(profile(raw), new Values(defaults, user));
      expect(db).toMatchObject({
        bundledPostgres: false,
        ...Object.fromEntries(Object.entries(want).filter(([, v]) => v !== undefined)),
      });
      for (const [k, v] of Object.entries(want))
        if (v === undefined) expect(db[k as keyof typeof db]).toBeUndefined();
      expect(db.bundledPostgresKey).toBeUndefined();
    });
  });
});
