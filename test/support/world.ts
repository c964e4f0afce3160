/**
 * In-memory worlds for module tests: a readable data model of one Camunda
 * deployment (Kubernetes side and AWS side) served through the real Kube and Aws
 * interfaces, and a runner that executes the real dispatcher over it.
 * Fixture worlds live in fixtures/worlds/*.yaml.
 */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { load } from 'js-yaml';
import { ApiCallError, type ApiCallErrorJson } from '../../src/core/errors.js';
import type { Finding } from '../../src/core/finding.js';
import { DEFAULT_JOB_IMAGE, DEFAULT_PSQL_IMAGE, type RunOptions } from '../../src/core/options.js';
import { encodeHelmPayload } from '../../src/helm/codec.js';
import type {
  ArgoApplication,
  HelmStorageRecord,
  IssuerDiscovery,
  JobResult,
  Kube,
  KubeClusterInfo,
  KubeNode,
  KubePod,
  KubeService,
  KubeServiceAccount,
  KubeDryRunPod,
  KubeEndpoints,
  KubeMutatingWebhookConfiguration,
  KubeWorkload,
} from '../../src/ports/kube.js';
import type {
  AwsQuery,
  DbProxy,
  OpenSearchAnswer,
  AssumedRole,
  AttachedPolicy,
  Aws,
  CallerIdentity,
  DbCluster,
  EksCluster,
  IamRole,
  InlinePolicy,
  OidcProvider,
  OpenSearchDomain,
  SimulationResult,
  Ec2Instance,
  PodIdentityAssociation,
  TemporaryCredentials,
  VpcEndpoint,
  RouteTable,
  SecurityGroup,
  Subnet,
} from '../../src/ports/aws.js';
import { run, type Platform, type RunResult } from '../../src/run.js';
import type { Deriver } from '../../src/ports/platform.js';

export interface WorldRelease {
  name: string;
  namespace: string;
  revision?: number;
  status?: string;
  chart: { name?: string; version: string; appVersion?: string };
  defaults?: Record<string, unknown>;
  user?: Record<string, unknown>;
  manifest?: string;
  driver?: 'secret' | 'configmap';
}

export interface WorldRole extends Omit<IamRole, 'path'> {
  path?: string;
  attached?: string[];
  inline?: InlinePolicy[];
}

