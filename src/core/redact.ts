/**
 * Never print a secret. Helm values carry passwords; pods carry env; tokens are
 * bearer credentials. Everything printed, recorded or written goes through here.
 */
import { isPlainObject } from '../helm/values.js';

export const REDACTED = '***REDACTED***';

/** Keys whose string values are secrets. */
const SECRET_KEY =
  /pass(word|wd|phrase)?|secret|token|credential|api[-_]?key|private[-_]?key|access[-_]?key|auth[-_]?key|jwt|session[-_]?key/i;
/** …unless the key names a reference to a secret rather than the secret itself. */
const REFERENCE_KEY =
  /(name|ref|arn|file|path|expiration|audience|enabled|type|mode|passwordkey|secretkey(s)?ref|url|store|class|seconds)$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !REFERENCE_KEY.test(key.replace(/[-_]/g, ''));
}

const JWT = /\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+/g;
const URL_PASSWORD = /(\/\/[^/\s:@]+:)([^@\s/]+)@/g;
const QUERY_SECRET = /\b((?:password|pwd|passwd|secret|token|apikey|api_key)=)([^&;\s"']+)/gi;

/** Secrets recognisable by their shape alone, in any text. */
export function redactText(text: string): string {
  return text
    .replace(JWT, '<redacted JWT>')
    .replace(URL_PASSWORD, `$1${REDACTED}@`)
    .replace(QUERY_SECRET, `$1${REDACTED}`);
}

/**
 * A copy of `value` with secrets replaced: string leaves under secret-like keys,
 * the `value` of env entries whose `name` is secret-like, and shape-recognised
 * secrets in every string. Empty strings stay empty: "set but empty" is itself a
 * finding (an empty AWS_ACCESS_KEY_ID still overrides IRSA).
 */
export function redactDeep<T>(value: T, collect?: Set<string>): T {
  return walk(value, undefined, collect) as T;
}

function walk(value: unknown, key: string | undefined, collect: Set<string> | undefined): unknown {
  if (typeof value === 'string') {
    if (key !== undefined && isSecretKey(key) && value !== '') {
      collect?.add(value);
      return REDACTED;
    }
    return redactText(value);
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, key, collect));
  if (!isPlainObject(value)) return value;
  // An env entry: {name: DB_PASSWORD, value: x} — the secret-ness is in the name.
  const envSecret = typeof value.name === 'string' && isSecretKey(value.name);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === 'value' && envSecret ? walk(v, value.name as string, collect) : walk(v, k, collect);
  }
  return out;
}

/**
 * Redacts known secret values wherever they appear (a password echoed inside a
 * JDBC URL, a message quoting a value) plus shape-recognised secrets.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Learns the secrets in a tree (e.g. the Helm values) so they can be hidden anywhere. */
  learn(tree: unknown): void {
    const found = new Set<string>();
    redactDeep(tree, found);
    // Very short values ("a", "1") would shred unrelated text; they are not secrets worth the noise.
    for (const s of found) if (s.length >= 4) this.secrets.add(s);
  }

  text(s: string): string {
    let out = s;
    for (const secret of this.secrets) out = out.split(secret).join(REDACTED);
    return redactText(out);
  }
}
