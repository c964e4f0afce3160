/**
 * Kube over @kubernetes/client-node. Imported lazily by the dispatcher: loading
 * client-node costs ~0.6 s, which `--help` and `--replay` never pay.
 */
import { accessSync, constants as fsConstants, existsSync, statSync } from 'node:fs';
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
} from '../ports/kube.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../ports/kube.js';
import { leftoverJobNames, runJobWithWatch } from './kube-jobs.js';
import { convertItems } from './kube-items.js';
import { NotKubernetesAnswer, firstLine, kubeError } from './kube-errors.js';
import { ConnectionResetError } from './http-timeouts.js';
import { ExecCredentialPlugin, KeepAliveAgents, timedHttpLibrary, useExecPlugin } from './kube-transport.js';
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
  checkKubeconfigFiles(kc);
  return { kc, inCluster };
}

/**
 * The files the current context names (CA, client certificate and key) are read on every
 * request: a missing one is a kubeconfig problem (exit 3) named by its path, found before
 * any call, not an error per request.
 */
function checkKubeconfigFiles(kc: k8s.KubeConfig): void {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  const files: Array<[string, string | undefined]> = [
    [`certificate-authority of cluster "${cluster?.name ?? ''}"`, cluster?.caFile],
    [`client-certificate of user "${user?.name ?? ''}"`, user?.certFile],
    [`client-key of user "${user?.name ?? ''}"`, user?.keyFile],
  ];
  for (const [what, file] of files) {
    if (!file) continue;
    let problem: string | undefined;
    try {
      if (!statSync(file).isFile()) problem = 'is not a file';
      else accessSync(file, fsConstants.R_OK);
    } catch (e) {
      const code = (e as { code?: string }).code;
      problem = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? firstLine(e)})`;
    }
    if (problem) {
      throw new UsageError(
        `the kubeconfig's ${what} is ${file}, which ${problem}`,
        CODE_NO_CLUSTER,
        `Fix that path in the kubeconfig (or embed the data: ${what.split(' ')[0]}-data), e.g. \`aws eks update-kubeconfig --name <cluster>\` writes a working kubeconfig.`,
      );
    }
  }
}

/**
 * An API client whose every request has one deadline over connect, TLS handshake, first
 * byte and body (kube-transport.ts): client-node's node-fetch otherwise waits forever on
 * a server that accepts the connection and never answers, or drips its answer.
 */
function makeTimedClient<T>(
  kc: k8s.KubeConfig,
  api: new (config: k8s.Configuration) => T,
  timeoutMs: number,
  agents: KeepAliveAgents,
): T {
  const server = kc.getCurrentCluster()?.server ?? '';
  const config = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(server, {}),
    authMethods: { default: kc },
    httpApi: timedHttpLibrary(timeoutMs, agents),
    promiseMiddleware: [
      {
        pre: async (context) => context,
        // An HTML answer (a captive portal or proxy answering 200) is never the API server's.
        post: async (context) => {
          const type = context.headers['content-type'] ?? '';
          if (/text\/html/i.test(type)) throw new NotKubernetesAnswer(context.httpStatusCode);
          if (/json/i.test(type)) transport.answeredJson = true;
          return context;
        },
      },
    ],
  });
  return new api(config);
}

/** Set by LiveKube: the request deadline (for the words) and whether the server ever answered JSON. */
const transport = { timeoutMs: DEFAULT_KUBE_REQUEST_TIMEOUT_MS, answeredJson: false };

/**
 * Retries as client-go does: 429 and 503 (and any 5xx that names a Retry-After) wait for
 * Retry-After, else back off exponentially; a read cut short by a reset or a truncated
 * body is asked again. Everything else is answered at once.
 */
const MAX_ATTEMPTS = 5;
const MAX_RETRY_WAIT_MS = 10_000;
const MAX_READ_REPEATS = 2;

function retryAfterMs(e: k8s.ApiException<unknown>): number | undefined {
  const headers = (e.headers ?? {}) as Record<string, string>;
  const raw = Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  if (raw === undefined) return undefined;
  const secs = Number(raw);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function backoffMs(attempt: number): number {
  // 0.5 s, 1 s, 2 s, 4 s, with jitter so concurrent calls do not come back together
  return Math.min(500 * 2 ** (attempt - 1), 8000) * (0.5 + Math.random() / 2);
}

function isRead(operation: string): boolean {
  return /^(get|list) /.test(operation);
}

/** How long to wait before asking again, or undefined when the failure is the answer. */
export function retryDelay(operation: string, e: unknown, attempt: number): number | undefined {
  if (attempt >= MAX_ATTEMPTS) return undefined;
  if (e instanceof k8s.ApiException) {
    const after = retryAfterMs(e);
    if (e.code === 429 || e.code === 503 || (e.code >= 500 && after !== undefined)) {
      return Math.min(after ?? backoffMs(attempt), MAX_RETRY_WAIT_MS);
    }
    return undefined;
  }
  const cutShort = e instanceof ConnectionResetError || (e instanceof SyntaxError && transport.answeredJson);
  if (cutShort && isRead(operation) && attempt <= MAX_READ_REPEATS) return backoffMs(attempt);
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const wait = retryDelay(operation, e, attempt);
      if (wait === undefined) throw kubeError(operation, e, transport.timeoutMs, transport.answeredJson);
      await sleep(wait);
    }
  }
}

/** Undefined on 404, so "does not exist" is an answer rather than an error. */
async function callOrNotFound<T>(operation: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call(operation, fn);
  } catch (e) {
    const err = kubeError(operation, e, transport.timeoutMs, transport.answeredJson);
    if (err.status === 404 && err.reason !== 'NotKubernetes') return undefined;
    throw err;
  }
}

