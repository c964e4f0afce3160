/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * A fake Kubernetes API server for tests: plain HTTP on 127.0.0.1, real REST paths,
 * real JSON shapes (lists without per-item kind/apiVersion for built-in types,
 * `Status` errors, resourceVersions, watch streams), a TokenRequest API signing RS256
 * JWTs with OIDC discovery, and a Job controller + kubelet simulation driven by a
 * per-test script. See test/fake-kube.kubectl.test.ts for the fidelity checks against
 * the real kubectl and @kubernetes/client-node.
 */
import http from 'node:http';
import https from 'node:https';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { X509Certificate, createHash, createPublicKey, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { podSecurityMessage, type PodSecurityLevel } from './fake-kube-pod-security.js';

export { helmReleaseSecret, helmReleasePayload } from './helm-release.js';
export type { HelmReleaseInput, HelmReleaseOptions } from './helm-release.js';
export { podSecurityMessage, podSecurityViolations } from './fake-kube-pod-security.js';
export type { PodSecurityLevel } from './fake-kube-pod-security.js';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface JobScript {
  /**
   * complete       pod Pending → Running → Succeeded (exit 0); Job Complete
   * failed         pod … → Failed (exitCode, default 1); retried up to spec.backoffLimit
   *                (default 6), then Job Failed/BackoffLimitExceeded
   * imagePullError pod scheduled, container waiting ErrImagePull → ImagePullBackOff forever
   * unschedulable  pod Pending, PodScheduled=False/Unschedulable forever
   * rejected       pod creation refused (admission webhook); Job gets FailedCreate events
   * hang           pod Running forever (logs readable)
   */
  outcome: 'complete' | 'failed' | 'imagePullError' | 'unschedulable' | 'rejected' | 'hang';
  logs?: string;
  exitCode?: number;
  /**
   * rejected: the admission error (after `pods "<pod>" is forbidden: `); imagePullError: the
   * pull error (after `rpc error: code = NotFound desc = `); unschedulable: the scheduler's message.
   */
  message?: string;
  /** How long the container runs before terminating (ms). Default: stepMs. */
  runMs?: number;
}

export interface JobBehaviourContext {
  /** The pod as it would be created (after defaulting and the pod-identity webhook). */
  pod: any;
  /** The pod's ServiceAccount, if it exists. */
  serviceAccount: any;
  /** 0 for the first pod, 1 for the first retry, ... */
  attempt: number;
}

export interface FakeFault {
  method?: string;
  /** string: exact match on the URL path (no query); RegExp: tested against the path. */
  path: RegExp | string;
  /** Tested against the query string (without `?`), e.g. /watch=true/ to fault only watches. */
  query?: RegExp;
  status: number;
  reason?: string;
  message?: string;
  /** How many times to fire (decremented in place as it fires); default: always. */
  times?: number;
  /**
   * Hold the matching request until this settles, then answer it normally (`status` unused):
   * a DELETE the test releases when it wants, without a timing race.
   */
  hold?: Promise<unknown>;
}

export interface TokenOverrides {
  iss?: string;
  aud?: string | string[];
  sub?: string;
  expSecondsFromNow?: number;
  nbfSecondsFromNow?: number;
  /** Sign with a key that is NOT in /openid/v1/jwks (same kid). */
  signWithOtherKey?: boolean;
  kid?: string;
}

export interface FakeKubeWorld {
  namespaces: string[];
  /** Full v1 Node objects. Default (undefined): one EKS node; [] for none. */
  nodes?: object[];
  /** Namespaced objects with apiVersion/kind/metadata.namespace. */
  objects?: object[];
  /** Default: https://kubernetes.default.svc.cluster.local */
  serviceAccountIssuer?: string;
  /** jwks_uri in the discovery document. Default: <issuer>/openid/v1/jwks. */
  jwksUri?: string;
  /** Audience of tokens requested without spec.audiences. Default: https://kubernetes.default.svc */
  apiAudiences?: string[];
  tokenOverrides?: TokenOverrides;
  faults?: FakeFault[];
  jobBehaviour?: (job: any, ctx: JobBehaviourContext) => JobScript;
  /** Namespace → PodSecurity level; sets the enforce and warn labels on the namespace. */
  podSecurity?: Record<string, PodSecurityLevel>;
  /** gitVersion served at /version. Default: v1.31.6-eks-bc803b4 */
  version?: string;
  /** The authenticated user's name (used in Forbidden messages). Default: kubernetes-admin */
  username?: string;
  /**
   * Mutate pods of annotated ServiceAccounts like amazon-eks-pod-identity-webhook. Default true.
   * `'objects'`: like a self-managed cluster, only when the world's MutatingWebhookConfiguration
   * `pod-identity-webhook`, its Service's Endpoints and Deployment are healthy, its caBundle has
   * not expired and its selectors match (else: no mutation, or a refusal with failurePolicy Fail).
   */
  podIdentityWebhook?: boolean | 'objects';
  /** Whether dry-run pod creates get the EKS-managed injection when podIdentityWebhook is a boolean. Default true. */
  dryRunWebhook?: boolean;
  /**
   * ServiceAccounts with an EKS Pod Identity association: the webhook injects the container
   * credentials for them instead of IRSA (amazon-eks-pod-identity-webhook, buildPodPatchConfig).
   */
  podIdentityAssociations?: Array<{ namespace: string; serviceAccount: string }>;
  /** Don't add default/kube-system/... namespaces, the `default` SA and `kube-root-ca.crt`. */
  bare?: boolean;
  /**
   * Refuse requests without credentials (403 for system:anonymous, as a secure port with
   * anonymous auth does). Default: true with `tls`, false over plain http — client-go (kubectl)
   * never sends credentials to an http:// server, like the old insecure port expected.
   */
  requireAuth?: boolean;
  /**
   * Answer lists in pages of this many items with a `continue` token (as kube-apiserver does
   * for `limit`, which is honoured too). Default: no paging unless the client asks.
   */
  listPageSize?: number;
  /** Milliseconds per simulated lifecycle step. Default 20. */
  stepMs?: number;
  /** Multiplies activeDeadlineSeconds / ttlSecondsAfterFinished (seconds → ms * timeScale * 1000). Default 1. */
  timeScale?: number;
}

export interface FakeRequest {
  method: string;
  path: string;
  query: string;
  /** Parsed JSON body (POST/PUT/PATCH/DELETE with a body). */
  body?: unknown;
  /** The bearer token sent, if any (kubectl sends none over plain http, see StartOptions.tls). */
  bearer?: string;
}

export interface FakeKube {
  url: string;
  kubeconfigPath: string;
  /** The bearer token the fake accepts (also what the exec shim prints). */
  token: string;
  requests: FakeRequest[];
  /** Current objects of a kind ('Job', 'Pod', 'Event', … or plural 'jobs'), with kind/apiVersion. */
  objects(kind: string, ns?: string): any[];
  /** Create or replace an object (emits watch events). */
  put(obj: object): any;
  /** Delete an object at once (emits DELETED). */
  remove(kind: string, ns: string | undefined, name: string): void;
  /** The live world: faults, tokenOverrides and jobBehaviour may be changed between calls. */
  world: FakeKubeWorld;
  /** The JWKS served at /openid/v1/jwks. */
  jwks: { keys: any[] };
  close(): Promise<void>;
}

export interface StartOptions {
  /**
   * The kubeconfig user. Default `{ token }`. An `exec` user keeps its apiVersion/command/args
   * verbatim (so the product can read e.g. `--cluster-name`); the fake adds `token` (used by
   * kubectl, which skips exec plugins when a token is present) and prepends a shim directory
   * to `exec.env` PATH, holding an executable named like the command that prints a static
   * ExecCredential (client-node always runs the plugin). The command must be a bare name
   * (`aws`), not an absolute path, or client-node would run the real binary.
   */
  kubeconfigUser?: object;
  contextName?: string;
  clusterName?: string;
  /** Default namespace of the kubeconfig context. */
  namespace?: string;
  /**
   * Serve HTTPS with a throw-away self-signed certificate (made with the openssl CLI once per
   * process). The kubeconfig still says insecure-skip-tls-verify. Needed if kubectl must send
   * the bearer token (client-go drops credentials for http:// servers).
   */
  tls?: boolean;
  /** Answer every request only after this many ms (an API server in another region: the latency benchmark). */
  latencyMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Resource table (what discovery serves and what the router knows)
// ---------------------------------------------------------------------------------------------

interface ResourceDef {
  resource: string;
  kind: string;
  group: string;
  version: string;
  namespaced: boolean;
  singular: string;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  crd?: boolean;
  fieldLabels?: string[];
}

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const RESOURCES: ResourceDef[] = [
  {
    resource: 'configmaps',
    kind: 'ConfigMap',
    group: '',
    version: 'v1',
    namespaced: true,
    singular: 'configmap',
    shortNames: ['cm'],
    verbs: RW,
  },
  {
    resource: 'events',
    kind: 'Event',
    group: '',
    version: 'v1',
    namespaced: true,
    singular: 'event',
    shortNames: ['ev'],
    verbs: RW,
    fieldLabels: [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
    ],
  },
  {
    resource: 'namespaces',
    kind: 'Namespace',
    group: '',
    version: 'v1',
    namespaced: false,
    singular: 'namespace',
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    fieldLabels: ['status.phase'],
  },
  {
    resource: 'nodes',
    kind: 'Node',
    group: '',
    version: 'v1',
    namespaced: false,
    singular: 'node',
    shortNames: ['no'],
    verbs: RW,
    fieldLabels: ['spec.unschedulable'],
  },
  {
    resource: 'pods',
    kind: 'Pod',
    group: '',
    version: 'v1',
    namespaced: true,
    singular: 'pod',
    shortNames: ['po'],
    categories: ['all'],
    verbs: RW,
    fieldLabels: [
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.podIPs',
      'status.nominatedNodeName',
    ],
  },
  {
    resource: 'secrets',
    kind: 'Secret',
    group: '',
    version: 'v1',
    namespaced: true,
    singular: 'secret',
    verbs: RW,
    fieldLabels: ['type'],
  },
  {
    resource: 'serviceaccounts',
    kind: 'ServiceAccount',
    group: '',
    version: 'v1',
    namespaced: true,
    singular: 'serviceaccount',
    shortNames: ['sa'],
    verbs: RW,
  },
  {
    resource: 'services',
    kind: 'Service',
    group: '',
    version: 'v1',
    namespaced: true,
    singular: 'service',
    shortNames: ['svc'],
    categories: ['all'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  },
  {
    resource: 'jobs',
    kind: 'Job',
    group: 'batch',
    version: 'v1',
    namespaced: true,
    singular: 'job',
    categories: ['all'],
    verbs: RW,
    fieldLabels: ['status.successful'],
  },
  {
    resource: 'endpoints',
    kind: 'Endpoints',
    group: '',
    version: 'v1',
    namespaced: true,
    singular: 'endpoints',
    shortNames: ['ep'],
    verbs: RW,
  },
  {
    resource: 'deployments',
    kind: 'Deployment',
    group: 'apps',
    version: 'v1',
    namespaced: true,
    singular: 'deployment',
    shortNames: ['deploy'],
    categories: ['all'],
    verbs: RW,
  },
  {
    resource: 'statefulsets',
    kind: 'StatefulSet',
    group: 'apps',
    version: 'v1',
    namespaced: true,
    singular: 'statefulset',
    shortNames: ['sts'],
    categories: ['all'],
    verbs: RW,
  },
  {
    resource: 'mutatingwebhookconfigurations',
    kind: 'MutatingWebhookConfiguration',
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    namespaced: false,
    singular: 'mutatingwebhookconfiguration',
    verbs: RW,
  },
  {
    resource: 'applications',
    kind: 'Application',
    group: 'argoproj.io',
    version: 'v1alpha1',
    namespaced: true,
    singular: 'application',
    shortNames: ['app', 'apps'],
    verbs: RW,
    crd: true,
  },
];

function gv(def: ResourceDef): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}
function qualified(def: ResourceDef): string {
  return def.group ? `${def.resource}.${def.group}` : def.resource;
}
function defByKind(kind: string): ResourceDef | undefined {
  const k = kind.toLowerCase();
  return RESOURCES.find((d) => d.kind.toLowerCase() === k || d.resource === k || d.singular === k);
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const clone = <T>(v: T): T => structuredClone(v);
const nowTs = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
function randSuffix(n = 5): string {
  const bytes = randomBytes(n);
  let s = '';
  for (const b of bytes) s += NAME_ALPHABET[b % NAME_ALPHABET.length];
  return s;
}
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

interface KMeta {
  name: string;
  generateName?: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: any[];
  finalizers?: string[];
  [k: string]: unknown;
}
interface KObj {
  apiVersion: string;
  kind: string;
  metadata: KMeta;
  [k: string]: any;
}

/** Rebuilds metadata in the order the API server serialises it. */
function orderMeta(m: any): KMeta {
  const order = [
    'name',
    'generateName',
    'namespace',
    'uid',
    'resourceVersion',
    'generation',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'labels',
    'annotations',
    'ownerReferences',
    'finalizers',
  ];
  const out: any = {};
  for (const k of order) if (m[k] !== undefined) out[k] = m[k];
  for (const k of Object.keys(m)) if (!(k in out) && m[k] !== undefined) out[k] = m[k];
  return out;
}
function orderObj(o: any): KObj {
  const { kind, apiVersion, metadata, ...rest } = o;
  return { kind, apiVersion, metadata: orderMeta(metadata), ...rest };
}

// --- selectors ------------------------------------------------------------------------------

type LabelReq =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

class BadRequest extends Error {}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== '');
}

export function parseLabelSelector(sel: string): LabelReq[] {
  const reqs: LabelReq[] = [];
  for (const part of splitTopLevel(sel)) {
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^([^\s!=(),]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      const values = m[3]!
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      reqs.push({ op: m[2] as 'in' | 'notin', key: m[1]!, values });
    } else if ((m = part.match(/^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/))) {
      reqs.push({ op: m[2] === '!=' ? 'neq' : 'eq', key: m[1]!, value: m[3]! });
    } else if ((m = part.match(/^!\s*([^\s!=(),]+)$/))) {
      reqs.push({ op: 'notexists', key: m[1]! });
    } else if ((m = part.match(/^([^\s!=(),]+)$/))) {
      reqs.push({ op: 'exists', key: m[1]! });
    } else {
      throw new BadRequest(
        `unable to parse requirement: found '${part}', expected: '=', '!=', '==', 'in', notin'`,
      );
    }
  }
  return reqs;
}

function matchLabels(labels: Record<string, string> | undefined, reqs: LabelReq[]): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'eq':
        return has && l[r.key] === r.value;
      case 'neq':
        return !has || l[r.key] !== r.value;
      case 'in':
        return has && r.values.includes(l[r.key]!);
      case 'notin':
        return !has || !r.values.includes(l[r.key]!);
      case 'exists':
        return has;
      case 'notexists':
        return !has;
    }
  });
}

