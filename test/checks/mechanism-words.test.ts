/**
 * The proofs name the mechanism the component's pods use (issue 17): for a ServiceAccount with
 * an EKS Pod Identity association the identity Job's lines and fixes speak of the association,
 * the agent and pods.eks.amazonaws.com, not of the IRSA annotation, the webhook's web identity or
 * the OIDC provider (aws/amazon-eks-pod-identity-webhook, buildPodPatchConfig); --direct says it
 * cannot take Pod Identity credentials from this machine instead of asking STS for a web identity.
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
      `[FAIL] identity: a pod running as service account camunda-identity is ${ASSUMED('camunda-optimize-irsa')}, not the role of Pod Identity association a-0123456789abcdef0 ${ROLE}`,
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
    expect([irsa.name, irsa.role, irsa.notFromHere]).toEqual(['IRSA', 'the annotated role', undefined]);
  });
});

describe('--direct for a Pod Identity component', () => {
  it('says it cannot take the credentials from here, and asks STS nothing', async () => {
    let asked = false;
    const services = {
      aws: { assumeRoleWithWebIdentity: async () => ((asked = true), {}) },
      kube: {},
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
      },
      {
        key: 'identity',
        pg: true,
        os: false,
        serviceAccount: { name: 'camunda-identity', annotations: {} },
      } as never,
      ROLE,
    );
    expect(proof).toEqual({
      ok: false,
      reason:
        'its pods get their credentials from EKS Pod Identity (association a-0123456789abcdef0), which irsa-check cannot take from this machine; run without --direct, so the verification Job proves it in the cluster',
    });
    expect(asked).toBe(false);
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
