/**
 * EKS Auth's AssumeRoleForPodIdentity through the real LiveAws (src/platform/eks-auth.ts: the
 * REST call signed by hand, no @aws-sdk/client-eks-auth in the registry) against the test proxy's
 * fake EKS Auth (test/support/fake-eks-auth.ts), both built from the Smithy model
 * (aws-sdk-js-v3 codegen/sdk-codegen/aws-models/eks-auth.json), with tokens from the fake API
 * server's TokenRequest.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateKeyPair, SignJWT } from 'jose';
import { ApiCallError } from '../../src/core/errors.js';
import { eksAuthEndpoint } from '../../src/platform/eks-auth.js';
import { LiveAws } from '../../src/platform/live-aws.js';
import type { FakeKube } from '../support/fake-kube.js';
import { startWorld } from '../support/kube-world.js';
import { seedMoto, type SeededMoto } from '../support/moto.js';
import { cloneWorld, loadWorld } from '../support/world.js';

const REGION = 'eu-west-1';
let moto: SeededMoto;
let fake: FakeKube;

beforeAll(async () => {
  const w = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
  w.aws.roles!.find((r) => r.name === 'camunda-identity-irsa')!.trustPolicy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
      },
    ],
  };
  w.aws.podIdentity = [
    {
      cluster: 'camunda-prod',
      region: REGION,
      associationId: 'a-0123456789abcdef0',
      namespace: 'camunda',
      serviceAccount: 'camunda-identity',
      roleArn: 'arn:aws:iam::123456789012:role/camunda-identity-irsa',
    },
  ];
  moto = await seedMoto(w);
  fake = await startWorld(moto.world);
  moto.proxy.trustKubernetesIssuer(`${fake.url}/openid/v1/jwks`);
  for (const [k, v] of Object.entries(moto.env)) vi.stubEnv(k, v);
  vi.stubEnv('AWS_PROFILE', undefined);
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await fake?.close();
  await moto?.close();
});
beforeEach(() => {
  moto.proxy.reset();
});

/** A TokenRequest to the fake API server, as the product makes it. */
async function tokenFor(sa: string, audience: string): Promise<string> {
  const res = await fetch(`${fake.url}/api/v1/namespaces/camunda/serviceaccounts/${sa}/token`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { audiences: [audience], expirationSeconds: 600 },
    }),
  });
  return ((await res.json()) as { status: { token: string } }).status.token;
}

const live = () => new LiveAws({ region: REGION });
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => {
      if (!(e instanceof ApiCallError)) throw e;
      return [e.operation, e.reason, e.status];
    },
  );

