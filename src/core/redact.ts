/**
 * Never print a secret. Helm values carry passwords; pods carry env; tokens are
 * bearer credentials. Everything printed, recorded or written goes through here.
 *
 * Three layers: values under secret-like keys (by name), secrets recognisable by
 * their shape under any key (AWS keys, JWTs, PEM blocks, `user:password@`), and
 * learnt secret values wherever a message quotes them — as whole values only, so
 * a weak password such as `camunda` never blanks `camunda-zeebe` or a sentence.
 */

export const REDACTED = '***REDACTED***';

/** A JSON object (not an array, not null): what the deep redaction walks into. */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keys whose string values are secrets. */
const SECRET_KEY =
  /pass(word|wd|phrase)?|secret|token|credential|api[-_]?key|private[-_]?key|access[-_]?key|auth[-_]?key|jwt|session[-_]?key/i;
/** …unless the key names a reference to a secret rather than the secret itself. */
const REFERENCE_KEY =
  /(names?|refs?|arns?|file|path|expiration|audiences?|enabled|type|mode|passwordkey|secretkey(s)?ref|url|store|class|seconds)$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !REFERENCE_KEY.test(key.replace(/[-_]/g, ''));
}

/** Keys (and env names) whose values are hosts or URLs: `user:password@host` is a credential there. */
const HOST_KEY = /(host|hosts|url|urls|uri|endpoint|address|server|dsn)$/i;

export function isHostKey(key: string): boolean {
  return HOST_KEY.test(key.replace(/[-_]/g, ''));
}

const JWT = /\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+/g;
/**
 * A PEM block (private key, certificate…), closed or cut off (a log excerpt). Certificates and
 * public keys are public by design (a webhook's caBundle, an issuer's chain) and checks read them
 * from bundles, so only the other types are redacted.
 */
const PUBLIC_PEM = /^(?:(?:TRUSTED |X509 )?CERTIFICATE|PUBLIC KEY|X509 CRL)$/;
const PEM = /-----BEGIN ([A-Z0-9 ]{1,40})-----(?:[\s\S]*?-----END \1-----|[A-Za-z0-9+/=\s\\]*)/g;
/** AWS access key IDs: long-term (AKIA) and temporary (ASIA). */
const AWS_ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g;
/**
 * AWS secret access keys: 40 base64 characters standing alone. Hex digests (OIDC
 * thumbprints, commit IDs) have no mixed case, so they are never taken for one;
 * a run inside longer base64url (a JWKS key) is not standing alone.
 */
