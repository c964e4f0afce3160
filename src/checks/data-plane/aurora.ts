/**
 * The Aurora login proof: log in over TLS as the component's database user with an IAM auth
 * token and ask whether the user is a member of rds_iam (platform/pg-login.ts), from here
 * (--direct) or from a verification Job running as the component's ServiceAccount.
 */
import type { Reporter } from '../../core/reporter.js';
import type { PlannedComponent } from '../../engine/facts.js';
import { databaseNameOf } from '../../helm/database-name.js';
import { rdsTrustAnchors } from '../../db/rds-trust.js';
import { auroraLogin, type LoginResult } from '../../platform/pg-login.js';
import { AURORA_MARKER, auroraJob, parseAuroraMarker } from '../../platform/data-plane-jobs.js';
import type { Id } from './checks.js';
import {
  auroraPassword,
  credentialsFor,
  DERIVED_AURORA_LOGIN,
  DIRECT_TIMEOUT_MS,
  viaJob,
  type Ctx,
  type Proof,
  type ProofFacts,
} from './proof.js';

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

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
  const region = f.auroraClusters?.get(c.key)?.region ?? f.region ?? 'us-east-1';
  // In-process every Region's CAs cost nothing; a Job carries only its Region's. A replay needs none.
  const anchors = () => rdsTrustAnchors({ host, region, all: ctx.options.direct }, ctx.options.dbCa);
  const proof = ctx.options.direct
    ? await ctx.derive<Proof<LoginResult>>(
        DERIVED_AURORA_LOGIN,
        [c.key, host, port, database, user, roleArn],
        async () => {
          const creds = await credentialsFor(ctx, f, c, roleArn);
          if (!creds.ok) return creds;
          const password = await auroraPassword.make(creds.result, region, host, port, user);
          const result = await auroraLogin({
            host,
            port,
            database,
            user,
            password,
            timeoutMs: DIRECT_TIMEOUT_MS,
            ca: await anchors(),
          });
          return { ok: true, result };
        },
      )
    : await viaJob(
        ctx,
        auroraJob({
          namespace: ctx.scope.namespace,
          component: c.key,
          serviceAccount: c.serviceAccount.name,
          timeoutSeconds: ctx.options.jobTimeoutSeconds,
          awsImage: ctx.options.jobImage,
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
      );
  if (!proof.ok) {
    out.info('aurora-login-not-proven', `Aurora login not proven: ${proof.reason}`);
    return;
  }
  const r = proof.result;
  reportLogin(ctx, r, { user, host, port, database, roleArn }, out);
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

interface Login {
  user: string;
  host: string;
  port: number;
  database: string;
  roleArn: string;
}

/** The login's own verdict: one OK or one FAIL. */
function reportLogin(
  ctx: Ctx,
  r: LoginResult,
  { user, host, port, database, roleArn }: Login,
  out: Reporter<Id>,
): void {
  const who = `${user}@${host}:${port}/${database}`;
  const grant = `CREATE USER ${quoteIdent(user)} WITH LOGIN; GRANT rds_iam TO ${quoteIdent(user)};`;
  const detail = r.detail ? ` (${r.detail})` : '';
  const where = ctx.options.direct ? 'here' : 'the cluster';
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
