/**
 * Turns an in-memory WorldModel (fixtures/worlds/*.yaml) into the Kubernetes
 * objects the fake API server serves, so the same fixture drives module tests
 * and end-to-end runs of the CLI.
 */
import {
  helmReleaseSecret,
  startFakeKube,
  type FakeKube,
  type FakeKubeWorld,
  type StartOptions,
} from './fake-kube.js';
import type { WorldModel } from './world.js';
import type { KubeContainer } from '../../src/ports/kube.js';

export function kubeObjectsOf(world: WorldModel): object[] {
  const k = world.kube;
  const releases = (k.releases ?? []).map((r) =>
    helmReleaseSecret(
      {
        name: r.name,
        namespace: r.namespace,
        version: r.revision ?? 1,
        status: r.status ?? 'deployed',
        chart: {
          metadata: {
            name: r.chart.name ?? 'camunda-platform',
            version: r.chart.version,
            appVersion: r.chart.appVersion,
          },
          values: r.defaults ?? {},
        },
        config: r.user ?? {},
        manifest: r.manifest ?? '',
      },
      { driver: r.driver ?? 'secret' },
    ),
  );
  const serviceAccounts = (k.serviceAccounts ?? []).map((sa) => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: sa.name, namespace: sa.namespace, annotations: sa.annotations, labels: sa.labels },
  }));
  const pods = (k.pods ?? []).map((p) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, namespace: p.namespace, labels: p.labels },
    spec: {
      serviceAccountName: p.serviceAccountName,
      ...(p.containers.some((c) => c.init)
        ? { initContainers: p.containers.filter((c) => c.init).map(containerOf) }
        : {}),
      containers: p.containers.filter((c) => !c.init).map(containerOf),
    },
    status: { phase: p.phase, startTime: p.startTime },
  }));
  function containerOf(c: KubeContainer) {
    return {
      name: c.name,
      image: c.image,
      ...(c.envFrom
        ? {
            envFrom: c.envFrom.map((f) => ({
              ...(f.prefix ? { prefix: f.prefix } : {}),
              [f.kind === 'Secret' ? 'secretRef' : 'configMapRef']: { name: f.name },
            })),
          }
        : {}),
      ...(c.mountPaths
        ? { volumeMounts: c.mountPaths.map((mountPath, i) => ({ name: `v${i}`, mountPath })) }
        : {}),
      env: c.env.map((e) =>
        e.valueFrom
          ? {
              name: e.name,
              valueFrom: {
                secretKeyRef: {
                  name: e.valueFrom.split(' ')[1]?.split('/')[0],
                  key: e.valueFrom.split('/')[1],
                },
              },
            }
          : { name: e.name, value: e.value ?? '' },
      ),
    };
  }
  // envFrom sources: their keys, with placeholder values (irsa-check reads only the key names).
  const envSources = (k.envSources ?? []).map((e) => ({
    apiVersion: 'v1',
    kind: e.kind,
    metadata: { name: e.name, namespace: e.namespace },
    data: Object.fromEntries(
      e.keys.map((key) => [
        key,
        e.kind === 'Secret' ? Buffer.from('placeholder').toString('base64') : 'placeholder',
      ]),
    ),
  }));
  const services = (k.services ?? []).map((s) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: s.namespace },
    spec: { type: s.type, clusterIP: s.clusterIP, externalName: s.externalName },
  }));
  return [...releases, ...serviceAccounts, ...pods, ...services, ...envSources];
}

export function fakeKubeWorldOf(world: WorldModel, extra: Partial<FakeKubeWorld> = {}): FakeKubeWorld {
  return {
    namespaces: (world.kube.namespaces ?? [world.namespace]).filter(
      (n) => !['default', 'kube-system'].includes(n),
    ),
    nodes: (world.kube.nodes ?? []).map((n) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: n.name,
        ...(n.computeType ? { labels: { 'eks.amazonaws.com/compute-type': n.computeType } } : {}),
      },
      spec: n.providerID ? { providerID: n.providerID } : {},
    })),
    objects: kubeObjectsOf(world),
    // Pods in fixtures already carry what the webhook injected (or deliberately lack it).
    podIdentityWebhook: false,
    ...(Array.isArray(world.aws.podIdentity)
      ? {
          podIdentityAssociations: world.aws.podIdentity.map((a) => ({
            namespace: a.namespace,
            serviceAccount: a.serviceAccount,
          })),
        }
      : {}),
    // Tokens are issued by the EKS cluster's OIDC issuer, as on EKS.
    ...(world.aws.clusters?.[0]?.issuer ? { serviceAccountIssuer: world.aws.clusters[0].issuer } : {}),
    ...extra,
  };
}

/** Starts the fake API server serving `world`, with the world's kubeconfig exec user (cluster discovery). */
export function startWorld(
  world: WorldModel,
  extra: Partial<FakeKubeWorld> = {},
  opts: StartOptions = {},
): Promise<FakeKube> {
  const exec = world.kube.cluster.exec;
  return startFakeKube(fakeKubeWorldOf(world, extra), {
    ...(exec
      ? {
          kubeconfigUser: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1beta1',
              command: exec.command,
              args: exec.args,
            },
          },
        }
      : {}),
    ...opts,
  });
}
