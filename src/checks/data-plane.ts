/**
 * The data-plane proofs, made from this machine (--direct): with the temporary
 * credentials the pod-less proof's AssumeRoleWithWebIdentity hands out for the
 * component's own ServiceAccount token, so no pod is needed,
 * - Aurora: log in over TLS as the component's database user with an IAM auth token
 *   and ask whether the user is a member of rds_iam (platform/pg-login.ts);
 * - OpenSearch: a SigV4-signed GET of _plugins/_security/authinfo, which says which
 *   backend roles and OpenSearch roles the IAM role maps to (platform/opensearch-authinfo.ts).
 * The verdicts are recorded as derived results (a replay cannot log in again); the
 * token, the credentials and the auth token are never printed or recorded.
 */
import { defineModule, type ModuleContext } from '../core/module.js';
import { ApiCallError, errorMessage } from '../core/errors.js';
import { eachInOrder, type Reporter } from '../core/reporter.js';
import type { Services } from '../core/context.js';
import type { Facts, PlannedComponent } from '../core/facts.js';
import { DEFAULT_AUDIENCE } from '../iam/policy.js';
import { databaseNameOf } from '../helm/database-name.js';
import { AUDIENCE_ANNOTATION } from '../platform/kube.js';
import type { TemporaryCredentials } from '../platform/aws.js';
import { auroraLogin, type LoginResult } from '../platform/pg-login.js';
import { openSearchAuthInfo, type AuthInfoResult } from '../platform/opensearch-authinfo.js';
import { rdsAuthToken } from '../platform/sigv4.js';
import {
  AURORA_MARKER,
  AUTHINFO_MARKER,
  auroraJob,
  authInfoJob,
  parseAuroraMarker,
  parseAuthInfoMarker,
} from '../platform/data-plane-jobs.js';

/** Beyond the Job's own deadline: time to start the pod and fetch its log. */
const JOB_GRACE_MS = 15_000;

/** Runs a proof Job and reads its marker line; why not, when it gives no verdict. */
async function viaJob<T>(
  ctx: Services,
  manifest: Record<string, unknown>,
  marker: string,
  parse: (logs: string | undefined) => T | 'no-credentials' | undefined,
  roleArn: string,
): Promise<Proof<T>> {
  const res = await ctx.kube.runJob(
    ctx.options.namespace,
    manifest,
    ctx.options.jobTimeoutSeconds * 1000 + JOB_GRACE_MS,
  );
  if (res.outcome !== 'succeeded')
    return {
      ok: false,
      reason: `the verification Job ${res.jobName} ended ${res.outcome}${res.reason ? ` (${res.reason})` : ''}`,
    };
  const verdict = parse(res.logs);
  if (verdict === undefined)
    return { ok: false, reason: `the verification Job ${res.jobName} printed no ${marker} line` };
  if (verdict === 'no-credentials')
    return {
      ok: false,
      reason: `the pod got no credentials for ${roleArn} through IRSA (see the identity Job)`,
    };
  return { ok: true, result: verdict };
}

const CHECKS = {
  'aurora-pam-authentication-failed': {
    severity: 'FAIL',
    code: 260,
    title: 'Aurora refused the IAM login (PAM authentication failed): user missing or not granted rds_iam',
    fix: 'CREATE USER …; GRANT rds_iam TO …;',
  },
  'aurora-database-missing': {
    severity: 'FAIL',
    code: 261,
    title: 'the component’s database does not exist on the Aurora cluster',
    fix: 'Create the database.',
  },
  'aurora-tls-refused': {
    severity: 'FAIL',
    code: 262,
    title: 'the database host refused TLS',
    fix: 'Use the Aurora endpoint, with TLS.',
  },
  'aurora-unreachable': {
    severity: 'FAIL',
    code: 263,
    title: 'the database is not reachable from where the data-plane proof runs',
    fix: 'Run from inside the VPC; open the security group.',
  },
  'aurora-login-error': {
    severity: 'FAIL',
    code: 264,
    title: 'the Aurora login failed for another reason',
    fix: 'Check the database log.',
  },
  'aurora-user-not-rds-iam': {
    severity: 'FAIL',
    code: 265,
    title: 'the database user is not a member of rds_iam',
    fix: 'GRANT rds_iam TO the user.',
  },
  'aurora-login-not-proven': {
    severity: 'INFO',
    title:
      'the Aurora login could not be tried (database host, user or name unknown, no credentials, or the verification Job gave no verdict), so it is not proven',
  },
  'opensearch-role-unmapped': {
    severity: 'FAIL',
    code: 270,
    title: 'OpenSearch fine-grained access control maps the IAM role to no OpenSearch role',
    fix: 'Map the role (backend_roles) in OpenSearch.',
  },
  'opensearch-signed-request-refused': {
    severity: 'FAIL',
    code: 271,
    title: 'OpenSearch refused a request signed with the role',
    fix: 'Allow es:ESHttp* for the role.',
  },
  'opensearch-unreachable': {
    severity: 'FAIL',
    code: 272,
    title: 'OpenSearch is not reachable from where the data-plane proof runs',
    fix: 'Run from inside the VPC; open the security group.',
  },
  'opensearch-authinfo-error': {
    severity: 'FAIL',
    code: 273,
    title: 'OpenSearch answered the authinfo request unexpectedly',
    fix: 'Check the domain.',
  },
  'opensearch-mapping-not-proven': {
    severity: 'INFO',
    title:
      'the OpenSearch role mapping could not be asked (no credentials, or the verification Job gave no verdict), so it is not proven',
  },
} as const;
type Id = keyof typeof CHECKS;

