/**
 * The Aurora login proof: log in over TLS as the component's database user with an IAM auth
 * token and ask whether the user is a member of rds_iam (platform/pg-login.ts), from here
 * (--direct) or from a verification Job running as the component's ServiceAccount. The
 * verdict counts only when the token was made by the component's role (the Job's
 * sts get-caller-identity, the --direct AssumeRoleWithWebIdentity answer). Through an RDS
 * Proxy the proxy, not the database, takes the IAM token. Aurora MySQL is no Camunda target.
 */
import { mechanismWords, roleWords, type MechanismName } from '../../platform/pod-identity.js';
import type { Reporter } from '../../core/reporter.js';
import type { PlannedComponent } from '../../engine/facts.js';
import { ApiCallError } from '../../core/errors.js';
import { databaseNameOf } from '../../helm/database-name.js';
import { rdsTrustAnchors } from '../../db/rds-trust.js';
import { auroraLogin, type LoginResult } from '../../platform/pg-login.js';
import type { DbProxy } from '../../ports/aws.js';
import { AURORA_MARKER, auroraJob, parseAuroraMarker } from '../../platform/data-plane-jobs.js';
import { normalizeHost, REGION_PATTERN } from '../../aws-hosts.js';
import { parseRoleArn, rdsDbUserArn } from '../../iam/arn.js';
import { readRolePolicies } from '../../iam/role-policies.js';
import { evaluateWithBoundary } from '../../iam/policy.js';
import type { Id } from './checks.js';
import {
  auroraPassword,
  componentJobInput,
  directProof,
  DERIVED_AURORA_LOGIN,
  principalOf,
  proofTimeoutMs,
  viaJob,
  wrongPrincipal,
  type Ctx,
  type Proof,
  type ProofFacts,
} from './proof.js';

/** `<name>.proxy-<hash>.<region>.rds.amazonaws.com` (and a proxy endpoint's `<e>.endpoint.proxy-…`). */
const PROXY_HOST = new RegExp(`\\.proxy-[a-z0-9]+\\.(${REGION_PATTERN})\\.rds\\.amazonaws\\.com(?:\\.cn)?$`);

/** The region of an RDS Proxy endpoint host; undefined for any other host. */
export function rdsProxyRegion(host: string): string | undefined {
  return PROXY_HOST.exec(normalizeHost(host))?.[1];
}

/** The Aurora answers that depend on who made the token; the others hold whoever did. */
const IDENTITY_BOUND = new Set<LoginResult['outcome']>(['ok', 'token-rejected', 'auth-failed']);

