/**
 * The pod identity webhook evaluator as a table, after aws/amazon-eks-pod-identity-webhook:
 * its MutatingWebhookConfiguration for pod CREATE, the caBundle the API server trusts it with,
 * the Service and Deployment serving it, failurePolicy, the namespace and object selectors
 * (Kubernetes "Dynamic Admission Control": matching requests), and its --annotation-prefix and
 * --token-audience flags (the webhook's main.go defaults: eks.amazonaws.com, sts.amazonaws.com).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { webhook } from '../../src/checks/webhook.js';
import { collectWebhook, type WebhookInput } from '../../src/collectors/webhook.js';
import { ApiCallError } from '../../src/core/errors.js';
import type { PlannedComponent } from '../../src/engine/facts.js';
import type { KubeMutatingWebhook, KubeWorkload } from '../../src/ports/kube.js';
import { makePki } from '../support/pki.js';
import { evaluate } from '../support/evaluate.js';

const pki = makePki();
/** The collector's clock, pinned: the instant every snapshot below was taken. */
const NOW = Date.parse('2030-01-01T00:00:00Z');
const DAY = 86_400_000;
const VALID = pki.issue({ cn: 'pod-identity-webhook', notAfter: new Date('2099-01-01T00:00:00Z') }).certPem;
const EXPIRED = pki.issue({
  cn: 'pod-identity-webhook',
  notBefore: new Date('2020-01-01T00:00:00Z'),
  notAfter: new Date('2020-06-01T00:00:00Z'),
}).certPem;

const HOOK: KubeMutatingWebhook = {
  name: 'iam-for-pods.amazonaws.com',
  failurePolicy: 'Fail',
  rules: [{ operations: ['CREATE'], apiGroups: [''], resources: ['pods'] }],
  service: { namespace: 'kube-system', name: 'pod-identity-webhook' },
  caBundle: VALID,
};

function deployment(args: string[] = [], available = 1): KubeWorkload {
  return {
    kind: 'Deployment',
    name: 'pod-identity-webhook',
    namespace: 'kube-system',
    replicas: 1,
    availableReplicas: available,
    templateLabels: { app: 'pod-identity-webhook' },
    containers: [{ name: 'webhook', command: ['/webhook'], args }],
    template: {},
  };
}

const IDENTITY: PlannedComponent = {
  key: 'identity',
  pg: true,
  os: false,
  serviceAccount: {
    enabled: true,
    name: 'camunda-identity',
    how: 'generated',
    annotations: {},
    settingsPaths: [],
  },
};

function selfManaged(
  over: Partial<Extract<WebhookInput, { kind: 'self-managed' }>> = {},
  hook = HOOK,
  args: string[] = [],
): WebhookInput {
  return {
    kind: 'self-managed',
    now: NOW,
    namespace: 'camunda',
    roles: [IDENTITY],
    candidates: ['pod-identity-webhook'],
    found: { config: 'pod-identity-webhook', w: hook },
    backend: {
      service: {
        name: 'pod-identity-webhook',
        namespace: 'kube-system',
        selector: { app: 'pod-identity-webhook' },
      },
      endpoints: { ready: 1, notReady: 0 },
      workloads: [deployment(args)],
    },
    scope: {},
    ...over,
  };
}

const FOUND =
  'OK webhook-missing: pod identity webhook: MutatingWebhookConfiguration pod-identity-webhook, webhook iam-for-pods.amazonaws.com';
const CERT_OK =
  'OK webhook-cert-expired: webhook iam-for-pods.amazonaws.com: the certificate in caBundle is valid until 2099-01-01T00:00:00.000Z';
const BACKEND_OK =
  'OK webhook-no-endpoints: webhook iam-for-pods.amazonaws.com: Deployment kube-system/pod-identity-webhook available (1), Service pod-identity-webhook has 1 ready endpoint(s)';
const FLAGS_OK =
  'OK webhook-annotation-prefix: webhook iam-for-pods.amazonaws.com: --annotation-prefix eks.amazonaws.com, --token-audience sts.amazonaws.com';

