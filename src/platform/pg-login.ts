/**
 * The Aurora login proof: log in over TLS as the component's database user with an
 * IAM auth token as password (RDS user guide, "IAM database authentication for
 * PostgreSQL"), ask whether the user is a member of rds_iam, and sort a refusal into
 * the causes Camunda's troubleshooting page lists. The `pg` client is loaded only
 * when a proof runs. The password (token) is never part of a result.
 */
import { redactText } from '../core/redact.js';

/**
 * How a login ended. The refusals follow the server's own words (PostgreSQL
 * src/backend/libpq/auth.c, auth_failed() and ClientAuthentication(); Aurora answers an
 * IAM login with PAM):
 * - `token-rejected`: "PAM authentication failed for user" (SQLSTATE 28000). Only a user
 *   granted rds_iam is authenticated by PAM, so the user exists and is in rds_iam: the
 *   IAM side refused the token (rds-db:connect resource, user or Region; the token's host,
 *   port or Region; an expired token).
 * - `password-rejected`: "password authentication failed for user" (28P01). Aurora checked
 *   the token as a password: the user does not exist (PostgreSQL says the same for a
 *   missing role, so as not to tell who exists) or is not granted rds_iam.
 * - `login-not-permitted`: "role … is not permitted to log in" (28000): a role without LOGIN.
 * - `hba-rejected`: "no pg_hba.conf entry for host …, SSL encryption" or "… host rejected"
 *   (28000): the server's host-based authentication has no line for this connection.
 * - `tls-refused`: the server does not speak TLS, or the TLS handshake failed.
 * An RDS Proxy answers the client itself, in its own words (RDS user guide, "Troubleshooting for
 * RDS Proxy", "Troubleshooting RDS Proxy issues with RDS for PostgreSQL"; awsdocs/
 * amazon-rds-user-guide doc_source/rds-proxy.troubleshooting.md):
 * - "IAM authentication failed for user <u>. Check the IAM token for this user and try again."
 *   and "The IAM authentication failed for the role <u>. Check the IAM token …": the proxy
 *   refused the token (its IAM authentication, rds-db:connect on its prx- resource): `token-rejected`;
 * - "This RDS proxy has no credentials for the role <u>": no Secrets Manager secret for the
 *   user: `proxy-no-secret`;
 * - "The password that was provided for the role <u> is wrong": the proxy compared what it got
 *   with the user's secret, i.e. took the token as a password: `password-rejected`;
 * - "IAM authentication is allowed only with SSL connections", "IAM is allowed only with SSL
 *   connections", "This RDS Proxy requires TLS connections": `tls-refused`.
 * `auth-failed` is what a Job of an earlier irsa-check (a recorded bundle) said for any of the first two.
 */
export type LoginOutcome =
  | 'ok'
  | 'token-rejected'
  | 'password-rejected'
  | 'proxy-no-secret'
  | 'login-not-permitted'
  | 'hba-rejected'
  | 'auth-failed'
  | 'no-database'
  | 'tls-refused'
  | 'unreachable'
  | 'error';

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
  /**
   * The AWS principal that made the token (sts get-caller-identity in the Job, the
   * AssumeRoleWithWebIdentity answer with --direct); absent when it could not be read.
   */
  caller?: string;
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

/**
 * The server's or the client's words → outcome. One table for both forms of the proof:
 * pg's error message (--direct) and psql's output (the Job), so both call a case the same.
 * The texts are PostgreSQL's (auth.c, postinit.c) and libpq's / node-postgres's.
 */
const BY_TEXT: ReadonlyArray<[RegExp, LoginOutcome]> = [
  [/PAM authentication failed/i, 'token-rejected'],
  [/password authentication failed/i, 'password-rejected'],
  // RDS Proxy's own answers (see LoginOutcome).
  [/IAM authentication failed for (?:user|the role)/i, 'token-rejected'],
  [/has no credentials for the role/i, 'proxy-no-secret'],
  [/The password that was provided for the role .* is wrong/i, 'password-rejected'],
  [/IAM (?:authentication )?is allowed only with SSL connections|requires TLS connections/i, 'tls-refused'],
  [/is not permitted to log in/i, 'login-not-permitted'],
  [
    /no pg_hba\.conf entry for|pg_hba\.conf rejects connection|authentication failed for user "[^"]*": host rejected/i,
    'hba-rejected',
  ],
  [/database "[^"]*" does not exist/i, 'no-database'],
  [
    /does not support SSL|error establishing an SSL connection|SSL error|SSL SYSCALL error|wrong version number|packet length too long|unexpected eof while reading/i,
    'tls-refused',
  ],
  [
    /Connection refused|timeout expired|could not translate host name|No route to host|Network (is )?unreachable|no answer within/i,
    'unreachable',
  ],
];

/** psql's or pg's words alone (the Job's marker carries no SQLSTATE) → outcome. */
export function classifyLoginText(text: string): LoginOutcome {
  for (const [pattern, outcome] of BY_TEXT) if (pattern.test(text)) return outcome;
  return 'error';
}

/** A pg/Node error → outcome; the same table as the Job's psql output, then the codes. */
export function classifyLoginError(e: unknown): LoginResult {
  const err = e as { code?: string; message?: string };
  const code = err?.code ?? '';
  const message = (err?.message ?? String(e)).split('\n')[0] ?? '';
  const detail = redactText(code ? `${code}: ${message}` : message);
  const byText = classifyLoginText(message);
  if (byText !== 'error') return { outcome: byText, detail };
  // The text unknown (a translated server): the SQLSTATE still tells the class.
  if (code === '28P01') return { outcome: 'password-rejected', detail };
  if (code === '3D000') return { outcome: 'no-database', detail };
  if (code.startsWith('ERR_SSL') || code === 'EPROTO') return { outcome: 'tls-refused', detail };
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
  const stream = () => (client as { connection?: { stream?: { destroy?: () => void } } }).connection?.stream;
  // One deadline for the whole login: connect, TLS handshake, authentication and the query.
  // pg's own timeouts apply per phase (connect, then query), so a server that answers with
  // junk and keeps the socket open could take twice as long, or more.
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<LoginResult>((resolve) => {
    timer = setTimeout(() => {
      stream()?.destroy?.();
      resolve(withTls({ outcome: 'unreachable', detail: `no answer within ${seconds(t.timeoutMs)}` }));
    }, t.timeoutMs);
  });
  const attempt = async (): Promise<LoginResult> => {
    try {
      await client.connect();
      const res = await client.query<{ rds_iam: boolean }>(RDS_IAM_MEMBERSHIP_SQL);
      return withTls({ outcome: 'ok', rdsIam: res.rows[0]?.rds_iam === true });
    } catch (e) {
      return withTls(classifyLoginError(e));
    }
  };
  try {
    return await Promise.race([attempt(), deadline]);
  } finally {
    clearTimeout(timer);
    await closeWithin(client, stream, 1000);
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** client.end() waits for the server to close the socket: a server that never does is cut off. */
async function closeWithin(
  client: { end(): Promise<void> },
  stream: () => { destroy?: () => void } | undefined,
  ms: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.end().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
  stream()?.destroy?.();
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
