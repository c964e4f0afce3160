/**
 * What the pod identity webhook (aws/amazon-eks-pod-identity-webhook) does to a
 * new pod, as data: which pods it mutates (its MutatingWebhookConfiguration's
 * rules and selectors) and what it injects for a ServiceAccount (its
 * annotations under --annotation-prefix: role-arn, audience,
 * sts-regional-endpoints, token-expiration; env AWS_ROLE_ARN,
 * AWS_WEB_IDENTITY_TOKEN_FILE, AWS_STS_REGIONAL_ENDPOINTS; the projected token
 * volume `aws-iam-token`). Defaults mirror the webhook's flags
 * (--token-audience sts.amazonaws.com, --token-expiration 86400, minimum 3600:
 * pkg/constants.go, pkg/validation.go).
 */
import { parseArn } from '../iam/arn.js';
import type {
  KubeLabelSelector,
  KubeMutatingWebhook,
  KubeServiceAccount,
  KubeWorkload,
} from '../ports/kube.js';

export const DEFAULT_ANNOTATION_PREFIX = 'eks.amazonaws.com';
export const DEFAULT_TOKEN_AUDIENCE = 'sts.amazonaws.com';
export const DEFAULT_TOKEN_EXPIRATION = 86400;
export const MIN_TOKEN_EXPIRATION = 3600;
export const TOKEN_VOLUME = 'aws-iam-token';

/** The webhook's settings that change what it injects (its Deployment's flags). */
export interface WebhookSettings {
  annotationPrefix: string;
  tokenAudience: string;
  tokenExpiration: number;
}

export const EKS_WEBHOOK: WebhookSettings = {
  annotationPrefix: DEFAULT_ANNOTATION_PREFIX,
  tokenAudience: DEFAULT_TOKEN_AUDIENCE,
  tokenExpiration: DEFAULT_TOKEN_EXPIRATION,
};

/** `--flag=value` or `--flag value` in a container's command and args. */
export function flagOf(args: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === flag && i + 1 < args.length) return args[i + 1];
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
  }
  return undefined;
}

export function webhookSettings(deployment: KubeWorkload | undefined): WebhookSettings {
  const args = (deployment?.containers ?? []).flatMap((c) => [...c.command, ...c.args]);
  const expiration = Number(flagOf(args, '--token-expiration'));
  return {
    annotationPrefix: flagOf(args, '--annotation-prefix') ?? DEFAULT_ANNOTATION_PREFIX,
    tokenAudience: flagOf(args, '--token-audience') ?? DEFAULT_TOKEN_AUDIENCE,
    tokenExpiration: Number.isFinite(expiration) && expiration > 0 ? expiration : DEFAULT_TOKEN_EXPIRATION,
  };
}

export interface ExpectedInjection {
  roleArn?: string;
  audience: string;
  /** AWS_STS_REGIONAL_ENDPOINTS=regional expected (sts-regional-endpoints: "true"). */
  regional: boolean;
  expirationSeconds: number;
}

/** What the webhook injects for pods of `sa`, from its annotations. */
export function expectedInjection(
  sa: KubeServiceAccount | undefined,
  settings: WebhookSettings = EKS_WEBHOOK,
): ExpectedInjection {
  const a = (key: string) => sa?.annotations[`${settings.annotationPrefix}/${key}`]?.trim() || undefined;
  const expiration = Number(a('token-expiration'));
  return {
    ...(a('role-arn') ? { roleArn: a('role-arn') } : {}),
    audience: a('audience') ?? settings.tokenAudience,
    regional: a('sts-regional-endpoints') === 'true',
    expirationSeconds:
      Number.isFinite(expiration) && expiration > 0
        ? Math.max(expiration, MIN_TOKEN_EXPIRATION)
        : settings.tokenExpiration,
  };
}

