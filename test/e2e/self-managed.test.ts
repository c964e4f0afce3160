/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * A self-managed cluster (EKS Anywhere style) end to end: the built CLI against
 * the fake API server (nodes on vSphere, the API server's issuer set to a public
 * HTTPS URL, the pod identity webhook as objects whose health decides the fake's
 * mutation), an issuer served over HTTPS on loopback with its own CA (trusted
 * through NODE_EXTRA_CA_CERTS), and moto holding the IAM OIDC provider for that
 * issuer. The healthy world passes; each broken link of the chain gives its
 * exact FAIL lines and exit code.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { startFakeKube, type FakeKube } from '../support/fake-kube.js';
import { fakeKubeWorldOf, kubeObjectsOf } from '../support/kube-world.js';
import { startIssuerServer, type IssuerServer } from '../support/issuer-server.js';
import { makePki, type Pki } from '../support/pki.js';
import { motoUrl, replaceDeep, seedMoto, type SeededMoto } from '../support/moto.js';
import { cloneWorld, loadWorld, type WorldModel } from '../support/world.js';

const EKS_HOSTPATH = 'oidc.eks.eu-west-1.amazonaws.com/id/5C9F1A2B3D4E5F60718293A4B5C6D7E8';
const NS = 'camunda';
/** Identity only: one component, its database role, no OpenSearch. */
const ONE = ['-p', 'identity', '-l', ''];
const DAY = 86_400_000;

let pki: Pki;
let issuer: IssuerServer;
let seeded: SeededMoto;
let fake: FakeKube;
let caFile: string;
let hostPath: string;

/** The pod identity webhook as EKS Anywhere's guide deploys it (`make cluster-up`, namespace default). */
function webhookObjects(caPem: string, hook: Record<string, unknown> = {}): object[] {
  const labels = { app: 'pod-identity-webhook' };
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'pod-identity-webhook' },
      webhooks: [
        {
          name: 'pod-identity-webhook.amazonaws.com',
          failurePolicy: 'Fail',
          clientConfig: {
            service: { name: 'pod-identity-webhook', namespace: 'default', path: '/mutate' },
            caBundle: Buffer.from(caPem).toString('base64'),
          },
          rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
          sideEffects: 'None',
          admissionReviewVersions: ['v1beta1'],
          ...hook,
        },
      ],
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'pod-identity-webhook', namespace: 'default' },
      spec: { selector: labels, ports: [{ port: 443, targetPort: 443 }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'pod-identity-webhook', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '10.1.2.3' }], ports: [{ port: 443 }] }],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'pod-identity-webhook', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'pod-identity-webhook',
            containers: [
              {
                name: 'pod-identity-webhook',
                image: 'amazon/amazon-eks-pod-identity-webhook:latest',
                command: [
                  '/webhook',
                  '--in-cluster=false',
                  '--namespace=default',
                  '--service-name=pod-identity-webhook',
                  '--annotation-prefix=eks.amazonaws.com',
                  '--token-audience=sts.amazonaws.com',
                  '--logtostderr',
                ],
              },
            ],
          },
        },
      },
      status: { replicas: 1, readyReplicas: 1, availableReplicas: 1 },
    },
  ];
}

/** Identity's Deployment: the injection proof dry-runs its pod template. */
const identityDeployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'camunda-identity', namespace: NS },
  spec: {
    replicas: 1,
    selector: { matchLabels: { 'app.kubernetes.io/component': 'identity' } },
    template: {
      metadata: { labels: { 'app.kubernetes.io/component': 'identity' } },
      spec: {
        serviceAccountName: 'camunda-identity',
        containers: [
          {
            name: 'identity',
            image: 'camunda/identity:8.8.0',
            env: [{ name: 'SERVER_PORT', value: '8080' }],
          },
        ],
      },
    },
  },
  status: { replicas: 1, readyReplicas: 1, availableReplicas: 1 },
};

