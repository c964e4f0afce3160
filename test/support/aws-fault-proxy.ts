/**
 * A small HTTP proxy in front of moto_server, for AWS SDK clients pointed at it
 * with AWS_ENDPOINT_URL. It
 * - names every request by its IAM-style action (`iam:GetRole`, `eks:DescribeCluster`)
 *   and counts them;
 * - can answer chosen actions with a fault (throttling, 429, 5xx, AccessDenied,
 *   ExpiredToken) a number of times, in the wire format of the service's protocol,
 *   so the SDK parses it as it would parse AWS's own answer;
 * - can pin every request to one moto account (`x-moto-account-id`), so suites
 *   running in parallel against one moto_server never see each other's resources.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerEksAuth, EKS_AUTH_ROUTE } from './fake-eks-auth.js';

export type FaultKind =
  /** 400 Throttling (query protocol) / ThrottlingException (JSON): retried by the SDK. */
  | 'throttling'
  /** 429 Too Many Requests: retried by the SDK. */
  | 'tooManyRequests'
  /** 500 InternalFailure: retried by the SDK. */
  | 'serverError'
  /** 503 ServiceUnavailable: retried by the SDK. */
  | 'unavailable'
  /** 403 AccessDenied: not retried. */
  | 'accessDenied'
  /** 403 ExpiredToken: not retried. */
  | 'expiredToken'
  /** Accept the request and never answer (an endpoint behind a black-holing firewall). */
  | 'silent'
  /** Forward it, then drip the answer's body one byte every 200 ms (a saturated link). */
  | 'drip'
  /**
   * 403 SignatureDoesNotMatch "Signature expired", its Date header `clockSkew()` ahead of
   * the real time, whatever the request's time: a refusal the SDK's clock correction cannot
   * cure (it corrects once, and the endpoint still refuses).
   */
  | 'signatureExpired'
  /** 403 RequestTimeTooSkewed (S3's wording) with the skewed Date header, whatever the request's time. */
  | 'requestTimeTooSkewed';

export interface ProxiedRequest {
  action: string;
  method: string;
  path: string;
  /** Whether the request carried a SigV4 Authorization header. */
  signed: boolean;
  /** The signing region and access key ID of a signed request. */
  region?: string;
  accessKeyId?: string;
  /** The fault answered instead of forwarding, if any. */
  fault?: FaultKind;
}

export interface AwsProxy {
  /** Point AWS_ENDPOINT_URL (or a client's `endpoint`) here. */
  url: string;
  /** The moto account every request is pinned to, if any. */
  accountId?: string;
  /** Answer `action` (e.g. `iam:GetRole`, or `*` for every action) with `kind`, `times` times (default: always). */
  fail(action: string, kind: FaultKind, times?: number): void;
  /** Remove every planted fault and forget the counts. */
  reset(): void;
  /**
   * Requests signed with `accessKeyId` act in `account` (a profile of another account, as
   * `--profile-for ACCOUNT=PROFILE` uses): moto answers them as that account.
   */
  pinKey(accessKeyId: string, account: string): void;
  /**
   * EKS Auth (podIdentity): verify the ServiceAccount tokens' signatures against this JWKS URL
   * (the fake Kubernetes API's /openid/v1/jwks) when it answers.
   */
  trustKubernetesIssuer(jwksUrl: string): void;
  /** Answer every request only after `ms` (a distant region, for the latency benchmark). */
  setLatency(ms: number): void;
  /**
   * Act as an AWS whose clock is `ms` ahead of this machine's (so this machine's is behind):
   * a signed request whose X-Amz-Date is more than 5 minutes off that clock is refused
   * with SignatureDoesNotMatch, as AWS does; answers carry that clock in their Date header.
   */
  setClockSkew(ms: number): void;
  /** Requests seen for `action` (faulted ones included). */
  count(action: string): number;
  /** Every request seen, in order. */
  readonly requests: readonly ProxiedRequest[];
  close(): Promise<void>;
}

