/**
 * The IAM side of each component's IRSA: its role exists, its trust policy lets
 * exactly this cluster's service account assume it, and its permission policies
 * (attached and inline, capped by a permissions boundary) allow what the
 * component does — `rds-db:connect` as its database user on its actual Aurora
 * cluster, or `es:ESHttp*` on its OpenSearch domain, whose access policy must
 * admit the role too. Every decision comes from the one evaluator in iam/policy.ts;
 * IAM's policy simulator, where it answers, confirms it.
 */
import { defineModule } from '../core/module.js';
import { eachInOrder, type Reporter } from '../core/reporter.js';
import { ApiCallError } from '../core/errors.js';
import type { Context, PlannedComponent } from '../core/context.js';
import type { IamRole, OpenSearchDomain, SimulationResult } from '../platform/aws.js';
import {
  esDomainArn,
  issuerHostPath,
  oidcProviderArn,
  oidcProviderHostPath,
  parseArn,
  parseRoleArn,
  rdsDbUserArn,
  type RoleArn,
} from '../iam/arn.js';
import {
  DEFAULT_AUDIENCE,
  describeStatement,
  evaluate,
  evaluateWithBoundary,
  federatedPrincipals,
  normalizePolicy,
  PolicyParseError,
  trustAdmits,
  WEB_IDENTITY_ACTION,
  type BoundedDecision,
  type DecisionKind,
  type LabeledPolicy,
  type MatchedStatement,
  type PolicyDocument,
  type Statement,
} from '../iam/policy.js';
import { requireRelease } from './release.js';
import { AUDIENCE_ANNOTATION } from '../platform/kube.js';
import { tokenAudience } from './service-accounts.js';
import { domainAccessPolicy } from './opensearch.js';

export const CODE_ROLE_MISSING = 120;
export const CODE_TRUST_ACTION = 121;
export const CODE_TRUST_PROVIDER = 122;
export const CODE_PG_POLICIES = 140;
export const CODE_PG_DOCUMENTS = 141;
export const CODE_PG_CONNECT = 142;
export const CODE_OS_POLICIES = 150;
export const CODE_OS_DOCUMENTS = 151;
export const CODE_OS_HTTP = 152;
export const CODE_THIS_PROVIDER = 201;
export const CODE_TRUST_SUB = 202;
export const CODE_TRUST_AUD = 203;
export const CODE_RDS_CONNECT = 211;
export const CODE_ES_HTTP = 212;
export const CODE_AUDIENCE_ANNOTATION = 222;

export const RDS_CONNECT = 'rds-db:connect';
/** What Camunda's OpenSearch clients send; `es:ESHttp*` in a policy covers them. */
export const ES_ACTIONS = ['es:ESHttpGet', 'es:ESHttpPut', 'es:ESHttpPost'] as const;

const EKS_PROVIDER = /^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/id\/[0-9a-z]+$/i;

// ---------------------------------------------------------------- helpers

/** Does the statement's Action/NotAction cover `action`? Asked of the evaluator, on the statement alone. */
function statementCoversAction(st: Statement, action: string): boolean {
  const only: Statement = st.Action
    ? { Effect: 'Allow', Action: st.Action }
    : { Effect: 'Allow', NotAction: st.NotAction ?? [] };
  return evaluate([{ Statement: [only] }], { action }).decision === 'Allow';
}

interface IndexedStatement {
  index: number;
  statement: Statement;
}

function describeIndexed(s: IndexedStatement): string {
  return describeStatement({
    index: s.index,
    statement: s.statement,
    ...(s.statement.Sid ? { sid: s.statement.Sid } : {}),
  });
}

function describeAll(ms: readonly MatchedStatement[]): string {
  return [...new Set(ms.map(describeStatement))].join(', ');
}

/** The trust policy's Allow statements for AssumeRoleWithWebIdentity. */
function webIdentityStatements(trust: PolicyDocument): IndexedStatement[] {
  return trust.Statement.map((statement, index) => ({ index, statement })).filter(
    ({ statement }) => statement.Effect === 'Allow' && statementCoversAction(statement, WEB_IDENTITY_ACTION),
  );
}

function namesProvider(st: Statement, providerArn: string): boolean {
  return (
    st.Principal !== undefined && st.Principal !== '*' && (st.Principal.Federated ?? []).includes(providerArn)
  );
}

/** A copy of the trust policy without the condition keys ending in `suffix` (`:aud`, `:sub`). */
function withoutConditionKeys(trust: PolicyDocument, suffix: string): PolicyDocument {
  const drop = (key: string) => key.toLowerCase().endsWith(suffix);
  return {
    ...trust,
    Statement: trust.Statement.map((st) => {
      if (!st.Condition) return st;
      const Condition = Object.fromEntries(
        Object.entries(st.Condition)
          .map(
            ([op, keys]) => [op, Object.fromEntries(Object.entries(keys).filter(([k]) => !drop(k)))] as const,
          )
          .filter(([, keys]) => Object.keys(keys).length > 0),
      );
      return { ...st, Condition };
    }),
  };
}

