/**
 * The narrow Kubernetes interface the checks ask. Answers are plain JSON-able
 * objects (not client-node model classes), so a recorder can write them to a
 * bundle and a replay can answer from one. A port: it imports nothing of the project.
 */

/** A JWK Set: the API server's /openid/v1/jwks and the issuer's public jwks_uri alike. */
export type Jwks = { keys: Array<Record<string, unknown>> };

export interface KubeClusterInfo {
  /** API server URL of the current context, e.g. https://ABC.gr7.eu-west-1.eks.amazonaws.com */
  server: string;
  contextName?: string;
  /** The kubeconfig user's `exec` command and args (e.g. `aws eks get-token --cluster-name X`). */
  exec?: { command: string; args: string[]; env?: Record<string, string> };
  inCluster?: boolean;
}

export interface KubeNode {
  name: string;
  providerID?: string;
  /** Label eks.amazonaws.com/compute-type (`auto`, `fargate`, `hybrid`); absent on EC2 nodes. */
  computeType?: string;
}

/** One revision of a Helm release as Helm stores it (secret or configmap driver). */
export interface HelmStorageRecord {
  driver: 'secret' | 'configmap';
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** Helm's own encoding (base64 of gzip of JSON), the Kubernetes base64 layer removed. */
  payload: string;
}

export interface KubeServiceAccount {
  name: string;
  namespace: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  automountServiceAccountToken?: boolean;
}

export interface KubeEnvVar {
  name: string;
  value?: string;
  /** `secretKeyRef secret/key`, `configMapKeyRef …`, `fieldRef …`: where the value comes from. */
  valueFrom?: string;
}

export interface KubeEnvSource {
  kind: 'Secret' | 'ConfigMap';
  name: string;
  prefix?: string;
}

export interface KubeContainer {
  name: string;
  image?: string;
  env: KubeEnvVar[];
  /** `envFrom`: Secrets and ConfigMaps whose every key becomes a variable. */
  envFrom?: KubeEnvSource[];
  /** Where volumes are mounted in the container. */
  mountPaths?: string[];
  /** An init container (spec.initContainers) rather than a main container or sidecar. */
  init?: boolean;
  /** status.containerStatuses[].ready: the container passes its readiness probe now. */
  ready?: boolean;
  /** status.containerStatuses[].restartCount: > 0 means a previous instance's log may exist. */
  restartCount?: number;
}

export interface KubePod {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  serviceAccountName?: string;
  phase?: string;
  startTime?: string;
  /** lastTransitionTime of the pod's Ready condition when it is True: ready since then (ISO 8601). */
  readySince?: string;
  containers: KubeContainer[];
  /** Projected service-account token volumes (what the EKS pod identity webhook injects). */
  projectedTokenAudiences: string[];
}

export interface KubeService {
  name: string;
  namespace: string;
  type?: string;
  externalName?: string;
  clusterIP?: string;
  /** spec.selector: the pods (and so the Deployment) behind the Service. */
  selector?: Record<string, string>;
}

export interface ArgoApplication {
  name: string;
  namespace: string;
  chart?: string;
  targetRevision?: string;
  /** spec.destination.namespace: where the Application deploys. */
  destinationNamespace?: string;
  values?: string;
  valuesObject?: unknown;
}

export interface IssuerDiscovery {
  /** `/.well-known/openid-configuration` as the API server serves it. */
  configuration: { issuer?: string; jwks_uri?: string; [k: string]: unknown };
  /** `/openid/v1/jwks` as the API server serves it. */
  jwks: Jwks;
}

/** What a verification Job ended as, decided from Job/Pod status and events. */
export interface JobResult {
  outcome: 'succeeded' | 'failed' | 'timeout' | 'image-pull' | 'unschedulable' | 'rejected' | 'create-failed';
  /** The pod's log (stdout+stderr of the container), when there was one. */
  logs?: string;
  /**
   * Why the pod's log could not be read (`Forbidden`: RBAC lacks get on pods/log). The Job's
   * output is then unknown, never empty. Absent in bundles recorded before it existed.
   */
  logUnreadable?: string;
  /** Kubernetes' own words for what went wrong (event message, waiting reason…). */
  reason?: string;
  exitCode?: number;
  jobName: string;
}

