/**
 * Gathers what the pod identity webhook check judges, on a self-managed cluster
 * (aws/amazon-eks-pod-identity-webhook): the MutatingWebhookConfigurations; for the
 * pod identity webhook among them its Service, endpoints and the Deployment behind it; the
 * Camunda namespace's labels and, when the webhook has an objectSelector, the workloads
 * whose pod labels it must select; and, when the webhook runs with a --token-audience of its
 * own, the IAM OIDC providers and the components' ServiceAccounts. Asked in that order, each
 * only when the judgement will read it (the calls a run records and a replay answers).
 * The webhook's settings are published as soon as its Deployment is known. The snapshot
 * carries the time it was taken (`now`): the evaluator judges certificate expiry against it.
 */
import type { ModuleContext } from '../engine/module.js';
import type { PlannedComponent } from '../engine/facts.js';
import type { OidcProvider } from '../ports/aws.js';
import type {
  KubeEndpoints,
  KubeMutatingWebhook,
  KubeService,
  KubeServiceAccount,
  KubeWorkload,
} from '../ports/kube.js';
import {
  DEFAULT_TOKEN_AUDIENCE,
  EKS_WEBHOOK,
  looksLikePodIdentity,
  mutatesPodCreate,
  selectorMatches,
  webhookSettings,
} from '../platform/pod-identity.js';

export interface FoundWebhook {
  /** The MutatingWebhookConfiguration's name. */
  config: string;
  w: KubeMutatingWebhook;
}

export interface WebhookBackend {
  /** Undefined: the Service does not exist. */
  service?: KubeService;
  endpoints?: KubeEndpoints;
  /** The webhook namespace's workloads (asked only when the Service has a selector). */
  workloads: KubeWorkload[];
}

export interface WebhookScope {
  /** The Camunda namespace's labels as the API server gives them (undefined: none). */
  namespaceLabels?: Record<string, string>;
  /** The Camunda namespace's workloads, asked only when the objectSelector must be matched. */
  workloads?: KubeWorkload[];
  /** Why they could not be listed: never an empty list, which would judge every pod selected. */
  workloadsError?: unknown;
}

export interface WebhookFlags {
  /** IAM's OIDC providers (undefined: no AWS caller, or the list failed). */
  providers?: OidcProvider[];
  /** Why the list failed: the --token-audience comparison is then said skipped, never silently. */
  providersError?: unknown;
  oidcProviderArn?: string;
  /** The ServiceAccount of each component with a role, in plan order. */
  serviceAccounts: Array<{ key: string; sa: KubeServiceAccount | undefined }>;
}

export type WebhookInput =
  | { kind: 'managed' }
  | { kind: 'configs-error'; error: unknown }
  | {
      kind: 'self-managed';
      /**
       * When the configurations were read (ms since the epoch): the instant the caBundle's
       * certificates are judged at. Recorded here so the evaluator reads no clock; a replay
       * reads the current time as a live run does (what is true of that certificate now).
       */
      now: number;
      namespace: string;
      /** The components with a role, in plan order: their pods must get the injection. */
      roles: PlannedComponent[];
      /** Configurations with a webhook on pod CREATE. */
      candidates: string[];
      found?: FoundWebhook;
      backend?: WebhookBackend;
      scope?: WebhookScope;
      /** Only when the webhook's --token-audience is not the default. */
      flags?: WebhookFlags;
      /** What the gathering stopped on, and in which stage; the stages from it on are absent. */
      error?: { stage: 'backend' | 'scope' | 'flags'; error: unknown };
    };

/** The Deployment running the pods of the webhook's Service: matched by its selector. */
export function backendDeployment(backend: WebhookBackend | undefined): KubeWorkload | undefined {
  if (!backend?.service) return undefined;
  const selector = backend.service.selector ?? {};
  return backend.workloads.find(
    (d) => d.kind === 'Deployment' && Object.entries(selector).every(([k, v]) => d.templateLabels[k] === v),
  );
}

