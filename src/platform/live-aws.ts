/**
 * Aws over the @aws-sdk/client-* v3 clients. Each client module is imported on
 * first use (≈0.15 s each), so a run that never asks RDS never loads it, and
 * each client is created once per region.
 *
 * Credentials come from the SDK's default chain (env, `--profile`/AWS_PROFILE,
 * SSO, web identity, instance role); AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>)
 * are honoured by the SDK itself, which is how the tests point it at moto.
 */
import { resolveCname as dnsResolveCname } from 'node:dns/promises';
import { FAN_OUT, mapLimit } from '../core/concurrency.js';
import { ApiCallError } from '../core/errors.js';
import { DeadlineHttpHandler, isDeadlineError } from './aws-http-handler.js';
import { isClockSkew, isThrottling } from './aws-error-kinds.js';
import { CLIENT_CLASSES, loaders, sendQuery, type SdkClient, type SdkModules } from './live-aws-query.js';
import type {
  AssumedRole,
  AttachedPolicy,
  Aws,
  CallerIdentity,
  DbCluster,
  DbProxy,
  Ec2Instance,
  EksCluster,
  IamRole,
  InlinePolicy,
  OidcProvider,
  OpenSearchAnswer,
  OpenSearchDomain,
  PodIdentityAssociation,
  SimulationResult,
  VpcEndpoint,
  AwsQuery,
  AwsService,
  Route,
  RouteTable,
  SecurityGroup,
  Subnet,
} from '../ports/aws.js';
import type { PodIdentityAnswer } from '../ports/eks-auth.js';

import type { STSClient } from '@aws-sdk/client-sts';
import type { EKSClient } from '@aws-sdk/client-eks';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { OpenSearchClient, DomainStatus } from '@aws-sdk/client-opensearch';
import type { EC2Client, Route as Ec2Route } from '@aws-sdk/client-ec2';

export interface LiveAwsOptions {
  region?: string;
  profile?: string;
  /** Per-attempt deadline of one AWS request (README "Timeouts"). */
  requestTimeoutMs?: number;
  /**
   * Act as this role (`--assume-role ACCOUNT=ARN`): every call is signed with the temporary
   * credentials of sts:AssumeRole, made with the run's own credentials (profile, env, …).
   */
  assumeRoleArn?: string;
}

/** Assumed-role credentials are renewed this long before they expire. */
const RENEW_BEFORE_MS = 60_000;

/** Default per-attempt deadline of an AWS request; connects get at most CONNECT_TIMEOUT_MS. */
export const DEFAULT_AWS_REQUEST_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * The SDK logs to the console (e.g. `@smithy/node-http-handler - [WARN] a request has exceeded…`):
 * raw library lines would break the output contract, so every client logs nowhere and
 * the timeouts become errors the checks report.
 */
const SILENT_LOGGER = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** DescribeDomains takes at most 5 names per call. */
const DESCRIBE_DOMAINS_BATCH = 5;

/** The region used when neither the caller, AWS_REGION nor the profile names one. */
const FALLBACK_REGION = 'us-east-1';

/** How many attempts the SDK's standard retry strategy makes per call (README "Timeouts"). */
export const AWS_MAX_ATTEMPTS = 5;

