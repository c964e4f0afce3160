/**
 * The shape a bundle must have before a replay answers from it. A bundle is a file anyone
 * can edit: `null` where an object belongs, a string where a list belongs, would otherwise
 * surface deep inside a check as a TypeError ("internal error", exit 99). Checked here:
 * the envelope, every call record, and the answers whose fields the checks read (the Kube
 * interface's records, pods, service accounts…, the AWS lists). Free-form answers (policy
 * documents, Helm values, issuer discovery) are any JSON; the checks read those defensively.
 *
 * A shape: 'string' | 'number' | 'boolean' | 'object' (any object) | 'any', `[shape]` (a list of
 * it), `{ key: shape }` (an object; `key?` optional, `*` every value). `?` ends an optional top.
 */
type Shape = string | Shape[] | { [key: string]: Shape };

const LABELS = { '*': 'string' };
const ENV = [{ name: 'string', 'value?': 'string', 'valueFrom?': 'string' }];
const CONTAINER = {
  name: 'string',
  'image?': 'string',
  env: ENV,
  'envFrom?': [{ kind: 'string', name: 'string', 'prefix?': 'string' }],
  'mountPaths?': ['string'],
  'init?': 'boolean',
};

/** Answers by `api.method`; a trailing `?` on the key: the answer may be absent (undefined). */
const ANSWERS: Record<string, Shape> = {
  'kube.clusterInfo': {
    server: 'string',
    'contextName?': 'string',
    'exec?': { command: 'string', args: ['string'], 'env?': LABELS },
    'inCluster?': 'boolean',
  },
  'kube.namespaceExists': 'boolean',
  'kube.namespaces': ['string'],
  'kube.nodes': [{ name: 'string', 'providerID?': 'string' }],
  'kube.helmReleaseRecords': [
    {
      driver: 'string',
      name: 'string',
      namespace: 'string',
      labels: LABELS,
      'payload?': 'string',
      'release?': 'object',
      'unreadable?': 'string',
    },
  ],
  'kube.serviceAccount?': {
    name: 'string',
    namespace: 'string',
    annotations: LABELS,
    labels: LABELS,
    'automountServiceAccountToken?': 'boolean',
  },
  'kube.serviceAccounts': [
    {
      name: 'string',
      namespace: 'string',
      annotations: LABELS,
      labels: LABELS,
      'automountServiceAccountToken?': 'boolean',
    },
  ],
  'kube.pods': [
    {
      name: 'string',
      namespace: 'string',
      labels: LABELS,
      'serviceAccountName?': 'string',
      'phase?': 'string',
      'startTime?': 'string',
      containers: [CONTAINER],
      projectedTokenAudiences: ['string'],
    },
  ],
  'kube.service?': { name: 'string', namespace: 'string', 'selector?': LABELS },
  'kube.argoApplications': [{ name: 'string', namespace: 'string', 'values?': 'string' }],
  'kube.envSourceKeys?': ['string'],
  'kube.issuerDiscovery': { configuration: 'object', jwks: 'object' },
  'kube.runJob': {
    outcome: 'string',
    jobName: 'string',
    'logs?': 'string',
    'reason?': 'string',
    'logUnreadable?': 'string',
  },
  'kube.leftoverJobs': ['string'],
  'kube.namespaceLabels?': LABELS,
  'kube.mutatingWebhookConfigurations': [{ name: 'string', webhooks: ['object'] }],
  'kube.workloads': [
    {
      kind: 'string',
      name: 'string',
      namespace: 'string',
      templateLabels: LABELS,
      containers: ['object'],
      template: 'object',
    },
  ],
  'kube.dryRunCreatePod': {
    containers: [{ name: 'string', env: ENV, mountPaths: ['string'] }],
    tokenVolumes: ['object'],
  },
  'aws.callerIdentity': { arn: 'string', account: 'string', userId: 'string' },
  'aws.listEksClusters': ['string'],
  'aws.eksCluster?': { name: 'string', arn: 'string' },
  'aws.oidcProviders': [{ arn: 'string', url: 'string', clientIds: ['string'], 'thumbprints?': ['string'] }],
  'aws.role?': { arn: 'string', name: 'string', path: 'string' },
  'aws.attachedPolicies': [{ arn: 'string', name: 'string' }],
  'aws.inlinePolicies': [{ name: 'string' }],
  'aws.dbClusters': [
    {
      identifier: 'string',
      arn: 'string',
      resourceId: 'string',
      customEndpoints: ['string'],
      iamAuthEnabled: 'boolean',
    },
  ],
  'aws.openSearchDomains': [{ name: 'string', arn: 'string' }],
  'aws.instances': [{ instanceId: 'string' }],
  'aws.vpcEndpoints': ['object'],
  'aws.resolveCname': ['string'],
};

