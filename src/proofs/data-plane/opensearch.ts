/**
 * The OpenSearch role-mapping proof: a SigV4-signed GET of _plugins/_security/authinfo, which
 * says whom the request authenticated as, its backend roles and the OpenSearch roles the IAM
 * role maps to (platform/opensearch-authinfo.ts), from here (--direct) or from a verification
 * Job. The verdict counts only when the request was signed by the component's role and
 * OpenSearch authenticated it as that role; a mapping is OK only when the mapped roles grant
 * what Camunda needs (opensearch-permissions.ts). Without fine-grained access control the
 * domain's access policy decides every request: it is evaluated (src/iam) for each request
 * Camunda sends. OpenSearch Serverless (aoss) is no Camunda target.
 */
import { mechanismWords, roleWords, type MechanismName } from '../../platform/pod-identity.js';
import type { Reporter } from '../../core/reporter.js';
import type { Facts, PlannedComponent } from '../../engine/facts.js';
import { ApiCallError } from '../../core/errors.js';
import { openSearchAuthInfo, type AuthInfoResult } from '../../platform/opensearch-authinfo.js';
import { AUTHINFO_MARKER, authInfoJob, parseAuthInfoMarker } from '../../platform/data-plane-jobs.js';
import type { OpenSearchDomain } from '../../ports/aws.js';
import { indexNeeds } from '../../helm/chart/index-prefixes.js';
import { normalizeHost } from '../../aws-hosts.js';
import { assumedRoleMatchesRole, parseRoleArn } from '../../iam/arn.js';
import { domainAccessPolicy } from '../../iam/domain-policy.js';
import { evaluate, PolicyParseError } from '../../iam/policy.js';
import { describeAll } from '../../iam/explain.js';
import { CAMUNDA_ES_ACTIONS } from '../../iam/opensearch-actions.js';
import type { Id } from './checks.js';
import {
  BUILT_IN_ROLES,
  camundaNeeds,
  describeShortfall,
  howMapped,
  isSufficient,
  parseRoleMapping,
  parseSecurityRole,
  shortfall,
  type SecurityRole,
} from './opensearch-permissions.js';
import {
  componentJobInput,
  directProof,
  DERIVED_OPENSEARCH_AUTHINFO,
  principalOf,
  proofTimeoutMs,
  viaJob,
  wrongPrincipal,
  type Ctx,
  type Proof,
  type ProofFacts,
} from './proof.js';

const SECURITY_ROLES_PATH = '/_plugins/_security/api/roles/';
const ROLES_MAPPING_PATH = '/_plugins/_security/api/rolesmapping/';

function openSearchBase(ctx: Ctx, host: string, port: number): string {
  const protocol = ctx.facts.values.string('global.opensearch.url.protocol') === 'http' ? 'http' : 'https';
  return `${protocol}://${host}:${port}`;
}

/** `<id>.<region>.aoss.amazonaws.com`: an OpenSearch Serverless collection. */
function isServerless(host: string): boolean {
  return /\.aoss\.amazonaws\.com(?:\.cn)?$/.test(normalizeHost(host));
}

/** Whether OpenSearch's authenticated user is the component's IAM role (its ARN, any path, or a session of it). */
function isRole(name: string, roleArn: string): boolean {
  const a = parseRoleArn(name);
  const b = parseRoleArn(roleArn);
  if (a && b) return a.account === b.account && a.name === b.name && a.partition === b.partition;
  return assumedRoleMatchesRole(name, roleArn);
}