/** What the statements naming the provider require of `<provider>:<claim>`, for a message. */
function admittedValues(
  statements: readonly IndexedStatement[],
  providerArn: string,
  claim: 'sub' | 'aud',
): string {
  const hostPath = oidcProviderHostPath(providerArn) ?? '';
  const parts: string[] = [];
  for (const s of statements) {
    if (!namesProvider(s.statement, providerArn)) continue;
    for (const [operator, keys] of Object.entries(s.statement.Condition ?? {})) {
      for (const [key, values] of Object.entries(keys)) {
        const at = key.lastIndexOf(':');
        if (at < 0 || key.slice(at + 1).toLowerCase() !== claim) continue;
        const prefix = key.slice(0, at);
        const op = /^StringEquals$/i.test(operator) ? '' : ` (${operator})`;
        parts.push(
          prefix.toLowerCase() === hostPath.toLowerCase()
            ? `${describeIndexed(s)} admits ${values.join(', ')}${op}`
            : `${describeIndexed(s)} tests ${key}, a key of another OIDC provider, not ${hostPath}:${claim}`,
        );
      }
    }
  }
  return parts.join('; ');
}

function conditionJson(hostPath: string, sub: string, aud: string): string {
  return `"Condition": {"StringEquals": {"${hostPath}:sub": "${sub}", "${hostPath}:aud": "${aud}"}}`;
}

/** The statement a fix should name: the first web-identity statement for the provider. */
function statementToFix(statements: readonly IndexedStatement[], providerArn: string): string {
  const s = statements.find((x) => namesProvider(x.statement, providerArn));
  return s ? `${describeIndexed(s)} of` : 'a statement with Principal.Federated = this provider in';
}

const SIMULATOR_ANSWER: Record<SimulationResult['decision'], DecisionKind> = {
  allowed: 'Allow',
  explicitDeny: 'ExplicitDeny',
  implicitDeny: 'ImplicitDeny',
};

/** IAM's policy simulator, where available: action (lower case) → its decision for `resource`. */
async function simulate(
  ctx: Context,
  roleArn: string,
  actions: readonly string[],
  resource: string,
): Promise<Map<string, DecisionKind> | undefined> {
  let results: SimulationResult[] | undefined;
  try {
    results = await ctx.aws.simulatePrincipalPolicy(roleArn, [...actions], [resource]);
  } catch (e) {
    if (!(e instanceof ApiCallError)) throw e;
    ctx.debug(`iam:SimulatePrincipalPolicy failed for ${roleArn} (${e.reason}): the local evaluator answers`);
    return undefined;
  }
  const wanted = new Set(actions.map((a) => a.toLowerCase()));
  const answers = new Map<string, DecisionKind>();
  for (const r of results ?? []) {
    if (r.resource === resource && wanted.has(r.action.toLowerCase())) {
      answers.set(r.action.toLowerCase(), SIMULATOR_ANSWER[r.decision]);
    }
  }
  return answers.size > 0 ? answers : undefined;
}

/** `es:ESHttpGet/Put/Post`: one action list, readable. */
export function actionList(actions: readonly string[]): string {
  const common = 'es:ESHttp';
  return actions.every((a) => a.startsWith(common))
    ? `${common}${actions.map((a) => a.slice(common.length)).join('/')}`
    : actions.join('/');
}

/**
 * Confirms the local decisions with IAM's policy simulator where it answered: a
 * disagreement is a WARN naming both answers. --verbose says which one answered.
 */
function confirm(
  ctx: Context,
  out: Reporter,
  role: IamRole,
  resource: string,
  local: ReadonlyArray<{ action: string; decision: DecisionKind }>,
  simulated: Map<string, DecisionKind> | undefined,
): void {
  const actions = actionList(local.map((l) => l.action));
  if (!simulated) {
    ctx.debug(
      `role ${role.name}, ${actions} on ${resource}: answered by the local evaluator (IAM policy simulator not available)`,
    );
    return;
  }
  ctx.debug(
    `role ${role.name}, ${actions} on ${resource}: answered by the IAM policy simulator and the local evaluator`,
  );
  for (const { action, decision } of local) {
    const remote = simulated.get(action.toLowerCase());
    if (remote !== undefined && (remote === 'Allow') !== (decision === 'Allow')) {
      out.warn(
        `IAM's policy simulator and irsa-check disagree on ${action} on ${resource} for role ${role.name}: the simulator says ${remote}, the local evaluation ${decision}`,
      );
    }
  }
}

