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
import type { KubeLabelSelector, KubeMutatingWebhook, KubeServiceAccount, KubeWorkload } from './kube.js';

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
