/**
 * Permission analysis: the role's attached and inline policies, capped by its
 * permissions boundary, must allow what the component sends — one checker for
 * `rds-db:connect` on its Aurora cluster as its database user and for
 * `es:ESHttp*` on its OpenSearch domain (whose resource-based access policy must
 * admit the role too). IAM's policy simulator, where it answers, confirms the
 * local evaluator's decisions.
 */
import { reportUndetermined } from '../../iam/undetermined.js';
import type { Reporter } from '../../core/reporter.js';
import { RDS_CONNECT, type Fetched, type PermissionsInput, type Simulation } from '../../collectors/roles.js';
import { ApiCallError } from '../../core/errors.js';
import type { IamRole, OpenSearchDomain, SimulationResult } from '../../ports/aws.js';
import {
  evaluateAccess,
  evaluateWithBoundary,
  normalizePolicy,
  PolicyParseError,
  type AccessDecision,
  type BoundedDecision,
  type DecisionKind,
  type LabeledPolicy,
  type PolicyDocument,
} from '../../iam/policy.js';
import { actionList, describeAll, refusal, statementsAllowing } from '../../iam/explain.js';
import { domainAccessPolicy } from '../../iam/domain-policy.js';
import { roleRequest } from '../../iam/request-context.js';
import { parseArn, parseRoleArn } from '../../iam/arn.js';
import { CAMUNDA_ES_ACTIONS, CAMUNDA_ES_ACTION_USE } from '../../iam/opensearch-actions.js';
import { roleWords, type MechanismName } from '../../platform/pod-identity.js';

/** `es:ESHttpGet/Head/Put/Post/Delete`: every request Camunda sends to its OpenSearch domain. */
const CAMUNDA_ES_REQUESTS = actionList(CAMUNDA_ES_ACTIONS);

export const PERMISSION_CHECKS = {
  'rds-policies': {
    severity: 'FAIL',
    code: 140,
    title: 'pg: the role has no attached or inline policies',
    fix: 'Attach a policy allowing rds-db:connect.',
  },
  'rds-policy-documents': {
    severity: 'FAIL',
    code: 141,
    title: 'pg: a policy document of the role is unreadable',
    fix: 'Correct the policy document.',
  },
  'rds-connect': {
    severity: 'FAIL',
    code: 142,
    title: 'pg: no policy statement allows rds-db:connect',
    fix: 'Allow rds-db:connect in a policy of the role.',
  },
  'rds-connect-resource': {
    severity: 'FAIL',
    code: 211,
    title: 'rds-db:connect is not allowed on the component’s Aurora cluster and database user',
    fix: 'Allow rds-db:connect on arn:<partition>:rds-db:<region>:<account>:dbuser:<DbClusterResourceId>/<db user>.',
  },
  'es-policies': {
    severity: 'FAIL',
    code: 150,
    title: 'os: the role has no attached or inline policies',
    fix: 'Attach a policy allowing es:ESHttp*.',
  },
  'es-policy-documents': {
    severity: 'FAIL',
    code: 151,
    title: 'os: a policy document of the role is unreadable',
    fix: 'Correct the policy document.',
  },
  'es-http': {
    severity: 'FAIL',
    code: 152,
    title: 'os: no policy statement allows es:ESHttp*',
    fix: 'Allow es:ESHttp* in a policy of the role.',
  },
  'es-http-resource': {
    severity: 'FAIL',
    code: 212,
    title: `the role’s policies do not allow every request Camunda sends to the OpenSearch domain (${CAMUNDA_ES_REQUESTS})`,
    fix: 'Allow es:ESHttp* on arn:<partition>:es:<region>:<account>:domain/<domain>/* in a policy of the role.',
  },
  'es-domain-admits-role': {
    severity: 'FAIL',
    code: 212,
    title: `the OpenSearch domain’s access policy does not allow the role every request Camunda sends (${CAMUNDA_ES_REQUESTS})`,
    fix: 'Allow es:ESHttp* on arn:<partition>:es:<region>:<account>:domain/<domain>/* for the role in the domain access policy.',
  },
  'policy-undecided': {
    severity: 'WARN',
    title:
      'the role’s policies or the domain’s access policy allow the request unless a Deny statement irsa-check cannot evaluate applies',
    fix: 'Check the named statement by hand, or rewrite it with elements irsa-check evaluates.',
  },
  'pod-identity-session-policy': {
    severity: 'FAIL',
    code: 213,
    title:
      'the Pod Identity association’s own policy (a session policy) does not allow what the component needs: the pods get only what it and the role’s policies both allow',
    fix: 'Allow the action on the resource in the association’s policy (aws eks update-pod-identity-association --policy), or remove the policy.',
  },
  'policy-simulator': {
    severity: 'WARN',
    title: 'IAM’s policy simulator and irsa-check’s evaluator disagree on a permission',
    fix: 'Check the role’s policies by hand (aws iam simulate-principal-policy), and report the case to irsa-check.',
  },
} as const;
export type PermissionCheckId = keyof typeof PERMISSION_CHECKS;
type Out = Reporter<PermissionCheckId>;

