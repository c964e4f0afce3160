import { describe, expect, it } from 'vitest';
import { cloneWorld, loadWorld, runWorld } from './support/world.js';

function twoNamespaces() {
  const world = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
  const base = world.kube.releases![0]!;
  world.kube.namespaces!.push('camunda-staging');
  world.kube.releases!.push({
    ...base,
    namespace: 'camunda-staging',
    name: 'c8',
    chart: { version: '13.0.0', appVersion: '8.8.x' },
  });
  // staging shares the production roles (a role fetched once for both), but its pods were never restarted.
  for (const sa of world.kube.serviceAccounts!.filter((s) => s.namespace === 'camunda')) {
    world.kube.serviceAccounts!.push({
      ...sa,
      namespace: 'camunda-staging',
      name: sa.name.replace(/^camunda-/, 'c8-'),
    });
  }
  return world;
}

describe('-A / --all-namespaces', () => {
  it('checks every Camunda release, one block each in a fixed order, then a summary table', async () => {
    const run = await runWorld(twoNamespaces(), {
      allNamespaces: true,
      namespace: '',
      pg: ['identity'],
      os: ['optimize'],
    });
    const lines = run.lines('all-namespaces');
    expect(lines[0]).toBe('[INFO] checking 2 Camunda release(s): camunda/camunda, camunda-staging/c8');
    expect(lines.slice(1, 3)).toEqual([
      '[INFO] === camunda/camunda (chart camunda-platform-13.1.2) ===',
      '[INFO] === camunda-staging/c8 (chart camunda-platform-13.0.0) ===',
    ]);
    const table = lines.slice(3).map((l) => l.replace(/^\[INFO\] /, ''));
    expect(table[0]).toMatch(/^NAMESPACE\s+RELEASE\s+CHART\s+OK\s+WARN\s+FAIL$/);
    expect(table[1]).toMatch(/^camunda\s+camunda\s+camunda-platform-13\.1\.2\s+\d+\s+\d+\s+0$/);
    // Staging reuses production's roles, whose trust policies name production's service accounts.
    const stagingFails = run.findings.filter((f) => f.release === 'camunda-staging/c8' && f.level === 'FAIL');
    expect(table[2]).toMatch(
      new RegExp(
        `^camunda-staging\\s+c8\\s+camunda-platform-13\\.0\\.0\\s+\\d+\\s+\\d+\\s+${stagingFails.length}$`,
      ),
    );
    // Findings carry their release; the staging release's service accounts are its own.
    expect(
      run.findings
        .filter((f) => f.release === 'camunda-staging/c8' && f.module === 'service-accounts')
        .map((f) => f.message),
    ).toContain(
      'service account c8-identity is annotated with role arn:aws:iam::123456789012:role/camunda-identity-irsa',
    );
    expect(run.exitCode).toBe(stagingFails.at(-1)?.code ?? 0);
  });

  it('the same Kubernetes and AWS call is made once for all releases', async () => {
    const run = await runWorld(twoNamespaces(), { allNamespaces: true, namespace: '' });
    expect([...run.calls.sent.values()].every((n) => n === 1)).toBe(true);
    expect(run.calls.sent.get('aws.callerIdentity([])')).toBe(1);
  });

  it('no release anywhere: exit 4', async () => {
    const world = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
    world.kube.releases = [];
    const run = await runWorld(world, { allNamespaces: true, namespace: '' });
    expect(run.lines('all-namespaces')).toEqual([
      '[FAIL] no deployed Camunda release (chart camunda-platform) in any namespace',
    ]);
    expect(run.exitCode).toBe(4);
  });
});
