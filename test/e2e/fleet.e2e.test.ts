/**
 * Fleets (issue 20 point 5): `--context a,b,c` and `--all-contexts` check several clusters in
 * one invocation — one section per context, in the order named, one exit code for the whole.
 * The clusters are fake API servers over one seeded moto: two healthy, one with a planted
 * fault (a ServiceAccount without its role annotation), one unreachable, one context without
 * a namespace.
 */
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import ajvDraft04 from 'ajv-draft-04';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { BIN, cleanEnv, runCli, type CliResult } from '../support/cli.js';
import { startSilentServer, type TestServer } from '../support/silent-servers.js';
import { startWorld } from '../support/kube-world.js';
import type { FakeKube } from '../support/fake-kube.js';
import { seedMoto, type SeededMoto } from '../support/moto.js';
import { cloneWorld, loadWorld } from '../support/world.js';
import { perContextPath } from '../../src/fleet.js';

const BROKEN_LINE =
  '[FAIL] optimize: service account camunda-optimize has no eks.amazonaws.com/role-arn annotation';
const dir = mkdtempSync(join(tmpdir(), 'irsa-fleet-'));
let moto: SeededMoto;
const fakes: FakeKube[] = [];
/** Contexts prod-eu, prod-us (healthy), broken (planted fault), gone (unreachable), nons (no namespace). */
let kubeconfig: string;
/** Only the two healthy contexts. */
let healthyOnly: string;
/** A cluster that accepts connections and never answers. */
let silent: TestServer | undefined;

interface KubeconfigDoc {
  clusters: Array<{ name: string; cluster: Record<string, unknown> }>;
  users: Array<{ name: string; user: unknown }>;
  contexts: Array<{ name: string; context: Record<string, string> }>;
  'current-context': string;
}

/** One kubeconfig with a context per fake API server (renamed), as `aws eks update-kubeconfig` builds up. */
function merge(
  entries: Array<[name: string, fake: FakeKube | 'gone' | { url: string }, namespace?: string]>,
): string {
  const out: KubeconfigDoc = { clusters: [], users: [], contexts: [], 'current-context': entries[0]![0] };
  for (const [name, fake, namespace] of entries) {
    const ns: Record<string, string> = namespace ? { namespace } : {};
    if (fake === 'gone' || !('kubeconfigPath' in fake)) {
      const server = fake === 'gone' ? 'http://127.0.0.1:9' : fake.url;
      out.clusters.push({ name, cluster: { server, 'insecure-skip-tls-verify': true } });
      out.users.push({ name, user: { token: 't' } });
    } else {
      const doc = yaml.load(readFileSync(fake.kubeconfigPath, 'utf8')) as KubeconfigDoc;
      out.clusters.push({ name, cluster: doc.clusters[0]!.cluster });
      out.users.push({ name, user: doc.users[0]!.user });
    }
    out.contexts.push({ name, context: { cluster: name, user: name, ...ns } });
  }
  const file = join(dir, `kubeconfig-${entries.map((e) => e[0]).join('-')}`);
  writeFileSync(file, yaml.dump(out, { lineWidth: -1 }));
  return file;
}

beforeAll(async () => {
  const fixture = loadWorld('camunda-8.8-healthy.yaml');
  moto = await seedMoto(fixture);
  const broken = cloneWorld(fixture);
  broken.kube.serviceAccounts!.find((s) => s.name === 'camunda-optimize')!.annotations = {};
  for (const world of [moto.world, moto.world, moto.rewrite(broken)]) fakes.push(await startWorld(world));
  const [eu, us, bad] = fakes as [FakeKube, FakeKube, FakeKube];
  kubeconfig = merge([
    ['prod-eu', eu, 'camunda'],
    ['prod-us', us, 'camunda'],
    ['broken', bad, 'camunda'],
    ['gone', 'gone', 'camunda'],
    ['nons', eu],
  ]);
  healthyOnly = merge([
    ['prod-eu', eu, 'camunda'],
    ['prod-us', us, 'camunda'],
  ]);
});

afterAll(async () => {
  await silent?.close();
  for (const fake of fakes) await fake.close();
  await moto?.close();
});

const cli = (args: string[], config = kubeconfig): Promise<CliResult> =>
  runCli(['--kubeconfig', config, '-s', ...args], { env: moto.env });

/** What one context prints alone: the fleet must print exactly that in its section. */
const single = (context: string) => cli(['--context', context]);

