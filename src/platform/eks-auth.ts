/**
 * EKS Auth's AssumeRoleForPodIdentity, the call the EKS Pod Identity Agent makes for a pod
 * (aws/eks-pod-identity-agent, internal/cloud/eksauth/service.go), made from here by the
 * pod-less proof with a ServiceAccount token of aud pods.eks.amazonaws.com.
 *
 * Why by hand: @aws-sdk/client-eks-auth is not available from the npm registry irsa-check is
 * built from, so the documented REST call is signed with the signer the SDK itself uses
 * (@smithy/signature-v4, platform/sigv4.ts) and sent through the SDK's request handler with
 * irsa-check's deadline (platform/aws-http-handler.ts). Everything about the wire comes from
 * the service's Smithy model (aws/aws-sdk-js-v3, codegen/sdk-codegen/aws-models/eks-auth.json):
 * - restJson1, SigV4 signing name `eks-auth`;
 * - `POST /clusters/{clusterName}/assume-role-for-pod-identity`, body `{"token"}`;
 * - endpoint `https://eks-auth.{Region}.{dualStackDnsSuffix}` (api.aws; api.amazonwebservices.com.cn
 *   in China), or the configured endpoint (SDK::Endpoint): AWS_ENDPOINT_URL_EKS_AUTH, else
 *   AWS_ENDPOINT_URL, as the SDKs' service-specific endpoint settings name them;
 * - errors: AccessDenied, ExpiredToken, InvalidParameter, InvalidRequest, InvalidToken (400),
 *   ResourceNotFound (404), Throttling (429), InternalServer (500), ServiceUnavailable (503),
 *   named by the `x-amzn-errortype` header or the body's `__type`/`code`.
 * Retries follow the SDK's standard strategy (throttling, 429, 5xx, connect timeouts; 5 attempts,
 * exponential backoff with jitter); errors are thrown shaped as the SDK throws them, so
 * live-aws.ts maps them as every other call (awsError). The token and the credentials are
 * never printed or recorded.
 */
import type { IncomingMessage } from 'node:http';
import type { TemporaryCredentials } from '../ports/aws.js';
import type { PodIdentityAnswer } from '../ports/eks-auth.js';
import { signedHeaders } from './sigv4.js';
import { isClockSkew, isThrottling } from './aws-error-kinds.js';

/** The SigV4 signing name and the service's endpoint prefix (the model's aws.auth#sigv4, aws.api#service). */
export const EKS_AUTH_SERVICE = 'eks-auth';

/** Where the call goes: the configured endpoint, else the region's dual-stack one. */
export function eksAuthEndpoint(region: string, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.AWS_ENDPOINT_URL_EKS_AUTH ?? env.AWS_ENDPOINT_URL;
  if (configured) return configured;
  // The model's endpoint rule: PartitionResult#dualStackDnsSuffix.
  const suffix = region.startsWith('cn-') ? 'api.amazonwebservices.com.cn' : 'api.aws';
  return `https://${EKS_AUTH_SERVICE}.${region}.${suffix}`;
}

/** The request handler's contract (platform/aws-http-handler.ts DeadlineHttpHandler). */
export interface RequestHandler {
  handle(
    request: never,
  ): Promise<{ response: { statusCode: number; headers: Record<string, string>; body?: unknown } }>;
}

export interface EksAuthCall {
  cluster: string;
  token: string;
  region: string;
  /** The identity irsa-check runs as (the call is signed, unlike AssumeRoleWithWebIdentity). */
  credentials: TemporaryCredentials;
  handler: RequestHandler;
  maxAttempts: number;
  /** AWS's clock minus this machine's (ms), as the SDK clients measured it (LiveAws.clockOffsetMs). */
  clockOffsetMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** An error answer, shaped as the SDK throws one (name, message, $metadata), for awsError. */
export class EksAuthError extends Error {
  readonly $metadata: { httpStatusCode?: number; attempts: number };
  readonly $response: { headers: Record<string, string> };
  constructor(
    code: string,
    message: string,
    status: number | undefined,
    attempts: number,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = code;
    this.$metadata = { ...(status !== undefined ? { httpStatusCode: status } : {}), attempts };
    this.$response = { headers };
  }
}

/** At most this much of an answer is read: EKS Auth's answers are a few hundred bytes. */
const MAX_ANSWER_BYTES = 64 * 1024;

async function readBody(body: unknown): Promise<string> {
  if (typeof body === 'string') return body;
  const stream = body as IncomingMessage | undefined;
  if (!stream || typeof (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator] !== 'function') return '';
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > MAX_ANSWER_BYTES) {
      stream.destroy();
      break;
    }
    parts.push(b);
  }
  return Buffer.concat(parts).toString('utf8');
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** restJson1's error code: `x-amzn-errortype`, else `__type`/`code`, without namespace or `:` suffix. */
function errorCode(
  headers: Record<string, string>,
  body: Record<string, unknown> | undefined,
): string | undefined {
  const raw =
    headers['x-amzn-errortype'] ??
    (typeof body?.__type === 'string' ? body.__type : undefined) ??
    (typeof body?.code === 'string' ? body.code : undefined);
  if (!raw) return undefined;
  return raw.split(':')[0]!.split('#').pop();
}