export async function proveAurora(
  ctx: Ctx,
  f: ProofFacts,
  c: PlannedComponent,
  roleArn: string,
  out: Reporter<Id>,
): Promise<void> {
  const db = f.databases?.get(c.key);
  const database = databaseNameOf(ctx.facts.values, c.key);
  if (!db?.dbUser || !database) {
    out.info(
      'aurora-login-not-proven',
      'Aurora login not proven: the database host, user or name is not known from the values',
    );
    return;
  }
  const { host, port, dbUser: user } = db;
  const target = f.auroraClusters?.get(c.key);
  const proxyRegion = rdsProxyRegion(host);
  const region = target?.region ?? proxyRegion ?? f.region ?? 'us-east-1';
  const engine = target?.cluster.engine;
  // Camunda's components speak PostgreSQL; a MySQL login would prove nothing about them.
  if (engine && /mysql/i.test(engine)) {
    out.info(
      'aurora-login-not-proven',
      `Aurora login not proven: ${host} is Aurora cluster ${target!.cluster.identifier} running ${engine}, not a Camunda-supported target; not proven`,
    );
    return;
  }
  const proxy = proxyRegion ? await findProxy(ctx, host, proxyRegion) : undefined;
  if (proxy?.proxy?.engineFamily && proxy.proxy.engineFamily !== 'POSTGRESQL') {
    out.info(
      'aurora-login-not-proven',
      `Aurora login not proven: ${host} is RDS Proxy ${proxy.proxy.name} for ${proxy.proxy.engineFamily}, not a Camunda-supported target; not proven`,
    );
    return;
  }
  // In-process every Region's CAs cost nothing; a Job carries only its Region's. A replay needs none.
  const anchors = () => rdsTrustAnchors({ host, region, all: ctx.options.direct }, ctx.options.dbCa);
  const proof: Proof<LoginResult> & { pinned?: boolean } = ctx.options.direct
    ? await directProof(
        ctx,
        f,
        c,
        roleArn,
        { method: DERIVED_AURORA_LOGIN, args: [c.key, host, port, database, user, roleArn] },
        async (credentials) =>
          auroraLogin({
            host,
            port,
            database,
            user,
            password: await auroraPassword.make(credentials, region, host, port, user),
            timeoutMs: proofTimeoutMs(ctx),
            ca: await anchors(),
          }),
      )
    : await viaJob(
        ctx,
        auroraJob({
          ...componentJobInput(ctx, c),
          psqlImage: ctx.options.psqlImage,
          ca: await anchors(),
          host,
          port,
          database,
          user,
          region,
        }),
        AURORA_MARKER,
        parseAuroraMarker,
        roleArn,
        mechanismWords(f.credentialSources?.get(c.key)).name,
      );
  if (!proof.ok) {
    out.info('aurora-login-not-proven', `Aurora login not proven: ${proof.reason}`);
    return;
  }
  const r = proof.result;
  const principal = principalOf(r.caller, proof.pinned === true, roleArn);
  if (principal.kind === 'other') {
    const { message, fix } = wrongPrincipal(
      'Aurora login proof',
      principal.caller,
      roleArn,
      c.serviceAccount.name,
      ctx.options.direct,
      mechanismWords(f.credentialSources?.get(c.key)).name,
    );
    out.fail('aurora-wrong-principal', message, { fix });
    return;
  }
  if (principal.kind === 'unknown' && IDENTITY_BOUND.has(r.outcome)) {
    out.info(
      'aurora-login-not-proven',
      `Aurora login not proven: the verification Job could not tell which AWS principal made the IAM auth token (sts get-caller-identity gave no answer), so its answer (${r.outcome}) says nothing about ${roleWords(roleArn, mechanismWords(f.credentialSources?.get(c.key)).name)}`,
    );
    return;
  }
  const login: Login = {
    user,
    host,
    port,
    database,
    roleArn,
    mechanism: mechanismWords(f.credentialSources?.get(c.key)).name,
    region,
    clusterResourceId: target?.cluster.resourceId,
  };
  if (proxyRegion) await reportProxyLogin(ctx, r, login, proxy, out);
  else reportLogin(ctx, r, login, out);
  if (r.tls && !r.tls.verified) {
    const anchors = ctx.options.dbCa ? 'the CAs of --db-ca' : 'the Amazon RDS CAs';
    out.warn(
      'aurora-tls-unverified',
      `the TLS certificate of ${host}:${port} does not verify against ${anchors} (${r.tls.reason ?? 'not verified'}): the login went ahead unverified, as JDBC sslmode=require does`,
      {
        fix: `Point the component at the Aurora endpoint by its own name (a CNAME or an IP address is not in its certificate); for a CA of your own in front of the database, pass it with --db-ca. A JDBC URL with sslmode=verify-full would refuse this certificate.`,
      },
    );
  }
}

/** The RDS Proxy an endpoint host belongs to (rds:DescribeDBProxies), or why it is not known. */
async function findProxy(
  ctx: Ctx,
  host: string,
  region: string,
): Promise<{ proxy?: DbProxy; problem?: string }> {
  try {
    const proxies = await ctx.aws.dbProxies(region);
    const h = normalizeHost(host);
    // A proxy endpoint of its own (`<e>.endpoint.proxy-…`) is not in DescribeDBProxies: match the suffix.
    const proxy =
      proxies.find((p) => p.endpoint && normalizeHost(p.endpoint) === h) ??
      proxies.find(
        (p) => p.endpoint && h.endsWith(`.endpoint.${normalizeHost(p.endpoint).replace(/^[^.]+\./, '')}`),
      );
    return proxy
      ? { proxy }
      : { problem: `DescribeDBProxies in ${region} lists no proxy with endpoint ${host}` };
  } catch (e) {
    if (!(e instanceof ApiCallError)) throw e;
    return { problem: `rds:DescribeDBProxies: ${e.reason}` };
  }
}

