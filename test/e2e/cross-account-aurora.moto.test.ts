/**
 * A cross-account Aurora world, the whole product against moto (two accounts, each pinned by the
 * test proxy's x-moto-account-id; credentials of a role assumed in B act in B): the cluster and
 * every component role in account A, the Aurora cluster in account B, the roles' policies allowing
 * rds-db:connect on B's cluster. Nothing in A says where the database is but those policies:
 * without credentials for B irsa-check says it cannot check from A (INFO, never the old "is not an
 * endpoint of any Aurora cluster" FAIL); with `--assume-role B=…` it finds the cluster in B and
 * gives AWS's verdict: IAM database authentication accepts only a role of the cluster's own
 * account (Aurora User Guide, "Creating and using an IAM policy for IAM database access").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problems, runAgainst } from '../support/world-runs.js';
import type { SeededMoto } from '../support/moto.js';
import type { WorldModel } from '../support/world.js';
import { ACCT as A, B_NAME, crossAccountAurora, type TwoAccounts } from '../support/issue17-worlds.js';

// In the order of the pg list (the aurora module's order).
const PG = ['identityKeycloak', 'identity', 'webModeler'];

describe('cross-account Aurora (moto, two accounts), every role in the caller’s account', () => {
  let t: TwoAccounts;
  let a: SeededMoto;
  let b: string;
  let world: WorldModel;
  let named: (l: string) => string;

  beforeAll(async () => {
    t = await crossAccountAurora();
    ({ a, b, world, named } = t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("without credentials for B: one INFO per database component naming both accounts, the role's mechanism and the flags; no FAIL", async () => {
    const r = await runAgainst(world, ['-s'], a);
    const lines = [...r.out, ...r.err].map(named);
    expect(lines.filter((l) => l.includes('cannot check from account'))).toEqual(
      PG.map((c) =>
        expect.stringMatching(
          new RegExp(
            `^\\[INFO\\] ${c}: cannot check from account ${A}: database host \\S+ is no Aurora cluster of account ${A} in eu-west-1; it may be in account ${B_NAME}, which the policy of role camunda-\\S+-irsa \\(IRSA, account ${A}\\) names \\(arn:aws:rds-db:eu-west-1:${B_NAME}:dbuser:\\S+\\); run with a profile for account ${B_NAME} \\(--profile-for ${B_NAME}=<profile>, or --assume-role ${B_NAME}=arn:aws:iam::${B_NAME}:role/<a role that may read it>\\)$`,
          ),
        ),
      ),
    );
    expect(problems(r.err)).toEqual([]);
    expect(r.code).toBe(0);
  });

  it("with --assume-role B=…: the cluster is found in B, and a role of A may not connect to it (AWS's verdict)", async () => {
    const r = await runAgainst(
      world,
      ['-s', '--assume-role', `${b}=arn:aws:iam::${b}:role/irsa-check-reader`],
      a,
    );
    const lines = [...r.out, ...r.err].map(named);
    expect(lines.filter((l) => l.includes('cannot check from account'))).toEqual([]);
    expect(
      lines.filter((l) => /^\[OK\] identity: \S+ is the writer endpoint of Aurora cluster/.test(l)),
    ).toEqual([expect.stringMatching(new RegExp(`account ${B_NAME}\\)`))]);
    expect(
      problems(r.err)
        .map(named)
        .filter((l) => l.includes('rds-db:connect')),
    ).toEqual(
      PG.map((c) =>
        expect.stringMatching(
          new RegExp(
            `^\\[FAIL\\] ${c}: role camunda-\\S+-irsa \\(IRSA, account ${A}\\) may not rds-db:connect as \\S+ to Aurora cluster camunda-prod-aurora \\(\\S+\\): Aurora cluster camunda-prod-aurora is in account ${B_NAME}, and IAM database authentication accepts only a role of the cluster's own account, whatever the policies allow$`,
          ),
        ),
      ),
    );
    expect(r.code).toBe(211);
  });
});
