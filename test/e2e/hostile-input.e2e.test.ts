/**
 * Issue 19, hostile input: the built CLI fed what a broken or hostile cluster or bundle
 * holds — a pod list with a null item, a release Secret whose data is a number, values
 * nested 10,000 deep, gzip bombs as a release and as a bundle, bundles with wrong types.
 * Each is one clear FAIL (exact lines, exit code), never "internal error" or a stack trace,
 * and the bombs are read with a 256 MB heap and a bounded resident set.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, ROOT, runCli, type CliResult } from '../support/cli.js';
import { startWorld } from '../support/kube-world.js';
import type { FakeKube } from '../support/fake-kube.js';
import { helmReleasePayload } from '../support/helm-release.js';
import { randomAccountId, seedMoto, type SeededMoto } from '../support/moto.js';
import { startRewritingProxy } from '../support/rewriting-proxy.js';
import type { TestServer } from '../support/silent-servers.js';
import { cloneWorld, loadWorld, type WorldModel } from '../support/world.js';

let moto: SeededMoto;
let healthy: WorldModel;
let fake: FakeKube | undefined;
let proxy: TestServer | undefined;
const dir = mkdtempSync(join(tmpdir(), 'irsa-hostile-'));

beforeAll(async () => {
  moto = await seedMoto(loadWorld('camunda-8.8-healthy.yaml'), undefined, { accountId: randomAccountId() });
  healthy = moto.world;
});

afterAll(async () => {
  await moto?.close();
});

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await fake?.close();
  fake = undefined;
});

function noCrash(r: CliResult): void {
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(r.stderr + r.stdout).not.toMatch(/internal error|Maximum call stack|FATAL ERROR|heap/i);
}

const FAIL_LINE = '[FAIL] irsa-check: At least one of the checks failed (error code: %d).';
const summary = (code: number) => FAIL_LINE.replace('%d', String(code));

/** The healthy world without its release: each test puts its own release Secret. */
async function worldWithoutRelease(): Promise<FakeKube> {
  const world = cloneWorld(healthy);
  world.kube.releases = [];
  return startWorld(world);
}

/** A release Secret as Helm's secret driver writes it, around `json` (the release as JSON text). */
function releaseSecret(json: Buffer | string, opts: { gzip?: Buffer } = {}): object {
  const helmLayer = (opts.gzip ?? gzipSync(json)).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: {
      name: 'sh.helm.release.v1.camunda.v1',
      namespace: 'camunda',
      labels: { name: 'camunda', owner: 'helm', status: 'deployed', version: '1' },
    },
    data: { release: Buffer.from(helmLayer).toString('base64') },
  };
}

/** The healthy release's JSON with `config.deep` nested `depth` levels (text: JSON.stringify would overflow). */
function deepReleaseJson(depth: number): string {
  const base = cloneWorld(healthy).kube.releases![0]!;
  const json = JSON.stringify(
    helmReleasePayload({
      name: 'camunda',
      namespace: 'camunda',
      version: 1,
      status: 'deployed',
      chart: { metadata: { name: 'camunda-platform', version: base.chart.version }, values: base.defaults },
      config: { ...base.user, deep: '__DEEP__' },
    }),
  );
  return json.replace('"__DEEP__"', '{"a":'.repeat(depth) + '1' + '}'.repeat(depth));
}

/**
 * `megabytes` of zeros as concatenated gzip members (gunzip reads them as one stream):
 * a bomb of about 1 KB per MB, made in milliseconds.
 */
function gzipBomb(megabytes: number): Buffer {
  const member = gzipSync(Buffer.alloc(8 * 1024 * 1024), { level: 9 });
  return Buffer.concat(Array<Buffer>(Math.ceil(megabytes / 8)).fill(member));
}

const PROBE = join(dir, 'rss-probe.cjs');
writeFileSync(
  PROBE,
  "process.on('exit', () => require('fs').writeFileSync(process.env.RSS_FILE, String(process.resourceUsage().maxRSS)));\n",
);

