/**
 * The pure parts of self-managed support: platform detection over a Kube, the
 * pod identity webhook's selectors, flags and annotations, and JWKS key-material
 * comparison.
 */
import { describe, expect, it } from 'vitest';
import { ApiCallError } from '../../src/core/errors.js';
import { dryRunManifest } from '../../src/proofs/injection.js';
import { detectPlatform, isEksIssuer } from '../../src/platform/detect.js';
import { issuerKey, keyMaterial } from '../../src/platform/issuer.js';
import type { Kube, KubeClusterInfo } from '../../src/ports/kube.js';
import {
  expectedInjection,
  flagOf,
  mutatesPodCreate,
  selectorMatches,
  webhookSettings,
} from '../../src/platform/pod-identity.js';

function kube(info: KubeClusterInfo, issuer?: string | Error): Kube {
  return {
    clusterInfo: async () => info,
    issuerDiscovery: async () => {
      if (issuer instanceof Error) throw issuer;
      return { configuration: issuer ? { issuer } : {}, jwks: { keys: [] } };
    },
  } as unknown as Kube;
}

const EKS_ISSUER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/5C9F1A2B3D4E5F60718293A4B5C6D7E8';

describe('detectPlatform', () => {
  it.each([
    [
      'EKS endpoint',
      { server: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com' },
      'https://s3.example.com/x',
      'eks',
      'the API server https://ABC.gr7.eu-west-1.eks.amazonaws.com is an EKS endpoint',
    ],
    [
      'EKS issuer behind a proxy URL',
      { server: 'https://k8s.internal:443' },
      EKS_ISSUER,
      'eks',
      `the API server's issuer ${EKS_ISSUER} is an EKS issuer`,
    ],
    [
      'EKS Anywhere',
      { server: 'https://10.0.0.10:6443' },
      'https://my-bucket.s3.eu-west-1.amazonaws.com',
      'self-managed',
      "the API server's issuer https://my-bucket.s3.eu-west-1.amazonaws.com is not an EKS issuer",
    ],
    [
      'kubeadm without the issuer flag',
      { server: 'https://10.0.0.10:6443' },
      'https://kubernetes.default.svc',
      'self-managed',
      "the API server's issuer https://kubernetes.default.svc is not an EKS issuer",
    ],
    [
      'aws eks get-token in the kubeconfig',
      {
        server: 'https://10.0.0.10:6443',
        exec: { command: 'aws', args: ['eks', 'get-token', '--cluster-name', 'x'] },
      },
      'https://kubernetes.default.svc',
      'eks',
      "the kubeconfig authenticates with 'aws eks get-token'",
    ],
  ] as const)('%s', async (_name, info, issuer, kind, reason) => {
    const d = await detectPlatform(kube(info as KubeClusterInfo, issuer), undefined);
    expect([d.kind, d.reason]).toEqual([kind, reason]);
  });

  it('--platform wins; an unreadable discovery keeps EKS and says so', async () => {
    expect((await detectPlatform(kube({ server: 'https://x' }, EKS_ISSUER), 'self-managed')).kind).toBe(
      'self-managed',
    );
    const d = await detectPlatform(
      kube({ server: 'https://10.0.0.10:6443' }, new ApiCallError('kube', 'get', 'Forbidden', 'nope', 403)),
      undefined,
    );
    expect(d.kind).toBe('eks');
    expect(d.reason).toBe(
      "the API server's issuer discovery is unreadable (Forbidden: nope); assuming EKS, pass --platform self-managed otherwise",
    );
  });

  it('isEksIssuer', () => {
    expect(isEksIssuer(EKS_ISSUER)).toBe(true);
    expect(isEksIssuer('https://oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC')).toBe(true);
    expect(isEksIssuer('https://oidc.eks.eu-west-1.amazonaws.com.evil.example/id/ABC')).toBe(false);
  });
});

describe('pod identity webhook semantics', () => {
  it('label selectors as metav1.LabelSelector', () => {
    const labels = { a: '1', b: '2' };
    expect(selectorMatches(undefined, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { a: '1' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { a: '2' } }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'c', operator: 'DoesNotExist' }] }, labels)).toBe(
      true,
    );
    expect(
      selectorMatches({ matchExpressions: [{ key: 'b', operator: 'NotIn', values: ['2'] }] }, labels),
    ).toBe(false);
    expect(
      selectorMatches({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '3'] }] }, labels),
    ).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'z', operator: 'Exists' }] }, labels)).toBe(false);
  });

  it('a webhook on pod CREATE, wildcards included', () => {
    const w = (operations: string[], resources: string[]) => ({
      name: 'w',
      rules: [{ operations, apiGroups: [''], resources }],
    });
    expect(mutatesPodCreate(w(['CREATE'], ['pods']))).toBe(true);
    expect(mutatesPodCreate(w(['*'], ['*']))).toBe(true);
    expect(mutatesPodCreate(w(['UPDATE'], ['pods']))).toBe(false);
  });

  it('flags and annotations decide what gets injected', () => {
    expect(flagOf(['--token-audience', 'x'], '--token-audience')).toBe('x');
    const settings = webhookSettings({
      kind: 'Deployment',
      name: 'w',
      namespace: 'default',
      replicas: 1,
      availableReplicas: 1,
      templateLabels: {},
      containers: [
        {
          name: 'w',
          command: ['/webhook', '--token-audience=aud.example'],
          args: ['--token-expiration=7200'],
        },
      ],
      template: {},
    });
    expect(settings).toEqual({
      annotationPrefix: 'eks.amazonaws.com',
      tokenAudience: 'aud.example',
      tokenExpiration: 7200,
    });
    const sa = (annotations: Record<string, string>) => ({
      name: 's',
      namespace: 'n',
      labels: {},
      annotations,
    });
    expect(expectedInjection(sa({ 'eks.amazonaws.com/role-arn': 'arn:r' }), settings)).toEqual({
      roleArn: 'arn:r',
      audience: 'aud.example',
      regional: false,
      expirationSeconds: 7200,
    });
    expect(
      expectedInjection(
        sa({
          'eks.amazonaws.com/role-arn': 'arn:r',
          'eks.amazonaws.com/audience': 'sts.amazonaws.com',
          'eks.amazonaws.com/sts-regional-endpoints': 'true',
          'eks.amazonaws.com/token-expiration': '600',
        }),
      ),
    ).toEqual({ roleArn: 'arn:r', audience: 'sts.amazonaws.com', regional: true, expirationSeconds: 3600 });
  });
});