interface Login {
  user: string;
  host: string;
  port: number;
  database: string;
  roleArn: string;
  /** How the pods get the role, for the lines that name it (roleWords). */
  mechanism: MechanismName;
  region: string;
  /** The Aurora cluster's DbClusterResourceId, when the aurora module identified the cluster. */
  clusterResourceId: string | undefined;
}

/** `arn:<partition>:rds-db:<region>:<account>:dbuser:<resource id>/<user>`, the account and partition the role's. */
function dbUserResource(l: Login, resourceId: string | undefined, placeholder: string): string {
  const role = parseRoleArn(l.roleArn);
  return rdsDbUserArn(
    role?.partition ?? 'aws',
    l.region,
    role?.account ?? '<account>',
    resourceId ?? placeholder,
    l.user,
  );
}

/** The login's own verdict: one OK or one FAIL. */
function reportLogin(ctx: Ctx, r: LoginResult, l: Login, out: Reporter<Id>): void {
  const { user, host, port, database, roleArn } = l;
  const who = `${user}@${host}:${port}/${database}`;
  const grant = `CREATE USER ${quoteIdent(user)} WITH LOGIN; GRANT rds_iam TO ${quoteIdent(user)};`;
  const detail = r.detail ? ` (${r.detail})` : '';
  const via = ctx.options.direct ? '' : ' (verification Job)';
  const tls = r.tls
    ? r.tls.verified
      ? 'TLS (certificate verified)'
      : 'TLS (certificate not verified)'
    : 'TLS';
  switch (r.outcome) {
    case 'ok':
      if (r.rdsIam)
        out.ok(
          'aurora-user-not-rds-iam',
          `Aurora login proven${via}: ${who} over ${tls} with role ${roleArn}; the user is a member of rds_iam`,
        );
      else
        out.fail(
          'aurora-user-not-rds-iam',
          `${who} logs in, but the user is not a member of rds_iam: IAM logins are refused`,
          {
            fix: `As the master user: GRANT rds_iam TO ${quoteIdent(user)};`,
          },
        );
      return;
    case 'token-rejected': {
      // PAM answers only for a user granted rds_iam: the database side is right.
      const resource = dbUserResource(l, l.clusterResourceId, '<DbClusterResourceId>');
      out.fail(
        'aurora-token-rejected',
        `Aurora refused the IAM auth token of ${who}${detail}: the user is granted rds_iam (Aurora checked the token with PAM), so the IAM side refused the token of ${roleWords(l.roleArn, l.mechanism)}`,
        {
          fix: `Allow rds-db:connect on ${resource} in a policy of role ${roleArn} (the cluster's resource ID, user ${user}, Region ${l.region}); the token must be made for ${host}:${port} in ${l.region} by that role, within its 15 minutes. No database change is needed.`,
        },
      );
      return;
    }
    case 'password-rejected':
      out.fail(
        'aurora-pam-authentication-failed',
        `Aurora refused the IAM login of ${who}${detail}: Aurora checked the token as a password, so the user does not exist or is not granted rds_iam`,
        { fix: `As the master user, in database ${database}: ${grant}` },
      );
      return;
    case 'auth-failed':
      // A Job of an earlier irsa-check: its words are gone, the cause cannot be told.
      out.fail(
        'aurora-pam-authentication-failed',
        `Aurora refused the IAM login of ${who}${detail}: the user does not exist or is not granted rds_iam`,
        { fix: `As the master user, in database ${database}: ${grant}` },
      );
      return;
    case 'login-not-permitted':
      out.fail(
        'aurora-login-error',
        `${user} may not log in to ${host}:${port}${detail}: the role has NOLOGIN`,
        {
          fix: `As the master user: ALTER ROLE ${quoteIdent(user)} WITH LOGIN;`,
        },
      );
      return;
    default:
      reportTransport(ctx, r, l, out);
  }
}