/** The server's time an error answer states: S3's ServerTime, the Date header, or the signature message. */
function serverTimeOf(err: {
  ServerTime?: string | Date;
  message?: string;
  $response?: { headers?: Record<string, string> };
}): number | undefined {
  const stated = err.ServerTime instanceof Date ? err.ServerTime.getTime() : Date.parse(err.ServerTime ?? '');
  if (!Number.isNaN(stated)) return stated;
  const header = Date.parse(err.$response?.headers?.date ?? err.$response?.headers?.Date ?? '');
  if (!Number.isNaN(header)) return header;
  // "Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z (20240101T001000Z - 5 min.)"
  const m = /\((\d{8}T\d{6}Z) [-+]/.exec(err.message ?? '');
  if (!m) return undefined;
  const s = m[1]!;
  return Date.parse(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 11)}:${s.slice(11, 13)}:${s.slice(13)}`);
}

/**
 * "this machine's clock is 9 minutes behind AWS's": a skewed clock makes AWS refuse
 * every signed request, which is not expired credentials. The SDK corrects its clock
 * from the answer's Date header (systemClockOffset) and retries; this is what is left
 * when that did not help.
 */
export function clockSkewWords(e: unknown): string | undefined {
  const err = e as { name?: string; Code?: string; message?: string };
  const code = err?.Code ?? err?.name ?? '';
  if (!isClockSkew(e)) return undefined;
  const server = serverTimeOf(err as Parameters<typeof serverTimeOf>[0]);
  const offMs = server === undefined ? undefined : Date.now() - server;
  const minutes = offMs === undefined ? undefined : Math.round(Math.abs(offMs) / 60_000);
  const how =
    minutes === undefined || minutes === 0
      ? "this machine's clock is off from AWS's"
      : `this machine's clock is ${minutes} minute${minutes === 1 ? '' : 's'} ${offMs! < 0 ? 'behind' : 'ahead of'} AWS's`;
  return `${how}: AWS refuses requests signed more than 5 minutes off (${code})`;
}

/** SDK errors → ApiCallError with the IAM action name, so messages can say what to grant. */
export function awsError(operation: string, e: unknown): ApiCallError {
  if (e instanceof ApiCallError) return e;
  const err = e as {
    name?: string;
    Code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number; attempts?: number };
  };
  // The SDK appends a "Deserialization error" hint to an error met while reading the body.
  if (isDeadlineError(e)) return new ApiCallError('aws', operation, 'Timeout', e.message.split('\n')[0]!);
  if (err?.name === 'TimeoutError' || (err as { code?: string })?.code === 'ETIMEDOUT') {
    const ms = /(\d+) ?ms/.exec(err.message ?? '')?.[1];
    return new ApiCallError(
      'aws',
      operation,
      'Timeout',
      `no answer within ${ms ? `${Number(ms) / 1000} s` : 'the request timeout'}`,
    );
  }
  const status = err?.$metadata?.httpStatusCode;
  const message = (err?.message ?? String(e)).split('\n')[0] ?? '';
  const skew = clockSkewWords(e);
  // No status: AWS answers 403, but nothing was denied to irsa-check's identity.
  if (skew) return new ApiCallError('aws', operation, 'ClockSkew', skew);
  const reason = err?.Code ?? err?.name ?? 'Error';
  if (isThrottling(e)) {
    // The SDK retried it already: "could not check", never a verdict on what was asked.
    const attempts = err?.$metadata?.attempts;
    return new ApiCallError(
      'aws',
      operation,
      reason,
      `could not check: throttled by AWS${attempts ? ` after ${attempts} attempts` : ''} (${message})`,
      status,
    );
  }
  return new ApiCallError('aws', operation, reason, message, status);
}

/**
 * IAM answers policy documents URL-encoded (GetRole, GetRolePolicy, GetPolicyVersion);
 * OpenSearch answers plain JSON text. Both become the parsed document. Text that is
 * not JSON is returned as it is, so the policy evaluator can say what is wrong with it.
 */
export function decodePolicyText(text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') return undefined;
  const trimmed = text.trim();
  let json = trimmed;
  if (!trimmed.startsWith('{')) {
    try {
      json = decodeURIComponent(trimmed);
    } catch {
      return text;
    }
  }
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return text;
  }
}

/** An API moto (or an endpoint in front of AWS) does not implement: never worth a FAIL. */
function isNotImplemented(e: unknown): boolean {
  const err = e as {
    name?: string;
    Code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = err?.$metadata?.httpStatusCode;
  const words = `${err?.Code ?? ''} ${err?.name ?? ''} ${err?.message ?? ''}`;
  return status === 500 || status === 501 || /NotImplemented|not (?:yet |been )?implemented/i.test(words);
}

/**
 * An answer that is no AWS API answer at all: an unknown route answered with an HTML
 * 404 page (what moto does for EKS APIs it lacks). Not a ResourceNotFoundException.
 */
function isNotAnApiAnswer(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number }; $response?: unknown };
  if (err?.name === 'SyntaxError') return true;
  return err?.$metadata?.httpStatusCode === 404 && !/NotFound/i.test(err?.name ?? '');
}

function isNotFoundError(e: unknown): boolean {
  const err = e as { name?: string; Code?: string };
  return /NoSuchEntity|ResourceNotFound|NotFound/i.test(`${err?.Code ?? ''} ${err?.name ?? ''}`);
}

/** Client settings shared by every service. */
interface SharedClientConfig {
  region: string;
  profile?: string;
  retryMode: string;
  maxAttempts: number;
  requestHandler: DeadlineHttpHandler;
  logger: typeof SILENT_LOGGER;
}

type MiddlewareClient = {
  middlewareStack: {
    add(
      mw: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
      opts: { step: 'deserialize'; name: string; priority: 'high' },
    ): void;
  };
};

export class LiveAws implements Aws {
  private readonly clients = new Map<string, Promise<unknown>>();
  /** Every client created, for the clock correction the SDK made in each. */
  private readonly created: Array<{ config?: { systemClockOffset?: number } }> = [];
  /** Attempts AWS answered with throttling (each one retried by the SDK, or the last one failed). */
  private throttledAttempts = 0;
  private defaultRegionPromise?: Promise<string>;
  /** Set once SimulatePrincipalPolicy turned out to be unavailable: later calls do not ask again. */
  private simulationUnavailable = false;
  /** Settles when the first SimulatePrincipalPolicy call has its answer. */
  private simulationSettled?: Promise<void>;

  /** The assumed role's credentials (`assumeRoleArn`), renewed shortly before they expire. */
  private assumed?: Promise<{
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
    expiration: Date;
  }>;

  constructor(private readonly opts: LiveAwsOptions) {}

  /**
   * Client settings shared by every service: region, profile, and the SDK's standard retry
   * strategy (throttling, 429, 5xx and timeouts; exponential backoff with jitter, Retry-After
   * honoured). Not 'adaptive': its client-side rate limiter slows every later call of a
   * client after one throttled answer (26.9 s for three throttled GetRole calls).
   */
  protected async clientConfig(region?: string): Promise<SharedClientConfig> {
    return {
      region: region ?? (await this.defaultRegion()),
      ...(this.opts.profile ? { profile: this.opts.profile } : {}),
      ...(this.opts.assumeRoleArn ? { credentials: () => this.assumedCredentials() } : {}),
      retryMode: 'standard',
      maxAttempts: AWS_MAX_ATTEMPTS,
      requestHandler: this.requestHandler(),
      logger: SILENT_LOGGER,
    };
  }

  /**
   * sts:AssumeRole of `assumeRoleArn` with the run's own credentials (the SDK's default chain or
   * --profile). A refusal is an ApiCallError naming sts:AssumeRole and the role, whichever call needed it.
   */
  private assumedCredentials(): Promise<{
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
    expiration: Date;
  }> {
    const roleArn = this.opts.assumeRoleArn!;
    const current = this.assumed;
    if (current) {
      const fresh = current
        .then((c) => c.expiration.getTime() - Date.now() > RENEW_BEFORE_MS)
        .catch(() => false);
      return fresh.then((ok) => (ok ? current : this.renewAssumed(roleArn)));
    }
    return this.renewAssumed(roleArn);
  }

  private renewAssumed(roleArn: string): ReturnType<LiveAws['assumedCredentials']> {
    this.assumed = (async () => {
      quietSdk();
      const { STSClient, AssumeRoleCommand } = await loaders.sts();
      const region = await this.defaultRegion();
      const base = new STSClient({
        region,
        ...(this.opts.profile ? { profile: this.opts.profile } : {}),
        retryMode: 'standard',
        maxAttempts: AWS_MAX_ATTEMPTS,
        requestHandler: this.requestHandler(),
        logger: SILENT_LOGGER,
      });
      try {
        const out = await base.send(
          new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'irsa-check', DurationSeconds: 900 }),
        );
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
          throw new ApiCallError(
            'aws',
            'sts:AssumeRole',
            'NoCredentials',
            `STS handed out no credentials for ${roleArn}`,
          );
        }
        return {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
          expiration: c.Expiration ?? new Date(Date.now() + 900_000),
        };
      } catch (e) {
        const err = awsError('sts:AssumeRole', e);
        throw new ApiCallError(
          'aws',
          'sts:AssumeRole',
          err.reason,
          `${roleArn} (--assume-role): ${err.message}`,
          err.status,
        );
      } finally {
        base.destroy();
      }
    })();
    // A refusal is not cached: the next call asks again.
    this.assumed.catch(() => (this.assumed = undefined));
    return this.assumed;
  }

  /** One deadline per attempt over connect, TLS, first byte and body (aws-http-handler.ts). */
  private requestHandler(): DeadlineHttpHandler {
    return new DeadlineHttpHandler({
      requestTimeoutMs: this.opts.requestTimeoutMs ?? DEFAULT_AWS_REQUEST_TIMEOUT_MS,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
    });
  }

  /** `region` option, else what the SDK finds (AWS_REGION, the profile's region), else us-east-1. */
  private defaultRegion(): Promise<string> {
    if (this.opts.region) return Promise.resolve(this.opts.region);
    this.defaultRegionPromise ??= (async () => {
      quietSdk();
      const { STSClient } = await loaders.sts();
      const probe = new STSClient({
        ...(this.opts.profile ? { profile: this.opts.profile } : {}),
        logger: SILENT_LOGGER,
      });
      try {
        return (await probe.config.region()) || FALLBACK_REGION;
      } catch {
        return FALLBACK_REGION;
      } finally {
        probe.destroy();
      }
    })();
    return this.defaultRegionPromise;
  }

  /** Loads one service's SDK ahead of its first call (start-up: see platformFor in src/run.ts). */
  async preload(service: keyof SdkModules): Promise<void> {
    await loaders[service]();
  }

  /**
   * Loads, in the background and one after another, the SDK clients a full run calls while
   * its first requests travel (the kubeconfig's exec plugin, STS GetCallerIdentity, the Helm
   * release): each took 40–150 ms of parsing on the critical path when its first call loaded it
   * (the issue 20 timeline). In the order a run first needs them: EKS and EC2 (the cluster and its
   * nodes), RDS and OpenSearch (the databases and domains), IAM (roles), S3 (the document store).
   * A client that fails to load here fails again, and is reported, at its first call.
   */
  preloadForRun(): void {
    const order: Array<keyof SdkModules> = ['eks', 'ec2', 'rds', 'opensearch', 'iam', 's3'];
    void (async () => {
      for (const service of order) await this.preload(service).catch(() => undefined);
    })();
  }

  /**
   * How far AWS's clock is ahead of this machine's (ms; negative: behind), as the SDK measured
   * it from AWS's Date headers to correct its signatures (systemClockOffset): the largest
   * correction any client made. The run says so at its end when it is a minute or more.
   */
  clockOffsetMs(): number {
    let worst = 0;
    for (const c of this.created) {
      const offset = c.config?.systemClockOffset ?? 0;
      if (Math.abs(offset) > Math.abs(worst)) worst = offset;
    }
    return worst;
  }

  /** How many AWS attempts were throttled so far (the run says so at its end). */
  throttled(): number {
    return this.throttledAttempts;
  }

  /** Counts every throttled attempt: the deserialize step runs once per attempt, inside the retries. */
  private countThrottling<T>(client: T): T {
    (client as unknown as MiddlewareClient).middlewareStack.add(
      (next) => async (args) => {
        try {
          return await next(args);
        } catch (e) {
          if (isThrottling(e)) this.throttledAttempts++;
          throw e;
        }
      },
      { step: 'deserialize', name: 'irsaCheckThrottleCounter', priority: 'high' },
    );
    return client;
  }

  /** One client per service and region, created on first use. */
  private client<T>(key: string, create: () => Promise<T>): Promise<T> {
    let c = this.clients.get(key) as Promise<T> | undefined;
    if (!c) {
      c = create().then((client) => {
        this.created.push(client as { config?: { systemClockOffset?: number } });
        return this.countThrottling(client);
      });
      this.clients.set(key, c);
      // A failed creation (e.g. a broken profile) is not cached: the next call tries again.
      c.catch(() => this.clients.delete(key));
    }
    return c;
  }

  /**
   * The client of `service` in `region`, shared by the hand-written calls and the queries: STS in
   * the default region when none is named, IAM global (the default region picks its partition), S3
   * path-style behind a custom endpoint (AWS_ENDPOINT_URL, an S3-compatible proxy or emulator).
   */
  private async sdkClient(service: AwsService, region?: string): Promise<SdkClient> {
    const where =
      service === 'iam' ? undefined : service === 'sts' ? region : (region ?? (await this.defaultRegion()));
    const key = service === 'iam' ? 'iam' : `${service}@${where ?? ''}`;
    return this.client(key, async () => {
      quietSdk();
      const Client = CLIENT_CLASSES[service]((await loaders[service]()) as never);
      const custom = Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);
      return new Client({
        ...(await this.clientConfig(where)),
        ...(service === 's3' ? { forcePathStyle: custom } : {}),
      });
    });
  }

  /** A declarative query (src/ports/aws-query.ts), sent with the service's shared client. */
  async query<A extends unknown[], T>(q: AwsQuery<A, T, unknown>, ...args: A): Promise<T> {
    return this.call(q.actions[0], () =>
      sendQuery(
        {
          module: (service) => loaders[service]() as Promise<unknown> as Promise<Record<string, unknown>>,
          client: (service, region) => this.sdkClient(service, region),
        },
        q,
        args,
      ),
    );
  }

  private sts(region?: string): Promise<STSClient> {
    return this.sdkClient('sts', region) as Promise<unknown> as Promise<STSClient>;
  }

  /** STS for AssumeRoleWithWebIdentity: an unsigned call, so no credentials are looked up. */
  private webIdentitySts(region: string): Promise<STSClient> {
    return this.client(`sts-web-identity@${region}`, async () => {
      quietSdk();
      const { STSClient } = await loaders.sts();
      const config = await this.clientConfig(region);
      // No profile: the call must not depend on irsa-check's own credentials. The SDK
      // already selects the `smithy.api#noAuth` scheme for this operation; the anonymous
      // identity makes sure nothing is ever signed with the caller's keys.
      return new STSClient({
        region: config.region,
        retryMode: config.retryMode,
        maxAttempts: config.maxAttempts,
        requestHandler: config.requestHandler,
        logger: SILENT_LOGGER,
        credentials: async () => ({ accessKeyId: '', secretAccessKey: '' }),
      });
    });
  }

  private eks(region: string): Promise<EKSClient> {
    return this.sdkClient('eks', region) as Promise<unknown> as Promise<EKSClient>;
  }

  /** IAM is global; the region only picks the partition (aws, aws-cn, aws-us-gov). */
  private iam(): Promise<IAMClient> {
    return this.sdkClient('iam') as Promise<unknown> as Promise<IAMClient>;
  }

  private rds(region: string): Promise<RDSClient> {
    return this.sdkClient('rds', region) as Promise<unknown> as Promise<RDSClient>;
  }

  private openSearch(region: string): Promise<OpenSearchClient> {
    return this.sdkClient('opensearch', region) as Promise<unknown> as Promise<OpenSearchClient>;
  }

  private ec2(region: string): Promise<EC2Client> {
    return this.sdkClient('ec2', region) as Promise<unknown> as Promise<EC2Client>;
  }

  /** Runs `call`, turning whatever it throws into an ApiCallError for `operation`. */
  private async call<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      throw awsError(operation, e);
    }
  }

  // ------------------------------------------------------------------ STS

  async callerIdentity(): Promise<CallerIdentity> {
    return this.call('sts:GetCallerIdentity', async () => {
      const { GetCallerIdentityCommand } = await loaders.sts();
      const out = await (await this.sts()).send(new GetCallerIdentityCommand({}));
      return { arn: out.Arn ?? '', account: out.Account ?? '', userId: out.UserId ?? '' };
    });
  }

  /**
   * One AssumeRoleWithWebIdentity through the unsigned client, for 15 minutes: the role STS
   * assumes for the token (what the pod-less proof compares) and the temporary credentials it
   * hands out (what the --direct data-plane proofs sign with).
   */
  async assumeRoleWithWebIdentity(roleArn: string, token: string, region: string): Promise<AssumedRole> {
    const out = await this.call('sts:AssumeRoleWithWebIdentity', async () => {
      const { AssumeRoleWithWebIdentityCommand } = await loaders.sts();
      return (await this.webIdentitySts(region)).send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: roleArn,
          RoleSessionName: `irsa-check-${Date.now()}`,
          WebIdentityToken: token,
          DurationSeconds: 900,
        }),
      );
    });
    const arn = out.AssumedRoleUser?.Arn;
    if (!arn) throw emptyWebIdentityAnswer('an AssumedRoleUser ARN');
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) return { assumedRoleArn: arn };
    return {
      assumedRoleArn: arn,
      credentials: {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
      },
    };
  }

  /**
   * EKS Auth's AssumeRoleForPodIdentity with a ServiceAccount token, signed with irsa-check's own
   * credentials (platform/eks-auth.ts: no SDK client for EKS Auth is available to irsa-check).
   */
  async assumeRoleForPodIdentity(cluster: string, token: string, region: string): Promise<PodIdentityAnswer> {
    return this.call('eks-auth:AssumeRoleForPodIdentity', async () => {
      const credentials = await (await this.sts()).config.credentials();
      const { assumeRoleForPodIdentity } = await import('./eks-auth.js');
      return assumeRoleForPodIdentity({
        cluster,
        token,
        region,
        credentials: {
          accessKeyId: credentials.accessKeyId,
          secretAccessKey: credentials.secretAccessKey,
          sessionToken: credentials.sessionToken ?? '',
        },
        handler: this.requestHandler(),
        maxAttempts: AWS_MAX_ATTEMPTS,
        clockOffsetMs: this.clockOffsetMs(),
      });
    });
  }

  // ------------------------------------------------------------------ EKS

  async podIdentityAssociations(
    cluster: string,
    region: string,
    namespace: string,
  ): Promise<PodIdentityAssociation[] | undefined> {
    const { paginateListPodIdentityAssociations, DescribePodIdentityAssociationCommand } =
      await loaders.eks();
    const client = await this.eks(region);
    const summaries: Array<{ associationId: string; namespace: string; serviceAccount: string }> = [];
    try {
      for await (const page of paginateListPodIdentityAssociations(
        { client },
        { clusterName: cluster, namespace },
      )) {
        for (const a of page.associations ?? []) {
          if (a.associationId)
            summaries.push({
              associationId: a.associationId,
              namespace: a.namespace ?? namespace,
              serviceAccount: a.serviceAccount ?? '',
            });
        }
      }
    } catch (e) {
      if (isNotImplemented(e) || isNotAnApiAnswer(e)) return undefined;
      throw awsError('eks:ListPodIdentityAssociations', e);
    }
    // The list answers no role: DescribePodIdentityAssociation does.
    return mapLimit(summaries, FAN_OUT, (a) =>
      this.call('eks:DescribePodIdentityAssociation', async () => {
        const out = await client.send(
          new DescribePodIdentityAssociationCommand({ clusterName: cluster, associationId: a.associationId }),
        );
        const d = out.association;
        return {
          ...a,
          ...(d?.roleArn ? { roleArn: d.roleArn } : {}),
          ...(d?.targetRoleArn ? { targetRoleArn: d.targetRoleArn } : {}),
          ...(d?.externalId ? { externalId: d.externalId } : {}),
          ...(d?.disableSessionTags ? { disableSessionTags: true } : {}),
          ...(d?.policy ? { policy: d.policy } : {}),
        };
      }),
    );
  }

  // ------------------------------------------------------------------ EC2

  async instances(region: string, instanceIds: string[]): Promise<Ec2Instance[]> {
    if (instanceIds.length === 0) return [];
    return this.call('ec2:DescribeInstances', async () => {
      const { paginateDescribeInstances } = await loaders.ec2();
      const found: Ec2Instance[] = [];
      // Filter rather than InstanceIds: an unknown ID is left out instead of failing the whole call.
      const pages = paginateDescribeInstances(
        { client: await this.ec2(region) },
        { Filters: [{ Name: 'instance-id', Values: instanceIds }] },
      );
      for await (const page of pages) {
        for (const r of page.Reservations ?? []) {
          for (const i of r.Instances ?? []) {
            if (!i.InstanceId) continue;
            const m = i.MetadataOptions;
            found.push({
              instanceId: i.InstanceId,
              imdsV2Required: m?.HttpTokens === 'required',
              ...(m?.HttpPutResponseHopLimit !== undefined
                ? { httpPutResponseHopLimit: m.HttpPutResponseHopLimit }
                : {}),
              ...(m?.HttpEndpoint ? { httpEndpoint: m.HttpEndpoint } : {}),
              ...(i.SubnetId ? { subnetId: i.SubnetId } : {}),
              ...(i.Placement?.AvailabilityZone ? { availabilityZone: i.Placement.AvailabilityZone } : {}),
              ...(i.SecurityGroups?.length
                ? { securityGroupIds: i.SecurityGroups.flatMap((g) => (g.GroupId ? [g.GroupId] : [])) }
                : {}),
              ...(i.PrivateIpAddress ? { privateIp: i.PrivateIpAddress } : {}),
            });
          }
        }
      }
      return found.sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    });
  }

  async vpcEndpoints(region: string, vpcId: string): Promise<VpcEndpoint[]> {
    return this.call('ec2:DescribeVpcEndpoints', async () => {
      const { paginateDescribeVpcEndpoints } = await loaders.ec2();
      const found: VpcEndpoint[] = [];
      const pages = paginateDescribeVpcEndpoints(
        { client: await this.ec2(region) },
        { Filters: [{ Name: 'vpc-id', Values: [vpcId] }] },
      );
      for await (const page of pages) {
        for (const e of page.VpcEndpoints ?? []) {
          found.push({
            id: e.VpcEndpointId ?? '',
            serviceName: e.ServiceName ?? '',
            ...(e.VpcEndpointType ? { type: e.VpcEndpointType } : {}),
            ...(e.State ? { state: e.State } : {}),
            privateDnsEnabled: e.PrivateDnsEnabled === true,
            ...(e.SubnetIds?.length ? { subnetIds: e.SubnetIds } : {}),
            ...(e.Groups?.length
              ? { securityGroupIds: e.Groups.flatMap((g) => (g.GroupId ? [g.GroupId] : [])) }
              : {}),
          });
        }
      }
      return found;
    });
  }

  async routeTables(region: string, vpcId: string): Promise<RouteTable[]> {
    return this.call('ec2:DescribeRouteTables', async () => {
      const { paginateDescribeRouteTables } = await loaders.ec2();
      const found: RouteTable[] = [];
      const pages = paginateDescribeRouteTables(
        { client: await this.ec2(region) },
        { Filters: [{ Name: 'vpc-id', Values: [vpcId] }] },
      );
      for await (const page of pages) {
        for (const t of page.RouteTables ?? []) {
          const associations = t.Associations ?? [];
          found.push({
            id: t.RouteTableId ?? '',
            main: associations.some((a) => a.Main === true),
            subnetIds: associations.flatMap((a) => (a.SubnetId ? [a.SubnetId] : [])),
            routes: (t.Routes ?? []).map(toRoute),
          });
        }
      }
      return found.sort((a, b) => a.id.localeCompare(b.id));
    });
  }

  async subnets(region: string, vpcId: string): Promise<Subnet[]> {
    return this.call('ec2:DescribeSubnets', async () => {
      const { paginateDescribeSubnets } = await loaders.ec2();
      const found: Subnet[] = [];
      const pages = paginateDescribeSubnets(
        { client: await this.ec2(region) },
        { Filters: [{ Name: 'vpc-id', Values: [vpcId] }] },
      );
      for await (const page of pages) {
        for (const n of page.Subnets ?? []) {
          if (n.SubnetId) found.push({ id: n.SubnetId, availabilityZone: n.AvailabilityZone ?? '' });
        }
      }
      return found.sort((a, b) => a.id.localeCompare(b.id));
    });
  }

  async securityGroups(region: string, groupIds: string[]): Promise<SecurityGroup[]> {
    if (groupIds.length === 0) return [];
    return this.call('ec2:DescribeSecurityGroups', async () => {
      const { paginateDescribeSecurityGroups } = await loaders.ec2();
      const found: SecurityGroup[] = [];
      // A filter rather than GroupIds: an unknown ID is left out instead of failing the whole call.
      const pages = paginateDescribeSecurityGroups(
        { client: await this.ec2(region) },
        { Filters: [{ Name: 'group-id', Values: groupIds }] },
      );
      for await (const page of pages) {
        for (const g of page.SecurityGroups ?? []) {
          if (!g.GroupId) continue;
          found.push({
            id: g.GroupId,
            ingress: (g.IpPermissions ?? []).map((r) => ({
              protocol: r.IpProtocol ?? '-1',
              ...(r.FromPort !== undefined ? { fromPort: r.FromPort } : {}),
              ...(r.ToPort !== undefined ? { toPort: r.ToPort } : {}),
              sourceGroupIds: (r.UserIdGroupPairs ?? []).flatMap((p) => (p.GroupId ? [p.GroupId] : [])),
              cidrs: (r.IpRanges ?? []).flatMap((c) => (c.CidrIp ? [c.CidrIp] : [])),
            })),
          });
        }
      }
      return found.sort((a, b) => a.id.localeCompare(b.id));
    });
  }

  async listEksClusters(region: string): Promise<string[]> {
    return this.call('eks:ListClusters', async () => {
      const { paginateListClusters } = await loaders.eks();
      const names: string[] = [];
      for await (const page of paginateListClusters({ client: await this.eks(region) }, {})) {
        names.push(...(page.clusters ?? []));
      }
      return names;
    });
  }

  async eksCluster(name: string, region: string): Promise<EksCluster | undefined> {
    const { DescribeClusterCommand } = await loaders.eks();
    const client = await this.eks(region);
    try {
      const { cluster } = await client.send(new DescribeClusterCommand({ name }));
      if (!cluster) return undefined;
      return {
        name: cluster.name ?? name,
        arn: cluster.arn ?? '',
        ...(cluster.endpoint ? { endpoint: cluster.endpoint } : {}),
        ...(cluster.version ? { version: cluster.version } : {}),
        ...(cluster.status ? { status: cluster.status } : {}),
        ...(cluster.identity?.oidc?.issuer ? { issuer: cluster.identity.oidc.issuer } : {}),
        ...(cluster.resourcesVpcConfig?.vpcId ? { vpcId: cluster.resourcesVpcConfig.vpcId } : {}),
        ...(cluster.resourcesVpcConfig?.endpointPublicAccess !== undefined
          ? { endpointPublicAccess: cluster.resourcesVpcConfig.endpointPublicAccess }
          : {}),
        ...(cluster.resourcesVpcConfig?.endpointPrivateAccess !== undefined
          ? { endpointPrivateAccess: cluster.resourcesVpcConfig.endpointPrivateAccess }
          : {}),
      };
    } catch (e) {
      if (isNotFoundError(e)) return undefined;
      throw awsError('eks:DescribeCluster', e);
    }
  }

  // ------------------------------------------------------------------ IAM

  async oidcProviders(): Promise<OidcProvider[]> {
    const { ListOpenIDConnectProvidersCommand, GetOpenIDConnectProviderCommand } = await loaders.iam();
    const client = await this.iam();
    const list = await this.call('iam:ListOpenIDConnectProviders', () =>
      client.send(new ListOpenIDConnectProvidersCommand({})),
    );
    const arns = (list.OpenIDConnectProviderList ?? []).flatMap((p) => (p.Arn ? [p.Arn] : []));
    const providers = await mapLimit(arns, FAN_OUT, async (arn): Promise<OidcProvider | undefined> => {
      try {
        const out = await client.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
        return {
          arn,
          url: out.Url ?? '',
          clientIds: out.ClientIDList ?? [],
          ...(out.ThumbprintList?.length
            ? { thumbprints: out.ThumbprintList.map((t) => t.toLowerCase()) }
            : {}),
        };
      } catch (e) {
        // Deleted between the list and the get: it does not exist any more.
        if (isNotFoundError(e)) return undefined;
        throw awsError('iam:GetOpenIDConnectProvider', e);
      }
    });
    return providers.filter((p): p is OidcProvider => p !== undefined);
  }

  async role(name: string): Promise<IamRole | undefined> {
    const { GetRoleCommand } = await loaders.iam();
    const client = await this.iam();
    try {
      const { Role: r } = await client.send(new GetRoleCommand({ RoleName: name }));
      if (!r) return undefined;
      return {
        arn: r.Arn ?? '',
        name: r.RoleName ?? name,
        path: r.Path ?? '/',
        trustPolicy: decodePolicyText(r.AssumeRolePolicyDocument),
        ...(r.PermissionsBoundary?.PermissionsBoundaryArn
          ? { permissionsBoundaryArn: r.PermissionsBoundary.PermissionsBoundaryArn }
          : {}),
        ...(r.RoleLastUsed?.LastUsedDate ? { lastUsedDate: r.RoleLastUsed.LastUsedDate.toISOString() } : {}),
      };
    } catch (e) {
      if (isNotFoundError(e)) return undefined;
      throw awsError('iam:GetRole', e);
    }
  }

  async attachedPolicies(roleName: string): Promise<AttachedPolicy[]> {
    return this.call('iam:ListAttachedRolePolicies', async () => {
      const { paginateListAttachedRolePolicies } = await loaders.iam();
      const policies: AttachedPolicy[] = [];
      const pages = paginateListAttachedRolePolicies({ client: await this.iam() }, { RoleName: roleName });
      for await (const page of pages) {
        for (const p of page.AttachedPolicies ?? []) {
          if (p.PolicyArn) policies.push({ arn: p.PolicyArn, name: p.PolicyName ?? p.PolicyArn });
        }
      }
      return policies;
    });
  }

  async inlinePolicies(roleName: string): Promise<InlinePolicy[]> {
    const { paginateListRolePolicies, GetRolePolicyCommand } = await loaders.iam();
    const client = await this.iam();
    const names = await this.call('iam:ListRolePolicies', async () => {
      const found: string[] = [];
      for await (const page of paginateListRolePolicies({ client }, { RoleName: roleName })) {
        found.push(...(page.PolicyNames ?? []));
      }
      return found;
    });
    return mapLimit(names, FAN_OUT, (policyName) =>
      this.call('iam:GetRolePolicy', async () => {
        const out = await client.send(
          new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }),
        );
        return { name: policyName, document: decodePolicyText(out.PolicyDocument) };
      }),
    );
  }

  async policyDocument(policyArn: string): Promise<unknown> {
    const { GetPolicyCommand, GetPolicyVersionCommand } = await loaders.iam();
    const client = await this.iam();
    const policy = await this.call('iam:GetPolicy', () =>
      client.send(new GetPolicyCommand({ PolicyArn: policyArn })),
    );
    const versionId = policy.Policy?.DefaultVersionId;
    if (!versionId) {
      throw new ApiCallError(
        'aws',
        'iam:GetPolicy',
        'NoDefaultVersion',
        `policy ${policyArn} has no default version`,
      );
    }
    const version = await this.call('iam:GetPolicyVersion', () =>
      client.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: versionId })),
    );
    return decodePolicyText(version.PolicyVersion?.Document);
  }

  /**
   * iam:SimulatePrincipalPolicy, a cross-check the checks can do without: undefined when
   * the endpoint does not implement it (moto answers 500). The first call goes alone, so
   * concurrent components do not all retry against an endpoint that cannot answer.
   */
  async simulatePrincipalPolicy(
    principalArn: string,
    actions: string[],
    resources: string[],
  ): Promise<SimulationResult[] | undefined> {
    if (!this.simulationSettled) {
      const first = this.simulate(principalArn, actions, resources);
      this.simulationSettled = first.then(
        () => undefined,
        () => undefined,
      );
      return first;
    }
    await this.simulationSettled;
    return this.simulate(principalArn, actions, resources);
  }

  private async simulate(
    principalArn: string,
    actions: string[],
    resources: string[],
  ): Promise<SimulationResult[] | undefined> {
    if (this.simulationUnavailable) return undefined;
    const { IAMClient, paginateSimulatePrincipalPolicy } = await loaders.iam();
    // Its own client with fewer attempts: a lasting 5xx means "not available", not "wait".
    const client = await this.client('iam-simulate', async () => {
      quietSdk();
      return new IAMClient({ ...(await this.clientConfig()), maxAttempts: 2 });
    });
    const results: SimulationResult[] = [];
    try {
      const pages = paginateSimulatePrincipalPolicy(
        { client },
        {
          PolicySourceArn: principalArn,
          ActionNames: actions,
          ...(resources.length > 0 ? { ResourceArns: resources } : {}),
        },
      );
      for await (const page of pages) {
        for (const r of page.EvaluationResults ?? []) {
          const action = r.EvalActionName ?? '';
          const organizations =
            r.OrganizationsDecisionDetail?.AllowedByOrganizations === false
              ? { deniedByOrganizations: true }
              : {};
          const specific = r.ResourceSpecificResults ?? [];
          if (specific.length > 0) {
            for (const s of specific) {
              results.push({
                action,
                resource: s.EvalResourceName ?? '*',
                decision: toDecision(s.EvalResourceDecision),
                ...organizations,
              });
            }
          } else {
            results.push({
              action,
              resource: r.EvalResourceName ?? '*',
              decision: toDecision(r.EvalDecision),
              ...organizations,
            });
          }
        }
      }
    } catch (e) {
      if (isNotImplemented(e)) {
        this.simulationUnavailable = true;
        return undefined;
      }
      throw awsError('iam:SimulatePrincipalPolicy', e);
    }
    return results;
  }

  // ------------------------------------------------------------------ RDS

  async dbClusters(region: string): Promise<DbCluster[]> {
    return this.call('rds:DescribeDBClusters', async () => {
      const { paginateDescribeDBClusters } = await loaders.rds();
      const clusters: DbCluster[] = [];
      for await (const page of paginateDescribeDBClusters({ client: await this.rds(region) }, {})) {
        for (const c of page.DBClusters ?? []) {
          clusters.push({
            identifier: c.DBClusterIdentifier ?? '',
            arn: c.DBClusterArn ?? '',
            resourceId: c.DbClusterResourceId ?? '',
            ...(c.Endpoint ? { endpoint: c.Endpoint } : {}),
            ...(c.ReaderEndpoint ? { readerEndpoint: c.ReaderEndpoint } : {}),
            // DescribeDBClusters lists the custom endpoints' addresses itself, so no
            // DescribeDBClusterEndpoints call (and no extra permission) is needed.
            customEndpoints: c.CustomEndpoints ?? [],
            ...(c.Port !== undefined ? { port: c.Port } : {}),
            ...(c.Status ? { status: c.Status } : {}),
            ...(c.Engine ? { engine: c.Engine } : {}),
            iamAuthEnabled: c.IAMDatabaseAuthenticationEnabled === true,
          });
        }
      }
      return clusters;
    });
  }

  async dbProxies(region: string): Promise<DbProxy[]> {
    return this.call('rds:DescribeDBProxies', async () => {
      const { paginateDescribeDBProxies } = await loaders.rds();
      const proxies: DbProxy[] = [];
      for await (const page of paginateDescribeDBProxies({ client: await this.rds(region) }, {})) {
        for (const p of page.DBProxies ?? []) {
          proxies.push({
            name: p.DBProxyName ?? '',
            arn: p.DBProxyArn ?? '',
            ...(p.Endpoint ? { endpoint: p.Endpoint } : {}),
            ...(p.EngineFamily ? { engineFamily: p.EngineFamily } : {}),
            ...(p.Status ? { status: p.Status } : {}),
            ...(p.RequireTLS !== undefined ? { requireTls: p.RequireTLS } : {}),
            auth: (p.Auth ?? []).map((a) => ({
              ...(a.IAMAuth ? { iamAuth: a.IAMAuth } : {}),
              ...(a.UserName ? { userName: a.UserName } : {}),
              ...(a.SecretArn ? { secretArn: a.SecretArn } : {}),
            })),
          });
        }
      }
      return proxies;
    });
  }

  // ------------------------------------------------------------------ OpenSearch

  async openSearchGet(baseUrl: string, region: string, path: string): Promise<OpenSearchAnswer> {
    return this.call('es:ESHttpGet', async () => {
      // The operator's own credentials, from the same chain (and --profile) as every other call.
      const credentials = await (await this.sts()).config.credentials();
      const { signedHeaders } = await import('./sigv4.js');
      const url = new URL(path, baseUrl);
      const timeoutMs = this.opts.requestTimeoutMs ?? DEFAULT_AWS_REQUEST_TIMEOUT_MS;
      const headers = await signedHeaders(
        {
          accessKeyId: credentials.accessKeyId,
          secretAccessKey: credentials.secretAccessKey,
          sessionToken: credentials.sessionToken ?? '',
        },
        region,
        'es',
        url,
      );
      let res: Response;
      try {
        res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
        return { status: res.status, body: (await res.text()).slice(0, 256 * 1024) };
      } catch (e) {
        const err = e as { name?: string; cause?: { code?: string }; message?: string };
        if (err.name === 'TimeoutError')
          throw new ApiCallError('aws', 'es:ESHttpGet', 'Timeout', `no answer within ${timeoutMs / 1000} s`);
        throw new ApiCallError('aws', 'es:ESHttpGet', err.cause?.code ?? 'Unreachable', err.message ?? '');
      }
    });
  }

  async openSearchDomains(region: string): Promise<OpenSearchDomain[]> {
    const { ListDomainNamesCommand, DescribeDomainsCommand } = await loaders.opensearch();
    const client = await this.openSearch(region);
    const list = await this.call('es:ListDomainNames', () => client.send(new ListDomainNamesCommand({})));
    const names = (list.DomainNames ?? []).flatMap((d) => (d.DomainName ? [d.DomainName] : []));
    const batches: string[][] = [];
    for (let i = 0; i < names.length; i += DESCRIBE_DOMAINS_BATCH) {
      batches.push(names.slice(i, i + DESCRIBE_DOMAINS_BATCH));
    }
    const described = await mapLimit(batches, FAN_OUT, (batch) =>
      this.call('es:DescribeDomains', async () => {
        const out = await client.send(new DescribeDomainsCommand({ DomainNames: batch }));
        return out.DomainStatusList ?? [];
      }),
    );
    return described.flat().map(toDomain);
  }

  // ------------------------------------------------------------------ DNS

  /** Follows the CNAME chain of `host` (at most 8 links); [] when it has none. */
  async resolveCname(host: string): Promise<string[]> {
    const chain: string[] = [];
    let current = host;
    for (let depth = 0; depth < 8; depth++) {
      let targets: string[];
      try {
        targets = await dnsResolveCname(current);
      } catch (e) {
        const code = (e as { code?: string }).code ?? 'Error';
        if (code === 'ENODATA' || code === 'ENOTFOUND' || code === 'NXDOMAIN') break;
        throw new ApiCallError('dns', 'dns:resolveCname', code, `cannot resolve ${current}: ${code}`);
      }
      const target = targets[0]?.replace(/\.$/, '').toLowerCase();
      if (!target || chain.includes(target)) break;
      chain.push(target);
      current = target;
    }
    return chain;
  }
}

