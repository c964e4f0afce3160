/**
 * Condition operators, in IAM's semantics (IAM User Guide, "IAM JSON policy
 * elements: Condition operators" and "Multivalued context keys"), three-valued:
 * a condition on a key whose value irsa-check cannot know, or with an operator
 * or value it cannot evaluate, is unknown, never silently true or false.
 */
import { BlockList, isIP } from 'node:net';
import { and, not, or, unknown, type Tri } from './tri.js';
import {
  arnSegments,
  type Piece,
  piecesRegExp,
  piecesText,
  resolve,
  type KeyLookup,
  type Resolved,
} from './variables.js';

/** operator (`StringLike`, `ForAnyValue:StringEquals`…) → condition key → values. */
export type ConditionBlock = Record<string, Record<string, string[]>>;

// ---------------------------------------------------------------- patterns (Resource and Arn*)

/**
 * Where an ARN pattern stands, which decides how a pattern with fewer than six
 * segments is read (iam-simulate, src/resource/resource.ts `policyTypeResourceSettings`,
 * and its tests in src/resource/resource.test.ts, "Short ARN tests"):
 * - `identity`: the Resource of an identity policy or permissions boundary: the missing
 *   trailing segments match anything (`arn:aws:sqs` covers every queue);
 * - `resource`: the Resource of a resource-based policy: a short pattern with a wildcard
 *   is expanded like that, one without any wildcard matches nothing;
 * - `condition`: an ArnLike/ArnEquals value, checked per each of the six components
 *   (IAM User Guide, "Condition operators", "Amazon Resource Name (ARN) condition operators").
 */
export type ArnPatternPlace = 'identity' | 'resource' | 'condition';

/**
 * Does an ARN pattern (wildcards and variables resolved) match `value`? Each of the six
 * ARN segments is matched on its own. `*` alone matches everything. A non-ARN value is
 * matched flat. Unknown, never a guess, where AWS's documented readings disagree:
 * - a short pattern as a condition value (iam-simulate calls it invalid: no match; IAM
 *   does not document it) that would match the value flat;
 * - a wildcard in the resource-type part (`…:*\/12345`): iam-simulate treats it as a
 *   literal (IAM User Guide, "Identify AWS resources with ARNs", incorrect wildcard usage),
 *   a plain glob would match;
 * - in a Resource element, a `*` ending a segment that only matches when it spans a colon
 *   (IAM User Guide, "IAM JSON policy elements: Resource", "Using wildcards in resource ARNs").
 */
export function arnPatternMatches(
  resolved: Resolved,
  value: string,
  place: ArnPatternPlace = 'condition',
  /** For NotResource: a mismatch iam-simulate does not invert (short patterns) is unknown. */
  notResource = false,
): Tri {
  if (resolved.kind === 'unknown') return unknown(resolved.reason);
  if (resolved.kind === 'no-value') return notResource ? noValue(resolved.variable) : false;
  let pieces = resolved.pieces;
  if (pieces.length === 1 && 'wildcard' in pieces[0]! && pieces[0].wildcard === '*') return true;
  if (!value.startsWith('arn:')) return piecesRegExp(pieces, 'flat').test(value);
  const segments = arnSegments(pieces);
  let expanded = false;
  if (segments < 6) {
    const text = piecesText(pieces);
    const hasWildcard = pieces.some((p) => 'wildcard' in p);
    // Conditions compare six components (iam-simulate: an invalid ARN, no match; a negated
    // operator then does not hold either): unknown rather than a guess either way.
    if (place === 'condition') return unknown(`"${text}" is not a six-part ARN pattern`);
    if (place === 'resource' && !hasWildcard) return false;
    // Expanded: each missing segment is `*`.
    pieces = [...pieces];
    for (let n = segments; n < 6; n++) pieces.push({ literal: ':' }, { wildcard: '*' });
    expanded = true;
  }
  if (place === 'condition' && (value.split(':').length < 6 || !/^arn:[^:]+:[^:]+:/.test(value))) {
    return unknown(`the request value "${value}" is not an ARN`);
  }
  if (!piecesRegExp(pieces, 'arn').test(value)) {
    if (expanded && notResource) {
      // iam-simulate, resource.test.ts "identity NotResource: P7 … (expanded, region mismatch)":
      // a short pattern's mismatch makes the NotResource statement not apply; AWS does not document it.
      return unknown(`"${piecesText(resolved.pieces)}" is not a six-part ARN pattern`);
    }
    if (place !== 'condition' && piecesRegExp(pieces, 'arn-span').test(value)) {
      return unknown(
        `"${piecesText(resolved.pieces)}" matches ${value} only if a * that ends an ARN segment matches across a colon`,
      );
    }
    return false;
  }
  return wildcardInResourceType(pieces)
    ? unknown(`"${piecesText(resolved.pieces)}" has a wildcard in the resource-type part of the ARN`)
    : true;
}

