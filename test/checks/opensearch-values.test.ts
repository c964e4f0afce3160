/**
 * opensearch-values over in-memory worlds: the healthy world of each chart generation, then one
 * planted fault per case, asserting the module's exact lines, exit code and the endpoint fact.
 */
import { describe, expect, it } from 'vitest';
import type { RunOptions } from '../../src/core/options.js';
import { runWorld, type WorldModel, type WorldRun } from '../support/world.js';
import { factsAfter, put, variant, W86, W87, W88, W89, W810 } from '../support/values-worlds.js';
import { openSearchValues } from '../../src/checks/opensearch-values.js';

const MODULE = 'opensearch-values';
const OS = 'vpc-camunda-prod-os-4kq7rx2m5nbv3c9w1z8yd6tfha.eu-west-1.es.amazonaws.com';
const OTHER_OS = 'vpc-camunda-optimize-os-9zx8cv7bn6m5l4k3j2h1g0fd.eu-west-1.es.amazonaws.com';
const STORE = 'orchestration.data.secondaryStorage';
const OPT = 'optimize.database.opensearch';

function moduleExit(run: WorldRun): number {
  return run.fails(MODULE).at(-1)?.code ?? 0;
}

/** ctx.facts.openSearch after release → plan → opensearch-values, without the later modules. */
async function endpointAfter(world: WorldModel, overrides: Partial<RunOptions> = {}) {
  return (await factsAfter(world, openSearchValues, overrides)).openSearch;
}

const GLOBAL_OK =
  '[OK] Amazon OpenSearch with AWS request signing (global.opensearch.enabled=true, global.opensearch.aws.enabled=true)';
const GLOBAL_HOST = `[OK] OpenSearch endpoint ${OS}:443 (global.opensearch.url.host)`;
const ORCH_OK = `[OK] orchestration: Amazon OpenSearch with AWS request signing (${STORE}.type=opensearch, ${STORE}.opensearch.aws.enabled=true)`;
const OPT_OK = `[OK] optimize: Amazon OpenSearch with AWS request signing (${OPT}.enabled=true, ${OPT}.aws.enabled=true)`;
const ORCH_HOST = `[OK] orchestration: OpenSearch endpoint ${OS}:443 (${STORE}.opensearch.url)`;
const OPT_HOST = `[OK] optimize: OpenSearch endpoint ${OS}:443 (${OPT}.url.host)`;

// orchestration/files/_application.yaml (8.9, 8.10): camunda.operate/tasklist.opensearch.awsEnabled
// are rendered only under `if .Values.global.opensearch.enabled`.
const WEBAPPS_UNSIGNED = `[FAIL] orchestration: ${STORE}.opensearch.aws.enabled is true but global.opensearch.enabled is false (chart default): the chart renders AWS request signing for Operate and Tasklist only when global.opensearch.enabled is true, so Amazon OpenSearch rejects their requests (401/403)`;

interface Case {
  name: string;
  world: WorldModel;
  options?: Partial<RunOptions>;
  lines: string[];
  exit: number;
  fixes?: string[];
  /** The endpoint the domain checks get (ctx.facts.openSearch); undefined: none. */
  endpoint?: { host: string; port: number };
}

const healthy: Case[] = [
  {
    name: '8.6 (chart 11): global keys for zeebe, operate, tasklist; optimize disabled',
    world: W86,
    lines: ['[INFO] optimize: disabled: its OpenSearch settings are not checked', GLOBAL_OK, GLOBAL_HOST],
    exit: 0,
    endpoint: { host: OS, port: 443 },
  },
  {
    name: '8.7 (chart 12): global keys, optimize included',
    world: W87,
    lines: [GLOBAL_OK, GLOBAL_HOST],
    exit: 0,
    endpoint: { host: OS, port: 443 },
  },
  {
    name: '8.8 (chart 13): global keys for orchestration and optimize',
    world: W88,
    lines: [GLOBAL_OK, GLOBAL_HOST],
    exit: 0,
    endpoint: { host: OS, port: 443 },
  },
  {
    name: '8.9 (chart 14): per-component keys',
    world: W89,
    lines: [ORCH_OK, OPT_OK, ORCH_HOST, OPT_HOST],
    exit: 0,
    endpoint: { host: OS, port: 443 },
  },
  {
    name: '8.10 (chart 15): per-component keys, orchestration URL without a port',
    world: W810,
    lines: [ORCH_OK, OPT_OK, ORCH_HOST, OPT_HOST],
    exit: 0,
    endpoint: { host: OS, port: 443 },
  },
];

