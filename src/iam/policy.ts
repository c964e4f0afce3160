/**
 * One evaluator for identity (permission), trust and resource policies, following
 * IAM's evaluation rules closely enough to decide the questions irsa-check asks:
 * does this role's trust policy admit this service account, does this role's
 * policy allow `rds-db:connect` on this cluster and user, and so on.
 *
 * Deliberate limits (each errs towards "not allowed", never towards a false OK):
 * - `NotPrincipal` is not evaluated: such a statement never matches and a warning is added.
 * - Condition operators outside the table below make their statement not match, with a warning.
 * - Policy variables (`${aws:username}`) are not substituted; they match literally.
 */
import { assumedRoleMatchesRole, isAccountId, oidcProviderHostPath, parseArn } from './arn.js';

// ---------------------------------------------------------------- types

export type Effect = 'Allow' | 'Deny';
export type PrincipalType = 'AWS' | 'Federated' | 'Service' | 'CanonicalUser';
/** `"*"` or principal type → ids. */
export type PrincipalSpec = '*' | Partial<Record<PrincipalType, string[]>>;
/** operator (`StringLike`, `ForAnyValue:StringEquals`…) → condition key → values. */
export type ConditionBlock = Record<string, Record<string, string[]>>;

/** A statement with every list-or-string element normalised to a list. */
export interface Statement {
  Sid?: string;
  Effect: Effect;
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Principal?: PrincipalSpec;
  NotPrincipal?: PrincipalSpec;
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: Statement[];
}

/** A document with a name to quote in messages (the policy name, "trust policy", …). */
export interface LabeledPolicy {
  doc: PolicyDocument;
  label: string;
}

export type PolicyInput = PolicyDocument | LabeledPolicy;

export type ContextValue = string | string[] | boolean | undefined;

export interface Request {
  action: string;
  /** Omitted for trust policies, which have no Resource element: then Resource/NotResource are not evaluated. */
  resource?: string;
  principal?: { type: 'AWS' | 'Federated' | 'Service'; id: string };
  context?: Record<string, ContextValue>;
}

export interface MatchedStatement {
  label?: string;
  /** Zero-based position in the policy's Statement list. */
  index: number;
  sid?: string;
  statement: Statement;
}

export type DecisionKind = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface Decision {
  decision: DecisionKind;
  allowedBy: MatchedStatement[];
  deniedBy: MatchedStatement[];
  warnings: string[];
}

/**
 * `decision` is the combined verdict; `allowedBy`/`deniedBy` list the matching statements of
 * both sets, and `identity`/`boundary` keep each verdict so a message can say which one refused.
 */
export interface BoundedDecision extends Decision {
  identity: Decision;
  boundary?: Decision;
}

export class PolicyParseError extends Error {
  override name = 'PolicyParseError';
}

// ---------------------------------------------------------------- normalisation

const PRINCIPAL_TYPES: readonly PrincipalType[] = ['AWS', 'Federated', 'Service', 'CanonicalUser'];

/**
 * Accepts a parsed document, its JSON text, or the URL-encoded JSON that IAM's
 * GetRole / GetRolePolicy / GetPolicyVersion return. Throws PolicyParseError on anything else.
 */
export function normalizePolicy(doc: unknown): PolicyDocument {
  const obj = typeof doc === 'string' ? parsePolicyText(doc) : doc;
  if (!isRecord(obj))
    throw new PolicyParseError(`a policy document must be a JSON object, got ${typeName(obj)}`);
  const raw = obj.Statement;
  if (raw === undefined) throw new PolicyParseError('the policy document has no Statement');
  const list = Array.isArray(raw) ? raw : [raw];
  return {
    ...optionalString(obj, 'Version', 'Version'),
    ...optionalString(obj, 'Id', 'Id'),
    Statement: list.map((s, i) => normalizeStatement(s, `Statement[${i}]`)),
  };
}

function parsePolicyText(text: string): unknown {
  const trimmed = text.trim();
  // JSON text starts with "{"; IAM's URL-encoded form starts with "%7B".
  const json = trimmed.startsWith('{') ? trimmed : decodeUri(trimmed);
  try {
    return JSON.parse(json);
  } catch (e) {
    throw new PolicyParseError(`the policy document is not valid JSON: ${(e as Error).message}`);
  }
}