const contextLine = (name: string, code: number) =>
  new RegExp(
    `^\\[(OK|FAIL)\\] context ${name}: \\d+ OK, \\d+ INFO, \\d+ WARN, \\d+ FAIL \\(exit code ${code}\\)$`,
  );

describe('--context a,b (text)', () => {
  it('two healthy clusters: exit 0, one section each in the order named, each as it prints alone', async () => {
    const [eu, us] = [await single('prod-eu'), await single('prod-us')];
    const r = await cli(['--context', 'prod-us,prod-eu']);
    expect(r.code).toBe(0);
    expect(r.out.slice(0, -3)).toEqual([
      '[INFO] context prod-us (namespace camunda)',
      ...us.out,
      '[INFO] context prod-eu (namespace camunda)',
      ...eu.out,
    ]);
    expect(r.out.at(-3)).toMatch(contextLine('prod-us', 0));
    expect(r.out.at(-2)).toMatch(contextLine('prod-eu', 0));
    expect(r.out.at(-1)).toBe('[OK] irsa-check: all 2 contexts passed.');
    expect(r.err).toEqual([]);
  });

  it("one healthy, one broken: the broken cluster's FAIL and exit code", async () => {
    const r = await cli(['--context', 'broken,prod-eu']);
    expect(r.code).toBe(110);
    expect(r.err).toContain(BROKEN_LINE);
    expect(r.out).toContain('[INFO] context prod-eu (namespace camunda)');
    expect(r.out).toContain('[OK] irsa-check: All checks passed.');
    expect(r.err.at(-2)).toMatch(contextLine('broken', 110));
    expect(r.err.at(-1)).toBe('[FAIL] irsa-check: 1 of 2 contexts failed (error code: 110).');
    expect(r.out.at(-1)).toMatch(contextLine('prod-eu', 0));
  });

  it('--fail-on never: the planted fault no longer fails the fleet', async () => {
    const r = await cli(['--context', 'broken,prod-eu', '--fail-on', 'never']);
    expect(r.code).toBe(0);
    expect(r.err).toContain(BROKEN_LINE);
  });

  it('an unreachable cluster is its own FAIL; the others are still checked', async () => {
    const eu = await single('prod-eu');
    const r = await cli(['--context', 'gone,prod-eu']);
    expect(r.code).toBe(3);
    expect(r.err).toContain(
      '[FAIL] cannot reach the Kubernetes API server at http://127.0.0.1:9: API server unreachable (ECONNREFUSED)',
    );
    const section = r.out.indexOf('[INFO] context prod-eu (namespace camunda)');
    expect(r.out.slice(section + 1, section + 1 + eu.out.length)).toEqual(eu.out);
    expect(r.err.at(-2)).toMatch(contextLine('gone', 3));
    expect(r.err.at(-1)).toBe('[FAIL] irsa-check: 1 of 2 contexts failed (error code: 3).');
  });

  it('the exit code is the last FAIL in context order, not in finishing order', async () => {
    const r = await cli(['--context', 'broken,gone']);
    expect(r.code).toBe(3);
    const r2 = await cli(['--context', 'gone,broken']);
    expect(r2.code).toBe(110);
  });

  it('a context without a namespace (and no -n) is a usage FAIL for that context only', async () => {
    const r = await cli(['--context', 'nons,prod-eu']);
    expect(r.code).toBe(1);
    expect(r.out[0]).toBe('[INFO] context nons (no namespace)');
    expect(r.err).toContain('[FAIL] context nons sets no namespace and -n was not given');
    expect(r.out).toContain('[INFO] context prod-eu (namespace camunda)');
    expect(r.out).toContain('[OK] irsa-check: All checks passed.');
    // -n applies to every context, that one included.
    const withN = await cli(['--context', 'nons,prod-eu', '-n', 'camunda']);
    expect(withN.code).toBe(0);
    expect(withN.out[0]).toBe('[INFO] context nons (namespace camunda)');
  });

  it('an unknown context name: a usage error naming it, with did-you-mean, before any call', async () => {
    const before = fakes.map((f) => f.requests.length);
    const r = await cli(['--context', 'prod-eu,prod-eux']);
    expect(r.code).toBe(1);
    expect(r.out).toEqual([]);
    expect(r.err[0]).toBe(
      '[FAIL] --context: the kubeconfig has no context "prod-eux" (did you mean "prod-eu"?) (it has: prod-eu, prod-us, broken, gone, nons)',
    );
    expect(fakes.map((f) => f.requests.length)).toEqual(before);
  });

  it('--all-contexts: every context of the kubeconfig, in its order', async () => {
    const r = await cli(['--all-contexts']);
    expect(r.out.filter((l) => l.startsWith('[INFO] context '))).toEqual([
      '[INFO] context prod-eu (namespace camunda)',
      '[INFO] context prod-us (namespace camunda)',
      '[INFO] context broken (namespace camunda)',
      '[INFO] context gone (namespace camunda)',
      '[INFO] context nons (no namespace)',
    ]);
    expect(r.code).toBe(1); // nons, the last context, could not be checked (usage)
    expect(r.err.at(-1)).toBe('[FAIL] irsa-check: 3 of 5 contexts failed (error code: 1).');
  });

  it('--all-contexts with --context is a usage error', async () => {
    const r = await cli(['--all-contexts', '--context', 'prod-eu']);
    expect(r.code).toBe(1);
    expect(r.err[0]).toBe('[FAIL] --all-contexts and --context cannot be combined');
  });
});

