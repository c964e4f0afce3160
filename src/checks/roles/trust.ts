/**
 * Trust analysis: the role's trust policy must let exactly this cluster's
 * service account assume it — AssumeRoleWithWebIdentity allowed, this cluster's
 * IAM OIDC provider as Federated principal, and the sub and aud conditions
 * admitting the component's service account and its token audience.
 */
import { reportUndetermined } from '../../iam/undetermined.js';
import type { Reporter } from '../../core/reporter.js';
import { ApiCallError } from '../../core/errors.js';
import type { PlannedComponent } from '../../engine/facts.js';
import type { ClusterOidc, TrustInput } from '../../collectors/roles.js';
import type { IamRole } from '../../ports/aws.js';
import { AUDIENCE_ANNOTATION } from '../../ports/kube.js';
import { tokenAudience } from '../../platform/service-account.js';
import {
  issuerHostPath,
  oidcProviderArn,
  oidcProviderHostPath,
  type RoleArn,
  parseArn,
  roleArn,
} from '../../iam/arn.js';
import { POD_IDENTITY_ACTIONS, POD_IDENTITY_SERVICE, roleWords } from '../../platform/pod-identity.js';
import {
  DEFAULT_AUDIENCE,
  evaluate,
  federatedPrincipals,
  type ContextValue,
  type Request,
  normalizePolicy,
  PolicyParseError,
  trustAdmits,
  WEB_IDENTITY_ACTION,
  type PolicyDocument,
} from '../../iam/policy.js';
import {
  admittedValues,
  conditionJson,
  describeAll,
  statementToFix,
  webIdentityStatements,
  withoutConditionKeys,
} from '../../iam/explain.js';

export const TRUST_CHECKS = {
  'trust-readable': {
    severity: 'FAIL',
    code: 121,
    title: 'the trust policy of the role cannot be read',
    fix: 'Correct the role’s trust policy document.',
  },
  'trust-action': {
    severity: 'FAIL',
    code: 121,
    title: 'the trust policy does not allow sts:AssumeRoleWithWebIdentity',
    fix: 'Allow sts:AssumeRoleWithWebIdentity in the role’s trust policy.',
  },
  'trust-provider': {
    severity: 'FAIL',
    code: 122,
    title: 'the trust policy’s Federated principal is not an EKS OIDC provider',
    fix: 'Name the cluster’s IAM OIDC provider as Federated principal.',
  },
  'trust-this-provider': {
    severity: 'FAIL',
    code: 201,
    title: 'the trust policy trusts another cluster’s OIDC provider',
    fix: 'Name this cluster’s IAM OIDC provider as Federated principal.',
  },
  'trust-deny': {
    severity: 'FAIL',
    code: 202,
    title: 'a Deny statement of the trust policy refuses the component’s service account',
    fix: 'Remove the Deny statement, or narrow it so it does not match system:serviceaccount:<namespace>:<service account>.',
  },
  'trust-sub': {
    severity: 'FAIL',
    code: 202,
    title: 'the trust policy does not admit the component’s service account (sub)',
    fix: 'Admit system:serviceaccount:<namespace>:<service account> in the sub condition.',
  },
  'trust-sub-with-aud': {
    severity: 'FAIL',
    code: 202,
    title:
      'the trust policy admits the service account (sub) and the audience (aud), but no statement admits both together',
    fix: 'Admit the sub and the aud in the same statement of the trust policy.',
  },
  'trust-aud': {
    severity: 'FAIL',
    code: 203,
    title: 'the trust policy’s aud condition does not admit sts.amazonaws.com',
    fix: 'Admit sts.amazonaws.com in the aud condition.',
  },
  'trust-audience-annotation': {
    severity: 'FAIL',
    code: 222,
    title: 'the service account’s eks.amazonaws.com/audience is not admitted by the trust policy',
    fix: 'Remove the audience annotation or admit it in the trust policy.',
  },
  'trust-undecided': {
    severity: 'WARN',
    title:
      'the trust policy admits the service account unless a Deny statement irsa-check cannot evaluate applies',
    fix: 'Check the named statement by hand, or rewrite it with elements irsa-check evaluates.',
  },
  'trust-pod-identity': {
    severity: 'FAIL',
    code: 121,
    title:
      'the role of an EKS Pod Identity association does not let pods.eks.amazonaws.com sts:AssumeRole and sts:TagSession',
    fix: 'Allow the service principal pods.eks.amazonaws.com sts:AssumeRole and sts:TagSession in the role’s trust policy.',
  },
  'trust-pod-identity-undecided': {
    severity: 'WARN',
    title:
      'the trust policy lets EKS Pod Identity assume the role unless a Deny statement irsa-check cannot evaluate applies',
    fix: 'Check the named statement by hand, or rewrite it with elements irsa-check evaluates.',
  },
  'trust-provider-account': {
    severity: 'FAIL',
    code: 201,
    title: 'the role’s account has no IAM OIDC provider for this cluster’s issuer',
    fix: 'Create the IAM OIDC provider for the cluster’s issuer in the role’s account (cross-account IRSA).',
  },
} as const;
export type TrustCheckId = keyof typeof TRUST_CHECKS;