interface FieldReq {
  field: string;
  value: string;
  neq: boolean;
}
function parseFieldSelector(sel: string, def: ResourceDef): FieldReq[] {
  const reqs: FieldReq[] = [];
  for (const part of sel
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = part.match(/^([^=!]+?)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw new BadRequest(`invalid selector: '${sel}'; can't understand '${part}'`);
    const field = m[1]!;
    const allowed = ['metadata.name', 'metadata.namespace', ...(def.fieldLabels ?? [])];
    if (!allowed.includes(field)) throw new BadRequest(`field label not supported: ${field}`);
    reqs.push({ field, value: m[3]!, neq: m[2] === '!=' });
  }
  return reqs;
}
function fieldValue(obj: any, field: string): string {
  if (field === 'source') return String(obj.source?.component ?? '');
  if (field === 'status.successful') return String(obj.status?.succeeded ?? 0);
  let cur = obj;
  for (const p of field.split('.')) cur = cur?.[p];
  if (cur === undefined || cur === null)
    return field === 'spec.hostNetwork' || field === 'spec.unschedulable' ? 'false' : '';
  return String(cur);
}
function matchFields(obj: any, reqs: FieldReq[]): boolean {
  return reqs.every((r) => (fieldValue(obj, r.field) === r.value) !== r.neq);
}

// --- Status objects -------------------------------------------------------------------------

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'AlreadyExists',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function statusObj(code: number, reason: string, message: string, details?: Record<string, unknown>): any {
  const s: any = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason };
  if (details) s.details = details;
  s.code = code;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Signing key (one per process; kube-apiserver's key is stable too)
// ---------------------------------------------------------------------------------------------

interface SigningKey {
  privateKey: CryptoKey;
  jwk: any;
  kid: string;
}
let keyPromise: Promise<SigningKey> | undefined;
let otherKeyPromise: Promise<SigningKey> | undefined;
async function makeKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const pub = await exportJWK(publicKey);
  const der = createPublicKey({ key: pub as any, format: 'jwk' }).export({ type: 'spki', format: 'der' });
  // kube-apiserver: kid = base64url(sha256(DER(PKIX public key)))
  const kid = createHash('sha256').update(der).digest('base64url');
  return { privateKey, jwk: { use: 'sig', kty: 'RSA', kid, alg: 'RS256', n: pub.n, e: pub.e }, kid };
}
const signingKey = () => (keyPromise ??= makeKey());
const otherSigningKey = () => (otherKeyPromise ??= makeKey());

let certPromise: Promise<{ key: string; cert: string }> | undefined;
async function makeCert(): Promise<{ key: string; cert: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fake-kube-tls-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=kube-apiserver',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc',
    ]);
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Default objects
// ---------------------------------------------------------------------------------------------

