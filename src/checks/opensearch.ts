/**
 * Amazon OpenSearch: which domain the configured host belongs to and whether it
 * is set up for IAM (IRSA) clients. The domain is found by matching the host
 * against each domain's endpoint, VPC endpoints and custom endpoint; the original
 * script parsed `vpc-<name>-<hash>` and broke on `search-…` and custom endpoints.
 * Whether the access policy, together with each component's own policies, lets the role
 * in is checked per role by the roles module (code 212). Provides the openSearchDomain fact.
 */
import { defineModule, type ModuleContext } from '../engine/module.js';
import type { Reporter } from '../core/reporter.js';
import type { OpenSearchDomain } from '../ports/aws.js';
import { PolicyParseError, type PolicyDocument } from '../iam/policy.js';
import { domainAccessPolicy } from '../iam/domain-policy.js';
import { locateHost, normalizeHost, REGION_PATTERN } from '../aws-hosts.js';
import {
  cannotFindFrom,
  findElsewhere,
  otherAccounts,
  readableAccounts,
  plannedCredentials,
  accountsNamedByPolicies,
  type OtherAccount,
} from '../platform/accounts.js';
import { parseArn } from '../iam/arn.js';

const CHECKS = {
  'os-domain': {
    severity: 'FAIL',
    code: 62,
    title: 'the OpenSearch host is not an endpoint of any domain in the region (or its region is unknown)',
    fix: 'Set the OpenSearch host to the domain’s endpoint, or pass --region.',
  },
  'os-domain-exists': {
    severity: 'FAIL',
    code: 63,
    title: 'DescribeDomain does not answer for the domain the OpenSearch host names',
    fix: 'Point the OpenSearch host at an existing domain.',
  },
  'os-domain-endpoint': {
    severity: 'WARN',
    title: 'the OpenSearch host names a domain but is none of its endpoints',
    fix: 'Set the OpenSearch host to the domain’s endpoint, VPC endpoint or custom endpoint.',
  },
  'os-anonymous-auth': {
    severity: 'FAIL',
    code: 64,
    title: 'fine-grained access control lets anonymous requests in',
    fix: 'Turn anonymous authentication off.',
  },
  'os-fgac': {
    severity: 'WARN',
    title:
      'fine-grained access control is disabled on the OpenSearch domain: only its access policy controls what the roles may do',
    fix: 'Enable fine-grained access control on the domain and map the components’ roles to backend roles.',
  },
  'os-https': {
    severity: 'FAIL',
    code: 65,
    title: 'the OpenSearch domain does not enforce HTTPS',
    fix: 'Enforce HTTPS on the domain.',
  },
  'os-domain-state': {
    severity: 'FAIL',
    code: 66,
    title: 'the OpenSearch domain is not created, or is being deleted',
    fix: 'Use a live domain.',
  },
  'os-domain-processing': {
    severity: 'WARN',
    title: 'the OpenSearch domain is still processing a configuration change',
    fix: 'Wait until the change is applied, then run irsa-check again.',
  },
  'os-access-policy-readable': {
    severity: 'FAIL',
    code: 66,
    title: 'the OpenSearch domain’s access policy is unreadable',
    fix: 'Correct the domain’s access policy.',
  },
  'os-access-policy': {
    severity: 'FAIL',
    code: 67,
    title: 'the OpenSearch access policy has no Allow statement',
    fix: 'Allow the components’ roles in the domain’s access policy.',
  },
} as const;
type Id = keyof typeof CHECKS;

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

const KIND_TEXT: Record<Exclude<DomainEndpointKind, 'parsed'>, string> = {
  public: 'the public endpoint',
  vpc: 'the VPC endpoint',
  custom: 'the custom endpoint',
};