describe('webhook evaluator', () => {
  it.each<[string, WebhookInput, string[]]>([
    [
      'EKS: managed, not visible',
      { kind: 'managed' },
      [
        'INFO webhook-managed: skipped: EKS runs the pod identity webhook (managed, not visible in the cluster)',
      ],
    ],
    [
      'self-managed, healthy, no objectSelector',
      selfManaged(),
      [
        FOUND,
        CERT_OK,
        BACKEND_OK,
        'OK webhook-namespace-excluded: webhook iam-for-pods.amazonaws.com selects namespace camunda and every pod in it',
        FLAGS_OK,
      ],
    ],
    [
      'MutatingWebhookConfigurations cannot be listed: a WARN, the injection proof still runs',
      {
        kind: 'configs-error',
        error: new ApiCallError('kube', 'list mutatingwebhookconfigurations', 'Forbidden', 'forbidden', 403),
      },
      [
        'WARN webhook-configs-unreadable: cannot list MutatingWebhookConfigurations (Forbidden): the webhook is not checked; the injection proof still is',
      ],
    ],
  ])('valid: %s', (_name, input, lines) => {
    expect(evaluate(webhook, input).lines).toEqual(lines);
  });

  it.each<[string, WebhookInput, string[]]>([
    [
      'no pod identity webhook among the pod webhooks',
      {
        kind: 'self-managed',
        now: NOW,
        namespace: 'camunda',
        roles: [IDENTITY],
        candidates: ['kyverno-resource-mutating-webhook-cfg'],
      },
      [
        'FAIL webhook-missing: no pod identity webhook: no MutatingWebhookConfiguration like pod-identity-webhook mutates pod CREATE (pod webhooks: kyverno-resource-mutating-webhook-cfg); new pods get no AWS_ROLE_ARN or token',
      ],
    ],
    [
      'an expired caBundle, a Deployment with no available replica',
      selfManaged({
        found: { config: 'pod-identity-webhook', w: { ...HOOK, caBundle: EXPIRED } },
        backend: {
          service: {
            name: 'pod-identity-webhook',
            namespace: 'kube-system',
            selector: { app: 'pod-identity-webhook' },
          },
          endpoints: { ready: 0, notReady: 1 },
          workloads: [deployment([], 0)],
        },
      }),
      [
        FOUND,
        'FAIL webhook-cert-expired: the certificate in caBundle of webhook iam-for-pods.amazonaws.com (CN=pod-identity-webhook) expired on 2020-06-01T00:00:00.000Z: the API server cannot call the webhook, so new pods get no IRSA (failurePolicy Fail: they are refused)',
        'FAIL webhook-deployment-unavailable: Deployment kube-system/pod-identity-webhook of webhook iam-for-pods.amazonaws.com has no available replica (0 of 1)',
        'OK webhook-namespace-excluded: webhook iam-for-pods.amazonaws.com selects namespace camunda and every pod in it',
        FLAGS_OK,
      ],
    ],
    [
      'failurePolicy Ignore and a namespaceSelector that leaves camunda out',
      selfManaged(
        { scope: { namespaceLabels: { team: 'data' } } },
        { ...HOOK, failurePolicy: 'Ignore', namespaceSelector: { matchLabels: { irsa: 'enabled' } } },
      ),
      [
        FOUND,
        CERT_OK,
        BACKEND_OK,
        'WARN webhook-failure-ignore: webhook iam-for-pods.amazonaws.com has failurePolicy Ignore: pods created while it is down start without IRSA, silently (set failurePolicy: Fail, or restart pods that started without AWS_ROLE_ARN)',
        'FAIL webhook-namespace-excluded: the namespaceSelector of webhook iam-for-pods.amazonaws.com ({"matchLabels":{"irsa":"enabled"}}) does not select namespace camunda: its pods get no IRSA',
        FLAGS_OK,
      ],
    ],
    [
      "an objectSelector the component's pods do not match",
      selfManaged(
        {
          scope: {
            workloads: [
              {
                ...deployment(),
                name: 'camunda-identity',
                namespace: 'camunda',
                serviceAccountName: 'camunda-identity',
                templateLabels: { app: 'identity' },
              },
            ],
          },
        },
        { ...HOOK, objectSelector: { matchLabels: { 'irsa/inject': 'true' } } },
      ),
      [
        FOUND,
        CERT_OK,
        BACKEND_OK,
        'FAIL webhook-pods-excluded identity: the objectSelector of webhook iam-for-pods.amazonaws.com ({"matchLabels":{"irsa/inject":"true"}}) does not select the pods of Deployment camunda-identity: they get no IRSA',
        FLAGS_OK,
      ],
    ],
    [
      'a --token-audience the IAM OIDC provider does not list',
      selfManaged(
        {
          flags: {
            providers: [
              {
                arn: 'arn:aws:iam::111122223333:oidc-provider/oidc.example',
                url: 'oidc.example',
                clientIds: ['sts.amazonaws.com'],
              },
            ],
            oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/oidc.example',
            serviceAccounts: [
              {
                key: 'identity',
                sa: { name: 'camunda-identity', namespace: 'camunda', annotations: {}, labels: {} },
              },
            ],
          },
        },
        HOOK,
        ['--token-audience=my-audience'],
      ),
      [
        FOUND,
        CERT_OK,
        BACKEND_OK,
        'OK webhook-namespace-excluded: webhook iam-for-pods.amazonaws.com selects namespace camunda and every pod in it',
        'FAIL webhook-token-audience: webhook iam-for-pods.amazonaws.com runs with --token-audience=my-audience, which IAM OIDC provider arn:aws:iam::111122223333:oidc-provider/oidc.example does not list: STS refuses the tokens of identity',
      ],
    ],
    [
      // The comparison needs the provider's client IDs: when IAM refuses the list it is said skipped, once.
      'a --token-audience, and iam:ListOpenIDConnectProviders refused: the comparison is said skipped (INFO), never silently',
      selfManaged(
        {
          flags: {
            providersError: new ApiCallError(
              'iam',
              'ListOpenIDConnectProviders',
              'AccessDenied',
              'denied',
              403,
            ),
            oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/oidc.example',
            serviceAccounts: [
              {
                key: 'identity',
                sa: { name: 'camunda-identity', namespace: 'camunda', annotations: {}, labels: {} },
              },
            ],
          },
        },
        HOOK,
        ['--token-audience=my-audience'],
      ),
      [
        FOUND,
        CERT_OK,
        BACKEND_OK,
        'OK webhook-namespace-excluded: webhook iam-for-pods.amazonaws.com selects namespace camunda and every pod in it',
        'INFO: webhook iam-for-pods.amazonaws.com gives tokens the audience my-audience (--token-audience)',
        "INFO: the token audience is not compared with the IAM OIDC provider's client IDs: cannot call iam:ListOpenIDConnectProviders (AccessDenied)",
        'OK webhook-annotation-prefix: webhook iam-for-pods.amazonaws.com: --annotation-prefix eks.amazonaws.com, --token-audience my-audience',
      ],
    ],
    [
      'the namespace labels cannot be read: the lines so far, then the error where it was met',
      selfManaged(
        {
          scope: undefined,
          error: {
            stage: 'scope',
            error: new ApiCallError('kube', 'get namespace', 'Forbidden', 'forbidden', 403),
          },
        },
        { ...HOOK, failurePolicy: 'Ignore' },
      ),
      [
        FOUND,
        CERT_OK,
        BACKEND_OK,
        'WARN webhook-failure-ignore: webhook iam-for-pods.amazonaws.com has failurePolicy Ignore: pods created while it is down start without IRSA, silently (set failurePolicy: Fail, or restart pods that started without AWS_ROLE_ARN)',
        'FAIL cannot-ask: irsa-check cannot call get namespace (Forbidden): grant it, see README "Permissions"',
      ],
    ],
  ])('invalid: %s', (_name, input, lines) => {
    expect(evaluate(webhook, input).lines).toEqual(lines);
  });

  it('the settings are the collector’s to publish, not the evaluator’s', () => {
    expect(evaluate(webhook, selfManaged()).provided).toEqual({});
  });
});