const KNOWN_APIS = new Set(['kube', 'aws', 'derived']);

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function expected(shape: Shape): string {
  if (typeof shape === 'string') return shape === 'object' ? 'an object' : `a ${shape}`;
  return Array.isArray(shape) ? 'a list' : 'an object';
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/** The first place `value` breaks `shape`, as `path is X where Y belongs`; undefined when it fits. */
function mismatch(value: unknown, shape: Shape, path: string): string | undefined {
  // A list of pairs instead of recursion: a hostile bundle's depth is bounded before this runs,
  // but the walk need not depend on it.
  const stack: Array<[unknown, Shape, string]> = [[value, shape, path]];
  while (stack.length > 0) {
    const [v, s, p] = stack.pop()!;
    if (s === 'any') continue;
    const fits =
      typeof s === 'string'
        ? s === 'object'
          ? typeof v === 'object' && v !== null && !Array.isArray(v)
          : typeof v === s
        : Array.isArray(s)
          ? Array.isArray(v)
          : typeof v === 'object' && v !== null && !Array.isArray(v);
    if (!fits) return `${p || 'the bundle'} is ${kindOf(v)} where ${expected(s)} belongs`;
    if (typeof s === 'string') continue;
    if (Array.isArray(s)) {
      (v as unknown[]).forEach((item, i) => stack.push([item, s[0]!, `${p}[${i}]`]));
      continue;
    }
    const o = v as Record<string, unknown>;
    for (const [key, sub] of Object.entries(s)) {
      if (key === '*') {
        for (const [k, item] of Object.entries(o)) stack.push([item, sub, join(p, k)]);
        continue;
      }
      const optional = key.endsWith('?');
      const name = optional ? key.slice(0, -1) : key;
      if (o[name] === undefined && optional) continue;
      stack.push([o[name], sub, join(p, name)]);
    }
  }
  return undefined;
}

/** The first thing wrong with a parsed bundle's shape, in words; undefined when it is sound. */
export function bundleShapeProblem(bundle: unknown): string | undefined {
  const envelope = mismatch(
    bundle,
    {
      schema: 'string',
      'tool?': 'string',
      invocation: {
        'namespace?': 'string',
        'release?': 'string',
        'pg?': ['string'],
        'os?': ['string'],
        'exclude?': ['string'],
      },
      calls: ['object'],
    },
    '',
  );
  if (envelope) return envelope;
  const calls = (bundle as { calls: Array<Record<string, unknown>> }).calls;
  for (const [i, call] of calls.entries()) {
    const where = `calls[${i}]`;
    const record = mismatch(
      call,
      {
        api: 'string',
        method: 'string',
        args: ['any'],
        'error?': { api: 'string', operation: 'string', reason: 'string', message: 'string' },
      },
      where,
    );
    if (record) return record;
    if (!KNOWN_APIS.has(call.api as string))
      return `${where}.api is "${String(call.api)}", not kube, aws or derived`;
    if (call.error !== undefined) continue;
    const key = `${String(call.api)}.${String(call.method)}`;
    const optional = ANSWERS[`${key}?`];
    const shape = optional ?? ANSWERS[key];
    if (shape === undefined || (optional && call.result === undefined)) continue;
    const answer = mismatch(call.result, shape, `${where}.result`);
    if (answer) return `${answer} (the answer to ${key})`;
  }
  return undefined;
}