function checkSecurity(domain: OpenSearchDomain, region: string, out: Reporter<Id>): void {
  const name = domain.name;
  if (!domain.httpsEnforced) {
    out.fail('os-https', `OpenSearch domain ${name} does not enforce HTTPS`, {
      fix: `aws opensearch update-domain-config --region ${region} --domain-name ${name} --domain-endpoint-options EnforceHTTPS=true,TLSSecurityPolicy=Policy-Min-TLS-1-2-2019-07`,
    });
  }
  if (!domain.fineGrainedAccessControl) {
    // IRSA works without it: then the access policy alone decides (checked per role, code 212).
    out.warn(
      'os-fgac',
      `fine-grained access control is disabled on OpenSearch domain ${name}: only its access policy controls what the roles may do`,
    );
    return;
  }
  if (domain.anonymousAuthEnabled) {
    out.fail(
      'os-anonymous-auth',
      `anonymous authentication is enabled on OpenSearch domain ${name}: unauthenticated requests get the anonymous role`,
      {
        fix: `aws opensearch update-domain-config --region ${region} --domain-name ${name} --advanced-security-options AnonymousAuthEnabled=false`,
      },
    );
  } else {
    out.ok(
      'os-anonymous-auth',
      `fine-grained access control is enabled on OpenSearch domain ${name}, anonymous access off`,
    );
  }
  if (domain.internalUserDatabaseEnabled) {
    out.info(
      `OpenSearch domain ${name}: the master user is in the internal user database; map the components' IAM roles to backend roles in OpenSearch security`,
    );
  } else if (domain.masterUserArn) {
    out.info(`OpenSearch domain ${name}: the master user is the IAM principal ${domain.masterUserArn}`);
  }
}

function checkState(domain: OpenSearchDomain, region: string, out: Reporter<Id>): void {
  const name = domain.name;
  if (domain.deleted) {
    out.fail('os-domain-state', `OpenSearch domain ${name} is being deleted`, {
      fix: `Point the OpenSearch host at a live domain (aws opensearch list-domain-names --region ${region}).`,
    });
  } else if (!domain.created) {
    out.fail('os-domain-state', `OpenSearch domain ${name} is still being created`, {
      fix: 'Wait until the domain is created, then run irsa-check again.',
    });
  } else if (domain.processing) {
    out.warn('os-domain-processing', `OpenSearch domain ${name} is still processing a configuration change`);
  }
}

function checkAccessPolicy(domain: OpenSearchDomain, out: Reporter<Id>): void {
  const name = domain.name;
  let policy: PolicyDocument | undefined;
  try {
    policy = domainAccessPolicy(domain);
  } catch (e) {
    if (!(e instanceof PolicyParseError)) throw e;
    out.fail(
      'os-access-policy-readable',
      `the access policy of OpenSearch domain ${name} cannot be read: ${e.message}`,
      {
        fix: `Correct the domain's access policy (aws opensearch describe-domain-config --domain-name ${name}).`,
      },
    );
    return;
  }
  const allows = policy?.Statement.filter((s) => s.Effect === 'Allow') ?? [];
  if (allows.length === 0) {
    // Not a FAIL: within one account an Allow in the role's own policies suffices (IAM User
    // Guide, "Policy evaluation logic", identity-based and resource-based policies; the
    // OpenSearch console's "do not set domain level access policy"). Each role is checked
    // against both by the roles module (code 212).
    out.info(
      `the access policy of OpenSearch domain ${name} ${policy ? 'has no Allow statement' : 'is not set'}: only roles of account ${parseArn(domain.arn)?.account || 'of the domain'} whose own policies allow es:ESHttp* reach it (checked per role)`,
    );
    return;
  }
  out.ok(
    'os-access-policy',
    `the access policy of OpenSearch domain ${name} has ${allows.length} Allow statement(s)`,
  );
}

type Ctx = ModuleContext<
  'osList' | 'openSearch' | 'caller',
  'region' | 'plan' | 'podIdentity',
  'openSearchDomain'
>;

