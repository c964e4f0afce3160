/**
 * Amazon OpenSearch: which domain the configured host belongs to and whether it
 * is set up for IAM (IRSA) clients. The domain is found by matching the host
 * against each domain's endpoint, VPC endpoints and custom endpoint; the original
 * script parsed `vpc-<name>-<hash>` and broke on `search-…` and custom endpoints.
 * Whether the access policy admits each component's role is checked per role by
 * the roles module (code 212).
 */
import { defineModule } from '../core/module.js';
import type { Reporter } from '../core/reporter.js';
import type { Context } from '../core/context.js';
import type { OpenSearchDomain } from '../platform/aws.js';
import { normalizePolicy, PolicyParseError, type PolicyDocument } from '../iam/policy.js';
import { locateHost, normalizeHost } from './aurora.js';
import { requireRelease } from './release.js';

export const CODE_DOMAIN_UNKNOWN = 62;
export const CODE_DESCRIBE_DOMAIN = 63;
export const CODE_FGAC = 64;
export const CODE_HTTPS = 65;
export const CODE_DOMAIN_STATE = 66;
export const CODE_ACCESS_POLICY = 67;

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

const DOMAIN_HOST =
  /^(vpc|search)-([a-z][a-z0-9-]*)-[a-z0-9]+\.([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+)\.es\.amazonaws\.com(?:\.cn)?$/;

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

const KIND_TEXT: Record<Exclude<DomainEndpointKind, 'parsed'>, string> = {
  public: 'the public endpoint',
  vpc: 'the VPC endpoint',
  custom: 'the custom endpoint',
};

/** The domain's access policy, normalised; undefined when it has none. Throws PolicyParseError. */
export function domainAccessPolicy(domain: OpenSearchDomain): PolicyDocument | undefined {
  const raw = domain.accessPolicies;
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return undefined;
  return normalizePolicy(raw);
}

function checkSecurity(domain: OpenSearchDomain, region: string, out: Reporter): void {
  const name = domain.name;
  if (!domain.httpsEnforced) {
    out.fail(CODE_HTTPS, `OpenSearch domain ${name} does not enforce HTTPS`, {
      fix: `aws opensearch update-domain-config --region ${region} --domain-name ${name} --domain-endpoint-options EnforceHTTPS=true,TLSSecurityPolicy=Policy-Min-TLS-1-2-2019-07`,
    });
  }
  if (!domain.fineGrainedAccessControl) {
    // IRSA works without it: then the access policy alone decides (checked per role, code 212).
    out.warn(
      `fine-grained access control is disabled on OpenSearch domain ${name}: only its access policy controls what the roles may do`,
    );
    return;
  }
  if (domain.anonymousAuthEnabled) {
    out.fail(
      CODE_FGAC,
      `anonymous authentication is enabled on OpenSearch domain ${name}: unauthenticated requests get the anonymous role`,
      {
        fix: `aws opensearch update-domain-config --region ${region} --domain-name ${name} --advanced-security-options AnonymousAuthEnabled=false`,
      },
    );
  } else {
    out.ok(`fine-grained access control is enabled on OpenSearch domain ${name}, anonymous access off`);
  }
  if (domain.internalUserDatabaseEnabled) {
    out.info(
      `OpenSearch domain ${name}: the master user is in the internal user database; map the components' IAM roles to backend roles in OpenSearch security`,
    );
  } else if (domain.masterUserArn) {
    out.info(`OpenSearch domain ${name}: the master user is the IAM principal ${domain.masterUserArn}`);
  }
}

function checkState(domain: OpenSearchDomain, region: string, out: Reporter): void {
  const name = domain.name;
  if (domain.deleted) {
    out.fail(CODE_DOMAIN_STATE, `OpenSearch domain ${name} is being deleted`, {
      fix: `Point the OpenSearch host at a live domain (aws opensearch list-domain-names --region ${region}).`,
    });
  } else if (!domain.created) {
    out.fail(CODE_DOMAIN_STATE, `OpenSearch domain ${name} is still being created`, {
      fix: 'Wait until the domain is created, then run irsa-check again.',
    });
  } else if (domain.processing) {
    out.warn(`OpenSearch domain ${name} is still processing a configuration change`);
  }
}

function checkAccessPolicy(domain: OpenSearchDomain, out: Reporter): void {
  const name = domain.name;
  let policy: PolicyDocument | undefined;
  try {
    policy = domainAccessPolicy(domain);
  } catch (e) {
    if (!(e instanceof PolicyParseError)) throw e;
    out.fail(
      CODE_DOMAIN_STATE,
      `the access policy of OpenSearch domain ${name} cannot be read: ${e.message}`,
      {
        fix: `Correct the domain's access policy (aws opensearch describe-domain-config --domain-name ${name}).`,
      },
    );
    return;
  }
  const allows = policy?.Statement.filter((s) => s.Effect === 'Allow') ?? [];
  if (allows.length === 0) {
    out.fail(
      CODE_ACCESS_POLICY,
      `the access policy of OpenSearch domain ${name} has no Allow statement: no IAM role can reach it`,
      {
        fix: `Add an Allow statement for the components' roles on es:ESHttp* and ${domain.arn}/* to the domain's access policy.`,
      },
    );
    return;
  }
  out.ok(`the access policy of OpenSearch domain ${name} has ${allows.length} Allow statement(s)`);
}

export async function checkOpenSearchDomain(ctx: Context, out: Reporter): Promise<void> {
  const target = ctx.facts.openSearch;
  if (!target?.host) return;
  const host = target.host;
  const { cnames, problem, region } = await locateHost(ctx, host);
  if (!region) {
    out.fail(CODE_DOMAIN_UNKNOWN, `cannot tell the AWS region of OpenSearch host ${host}`, {
      fix: 'Pass the region of the OpenSearch domain with --region.',
    });
    return;
  }
  // An API error (irsa-check's own permissions, throttling) is reported by the dispatcher as such (code 2).
  const domains = await ctx.aws.openSearchDomains(region);
  const match = identifyDomain(host, domains, cnames);
  if (!match) {
    const parsed = [host, ...cnames].map(parseDomainHost).find((p) => p !== undefined);
    if (parsed) {
      out.fail(
        CODE_DESCRIBE_DOMAIN,
        `OpenSearch host ${host} names domain ${parsed.name}, but DescribeDomain finds no domain ${parsed.name} in ${region}`,
        {
          fix: `Point the OpenSearch host at an existing domain's endpoint (aws opensearch list-domain-names --region ${region}), or check --region.`,
        },
      );
      return;
    }
    const known = domains.map((d) => d.name).join(', ') || 'none';
    out.fail(
      CODE_DOMAIN_UNKNOWN,
      `OpenSearch host ${host} is not an endpoint of any OpenSearch domain in ${region} (domains: ${known})${problem ? `; ${problem}` : ''}`,
      {
        fix: `Set the OpenSearch host to the domain's endpoint, VPC endpoint or custom endpoint (aws opensearch describe-domain --domain-name <name> --region ${region}), or pass its region with --region.`,
      },
    );
    return;
  }
  const { domain } = match;
  target.domain = domain;
  target.region = region;
  const through = match.via === normalizeHost(host) ? '' : ` (CNAME of ${match.via})`;
  if (match.kind === 'parsed') {
    out.warn(
      `OpenSearch host ${host}${through} names domain ${domain.name} (${region}), but is none of its endpoints`,
    );
  } else {
    out.ok(`${host}${through} is ${KIND_TEXT[match.kind]} of OpenSearch domain ${domain.name} (${region})`);
  }
  checkState(domain, region, out);
  checkSecurity(domain, region, out);
  checkAccessPolicy(domain, out);
}

export const openSearch = defineModule({
  id: 'opensearch',
  title: 'Amazon OpenSearch domain',
  codes: [
    {
      code: CODE_DOMAIN_UNKNOWN,
      title: 'the OpenSearch host is not an endpoint of any domain in the region',
      fix: 'Set the OpenSearch host to the domain’s endpoint, or pass --region.',
    },
    {
      code: CODE_DESCRIBE_DOMAIN,
      title: 'DescribeDomain does not answer for the domain',
      fix: 'Point the OpenSearch host at an existing domain.',
    },
    {
      code: CODE_FGAC,
      title: 'fine-grained access control lets anonymous requests in',
      fix: 'Turn anonymous authentication off.',
    },
    {
      code: CODE_HTTPS,
      title: 'the OpenSearch domain does not enforce HTTPS',
      fix: 'Enforce HTTPS on the domain.',
    },
    {
      code: CODE_DOMAIN_STATE,
      title: 'the OpenSearch domain is not created, is deleted, or its access policy is unreadable',
      fix: 'Use a live domain with a valid access policy.',
    },
    {
      code: CODE_ACCESS_POLICY,
      title: 'the OpenSearch access policy has no Allow statement',
      fix: 'Allow the components’ roles in the domain’s access policy.',
    },
  ],
  async run(ctx, out) {
    if (!requireRelease(ctx, out)) return;
    if (!ctx.facts.openSearch?.host) {
      if ((ctx.facts.osList ?? []).length > 0) out.info('skipped: no OpenSearch host is known');
      return;
    }
    await checkOpenSearchDomain(ctx, out);
  },
});
