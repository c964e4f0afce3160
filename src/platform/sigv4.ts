/**
 * SigV4 for the direct data-plane proofs, with @smithy/signature-v4 (the signer the
 * AWS SDK itself uses): the RDS IAM auth token (a presigned `connect` URL, service
 * `rds-db`, 15 minutes; RDS user guide, "Connecting to your DB cluster using IAM
 * authentication"), signed OpenSearch requests (service `es`) and EKS Auth's
 * AssumeRoleForPodIdentity (service `eks-auth`, platform/eks-auth.ts). Credentials and
 * tokens made here are never printed or recorded.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { TemporaryCredentials } from '../ports/aws.js';

/** The Checksum the signer needs, over node:crypto (SHA-256, HMAC when given a key). */
type Source = string | ArrayBuffer | ArrayBufferView;

function bytes(data: Source): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

class Sha256 {
  private h: Hash | Hmac;
  constructor(private readonly secret?: Source) {
    this.h = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
  update(data: Source): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {
    this.h = this.fresh();
  }
}

async function signer(credentials: TemporaryCredentials, region: string, service: string) {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  return new SignatureV4({ credentials, region, service, sha256: Sha256, uriEscapePath: true });
}

/** RDS IAM authentication token: `host:port/?Action=connect&DBUser=…&X-Amz-…`, valid 15 minutes. */
export async function rdsAuthToken(
  credentials: TemporaryCredentials,
  region: string,
  host: string,
  port: number,
  user: string,
): Promise<string> {
  const s = await signer(credentials, region, 'rds-db');
  const presigned = await s.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname: host,
      port,
      path: '/',
      query: { Action: 'connect', DBUser: user },
      headers: { host: `${host}:${port}` },
    },
    { expiresIn: 900 },
  );
  const query = Object.entries(presigned.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return `${host}:${port}/?${query}`;
}

/**
 * Headers of a SigV4-signed request, for `fetch` or the SDK's request handler: without a body
 * (GET), or with a JSON body (a REST-JSON POST such as EKS Auth's AssumeRoleForPodIdentity).
 */
export async function signedHeaders(
  credentials: TemporaryCredentials,
  region: string,
  service: string,
  url: URL,
  method = 'GET',
  body?: string,
  /** The time to sign with: this machine's, corrected by AWS's clock offset when one is known. */
  signingDate?: Date,
): Promise<Record<string, string>> {
  const s = await signer(credentials, region, service);
  const query: Record<string, string> = {};
  url.searchParams.forEach((v, k) => (query[k] = v));
  const signed = await s.sign(
    {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: {
        host: url.host,
        'x-amz-content-sha256': createHash('sha256')
          .update(body ?? '')
          .digest('hex'),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body } : {}),
    },
    signingDate ? { signingDate } : {},
  );
  return signed.headers as Record<string, string>;
}