/** The CLI with a 256 MB heap; resolves with its result and its peak resident set in MB. */
function runSmallHeap(args: string[]): Promise<CliResult & { rssMb: number }> {
  const rssFile = join(mkdtempSync(join(dir, 'rss-')), 'rss');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=256', '--require', PROBE, BIN, ...args], {
      env: cleanEnv({ ...moto.env, RSS_FILE: rssFile }),
      cwd: ROOT,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = (s: string) => s.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
      let rssKb = Infinity;
      try {
        rssKb = Number(readFileSync(rssFile, 'utf8'));
      } catch {
        // no exit hook ran: the process died (a V8 fatal error), reported by the assertions
      }
      resolve({ code, stdout, stderr, out: lines(stdout), err: lines(stderr), rssMb: rssKb / 1024 });
    });
  });
}

describe('bad answers from the API server are a clear FAIL, never an internal error', () => {
  it('a pod list with a null item: the answer is malformed (exit 2), every other check still runs', async () => {
    fake = await startWorld(healthy);
    proxy = await startRewritingProxy(fake.url, [
      {
        path: /^\/api\/v1\/namespaces\/camunda\/pods$/,
        body: (list) => ({ ...list, items: [...list.items, null] }),
      },
    ]);
    const kubeconfig = join(mkdtempSync(join(dir, 'kc-')), 'config');
    writeFileSync(kubeconfig, readFileSync(fake.kubeconfigPath, 'utf8').split(fake.url).join(proxy.url));
    const r = await runCli(['-n', 'camunda', '-s', '--no-token', '--kubeconfig', kubeconfig], {
      env: moto.env,
    });
    noCrash(r);
    expect(r.code).toBe(2);
    const malformed = r.err.filter((l) => l.includes('MalformedAnswer'));
    expect(malformed.length).toBeGreaterThan(0);
    for (const line of malformed) {
      expect(line).toMatch(
        /^\[FAIL\] (\w+: )?irsa-check cannot call list pods \(MalformedAnswer\): the API server answered with null at items\[\d+\], where an object belongs$/,
      );
    }
    expect(r.out).toContain(
      '[OK] Helm release camunda found: chart camunda-platform-13.1.2 (Camunda 8.8.x), revision 3',
    );
    expect(r.err.at(-1)).toBe(summary(2));
  });

  it('a Helm release Secret whose data is a number: the release is unreadable (exit 5)', async () => {
    fake = await worldWithoutRelease();
    fake.put({ ...(releaseSecret('{}') as Record<string, unknown>), data: { release: 12345 } });
    const r = await runCli(['-n', 'camunda', '-s', '--no-token', '--kubeconfig', fake.kubeconfigPath], {
      env: moto.env,
    });
    noCrash(r);
    expect(r.code).toBe(5);
    expect(r.err).toEqual([
      '[FAIL] the Helm release could not be decoded: secret sh.helm.release.v1.camunda.v1: not a Helm release (no release data)',
      '       fix: The release Secret is corrupt or not written by Helm 3; `helm history` shows it, a `helm upgrade` rewrites it.',
      summary(5),
    ]);
  });
});