/** A Kubernetes label selector (metav1.LabelSelector). */
export interface KubeLabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** One webhook of a MutatingWebhookConfiguration, reduced to what decides whether it mutates a pod. */
export interface KubeMutatingWebhook {
  name: string;
  failurePolicy?: string;
  rules: Array<{ operations: string[]; apiGroups: string[]; resources: string[] }>;
  namespaceSelector?: KubeLabelSelector;
  objectSelector?: KubeLabelSelector;
  service?: { namespace: string; name: string; path?: string; port?: number };
  url?: string;
  /** clientConfig.caBundle, decoded to PEM. */
  caBundle?: string;
}

export interface KubeMutatingWebhookConfiguration {
  name: string;
  webhooks: KubeMutatingWebhook[];
}

export interface KubeWorkloadContainer {
  name: string;
  image?: string;
  command: string[];
  args: string[];
}

/** A Deployment or StatefulSet: its status and its pod template (as the API server holds it). */
export interface KubeWorkload {
  kind: 'Deployment' | 'StatefulSet';
  name: string;
  namespace: string;
  replicas: number;
  availableReplicas: number;
  /** The pod template's labels. */
  templateLabels: Record<string, string>;
  serviceAccountName?: string;
  containers: KubeWorkloadContainer[];
  /** spec.template as JSON, env values of secret-like names removed: the base of the dry-run pod. */
  template: Record<string, unknown>;
}

export interface KubeEndpoints {
  ready: number;
  notReady: number;
}

/** A projected service-account token volume of a pod. */
export interface KubeTokenVolume {
  name: string;
  audience?: string;
  expirationSeconds?: number;
  path: string;
}

/** What the API server answered to a dry-run pod create: the pod after every mutating webhook. */
export interface KubeDryRunPod {
  containers: Array<{ name: string; env: KubeEnvVar[]; mountPaths: string[] }>;
  tokenVolumes: KubeTokenVolume[];
}

