/**
 * The pod identity webhook of a self-managed cluster (codes 246–250): the
 * component that turns a ServiceAccount's role annotation into AWS_ROLE_ARN,
 * AWS_WEB_IDENTITY_TOKEN_FILE and the projected `aws-iam-token` volume of every
 * new pod (aws/amazon-eks-pod-identity-webhook). Found through its
 * MutatingWebhookConfiguration (a webhook on pod CREATE, usually named
 * pod-identity-webhook), then: its Service has ready endpoints and the
 * Deployment behind it is available; failurePolicy; its namespace and object
 * selectors cover the Camunda namespace and pods; the CA in caBundle has not
 * expired; its --annotation-prefix and --token-audience flags.
 * On EKS the webhook is managed and invisible: skipped.
 */
import { X509Certificate } from 'node:crypto';
import { defineModule } from '../core/module.js';
import { ApiCallError } from '../core/errors.js';
import type { Context } from '../core/context.js';
import type { Reporter } from '../core/reporter.js';
import type { KubeMutatingWebhook, KubeWorkload } from '../platform/kube.js';
import {
  DEFAULT_ANNOTATION_PREFIX,
  DEFAULT_TOKEN_AUDIENCE,
  EKS_WEBHOOK,
  expectedInjection,
  looksLikePodIdentity,
  mutatesPodCreate,
  selectorMatches,
  webhookSettings,
} from '../platform/pod-identity.js';

export const CODE_WEBHOOK_MISSING = 246;
export const CODE_WEBHOOK_DOWN = 247;
export const CODE_WEBHOOK_SCOPE = 248;
export const CODE_WEBHOOK_CERT = 249;
export const CODE_WEBHOOK_FLAGS = 250;

const INSTALL_FIX =
  'Install amazon-eks-pod-identity-webhook (its deploy/ manifests, or the EKS Anywhere IRSA guide) with a serving certificate from cert-manager, and its MutatingWebhookConfiguration for pod CREATE.';

function pemCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const certs: X509Certificate[] = [];
  for (const b of blocks) {
    try {
      certs.push(new X509Certificate(b));
    } catch {
      // an unreadable block is reported as "no readable certificate" below
    }
  }
  return certs;
}

function checkCaBundle(configName: string, w: KubeMutatingWebhook, out: Reporter): void {
  const certs = w.caBundle ? pemCertificates(w.caBundle) : [];
  const fix = `Renew the webhook's serving certificate and put its CA in clientConfig.caBundle of MutatingWebhookConfiguration ${configName} (cert-manager's cainjector keeps it current: annotation cert-manager.io/inject-ca-from).`;
  if (certs.length === 0) {
    if (w.url && !w.caBundle) {
      out.info(`webhook ${w.name} has no caBundle: the API server trusts its URL with the system CAs`);
      return;
    }
    // check: webhook-cert-missing
    out.fail(
      CODE_WEBHOOK_CERT,
      `webhook ${w.name} of MutatingWebhookConfiguration ${configName} has no readable certificate in caBundle: the API server cannot call it`,
      { fix },
    );
    return;
  }
  const now = Date.now();
  const expired = certs.filter((c) => new Date(c.validTo).getTime() < now);
  if (expired.length > 0) {
    // check: webhook-cert-expired
    out.fail(
      CODE_WEBHOOK_CERT,
      `the certificate in caBundle of webhook ${w.name} (${expired[0]!.subject.replace(/\n/g, ', ')}) expired on ${new Date(expired[0]!.validTo).toISOString()}: the API server cannot call the webhook, so new pods get no IRSA${w.failurePolicy === 'Fail' ? ' (failurePolicy Fail: they are refused)' : ''}`,
      { fix },
    );
    return;
  }
  const until = new Date(Math.min(...certs.map((c) => new Date(c.validTo).getTime()))).toISOString();
  out.ok(`webhook ${w.name}: the certificate in caBundle is valid until ${until}`);
}