const RETRYABLE_CODES =
  /^(ThrottlingException|Throttling|TooManyRequestsException|InternalServerException|ServiceUnavailableException)$/;
const TRANSIENT_NETWORK = /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|TimeoutError)$/;

function retryable(e: unknown): boolean {
  if (e instanceof EksAuthError) {
    const s = e.$metadata.httpStatusCode;
    return RETRYABLE_CODES.test(e.name) || s === 429 || (s !== undefined && s >= 500);
  }
  const err = e as { name?: string; code?: string };
  // The deadline handler's RequestDeadlineError (after the connection) is not retried.
  return TRANSIENT_NETWORK.test(err?.name ?? '') || TRANSIENT_NETWORK.test(err?.code ?? '');
}

/** AWS's time from a clock-skew refusal's Date header; undefined for any other answer. */
function skewedServerTime(e: unknown): number | undefined {
  if (!(e instanceof EksAuthError)) return undefined;
  const date = Date.parse(e.$response.headers.date ?? '');
  return isClockSkew(e) && !Number.isNaN(date) ? date : undefined;
}

/** The standard strategy's delay: full jitter over 100 ms × 2^n (500 ms for throttling), at most 20 s. */
function backoffMs(attempt: number, throttled: boolean): number {
  const base = throttled ? 500 : 100;
  return Math.random() * Math.min(20_000, base * 2 ** (attempt - 1));
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The model's AssumeRoleForPodIdentityResponse, every required member checked. */
function toAnswer(body: Record<string, unknown> | undefined, attempts: number): PodIdentityAnswer {
  const o = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
  const subject = o(body?.subject);
  const association = o(body?.podIdentityAssociation);
  const assumed = o(body?.assumedRoleUser);
  const c = o(body?.credentials);
  const namespace = str(subject.namespace);
  const serviceAccount = str(subject.serviceAccount);
  const associationArn = str(association.associationArn);
  const associationId = str(association.associationId);
  const arn = str(assumed.arn);
  if (!namespace || !serviceAccount || !associationId || !arn) {
    throw new EksAuthError(
      'EmptyAnswer',
      'EKS Auth answered without the subject, the association or the assumed role',
      200,
      attempts,
    );
  }
  const accessKeyId = str(c.accessKeyId);
  const secretAccessKey = str(c.secretAccessKey);
  const sessionToken = str(c.sessionToken);
  return {
    subject: { namespace, serviceAccount },
    audience: str(body?.audience) ?? '',
    podIdentityAssociation: { associationArn: associationArn ?? '', associationId },
    assumedRoleArn: arn,
    ...(accessKeyId && secretAccessKey && sessionToken
      ? { credentials: { accessKeyId, secretAccessKey, sessionToken } }
      : {}),
  };
}

async function attempt(
  call: EksAuthCall,
  url: URL,
  body: string,
  n: number,
  offsetMs: number,
): Promise<PodIdentityAnswer> {
  const headers = await signedHeaders(
    call.credentials,
    call.region,
    EKS_AUTH_SERVICE,
    url,
    'POST',
    body,
    new Date(Date.now() + offsetMs),
  );
  const { response } = await call.handler.handle({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: {},
    headers,
    body,
  } as never);
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(response.headers ?? {})) lower[k.toLowerCase()] = String(v);
  const text = await readBody(response.body);
  const json = parseJson(text);
  if (response.statusCode >= 200 && response.statusCode < 300) return toAnswer(json, n);
  const code = errorCode(lower, json);
  const message =
    str(json?.message) ??
    str(json?.Message) ??
    (code ? '' : `HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
  // No error code: not an EKS Auth answer (an emulator's HTML 404 page, a proxy's error page).
  throw new EksAuthError(
    code ?? (response.statusCode === 404 ? 'NotImplemented' : 'UnknownError'),
    message,
    response.statusCode,
    n,
    lower,
  );
}

/** One AssumeRoleForPodIdentity, retried as the SDK's standard strategy retries. */
export async function assumeRoleForPodIdentity(call: EksAuthCall): Promise<PodIdentityAnswer> {
  const base = eksAuthEndpoint(call.region, call.env).replace(/\/+$/, '');
  const url = new URL(`${base}/clusters/${encodeURIComponent(call.cluster)}/assume-role-for-pod-identity`);
  const body = JSON.stringify({ token: call.token });
  let offsetMs = call.clockOffsetMs ?? 0;
  let corrected = false;
  for (let n = 1; ; n++) {
    try {
      return await attempt(call, url, body, n, offsetMs);
    } catch (e) {
      // As the SDK does: a signature refused for its time is signed again once with AWS's clock
      // (the answer's Date header); a refusal after that is the skew awsError reports.
      const serverMs = skewedServerTime(e);
      if (serverMs !== undefined && !corrected && n < call.maxAttempts) {
        corrected = true;
        offsetMs = serverMs - Date.now();
        continue;
      }
      if (n >= call.maxAttempts || !retryable(e)) {
        if (e instanceof EksAuthError) e.$metadata.attempts = n;
        throw e;
      }
      await new Promise((r) => setTimeout(r, backoffMs(n, e instanceof EksAuthError && isThrottling(e))));
    }
  }
}