export interface WorldModel {
  namespace: string;
  kube: {
    cluster: KubeClusterInfo;
    namespaces?: string[];
    nodes?: KubeNode[];
    releases?: WorldRelease[];
    /** Raw storage records (corrupt ones, other charts) besides `releases`. */
    records?: HelmStorageRecord[];
    serviceAccounts?: KubeServiceAccount[];
    pods?: KubePod[];
    /** Secrets and ConfigMaps pods load with envFrom: their key names only. */
    envSources?: Array<{ kind: 'Secret' | 'ConfigMap'; name: string; namespace: string; keys: string[] }>;
    services?: KubeService[];
    argoApplications?: ArgoApplication[];
    issuer?: IssuerDiscovery;
    tokens?: Record<string, string>;
    /** Mints the token a TokenRequest answers (wins over `tokens`), e.g. a JWT signed by a test key. */
    tokenFor?: (
      ns: string,
      sa: string,
      audience: string,
      expirationSeconds: number,
    ) => string | Promise<string>;
    jobs?: Array<{ nameContains: string; result: Omit<JobResult, 'jobName'> }>;
    /** Decides a Job's result from its manifest (wins over `jobs` when it answers). */
    jobFor?: (manifest: Record<string, unknown>) => Omit<JobResult, 'jobName'> | undefined;
    /**
     * The issuer's public discovery as the token module would fetch it over the network
     * (`ctx.derive('publicIssuerDiscovery')`), so world runs stay offline. Default: the
     * same document and keys as `issuer`; `{ unreachable }` when it cannot be fetched.
     */
    publicIssuer?:
      { issuer?: string; jwksUri: string; jwks: IssuerDiscovery['jwks'] } | { unreachable: string };
    leftoverJobs?: string[];
    /** Namespace → labels (default: none). */
    namespaceLabels?: Record<string, Record<string, string>>;
    webhookConfigurations?: KubeMutatingWebhookConfiguration[];
    workloads?: KubeWorkload[];
    endpoints?: Record<string, KubeEndpoints>;
    /**
     * Whether a dry-run pod create gets the EKS pod identity webhook's injection (default true,
     * as on EKS); a function decides per manifest.
     */
    dryRunInjects?: boolean;
    /** `pod/container` (or `pod`) → the container's recent log. */
    logs?: Record<string, string>;
    /** method name → the error it throws (fault injection). */
    errors?: Record<string, ApiCallErrorJson>;
  };
  aws: {
    caller?: CallerIdentity;
    clusters?: Array<EksCluster & { region: string }>;
    oidcProviders?: OidcProvider[];
    roles?: WorldRole[];
    policies?: Record<string, unknown>;
    dbClusters?: Array<DbCluster & { region: string }>;
    /** RDS Proxies (DescribeDBProxies). */
    dbProxies?: Array<DbProxy & { region: string }>;
    /** OpenSearch answers to irsa-check's own signed GETs: `<baseUrl><path>` → answer (else a timeout). */
    openSearch?: Record<string, OpenSearchAnswer>;
    /** S3 buckets: name → region. */
    buckets?: Record<string, string>;
    /** S3 bucket policies: bucket name → policy document (a bucket without one has none). */
    bucketPolicies?: Record<string, unknown>;
    /**
     * Answers to declarative queries (src/ports/aws-query.ts) the world has no model for, by query
     * name: each answer for its arguments (`result`, or `error` as an ApiCallError).
     */
    queries?: Record<string, Array<{ args: unknown[]; result?: unknown; error?: ApiCallErrorJson }>>;
    domains?: Array<OpenSearchDomain & { region: string }>;
    cnames?: Record<string, string[]>;
    simulation?: SimulationResult[];
    assumeRole?: Record<string, AssumedRole | ApiCallErrorJson>;
    /** role ARN → the temporary credentials AssumeRoleWithWebIdentity hands out (direct proofs). */
    credentials?: Record<string, TemporaryCredentials>;
    instances?: Array<Ec2Instance & { region: string }>;
    /** Other accounts' resources, read with `--assume-role ACCOUNT=…` (awsIn). */
    accounts?: Record<string, Omit<WorldModel['aws'], 'accounts'>>;
    /** Associations per cluster; `notImplemented` answers like moto (undefined). */
    podIdentity?: Array<PodIdentityAssociation & { cluster: string; region: string }> | 'notImplemented';
    vpcEndpoints?: Array<VpcEndpoint & { region: string; vpcId: string }>;
    routeTables?: Array<RouteTable & { region: string; vpcId: string }>;
    subnets?: Array<Subnet & { region: string; vpcId: string }>;
    securityGroups?: Array<SecurityGroup & { region: string }>;
    errors?: Record<string, ApiCallErrorJson>;
  };
}

export function loadWorld(file: string): WorldModel {
  const path = new URL(`../../fixtures/worlds/${file}`, import.meta.url);
  return load(readFileSync(path, 'utf8')) as WorldModel;
}

/** A structured copy, so a test can plant one fault without touching the fixture. */
export function cloneWorld(world: WorldModel): WorldModel {
  return structuredClone(world);
}

export function releaseRecord(r: WorldRelease): HelmStorageRecord {
  const revision = r.revision ?? 1;
  const status = r.status ?? 'deployed';
  const payload = encodeHelmPayload({
    name: r.name,
    namespace: r.namespace,
    version: revision,
    info: { status, description: 'Install complete' },
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
  });
  return {
    driver: r.driver ?? 'secret',
    name: `sh.helm.release.v1.${r.name}.v${revision}`,
    namespace: r.namespace,
    labels: { name: r.name, owner: 'helm', status, version: String(revision) },
    payload,
  };
}

function failIfPlanted(errors: Record<string, ApiCallErrorJson> | undefined, method: string): void {
  const e = errors?.[method];
  if (e) throw ApiCallError.fromJSON(e);
}

