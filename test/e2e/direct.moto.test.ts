/**
 * --direct through the built CLI (bundled pg client, SigV4 signer) against the fake API
 * server and moto: the TokenRequest and moto's AssumeRoleWithWebIdentity give real
 * temporary credentials; the database and domain hosts moto names do not resolve from
 * here, so every proof ends in its own "cannot reach" FAIL, never a crash or an OK.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startWorld } from '../support/kube-world.js';
import { seedMoto } from '../support/moto.js';
import { loadWorld } from '../support/world.js';

describe('--direct, built CLI, moto + fake API server', () => {
  it('proves from here; unresolvable hosts are FAIL 263 / 272 with the fix to run from inside the VPC', async () => {
    const moto = await seedMoto(loadWorld('camunda-8.8-healthy.yaml'));
    const fake = await startWorld(moto.world);
    try {
      const r = await runCli(
        ['--kubeconfig', fake.kubeconfigPath, '-n', 'camunda', '-s', '--direct', '--output', 'json'],
        { env: moto.env },
      );
      const report = JSON.parse(r.stdout) as {
        findings: Array<{
          module: string;
          level: string;
          code?: number;
          component?: string;
          message: string;
          fix?: string;
        }>;
      };
      const dp = report.findings.filter((f) => f.module === 'data-plane');
      expect(dp.map((f) => [f.component, f.level, f.code])).toEqual([
        ['identityKeycloak', 'FAIL', 263],
        ['identity', 'FAIL', 263],
        ['webModeler', 'FAIL', 263],
        ['orchestration', 'FAIL', 272],
        ['optimize', 'FAIL', 272],
      ]);
      const db = moto.mapping.dbClusters['camunda-prod-aurora']!.endpoint;
      expect(dp[1]!.message).toMatch(
        new RegExp(`^cannot reach ${db.replace(/\./g, '\\.')}:5432 from here \\(ENOTFOUND`),
      );
      expect(dp[3]!.fix).toMatch(/^Run --direct from inside the VPC/);
      expect(r.stderr).not.toMatch(/secretAccessKey|sessionToken|X-Amz-Signature/);
    } finally {
      await fake.close();
      await moto.close();
    }
  }, 60_000);
});