export async function proveOpenSearch(
  ctx: Ctx,
  f: ProofFacts,
  os: Facts['openSearch'],
  c: PlannedComponent,
  roleArn: string,
  out: Reporter<Id>,
): Promise<void> {
  if (isServerless(os.host)) {
    out.info(
      'opensearch-mapping-not-proven',
      `OpenSearch role mapping not proven: ${os.host} is an OpenSearch Serverless (aoss) collection, not a Camunda-supported target; not proven`,
    );
    return;
  }
  const base = openSearchBase(ctx, os.host, os.port);
  const region = f.openSearchDomain?.region ?? f.region ?? 'us-east-1';
  // How the pods get the role: named with its account in every non-OK line about it (roleWords).
  const mechanism = mechanismWords(f.credentialSources?.get(c.key)).name;
  const who = roleWords(roleArn, mechanism);
  const proof: Proof<AuthInfoResult> & { pinned?: boolean } = ctx.options.direct
    ? await directProof(
        ctx,
        f,
        c,
        roleArn,
        { method: DERIVED_OPENSEARCH_AUTHINFO, args: [c.key, base, roleArn] },
        (credentials) => openSearchAuthInfo(credentials, region, base, proofTimeoutMs(ctx)),
      )
    : await viaJob(
        ctx,
        authInfoJob({ ...componentJobInput(ctx, c), baseUrl: base, region }),
        AUTHINFO_MARKER,
        parseAuthInfoMarker,
        roleArn,
        mechanism,
      );
  if (!proof.ok) {
    out.info('opensearch-mapping-not-proven', `OpenSearch role mapping not proven: ${proof.reason}`);
    return;
  }
  const r = proof.result;
  const principal = principalOf(r.caller, proof.pinned === true, roleArn);
  if (principal.kind === 'other') {
    const { message, fix } = wrongPrincipal(
      'OpenSearch proof',
      principal.caller,
      roleArn,
      c.serviceAccount.name,
      ctx.options.direct,
      mechanism,
    );
    out.fail('opensearch-wrong-principal', message, { fix });
    return;
  }
  if (principal.kind === 'unknown' && r.outcome !== 'unreachable') {
    out.info(
      'opensearch-mapping-not-proven',
      `OpenSearch role mapping not proven: the verification Job could not tell which AWS principal signed the request (sts get-caller-identity gave no answer), so OpenSearch's answer (${r.outcome}) says nothing about ${who}`,
    );
    return;
  }
  const domain = f.openSearchDomain?.domain;
  const fgacOff = domain !== undefined && !domain.fineGrainedAccessControl;
  const detail = r.detail ? ` (HTTP ${r.status}: ${r.detail})` : '';
  const mapping = `PUT _plugins/_security/api/rolesmapping/all_access {"backend_roles": ["${roleArn}"]} (or map it to a narrower role with the index permissions Camunda needs)`;
  if (r.outcome === 'mapped') {
    await reportMapped(
      ctx,
      r,
      { base, region, component: c.key, roleArn, mechanism, major: f.profile?.major },
      out,
    );
  } else if (r.outcome === 'no-fgac' || (fgacOff && r.status !== undefined && r.status < 400)) {
    reportNoFgac(domain, roleArn, who, out);
  } else if (r.outcome === 'unmapped') {
    out.fail(
      'opensearch-role-unmapped',
      `OpenSearch maps ${who} to no OpenSearch role${detail}: every request fails with security_exception … no permissions`,
      {
        fix: `As the OpenSearch master user: ${mapping}.`,
      },
    );
  } else if (r.outcome === 'refused') {
    out.fail(
      'opensearch-signed-request-refused',
      `OpenSearch refused a request signed with ${who}${detail}`,
      {
        fix: 'Allow the role es:ESHttp* on the domain, in its permission policy and the domain access policy.',
      },
    );
  } else if (r.outcome === 'unreachable') {
    const where = ctx.options.direct ? 'here' : 'the cluster';
    out.fail('opensearch-unreachable', `cannot reach ${base} from ${where} (${r.detail ?? 'no answer'})`, {
      fix: ctx.options.direct
        ? 'Run --direct from inside the VPC (VPN, bastion, a CI runner in the VPC) and allow HTTPS (443) from it in the domain’s security group; or leave out --direct.'
        : 'Allow HTTPS (443) from the nodes in the domain’s security group.',
    });
  } else {
    out.fail('opensearch-authinfo-error', `OpenSearch answered the authinfo request unexpectedly${detail}`, {
      fix: 'Check the domain’s health and the OpenSearch endpoint in the values.',
    });
  }
}

interface Mapped {
  base: string;
  region: string;
  component: string;
  roleArn: string;
  mechanism: MechanismName;
  /** The chart major, for where the values set the index prefixes (helm/chart/index-prefixes.ts). */
  major: number | undefined;
}

/**
 * FGAC on and the role mapped: OpenSearch must have authenticated the role itself, and the
 * mapped roles must grant what the component needs. A role irsa-check does not know is read
 * with the operator's credentials (--direct only: from where irsa-check runs the domain answers).
 */
