/**
 * Gathers what the OpenSearch check judges: the configured host's CNAME chain and region,
 * the region's domains and which of them the host is an endpoint of. A host the caller's
 * account holds no domain for is looked up in the accounts the OpenSearch components' roles
 * are in or their policies name (platform/accounts.ts). Errors are values: the evaluator
 * reports them where the module met them before the split. Publishes openSearchDomain as soon
 * as the domain is found, where the module did.
 */
import type { ModuleContext } from '../engine/module.js';
import type { OpenSearchDomain } from '../ports/aws.js';
import { locateHost, normalizeHost, REGION_PATTERN } from '../aws-hosts.js';
import {
  findElsewhere,
  otherAccounts,
  readableAccounts,
  plannedCredentials,
  accountsNamedByPolicies,
  type OtherAccount,
} from '../platform/accounts.js';

export type DomainEndpointKind = 'public' | 'vpc' | 'custom' | 'parsed';

export interface DomainMatch {
  domain: OpenSearchDomain;
  kind: DomainEndpointKind;
  via: string;
}

export interface ParsedDomainHost {
  name: string;
  kind: 'vpc' | 'public';
  region: string;
}

const DOMAIN_HOST = new RegExp(
  `^(vpc|search)-([a-z][a-z0-9-]*)-[a-z0-9]+\\.(${REGION_PATTERN})\\.es\\.amazonaws\\.com(?:\\.cn)?$`,
);

/** `vpc-<name>-<hash>.<region>.es.amazonaws.com` or `search-<name>-<hash>…`. */
export function parseDomainHost(host: string): ParsedDomainHost | undefined {
  const m = DOMAIN_HOST.exec(normalizeHost(host));
  if (!m) return undefined;
  const [, prefix, name = '', region = ''] = m;
  return { name, kind: prefix === 'vpc' ? 'vpc' : 'public', region };
}

/** The host without scheme, port or path: `https://x:443/` → `x`. */
function bareHost(endpoint: string): string {
  return normalizeHost(endpoint.replace(/^[a-z]+:\/\//i, '').replace(/[:/].*$/, ''));
}

/**
 * The domain a host belongs to: the host, then each name of its CNAME chain, is
 * compared with every domain's public endpoint, VPC endpoints and custom
 * endpoint; only when nothing matches is a `vpc-`/`search-` host parsed for the name.
 */
export function identifyDomain(
  host: string,
  domains: readonly OpenSearchDomain[],
  cnames: readonly string[] = [],
): DomainMatch | undefined {
  const names = [host, ...cnames].map(bareHost);
  for (const via of names) {
    for (const domain of domains) {
      const same = (e: string | undefined) => e !== undefined && e !== '' && bareHost(e) === via;
      if (same(domain.endpoint)) return { domain, kind: 'public', via };
      if (Object.values(domain.endpoints).some(same)) return { domain, kind: 'vpc', via };
      if (same(domain.customEndpoint)) return { domain, kind: 'custom', via };
    }
  }
  for (const via of names) {
    const parsed = parseDomainHost(via);
    const domain = parsed && domains.find((d) => d.name === parsed.name);
    if (domain) return { domain, kind: 'parsed', via };
  }
  return undefined;
}

export type OpenSearchInput =
  /** No OpenSearch host in the values: nothing to judge. */
  | { kind: 'none' }
  /** An API error before the judgement could start (irsa-check's own permissions, throttling). */
  | { kind: 'error'; error: unknown }
  | { kind: 'no-region'; host: string }
  | {
      kind: 'located';
      host: string;
      caller: string;
      region: string;
      cnames: string[];
      /** Why the CNAME chain could not be read (DNS), when it could not. */
      problem?: string;
      /** The caller's account's domains in the region. */
      domains: OpenSearchDomain[];
      /** The domain the host is an endpoint of (or names), in the caller's account or `account`. */
      match?: DomainMatch;
      /** The other account holding `match`; absent when it is the caller's. */
      account?: string;
      /** No match, and an account an OpenSearch component's role is in or names could not be read. */
      unread?: OtherAccount;
    };

type Ctx = ModuleContext<
  'osList' | 'openSearch' | 'caller',
  'region' | 'plan' | 'podIdentity',
  'openSearchDomain'
>;

/** Accounts besides the caller's where the domain may be: the OpenSearch components' roles' (platform/accounts.ts). */
async function elsewhere(ctx: Ctx, caller: string): Promise<OtherAccount[]> {
  const [plan, associations] = await Promise.all([ctx.use('plan'), ctx.use('podIdentity')]);
  const os = (plan ?? []).filter((c) => c.os);
  const planned = await Promise.all(
    os.map((c) => plannedCredentials(ctx.kube, ctx.scope.namespace, c, associations)),
  );
  // Roles of the caller's account whose policies name another account's domains point there.
  // The domain's lines have no component prefix: the component is named in the line.
  const named = (
    await Promise.all(
      planned.map((p, i) =>
        p ? accountsNamedByPolicies(ctx.aws, p.roleArn, 'es', caller, p.mechanism, os[i]!.key) : [],
      ),
    )
  ).flat();
  return otherAccounts(
    caller,
    planned.map((p, i) => (p ? { ...p, component: os[i]!.key } : undefined)),
    (a) => ctx.awsIn(a),
    readableAccounts(ctx.options),
    named,
  );
}

export async function collectOpenSearch(ctx: Ctx): Promise<OpenSearchInput> {
  const host = ctx.facts.openSearch.host;
  if (!host) return { kind: 'none' };
  try {
    const fallbackRegion = (await ctx.use('region')) ?? ctx.options.region;
    const { cnames, problem, region } = await locateHost(ctx, host, fallbackRegion);
    if (!region) return { kind: 'no-region', host };
    const domains = await ctx.aws.openSearchDomains(region);
    const caller = ctx.facts.caller.account;
    const found = identifyDomain(host, domains, cnames);
    // Not the caller's: the accounts of the OpenSearch components' roles may hold it (cross-account).
    const other = found
      ? {}
      : await findElsewhere(await elsewhere(ctx, caller), async (aws) =>
          identifyDomain(host, await aws.openSearchDomains(region), cnames),
        );
    const match = found ?? other.match;
    if (match) ctx.provide('openSearchDomain', { domain: match.domain, region });
    return {
      kind: 'located',
      host,
      caller,
      region,
      cnames,
      ...(problem !== undefined ? { problem } : {}),
      domains,
      ...(found ? { match: found } : other),
    };
  } catch (error) {
    return { kind: 'error', error };
  }
}