const globalCases: Case[] = [
  {
    name: '51: global.elasticsearch.enabled left to the 8.8 chart default (true)',
    world: variant(W88, (u) => put(u, 'global.elasticsearch', undefined)),
    lines: [
      '[FAIL] global.elasticsearch.enabled is true (chart default): IRSA works with Amazon OpenSearch only',
      GLOBAL_HOST,
    ],
    exit: 51,
    fixes: ['Set global.elasticsearch.enabled: false'],
    endpoint: { host: OS, port: 443 },
  },
  {
    name: '51: global.opensearch.enabled explicitly false',
    world: variant(W86, (u) => put(u, 'global.opensearch.enabled', false)),
    lines: [
      '[INFO] optimize: disabled: its OpenSearch settings are not checked',
      '[FAIL] global.opensearch.enabled is false: OpenSearch must be on',
      GLOBAL_HOST,
    ],
    exit: 51,
    fixes: ['Set global.opensearch.enabled: true'],
    endpoint: { host: OS, port: 443 },
  },
  {
    name: '51: global.opensearch.aws.enabled left to the chart default (false)',
    world: variant(W87, (u) => put(u, 'global.opensearch.aws', undefined)),
    lines: [
      '[FAIL] global.opensearch.aws.enabled is false (chart default): requests must be signed with the IRSA credentials',
      GLOBAL_HOST,
    ],
    exit: 51,
    fixes: ['Set global.opensearch.aws.enabled: true'],
    endpoint: { host: OS, port: 443 },
  },
  {
    name: '51 ×3 and 61: nothing of the IRSA guide applied (chart 11 defaults), one line per key',
    world: variant(W86, (u) => put(u, 'global', undefined)),
    lines: [
      '[INFO] optimize: disabled: its OpenSearch settings are not checked',
      '[FAIL] global.elasticsearch.enabled is true (chart default): IRSA works with Amazon OpenSearch only',
      '[FAIL] global.opensearch.enabled is false (chart default): OpenSearch must be on',
      '[FAIL] global.opensearch.aws.enabled is false (chart default): requests must be signed with the IRSA credentials',
      '[FAIL] the OpenSearch host is not set',
    ],
    exit: 61,
    fixes: [
      'Set global.elasticsearch.enabled: false',
      'Set global.opensearch.enabled: true',
      'Set global.opensearch.aws.enabled: true',
      'Set global.opensearch.url.host to the domain endpoint, e.g. vpc-<domain>-<id>.<region>.es.amazonaws.com.',
    ],
  },
  {
    name: '51: a string "false" (--set-string) is read as false',
    world: variant(W88, (u) => put(u, 'global.opensearch.aws.enabled', 'false')),
    lines: [
      '[FAIL] global.opensearch.aws.enabled is "false": requests must be signed with the IRSA credentials',
      GLOBAL_HOST,
    ],
    exit: 51,
    endpoint: { host: OS, port: 443 },
  },
  {
    name: '61: global.opensearch.url.host empty (chart default)',
    world: variant(W88, (u) => put(u, 'global.opensearch.url.host', undefined)),
    lines: [GLOBAL_OK, '[FAIL] the OpenSearch host is not set'],
    exit: 61,
    fixes: [
      'Set global.opensearch.url.host to the domain endpoint, e.g. vpc-<domain>-<id>.<region>.es.amazonaws.com.',
    ],
  },
  {
    name: 'WARN: port 9200 (Elasticsearch habit) instead of 443',
    world: variant(W88, (u) => put(u, 'global.opensearch.url.port', 9200)),
    lines: [
      GLOBAL_OK,
      `[OK] OpenSearch endpoint ${OS}:9200 (global.opensearch.url.host)`,
      '[WARN] OpenSearch port 9200: Amazon OpenSearch Service listens on 443',
    ],
    exit: 0,
    endpoint: { host: OS, port: 9200 },
  },
  {
    name: '-l zeebe: one component, the same global verdict',
    world: W86,
    options: { os: ['zeebe'] },
    lines: [GLOBAL_OK, GLOBAL_HOST],
    exit: 0,
    endpoint: { host: OS, port: 443 },
  },
  {
    name: 'an empty os list: nothing to check',
    world: W88,
    options: { os: [] },
    lines: [],
    exit: 0,
  },
];