async function reportMapped(ctx: Ctx, r: AuthInfoResult, m: Mapped, out: Reporter<Id>): Promise<void> {
  const { roleArn } = m;
  // The authenticated user is the principal OpenSearch judged; without a user name, one of its
  // backend roles (Amazon OpenSearch Service passes the IAM role ARN as one) must be the role.
  const itself = r.user ? isRole(r.user, roleArn) : r.backendRoles.some((n) => isRole(n, roleArn));
  if ((r.user || r.backendRoles.length > 0) && !itself) {
    out.fail(
      'opensearch-wrong-principal',
      `OpenSearch authenticated the signed request as ${r.user ?? 'an unnamed user'} (backend roles ${r.backendRoles.join(', ') || 'none'}), not ${roleWords(roleArn, m.mechanism)}: its role mapping says nothing about that role`,
      {
        fix: `Check what sits between the component and the domain (a proxy re-signing requests, a custom endpoint of another domain) and that the domain maps the IAM role ${roleArn} itself.`,
      },
    );
    return;
  }
  const needs = indexNeeds(m.component, ctx.facts.values, m.major);
  const required = camundaNeeds(needs?.write ?? [], needs?.read ?? []);
  const known = new Map<string, SecurityRole>();
  const unknown = new Map<string, string>();
  const mappedHow = new Map<string, string>();
  await Promise.all(
    r.roles.map(async (name) => {
      const builtIn = BUILT_IN_ROLES[name];
      const [read, mapping] = await Promise.all([
        builtIn ?? readRole(ctx, m, name),
        readSecurity(ctx, m, ROLES_MAPPING_PATH, name, parseRoleMapping),
      ]);
      if (typeof read === 'string') unknown.set(name, read);
      else known.set(name, read);
      const how = typeof mapping === 'string' ? undefined : howMapped(mapping, r.user, r.backendRoles);
      if (how) mappedHow.set(name, how);
    }),
  );
  // Each role with how its mapping gives it to the role, where the mapping was readable.
  const roleList = r.roles.map((n) => (mappedHow.has(n) ? `${n} (${mappedHow.get(n)})` : n)).join(', ');
  const how = `OpenSearch maps role ${roleArn} (backend roles ${r.backendRoles.join(', ') || 'none'}) to OpenSearch roles ${roleList}`;
  const short = shortfall([...known.values()], required);
  const prefixes = required.indices.map((i) => i.pattern).join(', ');
  if (isSufficient(short)) {
    out.ok(
      'opensearch-role-unmapped',
      `${how}, which grant what ${m.component} needs (cluster_composite_ops, cluster_monitor; crud and create_index on ${prefixes || 'its indices'})`,
    );
    return;
  }
  if (unknown.size > 0) {
    const which = [...unknown.entries()].map(([name, why]) => `role ${name} (${why})`).join('; ');
    out.info(
      'opensearch-permissions-unknown',
      `${how}; cannot tell which permissions ${which} grants, so it is not proven that they grant what ${m.component} needs`,
    );
    return;
  }
  const missing = describeShortfall(short);
  const fix = `Map role ${roleArn} to all_access, or grant its OpenSearch role cluster_composite_ops and cluster_monitor and, on ${prefixes}, crud and create_index (PUT _plugins/_security/api/roles/<role>), as the OpenSearch master user.`;
  // Missing cluster permissions, or no writes at all, hold whatever the index prefixes are.
  if (short.cluster.length > 0 || !short.writesAnywhere) {
    out.fail(
      'opensearch-role-insufficient',
      `${how}, which do not grant what ${m.component} needs: ${missing}; Camunda's writes would fail with security_exception … no permissions`,
      { fix },
    );
    return;
  }
  out.warn(
    'opensearch-index-permissions',
    `${how}, which grant writes, but not ${missing} (${needs?.custom.length ? `index prefixes from the values: ${needs.custom.join(', ')}` : "Camunda's default index prefixes"})`,
    { fix },
  );
}

/** A mapped role's definition, read with the operator's credentials; why not, when it cannot be. */
function readRole(ctx: Ctx, m: Mapped, name: string): Promise<SecurityRole | string> {
  return readSecurity(ctx, m, SECURITY_ROLES_PATH, name, parseSecurityRole);
}