function decodeUri(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new PolicyParseError('the policy document is neither JSON nor URL-encoded JSON');
  }
}

function normalizeStatement(raw: unknown, where: string): Statement {
  if (!isRecord(raw)) throw new PolicyParseError(`${where} must be an object, got ${typeName(raw)}`);
  const effect = raw.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') {
    throw new PolicyParseError(`${where}.Effect must be "Allow" or "Deny", got ${JSON.stringify(effect)}`);
  }
  exclusive(raw, where, 'Action', 'NotAction', true);
  exclusive(raw, where, 'Resource', 'NotResource', false);
  exclusive(raw, where, 'Principal', 'NotPrincipal', false);
  return {
    ...optionalString(raw, 'Sid', `${where}.Sid`),
    Effect: effect,
    ...optionalList(raw, 'Action', where),
    ...optionalList(raw, 'NotAction', where),
    ...optionalList(raw, 'Resource', where),
    ...optionalList(raw, 'NotResource', where),
    ...optionalPrincipal(raw, 'Principal', where),
    ...optionalPrincipal(raw, 'NotPrincipal', where),
    ...(raw.Condition === undefined
      ? {}
      : { Condition: normalizeCondition(raw.Condition, `${where}.Condition`) }),
  };
}

/** IAM requires exactly one of Action/NotAction and at most one of the other pairs. */
function exclusive(
  raw: Record<string, unknown>,
  where: string,
  a: string,
  b: string,
  required: boolean,
): void {
  const has = (k: string) => raw[k] !== undefined;
  if (has(a) && has(b)) throw new PolicyParseError(`${where} has both ${a} and ${b}`);
  if (required && !has(a) && !has(b)) throw new PolicyParseError(`${where} has neither ${a} nor ${b}`);
}

function optionalString(raw: Record<string, unknown>, key: string, where: string): Record<string, string> {
  const v = raw[key];
  if (v === undefined) return {};
  if (typeof v !== 'string') throw new PolicyParseError(`${where} must be a string, got ${typeName(v)}`);
  return { [key]: v };
}

function optionalList(raw: Record<string, unknown>, key: string, where: string): Record<string, string[]> {
  return raw[key] === undefined ? {} : { [key]: stringList(raw[key], `${where}.${key}`) };
}

function optionalPrincipal(
  raw: Record<string, unknown>,
  key: string,
  where: string,
): Record<string, PrincipalSpec> {
  return raw[key] === undefined ? {} : { [key]: normalizePrincipal(raw[key], `${where}.${key}`) };
}

function normalizePrincipal(raw: unknown, where: string): PrincipalSpec {
  if (raw === '*') return '*';
  if (!isRecord(raw)) throw new PolicyParseError(`${where} must be "*" or an object, got ${typeName(raw)}`);
  const spec: Partial<Record<PrincipalType, string[]>> = {};
  for (const [type, ids] of Object.entries(raw)) {
    if (!(PRINCIPAL_TYPES as readonly string[]).includes(type)) {
      throw new PolicyParseError(`${where} has unknown principal type "${type}"`);
    }
    spec[type as PrincipalType] = stringList(ids, `${where}.${type}`);
  }
  return spec;
}

function normalizeCondition(raw: unknown, where: string): ConditionBlock {
  if (!isRecord(raw)) throw new PolicyParseError(`${where} must be an object, got ${typeName(raw)}`);
  const block: ConditionBlock = {};
  for (const [operator, keys] of Object.entries(raw)) {
    if (!isRecord(keys))
      throw new PolicyParseError(`${where}.${operator} must be an object, got ${typeName(keys)}`);
    block[operator] = Object.fromEntries(
      Object.entries(keys).map(([key, values]) => [
        key,
        conditionValues(values, `${where}.${operator}.${key}`),
      ]),
    );
  }
  return block;
}

/** Condition values may be JSON booleans or numbers (`"Bool": {"aws:SecureTransport": false}`). */
function conditionValues(raw: unknown, where: string): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((v) => {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new PolicyParseError(`${where} values must be strings, numbers or booleans, got ${typeName(v)}`);
  });
}

function stringList(raw: unknown, where: string): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0 || !list.every((v) => typeof v === 'string')) {
    throw new PolicyParseError(`${where} must be a string or a non-empty list of strings`);
  }
  return list as string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  return Array.isArray(v) ? 'an array' : typeof v;
}

