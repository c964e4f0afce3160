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
import { defineModule } from '../engine/module.js';
import { ApiCallError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import type { PlannedComponent } from '../engine/facts.js';
import type { KubeMutatingWebhook, KubeWorkload } from '../ports/kube.js';
import {
  DEFAULT_ANNOTATION_PREFIX,
  DEFAULT_TOKEN_AUDIENCE,
  expectedInjection,
  selectorMatches,
  webhookSettings,
} from '../platform/pod-identity.js';
import { kubeGrantHint } from '../platform/kube-grant.js';
import {
  backendDeployment,
  collectWebhook,
  namespaceSelectorLabels,
  type WebhookBackend,
  type WebhookFlags,
  type WebhookScope,
} from '../collectors/webhook.js';

const INSTALL_FIX =
  'Install amazon-eks-pod-identity-webhook (its deploy/ manifests, or the EKS Anywhere IRSA guide) with a serving certificate from cert-manager, and its MutatingWebhookConfiguration for pod CREATE.';

const CHECKS = {
  'webhook-managed': {
    severity: 'INFO',
    title: 'EKS: the pod identity webhook is managed and not visible in the cluster, so it is not checked',
  },
  'webhook-configs-unreadable': {
    severity: 'WARN',
    title: 'self-managed: MutatingWebhookConfigurations cannot be listed, so the webhook is not checked',
    fix: 'Grant list on mutatingwebhookconfigurations (admissionregistration.k8s.io) to the identity irsa-check runs as (README, "Permissions").',
  },
  'webhook-missing': {
    severity: 'FAIL',
    code: 246,
    title: 'self-managed: no pod identity webhook (MutatingWebhookConfiguration for pod CREATE)',
    fix: INSTALL_FIX,
  },
  'webhook-cert-missing': {
    severity: 'FAIL',
    code: 249,
    title: "self-managed: the webhook's caBundle holds no readable certificate",
    fix: 'Renew the serving certificate (cert-manager).',
  },
  'webhook-cert-expired': {
    severity: 'FAIL',
    code: 249,
    title: "self-managed: the certificate in the webhook's caBundle has expired",
    fix: 'Renew the serving certificate (cert-manager).',
  },
  'webhook-service-missing': {
    severity: 'FAIL',
    code: 247,
    title: "self-managed: the webhook's Service does not exist",
    fix: 'Make the webhook Deployment available.',
  },
  'webhook-deployment-missing': {
    severity: 'FAIL',
    code: 247,
    title: "self-managed: no Deployment runs the pods of the webhook's Service",
    fix: 'Make the webhook Deployment available.',
  },
  'webhook-deployment-unavailable': {
    severity: 'FAIL',
    code: 247,
    title: "self-managed: the webhook's Deployment has no available replica",
    fix: 'Make the webhook Deployment available.',
  },
  'webhook-no-endpoints': {
    severity: 'FAIL',
    code: 247,
    title: "self-managed: the webhook's Service has no ready endpoints",
    fix: 'Make the webhook Deployment available.',
  },
  'webhook-failure-ignore': {
    severity: 'WARN',
    title:
      'self-managed: the webhook has failurePolicy Ignore, so pods created while it is down silently get no IRSA',
    fix: 'Set failurePolicy: Fail, or restart pods that started without AWS_ROLE_ARN.',
  },
  'webhook-namespace-excluded': {
    severity: 'FAIL',
    code: 248,
    title: "self-managed: the webhook's namespaceSelector excludes the Camunda namespace",
    fix: 'Widen the selector or label the namespace/pods.',
  },
  'webhook-pods-excluded': {
    severity: 'FAIL',
    code: 248,
    title: "self-managed: the webhook's objectSelector excludes the pods of a component",
    fix: 'Widen the selector or label the namespace/pods.',
  },
  'webhook-annotation-prefix': {
    severity: 'FAIL',
    code: 250,
    title:
      "self-managed: the webhook's --annotation-prefix does not fit the chart's eks.amazonaws.com/role-arn annotation",
    fix: 'Run the webhook with the default flags.',
  },
  'webhook-token-audience': {
    severity: 'FAIL',
    code: 250,
    title: "self-managed: the webhook's --token-audience is not a client ID of the IAM OIDC provider",
    fix: 'Run the webhook with the default flags.',
  },
} as const;
type Id = keyof typeof CHECKS;

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

/** The caBundle's certificates judged at `now`, the instant the collector read them (ms). */
function checkCaBundle(configName: string, w: KubeMutatingWebhook, now: number, out: Reporter<Id>): void {
  const certs = w.caBundle ? pemCertificates(w.caBundle) : [];
  const fix = `Renew the webhook's serving certificate and put its CA in clientConfig.caBundle of MutatingWebhookConfiguration ${configName} (cert-manager's cainjector keeps it current: annotation cert-manager.io/inject-ca-from).`;
  if (certs.length === 0) {
    if (w.url && !w.caBundle) {
      out.info(`webhook ${w.name} has no caBundle: the API server trusts its URL with the system CAs`);
      return;
    }
    out.fail(
      'webhook-cert-missing',
      `webhook ${w.name} of MutatingWebhookConfiguration ${configName} has no readable certificate in caBundle: the API server cannot call it`,
      { fix },
    );
    return;
  }
  const expired = certs.filter((c) => new Date(c.validTo).getTime() < now);
  if (expired.length > 0) {
    out.fail(
      'webhook-cert-expired',
      `the certificate in caBundle of webhook ${w.name} (${expired[0]!.subject.replace(/\n/g, ', ')}) expired on ${new Date(expired[0]!.validTo).toISOString()}: the API server cannot call the webhook, so new pods get no IRSA${w.failurePolicy === 'Fail' ? ' (failurePolicy Fail: they are refused)' : ''}`,
      { fix },
    );
    return;
  }
  const until = new Date(Math.min(...certs.map((c) => new Date(c.validTo).getTime()))).toISOString();
  out.ok('webhook-cert-expired', `webhook ${w.name}: the certificate in caBundle is valid until ${until}`);
}

/** The webhook's Service, endpoints and Deployment; returns the Deployment when there is one. */
function judgeBackend(
  w: KubeMutatingWebhook,
  backend: WebhookBackend | undefined,
  out: Reporter<Id>,
): KubeWorkload | undefined {
  if (!w.service || !backend) {
    out.info(
      `webhook ${w.name} is served at ${w.url ?? 'an unknown URL'}, outside the cluster: its availability is not checked here`,
    );
    return undefined;
  }
  const { namespace, name } = w.service;
  const svc = backend.service;
  if (!svc) {
    out.fail(
      'webhook-service-missing',
      `the Service ${namespace}/${name} of webhook ${w.name} does not exist: the API server cannot call it`,
      { fix: INSTALL_FIX },
    );
    return undefined;
  }
  const { endpoints } = backend;
  const selector = svc.selector ?? {};
  const deployment = backendDeployment(backend);
  if (svc.selector && !deployment) {
    out.fail(
      'webhook-deployment-missing',
      `no Deployment in ${namespace} runs the pods of Service ${name} (selector ${Object.entries(selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}): webhook ${w.name} has no backend`,
      { fix: INSTALL_FIX },
    );
    return undefined;
  }
  if (deployment && deployment.availableReplicas < 1) {
    out.fail(
      'webhook-deployment-unavailable',
      `Deployment ${namespace}/${deployment.name} of webhook ${w.name} has no available replica (0 of ${deployment.replicas})`,
      {
        fix: `kubectl -n ${namespace} describe deployment ${deployment.name} (image pull, certificate secret, scheduling), then fix what it names.`,
      },
    );
    return deployment;
  }
  if (!endpoints || endpoints.ready === 0) {
    out.fail(
      'webhook-no-endpoints',
      `Service ${namespace}/${name} of webhook ${w.name} has no ready endpoints${endpoints ? ` (${endpoints.notReady} not ready)` : ''}: the API server cannot call it`,
      {
        fix: `kubectl -n ${namespace} get pods,endpoints for the webhook; fix the pods that are not ready.`,
      },
    );
    return deployment;
  }
  out.ok(
    'webhook-no-endpoints',
    `webhook ${w.name}: Deployment ${namespace}/${deployment?.name ?? '?'} available (${deployment?.availableReplicas ?? '?'}), Service ${name} has ${endpoints.ready} ready endpoint(s)`,
  );
  return deployment;
}

function warnFailureIgnore(w: KubeMutatingWebhook, out: Reporter<Id>): void {
  if (w.failurePolicy === 'Ignore') {
    out.warn(
      'webhook-failure-ignore',
      `webhook ${w.name} has failurePolicy Ignore: pods created while it is down start without IRSA, silently (set failurePolicy: Fail, or restart pods that started without AWS_ROLE_ARN)`,
    );
  }
}

function judgeScope(
  ns: string,
  configName: string,
  w: KubeMutatingWebhook,
  roles: PlannedComponent[],
  scope: WebhookScope,
  out: Reporter<Id>,
): void {
  if (!selectorMatches(w.namespaceSelector, namespaceSelectorLabels(ns, scope.namespaceLabels))) {
    out.fail(
      'webhook-namespace-excluded',
      `the namespaceSelector of webhook ${w.name} (${JSON.stringify(w.namespaceSelector)}) does not select namespace ${ns}: its pods get no IRSA`,
      {
        fix: `Label namespace ${ns} to match the selector, or widen the namespaceSelector of MutatingWebhookConfiguration ${configName}.`,
      },
    );
    return;
  }
  if (roles.length === 0 || !w.objectSelector) {
    out.ok(
      'webhook-namespace-excluded',
      `webhook ${w.name} selects namespace ${ns}${w.objectSelector ? '' : ' and every pod in it'}`,
    );
    return;
  }
  if (scope.workloadsError !== undefined) {
    // Not seen is not selected: a 403 says what to grant, anything else is irsa-check's "cannot
    // call" (a lost API server: the connectivity FAIL, exit 3).
    const e = scope.workloadsError;
    if (!(e instanceof ApiCallError && e.isAccessDenied)) return out.unexpected(e);
    out.info(
      `cannot ${e.operation} (${e.reason}): whether the objectSelector of webhook ${w.name} selects the component pods is not checked; ${kubeGrantHint('workloads', ns)}`,
    );
    return;
  }
  const workloads = scope.workloads ?? [];
  let excluded = 0;
  for (const c of roles) {
    const wl = workloads.find((x) => x.serviceAccountName === c.serviceAccount.name);
    if (!wl) continue;
    if (!selectorMatches(w.objectSelector, wl.templateLabels)) {
      excluded++;
      out.fail(
        'webhook-pods-excluded',
        `the objectSelector of webhook ${w.name} (${JSON.stringify(w.objectSelector)}) does not select the pods of ${wl.kind} ${wl.name}: they get no IRSA`,
        {
          component: c.key,
          fix: `Add matching pod labels (${c.key}.podLabels in the values) or widen the objectSelector of MutatingWebhookConfiguration ${configName}.`,
        },
      );
    }
  }
  if (excluded === 0)
    out.ok('webhook-pods-excluded', `webhook ${w.name} selects namespace ${ns} and the component pods`);
}

/** Its --annotation-prefix and --token-audience (an error met gathering the latter is reported here). */
function judgeFlags(
  w: KubeMutatingWebhook,
  deployment: KubeWorkload | undefined,
  flags: WebhookFlags | undefined,
  error: unknown,
  out: Reporter<Id>,
): void {
  const settings = webhookSettings(deployment);
  if (!deployment) return;
  let bad = false;
  if (settings.annotationPrefix !== DEFAULT_ANNOTATION_PREFIX) {
    bad = true;
    out.fail(
      'webhook-annotation-prefix',
      `webhook ${w.name} runs with --annotation-prefix=${settings.annotationPrefix}: it ignores the ${DEFAULT_ANNOTATION_PREFIX}/role-arn annotation the Camunda chart sets`,
      {
        fix: `Remove --annotation-prefix from Deployment ${deployment.name} (default ${DEFAULT_ANNOTATION_PREFIX}).`,
      },
    );
  }
  if (settings.tokenAudience !== DEFAULT_TOKEN_AUDIENCE) {
    if (!flags) {
      out.unexpected(error);
      return;
    }
    const provider = flags.providers?.find((p) => p.arn === flags.oidcProviderArn);
    const affected = flags.serviceAccounts.filter(
      ({ sa }) => expectedInjection(sa, settings).audience === settings.tokenAudience,
    );
    if (affected.length > 0 && provider && !provider.clientIds.includes(settings.tokenAudience)) {
      bad = true;
      out.fail(
        'webhook-token-audience',
        `webhook ${w.name} runs with --token-audience=${settings.tokenAudience}, which IAM OIDC provider ${provider.arn} does not list: STS refuses the tokens of ${affected.map((a) => a.key).join(', ')}`,
        {
          fix: `Remove --token-audience from Deployment ${deployment.name} (default ${DEFAULT_TOKEN_AUDIENCE}), or add ${settings.tokenAudience} to the provider's client IDs and the trust policies' aud condition.`,
        },
      );
    } else {
      out.info(`webhook ${w.name} gives tokens the audience ${settings.tokenAudience} (--token-audience)`);
      if (affected.length > 0 && !flags.providers && flags.providersError !== undefined) {
        // Said once, never a silent skip: the provider's client IDs decide whether STS accepts the audience.
        const e = flags.providersError;
        const reason = e instanceof ApiCallError ? e.reason : e instanceof Error ? e.message : String(e);
        out.info(
          `the token audience is not compared with the IAM OIDC provider's client IDs: cannot call iam:ListOpenIDConnectProviders (${reason})`,
        );
      }
    }
  }
  if (!bad)
    out.ok(
      'webhook-annotation-prefix',
      `webhook ${w.name}: --annotation-prefix ${settings.annotationPrefix}, --token-audience ${settings.tokenAudience}`,
    );
}

export const webhook = defineModule({
  id: 'webhook',
  title: 'Pod identity webhook (self-managed clusters)',
  needs: ['platform', 'plan', 'roleArns'],
  uses: ['caller', 'oidcProviderArn'],
  provides: ['webhook'],
  checks: CHECKS,
  collect: collectWebhook,
  evaluate(input, out) {
    if (input.kind === 'managed') {
      out.info(
        'webhook-managed',
        'skipped: EKS runs the pod identity webhook (managed, not visible in the cluster)',
      );
      return;
    }
    if (input.kind === 'configs-error') {
      const e = input.error;
      if (e instanceof ApiCallError && e.isAccessDenied) {
        out.warn(
          'webhook-configs-unreadable',
          `cannot list MutatingWebhookConfigurations (${e.reason}): the webhook is not checked; the injection proof still is`,
        );
        return;
      }
      throw e;
    }
    const { found, candidates, error } = input;
    if (!found) {
      out.fail(
        'webhook-missing',
        `no pod identity webhook: no MutatingWebhookConfiguration like pod-identity-webhook mutates pod CREATE${candidates.length ? ` (pod webhooks: ${candidates.join(', ')})` : ''}; new pods get no AWS_ROLE_ARN or token`,
        { fix: INSTALL_FIX },
      );
      return;
    }
    out.ok(
      'webhook-missing',
      `pod identity webhook: MutatingWebhookConfiguration ${found.config}, webhook ${found.w.name}`,
    );
    checkCaBundle(found.config, found.w, input.now, out);
    // Each stage as far as its data was gathered; an error ends the module where it was met.
    if (error?.stage === 'backend') return out.unexpected(error.error);
    const deployment = judgeBackend(found.w, input.backend, out);
    warnFailureIgnore(found.w, out);
    if (error?.stage === 'scope' || !input.scope) return out.unexpected(error?.error);
    judgeScope(input.namespace, found.config, found.w, input.roles, input.scope, out);
    judgeFlags(found.w, deployment, input.flags, error?.error, out);
  },
});