const EKS_PROVIDER = /^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/id\/[0-9a-z]+$/i;

/** What the IRSA trust analysis compares with, as the collector gathered it. */
export type IrsaTrustInput = Extract<TrustInput, { kind: 'irsa' }>;

interface ExpectedProvider {
  arn: string;
  hostPath: string;
}

/**
 * This cluster's IAM OIDC provider in the ROLE's account: STS accepts only a provider of the
 * account the role is in (EKS user guide, "Authenticate to another account with IRSA"). The
 * cluster module's provider (the caller's account) when the role is there, else built from the issuer.
 */
function expectedProvider(cluster: ClusterOidc, role: RoleArn): ExpectedProvider | undefined {
  const known = cluster.oidcProviderArn;
  if (known && parseArn(known)?.account === role.account)
    return { arn: known, hostPath: oidcProviderHostPath(known) ?? known };
  const issuer = cluster.issuer ?? (known ? `https://${oidcProviderHostPath(known) ?? ''}` : undefined);
  if (!issuer || issuer === 'https://') return undefined;
  return { arn: oidcProviderArn(role.partition, role.account, issuer), hostPath: issuerHostPath(issuer) };
}

/** On a self-managed cluster any IAM OIDC provider may be the cluster's: its issuer is the operator's URL. */
function isEksProvider(arn: string, expected: ExpectedProvider | undefined, selfManaged = false): boolean {
  const hostPath = oidcProviderHostPath(arn);
  return hostPath !== undefined && (selfManaged || EKS_PROVIDER.test(hostPath) || arn === expected?.arn);
}

/** " (… does not exist in IAM)" for named providers of `account` that IAM does not have; "" when unknown. */
function missingProviders(known: IrsaTrustInput['oidcProviders'], account: string, arns: string[]): string {
  // IAM lists only the caller's own account's providers.
  if (!known) return '';
  const missing = arns.filter((a) => parseArn(a)?.account === account && !known.some((p) => p.arn === a));
  return missing.length > 0 ? ` (${missing.join(', ')} does not exist in IAM)` : '';
}

/**
 * `crossAccount`: the role is in another account than irsa-check's caller, and `input` was read
 * in that account: its IAM must hold an OIDC provider for this cluster's issuer. A captured API
 * error is thrown where the analysis needs its answer (the caller reports it).
 */