/** STS answered AssumeRoleWithWebIdentity without the part the caller needs. */
function emptyWebIdentityAnswer(missing: string): ApiCallError {
  return new ApiCallError(
    'aws',
    'sts:AssumeRoleWithWebIdentity',
    'EmptyAnswer',
    `STS answered without ${missing}`,
  );
}

/** One route as DescribeRouteTables answers it: exactly one target field is set. */
function toRoute(r: Ec2Route): Route {
  const destination = r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? '';
  const active = r.State !== 'blackhole';
  const gw = r.GatewayId;
  const target: [Route['kind'], string | undefined][] = [
    ['nat-gateway', r.NatGatewayId],
    ['transit-gateway', r.TransitGatewayId],
    ['instance', r.InstanceId],
    ['vpc-peering', r.VpcPeeringConnectionId],
    ['egress-only-internet-gateway', r.EgressOnlyInternetGatewayId],
    ['network-interface', r.NetworkInterfaceId],
    ['local', gw === 'local' ? gw : undefined],
    ['internet-gateway', gw?.startsWith('igw-') ? gw : undefined],
    ['virtual-private-gateway', gw?.startsWith('vgw-') ? gw : undefined],
    ['gateway-endpoint', gw?.startsWith('vpce-') ? gw : undefined],
  ];
  const [kind, id] = target.find(([, v]) => v !== undefined) ?? [
    'other',
    gw ?? r.LocalGatewayId ?? r.CarrierGatewayId ?? r.CoreNetworkArn ?? '',
  ];
  return { destination, kind, target: id ?? '', active };
}

