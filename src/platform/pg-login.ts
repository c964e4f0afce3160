/**
 * The Aurora login proof: log in over TLS as the component's database user with an
 * IAM auth token as password (RDS user guide, "IAM database authentication for
 * PostgreSQL"), ask whether the user is a member of rds_iam, and sort a refusal into
 * the causes Camunda's troubleshooting page lists. The `pg` client is loaded only
 * when a proof runs. The password (token) is never part of a result.
 */
import { redactText } from '../core/redact.js';

export type LoginOutcome = 'ok' | 'auth-failed' | 'no-database' | 'tls-refused' | 'unreachable' | 'error';

export interface LoginResult {
  outcome: LoginOutcome;
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
    // TLS always, as IAM authentication requires. The server certificate is not
    // verified (like JDBC sslmode=require, what Camunda's guide configures): the RDS
    // CAs are not in Node's trust store, and the token expires in 15 minutes.
    ssl: { rejectUnauthorized: false },
    connectionTimeoutMillis: t.timeoutMs,
    query_timeout: t.timeoutMs,
    application_name: 'irsa-check',
  });
  // A connection dropped after the login must not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const res = await client.query<{ rds_iam: boolean }>(RDS_IAM_MEMBERSHIP_SQL);
    return { outcome: 'ok', rdsIam: res.rows[0]?.rds_iam === true };
  } catch (e) {
    return classifyLoginError(e);
  } finally {
    await client.end().catch(() => undefined);
  }
}
