/**
 * One evaluator for identity (permission), trust and resource policies, following
 * IAM's evaluation rules closely enough to decide the questions irsa-check asks:
 * does this role's trust policy admit this service account, does this role's
 * policy allow `rds-db:connect` on this cluster and user, and so on.
 *
 * It evaluates Action/NotAction, Resource/NotResource (per ARN segment, with policy
 * variables), Principal/NotPrincipal, every condition operator family (String, Arn,
 * Numeric, Date, Bool, Binary, IpAddress, Null; IfExists; ForAllValues/ForAnyValue),
 * explicit Deny over Allow, permissions boundaries, and an identity policy set together with
 * a resource-based policy as AWS combines them (`evaluateAccess`: union within one account,
 * both across accounts, account principals delegating to IAM). Split by job: conditions.ts
 * (operators, ARN patterns), variables.ts (`${…}` and wildcard patterns), tri.ts (three-valued
 * logic), request-context.ts (the condition keys irsa-check knows for the requests it asks about).
 *
 * Short Resource patterns (fewer than six ARN segments) follow iam-simulate
 * (src/resource/resource.ts, tested in src/resource/resource.test.ts): in identity policies and
 * permissions boundaries the missing segments match anything; in resource policies only a
 * pattern with a wildcard is expanded so, one without matches nothing.
 *
 * Never a false OK: whatever it cannot evaluate makes the statement "unknown", and an
 * unknown statement makes the decision "Undetermined" whenever it could change whether
 * the request is allowed (an Allow that may apply with no sure Allow, or a Deny that may
 * apply next to an Allow). Callers turn that into a FAIL or WARN (undetermined.ts).
 * Deliberate limits, each yielding "unknown" for its statement, never a guess (test/iam/
 * iam-simulate.test.ts lists where that differs from iam-simulate's verdict):
 * - condition keys the request does not define (request-context.ts says which it knows:
 *   irsa-check cannot know aws:SourceIp, aws:SourceVpc, tags, times… of a future call);
 * - policy variables naming such keys or multivalued keys, or malformed `${…}`; a variable
 *   without a value under a negation (StringNotEquals…, NotResource): the guide warns that an
 *   unresolvable variable may make the whole statement invalid;
 * - condition operators outside the families above (and `Null` with IfExists or a qualifier);
 * - condition values the operator cannot read (a number, date, CIDR or boolean that is not one,
 *   a variable in Bool, an ARN condition on a value that is no ARN);
 * - a NotPrincipal listing some but not all of a principal's session, role and account;
 * - an ArnLike/ArnEquals value with fewer than six ARN segments; a short NotResource pattern
 *   that does not match (iam-simulate does not invert that mismatch);
 * - a wildcard in the resource-type part of a Resource (`…:*\/12345`): iam-simulate reads it
 *   as a literal, a glob would match;
 * - a `*` ending an ARN segment of a Resource that matches only across a colon (the guide's
 *   "Using wildcards in resource ARNs" allows it, iam-simulate does not).
 * Out of scope (not asked by irsa-check): SCPs/RCPs and session policies.
 */
import { assumedRoleMatchesRole, isAccountId, oidcProviderHostPath, parseArn } from './arn.js';
import {
  arnPatternMatches,
  conditionsHold,
  type ConditionBlock,
  type ConditionOptions,
} from './conditions.js';
import { and, isUnknown, not, or, unknown, type Tri } from './tri.js';
import { resolve, VARIABLES_VERSION, type KeyLookup, type KeyState } from './variables.js';

export type { ConditionBlock } from './conditions.js';

// ---------------------------------------------------------------- types

export type Effect = 'Allow' | 'Deny';
export type PrincipalType = 'AWS' | 'Federated' | 'Service' | 'CanonicalUser';
/** `"*"` or principal type → ids. */
export type PrincipalSpec = '*' | Partial<Record<PrincipalType, string[]>>;

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
  /** Context keys whose value the request knows; `undefined` or `[]`: the request has no such key. */
  context?: Record<string, ContextValue>;
  /**
   * What a key not in `context` is: `'absent'` when the context is complete, `'unknown'`
   * (the default) when irsa-check cannot know it, or a per-key answer.
   */
  otherKeys?: 'absent' | 'unknown' | ((key: string) => 'absent' | 'unknown');
}