/** The answers that are no login verdict: no database, pg_hba, TLS, the network, anything else. */
function reportTransport(ctx: Ctx, r: LoginResult, l: Login, out: Reporter<Id>): void {
  const { user, host, port, database } = l;
  const who = `${user}@${host}:${port}/${database}`;
  const detail = r.detail ? ` (${r.detail})` : '';
  const where = ctx.options.direct ? 'here' : 'the cluster';
  switch (r.outcome) {
    case 'no-database':
      out.fail('aurora-database-missing', `database ${database} does not exist on ${host}${detail}`, {
        fix: `As the master user: CREATE DATABASE ${quoteIdent(database)} OWNER ${quoteIdent(user)}; (or correct the database name in the values).`,
      });
      return;
    case 'hba-rejected':
      out.fail(
        'aurora-hba-rejected',
        `${host}:${port} has no pg_hba.conf entry that admits ${user} to database ${database} over TLS from ${where}${detail}: the refusal comes before any password or token is checked`,
        {
          fix: `Point the component at the Aurora cluster's endpoint (Aurora admits TLS logins from any address its security group lets in); another PostgreSQL server needs a hostssl line for database ${database}, user ${user} and the nodes' addresses in pg_hba.conf.`,
        },
      );
      return;
    case 'tls-refused':
      out.fail(
        'aurora-tls-refused',
        `${host}:${port} refused TLS${detail}: IAM database authentication needs TLS`,
        {
          fix: `Point the component at the Aurora endpoint itself (not a proxy or another PostgreSQL); Aurora always offers TLS. A self-managed PostgreSQL needs ssl = on.`,
        },
      );
      return;
    case 'unreachable':
      out.fail('aurora-unreachable', `cannot reach ${host}:${port} from ${where}${detail}`, {
        fix: ctx.options.direct
          ? `Run --direct from inside the VPC (VPN, bastion, a CI runner in the VPC) and allow TCP ${port} from it in the Aurora cluster's security group; or leave out --direct.`
          : `Allow TCP ${port} from the nodes in the Aurora cluster's security group.`,
      });
      return;
    default:
      out.fail('aurora-login-error', `the Aurora login of ${who} failed${detail}`, {
        fix: 'Check the database log for the refusal and the values of the component.',
      });
  }
}

const REFUSED = new Set<LoginResult['outcome']>([
  'token-rejected',
  'password-rejected',
  'auth-failed',
  'login-not-permitted',
  'proxy-no-secret',
]);

/**
 * Through an RDS Proxy: the proxy checks the IAM token (IAM auth on, rds-db:connect on its own
 * `prx-` resource ID) and logs in to the database with its Secrets Manager secret, so the
 * database user is not in rds_iam and must not be (RDS user guide, "Using IAM authentication
 * with RDS Proxy"; rds-db resource ARNs of a proxy name its prx- resource ID).
 */