/**
 * One entry of the security plugin's REST API (`roles/<name>`, `rolesmapping/<name>`), read with
 * the operator's credentials (--direct only: from where irsa-check runs the domain answers); why
 * not, when it cannot be. The API answers 403 to a principal without REST API access (OpenSearch
 * docs, Security plugin REST API, "Access control for the API") and 404 to an unknown name.
 */
async function readSecurity<T>(
  ctx: Ctx,
  m: Mapped,
  path: string,
  name: string,
  parse: (name: string, body: string) => T | undefined,
): Promise<T | string> {
  if (!ctx.options.direct)
    return `its definition is read only with --direct, with the operator's credentials, from where the domain answers`;
  try {
    const answer = await ctx.aws.openSearchGet(m.base, m.region, `${path}${encodeURIComponent(name)}`);
    if (answer.status === 200) {
      return parse(name, answer.body) ?? `the answer to GET ${path}${name} is not what the API answers`;
    }
    if (answer.status === 404) return `GET ${path}${name}: HTTP 404, no such entry`;
    if (answer.status === 401 || answer.status === 403)
      return `the operator's credentials may not read ${path}${name}: HTTP ${answer.status}`;
    return `GET ${path}${name}: HTTP ${answer.status}`;
  } catch (e) {
    if (!(e instanceof ApiCallError)) throw e;
    return `GET ${path}${name}: ${e.reason}: ${e.message}`;
  }
}

/**
 * FGAC off: no role mapping, the domain's access policy alone decides, request by request.
 * The signed GET got through; whether Camunda's writes do is the policy's answer for each
 * request it sends, from the one IAM evaluator.
 */
function reportNoFgac(
  domain: OpenSearchDomain | undefined,
  roleArn: string,
  who: string,
  out: Reporter<Id>,
): void {
  // The non-OK lines name the role with its mechanism and account (roleWords); the OK line keeps its ARN.
  const signed = (role: string) =>
    `OpenSearch accepts requests signed with ${role} (fine-grained access control is off: no role mapping to check)`;
  const accepted = signed(who);
  if (!domain) {
    out.info(
      'opensearch-mapping-not-proven',
      `${accepted}; the domain is not identified, so its access policy for Camunda's writes (${CAMUNDA_ES_ACTIONS.join(', ')}) is not checked: not proven`,
    );
    return;
  }
  let policy;
  try {
    policy = domainAccessPolicy(domain);
  } catch (e) {
    if (!(e instanceof PolicyParseError)) throw e;
    out.info(
      'opensearch-mapping-not-proven',
      `${accepted}; the access policy of domain ${domain.name} is unreadable (see the opensearch checks): Camunda's writes not proven`,
    );
    return;
  }
  const resource = `${domain.arn}/*`;
  const principal = { type: 'AWS' as const, id: roleArn };
  const decisions = CAMUNDA_ES_ACTIONS.map((action) => ({
    action,
    d: policy ? evaluate([policy], { action, resource, principal }) : undefined,
  }));
  const refused = decisions.filter(({ d }) => d?.decision !== 'Allow' && d?.decision !== 'Undetermined');
  const open = decisions.filter(({ d }) => d?.decision === 'Undetermined');
  const where = `the access policy of domain ${domain.name}`;
  if (refused.length > 0) {
    const denied = refused.find(({ d }) => d?.decision === 'ExplicitDeny')?.d;
    out.fail(
      'opensearch-writes-refused',
      `${accepted}, but ${where} does not allow it ${refused.map((x) => x.action).join(', ')} on ${resource}${denied ? ` (${describeAll(denied.deniedBy)})` : policy ? '' : ': the domain has no access policy'}: Camunda's ${refused.length === CAMUNDA_ES_ACTIONS.length ? 'requests' : 'writes'} would be refused`,
      {
        fix: `Allow role ${roleArn} es:ESHttp* on "${resource}" in ${where} (Principal.AWS "${roleArn}").`,
      },
    );
    return;
  }
  if (open.length > 0) {
    out.info(
      'opensearch-mapping-not-proven',
      `${accepted}; whether ${where} allows it ${open.map((x) => x.action).join(', ')} depends on a statement irsa-check cannot evaluate: not proven`,
    );
    return;
  }
  out.ok(
    'opensearch-writes-refused',
    `${signed(`role ${roleArn}`)}, and ${where} allows it every request Camunda sends (${CAMUNDA_ES_ACTIONS.join(', ')}) on ${resource}`,
  );
}
