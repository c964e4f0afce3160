/**
 * The error strings an application prints when its AWS credentials or its data-plane
 * login fail (the IRSA errors of the AWS SDKs and of STS, PostgreSQL's IAM login
 * error, the OpenSearch security plugin's refusal), each with what it means and its
 * fix. Camunda's troubleshooting page asks users to look for exactly these by hand.
 * Shared by the pod-log check and the bundle recorder (which keeps only matching lines).
 * Buffer is Node's: this module runs only in the CLI.
 */
export interface LogPattern {
  /** Stable ID, also the check ID suffix. */
  id: string;
  re: RegExp;
  meaning: string;
  fix: string;
}

export const IRSA_LOG_PATTERNS: readonly LogPattern[] = [
  {
    id: 'not-authorized-assume',
    re: /Not authorized to perform sts:AssumeRoleWithWebIdentity/i,
    meaning: 'STS refused the pod’s token for the role',
    fix: 'Make the role’s trust policy admit system:serviceaccount:<namespace>:<service account> with aud sts.amazonaws.com for this cluster’s OIDC provider.',
  },
  {
    id: 'invalid-identity-token',
    re: /InvalidIdentityToken/,
    meaning: 'STS does not accept the token’s issuer',
    fix: 'Create the IAM OIDC provider for the cluster’s issuer (eksctl utils associate-iam-oidc-provider) with audience sts.amazonaws.com.',
  },
  {
    id: 'expired-token',
    re: /ExpiredToken/,
    meaning: 'the application used an expired token or expired temporary credentials',
    fix: 'Use an AWS SDK version that re-reads the projected token file (see the IRSA "supported SDKs" list) and check the node clocks; restart the pods.',
  },
  {
    id: 'web-identity-error',
    re: /WebIdentityErr/,
    meaning: 'the SDK could not exchange the web identity token for credentials',
    fix: 'Check the role ARN annotation, the trust policy (sub, aud) and the OIDC provider; then restart the pods.',
  },
  {
    id: 'unable-to-load-credentials',
    re: /Unable to load (?:AWS )?credentials/i,
    meaning: 'the SDK found no credentials at all',
    fix: 'The pod has no AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE: annotate the ServiceAccount and restart the pods (and do not rely on the node role).',
  },
  {
    // Aurora checks a token with PAM only for a user granted rds_iam; a missing user or one
    // without rds_iam gets "password authentication failed" instead (platform/pg-login.ts, the
    // data-plane proof's aurora-token-rejected). So PAM points at the IAM side, not at GRANT.
    id: 'pam-authentication-failed',
    re: /PAM authentication failed/i,
    meaning:
      'Aurora refused the IAM auth token of a database user granted rds_iam (PAM checks only those): the IAM side refused it',
    fix: 'Allow rds-db:connect on arn:aws:rds-db:<region>:<account>:dbuser:<cluster resource id>/<db user> (the cluster’s resource id, not its name; the user the application logs in as; the cluster’s Region) in the role’s policy; make the token for the endpoint host, port and Region the application connects to; behind an RDS Proxy, turn on its IAM authentication and allow rds-db:connect on its prx- resource id instead.',
  },
  {
    id: 'opensearch-no-permissions',
    re: /security_exception.{0,200}no permissions/i,
    meaning: 'OpenSearch fine-grained access control maps the IAM role to no OpenSearch role',
    fix: 'Map the role: PUT _plugins/_security/api/rolesmapping/all_access {"backend_roles": ["<role ARN>"]} (or a narrower role).',
  },
];

/** The first pattern a log line matches. */
export function matchLogLine(line: string): LogPattern | undefined {
  return IRSA_LOG_PATTERNS.find((p) => p.re.test(line));
}

/** What one log answer held: its lines, size, and whether the byte cap cut it. */
export interface LogAnswer {
  lines: string[];
  /** Lines and bytes of the answer as the API sent it (a bundle keeps only some of the lines). */
  lineCount: number;
  bytes: number;
  /** The answer filled `limitBytes`: the kubelet stopped there, so the newest lines are missing. */
  cut: boolean;
  /** When cut: how many whole lines fitted (the last line is a partial one). */
  wholeLines: number;
}

/**
 * The line a bundle appends to a log answer it keeps only the matching lines of: the answer's
 * real size, so a replay reads (and says it read) exactly what the live run did.
 */
const TRAILER = /^\[irsa-check: log answer of (\d+) lines, (\d+) bytes(?:, cut after (\d+) whole lines)?\]$/;

export function readLogAnswer(text: string, limitBytes: number): LogAnswer {
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  const trailer = TRAILER.exec(all.at(-1) ?? '');
  if (trailer) {
    return {
      lines: all.slice(0, -1),
      lineCount: Number(trailer[1]),
      bytes: Number(trailer[2]),
      cut: trailer[3] !== undefined,
      wholeLines: Number(trailer[3] ?? 0),
    };
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  const cut = bytes >= limitBytes;
  return {
    lines: all,
    lineCount: all.length,
    bytes,
    cut,
    wholeLines: cut ? (text.match(/\n/g)?.length ?? 0) : all.length,
  };
}

/** Only the lines that match a pattern, and the answer's size: what a bundle keeps of a pod's log. */
export function matchingLines(log: string, limitBytes = Infinity): string {
  const a = readLogAnswer(log, limitBytes);
  const kept = a.lines.filter((l) => matchLogLine(l) !== undefined);
  const cut = a.cut ? `, cut after ${a.wholeLines} whole lines` : '';
  return [...kept, `[irsa-check: log answer of ${a.lineCount} lines, ${a.bytes} bytes${cut}]`].join('\n');
}

/** `2026-11-30T10:00:00.123456789Z text` (the API's timestamps=true) → its time (ms) and text. */
export function splitTimestamp(line: string): { at?: number; text: string } {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2}) (.*)$/s.exec(line);
  if (!m) return { text: line };
  const at = Date.parse(`${m[1]}${m[2] ? m[2].slice(0, 4) : ''}${m[3]}`);
  return Number.isNaN(at) ? { text: line } : { at, text: m[4]! };
}