export function checkTrust(
  input: IrsaTrustInput,
  namespace: string,
  c: PlannedComponent,
  arn: RoleArn,
  role: IamRole,
  out: Reporter<TrustCheckId>,
  crossAccount = false,
): void {
  const name = role.name;
  // The mechanism and account in every line about the role (platform/pod-identity.ts roleWords).
  const who = roleWords(roleArn(arn), 'IRSA');
  const trust = readTrustPolicy(role, who, out);
  if (!trust) return;
  const cluster: ClusterOidc = input.oidc;
  const expected = expectedProvider(cluster, arn);
  const providerFix = expected
    ? `Set Principal.Federated to "${expected.arn}" (this cluster's IAM OIDC provider) in the trust policy of role ${name}.`
    : `Set Principal.Federated to this cluster's IAM OIDC provider (arn:${arn.partition}:iam::${arn.account}:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<ID>) in the trust policy of role ${name}.`;

  const statements = webIdentityStatements(trust);
  if (statements.length === 0) {
    out.fail('trust-action', `the trust policy of ${who} has no Allow statement for ${WEB_IDENTITY_ACTION}`, {
      fix: `Allow "Action": "${WEB_IDENTITY_ACTION}" in the trust policy statement of role ${name} that names the cluster's OIDC provider.`,
    });
    return;
  }
  const federated = federatedPrincipals(trust);
  const eks = federated.filter((p) => isEksProvider(p, expected, cluster.selfManaged));
  if (eks.length === 0) {
    out.fail(
      'trust-provider',
      `the trust policy of ${who} names no EKS OIDC provider as Federated principal for ${WEB_IDENTITY_ACTION} (found: ${federated.join(', ') || 'none'})`,
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
        'trust-this-provider',
        `the trust policy of ${who} trusts OIDC provider ${eks.map(show).join(', ')}, not this cluster's ${sameIssuer ? expected.arn : expected.hostPath}${
          // Self-managed only (EKS output unchanged): name a provider that was never created.
          cluster.selfManaged && cluster.callerAccount
            ? missingProviders(input.oidcProviders, cluster.callerAccount, eks)
            : ''
        }`,
        { fix: `${providerFix} Its condition keys must start with "${expected.hostPath}:".` },
      );
      return;
    }
    providers = [expected.arn];
    if (crossAccount) {
      const known = input.oidcProviders;
      if (!known && input.oidcProvidersError !== undefined) {
        // Not listed is not "holds it": said (AccessDenied: what to grant; else irsa-check's
        // "cannot call"), never passed over; the checks of the trust policy itself go on.
        const e = input.oidcProvidersError;
        if (!(e instanceof ApiCallError && e.isAccessDenied)) out.unexpected(e);
        else
          out.info(
            `whether account ${arn.account} of role ${name} holds an IAM OIDC provider for this cluster's issuer (${expected.hostPath}) is not checked: cannot call ${e.operation} (${e.reason}); grant it in account ${arn.account} (README, "Permissions")`,
          );
      }
      if (known && !known.some((p) => p.arn === expected.arn)) {
        out.fail(
          'trust-provider-account',
          `the account of ${who} has no IAM OIDC provider for this cluster's issuer (${expected.hostPath}): STS refuses the service account's token for the role`,
          {
            fix: `With credentials of account ${arn.account}: aws iam create-open-id-connect-provider --url https://${expected.hostPath} --client-id-list sts.amazonaws.com (EKS user guide, "Authenticate to another account with IRSA").`,
          },
        );
        return;
      }
    }
  } else {
    out.info(
      `this cluster's OIDC provider is unknown: the provider ${who} trusts (${eks.map((p) => oidcProviderHostPath(p)).join(', ')}) is not compared with it`,
    );
    providers = eks;
  }

  const ns = namespace;
  const saName = c.serviceAccount.name;
  const sub = `system:serviceaccount:${ns}:${saName}`;
  // Values-only mode without a cluster: the ServiceAccount as the chart will render it.
  const read = input.serviceAccount;
  if (read && !read.ok) throw read.error;
  const account = !read
    ? { name: saName, namespace: ns, labels: {}, annotations: c.serviceAccount.annotations }
    : read.value;
  const { annotated, audience: aud } = tokenAudience(account);

  for (const providerArn of providers) {
    const d = trustAdmits(trust, { providerArn, sub, aud });
    if (d.decision === 'Allow') {
      const via = expected
        ? "this cluster's OIDC provider"
        : `OIDC provider ${oidcProviderHostPath(providerArn)}`;
      out.ok(
        'trust-sub',
        `role ${name} trusts ${sub} (audience ${aud}) from ${via} (${describeAll(d.allowedBy)})`,
      );
      return;
    }
  }

  // Not admitted: say which of sub and aud is refused, each evaluated with the other's conditions removed.
  const providerArn = providers[0]!;
  const hostPath = oidcProviderHostPath(providerArn)!;
  const full = trustAdmits(trust, { providerArn, sub, aud });
  const question = `the trust policy of ${who} admits ${sub} (audience ${aud})`;
  if (reportUndetermined(out, full, { warn: 'trust-undecided', fail: 'trust-sub' }, question)) return;
  const target = statementToFix(statements, providerArn);
  const conditionFix = `Write ${conditionJson(hostPath, sub, aud)} in ${target} the trust policy of role ${name}.`;
  if (full.decision === 'ExplicitDeny') {
    out.fail('trust-deny', `the trust policy of ${who} denies ${sub}: ${describeAll(full.deniedBy)}`, {
      fix: `Remove ${describeAll(full.deniedBy)} from the trust policy of role ${name}, or narrow it so it does not match ${sub}.`,
    });
    return;
  }
  const subOnly = trustAdmits(withoutConditionKeys(trust, ':aud'), { providerArn, sub, aud });
  const audOnly = trustAdmits(withoutConditionKeys(trust, ':sub'), { providerArn, sub, aud });
  if (subOnly.decision !== 'Allow') {
    const admits = admittedValues(statements, providerArn, 'sub');
    out.fail('trust-sub', `trust policy of ${who} does not admit ${sub}${admits ? `: ${admits}` : ''}`, {
      fix: conditionFix,
    });
  }
  if (audOnly.decision !== 'Allow') {
    const admits = admittedValues(statements, providerArn, 'aud');
    if (annotated !== undefined && annotated !== DEFAULT_AUDIENCE) {
      out.fail(
        'trust-audience-annotation',
        `service account ${saName} requests token audience ${aud} (${AUDIENCE_ANNOTATION}), but the trust policy of ${who} does not admit it${admits ? `: ${admits}` : ''}`,
        {
          fix: `Remove the ${AUDIENCE_ANNOTATION} annotation from service account ${saName} (the default audience is ${DEFAULT_AUDIENCE}), or admit "${aud}" in the "${hostPath}:aud" condition of role ${name}'s trust policy and the OIDC provider's client IDs.`,
        },
      );
    } else {
      out.fail(
        'trust-aud',
        `trust policy of ${who} does not admit audience ${aud}${admits ? `: ${admits}` : ''}`,
        { fix: conditionFix },
      );
    }
  }
  if (subOnly.decision === 'Allow' && audOnly.decision === 'Allow') {
    out.fail(
      'trust-sub-with-aud',
      `no statement of the trust policy of ${who} admits ${sub} together with audience ${aud}`,
      { fix: conditionFix },
    );
  }
}

