/**
 * Fidelity of the fake Kubernetes API server (test/support/fake-kube.ts): the real
 * kubectl and @kubernetes/client-node 1.4 must both work against it unchanged.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  ApiException,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  Watch,
  type V1Job,
  type V1Pod,
} from '@kubernetes/client-node';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeHelmPayload } from '../src/helm/codec.js';
import { helmReleaseSecret, startFakeKube, type FakeKube, type FakeKubeWorld } from './support/fake-kube.js';

const run = promisify(execFile);
const ISSUER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789';
const ROLE = 'arn:aws:iam::111122223333:role/camunda-zeebe';
const NODE = 'ip-10-0-1-23.eu-west-1.compute.internal';
const EXEC_USER = {
  exec: {
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    command: 'aws',
    args: ['--region', 'eu-west-1', 'eks', 'get-token', '--cluster-name', 'camunda-prod'],
  },
};

function world(extra: Partial<FakeKubeWorld> = {}): FakeKubeWorld {
  return {
    namespaces: ['camunda'],
    serviceAccountIssuer: ISSUER,
    nodes: [
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: NODE, labels: { 'kubernetes.io/hostname': NODE } },
        spec: { providerID: 'aws:///eu-west-1a/i-0123456789abcdef0' },
      },
    ],
    objects: [
      helmReleaseSecret({
        name: 'camunda',
        namespace: 'camunda',
        version: 1,
        status: 'deployed',
        chart: {
          metadata: { name: 'camunda-platform', version: '13.0.0', appVersion: '8.8.0' },
          values: { orchestration: { enabled: true } },
        },
        config: { orchestration: { serviceAccount: { name: 'camunda-zeebe' } } },
      }),
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: {
          name: 'camunda-zeebe',
          namespace: 'camunda',
          uid: '6a4e1d2b-0000-4000-8000-000000000001',
          creationTimestamp: '2025-01-01T00:00:00Z',
          annotations: { 'eks.amazonaws.com/role-arn': ROLE },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'camunda-zeebe-0', namespace: 'camunda', labels: { app: 'camunda-platform' } },
        spec: {
          serviceAccountName: 'camunda-zeebe',
          nodeName: NODE,
          containers: [{ name: 'orchestration', image: 'camunda/camunda:8.8.0' }],
        },
        status: { phase: 'Running' },
      },
    ],
    ...extra,
  };
}

describe('fake-kube vs the real kubectl', () => {
  let fake: FakeKube;
  let cacheDir: string;
  const kubectl = async (...args: string[]) =>
    (
      await run('kubectl', ['--kubeconfig', fake.kubeconfigPath, '--cache-dir', cacheDir, ...args], {
        env: { ...process.env, KUBECONFIG: '' },
      })
    ).stdout;

  beforeAll(async () => {
    cacheDir = mkdtempSync(path.join(os.tmpdir(), 'kubectl-cache-'));
    fake = await startFakeKube(world(), { kubeconfigUser: EXEC_USER, contextName: 'camunda-prod' });
  });
  afterAll(async () => {
    await fake?.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('get sa -o json returns exactly the stored ServiceAccounts', async () => {
    const out = JSON.parse(await kubectl('get', 'sa', '-n', 'camunda', '-o', 'json'));
    expect(out).toEqual({
      apiVersion: 'v1',
      kind: 'List',
      metadata: { resourceVersion: '' },
      items: fake.objects('ServiceAccount', 'camunda'),
    });
    expect(out.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual([
      'camunda-zeebe',
      'default',
    ]);
    expect(out.items[0].metadata).toMatchObject({
      uid: '6a4e1d2b-0000-4000-8000-000000000001',
      creationTimestamp: '2025-01-01T00:00:00Z',
      annotations: { 'eks.amazonaws.com/role-arn': ROLE },
    });
  });

  it('get secrets -l owner=helm -o name lists the Helm release secret', async () => {
    expect(await kubectl('get', 'secrets', '-n', 'camunda', '-l', 'owner=helm', '-o', 'name')).toBe(
      'secret/sh.helm.release.v1.camunda.v1\n',
    );
    expect(
      await kubectl(
        'get',
        'secrets',
        '-n',
        'camunda',
        '-l',
        'owner in (helm,x),status!=superseded,name',
        '-o',
        'name',
      ),
    ).toBe('secret/sh.helm.release.v1.camunda.v1\n');
    expect(await kubectl('get', 'secrets', '-n', 'camunda', '-l', 'owner=nobody', '-o', 'name')).toBe('');
  });

  it('get nodes -o jsonpath prints names and providerIDs', async () => {
    const out = await kubectl(
      'get',
      'nodes',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.spec.providerID}{"\\n"}{end}',
    );
    expect(out).toBe(`${NODE}\taws:///eu-west-1a/i-0123456789abcdef0\n`);
  });

  it('create token returns an RS256 JWT verifiable with the served JWKS', async () => {
    const token = await kubectl(
      'create',
      'token',
      'camunda-zeebe',
      '-n',
      'camunda',
      '--audience',
      'sts.amazonaws.com',
    );
    const jwks = await kubectl('get', '--raw', '/openid/v1/jwks');
    expect(jwks).toBe(JSON.stringify(fake.jwks));
    const jwk = fake.jwks.keys[0];
    expect(Object.keys(jwk)).toEqual(['use', 'kty', 'kid', 'alg', 'n', 'e']);
    expect(jwk).toMatchObject({ use: 'sig', kty: 'RSA', alg: 'RS256', e: 'AQAB' });

    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: jwk.kid });
    const claims = decodeJwt(token);
    expect(claims.sub).toBe('system:serviceaccount:camunda:camunda-zeebe');
    expect(claims.aud).toEqual(['sts.amazonaws.com']);
    expect(claims.iss).toBe(ISSUER);
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(claims['kubernetes.io']).toEqual({
      namespace: 'camunda',
      serviceaccount: { name: 'camunda-zeebe', uid: '6a4e1d2b-0000-4000-8000-000000000001' },
    });
    await jwtVerify(token, createLocalJWKSet(JSON.parse(jwks)), {
      issuer: ISSUER,
      audience: 'sts.amazonaws.com',
    });

    const discovery = JSON.parse(await kubectl('get', '--raw', '/.well-known/openid-configuration'));
    expect(discovery).toEqual({
      issuer: ISSUER,
      jwks_uri: `${ISSUER}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
  });

  it('reports NotFound the way the API server does', async () => {
    const err = await kubectl('get', 'sa', 'nope', '-n', 'camunda').catch(
      (e: { stderr: string }) => e.stderr,
    );
    expect(err).toBe('Error from server (NotFound): serviceaccounts "nope" not found\n');
    const err2 = await kubectl('create', 'token', 'nope', '-n', 'camunda').catch(
      (e: { stderr: string }) => e.stderr,
    );
    expect(err2).toBe('error: failed to create token: serviceaccounts "nope" not found\n');
  });

  it('over TLS kubectl sends the bearer token (client-go drops it for http:// servers) and skips the exec plugin', async () => {
    const secure = await startFakeKube(world(), { tls: true, kubeconfigUser: EXEC_USER });
    try {
      const out = await run('kubectl', [
        '--kubeconfig',
        secure.kubeconfigPath,
        '--cache-dir',
        cacheDir,
        'get',
        'ns',
        '-o',
        'name',
      ]);
      expect(out.stdout).toBe(
        ['camunda', 'default', 'kube-node-lease', 'kube-public', 'kube-system']
          .map((n) => `namespace/${n}\n`)
          .join(''),
      );
      expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(secure.requests.length).toBeGreaterThan(0);
      expect(secure.requests.every((r) => r.bearer === secure.token)).toBe(true);
    } finally {
      await secure.close();
    }
  });
});

describe('fake-kube vs @kubernetes/client-node 1.4', () => {
  let fake: FakeKube;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let batch: BatchV1Api;

  beforeAll(async () => {
    fake = await startFakeKube(
      world({
        podSecurity: { restricted: 'restricted' },
        namespaces: ['camunda', 'restricted'],
        jobBehaviour: (job) => {
          const image: string = job.spec.template.spec.containers[0].image;
          if (image.endsWith(':nonexistent')) return { outcome: 'imagePullError' };
          return {
            outcome: 'complete',
            logs:
              JSON.stringify({
                UserId: 'AROAEXAMPLE:botocore-session-1',
                Account: '111122223333',
                Arn: 'arn:aws:sts::111122223333:assumed-role/camunda-zeebe/botocore-session-1',
              }) + '\n',
          };
        },
      }),
      { kubeconfigUser: EXEC_USER },
    );
    fake.put({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'camunda-zeebe', namespace: 'restricted' },
    });
    kc = new KubeConfig();
    kc.loadFromFile(fake.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    batch = kc.makeApiClient(BatchV1Api);
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('keeps the exec args readable and authenticates through the exec shim', async () => {
    const user = kc.getCurrentUser()!;
    expect(user.exec.command).toBe('aws');
    expect(user.exec.args).toEqual([
      '--region',
      'eu-west-1',
      'eks',
      'get-token',
      '--cluster-name',
      'camunda-prod',
    ]);
    expect(kc.getCurrentCluster()).toMatchObject({ server: fake.url, skipTLSVerify: true });
    // Without the static token the request is authenticated by the ExecCredential alone.
    const execOnly = new KubeConfig();
    execOnly.loadFromFile(fake.kubeconfigPath);
    (execOnly.getCurrentUser() as { token?: string }).token = undefined;
    const before = fake.requests.length;
    await execOnly.makeApiClient(CoreV1Api).listNamespace();
    expect(fake.requests.slice(before)).toEqual([
      { method: 'GET', path: '/api/v1/namespaces', query: '', bearer: fake.token },
    ]);
  });

  it('lists Helm release secrets by label and decodes the release', async () => {
    const list = await core.listNamespacedSecret({ namespace: 'camunda', labelSelector: 'owner=helm' });
    expect(list.items.map((s) => s.metadata?.name)).toEqual(['sh.helm.release.v1.camunda.v1']);
    const s = list.items[0]!;
    expect(s.type).toBe('helm.sh/release.v1');
    expect(s.metadata?.labels).toMatchObject({
      name: 'camunda',
      owner: 'helm',
      status: 'deployed',
      version: '1',
    });
    const release = decodeHelmPayload(Buffer.from(s.data!.release!, 'base64').toString('utf8')) as {
      name: string;
      version: number;
      chart: { metadata: { version: string }; values: unknown };
      config: unknown;
    };
    expect(release.name).toBe('camunda');
    expect(release.version).toBe(1);
    expect(release.chart.metadata.version).toBe('13.0.0');
    expect(release.chart.values).toEqual({ orchestration: { enabled: true } });
    expect(release.config).toEqual({ orchestration: { serviceAccount: { name: 'camunda-zeebe' } } });
    const q = fake.requests.at(-1)!;
    expect(q).toMatchObject({
      method: 'GET',
      path: '/api/v1/namespaces/camunda/secrets',
      query: 'labelSelector=owner%3Dhelm',
    });
  });

  it('reads ServiceAccounts; a missing one is an ApiException 404 with a Status body (as a string)', async () => {
    const sa = await core.readNamespacedServiceAccount({ name: 'camunda-zeebe', namespace: 'camunda' });
    expect(sa.metadata?.annotations?.['eks.amazonaws.com/role-arn']).toBe(ROLE);
    const err = await core
      .readNamespacedServiceAccount({ name: 'nope', namespace: 'camunda' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiException);
    const e = err as ApiException<string>;
    expect(e.code).toBe(404);
    expect(typeof e.body).toBe('string');
    expect(JSON.parse(e.body)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'serviceaccounts "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', kind: 'serviceaccounts' },
      code: 404,
    });
  });

  it('issues tokens with createNamespacedServiceAccountToken and honours token overrides', async () => {
    const tr = await core.createNamespacedServiceAccountToken({
      name: 'camunda-zeebe',
      namespace: 'camunda',
      body: { spec: { audiences: ['sts.amazonaws.com'], expirationSeconds: 600 } },
    });
    const token = tr.status!.token;
    const jwks = createLocalJWKSet(fake.jwks);
    const { payload } = await jwtVerify(token, jwks, { issuer: ISSUER, audience: 'sts.amazonaws.com' });
    expect(payload.sub).toBe('system:serviceaccount:camunda:camunda-zeebe');
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(tr.spec.expirationSeconds).toBe(600);
    expect(tr.status!.expirationTimestamp).toBeInstanceOf(Date);

    fake.world.tokenOverrides = { signWithOtherKey: true, aud: 'sts.amazonaws.com' };
    const forged = await core.createNamespacedServiceAccountToken({
      name: 'camunda-zeebe',
      namespace: 'camunda',
      body: { spec: { audiences: ['sts.amazonaws.com'] } },
    });
    await expect(jwtVerify(forged.status!.token, jwks)).rejects.toThrow(/signature verification failed/);
    delete fake.world.tokenOverrides;

    const tooShort = await core
      .createNamespacedServiceAccountToken({
        name: 'camunda-zeebe',
        namespace: 'camunda',
        body: { spec: { audiences: [], expirationSeconds: 60 } },
      })
      .catch((e: ApiException<string>) => e);
    expect((tooShort as ApiException<string>).code).toBe(422);
    const missing = await core
      .createNamespacedServiceAccountToken({
        name: 'nope',
        namespace: 'camunda',
        body: { spec: { audiences: [] } },
      })
      .catch((e: ApiException<string>) => e);
    expect((missing as ApiException<string>).code).toBe(404);
  });

  it('injects faults as real Status objects', async () => {
    fake.world.faults = [
      { method: 'GET', path: '/api/v1/namespaces/camunda/secrets', status: 403, times: 1 },
    ];
    const err = (await core
      .listNamespacedSecret({ namespace: 'camunda' })
      .catch((e: unknown) => e)) as ApiException<string>;
    expect(err.code).toBe(403);
    expect(JSON.parse(err.body)).toMatchObject({
      reason: 'Forbidden',
      message:
        'secrets is forbidden: User "kubernetes-admin" cannot list resource "secrets" in API group "" in the namespace "camunda"',
    });
    // times: 1 → the next call succeeds
    expect((await core.listNamespacedSecret({ namespace: 'camunda' })).items.length).toBeGreaterThan(0);
    fake.world.faults = [];
  });

  /** Watches a Job until it has a Complete or Failed condition (client-node's Watch class). */
  async function watchJob(ns: string, name: string, until: (j: V1Job) => boolean): Promise<V1Job> {
    const w = new Watch(kc);
    let ctrl: AbortController | undefined;
    const result = new Promise<V1Job>((resolve, reject) => {
      w.watch(
        `/apis/batch/v1/namespaces/${ns}/jobs`,
        { fieldSelector: `metadata.name=${name}` },
        (type: string, obj: V1Job) => {
          if (type !== 'DELETED' && until(obj)) resolve(obj);
        },
        (err: unknown) => (err ? reject(err) : reject(new Error('watch closed'))),
      )
        .then((c) => (ctrl = c))
        .catch(reject);
    });
    try {
      return await result;
    } finally {
      ctrl?.abort();
    }
  }

  async function podsOf(ns: string, job: string): Promise<V1Pod[]> {
    return (await core.listNamespacedPod({ namespace: ns, labelSelector: `job-name=${job}` })).items;
  }

  function jobSpec(name: string, image: string): V1Job {
    return {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'irsa-check' } },
      spec: {
        backoffLimit: 0,
        ttlSecondsAfterFinished: 600,
        template: {
          spec: {
            serviceAccountName: 'camunda-zeebe',
            restartPolicy: 'Never',
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 1000,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'aws',
                image,
                command: ['aws', 'sts', 'get-caller-identity'],
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        },
      },
    };
  }

  it('runs a Job to completion: create, watch, logs, delete', async () => {
    const created = await batch.createNamespacedJob({
      namespace: 'camunda',
      body: jobSpec('irsa-check-ok', 'amazon/aws-cli:2.22.0'),
    });
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.spec?.template.metadata?.labels?.['job-name']).toBe('irsa-check-ok');
    const dup = await batch
      .createNamespacedJob({ namespace: 'camunda', body: jobSpec('irsa-check-ok', 'amazon/aws-cli:2.22.0') })
      .catch((e: ApiException<string>) => e);
    expect((dup as ApiException<string>).code).toBe(409);
    expect(JSON.parse((dup as ApiException<string>).body).reason).toBe('AlreadyExists');

    const done = await watchJob(
      'camunda',
      'irsa-check-ok',
      (j) =>
        !!j.status?.conditions?.some(
          (c) => c.status === 'True' && (c.type === 'Complete' || c.type === 'Failed'),
        ),
    );
    expect(done.status?.conditions?.map((c) => c.type)).toEqual(['SuccessCriteriaMet', 'Complete']);
    expect(done.status?.succeeded).toBe(1);

    const [pod] = await podsOf('camunda', 'irsa-check-ok');
    expect(pod!.metadata!.name).toMatch(/^irsa-check-ok-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(pod!.status?.phase).toBe('Succeeded');
    expect(pod!.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(0);
    // the pod identity webhook injected the role
    expect(pod!.spec?.containers[0]?.env).toContainEqual({ name: 'AWS_ROLE_ARN', value: ROLE });

    const log = await core.readNamespacedPodLog({ name: pod!.metadata!.name!, namespace: 'camunda' });
    expect(JSON.parse(log).Arn).toBe(
      'arn:aws:sts::111122223333:assumed-role/camunda-zeebe/botocore-session-1',
    );

    await batch.deleteNamespacedJob({
      name: 'irsa-check-ok',
      namespace: 'camunda',
      propagationPolicy: 'Background',
    });
    expect(fake.objects('Job', 'camunda')).toEqual([]);
    await expect
      .poll(() => fake.objects('Pod', 'camunda').filter((p) => p.metadata.labels?.['job-name']), {
        interval: 10,
      })
      .toEqual([]);
  });

  it('surfaces an image pull error on the pod and in the log endpoint', async () => {
    await batch.createNamespacedJob({
      namespace: 'camunda',
      body: jobSpec('irsa-check-pull', 'amazon/aws-cli:nonexistent'),
    });
    const w = new Watch(kc);
    let ctrl: AbortController | undefined;
    const stuck = await new Promise<V1Pod>((resolve, reject) => {
      w.watch(
        '/api/v1/namespaces/camunda/pods',
        { labelSelector: 'job-name=irsa-check-pull' },
        (_type: string, pod: V1Pod) => {
          if (pod.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff') resolve(pod);
        },
        (err: unknown) => reject(err ?? new Error('watch closed')),
      )
        .then((c) => (ctrl = c))
        .catch(reject);
    }).finally(() => ctrl?.abort());
    expect(stuck.status?.phase).toBe('Pending');
    const err = (await core
      .readNamespacedPodLog({ name: stuck.metadata!.name!, namespace: 'camunda' })
      .catch((e: unknown) => e)) as ApiException<string>;
    expect(err.code).toBe(400);
    expect(JSON.parse(err.body).message).toBe(
      `container "aws" in pod "${stuck.metadata!.name}" is waiting to start: image can't be pulled`,
    );
    const job = await batch.readNamespacedJob({ name: 'irsa-check-pull', namespace: 'camunda' });
    expect(job.status?.active).toBe(1);
    expect(job.status?.conditions).toBeUndefined();
    await batch.deleteNamespacedJob({
      name: 'irsa-check-pull',
      namespace: 'camunda',
      propagationPolicy: 'Foreground',
    });
    await expect.poll(() => fake.objects('Job', 'camunda'), { interval: 10 }).toEqual([]);
    expect(fake.objects('Pod', 'camunda').map((p) => p.metadata.name)).toEqual(['camunda-zeebe-0']);
  });

  it('a Job whose pods violate PodSecurity "restricted" never starts and records FailedCreate', async () => {
    const body = jobSpec('irsa-check-psa', 'amazon/aws-cli:2.22.0');
    delete body.spec!.template.spec!.securityContext;
    delete body.spec!.template.spec!.containers[0]!.securityContext;
    await batch.createNamespacedJob({ namespace: 'restricted', body });
    await expect
      .poll(
        async () =>
          (
            await core.listNamespacedEvent({
              namespace: 'restricted',
              fieldSelector: 'involvedObject.name=irsa-check-psa',
            })
          ).items.map((e) => `${e.type} ${e.reason}: ${e.message}`),
        { interval: 10 },
      )
      .toEqual([
        expect.stringMatching(
          /^Warning FailedCreate: Error creating: pods "irsa-check-psa-[a-z0-9]{5}" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "aws" must set securityContext.allowPrivilegeEscalation=false\), unrestricted capabilities \(container "aws" must set securityContext.capabilities.drop=\["ALL"\]\), runAsNonRoot != true \(pod or container "aws" must set securityContext.runAsNonRoot=true\), seccompProfile \(pod or container "aws" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"\)$/,
        ),
      ]);
    expect(await podsOf('restricted', 'irsa-check-psa')).toEqual([]);
    // no propagationPolicy: batch/v1 defaults to orphaning (the server warns about it)
    await batch.deleteNamespacedJob({ name: 'irsa-check-psa', namespace: 'restricted' });
    await expect.poll(() => fake.objects('Job', 'restricted'), { interval: 10 }).toEqual([]);
    const writes = fake.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
    expect(writes).toContain('POST /apis/batch/v1/namespaces/restricted/jobs');
    expect(writes).toContain('DELETE /apis/batch/v1/namespaces/restricted/jobs/irsa-check-psa');
  });
});
