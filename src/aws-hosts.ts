/**
 * AWS service host names (RDS, OpenSearch, …): how two names compare, the region a
 * name states, and where a configured host really points (its CNAME chain). Shared by
 * the Aurora and OpenSearch modules; they pass the region to fall back on (the
 * cluster's, else --region) instead of reading it themselves.
 */
import { ApiCallError } from './core/errors.js';
import type { Services } from './core/context.js';

/** An AWS region in a host name: `eu-west-1`, `us-gov-west-1`, `us-isob-east-1`. */
export const REGION_PATTERN = '[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\\d+';

/** Lower case, no surrounding blanks, no trailing dots: how two host names compare. */
export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.+$/, '');
}

/** The region an AWS service host names (`….eu-west-1.rds.amazonaws.com`), if any. */
export function regionFromHost(host: string): string | undefined {
  const m = new RegExp(`\\.(${REGION_PATTERN})\\.(?:[a-z0-9-]+\\.)?amazonaws\\.com(?:\\.cn)?$`).exec(
    normalizeHost(host),
  );
  return m?.[1];
}

/** What resolving a host needs: the Aws interface and the --verbose log. */
export type HostServices = Pick<Services, 'aws' | 'debug'>;

/**
 * The CNAME chain of a host (e.g. `aurora.rds.your.domain` → the cluster endpoint).
 * A DNS failure is not fatal: the host is then matched as it is, and `problem` says why.
 */
export async function cnameChain(
  services: HostServices,
  host: string,
): Promise<{ cnames: string[]; problem?: string }> {
  try {
    return { cnames: await services.aws.resolveCname(host) };
  } catch (e) {
    if (!(e instanceof ApiCallError)) throw e;
    services.debug(`cannot resolve the CNAME of ${host} (${e.reason}): matching the host as it is`);
    return { cnames: [], problem: `its CNAME could not be resolved: ${e.reason}` };
  }
}

/**
 * Where an AWS service host lives: its CNAME chain, and the region the host (or a
 * name it points to) names, else `fallbackRegion` (the cluster's region, else --region).
 */
export async function locateHost(
  services: HostServices,
  host: string,
  fallbackRegion: string | undefined,
): Promise<{ cnames: string[]; problem?: string; region?: string }> {
  const chain = await cnameChain(services, host);
  const region = [host, ...chain.cnames].map(regionFromHost).find((r) => r !== undefined) ?? fallbackRegion;
  return { ...chain, ...(region !== undefined ? { region } : {}) };
}