/** Statements the evaluator could not fully decide (an unsupported condition operator…): said, never hidden. */
function reportWarnings(out: Reporter, what: string, warnings: readonly string[]): void {
  for (const w of new Set(warnings)) out.warn(`${what}: ${w}`);
}

// ---------------------------------------------------------------- trust policy

interface ExpectedProvider {
  arn: string;
  hostPath: string;
}

/** This cluster's IAM OIDC provider, from facts (the cluster module), else built from the issuer. */
function expectedProvider(ctx: Context, role: RoleArn): ExpectedProvider | undefined {
  const known = ctx.facts.oidcProviderArn;
  if (known) return { arn: known, hostPath: oidcProviderHostPath(known) ?? known };
  const issuer = ctx.facts.issuer;
  if (!issuer) return undefined;
  return { arn: oidcProviderArn(role.partition, role.account, issuer), hostPath: issuerHostPath(issuer) };
}

/** On a self-managed cluster any IAM OIDC provider may be the cluster's: its issuer is the operator's URL. */
function isEksProvider(arn: string, expected: ExpectedProvider | undefined, selfManaged = false): boolean {
  const hostPath = oidcProviderHostPath(arn);
  return hostPath !== undefined && (selfManaged || EKS_PROVIDER.test(hostPath) || arn === expected?.arn);
}

/** " (it does not exist in IAM)" for named providers IAM does not have; "" when unknown. */
async function missingProviders(ctx: Context, arns: string[]): Promise<string> {
  // Self-managed only (EKS output unchanged); IAM lists only the caller's own account's providers.
  const account = ctx.facts.caller?.account;
  if (!account || ctx.facts.platform?.kind !== 'self-managed') return '';
  const known = await ctx.aws.oidcProviders().catch(() => undefined);
  if (!known) return '';
  const missing = arns.filter((a) => parseArn(a)?.account === account && !known.some((p) => p.arn === a));
  // check: trust-provider-missing
  return missing.length > 0 ? ` (${missing.join(', ')} does not exist in IAM)` : '';
}