export interface Kube {
  clusterInfo(): Promise<KubeClusterInfo>;
  namespaceExists(ns: string): Promise<boolean>;
  namespaces(): Promise<string[]>;
  nodes(): Promise<KubeNode[]>;
  /** Helm storage records in `ns`, or in every namespace when `ns` is undefined. */
  helmReleaseRecords(ns?: string): Promise<HelmStorageRecord[]>;
  serviceAccount(ns: string, name: string): Promise<KubeServiceAccount | undefined>;
  /** Every ServiceAccount of a namespace: `-A` lists them once per namespace instead of one get per component. */
  serviceAccounts(ns: string): Promise<KubeServiceAccount[]>;
  pods(ns: string, labelSelector?: string): Promise<KubePod[]>;
  service(ns: string, name: string): Promise<KubeService | undefined>;
  argoApplications(ns: string): Promise<ArgoApplication[]>;
  /**
   * The key names of a Secret or ConfigMap (what `envFrom` turns into variables), never their
   * values; undefined when it does not exist.
   */
  envSourceKeys(ns: string, kind: 'Secret' | 'ConfigMap', name: string): Promise<string[] | undefined>;
  /** TokenRequest API: a short-lived token for the ServiceAccount. */
  requestToken(
    ns: string,
    serviceAccount: string,
    audience: string,
    expirationSeconds: number,
  ): Promise<string>;
  /** The cluster's own service-account issuer discovery (OIDC configuration and JWKS). */
  issuerDiscovery(): Promise<IssuerDiscovery>;
  /** Create a Job, watch it to an outcome, fetch its pod's logs, delete it (always). */
  runJob(ns: string, manifest: Record<string, unknown>, timeoutMs: number): Promise<JobResult>;
  /**
   * Names of Jobs left by an earlier, interrupted irsa-check run (label managed-by=irsa-check):
   * never this run's own (label irsa-check/run), and only those created more than
   * `olderThanSeconds` and their own deadline plus a grace ago: younger ones may belong to a
   * run still going (kube-jobs.ts, leftoverJobNames).
   */
  leftoverJobs(ns: string, olderThanSeconds: number): Promise<string[]>;
  deleteJob(ns: string, name: string): Promise<void>;
  /** A namespace's labels; undefined when it does not exist. */
  namespaceLabels(ns: string): Promise<Record<string, string> | undefined>;
  mutatingWebhookConfigurations(): Promise<KubeMutatingWebhookConfiguration[]>;
  /** Deployments and StatefulSets of a namespace. */
  workloads(ns: string): Promise<KubeWorkload[]>;
  /** Ready and not-ready addresses behind a Service; undefined when it has no Endpoints object. */
  endpoints(ns: string, name: string): Promise<KubeEndpoints | undefined>;
  /** Pod create with dryRun=All: admission (and so every mutating webhook) runs, nothing is persisted. */
  dryRunCreatePod(ns: string, manifest: Record<string, unknown>): Promise<KubeDryRunPod>;
  /**
   * The last `tailLines` lines of a container's log, cut after `limitBytes` (the kubelet reads
   * forward from the first of those lines, so a cut drops the newest); '' when it has none.
   * `previous`: the log of the container's previous instance; `timestamps`: each line prefixed
   * with its RFC 3339 time. The options are passed only when set (a bundle's call keys).
   */
  podLogTail(
    ns: string,
    pod: string,
    container: string,
    tailLines: number,
    limitBytes: number,
    options?: PodLogOptions,
  ): Promise<string>;
}

export interface PodLogOptions {
  previous?: boolean;
  timestamps?: boolean;
}

/** The annotations the EKS pod identity webhook reads on a ServiceAccount. */
export const ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn';
export const AUDIENCE_ANNOTATION = 'eks.amazonaws.com/audience';
/** "true": the webhook sets AWS_STS_REGIONAL_ENDPOINTS=regional (amazon-eks-pod-identity-webhook README). */
export const STS_REGIONAL_ANNOTATION = 'eks.amazonaws.com/sts-regional-endpoints';
/** Seconds: the expirationSeconds of the projected token the webhook mounts (default 86400). */
export const TOKEN_EXPIRATION_ANNOTATION = 'eks.amazonaws.com/token-expiration';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/**
 * The run that owns a Job: one random value per irsa-check process. Leftover cleanup never
 * touches a Job of its own run, and Ctrl-C's "abandon" line deletes exactly this run's Jobs
 * with `kubectl delete job -l irsa-check/run=<id>`.
 */
export const RUN_LABEL = 'irsa-check/run';
export const MANAGED_BY_VALUE = 'irsa-check';

/**
 * One RBAC grant a Kubernetes call needs: README "Permissions" is generated from these
 * (src/docs/permissions.ts) and test/docs.test.ts holds them against the calls
 * src/platform/live-kube.ts and kube-jobs.ts make.
 */
export type KubeGrant =
  | {
      /** '' is the core group. */
      group: string;
      resources: readonly string[];
      verbs: readonly string[];
      /** 'cluster': cluster-scoped objects (a ClusterRole); 'namespace': a Role in the Camunda namespace. */
      scope: 'cluster' | 'namespace';
      /** The rule's comment in README "Permissions": when the grant is needed, or may be left out. */
      why?: string;
    }
  | { nonResourceURLs: readonly string[]; verbs: readonly string[]; scope: 'cluster'; why?: string };

const JOBS = 'verification Jobs (-s: not needed)';