export interface AwsProxyOptions {
  /** moto_server's URL. */
  target: string;
  /** Sent as `x-moto-account-id` on every request: moto answers as that account. */
  accountId?: string;
  /**
   * Answer the EKS Pod Identity association APIs moto lacks (Create, List, Describe) from a small
   * in-memory store, shaped as the EKS API reference documents them, and EKS Auth's
   * AssumeRoleForPodIdentity from the same store (test/support/fake-eks-auth.ts).
   */
  podIdentity?: boolean;
}

/** REST-JSON routes of the services irsa-check uses: method, path pattern → action. */
const REST_ROUTES: Array<{ service: string; method: string; path: RegExp; action: string }> = [
  { service: 'eks', method: 'GET', path: /^\/clusters$/, action: 'ListClusters' },
  { service: 'eks', method: 'POST', path: /^\/clusters$/, action: 'CreateCluster' },
  { service: 'eks', method: 'GET', path: /^\/clusters\/[^/]+$/, action: 'DescribeCluster' },
  { service: 'eks', method: 'DELETE', path: /^\/clusters\/[^/]+$/, action: 'DeleteCluster' },
  {
    service: 'eks',
    method: 'GET',
    path: /^\/clusters\/[^/]+\/pod-identity-associations$/,
    action: 'ListPodIdentityAssociations',
  },
  {
    service: 'eks',
    method: 'POST',
    path: /^\/clusters\/[^/]+\/pod-identity-associations$/,
    action: 'CreatePodIdentityAssociation',
  },
  {
    service: 'eks',
    method: 'GET',
    path: /^\/clusters\/[^/]+\/pod-identity-associations\/[^/]+$/,
    action: 'DescribePodIdentityAssociation',
  },
  { service: 'eks-auth', method: 'POST', path: EKS_AUTH_ROUTE, action: 'AssumeRoleForPodIdentity' },
  { service: 'es', method: 'GET', path: /^\/2021-01-01\/domain$/, action: 'ListDomainNames' },
  {
    service: 'es',
    method: 'POST',
    path: /^\/2021-01-01\/opensearch\/domain-info$/,
    action: 'DescribeDomains',
  },
  { service: 'es', method: 'POST', path: /^\/2021-01-01\/opensearch\/domain$/, action: 'CreateDomain' },
  {
    service: 'es',
    method: 'GET',
    path: /^\/2021-01-01\/opensearch\/domain\/[^/]+$/,
    action: 'DescribeDomain',
  },
  {
    service: 'es',
    method: 'DELETE',
    path: /^\/2021-01-01\/opensearch\/domain\/[^/]+$/,
    action: 'DeleteDomain',
  },
];

/** Unsigned query-protocol actions and their service (STS's web-identity calls). */
const UNSIGNED: Record<string, string> = {
  AssumeRoleWithWebIdentity: 'sts',
  AssumeRoleWithSAML: 'sts',
};

interface Classified {
  action: string;
  protocol: 'query' | 'json';
}

function serviceOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  // AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/iam/aws4_request, ...
  const scope = auth?.match(/Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/);
  return scope?.[1];
}

export function classify(req: IncomingMessage, body: string): Classified {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const method = req.method ?? 'GET';
  const contentType = String(req.headers['content-type'] ?? '');
  let service = serviceOf(req);
  if (contentType.includes('x-www-form-urlencoded')) {
    const name = new URLSearchParams(body).get('Action') ?? 'Unknown';
    service ??= UNSIGNED[name] ?? 'unknown';
    return { action: `${service}:${name}`, protocol: 'query' };
  }
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.includes('.')) {
    return {
      action: `${service ?? 'unknown'}:${target.slice(target.lastIndexOf('.') + 1)}`,
      protocol: 'json',
    };
  }
  const route = REST_ROUTES.find(
    (r) => r.method === method && r.path.test(path) && (!service || r.service === service),
  );
  return {
    action: `${service ?? route?.service ?? 'unknown'}:${route?.action ?? `${method} ${path}`}`,
    protocol: 'json',
  };
}

type AnsweredFault = Exclude<FaultKind, 'silent' | 'drip'>;