export async function checkTrust(
  ctx: Context,
  c: PlannedComponent,
  arn: RoleArn,
  role: IamRole,
  out: Reporter,
): Promise<void> {
  const name = role.name;
  let trust: PolicyDocument;
  try {
    trust = normalizePolicy(role.trustPolicy);
  } catch (e) {
    if (!(e instanceof PolicyParseError)) throw e;
    out.fail(CODE_TRUST_ACTION, `the trust policy of role ${name} cannot be read: ${e.message}`, {
      fix: `Correct the trust policy of role ${name} (aws iam get-role --role-name ${name}).`,
    });
    return;
  }
  const expected = expectedProvider(ctx, arn);
  const providerFix = expected
    ? `Set Principal.Federated to "${expected.arn}" (this cluster's IAM OIDC provider) in the trust policy of role ${name}.`
    : `Set Principal.Federated to this cluster's IAM OIDC provider (arn:${arn.partition}:iam::${arn.account}:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<ID>) in the trust policy of role ${name}.`;

  const statements = webIdentityStatements(trust);
  if (statements.length === 0) {
    out.fail(
      CODE_TRUST_ACTION,
      `the trust policy of role ${name} has no Allow statement for ${WEB_IDENTITY_ACTION}`,
      {
        fix: `Allow "Action": "${WEB_IDENTITY_ACTION}" in the trust policy statement of role ${name} that names the cluster's OIDC provider.`,
      },
    );
    return;
  }
  const federated = federatedPrincipals(trust);
  const eks = federated.filter((p) =>
    isEksProvider(p, expected, ctx.facts.platform?.kind === 'self-managed'),
  );
  if (eks.length === 0) {
    out.fail(
      CODE_TRUST_PROVIDER,
      `the trust policy of role ${name} names no EKS OIDC provider as Federated principal for ${WEB_IDENTITY_ACTION} (found: ${federated.join(', ') || 'none'})`,
      { fix: providerFix },
    );
    return;
  }
  let providers: string[];
  if (expected) {
    if (!eks.includes(expected.arn)) {
      // Same issuer, other account (a typo in the ARN): only full ARNs tell them apart.
      const sameIssuer = eks.some((p) => oidcProviderHostPath(p) === expected.hostPath);
      const show = (p: string) => (sameIssuer ? p : (oidcProviderHostPath(p) ?? p));
      out.fail(
        CODE_THIS_PROVIDER,
        `the trust policy of role ${name} trusts OIDC provider ${eks.map(show).join(', ')}, not this cluster's ${sameIssuer ? expected.arn : expected.hostPath}${await missingProviders(ctx, eks)}`,
        { fix: `${providerFix} Its condition keys must start with "${expected.hostPath}:".` },
      );
      return;
    }
    providers = [expected.arn];
  } else {
    out.info(
      `this cluster's OIDC provider is unknown: the provider role ${name} trusts (${eks.map((p) => oidcProviderHostPath(p)).join(', ')}) is not compared with it`,
    );
    providers = eks;
  }

  const ns = ctx.options.namespace;
  const saName = c.serviceAccount.name;
  const sub = `system:serviceaccount:${ns}:${saName}`;
  const account = await ctx.kube.serviceAccount(ns, saName);
  const { annotated, audience: aud } = tokenAudience(account);

  for (const providerArn of providers) {
    const d = trustAdmits(trust, { providerArn, sub, aud });
    if (d.decision === 'Allow') {
      const via = expected
        ? "this cluster's OIDC provider"
        : `OIDC provider ${oidcProviderHostPath(providerArn)}`;
      out.ok(`role ${name} trusts ${sub} (audience ${aud}) from ${via} (${describeAll(d.allowedBy)})`);
      return;
    }
  }

  // Not admitted: say which of sub and aud is refused, each evaluated with the other's conditions removed.
  const providerArn = providers[0]!;
  const hostPath = oidcProviderHostPath(providerArn)!;
  const full = trustAdmits(trust, { providerArn, sub, aud });
  reportWarnings(out, `trust policy of role ${name}`, full.warnings);
  const target = statementToFix(statements, providerArn);
  const conditionFix = `Write ${conditionJson(hostPath, sub, aud)} in ${target} the trust policy of role ${name}.`;
  if (full.decision === 'ExplicitDeny') {
    out.fail(
      CODE_TRUST_SUB,
      `the trust policy of role ${name} denies ${sub}: ${describeAll(full.deniedBy)}`,
      {
        fix: `Remove ${describeAll(full.deniedBy)} from the trust policy of role ${name}, or narrow it so it does not match ${sub}.`,
      },
    );
    return;
  }
  const subOnly = trustAdmits(withoutConditionKeys(trust, ':aud'), { providerArn, sub, aud });
  const audOnly = trustAdmits(withoutConditionKeys(trust, ':sub'), { providerArn, sub, aud });
  if (subOnly.decision !== 'Allow') {
    const admits = admittedValues(statements, providerArn, 'sub');
    out.fail(
      CODE_TRUST_SUB,
      `trust policy of role ${name} does not admit ${sub}${admits ? `: ${admits}` : ''}`,
      { fix: conditionFix },
    );
  }
  if (audOnly.decision !== 'Allow') {
    const admits = admittedValues(statements, providerArn, 'aud');
    if (annotated !== undefined && annotated !== DEFAULT_AUDIENCE) {
      out.fail(
        CODE_AUDIENCE_ANNOTATION,
        `service account ${saName} requests token audience ${aud} (${AUDIENCE_ANNOTATION}), but the trust policy of role ${name} does not admit it${admits ? `: ${admits}` : ''}`,
        {
          fix: `Remove the ${AUDIENCE_ANNOTATION} annotation from service account ${saName} (the default audience is ${DEFAULT_AUDIENCE}), or admit "${aud}" in the "${hostPath}:aud" condition of role ${name}'s trust policy and the OIDC provider's client IDs.`,
        },
      );
    } else {
      out.fail(
        CODE_TRUST_AUD,
        `trust policy of role ${name} does not admit audience ${aud}${admits ? `: ${admits}` : ''}`,
        { fix: conditionFix },
      );
    }
  }
  if (subOnly.decision === 'Allow' && audOnly.decision === 'Allow') {
    out.fail(
      CODE_TRUST_SUB,
      `no statement of the trust policy of role ${name} admits ${sub} together with audience ${aud}`,
      { fix: conditionFix },
    );
  }
}

// ---------------------------------------------------------------- permission policies

interface RolePolicies {
  policies: LabeledPolicy[];
  boundary?: LabeledPolicy;
}

interface PermissionCodes {
  list: number;
  read: number;
}