/** Wraps every method so planted errors fire first (a query's by its name). */
function withFaults<T extends object>(target: T, errors: Record<string, ApiCallErrorJson> | undefined): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return async (...args: unknown[]) => {
        failIfPlanted(errors, prop === 'query' ? (args[0] as AwsQuery<unknown[], unknown>).name : prop);
        return value.apply(obj, args);
      };
    },
  });
}

export class MemoryKube implements Kube {
  constructor(
    private readonly w: WorldModel['kube'],
    /** The EKS side's Pod Identity associations: the managed webhook injects for them first. */
    private readonly associations: WorldModel['aws']['podIdentity'] = [],
  ) {}
  async clusterInfo() {
    return this.w.cluster;
  }
  async namespaceExists(ns: string) {
    return (this.w.namespaces ?? []).includes(ns);
  }
  async namespaces() {
    return [...(this.w.namespaces ?? [])].sort();
  }
  async nodes() {
    return this.w.nodes ?? [];
  }
  async helmReleaseRecords(ns?: string) {
    const records = [...(this.w.releases ?? []).map(releaseRecord), ...(this.w.records ?? [])];
    return records.filter((r) => ns === undefined || r.namespace === ns);
  }
  async serviceAccount(ns: string, name: string) {
    return (this.w.serviceAccounts ?? []).find((s) => s.namespace === ns && s.name === name);
  }
  async serviceAccounts(ns: string) {
    return (this.w.serviceAccounts ?? []).filter((s) => s.namespace === ns);
  }
  async pods(ns: string, labelSelector?: string) {
    // `k=v,k2=v2` selectors, as the checks send them.
    const wanted = (labelSelector ?? '')
      .split(',')
      .filter((x) => x.includes('='))
      .map((x) => x.split('=') as [string, string]);
    return (this.w.pods ?? []).filter(
      (p) => p.namespace === ns && wanted.every(([k, v]) => p.labels?.[k] === v),
    );
  }
  async service(ns: string, name: string) {
    return (this.w.services ?? []).find((s) => s.namespace === ns && s.name === name);
  }
  async envSourceKeys(ns: string, kind: 'Secret' | 'ConfigMap', name: string) {
    const found = (this.w.envSources ?? []).find(
      (e) => e.namespace === ns && e.kind === kind && e.name === name,
    );
    return found ? [...found.keys].sort() : undefined;
  }
  async argoApplications(ns: string) {
    return (this.w.argoApplications ?? []).filter((a) => a.namespace === ns);
  }
  async requestToken(ns: string, sa: string, audience: string, expirationSeconds: number) {
    if (this.w.tokenFor && (this.w.serviceAccounts ?? []).some((s) => s.namespace === ns && s.name === sa)) {
      return this.w.tokenFor(ns, sa, audience, expirationSeconds);
    }
    const token = this.w.tokens?.[`${ns}/${sa}`];
    if (!token)
      throw new ApiCallError(
        'kube',
        'create serviceaccounts/token',
        'NotFound',
        `serviceaccounts "${sa}" not found`,
        404,
      );
    return token;
  }
  async issuerDiscovery() {
    if (!this.w.issuer) throw new ApiCallError('kube', 'get /openid/v1/jwks', 'NotFound', 'not found', 404);
    return this.w.issuer;
  }
  async runJob(_ns: string, manifest: Record<string, unknown>) {
    const name = String((manifest.metadata as { name?: string } | undefined)?.name ?? 'job');
    const decided = this.w.jobFor?.(manifest);
    if (decided) return { jobName: name, ...decided };
    const planned = (this.w.jobs ?? []).find((j) => name.includes(j.nameContains));
    return { jobName: name, ...(planned?.result ?? { outcome: 'succeeded' as const, logs: '' }) };
  }
  async leftoverJobs() {
    return this.w.leftoverJobs ?? [];
  }
  async deleteJob() {}
  async namespaceLabels(ns: string) {
    return (this.w.namespaces ?? []).includes(ns) ? (this.w.namespaceLabels?.[ns] ?? {}) : undefined;
  }
  async mutatingWebhookConfigurations() {
    return this.w.webhookConfigurations ?? [];
  }
  async workloads(ns: string) {
    return (this.w.workloads ?? []).filter((w) => w.namespace === ns);
  }
  async endpoints(ns: string, name: string) {
    return this.w.endpoints?.[`${ns}/${name}`];
  }
  /** Like the EKS-managed webhook: env and the aws-iam-token volume from the SA's annotations. */
  async dryRunCreatePod(ns: string, manifest: Record<string, unknown>): Promise<KubeDryRunPod> {
    const spec = (manifest.spec ?? {}) as {
      serviceAccountName?: string;
      containers?: Array<{ name: string }>;
    };
    const sa = (this.w.serviceAccounts ?? []).find(
      (s) => s.namespace === ns && s.name === (spec.serviceAccountName ?? 'default'),
    );
    const roleArn = sa?.annotations['eks.amazonaws.com/role-arn'];
    // Container credentials take precedence (webhook pkg/handler/handler.go, buildPodPatchConfig).
    const associated =
      Array.isArray(this.associations) &&
      this.associations.some((a) => a.namespace === ns && a.serviceAccount === sa?.name);
    if (associated && (this.w.dryRunInjects ?? true)) {
      return {
        containers: (spec.containers ?? []).map((c) => ({
          name: c.name,
          env: [
            { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: 'http://169.254.170.23/v1/credentials' },
            {
              name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
              value: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token',
            },
          ],
          mountPaths: ['/var/run/secrets/pods.eks.amazonaws.com/serviceaccount'],
        })),
        tokenVolumes: [
          {
            name: 'eks-pod-identity-token',
            audience: 'pods.eks.amazonaws.com',
            expirationSeconds: 86400,
            path: 'eks-pod-identity-token',
          },
        ],
      };
    }
    const inject = (this.w.dryRunInjects ?? true) && !!roleArn;
    const file = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';
    return {
      containers: (spec.containers ?? []).map((c) => ({
        name: c.name,
        env: inject
          ? [
              { name: 'AWS_ROLE_ARN', value: roleArn },
              { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: file },
            ]
          : [],
        mountPaths: inject ? ['/var/run/secrets/eks.amazonaws.com/serviceaccount'] : [],
      })),
      tokenVolumes: inject
        ? [
            {
              name: 'aws-iam-token',
              audience: sa?.annotations['eks.amazonaws.com/audience'] ?? 'sts.amazonaws.com',
              expirationSeconds: 86400,
              path: 'token',
            },
          ]
        : [],
    };
  }
  /**
   * Like the API server: the last `tailLines` lines, each with its time when `timestamps` (a world
   * line may start with an RFC 3339 time; else the pod's start), then cut after `limitBytes` from
   * the first of them, as the kubelet reads forward. `pod/container/previous` is the previous
   * instance's log; none is a 400, as the API answers.
   */
  async podLogTail(
    _ns: string,
    pod: string,
    container: string,
    tailLines: number,
    limitBytes: number,
    options: { previous?: boolean; timestamps?: boolean } = {},
  ) {
    const log = options.previous
      ? this.w.logs?.[`${pod}/${container}/previous`]
      : (this.w.logs?.[`${pod}/${container}`] ?? this.w.logs?.[pod] ?? '');
    if (log === undefined)
      throw new ApiCallError(
        'kube',
        'get pods/log',
        'BadRequest',
        `previous terminated container "${container}" in pod "${pod}" not found`,
        400,
      );
    const started = (this.w.pods ?? []).find((p) => p.name === pod)?.startTime ?? '2026-01-01T00:00:00Z';
    const stamp = /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2}) /;
    const lines = log
      .split('\n')
      .filter((l) => l !== '')
      .slice(-tailLines)
      .map((l) => (options.timestamps ? (stamp.test(l) ? l : `${started} ${l}`) : l.replace(stamp, '')));
    const text = lines.length > 0 ? `${lines.join('\n')}\n` : '';
    const bytes = Buffer.from(text, 'utf8');
    return bytes.length > limitBytes ? bytes.subarray(0, limitBytes).toString('utf8') : text;
  }
}