/** What each Kube call needs; `[]`: nothing (it reads the kubeconfig). */
export const KUBE_PERMISSIONS: { readonly [M in keyof Kube]: readonly KubeGrant[] } = {
  clusterInfo: [],
  nodes: [{ group: '', resources: ['nodes'], verbs: ['list'], scope: 'cluster' }],
  namespaces: [{ group: '', resources: ['namespaces'], verbs: ['list'], scope: 'cluster' }],
  namespaceExists: [{ group: '', resources: ['namespaces'], verbs: ['get'], scope: 'cluster' }],
  namespaceLabels: [{ group: '', resources: ['namespaces'], verbs: ['get'], scope: 'cluster' }],
  mutatingWebhookConfigurations: [
    {
      group: 'admissionregistration.k8s.io',
      resources: ['mutatingwebhookconfigurations'],
      verbs: ['list'],
      scope: 'cluster',
      why: 'self-managed: the pod identity webhook',
    },
  ],
  issuerDiscovery: [
    {
      nonResourceURLs: ['/.well-known/openid-configuration', '/openid/v1/jwks'],
      verbs: ['get'],
      scope: 'cluster',
    },
  ],
  helmReleaseRecords: [
    {
      group: '',
      resources: ['secrets', 'configmaps'],
      verbs: ['list'],
      scope: 'namespace',
      why: 'Helm release storage (label owner=helm; -A: in every namespace)',
    },
  ],
  envSourceKeys: [
    {
      group: '',
      resources: ['secrets', 'configmaps'],
      verbs: ['get'],
      scope: 'namespace',
      why: "key names of the pods' envFrom sources (values are dropped unread)",
    },
  ],
  serviceAccount: [{ group: '', resources: ['serviceaccounts'], verbs: ['get'], scope: 'namespace' }],
  serviceAccounts: [
    {
      group: '',
      resources: ['serviceaccounts'],
      verbs: ['list'],
      scope: 'namespace',
      why: '-A: one list per namespace (without it, one get each)',
    },
  ],
  service: [{ group: '', resources: ['services'], verbs: ['get'], scope: 'namespace' }],
  endpoints: [{ group: '', resources: ['endpoints'], verbs: ['get'], scope: 'namespace' }],
  pods: [{ group: '', resources: ['pods'], verbs: ['list'], scope: 'namespace' }],
  podLogTail: [
    {
      group: '',
      resources: ['pods/log'],
      verbs: ['get'],
      scope: 'namespace',
      why: 'Job logs, and the IRSA error scan (--no-logs: not needed)',
    },
  ],
  requestToken: [
    {
      group: '',
      resources: ['serviceaccounts/token'],
      verbs: ['create'],
      scope: 'namespace',
      why: 'the pod-less proof (--no-token: not needed)',
    },
  ],
  dryRunCreatePod: [
    {
      group: '',
      resources: ['pods'],
      verbs: ['create'],
      scope: 'namespace',
      why: 'the injection proof: dryRun=All creates, nothing is persisted',
    },
  ],
  workloads: [
    {
      group: 'apps',
      resources: ['deployments', 'statefulsets'],
      verbs: ['list'],
      scope: 'namespace',
      why: 'the pod templates of the injection proof',
    },
  ],
  runJob: [
    {
      group: 'batch',
      resources: ['jobs'],
      verbs: ['create', 'get', 'list', 'watch', 'delete'],
      scope: 'namespace',
      why: JOBS,
    },
    { group: '', resources: ['pods', 'events'], verbs: ['list', 'watch'], scope: 'namespace', why: JOBS },
    { group: '', resources: ['pods/log'], verbs: ['get'], scope: 'namespace', why: JOBS },
  ],
  leftoverJobs: [{ group: 'batch', resources: ['jobs'], verbs: ['list'], scope: 'namespace', why: JOBS }],
  deleteJob: [{ group: 'batch', resources: ['jobs'], verbs: ['delete'], scope: 'namespace', why: JOBS }],
  argoApplications: [
    {
      group: 'argoproj.io',
      resources: ['applications'],
      verbs: ['list'],
      scope: 'namespace',
      why: 'values-only mode with Argo CD (optional)',
    },
  ],
};