/** The role's attached and inline policies and its permissions boundary; undefined when one is unreadable. */
async function loadPolicies(
  ctx: Context,
  role: IamRole,
  codes: PermissionCodes,
  what: string,
  out: Reporter,
): Promise<RolePolicies | undefined> {
  const name = role.name;
  const [attached, inline] = await Promise.all([
    ctx.aws.attachedPolicies(name),
    ctx.aws.inlinePolicies(name),
  ]);
  if (attached.length + inline.length === 0) {
    out.fail(codes.list, `role ${name} has no attached or inline policies`, {
      fix: `Attach a policy to role ${name} that allows ${what}.`,
    });
    return undefined;
  }
  let readable = true;
  const parse = (doc: unknown, label: string, where: string): LabeledPolicy | undefined => {
    try {
      return { doc: normalizePolicy(doc), label };
    } catch (e) {
      if (!(e instanceof PolicyParseError)) throw e;
      readable = false;
      out.fail(codes.read, `${where} is not a valid policy document: ${e.message}`, {
        fix: `Correct ${where}.`,
      });
      return undefined;
    }
  };
  const fetchManaged = async (arn: string, label: string, where: string) => {
    try {
      return parse(await ctx.aws.policyDocument(arn), label, where);
    } catch (e) {
      if (!(e instanceof ApiCallError) || !e.isNotFound) throw e;
      readable = false;
      out.fail(codes.read, `${where} cannot be read (${e.reason})`, {
        fix: `Check that ${arn} exists and has a default version (aws iam get-policy --policy-arn ${arn}).`,
      });
      return undefined;
    }
  };
  const boundaryArn = role.permissionsBoundaryArn;
  const boundaryName = boundaryArn?.split('/').pop() ?? '';
  const [managed, boundary] = await Promise.all([
    Promise.all(
      attached.map((p) => fetchManaged(p.arn, p.name, `policy ${p.name} attached to role ${name}`)),
    ),
    boundaryArn
      ? fetchManaged(boundaryArn, boundaryName, `permissions boundary ${boundaryName} of role ${name}`)
      : Promise.resolve(undefined),
  ]);
  const inlineDocs = inline.map((p) => parse(p.document, p.name, `inline policy ${p.name} of role ${name}`));
  if (!readable) return undefined;
  const policies = [...managed, ...inlineDocs].filter((p): p is LabeledPolicy => p !== undefined);
  return boundary ? { policies, boundary } : { policies };
}

/** The Allow statements whose Action covers `action`, whatever their resources and conditions. */
function statementsAllowing(policies: readonly LabeledPolicy[], action: string): MatchedStatement[] {
  return policies.flatMap(({ doc, label }) =>
    doc.Statement.flatMap((statement, index) =>
      statement.Effect === 'Allow' && statementCoversAction(statement, action)
        ? [{ label, index, statement, ...(statement.Sid ? { sid: statement.Sid } : {}) }]
        : [],
    ),
  );
}

/** What the role's Allow statements grant `action` on, and which statements: to say what it allows instead. */
function granted(policies: readonly LabeledPolicy[], action: string): { resources: string[]; by: string } {
  const allowed = statementsAllowing(policies, action);
  const resources = allowed.flatMap(
    ({ statement: s }) =>
      s.Resource ?? (s.NotResource ? s.NotResource.map((r) => `everything but ${r}`) : ['*']),
  );
  return { resources: [...new Set(resources)], by: describeAll(allowed) };
}

/** Why `action` on `resource` is refused, for a FAIL line: explicit Deny, the boundary, conditions, or what is allowed instead. */
function refusal(
  d: BoundedDecision,
  boundaryName: string | undefined,
  policies: readonly LabeledPolicy[],
  action: string,
  resource: string,
  actions = action,
): string {
  if (d.decision === 'ExplicitDeny') return `explicitly denied by ${describeAll(d.deniedBy)}`;
  if (d.identity.decision === 'Allow' && d.boundary && d.boundary.decision !== 'Allow') {
    return `allowed by ${describeAll(d.identity.allowedBy)}, but not by the permissions boundary ${boundaryName}`;
  }
  // Statements that cover the action and resource, refused only by their conditions.
  const conditional = statementsAllowing(policies, action).filter(
    ({ statement }) =>
      statement.Condition !== undefined &&
      evaluate([{ Statement: [{ ...statement, Condition: undefined }] }], { action, resource }).decision ===
        'Allow',
  );
  if (conditional.length > 0) {
    const keys = [
      ...new Set(
        conditional.flatMap(({ statement }) => Object.values(statement.Condition!).flatMap(Object.keys)),
      ),
    ];
    return `${describeAll(conditional)} allows it only under conditions irsa-check cannot confirm (${keys.join(', ')})`;
  }
  const { resources, by } = granted(policies, action);
  return resources.length > 0
    ? `it allows ${action} only on ${resources.join(', ')} (${by})`
    : `no statement of its policies allows ${actions}`;
}