/** A caBundle of one serving certificate valid until `notAfter`, issued a year before it. */
function bundleUntil(notAfter: Date): string {
  return pki.issue({
    cn: 'pod-identity-webhook',
    notBefore: new Date(notAfter.getTime() - 365 * DAY),
    notAfter,
  }).certPem;
}
const at = (ms: number) => new Date(ms);
const NS_OK =
  'OK webhook-namespace-excluded: webhook iam-for-pods.amazonaws.com selects namespace camunda and every pod in it';

describe('webhook evaluator: certificate expiry at the collector’s clock (snapshot `now`, pinned)', () => {
  const judged = (caBundle: string, now = NOW) =>
    evaluate(
      webhook,
      selfManaged({ now, found: { config: 'pod-identity-webhook', w: { ...HOOK, caBundle } } }),
    ).lines;
  const healthy = (certLine: string) => [FOUND, certLine, BACKEND_OK, NS_OK, FLAGS_OK];

  it.each<[string, string, string]>([
    [
      'expires in 10 days: still valid',
      bundleUntil(at(NOW + 10 * DAY)),
      'OK webhook-cert-expired: webhook iam-for-pods.amazonaws.com: the certificate in caBundle is valid until 2030-01-11T00:00:00.000Z',
    ],
    [
      'expires in 100 days: valid',
      bundleUntil(at(NOW + 100 * DAY)),
      'OK webhook-cert-expired: webhook iam-for-pods.amazonaws.com: the certificate in caBundle is valid until 2030-04-11T00:00:00.000Z',
    ],
    [
      // RFC 5280 4.1.2.5: the validity period includes notAfter.
      'expires at the very second of the snapshot: still valid (notAfter is inclusive)',
      bundleUntil(at(NOW)),
      'OK webhook-cert-expired: webhook iam-for-pods.amazonaws.com: the certificate in caBundle is valid until 2030-01-01T00:00:00.000Z',
    ],
    [
      'a bundle of two (10 and 100 days): valid until the earlier',
      bundleUntil(at(NOW + 100 * DAY)) + bundleUntil(at(NOW + 10 * DAY)),
      'OK webhook-cert-expired: webhook iam-for-pods.amazonaws.com: the certificate in caBundle is valid until 2030-01-11T00:00:00.000Z',
    ],
  ])('%s', (_name, caBundle, certLine) => {
    expect(judged(caBundle)).toEqual(healthy(certLine));
  });

  it.each<[string, string, number, string]>([
    [
      // Still in the future on the machine's clock (the year 2026 or so): only the snapshot's clock says expired.
      'expired a day before the snapshot',
      bundleUntil(at(NOW - DAY)),
      NOW,
      'FAIL webhook-cert-expired: the certificate in caBundle of webhook iam-for-pods.amazonaws.com (CN=pod-identity-webhook) expired on 2029-12-31T00:00:00.000Z: the API server cannot call the webhook, so new pods get no IRSA (failurePolicy Fail: they are refused)',
    ],
    [
      'expired one second after its notAfter',
      bundleUntil(at(NOW)),
      NOW + 1000,
      'FAIL webhook-cert-expired: the certificate in caBundle of webhook iam-for-pods.amazonaws.com (CN=pod-identity-webhook) expired on 2030-01-01T00:00:00.000Z: the API server cannot call the webhook, so new pods get no IRSA (failurePolicy Fail: they are refused)',
    ],
    [
      'one of two expired (10 days left on the other): the expired one is named',
      bundleUntil(at(NOW + 10 * DAY)) + bundleUntil(at(NOW - 100 * DAY)),
      NOW,
      'FAIL webhook-cert-expired: the certificate in caBundle of webhook iam-for-pods.amazonaws.com (CN=pod-identity-webhook) expired on 2029-09-23T00:00:00.000Z: the API server cannot call the webhook, so new pods get no IRSA (failurePolicy Fail: they are refused)',
    ],
  ])('%s', (_name, caBundle, now, certLine) => {
    expect(judged(caBundle, now)).toEqual(healthy(certLine));
  });

  it('the same certificate, long expired on the machine’s clock, is valid at a snapshot taken before its end', () => {
    // EXPIRED ran until 2020-06-01: judged at 2020-05-01, the evaluator must not look at the machine's clock.
    expect(judged(EXPIRED, Date.parse('2020-05-01T00:00:00Z'))).toEqual(
      healthy(
        'OK webhook-cert-expired: webhook iam-for-pods.amazonaws.com: the certificate in caBundle is valid until 2020-06-01T00:00:00.000Z',
      ),
    );
  });
});

