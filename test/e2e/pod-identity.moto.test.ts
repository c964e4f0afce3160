/**
 * EKS Pod Identity worlds, the whole product: the built CLI against the fake API server (whose
 * simulated webhook injects the container credentials for associated ServiceAccounts, as
 * amazon-eks-pod-identity-webhook's buildPodPatchConfig does) and moto, whose missing EKS Pod
 * Identity association APIs the test proxy answers (test/support/aws-fault-proxy.ts). Each
 * world gives AWS's verdict, with the component, the mechanism and the account in the line.
 */
import { describe, expect, it } from 'vitest';
import { problems } from '../support/world-runs.js';
import {
  ACCT,
  associate,
  containerCredentials,
  IDENTITY_ROLE,
  PI_STATEMENT,
  podIdentityOnly,
  podIdentityWorld as world,
  runWorldCli,
} from '../support/issue17-worlds.js';

describe('EKS Pod Identity worlds (moto + fake API server)', () => {
  it('Pod Identity only (no role-arn annotation): checkable, every link OK, exit 0', async () => {
    const r = await runWorldCli(podIdentityOnly());
    expect(problems(r.err)).toEqual([]);
    const lines = [...r.out, ...r.err].filter((l) => /Pod Identity|pod-identity/.test(l));
    expect(lines).toEqual([
      `[INFO] identity: Pod Identity association a-ID gives service account camunda-identity the role ${IDENTITY_ROLE}: its pods get it through the eks-pod-identity-agent`,
      '[OK] the eks-pod-identity-agent runs on 3 node(s) of 3 (service account(s) camunda-identity)',
      `[OK] identity: service account camunda-identity gets role ${IDENTITY_ROLE} from EKS Pod Identity association a-ID`,
      `[OK] identity: 1 running pod(s) carry the Pod Identity container-credentials variables (role ${IDENTITY_ROLE})`,
      `[OK] identity: injection proof: a new pod of service account camunda-identity gets the Pod Identity container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, the eks-pod-identity-token volume, aud pods.eks.amazonaws.com) for ${IDENTITY_ROLE} (dry run of a minimal pod (no workload uses it yet))`,
      `[OK] identity: role camunda-identity-irsa (EKS Pod Identity, account ${ACCT}) trusts pods.eks.amazonaws.com (sts:AssumeRole, sts:TagSession) for service account camunda-identity through Pod Identity association a-ID (statement "AllowEksAuthToAssumeRoleForPodIdentity")`,
      // The pod-less proof, as the agent gets the credentials (EKS Auth; test/support/fake-eks-auth.ts).
      `[OK] identity: pod-less proof: a token for system:serviceaccount:camunda:camunda-identity (aud pods.eks.amazonaws.com) gets EKS Pod Identity credentials for role ${IDENTITY_ROLE} (account ${ACCT}) through association a-ID`,
      // role-in-use names the mechanism too; moto records the role's use at its own time.
      expect.stringMatching(
        new RegExp(
          `^\\[INFO\\] identity: role camunda-identity-irsa \\(EKS Pod Identity, account ${ACCT}\\) (was last used|use not judged)`,
        ),
      ),
    ]);
    expect(r.code).toBe(0);
  });

  it('Pod Identity + IRSA, same role trusting only the OIDC provider: WARN + FAIL 121, and EKS Auth refuses the pod-less proof (FAIL 235): the pods get no credentials', async () => {
    const r = await runWorldCli(world((w) => associate(w, 'camunda-identity', IDENTITY_ROLE)));
    expect(problems(r.err)).toEqual([
      `[WARN] identity: service account camunda-identity has both the IRSA annotation and Pod Identity association a-ID for ${IDENTITY_ROLE}: the pods use Pod Identity (the pod identity webhook injects AWS_CONTAINER_CREDENTIALS_FULL_URI, not AWS_ROLE_ARN, when an association exists), so the role must trust pods.eks.amazonaws.com; the annotation is unused`,
      `[FAIL] identity: pod camunda-identity-7d9c5b8f6-x2k4p has no AWS_CONTAINER_CREDENTIALS_FULL_URI/AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: it started before Pod Identity association a-ID and still uses IRSA (AWS_ROLE_ARN ${IDENTITY_ROLE})`,
      `[FAIL] identity: the trust policy of role camunda-identity-irsa (EKS Pod Identity, account ${ACCT}) does not let pods.eks.amazonaws.com sts:AssumeRole (it trusts only the OIDC provider oidc.eks.eu-west-1.amazonaws.com/id/5C9F1A2B3D4E5F60718293A4B5C6D7E8, for IRSA): the pods of service account camunda-identity get their credentials through Pod Identity association a-ID, which takes precedence over IRSA, so they get none`,
      `[FAIL] identity: EKS Pod Identity cannot assume role camunda-identity-irsa (EKS Pod Identity, account ${ACCT}) for system:serviceaccount:camunda:camunda-identity (association a-ID): the role's trust policy does not let pods.eks.amazonaws.com sts:AssumeRole and sts:TagSession (AccessDeniedException: Unable to sts:AssumeRole and sts:TagSession on ${IDENTITY_ROLE}: its trust policy does not allow pods.eks.amazonaws.com)`,
      '[FAIL] irsa-check: At least one of the checks failed (error code: 235).',
    ]);
    // The exit code is the last FAIL's (README "Exit codes"): the pod-less proof's.
    expect(r.code).toBe(235);
  });

  it('Pod Identity + IRSA, another role: WARN naming the role used; that role is the one whose permissions are checked', async () => {
    const other = `arn:aws:iam::${ACCT}:role/camunda-identity-pod-identity`;
    const r = await runWorldCli(
      world((w) => {
        w.aws.roles!.push({
          arn: other,
          name: 'camunda-identity-pod-identity',
          trustPolicy: { Version: '2012-10-17', Statement: [PI_STATEMENT] },
        });
        associate(w, 'camunda-identity', other);
        containerCredentials(w);
      }),
    );
    expect(problems(r.err)).toEqual([
      `[WARN] identity: Pod Identity association a-ID gives service account camunda-identity the role ${other}, and its IRSA annotation says ${IDENTITY_ROLE}: the pods use ${other} (the pod identity webhook injects AWS_CONTAINER_CREDENTIALS_FULL_URI, not AWS_ROLE_ARN, when an association exists); ${IDENTITY_ROLE} goes unused`,
      `[FAIL] identity: role camunda-identity-pod-identity (EKS Pod Identity, account ${ACCT}) has no attached or inline policies`,
      expect.stringMatching(
        /^\[WARN\] identity: role camunda-identity-pod-identity \(EKS Pod Identity, account \d{12}\) has no recorded use/,
      ),
      expect.stringMatching(/^\[FAIL\] irsa-check: At least one of the checks failed/),
    ]);
  });
});