const componentCases: Case[] = [
  {
    name: '51: orchestration secondary storage typed elasticsearch',
    world: variant(W89, (u) => put(u, `${STORE}.type`, 'elasticsearch')),
    lines: [
      `[FAIL] orchestration: ${STORE}.type is "elasticsearch": IRSA works with Amazon OpenSearch only`,
      OPT_OK,
      ORCH_HOST,
      OPT_HOST,
    ],
    exit: 51,
    fixes: [`Set ${STORE}.type: opensearch`],
    endpoint: { host: OS, port: 443 },
  },
  {
    name: '8.9: type elasticsearch with secondaryStorage.elasticsearch.aws.enabled: AWS-signed, no FAIL',
    world: variant(W89, (u) =>
      put(u, STORE, {
        type: 'elasticsearch',
        elasticsearch: { aws: { enabled: true }, url: `https://${OS}:443` },
      }),
    ),
    lines: [
      `[OK] orchestration: Amazon OpenSearch with AWS request signing (${STORE}.type=elasticsearch, ${STORE}.elasticsearch.aws.enabled=true)`,
      OPT_OK,
      `[OK] orchestration: OpenSearch endpoint ${OS}:443 (${STORE}.elasticsearch.url)`,
      OPT_HOST,
    ],
    exit: 0,
    endpoint: { host: OS, port: 443 },
  },
  {
    name: '51: orchestration without any AWS switch',
    world: variant(W89, (u) => put(u, `${STORE}.opensearch.aws`, undefined)),
    lines: [
      `[FAIL] orchestration: ${STORE}.opensearch.aws.enabled is false (chart default): requests must be signed with the IRSA credentials`,
      OPT_OK,
      ORCH_HOST,
      OPT_HOST,
    ],
    exit: 51,
    fixes: [`Set ${STORE}.opensearch.aws.enabled: true`],
    endpoint: { host: OS, port: 443 },
  },
  {
    name: 'effective AWS switch = component OR global: the global flag alone suffices',
    world: variant(W89, (u) => {
      put(u, `${STORE}.opensearch.aws`, undefined);
      put(u, 'global.opensearch.aws.enabled', true);
    }),
    lines: [
      `[OK] orchestration: Amazon OpenSearch with AWS request signing (${STORE}.type=opensearch, global.opensearch.aws.enabled=true)`,
      OPT_OK,
      ORCH_HOST,
      OPT_HOST,
    ],
    exit: 0,
    endpoint: { host: OS, port: 443 },
  },
  {
    name: '51: optimize with neither its own nor the global OpenSearch switch',
    world: variant(W89, (u) => {
      put(u, `${OPT}.enabled`, false);
      put(u, 'global.opensearch', undefined);
    }),
    lines: [
      ORCH_OK,
      WEBAPPS_UNSIGNED,
      `[FAIL] optimize: ${OPT}.enabled is false: OpenSearch must be on`,
      ORCH_HOST,
      OPT_HOST,
    ],
    exit: 51,
    fixes: ['Set global.opensearch.enabled: true', `Set ${OPT}.enabled: true`],
    endpoint: { host: OS, port: 443 },
  },
  {
    name: '51: 8.9 secondary-storage keys alone, global.opensearch.enabled off: Operate/Tasklist unsigned',
    world: variant(W89, (u) => put(u, 'global.opensearch', undefined)),
    lines: [ORCH_OK, WEBAPPS_UNSIGNED, OPT_OK, ORCH_HOST, OPT_HOST],
    exit: 51,
    fixes: ['Set global.opensearch.enabled: true'],
    endpoint: { host: OS, port: 443 },
  },
  {
    name: '51: 8.10, global.opensearch.enabled false; only the Operate profile on',
    world: variant(W810, (u) => {
      put(u, 'global.opensearch.enabled', false);
      put(u, 'orchestration.profiles', { tasklist: false });
    }),
    lines: [
      ORCH_OK,
      WEBAPPS_UNSIGNED.replace('Operate and Tasklist', 'Operate').replace('false (chart default)', 'false'),
      OPT_OK,
      ORCH_HOST,
      OPT_HOST,
    ],
    exit: 51,
    fixes: ['Set global.opensearch.enabled: true'],
    endpoint: { host: OS, port: 443 },
  },
  {
    name: 'Operate and Tasklist profiles both off: nothing unsigned',
    world: variant(W89, (u) => {
      put(u, 'global.opensearch', undefined);
      put(u, 'orchestration.profiles', { operate: false, tasklist: false });
    }),
    lines: [ORCH_OK, OPT_OK, ORCH_HOST, OPT_HOST],
    exit: 0,
    endpoint: { host: OS, port: 443 },
  },
  {
    name: '51: optimize pointed at Elasticsearch',
    world: variant(W810, (u) => put(u, 'optimize.database.elasticsearch.enabled', true)),
    lines: [
      ORCH_OK,
      '[FAIL] optimize: optimize.database.elasticsearch.enabled is true: IRSA works with Amazon OpenSearch only',
      ORCH_HOST,
      OPT_HOST,
    ],
    exit: 51,
    fixes: ['Set optimize.database.elasticsearch.enabled: false'],
    endpoint: { host: OS, port: 443 },
  },
  {
    name: 'RDBMS secondary storage: INFO for orchestration, not FAIL; optimize still checked',
    world: variant(W89, (u) =>
      put(u, STORE, {
        type: 'rdbms',
        rdbms: { aws: { enabled: true }, url: 'jdbc:aws-wrapper:postgresql://db/camunda?wrapperPlugins=iam' },
      }),
    ),
    lines: [
      '[INFO] orchestration: uses RDBMS secondary storage: no OpenSearch settings to check',
      OPT_OK,
      OPT_HOST,
    ],
    exit: 0,
    endpoint: { host: OS, port: 443 },
  },
  {
    name: 'no secondary storage at all (global.noSecondaryStorage): nothing to check',
    world: variant(W89, (u) => {
      put(u, STORE, undefined);
      put(u, 'global', { noSecondaryStorage: true });
    }),
    lines: [
      '[INFO] optimize: disabled: its OpenSearch settings are not checked',
      '[INFO] orchestration: uses no secondary storage: no OpenSearch settings to check',
    ],
    exit: 0,
  },
  {
    name: 'untyped secondary storage derived from global.opensearch.enabled',
    world: variant(W89, (u) => put(u, `${STORE}.type`, undefined)),
    lines: [
      `[OK] orchestration: Amazon OpenSearch with AWS request signing (global.opensearch.enabled=true, ${STORE}.opensearch.aws.enabled=true)`,
      OPT_OK,
      ORCH_HOST,
      OPT_HOST,
    ],
    exit: 0,
    endpoint: { host: OS, port: 443 },
  },
  {
    name: '51: untyped secondary storage and no OpenSearch switch anywhere',
    world: variant(W810, (u) => {
      put(u, `${STORE}.type`, undefined);
      put(u, 'global.opensearch', undefined);
      put(u, 'optimize', { enabled: false });
    }),
    lines: [
      '[INFO] optimize: disabled: its OpenSearch settings are not checked',
      `[FAIL] orchestration: ${STORE}.type is empty (chart default): OpenSearch must be on`,
      ORCH_HOST,
    ],
    exit: 51,
    fixes: [`Set ${STORE}.type: opensearch`],
    endpoint: { host: OS, port: 443 },
  },
  {
    name: 'orchestration without its own URL uses optimize’s host (camundaPlatform.opensearchURL)',
    world: variant(W89, (u) => put(u, `${STORE}.opensearch.url`, undefined)),
    lines: [ORCH_OK, OPT_OK, `[OK] orchestration: OpenSearch endpoint ${OS}:443 (${OPT}.url.host)`, OPT_HOST],
    exit: 0,
    endpoint: { host: OS, port: 443 },
  },
  {
    name: '61: no host for either component',
    world: variant(W89, (u) => {
      put(u, `${STORE}.opensearch.url`, undefined);
      put(u, `${OPT}.url`, undefined);
    }),
    lines: [
      ORCH_OK,
      OPT_OK,
      '[FAIL] orchestration: the OpenSearch host is not set',
      '[FAIL] optimize: the OpenSearch host is not set',
    ],
    exit: 61,
    fixes: [
      `Set ${STORE}.opensearch.url to the domain endpoint, e.g. https://vpc-<domain>-<id>.<region>.es.amazonaws.com:443.`,
      `Set ${OPT}.url.host to the domain endpoint, e.g. vpc-<domain>-<id>.<region>.es.amazonaws.com.`,
    ],
  },
  {
    name: 'WARN: orchestration and optimize on different domains; the domain checks follow optimize’s (then orchestration’s) host',
    world: variant(W89, (u) => put(u, `${OPT}.url.host`, OTHER_OS)),
    lines: [
      ORCH_OK,
      OPT_OK,
      ORCH_HOST,
      `[OK] optimize: OpenSearch endpoint ${OTHER_OS}:443 (${OPT}.url.host)`,
      `[WARN] the os components use different OpenSearch hosts (${OS}, ${OTHER_OS}): the domain checks follow ${OTHER_OS}`,
    ],
    exit: 0,
    endpoint: { host: OTHER_OS, port: 443 },
  },
];