async function checkBackend(
  ctx: Context,
  w: KubeMutatingWebhook,
  out: Reporter,
): Promise<KubeWorkload | undefined> {
  if (!w.service) {
    out.info(
      `webhook ${w.name} is served at ${w.url ?? 'an unknown URL'}, outside the cluster: its availability is not checked here`,
    );
    return undefined;
  }
  const { namespace, name } = w.service;
  const svc = await ctx.kube.service(namespace, name);
  if (!svc) {
    // check: webhook-service-missing
    out.fail(
      CODE_WEBHOOK_DOWN,
      `the Service ${namespace}/${name} of webhook ${w.name} does not exist: the API server cannot call it`,
      { fix: INSTALL_FIX },
    );
    return undefined;
  }
  const [endpoints, workloads] = await Promise.all([
    ctx.kube.endpoints(namespace, name),
    svc.selector ? ctx.kube.workloads(namespace) : Promise.resolve([]),
  ]);
  const selector = svc.selector ?? {};
  const deployment = workloads.find(
    (d) => d.kind === 'Deployment' && Object.entries(selector).every(([k, v]) => d.templateLabels[k] === v),
  );
  if (svc.selector && !deployment) {
    // check: webhook-deployment-missing
    out.fail(
      CODE_WEBHOOK_DOWN,
      `no Deployment in ${namespace} runs the pods of Service ${name} (selector ${Object.entries(selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}): webhook ${w.name} has no backend`,
      { fix: INSTALL_FIX },
    );
    return undefined;
  }
  if (deployment && deployment.availableReplicas < 1) {
    // check: webhook-deployment-unavailable
    out.fail(
      CODE_WEBHOOK_DOWN,
      `Deployment ${namespace}/${deployment.name} of webhook ${w.name} has no available replica (0 of ${deployment.replicas})`,
      {
        fix: `kubectl -n ${namespace} describe deployment ${deployment.name} (image pull, certificate secret, scheduling), then fix what it names.`,
      },
    );
    return deployment;
  }
  if (!endpoints || endpoints.ready === 0) {
    // check: webhook-no-endpoints
    out.fail(
      CODE_WEBHOOK_DOWN,
      `Service ${namespace}/${name} of webhook ${w.name} has no ready endpoints${endpoints ? ` (${endpoints.notReady} not ready)` : ''}: the API server cannot call it`,
      {
        fix: `kubectl -n ${namespace} get pods,endpoints for the webhook; fix the pods that are not ready.`,
      },
    );
    return deployment;
  }
  out.ok(
    `webhook ${w.name}: Deployment ${namespace}/${deployment?.name ?? '?'} available (${deployment?.availableReplicas ?? '?'}), Service ${name} has ${endpoints.ready} ready endpoint(s)`,
  );
  return deployment;
}

async function checkScope(
  ctx: Context,
  configName: string,
  w: KubeMutatingWebhook,
  out: Reporter,
): Promise<void> {
  const ns = ctx.options.namespace;
  if (w.failurePolicy === 'Ignore') {
    // check: webhook-failure-ignore
    out.warn(
      `webhook ${w.name} has failurePolicy Ignore: pods created while it is down start without IRSA, silently (set failurePolicy: Fail, or restart pods that started without AWS_ROLE_ARN)`,
    );
  }
  const nsLabels = { 'kubernetes.io/metadata.name': ns, ...((await ctx.kube.namespaceLabels(ns)) ?? {}) };
  if (!selectorMatches(w.namespaceSelector, nsLabels)) {
    // check: webhook-namespace-excluded
    out.fail(
      CODE_WEBHOOK_SCOPE,
      `the namespaceSelector of webhook ${w.name} (${JSON.stringify(w.namespaceSelector)}) does not select namespace ${ns}: its pods get no IRSA`,
      {
        fix: `Label namespace ${ns} to match the selector, or widen the namespaceSelector of MutatingWebhookConfiguration ${configName}.`,
      },
    );
    return;
  }
  const roles = ctx.facts.plan?.filter((c) => ctx.facts.roleArns.has(c.key)) ?? [];
  if (roles.length === 0 || !w.objectSelector) {
    out.ok(`webhook ${w.name} selects namespace ${ns}${w.objectSelector ? '' : ' and every pod in it'}`);
    return;
  }
  const workloads = await ctx.kube.workloads(ns).catch(() => [] as KubeWorkload[]);
  let excluded = 0;
  for (const c of roles) {
    const wl = workloads.find((x) => x.serviceAccountName === c.serviceAccount.name);
    if (!wl) continue;
    if (!selectorMatches(w.objectSelector, wl.templateLabels)) {
      excluded++;
      // check: webhook-pods-excluded
      out.fail(
        CODE_WEBHOOK_SCOPE,
        `the objectSelector of webhook ${w.name} (${JSON.stringify(w.objectSelector)}) does not select the pods of ${wl.kind} ${wl.name}: they get no IRSA`,
        {
          component: c.key,
          fix: `Add matching pod labels (${c.key}.podLabels in the values) or widen the objectSelector of MutatingWebhookConfiguration ${configName}.`,
        },
      );
    }
  }
  if (excluded === 0) out.ok(`webhook ${w.name} selects namespace ${ns} and the component pods`);
}