// ---------------------------------------------------------------- wildcard matching

const globCache = new Map<string, RegExp>();

/** IAM wildcards: `*` any run of characters (colons and slashes included), `?` exactly one. */
function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const cacheKey = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = globCache.get(cacheKey);
  if (!re) {
    const body = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    globCache.set(cacheKey, re);
  }
  return re.test(value);
}

// ---------------------------------------------------------------- conditions

interface BaseOperator {
  /** Does one request value satisfy one policy value (before negation)? */
  test: (requestValue: string, policyValue: string) => boolean;
  /** Negated operators are the complement of their positive twin: no policy value may match. */
  negated: boolean;
}

const exact = (a: string, b: string) => a === b;
const exactIgnoreCase = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const like = (value: string, pattern: string) => globMatch(pattern, value, false);

// Keys are lower-cased: operator names are matched case-insensitively.
const BASE_OPERATORS: Record<string, BaseOperator> = {
  stringequals: { test: exact, negated: false },
  stringnotequals: { test: exact, negated: true },
  stringequalsignorecase: { test: exactIgnoreCase, negated: false },
  stringnotequalsignorecase: { test: exactIgnoreCase, negated: true },
  stringlike: { test: like, negated: false },
  stringnotlike: { test: like, negated: true },
  // ArnEquals and ArnLike behave the same in IAM: both honour `*` and `?`, case-sensitively.
  arnequals: { test: like, negated: false },
  arnlike: { test: like, negated: false },
  arnnotequals: { test: like, negated: true },
  arnnotlike: { test: like, negated: true },
  bool: { test: exactIgnoreCase, negated: false },
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

/** Context keys are case-insensitive in IAM, including whole EKS keys like `oidc.eks…/id/ABC:sub`. */
type Context = Map<string, string[]>;

function buildContext(context: Record<string, ContextValue> | undefined): Context {
  const map: Context = new Map();
  for (const [key, value] of Object.entries(context ?? {})) {
    // An empty list is as good as no value, for every operator (ForAllValues included).
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    map.set(key.toLowerCase(), Array.isArray(value) ? value : [String(value)]);
  }
  return map;
}

/** Whether one `operator: {key: values}` entry holds; undefined when the operator is unknown. */
function conditionHolds(
  operator: string,
  key: string,
  policyValues: string[],
  ctx: Context,
): boolean | undefined {
  const op = parseOperator(operator);
  const requestValues = ctx.get(key.toLowerCase());
  if (op.base === 'null') {
    // Null: "true" asks for the key to be absent, "false" for it to be present; several values = OR.
    return policyValues.some((v) => (v.toLowerCase() === 'true') === (requestValues === undefined));
  }
  const base = BASE_OPERATORS[op.base];
  if (!base) return undefined;
  if (requestValues === undefined) return missingKeyResult(op, base);
  const satisfies = (value: string) => base.negated !== policyValues.some((p) => base.test(value, p));
  switch (op.qualifier) {
    case 'ForAllValues':
      return requestValues.every(satisfies);
    case 'ForAnyValue':
      return requestValues.some(satisfies);
    default:
      // A single-valued operator on a multi-valued key: positive operators need one request
      // value to match, negated ones need none to match (the complement of the positive).
      return base.negated ? requestValues.every(satisfies) : requestValues.some(satisfies);
  }
}

/**
 * AWS semantics for a key absent from the request:
 * - `...IfExists`: the condition holds (that is the whole point of the suffix);
 * - `ForAllValues:`: holds (every one of zero values matches);
 * - `ForAnyValue:`: fails (there is no value that could match);
 * - plain negated operators (StringNotEquals, ArnNotLike…): hold, nothing equals the policy value;
 * - plain positive operators (StringEquals, StringLike, Bool…): fail.
 */
function missingKeyResult(op: ParsedOperator, base: BaseOperator): boolean {
  if (op.ifExists) return true;
  if (op.qualifier === 'ForAllValues') return true;
  if (op.qualifier === 'ForAnyValue') return false;
  return base.negated;
}

/** Every operator and every key must hold (AND); values within one key are ORed by the operator. */
function conditionsHold(block: ConditionBlock | undefined, ctx: Context, warn: (w: string) => void): boolean {
  for (const [operator, keys] of Object.entries(block ?? {})) {
    for (const [key, values] of Object.entries(keys)) {
      const holds = conditionHolds(operator, key, values, ctx);
      if (holds === undefined) {
        warn(`unsupported condition operator "${operator}"`);
        return false;
      }
      if (!holds) return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------- principals

type RequestPrincipal = NonNullable<Request['principal']>;

/** Without a principal in the request (identity policies) only `"*"` can be said to match. */
function principalMatches(spec: PrincipalSpec, principal: RequestPrincipal | undefined): boolean {
  if (spec === '*') return true;
  if (!principal) return false;
  const ids = spec[principal.type] ?? [];
  return ids.some((id) => principalIdMatches(principal.type, id, principal.id));
}

function principalIdMatches(type: RequestPrincipal['type'], policyId: string, requestId: string): boolean {
  if (policyId === '*' || policyId === requestId) return true;
  if (type === 'Service') return policyId.toLowerCase() === requestId.toLowerCase();
  if (type !== 'AWS') return false; // Federated: the provider ARN must be named exactly.
  const account = accountPrincipal(policyId);
  if (account) return accountOf(requestId) === account;
  // A role principal also covers that role's sessions (`…:assumed-role/<name>/<session>`).
  return assumedRoleMatchesRole(requestId, policyId);
}

/** `123456789012` or `arn:<partition>:iam::123456789012:root` → the account; else undefined. */
function accountPrincipal(id: string): string | undefined {
  if (isAccountId(id)) return id;
  const arn = parseArn(id);
  return arn && arn.service === 'iam' && arn.resource === 'root' ? arn.account : undefined;
}

function accountOf(id: string): string | undefined {
  return isAccountId(id) ? id : parseArn(id)?.account;
}

// ---------------------------------------------------------------- evaluation

function actionMatches(st: Statement, action: string): boolean {
  const hit = (patterns: string[]) => patterns.some((p) => globMatch(p, action, true));
  return st.Action ? hit(st.Action) : !hit(st.NotAction ?? []);
}

function resourceMatches(st: Statement, resource: string | undefined): boolean {
  if (resource === undefined) return true;
  const hit = (patterns: string[]) => patterns.some((p) => globMatch(p, resource, false));
  if (st.Resource) return hit(st.Resource);
  if (st.NotResource) return !hit(st.NotResource);
  return true; // trust and resource policies may omit Resource: it is the policy's own resource.
}

function statementPrincipalMatches(st: Statement, req: Request, warn: (w: string) => void): boolean {
  if (st.NotPrincipal) {
    warn('NotPrincipal is not evaluated; the statement is treated as not matching');
    return false;
  }
  return st.Principal === undefined || principalMatches(st.Principal, req.principal);
}

// Short-circuit order matters: warnings are only raised for statements that concern the request.
function statementMatches(st: Statement, req: Request, ctx: Context, warn: (w: string) => void): boolean {
  return (
    actionMatches(st, req.action) &&
    resourceMatches(st, req.resource) &&
    statementPrincipalMatches(st, req, warn) &&
    conditionsHold(st.Condition, ctx, warn)
  );
}

function asLabeled(input: PolicyInput): { doc: PolicyDocument; label?: string } {
  return 'doc' in input ? input : { doc: input };
}

function decide(allowedBy: MatchedStatement[], deniedBy: MatchedStatement[], warnings: string[]): Decision {
  const decision: DecisionKind = deniedBy.length
    ? 'ExplicitDeny'
    : allowedBy.length
      ? 'Allow'
      : 'ImplicitDeny';
  return { decision, allowedBy, deniedBy, warnings };
}

/** IAM's rule within one set of policies: any matching Deny wins; else any matching Allow; else implicit deny. */
export function evaluate(policies: readonly PolicyInput[], request: Request): Decision {
  const ctx = buildContext(request.context);
  const allowedBy: MatchedStatement[] = [];
  const deniedBy: MatchedStatement[] = [];
  const warnings: string[] = [];
  for (const input of policies) {
    const { doc, label } = asLabeled(input);
    doc.Statement.forEach((statement, index) => {
      const m: MatchedStatement = { ...(label === undefined ? {} : { label }), index, statement };
      if (statement.Sid !== undefined) m.sid = statement.Sid;
      const warn = (w: string) => warnings.push(`${describeStatement(m)}: ${w}`);
      if (!statementMatches(statement, request, ctx, warn)) return;
      (statement.Effect === 'Deny' ? deniedBy : allowedBy).push(m);
    });
  }
  return decide(allowedBy, deniedBy, warnings);
}

/**
 * A permissions boundary caps what identity policies grant: the request is allowed only
 * when both allow it, and an explicit Deny in either denies it.
 */
export function evaluateWithBoundary(
  identityPolicies: readonly PolicyInput[],
  boundary: PolicyInput | undefined,
  request: Request,
): BoundedDecision {
  const identity = evaluate(identityPolicies, request);
  if (!boundary) return { ...identity, identity };
  const bounded = evaluate([boundary], request);
  const combined = decide(
    [...identity.allowedBy, ...bounded.allowedBy],
    [...identity.deniedBy, ...bounded.deniedBy],
    [...identity.warnings, ...bounded.warnings],
  );
  const bothAllow = identity.decision === 'Allow' && bounded.decision === 'Allow';
  const decision = combined.decision === 'ExplicitDeny' || bothAllow ? combined.decision : 'ImplicitDeny';
  return { ...combined, decision, identity, boundary: bounded };
}

/** `statement "Sid"` or `statement #2 of policy "X"` (numbered from 1 for people). */
export function describeStatement(m: MatchedStatement): string {
  const which = m.sid ? `statement "${m.sid}"` : `statement #${m.index + 1}`;
  return m.label === undefined ? which : `${which} of policy "${m.label}"`;
}

// ---------------------------------------------------------------- trust-policy helpers

export const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity';
export const DEFAULT_AUDIENCE = 'sts.amazonaws.com';

export interface WebIdentity {
  /** `arn:<partition>:iam::<account>:oidc-provider/<issuer host/path>` */
  providerArn: string;
  /** `system:serviceaccount:<namespace>:<service account>` */
  sub: string;
  /** The token's audience; the EKS pod identity webhook's default when omitted. */
  aud?: string;
}

/** Would STS let a token with this `sub`/`aud` from this provider assume the role? */
export function trustAdmits(trustDoc: PolicyInput, identity: WebIdentity): Decision {
  const hostPath = oidcProviderHostPath(identity.providerArn);
  if (!hostPath) throw new Error(`not an IAM OIDC provider ARN: "${identity.providerArn}"`);
  return evaluate([trustDoc], {
    action: WEB_IDENTITY_ACTION,
    principal: { type: 'Federated', id: identity.providerArn },
    context: { [`${hostPath}:sub`]: identity.sub, [`${hostPath}:aud`]: identity.aud ?? DEFAULT_AUDIENCE },
  });
}

/** Allow statements of a trust policy that could let a web identity assume the role. */
function webIdentityAllows(trustDoc: PolicyInput): Statement[] {
  return asLabeled(trustDoc).doc.Statement.filter(
    (st) => st.Effect === 'Allow' && actionMatches(st, WEB_IDENTITY_ACTION),
  );
}

/** The Federated principals (OIDC provider ARNs) the trust policy lets call AssumeRoleWithWebIdentity. */
export function federatedPrincipals(trustDoc: PolicyInput): string[] {
  const ids = webIdentityAllows(trustDoc).flatMap((st) =>
    st.Principal && st.Principal !== '*' ? (st.Principal.Federated ?? []) : [],
  );
  return [...new Set(ids)];
}

export interface ConditionValues {
  operator: string;
  key: string;
  values: string[];
}

/**
 * What the trust policy's web-identity statements require of keys ending in `keySuffix`
 * (`:sub`, `:aud`), to quote in a message next to what the service account would present.
 */
export function conditionValuesFor(trustDoc: PolicyInput, keySuffix: string): ConditionValues[] {
  const suffix = keySuffix.toLowerCase();
  return webIdentityAllows(trustDoc).flatMap((st) =>
    Object.entries(st.Condition ?? {}).flatMap(([operator, keys]) =>
      Object.entries(keys)
        .filter(([key]) => key.toLowerCase().endsWith(suffix))
        .map(([key, values]) => ({ operator, key, values })),
    ),
  );
}