/** The namespace's labels as selectors see them: kubernetes.io/metadata.name is always set. */
export function namespaceSelectorLabels(ns: string, labels: Record<string, string> | undefined) {
  return { 'kubernetes.io/metadata.name': ns, ...(labels ?? {}) };
}

type Ctx = ModuleContext<'platform' | 'plan' | 'roleArns', 'caller' | 'oidcProviderArn', 'webhook'>;

export async function collectWebhook(ctx: Ctx): Promise<WebhookInput> {
  if (ctx.facts.platform.kind !== 'self-managed') {
    ctx.provide('webhook', EKS_WEBHOOK);
    return { kind: 'managed' };
  }
  let configs;
  try {
    configs = await ctx.kube.mutatingWebhookConfigurations();
  } catch (error) {
    return { kind: 'configs-error', error };
  }
  const candidates = configs.flatMap((c) =>
    c.webhooks.filter(mutatesPodCreate).map((w) => ({ config: c.name, w })),
  );
  const { plan, roleArns } = ctx.facts;
  const input: WebhookInput = {
    kind: 'self-managed',
    now: Date.now(),
    namespace: ctx.scope.namespace,
    roles: plan.filter((c) => roleArns.has(c.key)),
    candidates: candidates.map((x) => x.config),
  };
  const found = candidates.find((x) => looksLikePodIdentity(x.config, x.w));
  if (!found) return input;
  input.found = found;
  let stage: 'backend' | 'scope' | 'flags' = 'backend';
  try {
    const backend = await gatherBackend(ctx, found.w);
    if (backend) input.backend = backend;
    stage = 'scope';
    input.scope = await gatherScope(ctx, found.w, input.roles);
    stage = 'flags';
    const deployment = backendDeployment(input.backend);
    const settings = webhookSettings(deployment);
    ctx.provide('webhook', settings);
    if (deployment && settings.tokenAudience !== DEFAULT_TOKEN_AUDIENCE)
      input.flags = await gatherFlags(ctx, input.roles);
  } catch (error) {
    input.error = { stage, error };
  }
  return input;
}

async function gatherBackend(ctx: Ctx, w: KubeMutatingWebhook): Promise<WebhookBackend | undefined> {
  if (!w.service) return undefined; // served outside the cluster
  const { namespace, name } = w.service;
  const service = await ctx.kube.service(namespace, name);
  if (!service) return { workloads: [] };
  const [endpoints, workloads] = await Promise.all([
    ctx.kube.endpoints(namespace, name),
    service.selector ? ctx.kube.workloads(namespace) : Promise.resolve([]),
  ]);
  return { service, ...(endpoints ? { endpoints } : {}), workloads };
}

async function gatherScope(
  ctx: Ctx,
  w: KubeMutatingWebhook,
  roles: PlannedComponent[],
): Promise<WebhookScope> {
  const ns = ctx.scope.namespace;
  const namespaceLabels = await ctx.kube.namespaceLabels(ns);
  const scope: WebhookScope = namespaceLabels ? { namespaceLabels } : {};
  const selected = selectorMatches(w.namespaceSelector, namespaceSelectorLabels(ns, namespaceLabels));
  if (selected && roles.length > 0 && w.objectSelector) {
    try {
      scope.workloads = await ctx.kube.workloads(ns);
    } catch (error) {
      scope.workloadsError = error;
    }
  }
  return scope;
}

async function gatherFlags(ctx: Ctx, roles: PlannedComponent[]): Promise<WebhookFlags> {
  let providersError: unknown;
  const providers = (await ctx.use('caller'))
    ? await ctx.aws.oidcProviders().catch((error: unknown) => {
        providersError = error;
        return undefined;
      })
    : undefined;
  const oidcProviderArn = await ctx.use('oidcProviderArn');
  const serviceAccounts = await Promise.all(
    roles.map(async (c) => ({
      key: c.key,
      sa: await ctx.kube.serviceAccount(ctx.scope.namespace, c.serviceAccount.name),
    })),
  );
  return {
    ...(providers ? { providers } : {}),
    ...(providersError !== undefined ? { providersError } : {}),
    ...(oidcProviderArn ? { oidcProviderArn } : {}),
    serviceAccounts,
  };
}
