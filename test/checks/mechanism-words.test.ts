/**
 * The proofs name the mechanism the component's pods use (issue 17): for a ServiceAccount with
 * an EKS Pod Identity association the identity Job's lines and fixes speak of the association,
 * the agent and pods.eks.amazonaws.com, not of the IRSA annotation, the webhook's web identity or
 * the OIDC provider (aws/amazon-eks-pod-identity-webhook, buildPodPatchConfig); --direct takes
 * Pod Identity credentials from EKS Auth as the agent does, instead of asking STS for a web identity.
 */
import { describe, expect, it } from 'vitest';
import type { Facts } from '../../src/engine/facts.js';
import type { JobResult } from '../../src/ports/kube.js';
import { jobs } from '../../src/proofs/jobs.js';
import { credentialsFor } from '../../src/proofs/data-plane/proof.js';
import {
  mechanismName,
  mechanismWords,
  roleWords,
  type CredentialSource,
} from '../../src/platform/pod-identity.js';
import { runModule } from '../support/module-run.js';
import { cloneWorld, loadWorld, type WorldModel } from '../support/world.js';

const ROLE = 'arn:aws:iam::123456789012:role/camunda-identity-irsa';
const ASSUMED = (name: string) => `arn:aws:sts::123456789012:assumed-role/${name}/eks-camunda-pr-pod-1234`;
const ASSOCIATION = {
  associationId: 'a-0123456789abcdef0',
  serviceAccount: 'camunda-identity',
  roleArn: ROLE,
};
const POD_IDENTITY: CredentialSource = { mechanism: 'pod-identity', roleArn: ROLE, association: ASSOCIATION };
const ONE = { pg: ['identity'], os: [] };

function world(result: JobResult | Record<string, unknown>): WorldModel {
  const w = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
  w.kube.jobFor = () => result as JobResult;
  return w;
}
const facts: Partial<Facts> = {
  databases: new Map(),
  credentialSources: new Map([['identity', POD_IDENTITY]]),
};
const identity = (arn: string) =>
  JSON.stringify({ UserId: 'AROA:x', Account: '123456789012', Arn: arn }, null, 2);

describe('identity Job of a Pod Identity component', () => {
  it('OK names the mechanism', async () => {
    const r = await runModule(
      world({ outcome: 'succeeded', exitCode: 0, logs: identity(ASSUMED('camunda-identity-irsa')) }),
      jobs,
      ONE,
      facts,
    );
    expect(r.lines).toEqual([
      `[OK] identity: in-pod identity: a pod running as service account camunda-identity is ${ASSUMED('camunda-identity-irsa')} (role ${ROLE}, through EKS Pod Identity)`,
    ]);
  });

  it('another role: the line names the association, not the annotation', async () => {
    const r = await runModule(
      world({ outcome: 'succeeded', exitCode: 0, logs: identity(ASSUMED('camunda-optimize-irsa')) }),
      jobs,
      ONE,
      facts,
    );
    expect(r.lines).toEqual([
      `[FAIL] identity: a pod running as service account camunda-identity is ${ASSUMED('camunda-optimize-irsa')}, not role camunda-identity-irsa (EKS Pod Identity, account 123456789012), the role of Pod Identity association a-0123456789abcdef0`,
    ]);
  });

  it('no credentials: the fix points at the agent and the association, not the webhook and annotation', async () => {
    const r = await runModule(
      world({ outcome: 'failed', exitCode: 255, logs: 'Unable to locate credentials' }),
      jobs,
      ONE,
      facts,
    );
    expect(r.findings[0]!.fix).toBe(
      `The pod got no container credentials for ${ROLE}: check that the eks-pod-identity-agent runs on its node and that Pod Identity association a-0123456789abcdef0 is for service account camunda-identity (the pod must be created after the association).`,
    );
  });

  it('AccessDenied: the fix names pods.eks.amazonaws.com, not the OIDC sub condition', async () => {
    const r = await runModule(
      world({ outcome: 'failed', exitCode: 254, logs: 'An error occurred (AccessDenied)' }),
      jobs,
      ONE,
      facts,
    );
    expect(r.findings[0]!.fix).toMatch(
      /^EKS Pod Identity could not assume \S+: its trust policy must allow pods\.eks\.amazonaws\.com/,
    );
  });

  it('an IRSA component keeps the words it always had', () => {
    const irsa = mechanismWords({ mechanism: 'irsa', roleArn: ROLE });
    expect([irsa.name, irsa.role]).toEqual(['IRSA', 'the annotated role']);
  });
});