describe('--context a,b in the other formats', () => {
  it('JSON: one irsa-check/fleet@1 document, a report per context', async () => {
    const r = await cli(['--context', 'prod-eu,broken', '-o', 'json']);
    expect(r.code).toBe(110);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe('irsa-check/fleet@1');
    expect(doc.exitCode).toBe(110);
    expect(doc.contexts.map((c: { context: string; exitCode: number }) => [c.context, c.exitCode])).toEqual([
      ['prod-eu', 0],
      ['broken', 110],
    ]);
    const [eu, broken] = doc.contexts.map(
      (c: { report: { schema: string; namespace: string; exitCode: number } }) => c.report,
    );
    expect([eu.schema, eu.namespace, eu.exitCode]).toEqual(['irsa-check/report@1', 'camunda', 0]);
    expect(broken.exitCode).toBe(110);
    expect(broken.findings.map((f: { message: string }) => f.message)).toContain(
      'service account camunda-optimize has no eks.amazonaws.com/role-arn annotation',
    );
  });

  it('SARIF: one valid log, one run per context named by automationDetails.id', async () => {
    const require = createRequire(import.meta.url);
    const schema = JSON.parse(
      readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
    );
    const AjvDraft04 = ajvDraft04 as unknown as typeof ajvDraft04.default;
    const validate = new AjvDraft04({
      strict: false,
      allErrors: true,
      unicodeRegExp: false,
      validateFormats: false,
      logger: false,
    }).compile(schema);
    const r = await cli(['--context', 'prod-eu,broken', '-o', 'sarif']);
    expect(r.code).toBe(110);
    const doc = JSON.parse(r.stdout);
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(doc.runs.map((run: { automationDetails: { id: string } }) => run.automationDetails.id)).toEqual([
      'irsa-check/prod-eu/',
      'irsa-check/broken/',
    ]);
    const ruleIds = (i: number) => doc.runs[i].results.map((x: { ruleId: string }) => x.ruleId);
    expect(ruleIds(1)).toContain('sa-annotation');
    expect(ruleIds(0)).not.toContain('sa-annotation');
  });

  it('markdown: one "## Context" section per context, in order', async () => {
    const r = await cli(['--context', 'prod-us,prod-eu', '-o', 'markdown'], healthyOnly);
    expect(r.code).toBe(0);
    expect(r.out.filter((l) => l.startsWith('## Context'))).toEqual([
      '## Context prod-us',
      '## Context prod-eu',
    ]);
  });

  it('--junit, --record: one file per context; --summary: one file, a section per context', async () => {
    const out = mkdtempSync(join(tmpdir(), 'irsa-fleet-files-'));
    const summary = join(out, 'summary.md');
    const r = await cli(
      [
        '--context',
        'prod-eu,prod-us',
        '--junit',
        join(out, 'irsa.xml'),
        '--record',
        join(out, 'bundle.json.gz'),
        '--summary',
        summary,
      ],
      healthyOnly,
    );
    expect(r.code).toBe(0);
    for (const name of [
      'irsa.prod-eu.xml',
      'irsa.prod-us.xml',
      'bundle.prod-eu.json.gz',
      'bundle.prod-us.json.gz',
    ])
      expect(existsSync(join(out, name)), name).toBe(true);
    expect(existsSync(join(out, 'irsa.xml'))).toBe(false);
    const md = readFileSync(summary, 'utf8').split('\n');
    expect(md.filter((l) => l.startsWith('## Context'))).toEqual([
      '## Context prod-eu',
      '## Context prod-us',
    ]);
  });
});