// ------------------------------------------------------------------ EKS Pod Identity

/** What the Pod Identity trust analysis needs to know of the association and the cluster. */
export interface PodIdentityTrustTarget {
  associationId: string;
  disableSessionTags?: boolean;
  clusterArn?: string;
  clusterName?: string;
}

/**
 * The request EKS Pod Identity makes: the service principal pods.eks.amazonaws.com calls
 * sts:AssumeRole (and sts:TagSession) with the session tags of the pod (EKS user guide,
 * "pod-id-role" and "pod-id-abac"). The pod's name and UID are tags too, but irsa-check cannot
 * know which pod: unknown. EKS adds no other request tag.
 */
function podIdentityRequest(
  action: string,
  tags: Record<string, string | undefined>,
  disabled: boolean,
): Request {
  const tagKeys = [...Object.keys(tags), 'kubernetes-pod-name', 'kubernetes-pod-uid'];
  const context: Record<string, ContextValue> = {};
  if (!disabled) {
    for (const [k, v] of Object.entries(tags)) if (v !== undefined) context[`aws:RequestTag/${k}`] = v;
    context['aws:TagKeys'] = tagKeys;
  }
  return {
    action,
    principal: { type: 'Service', id: POD_IDENTITY_SERVICE },
    context,
    otherKeys: (key) => {
      const tag = /^aws:requesttag\/(.+)$/i.exec(key)?.[1];
      if (tag === undefined) return key.toLowerCase() === 'aws:tagkeys' && disabled ? 'absent' : 'unknown';
      if (disabled) return 'absent';
      return tagKeys.includes(tag.toLowerCase()) ? 'unknown' : 'absent';
    },
  };
}

/** The role's trust policy, or one FAIL trust-readable (and undefined) when it cannot be parsed. */
function readTrustPolicy(
  role: IamRole,
  who: string,
  out: Reporter<TrustCheckId>,
): PolicyDocument | undefined {
  try {
    return normalizePolicy(role.trustPolicy);
  } catch (e) {
    if (!(e instanceof PolicyParseError)) throw e;
    out.fail('trust-readable', `the trust policy of ${who} cannot be read: ${e.message}`, {
      fix: `Correct the trust policy of role ${role.name} (aws iam get-role --role-name ${role.name}).`,
    });
    return undefined;
  }
}

/**
 * The trust policy of a Pod Identity association's role must let pods.eks.amazonaws.com
 * sts:AssumeRole and, unless the association disables session tags, sts:TagSession. An
 * association overrides the IRSA annotation, so a role that trusts only the cluster's OIDC
 * provider leaves the pods without credentials even when the annotation names the same role.
 */