const notFound = (op: string, what: string) =>
  new ApiCallError('aws', op, 'NoSuchEntity', `${what} cannot be found`, 404);

export class MemoryAws implements Aws {
  constructor(private readonly w: WorldModel['aws']) {}
  async callerIdentity() {
    if (!this.w.caller)
      throw new ApiCallError(
        'aws',
        'sts:GetCallerIdentity',
        'CredentialsProviderError',
        'Could not load credentials from any providers',
      );
    return this.w.caller;
  }
  async listEksClusters(region: string) {
    return (this.w.clusters ?? []).filter((c) => c.region === region).map((c) => c.name);
  }
  async eksCluster(name: string, region: string) {
    const c = (this.w.clusters ?? []).find((x) => x.name === name && x.region === region);
    if (!c) return undefined;
    const { region: _r, ...cluster } = c;
    return cluster;
  }
  async oidcProviders() {
    return this.w.oidcProviders ?? [];
  }
  async role(name: string) {
    const r = (this.w.roles ?? []).find((x) => x.name === name);
    if (!r) return undefined;
    return {
      arn: r.arn,
      name: r.name,
      path: r.path ?? '/',
      trustPolicy: r.trustPolicy,
      ...(r.permissionsBoundaryArn ? { permissionsBoundaryArn: r.permissionsBoundaryArn } : {}),
      ...(r.lastUsedDate ? { lastUsedDate: r.lastUsedDate } : {}),
    };
  }
  private roleOrThrow(name: string, op: string): WorldRole {
    const r = (this.w.roles ?? []).find((x) => x.name === name);
    if (!r) throw notFound(op, `The role with name ${name}`);
    return r;
  }
  async attachedPolicies(roleName: string): Promise<AttachedPolicy[]> {
    return (this.roleOrThrow(roleName, 'iam:ListAttachedRolePolicies').attached ?? []).map((arn) => ({
      arn,
      name: arn.split('/').pop() ?? arn,
    }));
  }
  async inlinePolicies(roleName: string) {
    return this.roleOrThrow(roleName, 'iam:ListRolePolicies').inline ?? [];
  }
  async policyDocument(arn: string) {
    const doc = this.w.policies?.[arn];
    if (doc === undefined) throw notFound('iam:GetPolicy', `Policy ${arn}`);
    return doc;
  }
  async dbClusters(region: string) {
    return (this.w.dbClusters ?? []).filter((c) => c.region === region).map(({ region: _r, ...c }) => c);
  }
  async dbProxies(region: string) {
    return (this.w.dbProxies ?? []).filter((p) => p.region === region).map(({ region: _r, ...p }) => p);
  }
  async openSearchGet(baseUrl: string, _region: string, path: string) {
    const answer = this.w.openSearch?.[`${baseUrl}${path}`];
    if (!answer) throw new ApiCallError('aws', 'es:ESHttpGet', 'Timeout', 'no answer within 30 s');
    return answer;
  }
  async openSearchDomains(region: string) {
    return (this.w.domains ?? []).filter((d) => d.region === region).map(({ region: _r, ...d }) => d);
  }
  async simulatePrincipalPolicy() {
    return this.w.simulation;
  }
  async assumeRoleWithWebIdentity(roleArn: string) {
    const answer = this.w.assumeRole?.[roleArn];
    if (!answer)
      throw new ApiCallError(
        'aws',
        'sts:AssumeRoleWithWebIdentity',
        'AccessDenied',
        'Not authorized to perform sts:AssumeRoleWithWebIdentity',
        403,
      );
    if ('operation' in answer) throw ApiCallError.fromJSON(answer);
    // The world's temporary credentials for the role, as STS hands them out with the answer.
    const credentials = this.w.credentials?.[roleArn];
    return credentials ? { ...answer, credentials } : answer;
  }
  /** The queries the world models, by name; the others from `queries`. */
  private readonly modelled: Record<string, (...args: never[]) => unknown> = {
    bucketRegion: (bucket: string) => this.w.buckets?.[bucket],
    bucketPolicy: (bucket: string) => this.w.bucketPolicies?.[bucket],
  };
  async query<A extends unknown[], T>(q: AwsQuery<A, T, unknown>, ...args: A): Promise<T> {
    const modelled = this.modelled[q.name];
    if (modelled) return modelled(...(args as unknown as never[])) as T;
    const answer = this.w.queries?.[q.name]?.find((a) => JSON.stringify(a.args) === JSON.stringify(args));
    if (!answer)
      throw new ApiCallError('aws', q.actions[0], 'NotInWorld', `this world has no answer for ${q.name}`);
    if (answer.error) throw ApiCallError.fromJSON(answer.error);
    return answer.result as T;
  }
  /**
   * EKS Auth as the model answers (src/ports/eks-auth.ts): the token's subject, its association
   * in the world, the association's role if its trust policy lets pods.eks.amazonaws.com assume
   * it, and the world's credentials for that role.
   */
  async assumeRoleForPodIdentity(cluster: string, token: string, region: string) {
    const op = 'eks-auth:AssumeRoleForPodIdentity';
    let sub = '';
    try {
      sub = String(
        (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { sub?: string })
          .sub ?? '',
      );
    } catch {
      throw new ApiCallError('aws', op, 'InvalidTokenException', 'The token is not a JWT', 400);
    }
    const [, , ns, sa] = sub.split(':');
    const a =
      this.w.podIdentity === 'notImplemented'
        ? undefined
        : (this.w.podIdentity ?? []).find(
            (x) =>
              x.cluster === cluster && x.region === region && x.namespace === ns && x.serviceAccount === sa,
          );
    if (!a)
      throw new ApiCallError(
        'aws',
        op,
        'ResourceNotFoundException',
        `No Pod Identity Association found for ${sub}`,
        404,
      );
    const roleArn = a.targetRoleArn ?? a.roleArn ?? '';
    const role = (this.w.roles ?? []).find((r) => r.arn === roleArn);
    if (!role || !JSON.stringify(role.trustPolicy ?? '').includes('pods.eks.amazonaws.com'))
      throw new ApiCallError(
        'aws',
        op,
        'AccessDeniedException',
        `Unauthorized to perform sts:AssumeRole on ${roleArn}`,
        400,
      );
    const name = roleArn.split('/').pop();
    const account = roleArn.split(':')[4];
    const credentials = this.w.credentials?.[roleArn];
    return {
      subject: { namespace: ns!, serviceAccount: sa! },
      audience: 'pods.eks.amazonaws.com',
      podIdentityAssociation: {
        associationArn: `arn:aws:eks:${region}:${account}:podidentityassociation/${cluster}/${a.associationId}`,
        associationId: a.associationId,
      },
      assumedRoleArn: `arn:aws:sts::${account}:assumed-role/${name}/eks-${cluster}-pod-0000`,
      ...(credentials ? { credentials } : {}),
    };
  }
  async resolveCname(host: string) {
    return this.w.cnames?.[host] ?? [];
  }
  async instances(region: string, ids: string[]) {
    return (this.w.instances ?? [])
      .filter((i) => i.region === region && ids.includes(i.instanceId))
      .map(({ region: _r, ...i }) => i);
  }
  async podIdentityAssociations(cluster: string, region: string, namespace: string) {
    if (this.w.podIdentity === 'notImplemented') return undefined;
    return (this.w.podIdentity ?? [])
      .filter((a) => a.cluster === cluster && a.region === region && a.namespace === namespace)
      .map(({ cluster: _c, region: _r, ...a }) => a);
  }
  async vpcEndpoints(region: string, vpcId: string) {
    return (this.w.vpcEndpoints ?? [])
      .filter((e) => e.region === region && e.vpcId === vpcId)
      .map(({ region: _r, vpcId: _v, ...e }) => e);
  }
  async routeTables(region: string, vpcId: string) {
    return (this.w.routeTables ?? [])
      .filter((t) => t.region === region && t.vpcId === vpcId)
      .map(({ region: _r, vpcId: _v, ...t }) => t);
  }
  async subnets(region: string, vpcId: string) {
    return (this.w.subnets ?? [])
      .filter((n) => n.region === region && n.vpcId === vpcId)
      .map(({ region: _r, vpcId: _v, ...n }) => n);
  }
  async securityGroups(region: string, ids: string[]) {
    return (this.w.securityGroups ?? [])
      .filter((g) => g.region === region && ids.includes(g.id))
      .map(({ region: _r, ...g }) => g);
  }
}

