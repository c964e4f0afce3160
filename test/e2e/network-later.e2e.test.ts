/**
 * Issue 19, network (README "Exit codes", code 3): the API server answers the run's first
 * calls (namespace, nodes, Helm release) and then fails one later call only. A timeout or a
 * reset there is still the connectivity code, naming the server, the call and what was
 * missing, not "irsa-check cannot call" (2) or a check's own code. No wall-clock race: the
 * failing call never answers (or resets at once), and the bounds asserted are generous.
 */
import { describe, expect, it } from 'vitest';
import { startWorld } from '../support/kube-world.js';
import { hostileSuite } from '../support/hostile-suite.js';
import { kubeconfigAt, startKubeFaultProxy } from '../support/silent-servers.js';

const h = hostileSuite();

/** One component, no Jobs, no token proof: the pods list is one of the later calls. */
const ONE_ROLE = ['-n', 'camunda', '-s', '--no-token', '-p', 'identity', '-l', ''];
const PODS = /^\/api\/v1\/namespaces\/camunda\/pods$/;
const CONNECTIVITY_FIX =
  '       fix: Check the kubeconfig context (--context), VPN, proxy or firewall between irsa-check and the cluster endpoint.';

/** A promise that never settles: the fake holds the request, and closing the fake ends it. */
const never = new Promise<never>(() => undefined);

describe('a later Kubernetes call that loses the API server: exit 3, whichever module asked', () => {
  it('the pods list never answers: "did not answer list pods: no answer within 5 s", exit 3, long before --timeout', async () => {
    const fake = h.closeAfter(
      await startWorld(h.healthy, { faults: [{ method: 'GET', path: PODS, status: 200, hold: never }] }),
    );
    const r = await h.cli([...ONE_ROLE, '--timeout', '100', '--kubeconfig', fake.kubeconfigPath], {
      IRSA_CHECK_REQUEST_TIMEOUT_MS: '5000',
    });
    // The first calls were answered: the run got as far as the release.
    expect(r.out).toContain(
      '[OK] Helm release camunda found: chart camunda-platform-13.1.2 (Camunda 8.8.x), revision 3',
    );
    expect(r.err.slice(-3)).toEqual([
      `[FAIL] the Kubernetes API server at ${fake.url} did not answer list pods: no answer within 5 s`,
      CONNECTIVITY_FIX,
      '[FAIL] irsa-check: At least one of the checks failed (error code: 3).',
    ]);
    expect(r.stderr).not.toMatch(/irsa-check cannot call list pods/);
    expect(r.code).toBe(3);
    expect(r.stderr).not.toContain('--timeout');
    expect(r.seconds).toBeLessThan(60);
  });

  it('the pods list reset after half its body: "dropped the connection during list pods", exit 3, at once', async () => {
    const fake = h.closeAfter(await startWorld(h.healthy));
    const proxy = h.closeAfter(await startKubeFaultProxy(fake.url));
    proxy.plant('reset-half', { method: 'GET', path: PODS });
    // a long request timeout (120 s): a reset must not wait for it
    const r = await h.cli(
      [...ONE_ROLE, '--timeout', '300', '--kubeconfig', kubeconfigAt(fake.kubeconfigPath, proxy.url)],
      { IRSA_CHECK_REQUEST_TIMEOUT_MS: '120000' },
    );
    expect(r.out).toContain(
      '[OK] Helm release camunda found: chart camunda-platform-13.1.2 (Camunda 8.8.x), revision 3',
    );
    const lost = r.err.findIndex((l) => l.includes('dropped the connection'));
    expect(r.err[lost]).toMatch(
      new RegExp(
        `^\\[FAIL\\] the Kubernetes API server at ${proxy.url.replace(/\./g, '\\.')} dropped the connection during list pods: connection reset by the server after \\d+ bytes of the answer$`,
      ),
    );
    expect(r.err[lost + 1]).toBe(
      '       fix: Check the proxy, load balancer or VPN between irsa-check and the cluster endpoint (a reset came from one of them or the API server), then run irsa-check again.',
    );
    expect(r.err.at(-1)).toBe('[FAIL] irsa-check: At least one of the checks failed (error code: 3).');
    expect(r.code).toBe(3);
    expect(r.seconds).toBeLessThan(60);
  });

  it('the same faults in -o json: the FAIL carries the connectivity check ID and code 3', async () => {
    const fake = h.closeAfter(
      await startWorld(h.healthy, { faults: [{ method: 'GET', path: PODS, status: 200, hold: never }] }),
    );
    const r = await h.cli(
      [...ONE_ROLE, '--output', 'json', '--timeout', '100', '--kubeconfig', fake.kubeconfigPath],
      { IRSA_CHECK_REQUEST_TIMEOUT_MS: '5000' },
    );
    const doc = JSON.parse(r.stdout);
    expect(doc.exitCode).toBe(3);
    expect(
      doc.findings.filter((f: { code?: number; module: string }) => f.code === 3 && f.module !== 'summary'),
    ).toEqual([
      expect.objectContaining({
        level: 'FAIL',
        check: 'kube-timeout',
        message: `the Kubernetes API server at ${fake.url} did not answer list pods: no answer within 5 s`,
      }),
    ]);
    expect(r.code).toBe(3);
  });
});