describe('input limits: each breach is one FAIL naming the limit and the flag that raises it', () => {
  const DEPTH_FAIL = [
    '[FAIL] the Helm release could not be decoded: secret sh.helm.release.v1.camunda.v1: the release is nested deeper than the input limit of 100 levels (--max-depth raises it)',
    '       fix: If the release is genuine, run again with a higher --max-depth; `helm history` shows its revisions.',
    summary(5),
  ];

  it('values nested 10,000 deep: exit 5 naming --max-depth; --record writes a bundle whose replay says the same', async () => {
    fake = await worldWithoutRelease();
    fake.put(releaseSecret(deepReleaseJson(10_000)));
    const bundle = join(dir, 'deep.json.gz');
    const args = ['-n', 'camunda', '-s', '--no-token', '--kubeconfig', fake.kubeconfigPath];
    const r = await runCli([...args, '--record', bundle], { env: moto.env });
    noCrash(r);
    expect(r.code).toBe(5);
    expect(r.err).toEqual(DEPTH_FAIL);
    const replayed = await runCli(['--replay', bundle]);
    noCrash(replayed);
    expect(replayed.code).toBe(5);
    expect(replayed.err).toEqual(DEPTH_FAIL);
  });

  it('a 1 MB gzip-bomb release with a 256 MB heap: exit 5 naming --max-input-mb, resident set bounded', async () => {
    fake = await worldWithoutRelease();
    fake.put(releaseSecret('', { gzip: gzipBomb(1024) }));
    const r = await runSmallHeap(['-n', 'camunda', '-s', '--no-token', '--kubeconfig', fake.kubeconfigPath]);
    noCrash(r);
    expect(r.code).toBe(5);
    expect(r.err).toEqual([
      '[FAIL] the Helm release could not be decoded: secret sh.helm.release.v1.camunda.v1: the release is larger than the 64 MB input limit (--max-input-mb raises it)',
      '       fix: If the release is genuine, run again with a higher --max-input-mb; `helm history` shows its revisions.',
      summary(5),
    ]);
    expect(r.rssMb).toBeLessThan(400);
  });

  it('a gzip-bomb bundle with a 256 MB heap: exit 1 naming --max-input-mb, resident set bounded', async () => {
    const file = join(dir, 'bomb.json.gz');
    writeFileSync(file, gzipBomb(3072));
    const r = await runSmallHeap(['--replay', file]);
    noCrash(r);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      `[FAIL] bundle ${file} is larger than the 64 MB input limit (--max-input-mb raises it)`,
      '       fix: If the bundle is genuine, run again with a higher --max-input-mb.',
      summary(1),
    ]);
    expect(r.rssMb).toBeLessThan(400);
  });

  it('a bundle that is a FIFO is refused at once, not waited on', async () => {
    const fifo = join(dir, 'bundle.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await runCli(['--replay', fifo], { timeoutMs: 20_000 });
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      `[FAIL] bundle ${fifo} is not a regular file`,
      '       fix: Pass the bundle file written by irsa-check --record.',
      summary(1),
    ]);
  });

  it.each([
    [['--max-input-mb', '0'], '--max-input-mb takes a whole number of MB from 1 to 1024, got "0"'],
    [['--max-depth', 'deep'], '--max-depth takes a whole number of levels from 1 to 1000, got "deep"'],
    [['--max-depth', '5000'], '--max-depth takes a whole number of levels from 1 to 1000, got "5000"'],
  ])('%j is a usage error', async (flag, message) => {
    const r = await runCli(['-n', 'camunda', ...flag]);
    expect(r.code).toBe(1);
    expect(r.err[0]).toBe(`[FAIL] ${message}`);
  });
});

describe('a bundle with wrong types is damaged: exit 1 naming the place, never an internal error', () => {
  const demo = () =>
    JSON.parse(readFileSync(join(ROOT, 'fixtures/bundles/camunda-8.8-two-faults.json'), 'utf8')) as {
      invocation: unknown;
      calls: Array<{ api: string; method: string; result?: unknown; error?: unknown }>;
    };
  const index = (b: ReturnType<typeof demo>, method: string) => b.calls.findIndex((c) => c.method === method);

  it.each<[string, (b: ReturnType<typeof demo>) => string]>([
    [
      'invocation null',
      (b) => {
        b.invocation = null;
        return 'invocation is null where an object belongs';
      },
    ],
    [
      'a call that is null',
      (b) => {
        (b.calls as unknown[])[2] = null;
        return 'calls[2] is null where an object belongs';
      },
    ],
    [
      'a pod list holding null',
      (b) => {
        const i = index(b, 'pods');
        (b.calls[i]!.result as unknown[]).push(null);
        const n = (b.calls[i]!.result as unknown[]).length - 1;
        return `calls[${i}].result[${n}] is null where an object belongs (the answer to kube.pods)`;
      },
    ],
    [
      'Helm release records that are null',
      (b) => {
        const i = index(b, 'helmReleaseRecords');
        b.calls[i]!.result = null;
        return `calls[${i}].result is null where a list belongs (the answer to kube.helmReleaseRecords)`;
      },
    ],
    [
      'a pod whose containers are an object',
      (b) => {
        const i = index(b, 'pods');
        (b.calls[i]!.result as Array<Record<string, unknown>>)[0]!.containers = {};
        return `calls[${i}].result[0].containers is an object where a list belongs (the answer to kube.pods)`;
      },
    ],
    [
      'an error whose message is a number',
      (b) => {
        b.calls[0]!.error = { api: 'kube', operation: 'x', reason: 'y', message: 7 };
        return 'calls[0].error.message is a number where a string belongs';
      },
    ],
  ])('%s', async (name, damage) => {
    const bundle = demo();
    const where = damage(bundle);
    const file = join(dir, `${name.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(bundle));
    const r = await runCli(['--replay', file]);
    noCrash(r);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      `[FAIL] bundle ${file} is damaged: ${where}`,
      '       fix: Pass the bundle file written by irsa-check --record.',
      summary(1),
    ]);
  });
});