/** What a component needs its role to allow. */
export interface Permission {
  /** As a policy grants it, in messages and fixes: `rds-db:connect`, `es:ESHttp*`. */
  what: string;
  /** The requests the component sends. */
  actions: readonly string[];
  /** What the component sends each action for, said when only some of them are refused. */
  uses?: Readonly<Record<string, string>>;
  /** The resource to allow it on, in the fix when nothing allows it. */
  resourcePattern: string;
  ids: {
    policies: PermissionCheckId;
    documents: PermissionCheckId;
    any: PermissionCheckId;
    resource: PermissionCheckId;
  };
  /**
   * The resource may have a resource-based policy that grants the role by itself (an OpenSearch
   * domain's access policy): then a role without any statement of its own is not refused yet.
   * RDS has no resource policies for rds-db:connect.
   */
  resourcePolicy: boolean;
}

export function databasePermission(partition: string): Permission {
  return {
    what: RDS_CONNECT,
    actions: [RDS_CONNECT],
    resourcePattern: `arn:${partition}:rds-db:<region>:<account>:dbuser:<DbClusterResourceId>/<db user>`,
    ids: {
      policies: 'rds-policies',
      documents: 'rds-policy-documents',
      any: 'rds-connect',
      resource: 'rds-connect-resource',
    },
    resourcePolicy: false,
  };
}

export function searchPermission(partition: string): Permission {
  return {
    what: 'es:ESHttp*',
    actions: CAMUNDA_ES_ACTIONS,
    uses: CAMUNDA_ES_ACTION_USE,
    resourcePattern: `arn:${partition}:es:<region>:<account>:domain/<domain>/*`,
    ids: {
      policies: 'es-policies',
      documents: 'es-policy-documents',
      any: 'es-http',
      resource: 'es-http-resource',
    },
    resourcePolicy: true,
  };
}

/** The component's actual resource the permission is checked on. */
export interface PermissionTarget {
  resource: string;
  /** What the role allows, after "role X allows": `rds-db:connect as u on Aurora cluster c`. */
  allows(actions: string): string;
  /** What the role may not do, after "role X may not". */
  refused(actions: string): string;
  /** An OpenSearch domain whose access policy is evaluated with the role's policies. */
  domain?: OpenSearchDomain;
  /** The region the request goes to (aws:RequestedRegion), when the resource ARN has none. */
  region?: string;
  /**
   * The resource accepts only principals of its own account, whatever the policies say: IAM
   * database authentication ("The user must be in the same account as the account for the DB
   * cluster", Aurora User Guide, "Creating and using an IAM policy for IAM database access").
   */
  sameAccountOnly?: { account: string; what: string };
}

/** Why there is no target to check on: said as an INFO after a general OK. */
export interface Unidentified {
  unidentified: string;
}

export interface RolePolicies {
  policies: LabeledPolicy[];
  boundary?: LabeledPolicy;
  /**
   * The session policy the pods' credentials carry: a Pod Identity association's own policy. It
   * caps everything the session may do, resource-policy grants to the role ARN included (IAM
   * User Guide, "Session policies"; pod sessions have EKS-chosen names no policy names).
   */
  session?: SessionPolicy;
}

/** A session policy and what it comes from, for messages and fixes. */
export interface SessionPolicy extends LabeledPolicy {
  /** `aws eks update-pod-identity-association …`: where the policy is changed. */
  update: string;
}