type Ctx = ModuleContext<
  'caller' | 'plan' | 'roleArns' | 'values',
  'region' | 'databases' | 'auroraClusters' | 'openSearch' | 'openSearchDomain'
>;

/** The optional facts the proofs read, awaited once. */
interface ProofFacts {
  region: string | undefined;
  databases: Facts['databases'] | undefined;
  auroraClusters: Facts['auroraClusters'] | undefined;
  openSearchDomain: Facts['openSearchDomain'] | undefined;
}

/** How long one login or one request may take. */
export const DIRECT_TIMEOUT_MS = 10_000;
const TOKEN_SECONDS = 600;

export const DERIVED_AURORA_LOGIN = 'auroraLogin';
export const DERIVED_OPENSEARCH_AUTHINFO = 'openSearchAuthInfo';

/**
 * How the password of the Aurora login is made: an RDS IAM auth token. A seam for the
 * tests, whose PostgreSQL server has a password-auth user standing in for the token.
 */
export const auroraPassword = {
  make: (credentials: TemporaryCredentials, region: string, host: string, port: number, user: string) =>
    rdsAuthToken(credentials, region, host, port, user),
};

type Proof<T> = { ok: true; result: T } | { ok: false; reason: string };

/** The role's temporary credentials, exactly as a pod's SDK gets them; the reason when not. */
async function credentialsFor(
  ctx: Services,
  c: PlannedComponent,
  roleArn: string,
  clusterRegion: string | undefined,
): Promise<Proof<TemporaryCredentials>> {
  const ns = ctx.options.namespace;
  try {
    const account = await ctx.kube.serviceAccount(ns, c.serviceAccount.name);
    const audience = account?.annotations[AUDIENCE_ANNOTATION]?.trim() || DEFAULT_AUDIENCE;
    const token = await ctx.kube.requestToken(ns, c.serviceAccount.name, audience, TOKEN_SECONDS);
    const region = clusterRegion ?? ctx.options.region ?? 'us-east-1';
    return { ok: true, result: await ctx.aws.webIdentityCredentials(roleArn, token, region) };
  } catch (e) {
    const why = e instanceof ApiCallError ? `${e.operation}: ${e.reason}` : errorMessage(e);
    return { ok: false, reason: `no credentials for ${roleArn} (${why}; see the token check)` };
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function proveAurora(
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
  const region = f.auroraClusters?.get(c.key)?.region ?? f.region ?? 'us-east-1';
  const proof = ctx.options.direct
    ? await ctx.derive<Proof<LoginResult>>(
        DERIVED_AURORA_LOGIN,
        [c.key, host, port, database, user, roleArn],
        async () => {
          const creds = await credentialsFor(ctx, c, roleArn, f.region);
          if (!creds.ok) return creds;
          const password = await auroraPassword.make(creds.result, region, host, port, user);
          const result = await auroraLogin({
            host,
            port,
            database,
            user,
            password,
            timeoutMs: DIRECT_TIMEOUT_MS,
          });
          return { ok: true, result };
        },
      )
    : await viaJob(
        ctx,
        auroraJob({
          namespace: ctx.options.namespace,
          component: c.key,
          serviceAccount: c.serviceAccount.name,
          timeoutSeconds: ctx.options.jobTimeoutSeconds,
          awsImage: ctx.options.jobImage,
          host,
          port,
          database,
          user,
          region,
        }),
        AURORA_MARKER,
        parseAuroraMarker,
        roleArn,
      );
  if (!proof.ok) {
    out.info('aurora-login-not-proven', `Aurora login not proven: ${proof.reason}`);
    return;
  }
  const r = proof.result;
  const who = `${user}@${host}:${port}/${database}`;
  const grant = `CREATE USER ${quoteIdent(user)} WITH LOGIN; GRANT rds_iam TO ${quoteIdent(user)};`;
  const detail = r.detail ? ` (${r.detail})` : '';
  const where = ctx.options.direct ? 'here' : 'the cluster';
  const via = ctx.options.direct ? '' : ' (verification Job)';
  switch (r.outcome) {
    case 'ok':
      if (r.rdsIam)
        out.ok(
          'aurora-user-not-rds-iam',
          `Aurora login proven${via}: ${who} over TLS with role ${roleArn}; the user is a member of rds_iam`,
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
    case 'auth-failed':
      out.fail(
        'aurora-pam-authentication-failed',
        `Aurora refused the IAM login of ${who}${detail}: the user does not exist or is not granted rds_iam`,
        { fix: `As the master user, in database ${database}: ${grant}` },
      );
      return;
    case 'no-database':
      out.fail('aurora-database-missing', `database ${database} does not exist on ${host}${detail}`, {
        fix: `As the master user: CREATE DATABASE ${quoteIdent(database)} OWNER ${quoteIdent(user)}; (or correct the database name in the values).`,
      });
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

function openSearchBase(ctx: Ctx, host: string, port: number): string {
  const protocol = ctx.facts.values.string('global.opensearch.url.protocol') === 'http' ? 'http' : 'https';
  return `${protocol}://${host}:${port}`;
}

async function proveOpenSearch(
  ctx: Ctx,
  f: ProofFacts,
  os: Facts['openSearch'],
  c: PlannedComponent,
  roleArn: string,
  out: Reporter<Id>,
): Promise<void> {
  const base = openSearchBase(ctx, os.host, os.port);
  const region = f.openSearchDomain?.region ?? f.region ?? 'us-east-1';
  const proof = ctx.options.direct
    ? await ctx.derive<Proof<AuthInfoResult>>(
        DERIVED_OPENSEARCH_AUTHINFO,
        [c.key, base, roleArn],
        async () => {
          const creds = await credentialsFor(ctx, c, roleArn, f.region);
          if (!creds.ok) return creds;
          return {
            ok: true,
            result: await openSearchAuthInfo(creds.result, region, base, DIRECT_TIMEOUT_MS),
          };
        },
      )
    : await viaJob(
        ctx,
        authInfoJob({
          namespace: ctx.options.namespace,
          component: c.key,
          serviceAccount: c.serviceAccount.name,
          timeoutSeconds: ctx.options.jobTimeoutSeconds,
          awsImage: ctx.options.jobImage,
          baseUrl: base,
          region,
        }),
        AUTHINFO_MARKER,
        parseAuthInfoMarker,
        roleArn,
      );
  if (!proof.ok) {
    out.info('opensearch-mapping-not-proven', `OpenSearch role mapping not proven: ${proof.reason}`);
    return;
  }
  const r = proof.result;
  const domain = f.openSearchDomain?.domain;
  const fgacOff = domain !== undefined && !domain.fineGrainedAccessControl;
  const detail = r.detail ? ` (HTTP ${r.status}: ${r.detail})` : '';
  const mapping = `PUT _plugins/_security/api/rolesmapping/all_access {"backend_roles": ["${roleArn}"]} (or map it to a narrower role with the index permissions Camunda needs)`;
  if (r.outcome === 'mapped') {
    out.ok(
      'opensearch-role-unmapped',
      `OpenSearch maps role ${roleArn} (backend roles ${r.backendRoles.join(', ') || 'none'}) to OpenSearch roles ${r.roles.join(', ')}`,
    );
  } else if (r.outcome === 'no-fgac' || (fgacOff && r.status !== undefined && r.status < 400)) {
    out.ok(
      'opensearch-signed-request-refused',
      `OpenSearch accepts requests signed with role ${roleArn} (fine-grained access control is off: no role mapping to check)`,
    );
  } else if (r.outcome === 'unmapped') {
    out.fail(
      'opensearch-role-unmapped',
      `OpenSearch maps role ${roleArn} to no OpenSearch role${detail}: every request fails with security_exception … no permissions`,
      {
        fix: `As the OpenSearch master user: ${mapping}.`,
      },
    );
  } else if (r.outcome === 'refused') {
    out.fail(
      'opensearch-signed-request-refused',
      `OpenSearch refused a request signed with role ${roleArn}${detail}`,
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

export const dataPlane = defineModule({
  id: 'data-plane',
  title: 'Data-plane proofs (Aurora login, OpenSearch role mapping)',
  needs: ['caller', 'plan', 'roleArns', 'values'],
  uses: ['region', 'databases', 'auroraClusters', 'openSearch', 'openSearchDomain'],
  checks: CHECKS,
  async run(ctx, out) {
    // From here with --direct; else in the cluster, with verification Jobs unless -s.
    if (!(ctx.options.direct || ctx.options.spawn)) return;
    const { plan, roleArns } = ctx.facts;
    const targets = plan.filter((c) => roleArns.has(c.key));
    const [region, databases, auroraClusters, openSearch, openSearchDomain] = await Promise.all([
      ctx.use('region'),
      ctx.use('databases'),
      ctx.use('auroraClusters'),
      ctx.use('openSearch'),
      ctx.use('openSearchDomain'),
    ]);
    const f: ProofFacts = { region, databases, auroraClusters, openSearchDomain };
    await eachInOrder(
      targets,
      out,
      (c) => c.key,
      async (c, o) => {
        const roleArn = roleArns.get(c.key)!;
        if (c.pg) await proveAurora(ctx, f, c, roleArn, o);
        if (c.os && openSearch) await proveOpenSearch(ctx, f, openSearch, c, roleArn, o);
      },
    );
  },
});