/** The public issuer discovery the world serves (see `kube.publicIssuer`), as the token module derives it. */
function publicIssuerAnswer(w: WorldModel['kube']): unknown {
  const p = w.publicIssuer;
  if (p && 'unreachable' in p) return { reachable: false, reason: p.unreachable };
  if (p) return { reachable: true, ...p };
  const issuer = w.issuer?.configuration.issuer;
  if (!w.issuer || !issuer) return { reachable: false, reason: 'not served by this world' };
  const jwksUri = w.issuer.configuration.jwks_uri ?? `${issuer}/openid/v1/jwks`;
  return { reachable: true, issuer, jwksUri, jwks: w.issuer.jwks };
}

export function memoryPlatform(world: WorldModel): {
  kube: Kube;
  aws: Aws;
  awsIn: (account: string) => Aws | undefined;
  derive: Deriver;
} {
  const others = new Map<string, Aws>();
  return {
    kube: withFaults(new MemoryKube(world.kube, world.aws.podIdentity), world.kube.errors),
    aws: withFaults(new MemoryAws(world.aws), world.aws.errors),
    // Only the accounts the run was given a role for, like the live platform.
    awsIn: (account) => {
      const other = world.aws.accounts?.[account];
      if (!other) return undefined;
      if (!others.has(account)) others.set(account, withFaults(new MemoryAws(other), other.errors));
      return others.get(account);
    },
    derive: (method, _args, compute) =>
      method === 'publicIssuerDiscovery'
        ? Promise.resolve(publicIssuerAnswer(world.kube) as never)
        : compute(),
  };
}