export interface MatchedStatement {
  label?: string;
  /** Zero-based position in the policy's Statement list. */
  index: number;
  sid?: string;
  statement: Statement;
}

/** `Undetermined`: a statement irsa-check cannot evaluate could change whether the request is allowed. */
export type DecisionKind = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny' | 'Undetermined';

/** A statement that may or may not apply, and why irsa-check cannot tell. */
export interface UndeterminedStatement extends MatchedStatement {
  reasons: string[];
}

export interface Decision {
  decision: DecisionKind;
  /** Statements that surely apply. */
  allowedBy: MatchedStatement[];
  deniedBy: MatchedStatement[];
  /** When `decision` is Undetermined: the statements that leave it open; else empty. */
  undetermined: UndeterminedStatement[];
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

/** Action wildcards: `*` any run of characters, `?` exactly one; actions match case-insensitively. */
function globMatch(pattern: string, value: string): boolean {
  let re = globCache.get(pattern);
  if (!re) {
    const body = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, 'is');
    globCache.set(pattern, re);
  }
  return re.test(value);
}

// ---------------------------------------------------------------- request context

/**
 * Context keys are case-insensitive in IAM, including whole EKS keys like `oidc.eks…/id/ABC:sub`.
 * A key the request does not list is absent or unknown, as `Request.otherKeys` says.
 */
function contextLookup(request: Request): KeyLookup {
  const map = new Map<string, KeyState>();
  for (const [key, value] of Object.entries(request.context ?? {})) {
    // An empty list is as good as no value, for every operator (ForAllValues included).
    const absent = value === undefined || (Array.isArray(value) && value.length === 0);
    map.set(
      key.toLowerCase(),
      absent
        ? { kind: 'absent' }
        : { kind: 'present', values: Array.isArray(value) ? value : [String(value)] },
    );
  }
  const other = request.otherKeys ?? 'unknown';
  return (key) => {
    const known = map.get(key.toLowerCase());
    if (known) return known;
    const kind = typeof other === 'function' ? other(key) : other;
    return kind === 'absent' ? { kind: 'absent' } : { kind: 'unknown' };
  };
}

// ---------------------------------------------------------------- principals

type RequestPrincipal = NonNullable<Request['principal']>;

/**
 * A request without a principal (identity policies) is matched like an anonymous one: only `"*"`.
 * `accounts: false` leaves out account principals (`123456789012`, `arn:aws:iam::…:root`): what
 * the resource policy grants the principal itself, not what it delegates to the account's IAM.
 */