function toDecision(decision: string | undefined): SimulationResult['decision'] {
  if (decision === 'allowed') return 'allowed';
  if (decision === 'explicitDeny') return 'explicitDeny';
  return 'implicitDeny';
}

function toDomain(d: DomainStatus): OpenSearchDomain {
  const security = d.AdvancedSecurityOptions;
  const endpointOptions = d.DomainEndpointOptions;
  const customEndpoint =
    endpointOptions?.CustomEndpointEnabled && endpointOptions.CustomEndpoint
      ? endpointOptions.CustomEndpoint
      : undefined;
  const accessPolicies = decodePolicyText(d.AccessPolicies);
  return {
    name: d.DomainName ?? '',
    arn: d.ARN ?? '',
    ...(d.Endpoint ? { endpoint: d.Endpoint } : {}),
    endpoints: { ...(d.Endpoints ?? {}) },
    ...(customEndpoint ? { customEndpoint } : {}),
    created: d.Created === true,
    deleted: d.Deleted === true,
    processing: d.Processing === true || d.UpgradeProcessing === true,
    httpsEnforced: endpointOptions?.EnforceHTTPS === true,
    fineGrainedAccessControl: security?.Enabled === true,
    ...(security?.AnonymousAuthEnabled !== undefined
      ? { anonymousAuthEnabled: security.AnonymousAuthEnabled }
      : {}),
    ...(security?.InternalUserDatabaseEnabled !== undefined
      ? { internalUserDatabaseEnabled: security.InternalUserDatabaseEnabled }
      : {}),
    // DescribeDomains does not return the master user (it is write-only in the API).
    ...(accessPolicies !== undefined ? { accessPolicies } : {}),
  };
}

/**
 * The SDK warns on stderr (once per process) that its releases after January 2027
 * need Node 22. irsa-check supports the Node it declares in `engines`; the warning
 * would break the output contract (stderr holds only [WARN]/[FAIL] lines).
 */
function quietSdk(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
