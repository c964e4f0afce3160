/**
 * The IAM side of each component's IRSA: its role exists, its trust policy lets
 * exactly this cluster's service account assume it (trust.ts), and its permission
 * policies (attached and inline, capped by a permissions boundary) allow what the
 * component does — `rds-db:connect` as its database user on its actual Aurora
 * cluster, or `es:ESHttp*` on its OpenSearch domain, whose access policy must
 * admit the role too (permissions.ts). Every decision comes from the one evaluator
 * in iam/policy.ts; IAM's policy simulator, where it answers, confirms it.
 *
 * The collector (src/collectors/roles.ts) gathers every component's role, policies and
 * facts at once; this evaluator judges them, component by component in the plan's order.
 */
import { defineModule } from '../../engine/module.js';
import type { Reporter } from '../../core/reporter.js';
import type { PlannedComponent } from '../../engine/facts.js';
import { roleArn, type RoleArn } from '../../iam/arn.js';
import {
  checkPodIdentityTrust,
  checkTargetRoleTrust,
  checkTrust,
  TRUST_CHECKS,
  type PodIdentityTrustTarget,
} from './trust.js';
import { cannotCheckFrom } from '../../platform/accounts.js';
import {
  checkPermission,
  databasePermission,
  loadPolicies,
  PERMISSION_CHECKS,
  searchPermission,
  type PermissionTarget,
  type SessionPolicy,
  type Unidentified,
} from './permissions.js';
import { normalizePolicy, PolicyParseError } from '../../iam/policy.js';
import { mechanismName, roleWords, type PodIdentityAssociationRef } from '../../platform/pod-identity.js';
import {
  collectRoles,
  type RoleComponent,
  type RoleRead,
  type Simulation,
  type TargetData,
} from '../../collectors/roles.js';

const CHECKS = {
  'role-account': {
    severity: 'INFO',
    title:
      'the role is in another AWS account than irsa-check runs as and no --assume-role reads it: its policies are not checked',
  },
  'role-exists': {
    severity: 'FAIL',
    code: 120,
    title: 'the annotated IAM role does not exist',
    fix: 'Create the role or correct the role-arn annotation.',
  },
  'role-arn': {
    severity: 'FAIL',
    code: 120,
    title: 'the annotated role ARN is not the ARN of the role of that name (e.g. a wrong path)',
    fix: 'Correct the role-arn annotation to the role’s ARN.',
  },
  ...TRUST_CHECKS,
  ...PERMISSION_CHECKS,
} as const;
type Id = keyof typeof CHECKS;

/**
 * Runs `work`; an API error the collector captured (irsa-check's own missing permission,
 * throttling…), thrown where the check needs that answer, is reported once through
 * `out.unexpected` and the next step still runs.
 */
function step(out: Reporter<Id>, work: () => void): void {
  try {
    work();
  } catch (e) {
    out.unexpected(e);
  }
}

/** The gathered resource in the words of the permission lines. */
function permissionTarget(
  gathered: { target: TargetData; simulation?: Simulation } | undefined,
): { target: PermissionTarget | Unidentified; simulation?: Simulation } | undefined {
  if (!gathered) return undefined;
  const { target: t, simulation } = gathered;
  const sim = simulation ? { simulation } : {};
  if (t.kind === 'unidentified') return { target: { unidentified: t.unidentified }, ...sim };
  const { resource } = t;
  if (t.kind === 'database') {
    const { dbUser, clusterIdentifier: id } = t;
    return {
      target: {
        resource,
        allows: (actions) => `${actions} as ${dbUser} on Aurora cluster ${id}`,
        refused: (actions) => `${actions} as ${dbUser} to Aurora cluster ${id} (${resource})`,
        ...(t.sameAccountOnly ? { sameAccountOnly: t.sameAccountOnly } : {}),
      },
      ...sim,
    };
  }
  return {
    target: {
      resource,
      allows: (actions) => `${actions} on ${resource}`,
      refused: (actions) => `${actions} on ${resource}`,
      domain: t.domain,
    },
    ...sim,
  };
}

/** The role EKS Pod Identity assumes first for a cross-account association: it must trust pods.eks.amazonaws.com. */
function judgeFirstHop(
  hop: RoleRead | undefined,
  namespace: string,
  c: PlannedComponent,
  target: PodIdentityTrustTarget,
  out: Reporter<Id>,
): void {
  if (!hop) return;
  const arn = hop.arn;
  if (hop.kind === 'other-account') {
    out.info(
      'role-account',
      cannotCheckFrom(
        hop.caller,
        arn.account,
        `the trust policy of ${roleWords(roleArn(arn), 'EKS Pod Identity')}, the own role of Pod Identity association ${target.associationId}`,
        arn.partition,
      ),
    );
    return;
  }
  if (hop.kind === 'error') throw hop.error;
  if (hop.kind === 'missing') {
    out.fail(
      'role-exists',
      `${roleWords(roleArn(arn), 'EKS Pod Identity')}, the own role of Pod Identity association ${target.associationId}, does not exist`,
      {
        fix: `Create role ${arn.name} trusting pods.eks.amazonaws.com, or correct the association's role.`,
      },
    );
    return;
  }
  checkPodIdentityTrust(namespace, c, arn, hop.role, target, out);
}

/**
 * A Pod Identity association's own policy, read as the session policy EKS applies with it;
 * undefined (with a FAIL) when it is no policy document: the pods' permissions cannot be told.
 */
