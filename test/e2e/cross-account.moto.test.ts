/**
 * A cross-account OpenSearch world, the whole product against moto (two accounts, each pinned
 * by the test proxy's x-moto-account-id; credentials of a role assumed in account B act in B,
 * as on AWS): the cluster in account A, the OpenSearch components' roles, their OIDC provider
 * and the domain in account B (EKS user guide, "Authenticate to another account with IRSA").
 * Without credentials for B irsa-check says what it cannot see — INFO, never a FAIL — and with
 * `--assume-role B=ARN` it checks B's roles, provider and domain, naming the account.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problems, runAgainst } from '../support/world-runs.js';
import type { SeededMoto } from '../support/moto.js';
import type { WorldModel } from '../support/world.js';
import { ACCT as A, B_NAME, crossAccountOpenSearch, type TwoAccounts } from '../support/issue17-worlds.js';

describe('cross-account OpenSearch (moto, two accounts)', () => {
  let t: TwoAccounts;
  let a: SeededMoto;
  let b: string;
  let world: WorldModel;
  let named: (l: string) => string;

  beforeAll(async () => {
    t = await crossAccountOpenSearch();
    ({ a, b, world, named } = t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('without credentials for B: INFO lines naming both accounts and the flag, no FAIL', async () => {
    const r = await runAgainst(world, ['-s'], a);
    const lines = [...r.out, ...r.err].map(named);
    expect(lines.filter((l) => l.includes('cannot check from account'))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^\\[INFO\\] cannot check from account ${A}: OpenSearch host \\S+ is no domain of account ${A} in eu-west-1; it may be in account ${B_NAME}, which holds the orchestration component's role camunda-orchestration-irsa \\(IRSA, account ${B_NAME}\\); run with a profile for account ${B_NAME} \\(--profile-for ${B_NAME}=<profile>, or --assume-role ${B_NAME}=arn:aws:iam::${B_NAME}:role/<a role that may read it>\\)$`,
        ),
      ),
      ...['orchestration', 'optimize'].map(
        (c) =>
          `[INFO] ${c}: cannot check from account ${A}: the trust and permission policies of role camunda-${c}-irsa (IRSA, account ${B_NAME}); run with a profile for account ${B_NAME} (--profile-for ${B_NAME}=<profile>, or --assume-role ${B_NAME}=arn:aws:iam::${B_NAME}:role/<a role that may read it>)`,
      ),
    ]);
    expect(problems(r.err)).toEqual([]);
    expect(r.code).toBe(0);
  });

  it("with --assume-role B=…: the domain, the roles and B's OIDC provider are checked in B", async () => {
    const r = await runAgainst(
      world,
      ['-s', '--assume-role', `${b}=arn:aws:iam::${b}:role/irsa-check-reader`],
      a,
    );
    const lines = [...r.out, ...r.err].map(named);
    expect(problems(r.err)).toEqual([]);
    expect(lines.filter((l) => /OpenSearch domain camunda-prod-os \(eu-west-1, account/.test(l))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^\\[OK\\] \\S+ is the VPC endpoint of OpenSearch domain camunda-prod-os \\(eu-west-1, account ${B_NAME}\\)$`,
        ),
      ),
    ]);
    expect(lines.filter((l) => /^\[OK\] (orchestration|optimize): (role|the access policy)/.test(l))).toEqual(
      [
        '[OK] orchestration: role camunda-orchestration-irsa trusts system:serviceaccount:camunda:camunda-zeebe (audience sts.amazonaws.com) from this cluster\'s OIDC provider (statement "CamundaOrchestrationIrsa")',
        `[OK] orchestration: role camunda-orchestration-irsa allows es:ESHttpGet/Head/Put/Post/Delete on arn:aws:es:eu-west-1:${B_NAME}:domain/camunda-prod-os/* (statement "OpenSearchHttp" of policy "camunda-opensearch-access")`,
        '[OK] orchestration: the access policy of OpenSearch domain camunda-prod-os admits role camunda-orchestration-irsa (statement "CamundaRoles")',
        '[OK] optimize: role camunda-optimize-irsa trusts system:serviceaccount:camunda:camunda-optimize (audience sts.amazonaws.com) from this cluster\'s OIDC provider (statement "CamundaOptimizeIrsa")',
        `[OK] optimize: role camunda-optimize-irsa allows es:ESHttpGet/Head/Put/Post/Delete on arn:aws:es:eu-west-1:${B_NAME}:domain/camunda-prod-os/* (statement "OpenSearchHttp" of policy "camunda-opensearch-access")`,
        '[OK] optimize: the access policy of OpenSearch domain camunda-prod-os admits role camunda-optimize-irsa (statement "CamundaRoles")',
      ],
    );
    expect(r.code).toBe(0);
  });

  it('with --profile-for B=PROFILE: B is read with that profile of the shared credentials file', async () => {
    // A profile with B's own long-term keys (the proxy pins that key to B, as AWS would).
    const dir = mkdtempSync(join(tmpdir(), 'irsa-profile-'));
    const credentials = join(dir, 'credentials');
    writeFileSync(
      credentials,
      '[b-reader]\naws_access_key_id = AKIDBREADER0000000001\naws_secret_access_key = testing\n',
    );
    a.proxy.pinKey('AKIDBREADER0000000001', b);
    const assumedBefore = a.proxy.count('sts:AssumeRole');
    const r = await runAgainst(world, ['-s', '--profile-for', `${b}=b-reader`], {
      ...a,
      env: { ...a.env, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: join(dir, 'config') },
    });
    const lines = [...r.out, ...r.err].map(named);
    expect(problems(r.err)).toEqual([]);
    expect(lines.filter((l) => l.includes('cannot check from account'))).toEqual([]);
    expect(lines.filter((l) => /OpenSearch domain camunda-prod-os \(eu-west-1, account/.test(l))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^\\[OK\\] \\S+ is the VPC endpoint of OpenSearch domain camunda-prod-os \\(eu-west-1, account ${B_NAME}\\)$`,
        ),
      ),
    ]);
    expect(lines).toContain(
      `[OK] optimize: role camunda-optimize-irsa allows es:ESHttpGet/Head/Put/Post/Delete on arn:aws:es:eu-west-1:${B_NAME}:domain/camunda-prod-os/* (statement "OpenSearchHttp" of policy "camunda-opensearch-access")`,
    );
    // No sts:AssumeRole: the profile's own keys read B.
    expect(a.proxy.count('sts:AssumeRole')).toBe(assumedBefore);
    expect(r.code).toBe(0);
  });

  it('--profile-for and --assume-role for the same account: a usage error, exit 1', async () => {
    const r = await runAgainst(
      world,
      ['-s', '--profile-for', `${b}=x`, '--assume-role', `${b}=arn:aws:iam::${b}:role/irsa-check-reader`],
      a,
    );
    expect(r.err.join('\n')).toContain(`account ${b} has both --assume-role`);
    expect(r.code).toBe(1);
  });
});
