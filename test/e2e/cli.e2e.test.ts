/**
 * The CLI as a user runs it: the built bin/irsa-check.js as a child process
 * against the fake Kubernetes API server and moto, asserting exact lines,
 * streams and exit codes. Bad input must give one clear line, never a stack trace.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { startWorld } from '../support/kube-world.js';
import type { FakeKube } from '../support/fake-kube.js';
import { seedMoto, type SeededMoto } from '../support/moto.js';
import { corruptHelmReleaseSecret } from '../support/helm-release.js';
import { cloneWorld, loadWorld, type WorldModel } from '../support/world.js';

// The AWS side of the healthy 8.8 world lives in moto, so only the planted fault fails.
let moto: SeededMoto;
let healthy: WorldModel;
let fake: FakeKube | undefined;

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
});

function noStackTrace(r: CliResult): void {
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

async function cli(args: string[], kubeconfig?: string, env: Record<string, string | undefined> = {}) {
  const r = await runCli([...(kubeconfig ? ['--kubeconfig', kubeconfig] : []), ...args], {
    env: { ...moto.env, ...env },
  });
  noStackTrace(r);
  return r;
}

/** A fatal error's lines in text mode: the FAIL, its fix, and the summary line. */
function fatalLines(message: string, code: number, fix: string): string[] {
  return [
    `[FAIL] ${message}`,
    `       fix: ${fix}`,
    `[FAIL] irsa-check: At least one of the checks failed (error code: ${code}).`,
  ];
}
const USAGE_FIX = 'Run irsa-check --help for usage.';
const KUBECONFIG_FIX =
  'Point irsa-check at the cluster with --kubeconfig, KUBECONFIG or --context; `aws eks update-kubeconfig --name <cluster>` writes a kubeconfig.';

describe('usage errors: exit 1, one FAIL line, usage hint', () => {
  it.each([
    [[], 'a namespace is required: -n <namespace> (or the NAMESPACE environment variable)'],
    [
      ['-n', 'Camunda_Prod'],
      `invalid namespace "Camunda_Prod": a namespace is a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)`,
    ],
    [['-n', 'camunda', '-p', '', '-l', ''], 'nothing to check: both --pg and --os are empty'],
    [
      ['-n', 'camunda', '-p', 'identity,,webModeler'],
      '--pg has an empty component name in "identity,,webModeler"',
    ],
    [['-n', 'camunda', '--job-timeout', 'soon'], '--job-timeout takes a whole number of seconds, got "soon"'],
  ])('%j', async (args, line) => {
    const r = await cli(args as string[]);
    expect(r.code).toBe(1);
    expect(r.out).toEqual([]);
    expect(r.err).toEqual(fatalLines(line, 1, USAGE_FIX));
  });

  it('takes the namespace from NAMESPACE and validates it too', async () => {
    const r = await cli([], undefined, { NAMESPACE: '-bad' });
    expect(r.code).toBe(1);
    expect(r.err[0]).toBe(
      `[FAIL] invalid namespace "-bad": a namespace is a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)`,
    );
  });

  it('an unknown option is a usage error', async () => {
    const r = await cli(['-n', 'camunda', '--frobnicate']);
    expect(r.code).toBe(1);
    expect(r.err).toEqual(fatalLines("unknown option '--frobnicate'", 1, USAGE_FIX));
  });
});

describe('the cluster cannot be used: exit 3', () => {
  it('no kubeconfig anywhere', async () => {
    const r = await cli(['-n', 'camunda'], undefined, { KUBECONFIG: undefined });
    expect(r.code).toBe(3);
    expect(r.err).toEqual(
      fatalLines(
        'no kubeconfig found (--kubeconfig, KUBECONFIG or ~/.kube/config): run `aws eks update-kubeconfig --name <cluster>` first',
        3,
        KUBECONFIG_FIX,
      ),
    );
  });

  it('a kubeconfig that does not exist', async () => {
    const r = await cli(['-n', 'camunda', '--kubeconfig', '/tmp/does-not-exist.yaml']);
    expect(r.code).toBe(3);
    expect(r.err).toEqual(
      fatalLines('kubeconfig /tmp/does-not-exist.yaml does not exist', 3, KUBECONFIG_FIX),
    );
  });

  it('an unknown context', async () => {
    fake = await startWorld(healthy);
    const r = await cli(['-n', 'camunda', '--context', 'staging'], fake.kubeconfigPath);
    expect(r.code).toBe(3);
    expect(r.err).toEqual(fatalLines('kubeconfig has no context named "staging"', 3, KUBECONFIG_FIX));
  });

  it('an unreachable API server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irsa-e2e-'));
    const kubeconfig = join(dir, 'config');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: gone, cluster: {server: "http://127.0.0.1:9", insecure-skip-tls-verify: true}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: gone, context: {cluster: gone, user: u}}]',
        'current-context: gone',
      ].join('\n'),
    );
    const r = await cli(['-n', 'camunda', '-s'], kubeconfig);
    expect(r.code).toBe(3);
    expect(r.err).toContain(
      '[FAIL] cannot reach the Kubernetes API server at http://127.0.0.1:9: API server unreachable (ECONNREFUSED)',
    );
    expect(r.err).toContain(
      '       fix: Check the kubeconfig context (--context), VPN or network access to the cluster endpoint.',
    );
    expect(r.err.at(-1)).toBe('[FAIL] irsa-check: At least one of the checks failed (error code: 3).');
  });
});