function sessionPolicyOf(
  a: PodIdentityAssociationRef,
  clusterName: string | undefined,
  who: string,
  out: Reporter<Id>,
): SessionPolicy | undefined {
  const label = `the policy of Pod Identity association ${a.associationId}`;
  const update = `aws eks update-pod-identity-association --cluster-name ${clusterName ?? '<cluster>'} --association-id ${a.associationId} --policy file://policy.json`;
  try {
    return { doc: normalizePolicy(JSON.parse(a.policy!)), label, update };
  } catch (e) {
    if (!(e instanceof PolicyParseError) && !(e instanceof SyntaxError)) throw e;
    out.fail(
      'pod-identity-session-policy',
      `${label} is not a valid policy document (${e.message}): the permissions of the pods of ${who} cannot be told`,
      { fix: `Correct the policy (${update}).` },
    );
    return undefined;
  }
}

/** Every role check for one component: trust, then permissions for its pg/os use. */
function judgeComponent(rc: RoleComponent, namespace: string, out: Reporter<Id>): void {
  const { component: c, roleArn: roleArnText, read } = rc;
  if (!read) return; // the service-accounts module said why
  const arn: RoleArn = read.arn;
  // Every line about the role names its mechanism and account (platform/pod-identity.ts roleWords).
  const mechanism = mechanismName(rc.source);
  const who = roleWords(roleArnText, mechanism);
  if (read.kind === 'other-account') {
    // A role of another account is read as that account (--assume-role), else not at all.
    out.info(
      'role-account',
      cannotCheckFrom(read.caller, arn.account, `the trust and permission policies of ${who}`, arn.partition),
    );
    return;
  }
  if (read.kind === 'error') {
    out.unexpected(read.error);
    return;
  }
  if (read.kind === 'missing') {
    out.fail('role-exists', `${who} does not exist`, {
      fix: `Create role ${arn.name} (with its trust and permission policies), or correct the eks.amazonaws.com/role-arn annotation of service account ${c.serviceAccount.name}.`,
    });
    return;
  }
  const { role } = read;
  if (role.arn !== roleArnText) {
    out.fail(
      'role-arn',
      `the ${mechanism === 'IRSA' ? 'IRSA annotation' : `Pod Identity association`} names ${roleArnText}, but ${who} is ${role.arn}`,
      {
        fix: `Set the eks.amazonaws.com/role-arn annotation of service account ${c.serviceAccount.name} to ${role.arn}.`,
      },
    );
  }
  const { source, trust } = rc;
  const cluster = trust && trust.kind !== 'irsa' ? trust.cluster : undefined;
  if (source?.mechanism === 'pod-identity' && trust && trust.kind !== 'irsa') {
    // The association wins over any annotation: the role must trust EKS Pod Identity, not the OIDC provider.
    const a = source.association;
    const podTarget = {
      associationId: a.associationId,
      ...(a.disableSessionTags ? { disableSessionTags: true } : {}),
      ...(cluster ? { clusterArn: cluster.arn, clusterName: cluster.name } : {}),
    };
    if (a.targetRoleArn && a.roleArn && trust.kind === 'pod-identity-target') {
      // Cross-account: the target role trusts the association's role, which trusts EKS Pod Identity.
      checkTargetRoleTrust(
        arn,
        role,
        {
          associationId: a.associationId,
          roleArn: a.roleArn,
          ...(a.externalId ? { externalId: a.externalId } : {}),
        },
        out,
      );
      step(out, () => judgeFirstHop(trust.firstHop, namespace, c, podTarget, out));
    } else {
      step(out, () => checkPodIdentityTrust(namespace, c, arn, role, podTarget, out));
    }
  } else if (trust?.kind === 'irsa') {
    step(out, () => checkTrust(trust, namespace, c, arn, role, out, rc.crossAccount));
  }
  const permissions = rc.permissions;
  if (!permissions) return;
  step(out, () => {
    const db = databasePermission(permissions.partition);
    const search = searchPermission(permissions.partition);
    const loaded = loadPolicies(role, permissions, c.pg ? db : search, out, mechanism);
    if (!loaded) return;
    if (source?.mechanism === 'pod-identity' && source.association.policy !== undefined) {
      const session = sessionPolicyOf(source.association, cluster?.name, who, out);
      if (!session) return;
      loaded.session = session;
    }
    if (c.pg) checkPermission(role, loaded, db, permissionTarget(permissions.database), out, mechanism);
    if (c.os) checkPermission(role, loaded, search, permissionTarget(permissions.search), out, mechanism);
  });
}

export const roles = defineModule({
  id: 'roles',
  title: 'IAM roles, trust and permission policies',
  needs: ['plan', 'roleArns', 'caller'],
  uses: [
    'platform',
    'partition',
    'region',
    'issuer',
    'oidcProviderArn',
    'databases',
    'auroraClusters',
    'openSearchDomain',
    'credentialSources',
    'cluster',
  ],
  checks: CHECKS,
  collect: collectRoles,
  evaluate(input, out) {
    if (input.kind === 'no-roles') {
      if (input.planned) out.info('skipped: no component has a role ARN annotation');
      return;
    }
    // The plan's order, each component's lines under its name (as eachInOrder gave them).
    for (const rc of input.components)
      judgeComponent(rc, input.namespace, out.forComponent(rc.component.key));
  },
});