/**
 * The association's own policy (EKS API reference, PodIdentityAssociation.policy: "the effective
 * permissions … are the intersection of the role's policies and this policy"), which EKS passes to
 * sts:AssumeRole as a session policy (IAM User Guide, "Session policies": they limit the session to
 * what both allow; an explicit Deny in either wins). The test proxy stores and answers it
 * (CreatePodIdentityAssociation/DescribePodIdentityAssociation, test/support/aws-fault-proxy.ts).
 */
describe('EKS Pod Identity association with a session policy (moto + fake API server)', () => {
  const DB_USER = `arn:aws:rds-db:eu-west-1:${ACCT}:dbuser:cluster-7GJQ2XKZ5N4M3P2R1S0T9U8V7W/identity_irsa`;
  const withSessionPolicy = podIdentityOnly;
  const why = `EKS Pod Identity applies it as a session policy, so the pods of role camunda-identity-irsa (EKS Pod Identity, account ${ACCT}) get only what both it and the role's policies allow`;
  const session = (lines: string[]) => lines.filter((l) => l.includes('policy of Pod Identity association'));

  it('PodIdentityAssociation.policy without rds-db:connect: FAIL 213 although the role allows it (the intersection refuses)', async () => {
    const r = await runWorldCli(
      withSessionPolicy({
        Version: '2012-10-17',
        Statement: [{ Sid: 'DocumentsOnly', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
      }),
    );
    expect(r.out).toContain(
      '[OK] identity: role camunda-identity-irsa allows rds-db:connect as identity_irsa on Aurora cluster camunda-prod-aurora (statement "IdentityDbConnect" of policy "rds-iam-auth")',
    );
    expect(problems(r.err)).toEqual([
      `[FAIL] identity: the policy of Pod Identity association a-ID does not allow rds-db:connect as identity_irsa to Aurora cluster camunda-prod-aurora (${DB_USER}): no statement of it allows it; ${why}`,
      '[FAIL] irsa-check: At least one of the checks failed (error code: 213).',
    ]);
    expect(r.code).toBe(213);
  });

  it('PodIdentityAssociation.policy allowing rds-db:connect on the database user: OK, no 213, exit 0', async () => {
    const r = await runWorldCli(
      withSessionPolicy({
        Version: '2012-10-17',
        Statement: [{ Sid: 'Db', Effect: 'Allow', Action: 'rds-db:connect', Resource: DB_USER }],
      }),
    );
    expect(problems(r.err)).toEqual([]);
    expect(session(r.out)).toEqual([
      `[OK] identity: the policy of Pod Identity association a-ID allows rds-db:connect as identity_irsa on Aurora cluster camunda-prod-aurora too (statement "Db"); ${why}`,
    ]);
    expect(r.code).toBe(0);
  });

  it('PodIdentityAssociation.policy with an explicit Deny (IAM User Guide, "Session policies"): FAIL 213 naming the statement', async () => {
    const r = await runWorldCli(
      withSessionPolicy({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Everything', Effect: 'Allow', Action: '*', Resource: '*' },
          { Sid: 'NoDatabases', Effect: 'Deny', Action: 'rds-db:*', Resource: '*' },
        ],
      }),
    );
    expect(problems(r.err)).toEqual([
      `[FAIL] identity: the policy of Pod Identity association a-ID does not allow rds-db:connect as identity_irsa to Aurora cluster camunda-prod-aurora (${DB_USER}): it denies it (statement "NoDatabases"); ${why}`,
      '[FAIL] irsa-check: At least one of the checks failed (error code: 213).',
    ]);
    expect(r.code).toBe(213);
  });
});