export function checkPodIdentityTrust(
  namespace: string,
  c: PlannedComponent,
  arn: RoleArn,
  role: IamRole,
  target: PodIdentityTrustTarget,
  out: Reporter<TrustCheckId>,
): void {
  const name = role.name;
  const where = roleWords(roleArn(arn), 'EKS Pod Identity');
  const trust = readTrustPolicy(role, where, out);
  if (!trust) return;
  const sa = c.serviceAccount.name;
  const tags = {
    'eks-cluster-arn': target.clusterArn,
    'eks-cluster-name': target.clusterName,
    'kubernetes-namespace': namespace,
    'kubernetes-service-account': sa,
  };
  const disabled = target.disableSessionTags === true;
  const actions: string[] = disabled ? [POD_IDENTITY_ACTIONS[0]] : [...POD_IDENTITY_ACTIONS];
  const via = `Pod Identity association ${target.associationId}`;
  const statementFix = `Add {"Effect":"Allow","Principal":{"Service":"${POD_IDENTITY_SERVICE}"},"Action":${JSON.stringify(actions)}} to the trust policy of role ${name}.`;
  const allowedBy: string[] = [];
  for (const action of actions) {
    const d = evaluate([trust], podIdentityRequest(action, tags, disabled));
    const question = `the trust policy of ${where} lets ${POD_IDENTITY_SERVICE} ${action} for service account ${sa} (${via})`;
    if (
      reportUndetermined(
        out,
        d,
        { warn: 'trust-pod-identity-undecided', fail: 'trust-pod-identity' },
        question,
      )
    )
      return;
    if (d.decision === 'ExplicitDeny') {
      out.fail(
        'trust-pod-identity',
        `the trust policy of ${where} denies ${POD_IDENTITY_SERVICE} ${action} for service account ${sa}: ${describeAll(d.deniedBy)}; the pods get their credentials through ${via}, so they get none`,
        {
          fix: `Remove ${describeAll(d.deniedBy)} from the trust policy of role ${name}, or narrow it so it does not match service account ${sa}.`,
        },
      );
      return;
    }
    if (d.decision !== 'Allow') {
      const oidcOnly = federatedPrincipals(trust).length > 0;
      out.fail(
        'trust-pod-identity',
        `the trust policy of ${where} does not let ${POD_IDENTITY_SERVICE} ${action}${
          oidcOnly
            ? ` (it trusts only the OIDC provider ${federatedPrincipals(trust)
                .map((p) => oidcProviderHostPath(p) ?? p)
                .join(', ')}, for IRSA)`
            : ''
        }: the pods of service account ${sa} get their credentials through ${via}, which takes precedence over IRSA, so they get none`,
        { fix: statementFix },
      );
      return;
    }
    allowedBy.push(describeAll(d.allowedBy));
  }
  out.ok(
    'trust-pod-identity',
    `${where} trusts ${POD_IDENTITY_SERVICE} (${actions.join(', ')}) for service account ${sa} through ${via} (${[...new Set(allowedBy)].join('; ')})`,
  );
}

/**
 * Cross-account Pod Identity: EKS assumes the association's role (which must trust
 * pods.eks.amazonaws.com), then the target role with it, presenting the association's external ID
 * (EKS API reference, PodIdentityAssociation.targetRoleArn and externalId). The target role's trust
 * policy must let the association's role sts:AssumeRole and sts:TagSession.
 */
export function checkTargetRoleTrust(
  arn: RoleArn,
  role: IamRole,
  target: { associationId: string; roleArn: string; externalId?: string },
  out: Reporter<TrustCheckId>,
): void {
  const name = role.name;
  const where = `target ${roleWords(roleArn(arn), 'EKS Pod Identity')}`;
  const trust = readTrustPolicy(role, where, out);
  if (!trust) return;
  const via = `Pod Identity association ${target.associationId}`;
  const principalAccount = parseArn(target.roleArn)?.account;
  const allowedBy: string[] = [];
  for (const action of POD_IDENTITY_ACTIONS) {
    const d = evaluate([trust], {
      action,
      principal: { type: 'AWS', id: target.roleArn },
      context: {
        'sts:ExternalId': target.externalId,
        'aws:PrincipalArn': target.roleArn,
        ...(principalAccount ? { 'aws:PrincipalAccount': principalAccount } : {}),
      },
    });
    const question = `the trust policy of ${where} lets ${target.roleArn} ${action} (${via})`;
    if (
      reportUndetermined(
        out,
        d,
        { warn: 'trust-pod-identity-undecided', fail: 'trust-pod-identity' },
        question,
      )
    )
      return;
    if (d.decision !== 'Allow') {
      out.fail(
        'trust-pod-identity',
        `the trust policy of ${where} does not let the association's role ${target.roleArn} ${action}${d.decision === 'ExplicitDeny' ? ` (${describeAll(d.deniedBy)} denies it)` : ''}: the pods get no credentials through ${via}`,
        {
          fix: `Allow {"AWS":"${target.roleArn}"} ${POD_IDENTITY_ACTIONS.join(' and ')}${target.externalId ? ` with "Condition":{"StringEquals":{"sts:ExternalId":"${target.externalId}"}}` : ''} in the trust policy of role ${name}.`,
        },
      );
      return;
    }
    allowedBy.push(describeAll(d.allowedBy));
  }
  out.ok(
    'trust-pod-identity',
    `${where} trusts the association's role ${target.roleArn} (${POD_IDENTITY_ACTIONS.join(', ')}) through ${via} (${[...new Set(allowedBy)].join('; ')})`,
  );
}