const FAULTS: Record<AnsweredFault, { status: number; query: string; json: string; message: string }> = {
  throttling: { status: 400, query: 'Throttling', json: 'ThrottlingException', message: 'Rate exceeded' },
  tooManyRequests: {
    status: 429,
    query: 'TooManyRequestsException',
    json: 'TooManyRequestsException',
    message: 'Too Many Requests',
  },
  serverError: {
    status: 500,
    query: 'InternalFailure',
    json: 'InternalFailure',
    message: 'We encountered an internal error. Please try again.',
  },
  unavailable: {
    status: 503,
    query: 'ServiceUnavailable',
    json: 'ServiceUnavailableException',
    message: 'Service is unavailable. Please try again.',
  },
  accessDenied: {
    status: 403,
    query: 'AccessDenied',
    json: 'AccessDeniedException',
    message: 'is not authorized to perform this action',
  },
  expiredToken: {
    status: 403,
    query: 'ExpiredToken',
    json: 'ExpiredTokenException',
    message: 'The security token included in the request is expired',
  },
  signatureExpired: {
    status: 403,
    query: 'SignatureDoesNotMatch',
    json: 'InvalidSignatureException',
    message: 'Signature expired',
  },
  requestTimeTooSkewed: {
    status: 403,
    query: 'RequestTimeTooSkewed',
    json: 'RequestTimeTooSkewed',
    message: 'The difference between the request time and the current time is too large.',
  },
};

/** 20240101T000000Z, as SigV4 writes times. */
function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function parseAmzDate(s: string | undefined): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s ?? '');
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : undefined;
}

/** AWS's words for a signature made too far from its clock (`now`: AWS's time). */
function signatureTimeMessage(requestMs: number, now: number): string {
  const FIVE = 5 * 60_000;
  return requestMs < now
    ? `Signature expired: ${amzDate(requestMs)} is now earlier than ${amzDate(now - FIVE)} (${amzDate(now)} - 5 min.)`
    : `Signature not yet current: ${amzDate(requestMs)} is still later than ${amzDate(now + FIVE)} (${amzDate(now)} + 5 min.)`;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function answerFault(
  res: ServerResponse,
  kind: AnsweredFault,
  c: Classified,
  clock: { now: number; requestMs?: number } = { now: Date.now() },
): void {
  const f = FAULTS[kind];
  const requestId = `irsa-check-proxy-${Date.now()}`;
  const message =
    kind === 'accessDenied'
      ? `User: arn:aws:sts::123456789012:assumed-role/ci/irsa-check is not authorized to perform: ${c.action}`
      : kind === 'signatureExpired'
        ? signatureTimeMessage(clock.requestMs ?? Date.now(), clock.now)
        : f.message;
  const date = new Date(clock.now).toUTCString();
  if (c.protocol === 'query') {
    res.writeHead(f.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, date });
    res.end(
      `<ErrorResponse><Error><Type>${f.status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
        `<Code>${f.query}</Code><Message>${xmlEscape(message)}</Message></Error>` +
        `<RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
    return;
  }
  res.writeHead(f.status, {
    'content-type': 'application/json',
    'x-amzn-errortype': f.json,
    'x-amzn-requestid': requestId,
    date,
  });
  res.end(JSON.stringify({ __type: f.json, message }));
}

/** One stored association, as DescribePodIdentityAssociation answers it. */
export interface StoredAssociation {
  clusterName: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  associationArn: string;
  associationId: string;
  createdAt: number;
  modifiedAt: number;
  disableSessionTags?: boolean;
  targetRoleArn?: string;
  externalId?: string;
  /** The association's session policy (JSON text), as CreatePodIdentityAssociation takes it. */
  policy?: string;
}

/**
 * The three Pod Identity association calls irsa-check and the test seeding make, as the EKS API
 * reference documents them (REST-JSON: POST/GET /clusters/{name}/pod-identity-associations,
 * GET …/{associationId}; ResourceNotFoundException 404). Answers true when it answered.
 */
function answerPodIdentity(
  store: StoredAssociation[],
  account: string,
  req: IncomingMessage,
  body: string,
  res: ServerResponse,
): boolean {
  const url = new URL(req.url ?? '/', 'http://proxy');
  const m = /^\/clusters\/([^/]+)\/pod-identity-associations(?:\/([^/]+))?$/.exec(url.pathname);
  if (!m) return false;
  const cluster = decodeURIComponent(m[1]!);
  const id = m[2] && decodeURIComponent(m[2]);
  const region =
    /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? 'us-east-1';
  const json = (status: number, payload: unknown, error?: string) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(error ? { 'x-amzn-errortype': error } : {}),
    });
    res.end(JSON.stringify(payload));
  };
  if (req.method === 'POST' && !id) {
    const input = JSON.parse(body || '{}') as Partial<StoredAssociation>;
    const associationId = `a-${Array.from({ length: 17 }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(Math.random() * 36)]).join('')}`;
    const now = Math.floor(Date.now() / 1000);
    const a: StoredAssociation = {
      clusterName: cluster,
      namespace: input.namespace ?? '',
      serviceAccount: input.serviceAccount ?? '',
      roleArn: input.roleArn ?? '',
      associationArn: `arn:aws:eks:${region}:${account}:podidentityassociation/${cluster}/${associationId}`,
      associationId,
      createdAt: now,
      modifiedAt: now,
      ...(input.disableSessionTags ? { disableSessionTags: true } : {}),
      ...(input.targetRoleArn ? { targetRoleArn: input.targetRoleArn } : {}),
      ...(input.policy ? { policy: input.policy } : {}),
    };
    store.push(a);
    json(200, { association: a });
    return true;
  }
  if (req.method === 'GET' && id) {
    const a = store.find((x) => x.clusterName === cluster && x.associationId === id);
    if (!a) {
      json(
        404,
        { message: `Association ${id} not found`, clusterName: cluster },
        'ResourceNotFoundException',
      );
      return true;
    }
    json(200, { association: a });
    return true;
  }
  if (req.method === 'GET') {
    const ns = url.searchParams.get('namespace');
    const sa = url.searchParams.get('serviceAccount');
    const associations = store
      .filter(
        (x) => x.clusterName === cluster && (!ns || x.namespace === ns) && (!sa || x.serviceAccount === sa),
      )
      .map(({ clusterName, namespace, serviceAccount, associationArn, associationId }) => ({
        clusterName,
        namespace,
        serviceAccount,
        associationArn,
        associationId,
      }));
    json(200, { associations });
    return true;
  }
  return false;
}

