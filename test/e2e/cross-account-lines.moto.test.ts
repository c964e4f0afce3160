/**
 * Issue 17's "Done when", as a table over its cases (one world each, the worlds of
 * test/support/issue17-worlds.ts that the exact-line tests use): every non-OK line about a role,
 * its trust or permission policy, its OIDC provider, a Pod Identity association or a resource it
 * reaches in another account names the component (the line's component, or "the X component's"
 * in a line that has none), the mechanism ("IRSA" / "EKS Pod Identity" / "Pod Identity
 * association") and a 12-digit account; and what irsa-check merely cannot see from the caller's
 * account (another account's role, domain or cluster without --assume-role) is an INFO, never a
 * FAIL. The built CLI with `--output json` (each finding's module, check and component), against
 * the fake API server and moto.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import { cloneWorld, type WorldModel } from '../support/world.js';
import { runAgainst } from '../support/world-runs.js';
import {
  accountDelegatingDomainPolicy,
  assumeB,
  associate,
  containerCredentials,
  crossAccountAurora,
  crossAccountOpenSearch,
  fixture,
  guardIdentity,
  IDENTITY_ROLE,
  identityRole,
  openDomainPolicy,
  PI_STATEMENT,
  podIdentityOnly,
  podIdentityWorld,
  roleOf,
  runWorldCli,
  type TwoAccounts,
} from '../support/issue17-worlds.js';

/** The lines the issue is about: a role, its policies, its provider, an association, a resource across accounts. */
function aboutAccess(f: Finding): boolean {
  switch (f.module) {
    case 'roles':
    case 'role-in-use':
      return true;
    case 'pod-identity':
      // Its per-service-account lines; the agent's and the API's own notices concern no role.
      return f.component !== undefined;
    case 'document-store':
      return f.check === 'docstore-s3-access';
    case 'cluster':
      return /OIDC provider/.test(f.message);
    case 'aurora':
    case 'opensearch':
      return /cannot check from account/.test(f.message);
    case 'token':
      // The proofs' verdicts on a role (STS's or EKS Auth's refusal, another role handed out);
      // not the token's own problems, which concern no role.
      return (
        f.check === 'token-role' ||
        f.check === 'token-pod-identity-role' ||
        (f.check === 'token-sts' && /refused to assume/.test(f.message)) ||
        (f.check === 'token-pod-identity' && /cannot assume/.test(f.message))
      );
    case 'jobs':
      return f.check === 'identity-job-role';
    case 'data-plane':
      return PROOF_ROLE_CHECKS.has(f.check ?? '');
    default:
      return false;
  }
}

/** The data-plane proofs' lines that judge the component's role itself. */
const PROOF_ROLE_CHECKS = new Set([
  'aurora-wrong-principal',
  'aurora-token-rejected',
  'opensearch-wrong-principal',
  'opensearch-role-unmapped',
  'opensearch-signed-request-refused',
  'opensearch-writes-refused',
]);

const PROOFS = new Set(['token', 'jobs', 'data-plane']);
/** `role camunda-identity-irsa (EKS Pod Identity, account 123456789012)`. */
const ROLE_WORDS = /\brole \S+ \((?:IRSA|EKS Pod Identity), account \d{12}\)/;

const MECHANISM = /\bIRSA\b|\bEKS Pod Identity\b|\bPod Identity association\b/;
const ACCOUNT = /\b\d{12}\b/;

