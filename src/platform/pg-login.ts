/**
 * The Aurora login proof: log in over TLS as the component's database user with an
 * IAM auth token as password (RDS user guide, "IAM database authentication for
 * PostgreSQL"), ask whether the user is a member of rds_iam, and sort a refusal into
 * the causes Camunda's troubleshooting page lists. The `pg` client is loaded only
 * when a proof runs. The password (token) is never part of a result.
 */
import { redactText } from '../core/redact.js';

export type LoginOutcome = 'ok' | 'auth-failed' | 'no-database' | 'tls-refused' | 'unreachable' | 'error';

/** Whether the server's certificate chained to the trust anchors and named the host. */
export interface TlsVerdict {
  verified: boolean;
  /** Why not (OpenSSL's or Node's code, or libpq's words), when not. */
  reason?: string;
}

export interface LoginResult {
  outcome: LoginOutcome;
  /** Set once a TLS session was set up (a refusal after it too); absent when none was. */
  tls?: TlsVerdict;
  /** With `ok`: whether the user is a member of rds_iam (directly or through a role). */
  rdsIam?: boolean;
  /** The server's or the network's own words (SQLSTATE or errno first), redacted. */
  detail?: string;
}

export interface LoginTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  timeoutMs: number;
  /** The CAs the server's certificate should chain to (db/rds-trust.ts). */
  ca: string[];
}

/**
 * Membership of rds_iam, false when the role does not exist at all (a cluster
 * without IAM authentication ever enabled). pg_has_role errors on an unknown role,
 * hence the guard; it is stable, not immutable, so it is not folded before the CASE.
 */
export const RDS_IAM_MEMBERSHIP_SQL =
  "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'rds_iam') " +
  "THEN pg_catalog.pg_has_role(current_user, 'rds_iam', 'MEMBER') ELSE false END AS rds_iam";

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNRESET',
]);

/** A pg/Node error → outcome; exported for the Job's marker line too. */
export function classifyLoginError(e: unknown): LoginResult {
  const err = e as { code?: string; message?: string };
  const code = err?.code ?? '';
  const message = (err?.message ?? String(e)).split('\n')[0] ?? '';
  const detail = redactText(code ? `${code}: ${message}` : message);
  // 28P01 invalid_password: Aurora's "PAM authentication failed for user", PostgreSQL's
  // "password authentication failed"; 28000 invalid_authorization_specification: a role
  // that may not log in, or no pg_hba.conf entry for it.
  if (code === '28P01' || code === '28000') return { outcome: 'auth-failed', detail };
  if (code === '3D000') return { outcome: 'no-database', detail };
  if (/does not support SSL/i.test(message) || code.startsWith('ERR_SSL') || code === 'EPROTO')
    return { outcome: 'tls-refused', detail };
  if (UNREACHABLE_CODES.has(code) || /timeout/i.test(message)) return { outcome: 'unreachable', detail };
  return { outcome: 'error', detail };
}

export async function auroraLogin(t: LoginTarget): Promise<LoginResult> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    host: t.host,
    port: t.port,
    database: t.database,
    user: t.user,
    password: t.password,
    // TLS always, as IAM authentication requires. The certificate is checked against the RDS
    // CAs and the host name, and the verdict reported, but a failure does not stop the login:
    // Camunda's guide configures JDBC sslmode=require, which logs in without that check, and
    // the proof must log in as Camunda does.
    ssl: { ca: t.ca, rejectUnauthorized: false },
    connectionTimeoutMillis: t.timeoutMs,
    query_timeout: t.timeoutMs,
    application_name: 'irsa-check',
  });
  // A connection dropped after the login must not crash the process.
  client.on('error', () => undefined);
  const withTls = (r: LoginResult): LoginResult => {
    const tls = tlsVerdictOf(client);
    return tls ? { ...r, tls } : r;
  };
  try {
    await client.connect();
    const res = await client.query<{ rds_iam: boolean }>(RDS_IAM_MEMBERSHIP_SQL);
    return withTls({ outcome: 'ok', rdsIam: res.rows[0]?.rds_iam === true });
  } catch (e) {
    return withTls(classifyLoginError(e));
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The verdict Node's TLS layer reached on the connection pg upgraded to TLS: `authorized`
 * covers the chain and, through checkServerIdentity, the host name (pg sets servername for
 * a host name; an IP address is matched against the certificate's IP SANs).
 */
function tlsVerdictOf(client: unknown): TlsVerdict | undefined {
  const stream = (client as { connection?: { stream?: unknown } }).connection?.stream as
    { encrypted?: boolean; authorized?: boolean; authorizationError?: unknown } | undefined;
  if (!stream?.encrypted || typeof stream.authorized !== 'boolean') return undefined;
  if (stream.authorized) return { verified: true };
  const why = stream.authorizationError;
  return {
    verified: false,
    reason: redactText(String((why as { code?: string })?.code ?? why ?? 'not verified')),
  };
}