/** A policy variable without a value where a negation would turn "matches nothing" into "applies". */
export function noValue(variable: string): Tri {
  // IAM User Guide, "IAM policy elements: Variables and tags": a variable AWS cannot resolve may
  // make the whole statement invalid, so "equals nothing, hence the negation holds" is not sure.
  return unknown(
    `policy variable ${variable} has no value in this request (AWS may treat the statement as invalid)`,
  );
}

/**
 * The resource part's type prefix (up to its first `/` or `:`) holds a wildcard; S3 ARNs
 * (no region, no account) have no type prefix (iam-simulate, src/util.ts `getResourceSegments`).
 */
function wildcardInResourceType(pieces: readonly Piece[]): boolean {
  let colons = 0;
  let text = '';
  for (const p of pieces) {
    const s = 'literal' in p ? p.literal : '\u0000'; // a wildcard, marked
    for (const ch of s) {
      if (colons >= 5) text += ch;
      if (ch === ':') colons += 1;
    }
  }
  const [, , service, region, account] = piecesText(pieces).split(':');
  if (service === 's3' && region === '' && account === '') return false;
  const cut = text.search(/[/:]/);
  return cut >= 0 && text.slice(0, cut).includes('\u0000');
}

// ---------------------------------------------------------------- operators

type Family = 'string' | 'arn' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip';

interface BaseOperator {
  family: Family;
  /** Negated operators hold when no policy value matches. */
  negated: boolean;
  /** Does one request value match one policy value (before negation)? */
  test: (requestValue: string, policyValue: PolicyValue) => Tri;
}

/** String and ARN operators take policy variables; the other families take plain text. */
type PolicyValue = Resolved;

const text = (v: PolicyValue, f: (s: string) => Tri): Tri => {
  if (v.kind === 'unknown') return unknown(v.reason);
  if (v.kind === 'no-value') return false; // a variable without a value equals nothing
  return f(piecesText(v.pieces));
};

const like =
  (ignoreCase: boolean) =>
  (value: string, v: PolicyValue): Tri => {
    if (v.kind !== 'pieces') return text(v, () => false);
    return piecesRegExp(v.pieces, 'flat', ignoreCase).test(value);
  };

const stringEquals = (value: string, v: PolicyValue) => text(v, (p) => p === value);
const stringEqualsIgnoreCase = (value: string, v: PolicyValue) =>
  text(v, (p) => p.toLowerCase() === value.toLowerCase());
// ArnEquals and ArnLike behave alike in IAM: both honour wildcards, per ARN segment.
const arnLike = (value: string, v: PolicyValue) => arnPatternMatches(v, value);

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)$/;
function numeric(cmp: (a: number, b: number) => boolean) {
  return (value: string, v: PolicyValue): Tri =>
    text(v, (p) => {
      if (!NUMBER.test(p.trim())) return unknown(`"${p}" is not a number`);
      if (!NUMBER.test(value.trim())) return unknown(`the request value "${value}" is not a number`);
      return cmp(Number(value), Number(p));
    });
}