/** The healthy fixture moved to a self-managed cluster: its issuer is ours, no EKS cluster. */
function selfManagedWorld(issuerHostPath: string): WorldModel {
  const w = replaceDeep(cloneWorld(loadWorld('camunda-8.8-healthy.yaml')), [
    [EKS_HOSTPATH, issuerHostPath],
  ] as const);
  delete w.aws.clusters;
  w.kube.cluster = { server: 'https://10.0.0.10:6443', contextName: 'camunda-eksa-admin@camunda-eksa' };
  w.kube.nodes = [
    { name: 'camunda-eksa-md-0-7x9kq', providerID: 'vsphere://42113c5e-0d54-e6c8-7a0e-2ddc0dbc0bd2' },
  ];
  // As in EKS Anywhere's IRSA guide: a namespace-wide StringLike sub is valid.
  const identity = w.aws.roles!.find((r) => r.name === 'camunda-identity-irsa')!;
  const st = (identity.trustPolicy as any).Statement[0];
  st.Condition = {
    StringLike: { [`${issuerHostPath}:sub`]: `system:serviceaccount:${NS}:*` },
    StringEquals: { [`${issuerHostPath}:aud`]: 'sts.amazonaws.com' },
  };
  return w;
}

function healthy(): void {
  issuer.state = { jwks: fake.jwks };
  fake.world.serviceAccountIssuer = issuer.url;
  for (const o of webhookObjects(pki.caPem)) fake.put(o);
}

beforeAll(async () => {
  pki = makePki();
  const dir = mkdtempSync(join(tmpdir(), 'self-managed-'));
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, pki.caPem);
  issuer = await startIssuerServer(pki.issue({ cn: '127.0.0.1', ips: ['127.0.0.1'] }), {
    jwks: { keys: [] },
  });
  hostPath = issuer.url.replace('https://', '');
  seeded = await seedMoto(selfManagedWorld(hostPath), motoUrl());
  const world = seeded.world;
  fake = await startFakeKube({
    ...fakeKubeWorldOf(world),
    serviceAccountIssuer: issuer.url,
    podIdentityWebhook: 'objects',
    nodes: (world.kube.nodes ?? []).map((n) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: n.name },
      spec: { providerID: n.providerID },
    })),
    objects: [...kubeObjectsOf(world), identityDeployment, ...webhookObjects(pki.caPem)],
  });
  // The provider's thumbprint is the test CA's, as `openssl x509 -fingerprint -sha1` would give it.
  await setThumbprint(caThumbprint());
  healthy();
}, 60_000);

function caThumbprint(): string {
  return new X509Certificate(pki.caPem).fingerprint.replace(/:/g, '').toLowerCase();
}