describe('the release', () => {
  it('finds the Camunda 8.8 release, decides the Keycloak mode and maps service accounts as the chart does', async () => {
    fake = await startWorld(healthy);
    const r = await cli(
      ['-n', 'camunda', '-s', '--no-token', '-p', 'identity,webModeler,identityKeycloak'],
      fake.kubeconfigPath,
    );
    expect(r.out).toEqual(
      expect.arrayContaining([
        '[OK] AWS environment detected: 3 node(s) with an aws:// provider ID',
        '[OK] Helm release camunda found: chart camunda-platform-13.1.2 (Camunda 8.8.x), revision 3',
        '[INFO] Keycloak: the bundled identityKeycloak subchart is deployed (identityKeycloak.enabled=true, from your values)',
        '[INFO] checking Aurora PostgreSQL IRSA for: identity, webModeler, identityKeycloak; OpenSearch IRSA for: orchestration, optimize',
        '[INFO] identity: service account camunda-identity (generated by the chart)',
        '[INFO] webModeler: service account camunda-web-modeler (generated by the chart)',
        '[INFO] identityKeycloak: service account camunda-keycloak (generated by the chart)',
        '[INFO] orchestration: service account camunda-zeebe (generated by the chart)',
        '[OK] webModeler: service account camunda-web-modeler is annotated with role arn:aws:iam::123456789012:role/camunda-web-modeler-irsa',
        '[OK] orchestration: 1 running pod(s) carry the injected role arn:aws:iam::123456789012:role/camunda-orchestration-irsa',
      ]),
    );
    expect(r.out[0]).toMatch(/^\[OK\] AWS credentials resolve: arn:aws:(iam|sts)::123456789012:/);
  });

  it('component names are case-insensitive; an unknown one exits 1 naming the valid ones', async () => {
    fake = await startWorld(healthy);
    const ok = await cli(
      ['-n', 'camunda', '-s', '--no-token', '-p', 'WEBMODELER', '-l', 'Optimize'],
      fake.kubeconfigPath,
    );
    expect(ok.out).toContain(
      '[INFO] checking Aurora PostgreSQL IRSA for: webModeler; OpenSearch IRSA for: optimize',
    );
    const bad = await cli(['-n', 'camunda', '-s', '--no-token', '-l', 'zeebe,operate'], fake.kubeconfigPath);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(
      '[FAIL] unknown component "zeebe" in -l/--os; valid for chart 13.x (Camunda 8.8): orchestration, optimize',
    );
  });

  it('an empty exclude list excludes nothing (original mistake: it matched everything)', async () => {
    fake = await startWorld(healthy);
    const r = await cli(['-n', 'camunda', '-s', '--no-token', '-e', ''], fake.kubeconfigPath, {
      EXCLUDE_COMPONENTS: undefined,
    });
    expect(r.out).toContain(
      '[INFO] checking Aurora PostgreSQL IRSA for: identityKeycloak, identity, webModeler; OpenSearch IRSA for: orchestration, optimize',
    );
  });

  it('excluding a component (env EXCLUDE_COMPONENTS) removes it from every module', async () => {
    fake = await startWorld(healthy);
    const r = await cli(['-n', 'camunda', '-s', '--no-token'], fake.kubeconfigPath, {
      EXCLUDE_COMPONENTS: 'webmodeler,optimize',
    });
    expect(r.out).toContain('[INFO] excluded from every check: webModeler, optimize');
    expect([...r.out, ...r.err].filter((l) => /webModeler:|optimize:/.test(l))).toEqual([]);
  });

  it('no release in the namespace: exit 4', async () => {
    const world = cloneWorld(healthy);
    world.kube.releases = [];
    fake = await startWorld(world);
    const r = await cli(['-n', 'camunda', '-s', '--no-token'], fake.kubeconfigPath);
    expect(r.code).toBe(4);
    expect(r.err).toContain(
      '[FAIL] no deployed Camunda release (chart camunda-platform) in namespace camunda',
    );
  });

  it('a namespace that does not exist: exit 1', async () => {
    fake = await startWorld(healthy);
    const r = await cli(['-n', 'camunda-nope', '-s', '--no-token'], fake.kubeconfigPath);
    expect(r.code).toBe(1);
    expect(r.err).toContain('[FAIL] namespace "camunda-nope" does not exist in the cluster');
  });

  it('several Camunda releases: asks for --release, and --release picks one', async () => {
    const world = cloneWorld(healthy);
    world.kube.releases!.push({ ...world.kube.releases![0]!, name: 'camunda-b' });
    fake = await startWorld(world);
    const r = await cli(['-n', 'camunda', '-s', '--no-token'], fake.kubeconfigPath);
    expect(r.code).toBe(4);
    expect(r.err).toContain('[FAIL] several Camunda releases in namespace camunda: camunda, camunda-b');
    expect(r.err).toContain('       fix: Choose the release to check with --release <name>.');
    const picked = await cli(
      ['-n', 'camunda', '-s', '--no-token', '--release', 'camunda-b'],
      fake.kubeconfigPath,
    );
    expect(picked.out).toContain(
      '[OK] Helm release camunda-b found: chart camunda-platform-13.1.2 (Camunda 8.8.x), revision 3',
    );
    expect(picked.out).toContain(
      '[INFO] webModeler: service account camunda-b-web-modeler (generated by the chart)',
    );
  });

  it('the newest deployed revision wins; superseded and failed ones are ignored; the configmap driver works', async () => {
    const world = cloneWorld(healthy);
    const base = world.kube.releases![0]!;
    world.kube.releases = [
      { ...base, revision: 2, status: 'superseded', chart: { version: '13.0.0' } },
      { ...base, revision: 3, driver: 'configmap' },
      { ...base, revision: 4, status: 'failed', chart: { version: '13.2.0' } },
    ];
    fake = await startWorld(world);
    const r = await cli(['-n', 'camunda', '-s', '--no-token'], fake.kubeconfigPath);
    expect(r.out).toContain(
      '[OK] Helm release camunda found: chart camunda-platform-13.1.2 (Camunda 8.8.x), revision 3',
    );
  });

  it('a corrupt release Secret: exit 5', async () => {
    const world = cloneWorld(healthy);
    world.kube.releases = [];
    fake = await startWorld(world);
    fake.put(corruptHelmReleaseSecret('camunda', 'camunda'));
    const r = await cli(['-n', 'camunda', '-s', '--no-token'], fake.kubeconfigPath);
    expect(r.code).toBe(5);
    expect(r.err.find((l) => l.startsWith('[FAIL] the Helm release could not be decoded'))).toMatch(
      /^\[FAIL\] the Helm release could not be decoded: secret sh\.helm\.release\.v1\.camunda\.v1: not a Helm release \(.+\)$/,
    );
  });

  it('403 from the API server on the release secrets: says which permission is missing, exit 2', async () => {
    fake = await startWorld(healthy, {
      faults: [
        { method: 'GET', path: '/api/v1/namespaces/camunda/secrets', status: 403, reason: 'Forbidden' },
      ],
    });
    const r = await cli(['-n', 'camunda', '-s', '--no-token'], fake.kubeconfigPath);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      '[FAIL] irsa-check cannot call list secrets (Forbidden): grant it, see README "Permissions"',
    );
    expect(r.err).toContain(
      '       fix: Allow irsa-check to list secrets in namespace camunda (README, "Permissions").',
    );
  });
});

describe('values-only mode', () => {
  it('malformed values: exit 1 naming file, line and column', async () => {
    fake = await startWorld(healthy);
    const dir = mkdtempSync(join(tmpdir(), 'irsa-values-'));
    const file = join(dir, 'values.yaml');
    writeFileSync(file, 'identity:\n  enabled: true\n   serviceAccount: [\n');
    const r = await cli(
      ['-n', 'camunda', '-s', '--no-token', '--values', file, '--chart-version', '13.1.2'],
      fake.kubeconfigPath,
    );
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(
      new RegExp(`^\\[FAIL\\] malformed values file ${file} at line \\d+, column \\d+: .+`),
    );
  });
});