async function checkDatabasePermission(
  ctx: Context,
  c: PlannedComponent,
  role: IamRole,
  loaded: RolePolicies,
  out: Reporter,
): Promise<void> {
  const { policies, boundary } = loaded;
  const name = role.name;
  const any = statementsAllowing(policies, RDS_CONNECT);
  if (any.length === 0) {
    out.fail(CODE_PG_CONNECT, `no statement in the policies of role ${name} allows ${RDS_CONNECT}`, {
      fix: `Attach a policy to role ${name} that allows ${RDS_CONNECT} on arn:${ctx.facts.partition ?? 'aws'}:rds-db:<region>:<account>:dbuser:<DbClusterResourceId>/<db user>.`,
    });
    return;
  }
  const target = ctx.facts.databases.get(c.key);
  const cluster = target?.cluster;
  if (!target || !cluster || !target.dbUser) {
    out.ok(`role ${name} allows ${RDS_CONNECT} (${describeAll(any)})`);
    out.info(
      `${RDS_CONNECT} not checked against the component's database: ${!cluster ? 'its Aurora cluster is not identified' : 'its database user is not known'}`,
    );
    return;
  }
  const clusterArn = parseArn(cluster.arn);
  const partition =
    clusterArn?.partition ?? ctx.facts.partition ?? parseRoleArn(role.arn)?.partition ?? 'aws';
  const region = clusterArn?.region || target.region || ctx.facts.region || '';
  const account = clusterArn?.account || parseRoleArn(role.arn)?.account || '';
  const resource = rdsDbUserArn(partition, region, account, cluster.resourceId, target.dbUser);
  const [d, simulated] = await Promise.all([
    Promise.resolve(evaluateWithBoundary(policies, boundary, { action: RDS_CONNECT, resource })),
    simulate(ctx, role.arn, [RDS_CONNECT], resource),
  ]);
  confirm(ctx, out, role, resource, [{ action: RDS_CONNECT, decision: d.decision }], simulated);
  reportWarnings(out, `policies of role ${name}`, d.warnings);
  if (d.decision === 'Allow') {
    out.ok(
      `role ${name} allows ${RDS_CONNECT} as ${target.dbUser} on Aurora cluster ${cluster.identifier} (${describeAll(d.identity.allowedBy)})`,
    );
    return;
  }
  out.fail(
    CODE_RDS_CONNECT,
    `role ${name} may not ${RDS_CONNECT} as ${target.dbUser} to Aurora cluster ${cluster.identifier} (${resource}): ${refusal(d, boundary?.label, policies, RDS_CONNECT, resource)}`,
    {
      fix:
        d.decision === 'ExplicitDeny'
          ? `Remove or narrow ${describeAll(d.deniedBy)} so it does not match ${resource}.`
          : d.identity.decision === 'Allow'
            ? `Allow ${RDS_CONNECT} on ${resource} in the permissions boundary ${boundary?.label} of role ${name}.`
            : `Allow {"Effect": "Allow", "Action": "${RDS_CONNECT}", "Resource": "${resource}"} in a policy of role ${name}.`,
    },
  );
}

async function checkSearchPermission(
  ctx: Context,
  role: IamRole,
  loaded: RolePolicies,
  out: Reporter,
): Promise<void> {
  const { policies, boundary } = loaded;
  const name = role.name;
  const anyAllowed = ES_ACTIONS.flatMap((action) => statementsAllowing(policies, action));
  if (anyAllowed.length === 0) {
    out.fail(CODE_OS_HTTP, `no statement in the policies of role ${name} allows es:ESHttp*`, {
      fix: `Attach a policy to role ${name} that allows es:ESHttp* on arn:${ctx.facts.partition ?? 'aws'}:es:<region>:<account>:domain/<domain>/*.`,
    });
    return;
  }
  const domain = ctx.facts.openSearch?.domain;
  if (!domain) {
    out.ok(`role ${name} allows es:ESHttp* (${describeAll(anyAllowed)})`);
    out.info('es:ESHttp* not checked against the OpenSearch domain: the domain is not identified');
    return;
  }
  const domainArn = parseArn(domain.arn);
  const partition = domainArn?.partition ?? ctx.facts.partition ?? 'aws';
  const region = domainArn?.region || ctx.facts.openSearch?.region || ctx.facts.region || '';
  const account = domainArn?.account || parseRoleArn(role.arn)?.account || '';
  const resource = `${esDomainArn(partition, region, account, domain.name)}/*`;

  const simulated = await simulate(ctx, role.arn, ES_ACTIONS, resource);
  const decisions = ES_ACTIONS.map((action) => ({
    action,
    d: evaluateWithBoundary(policies, boundary, { action, resource }),
  }));
  confirm(
    ctx,
    out,
    role,
    resource,
    decisions.map(({ action, d }) => ({ action, decision: d.decision })),
    simulated,
  );
  reportWarnings(
    out,
    `policies of role ${name}`,
    decisions.flatMap(({ d }) => d.warnings),
  );
  const refused = decisions.filter(({ d }) => d.decision !== 'Allow');
  if (refused.length === 0) {
    out.ok(
      `role ${name} allows ${actionList(ES_ACTIONS)} on ${resource} (${describeAll(decisions.flatMap(({ d }) => d.identity.allowedBy))})`,
    );
  } else {
    const first = refused[0]!.d;
    out.fail(
      CODE_ES_HTTP,
      `role ${name} may not ${actionList(refused.map((r) => r.action))} on ${resource}: ${refusal(first, boundary?.label, policies, refused[0]!.action, resource, actionList(refused.map((r) => r.action)))}`,
      {
        fix:
          first.decision === 'ExplicitDeny'
            ? `Remove or narrow ${describeAll(first.deniedBy)} so it does not match ${resource}.`
            : first.identity.decision === 'Allow'
              ? `Allow es:ESHttp* on ${resource} in the permissions boundary ${boundary?.label} of role ${name}.`
              : `Allow {"Effect": "Allow", "Action": "es:ESHttp*", "Resource": "${resource}"} in a policy of role ${name}.`,
      },
    );
  }
  checkDomainAdmitsRole(domain, role, resource, out);
}

