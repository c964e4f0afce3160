/**
 * The issuer's public OIDC discovery, fetched the way STS fetches it: HTTPS with
 * a certificate valid for the host, `<issuer>/.well-known/openid-configuration`,
 * then its `jwks_uri`. The answer is plain JSON (recorded in bundles via
 * ctx.derive, replayed offline) and never an exception: every failure is a
 * `problem` in words. AWS: "Create an OpenID Connect (OIDC) identity provider in
 * IAM" (the discovery document and JWKS must be publicly reachable over HTTPS).
 */
import { rootCertificates, connect, type PeerCertificate, type DetailedPeerCertificate } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { errorMessage } from '../core/errors.js';
import type { Jwks } from '../ports/kube.js';

export type { Jwks };

export interface PublicIssuerAnswer {
  /** The discovery document, when it was fetched and is JSON. */
  configuration?: { issuer?: string; jwks_uri?: string };
  /** Why the discovery document could not be used. */
  configurationProblem?: string;
  jwksUri?: string;
  jwks?: Jwks;
  jwksProblem?: string;
  /** The issuer host's TLS chain, leaf first, as this machine verified it. */
  chain?: ChainCert[];
}

export interface ChainCert {
  subject: string;
  /** SHA-1 of the DER, lower-case hex: what IAM calls a thumbprint. */
  sha1: string;
  /** In Node's bundled Mozilla root store, i.e. a public CA AWS trusts without a thumbprint. */
  publicRoot: boolean;
}

const PUBLIC_ROOTS = new Set(
  rootCertificates.map((pem) => {
    try {
      return new X509Certificate(pem).fingerprint.replace(/:/g, '').toLowerCase();
    } catch {
      return '';
    }
  }),
);

/** The verified certificate chain of the issuer's host (leaf first); undefined when TLS fails. */
export function issuerChain(issuer: string, timeoutMs: number): Promise<ChainCert[] | undefined> {
  let u: URL;
  try {
    u = new URL(issuer);
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const socket = connect({
      host: u.hostname,
      port: Number(u.port || 443),
      ...(/^[\d.]+$|:/.test(u.hostname) ? {} : { servername: u.hostname }),
      timeout: timeoutMs,
    });
    const done = (v: ChainCert[] | undefined) => {
      socket.destroy();
      resolve(v);
    };
    socket.once('secureConnect', () => {
      const chain: ChainCert[] = [];
      let cert: PeerCertificate | DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      const seen = new Set<string>();
      while (cert && cert.raw && !seen.has(cert.fingerprint)) {
        seen.add(cert.fingerprint);
        const sha1 = cert.fingerprint.replace(/:/g, '').toLowerCase();
        chain.push({ subject: String(cert.subject?.CN ?? ''), sha1, publicRoot: PUBLIC_ROOTS.has(sha1) });
        cert = (cert as DetailedPeerCertificate).issuerCertificate;
      }
      done(chain);
    });
    socket.once('error', () => done(undefined));
    socket.once('timeout', () => done(undefined));
  });
}

/** Node's TLS error codes in words a person acts on. */
const TLS_WORDS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate is not valid for the host',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate chain ends in an untrusted self-signed CA',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate is not signed by a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its TLS certificate is not signed by a trusted CA',
  CERT_NOT_YET_VALID: 'its TLS certificate is not valid yet',
  ECONNREFUSED: 'the connection was refused',
  ENOTFOUND: 'the host name does not resolve',
  ECONNRESET: 'the connection was reset',
};

export function describeFetchError(e: unknown): string {
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError'))
    return 'no answer in time';
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code;
  if (code && TLS_WORDS[code]) return `${TLS_WORDS[code]} (${code})`;
  return code ?? cause?.message ?? errorMessage(e);
}

async function getJson(url: string, timeoutMs: number): Promise<{ json?: unknown; problem?: string }> {
  if (!/^https:\/\//i.test(url)) return { problem: `${url} is not an HTTPS URL` };
  try {
    const res = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' },
      redirect: 'follow',
    });
    if (!res.ok) return { problem: `HTTP ${res.status}` };
    try {
      return { json: await res.json() };
    } catch {
      return { problem: 'the answer is not JSON' };
    }
  } catch (e) {
    return { problem: describeFetchError(e) };
  }
}

export async function fetchPublicIssuer(issuer: string, timeoutMs: number): Promise<PublicIssuerAnswer> {
  const base = issuer.trim().replace(/\/+$/, '');
  const [doc, chain] = await Promise.all([
    getJson(`${base}/.well-known/openid-configuration`, timeoutMs),
    /^https:/i.test(base) ? issuerChain(base, timeoutMs) : Promise.resolve(undefined),
  ]);
  if (doc.problem) return { configurationProblem: doc.problem };
  const configuration = doc.json as { issuer?: unknown; jwks_uri?: unknown } | null;
  if (!configuration || typeof configuration !== 'object') {
    return { configurationProblem: 'the discovery document is not a JSON object' };
  }
  const answer: PublicIssuerAnswer = {
    ...(chain ? { chain } : {}),
    configuration: {
      ...(typeof configuration.issuer === 'string' ? { issuer: configuration.issuer } : {}),
      ...(typeof configuration.jwks_uri === 'string' ? { jwks_uri: configuration.jwks_uri } : {}),
    },
  };
  const jwksUri = answer.configuration!.jwks_uri;
  if (!jwksUri) return { ...answer, jwksProblem: 'the discovery document names no jwks_uri' };
  answer.jwksUri = jwksUri;
  const keys = await getJson(jwksUri, timeoutMs);
  if (keys.problem) return { ...answer, jwksProblem: keys.problem };
  const jwks = keys.json as Jwks | null;
  if (!jwks || !Array.isArray(jwks.keys)) return { ...answer, jwksProblem: 'the answer is not a JWKS' };
  return { ...answer, jwks };
}

/** A key's material, independent of kid/alg/use: what a signature is actually checked with. */
export function keyMaterial(k: Record<string, unknown>): string {
  if (k.kty === 'RSA') return `RSA:${String(k.n)}:${String(k.e)}`;
  if (k.kty === 'EC') return `EC:${String(k.crv)}:${String(k.x)}:${String(k.y)}`;
  if (k.kty === 'OKP') return `OKP:${String(k.crv)}:${String(k.x)}`;
  return JSON.stringify(k);
}

/** How IAM compares an issuer with a provider URL: no scheme, host case-insensitive, path exact. */
export function issuerKey(url: string): string {
  const hostPath = url
    .trim()
    .replace(/^https:\/\//i, '')
    .replace(/\/+$/, '');
  const slash = hostPath.indexOf('/');
  return slash < 0 ? hostPath.toLowerCase() : hostPath.slice(0, slash).toLowerCase() + hostPath.slice(slash);
}