function defaultNode(): object {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: 'ip-10-0-1-23.eu-west-1.compute.internal',
      labels: {
        'kubernetes.io/hostname': 'ip-10-0-1-23.eu-west-1.compute.internal',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/region': 'eu-west-1',
        'topology.kubernetes.io/zone': 'eu-west-1a',
        'eks.amazonaws.com/nodegroup': 'default',
      },
    },
    spec: { providerID: 'aws:///eu-west-1a/i-0123456789abcdef0' },
    status: {
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.31.6-eks-1234567',
        osImage: 'Amazon Linux 2023',
        architecture: 'amd64',
        operatingSystem: 'linux',
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

interface Watcher {
  def: ResourceDef;
  ns?: string;
  labels: LabelReq[];
  fields: FieldReq[];
  res: http.ServerResponse;
}

export async function startFakeKube(world: FakeKubeWorld, opts: StartOptions = {}): Promise<FakeKube> {
  const execCommand = (opts.kubeconfigUser as { exec?: { command?: unknown } } | undefined)?.exec?.command;
  if (execCommand !== undefined && (typeof execCommand !== 'string' || execCommand.includes('/')))
    throw new Error(
      `fake-kube: exec command must be a bare name looked up on PATH, got ${String(execCommand)}`,
    );
  const key = await signingKey();
  const token = `fake-${randomBytes(16).toString('hex')}`;
  const step = world.stepMs ?? 20;
  const timeScale = world.timeScale ?? 1;
  const issuer = () => world.serviceAccountIssuer ?? 'https://kubernetes.default.svc.cluster.local';
  const username = () => world.username ?? 'kubernetes-admin';

  let rv = 1000;
  const store = new Map<string, KObj>(); // `${resource}|${ns}|${name}`
  const history: Array<{ rv: number; type: string; def: ResourceDef; obj: KObj }> = [];
  const watchers = new Set<Watcher>();
  const timers = new Set<NodeJS.Timeout>();
  const logs = new Map<string, string>(); // pod key → log text
  const requests: FakeRequest[] = [];
  let closed = false;

  const skey = (def: ResourceDef, ns: string | undefined, name: string) =>
    `${def.resource}|${def.namespaced ? (ns ?? '') : ''}|${name}`;

  function later(ms: number, fn: () => void): void {
    if (closed) return;
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, ms);
    timers.add(t);
  }
  const sleep = (ms: number) => new Promise<void>((resolve) => later(ms, resolve));

  function toWire(def: ResourceDef, obj: KObj): KObj {
    return orderObj({ ...clone(obj), kind: def.kind, apiVersion: gv(def) });
  }

  function notify(def: ResourceDef, type: string, obj: KObj): void {
    history.push({ rv: Number(obj.metadata.resourceVersion), type, def, obj: clone(obj) });
    for (const w of watchers) {
      if (w.def !== def) continue;
      if (def.namespaced && w.ns !== undefined && obj.metadata.namespace !== w.ns) continue;
      if (!matchLabels(obj.metadata.labels, w.labels) || !matchFields(obj, w.fields)) continue;
      w.res.write(JSON.stringify({ type, object: toWire(def, obj) }) + '\n');
    }
  }

  function getObj(def: ResourceDef, ns: string | undefined, name: string): KObj | undefined {
    return store.get(skey(def, ns, name));
  }

  /** Store (create or replace) with a new resourceVersion; emits ADDED/MODIFIED. */
  function save(def: ResourceDef, obj: KObj): KObj {
    const k = skey(def, obj.metadata.namespace, obj.metadata.name);
    const existed = store.has(k);
    obj.metadata.resourceVersion = String(++rv);
    obj.kind = def.kind;
    obj.apiVersion = gv(def);
    const ordered = orderObj(obj);
    store.set(k, ordered);
    notify(def, existed ? 'MODIFIED' : 'ADDED', ordered);
    return ordered;
  }

  function drop(def: ResourceDef, obj: KObj): void {
    const k = skey(def, obj.metadata.namespace, obj.metadata.name);
    const cur = store.get(k);
    if (!cur) return;
    store.delete(k);
    logs.delete(k);
    const gone = clone(cur);
    gone.metadata.resourceVersion = String(++rv);
    notify(def, 'DELETED', gone);
  }

  function update(
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    fn: (o: KObj) => void,
  ): KObj | undefined {
    const cur = getObj(def, ns, name);
    if (!cur) return undefined;
    const next = clone(cur);
    fn(next);
    return save(def, next);
  }

  /** Normalise an incoming object like the API server would on create. */
  function admitNew(def: ResourceDef, raw: any, ns?: string): KObj {
    const obj: any = clone(raw);
    const md: any = (obj.metadata ??= {});
    if (def.namespaced) md.namespace = ns ?? md.namespace ?? 'default';
    else delete md.namespace;
    if (!md.name && md.generateName) md.name = `${md.generateName}${randSuffix()}`;
    md.uid = md.uid ?? randomUUID();
    md.creationTimestamp = md.creationTimestamp ?? nowTs();
    if (def.kind === 'Secret') {
      if (obj.stringData) {
        obj.data = { ...obj.data };
        for (const [k, v] of Object.entries(obj.stringData))
          obj.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
        delete obj.stringData;
      }
      obj.type = obj.type ?? 'Opaque';
    }
    return obj as KObj;
  }

  function seed(raw: any): KObj {
    const def = defByKind(String(raw?.kind ?? ''));
    if (!def) throw new Error(`fake-kube: unsupported kind ${raw?.kind}`);
    const obj = admitNew(def, raw, def.namespaced ? (raw.metadata?.namespace ?? 'default') : undefined);
    return save(def, obj);
  }

  // --- namespaces, nodes, objects ---
  const nsNames = [
    ...new Set([
      ...(world.bare ? [] : ['default', 'kube-node-lease', 'kube-public', 'kube-system']),
      ...world.namespaces,
    ]),
  ];
  const nsDef = defByKind('Namespace')!;
  for (const name of nsNames) {
    const labels: Record<string, string> = { 'kubernetes.io/metadata.name': name };
    const level = world.podSecurity?.[name];
    if (level) {
      labels['pod-security.kubernetes.io/enforce'] = level;
      labels['pod-security.kubernetes.io/warn'] = level;
    }
    save(
      nsDef,
      admitNew(nsDef, {
        metadata: { name, labels },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      }),
    );
    if (!world.bare) {
      seed({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: name } });
      seed({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'kube-root-ca.crt',
          namespace: name,
          annotations: {
            'kubernetes.io/description':
              'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
          },
        },
        data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n' },
      });
    }
  }
  for (const n of world.nodes ?? [defaultNode()]) seed({ apiVersion: 'v1', kind: 'Node', ...(n as any) });
  for (const o of world.objects ?? []) {
    const def = defByKind(String((o as any).kind ?? ''));
    if (def && def.namespaced) {
      const existing = getObj(def, (o as any).metadata?.namespace ?? 'default', (o as any).metadata?.name);
      if (existing) drop(def, existing); // the world's object replaces a default one (e.g. SA "default")
    }
    seed(o);
  }

  // --- HTTP plumbing ---
  function send(
    res: http.ServerResponse,
    code: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    if (res.headersSent) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(code, {
      'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json',
      'Cache-Control': 'no-cache, private',
      ...headers,
    });
    res.end(text);
  }
  function sendStatus(res: http.ServerResponse, s: any, headers: Record<string, string> = {}): void {
    send(res, s.code, s, headers);
  }

  function notFound(def: ResourceDef, name: string): any {
    return statusObj(404, 'NotFound', `${qualified(def)} "${name}" not found`, {
      name,
      ...(def.group ? { group: def.group } : {}),
      kind: def.resource,
    });
  }

  interface Route {
    def: ResourceDef;
    ns?: string;
    name?: string;
    sub?: string;
  }
  function parseRoute(p: string): Route | undefined {
    const seg = p.split('/').filter(Boolean).map(decodeURIComponent);
    let group = '';
    let version: string;
    let rest: string[];
    if (seg[0] === 'api' && seg.length >= 3) {
      version = seg[1]!;
      rest = seg.slice(2);
    } else if (seg[0] === 'apis' && seg.length >= 4) {
      group = seg[1]!;
      version = seg[2]!;
      rest = seg.slice(3);
    } else return undefined;
    let ns: string | undefined;
    if (
      rest[0] === 'namespaces' &&
      rest.length >= 3 &&
      !(rest.length === 3 && ['status', 'finalize'].includes(rest[2]!))
    ) {
      ns = rest[1];
      rest = rest.slice(2);
    }
    const def = RESOURCES.find((d) => d.group === group && d.version === version && d.resource === rest[0]);
    if (!def) return undefined;
    if (def.group === 'argoproj.io' && !argoEnabled()) return undefined;
    if (!def.namespaced && ns !== undefined) return undefined;
    if (rest.length > 3) return undefined;
    const r: Route = { def };
    if (ns !== undefined) r.ns = ns;
    if (rest[1] !== undefined) r.name = rest[1];
    if (rest[2] !== undefined) r.sub = rest[2];
    return r;
  }

  function argoEnabled(): boolean {
    for (const k of store.keys()) if (k.startsWith('applications|')) return true;
    return false;
  }

  function verbOf(method: string, route: Route | undefined, q: URLSearchParams): string {
    switch (method) {
      case 'GET':
        return route?.name ? 'get' : q.get('watch') === 'true' || q.get('watch') === '1' ? 'watch' : 'list';
      case 'POST':
        return 'create';
      case 'PUT':
        return 'update';
      case 'PATCH':
        return 'patch';
      case 'DELETE':
        return 'delete';
      default:
        return method.toLowerCase();
    }
  }

  function defaultFaultStatus(
    f: FakeFault,
    method: string,
    p: string,
    q: URLSearchParams,
    user = username(),
  ): any {
    const route = parseRoute(p);
    const reason = f.reason ?? REASONS[f.status] ?? 'Unknown';
    let message = f.message;
    let details: Record<string, unknown> | undefined;
    if (route) {
      const { def, ns, name, sub } = route;
      const res = sub ? `${def.resource}/${sub}` : def.resource;
      details = { ...(name ? { name } : {}), ...(def.group ? { group: def.group } : {}), kind: def.resource };
      if (message === undefined) {
        switch (f.status) {
          case 403: {
            const scope = ns !== undefined ? `in the namespace "${ns}"` : 'at the cluster scope';
            message = `${qualified(def)}${name ? ` "${name}"` : ''} is forbidden: User "${user}" cannot ${verbOf(method, route, q)} resource "${res}" in API group "${def.group}" ${scope}`;
            break;
          }
          case 404:
            message = `${qualified(def)} "${name ?? ''}" not found`;
            break;
          case 409:
            message = `${qualified(def)} "${name ?? ''}" already exists`;
            break;
        }
      }
    }
    if (message === undefined) {
      switch (f.status) {
        case 401:
          message = 'Unauthorized';
          break;
        case 404:
          message = 'the server could not find the requested resource';
          break;
        case 429:
          message = 'Too many requests, please try again later.';
          break;
        case 500:
          message = 'Internal error occurred: fake-kube injected fault';
          details = { ...details, causes: [{ message: 'fake-kube injected fault' }] };
          break;
        case 503:
          message = 'the server is currently unable to handle the request';
          break;
        default:
          message = `fake-kube injected fault (${f.status})`;
      }
    }
    if (f.status === 401) details = undefined;
    return statusObj(f.status, reason, message, details);
  }

  async function readBody(req: http.IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (!chunks.length) return undefined;
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text.trim()) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      // kubectl/clients always send JSON here; YAML bodies are not accepted by the real server either
      throw new BadRequest(
        `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
      );
    }
  }

  // --- discovery ---
  function apiResourceList(group: string, version: string): any | undefined {
    const defs = RESOURCES.filter((d) => d.group === group && d.version === version);
    if (!defs.length) return undefined;
    if (group === 'argoproj.io' && !argoEnabled()) return undefined;
    const resources: any[] = [];
    for (const d of defs) {
      const r: any = {
        name: d.resource,
        singularName: d.singular,
        namespaced: d.namespaced,
        kind: d.kind,
        verbs: d.verbs,
      };
      if (d.shortNames) r.shortNames = d.shortNames;
      if (d.categories) r.categories = d.categories;
      r.storageVersionHash = createHash('sha256')
        .update(`${group}/${d.resource}`)
        .digest('base64')
        .slice(0, 12);
      resources.push(r);
      if (d.kind === 'Pod') {
        resources.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
        resources.push({
          name: 'pods/status',
          singularName: '',
          namespaced: true,
          kind: 'Pod',
          verbs: ['get', 'patch', 'update'],
        });
      }
      if (d.kind === 'ServiceAccount')
        resources.push({
          name: 'serviceaccounts/token',
          singularName: '',
          namespaced: true,
          group: 'authentication.k8s.io',
          version: 'v1',
          kind: 'TokenRequest',
          verbs: ['create'],
        });
      if (d.kind === 'Job')
        resources.push({
          name: 'jobs/status',
          singularName: '',
          namespaced: true,
          kind: 'Job',
          verbs: ['get', 'patch', 'update'],
        });
      if (d.kind === 'Namespace')
        resources.push({
          name: 'namespaces/status',
          singularName: '',
          namespaced: false,
          kind: 'Namespace',
          verbs: ['get', 'patch', 'update'],
        });
    }
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group ? `${group}/${version}` : version,
      resources,
    };
  }
  function apiGroupList(): any {
    const groups: any[] = [
      {
        name: 'authentication.k8s.io',
        versions: [{ groupVersion: 'authentication.k8s.io/v1', version: 'v1' }],
        preferredVersion: { groupVersion: 'authentication.k8s.io/v1', version: 'v1' },
      },
      {
        name: 'batch',
        versions: [{ groupVersion: 'batch/v1', version: 'v1' }],
        preferredVersion: { groupVersion: 'batch/v1', version: 'v1' },
      },
      {
        name: 'apps',
        versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
        preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
      },
      {
        name: 'admissionregistration.k8s.io',
        versions: [{ groupVersion: 'admissionregistration.k8s.io/v1', version: 'v1' }],
        preferredVersion: { groupVersion: 'admissionregistration.k8s.io/v1', version: 'v1' },
      },
    ];
    if (argoEnabled())
      groups.push({
        name: 'argoproj.io',
        versions: [{ groupVersion: 'argoproj.io/v1alpha1', version: 'v1alpha1' }],
        preferredVersion: { groupVersion: 'argoproj.io/v1alpha1', version: 'v1alpha1' },
      });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  function versionInfo(): any {
    const gitVersion = world.version ?? 'v1.31.6-eks-bc803b4';
    const m = gitVersion.match(/^v(\d+)\.(\d+)/);
    const extra = /-eks-|-gke\.|\+/.test(gitVersion) ? '+' : '';
    return {
      major: m?.[1] ?? '1',
      minor: `${m?.[2] ?? '31'}${extra}`,
      gitVersion,
      gitCommit: createHash('sha1').update(gitVersion).digest('hex'),
      gitTreeState: 'clean',
      buildDate: '2025-02-21T19:47:16Z',
      goVersion: 'go1.23.6',
      compiler: 'gc',
      platform: 'linux/amd64',
    };
  }

  // --- lists & watches ---
  function listObjs(
    def: ResourceDef,
    ns: string | undefined,
    labels: LabelReq[],
    fields: FieldReq[],
  ): KObj[] {
    const out: KObj[] = [];
    for (const [k, o] of store) {
      if (!k.startsWith(`${def.resource}|`)) continue;
      if (def.namespaced && ns !== undefined && o.metadata.namespace !== ns) continue;
      if (!matchLabels(o.metadata.labels, labels) || !matchFields(o, fields)) continue;
      out.push(o);
    }
    return out.sort((a, b) =>
      `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
      ),
    );
  }

  function startWatch(
    res: http.ServerResponse,
    def: ResourceDef,
    ns: string | undefined,
    labels: LabelReq[],
    fields: FieldReq[],
    q: URLSearchParams,
  ): void {
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders();
    const w: Watcher = { def, labels, fields, res };
    if (ns !== undefined) w.ns = ns;
    const fromRv = q.get('resourceVersion');
    const write = (type: string, obj: KObj) =>
      res.write(JSON.stringify({ type, object: toWire(def, obj) }) + '\n');
    if (!fromRv || fromRv === '0' || q.get('sendInitialEvents') === 'true') {
      for (const o of listObjs(def, ns, labels, fields)) write('ADDED', o);
      if (q.get('sendInitialEvents') === 'true' && q.get('allowWatchBookmarks') === 'true')
        res.write(
          JSON.stringify({
            type: 'BOOKMARK',
            object: {
              kind: def.kind,
              apiVersion: gv(def),
              metadata: { resourceVersion: String(rv), annotations: { 'k8s.io/initial-events-end': 'true' } },
            },
          }) + '\n',
        );
    } else {
      const since = Number(fromRv);
      for (const h of history) {
        if (h.rv <= since || h.def !== def) continue;
        if (def.namespaced && ns !== undefined && h.obj.metadata.namespace !== ns) continue;
        if (!matchLabels(h.obj.metadata.labels, labels) || !matchFields(h.obj, fields)) continue;
        write(h.type, h.obj);
      }
    }
    watchers.add(w);
    const end = () => {
      watchers.delete(w);
      if (!res.writableEnded) res.end();
    };
    res.on('close', () => watchers.delete(w));
    const timeout = Number(q.get('timeoutSeconds') ?? '0');
    if (timeout > 0) later(timeout * 1000, end);
  }

  // --- TokenRequest ---
  async function tokenRequest(res: http.ServerResponse, ns: string, name: string, body: any): Promise<void> {
    const saDef = defByKind('ServiceAccount')!;
    const sa = getObj(saDef, ns, name);
    if (!sa) return sendStatus(res, notFound(saDef, name));
    const spec = body?.spec ?? {};
    const expirationSeconds: number = spec.expirationSeconds ?? 3600;
    if (expirationSeconds < 600) {
      const msg = 'may not specify a duration less than 10 minutes';
      return sendStatus(
        res,
        statusObj(
          422,
          'Invalid',
          `TokenRequest.authentication.k8s.io "${name}" is invalid: spec.expirationSeconds: Invalid value: ${expirationSeconds}: ${msg}`,
          {
            name,
            group: 'authentication.k8s.io',
            kind: 'TokenRequest',
            causes: [
              {
                reason: 'FieldValueInvalid',
                message: `Invalid value: ${expirationSeconds}: ${msg}`,
                field: 'spec.expirationSeconds',
              },
            ],
          },
        ),
      );
    }
    const audiences: string[] = spec.audiences?.length
      ? spec.audiences
      : (world.apiAudiences ?? ['https://kubernetes.default.svc']);
    const ov = world.tokenOverrides ?? {};
    const now = Math.floor(Date.now() / 1000);
    const exp = now + (ov.expSecondsFromNow ?? expirationSeconds);
    const claims: Record<string, unknown> = {
      aud: ov.aud === undefined ? audiences : Array.isArray(ov.aud) ? ov.aud : [ov.aud],
      exp,
      iat: now,
      iss: ov.iss ?? issuer(),
      jti: randomUUID(),
      'kubernetes.io': { namespace: ns, serviceaccount: { name, uid: sa.metadata.uid } },
      nbf: now + (ov.nbfSecondsFromNow ?? 0),
      sub: ov.sub ?? `system:serviceaccount:${ns}:${name}`,
    };
    const k = ov.signWithOtherKey ? await otherSigningKey() : key;
    const jwt = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: ov.kid ?? key.kid })
      .sign(k.privateKey);
    send(res, 201, {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace: ns, creationTimestamp: null },
      spec: { audiences, expirationSeconds, boundObjectRef: spec.boundObjectRef ?? null },
      status: {
        token: jwt,
        expirationTimestamp: new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    });
  }

  // --- events ---
  const evDef = defByKind('Event')!;
  function recordEvent(
    involved: KObj,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    component: string,
  ): void {
    const t = nowTs();
    const def = defByKind(involved.kind)!;
    const existing = listObjs(evDef, involved.metadata.namespace, [], []).find(
      (e) => e.involvedObject?.uid === involved.metadata.uid && e.reason === reason && e.message === message,
    );
    if (existing) {
      update(evDef, existing.metadata.namespace, existing.metadata.name, (e) => {
        e.count = (e.count ?? 1) + 1;
        e.lastTimestamp = t;
      });
      return;
    }
    const ev: any = {
      metadata: {
        name: `${involved.metadata.name}.${randomBytes(8).toString('hex')}`,
        namespace: involved.metadata.namespace,
      },
      involvedObject: {
        kind: involved.kind,
        namespace: involved.metadata.namespace,
        name: involved.metadata.name,
        uid: involved.metadata.uid,
        apiVersion: gv(def),
        resourceVersion: involved.metadata.resourceVersion,
        ...(involved.kind === 'Pod' && component === 'kubelet'
          ? { fieldPath: `spec.containers{${involved.spec?.containers?.[0]?.name ?? ''}}` }
          : {}),
      },
      reason,
      message,
      source: component === 'kubelet' ? { component, host: involved.spec?.nodeName } : { component },
      firstTimestamp: t,
      lastTimestamp: t,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: component === 'kubelet' ? (involved.spec?.nodeName ?? '') : '',
    };
    save(evDef, admitNew(evDef, ev, involved.metadata.namespace));
  }

  // --- Job controller + kubelet simulation ---
  const jobDef = defByKind('Job')!;
  const podDef = defByKind('Pod')!;
  const saDef = defByKind('ServiceAccount')!;

  function regionFromIssuer(): string {
    return issuer().match(/oidc\.eks\.([a-z0-9-]+)\.amazonaws\.com/)?.[1] ?? 'eu-west-1';
  }

  /** Pod defaulting + the amazon-eks-pod-identity-webhook mutation. */
  /** Whether the (simulated) pod identity webhook mutates this pod: inject, skip, or refuse with a message. */
  function webhookDecision(pod: any, ns: string, dryRun: boolean): 'inject' | 'skip' | { refuse: string } {
    const mode = world.podIdentityWebhook;
    if (mode !== 'objects') {
      if (dryRun && mode === false) return (world.dryRunWebhook ?? true) ? 'inject' : 'skip';
      return mode === false ? 'skip' : 'inject';
    }
    const mwcDef = defByKind('MutatingWebhookConfiguration')!;
    const cfg = getObj(mwcDef, undefined, 'pod-identity-webhook');
    const hook = cfg?.webhooks?.[0];
    if (!hook) return 'skip';
    const fail = (why: string) =>
      hook.failurePolicy === 'Ignore'
        ? ('skip' as const)
        : { refuse: `Internal error occurred: failed calling webhook "${hook.name}": ${why}` };
    const svc = hook.clientConfig?.service;
    const nsObj = getObj(nsDef, undefined, ns);
    if (!selectorOk(hook.namespaceSelector, nsObj?.metadata.labels ?? {})) return 'skip';
    if (!selectorOk(hook.objectSelector, pod.metadata?.labels ?? {})) return 'skip';
    if (svc) {
      const eps = getObj(defByKind('Endpoints')!, svc.namespace, svc.name);
      const ready = (eps?.subsets ?? []).some((x: any) => (x.addresses ?? []).length > 0);
      if (!ready)
        return fail(
          `failed to call webhook: Post "https://${svc.name}.${svc.namespace}.svc:443/mutate?timeout=10s": no endpoints available for service "${svc.name}"`,
        );
    }
    const pem = Buffer.from(hook.clientConfig?.caBundle ?? '', 'base64').toString('utf8');
    try {
      const cert = new X509Certificate(pem);
      if (new Date(cert.validTo).getTime() < Date.now())
        return fail(
          'failed to call webhook: Post "https://pod-identity-webhook.kube-system.svc:443/mutate?timeout=10s": tls: failed to verify certificate: x509: certificate has expired or is not yet valid',
        );
    } catch {
      return fail(
        'failed to call webhook: tls: failed to verify certificate: x509: certificate signed by unknown authority',
      );
    }
    return 'inject';
  }

  function selectorOk(sel: any, labels: Record<string, string>): boolean {
    if (!sel) return true;
    for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
    for (const e of sel.matchExpressions ?? []) {
      const has = e.key in labels;
      if (e.operator === 'In' && !(has && e.values.includes(labels[e.key]))) return false;
      if (e.operator === 'NotIn' && has && e.values.includes(labels[e.key])) return false;
      if (e.operator === 'Exists' && !has) return false;
      if (e.operator === 'DoesNotExist' && has) return false;
    }
    return true;
  }

  function buildPod(raw: any, ns: string, dryRun = false): any {
    const pod: any = clone(raw);
    pod.apiVersion = 'v1';
    pod.kind = 'Pod';
    const spec: any = (pod.spec ??= {});
    spec.serviceAccountName = spec.serviceAccountName ?? spec.serviceAccount ?? 'default';
    spec.serviceAccount = spec.serviceAccountName;
    spec.restartPolicy ??= 'Always';
    spec.terminationGracePeriodSeconds ??= 30;
    spec.dnsPolicy ??= 'ClusterFirst';
    spec.securityContext ??= {};
    spec.schedulerName ??= 'default-scheduler';
    spec.enableServiceLinks ??= true;
    spec.preemptionPolicy ??= 'PreemptLowerPriority';
    spec.priority ??= 0;
    spec.tolerations ??= [
      {
        key: 'node.kubernetes.io/not-ready',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
    ];
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      c.terminationMessagePath ??= '/dev/termination-log';
      c.terminationMessagePolicy ??= 'File';
      c.imagePullPolicy ??=
        /:latest$/.test(c.image ?? '') || !/:[^/]+$/.test(c.image ?? '') ? 'Always' : 'IfNotPresent';
      c.resources ??= {};
    }
    const sa = getObj(saDef, ns, spec.serviceAccountName);
    const roleArn = sa?.metadata.annotations?.['eks.amazonaws.com/role-arn'];
    const associated = (world.podIdentityAssociations ?? []).some(
      (a) => a.namespace === ns && a.serviceAccount === spec.serviceAccountName,
    );
    const decision = roleArn || associated ? webhookDecision(pod, ns, dryRun) : 'skip';
    if (typeof decision === 'object') {
      pod.refusedByWebhook = decision.refuse;
      return pod;
    }
    if (associated && decision === 'inject') {
      // Container credentials take precedence: no AWS_ROLE_ARN, the eks-pod-identity-token volume.
      const mount = '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount';
      const env = [
        { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: 'http://169.254.170.23/v1/credentials' },
        { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', value: `${mount}/eks-pod-identity-token` },
      ];
      for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
        const names = new Set((c.env ?? []).map((e: any) => e.name));
        c.env = [...(c.env ?? []), ...env.filter((e) => !names.has(e.name))];
        c.volumeMounts = [
          ...(c.volumeMounts ?? []),
          { name: 'eks-pod-identity-token', readOnly: true, mountPath: mount },
        ];
      }
      pod.metadata.labels = { ...(pod.metadata.labels ?? {}), 'eks.amazonaws.com/pod-identity': 'enabled' };
      spec.volumes = [
        ...(spec.volumes ?? []),
        {
          name: 'eks-pod-identity-token',
          projected: {
            sources: [
              {
                serviceAccountToken: {
                  audience: 'pods.eks.amazonaws.com',
                  expirationSeconds: 86400,
                  path: 'eks-pod-identity-token',
                },
              },
            ],
            defaultMode: 420,
          },
        },
      ];
    } else if (roleArn && decision === 'inject') {
      const ann = sa?.metadata.annotations ?? {};
      const audience = ann['eks.amazonaws.com/audience'] ?? 'sts.amazonaws.com';
      const expirationSeconds = Math.max(
        Number(ann['eks.amazonaws.com/token-expiration'] ?? 86400) || 86400,
        3600,
      );
      const region = regionFromIssuer();
      const env = [
        ...(ann['eks.amazonaws.com/sts-regional-endpoints'] === 'true' ||
        world.podIdentityWebhook !== 'objects'
          ? [{ name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' }]
          : []),
        { name: 'AWS_DEFAULT_REGION', value: region },
        { name: 'AWS_REGION', value: region },
        { name: 'AWS_ROLE_ARN', value: roleArn },
        {
          name: 'AWS_WEB_IDENTITY_TOKEN_FILE',
          value: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
        },
      ];
      for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
        const names = new Set((c.env ?? []).map((e: any) => e.name));
        c.env = [...(c.env ?? []), ...env.filter((e) => !names.has(e.name))];
        c.volumeMounts = [
          ...(c.volumeMounts ?? []),
          {
            name: 'aws-iam-token',
            readOnly: true,
            mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount',
          },
        ];
      }
      spec.volumes = [
        ...(spec.volumes ?? []),
        {
          name: 'aws-iam-token',
          projected: {
            sources: [{ serviceAccountToken: { audience, expirationSeconds, path: 'token' } }],
            defaultMode: 420,
          },
        },
      ];
    }
    pod.status = { phase: 'Pending', qosClass: 'BestEffort' };
    return pod;
  }

  /** ServiceAccount and PodSecurity admission. Returns the Forbidden message or undefined. */
  function admitPod(pod: any, ns: string): string | undefined {
    const saName = pod.spec.serviceAccountName;
    if (!getObj(saDef, ns, saName))
      return `pods "${pod.metadata.name}" is forbidden: error looking up service account ${ns}/${saName}: serviceaccount "${saName}" not found`;
    const level = world.podSecurity?.[ns];
    if (level) {
      const msg = podSecurityMessage(level, pod.spec);
      if (msg) return `pods "${pod.metadata.name}" is forbidden: ${msg}`;
    }
    return undefined;
  }

  function nodeName(): string {
    const nodes = listObjs(defByKind('Node')!, undefined, [], []);
    return nodes[0]?.metadata.name ?? 'ip-10-0-1-23.eu-west-1.compute.internal';
  }

  function condition(type: string, status: string, extra: Record<string, unknown> = {}): any {
    return { type, status, lastProbeTime: null, lastTransitionTime: nowTs(), ...extra };
  }

  const never = () => new Promise<never>(() => {});

  /** Kubelet + scheduler for one pod. Resolves with the exit code, or never. */
  async function runPod(ns: string, name: string, script: JobScript): Promise<number | 'gone'> {
    const alive = () => {
      const p = getObj(podDef, ns, name);
      return p && !p.metadata.deletionTimestamp ? p : undefined;
    };
    await sleep(step);
    let pod = alive();
    if (!pod) return 'gone';
    const containers: any[] = pod.spec.containers ?? [];
    if (script.outcome === 'unschedulable') {
      const n = listObjs(defByKind('Node')!, undefined, [], []).length;
      const msg =
        script.message ??
        `0/${n} nodes are available: ${n} node(s) didn't match Pod's node affinity/selector. preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling.`;
      pod = update(podDef, ns, name, (p) => {
        p.status = {
          phase: 'Pending',
          conditions: [condition('PodScheduled', 'False', { reason: 'Unschedulable', message: msg })],
          qosClass: p.status?.qosClass ?? 'BestEffort',
        };
      })!;
      recordEvent(pod, 'Warning', 'FailedScheduling', msg, 'default-scheduler');
      return never();
    }
    const node = nodeName();
    const started = nowTs();
    const hostIP = '10.0.1.23';
    pod = update(podDef, ns, name, (p) => {
      p.spec.nodeName = node;
      p.status = {
        phase: 'Pending',
        conditions: [
          condition('PodReadyToStartContainers', 'False'),
          condition('Initialized', 'True'),
          condition('Ready', 'False', {
            reason: 'ContainersNotReady',
            message: `containers with unready status: [${containers.map((c) => c.name).join(' ')}]`,
          }),
          condition('ContainersReady', 'False', {
            reason: 'ContainersNotReady',
            message: `containers with unready status: [${containers.map((c) => c.name).join(' ')}]`,
          }),
          condition('PodScheduled', 'True'),
        ],
        hostIP,
        hostIPs: [{ ip: hostIP }],
        startTime: started,
        containerStatuses: containers.map((c) => ({
          name: c.name,
          state: { waiting: { reason: 'ContainerCreating' } },
          lastState: {},
          ready: false,
          restartCount: 0,
          image: c.image,
          imageID: '',
          started: false,
        })),
        qosClass: p.status?.qosClass ?? 'BestEffort',
      };
    })!;
    recordEvent(
      pod,
      'Normal',
      'Scheduled',
      `Successfully assigned ${ns}/${name} to ${node}`,
      'default-scheduler',
    );
    await sleep(step);
    if (!(pod = alive())) return 'gone';
    const image = containers[0]?.image ?? '';
    recordEvent(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, 'kubelet');
    if (script.outcome === 'imagePullError') {
      const pullMsg =
        script.message ??
        `failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`;
      const full = `rpc error: code = NotFound desc = ${pullMsg}`;
      pod = update(podDef, ns, name, (p) => {
        for (const cs of p.status.containerStatuses)
          cs.state = { waiting: { reason: 'ErrImagePull', message: full } };
      })!;
      recordEvent(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${full}`, 'kubelet');
      recordEvent(pod, 'Warning', 'Failed', 'Error: ErrImagePull', 'kubelet');
      await sleep(step);
      if (!(pod = alive())) return 'gone';
      pod = update(podDef, ns, name, (p) => {
        for (const cs of p.status.containerStatuses)
          cs.state = {
            waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` },
          };
      })!;
      recordEvent(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, 'kubelet');
      recordEvent(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff', 'kubelet');
      return never();
    }
    const podIP = `10.0.1.${100 + (randomBytes(1)[0]! % 100)}`;
    const runningAt = nowTs();
    logs.set(skey(podDef, ns, name), script.logs ?? '');
    pod = update(podDef, ns, name, (p) => {
      p.status.phase = 'Running';
      p.status.podIP = podIP;
      p.status.podIPs = [{ ip: podIP }];
      p.status.conditions = p.status.conditions.map((c: any) =>
        c.type === 'PodScheduled' || c.type === 'Initialized' ? c : condition(c.type, 'True'),
      );
      p.status.containerStatuses = p.status.containerStatuses.map((cs: any) => ({
        ...cs,
        state: { running: { startedAt: runningAt } },
        ready: true,
        started: true,
        imageID: `${cs.image.split(':')[0]}@sha256:${createHash('sha256').update(cs.image).digest('hex')}`,
        containerID: `containerd://${randomBytes(32).toString('hex')}`,
      }));
    })!;
    recordEvent(
      pod,
      'Normal',
      'Pulled',
      `Successfully pulled image "${image}" in 1.234s (1.234s including waiting). Image size: 52428800 bytes.`,
      'kubelet',
    );
    for (const c of containers) {
      recordEvent(pod, 'Normal', 'Created', `Created container: ${c.name}`, 'kubelet');
      recordEvent(pod, 'Normal', 'Started', `Started container ${c.name}`, 'kubelet');
    }
    if (script.outcome === 'hang') return never();
    await sleep(script.runMs ?? step);
    if (!(pod = alive())) return 'gone';
    const exitCode = script.outcome === 'complete' ? 0 : (script.exitCode ?? 1);
    const finishedAt = nowTs();
    pod = update(podDef, ns, name, (p) => {
      p.status.phase = exitCode === 0 ? 'Succeeded' : 'Failed';
      const reason = exitCode === 0 ? 'PodCompleted' : 'PodFailed';
      p.status.conditions = p.status.conditions.map((c: any) =>
        c.type === 'Ready' || c.type === 'ContainersReady'
          ? condition(c.type, 'False', { reason })
          : c.type === 'PodReadyToStartContainers'
            ? condition(c.type, 'False')
            : c,
      );
      p.status.containerStatuses = p.status.containerStatuses.map((cs: any) => ({
        ...cs,
        state: {
          terminated: {
            exitCode,
            reason: exitCode === 0 ? 'Completed' : 'Error',
            startedAt: runningAt,
            finishedAt,
            containerID: cs.containerID,
          },
        },
        ready: false,
        started: false,
      }));
    })!;
    return exitCode;
  }

  function deletePods(job: KObj): void {
    for (const p of listObjs(podDef, job.metadata.namespace, [], [])) {
      if (!p.metadata.ownerReferences?.some((o: any) => o.uid === job.metadata.uid)) continue;
      gracefulDeletePod(p);
    }
  }
  function gracefulDeletePod(p: KObj): void {
    const ns = p.metadata.namespace;
    const name = p.metadata.name;
    const terminal = p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
    if (!p.metadata.deletionTimestamp) {
      update(podDef, ns, name, (x) => {
        x.metadata.deletionTimestamp = nowTs();
        x.metadata.deletionGracePeriodSeconds = terminal ? 0 : (x.spec?.terminationGracePeriodSeconds ?? 30);
      });
    }
    later(step, () => {
      const cur = getObj(podDef, ns, name);
      if (cur && cur.metadata.uid === p.metadata.uid) drop(podDef, cur);
    });
  }

  /** Job deletion with a propagation policy (also used by the TTL controller). */
  function deleteJob(job: KObj, policy: 'Orphan' | 'Background' | 'Foreground'): { code: number; body: any } {
    const ns = job.metadata.namespace;
    const name = job.metadata.name;
    if (policy === 'Background') {
      drop(jobDef, job);
      later(step, () => deletePods(job));
      return {
        code: 200,
        body: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Success',
          details: { name, group: 'batch', kind: 'jobs', uid: job.metadata.uid },
        },
      };
    }
    const finalizer = policy === 'Orphan' ? 'orphan' : 'foregroundDeletion';
    const updated = update(jobDef, ns, name, (j) => {
      j.metadata.deletionTimestamp = j.metadata.deletionTimestamp ?? nowTs();
      j.metadata.deletionGracePeriodSeconds = 0;
      j.metadata.finalizers = [...new Set([...(j.metadata.finalizers ?? []), finalizer])];
    })!;
    later(step, () => {
      if (policy === 'Foreground') deletePods(job);
      else
        for (const p of listObjs(podDef, ns, [], [])) {
          if (!p.metadata.ownerReferences?.some((o: any) => o.uid === job.metadata.uid)) continue;
          update(podDef, ns, p.metadata.name, (x) => {
            x.metadata.ownerReferences = x.metadata.ownerReferences?.filter(
              (o: any) => o.uid !== job.metadata.uid,
            );
            if (!x.metadata.ownerReferences?.length) delete x.metadata.ownerReferences;
          });
        }
      later(step, () => {
        const cur = getObj(jobDef, ns, name);
        if (cur && cur.metadata.uid === job.metadata.uid) drop(jobDef, cur);
      });
    });
    return { code: 200, body: toWire(jobDef, updated) };
  }

  function finishJob(
    ns: string,
    name: string,
    uid: string,
    ok: boolean,
    reason: string,
    message: string,
  ): void {
    const cur = getObj(jobDef, ns, name);
    if (!cur || cur.metadata.uid !== uid) return;
    const t = nowTs();
    const j = update(jobDef, ns, name, (x) => {
      const s = x.status;
      s.conditions = [
        ...(s.conditions ?? []),
        {
          type: ok ? 'SuccessCriteriaMet' : 'FailureTarget',
          status: 'True',
          lastProbeTime: t,
          lastTransitionTime: t,
          reason,
          message,
        },
        {
          type: ok ? 'Complete' : 'Failed',
          status: 'True',
          lastProbeTime: t,
          lastTransitionTime: t,
          reason,
          message,
        },
      ];
      if (ok) s.completionTime = t;
      s.ready = 0;
      s.terminating = 0;
      delete s.active;
    })!;
    recordEvent(
      j,
      ok ? 'Normal' : 'Warning',
      ok ? 'Completed' : reason,
      ok ? 'Job completed' : message,
      'job-controller',
    );
    if (!ok) deletePodsActive(j);
    const ttl = j.spec.ttlSecondsAfterFinished;
    if (typeof ttl === 'number')
      later(Math.max(ttl * 1000 * timeScale, 1), () => {
        const c = getObj(jobDef, ns, name);
        if (c && c.metadata.uid === uid && !c.metadata.deletionTimestamp) deleteJob(c, 'Foreground');
      });
  }
  function deletePodsActive(job: KObj): void {
    for (const p of listObjs(podDef, job.metadata.namespace, [], [])) {
      if (!p.metadata.ownerReferences?.some((o: any) => o.uid === job.metadata.uid)) continue;
      if (p.status?.phase === 'Pending' || p.status?.phase === 'Running') gracefulDeletePod(p);
    }
  }

  async function runJob(ns: string, name: string, uid: string): Promise<void> {
    const alive = () => {
      const j = getObj(jobDef, ns, name);
      return j &&
        j.metadata.uid === uid &&
        !j.metadata.deletionTimestamp &&
        !j.status?.conditions?.some(
          (c: any) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
        )
        ? j
        : undefined;
    };
    await sleep(step);
    let job = alive();
    if (!job || job.spec.suspend) return;
    job = update(jobDef, ns, name, (j) => {
      // int32 counters with omitempty (active/succeeded/failed) are absent while 0; ready and
      // terminating are pointers and show 0
      j.status = { startTime: nowTs(), ready: 0, terminating: 0, uncountedTerminatedPods: {} };
    })!;
    const deadline = job.spec.activeDeadlineSeconds;
    if (typeof deadline === 'number')
      later(deadline * 1000 * timeScale, () => {
        if (!alive()) return;
        // the active pods are terminated and counted as failed
        update(jobDef, ns, name, (j) => {
          if (j.status.active) j.status.failed = (j.status.failed ?? 0) + j.status.active;
          delete j.status.active;
        });
        finishJob(ns, name, uid, false, 'DeadlineExceeded', 'Job was active longer than specified deadline');
      });
    const backoffLimit: number = job.spec.backoffLimit ?? 6;
    let failures = 0;
    for (let attempt = 0; ; attempt++) {
      if (!(job = alive())) return;
      const podName = `${name}-${randSuffix()}`;
      const template = clone(job.spec.template ?? {});
      const draft = buildPod(
        {
          metadata: { ...template.metadata, name: podName, generateName: `${name}-`, namespace: ns },
          spec: template.spec,
        },
        ns,
      );
      draft.metadata.labels = {
        ...draft.metadata.labels,
        'batch.kubernetes.io/controller-uid': uid,
        'batch.kubernetes.io/job-name': name,
        'controller-uid': uid,
        'job-name': name,
      };
      draft.metadata.ownerReferences = [
        { apiVersion: 'batch/v1', kind: 'Job', name, uid, controller: true, blockOwnerDeletion: true },
      ];
      draft.metadata.finalizers = ['batch.kubernetes.io/job-tracking'];
      const sa = getObj(saDef, ns, draft.spec.serviceAccountName);
      const script: JobScript = world.jobBehaviour?.(toWire(jobDef, job), {
        pod: clone(draft),
        serviceAccount: sa ? toWire(saDef, sa) : undefined,
        attempt,
      }) ?? { outcome: 'complete', logs: '' };
      const denied =
        admitPod(draft, ns) ??
        (script.outcome === 'rejected'
          ? `pods "${podName}" is forbidden: ${script.message ?? 'admission webhook "validation.gatekeeper.sh" denied the request: [fake-kube] pod rejected'}`
          : undefined);
      if (denied) {
        recordEvent(job, 'Warning', 'FailedCreate', `Error creating: ${denied}`, 'job-controller');
        return; // the controller keeps retrying with back-off; the Job never progresses
      }
      save(podDef, admitNew(podDef, draft, ns));
      recordEvent(job, 'Normal', 'SuccessfulCreate', `Created pod: ${podName}`, 'job-controller');
      update(jobDef, ns, name, (j) => {
        j.status.active = 1;
      });
      void (async () => {
        // mirror the pod's readiness into job.status.ready
        for (;;) {
          await sleep(step / 2);
          const p = getObj(podDef, ns, podName);
          const j = alive();
          if (!p || !j) return;
          const ready = p.status?.phase === 'Running' ? 1 : 0;
          if ((j.status.ready ?? 0) !== ready) update(jobDef, ns, name, (x) => (x.status.ready = ready));
          if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') return;
        }
      })();
      const exit = await runPod(ns, podName, script);
      if (!(job = alive())) return;
      // the job controller removes its tracking finalizer once it has counted the pod
      update(podDef, ns, podName, (p) => {
        p.metadata.finalizers = p.metadata.finalizers?.filter(
          (f) => f !== 'batch.kubernetes.io/job-tracking',
        );
        if (!p.metadata.finalizers?.length) delete p.metadata.finalizers;
      });
      if (exit === 0) {
        update(jobDef, ns, name, (j) => {
          j.status.succeeded = (j.status.succeeded ?? 0) + 1;
          delete j.status.active;
          j.status.ready = 0;
        });
        finishJob(ns, name, uid, true, 'CompletionsReached', 'Reached expected number of succeeded pods');
        return;
      }
      failures++;
      update(jobDef, ns, name, (j) => {
        j.status.failed = failures;
        delete j.status.active;
        j.status.ready = 0;
      });
      if (failures > backoffLimit) {
        finishJob(
          ns,
          name,
          uid,
          false,
          'BackoffLimitExceeded',
          'Job has reached the specified backoff limit',
        );
        return;
      }
      await sleep(step * 2 ** (failures - 1));
    }
  }

  function validateJob(job: any): any | undefined {
    const name: string = job.metadata?.name ?? '';
    const causes: Array<{ reason: string; message: string; field: string }> = [];
    if (!name && !job.metadata?.generateName)
      causes.push({
        reason: 'FieldValueRequired',
        message: 'Required value: name or generateName is required',
        field: 'metadata.name',
      });
    else if (name && (!DNS1123_SUBDOMAIN.test(name) || name.length > 253))
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
        field: 'metadata.name',
      });
    else if (name.length > 63)
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: "${name}": must be no more than 63 characters`,
        field: 'spec.template.labels',
      });
    const ps = job.spec?.template?.spec;
    const rp = ps?.restartPolicy;
    if (rp === undefined || rp === '')
      causes.push({
        reason: 'FieldValueRequired',
        message: 'Required value: valid values: "OnFailure", "Never"',
        field: 'spec.template.spec.restartPolicy',
      });
    else if (rp !== 'OnFailure' && rp !== 'Never')
      causes.push({
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: "${rp}": supported values: "OnFailure", "Never"`,
        field: 'spec.template.spec.restartPolicy',
      });
    const containers: any[] = ps?.containers ?? [];
    if (!containers.length)
      causes.push({
        reason: 'FieldValueRequired',
        message: 'Required value',
        field: 'spec.template.spec.containers',
      });
    containers.forEach((c, i) => {
      if (!c?.name)
        causes.push({
          reason: 'FieldValueRequired',
          message: 'Required value',
          field: `spec.template.spec.containers[${i}].name`,
        });
      if (!c?.image)
        causes.push({
          reason: 'FieldValueRequired',
          message: 'Required value',
          field: `spec.template.spec.containers[${i}].image`,
        });
    });
    if (!causes.length) return undefined;
    const shown = name || job.metadata?.generateName || '';
    const msg = `Job.batch "${shown}" is invalid: ${causes.length === 1 ? `${causes[0]!.field}: ${causes[0]!.message}` : `[${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}]`}`;
    return statusObj(422, 'Invalid', msg, { name: shown, group: 'batch', kind: 'Job', causes });
  }

  function createJob(res: http.ServerResponse, ns: string, body: any): void {
    if (!body || typeof body !== 'object')
      return sendStatus(res, statusObj(400, 'BadRequest', 'the body of the request is empty'));
    const invalid = validateJob(body);
    if (invalid) return sendStatus(res, invalid);
    const job: any = admitNew(jobDef, body, ns);
    if (getObj(jobDef, ns, job.metadata.name))
      return sendStatus(
        res,
        statusObj(409, 'AlreadyExists', `jobs.batch "${job.metadata.name}" already exists`, {
          name: job.metadata.name,
          group: 'batch',
          kind: 'jobs',
        }),
      );
    const uid = job.metadata.uid;
    job.metadata.generation = 1;
    const spec = (job.spec ??= {});
    spec.parallelism ??= 1;
    spec.completions ??= 1;
    spec.backoffLimit ??= 6;
    spec.selector ??= { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
    const tm = (spec.template.metadata ??= {});
    tm.labels = {
      ...tm.labels,
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': job.metadata.name,
      'controller-uid': uid,
      'job-name': job.metadata.name,
    };
    const ts = spec.template.spec;
    ts.terminationGracePeriodSeconds ??= 30;
    ts.dnsPolicy ??= 'ClusterFirst';
    ts.securityContext ??= {};
    ts.schedulerName ??= 'default-scheduler';
    for (const c of ts.containers) {
      c.terminationMessagePath ??= '/dev/termination-log';
      c.terminationMessagePolicy ??= 'File';
      c.imagePullPolicy ??= /:latest$/.test(c.image) || !/:[^/]+$/.test(c.image) ? 'Always' : 'IfNotPresent';
      c.resources ??= {};
    }
    spec.completionMode ??= 'NonIndexed';
    spec.suspend ??= false;
    spec.podReplacementPolicy ??= 'TerminatingOrFailed';
    job.status = {};
    const saved = save(jobDef, job);
    const headers: Record<string, string> = {};
    const level = world.podSecurity?.[ns];
    if (level) {
      const msg = podSecurityMessage(level, ts);
      if (msg) headers['Warning'] = `299 - ${JSON.stringify(`would ${msg.replace(/^violates/, 'violate')}`)}`;
    }
    send(res, 201, toWire(jobDef, saved), headers);
    void runJob(ns, saved.metadata.name, uid);
  }

  // --- pod logs ---
  function podLog(res: http.ServerResponse, ns: string, name: string, q: URLSearchParams): void {
    const pod = getObj(podDef, ns, name);
    if (!pod) return sendStatus(res, notFound(podDef, name));
    const containers: any[] = pod.spec?.containers ?? [];
    let container = q.get('container') ?? '';
    if (!container) {
      if (containers.length !== 1)
        return sendStatus(
          res,
          statusObj(
            400,
            'BadRequest',
            `a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`,
          ),
        );
      container = containers[0].name;
    } else if (!containers.some((c) => c.name === container)) {
      return sendStatus(
        res,
        statusObj(400, 'BadRequest', `container ${container} is not valid for pod ${name}`),
      );
    }
    if (!pod.spec?.nodeName) return send(res, 200, '');
    const cs = (pod.status?.containerStatuses ?? []).find((c: any) => c.name === container);
    const waiting = cs?.state?.waiting;
    if (waiting || !cs) {
      const r = waiting?.reason ?? 'ContainerCreating';
      const why =
        r === 'ErrImagePull'
          ? 'trying and failing to pull image'
          : r === 'ImagePullBackOff'
            ? "image can't be pulled"
            : r;
      return sendStatus(
        res,
        statusObj(400, 'BadRequest', `container "${container}" in pod "${name}" is waiting to start: ${why}`),
      );
    }
    let text =
      logs.get(skey(podDef, ns, name)) ??
      (typeof pod.metadata.annotations?.['fake-kube/logs'] === 'string'
        ? pod.metadata.annotations['fake-kube/logs']
        : '');
    if (q.get('timestamps') === 'true') {
      const ts = cs.state?.running?.startedAt ?? cs.state?.terminated?.startedAt ?? nowTs();
      const stamp = ts.replace(/Z$/, '.000000000Z');
      text = text
        .split(/(?<=\n)/)
        .map((l) => (l ? `${stamp} ${l}` : l))
        .join('');
    }
    const tail = q.get('tailLines');
    if (tail !== null) {
      const lines = text.split(/(?<=\n)/).filter((l) => l !== '');
      text = Number(tail) <= 0 ? '' : lines.slice(-Number(tail)).join('');
    }
    const limit = q.get('limitBytes');
    if (limit !== null) text = Buffer.from(text, 'utf8').subarray(0, Number(limit)).toString('utf8');
    send(res, 200, text);
  }

  // --- request handler ---
  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const p = url.pathname;
    const q = url.searchParams;
    const method = (req.method ?? 'GET').toUpperCase();
    const entry: FakeRequest = { method, path: p, query: url.search.replace(/^\?/, '') };
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) entry.bearer = auth.slice('Bearer '.length);
    requests.push(entry);
    let body: unknown;
    if (method !== 'GET' && method !== 'HEAD') {
      body = await readBody(req);
      if (body !== undefined) entry.body = body;
    }

    // authentication
    const publicPath = [
      '/version',
      '/healthz',
      '/livez',
      '/readyz',
      '/.well-known/openid-configuration',
      '/openid/v1/jwks',
    ].includes(p);
    if (auth !== undefined && auth !== `Bearer ${token}`)
      return sendStatus(res, statusObj(401, 'Unauthorized', 'Unauthorized'));
    if (auth === undefined && !publicPath && (world.requireAuth ?? opts.tls === true)) {
      const s = defaultFaultStatus({ path: p, status: 403 }, method, p, q, 'system:anonymous');
      if (!parseRoute(p))
        s.message = `forbidden: User "system:anonymous" cannot ${method.toLowerCase()} path "${p}"`;
      return sendStatus(res, s);
    }

    // injected faults
    for (const f of world.faults ?? []) {
      if (f.method && f.method.toUpperCase() !== method) continue;
      if (typeof f.path === 'string' ? f.path !== p : !f.path.test(p)) continue;
      if (f.query && !f.query.test(q.toString())) continue;
      if (f.times !== undefined) {
        if (f.times <= 0) continue;
        f.times--;
      }
      if (f.hold) {
        await f.hold.catch(() => undefined);
        continue;
      }
      const s = defaultFaultStatus(f, method, p, q);
      return sendStatus(res, s, f.status === 429 ? { 'Retry-After': '1' } : {});
    }

    // non-resource paths
    if (method === 'GET') {
      switch (p) {
        case '/version':
          return send(res, 200, versionInfo());
        case '/healthz':
        case '/livez':
        case '/readyz':
          return send(res, 200, 'ok');
        case '/api':
          return send(res, 200, {
            kind: 'APIVersions',
            versions: ['v1'],
            serverAddressByClientCIDRs: [
              {
                clientCIDR: '0.0.0.0/0',
                serverAddress: `${req.socket.localAddress}:${req.socket.localPort}`,
              },
            ],
          });
        case '/apis':
          return send(res, 200, apiGroupList());
        case '/.well-known/openid-configuration':
          return send(res, 200, {
            issuer: issuer(),
            jwks_uri: world.jwksUri ?? `${issuer()}/openid/v1/jwks`,
            response_types_supported: ['id_token'],
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: ['RS256'],
          });
        case '/openid/v1/jwks':
          return send(res, 200, { keys: [key.jwk] }, { 'Content-Type': 'application/jwk-set+json' });
      }
      const dm = p.match(/^\/api\/(v1)\/?$/) ?? p.match(/^\/apis\/([^/]+\/[^/]+)\/?$/);
      if (dm) {
        const [g, v] = dm[1]!.includes('/') ? dm[1]!.split('/') : ['', dm[1]!];
        const list = apiResourceList(g!, v!);
        if (list) return send(res, 200, list);
        if (g === 'authentication.k8s.io' && v === 'v1')
          return send(res, 200, {
            kind: 'APIResourceList',
            apiVersion: 'v1',
            groupVersion: 'authentication.k8s.io/v1',
            resources: [
              {
                name: 'selfsubjectreviews',
                singularName: 'selfsubjectreview',
                namespaced: false,
                kind: 'SelfSubjectReview',
                verbs: ['create'],
              },
              {
                name: 'tokenreviews',
                singularName: 'tokenreview',
                namespaced: false,
                kind: 'TokenReview',
                verbs: ['create'],
              },
            ],
          });
      }
    }

    const route = parseRoute(p);
    if (!route)
      return sendStatus(
        res,
        statusObj(404, 'NotFound', 'the server could not find the requested resource', {}),
      );
    const { def, ns, name, sub } = route;

    if (sub) {
      if (def.kind === 'ServiceAccount' && sub === 'token' && method === 'POST')
        return tokenRequest(res, ns!, name!, body);
      if (def.kind === 'Pod' && sub === 'log' && method === 'GET') return podLog(res, ns!, name!, q);
      if (sub === 'status' && method === 'GET') {
        const o = getObj(def, ns, name!);
        return o ? send(res, 200, toWire(def, o)) : sendStatus(res, notFound(def, name!));
      }
      return sendStatus(
        res,
        statusObj(
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
          { ...(def.group ? { group: def.group } : {}), kind: def.resource },
        ),
      );
    }

    if (method === 'GET' && !name) {
      let labels: LabelReq[];
      let fields: FieldReq[];
      try {
        labels = parseLabelSelector(q.get('labelSelector') ?? '');
        fields = parseFieldSelector(q.get('fieldSelector') ?? '', def);
      } catch (e) {
        return sendStatus(res, statusObj(400, 'BadRequest', (e as Error).message));
      }
      if (q.get('watch') === 'true' || q.get('watch') === '1')
        return startWatch(res, def, ns, labels, fields, q);
      const items = listObjs(def, ns, labels, fields).map((o) => {
        const w: any = toWire(def, o);
        if (!def.crd) {
          delete w.kind;
          delete w.apiVersion;
        }
        return w;
      });
      const limit = Number(q.get('limit') ?? 0) || world.listPageSize || 0;
      const from = Number(Buffer.from(q.get('continue') ?? '', 'base64').toString() || 0);
      const page = limit > 0 ? items.slice(from, from + limit) : items;
      const more = limit > 0 && from + limit < items.length;
      return send(res, 200, {
        kind: `${def.kind}List`,
        apiVersion: gv(def),
        metadata: {
          resourceVersion: String(rv),
          ...(more ? { continue: Buffer.from(String(from + limit)).toString('base64') } : {}),
        },
        items: page,
      });
    }
    if (method === 'GET' && name) {
      const o = getObj(def, ns, name);
      return o ? send(res, 200, toWire(def, o)) : sendStatus(res, notFound(def, name));
    }
    if (method === 'POST' && !name) {
      if (def.namespaced && !getObj(nsDef, undefined, ns!))
        return sendStatus(
          res,
          statusObj(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' }),
        );
      if (def.kind === 'Job') return createJob(res, ns!, body);
      const b: any = body;
      if (!b?.metadata?.name && !b?.metadata?.generateName)
        return sendStatus(
          res,
          statusObj(
            422,
            'Invalid',
            `${def.kind} "" is invalid: metadata.name: Required value: name or generateName is required`,
            {
              kind: def.kind,
              causes: [
                {
                  reason: 'FieldValueRequired',
                  message: 'Required value: name or generateName is required',
                  field: 'metadata.name',
                },
              ],
            },
          ),
        );
      const obj = admitNew(def, b, ns);
      if (getObj(def, ns, obj.metadata.name))
        return sendStatus(
          res,
          statusObj(409, 'AlreadyExists', `${qualified(def)} "${obj.metadata.name}" already exists`, {
            name: obj.metadata.name,
            ...(def.group ? { group: def.group } : {}),
            kind: def.resource,
          }),
        );
      if (def.kind === 'Pod') {
        const dryRun = q.get('dryRun') === 'All';
        const pod = buildPod(obj, ns!, dryRun);
        if (pod.refusedByWebhook)
          return sendStatus(res, statusObj(500, 'InternalError', pod.refusedByWebhook));
        const denied = admitPod(pod, ns!);
        if (denied)
          return sendStatus(
            res,
            statusObj(403, 'Forbidden', denied, { name: obj.metadata.name, kind: 'pods' }),
          );
        // dryRun=All: admitted and mutated, never stored.
        if (dryRun) return send(res, 201, toWire(def, pod));
        return send(res, 201, toWire(def, save(def, pod)));
      }
      return send(res, 201, toWire(def, save(def, obj)));
    }
    if (method === 'DELETE' && name) {
      const o = getObj(def, ns, name);
      if (!o) return sendStatus(res, notFound(def, name));
      const b: any = body ?? {};
      let policy: string | undefined = q.get('propagationPolicy') ?? b.propagationPolicy ?? undefined;
      const orphan =
        q.get('orphanDependents') ??
        (b.orphanDependents === undefined ? undefined : String(b.orphanDependents));
      if (!policy && orphan !== undefined && orphan !== null)
        policy = orphan === 'true' ? 'Orphan' : 'Background';
      if (policy && !['Orphan', 'Background', 'Foreground'].includes(policy))
        return sendStatus(
          res,
          statusObj(
            422,
            'Invalid',
            `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`,
          ),
        );
      if (def.kind === 'Job') {
        const headers: Record<string, string> = {};
        if (!policy)
          headers['Warning'] =
            '299 - "child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning"';
        const r = deleteJob(o, (policy ?? 'Orphan') as 'Orphan' | 'Background' | 'Foreground');
        return send(res, r.code, r.body, headers);
      }
      if (def.kind === 'Pod') {
        gracefulDeletePod(o);
        return send(res, 200, toWire(def, getObj(def, ns, name) ?? o));
      }
      drop(def, o);
      return send(res, 200, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: {
          name,
          ...(def.group ? { group: def.group } : {}),
          kind: def.resource,
          uid: o.metadata.uid,
        },
      });
    }
    return sendStatus(
      res,
      statusObj(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {
        ...(def.group ? { group: def.group } : {}),
        kind: def.resource,
      }),
    );
  }

  const serve = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof BadRequest) return sendStatus(res, statusObj(400, 'BadRequest', err.message));
      sendStatus(
        res,
        statusObj(500, 'InternalError', `Internal error occurred: ${(err as Error)?.stack ?? String(err)}`),
      );
    });
  };
  const latency = opts.latencyMs ?? 0;
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (latency > 0) setTimeout(() => serve(req, res), latency);
    else serve(req, res);
  };
  const server = opts.tls
    ? https.createServer(await (certPromise ??= makeCert()), listener)
    : http.createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  // --- kubeconfig ---
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fake-kube-'));
  const kubeconfigPath = path.join(dir, 'kubeconfig');
  const contextName = opts.contextName ?? 'fake';
  const clusterName = opts.clusterName ?? contextName;
  const userName = `${contextName}-user`;
  let user: any = opts.kubeconfigUser ? clone(opts.kubeconfigUser) : { token };
  if (user.exec) {
    // Keep the exec entry (command/args readable by the product), but make it work offline:
    // - kubectl (client-go) skips the exec plugin when a bearer token is also present;
    // - client-node always runs the exec plugin, then lets `token` override its result;
    //   Node resolves the command through exec.env's PATH, so a shim named like the
    //   command, first on that PATH, prints a static ExecCredential.
    const execApi = user.exec.apiVersion ?? 'client.authentication.k8s.io/v1beta1';
    const binDir = path.join(dir, 'bin');
    mkdirSync(binDir);
    const command = String(user.exec.command);
    const shim = path.join(binDir, command);
    const cred = JSON.stringify({
      kind: 'ExecCredential',
      apiVersion: execApi,
      spec: {},
      status: { expirationTimestamp: '2099-01-01T00:00:00Z', token },
    });
    writeFileSync(shim, `#!/bin/sh\ncat <<'EOF'\n${cred}\nEOF\n`);
    chmodSync(shim, 0o755);
    const env = (user.exec.env ?? []).filter((e: any) => e.name !== 'PATH');
    env.push({ name: 'PATH', value: `${binDir}${path.delimiter}${process.env.PATH ?? ''}` });
    user = { ...user, exec: { apiVersion: execApi, ...user.exec, env }, token: user.token ?? token };
  }
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    contexts: [
      {
        name: contextName,
        context: {
          cluster: clusterName,
          user: userName,
          ...(opts.namespace ? { namespace: opts.namespace } : {}),
        },
      },
    ],
    'current-context': contextName,
    preferences: {},
    users: [{ name: userName, user }],
  };
  writeFileSync(kubeconfigPath, yaml.dump(kubeconfig, { lineWidth: -1 }));

  const fake: FakeKube = {
    url,
    kubeconfigPath,
    token,
    requests,
    world,
    jwks: { keys: [key.jwk] },
    objects(kind: string, ns?: string) {
      const def = defByKind(kind);
      if (!def) throw new Error(`fake-kube: unknown kind ${kind}`);
      return listObjs(def, ns, [], []).map((o) => toWire(def, o));
    },
    put(obj: object) {
      const raw: any = obj;
      const def = defByKind(String(raw.kind ?? ''));
      if (!def) throw new Error(`fake-kube: unsupported kind ${raw.kind}`);
      const existing = getObj(def, raw.metadata?.namespace ?? 'default', raw.metadata?.name);
      const next = admitNew(def, raw, def.namespaced ? (raw.metadata?.namespace ?? 'default') : undefined);
      if (existing) next.metadata.uid = raw.metadata?.uid ?? existing.metadata.uid;
      return toWire(def, save(def, next));
    },
    remove(kind: string, ns: string | undefined, name: string) {
      const def = defByKind(kind);
      if (!def) throw new Error(`fake-kube: unknown kind ${kind}`);
      const o = getObj(def, ns, name);
      if (o) drop(def, o);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const w of watchers) w.res.end();
      watchers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fake;
}
