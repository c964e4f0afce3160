/**
 * Policies explained for a person: which statement allows, denies or admits what,
 * what the statements grant instead, why a request is refused, and the condition
 * text a fix should write. Every verdict comes from the evaluator in policy.ts;
 * this file only words it. Used by the roles module (trust and permission policies
 * and the OpenSearch domain's access policy).
 */
import { oidcProviderHostPath } from './arn.js';
import {
  describeStatement,
  evaluate,
  WEB_IDENTITY_ACTION,
  type BoundedDecision,
  type LabeledPolicy,
  type MatchedStatement,
  type PolicyDocument,
  type Statement,
} from './policy.js';

/** `es:ESHttpGet/Put/Post`: one action list, readable. */
export function actionList(actions: readonly string[]): string {
  const common = 'es:ESHttp';
  return actions.every((a) => a.startsWith(common))
    ? `${common}${actions.map((a) => a.slice(common.length)).join('/')}`
    : actions.join('/');
}

/** Does the statement's Action/NotAction cover `action`? Asked of the evaluator, on the statement alone. */
export function statementCoversAction(st: Statement, action: string): boolean {
  const only: Statement = st.Action
    ? { Effect: 'Allow', Action: st.Action }
    : { Effect: 'Allow', NotAction: st.NotAction ?? [] };
  return evaluate([{ Statement: [only] }], { action }).decision === 'Allow';
}

/** A statement of one (unlabelled) policy document, with its position. */
export interface IndexedStatement {
  index: number;
  statement: Statement;
}

export function describeIndexed(s: IndexedStatement): string {
  return describeStatement({
    index: s.index,
    statement: s.statement,
    ...(s.statement.Sid ? { sid: s.statement.Sid } : {}),
  });
}

/** The statements, each named once: `statement "A" of policy "p", statement #2 of policy "q"`. */
export function describeAll(ms: readonly MatchedStatement[]): string {
  return [...new Set(ms.map(describeStatement))].join(', ');
}

// ---------------------------------------------------------------- trust policies

/** The trust policy's Allow statements for AssumeRoleWithWebIdentity. */
export function webIdentityStatements(trust: PolicyDocument): IndexedStatement[] {
  return trust.Statement.map((statement, index) => ({ index, statement })).filter(
    ({ statement }) => statement.Effect === 'Allow' && statementCoversAction(statement, WEB_IDENTITY_ACTION),
  );
}

export function namesProvider(st: Statement, providerArn: string): boolean {
  return (
    st.Principal !== undefined && st.Principal !== '*' && (st.Principal.Federated ?? []).includes(providerArn)
  );
}

/** A copy of the trust policy without the condition keys ending in `suffix` (`:aud`, `:sub`). */
export function withoutConditionKeys(trust: PolicyDocument, suffix: string): PolicyDocument {
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
export function admittedValues(
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

/** The trust-policy condition a fix tells the user to write. */
export function conditionJson(hostPath: string, sub: string, aud: string): string {
  return `"Condition": {"StringEquals": {"${hostPath}:sub": "${sub}", "${hostPath}:aud": "${aud}"}}`;
}

/** The statement a fix should name: the first web-identity statement for the provider. */
export function statementToFix(statements: readonly IndexedStatement[], providerArn: string): string {
  const s = statements.find((x) => namesProvider(x.statement, providerArn));
  return s ? `${describeIndexed(s)} of` : 'a statement with Principal.Federated = this provider in';
}

// ---------------------------------------------------------------- permission policies

/** The Allow statements whose Action covers `action`, whatever their resources and conditions. */
export function statementsAllowing(policies: readonly LabeledPolicy[], action: string): MatchedStatement[] {
  return policies.flatMap(({ doc, label }) =>
    doc.Statement.flatMap((statement, index) =>
      statement.Effect === 'Allow' && statementCoversAction(statement, action)
        ? [{ label, index, statement, ...(statement.Sid ? { sid: statement.Sid } : {}) }]
        : [],
    ),
  );
}

/** What the Allow statements grant `action` on, and which statements: to say what they allow instead. */
export function granted(
  policies: readonly LabeledPolicy[],
  action: string,
): { resources: string[]; by: string } {
  const allowed = statementsAllowing(policies, action);
  const resources = allowed.flatMap(
    ({ statement: s }) =>
      s.Resource ?? (s.NotResource ? s.NotResource.map((r) => `everything but ${r}`) : ['*']),
  );
  return { resources: [...new Set(resources)], by: describeAll(allowed) };
}

/** Why `action` on `resource` is refused, for a FAIL line: explicit Deny, the boundary, conditions, or what is allowed instead. */
export function refusal(
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
