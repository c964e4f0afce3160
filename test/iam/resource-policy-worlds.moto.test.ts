/**
 * Resource policies and the request context, end to end: the built CLI against the fake API
 * server and moto seeded with the healthy Camunda 8.8 world, one planted change each. What a user
 * sees: the exact problem lines and the exit code.
 */
import { describe, expect, it } from 'vitest';
import { seedMoto } from '../support/moto.js';
import { cloneWorld, loadWorld, type WorldModel } from '../support/world.js';
import { expectPlantedFault, problems, runAgainst } from '../support/world-runs.js';

const fixture = loadWorld('camunda-8.8-healthy.yaml');
const ACCT = '123456789012';
const DOMAIN_RESOURCE = `arn:aws:es:eu-west-1:${ACCT}:domain/camunda-prod-os/*`;

type Doc = { Statement: Array<Record<string, unknown>> };
const domainPolicy = (w: WorldModel) => w.aws.domains![0]!.accessPolicies as Doc;
const role = (w: WorldModel, name: string) => w.aws.roles!.find((r) => r.name === name)!;
const regionGuard = (regions: string[]) => ({
  Sid: 'RegionGuard',
  Effect: 'Deny',
  NotAction: ['iam:*', 'sts:*'],
  Resource: '*',
  Condition: { StringNotEquals: { 'aws:RequestedRegion': regions } },
});
const guardIdentity = (regions: string[]) => (w: WorldModel) =>
  (role(w, 'camunda-identity-irsa').inline![0]!.document as Doc).Statement.push(regionGuard(regions));

/** Runs the planted world with -s and returns its lines and exit code. */
async function run(plant: (w: WorldModel) => void) {
  const planted = cloneWorld(fixture);
  plant(planted);
  const moto = await seedMoto(planted);
  try {
    const r = await runAgainst(moto.world, ['-s'], moto);
    const mine = (lines: string[]) => lines.map((l) => l.replaceAll(moto.accountId, ACCT));
    return { out: mine(r.out), problems: mine(problems(r.err)), code: r.code };
  } finally {
    await moto.close();
  }
}

describe('OpenSearch domain access policy, without any es:* identity policy', { timeout: 90_000 }, () => {
  it('Camunda\'s open policy ("AWS": "*", es:*, FGAC on): the domain lets the role in, no FAIL', async () => {
    const r = await run((w) => {
      const st = domainPolicy(w).Statement[0]!;
      st.Sid = 'Open';
      st.Principal = { AWS: '*' };
      st.Action = 'es:*';
      role(w, 'camunda-optimize-irsa').attached = [];
    });
    expect(r.problems).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `[OK] optimize: role camunda-optimize-irsa may es:ESHttpGet/Head/Put/Post/Delete on ${DOMAIN_RESOURCE}: the access policy of OpenSearch domain camunda-prod-os allows it (statement "Open"), which suffices within one account without a statement of the role's own; fine-grained access control then decides what it may do in OpenSearch`,
    );
  });

  it('a policy naming the account root delegates to IAM: the role’s own policy is required (FAIL 150)', async () => {
    await expectPlantedFault(fixture, {
      name: 'account-delegating domain policy, role without policies',
      plant: (w) => {
        domainPolicy(w).Statement[0]!.Principal = { AWS: `arn:aws:iam::${ACCT}:root` };
        role(w, 'camunda-optimize-irsa').attached = [];
      },
      fails: [
        '[FAIL] optimize: role camunda-optimize-irsa (IRSA, account 123456789012) has no attached or inline policies',
      ],
      code: 150,
    });
  });
});

describe(
  'a company region guard (Deny outside the approved regions) in the role’s policy',
  { timeout: 90_000 },
  () => {
    it('that applies (Aurora in eu-west-1, only eu-central-1 approved): AWS denies, a FAIL', async () => {
      await expectPlantedFault(fixture, {
        name: 'region guard applies',
        plant: guardIdentity(['eu-central-1']),
        fails: [
          '[FAIL] identity: role camunda-identity-irsa (IRSA, account 123456789012) may not rds-db:connect as identity_irsa to Aurora cluster camunda-prod-aurora (arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-7GJQ2XKZ5N4M3P2R1S0T9U8V7W/identity_irsa): explicitly denied by statement "RegionGuard" of policy "rds-iam-auth"',
        ],
        code: 211,
      });
    });

    it('that does not apply (eu-west-1 approved): no WARN, all checks pass', async () => {
      const r = await run(guardIdentity(['eu-central-1', 'eu-west-1']));
      expect(r.problems).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.out.at(-1)).toBe('[OK] irsa-check: All checks passed.');
    });
  },
);
