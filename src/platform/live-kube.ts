/**
 * Kube over @kubernetes/client-node. Imported lazily by the dispatcher: loading
 * client-node costs ~0.6 s, which `--help` and `--replay` never pay.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { ApiCallError, UsageError } from '../core/errors.js';
import type {
  KubeEnvSource,
  ArgoApplication,
  HelmStorageRecord,
  IssuerDiscovery,
  JobResult,
  Kube,
  KubeClusterInfo,
  KubeContainer,
  KubeDryRunPod,
  KubeEndpoints,
  KubeLabelSelector,
  KubeMutatingWebhookConfiguration,
  KubeWorkload,
  KubeNode,
  KubePod,
  PodLogOptions,
  KubeService,
  KubeServiceAccount,
} from './kube.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from './kube.js';
import { leftoverJobNames, runJobWithWatch } from './kube-jobs.js';
import { convertItems } from './kube-items.js';
import { NotKubernetesAnswer, firstLine, kubeError } from './kube-errors.js';
import { isSecretKey, REDACTED } from '../core/redact.js';

export const CODE_NO_CLUSTER = 3;
const KUBECONFIG_FIX =
  'Point irsa-check at the cluster with --kubeconfig, KUBECONFIG or --context; `aws eks update-kubeconfig --name <cluster>` writes a kubeconfig.';

export interface LiveKubeOptions {
  kubeconfig?: string;
  context?: string;
  /** Per-request deadline (connect, TLS, answer and body): a silent API server never stalls a run. */
  requestTimeoutMs?: number;
}

/** Default per-request deadline for Kubernetes calls (README "Timeouts"). */
export const DEFAULT_KUBE_REQUEST_TIMEOUT_MS = 30_000;

/**
 * KUBECONFIG=a:b as kubectl reads it: files that do not exist are skipped, the first file
 * to define a name (cluster, user, context) or a current-context wins.
 */
function loadKubeconfigList(kc: k8s.KubeConfig, list: string): void {
  const files = list.split(delimiter).filter((f) => f !== '');
  const present = files.filter((f) => existsSync(f));
  if (present.length === 0) {
    throw new UsageError(
      `none of the KUBECONFIG files exist: ${files.join(', ')}`,
      CODE_NO_CLUSTER,
      KUBECONFIG_FIX,
    );
  }
  const merged = {
    clusters: [] as k8s.Cluster[],
    users: [] as k8s.User[],
    contexts: [] as k8s.Context[],
    currentContext: '',
  };
  for (const file of present) {
    const one = new k8s.KubeConfig();
    one.loadFromFile(file);
    const add = <T extends { name: string }>(into: T[], items: T[]) => {
      for (const item of items) if (!into.some((x) => x.name === item.name)) into.push(item);
    };
    add(merged.clusters, one.clusters);
    add(merged.users, one.users);
    add(merged.contexts, one.contexts);
    merged.currentContext ||= one.currentContext;
  }
  kc.loadFromOptions(merged);
}