export async function startAwsProxy(options: AwsProxyOptions): Promise<AwsProxy> {
  const target = new URL(options.target);
  const associations: StoredAssociation[] = [];
  /** Access key ID of credentials sts:AssumeRole handed out → the account of the role assumed. */
  const assumedIn = new Map<string, string>();
  /** Access key ID of a profile's long-term credentials → the account they belong to (pinKey). */
  const keyAccounts = new Map<string, string>();
  const faults = new Map<string, { kind: FaultKind; remaining: number }>();
  const requests: ProxiedRequest[] = [];

  const takeFault = (action: string): FaultKind | undefined => {
    for (const key of [action, '*']) {
      const f = faults.get(key);
      if (f && f.remaining > 0) {
        f.remaining -= 1;
        if (f.remaining === 0) faults.delete(key);
        return f.kind;
      }
    }
    return undefined;
  };

  let latencyMs = 0;
  let skewMs = 0;
  let kubeJwksUrl: string | undefined;
  const drips = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => (latencyMs > 0 ? setTimeout(answer, latencyMs) : answer()));
    const answer = () => {
      const body = Buffer.concat(chunks);
      const c = classify(req, body.toString('utf8'));
      const fault = takeFault(c.action);
      const path = req.url ?? '/';
      const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '');
      requests.push({
        action: c.action,
        method: req.method ?? 'GET',
        path,
        signed: typeof req.headers.authorization === 'string',
        ...(scope ? { accessKeyId: scope[1]!, region: scope[2]! } : {}),
        ...(fault ? { fault } : {}),
      });
      const now = Date.now() + skewMs;
      const requestMs = parseAmzDate(String(req.headers['x-amz-date'] ?? ''));
      if (fault === 'silent') return; // held open until the client gives up or the proxy closes
      if (fault && fault !== 'drip') {
        answerFault(res, fault, c, { now, ...(requestMs !== undefined ? { requestMs } : {}) });
        return;
      }
      if (skewMs !== 0 && requestMs !== undefined && Math.abs(requestMs - now) > 5 * 60_000) {
        answerFault(res, 'signatureExpired', c, { now, requestMs });
        return;
      }
      if (options.podIdentity && c.action === 'eks-auth:AssumeRoleForPodIdentity') {
        void answerEksAuth(
          {
            store: associations,
            target,
            account: options.accountId ?? '123456789012',
            jwksUrl: kubeJwksUrl,
            assumedIn,
          },
          req,
          body.toString('utf8'),
          res,
        );
        return;
      }
      if (
        options.podIdentity &&
        c.action.startsWith('eks:') &&
        /PodIdentityAssociation/.test(c.action) &&
        answerPodIdentity(associations, options.accountId ?? '123456789012', req, body.toString('utf8'), res)
      )
        return;
      const headers: Record<string, string | string[] | undefined> = { ...req.headers, host: target.host };
      // Credentials of a role assumed in another account act in that account, as on AWS.
      const pinned = (scope && (assumedIn.get(scope[1]!) ?? keyAccounts.get(scope[1]!))) ?? options.accountId;
      if (pinned) headers['x-moto-account-id'] = pinned;
      const assumedAccount =
        c.action === 'sts:AssumeRole'
          ? /arn(?:%3A|:)aws(?:%3A|:)iam(?:%3A|:)(?:%3A|:)(\d{12})(?:%3A|:)role/i.exec(
              body.toString('utf8'),
            )?.[1]
          : undefined;
      const upstream = httpRequest(
        { hostname: target.hostname, port: target.port, method: req.method, path, headers },
        (up) => {
          const out = { ...up.headers, ...(skewMs !== 0 ? { date: new Date(now).toUTCString() } : {}) };
          if (!assumedAccount && fault !== 'drip') {
            res.writeHead(up.statusCode ?? 502, out);
            up.pipe(res);
            return;
          }
          const parts: Buffer[] = [];
          up.on('data', (d: Buffer) => parts.push(d));
          up.on('end', () => {
            const answer = Buffer.concat(parts);
            if (assumedAccount) {
              const key = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(answer.toString('utf8'))?.[1];
              if (key) assumedIn.set(key, assumedAccount);
            }
            if (fault !== 'drip') {
              res.writeHead(up.statusCode ?? 502, out);
              res.end(answer);
              return;
            }
            // The headers at once, then the body a byte at a time: every byte is news to a socket
            // idle timeout, so only a deadline over the whole body ends it.
            delete out['content-length'];
            res.writeHead(up.statusCode ?? 502, { ...out, 'transfer-encoding': 'chunked' });
            let i = 0;
            const t = setInterval(() => {
              if (i >= answer.length || res.destroyed) {
                clearInterval(t);
                drips.delete(t);
                res.end();
                return;
              }
              res.write(answer.subarray(i, i + 1));
              i++;
            }, 200);
            drips.add(t);
          });
        },
      );
      upstream.on('error', (e) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy: moto_server unreachable: ${e.message}`);
      });
      upstream.end(body);
    };
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    ...(options.accountId ? { accountId: options.accountId } : {}),
    fail(action, kind, times = Number.POSITIVE_INFINITY) {
      faults.set(action, { kind, remaining: times });
    },
    reset() {
      faults.clear();
      requests.length = 0;
      skewMs = 0;
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    trustKubernetesIssuer(jwksUrl) {
      kubeJwksUrl = jwksUrl;
    },
    pinKey(accessKeyId, account) {
      keyAccounts.set(accessKeyId, account);
    },
    setClockSkew(ms) {
      skewMs = ms;
    },
    count(action) {
      return requests.filter((r) => r.action === action).length;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of drips) clearInterval(t);
        drips.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
