import { describe, expect, it } from 'vitest';
import { cloneWorld, loadWorld, runWorld, type WorldRun } from './support/world.js';
import { manyReleases, trustEveryRelease } from './support/many-releases.js';

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

  describe('Kubernetes calls grow with namespaces, not releases × components', () => {
    const healthy = () => trustEveryRelease(loadWorld('camunda-8.8-healthy.yaml'));
    const kubeCalls = (run: WorldRun) => {
      const by: Record<string, number> = {};
      for (const r of run.calls.records) if (r.api === 'kube') by[r.method] = (by[r.method] ?? 0) + 1;
      return by;
    };

    it('N releases in K namespaces: 4 + 4K reads (one list of ServiceAccounts, pods, workloads and Helm records per namespace), exact', async () => {
      const rows: string[] = [];
      for (const [releases, namespaces] of [
        [1, 1],
        [4, 1],
        [4, 2],
        [8, 2],
        [12, 3],
      ] as const) {
        const run = await runWorld(manyReleases(healthy(), releases, namespaces), {
          allNamespaces: true,
          namespace: '',
        });
        // A healthy fleet: no finding calls for a log, so none is read.
        expect(run.findings.filter((f) => f.level === 'WARN' || f.level === 'FAIL')).toEqual([]);
        const { dryRunCreatePod = 0, ...reads } = kubeCalls(run);
        const total = Object.values(reads).reduce((a, b) => a + b, 0);
        rows.push(`${releases} in ${namespaces}: ${total} reads, ${dryRunCreatePod} dry-run pods`);
        expect(reads).toEqual({
          clusterInfo: 1,
          nodes: 1,
          issuerDiscovery: 1,
          helmReleaseRecords: 1 + namespaces,
          serviceAccounts: namespaces,
          pods: namespaces,
          workloads: namespaces,
        });
      }
      // The injection proof (a dry-run pod create per ServiceAccount: an act, not a read) still counts per component.
      expect(rows).toEqual([
        '1 in 1: 8 reads, 5 dry-run pods',
        '4 in 1: 8 reads, 20 dry-run pods',
        '4 in 2: 12 reads, 20 dry-run pods',
        '8 in 2: 12 reads, 40 dry-run pods',
        '12 in 3: 16 reads, 60 dry-run pods',
      ]);
    });

    it('pod logs are read only for a component with a finding, and the block says whose were not read', async () => {
      const world = manyReleases(healthy(), 3, 1);
      const zeebe = world.kube.serviceAccounts!.find((sa) => sa.name === 'r1-zeebe')!;
      zeebe.annotations = {};
      const run = await runWorld(world, { allNamespaces: true, namespace: '' });
      const logReads = run.calls.records
        .filter((r) => r.method === 'podLogTail')
        .map((r) => r.args.slice(0, 3));
      expect(logReads).toEqual([['camunda-000', 'r1-zeebe-0', 'orchestration']]);
      const logLines = (release: string) =>
        run.findings
          .filter((f) => f.release === release && f.module === 'pod-logs')
          .map((f) => `[${f.level}] ${f.component ? `${f.component}: ` : ''}${f.message}`);
      expect(logLines('camunda-000/r1')).toEqual([
        '[INFO] -A reads pod logs only of components with a WARN or FAIL: not read for identityKeycloak, identity, webModeler, optimize (irsa-check -n camunda-000 --release r1 reads them)',
        '[OK] orchestration: no IRSA error in the newest 0 log line(s) (0 B) of 1 pod(s)',
      ]);
      expect(logLines('camunda-000/r0')).toEqual([
        '[INFO] -A reads pod logs only of components with a WARN or FAIL: not read for identityKeycloak, identity, webModeler, orchestration, optimize (irsa-check -n camunda-000 --release r0 reads them)',
      ]);
    });

    it('--no-logs: no log line at all in -A', async () => {
      const run = await runWorld(manyReleases(healthy(), 2, 1), {
        allNamespaces: true,
        namespace: '',
        logs: false,
      });
      expect(run.findings.filter((f) => f.module === 'pod-logs')).toEqual([]);
    });

    it('list serviceaccounts forbidden: each ServiceAccount is read with get, as a single run does', async () => {
      const world = manyReleases(healthy(), 2, 1);
      world.kube.errors = {
        serviceAccounts: {
          api: 'kube',
          operation: 'list serviceaccounts',
          reason: 'Forbidden',
          message: 'serviceaccounts is forbidden',
          status: 403,
        },
      };
      const run = await runWorld(world, { allNamespaces: true, namespace: '' });
      expect(kubeCalls(run)).toMatchObject({ serviceAccounts: 1, serviceAccount: 10 });
      expect(run.findings.filter((f) => f.level === 'FAIL')).toEqual([]);
    });
  });
});