interface ListPage<I> {
  items?: I[];
  metadata?: { _continue?: string; continue?: string };
}

/**
 * Every page of a list: an API server may answer a list in pages (a `continue` token)
 * and a Helm release on page two is still deployed. A token seen twice ends the list
 * with an error rather than a loop.
 */
async function listAll<I>(
  operation: string,
  page: (cont: string | undefined) => Promise<ListPage<I>>,
): Promise<{ items: I[] }> {
  const items: I[] = [];
  const seen = new Set<string>();
  let cont: string | undefined;
  do {
    const list = await call(operation, () => page(cont));
    const got: unknown = list?.items;
    if (got !== undefined && got !== null && !Array.isArray(got)) {
      throw new ApiCallError(
        'kube',
        operation,
        'MalformedAnswer',
        'the API server answered a list without items',
      );
    }
    items.push(...((got ?? []) as I[]));
    const c = list?.metadata?._continue || list?.metadata?.continue;
    cont = typeof c === 'string' && c !== '' ? c : undefined;
    if (cont !== undefined) {
      if (seen.has(cont))
        throw new ApiCallError('kube', operation, 'BadAnswer', 'the API server repeats a continue token');
      seen.add(cont);
    }
  } while (cont !== undefined);
  return { items };
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

function toServiceAccount(sa: k8s.V1ServiceAccount, ns: string, name: string): KubeServiceAccount {
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

export class LiveKube implements Kube {
  private readonly core: k8s.CoreV1Api;
  private readonly batch: k8s.BatchV1Api;
  private readonly custom: k8s.CustomObjectsApi;
  private readonly apps: k8s.AppsV1Api;
  private readonly admission: k8s.AdmissionregistrationV1Api;
  /** The run's kept-alive connections to the API server, shared by every API client below. */
  private readonly agents = new KeepAliveAgents();
  private readonly plugin: ExecCredentialPlugin;

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly inCluster: boolean,
    private readonly timeoutMs = DEFAULT_KUBE_REQUEST_TIMEOUT_MS,
  ) {
    transport.timeoutMs = timeoutMs;
    transport.answeredJson = false;
    useExecPlugin(kc, (this.plugin = new ExecCredentialPlugin(timeoutMs)));
    this.core = makeTimedClient(kc, k8s.CoreV1Api, timeoutMs, this.agents);
    this.batch = makeTimedClient(kc, k8s.BatchV1Api, timeoutMs, this.agents);
    this.custom = makeTimedClient(kc, k8s.CustomObjectsApi, timeoutMs, this.agents);
    this.apps = makeTimedClient(kc, k8s.AppsV1Api, timeoutMs, this.agents);
    this.admission = makeTimedClient(kc, k8s.AdmissionregistrationV1Api, timeoutMs, this.agents);
  }

  static create(opts: LiveKubeOptions): LiveKube {
    const { kc, inCluster } = loadKubeConfig(opts);
    const kube = new LiveKube(kc, inCluster, opts.requestTimeoutMs);
    // A live run asks the API server at once: its exec plugin (if any) may start now.
    kube.plugin.warm(kc.getCurrentUser());
    return kube;
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
    const list = await listAll('list namespaces', (_continue) => this.core.listNamespace({ _continue }));
    return convertItems('list namespaces', list.items, (n) => n.metadata?.name ?? '').sort();
  }

  async nodes(): Promise<KubeNode[]> {
    const list = await listAll('list nodes', (_continue) => this.core.listNode({ _continue }));
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
      listAll('list secrets', (_continue) =>
        ns
          ? this.core.listNamespacedSecret({ namespace: ns, labelSelector, _continue })
          : this.core.listSecretForAllNamespaces({ labelSelector, _continue }),
      ),
      // The configmap driver is rare; a cluster that forbids listing configmaps still has the secrets.
      listAll('list configmaps', (_continue) =>
        ns
          ? this.core.listNamespacedConfigMap({ namespace: ns, labelSelector, _continue })
          : this.core.listConfigMapForAllNamespaces({ labelSelector, _continue }),
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
    return sa ? toServiceAccount(sa, ns, name) : undefined;
  }

  async serviceAccounts(ns: string): Promise<KubeServiceAccount[]> {
    const list = await listAll('list serviceaccounts', (_continue) =>
      this.core.listNamespacedServiceAccount({ namespace: ns, _continue }),
    );
    return convertItems('list serviceaccounts', list.items, (sa) => toServiceAccount(sa, ns, ''));
  }

  async pods(ns: string, labelSelector?: string): Promise<KubePod[]> {
    const list = await listAll('list pods', (_continue) =>
      this.core.listNamespacedPod({ namespace: ns, labelSelector, _continue }),
    );
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
    const wellKnown = makeTimedClient(this.kc, k8s.WellKnownApi, this.timeoutMs, this.agents);
    const openid = makeTimedClient(this.kc, k8s.OpenidApi, this.timeoutMs, this.agents);
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
    return runJobWithWatch(this.kc, this.core, this.batch, ns, manifest, timeoutMs, this.timeoutMs);
  }

  async leftoverJobs(ns: string, olderThanSeconds: number): Promise<string[]> {
    const list = await listAll('list jobs', (_continue) =>
      this.batch.listNamespacedJob({
        namespace: ns,
        labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`,
        _continue,
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
    const list = await listAll(
      'list mutatingwebhookconfigurations.admissionregistration.k8s.io',
      (_continue) => this.admission.listMutatingWebhookConfiguration({ _continue }),
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
      listAll('list deployments.apps', (_continue) =>
        this.apps.listNamespacedDeployment({ namespace: ns, _continue }),
      ),
      listAll('list statefulsets.apps', (_continue) =>
        this.apps.listNamespacedStatefulSet({ namespace: ns, _continue }),
      ),
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