async function reportProxyLogin(
  ctx: Ctx,
  r: LoginResult,
  l: Login,
  found: { proxy?: DbProxy; problem?: string } | undefined,
  out: Reporter<Id>,
): Promise<void> {
  const { user, host, port, database, roleArn } = l;
  const who = `${user}@${host}:${port}/${database}`;
  const proxy = found?.proxy;
  const name = proxy ? `RDS Proxy ${proxy.name}` : `RDS Proxy ${host}`;
  const resourceId = proxy ? /:db-proxy:(prx-[a-z0-9]+)$/.exec(proxy.arn)?.[1] : undefined;
  const resource = dbUserResource(l, resourceId, 'prx-<proxy resource ID>');
  const via = ctx.options.direct ? '' : ' (verification Job)';
  if (r.outcome === 'ok') {
    out.ok(
      'aurora-proxy-iam',
      `Aurora login through ${name} proven${via}: ${who} over TLS with role ${roleArn}; the proxy logs in to the database with its Secrets Manager secret (rds_iam is not needed there)`,
    );
    return;
  }
  if (!REFUSED.has(r.outcome)) {
    reportTransport(ctx, r, l, out);
    return;
  }
  const detail = r.detail ? ` (${r.detail})` : '';
  const noGrant =
    'Do not GRANT rds_iam to the database user: the proxy logs in with its Secrets Manager secret.';
  const message = `${name} refused the IAM login of ${who}${detail}`;
  if (r.outcome === 'proxy-no-secret') {
    // The proxy's own words: it took the token, but has no Secrets Manager secret to log in as the user.
    out.fail('aurora-proxy-iam', `${message}: the proxy has no secret for database user ${user}`, {
      fix: `Give ${name} a Secrets Manager secret for database user ${user} (Auth of the proxy), readable by the proxy's IAM role. ${noGrant}`,
    });
    return;
  }
  if (!proxy) {
    out.fail(
      'aurora-proxy-iam',
      `${message}; the proxy's settings are unknown (${found?.problem ?? 'not looked up'})`,
      {
        fix: `Check that the proxy takes IAM authentication (aws rds describe-db-proxies: Auth[].IAMAuth REQUIRED or ENABLED) and that role ${roleArn} may rds-db:connect on ${resource}. ${noGrant}`,
      },
    );
    return;
  }
  const iam = proxy.auth.filter((a) => a.iamAuth === 'REQUIRED' || a.iamAuth === 'ENABLED');
  if (iam.length === 0) {
    out.fail(
      'aurora-proxy-iam',
      `${message}: the proxy does not take IAM authentication (Auth IAMAuth ${proxy.auth.map((a) => a.iamAuth ?? 'unset').join(', ') || 'none'})`,
      {
        fix: `Turn on IAM authentication of ${name}: aws rds modify-db-proxy --db-proxy-name ${proxy.name} --auth with "IAMAuth": "REQUIRED" for the secret of ${user}. ${noGrant}`,
      },
    );
    return;
  }
  const allowed = await roleMayConnect(ctx, roleArn, resource);
  if (allowed !== true) {
    out.fail(
      'aurora-proxy-iam',
      `${message}: ${roleWords(roleArn, l.mechanism)} may not rds-db:connect on the proxy's ${resource}${allowed ? ` (${allowed})` : ''}`,
      {
        fix: `Allow {"Effect": "Allow", "Action": "rds-db:connect", "Resource": "${resource}"} in a policy of role ${roleArn} (a proxy's rds-db resource is its prx- ID, not the cluster's). ${noGrant}`,
      },
    );
    return;
  }
  const users = proxy.auth.flatMap((a) => (a.userName ? [a.userName] : []));
  out.fail(
    'aurora-proxy-iam',
    `${message}: the proxy takes IAM authentication and ${roleWords(roleArn, l.mechanism)} may rds-db:connect on ${resource}${users.length && !users.includes(user) ? `, but the proxy has no secret for ${user} (its secrets log in as ${users.join(', ')})` : ''}`,
    {
      fix: `Give ${name} a Secrets Manager secret for database user ${user} (Auth of the proxy), readable by the proxy's IAM role. ${noGrant}`,
    },
  );
}

/** Whether the role's policies allow rds-db:connect on `resource`: true, or why not / why unknown. */
async function roleMayConnect(
  ctx: Ctx,
  roleArn: string,
  resource: string,
): Promise<true | string | undefined> {
  const role = parseRoleArn(roleArn);
  if (!role) return undefined;
  try {
    const set = await readRolePolicies(ctx.aws, role.name);
    if ('problem' in set) return set.problem;
    const d = evaluateWithBoundary(set.policies, set.boundary, {
      action: 'rds-db:connect',
      resource,
      principal: { type: 'AWS', id: roleArn },
    });
    if (d.decision === 'Allow') return true;
    return d.decision === 'Undetermined'
      ? 'a statement irsa-check cannot evaluate decides it'
      : `${d.decision}`;
  } catch (e) {
    if (e instanceof ApiCallError) return `the role's policies cannot be read: ${e.reason}`;
    throw e;
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