describe('--direct for a Pod Identity component', () => {
  /** credentialsFor with a stub platform: the TokenRequest's audience and EKS Auth's answer are recorded. */
  async function direct(answer: Record<string, unknown>) {
    const asked: string[] = [];
    const services = {
      aws: {
        assumeRoleWithWebIdentity: async () => (asked.push('sts'), {}),
        assumeRoleForPodIdentity: async (cluster: string, token: string, region: string) => (
          asked.push(`eks-auth ${cluster} ${token} ${region}`),
          answer
        ),
      },
      kube: {
        requestToken: async (ns: string, sa: string, aud: string) => (
          asked.push(`token ${ns}/${sa} ${aud}`),
          'a.b.c'
        ),
      },
      scope: { namespace: 'camunda' },
      options: {},
    } as unknown as Parameters<typeof credentialsFor>[0];
    const proof = await credentialsFor(
      services,
      {
        region: 'eu-west-1',
        databases: undefined,
        auroraClusters: undefined,
        openSearchDomain: undefined,
        webIdentity: async () => undefined,
        credentialSources: new Map([['identity', POD_IDENTITY]]),
        cluster: async () => ({
          name: 'camunda-prod',
          arn: 'arn:aws:eks:eu-west-1:123456789012:cluster/camunda-prod',
        }),
      },
      {
        key: 'identity',
        pg: true,
        os: false,
        serviceAccount: { name: 'camunda-identity', annotations: {} },
      } as never,
      ROLE,
    );
    return { proof, asked };
  }
  const CREDS = { accessKeyId: 'ASIAPODIDENTITY', secretAccessKey: 's', sessionToken: 't' };
  const answer = (role: string) => ({
    subject: { namespace: 'camunda', serviceAccount: 'camunda-identity' },
    audience: 'pods.eks.amazonaws.com',
    podIdentityAssociation: { associationArn: 'arn', associationId: 'a-0123456789abcdef0' },
    assumedRoleArn: ASSUMED(role),
    credentials: CREDS,
  });

  it('takes the credentials as the agent does: a token of aud pods.eks.amazonaws.com, EKS Auth, no STS; pinned to the association role', async () => {
    const { proof, asked } = await direct(answer('camunda-identity-irsa'));
    expect(asked).toEqual([
      'token camunda/camunda-identity pods.eks.amazonaws.com',
      'eks-auth camunda-prod a.b.c eu-west-1',
    ]);
    expect(proof).toEqual({
      ok: true,
      result: { credentials: CREDS, caller: ASSUMED('camunda-identity-irsa'), pinned: true },
    });
  });

  it('credentials for another role are not pinned: the proofs see who they ran as', async () => {
    const { proof } = await direct(answer('camunda-optimize-irsa'));
    expect(proof).toEqual({
      ok: true,
      result: { credentials: CREDS, caller: ASSUMED('camunda-optimize-irsa'), pinned: false },
    });
  });
});

/**
 * The one form every finding about a component's role uses (issue 17: the mechanism and the
 * 12-digit account in the line), so new lines get it by calling roleWords.
 */
describe('roleWords', () => {
  it.each([
    [ROLE, 'IRSA', 'role camunda-identity-irsa (IRSA, account 123456789012)'],
    [ROLE, 'EKS Pod Identity', 'role camunda-identity-irsa (EKS Pod Identity, account 123456789012)'],
    [
      'arn:aws:iam::210987654321:role/team/a/camunda-zeebe',
      'IRSA',
      'role camunda-zeebe (IRSA, account 210987654321)',
    ],
    ['not-an-arn', 'IRSA', 'role not-an-arn (IRSA)'],
  ] as const)('%s through %s: %s', (arn, mechanism, words) => {
    expect(roleWords(arn, mechanism)).toBe(words);
  });

  it('the mechanism of a credential source: an association wins', () => {
    expect([
      mechanismName(POD_IDENTITY),
      mechanismName({ mechanism: 'irsa', roleArn: ROLE }),
      mechanismName(undefined),
    ]).toEqual(['EKS Pod Identity', 'IRSA', 'IRSA']);
  });
});