describe.each([
  { group: 'healthy worlds, one per chart generation', cases: healthy },
  { group: 'global keys, up to 8.8 (51, 61)', cases: globalCases },
  { group: 'per-component keys, 8.9+ (51, 61)', cases: componentCases },
])('opensearch-values: $group', ({ cases }) => {
  it.each(cases)('$name', async ({ world, options, lines, exit, fixes, endpoint }) => {
    const run = await runWorld(world, options);
    expect(run.lines(MODULE)).toEqual(lines);
    expect(moduleExit(run)).toBe(exit);
    if (exit !== 0) expect(run.exitCode).not.toBe(0);
    if (fixes) expect(run.fails(MODULE).map((f) => f.fix)).toEqual(fixes);
    expect(await endpointAfter(world, options)).toEqual(endpoint);
  });
});

it('opensearch-values: every FAIL uses a declared check and code with a fix', async () => {
  const declared = new Set(
    Object.values(openSearchValues.checks)
      .filter((c) => c.severity === 'FAIL')
      .map((c) => c.code),
  );
  const seen = new Set<number>();
  for (const c of [...globalCases, ...componentCases]) {
    const run = await runWorld(c.world, c.options);
    for (const f of run.fails(MODULE)) {
      seen.add(f.code!);
      expect(declared.has(f.code!)).toBe(true);
      expect(openSearchValues.checks[f.check!]?.code).toBe(f.code);
      expect(f.fix).toMatch(/^Set [a-z]+\.[a-zA-Z.]+/);
    }
  }
  expect([...seen].sort()).toEqual([...declared].sort());
});