async function iamClient() {
  const iam = await import('@aws-sdk/client-iam');
  const client = new iam.IAMClient({
    region: 'eu-west-1',
    endpoint: seeded.url,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  return { iam, client };
}

async function setThumbprint(thumbprint: string): Promise<void> {
  const { iam, client } = await iamClient();
  await client.send(
    new iam.UpdateOpenIDConnectProviderThumbprintCommand({
      OpenIDConnectProviderArn: `arn:aws:iam::${seeded.accountId}:oidc-provider/${hostPath}`,
      ThumbprintList: [thumbprint],
    }),
  );
}

afterAll(async () => {
  await fake?.close();
  await issuer?.close();
  await seeded?.close();
});

afterEach(() => healthy());

function cli(args: string[] = []): Promise<CliResult> {
  return runCli(['-n', NS, '--kubeconfig', fake.kubeconfigPath, '-s', ...ONE, ...args], {
    env: { ...seeded.env, NODE_EXTRA_CA_CERTS: caFile },
  });
}

const problems = (r: CliResult) => r.err.filter((l) => /^\[(FAIL|WARN)\]/.test(l));

describe('a self-managed cluster (EKS Anywhere)', () => {
  it('healthy: detected as self-managed, every link of the issuer chain and the webhook pass, the injection is proven', async () => {
    issuer.requests.length = 0;
    const r = await cli();
    // The issuer-chain check and the pod-less proof read the same public documents: fetched once.
    expect(issuer.requests.filter((p) => p === '/issuer/.well-known/openid-configuration')).toHaveLength(1);
    expect(issuer.requests.filter((p) => p === '/issuer/keys.json')).toHaveLength(1);
    expect(problems(r)).toEqual([]);
    const acct = seeded.accountId;
    expect(r.out).toEqual(
      expect.arrayContaining([
        `[INFO] platform: self-managed (the API server's issuer ${issuer.url} is not an EKS issuer)`,
        '[INFO] self-managed cluster: 0 of 1 node(s) on AWS (not required)',
        '[INFO] skipped: self-managed cluster, no EKS cluster to look up (see issuer-chain)',
        `[OK] the API server's service-account issuer is ${issuer.url}`,
        `[OK] the issuer's discovery document ${issuer.url}/.well-known/openid-configuration answers over HTTPS, names the issuer and its JWKS ${issuer.url}/keys.json`,
        '[OK] the public JWKS holds every key the API server signs with (1, compared by key material)',
        `[OK] IAM OIDC provider arn:aws:iam::${acct}:oidc-provider/${hostPath} is for the issuer, audience sts.amazonaws.com`,
        `[OK] IAM OIDC provider thumbprint ${caThumbprint()} is the issuer's certificate irsa-check test CA`,
        '[OK] pod identity webhook: MutatingWebhookConfiguration pod-identity-webhook, webhook pod-identity-webhook.amazonaws.com',
        '[OK] webhook pod-identity-webhook.amazonaws.com: Deployment default/pod-identity-webhook available (1), Service pod-identity-webhook has 1 ready endpoint(s)',
        '[OK] webhook pod-identity-webhook.amazonaws.com selects namespace camunda and every pod in it',
        '[OK] webhook pod-identity-webhook.amazonaws.com: --annotation-prefix eks.amazonaws.com, --token-audience sts.amazonaws.com',
        `[OK] identity: injection proof: a new pod of service account camunda-identity gets AWS_ROLE_ARN arn:aws:iam::${acct}:role/camunda-identity-irsa and the aws-iam-token volume (aud sts.amazonaws.com) (dry run of the pod template of Deployment camunda-identity)`,
        `[OK] identity: pod-less proof: a token for system:serviceaccount:camunda:camunda-identity (aud sts.amazonaws.com) is accepted by STS as arn:aws:iam::${acct}:role/camunda-identity-irsa`,
      ]),
    );
    expect(r.out.at(-1)).toBe('[OK] irsa-check: All checks passed.');
    expect(r.code).toBe(0);
    // The dry run persisted nothing.
    expect(fake.objects('Pod', NS).filter((p) => p.metadata.name.startsWith('irsa-check-dry-run-'))).toEqual(
      [],
    );
    expect(fake.requests.some((q) => q.method === 'POST' && q.query.includes('dryRun=All'))).toBe(true);
  });

  it('a stale keys.json: the public JWKS lacks the signing key (244)', async () => {
    const { publicKey } = await generateKeyPair('RS256', { extractable: true });
    const old = { ...(await exportJWK(publicKey)), kid: 'old-cluster-key', alg: 'RS256', use: 'sig' };
    issuer.state = { jwks: { keys: [old] } };
    const r = await cli();
    const kid = String(fake.jwks.keys[0].kid);
    expect(problems(r)).toEqual([
      `[FAIL] the public JWKS ${issuer.url}/keys.json lacks the API server's signing key ${kid} (it publishes old-cluster-key): STS rejects every token; a keys.json left from an earlier cluster?`,
      `[FAIL] identity: the token for system:serviceaccount:camunda:camunda-identity does not check out: the public JWKS ${issuer.url}/keys.json has no key with the token's key ID ${kid}`,
      `[FAIL] irsa-check: At least one of the checks failed (error code: 232).`,
    ]);
    expect(r.code).toBe(232);
  });

  it('the issuer flag not set: the API server names https://kubernetes.default.svc (241), the trust policy names the public issuer (201)', async () => {
    fake.world.serviceAccountIssuer = 'https://kubernetes.default.svc';
    const r = await cli(['--no-token']);
    expect(problems(r)).toEqual([
      "[FAIL] the API server's service-account issuer is https://kubernetes.default.svc: it is the in-cluster API server name, the default when --service-account-issuer is not set; STS cannot fetch its keys",
      `[FAIL] identity: the trust policy of role camunda-identity-irsa (IRSA, account ${seeded.accountId}) trusts OIDC provider ${hostPath}, not this cluster's kubernetes.default.svc`,
      '[FAIL] irsa-check: At least one of the checks failed (error code: 201).',
    ]);
    expect(r.code).toBe(201);
    expect(r.stderr).toContain(
      'fix: Set the API server flag --service-account-issuer (EKS Anywhere: spec.podIamConfig.serviceAccountIssuer',
    );
  });

  it('no IAM OIDC provider for the issuer (245)', async () => {
    const iam = await import('@aws-sdk/client-iam');
    const client = new iam.IAMClient({
      region: 'eu-west-1',
      endpoint: seeded.url,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const arn = `arn:aws:iam::${seeded.accountId}:oidc-provider/${hostPath}`;
    await client.send(new iam.DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    try {
      const r = await cli(['--no-token']);
      expect(problems(r)).toEqual([
        `[FAIL] no IAM OIDC provider for the issuer ${hostPath}: STS refuses every ServiceAccount token`,
        `[FAIL] irsa-check: At least one of the checks failed (error code: 245).`,
      ]);
      expect(r.code).toBe(245);
      expect(r.stderr).toContain(
        `fix: Create it: \`aws iam create-open-id-connect-provider --url ${issuer.url} --client-id-list sts.amazonaws.com\`; trust policies name it as ${arn}.`,
      );
    } finally {
      await client.send(
        new iam.CreateOpenIDConnectProviderCommand({
          Url: issuer.url,
          ClientIDList: ['sts.amazonaws.com'],
          ThumbprintList: [caThumbprint()],
        }),
      );
    }
  });

  it("the API server's issuer is not the one IAM and the trust policies name (242, 245, 201)", async () => {
    const other = issuer.url.replace(/\/issuer$/, '/other-cluster');
    fake.world.serviceAccountIssuer = other;
    const r = await cli(['--no-token']);
    const otherHostPath = other.replace('https://', '');
    expect(problems(r)).toEqual([
      `[FAIL] the issuer's discovery document ${other}/.well-known/openid-configuration is not usable: HTTP 404`,
      `[FAIL] no IAM OIDC provider for the issuer ${otherHostPath} (IAM has ${hostPath}: the API server's issuer must equal one of them in host and path, or get its own provider): STS refuses every ServiceAccount token`,
      `[FAIL] identity: the trust policy of role camunda-identity-irsa (IRSA, account ${seeded.accountId}) trusts OIDC provider ${hostPath}, not this cluster's ${otherHostPath}`,
      '[FAIL] irsa-check: At least one of the checks failed (error code: 201).',
    ]);
    expect(r.code).toBe(201);
  });

  it('the webhook missing (246): the dry-run pod gets no injection (251)', async () => {
    fake.remove('MutatingWebhookConfiguration', undefined, 'pod-identity-webhook');
    const r = await cli(['--no-token']);
    expect(problems(r)).toEqual([
      '[FAIL] no pod identity webhook: no MutatingWebhookConfiguration like pod-identity-webhook mutates pod CREATE; new pods get no AWS_ROLE_ARN or token',
      '[FAIL] identity: a new pod of service account camunda-identity gets no AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE or aws-iam-token volume (dry run of the pod template of Deployment camunda-identity): the pod identity webhook does not inject IRSA, restarting pods will not help',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 251).',
    ]);
    expect(r.code).toBe(251);
  });

  it("the webhook's certificate expired (249): the API server refuses the dry-run pod (251)", async () => {
    const expired = pki.issue({
      cn: 'pod-identity-webhook.default.svc',
      dns: ['pod-identity-webhook.default.svc'],
      notBefore: new Date(Date.now() - 400 * DAY),
      notAfter: new Date(Date.now() - 35 * DAY),
    });
    fake.put(webhookObjects(expired.certPem)[0]!);
    const r = await cli(['--no-token']);
    const until = new Date(Math.floor((Date.now() - 35 * DAY) / 1000) * 1000);
    expect(problems(r)).toEqual([
      expect.stringMatching(
        /^\[FAIL\] the certificate in caBundle of webhook pod-identity-webhook\.amazonaws\.com \(CN=pod-identity-webhook\.default\.svc\) expired on \d{4}-\d\d-\d\dT[\d:.]+Z: the API server cannot call the webhook, so new pods get no IRSA \(failurePolicy Fail: they are refused\)$/,
      ),
      '[FAIL] identity: a dry-run pod of service account camunda-identity (the pod template of Deployment camunda-identity) was refused: Internal error occurred: failed calling webhook "pod-identity-webhook.amazonaws.com": failed to call webhook: Post "https://pod-identity-webhook.kube-system.svc:443/mutate?timeout=10s": tls: failed to verify certificate: x509: certificate has expired or is not yet valid',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 251).',
    ]);
    expect(problems(r)[0]).toContain(until.toISOString().slice(0, 10));
    expect(r.code).toBe(251);
  });

  it("the webhook's namespaceSelector excludes the Camunda namespace (248)", async () => {
    fake.put(
      webhookObjects(pki.caPem, {
        namespaceSelector: { matchLabels: { 'irsa.example.com/enabled': 'true' } },
      })[0]!,
    );
    const r = await cli(['--no-token']);
    expect(problems(r)).toEqual([
      '[FAIL] the namespaceSelector of webhook pod-identity-webhook.amazonaws.com ({"matchLabels":{"irsa.example.com/enabled":"true"}}) does not select namespace camunda: its pods get no IRSA',
      '[FAIL] identity: a new pod of service account camunda-identity gets no AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE or aws-iam-token volume (dry run of the pod template of Deployment camunda-identity): the pod identity webhook does not inject IRSA, restarting pods will not help',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 251).',
    ]);
    expect(r.code).toBe(251);
  });

  it('the webhook has no ready endpoints and 0 available replicas (247): the API server refuses the dry-run pod (251)', async () => {
    const [, , eps, deploy] = webhookObjects(pki.caPem) as any[];
    fake.put({ ...eps, subsets: [{ notReadyAddresses: [{ ip: '10.1.2.3' }], ports: [{ port: 443 }] }] });
    fake.put({ ...deploy, status: { replicas: 1, readyReplicas: 0, availableReplicas: 0 } });
    const r = await cli(['--no-token']);
    expect(problems(r)).toEqual([
      '[FAIL] Deployment default/pod-identity-webhook of webhook pod-identity-webhook.amazonaws.com has no available replica (0 of 1)',
      '[FAIL] identity: a dry-run pod of service account camunda-identity (the pod template of Deployment camunda-identity) was refused: Internal error occurred: failed calling webhook "pod-identity-webhook.amazonaws.com": failed to call webhook: Post "https://pod-identity-webhook.default.svc:443/mutate?timeout=10s": no endpoints available for service "pod-identity-webhook"',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 251).',
    ]);
    expect(r.code).toBe(251);
  });

  it("the webhook's objectSelector excludes the component's pods (248)", async () => {
    fake.put(
      webhookObjects(pki.caPem, {
        objectSelector: { matchLabels: { 'irsa.example.com/inject': 'true' } },
      })[0]!,
    );
    const r = await cli(['--no-token']);
    expect(problems(r)).toEqual([
      '[FAIL] identity: the objectSelector of webhook pod-identity-webhook.amazonaws.com ({"matchLabels":{"irsa.example.com/inject":"true"}}) does not select the pods of Deployment camunda-identity: they get no IRSA',
      '[FAIL] identity: a new pod of service account camunda-identity gets no AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE or aws-iam-token volume (dry run of the pod template of Deployment camunda-identity): the pod identity webhook does not inject IRSA, restarting pods will not help',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 251).',
    ]);
    expect(r.code).toBe(251);
  });

  it('an objectSelector, and the Camunda workloads cannot be listed (403): neither the selector nor the injection is judged on what was not seen', async () => {
    // The selector selects identity's pod template labels: with the list, both pass.
    fake.put(
      webhookObjects(pki.caPem, {
        objectSelector: { matchLabels: { 'app.kubernetes.io/component': 'identity' } },
      })[0]!,
    );
    fake.world.faults = [{ method: 'GET', path: `/apis/apps/v1/namespaces/${NS}/deployments`, status: 403 }];
    try {
      const r = await cli(['--no-token']);
      expect(problems(r)).toEqual([]);
      expect(r.out.filter((l) => /objectSelector|deployments|dry-run pod|injection proof:/.test(l))).toEqual([
        '[INFO] cannot list deployments.apps (Forbidden): whether the objectSelector of webhook pod-identity-webhook.amazonaws.com selects the component pods is not checked; grant list on deployments.apps, statefulsets.apps in namespace camunda (README, "Permissions")',
        '[INFO] cannot list deployments.apps (Forbidden): the dry runs use a minimal pod, not the components\' pod templates; grant list on deployments.apps, statefulsets.apps in namespace camunda (README, "Permissions")',
        "[INFO] identity: the dry-run pod of service account camunda-identity (a minimal pod (the workloads could not be listed)) gets no AWS_ROLE_ARN or aws-iam-token volume, but it lacks the pod template's labels a webhook objectSelector may select on: injection not proven",
      ]);
      // Never an OK about the pods the selector was not compared with.
      expect(r.stdout).not.toContain('selects namespace camunda and the component pods');
      expect(r.code).toBe(0);
    } finally {
      fake.world.faults = [];
    }
  });

  it('the webhook runs with another --annotation-prefix (250)', async () => {
    const deploy = structuredClone(webhookObjects(pki.caPem)[3]) as any;
    const cmd: string[] = deploy.spec.template.spec.containers[0].command;
    cmd[cmd.indexOf('--annotation-prefix=eks.amazonaws.com')] = '--annotation-prefix=iam.example.com';
    fake.put(deploy);
    const r = await cli(['--no-token']);
    expect(problems(r)).toEqual([
      '[FAIL] webhook pod-identity-webhook.amazonaws.com runs with --annotation-prefix=iam.example.com: it ignores the eks.amazonaws.com/role-arn annotation the Camunda chart sets',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 250).',
    ]);
    expect(r.code).toBe(250);
  });

  it('--platform eks forces EKS: then the vSphere nodes are a fatal precondition, as before', async () => {
    const r = await cli(['--no-token', '--platform', 'eks']);
    expect(r.out).toContain('[INFO] platform: EKS (--platform)');
    expect(problems(r)).toEqual([
      '[FAIL] not an AWS cluster: no node has an aws:// provider ID (first: vsphere://42113c5e-0d54-e6c8-7a0e-2ddc0dbc0bd2)',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 1).',
    ]);
    expect(r.code).toBe(1);
  });

  it('a trust policy naming another provider that does not exist in IAM: a precise FAIL (201)', async () => {
    const iam = await import('@aws-sdk/client-iam');
    const client = new iam.IAMClient({
      region: 'eu-west-1',
      endpoint: seeded.url,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const role = await client.send(new iam.GetRoleCommand({ RoleName: 'camunda-identity-irsa' }));
    const original = decodeURIComponent(role.Role!.AssumeRolePolicyDocument!);
    const ghost = 'oidc.old-cluster.example.com/irsa';
    await client.send(
      new iam.UpdateAssumeRolePolicyCommand({
        RoleName: 'camunda-identity-irsa',
        PolicyDocument: original.split(hostPath).join(ghost),
      }),
    );
    try {
      const r = await cli(['--no-token']);
      expect(problems(r)).toEqual([
        `[FAIL] identity: the trust policy of role camunda-identity-irsa (IRSA, account ${seeded.accountId}) trusts OIDC provider ${ghost}, not this cluster's ${hostPath} (arn:aws:iam::${seeded.accountId}:oidc-provider/${ghost} does not exist in IAM)`,
        '[FAIL] irsa-check: At least one of the checks failed (error code: 201).',
      ]);
      expect(r.code).toBe(201);
    } finally {
      await client.send(
        new iam.UpdateAssumeRolePolicyCommand({
          RoleName: 'camunda-identity-irsa',
          PolicyDocument: original,
        }),
      );
    }
  });

  it("a thumbprint that matches no certificate of the issuer's private-CA chain: a WARN, not a FAIL", async () => {
    await setThumbprint('9e99a48a9960b14926bb7f3b02e22da2b0ab7280');
    try {
      const r = await cli(['--no-token']);
      const provider = `arn:aws:iam::${seeded.accountId}:oidc-provider/${hostPath}`;
      expect(problems(r)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^\\[WARN\\] the thumbprints of IAM OIDC provider ${provider.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(9e99a48a9960b14926bb7f3b02e22da2b0ab7280\\) match no certificate of the issuer's chain \\(127\\.0\\.0\\.1 [0-9a-f]{40}, irsa-check test CA ${caThumbprint()}\\): its CA is not one AWS trusts by itself, so STS checks the thumbprint; update it: aws iam update-open-id-connect-provider-thumbprint --open-id-connect-provider-arn ${provider.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} --thumbprint-list ${caThumbprint()}$`,
          ),
        ),
      ]);
      expect(r.code).toBe(0);
    } finally {
      await setThumbprint(caThumbprint());
    }
  });

  it('pods/create forbidden: the injection proof is an INFO, not a FAIL', async () => {
    fake.world.faults = [{ method: 'POST', path: `/api/v1/namespaces/${NS}/pods`, status: 403 }];
    try {
      const r = await cli(['--no-token']);
      expect(problems(r)).toEqual([]);
      expect(r.out).toContainEqual(
        expect.stringMatching(
          /^\[INFO\] identity: cannot dry-run a pod \(Forbidden\): allow create on pods to prove IRSA injection/,
        ),
      );
      expect(r.code).toBe(0);
    } finally {
      fake.world.faults = [];
    }
  });

  it('an AWS_ROLE_ARN in the pod template wins over the webhook: injected wrongly (252)', async () => {
    const other = `arn:aws:iam::${seeded.accountId}:role/some-other-role`;
    const d = structuredClone(identityDeployment) as any;
    d.spec.template.spec.containers[0].env.push({ name: 'AWS_ROLE_ARN', value: other });
    fake.put(d);
    try {
      const r = await cli(['--no-token']);
      expect(problems(r)).toEqual([
        `[FAIL] identity: a new pod of service account camunda-identity is injected wrongly (dry run of the pod template of Deployment camunda-identity): AWS_ROLE_ARN is ${other}, not arn:aws:iam::${seeded.accountId}:role/camunda-identity-irsa`,
        '[FAIL] irsa-check: At least one of the checks failed (error code: 252).',
      ]);
      expect(r.code).toBe(252);
    } finally {
      fake.put(identityDeployment);
    }
  });

  it('a recorded bundle replays offline to the same findings (issuer chain, webhook, dry run)', async () => {
    const bundle = join(mkdtempSync(join(tmpdir(), 'self-managed-bundle-')), 'bundle.json');
    const live = await cli(['--record', bundle]);
    expect(live.code).toBe(0);
    await issuer.close(); // nothing may be fetched again
    issuer = await startIssuerServer(pki.issue({ cn: '127.0.0.1', ips: ['127.0.0.1'] }), {
      jwks: { keys: [] },
    });
    const replay = await runCli(['--replay', bundle], { env: { NODE_EXTRA_CA_CERTS: caFile } });
    expect(replay.stdout).toBe(live.stdout);
    expect(replay.stderr).toBe(live.stderr);
    expect(replay.code).toBe(0);
  });
});