function principalMatches(
  spec: PrincipalSpec,
  principal: RequestPrincipal | undefined,
  accounts = true,
): boolean {
  if (spec === '*') return true;
  if (!principal) return false;
  const ids = spec[principal.type] ?? [];
  return ids.some(
    (id) => (accounts || !accountPrincipal(id)) && principalIdMatches(principal.type, id, principal.id),
  );
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

/**
 * NotPrincipal (IAM User Guide, "AWS JSON policy elements: NotPrincipal"): the statement
 * applies to every principal it does not list. For an IAM principal AWS may check the
 * account, then the role, then the session separately, so a principal is exempt only when
 * every one of those it has is listed; when some are listed and some not, whether the
 * statement applies depends on the service: unknown.
 */
function notPrincipalApplies(spec: PrincipalSpec, principal: RequestPrincipal | undefined): Tri {
  if (spec === '*') return false;
  if (!principal) return true; // anonymous: listed nowhere
  const ids = spec[principal.type] ?? [];
  if (ids.includes('*')) return false;
  if (principal.type !== 'AWS') {
    return !ids.some((id) => principalIdMatches(principal.type, id, principal.id));
  }
  const request = principal.id;
  const account = accountOf(request);
  const levels: Array<[string, boolean]> = [];
  const parsed = parseArn(request);
  if (parsed?.service === 'sts' && parsed.resource.startsWith('assumed-role/')) {
    levels.push(['session', ids.includes(request)]);
    levels.push(['role', ids.some((id) => assumedRoleMatchesRole(request, id))]);
  } else if (parsed) {
    levels.push(['principal', ids.includes(request)]);
  }
  levels.push(['account', ids.some((id) => account !== undefined && accountPrincipal(id) === account)]);
  const listed = levels.filter(([, hit]) => hit).map(([what]) => what);
  if (listed.length === 0) return true;
  if (listed.length === levels.length) return false;
  const missing = levels.filter(([, hit]) => !hit).map(([what]) => what);
  return unknown(
    `NotPrincipal lists the ${listed.join(' and ')} of ${request} but not its ${missing.join(' and ')}; whether the statement applies depends on the service`,
  );
}

// ---------------------------------------------------------------- statements

function actionMatches(st: Statement, action: string): boolean {
  const hit = (patterns: string[]) => patterns.some((p) => globMatch(p, action));
  return st.Action ? hit(st.Action) : !hit(st.NotAction ?? []);
}

/**
 * What kind of policy a set is: `identity` (identity policies, permissions boundaries) or
 * `resource` (a resource-based policy: OpenSearch domain access policy, S3 bucket policy).
 * It decides how short Resource patterns read (conditions.ts, `ArnPatternPlace`).
 */
export type PolicyKind = 'identity' | 'resource';

interface SetOptions {
  kind: PolicyKind;
  /** Account principals in Allow statements count (false: only grants to the principal itself). */
  accountGrants: boolean;
  /**
   * A Deny with NotPrincipal applies whatever it lists: the request's principal has a permissions
   * boundary (IAM User Guide, "Permissions boundaries for IAM entities", the Important note).
   */
  notPrincipalDenyAlways: boolean;
}

type EvalOptions = ConditionOptions & SetOptions;

function resourceMatches(st: Statement, resource: string | undefined, opts: EvalOptions): Tri {
  if (resource === undefined) return true;
  const hit = (patterns: string[], notResource: boolean) =>
    or(
      patterns.map((p) =>
        arnPatternMatches(resolve(p, opts.substitute, opts.lookup), resource, opts.kind, notResource),
      ),
    );
  if (st.Resource) return hit(st.Resource, false);
  if (st.NotResource) return not(hit(st.NotResource, true));
  return true; // trust and resource policies may omit Resource: it is the policy's own resource.
}

function statementPrincipalMatches(st: Statement, req: Request, opts: EvalOptions): Tri {
  if (st.NotPrincipal) {
    if (st.Effect === 'Deny' && opts.notPrincipalDenyAlways) return true;
    return notPrincipalApplies(st.NotPrincipal, req.principal);
  }
  const accounts = opts.accountGrants || st.Effect === 'Deny';
  return st.Principal === undefined || principalMatches(st.Principal, req.principal, accounts);
}

function statementMatches(st: Statement, req: Request, opts: EvalOptions): Tri {
  if (!actionMatches(st, req.action)) return false;
  return and([
    resourceMatches(st, req.resource, opts),
    statementPrincipalMatches(st, req, opts),
    conditionsHold(st.Condition, opts),
  ]);
}

function asLabeled(input: PolicyInput): { doc: PolicyDocument; label?: string } {
  return 'doc' in input ? input : { doc: input };
}

// ---------------------------------------------------------------- evaluation

/** Every statement of one set of policies, sorted by whether it surely, maybe or does not apply. */
interface Evaluation {
  allowedBy: MatchedStatement[];
  deniedBy: MatchedStatement[];
  maybeAllow: UndeterminedStatement[];
  maybeDeny: UndeterminedStatement[];
}

function collect(policies: readonly PolicyInput[], request: Request, set: SetOptions): Evaluation {
  const lookup = contextLookup(request);
  const e: Evaluation = { allowedBy: [], deniedBy: [], maybeAllow: [], maybeDeny: [] };
  for (const input of policies) {
    const { doc, label } = asLabeled(input);
    const opts: EvalOptions = { lookup, substitute: doc.Version === VARIABLES_VERSION, ...set };
    doc.Statement.forEach((statement, index) => {
      const m: MatchedStatement = { ...(label === undefined ? {} : { label }), index, statement };
      if (statement.Sid !== undefined) m.sid = statement.Sid;
      const matched = statementMatches(statement, request, opts);
      const deny = statement.Effect === 'Deny';
      if (matched === true) (deny ? e.deniedBy : e.allowedBy).push(m);
      else if (isUnknown(matched))
        (deny ? e.maybeDeny : e.maybeAllow).push({ ...m, reasons: matched.unknown });
    });
  }
  return e;
}

const allows = (e: Evaluation): Tri =>
  e.allowedBy.length > 0 ? true : e.maybeAllow.length > 0 ? unknown() : false;
const denies = (e: Evaluation): Tri =>
  e.deniedBy.length > 0 ? true : e.maybeDeny.length > 0 ? unknown() : false;

/**
 * IAM's rule: a matching Deny wins; else the request needs its Allow (`allow`, combined from
 * the sets as the evaluation logic says); else implicit deny. A statement that may or may not
 * match leaves the decision undetermined only where it could change whether the request is
 * allowed: a Deny that may apply when the request is or may be allowed; an Allow that may
 * apply when no Allow surely does (the sets whose Allow is in doubt).
 */
function decideFrom(sets: readonly Evaluation[], allow: Tri, inDoubt: readonly Evaluation[]): Decision {
  const allowedBy = sets.flatMap((e) => e.allowedBy);
  const deniedBy = sets.flatMap((e) => e.deniedBy);
  const result = (decision: DecisionKind, undetermined: UndeterminedStatement[] = []): Decision => ({
    decision,
    allowedBy,
    deniedBy,
    undetermined,
  });
  const deny = or(sets.map(denies));
  if (deny === true) return result('ExplicitDeny');
  if (allow === false) return result('ImplicitDeny');
  const maybeDeny = sets.flatMap((e) => e.maybeDeny);
  if (allow === true) return maybeDeny.length ? result('Undetermined', maybeDeny) : result('Allow');
  const maybeAllow = inDoubt.filter((e) => isUnknown(allows(e))).flatMap((e) => e.maybeAllow);
  return result('Undetermined', [...maybeAllow, ...maybeDeny]);
}

const IDENTITY_SET: SetOptions = { kind: 'identity', accountGrants: true, notPrincipalDenyAlways: false };

export interface EvaluateOptions {
  /** Default `identity`; trust policies are resource policies of the role but have no Resource. */
  kind?: PolicyKind;
}

export function evaluate(
  policies: readonly PolicyInput[],
  request: Request,
  options: EvaluateOptions = {},
): Decision {
  const e = collect(policies, request, { ...IDENTITY_SET, kind: options.kind ?? 'identity' });
  return decideFrom([e], allows(e), [e]);
}

/** What `evaluateAccess` weighs: the principal's policies and, when the resource has one, its policy. */
export interface AccessInput {
  identity: readonly PolicyInput[];
  boundary?: PolicyInput | undefined;
  /** The resource-based policy; undefined when the resource has none (or its type has none). */
  resourcePolicy?: PolicyInput | undefined;
  /** Account of the principal (the role) and of the resource: different accounts → cross-account. */
  principalAccount?: string | undefined;
  resourceAccount?: string | undefined;
}

/**
 * The verdicts of each policy set next to the combined one, so a message can say which one
 * allows or refuses. `resourcePolicy` and `resourceDirect` are present with a resource policy:
 * all that it grants, and what it grants the principal itself (not through its account).
 */
export interface AccessDecision extends BoundedDecision {
  resourcePolicy?: Decision;
  resourceDirect?: Decision;
  crossAccount: boolean;
}

/**
 * AWS's evaluation of one request across policy types (IAM User Guide, "Policy evaluation
 * logic"; SCPs, RCPs and session policies are out of scope):
 * - an explicit Deny in any of them denies ("How AWS enforcement code logic evaluates requests");
 * - a permissions boundary caps what the role may do: nothing outside it is allowed
 *   ("Evaluating identity-based policies with permissions boundaries"); it also caps what a
 *   resource policy grants the role ARN (only a grant to the role *session* ARN escapes it,
 *   "Policy evaluation for requests within a single account", "The impact of resource-based
 *   policies"; sessions of IRSA pods have SDK-chosen names no policy names);
 * - within one account an Allow in either the identity policies or the resource policy
 *   suffices ("Evaluating identity-based policies with resource-based policies"), except that a
 *   resource policy naming only the account (`123456789012`, `…:root`) delegates to IAM: the
 *   identity policies must allow then ("AWS JSON policy elements: Principal", AWS account principals);
 * - across accounts both must allow ("Cross-account policy evaluation logic").
 * Without a resource policy this is the identity policies within the boundary. An account
 * that is not known (either side) counts as another account: never a false Allow.
 */
export function evaluateAccess(input: AccessInput, request: Request): AccessDecision {
  const { principalAccount, resourceAccount } = input;
  const boundaryPolicy = input.boundary;
  const withBoundary = boundaryPolicy !== undefined;
  const id = collect(input.identity, request, IDENTITY_SET);
  const bd = withBoundary ? collect([boundaryPolicy], request, IDENTITY_SET) : undefined;
  const resourceSet: SetOptions = {
    kind: 'resource',
    accountGrants: true,
    notPrincipalDenyAlways: withBoundary,
  };
  const rp = input.resourcePolicy ? collect([input.resourcePolicy], request, resourceSet) : undefined;
  const direct = input.resourcePolicy
    ? collect([input.resourcePolicy], request, { ...resourceSet, accountGrants: false })
    : undefined;
  const boundaryAllows = bd ? allows(bd) : true;
  const sets = [id, ...(bd ? [bd] : []), ...(rp ? [rp] : [])];
  const same = and([boundaryAllows, or([allows(id), direct ? allows(direct) : false])]);
  const cross = and([boundaryAllows, allows(id), rp ? allows(rp) : true]);
  // An account irsa-check cannot tell is read as another one: both policies must allow then.
  const crossAccount =
    principalAccount === undefined || resourceAccount === undefined || principalAccount !== resourceAccount;
  const allow = !rp ? and([boundaryAllows, allows(id)]) : crossAccount ? cross : same;
  const inDoubt = [id, ...(bd ? [bd] : []), ...(direct && !crossAccount ? [direct] : rp ? [rp] : [])];
  const decision = decideFrom(sets, allow, inDoubt);
  const identity = decideFrom([id], allows(id), [id]);
  const out: AccessDecision = { ...decision, identity, crossAccount: rp !== undefined && crossAccount };
  if (bd) out.boundary = decideFrom([bd], allows(bd), [bd]);
  if (rp && direct) {
    out.resourcePolicy = decideFrom([rp], allows(rp), [rp]);
    out.resourceDirect = decideFrom([direct], allows(direct), [direct]);
  }
  return out;
}

/**
 * A permissions boundary caps what identity policies grant: the request is allowed only
 * when both allow it, and an explicit Deny in either denies it. When one side is
 * undetermined and the other does not refuse, the whole is undetermined.
 */
export function evaluateWithBoundary(
  identityPolicies: readonly PolicyInput[],
  boundary: PolicyInput | undefined,
  request: Request,
): BoundedDecision {
  return evaluateAccess({ identity: identityPolicies, boundary }, request);
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
    // The token carries no key of another OIDC provider; anything else (aws:SourceIp, other claims…) is unknown.
    otherKeys: (key) => (isOtherProviderKey(key, hostPath) ? 'absent' : 'unknown'),
  });
}

/** `<issuer host/path>:<claim>` of an issuer other than `hostPath` (service keys like `aws:` have no dot or slash). */
function isOtherProviderKey(key: string, hostPath: string): boolean {
  const prefix = key.slice(0, key.lastIndexOf(':'));
  return /[./]/.test(prefix) && prefix.toLowerCase() !== hostPath.toLowerCase();
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
