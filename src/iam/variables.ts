/**
 * Policy variables and wildcard patterns: turns a Resource or condition value into
 * pieces (literal text, `*`, `?`) after substituting `${…}` from the request, and
 * matches those pieces against a request value, flat (StringLike) or per ARN segment.
 *
 * Rules mirrored (IAM User Guide, "IAM policy elements: Variables and tags"):
 * - variables are substituted only in documents with Version 2012-10-17; older
 *   versions keep `${…}` as literal text;
 * - `${*}`, `${?}`, `${$}` stand for a literal `*`, `?`, `$` (never a wildcard);
 * - `${key, 'default'}` uses the default when the request has no value for the key;
 * - a variable whose key the request does not carry, without a default, has no
 *   value: the text containing it equals and matches nothing;
 * - a multivalued key cannot be a variable.
 */

/** What the request says about one context key. */
export type KeyState =
  | { kind: 'present'; values: string[] }
  | { kind: 'absent' }
  /** irsa-check does not know the key's value (or whether the key is present at all). */
  | { kind: 'unknown' };

export type KeyLookup = (key: string) => KeyState;

export type Piece = { literal: string } | { wildcard: '*' | '?' };

export type Resolved =
  | { kind: 'pieces'; pieces: Piece[] }
  /** A variable without a value and without a default: the text matches nothing. */
  | { kind: 'no-value'; variable: string }
  /** A variable irsa-check cannot resolve: the comparison is undetermined. */
  | { kind: 'unknown'; reason: string };

export const VARIABLES_VERSION = '2012-10-17';

const SPECIAL: Record<string, string> = { '*': '*', '?': '?', $: '$' };
const VARIABLE = /^\s*([^,']+?)\s*(?:,\s*'([^']*)'\s*)?$/;

/** Splits `text` into pieces, substituting variables when `substitute` (the document's Version allows it). */
export function resolve(text: string, substitute: boolean, lookup: KeyLookup): Resolved {
  const pieces: Piece[] = [];
  const literal = (s: string) => {
    const last = pieces[pieces.length - 1];
    if (last && 'literal' in last) last.literal += s;
    else pieces.push({ literal: s });
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (substitute && c === '$' && text[i + 1] === '{') {
      const end = text.indexOf('}', i + 2);
      if (end < 0) {
        literal(text.slice(i));
        break;
      }
      const body = text.slice(i + 2, end);
      const token = text.slice(i, end + 1);
      i = end + 1;
      if (SPECIAL[body] !== undefined) {
        literal(SPECIAL[body]);
        continue;
      }
      const m = VARIABLE.exec(body);
      if (!m) return { kind: 'unknown', reason: `policy variable ${token} is not well-formed` };
      const [, key = '', fallback] = m;
      const state = lookup(key);
      if (state.kind === 'present') {
        if (state.values.length !== 1) {
          return { kind: 'unknown', reason: `policy variable ${token} names a multivalued key` };
        }
        literal(state.values[0]!);
      } else if (state.kind === 'absent') {
        if (fallback === undefined) return { kind: 'no-value', variable: token };
        literal(fallback);
      } else {
        return { kind: 'unknown', reason: `policy variable ${token} has a value irsa-check cannot know` };
      }
      continue;
    }
    if (c === '*' || c === '?') pieces.push({ wildcard: c });
    else literal(c);
    i += 1;
  }
  return { kind: 'pieces', pieces };
}

/** The pieces as plain text, wildcards taken literally (StringEquals and friends). */
export function piecesText(pieces: readonly Piece[]): string {
  return pieces.map((p) => ('literal' in p ? p.literal : p.wildcard)).join('');
}

const escape = (s: string) => s.replace(/[\\^$.|+()[\]{}*?]/g, '\\$&');

/**
 * `*` matches any run of characters, `?` one character. In `arn` mode the pattern is
 * matched per ARN segment: in the first five (arn, partition, service, region, account)
 * a wildcard never spans a colon; only the resource segment may contain colons.
 * `arn-span` is the other reading the IAM User Guide allows ("IAM JSON policy elements:
 * Resource", "Using wildcards in resource ARNs": a `*` that is the last character of a
 * segment can match beyond the colon): such a `*` spans colons there too.
 */
export function piecesRegExp(
  pieces: readonly Piece[],
  mode: 'flat' | 'arn' | 'arn-span',
  ignoreCase = false,
): RegExp {
  let colons = 0;
  let body = '';
  pieces.forEach((p, i) => {
    if ('literal' in p) {
      for (const ch of p.literal) {
        if (ch === ':') colons += 1;
        body += escape(ch);
      }
      return;
    }
    const next = pieces[i + 1];
    const endsSegment = next === undefined || ('literal' in next && next.literal.startsWith(':'));
    const perSegment =
      mode !== 'flat' && colons < 5 && !(mode === 'arn-span' && endsSegment && p.wildcard === '*');
    if (perSegment) body += p.wildcard === '*' ? '[^:]*' : '[^:]';
    else body += p.wildcard === '*' ? '.*' : '.';
  });
  return new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
}

/** How many ARN segments the pattern's literal text spells (six for a well-formed ARN pattern). */
export function arnSegments(pieces: readonly Piece[]): number {
  return piecesText(pieces).split(':').length;
}