/** Loads the kubeconfig like kubectl: --kubeconfig, KUBECONFIG, ~/.kube/config, then in-cluster. */
export function loadKubeConfig(opts: LiveKubeOptions): { kc: k8s.KubeConfig; inCluster: boolean } {
  const kc = new k8s.KubeConfig();
  const file = opts.kubeconfig;
  const envFiles = process.env.KUBECONFIG;
  const homeFile = join(homedir(), '.kube', 'config');
  let inCluster = false;
  try {
    if (file) {
      if (!existsSync(file))
        throw new UsageError(`kubeconfig ${file} does not exist`, CODE_NO_CLUSTER, KUBECONFIG_FIX);
      kc.loadFromFile(file);
    } else if (envFiles) {
      loadKubeconfigList(kc, envFiles);
    } else if (existsSync(homeFile)) {
      kc.loadFromDefault();
    } else if (process.env.KUBERNETES_SERVICE_HOST) {
      kc.loadFromCluster();
      inCluster = true;
    } else {
      throw new UsageError(
        'no kubeconfig found (--kubeconfig, KUBECONFIG or ~/.kube/config): run `aws eks update-kubeconfig --name <cluster>` first',
        CODE_NO_CLUSTER,
        KUBECONFIG_FIX,
      );
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read kubeconfig: ${firstLine(e)}`, CODE_NO_CLUSTER, KUBECONFIG_FIX);
  }
  if (opts.context) {
    if (!kc.getContexts().some((c) => c.name === opts.context)) {
      throw new UsageError(
        `kubeconfig has no context named "${opts.context}"`,
        CODE_NO_CLUSTER,
        KUBECONFIG_FIX,
      );
    }
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster())
    throw new UsageError('kubeconfig has no current cluster', CODE_NO_CLUSTER, KUBECONFIG_FIX);
  return { kc, inCluster };
}

/**
 * An API client whose every request carries its own AbortSignal.timeout: client-node
 * (node-fetch) otherwise waits forever on a server that accepts the connection and never
 * answers. The signal covers connect, TLS handshake, headers and body alike.
 */
function makeTimedClient<T>(
  kc: k8s.KubeConfig,
  api: new (config: k8s.Configuration) => T,
  timeoutMs: number,
): T {
  const server = kc.getCurrentCluster()?.server ?? '';
  const config = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [
      {
        pre: async (context) => {
          context.setSignal(AbortSignal.timeout(timeoutMs));
          return context;
        },
        // An HTML answer (a captive portal or proxy answering 200) is never the API server's.
        post: async (context) => {
          const type = context.headers['content-type'] ?? '';
          if (/text\/html/i.test(type)) throw new NotKubernetesAnswer(context.httpStatusCode);
          return context;
        },
      },
    ],
  });
  return new api(config);
}

/** Set by LiveKube: how long one request may take, for the timeout message. */
let requestTimeoutMs = DEFAULT_KUBE_REQUEST_TIMEOUT_MS;

async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw kubeError(operation, e, requestTimeoutMs);
  }
}

/** Undefined on 404, so "does not exist" is an answer rather than an error. */
async function callOrNotFound<T>(operation: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    const err = kubeError(operation, e, requestTimeoutMs);
    if (err.status === 404 && err.reason !== 'NotKubernetes') return undefined;
    throw err;
  }
}

function describeValueFrom(v: k8s.V1EnvVarSource | undefined): string | undefined {
  if (!v) return undefined;
  if (v.secretKeyRef) return `secretKeyRef ${v.secretKeyRef.name}/${v.secretKeyRef.key}`;
  if (v.configMapKeyRef) return `configMapKeyRef ${v.configMapKeyRef.name}/${v.configMapKeyRef.key}`;
  if (v.fieldRef) return `fieldRef ${v.fieldRef.fieldPath}`;
  if (v.resourceFieldRef) return `resourceFieldRef ${v.resourceFieldRef.resource}`;
  return 'valueFrom';
}

function toContainer(c: k8s.V1Container, init = false): KubeContainer {
  const envFrom = (c.envFrom ?? []).flatMap((f): KubeEnvSource[] => {
    const prefix = f.prefix ? { prefix: f.prefix } : {};
    if (f.secretRef?.name) return [{ kind: 'Secret' as const, name: f.secretRef.name, ...prefix }];
    if (f.configMapRef?.name) return [{ kind: 'ConfigMap' as const, name: f.configMapRef.name, ...prefix }];
    return [];
  });
  return {
    ...(init ? { init } : {}),
    ...(envFrom.length > 0 ? { envFrom } : {}),
    ...(c.volumeMounts?.length ? { mountPaths: c.volumeMounts.map((m) => m.mountPath) } : {}),
    name: c.name,
    image: c.image,
    env: (c.env ?? []).map((e) => ({
      name: e.name,
      ...(e.value !== undefined ? { value: e.value } : {}),
      ...(e.valueFrom ? { valueFrom: describeValueFrom(e.valueFrom) } : {}),
    })),
  };
}

/** The pod's Ready condition, when True: since when (what pod-logs dates startup errors against). */
function readySince(p: k8s.V1Pod): { readySince?: string } {
  const c = p.status?.conditions?.find((x) => x.type === 'Ready' && x.status === 'True');
  return c?.lastTransitionTime ? { readySince: new Date(c.lastTransitionTime).toISOString() } : {};
}

function withStatus(c: KubeContainer, statuses: k8s.V1ContainerStatus[] | undefined): KubeContainer {
  const s = statuses?.find((x) => x.name === c.name);
  return s ? { ...c, ready: s.ready, restartCount: s.restartCount } : c;
}

function toPod(p: k8s.V1Pod): KubePod {
  const audiences: string[] = [];
  for (const v of p.spec?.volumes ?? []) {
    for (const s of v.projected?.sources ?? []) {
      if (s.serviceAccountToken) audiences.push(s.serviceAccountToken.audience ?? '');
    }
  }
  return {
    name: p.metadata?.name ?? '',
    namespace: p.metadata?.namespace ?? '',
    labels: p.metadata?.labels ?? {},
    serviceAccountName: p.spec?.serviceAccountName,
    phase: p.status?.phase,
    startTime: p.status?.startTime ? new Date(p.status.startTime).toISOString() : undefined,
    ...readySince(p),
    containers: [
      ...(p.spec?.initContainers ?? []).map((c) =>
        withStatus(toContainer(c, true), p.status?.initContainerStatuses),
      ),
      ...(p.spec?.containers ?? []).map((c) => withStatus(toContainer(c), p.status?.containerStatuses)),
    ],
    projectedTokenAudiences: audiences,
  };
}

function toSelector(s: k8s.V1LabelSelector | undefined): KubeLabelSelector | undefined {
  if (!s) return undefined;
  return {
    ...(s.matchLabels ? { matchLabels: s.matchLabels } : {}),
    ...(s.matchExpressions
      ? {
          matchExpressions: s.matchExpressions.map((e) => ({
            key: e.key,
            operator: e.operator,
            ...(e.values ? { values: e.values } : {}),
          })),
        }
      : {}),
  };
}

/** The pod template as wire JSON, literal values of secret-like env names replaced (it is recorded). */
function templateJson(t: k8s.V1PodTemplateSpec | undefined): Record<string, unknown> {
  // client-node's models use the wire names for pod fields; Dates become ISO strings.
  const json = (t ? JSON.parse(JSON.stringify(t)) : {}) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const c of [...(json.spec?.initContainers ?? []), ...(json.spec?.containers ?? [])]) {
    for (const e of c.env ?? []) if (e.value !== undefined && isSecretKey(e.name)) e.value = REDACTED;
  }
  return json;
}

function toWorkload(
  kind: KubeWorkload['kind'],
  w: k8s.V1Deployment | k8s.V1StatefulSet,
  ns: string,
): KubeWorkload {
  const spec = w.spec?.template?.spec;
  const status = w.status as { availableReplicas?: number; readyReplicas?: number } | undefined;
  return {
    kind,
    name: w.metadata?.name ?? '',
    namespace: w.metadata?.namespace ?? ns,
    replicas: w.spec?.replicas ?? 1,
    availableReplicas: status?.availableReplicas ?? status?.readyReplicas ?? 0,
    templateLabels: w.spec?.template?.metadata?.labels ?? {},
    ...(spec?.serviceAccountName ? { serviceAccountName: spec.serviceAccountName } : {}),
    containers: (spec?.containers ?? []).map((c) => ({
      name: c.name,
      ...(c.image ? { image: c.image } : {}),
      command: c.command ?? [],
      args: c.args ?? [],
    })),
    template: templateJson(w.spec?.template),
  };
}

function decodeSecretRecord(s: k8s.V1Secret): HelmStorageRecord {
  return {
    driver: 'secret',
    name: s.metadata?.name ?? '',
    namespace: s.metadata?.namespace ?? '',
    labels: s.metadata?.labels ?? {},
    // Data that is not a string (a hostile or broken Secret) is no release: the codec says "no release data".
    payload:
      typeof s.data?.release === 'string' ? Buffer.from(s.data.release, 'base64').toString('utf8') : '',
  };
}

function decodeConfigMapRecord(c: k8s.V1ConfigMap): HelmStorageRecord {
  return {
    driver: 'configmap',
    name: c.metadata?.name ?? '',
    namespace: c.metadata?.namespace ?? '',
    labels: c.metadata?.labels ?? {},
    payload: typeof c.data?.release === 'string' ? c.data.release : '',
  };
}

function parseJson(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string') return (text ?? {}) as Record<string, unknown>;
  return JSON.parse(text) as Record<string, unknown>;
}

export class LiveKube implements Kube {
  private readonly core: k8s.CoreV1Api;
  private readonly batch: k8s.BatchV1Api;
  private readonly custom: k8s.CustomObjectsApi;
  private readonly apps: k8s.AppsV1Api;
  private readonly admission: k8s.AdmissionregistrationV1Api;

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly inCluster: boolean,
    private readonly timeoutMs = DEFAULT_KUBE_REQUEST_TIMEOUT_MS,
  ) {
    requestTimeoutMs = timeoutMs;
    this.core = makeTimedClient(kc, k8s.CoreV1Api, timeoutMs);
    this.batch = makeTimedClient(kc, k8s.BatchV1Api, timeoutMs);
    this.custom = makeTimedClient(kc, k8s.CustomObjectsApi, timeoutMs);
    this.apps = makeTimedClient(kc, k8s.AppsV1Api, timeoutMs);
    this.admission = makeTimedClient(kc, k8s.AdmissionregistrationV1Api, timeoutMs);
  }

  static create(opts: LiveKubeOptions): LiveKube {
    const { kc, inCluster } = loadKubeConfig(opts);
    return new LiveKube(kc, inCluster, opts.requestTimeoutMs);
  }

  async clusterInfo(): Promise<KubeClusterInfo> {
    const cluster = this.kc.getCurrentCluster();
    const user = this.kc.getCurrentUser();
    const exec = user?.exec as { command?: string; args?: string[] } | undefined;
    return {
      server: cluster?.server ?? '',
      contextName: this.kc.getCurrentContext(),
      ...(exec?.command ? { exec: { command: exec.command, args: exec.args ?? [] } } : {}),
      ...(this.inCluster ? { inCluster: true } : {}),
    };
  }

  async namespaceExists(ns: string): Promise<boolean> {
    const found = await callOrNotFound('get namespaces', () => this.core.readNamespace({ name: ns }));
    return found !== undefined;
  }

  async namespaces(): Promise<string[]> {
    const list = await call('list namespaces', () => this.core.listNamespace());
    return convertItems('list namespaces', list.items, (n) => n.metadata?.name ?? '').sort();
  }

  async nodes(): Promise<KubeNode[]> {
    const list = await call('list nodes', () => this.core.listNode());
    return convertItems('list nodes', list.items, (n) => {
      const computeType = n.metadata?.labels?.['eks.amazonaws.com/compute-type'];
      return {
        name: n.metadata?.name ?? '',
        providerID: n.spec?.providerID,
        ...(computeType ? { computeType } : {}),
      };
    });
  }

  async helmReleaseRecords(ns?: string): Promise<HelmStorageRecord[]> {
    const labelSelector = 'owner=helm';
    const [secrets, configMaps] = await Promise.all([
      call('list secrets', () =>
        ns
          ? this.core.listNamespacedSecret({ namespace: ns, labelSelector })
          : this.core.listSecretForAllNamespaces({ labelSelector }),
      ),
      // The configmap driver is rare; a cluster that forbids listing configmaps still has the secrets.
      call('list configmaps', () =>
        ns
          ? this.core.listNamespacedConfigMap({ namespace: ns, labelSelector })
          : this.core.listConfigMapForAllNamespaces({ labelSelector }),
      ).catch((e: ApiCallError) => {
        if (e.isAccessDenied) return { items: [] as k8s.V1ConfigMap[] };
        throw e;
      }),
    ]);
    return [
      ...convertItems('list secrets', secrets.items, (s) =>
        s.type === 'helm.sh/release.v1' ? [decodeSecretRecord(s)] : [],
      ).flat(),
      ...convertItems('list configmaps', configMaps.items, decodeConfigMapRecord),
    ];
  }

  async serviceAccount(ns: string, name: string): Promise<KubeServiceAccount | undefined> {
    const sa = await callOrNotFound('get serviceaccounts', () =>
      this.core.readNamespacedServiceAccount({ namespace: ns, name }),
    );
    if (!sa) return undefined;
    return {
      name: sa.metadata?.name ?? name,
      namespace: sa.metadata?.namespace ?? ns,
      annotations: sa.metadata?.annotations ?? {},
      labels: sa.metadata?.labels ?? {},
      ...(sa.automountServiceAccountToken !== undefined
        ? { automountServiceAccountToken: sa.automountServiceAccountToken }
        : {}),
    };
  }

  async pods(ns: string, labelSelector?: string): Promise<KubePod[]> {
    const list = await call('list pods', () => this.core.listNamespacedPod({ namespace: ns, labelSelector }));
    return convertItems('list pods', list.items, toPod);
  }

  async envSourceKeys(ns: string, kind: 'Secret' | 'ConfigMap', name: string): Promise<string[] | undefined> {
    // Only the key names leave this method: the values are dropped here, never stored or printed.
    if (kind === 'Secret') {
      const s = await callOrNotFound('get secrets', () =>
        this.core.readNamespacedSecret({ namespace: ns, name }),
      );
      return s ? [...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})].sort() : undefined;
    }
    const c = await callOrNotFound('get configmaps', () =>
      this.core.readNamespacedConfigMap({ namespace: ns, name }),
    );
    return c ? [...Object.keys(c.data ?? {}), ...Object.keys(c.binaryData ?? {})].sort() : undefined;
  }

  async service(ns: string, name: string): Promise<KubeService | undefined> {
    const s = await callOrNotFound('get services', () =>
      this.core.readNamespacedService({ namespace: ns, name }),
    );
    if (!s) return undefined;
    return {
      name,
      namespace: ns,
      type: s.spec?.type,
      externalName: s.spec?.externalName,
      clusterIP: s.spec?.clusterIP,
      ...(s.spec?.selector ? { selector: s.spec.selector } : {}),
    };
  }

  async argoApplications(ns: string): Promise<ArgoApplication[]> {
    const list = await callOrNotFound('list applications.argoproj.io', () =>
      this.custom.listNamespacedCustomObject({
        group: 'argoproj.io',
        version: 'v1alpha1',
        namespace: ns,
        plural: 'applications',
      }),
    );
    const items = ((list as { items?: unknown[] } | undefined)?.items ?? []) as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    return items.map((a) => {
      const source = a.spec?.source ?? a.spec?.sources?.[0] ?? {};
      return {
        name: a.metadata?.name ?? '',
        namespace: a.metadata?.namespace ?? ns,
        chart: source.chart,
        targetRevision: source.targetRevision,
        destinationNamespace: a.spec?.destination?.namespace,
        values: source.helm?.values,
        valuesObject: source.helm?.valuesObject,
      };
    });
  }

  async requestToken(
    ns: string,
    serviceAccount: string,
    audience: string,
    expirationSeconds: number,
  ): Promise<string> {
    const answer = await call('create serviceaccounts/token', () =>
      this.core.createNamespacedServiceAccountToken({
        name: serviceAccount,
        namespace: ns,
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { audiences: [audience], expirationSeconds },
        },
      }),
    );
    const token = answer.status?.token;
    if (!token)
      throw new ApiCallError(
        'kube',
        'create serviceaccounts/token',
        'EmptyToken',
        'TokenRequest returned no token',
      );
    return token;
  }

  async issuerDiscovery(): Promise<IssuerDiscovery> {
    const wellKnown = makeTimedClient(this.kc, k8s.WellKnownApi, this.timeoutMs);
    const openid = makeTimedClient(this.kc, k8s.OpenidApi, this.timeoutMs);
    const [configuration, jwks] = await Promise.all([
      call('get /.well-known/openid-configuration', () =>
        wellKnown.getServiceAccountIssuerOpenIDConfiguration(),
      ),
      call('get /openid/v1/jwks', () => openid.getServiceAccountIssuerOpenIDKeyset()),
    ]);
    return {
      configuration: parseJson(configuration),
      jwks: parseJson(jwks) as IssuerDiscovery['jwks'],
    };
  }

  runJob(ns: string, manifest: Record<string, unknown>, timeoutMs: number): Promise<JobResult> {
    return runJobWithWatch(this.kc, this.core, this.batch, ns, manifest, timeoutMs);
  }

  async leftoverJobs(ns: string, olderThanSeconds: number): Promise<string[]> {
    const list = await call('list jobs', () =>
      this.batch.listNamespacedJob({
        namespace: ns,
        labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`,
      }),
    );
    return leftoverJobNames(list.items, olderThanSeconds);
  }

  async deleteJob(ns: string, name: string): Promise<void> {
    await callOrNotFound('delete jobs', () =>
      this.batch.deleteNamespacedJob({ namespace: ns, name, propagationPolicy: 'Background' }),
    );
  }

  async podLogTail(
    ns: string,
    pod: string,
    container: string,
    tailLines: number,
    limitBytes: number,
    options: PodLogOptions = {},
  ): Promise<string> {
    const log = await callOrNotFound('get pods/log', () =>
      this.core.readNamespacedPodLog({
        namespace: ns,
        name: pod,
        container,
        tailLines,
        limitBytes,
        ...(options.previous ? { previous: true } : {}),
        ...(options.timestamps ? { timestamps: true } : {}),
      }),
    );
    return typeof log === 'string' ? log : '';
  }

  async namespaceLabels(ns: string): Promise<Record<string, string> | undefined> {
    const n = await callOrNotFound('get namespaces', () => this.core.readNamespace({ name: ns }));
    return n ? (n.metadata?.labels ?? {}) : undefined;
  }

  async mutatingWebhookConfigurations(): Promise<KubeMutatingWebhookConfiguration[]> {
    const list = await call('list mutatingwebhookconfigurations.admissionregistration.k8s.io', () =>
      this.admission.listMutatingWebhookConfiguration(),
    );
    return list.items.map((m) => ({
      name: m.metadata?.name ?? '',
      webhooks: (m.webhooks ?? []).map((w) => ({
        name: w.name,
        ...(w.failurePolicy ? { failurePolicy: w.failurePolicy } : {}),
        rules: (w.rules ?? []).map((r) => ({
          operations: r.operations ?? [],
          apiGroups: r.apiGroups ?? [],
          resources: r.resources ?? [],
        })),
        ...(w.namespaceSelector ? { namespaceSelector: toSelector(w.namespaceSelector) } : {}),
        ...(w.objectSelector ? { objectSelector: toSelector(w.objectSelector) } : {}),
        ...(w.clientConfig?.service
          ? {
              service: {
                namespace: w.clientConfig.service.namespace,
                name: w.clientConfig.service.name,
                ...(w.clientConfig.service.path ? { path: w.clientConfig.service.path } : {}),
                ...(w.clientConfig.service.port ? { port: w.clientConfig.service.port } : {}),
              },
            }
          : {}),
        ...(w.clientConfig?.url ? { url: w.clientConfig.url } : {}),
        ...(w.clientConfig?.caBundle
          ? { caBundle: Buffer.from(w.clientConfig.caBundle, 'base64').toString('utf8') }
          : {}),
      })),
    }));
  }

  async workloads(ns: string): Promise<KubeWorkload[]> {
    const [deployments, statefulSets] = await Promise.all([
      call('list deployments.apps', () => this.apps.listNamespacedDeployment({ namespace: ns })),
      call('list statefulsets.apps', () => this.apps.listNamespacedStatefulSet({ namespace: ns })),
    ]);
    return [
      ...deployments.items.map((d) => toWorkload('Deployment', d, ns)),
      ...statefulSets.items.map((s) => toWorkload('StatefulSet', s, ns)),
    ];
  }

  async endpoints(ns: string, name: string): Promise<KubeEndpoints | undefined> {
    const e = await callOrNotFound('get endpoints', () =>
      this.core.readNamespacedEndpoints({ namespace: ns, name }),
    );
    if (!e) return undefined;
    let ready = 0;
    let notReady = 0;
    for (const s of e.subsets ?? []) {
      ready += s.addresses?.length ?? 0;
      notReady += s.notReadyAddresses?.length ?? 0;
    }
    return { ready, notReady };
  }

  async dryRunCreatePod(ns: string, manifest: Record<string, unknown>): Promise<KubeDryRunPod> {
    const body = manifest as k8s.V1Pod;
    const pod = await call('create pods (dryRun=All)', () =>
      this.core.createNamespacedPod({ namespace: ns, body, dryRun: 'All' }),
    );
    return dryRunPodOf(pod);
  }
}

/** The parts of a (mutated) pod the injection proof compares: env, mounts and projected token volumes. */
export function dryRunPodOf(pod: k8s.V1Pod): KubeDryRunPod {
  const tokenVolumes = [];
  for (const v of pod.spec?.volumes ?? []) {
    for (const s of v.projected?.sources ?? []) {
      const t = s.serviceAccountToken;
      if (!t) continue;
      tokenVolumes.push({
        name: v.name,
        ...(t.audience !== undefined ? { audience: t.audience } : {}),
        ...(t.expirationSeconds !== undefined ? { expirationSeconds: t.expirationSeconds } : {}),
        path: t.path,
      });
    }
  }
  return {
    containers: [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => ({
      name: c.name,
      env: toContainer(c).env.map((e) =>
        e.value !== undefined && isSecretKey(e.name) ? { ...e, value: REDACTED } : e,
      ),
      mountPaths: (c.volumeMounts ?? []).map((m) => m.mountPath),
    })),
    tokenVolumes,
  };
}
