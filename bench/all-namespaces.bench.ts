/**
 * `npm run bench:all-namespaces`: `irsa-check -A -s --verbose` (the built CLI) against moto and
 * the fake Kubernetes API server, with 1, 10, 50 and 200 releases laid out two ways: one release
 * per namespace, and all of them in at most 10 namespaces (test/support/many-releases.ts: the
 * healthy 8.8 release copied, all trusted by the same roles). Reports the Kubernetes and AWS calls
 * the run counted (`--verbose`) and the process's wall time; results in
 * bench/all-namespaces.json. BENCH_RELEASES=1,10 picks other sizes.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../test/support/cli.js';
import { startWorld } from '../test/support/kube-world.js';
import { manyReleases, trustEveryRelease } from '../test/support/many-releases.js';
import { seedMoto } from '../test/support/moto.js';
import { loadWorld } from '../test/support/world.js';

interface Result {
  releases: number;
  namespaces: number;
  wallMs: number;
  kubeCalls: number;
  awsCalls: number;
  /** Kubernetes calls by method, e.g. serviceAccount: 1000. */
  kubeByMethod: Record<string, number>;
  exitCode: number | null;
  /** The run's FAIL lines (the fleet is healthy: none expected), for a run that did not end 0. */
  fails: string[];
}
const results: Result[] = [];
const SIZES = (process.env.BENCH_RELEASES ?? '1,10,50,200').split(',').map(Number);

afterAll(() => {
  writeFileSync(
    `${ROOT}/bench/all-namespaces.json`,
    JSON.stringify({ node: process.version, results }, null, 2) + '\n',
  );
  console.log('releases  namespaces  kube calls  AWS calls  wall');
  for (const r of results)
    console.log(
      `${String(r.releases).padStart(8)}  ${String(r.namespaces).padStart(10)}  ${String(r.kubeCalls).padStart(10)}  ${String(r.awsCalls).padStart(9)}  ${(r.wallMs / 1000).toFixed(1)} s  ${JSON.stringify(r.kubeByMethod)}`,
    );
});

describe('-A benchmark', () => {
  it('calls and wall time for 1, 10, 50 and 200 releases', { timeout: 1_800_000 }, async () => {
    // A healthy fleet: every release trusted by the shared roles, so no check finds anything.
    const moto = await seedMoto(trustEveryRelease(loadWorld('camunda-8.8-healthy.yaml')));
    try {
      for (const releases of SIZES) {
        for (const namespaces of [...new Set([releases, Math.min(releases, 10)])]) {
          const fake = await startWorld(manyReleases(moto.world, releases, namespaces));
          try {
            const start = Date.now();
            // --timeout well above the default, so a slow run is measured rather than cut off.
            const r = await runCli(
              ['--kubeconfig', fake.kubeconfigPath, '-A', '-s', '--verbose', '--timeout', '900'],
              {
                env: moto.env,
                timeoutMs: 960_000,
              },
            );
            const wallMs = Date.now() - start;
            const m = /\[debug\] (\d+) Kubernetes calls, (\d+) AWS calls/.exec(r.stderr);
            const kubeByMethod: Record<string, number> = {};
            for (const [, method] of r.stderr.matchAll(/^\[call\] kube\.(\w+)\(/gm))
              kubeByMethod[method!] = (kubeByMethod[method!] ?? 0) + 1;
            results.push({
              releases,
              namespaces,
              wallMs,
              kubeCalls: Number(m?.[1] ?? NaN),
              awsCalls: Number(m?.[2] ?? NaN),
              kubeByMethod,
              exitCode: r.code,
              fails: r.out.filter((l) => l.includes('[FAIL]')).slice(0, 5),
            });
            expect(m, r.stderr.slice(-2000)).not.toBeNull();
          } finally {
            await fake.close();
          }
        }
      }
    } finally {
      await moto.close();
    }
  });
});