describe('the verification Jobs’ watch has the request deadline too', () => {
  const WATCH_JOBS = { method: 'GET', path: '/apis/batch/v1/namespaces/camunda/jobs', query: /watch=true/ };

  it('an API server that never answers the Job watch: "did not answer watch jobs" after the request timeout, exit 3, the Jobs deleted', async () => {
    const fake = h.closeAfter(
      await startWorld(h.healthy, { faults: [{ ...WATCH_JOBS, status: 200, hold: never }] }),
    );
    const r = await h.cli(
      [
        '-n',
        'camunda',
        '--no-token',
        '-p',
        'identity',
        '-l',
        '',
        '--job-timeout',
        '100',
        '--timeout',
        '100',
        '--kubeconfig',
        fake.kubeconfigPath,
      ],
      { IRSA_CHECK_REQUEST_TIMEOUT_MS: '5000' },
    );
    expect(r.err.slice(-3)).toEqual([
      `[FAIL] the Kubernetes API server at ${fake.url} did not answer watch jobs: no answer within 5 s`,
      CONNECTIVITY_FIX,
      '[FAIL] irsa-check: At least one of the checks failed (error code: 3).',
    ]);
    expect(r.code).toBe(3);
    // bounded by the request timeout, not by --job-timeout (100 s) nor --timeout
    expect(r.stderr).not.toMatch(/no result within|--timeout/);
    expect(r.seconds).toBeLessThan(60);
    // asked once per Job, not five times: a watch that gets no answer is a call that got none
    const created = fake.requests.filter((q) => q.method === 'POST' && /\/jobs$/.test(q.path)).length;
    expect(created).toBeGreaterThan(0);
    expect(
      fake.requests.filter((q) => q.method === 'GET' && /\/jobs$/.test(q.path) && /watch=true/.test(q.query)),
    ).toHaveLength(created);
    // every Job irsa-check created is deleted
    expect(fake.objects('Job', 'camunda')).toEqual([]);
  });
});

describe('credentials the API server rejects (401): exit 3 at the first calls, "expired" later', () => {
  it('every call answered 401: kube-unauthorized, exit 3, naming the server', async () => {
    const fake = h.closeAfter(
      await startWorld(h.healthy, { faults: [{ path: /^\/apis?\//, status: 401, reason: 'Unauthorized' }] }),
    );
    const r = await h.cli([...ONE_ROLE, '--kubeconfig', fake.kubeconfigPath]);
    expect(r.err).toEqual([
      `[FAIL] the Kubernetes API server at ${fake.url} rejected irsa-check's credentials (Unauthorized)`,
      '       fix: Refresh the kubeconfig credentials, e.g. `aws eks update-kubeconfig --name <cluster>` or `aws sso login`.',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 3).',
    ]);
    expect(r.code).toBe(3);
  });

  it('only the pods list answered 401, later in the run: credentials-expired, exit 2, not "grant it"', async () => {
    const fake = h.closeAfter(
      await startWorld(h.healthy, {
        faults: [{ method: 'GET', path: PODS, status: 401, reason: 'Unauthorized' }],
      }),
    );
    const r = await h.cli([...ONE_ROLE, '--kubeconfig', fake.kubeconfigPath]);
    // (the fake's 401 Status names no reason; kube-apiserver's says Unauthorized)
    expect(r.err[0]).toMatch(
      /^\[FAIL\] identity: irsa-check cannot call list pods \((Unauthorized|HTTP401)\): irsa-check's credentials expired during the run$/,
    );
    expect(r.err).toContain(
      '       fix: Refresh the kubeconfig credentials (e.g. `aws sso login`, `aws eks update-kubeconfig`) and run irsa-check again.',
    );
    expect(r.stderr).not.toMatch(/grant it/);
    expect(r.code).toBe(2);
  });
});
