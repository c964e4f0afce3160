/**
 * Issue 12 (never hang, one contract in every mode): the built CLI against servers
 * that stay silent, answer HTML, or throttle; exact lines, streams and exit codes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { startWorld } from '../support/kube-world.js';
import type { FakeKube } from '../support/fake-kube.js';
import { seedMoto, type SeededMoto } from '../support/moto.js';
import { loadWorld, type WorldModel } from '../support/world.js';
import {
  kubeconfigFor,
  startHtmlServer,
  startSilentServer,
  type TestServer,
} from '../support/silent-servers.js';

let moto: SeededMoto;
let healthy: WorldModel;
let fake: FakeKube | undefined;
let server: TestServer | undefined;

beforeAll(async () => {
  moto = await seedMoto(loadWorld('camunda-8.8-healthy.yaml'), undefined, { accountId: '123456789012' });
  healthy = moto.world;
});

afterAll(async () => {
  await moto?.close();
});

afterEach(async () => {
  await fake?.close();
  fake = undefined;
  await server?.close();
  server = undefined;
});

function noStackTraceNorRawLog(r: CliResult): void {
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(r.stderr).not.toMatch(/@smithy|node-http-handler|\[WARN\] a request/);
}

async function cli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 60_000) {
  const started = Date.now();
  const r = await runCli(args, { env: { ...moto.env, ...env }, timeoutMs });
  noStackTraceNorRawLog(r);
  return { ...r, seconds: (Date.now() - started) / 1000 };
}

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
      expect(r.err).toEqual([
        `[FAIL] the Kubernetes API server at ${url} did not answer get namespaces: no answer within 1 s`,
        '       fix: Check the kubeconfig context (--context), VPN, proxy or firewall between irsa-check and the cluster endpoint.',
        '[FAIL] irsa-check: At least one of the checks failed (error code: 3).',
      ]);
      expect(r.seconds).toBeLessThan(10);
    },
  );

  it('an STS endpoint that never answers: a FAIL naming the call and the timeout, exit 2, no SDK log line', async () => {
    fake = await startWorld(healthy);
    server = await startSilentServer();
    const r = await cli(['-n', 'camunda', '-s', '--no-token', '--kubeconfig', fake.kubeconfigPath], {
      IRSA_CHECK_REQUEST_TIMEOUT_MS: '1000',
      AWS_ENDPOINT_URL_STS: server.url,
    });
    expect(r.code).toBe(2);
    expect(r.err).toEqual([
      '[FAIL] irsa-check cannot call sts:GetCallerIdentity (Timeout): no answer within 1 s',
      '       fix: STS is throttling, failing or unreachable: check network access to STS (proxy, VPC endpoint) and run irsa-check again.',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 2).',
    ]);
    expect(r.seconds).toBeLessThan(20);
  });

  it('--timeout ends a run that is still waiting, naming what it waits for', async () => {
    fake = await startWorld(healthy);
    server = await startSilentServer();
    const r = await cli(
      ['-n', 'camunda', '-s', '--no-token', '--timeout', '2', '--kubeconfig', fake.kubeconfigPath],
      { IRSA_CHECK_REQUEST_TIMEOUT_MS: '30000', AWS_ENDPOINT_URL_STS: server.url },
    );
    expect(r.code).toBe(2);
    expect(r.err).toEqual([
      '[FAIL] irsa-check did not finish within 2 s (--timeout): still waiting for AWS callerIdentity',
      '       fix: Check network access to the API server and AWS (proxy, VPN, firewall); raise --timeout for a very large cluster.',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 2).',
    ]);
    expect(r.seconds).toBeLessThan(8);
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