const AWS_SECRET_CANDIDATE = /(?<![\w/+-])[A-Za-z0-9/+]{40}(?![\w/+=-])/g;
/** STS session tokens: base64 of AWS's token framing, always this prefix. */
const AWS_SESSION_TOKEN = /\b(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|AQoDYXdz)[A-Za-z0-9/+=]{20,}/g;
/** `scheme://user:password@host`; the password may hold `@` and `:` but not `/`, `?`, `#`. */
const URL_PASSWORD = /(\/\/[^/\s:@]+:)([^\s/?#]+)@/g;
const QUERY_SECRET = /\b((?:password|pwd|passwd|secret|token|apikey|api_key)=)([^&;\s"']+)/gi;

function isAwsSecretShape(s: string): boolean {
  return /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s);
}

/** Secrets recognisable by their shape alone, in any text. `collect` learns the passwords found. */
export function redactText(text: string, collect?: Set<string>): string {
  return text
    .replace(PEM, (m, type: string) => (PUBLIC_PEM.test(type) ? m : `<redacted PEM block: ${type}>`))
    .replace(JWT, '<redacted JWT>')
    .replace(AWS_SESSION_TOKEN, '<redacted AWS session token>')
    .replace(AWS_ACCESS_KEY_ID, '<redacted AWS access key ID>')
    .replace(AWS_SECRET_CANDIDATE, (m) => (isAwsSecretShape(m) ? '<redacted AWS secret key>' : m))
    .replace(URL_PASSWORD, (_m, head: string, pw: string) => {
      collect?.add(pw);
      return `${head}${REDACTED}@`;
    })
    .replace(QUERY_SECRET, (_m, head: string, pw: string) => {
      collect?.add(pw);
      return `${head}${REDACTED}`;
    });
}

/**
 * A host field's `user:password@host` (no scheme: `global.opensearch.url.host:
 * admin:pw@vpc-…`). The host may not be a URL, so the last `@` ends the password.
 */
export function redactHostValue(value: string, collect?: Set<string>): string {
  const at = value.lastIndexOf('@');
  const colon = value.indexOf(':');
  if (value.includes('://') || at < 0 || colon < 0 || colon > at) return redactText(value, collect);
  const user = value.slice(0, colon);
  if (/[\s/]/.test(user) || colon + 1 === at) return redactText(value, collect);
  collect?.add(value.slice(colon + 1, at));
  return redactText(`${user}:${REDACTED}@${value.slice(at + 1)}`, collect);
}

/**
 * A copy of `value` with secrets replaced: string leaves under secret-like keys,
 * the `value` of env entries whose `name` is secret-like, passwords in host/URL
 * fields, and shape-recognised secrets in every string. Empty strings stay empty:
 * "set but empty" is itself a finding (an empty AWS_ACCESS_KEY_ID still overrides IRSA).
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
    if (key !== undefined && isHostKey(key)) return redactHostValue(value, collect);
    return redactText(value, collect);
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, key, collect));
  if (!isPlainObject(value)) return value;
  // An env entry: {name: DB_PASSWORD, value: x} — the secret-ness (or host-ness) is in the name.
  const envName = typeof value.name === 'string' ? value.name : undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = walk(v, k === 'value' && envName !== undefined ? envName : k, collect);
  }
  return out;
}

/**
 * A password that is a plain word (`camunda`, `connector`, `password`) is also a
 * name irsa-check prints and a word of its sentences: it is redacted only where
 * it stands as a value, never wherever the word occurs.
 */
function isPlainWord(secret: string): boolean {
  return /^[A-Za-z]+$/.test(secret);
}

const isWordChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);
/** Characters that join words into one name: camunda-zeebe, camunda.example.com, role/camunda. */
const isJoiner = (c: string | undefined): boolean => c !== undefined && /[-./]/.test(c);

/**
 * Whether text[i, j) is a whole value, not a piece of a longer name or word
 * (`connectors`, `camunda-zeebe`, `role/camunda`, `camunda.example.com`).
 */
function standsAlone(text: string, i: number, j: number): boolean {
  const before = text[i - 1];
  // A JSON escape (\n, \t, \") ends the token before it: "…\\nsecret" must still match.
  const escaped = text[i - 2] === '\\';
  const leftInside =
    isWordChar(text[i]) &&
    ((isWordChar(before) && !escaped) || (isJoiner(before) && isWordChar(text[i - 2])));
  const after = text[j];
  const rightInside =
    isWordChar(text[j - 1]) && (isWordChar(after) || (isJoiner(after) && isWordChar(text[j + 1])));
  return !leftInside && !rightInside;
}

/**
 * Whether text[i, j) sits where a value sits: after `key=`, after a secret-like
 * `key:` (`password: x`, `"adminPassword": "x"`, `--db-password x`), or as the
 * password of `user:x@host`. Not a bare string: a tree's leaf is redacted by its key
 * (`redactDeep`), and a namespace or release named `camunda` is not the password.
 */
function inValuePosition(text: string, i: number, j: number): boolean {
  const before = text.slice(Math.max(0, i - 80), i);
  if (/=\s*["'`]?$/.test(before)) return true;
  if (/(^|[\s"'`/(=,])[^\s:@/"'`]+:$/.test(before) && text[j] === '@') return true;
  const label = /([\w.-]+)["'`]?\s*:\s*["'`]?$/.exec(before) ?? /(--[\w-]+)\s+["'`]?$/.exec(before);
  return label !== null && isSecretKey(label[1]!);
}

/**
 * Redacts known secret values wherever they appear as values (a password echoed
 * inside a JDBC URL, a message quoting a value) plus shape-recognised secrets.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  private ordered: string[] = [];

  /** Learns the secrets in a tree (e.g. the Helm values) so they can be hidden anywhere. */
  learn(tree: unknown): void {
    const found = new Set<string>();
    redactDeep(tree, found);
    // Very short values ("a", "1") would shred unrelated text; they are not secrets worth the noise.
    for (const s of found) if (s.length >= 4 && s !== REDACTED) this.secrets.add(s);
    // Longest first: a secret that contains another is replaced whole.
    this.ordered = [...this.secrets].sort((a, b) => b.length - a.length);
  }

  text(s: string): string {
    let out = s;
    for (const secret of this.ordered) out = replaceValue(out, secret);
    return redactText(out);
  }

  /** `redactDeep`, then the learnt secrets in every string that is left. */
  deep<T>(value: T): T {
    return mapStrings(redactDeep(value), (s) => this.text(s)) as T;
  }

  /** A redactor that knows what this one knows and can learn more without changing it. */
  copy(): Redactor {
    const other = new Redactor();
    for (const s of this.secrets) other.secrets.add(s);
    other.ordered = [...this.ordered];
    return other;
  }
}

function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
}

function replaceValue(text: string, secret: string): string {
  const valueOnly = isPlainWord(secret);
  let out = '';
  let from = 0;
  for (let i = text.indexOf(secret); i >= 0; i = text.indexOf(secret, i + 1)) {
    const j = i + secret.length;
    if (i < from || !standsAlone(text, i, j) || (valueOnly && !inValuePosition(text, i, j))) continue;
    out += text.slice(from, i) + REDACTED;
    from = j;
  }
  return out + text.slice(from);
}
