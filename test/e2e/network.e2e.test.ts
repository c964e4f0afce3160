/**
 * Issue 19, network (README "Timeouts" and "Exit codes"): the built CLI against AWS and
 * Kubernetes endpoints that stay silent, drip, reset, truncate, throttle, paginate, run
 * a skewed clock, and kubeconfigs whose exec plugin hangs or fails or whose files are
 * missing. No wall-clock race: the timeouts are short and the bounds asserted generous.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld } from '../support/kube-world.js';
import { helmReleaseSecret, type FakeKube } from '../support/fake-kube.js';
import { hostileSuite } from '../support/hostile-suite.js';
import { makePki } from '../support/pki.js';
import {
  kubeconfigAt,
  kubeconfigWithExec,
  startKubeFaultProxy,
  type KubeFaultProxy,
} from '../support/silent-servers.js';

const h = hostileSuite();
const cli = h.cli;
let fake: FakeKube | undefined;
let proxy: KubeFaultProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await fake?.close();
  fake = undefined;
});

/** One component, no Jobs, no token proof: the fewest calls that still reach IAM GetRole. */
const ONE_ROLE = ['-n', 'camunda', '-s', '--no-token', '-p', 'identity', '-l', ''];

describe('AWS: every attempt has one deadline, body included', () => {
  // 5 s, not 1 s: every call of the run has this deadline, and on a loaded machine moto and
  // the fake API server can take a second; the faults below never answer within it.
  it('an IAM endpoint that accepts GetRole and never answers: "no answer within 5 s", asked once, long before --timeout', async () => {
    fake = await startWorld(h.healthy);
    h.moto.proxy.fail('iam:GetRole', 'silent');
    const r = await cli([...ONE_ROLE, '--timeout', '60', '--kubeconfig', fake.kubeconfigPath], {
      IRSA_CHECK_REQUEST_TIMEOUT_MS: '5000',
    });
    expect(r.err).toContain(
      '[FAIL] identity: irsa-check cannot call iam:GetRole (Timeout): no answer within 5 s',
    );
    expect(r.code).toBe(2);
    // Each call asks a silent endpoint once, not five times (the SDK's retries of a
    // timeout); two modules ask for the role.
    expect(h.moto.proxy.count('iam:GetRole')).toBeLessThanOrEqual(2);
    expect(r.stderr).not.toContain('--timeout');
    expect(r.seconds).toBeLessThan(45);
  });

  it('GetRole answered one byte every 200 ms: "the answer did not complete within 5 s", not the overall deadline', async () => {
    fake = await startWorld(h.healthy);
    h.moto.proxy.fail('iam:GetRole', 'drip');
    const r = await cli([...ONE_ROLE, '--timeout', '60', '--kubeconfig', fake.kubeconfigPath], {
      IRSA_CHECK_REQUEST_TIMEOUT_MS: '5000',
    });
    expect(r.err).toContain(
      '[FAIL] identity: irsa-check cannot call iam:GetRole (Timeout): the answer did not complete within 5 s',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('--timeout');
    expect(r.seconds).toBeLessThan(45);
  });

  it('STS throttling AssumeRoleWithWebIdentity beyond the retries: "could not check: throttled", exit 2, not "STS refused the token"', async () => {
    fake = await startWorld(h.healthy);
    h.moto.proxy.fail('sts:AssumeRoleWithWebIdentity', 'throttling');
    const r = await cli([
      '-n',
      'camunda',
      '-s',
      '-p',
      'identity',
      '-l',
      '',
      '--kubeconfig',
      fake.kubeconfigPath,
    ]);
    expect(r.err).toContain(
      '[FAIL] identity: irsa-check cannot call sts:AssumeRoleWithWebIdentity (Throttling): could not check: throttled by AWS after 5 attempts (Rate exceeded)',
    );
    expect(r.stderr).not.toMatch(/STS refused/);
    expect(h.moto.proxy.count('sts:AssumeRoleWithWebIdentity')).toBe(5);
    expect(r.code).toBe(2);
  });
});

describe('AWS: a skewed clock is a clock, not expired credentials', () => {
  const NINE_MINUTES = 9 * 60_000;

  it("AWS's clock 9 minutes ahead: the SDK corrects its clock (systemClockOffset) and the run checks as usual", async () => {
    fake = await startWorld(h.healthy);
    h.moto.proxy.setClockSkew(NINE_MINUTES);
    const r = await cli([...ONE_ROLE, '--kubeconfig', fake.kubeconfigPath]);
    expect(r.out[0]).toMatch(/^\[OK\] AWS credentials resolve: arn:aws:sts::/);
    expect(r.stderr).not.toMatch(/expired/i);
    // a WARN (it does not fail the run): `aws eks get-token` and other tools here are refused
    expect(r.err).toContain(
      "[WARN] this machine's clock is 9 minutes behind AWS's: irsa-check's AWS calls corrected for it, but AWS refuses other tools' requests signed here more than 5 minutes off",
    );
    expect(r.code).toBe(0);
    // the first STS call was refused for its time, the corrected retry was not
    expect(h.moto.proxy.requests.filter((q) => q.action === 'sts:GetCallerIdentity').length).toBe(2);
  });

  it('SignatureDoesNotMatch "Signature expired" that the correction does not cure: "the clock is 9 minutes behind", exit 2', async () => {
    fake = await startWorld(h.healthy);
    h.moto.proxy.setClockSkew(NINE_MINUTES);
    h.moto.proxy.fail('sts:GetCallerIdentity', 'signatureExpired');
    const r = await cli([...ONE_ROLE, '--kubeconfig', fake.kubeconfigPath]);
    expect(r.err).toEqual([
      "[FAIL] irsa-check cannot call sts:GetCallerIdentity: this machine's clock is 9 minutes behind AWS's: AWS refuses requests signed more than 5 minutes off (SignatureDoesNotMatch)",
      "       fix: Synchronise this machine's clock (NTP: `timedatectl set-ntp true`, `chronyc makestep`, or the VM's time sync), then run irsa-check again.",
      '[FAIL] irsa-check: At least one of the checks failed (error code: 2).',
    ]);
    expect(r.code).toBe(2);
  });

  it('RequestTimeTooSkewed on GetRole: the clock, by how much, not "credentials expired"', async () => {
    fake = await startWorld(h.healthy);
    h.moto.proxy.setClockSkew(-NINE_MINUTES);
    h.moto.proxy.fail('iam:GetRole', 'requestTimeTooSkewed');
    const r = await cli([...ONE_ROLE, '--kubeconfig', fake.kubeconfigPath]);
    expect(r.err).toContain(
      "[FAIL] identity: irsa-check cannot call iam:GetRole (ClockSkew): this machine's clock is 9 minutes ahead of AWS's: AWS refuses requests signed more than 5 minutes off (RequestTimeTooSkewed)",
    );
    expect(r.stderr).not.toMatch(/credentials expired/);
    expect(r.code).toBe(2);
  });
});

/** An exec credential plugin script; its runs (and its child's) append their PIDs to `pids`. */
function execPlugin(body: (pids: string) => string): { command: string; pids: string } {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-exec-'));
  const pids = join(dir, 'pids');
  const command = join(dir, 'get-token.sh');
  writeFileSync(command, `#!/bin/sh\necho "plugin $$" >> '${pids}'\n${body(pids)}\n`);
  chmodSync(command, 0o755);
  return { command, pids };
}

/** Running, that is: it exists and is no zombie (a container's PID 1 may never reap one). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('Kubernetes: the kubeconfig exec plugin', () => {
  it('a plugin that hangs: started once, "did not answer" after the request timeout, killed with its children, exit 3', async () => {
    fake = await startWorld(h.healthy);
    // It starts a child (as `aws` starts python), and both would wait forever.
    const plugin = execPlugin((pids) => `sleep 300 &\necho "child $!" >> '${pids}'\nwait`);
    const r = await cli(
      ['-n', 'camunda', '-s', '--kubeconfig', kubeconfigWithExec(fake.url, plugin.command)],
      {
        IRSA_CHECK_REQUEST_TIMEOUT_MS: '5000',
      },
    );
    expect(r.code).toBe(3);
    expect(r.err).toEqual([
      `[FAIL] the kubeconfig's exec plugin ${plugin.command} did not answer within 5 s; irsa-check stopped it`,
      '       fix: Run the plugin command of the kubeconfig yourself to see why it fails or waits (an expired SSO session, a prompt, no network), then run irsa-check again.',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 3).',
    ]);
    expect(r.seconds).toBeLessThan(45);
    const started = readFileSync(plugin.pids, 'utf8').trim().split('\n');
    // One plugin for all the concurrent requests, not one per request.
    expect(started.filter((l) => l.startsWith('plugin ')).length).toBe(1);
    const orphans = started.map((l) => Number(l.split(' ')[1])).filter(alive);
    expect(orphans).toEqual([]);
  });

  it('a plugin that fails: its name and first line of stderr, exit 3', async () => {
    fake = await startWorld(h.healthy);
    const plugin = execPlugin(
      () => `echo "Error loading SSO Token: Token for sso-prod does not exist" >&2\nexit 255`,
    );
    const r = await cli([
      '-n',
      'camunda',
      '-s',
      '--kubeconfig',
      kubeconfigWithExec(fake.url, plugin.command),
    ]);
    expect(r.code).toBe(3);
    expect(r.err[0]).toBe(
      `[FAIL] the kubeconfig's exec plugin ${plugin.command} failed (exit code 255): Error loading SSO Token: Token for sso-prod does not exist`,
    );
    expect(readFileSync(plugin.pids, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('a plugin that is not installed: "was not found", exit 3', async () => {
    fake = await startWorld(h.healthy);
    const r = await cli([
      '-n',
      'camunda',
      '-s',
      '--kubeconfig',
      kubeconfigWithExec(fake.url, 'irsa-check-no-such-plugin', ['eks', 'get-token']),
    ]);
    expect(r.code).toBe(3);
    expect(r.err[0]).toBe(
      "[FAIL] the kubeconfig's exec plugin irsa-check-no-such-plugin was not found (not on the PATH)",
    );
  });
});

/** The fake's kubeconfig, its cluster and user entries changed by `edit`. */
function editedKubeconfig(
  file: string,
  edit: (cluster: Record<string, unknown>, user: Record<string, unknown>) => void,
): string {
  const doc = yaml.load(readFileSync(file, 'utf8')) as {
    clusters: Array<{ cluster: Record<string, unknown> }>;
    users: Array<{ user: Record<string, unknown> }>;
  };
  edit(doc.clusters[0]!.cluster, doc.users[0]!.user);
  const out = join(mkdtempSync(join(tmpdir(), 'irsa-kc-')), 'config');
  writeFileSync(out, yaml.dump(doc));
  return out;
}

describe('Kubernetes: kubeconfig files and TLS are connectivity problems (exit 3), named', () => {
  it('a certificate-authority file that does not exist: its path, exit 3, before any call', async () => {
    fake = await startWorld(h.healthy);
    const kc = editedKubeconfig(fake.kubeconfigPath, (c) => {
      delete c['insecure-skip-tls-verify'];
      c['certificate-authority'] = '/nonexistent/eks-ca.crt';
    });
    const r = await cli(['-n', 'camunda', '-s', '--kubeconfig', kc]);
    expect(r.code).toBe(3);
    expect(r.err[0]).toBe(
      '[FAIL] the kubeconfig\'s certificate-authority of cluster "fake" is /nonexistent/eks-ca.crt, which does not exist',
    );
    expect(fake.requests).toEqual([]);
  });

  it('a client-certificate file that does not exist: its path, exit 3', async () => {
    fake = await startWorld(h.healthy);
    const kc = editedKubeconfig(fake.kubeconfigPath, (_c, u) => {
      u['client-certificate'] = '/nonexistent/admin.crt';
      u['client-key'] = '/nonexistent/admin.key';
    });
    const r = await cli(['-n', 'camunda', '-s', '--kubeconfig', kc]);
    expect(r.code).toBe(3);
    expect(r.err[0]).toBe(
      '[FAIL] the kubeconfig\'s client-certificate of user "fake-user" is /nonexistent/admin.crt, which does not exist',
    );
  });

  it('an API server whose certificate another CA signed: exit 3 naming the TLS problem, not exit 2', async () => {
    fake = await startWorld(h.healthy, {}, { tls: true });
    const otherCa = Buffer.from(makePki('some other CA').caPem).toString('base64');
    const kc = editedKubeconfig(fake.kubeconfigPath, (c) => {
      delete c['insecure-skip-tls-verify'];
      c['certificate-authority-data'] = otherCa;
    });
    const r = await cli(['-n', 'camunda', '-s', '--kubeconfig', kc]);
    expect(r.code).toBe(3);
    expect(r.err[0]).toMatch(
      new RegExp(
        `^\\[FAIL\\] the Kubernetes API server at ${fake.url.replace(/\./g, '\\.')} presents a certificate the kubeconfig does not trust \\((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE): `,
      ),
    );
    expect(r.err[1]).toMatch(/^ {7}fix: Put the cluster's CA in the kubeconfig/);
  });
});

describe('Kubernetes: resets, truncated bodies, 429 and pages', () => {
  async function behindProxy(): Promise<string> {
    fake = await startWorld(h.healthy);
    proxy = await startKubeFaultProxy(fake.url);
    return kubeconfigAt(fake.kubeconfigPath, proxy.url);
  }
  const SECRETS = /^\/api\/v1\/namespaces\/camunda\/secrets$/;

  it.each(['reset-half', 'close-half'] as const)(
    'an API server that cuts the connection after half the body (%s): "connection reset" at once, not after the request timeout',
    async (cut) => {
      const kc = await behindProxy();
      proxy!.plant(cut, { method: 'GET', path: SECRETS });
      // a long request timeout (120 s): a reset must not wait for it
      const r = await cli(['-n', 'camunda', '-s', '--no-token', '--timeout', '300', '--kubeconfig', kc], {
        IRSA_CHECK_REQUEST_TIMEOUT_MS: '120000',
      });
      expect(r.code).toBe(3);
      expect(r.err[0]).toMatch(
        new RegExp(
          `^\\[FAIL\\] the Kubernetes API server at ${proxy!.url.replace(/\./g, '\\.')} dropped the connection during list secrets: connection reset by the server after \\d+ bytes of the answer$`,
        ),
      );
      // asked three times (a read cut short is asked again), each answered at once
      expect(proxy!.seen.filter((x) => x === 'GET /api/v1/namespaces/camunda/secrets')).toHaveLength(3);
      expect(r.seconds).toBeLessThan(60);
    },
  );

  it('a truncated JSON body, when other calls were answered: "not complete JSON" (exit 2), not "not a Kubernetes API server"', async () => {
    const kc = await behindProxy();
    proxy!.plant('truncate', { method: 'GET', path: SECRETS });
    const r = await cli(['-n', 'camunda', '-s', '--no-token', '--kubeconfig', kc]);
    expect(r.stderr).not.toMatch(/not a Kubernetes API server/);
    expect(r.stderr).toMatch(
      /irsa-check cannot call list secrets \(IncompleteAnswer\): the API server's answer is not complete JSON \(cut short: /,
    );
    expect(r.code).toBe(2);
  });

  it('a 429 with Retry-After: 1 on the Secret list is retried, as client-go does', async () => {
    const kc = await behindProxy();
    proxy!.plant('too-many', { method: 'GET', path: SECRETS }, 1);
    const r = await cli(['-n', 'camunda', '-s', '--no-token', '--kubeconfig', kc]);
    expect(r.out).toContain(
      '[OK] Helm release camunda found: chart camunda-platform-13.1.2 (Camunda 8.8.x), revision 3',
    );
    expect(proxy!.seen.filter((s) => s === 'GET /api/v1/namespaces/camunda/secrets')).toHaveLength(2);
    expect(r.code).toBe(0);
  });

  it('an API server that answers lists in pages (continue): the release on page two is found, and the whole run reads as unpaged', async () => {
    fake = await startWorld(h.healthy);
    const args = ['-n', 'camunda', '-s', '--no-token', '--kubeconfig', fake.kubeconfigPath];
    const unpaged = await cli(args);
    // Another chart's release sorts first: the Camunda release is on the second page.
    fake.put(
      helmReleaseSecret({
        name: 'aaa-ingress',
        namespace: 'camunda',
        version: 1,
        status: 'deployed',
        chart: { metadata: { name: 'ingress-nginx', version: '4.11.0', appVersion: '1.11.0' }, values: {} },
        config: {},
        manifest: '',
      }),
    );
    fake.world.listPageSize = 1;
    const paged = await cli(args);
    expect(paged.out).toContain(
      '[OK] Helm release camunda found: chart camunda-platform-13.1.2 (Camunda 8.8.x), revision 3',
    );
    expect(paged.out).toEqual(unpaged.out);
    expect(paged.err).toEqual(unpaged.err);
    expect(fake.requests.some((q) => /continue=/.test(q.query))).toBe(true);
  });
});
