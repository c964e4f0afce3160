/**
 * The OIDC issuer's public discovery document and JWKS, fetched over HTTPS the way
 * STS reads them. A run reaches it only through `publicDiscovery`, which goes
 * through `Services.derive`: fetched live, recorded in a bundle, answered from it
 * on --replay (which stays offline).
 *
 * On a self-managed cluster the issuer-chain module fetches the same documents
 * (fetchPublicIssuer, issuer.ts: HTTPS only, the TLS chain too, its own words for each
 * link) and shares its answer as the `publicIssuer` fact, read through `discoveryOf`: one
 * fetch per run. This fetcher serves the rest (an EKS issuer: 3 s in all, the cause as
 * Node names it). Both answers keep their own names and shapes in bundles, so old
 * bundles replay as they were recorded.
 */
import { ApiCallError, errorMessage } from '../core/errors.js';
import type { Services } from '../core/context.js';
import type { Jwks, PublicIssuerAnswer } from './issuer.js';

export interface PublicDiscovery {
  /** The issuer the public discovery document names. */
  issuer?: string;
  jwksUri: string;
  jwks: Jwks;
}

/** The public discovery as recorded in bundles and replayed: never an exception. */
export type PublicDiscoveryAnswer =
  ({ reachable: true } & PublicDiscovery) | { reachable: false; reason: string };

/** The public discovery one module fetched for an issuer, for another to read instead of fetching again. */
export interface SharedPublicDiscovery {
  /** The issuer URL it was fetched for. */
  issuer: string;
  answer: PublicDiscoveryAnswer;
}

/** The issuer-chain module's answer (discovery, JWKS, TLS chain) as the token check reads it. */
export function discoveryOf(pub: PublicIssuerAnswer): PublicDiscoveryAnswer {
  if (pub.configurationProblem) return { reachable: false, reason: pub.configurationProblem };
  if (!pub.jwks || !pub.jwksUri) return { reachable: false, reason: pub.jwksProblem ?? 'no JWKS' };
  return {
    reachable: true,
    ...(pub.configuration?.issuer !== undefined ? { issuer: pub.configuration.issuer } : {}),
    jwksUri: pub.jwksUri,
    jwks: pub.jwks,
  };
}

/** The `derive` name the public discovery is recorded under. */
export const DERIVED_PUBLIC_DISCOVERY = 'publicIssuerDiscovery';
const PUBLIC_DISCOVERY_TIMEOUT_MS = 3000;

async function fetchJson(url: string, signal: AbortSignal): Promise<unknown> {
  const res = await fetch(url, { signal, headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
  return res.json();
}

/**
 * The issuer's public discovery document and JWKS: what STS itself reads. A
 * seam for tests (replace `fetch`); network problems are thrown, never fatal.
 */
export const publicIssuer = {
  async fetch(issuer: string, timeoutMs: number): Promise<PublicDiscovery> {
    const signal = AbortSignal.timeout(timeoutMs);
    const base = issuer.replace(/\/+$/, '');
    const config = (await fetchJson(`${base}/.well-known/openid-configuration`, signal)) as {
      issuer?: string;
      jwks_uri?: string;
    };
    if (!config?.jwks_uri) throw new Error('the discovery document has no jwks_uri');
    const jwks = (await fetchJson(config.jwks_uri, signal)) as Jwks;
    if (!Array.isArray(jwks?.keys)) throw new Error(`${config.jwks_uri} is not a JWKS`);
    return { issuer: config.issuer, jwksUri: config.jwks_uri, jwks };
  },
};

function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  if (e instanceof Error && e.name === 'TimeoutError') return 'no answer in time';
  return cause?.code ?? cause?.message ?? errorMessage(e);
}

/** Fetched live, recorded in a bundle, answered from it on --replay (which stays offline). */
export async function publicDiscovery(
  services: Pick<Services, 'derive'>,
  issuer: string,
): Promise<PublicDiscoveryAnswer> {
  try {
    return await services.derive<PublicDiscoveryAnswer>(DERIVED_PUBLIC_DISCOVERY, [issuer], async () => {
      try {
        return { reachable: true, ...(await publicIssuer.fetch(issuer, PUBLIC_DISCOVERY_TIMEOUT_MS)) };
      } catch (e) {
        return { reachable: false, reason: causeOf(e) };
      }
    });
  } catch (e) {
    // a bundle recorded without it
    return { reachable: false, reason: e instanceof ApiCallError ? e.reason : errorMessage(e) };
  }
}