export function testOptions(overrides: Partial<RunOptions> = {}): RunOptions {
  return {
    namespace: 'camunda',
    exclude: [],
    spawn: false,
    token: false,
    direct: false,
    logs: true,
    output: 'text',
    color: false,
    verbose: false,
    values: [],
    jobImage: DEFAULT_JOB_IMAGE,
    psqlImage: DEFAULT_PSQL_IMAGE,
    jobTimeoutSeconds: 120,
    timeoutSeconds: 120,
    requestTimeoutMs: 30_000,
    allNamespaces: false,
    skip: [],
    ...overrides,
  };
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

export interface WorldRun extends RunResult {
  stdout: string;
  stderr: string;
  /** Findings of one module, as `[LEVEL] component: message` lines. */
  lines(module?: string): string[];
  fails(module?: string): Finding[];
}

/** Runs the real dispatcher and every module over an in-memory world. */
export function runWorld(world: WorldModel, overrides: Partial<RunOptions> = {}): Promise<WorldRun> {
  const platform = memoryPlatform(world);
  // Another account answers only when the run names a role for it (--assume-role).
  const awsIn = (account: string) =>
    overrides.assumeRoles?.[account] || overrides.profiles?.[account] ? platform.awsIn(account) : undefined;
  return runWithPlatform(world, { ...platform, awsIn }, overrides);
}

/**
 * Runs the real dispatcher over any platform (e.g. the world's MemoryKube with a
 * LiveAws against moto), with the world's namespace and the test defaults.
 */
export async function runWithPlatform(
  world: WorldModel,
  platform: Platform,
  overrides: Partial<RunOptions> = {},
): Promise<WorldRun> {
  const stdout = new Capture();
  const stderr = new Capture();
  const options = testOptions({ namespace: world.namespace, ...overrides });
  const result = await run(options, { stdout, stderr, env: {} }, platform);
  const pick = (module?: string) => result.findings.filter((f) => !module || f.module === module);
  return {
    ...result,
    stdout: stdout.text,
    stderr: stderr.text,
    lines: (module) =>
      pick(module).map((f) => `[${f.level}] ${f.component ? `${f.component}: ` : ''}${f.message}`),
    fails: (module) => pick(module).filter((f) => f.level === 'FAIL'),
  };
}
