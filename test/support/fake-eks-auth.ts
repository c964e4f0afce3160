/**
 * EKS Auth's AssumeRoleForPodIdentity for the tests, answered by the AWS test proxy
 * (aws-fault-proxy.ts, `podIdentity`) from its stored Pod Identity associations; moto has no EKS
 * Auth. Built from the service's Smithy model (aws/aws-sdk-js-v3,
 * codegen/sdk-codegen/aws-models/eks-auth.json): restJson1, `POST
 * /clusters/{clusterName}/assume-role-for-pod-identity` with `{"token"}`; the answer's subject,
 * audience, podIdentityAssociation, assumedRoleUser and credentials (expiration in epoch seconds,
 * restJson1's default timestamp format); errors as `x-amzn-errortype` + `{"message"}` with the
 * model's status codes (InvalidToken/ExpiredToken/AccessDenied/InvalidParameter 400,
 * ResourceNotFound 404).
 *
 * What it checks, as EKS Pod Identity does for a pod's token:
 * - the token is a JWT of aud pods.eks.amazonaws.com, sub system:serviceaccount:<ns>:<sa>, not
 *   expired, and, when the fake Kubernetes API's JWKS answers (`jwksUrl`), signed by its issuer;
 * - an association of the cluster for that namespace and ServiceAccount exists;
 * - the role's trust policy has an Allow statement for the Service principal
 *   pods.eks.amazonaws.com with sts:AssumeRole and sts:TagSession (EKS User Guide, "Create the
 *   IAM role for Pod Identity" / pod-id-role); conditions are not evaluated;
 * then it gets the role's credentials from moto's STS AssumeRole (session name eks-<cluster>-…,
 * the model's documented format) and answers them. The AccessDenied wording for a role that does
 * not trust pods.eks.amazonaws.com is the fake's own: AWS does not document its message.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { compactVerify, createLocalJWKSet, decodeJwt, type JSONWebKeySet } from 'jose';
import type { StoredAssociation } from './aws-fault-proxy.js';

export const EKS_AUTH_ROUTE = /^\/clusters\/[^/]+\/assume-role-for-pod-identity$/;
const AUDIENCE = 'pods.eks.amazonaws.com';

export interface EksAuthContext {
  store: StoredAssociation[];
  /** moto_server. */
  target: URL;
  /** The account the world was seeded into (the association's default). */
  account: string;
  /** The fake Kubernetes API's JWKS: tokens are verified against it when it answers. */
  jwksUrl?: string | undefined;
  /** The proxy's map of assumed credentials → account (their later requests act there). */
  assumedIn: Map<string, string>;
}

function send(res: ServerResponse, status: number, payload: unknown, error?: string): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-requestid': `fake-eks-auth-${Date.now()}`,
    ...(error ? { 'x-amzn-errortype': error } : {}),
  });
  res.end(JSON.stringify(payload));
}

const STATUS: Record<string, number> = {
  InvalidTokenException: 400,
  ExpiredTokenException: 400,
  AccessDeniedException: 400,
  InvalidParameterException: 400,
  ResourceNotFoundException: 404,
};
const fail = (res: ServerResponse, code: string, message: string) =>
  send(res, STATUS[code] ?? 400, { message }, code);