async function checkFlags(
  ctx: Context,
  w: KubeMutatingWebhook,
  deployment: KubeWorkload | undefined,
  out: Reporter,
): Promise<void> {
  const settings = webhookSettings(deployment);
  ctx.facts.webhook = settings;
  if (!deployment) return;
  let bad = false;
  if (settings.annotationPrefix !== DEFAULT_ANNOTATION_PREFIX) {
    bad = true;
    // check: webhook-annotation-prefix
    out.fail(
      CODE_WEBHOOK_FLAGS,
      `webhook ${w.name} runs with --annotation-prefix=${settings.annotationPrefix}: it ignores the ${DEFAULT_ANNOTATION_PREFIX}/role-arn annotation the Camunda chart sets`,
      {
        fix: `Remove --annotation-prefix from Deployment ${deployment.name} (default ${DEFAULT_ANNOTATION_PREFIX}).`,
      },
    );
  }
  if (settings.tokenAudience !== DEFAULT_TOKEN_AUDIENCE) {
    const providers = ctx.facts.caller ? await ctx.aws.oidcProviders().catch(() => undefined) : undefined;
    const provider = providers?.find((p) => p.arn === ctx.facts.oidcProviderArn);
    const unannotated = await Promise.all(
      (ctx.facts.plan ?? [])
        .filter((c) => ctx.facts.roleArns.has(c.key))
        .map(async (c) => ({
          c,
          sa: await ctx.kube.serviceAccount(ctx.options.namespace, c.serviceAccount.name),
        })),
    );
    const affected = unannotated.filter(
      ({ sa }) => expectedInjection(sa, settings).audience === settings.tokenAudience,
    );
    if (affected.length > 0 && provider && !provider.clientIds.includes(settings.tokenAudience)) {
      bad = true;
      // check: webhook-token-audience
      out.fail(
        CODE_WEBHOOK_FLAGS,
        `webhook ${w.name} runs with --token-audience=${settings.tokenAudience}, which IAM OIDC provider ${provider.arn} does not list: STS refuses the tokens of ${affected.map((a) => a.c.key).join(', ')}`,
        {
          fix: `Remove --token-audience from Deployment ${deployment.name} (default ${DEFAULT_TOKEN_AUDIENCE}), or add ${settings.tokenAudience} to the provider's client IDs and the trust policies' aud condition.`,
        },
      );
    } else {
      out.info(`webhook ${w.name} gives tokens the audience ${settings.tokenAudience} (--token-audience)`);
    }
  }
  if (!bad)
    out.ok(
      `webhook ${w.name}: --annotation-prefix ${settings.annotationPrefix}, --token-audience ${settings.tokenAudience}`,
    );
}

export const webhook = defineModule({
  id: 'webhook',
  title: 'Pod identity webhook (self-managed clusters)',
  codes: [
    {
      code: CODE_WEBHOOK_MISSING,
      title: 'self-managed: no pod identity webhook (MutatingWebhookConfiguration for pod CREATE)',
      fix: INSTALL_FIX,
    },
    {
      code: CODE_WEBHOOK_DOWN,
      title: "self-managed: the webhook's Service, Deployment or endpoints are missing or not ready",
      fix: 'Make the webhook Deployment available.',
    },
    {
      code: CODE_WEBHOOK_SCOPE,
      title:
        "self-managed: the webhook's namespace or object selector excludes the Camunda namespace or pods",
      fix: 'Widen the selector or label the namespace/pods.',
    },
    {
      code: CODE_WEBHOOK_CERT,
      title: "self-managed: the certificate in the webhook's caBundle is missing or expired",
      fix: 'Renew the serving certificate (cert-manager).',
    },
    {
      code: CODE_WEBHOOK_FLAGS,
      title:
        "self-managed: the webhook's --annotation-prefix or --token-audience does not fit the chart or the IAM OIDC provider",
      fix: 'Run the webhook with the default flags.',
    },
  ],
  async run(ctx, out) {
    if (ctx.facts.platform?.kind !== 'self-managed') {
      ctx.facts.webhook = EKS_WEBHOOK;
      out.info('skipped: EKS runs the pod identity webhook (managed, not visible in the cluster)');
      return;
    }
    let configs;
    try {
      configs = await ctx.kube.mutatingWebhookConfigurations();
    } catch (e) {
      if (e instanceof ApiCallError && e.isAccessDenied) {
        out.warn(
          `cannot list MutatingWebhookConfigurations (${e.reason}): the webhook is not checked; the injection proof still is`,
        );
        return;
      }
      throw e;
    }
    const candidates = configs.flatMap((c) =>
      c.webhooks.filter(mutatesPodCreate).map((w) => ({ config: c.name, w })),
    );
    const found = candidates.find((x) => looksLikePodIdentity(x.config, x.w));
    if (!found) {
      // check: webhook-missing
      out.fail(
        CODE_WEBHOOK_MISSING,
        `no pod identity webhook: no MutatingWebhookConfiguration like pod-identity-webhook mutates pod CREATE${candidates.length ? ` (pod webhooks: ${candidates.map((x) => x.config).join(', ')})` : ''}; new pods get no AWS_ROLE_ARN or token`,
        { fix: INSTALL_FIX },
      );
      return;
    }
    out.ok(`pod identity webhook: MutatingWebhookConfiguration ${found.config}, webhook ${found.w.name}`);
    checkCaBundle(found.config, found.w, out);
    const deployment = await checkBackend(ctx, found.w, out);
    await checkScope(ctx, found.config, found.w, out);
    await checkFlags(ctx, found.w, deployment, out);
  },
});