/** Finds the domain behind the configured host, provides it, and checks it. */
async function checkOpenSearchDomain(ctx: Ctx, out: Reporter<Id>): Promise<void> {
  const host = ctx.facts.openSearch.host;
  const fallbackRegion = (await ctx.use('region')) ?? ctx.options.region;
  const { cnames, problem, region } = await locateHost(ctx, host, fallbackRegion);
  if (!region) {
    out.fail('os-domain', `cannot tell the AWS region of OpenSearch host ${host}`, {
      fix: 'Pass the region of the OpenSearch domain with --region.',
    });
    return;
  }
  // An API error (irsa-check's own permissions, throttling) is reported by the dispatcher as such (code 2).
  const domains = await ctx.aws.openSearchDomains(region);
  let match = identifyDomain(host, domains, cnames);
  const caller = ctx.facts.caller.account;
  // Not the caller's: the accounts of the OpenSearch components' roles may hold it (cross-account).
  let others: OtherAccount[] = [];
  if (!match) {
    const [plan, associations] = await Promise.all([ctx.use('plan'), ctx.use('podIdentity')]);
    const planned = await Promise.all(
      (plan ?? [])
        .filter((c) => c.os)
        .map((c) => plannedCredentials(ctx.kube, ctx.scope.namespace, c, associations)),
    );
    // Roles of the caller's account whose policies name another account's domains point there.
    const named = (
      await Promise.all(
        planned.map((p) => (p ? accountsNamedByPolicies(ctx.aws, p.roleArn, 'es', caller, p.mechanism) : [])),
      )
    ).flat();
    others = otherAccounts(
      caller,
      planned.map((p) => p?.roleArn),
      (a) => ctx.awsIn(a),
      readableAccounts(ctx.options),
      named,
    );
  }
  const elsewhere = match
    ? {}
    : await findElsewhere(others, async (aws) =>
        identifyDomain(host, await aws.openSearchDomains(region), cnames),
      );
  match ??= elsewhere.match;
  const account = elsewhere.account;
  if (!match && elsewhere.unread) {
    out.info(
      cannotFindFrom(
        caller,
        `OpenSearch host ${host} is no domain of account ${caller} in ${region}`,
        elsewhere.unread,
      ),
    );
    return;
  }
  if (!match) {
    const parsed = [host, ...cnames].map(parseDomainHost).find((p) => p !== undefined);
    if (parsed) {
      out.fail(
        'os-domain-exists',
        `OpenSearch host ${host} names domain ${parsed.name}, but DescribeDomain finds no domain ${parsed.name} in ${region}`,
        {
          fix: `Point the OpenSearch host at an existing domain's endpoint (aws opensearch list-domain-names --region ${region}), or check --region.`,
        },
      );
      return;
    }
    const known = domains.map((d) => d.name).join(', ') || 'none';
    out.fail(
      'os-domain',
      `OpenSearch host ${host} is not an endpoint of any OpenSearch domain in ${region} (domains: ${known})${problem ? `; ${problem}` : ''}`,
      {
        fix: `Set the OpenSearch host to the domain's endpoint, VPC endpoint or custom endpoint (aws opensearch describe-domain --domain-name <name> --region ${region}), or pass its region with --region.`,
      },
    );
    return;
  }
  const { domain } = match;
  ctx.provide('openSearchDomain', { domain, region });
  const through = match.via === normalizeHost(host) ? '' : ` (CNAME of ${match.via})`;
  const where = account ? `${region}, account ${account}` : region;
  if (match.kind === 'parsed') {
    out.warn(
      'os-domain-endpoint',
      `OpenSearch host ${host}${through} names domain ${domain.name} (${where}), but is none of its endpoints`,
    );
  } else {
    out.ok(
      'os-domain',
      `${host}${through} is ${KIND_TEXT[match.kind]} of OpenSearch domain ${domain.name} (${where})`,
    );
  }
  checkState(domain, region, out);
  checkSecurity(domain, region, out);
  checkAccessPolicy(domain, out);
}

export const openSearch = defineModule({
  id: 'opensearch',
  title: 'Amazon OpenSearch domain',
  needs: ['osList', 'openSearch', 'caller'],
  uses: ['region', 'plan', 'podIdentity'],
  provides: ['openSearchDomain'],
  checks: CHECKS,
  async run(ctx, out) {
    if (!ctx.facts.openSearch.host) return;
    await checkOpenSearchDomain(ctx, out);
  },
});
