/**
 * The dataflow dispatcher (src/engine/dispatch.ts) and the registry contract: modules start
 * when their facts exist, run concurrently, and their findings come out in registry
 * order, byte-identical to a sequential run, on every fixture world and the demo bundle.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, CHECK_MODULES } from '../src/checks/index.js';
import { Catalogue } from '../src/core/catalogue.js';
import { createContext } from '../src/core/context.js';
import type { Finding } from '../src/core/finding.js';
import { defineModule, type CheckModule } from '../src/engine/module.js';
import { dispatch, validateRegistry } from '../src/engine/dispatch.js';
import { readBundle } from '../src/platform/bundle.js';
import { replayPlatform } from '../src/platform/replay.js';
import { findingLine } from '../src/report/format.js';
import { runChecks } from './support/module-run.js';
import { loadWorld, memoryPlatform, testOptions } from './support/world.js';
import { ROOT } from './support/cli.js';

const WORLDS = readdirSync(`${ROOT}/fixtures/worlds`).filter((f) => f.endsWith('.yaml'));
const DEMO = `${ROOT}/fixtures/bundles/camunda-8.8-two-faults.json`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Findings of a dispatch over a replayed or in-memory platform, as printed lines with their IDs. */
function printed(findings: Finding[]): string[] {
  return findings.map(
    (f) => `${findingLine(f)}${f.check ? ` {${f.check}}` : ''}${f.fix ? ` fix: ${f.fix}` : ''}`,
  );
}

describe('registry contract', () => {
  it('check IDs are unique kebab-case across every module, and every module is registered once', () => {
    const ids = CATALOGUE.entries().map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    expect(new Set(CHECK_MODULES.map((m) => m.id)).size).toBe(CHECK_MODULES.length);
  });

  it('refuses a check ID declared by two modules', () => {
    const meta = { severity: 'WARN', title: 't', fix: 'f' } as const;
    expect(
      () =>
        new Catalogue([
          { module: 'a', checks: { 'same-id': meta } },
          { module: 'b', checks: { 'same-id': meta } },
        ]),
    ).toThrow('check ID "same-id" is declared by both a and b');
  });

  it('refuses a FAIL without an exit code, a WARN without a fix, and an ID that is not kebab-case', () => {
    expect(
      () => new Catalogue([{ module: 'a', checks: { x: { severity: 'FAIL', title: 't', fix: 'f' } } }]),
    ).toThrow('FAIL check "x" of module a has no exit code');
    expect(() => new Catalogue([{ module: 'a', checks: { x: { severity: 'WARN', title: 't' } } }])).toThrow(
      'WARN check "x" of module a has no fix',
    );
    expect(
      () => new Catalogue([{ module: 'a', checks: { trustSub: { severity: 'INFO', title: 't' } } }]),
    ).toThrow('is not kebab-case');
  });

  it('refuses two providers of one fact, and a module that reads a fact provided after it', () => {
    const mod = (id: string, needs: string[], provides: string[]): CheckModule =>
      ({
        id,
        title: id,
        needs,
        uses: [],
        provides,
        checks: {},
        run: async () => {},
      }) as unknown as CheckModule;
    expect(() => validateRegistry([mod('a', [], ['region']), mod('b', [], ['region'])])).toThrow(
      'fact region is provided by both a and b',
    );
    expect(() => validateRegistry([mod('a', ['region'], []), mod('b', [], ['region'])])).toThrow(
      'module a reads fact region, provided by b, which runs after it',
    );
  });
});