/** The domain's resource-based access policy must let the role in too (code 212). */
function checkDomainAdmitsRole(
  domain: OpenSearchDomain,
  role: IamRole,
  resource: string,
  out: Reporter,
): void {
  const where = `the access policy of OpenSearch domain ${domain.name}`;
  let policy: PolicyDocument | undefined;
  try {
    policy = domainAccessPolicy(domain);
  } catch (e) {
    if (!(e instanceof PolicyParseError)) throw e;
    out.info(`${where} is unreadable (see the opensearch checks): role ${role.name} not checked against it`);
    return;
  }
  const principal = { type: 'AWS' as const, id: role.arn };
  const decisions = ES_ACTIONS.map((action) => ({
    action,
    d: policy ? evaluate([policy], { action, resource, principal }) : undefined,
  }));
  reportWarnings(
    out,
    where,
    decisions.flatMap(({ d }) => d?.warnings ?? []),
  );
  const refused = decisions.filter(({ d }) => d?.decision !== 'Allow');
  const statementFix = `Add "${role.arn}" to Principal.AWS of an Allow statement for es:ESHttp* on "${resource}" in ${where}.`;
  if (refused.length === 0) {
    out.ok(
      `${where} admits role ${role.name} (${describeAll(decisions.flatMap(({ d }) => d?.allowedBy ?? []))})`,
    );
    return;
  }
  const actions = actionList(refused.map((r) => r.action));
  const first = refused[0]!.d;
  if (first?.decision === 'ExplicitDeny') {
    out.fail(
      CODE_ES_HTTP,
      `${where} denies role ${role.name} ${actions} on ${resource}: ${describeAll(first.deniedBy)}`,
      {
        fix: `Remove or narrow ${describeAll(first.deniedBy)} in ${where} so it does not match role ${role.name}.`,
      },
    );
    return;
  }
  out.fail(
    CODE_ES_HTTP,
    `${where} does not allow role ${role.name} ${actions} on ${resource}${policy ? '' : ': the domain has no access policy'}`,
    { fix: statementFix },
  );
}

// ---------------------------------------------------------------- per component

/**
 * Runs `step`; an API error (irsa-check's own missing permission, throttling…) is
 * reported once through `out.unexpected` and the next step still runs.
 */
async function step(out: Reporter, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (e) {
    out.unexpected(e);
  }
}

/** Every role check for one component: trust, then permissions for its pg/os use. */
export async function checkRoleForComponent(ctx: Context, c: PlannedComponent, out: Reporter): Promise<void> {
  const roleArnText = ctx.facts.roleArns.get(c.key);
  const arn = roleArnText ? parseRoleArn(roleArnText) : undefined;
  if (!roleArnText || !arn) return; // the service-accounts module said why
  const caller = ctx.facts.caller?.account;
  if (caller && arn.account !== caller) {
    out.warn(
      `role ${arn.name} is in account ${arn.account}, but irsa-check runs as account ${caller}: its trust and permission policies cannot be read`,
      { fix: `Run irsa-check with credentials of account ${arn.account} to check role ${arn.name}.` },
    );
    return;
  }
  const role = await ctx.aws.role(arn.name);
  if (!role) {
    out.fail(CODE_ROLE_MISSING, `role ${arn.name} does not exist in account ${arn.account}`, {
      fix: `Create role ${arn.name} (with its trust and permission policies), or correct the eks.amazonaws.com/role-arn annotation of service account ${c.serviceAccount.name}.`,
    });
    return;
  }
  if (role.arn !== roleArnText) {
    out.fail(
      CODE_ROLE_MISSING,
      `the annotation names role ${roleArnText}, but the role ${arn.name} is ${role.arn}`,
      {
        fix: `Set the eks.amazonaws.com/role-arn annotation of service account ${c.serviceAccount.name} to ${role.arn}.`,
      },
    );
  }
  await step(out, () => checkTrust(ctx, c, arn, role, out));
  if (!c.pg && !c.os) return;
  const codes = c.pg
    ? { list: CODE_PG_POLICIES, read: CODE_PG_DOCUMENTS }
    : { list: CODE_OS_POLICIES, read: CODE_OS_DOCUMENTS };
  const what = c.pg ? RDS_CONNECT : 'es:ESHttp*';
  await step(out, async () => {
    const loaded = await loadPolicies(ctx, role, codes, what, out);
    if (!loaded) return;
    if (c.pg) await checkDatabasePermission(ctx, c, role, loaded, out);
    if (c.os) await checkSearchPermission(ctx, role, loaded, out);
  });
}