describe('issuer comparison', () => {
  it('keys compare by material, not kid', () => {
    const k = { kty: 'RSA', n: 'abc', e: 'AQAB' };
    expect(keyMaterial({ ...k, kid: '1' })).toBe(keyMaterial({ ...k, kid: '' }));
    expect(keyMaterial({ ...k, kid: '1' })).not.toBe(keyMaterial({ ...k, n: 'abd', kid: '1' }));
  });

  it('IAM host/path: host case-insensitive, path exact, no trailing slash', () => {
    expect(issuerKey('https://S3.Example.com/Bucket/')).toBe('s3.example.com/Bucket');
  });
});

describe('the dry-run pod', () => {
  it("declares a StatefulSet's claim volumes, keeps the template's labels and sets the ServiceAccount", () => {
    const manifest = dryRunManifest(
      'camunda',
      'camunda-zeebe',
      {
        kind: 'StatefulSet',
        name: 'camunda-zeebe',
        namespace: 'camunda',
        replicas: 3,
        availableReplicas: 3,
        templateLabels: { app: 'zeebe' },
        containers: [],
        template: {
          metadata: { labels: { app: 'zeebe' } },
          spec: {
            serviceAccountName: 'other',
            volumes: [{ name: 'config', configMap: { name: 'c' } }],
            containers: [
              {
                name: 'zeebe',
                volumeMounts: [
                  { name: 'config', mountPath: '/c' },
                  { name: 'data', mountPath: '/d' },
                ],
              },
            ],
          },
        },
      },
      'img',
    ) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(manifest.metadata).toEqual({
      generateName: 'irsa-check-dry-run-',
      namespace: 'camunda',
      labels: { app: 'zeebe' },
    });
    expect(manifest.spec.serviceAccountName).toBe('camunda-zeebe');
    expect(manifest.spec.volumes).toEqual([
      { name: 'config', configMap: { name: 'c' } },
      { name: 'data', emptyDir: {} },
    ]);
  });
});