describe('webhook collector: records the instant it read the configurations', () => {
  afterEach(() => void vi.useRealTimers());

  it('the snapshot carries the clock at collection time, which the evaluator then judges at', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
    const ctx = {
      facts: { platform: { kind: 'self-managed' }, plan: [], roleArns: new Map() },
      scope: { namespace: 'camunda' },
      kube: { mutatingWebhookConfigurations: async () => [] },
      provide: () => undefined,
    } as unknown as Parameters<typeof collectWebhook>[0];
    const input = await collectWebhook(ctx);
    expect(input).toEqual({
      kind: 'self-managed',
      now: NOW,
      namespace: 'camunda',
      roles: [],
      candidates: [],
    });
  });
});

describe('webhook evaluator: the Camunda workloads could not be listed (never "selects the component pods")', () => {
  const SELECTING = { ...HOOK, objectSelector: { matchLabels: { 'irsa/inject': 'true' } } };
  const scopeLines = (input: WebhookInput) =>
    evaluate(webhook, input).lines.filter((l) => /objectSelector|selects namespace|cannot/.test(l));

  it('403 on list deployments: an INFO naming the grant, no OK about the pods', () => {
    const forbidden = new ApiCallError(
      'kube',
      'list deployments.apps',
      'Forbidden',
      'deployments.apps is forbidden: User "ro" cannot list resource "deployments" in API group "apps" in the namespace "camunda"',
      403,
    );
    expect(scopeLines(selfManaged({ scope: { workloadsError: forbidden } }, SELECTING))).toEqual([
      'INFO: cannot list deployments.apps (Forbidden): whether the objectSelector of webhook iam-for-pods.amazonaws.com selects the component pods is not checked; grant list on deployments.apps, statefulsets.apps in namespace camunda (README, "Permissions")',
    ]);
  });

  it('a 500: irsa-check could not ask (cannot-ask, exit 2), no OK about the pods', () => {
    const failed = new ApiCallError(
      'kube',
      'list statefulsets.apps',
      'InternalError',
      'etcd leader changed',
      500,
    );
    const result = evaluate(webhook, selfManaged({ scope: { workloadsError: failed } }, SELECTING));
    expect(result.lines.filter((l) => /cannot|selects namespace/.test(l))).toEqual([
      'FAIL cannot-ask: irsa-check cannot call list statefulsets.apps (InternalError): etcd leader changed',
    ]);
    expect(result.findings.find((f) => f.check === 'cannot-ask')?.code).toBe(2);
  });

  it('a timeout: the connectivity FAIL (exit 3) ends the module', () => {
    const timeout = new ApiCallError('kube', 'list deployments.apps', 'Timeout', 'no answer within 5 s');
    const result = evaluate(webhook, selfManaged({ scope: { workloadsError: timeout } }, SELECTING));
    expect(result.lines.at(-1)).toBe(
      'FAIL kube-timeout: the Kubernetes API server did not answer list deployments.apps: no answer within 5 s',
    );
    expect(result.fatal?.code).toBe(3);
    expect(result.lines.filter((l) => l.startsWith('OK webhook-pods-excluded'))).toEqual([]);
  });
});
