/**
 * Issue 12 (never hang, one contract in every mode): the built CLI against servers
 * that stay silent, answer HTML, or throttle; exact lines, streams and exit codes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { BIN, cleanEnv } from '../support/cli.js';
import { startWorld } from '../support/kube-world.js';
import type { FakeKube } from '../support/fake-kube.js';
import { hostileSuite } from '../support/hostile-suite.js';
import { corruptHelmReleaseSecret } from '../support/helm-release.js';
import { cloneWorld } from '../support/world.js';
import {
  kubeconfigFor,
  startHtmlServer,
  startSilentServer,
  type TestServer,
} from '../support/silent-servers.js';

const h = hostileSuite();
const cli = h.cli;
let fake: FakeKube | undefined;
let server: TestServer | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
  await server?.close();
  server = undefined;
});

describe('never hang: per-request timeouts and one overall deadline', () => {
  it.each(['http', 'https'])(
    'an API server that accepts the connection (%s) and never answers: exit 3 naming endpoint, call and timeout',
    async (scheme) => {
      server = await startSilentServer();
      const url = `${scheme}://127.0.0.1:${server.port}`;
      const r = await cli(['-n', 'camunda', '-s', '--kubeconfig', kubeconfigFor(url)], {
        IRSA_CHECK_REQUEST_TIMEOUT_MS: '1000',
      });
      expect(r.code).toBe(3);
      // Over https the server never completes the handshake: the words say so.
      const waited = scheme === 'https' ? 'no TLS handshake within 1 s' : 'no answer within 1 s';
      expect(r.err).toEqual([
        `[FAIL] the Kubernetes API server at ${url} did not answer get namespaces: ${waited}`,
        '       fix: Check the kubeconfig context (--context), VPN, proxy or firewall between irsa-check and the cluster endpoint.',
        '[FAIL] irsa-check: At least one of the checks failed (error code: 3).',
      ]);
      // generous: a loaded 2-core machine starts Node slowly; a hang would last until --timeout (120 s)
      expect(r.seconds).toBeLessThan(60);
    },
  );

  it('an STS endpoint that never answers: a FAIL naming the call and the timeout, exit 2, no SDK log line', async () => {
    fake = await startWorld(h.healthy);
    server = await startSilentServer();
    const r = await cli(['-n', 'camunda', '-s', '--no-token', '--kubeconfig', fake.kubeconfigPath], {
      IRSA_CHECK_REQUEST_TIMEOUT_MS: '3000',
      AWS_ENDPOINT_URL_STS: server.url,
    });
    expect(r.code).toBe(2);
    expect(r.err).toEqual([
      '[FAIL] irsa-check cannot call sts:GetCallerIdentity (Timeout): no answer within 3 s',
      '       fix: STS is throttling, failing or unreachable: check network access to STS (proxy, VPC endpoint) and run irsa-check again.',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 2).',
    ]);
    // a hang would last until --timeout (120 s)
    expect(r.seconds).toBeLessThan(60);
  });

  it('--timeout ends a run that is still waiting, naming what it waits for', async () => {
    fake = await startWorld(h.healthy);
    server = await startSilentServer();
    const r = await cli(
      ['-n', 'camunda', '-s', '--no-token', '--timeout', '2', '--kubeconfig', fake.kubeconfigPath],
      // the silent call's own deadline (300 s) is far beyond --timeout: only --timeout can end the run
      { IRSA_CHECK_REQUEST_TIMEOUT_MS: '300000', AWS_ENDPOINT_URL_STS: server.url },
    );
    expect(r.code).toBe(2);
    // What else is in flight at the deadline depends on the machine's speed (the dataflow
    // dispatcher starts calls as their inputs come): only the silent call is certain, and
    // it is named first, having been sent first.
    expect(r.err[0]).toMatch(
      /^\[FAIL\] irsa-check did not finish within 2 s \(--timeout\): still waiting for AWS callerIdentity(, [\w ./:-]+)*$/,
    );
    expect(r.err.slice(1)).toEqual([
      '       fix: Check network access to the API server and AWS (proxy, VPN, firewall); raise --timeout for a very large cluster.',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 2).',
    ]);
    expect(r.seconds).toBeLessThan(60);
  });
});

describe('not a Kubernetes API server: exit 3', () => {
  it.each([
    [404, 'HTTP 404 with an HTML page'],
    [200, 'HTTP 200 with an HTML page'],
  ])('a URL that answers %i HTML', async (status, answered) => {
    server = await startHtmlServer(status);
    const r = await cli(['-n', 'camunda', '-s', '--kubeconfig', kubeconfigFor(server.url)]);
    expect(r.code).toBe(3);
    expect(r.err).toEqual([
      `[FAIL] ${server.url} is not a Kubernetes API server: get namespaces answered ${answered}`,
      '       fix: Point the kubeconfig (--kubeconfig, --context) at the cluster endpoint, e.g. `aws eks update-kubeconfig --name <cluster>`; a proxy or captive portal may be answering instead.',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 3).',
    ]);
  });
});

describe('output paths are checked before any call', () => {
  it('an --junit path in a directory that does not exist: exit 1 before any call', async () => {
    fake = await startWorld(h.healthy);
    const r = await cli([
      '-n',
      'camunda',
      '-s',
      '--kubeconfig',
      fake.kubeconfigPath,
      '--junit',
      '/nonexistent-dir/report.xml',
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toEqual([]);
    expect(r.err).toEqual([
      '[FAIL] cannot write --junit /nonexistent-dir/report.xml: directory /nonexistent-dir does not exist',
      '       fix: Pass a writable path to --junit; nothing was checked yet.',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 1).',
    ]);
    expect(fake.requests).toEqual([]);
  });

  it('a --record path that is a directory: exit 1, and --output json still prints a document', async () => {
    fake = await startWorld(h.healthy);
    const dir = mkdtempSync(join(tmpdir(), 'irsa-out-'));
    const r = await cli([
      '-n',
      'camunda',
      '-s',
      '--output',
      'json',
      '--kubeconfig',
      fake.kubeconfigPath,
      '--record',
      dir,
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([]);
    const doc = JSON.parse(r.stdout);
    expect(doc.exitCode).toBe(1);
    expect(doc.findings[0]).toMatchObject({
      level: 'FAIL',
      code: 1,
      message: `cannot write --record ${dir}: it is a directory`,
    });
    expect(fake.requests).toEqual([]);
  });

  it('a write that fails at the end (/dev/full) is a FAIL in the same run: exit and JSON agree', async () => {
    fake = await startWorld(h.healthy);
    const r = await cli([
      '-n',
      'camunda',
      '-s',
      '--no-token',
      '--output',
      'json',
      '--kubeconfig',
      fake.kubeconfigPath,
      '--junit',
      '/dev/full',
    ]);
    const doc = JSON.parse(r.stdout);
    expect(r.code).toBe(2);
    expect(doc.exitCode).toBe(2);
    expect(
      doc.findings
        .filter((f: { level: string }) => f.level === 'FAIL')
        .map((f: { message: string }) => f.message),
    ).toEqual([
      'cannot write --junit /dev/full: ENOSPC',
      'irsa-check: At least one of the checks failed (error code: 2).',
    ]);
  });
});

describe('machine-readable output survives fatal errors; text fatal errors are [FAIL] lines', () => {
  it.each([
    [['--output', 'json', '-n', 'camunda'], { KUBECONFIG: undefined }, 3, /^no kubeconfig found/],
    [['--output', 'json', '-n', 'camunda', '--frobnicate'], {}, 1, /^unknown option '--frobnicate'$/],
    [['--output=json', '-n', 'Bad_NS'], {}, 1, /^invalid namespace "Bad_NS"/],
    [['--output', 'json', '--replay', '/nonexistent/bundle.json'], {}, 1, /^cannot read bundle/],
  ])('%j: one JSON document on stdout, nothing on stderr', async (args, env, code, message) => {
    const r = await cli(args as string[], env as Record<string, undefined>);
    expect(r.code).toBe(code);
    expect(r.err).toEqual([]);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schema: 'irsa-check/report@1', exitCode: code });
    expect(doc.findings[0].level).toBe('FAIL');
    expect(doc.findings[0].message).toMatch(message);
  });

  it('--output sarif with a bad values file is a valid SARIF log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irsa-values-'));
    const file = join(dir, 'values.yaml');
    writeFileSync(file, 'a: [\n');
    const r = await cli(
      ['-n', 'camunda', '--output', 'sarif', '--values', file, '--chart-version', '13.1.2'],
      {
        KUBECONFIG: undefined,
      },
    );
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.version).toBe('2.1.0');
    expect(doc.runs[0].results[0].level).toBe('error');
  });

  it('text mode: an unknown context is a [FAIL] line with its fix and the summary line', async () => {
    fake = await startWorld(h.healthy);
    const r = await cli(['-n', 'camunda', '--context', 'staging', '--kubeconfig', fake.kubeconfigPath]);
    expect(r.code).toBe(3);
    expect(r.err).toEqual([
      '[FAIL] kubeconfig has no context named "staging"',
      '       fix: Point irsa-check at the cluster with --kubeconfig, KUBECONFIG or --context; `aws eks update-kubeconfig --name <cluster>` writes a kubeconfig.',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 3).',
    ]);
  });
});

describe('exit codes as the README says', () => {
  it.each(['throttling', 'serverError'] as const)(
    'STS %s beyond the retries: exit 2 (could not ask), not 1',
    async (kind) => {
      fake = await startWorld(h.healthy);
      h.moto.proxy.fail('sts:GetCallerIdentity', kind);
      const r = await cli(['-n', 'camunda', '-s', '--no-token', '--kubeconfig', fake.kubeconfigPath]);
      expect(r.code).toBe(2);
      expect(r.err[0]).toMatch(/^\[FAIL\] irsa-check cannot call sts:GetCallerIdentity \(\w+\): /);
    },
    // five attempts with the SDK's throttling backoff (jittered, up to 1 + 2 + 4 + 8 s): the
    // default test timeout (vitest.config.ts) allows for it on a loaded machine
  );

  it('AWS credentials expiring mid-run: "credentials expired", not "grant it"', async () => {
    fake = await startWorld(h.healthy);
    h.moto.proxy.fail('iam:GetRole', 'expiredToken');
    const r = await cli([
      '-n',
      'camunda',
      '-s',
      '--no-token',
      '-p',
      'identity',
      '-l',
      '',
      '--kubeconfig',
      fake.kubeconfigPath,
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      "[FAIL] identity: irsa-check cannot call iam:GetRole (ExpiredToken): irsa-check's credentials expired during the run",
    );
    expect(r.err).toContain(
      '       fix: Refresh the AWS credentials (e.g. `aws sso login`) and run irsa-check again.',
    );
    expect(r.stderr).not.toMatch(/grant it/);
  });

  it('RBAC denying TokenRequest: exit 2 (irsa-check could not ask), not 231', async () => {
    fake = await startWorld(h.healthy, {
      faults: [
        {
          method: 'POST',
          path: /^\/api\/v1\/namespaces\/camunda\/serviceaccounts\/[^/]+\/token$/,
          status: 403,
          reason: 'Forbidden',
        },
      ],
    });
    const r = await cli([
      '-n',
      'camunda',
      '-s',
      '-p',
      'identity',
      '-l',
      '',
      '--output',
      'json',
      '--kubeconfig',
      fake.kubeconfigPath,
    ]);
    const doc = JSON.parse(r.stdout);
    const token = doc.findings.filter(
      (f: { module: string; level: string }) => f.module === 'token' && f.level === 'FAIL',
    );
    expect(token.length).toBeGreaterThan(0);
    expect(token.map((f: { code: number }) => f.code)).toEqual(token.map(() => 2));
    expect(r.code).toBe(2);
  });

  it('-e excluding every component is not a pass with zero checks: exit 1', async () => {
    fake = await startWorld(h.healthy);
    const r = await cli(
      [
        '-n',
        'camunda',
        '-s',
        '--no-token',
        '-p',
        'identity',
        '-l',
        'optimize',
        '-e',
        'identity,optimize',
        '--kubeconfig',
        fake.kubeconfigPath,
      ],
      { EXCLUDE_COMPONENTS: undefined },
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      '[FAIL] nothing to check: -e/--exclude (identity, optimize) excludes every component of -p/--pg and -l/--os',
    );
  });

  it('a component name that no chart version has is rejected before any cluster call', async () => {
    fake = await startWorld(h.healthy);
    const r = await cli(['-n', 'camunda', '-s', '-p', 'identty', '--kubeconfig', fake.kubeconfigPath]);
    expect(r.code).toBe(1);
    // The closest name is offered (issue 20).
    expect(r.err[0]).toBe(
      '[FAIL] unknown component "identty" in -p/--pg: no Camunda chart version has it (did you mean "identity"?)',
    );
    expect(r.err[1]).toMatch(
      /^ {7}fix: Use one of: .*identity.*webModeler.* \(which ones apply depends on the chart version\)\.$/,
    );
    expect(fake.requests).toEqual([]);
  });
});

describe('releases and kubeconfigs as Helm and kubectl treat them', () => {
  const base = () => cloneWorld(h.healthy).kube.releases![0]!;

  it('KUBECONFIG=a:b skips a file that does not exist, as kubectl does', async () => {
    fake = await startWorld(h.healthy);
    const r = await cli(['-n', 'camunda', '-s', '--no-token'], {
      KUBECONFIG: `/nonexistent/config:${fake.kubeconfigPath}`,
    });
    expect(r.out).toContain(
      '[OK] Helm release camunda found: chart camunda-platform-13.1.2 (Camunda 8.8.x), revision 3',
    );
  });

  it('a pending-upgrade revision above the deployed one is reported', async () => {
    const world = cloneWorld(h.healthy);
    world.kube.releases = [base(), { ...base(), revision: 4, status: 'pending-upgrade' }];
    fake = await startWorld(world);
    const r = await cli(['-n', 'camunda', '-s', '--no-token', '--kubeconfig', fake.kubeconfigPath]);
    expect(r.err).toContain(
      '[WARN] release camunda: revision 4 is pending-upgrade above deployed revision 3, which is checked; a Helm operation is in progress or was interrupted (`helm history -n camunda camunda`)',
    );
  });

  it('a failed-only release is named with its state: exit 4', async () => {
    const world = cloneWorld(h.healthy);
    world.kube.releases = [{ ...base(), revision: 1, status: 'failed' }];
    fake = await startWorld(world);
    const r = await cli(['-n', 'camunda', '-s', '--no-token', '--kubeconfig', fake.kubeconfigPath]);
    expect(r.code).toBe(4);
    expect(r.err).toContain(
      '[FAIL] no deployed Camunda release in namespace camunda: release camunda is failed (revision 1)',
    );
  });

  it('-A names the releases it could not check (failed, corrupt) in its summary', async () => {
    const world = cloneWorld(h.healthy);
    world.kube.releases = [base(), { ...base(), name: 'camunda-b', revision: 1, status: 'failed' }];
    fake = await startWorld(world);
    fake.put(corruptHelmReleaseSecret('broken', 'camunda'));
    const r = await cli(['-A', '-s', '--no-token', '--kubeconfig', fake.kubeconfigPath]);
    expect(r.err).toContain(
      '[WARN] camunda/camunda-b not checked: no deployed revision; revision 1 is failed',
    );
    expect(r.err.find((l) => l.startsWith('[WARN] camunda/broken not checked: '))).toMatch(
      /^\[WARN\] camunda\/broken not checked: secret sh\.helm\.release\.v1\.broken\.v1: not a Helm release/,
    );
    const table = r.out.filter((l) => /^\[INFO\] (NAMESPACE|camunda) /.test(l));
    expect(table[0]).toMatch(/^\[INFO\] NAMESPACE\s+RELEASE\s+CHART\s+OK\s+WARN\s+FAIL$/);
    expect(table.slice(1).map((l) => l.split(/\s+/).slice(1, 4).join(' '))).toEqual([
      'camunda camunda camunda-platform-13.1.2',
      'camunda broken (unreadable)',
      'camunda camunda-b (failed)',
    ]);
  });
});

describe('a slow run says why', () => {
  // The SDK's standard retry strategy (not 'adaptive', whose client-side rate limiter made this
  // run take 26.9 s): jittered backoff per throttled call; the timeout is for a loaded machine.
  it('throttled AWS calls: a WARN at the end with the count and the slowest call, and a field in the JSON report', async () => {
    fake = await startWorld(h.healthy);
    h.moto.proxy.fail('iam:GetRole', 'throttling', 3);
    const args = ['-n', 'camunda', '-s', '--no-token', '--kubeconfig', fake.kubeconfigPath];
    const r = await cli(args);
    expect(r.err.filter((l) => l.startsWith('[WARN] AWS throttled'))).toEqual([
      expect.stringMatching(
        /^\[WARN\] AWS throttled 3 request\(s\); irsa-check retried them; slowest call: (AWS|Kubernetes) \w+, \d+\.\d s$/,
      ),
    ]);
    h.moto.proxy.fail('iam:GetRole', 'throttling', 2);
    const json = await cli([...args, '--output', 'json']);
    const doc = JSON.parse(json.stdout);
    expect(doc.calls).toMatchObject({
      throttled: 2,
      slowest: { call: expect.any(String), ms: expect.any(Number) },
    });
    expect(json.err).toEqual([]);
  });

  it('no throttling: no such line, and "throttled": 0 in JSON', async () => {
    fake = await startWorld(h.healthy);
    const r = await cli([
      '-n',
      'camunda',
      '-s',
      '--no-token',
      '--output',
      'json',
      '--kubeconfig',
      fake.kubeconfigPath,
    ]);
    expect(JSON.parse(r.stdout).calls.throttled).toBe(0);
  });

  /** The CLI on a pseudo-terminal (util-linux `script`), as a person at a shell sees it. */
  function onTerminal(args: string[], env: Record<string, string>): Promise<string> {
    const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    return new Promise((resolve, reject) => {
      const child = spawn('script', ['-qec', quoted, '/dev/null'], {
        env: cleanEnv({ ...h.moto.env, ...env }),
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', () => resolve(out));
    });
  }

  it('a slow run shows what it waits for on a terminal only, never with --output json', async () => {
    fake = await startWorld(h.healthy);
    server = await startSilentServer();
    // STS stays silent past the run's deadline (3 s): the progress line shows after 1 s of waiting.
    const env = { IRSA_CHECK_REQUEST_TIMEOUT_MS: '30000', AWS_ENDPOINT_URL_STS: server.url };
    const args = ['-n', 'camunda', '-s', '--no-token', '--timeout', '3', '--kubeconfig', fake.kubeconfigPath];
    const screen = await onTerminal(args, env);
    expect(screen).toMatch(/… waiting for AWS callerIdentity \(\d+ calls answered, \d s\)/);
    // erased before the findings: no finding line starts with the progress text
    expect(screen.split('\n').filter((l) => l.startsWith('… waiting'))).toEqual([]);
    expect(await onTerminal([...args, '--output', 'json'], env)).not.toContain('… waiting for');
    const piped = await cli(args, env);
    expect(piped.stderr).not.toContain('… waiting for');
  });
});