/** What a line misses of component, mechanism and account; empty when it names all three. */
function missing(f: Finding): string[] {
  const gaps: string[] = [];
  if (!f.component && !/\bthe \w+ component's\b/.test(f.message)) gaps.push('component');
  if (!MECHANISM.test(f.message)) gaps.push('mechanism');
  if (!ACCOUNT.test(f.message)) gaps.push('account');
  // A proof's line says its own words around a role ARN ("EKS Pod Identity cannot assume arn:…"):
  // it must name the role the way every other check does (platform/pod-identity.ts roleWords).
  if (PROOFS.has(f.module) && !ROLE_WORDS.test(f.message)) gaps.push('role words');
  return gaps;
}

/** The findings of one run, from the JSON report. */
const findingsOf = (stdout: string): Finding[] => (JSON.parse(stdout) as { findings: Finding[] }).findings;

async function single(w: WorldModel): Promise<Finding[]> {
  const r = await runWorldCli(w, ['--output', 'json']);
  return findingsOf(r.out.join('\n'));
}

interface Case {
  name: string;
  run: () => Promise<Finding[]>;
  /** Lines about access that must be there (non-OK), so the row cannot pass by saying nothing. */
  expectNonOk: boolean;
  /** Only what irsa-check cannot see from the caller's account is wrong: an INFO, no FAIL at all. */
  invisibleOnly?: boolean;
  /** AWS allows everything: no WARN or FAIL at all. */
  clean?: boolean;
  /** A proof's FAIL (module token, jobs or data-plane, this check) that must be among the lines. */
  proofFail?: string;
}

describe("issue 17's cases: component, mechanism and account in every line; no FAIL for what cannot be seen", () => {
  let os: TwoAccounts;
  let osNoProvider: TwoAccounts;
  let aurora: TwoAccounts;
  const cross = async (t: () => TwoAccounts, args: string[] = []) => {
    const r = await runAgainst(t().world, ['-s', '--output', 'json', ...args], t().a);
    return findingsOf(t().named(r.stdout));
  };
  beforeAll(async () => {
    [os, osNoProvider, aurora] = await Promise.all([
      crossAccountOpenSearch(),
      crossAccountOpenSearch({ withProvider: false }),
      crossAccountAurora(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([os?.close(), osNoProvider?.close(), aurora?.close()]);
  });

  const cases: Case[] = [
    {
      name: 'IRSA only: a trust policy admitting another service account (FAIL 202)',
      run: () =>
        single(
          (() => {
            const w = cloneWorld(fixture);
            const r = roleOf(w, 'camunda-web-modeler-irsa');
            r.trustPolicy = JSON.parse(
              JSON.stringify(r.trustPolicy).replace('camunda:camunda-web-modeler', 'camunda:web-modeler'),
            ) as unknown;
            return w;
          })(),
        ),
      expectNonOk: true,
    },
    {
      name: 'Pod Identity only: a role trusting pods.eks.amazonaws.com without sts:TagSession (FAIL 121)',
      run: () =>
        single(
          podIdentityWorld((w) => {
            delete w.kube.serviceAccounts!.find((s) => s.name === 'camunda-identity')!.annotations[
              'eks.amazonaws.com/role-arn'
            ];
            identityRole(w).trustPolicy = {
              Version: '2012-10-17',
              Statement: [{ ...PI_STATEMENT, Action: 'sts:AssumeRole' }],
            };
            associate(w, 'camunda-identity', IDENTITY_ROLE);
            containerCredentials(w);
          }),
        ),
      expectNonOk: true,
      // EKS Auth's own verdict (the pod-less proof): the same role, mechanism and account as the roles check's.
      proofFail: 'token-pod-identity',
    },
    {
      name: 'Pod Identity only: a session policy that refuses rds-db:connect (FAIL 213)',
      run: () =>
        single(
          podIdentityOnly({
            Version: '2012-10-17',
            Statement: [{ Sid: 'NoDb', Effect: 'Deny', Action: 'rds-db:*', Resource: '*' }],
          }),
        ),
      expectNonOk: true,
    },
    {
      name: 'Pod Identity and IRSA on one service account, the same role trusting only the OIDC provider',
      run: () => single(podIdentityWorld((w) => associate(w, 'camunda-identity', IDENTITY_ROLE))),
      expectNonOk: true,
      proofFail: 'token-pod-identity',
    },
    {
      name: 'Pod Identity and IRSA on one service account, another role (without policies)',
      run: () =>
        single(
          podIdentityWorld((w) => {
            const other = IDENTITY_ROLE.replace('camunda-identity-irsa', 'camunda-identity-pod-identity');
            w.aws.roles!.push({
              arn: other,
              name: 'camunda-identity-pod-identity',
              trustPolicy: { Version: '2012-10-17', Statement: [PI_STATEMENT] },
            });
            associate(w, 'camunda-identity', other);
            containerCredentials(w);
          }),
        ),
      expectNonOk: true,
    },
    {
      name: 'roles and OpenSearch domain in another account, no credentials for it: INFO only',
      run: () => cross(() => os),
      expectNonOk: true,
      invisibleOnly: true,
    },
    {
      name: 'roles and OpenSearch domain in another account, read with --assume-role: AWS allows',
      run: () => cross(() => os, assumeB(os)),
      expectNonOk: false,
      clean: true,
    },
    {
      name: "roles in another account whose IAM has no OIDC provider for the cluster's issuer (FAIL 201)",
      run: () => cross(() => osNoProvider, assumeB(osNoProvider)),
      expectNonOk: true,
    },
    {
      name: 'Aurora cluster in another account, no credentials for it: INFO only',
      run: () => cross(() => aurora),
      expectNonOk: true,
      invisibleOnly: true,
    },
    {
      name: "Aurora cluster in another account, read with --assume-role: roles of A refused (FAIL 211, AWS's verdict)",
      run: () => cross(() => aurora, assumeB(aurora)),
      expectNonOk: true,
    },
    {
      name: 'open domain policy ("AWS": "*"), role without es:* policy: AWS lets it in',
      run: () => single(seeded(openDomainPolicy)),
      expectNonOk: false,
      clean: true,
    },
    {
      name: 'account-delegating domain policy, role without policies (FAIL 150)',
      run: () => single(seeded(accountDelegatingDomainPolicy)),
      expectNonOk: true,
    },
    {
      name: 'a region guard that applies (FAIL 211)',
      run: () => single(seeded(guardIdentity(['eu-central-1']))),
      expectNonOk: true,
    },
    {
      name: 'a region guard that does not apply: AWS allows',
      run: () => single(seeded(guardIdentity(['eu-central-1', 'eu-west-1']))),
      expectNonOk: false,
      clean: true,
    },
  ];

  it.each(cases)(
    '$name',
    async (c) => {
      const findings = await c.run();
      const lines = findings.filter((f) => f.level !== 'OK' && aboutAccess(f));
      // Every line names its component, mechanism and account: list those that do not, with what they miss.
      expect(
        lines.flatMap((f) =>
          missing(f).length ? [`${missing(f).join('+')}: [${f.level}] ${f.message}`] : [],
        ),
      ).toEqual([]);
      if (c.expectNonOk) expect(lines.length).toBeGreaterThan(0);
      if (c.proofFail) {
        expect(lines.filter((f) => f.level === 'FAIL' && f.check === c.proofFail).length).toBeGreaterThan(0);
      }
      if (c.invisibleOnly) {
        expect(findings.filter((f) => f.level === 'FAIL')).toEqual([]);
        expect(lines.some((f) => f.level === 'INFO' && /cannot check from account/.test(f.message))).toBe(
          true,
        );
      }
      if (c.clean) expect(findings.filter((f) => f.level === 'FAIL' || f.level === 'WARN')).toEqual([]);
    },
    180_000,
  );
});

/** The healthy world with one planted change. */
function seeded(plant: (w: WorldModel) => void): WorldModel {
  const w = cloneWorld(fixture);
  plant(w);
  return w;
}