/** A query-protocol call to moto as `account` (moto does not verify signatures). */
function moto(ctx: EksAuthContext, service: string, account: string, params: Record<string, string>) {
  const body = new URLSearchParams(params).toString();
  const date = new Date().toISOString().replace(/[-:]/g, '').slice(0, 8);
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        hostname: ctx.target.hostname,
        port: ctx.target.port,
        method: 'POST',
        path: '/',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          'x-moto-account-id': account,
          authorization: `AWS4-HMAC-SHA256 Credential=AKIAFAKEEKSAUTH00000/${date}/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
        },
      },
      (up) => {
        const parts: Buffer[] = [];
        up.on('data', (d: Buffer) => parts.push(d));
        up.on('end', () =>
          resolve({ status: up.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const xml = (text: string, tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text)?.[1];
const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];

/** A statement allowing pods.eks.amazonaws.com both actions (EKS User Guide, pod-id-role). */
export function trustsPodIdentity(policy: unknown): boolean {
  const st = (policy as { Statement?: unknown } | undefined)?.Statement;
  const statements: unknown[] = Array.isArray(st) ? st : st ? [st] : [];
  return statements.some((raw) => {
    const s = raw as { Effect?: string; Principal?: { Service?: unknown }; Action?: unknown };
    const actions = list(s.Action).map((a) => a.toLowerCase());
    const allows = (a: string) => actions.includes(a) || actions.includes('sts:*') || actions.includes('*');
    return (
      s.Effect === 'Allow' &&
      list(s.Principal?.Service).includes(AUDIENCE) &&
      allows('sts:assumerole') &&
      allows('sts:tagsession')
    );
  });
}

async function signatureOk(token: string, jwksUrl: string | undefined): Promise<boolean> {
  if (!jwksUrl) return true;
  let jwks: JSONWebKeySet;
  try {
    const r = await fetch(jwksUrl, { signal: AbortSignal.timeout(2000) });
    if (!r.ok) return true;
    jwks = (await r.json()) as JSONWebKeySet;
  } catch {
    return true; // the issuer's keys are not reachable: the signature is not checked
  }
  try {
    await compactVerify(token, createLocalJWKSet(jwks));
    return true;
  } catch {
    return false;
  }
}

export async function answerEksAuth(
  ctx: EksAuthContext,
  req: IncomingMessage,
  body: string,
  res: ServerResponse,
): Promise<void> {
  try {
    const cluster = decodeURIComponent(/^\/clusters\/([^/]+)\//.exec(req.url ?? '')?.[1] ?? '');
    let token = '';
    try {
      token = String((JSON.parse(body || '{}') as { token?: unknown }).token ?? '');
    } catch {
      return fail(res, 'InvalidParameterException', 'The request body is not JSON');
    }
    // The model's JwtToken pattern.
    if (!/^[A-Za-z0-9-_=]+\.[A-Za-z0-9-_=]+\.[A-Za-z0-9-_=]+$/.test(token))
      return fail(res, 'InvalidParameterException', 'token is not a JWT');
    let claims;
    try {
      claims = decodeJwt(token);
    } catch {
      return fail(res, 'InvalidTokenException', 'The service account token is not a valid JWT');
    }
    const aud = list(claims.aud);
    if (!aud.includes(AUDIENCE))
      return fail(res, 'InvalidTokenException', `The token's audience ${aud.join(',')} is not ${AUDIENCE}`);
    const sub = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(String(claims.sub ?? ''));
    if (!sub)
      return fail(
        res,
        'InvalidTokenException',
        `The token's subject ${String(claims.sub)} is no service account`,
      );
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now())
      return fail(res, 'ExpiredTokenException', 'The service account token is expired');
    if (!(await signatureOk(token, ctx.jwksUrl)))
      return fail(
        res,
        'InvalidTokenException',
        "The token's signature does not verify against the cluster's keys",
      );
    const [, namespace, serviceAccount] = sub as unknown as [string, string, string];
    const a = ctx.store.find(
      (x) => x.clusterName === cluster && x.namespace === namespace && x.serviceAccount === serviceAccount,
    );
    if (!a)
      return fail(
        res,
        'ResourceNotFoundException',
        `No Pod Identity Association found for cluster ${cluster}, namespace ${namespace}, service account ${serviceAccount}`,
      );
    const roleArn = a.targetRoleArn ?? a.roleArn;
    const first = a.roleArn;
    const roleAccount = (arn: string) => arn.split(':')[4] || ctx.account;
    const got = await moto(ctx, 'iam', roleAccount(first), {
      Action: 'GetRole',
      RoleName: first.split('/').pop() ?? '',
      Version: '2010-05-08',
    });
    const doc = xml(got.text, 'AssumeRolePolicyDocument');
    let policy: unknown;
    try {
      policy = doc ? (JSON.parse(decodeURIComponent(doc.replace(/&quot;/g, '"'))) as unknown) : undefined;
    } catch {
      policy = undefined;
    }
    if (got.status !== 200 || !trustsPodIdentity(policy))
      return fail(
        res,
        'AccessDeniedException',
        `Unable to sts:AssumeRole and sts:TagSession on ${first}: its trust policy does not allow ${AUDIENCE}`,
      );
    const session = `eks-${cluster}-${serviceAccount}`.slice(0, 50) + `-${Date.now() % 1e9}`;
    const sts = await moto(ctx, 'sts', roleAccount(roleArn), {
      Action: 'AssumeRole',
      RoleArn: roleArn,
      RoleSessionName: session.slice(0, 64),
      DurationSeconds: '900',
      Version: '2011-06-15',
    });
    const accessKeyId = xml(sts.text, 'AccessKeyId');
    const arn = xml(sts.text, 'Arn');
    if (sts.status !== 200 || !accessKeyId || !arn)
      return fail(res, 'AccessDeniedException', `Unable to sts:AssumeRole on ${roleArn}`);
    ctx.assumedIn.set(accessKeyId, roleAccount(roleArn));
    const expiration = Date.parse(xml(sts.text, 'Expiration') ?? '') || Date.now() + 900_000;
    send(res, 200, {
      subject: { namespace, serviceAccount },
      audience: AUDIENCE,
      podIdentityAssociation: { associationArn: a.associationArn, associationId: a.associationId },
      assumedRoleUser: { arn, assumeRoleId: xml(sts.text, 'AssumedRoleId') ?? '' },
      credentials: {
        sessionToken: xml(sts.text, 'SessionToken') ?? '',
        secretAccessKey: xml(sts.text, 'SecretAccessKey') ?? '',
        accessKeyId,
        expiration: Math.floor(expiration / 1000),
      },
    });
  } catch (e) {
    if (!res.headersSent) send(res, 500, { message: String(e) }, 'InternalServerException');
  }
}
