/**
 * Amazon OpenSearch: which domain the configured host belongs to and whether it
 * is set up for IAM (IRSA) clients. The domain is found by matching the host
 * against each domain's endpoint, VPC endpoints and custom endpoint; the original
 * script parsed `vpc-<name>-<hash>` and broke on `search-…` and custom endpoints.
 * Whether the access policy, together with each component's own policies, lets the role
 * in is checked per role by the roles module (code 212). The collector
 * (src/collectors/opensearch.ts) provides the openSearchDomain fact; this is the pure
 * evaluator over what it gathered (issue 16).
 */
import { defineModule } from '../engine/module.js';
import type { Reporter } from '../core/reporter.js';
import type { OpenSearchDomain } from '../ports/aws.js';
import { PolicyParseError, type PolicyDocument } from '../iam/policy.js';
import { domainAccessPolicy } from '../iam/domain-policy.js';
import { normalizeHost } from '../aws-hosts.js';
import { cannotFindFrom } from '../platform/accounts.js';
import { parseArn } from '../iam/arn.js';
import {
  collectOpenSearch,
  parseDomainHost,
  type DomainEndpointKind,
  type OpenSearchInput,
} from '../collectors/opensearch.js';

// The host matching is the collector's (it decides where to look next); tests and callers keep
// reaching it here.
export { identifyDomain, parseDomainHost } from '../collectors/opensearch.js';
export type { DomainEndpointKind, DomainMatch, ParsedDomainHost } from '../collectors/opensearch.js';

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

/** Judges the domain behind the configured host, as the collector found it. */
function checkOpenSearchDomain(input: Exclude<OpenSearchInput, { kind: 'none' }>, out: Reporter<Id>): void {
  if (input.kind === 'error') {
    out.unexpected(input.error);
    return;
  }
  if (input.kind === 'no-region') {
    out.fail('os-domain', `cannot tell the AWS region of OpenSearch host ${input.host}`, {
      fix: 'Pass the region of the OpenSearch domain with --region.',
    });
    return;
  }
  const { host, caller, region, cnames, problem, domains, match, account, unread } = input;
  if (!match && unread) {
    out.info(
      cannotFindFrom(
        caller,
        `OpenSearch host ${host} is no domain of account ${caller} in ${region}`,
        unread,
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
  collect: collectOpenSearch,
  evaluate(input, out) {
    if (input.kind === 'none') return;
    checkOpenSearchDomain(input, out);
  },
});