export const roles = defineModule({
  id: 'roles',
  title: 'IAM roles, trust and permission policies',
  codes: [
    {
      code: CODE_ROLE_MISSING,
      title: 'the annotated IAM role does not exist',
      fix: 'Create the role or correct the role-arn annotation.',
    },
    {
      code: CODE_TRUST_ACTION,
      title: 'the trust policy does not allow sts:AssumeRoleWithWebIdentity',
      fix: 'Allow sts:AssumeRoleWithWebIdentity in the role’s trust policy.',
    },
    {
      code: CODE_TRUST_PROVIDER,
      title: 'the trust policy’s Federated principal is not an EKS OIDC provider',
      fix: 'Name the cluster’s IAM OIDC provider as Federated principal.',
    },
    {
      code: CODE_PG_POLICIES,
      title: 'pg: the role has no attached or inline policies',
      fix: 'Attach a policy allowing rds-db:connect.',
    },
    {
      code: CODE_PG_DOCUMENTS,
      title: 'pg: a policy document of the role is unreadable',
      fix: 'Correct the policy document.',
    },
    {
      code: CODE_PG_CONNECT,
      title: 'pg: no policy statement allows rds-db:connect',
      fix: 'Allow rds-db:connect in a policy of the role.',
    },
    {
      code: CODE_OS_POLICIES,
      title: 'os: the role has no attached or inline policies',
      fix: 'Attach a policy allowing es:ESHttp*.',
    },
    {
      code: CODE_OS_DOCUMENTS,
      title: 'os: a policy document of the role is unreadable',
      fix: 'Correct the policy document.',
    },
    {
      code: CODE_OS_HTTP,
      title: 'os: no policy statement allows es:ESHttp*',
      fix: 'Allow es:ESHttp* in a policy of the role.',
    },
    {
      code: CODE_THIS_PROVIDER,
      title: 'the trust policy trusts another cluster’s OIDC provider',
      fix: 'Name this cluster’s IAM OIDC provider as Federated principal.',
    },
    {
      code: CODE_TRUST_SUB,
      title: 'the trust policy does not admit the component’s service account (sub)',
      fix: 'Admit system:serviceaccount:<namespace>:<service account> in the sub condition.',
    },
    {
      code: CODE_TRUST_AUD,
      title: 'the trust policy’s aud condition does not admit sts.amazonaws.com',
      fix: 'Admit sts.amazonaws.com in the aud condition.',
    },
    {
      code: CODE_RDS_CONNECT,
      title: 'rds-db:connect is not allowed on the component’s Aurora cluster and database user',
      fix: 'Allow rds-db:connect on arn:<partition>:rds-db:<region>:<account>:dbuser:<DbClusterResourceId>/<db user>.',
    },
    {
      code: CODE_ES_HTTP,
      title:
        'es:ESHttpGet/Put/Post is not allowed on the domain, by the role’s policies or the domain’s access policy',
      fix: 'Allow es:ESHttp* on arn:<partition>:es:<region>:<account>:domain/<domain>/* for the role, in its policies and the domain access policy.',
    },
    {
      code: CODE_AUDIENCE_ANNOTATION,
      title: 'the service account’s eks.amazonaws.com/audience is not admitted by the trust policy',
      fix: 'Remove the audience annotation or admit it in the trust policy.',
    },
  ],
  async run(ctx, out) {
    if (!requireRelease(ctx, out)) return;
    const planned = (ctx.facts.plan ?? []).filter((c) => ctx.facts.roleArns.has(c.key));
    if (planned.length === 0) {
      if ((ctx.facts.plan ?? []).length > 0) out.info('skipped: no component has a role ARN annotation');
      return;
    }
    await eachInOrder(
      planned,
      out,
      (c) => c.key,
      (c, o) => checkRoleForComponent(ctx, c, o),
    );
  },
});