/** The check ID of every FAIL and WARN each case reports (issue 8: a stable ID per check). */
const CHECK_IDS: Array<[string, string[]]> = [
  ['51: global.elasticsearch.enabled left to the 8.8 chart default (true)', ['os-aws-signing']],
  ['51: global.opensearch.enabled explicitly false', ['os-aws-signing']],
  ['51: global.opensearch.aws.enabled left to the chart default (false)', ['os-aws-signing']],
  [
    '51 ×3 and 61: nothing of the IRSA guide applied (chart 11 defaults), one line per key',
    ['os-aws-signing', 'os-aws-signing', 'os-aws-signing', 'os-host'],
  ],
  ['51: a string "false" (--set-string) is read as false', ['os-aws-signing']],
  ['61: global.opensearch.url.host empty (chart default)', ['os-host']],
  ['WARN: port 9200 (Elasticsearch habit) instead of 443', ['os-port']],
  ['51: orchestration secondary storage typed elasticsearch', ['os-aws-signing']],
  ['51: orchestration without any AWS switch', ['os-aws-signing']],
  [
    '51: optimize with neither its own nor the global OpenSearch switch',
    ['os-webapps-signing', 'os-aws-signing'],
  ],
  [
    '51: 8.9 secondary-storage keys alone, global.opensearch.enabled off: Operate/Tasklist unsigned',
    ['os-webapps-signing'],
  ],
  ['51: optimize pointed at Elasticsearch', ['os-aws-signing']],
  ['51: untyped secondary storage and no OpenSearch switch anywhere', ['os-aws-signing']],
  ['61: no host for either component', ['os-host', 'os-host']],
  [
    'WARN: orchestration and optimize on different domains; the domain checks follow optimize’s (then orchestration’s) host',
    ['os-hosts-differ'],
  ],
];

describe('opensearch-values: check IDs', () => {
  it.each(CHECK_IDS)('%s', async (name, ids) => {
    const c = [...globalCases, ...componentCases].find((k) => k.name === name);
    expect(c, name).toBeDefined();
    const run = await runWorld(c!.world, c!.options);
    const reported = run.findings.filter(
      (f) => f.module === MODULE && (f.level === 'FAIL' || f.level === 'WARN'),
    );
    expect(reported.map((f) => f.check)).toEqual(ids);
  });
});