describe('perContextPath', () => {
  it.each([
    ['out/irsa.xml', 'prod-eu', 'out/irsa.prod-eu.xml'],
    ['bundle.json.gz', 'prod-eu', 'bundle.prod-eu.json.gz'],
    ['report', 'staging', 'report.staging'],
    ['.hidden.xml', 'a', '.hidden.a.xml'],
    [
      'r.xml',
      'arn:aws:eks:eu-west-1:111122223333:cluster/prod',
      'r.arn_aws_eks_eu-west-1_111122223333_cluster_prod.xml',
    ],
    ['r.xml', '../../etc', 'r.__.._etc.xml'],
  ])('%s for %s → %s', (file, context, expected) => {
    expect(perContextPath(file, context)).toBe(expected);
  });
});

describe('fleet text on a terminal', () => {
  /** The CLI on a pseudo-terminal (util-linux `script`), as a person at a shell sees it. */
  function onTerminal(args: string[], env: Record<string, string> = {}): Promise<string> {
    const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    return new Promise((resolve, reject) => {
      const child = spawn('script', ['-qec', quoted, '/dev/null'], {
        env: cleanEnv({ ...moto.env, ...env }),
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', () => resolve(out));
    });
  }

  it('colours and the waiting line as a single run has them; --timeout applies to each context on its own', async () => {
    silent = await startSilentServer();
    const config = merge([
      ['prod-eu', fakes[0]!, 'camunda'],
      ['hung', { url: silent.url }, 'camunda'],
    ]);
    const fleet = (timeout: number) => [
      ...['--kubeconfig', config, '-s', '--context', 'prod-eu,hung'],
      ...['--timeout', String(timeout)],
    ];
    const env = { IRSA_CHECK_REQUEST_TIMEOUT_MS: '60000' };
    // ESC spelt out, so the colour codes read as text in the expectations. A deadline the healthy
    // cluster meets even on a loaded machine; the hung one runs into it.
    const screen = (await onTerminal(fleet(20), env)).replaceAll('\x1b', 'ESC');
    // The fleet's waiting line, on stderr, while a context runs (after the first second).
    expect(screen).toMatch(/… checking 2 contexts: waiting for [\w-]+( and 1 more)? \(\d done, \d+ s\)/);
    // Colours: the fleet's own lines and each context's lines, as a single run paints them.
    expect(screen).toContain('ESC[36m[INFO]ESC[39m context prod-eu (namespace camunda)');
    expect(screen).toMatch(/ESC\[32m\[OK\]ESC\[39m Helm release camunda found/);
    expect(screen).toMatch(
      /ESC\[32m\[OK\]ESC\[39m context prod-eu: \d+ OK, \d+ INFO, 0 WARN, 0 FAIL \(exit code 0\)/,
    );
    // --timeout is each context's own deadline: the hung cluster times out, the healthy one passes.
    expect(screen).toMatch(/ESC\[31m\[FAIL\]ESC\[39m irsa-check did not finish within 20 s \(--timeout\)/);
    expect(screen).toMatch(/ESC\[31m\[FAIL\]ESC\[39m context hung: .* \(exit code 2\)/);
    // The waiting line is erased before the report: no report line starts with it.
    expect(screen.split('\n').filter((l) => l.startsWith('… checking'))).toEqual([]);

    // The runs below last 3 s at least (the hung cluster's deadline), long enough for a waiting line.
    // Piped: no colour, no waiting line (the streams are not terminals).
    const piped = await runCli(fleet(3), { env: { ...moto.env, ...env } });
    expect(piped.stdout + piped.stderr).not.toContain('\x1b[');
    expect(piped.stderr).not.toContain('… checking');
    expect(piped.stderr).toContain('[FAIL] irsa-check did not finish within 3 s (--timeout)');
    // --output json on a terminal: no waiting line either, as a single run.
    expect(await onTerminal([...fleet(3), '--output', 'json'], env)).not.toContain('… checking');
    // NO_COLOR: the terminal gets no colours.
    expect(await onTerminal(fleet(3), { ...env, NO_COLOR: '1' })).not.toContain('\x1b[3');
  }, 120_000);
});