/** ISO 8601 date/time, or seconds since the epoch. */
function parseDate(s: string): number {
  const t = s.trim();
  if (/^\d+(?:\.\d+)?$/.test(t)) return Number(t) * 1000;
  return /^\d{4}-\d{2}-\d{2}/.test(t) ? Date.parse(t) : NaN;
}
function date(cmp: (a: number, b: number) => boolean) {
  return (value: string, v: PolicyValue): Tri =>
    text(v, (p) => {
      const [a, b] = [parseDate(value), parseDate(p)];
      if (Number.isNaN(b)) return unknown(`"${p}" is not a date`);
      if (Number.isNaN(a)) return unknown(`the request value "${value}" is not a date`);
      return cmp(a, b);
    });
}

const bool = (value: string, v: PolicyValue): Tri =>
  text(v, (p) => {
    const want = p.toLowerCase();
    if (want !== 'true' && want !== 'false') return unknown(`"${p}" is not true or false`);
    return value.toLowerCase() === want;
  });

// BinaryEquals compares the base64 text of the value byte for byte.
const binary = (value: string, v: PolicyValue) => text(v, (p) => p === value);

/** An IPv4 or IPv6 address or CIDR block; a bare address is a block of one. */
function ipMatches(value: string, v: PolicyValue): Tri {
  return text(v, (p) => {
    const [addr = '', prefix] = p.trim().split('/');
    const family = isIP(addr);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32)) {
      return unknown(`"${p}" is not an IP address or CIDR block`);
    }
    const requestFamily = isIP(value.trim());
    if (requestFamily === 0) return unknown(`the request value "${value}" is not an IP address`);
    const list = new BlockList();
    list.addSubnet(addr, bits, family === 6 ? 'ipv6' : 'ipv4');
    return list.check(value.trim(), requestFamily === 6 ? 'ipv6' : 'ipv4');
  });
}

const lt = (a: number, b: number) => a < b;
const le = (a: number, b: number) => a <= b;
const gt = (a: number, b: number) => a > b;
const ge = (a: number, b: number) => a >= b;
const eq = (a: number, b: number) => a === b;

const op = (family: Family, test: BaseOperator['test'], negated = false): BaseOperator => ({
  family,
  test,
  negated,
});

// Keys are lower-cased: operator names are matched case-insensitively.
const BASE_OPERATORS: Record<string, BaseOperator> = {
  stringequals: op('string', stringEquals),
  stringnotequals: op('string', stringEquals, true),
  stringequalsignorecase: op('string', stringEqualsIgnoreCase),
  stringnotequalsignorecase: op('string', stringEqualsIgnoreCase, true),
  stringlike: op('string', like(false)),
  stringnotlike: op('string', like(false), true),
  arnequals: op('arn', arnLike),
  arnlike: op('arn', arnLike),
  arnnotequals: op('arn', arnLike, true),
  arnnotlike: op('arn', arnLike, true),
  numericequals: op('numeric', numeric(eq)),
  numericnotequals: op('numeric', numeric(eq), true),
  numericlessthan: op('numeric', numeric(lt)),
  numericlessthanequals: op('numeric', numeric(le)),
  numericgreaterthan: op('numeric', numeric(gt)),
  numericgreaterthanequals: op('numeric', numeric(ge)),
  dateequals: op('date', date(eq)),
  datenotequals: op('date', date(eq), true),
  datelessthan: op('date', date(lt)),
  datelessthanequals: op('date', date(le)),
  dategreaterthan: op('date', date(gt)),
  dategreaterthanequals: op('date', date(ge)),
  bool: op('bool', bool),
  binaryequals: op('binary', binary),
  ipaddress: op('ip', ipMatches),
  notipaddress: op('ip', ipMatches, true),
};

type SetQualifier = 'ForAnyValue' | 'ForAllValues' | undefined;