describe('eks-auth:AssumeRoleForPodIdentity, LiveAws against the fake EKS Auth', () => {
  it("answers the model's shape: subject, association, the association's role, credentials", async () => {
    const answer = await live().assumeRoleForPodIdentity(
      'camunda-prod',
      await tokenFor('camunda-identity', 'pods.eks.amazonaws.com'),
      REGION,
    );
    expect(answer.subject).toEqual({ namespace: 'camunda', serviceAccount: 'camunda-identity' });
    expect(answer.audience).toBe('pods.eks.amazonaws.com');
    expect(answer.podIdentityAssociation.associationArn).toMatch(
      /^arn:aws:eks:eu-west-1:\d{12}:podidentityassociation\/camunda-prod\/a-/,
    );
    expect(answer.assumedRoleArn).toMatch(
      /^arn:aws:sts::\d{12}:assumed-role\/camunda-identity-irsa\/eks-camunda-prod-camunda-identity-\d+$/,
    );
    expect(Object.keys(answer.credentials ?? {}).sort()).toEqual([
      'accessKeyId',
      'secretAccessKey',
      'sessionToken',
    ]);
    const [sent] = moto.proxy.requests;
    expect([sent?.action, sent?.signed, sent?.region]).toEqual([
      'eks-auth:AssumeRoleForPodIdentity',
      true,
      REGION,
    ]);
  });

  it('a token for another audience is InvalidTokenException (400)', async () => {
    const token = await tokenFor('camunda-identity', 'sts.amazonaws.com');
    expect(await refusal(live().assumeRoleForPodIdentity('camunda-prod', token, REGION))).toEqual([
      'eks-auth:AssumeRoleForPodIdentity',
      'InvalidTokenException',
      400,
    ]);
  });

  it("a token the cluster's keys did not sign is InvalidTokenException", async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ sub: 'system:serviceaccount:camunda:camunda-identity' })
      .setProtectedHeader({ alg: 'RS256', kid: 'other' })
      .setAudience('pods.eks.amazonaws.com')
      .setExpirationTime('10m')
      .sign(privateKey);
    expect(await refusal(live().assumeRoleForPodIdentity('camunda-prod', token, REGION))).toEqual([
      'eks-auth:AssumeRoleForPodIdentity',
      'InvalidTokenException',
      400,
    ]);
  });

  it('a service account without an association is ResourceNotFoundException (404)', async () => {
    const token = await tokenFor('camunda-optimize', 'pods.eks.amazonaws.com');
    expect(await refusal(live().assumeRoleForPodIdentity('camunda-prod', token, REGION))).toEqual([
      'eks-auth:AssumeRoleForPodIdentity',
      'ResourceNotFoundException',
      404,
    ]);
  });

  it('throttling is retried as the SDK retries it; beyond the retries it is "could not check"', async () => {
    const token = await tokenFor('camunda-identity', 'pods.eks.amazonaws.com');
    moto.proxy.fail('eks-auth:AssumeRoleForPodIdentity', 'throttling', 1);
    const answer = await live().assumeRoleForPodIdentity('camunda-prod', token, REGION);
    expect(answer.subject.serviceAccount).toBe('camunda-identity');
    expect(moto.proxy.count('eks-auth:AssumeRoleForPodIdentity')).toBe(2);
    moto.proxy.reset();
    moto.proxy.fail('eks-auth:AssumeRoleForPodIdentity', 'throttling');
    const e = await live()
      .assumeRoleForPodIdentity('camunda-prod', token, REGION)
      .catch((x: unknown) => x as ApiCallError);
    expect([(e as ApiCallError).reason, (e as ApiCallError).message]).toEqual([
      'ThrottlingException',
      'could not check: throttled by AWS after 5 attempts (Rate exceeded)',
    ]);
    expect(moto.proxy.count('eks-auth:AssumeRoleForPodIdentity')).toBe(5);
  }, 30_000);
});

describe('a skewed clock, as the SDK handles it', () => {
  it("signs again once with AWS's clock from the refusal's Date header, and then gets its answer", async () => {
    const token = await tokenFor('camunda-identity', 'pods.eks.amazonaws.com');
    moto.proxy.setClockSkew(10 * 60_000);
    const answer = await live().assumeRoleForPodIdentity('camunda-prod', token, REGION);
    expect(answer.subject.serviceAccount).toBe('camunda-identity');
    expect(moto.proxy.requests.map((q) => q.action)).toEqual([
      'eks-auth:AssumeRoleForPodIdentity',
      'eks-auth:AssumeRoleForPodIdentity',
    ]);
  });
});

describe("the EKS Auth endpoint (the model's endpoint rules; the SDKs' endpoint settings)", () => {
  it('is eks-auth.<region>.api.aws, api.amazonwebservices.com.cn in China, or the configured one', () => {
    expect(eksAuthEndpoint('eu-west-1', {})).toBe('https://eks-auth.eu-west-1.api.aws');
    expect(eksAuthEndpoint('us-gov-east-1', {})).toBe('https://eks-auth.us-gov-east-1.api.aws');
    expect(eksAuthEndpoint('cn-north-1', {})).toBe(
      'https://eks-auth.cn-north-1.api.amazonwebservices.com.cn',
    );
    expect(eksAuthEndpoint('eu-west-1', { AWS_ENDPOINT_URL: 'http://a' })).toBe('http://a');
    expect(
      eksAuthEndpoint('eu-west-1', { AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_EKS_AUTH: 'http://b' }),
    ).toBe('http://b');
  });
});