/** The role's attached and inline policies and its permissions boundary; undefined when one is unreadable. */
export function loadPolicies(
  role: IamRole,
  { listing, documents }: Pick<PermissionsInput, 'listing' | 'documents'>,
  permission: Permission,
  out: Out,
  mechanism: MechanismName = 'IRSA',
): RolePolicies | undefined {
  const name = role.name;
  const who = roleWords(role.arn, mechanism);
  const { ids, what } = permission;
  if (!listing.ok) throw listing.error;
  const [attached, inline] = listing.value;
  // Without policies of its own a role may still be granted by the resource's policy: checkPermission decides.
  if (attached.length + inline.length === 0 && permission.resourcePolicy && !role.permissionsBoundaryArn) {
    return { policies: [] };
  }
  if (attached.length + inline.length === 0) {
    out.fail(ids.policies, `${who} has no attached or inline policies`, {
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
      out.fail(ids.documents, `${where} is not a valid policy document: ${e.message}`, {
        fix: `Correct ${where}.`,
      });
      return undefined;
    }
  };
  const fetchManaged = (arn: string, label: string, where: string) => {
    const fetched: Fetched<unknown> | undefined = documents.get(arn);
    if (!fetched) throw new Error(`policy document ${arn} not gathered`);
    if (fetched.ok) return parse(fetched.value, label, where);
    {
      const e = fetched.error;
      if (!(e instanceof ApiCallError) || !e.isNotFound) throw e;
      readable = false;
      out.fail(ids.documents, `${where} cannot be read (${e.reason})`, {
        fix: `Check that ${arn} exists and has a default version (aws iam get-policy --policy-arn ${arn}).`,
      });
      return undefined;
    }
  };
  const boundaryArn = role.permissionsBoundaryArn;
  const boundaryName = boundaryArn?.split('/').pop() ?? '';
  // In the listing's order, then the boundary (deterministic, whichever answered first).
  const managed = attached.map((p) => fetchManaged(p.arn, p.name, `policy ${p.name} attached to ${who}`));
  const boundary = boundaryArn
    ? fetchManaged(boundaryArn, boundaryName, `permissions boundary ${boundaryName} of ${who}`)
    : undefined;
  const inlineDocs = inline.map((p) => parse(p.document, p.name, `inline policy ${p.name} of ${who}`));
  if (!readable) return undefined;
  const policies = [...managed, ...inlineDocs].filter((p): p is LabeledPolicy => p !== undefined);
  return boundary ? { policies, boundary } : { policies };
}

const SIMULATOR_ANSWER: Record<SimulationResult['decision'], DecisionKind> = {
  allowed: 'Allow',
  explicitDeny: 'ExplicitDeny',
  implicitDeny: 'ImplicitDeny',
};

/** The simulator's answer for one action: its decision, and whether AWS Organizations refuses it. */
interface Simulated {
  decision: DecisionKind;
  deniedByOrganizations?: boolean;
}

/** IAM's policy simulator's answer as gathered: action (lower case) → its decision for `resource`. */
function simulated(
  simulation: Simulation | undefined,
  actions: readonly string[],
  resource: string,
): Map<string, Simulated> | undefined {
  if (!simulation) return undefined;
  if (!simulation.ok) throw simulation.error;
  const wanted = new Set(actions.map((a) => a.toLowerCase()));
  const answers = new Map<string, Simulated>();
  for (const r of simulation.value ?? []) {
    if (r.resource === resource && wanted.has(r.action.toLowerCase())) {
      answers.set(r.action.toLowerCase(), {
        decision: SIMULATOR_ANSWER[r.decision],
        ...(r.deniedByOrganizations ? { deniedByOrganizations: true } : {}),
      });
    }
  }
  return answers.size > 0 ? answers : undefined;
}

/**
 * Confirms the local decisions with IAM's policy simulator where it answered: a
 * disagreement is a WARN naming both answers (the collector says, with --verbose, which answered).
 */
function confirm(
  out: Out,
  who: string,
  resource: string,
  local: ReadonlyArray<{ action: string; decision: DecisionKind }>,
  simulated: Map<string, Simulated> | undefined,
): void {
  if (!simulated) return;
  for (const { action, decision } of local) {
    const answer = simulated.get(action.toLowerCase());
    const remote = answer?.decision;
    const open = decision === 'Undetermined'; // reported on its own, with the statements that leave it open
    if (remote !== undefined && !open && (remote === 'Allow') !== (decision === 'Allow')) {
      // The simulator weighs the account's SCPs, which irsa-check does not (iam/scp.ts).
      const organizations = answer?.deniedByOrganizations
        ? ' (the simulator says AWS Organizations does not allow it: a service control policy of the account refuses it)'
        : '';
      out.warn(
        'policy-simulator',
        `IAM's policy simulator and irsa-check disagree on ${action} on ${resource} for ${who}: the simulator says ${remote}, the local evaluation ${decision}${organizations}`,
      );
    }
  }
}

/**
 * A replayed bundle recorded by an irsa-check that asked IAM's policy simulator about fewer
 * actions (collectors/roles.ts, ES_ACTIONS_IN_OLDER_BUNDLES): the others are decided by the local
 * evaluator over the recorded policies, as in a run where the simulator is not available, but
 * without the simulator's cross-check (which weighs the account's SCPs too). Said, not guessed.
 */
function notCrossChecked(out: Out, who: string, resource: string, simulation: Simulation | undefined): void {
  if (!simulation?.ok || !simulation.notInBundle?.length) return;
  const asked = simulation.askedInBundle ? actionList(simulation.askedInBundle) : 'fewer actions';
  out.info(
    `cannot tell what IAM's policy simulator says of ${actionList(simulation.notInBundle)} on ${resource} for ${who}: the bundle has no answer for them (it was recorded by an irsa-check that asked only about ${asked}), so only irsa-check's evaluation of the recorded policies decides them, without the simulator's cross-check`,
  );
}

/**
 * The one permission checker: does any statement allow the permission at all, then
 * (once the component's resource is known) do the role's policies, within its
 * boundary, allow every action on it — evaluated with the request context irsa-check
 * knows (iam/request-context.ts) and, for OpenSearch, with the domain's access policy as
 * AWS does (iam/policy.ts, evaluateAccess).
 */
export function checkPermission(
  role: IamRole,
  loaded: RolePolicies,
  permission: Permission,
  gathered: { target: PermissionTarget | Unidentified; simulation?: Simulation } | undefined,
  out: Out,
  mechanism: MechanismName = 'IRSA',
): void {
  const { policies, boundary } = loaded;
  const { what, actions, ids } = permission;
  const name = role.name;
  // The mechanism and account in every line about the role (platform/pod-identity.ts roleWords).
  const who = roleWords(role.arn, mechanism);
  const anyAllowed = actions.flatMap((action) => statementsAllowing(policies, action));
  /** `alsoDomain`: within one account, what the domain's access policy says too (it does not allow it either). */
  const noneOfItsOwn = (alsoDomain?: { says: string; fix: string }) => {
    if (policies.length === 0) {
      out.fail(ids.policies, `${who} has no attached or inline policies${alsoDomain?.says ?? ''}`, {
        fix: `Attach a policy to role ${name} that allows ${what}${alsoDomain?.fix ?? ''}.`,
      });
    } else {
      out.fail(ids.any, `no statement in the policies of ${who} allows ${what}${alsoDomain?.says ?? ''}`, {
        fix: `Attach a policy to role ${name} that allows ${what} on ${permission.resourcePattern}${alsoDomain?.fix ?? ''}.`,
      });
    }
  };
  if (anyAllowed.length === 0 && !permission.resourcePolicy) return noneOfItsOwn();
  if (!gathered) throw new Error(`the ${what} target was not gathered`);
  const { target } = gathered;
  if ('unidentified' in target) {
    if (anyAllowed.length === 0) return noneOfItsOwn();
    out.ok(ids.any, `role ${name} allows ${what} (${describeAll(anyAllowed)})`);
    out.info(`${who}: ${target.unidentified}`);
    return;
  }
  const { resource } = target;
  const roleAccount = parseRoleArn(role.arn)?.account;
  const only = target.sameAccountOnly;
  if (only && roleAccount && only.account && roleAccount !== only.account) {
    out.fail(
      ids.resource,
      `${who} may not ${target.refused(actionList(actions))}: ${only.what} is in account ${only.account}, and IAM database authentication accepts only a role of the cluster's own account, whatever the policies allow`,
      {
        fix: `Give the component a role in account ${only.account} (cross-account IRSA: its trust policy names account ${only.account}'s IAM OIDC provider for this cluster's issuer) that allows ${what} on ${resource} (Aurora User Guide, "Creating and using an IAM policy for IAM database access").`,
      },
    );
    return;
  }
  const requestFor = (action: string) =>
    roleRequest({ action, resource, roleArn: role.arn, region: target.region });
  const decisions = actions.map((action) => ({
    action,
    d: evaluateWithBoundary(policies, boundary, requestFor(action)),
  }));
  confirm(
    out,
    who,
    resource,
    decisions.map(({ action, d }) => ({ action, decision: d.decision })),
    simulated(gathered.simulation, actions, resource),
  );
  notCrossChecked(out, who, resource, gathered.simulation);
  const domain = target.domain ? readDomainPolicy(target.domain, who, out) : undefined;
  const principalAccount = parseRoleArn(role.arn)?.account;
  const resourceAccount = domain ? parseArn(domain.domain.arn)?.account : undefined;
  // An account that cannot be read from the ARNs counts as another one (both must allow).
  const crossAccount = !principalAccount || !resourceAccount || principalAccount !== resourceAccount;
  const access = domain
    ? actions.map((action) => ({
        action,
        d: evaluateAccess(
          { identity: policies, boundary, resourcePolicy: domain.policy, principalAccount, resourceAccount },
          requestFor(action),
        ),
      }))
    : undefined;
  // Within one account an Allow in the role's policies or in the domain's access policy suffices,
  // action by action (IAM User Guide, "Policy evaluation logic": identity-based and resource-based
  // policies): the actions the role's policies leave out but the domain grants it are allowed.
  const byDomain = new Set(
    (access ?? [])
      .filter(
        ({ action, d }, i) =>
          d.decision === 'Allow' &&
          decisions[i]!.action === action &&
          decisions[i]!.d.decision !== 'Allow' &&
          decisions[i]!.d.decision !== 'ExplicitDeny',
      )
      .map(({ action }) => action),
  );
  const grantedByDomain =
    access !== undefined && access.every(({ d }) => d.decision === 'Allow') && byDomain.size > 0;
  // One account, a readable domain policy: a refusal names both sides, and its fix offers either.
  const either = domain && !crossAccount ? { domain, arn: role.arn } : undefined;
  if (grantedByDomain && domain) {
    // The domain's access policy grants the role itself; within one account that suffices.
    const granting = access.filter(({ action }) => byDomain.has(action));
    const by = describeAll(granting.flatMap(({ d }) => d.resourceDirect?.allowedBy ?? []));
    const fgac = domain.domain.fineGrainedAccessControl
      ? '; fine-grained access control then decides what it may do in OpenSearch'
      : '';
    const own = decisions.filter(({ action }) => !byDomain.has(action));
    out.ok(
      ids.resource,
      own.length === 0
        ? `role ${name} may ${target.allows(actionList(actions))}: the access policy of OpenSearch domain ${domain.domain.name} allows it (${by}), which suffices within one account without a statement of the role's own${fgac}`
        : `role ${name} may ${target.allows(actionList(actions))}: its policies allow ${actionList(own.map((o) => o.action))} (${describeAll(own.flatMap(({ d }) => d.identity.allowedBy))}), the access policy of OpenSearch domain ${domain.domain.name} allows ${actionList([...byDomain])} (${by}), which suffices within one account${fgac}`,
    );
  } else if (anyAllowed.length === 0 && byDomain.size === 0) {
    // A domain policy naming only the account delegates to the role's policies: said as before.
    const delegates = either && delegatingStatements(either.domain, actions[0]!, resource) !== '';
    noneOfItsOwn(
      either && access && !delegates ? notByDomainEither(either, access, actions, resource) : undefined,
    );
  } else {
    reportIdentity(
      out,
      name,
      who,
      target,
      permission,
      decisions,
      loaded,
      resource,
      domain,
      byDomain,
      either,
      access,
    );
  }
  if (domain && access) reportDomain(domain, role, who, resource, decisions, access, crossAccount, out);
  if (loaded.session) reportSession(out, who, target, permission, loaded.session, requestFor);
}

/**
 * The session policy caps the role's permissions (IAM User Guide, "Session policies"; EKS API
 * reference, PodIdentityAssociation.policy: "the intersection of the role's policies and this
 * policy"): the request is allowed only if it allows it too. Reported on its own, after the role's
 * own verdict, so a refusal names the policy that refuses.
 */
function reportSession(
  out: Out,
  who: string,
  target: PermissionTarget,
  permission: Permission,
  session: SessionPolicy,
  requestFor: (action: string) => ReturnType<typeof roleRequest>,
): void {
  const { what, actions } = permission;
  const decisions = actions.map((action) => ({
    action,
    d: evaluateAccess({ identity: [session.doc] }, requestFor(action)),
  }));
  const refused = decisions.filter(({ d }) => d.decision === 'ImplicitDeny' || d.decision === 'ExplicitDeny');
  const why = `EKS Pod Identity applies it as a session policy, so the pods of ${who} get only what both it and the role's policies allow`;
  if (refused.length > 0) {
    const first = refused[0]!.d;
    const how =
      first.decision === 'ExplicitDeny'
        ? `it denies it (${describeAll(first.deniedBy)})`
        : 'no statement of it allows it';
    out.fail(
      'pod-identity-session-policy',
      `${session.label} does not allow ${target.refused(actionList(refused.map((r) => r.action)))}: ${how}; ${why}`,
      {
        fix: `Allow ${what} on ${target.resource} in ${session.label} (${session.update}), or remove that policy.`,
      },
    );
    return;
  }
  const open = decisions.find(({ d }) => d.decision === 'Undetermined');
  if (open) {
    const question = `${session.label} allows ${target.allows(open.action)}`;
    reportUndetermined(
      out,
      open.d,
      { warn: 'policy-undecided', fail: 'pod-identity-session-policy' },
      question,
    );
    return;
  }
  out.ok(
    'pod-identity-session-policy',
    `${session.label} allows ${target.allows(actionList(actions))} too (${describeAll(decisions.flatMap(({ d }) => d.allowedBy))}); ${why}`,
  );
}

/** The role's own policies within its boundary: OK, the refusal, or the statements that leave it open. */
function reportIdentity(
  out: Out,
  name: string,
  who: string,
  target: PermissionTarget,
  permission: Permission,
  decisions: ReadonlyArray<{ action: string; d: BoundedDecision }>,
  { policies, boundary }: RolePolicies,
  resource: string,
  domain: DomainPolicy | undefined,
  byDomain: ReadonlySet<string>,
  either: Either | undefined,
  access: ReadonlyArray<{ action: string; d: AccessDecision }> | undefined,
): void {
  const { what, actions, ids } = permission;
  // What the domain's access policy grants the role within one account is allowed: not named here.
  const own = decisions.filter(({ action }) => !byDomain.has(action));
  const refused = own.filter(({ d }) => d.decision === 'ImplicitDeny' || d.decision === 'ExplicitDeny');
  const open = own.find(({ d }) => d.decision === 'Undetermined');
  if (refused.length === 0 && open) {
    const question = `${who} may ${target.refused(open.action)}`;
    reportUndetermined(out, open.d, { warn: 'policy-undecided', fail: ids.resource }, question);
    return;
  }
  if (refused.length === 0) {
    out.ok(
      ids.resource,
      `role ${name} allows ${target.allows(actionList(own.map((o) => o.action)))} (${describeAll(own.flatMap(({ d }) => d.identity.allowedBy))})`,
    );
    return;
  }
  const first = refused[0]!.d;
  const refusedActions = actionList(refused.map((r) => r.action));
  // A domain policy naming only the account hands the decision to the role's own policies.
  const delegated =
    domain?.policy && first.decision !== 'ExplicitDeny'
      ? delegatingStatements(domain, refused[0]!.action, resource)
      : '';
  // Only some refused (a policy granting GET/PUT/POST alone): say what the others are for, and
  // name exactly those in the fix.
  const some = refused.length < actions.length;
  const why =
    some && permission.uses
      ? ` (Camunda sends ${refused.map(({ action }) => `${action} ${permission.uses![action] ?? 'too'}`).join(', ')})`
      : '';
  const grant = some ? JSON.stringify(refused.map((r) => r.action)) : `"${what}"`;
  // Within one account the domain's access policy could allow what no statement of the role
  // does (not what a Deny or the permissions boundary refuses: those cap it too).
  const byEither =
    either && access && first.decision === 'ImplicitDeny' && first.identity.decision !== 'Allow'
      ? notByDomainEither(
          either,
          access,
          refused.map((r) => r.action),
          resource,
        )
      : undefined;
  out.fail(
    ids.resource,
    `${who} may not ${target.refused(refusedActions)}: ${refusal(first, boundary?.label, policies, refused[0]!.action, resource, refusedActions)}${why}${delegated || (byEither?.says ?? '')}`,
    {
      fix:
        first.decision === 'ExplicitDeny'
          ? `Remove or narrow ${describeAll(first.deniedBy)} so it does not match ${resource}.`
          : first.identity.decision === 'Allow'
            ? `Allow ${some ? refusedActions : what} on ${resource} in the permissions boundary ${boundary?.label} of role ${name}.`
            : `Allow {"Effect": "Allow", "Action": ${grant}, "Resource": "${resource}"} in a policy of role ${name}${byEither?.fix ?? ''}.`,
    },
  );
}

/** One account and a readable domain access policy: either side may allow an action. */
interface Either {
  domain: DomainPolicy;
  /** The role's ARN, as the domain's access policy names it. */
  arn: string;
}

/**
 * Within one account, for actions the role's policies do not allow: that the domain's access
 * policy does not allow them either, and the fix on its side. Undefined when the domain policy
 * leaves one of them undecided (its own line says so) or grants it through the account only (a
 * statement naming the account delegates to the role's policies: the caller says that instead).
 */
function notByDomainEither(
  { domain, arn }: Either,
  access: ReadonlyArray<{ action: string; d: AccessDecision }>,
  refused: readonly string[],
  resource: string,
): { says: string; fix: string } | undefined {
  const direct = access
    .filter(({ action }) => refused.includes(action))
    .map(({ d }) => d.resourceDirect?.decision);
  if (direct.some((d) => d !== undefined && d !== 'ImplicitDeny')) return undefined;
  const acts = actionList(refused);
  const grant = `{"Effect": "Allow", "Principal": {"AWS": "${arn}"}, "Action": ${JSON.stringify(refused)}, "Resource": "${resource}"}`;
  return domain.policy
    ? {
        says: `; nor does ${domain.where} allow the role ${acts} (within one account either would suffice)`,
        fix: `, or allow ${grant} in ${domain.where}`,
      }
    : {
        says: `; OpenSearch domain ${domain.domain.name} has no access policy that could allow the role ${acts} instead (within one account either would suffice)`,
        fix: `, or give OpenSearch domain ${domain.domain.name} an access policy that allows ${grant}`,
      };
}

interface DomainPolicy {
  domain: OpenSearchDomain;
  /** Undefined: the domain has no access policy. */
  policy: PolicyDocument | undefined;
  where: string;
}

/** The domain's access policy, or undefined (said as an INFO) when it is unreadable. */
function readDomainPolicy(domain: OpenSearchDomain, who: string, out: Out): DomainPolicy | undefined {
  const where = `the access policy of OpenSearch domain ${domain.name}`;
  try {
    return { domain, policy: domainAccessPolicy(domain), where };
  } catch (e) {
    if (!(e instanceof PolicyParseError)) throw e;
    out.info(`${where} is unreadable (see the opensearch checks): ${who} not checked against it`);
    return undefined;
  }
}

/** `; statement "X" of the domain's access policy names only account A, which leaves it to the role's policies`. */
function delegatingStatements(domain: DomainPolicy, action: string, resource: string): string {
  const delegating = domain.policy!.Statement.flatMap((st, index) => {
    if (st.Effect !== 'Allow' || !st.Principal || st.Principal === '*') return [];
    const accounts = (st.Principal.AWS ?? []).filter((id) => /^\d{12}$/.test(id) || /:root$/.test(id));
    if (accounts.length === 0) return [];
    const d = evaluateAccess(
      { identity: [], resourcePolicy: { Statement: [st] }, principalAccount: '0', resourceAccount: '0' },
      { action, resource, principal: { type: 'AWS', id: accounts[0]! }, otherKeys: 'unknown' },
    );
    return d.resourcePolicy?.decision === 'Allow' ? [{ index, statement: st, accounts }] : [];
  });
  if (delegating.length === 0) return '';
  const which = describeAll(
    delegating.map(({ index, statement }) => ({
      index,
      statement,
      ...(statement.Sid ? { sid: statement.Sid } : {}),
    })),
  );
  return `; ${which} of ${domain.where} names only the account (${[...new Set(delegating.flatMap((x) => x.accounts))].join(', ')}), which leaves it to the role's own policies`;
}

/**
 * The domain's resource-based access policy, weighed as AWS does (code 212): a Deny there
 * refuses the role; an Allow for the role itself lets it in; one for its account only
 * delegates to the role's IAM policies; within one account either side suffices, action by
 * action (what neither allows is the role's line's single FAIL, with a fix on either side);
 * across accounts the domain must allow too.
 */
function reportDomain(
  domain: DomainPolicy,
  role: IamRole,
  who: string,
  resource: string,
  identity: ReadonlyArray<{ action: string; d: BoundedDecision }>,
  access: ReadonlyArray<{ action: string; d: AccessDecision }>,
  crossAccount: boolean,
  out: Out,
): void {
  const { where, policy } = domain;
  const ids = { warn: 'policy-undecided', fail: 'es-domain-admits-role' } as const;
  const resourceSide = access.map(({ action, d }) => ({
    action,
    d: d.resourcePolicy,
    direct: d.resourceDirect,
    combined: d,
  }));
  const denied = resourceSide.filter(({ d }) => d?.decision === 'ExplicitDeny');
  if (denied.length > 0) {
    const first = denied[0]!.d!;
    out.fail(
      'es-domain-admits-role',
      `${where} denies ${who} ${actionList(denied.map((r) => r.action))} on ${resource}: ${describeAll(first.deniedBy)}`,
      {
        fix: `Remove or narrow ${describeAll(first.deniedBy)} in ${where} so it does not match role ${role.name}.`,
      },
    );
    return;
  }
  // A Deny of the domain policy irsa-check cannot evaluate, where it decides the request.
  const own = new Set<unknown>(policy?.Statement ?? []);
  for (const { action, combined } of resourceSide) {
    const doubt = combined.undetermined.filter((u) => own.has(u.statement));
    if (combined.decision === 'Undetermined' && onlyDenyInDoubtOf(combined) && doubt.length > 0) {
      const question = `${where} admits ${who} to ${action} on ${resource}`;
      reportUndetermined(out, { ...combined, undetermined: doubt }, ids, question);
      return;
    }
  }
  if (resourceSide.every(({ direct }) => direct?.decision === 'Allow')) {
    out.ok(
      'es-domain-admits-role',
      `${where} admits role ${role.name} (${describeAll(resourceSide.flatMap(({ direct }) => direct?.allowedBy ?? []))})`,
    );
    return;
  }
  if (resourceSide.every(({ d }) => d?.decision === 'Allow')) {
    out.ok(
      'es-domain-admits-role',
      `${where} admits role ${role.name} through its account (${describeAll(resourceSide.flatMap(({ d }) => d?.allowedBy ?? []))}): the role's own policies must allow it too`,
    );
    return;
  }
  if (!crossAccount && identity.every(({ d }) => d.decision === 'Allow')) {
    // An identity Allow alone suffices within one account (IAM User Guide, "Policy evaluation logic").
    const what = policy
      ? `${where} does not grant role ${role.name} by itself`
      : `OpenSearch domain ${domain.domain.name} has no access policy`;
    out.ok(
      'es-domain-admits-role',
      `${what}, and the role's own policies allow it: within one account either suffices`,
    );
    return;
  }
  if (!crossAccount && access.every(({ d }) => d.decision === 'Allow')) {
    // Action by action, one side or the other (the role's line named which allows what).
    const direct = resourceSide.filter(({ direct }) => direct?.decision === 'Allow');
    out.ok(
      'es-domain-admits-role',
      `${where} allows role ${role.name} ${actionList(direct.map((r) => r.action))} (${describeAll(direct.flatMap(({ direct }) => direct?.allowedBy ?? []))}), and the role's own policies allow ${actionList(resourceSide.filter(({ direct }) => direct?.decision !== 'Allow').map((r) => r.action))}: within one account either suffices`,
    );
    return;
  }
  const open = resourceSide.find(({ d }) => d?.decision === 'Undetermined');
  if (open?.d) {
    const question = `${where} admits ${who} to ${open.action} on ${resource}`;
    reportUndetermined(out, open.d, ids, question);
    return;
  }
  // Within one account the role's line has named what neither its policies nor this one allow,
  // with a fix on either side: a second FAIL here would name the same actions with half the fix.
  if (!crossAccount) return;
  const refusedActions = actionList(
    resourceSide.filter(({ d }) => d?.decision !== 'Allow').map((r) => r.action),
  );
  out.fail(
    'es-domain-admits-role',
    `${where} does not allow ${who} ${refusedActions} on ${resource}${policy ? '' : ': the domain has no access policy'}${crossAccount ? ' (the role is in another account: the domain and the role must both allow it)' : ''}`,
    {
      fix: `Add "${role.arn}" to Principal.AWS of an Allow statement for es:ESHttp* on "${resource}" in ${where}.`,
    },
  );
}

/** Some statement surely allows; only a Deny irsa-check cannot evaluate leaves it open. */
function onlyDenyInDoubtOf(d: { undetermined: ReadonlyArray<{ statement: { Effect: string } }> }): boolean {
  return d.undetermined.length > 0 && d.undetermined.every((u) => u.statement.Effect === 'Deny');
}