interface ParsedOperator {
  qualifier: SetQualifier;
  base: string;
  ifExists: boolean;
}

function parseOperator(operator: string): ParsedOperator {
  const m = /^(?:(ForAnyValue|ForAllValues):)?(.*?)(IfExists)?$/i.exec(operator);
  const [, set, base = '', ifExists] = m ?? [];
  const qualifier = set ? (set.toLowerCase() === 'foranyvalue' ? 'ForAnyValue' : 'ForAllValues') : undefined;
  return { qualifier, base: base.toLowerCase(), ifExists: ifExists !== undefined };
}

export interface ConditionOptions {
  lookup: KeyLookup;
  /** Whether policy variables are substituted (the document's Version is 2012-10-17). */
  substitute: boolean;
}

/** Whether one `operator: {key: values}` entry holds. */
export function conditionHolds(
  operator: string,
  key: string,
  policyValues: readonly string[],
  { lookup, substitute }: ConditionOptions,
): Tri {
  const parsed = parseOperator(operator);
  const state = lookup(key);
  if (parsed.base === 'null') {
    if (parsed.qualifier || parsed.ifExists) return unknown(`condition operator "${operator}" is not valid`);
    if (state.kind === 'unknown')
      return unknown(`the value of condition key ${key} is unknown to irsa-check`);
    // Null: "true" asks for the key to be absent, "false" for it to be present; several values = OR.
    return policyValues.some((v) => (v.toLowerCase() === 'true') === (state.kind === 'absent'));
  }
  const base = BASE_OPERATORS[parsed.base];
  if (!base) return unknown(`condition operator "${operator}" is not supported`);
  if (state.kind === 'unknown') return unknown(`the value of condition key ${key} is unknown to irsa-check`);
  if (state.kind === 'absent') return absentKeyResult(parsed, base);
  // Variables are valid only in string and ARN operators; elsewhere `${…}` stays literal text.
  const takesVariables = base.family === 'string' || base.family === 'arn';
  const values = policyValues.map((p) => resolve(p, substitute && takesVariables, lookup));
  const missing = values.find((v) => v.kind === 'no-value');
  if (base.negated && missing?.kind === 'no-value') return noValue(missing.variable);
  const satisfies = (value: string): Tri => {
    const matched = or(values.map((p) => base.test(value, p)));
    return base.negated ? not(matched) : matched;
  };
  const results = state.values.map(satisfies);
  switch (parsed.qualifier) {
    case 'ForAllValues':
      return and(results);
    case 'ForAnyValue':
      return or(results);
    default:
      // A single-valued operator on a multivalued key: a positive operator needs one request
      // value to match, a negated one needs none to match (the complement of the positive).
      return base.negated ? and(results) : or(results);
  }
}

/**
 * A key absent from the request (or present with no value, an empty list):
 * - `…IfExists`: holds (that is the point of the suffix);
 * - `ForAllValues:`: holds (every one of zero values matches);
 * - `ForAnyValue:`: fails (no value can match);
 * - plain negated operators (StringNotEquals, ArnNotLike, NotIpAddress…): hold, nothing equals the policy value;
 * - plain positive operators (StringEquals, Bool, IpAddress…): fail.
 */
function absentKeyResult(parsed: ParsedOperator, base: BaseOperator): boolean {
  if (parsed.ifExists) return true;
  if (parsed.qualifier === 'ForAllValues') return true;
  if (parsed.qualifier === 'ForAnyValue') return false;
  return base.negated;
}

/** Every operator and every key must hold (AND); values within one key are ORed by the operator. */
export function conditionsHold(block: ConditionBlock | undefined, options: ConditionOptions): Tri {
  const results: Tri[] = [];
  for (const [operator, keys] of Object.entries(block ?? {})) {
    for (const [key, values] of Object.entries(keys)) {
      const holds = conditionHolds(operator, key, values, options);
      if (holds === false) return false;
      results.push(holds);
    }
  }
  return and(results);
}