describe('dataflow dispatch', () => {
  const ctx = () => createContext(testOptions(), memoryPlatform(loadWorld('camunda-8.8-healthy.yaml')));

  it('starts a module as soon as its facts exist, runs independent modules at once, prints in registry order', async () => {
    const events: string[] = [];
    const slow = defineModule({
      id: 'slow',
      title: 'slow',
      needs: [],
      checks: { 'slow-check': { severity: 'WARN', title: 't', fix: 'f' } },
      async run(_ctx, out) {
        events.push('slow start');
        await sleep(60);
        out.warn('slow-check', 'slow finished');
        events.push('slow end');
      },
    });
    const provider = defineModule({
      id: 'provider',
      title: 'provider',
      needs: [],
      provides: ['region'],
      checks: {},
      async run(c, out) {
        events.push('provider start');
        c.provide('region', 'eu-west-1');
        out.info('provided');
      },
    });
    const reader = defineModule({
      id: 'reader',
      title: 'reader',
      needs: ['region'],
      checks: {},
      async run(c, out) {
        events.push('reader start');
        out.info(`region ${c.facts.region}`);
      },
    });
    const findings: Finding[] = [];
    await dispatch([slow, provider, reader], ctx(), (f) => findings.push(f));
    // The reader did not wait for the slow module that comes before it in the registry …
    expect(events.indexOf('reader start')).toBeLessThan(events.indexOf('slow end'));
    // … but its lines come after the slow module's.
    expect(findings.map(findingLine)).toEqual([
      '[WARN] slow finished',
      '[INFO] provided',
      '[INFO] region eu-west-1',
    ]);
    expect(findings[0]!.check).toBe('slow-check');
  });

  it('a module whose needed fact is missing says so once and never runs', async () => {
    let ran = false;
    const provider = defineModule({
      id: 'release',
      title: 'p',
      needs: [],
      provides: ['release'],
      checks: {},
      async run() {},
    });
    const reader = defineModule({
      id: 'reader',
      title: 'r',
      needs: ['release'],
      checks: {},
      async run() {
        ran = true;
      },
    });
    const findings: Finding[] = [];
    await dispatch([provider, reader], ctx(), (f) => findings.push(f));
    expect(ran).toBe(false);
    expect(findings.map(findingLine)).toEqual(['[INFO] skipped: needs the Helm release']);
  });

  it('"needs a cluster" is a fact the run scope answers: without a cluster such a module says so once and never runs', async () => {
    const seen: string[] = [];
    const needsCluster = defineModule({
      id: 'needs-cluster',
      title: 'n',
      needs: ['kubernetes'],
      checks: {},
      async run(c) {
        seen.push(`ran in ${c.scope.namespace}`);
      },
    });
    const offline = createContext(testOptions(), {
      ...memoryPlatform(loadWorld('camunda-8.8-healthy.yaml')),
      noCluster: 'no kubeconfig (values-only mode)',
    });
    const findings: Finding[] = [];
    await dispatch([needsCluster], offline, (f) => findings.push(f));
    expect(seen).toEqual([]);
    expect(findings.map(findingLine)).toEqual(['[INFO] skipped: needs the Kubernetes cluster']);
    // With a cluster the same module runs, and reads its namespace from the scope.
    await dispatch([needsCluster], ctx(), () => {});
    expect(seen).toEqual([`ran in ${testOptions().namespace}`]);
  });

  it('a fatal precondition stops the run: later modules are dropped or never started', async () => {
    let lateStarted = false;
    const fatal = defineModule({
      id: 'first',
      title: 'f',
      needs: [],
      checks: { 'first-fatal': { severity: 'FAIL', code: 7, title: 't', fix: 'f' } },
      async run(_c, out) {
        await sleep(20);
        throw out.fatal('first-fatal', 'cannot go on');
      },
    });
    const concurrent = defineModule({
      id: 'second',
      title: 's',
      needs: [],
      checks: {},
      async run(_c, out) {
        out.info('ran meanwhile');
      },
    });
    const late = defineModule({
      id: 'third',
      title: 't',
      needs: [],
      uses: [],
      checks: {},
      async run() {
        lateStarted = true;
      },
    });
    const findings: Finding[] = [];
    const completed = await dispatch([fatal, concurrent, late], ctx(), (f) => findings.push(f));
    expect(completed).toBe(false);
    expect(findings).toEqual([
      { level: 'FAIL', check: 'first-fatal', code: 7, module: 'first', message: 'cannot go on', fix: 'f' },
    ]);
    // Started before the fatal was known (no needs), but its findings are dropped.
    expect(lateStarted).toBe(true);
  });

  it('--skip drops a check’s findings and skips a whole module', async () => {
    const mod = defineModule({
      id: 'm',
      title: 'm',
      needs: [],
      checks: {
        'a-check': { severity: 'WARN', title: 't', fix: 'f' },
        'b-check': { severity: 'WARN', title: 't', fix: 'f' },
      },
      async run(_c, out) {
        out.warn('a-check', 'a');
        out.warn('b-check', 'b');
      },
    });
    const other = defineModule({
      id: 'other',
      title: 'o',
      needs: [],
      checks: {},
      async run(_c, out) {
        out.info('o');
      },
    });
    const findings: Finding[] = [];
    await dispatch([mod, other], ctx(), (f) => findings.push(f), { skip: new Set(['a-check', 'other']) });
    expect(findings.map(findingLine)).toEqual(['[WARN] b', '[INFO] skipped: --skip other']);
  });
});

describe('output is byte-identical to a sequential run', () => {
  it.each(WORLDS)('world %s (twice, against a sequential run)', async (file) => {
    const world = loadWorld(file);
    const options = { spawn: false, token: true };
    const sequential = await runChecks(world, CHECK_MODULES, { options, sequential: true, redact: true });
    const first = await runChecks(world, CHECK_MODULES, { options, redact: true });
    const second = await runChecks(world, CHECK_MODULES, { options, redact: true });
    expect(printed(first.findings)).toEqual(printed(sequential.findings));
    expect(printed(second.findings)).toEqual(printed(sequential.findings));
    expect(first.findings.length).toBeGreaterThan(10);
  });

  it('the demo bundle', async () => {
    const bundle = await readBundle(DEMO);
    const inv = bundle.invocation as Record<string, unknown>;
    const options = testOptions({
      namespace: 'camunda',
      pg: ['identity', 'webModeler'],
      os: ['orchestration', 'optimize'],
      spawn: inv.spawn as boolean,
      token: inv.token as boolean,
    });
    const once = async (sequential: boolean) => {
      const findings: Finding[] = [];
      const c = createContext(options, replayPlatform(bundle));
      await dispatch(CHECK_MODULES, c, (f) => findings.push(f), { sequential });
      return printed(findings);
    };
    const reference = await once(true);
    expect(await once(false)).toEqual(reference);
    expect(reference.some((l) => l.startsWith('[FAIL]'))).toBe(true);
  });
});