/** metav1.LabelSelector semantics; an absent selector matches everything. */
export function selectorMatches(
  selector: KubeLabelSelector | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[e.key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[e.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** The webhook is called for pod CREATE (rules with `*` count). */
export function mutatesPodCreate(w: KubeMutatingWebhook): boolean {
  return w.rules.some(
    (r) =>
      (r.operations.includes('CREATE') || r.operations.includes('*')) &&
      (r.apiGroups.includes('') || r.apiGroups.includes('*')) &&
      (r.resources.includes('pods') || r.resources.includes('*')),
  );
}

/** Names the pod identity webhook goes by: the upstream deploy/ manifests, EKS Anywhere's, the Helm chart's. */
export function looksLikePodIdentity(configName: string, w: KubeMutatingWebhook): boolean {
  const names = [configName, w.name, w.service?.name ?? '', w.url ?? ''];
  return names.some((n) => /pod-identity-webhook|iam-for-pods|pod-identity\.amazonaws\.com/i.test(n));
}

// ------------------------------------------------------------ EKS Pod Identity

/**
 * EKS Pod Identity as the managed webhook and the node agent deliver it. When an association
 * exists for a pod's ServiceAccount, the webhook injects the container-credentials variables
 * and NOT AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE, whatever the role-arn annotation says
 * (aws/amazon-eks-pod-identity-webhook, pkg/handler/handler.go, buildPodPatchConfig: "Container
 * credentials method takes precedence"; addEnvToContainer; test
 * pkg/handler/testdata/containercredentials/rawPodWithRoleArn.pod.yaml). The values below are
 * the EKS-managed webhook's (EKS user guide, "Understand how EKS Pod Identity works").
 */
export const CONTAINER_CREDENTIALS_FULL_URI = 'AWS_CONTAINER_CREDENTIALS_FULL_URI';
export const CONTAINER_AUTHORIZATION_TOKEN_FILE = 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE';
/** The agent's link-local endpoint on every node. */
export const POD_IDENTITY_AGENT_URI = 'http://169.254.170.23/v1/credentials';
export const POD_IDENTITY_TOKEN_VOLUME = 'eks-pod-identity-token';
export const POD_IDENTITY_AUDIENCE = 'pods.eks.amazonaws.com';
/** The service principal a Pod Identity role must trust (EKS user guide, "pod-id-role"). */
export const POD_IDENTITY_SERVICE = 'pods.eks.amazonaws.com';
/** Both actions EKS Pod Identity calls STS with: AssumeRole, with session tags (TagSession). */
export const POD_IDENTITY_ACTIONS = ['sts:AssumeRole', 'sts:TagSession'] as const;
/**
 * The agent DaemonSet's pod label (aws/eks-pod-identity-agent, charts/eks-pod-identity-agent,
 * templates/daemonset.yaml); the EKS add-on runs it in kube-system.
 */
export const POD_IDENTITY_AGENT_NAMESPACE = 'kube-system';
export const POD_IDENTITY_AGENT_SELECTOR = 'app.kubernetes.io/name=eks-pod-identity-agent';
/**
 * Nodes the agent DaemonSet does not run on (its nodeAffinity: compute-type NotIn fargate,
 * hybrid, auto). EKS Auto Mode nodes serve Pod Identity themselves; Fargate does not support it.
 */
export const AGENT_EXCLUDED_COMPUTE_TYPES = ['fargate', 'hybrid', 'auto'] as const;

/** Which credentials the pods of a ServiceAccount get, and the role they are for. */
export type CredentialSource =
  | { mechanism: 'irsa'; roleArn: string }
  | {
      mechanism: 'pod-identity';
      /** The role whose credentials the pods get: the association's target role, else its role. */
      roleArn: string;
      association: PodIdentityAssociationRef;
      /** The role-arn annotation the ServiceAccount carries too (unused: the association wins). */
      annotated?: string;
    };

/** What the decision needs of an association (ports/aws.ts PodIdentityAssociation). */
export interface PodIdentityAssociationRef {
  associationId: string;
  serviceAccount: string;
  roleArn?: string;
  targetRoleArn?: string;
  externalId?: string;
  disableSessionTags?: boolean;
  /** The association's session policy (JSON text; ports/aws.ts PodIdentityAssociation.policy). */
  policy?: string;
}

/** The role the pods get through an association: cross-account associations hand out the target role. */
export function associationRole(a: PodIdentityAssociationRef): string | undefined {
  return a.targetRoleArn ?? a.roleArn;
}

/**
 * The webhook's decision for one ServiceAccount (buildPodPatchConfig): an association for it →
 * Pod Identity, whatever the annotation says; else a role-arn annotation → IRSA; else nothing.
 * EKS allows one association per cluster, namespace and ServiceAccount.
 */
export function credentialSource(
  annotatedRole: string | undefined,
  association: PodIdentityAssociationRef | undefined,
): CredentialSource | undefined {
  const role = association && associationRole(association);
  if (association && role) {
    return {
      mechanism: 'pod-identity',
      roleArn: role,
      association,
      ...(annotatedRole ? { annotated: annotatedRole } : {}),
    };
  }
  return annotatedRole ? { mechanism: 'irsa', roleArn: annotatedRole } : undefined;
}

/** The session tags EKS Pod Identity adds when it assumes the role (EKS user guide, "pod-id-abac"). */
export function podIdentitySessionTags(
  clusterArn: string,
  clusterName: string,
  namespace: string,
  serviceAccount: string,
): Record<string, string> {
  return {
    'eks-cluster-arn': clusterArn,
    'eks-cluster-name': clusterName,
    'kubernetes-namespace': namespace,
    'kubernetes-service-account': serviceAccount,
  };
}

/**
 * How a component's pods get their role, in the words the proofs use (identity Job, data-plane
 * proofs): IRSA's words are the ones those messages always had; EKS Pod Identity's name
 * the association, the agent and `pods.eks.amazonaws.com` instead of the annotation, the webhook's
 * web identity and the OIDC provider (aws/amazon-eks-pod-identity-webhook, buildPodPatchConfig).
 */
export interface MechanismWords {
  name: 'IRSA' | 'EKS Pod Identity';
  /** "the annotated role" / "the role of Pod Identity association a-…". */
  role: string;
  /** Why a pod got no credentials at all. */
  noCredentials(roleArn: string, sa: string): string;
  /** The pod ran as the node's instance role. */
  nodeRole(roleArn: string, sa: string): string;
  /** STS refused the role to the pod. */
  refused(roleArn: string, sa: string, ns: string): string;
}

/** The name of a mechanism, as every line about a component's role says it. */
export type MechanismName = MechanismWords['name'];

/** The mechanism a component's pods get their role through: an association wins (credentialSource). */
export function mechanismName(source: CredentialSource | undefined): MechanismName {
  return source?.mechanism === 'pod-identity' ? 'EKS Pod Identity' : 'IRSA';
}

/**
 * How every finding about a component's role names it (issue 17: the component in the line's
 * prefix, the mechanism and the 12-digit account in its text, so an SRE on a platform with several
 * accounts and both mechanisms knows which chain and which account to open):
 * `role camunda-zeebe (IRSA, account 123456789012)`. Text that is no ARN is shown whole.
 */
export function roleWords(roleArn: string, mechanism: MechanismName): string {
  const arn = parseArn(roleArn);
  const name = arn?.resource.split('/').pop();
  const account = arn && /^\d{12}$/.test(arn.account) ? `, account ${arn.account}` : '';
  return `role ${name || roleArn} (${mechanism}${account})`;
}

/** A resource in the lines about it: `Aurora cluster camunda-prod-aurora (account 123456789012)`. */
export function resourceWords(what: string, account: string | undefined): string {
  return account ? `${what} (account ${account})` : what;
}

export function mechanismWords(source: CredentialSource | undefined): MechanismWords {
  if (source?.mechanism !== 'pod-identity') {
    return {
      name: 'IRSA',
      role: 'the annotated role',
      noCredentials: (roleArn, sa) =>
        `The pod got no web identity: the EKS pod identity webhook did not inject ${roleArn} for service account ${sa} (check the annotation and the webhook).`,
      nodeRole: (roleArn, sa) =>
        `The pod ran with the node's instance role: the EKS pod identity webhook did not inject ${roleArn} (check that it runs and that service account ${sa} carries the annotation).`,
      refused: (roleArn, sa, ns) =>
        `The trust policy of ${roleArn} does not admit system:serviceaccount:${ns}:${sa} with aud sts.amazonaws.com: add it to the role's Condition.`,
    };
  }
  const id = source.association.associationId;
  return {
    name: 'EKS Pod Identity',
    role: `the role of Pod Identity association ${id}`,
    noCredentials: (roleArn, sa) =>
      `The pod got no container credentials for ${roleArn}: check that the eks-pod-identity-agent runs on its node and that Pod Identity association ${id} is for service account ${sa} (the pod must be created after the association).`,
    nodeRole: (roleArn, sa) =>
      `The pod ran with the node's instance role: it got no EKS Pod Identity credentials for ${roleArn} (check the eks-pod-identity-agent and Pod Identity association ${id} of service account ${sa}), and the nodes let pods reach the instance metadata service.`,
    refused: (roleArn) =>
      `EKS Pod Identity could not assume ${roleArn}: its trust policy must allow ${POD_IDENTITY_SERVICE} sts:AssumeRole and sts:TagSession (see the trust-pod-identity line of the roles check).`,
  };
}
