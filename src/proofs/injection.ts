/**
 * Injection proof, on every platform (codes 251–252): a server-side dry-run
 * create (`dryRun=All`) of a pod from the component's real pod template, with
 * its ServiceAccount. Admission runs every mutating webhook, nothing is
 * persisted, and the answer shows what a pod started now would get: the
 * AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE env, AWS_STS_REGIONAL_ENDPOINTS,
 * and the projected token volume with its audience and lifetime
 * (aws/amazon-eks-pod-identity-webhook, pkg/handler). That tells "the pods
 * started before the annotation" (restart them) from "the webhook does not
 * inject" (fix the webhook), which the running pods alone cannot.
 * Needs `create` on pods; without it the proof is skipped with an INFO.
 */
import { defineModule, type ModuleContext } from '../engine/module.js';
import { ApiCallError } from '../core/errors.js';
import { eachInOrder, type Reporter } from '../core/reporter.js';
import type { PlannedComponent } from '../engine/facts.js';
import type { KubeDryRunPod, KubePod, KubeWorkload } from '../ports/kube.js';
import { kubeGrantHint } from '../platform/kube-grant.js';
import {
  CONTAINER_AUTHORIZATION_TOKEN_FILE,
  CONTAINER_CREDENTIALS_FULL_URI,
  EKS_WEBHOOK,
  expectedInjection,
  POD_IDENTITY_AUDIENCE,
  POD_IDENTITY_TOKEN_VOLUME,
  TOKEN_VOLUME,
  type CredentialSource,
  type WebhookSettings,
} from '../platform/pod-identity.js';

const CHECKS = {
  'injection-forbidden': {
    severity: 'INFO',
    title: 'irsa-check may not create pods (dry run), so IRSA injection is not proven',
  },
  'injection-unproven': {
    severity: 'INFO',
    title:
      'the dry-run pod was not admitted for a reason other than a webhook (invalid, PodSecurity, quota), so IRSA injection is not proven',
  },
  'injection-refused': {
    severity: 'FAIL',
    code: 251,
    title:
      'a dry-run pod of the service account is refused by a webhook: the pod identity webhook cannot be called',
    fix: 'Fix the pod identity webhook, then restart the component pods.',
  },
  'injection-missing': {
    severity: 'FAIL',
    code: 251,
    title: 'a dry-run pod of the service account gets no IRSA injection: the webhook does not inject',
    fix: 'Fix the pod identity webhook, then restart the component pods.',
  },
  'injection-mismatch': {
    severity: 'FAIL',
    code: 252,
    title:
      'a dry-run pod gets another role ARN, token audience, lifetime or STS endpoint setting than the service account asks for',
    fix: 'Fix the pod template env or the webhook flags.',
  },
  'injection-pods-stale': {
    severity: 'INFO',
    title:
      'running pods lack the injection a new pod gets: they started before the annotation or the webhook',
  },
} as const;
type Id = keyof typeof CHECKS;
type Ctx = ModuleContext<'platform' | 'plan' | 'roleArns', 'webhook' | 'credentialSources'>;

const RUN_AS = 1000;

/** A pod from the workload's template, or a minimal restricted-compliant pod of the ServiceAccount. */
export function dryRunManifest(
  ns: string,
  sa: string,
  workload: KubeWorkload | undefined,
  image: string,
): Record<string, unknown> {
  const template = (workload?.template ?? {}) as {
    metadata?: Record<string, unknown>;
    spec?: Record<string, unknown>;
  };
  const meta = template.metadata ?? {};
  const spec = template.spec ?? {
    securityContext: { runAsNonRoot: true, runAsUser: RUN_AS, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'main',
        image,
        securityContext: {
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          runAsNonRoot: true,
          seccompProfile: { type: 'RuntimeDefault' },
        },
      },
    ],
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'irsa-check-dry-run-',
      namespace: ns,
      ...(meta.labels ? { labels: meta.labels } : {}),
      ...(meta.annotations ? { annotations: meta.annotations } : {}),
    },
    spec: withClaimVolumes({ ...spec, serviceAccountName: sa }),
  };
}

/**
 * A StatefulSet's pod template mounts its volumeClaimTemplates by name without declaring them (the
 * controller adds the PVC volumes): declare them as emptyDir so the dry-run pod validates.
 */
function withClaimVolumes(spec: Record<string, unknown>): Record<string, unknown> {
  type Mounts = { volumeMounts?: Array<{ name: string }> };
  const containers = [
    ...((spec.initContainers as Mounts[] | undefined) ?? []),
    ...((spec.containers as Mounts[] | undefined) ?? []),
  ];
  const volumes = (spec.volumes as Array<{ name: string }> | undefined) ?? [];
  const declared = new Set(volumes.map((v) => v.name));
  const missing = [...new Set(containers.flatMap((c) => (c.volumeMounts ?? []).map((m) => m.name)))].filter(
    (n) => !declared.has(n),
  );
  if (missing.length === 0) return spec;
  return { ...spec, volumes: [...volumes, ...missing.map((name) => ({ name, emptyDir: {} }))] };
}

function envOf(pod: KubeDryRunPod, name: string): Array<string | undefined> {
  return pod.containers.map((c) => c.env.find((e) => e.name === name)?.value);
}

/**
 * A Pod Identity association: the webhook injects the container-credentials variables and
 * the eks-pod-identity-token volume, and no AWS_ROLE_ARN (pkg/handler/handler.go,
 * buildPodPatchConfig and addEnvToContainer; handler test
 * testdata/containercredentials/rawPodWithRoleArn.pod.yaml).
 */
async function judgePodIdentity(
  ctx: Ctx,
  saName: string,
  from: string,
  pod: KubeDryRunPod,
  source: Extract<CredentialSource, { mechanism: 'pod-identity' }>,
  out: Reporter<Id>,
): Promise<void> {
  const via = `Pod Identity association ${source.association.associationId}`;
  const uris = envOf(pod, CONTAINER_CREDENTIALS_FULL_URI);
  const files = envOf(pod, CONTAINER_AUTHORIZATION_TOKEN_FILE);
  const arns = envOf(pod, 'AWS_ROLE_ARN').filter((a) => a !== undefined);
  const volume = pod.tokenVolumes.find((v) => v.name === POD_IDENTITY_TOKEN_VOLUME);
  if (uris.every((u) => u === undefined) && !volume) {
    out.fail(
      'injection-missing',
      `a new pod of service account ${saName} gets no ${CONTAINER_CREDENTIALS_FULL_URI} or ${POD_IDENTITY_TOKEN_VOLUME} volume (dry run of ${from})${arns.length ? `, but IRSA (AWS_ROLE_ARN ${arns[0]})` : ''}: ${via} is not in effect for new pods`,
      {
        fix: `Check ${via} (aws eks describe-pod-identity-association) and the pod template: the webhook skips pods with hostNetwork and containers listed in eks.amazonaws.com/skip-containers.`,
      },
    );
    return;
  }
  const problems: string[] = [];
  if (uris.some((u) => !u)) problems.push(`${CONTAINER_CREDENTIALS_FULL_URI} is missing in a container`);
  if (files.some((f) => !f)) problems.push(`${CONTAINER_AUTHORIZATION_TOKEN_FILE} is missing in a container`);
  if (!volume) problems.push(`no ${POD_IDENTITY_TOKEN_VOLUME} volume`);
  else if ((volume.audience ?? '') !== POD_IDENTITY_AUDIENCE)
    problems.push(`the token audience is ${volume.audience ?? '(none)'}, not ${POD_IDENTITY_AUDIENCE}`);
  if (problems.length > 0) {
    out.fail(
      'injection-mismatch',
      `a new pod of service account ${saName} is injected wrongly for ${via} (dry run of ${from}): ${problems.join('; ')}`,
      {
        fix: `Check the container env of the pod template (a ${CONTAINER_CREDENTIALS_FULL_URI} set there wins over the webhook); then restart the component pods.`,
      },
    );
    return;
  }
  out.ok(
    'injection-mismatch',
    `injection proof: a new pod of service account ${saName} gets the Pod Identity container credentials (${CONTAINER_CREDENTIALS_FULL_URI}, ${CONTAINER_AUTHORIZATION_TOKEN_FILE}, the ${POD_IDENTITY_TOKEN_VOLUME} volume, aud ${POD_IDENTITY_AUDIENCE}) for ${source.roleArn} (dry run of ${from})`,
  );
  const ns = ctx.scope.namespace;
  const stale = (await runningPods(ctx, ns, saName, out)).filter(
    (p) => !p.containers.some((c) => c.env.some((e) => e.name === CONTAINER_CREDENTIALS_FULL_URI)),
  );
  if (stale.length > 0) {
    out.info(
      'injection-pods-stale',
      `running pod(s) ${stale.map((p) => p.name).join(', ')} lack the Pod Identity injection a new pod gets: they started before ${via}; restarting them fixes it`,
    );
  }
}

/**
 * The running pods of the ServiceAccount, to compare with the dry run. Not seen is not "none
 * stale": a 403 is said with the grant (and [] compared); a lost API server, or any other
 * failure, is thrown to Reporter.unexpected (the connectivity FAIL, exit 3, or cannot-ask).
 */
async function runningPods(ctx: Ctx, ns: string, saName: string, out: Reporter<Id>): Promise<KubePod[]> {
  let pods: KubePod[];
  try {
    pods = await ctx.kube.pods(ns);
  } catch (e) {
    if (!(e instanceof ApiCallError)) throw e;
    // A bundle without the list (replay): nothing to compare, as a bundle without the dry run.
    if (e.reason === 'NotRecorded') return [];
    if (!e.isAccessDenied) throw e;
    out.info(
      `cannot ${e.operation} (${e.reason}): the running pods of service account ${saName} are not compared with the dry run; ${kubeGrantHint('pods', ns)}`,
    );
    return [];
  }
  return pods.filter((p) => p.serviceAccountName === saName && p.phase === 'Running');
}

async function proveComponent(
  ctx: Ctx,
  c: PlannedComponent,
  roleArn: string,
  workloads: KubeWorkload[] | 'unlisted',
  webhook: Promise<WebhookSettings | undefined>,
  out: Reporter<Id>,
): Promise<void> {
  const ns = ctx.scope.namespace;
  const saName = c.serviceAccount.name;
  const sa = await ctx.kube.serviceAccount(ns, saName);
  if (!sa) return; // the service-accounts module already failed it
  const workload =
    workloads === 'unlisted' ? undefined : workloads.find((w) => w.serviceAccountName === saName);
  const from = workload
    ? `the pod template of ${workload.kind} ${workload.name}`
    : workloads === 'unlisted'
      ? 'a minimal pod (the workloads could not be listed)'
      : 'a minimal pod (no workload uses it yet)';
  let pod: KubeDryRunPod;
  try {
    pod = await ctx.kube.dryRunCreatePod(ns, dryRunManifest(ns, saName, workload, ctx.options.jobImage));
  } catch (e) {
    if (!(e instanceof ApiCallError)) throw e;
    if (e.isAccessDenied && /cannot create resource "pods"|forbidden: User/i.test(e.message)) {
      out.info(
        'injection-forbidden',
        `cannot dry-run a pod (${e.reason}): allow create on pods to prove IRSA injection (README, "Permissions"); nothing is persisted by a dry run`,
      );
      return;
    }
    if (e.reason === 'NotRecorded') {
      out.info('the bundle holds no dry-run pod: injection not proven');
      return;
    }
    if (!/webhook/i.test(e.message)) {
      // Invalid, PodSecurity, quota: about the pod, not about IRSA; real pods are admitted by other means.
      out.info(
        'injection-unproven',
        `the dry-run pod of service account ${saName} (${from}) was not admitted (${e.reason}: ${e.message}): injection not proven`,
      );
      return;
    }
    out.fail(
      'injection-refused',
      `a dry-run pod of service account ${saName} (${from}) was refused: ${e.message}`,
      {
        fix: 'The API server cannot call the pod identity webhook: fix its Service, pods and certificate (see the webhook lines), then restart the component pods.',
      },
    );
    return;
  }
  const source = (await ctx.use('credentialSources'))?.get(c.key);
  if (source?.mechanism === 'pod-identity') {
    await judgePodIdentity(ctx, saName, from, pod, source, out);
    return;
  }
  const expected = expectedInjection(sa, (await webhook) ?? EKS_WEBHOOK);
  const arns = envOf(pod, 'AWS_ROLE_ARN');
  const files = envOf(pod, 'AWS_WEB_IDENTITY_TOKEN_FILE');
  const volume =
    pod.tokenVolumes.find((v) => v.name === TOKEN_VOLUME) ??
    pod.tokenVolumes.find((v) => v.audience === expected.audience);
  const selfManaged = ctx.facts.platform.kind === 'self-managed';
  if (arns.every((a) => a === undefined) && !volume && workloads === 'unlisted') {
    // A minimal pod lacks the template's labels an objectSelector may select on: not a proof.
    out.info(
      'injection-unproven',
      `the dry-run pod of service account ${saName} (${from}) gets no AWS_ROLE_ARN or ${TOKEN_VOLUME} volume, but it lacks the pod template's labels a webhook objectSelector may select on: injection not proven`,
    );
    return;
  }
  if (arns.every((a) => a === undefined) && !volume) {
    out.fail(
      'injection-missing',
      `a new pod of service account ${saName} gets no AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE or ${TOKEN_VOLUME} volume (dry run of ${from}): the pod identity webhook does not inject IRSA, restarting pods will not help`,
      {
        fix: selfManaged
          ? 'Fix the pod identity webhook (see the webhook lines: installed, available, selecting this namespace and these pods), then restart the component pods.'
          : `Check the ${expected.roleArn ? 'pod' : 'eks.amazonaws.com/role-arn annotation and the pod'}: the EKS webhook skips pods with hostNetwork and containers listed in eks.amazonaws.com/skip-containers.`,
      },
    );
    return;
  }
  const problems: string[] = [];
  if (arns.some((a) => a !== roleArn))
    problems.push(`AWS_ROLE_ARN is ${arns.find((a) => a !== roleArn) ?? '(unset)'}, not ${roleArn}`);
  if (files.some((f) => !f)) problems.push('AWS_WEB_IDENTITY_TOKEN_FILE is missing in a container');
  if (!volume) problems.push(`no projected token volume with audience ${expected.audience}`);
  else {
    if ((volume.audience ?? '') !== expected.audience)
      problems.push(`the token audience is ${volume.audience ?? '(none)'}, not ${expected.audience}`);
    if (volume.expirationSeconds !== undefined && volume.expirationSeconds !== expected.expirationSeconds) {
      problems.push(
        `the token lives ${volume.expirationSeconds}s, not ${expected.expirationSeconds}s (token-expiration)`,
      );
    }
  }
  if (expected.regional && envOf(pod, 'AWS_STS_REGIONAL_ENDPOINTS').some((v) => v !== 'regional')) {
    problems.push('AWS_STS_REGIONAL_ENDPOINTS=regional is missing (sts-regional-endpoints: "true")');
  }
  if (problems.length > 0) {
    out.fail(
      'injection-mismatch',
      `a new pod of service account ${saName} is injected wrongly (dry run of ${from}): ${problems.join('; ')}`,
      {
        fix: 'Check the container env of the pod template (an AWS_ROLE_ARN set there wins over the webhook) and the webhook flags (--token-audience, --token-expiration); then restart the component pods.',
      },
    );
    return;
  }
  out.ok(
    'injection-mismatch',
    `injection proof: a new pod of service account ${saName} gets AWS_ROLE_ARN ${roleArn} and the ${TOKEN_VOLUME} volume (aud ${expected.audience}) (dry run of ${from})`,
  );
  // The pods check cannot tell a late annotation from a broken webhook; this answer can.
  const stale = (await runningPods(ctx, ns, saName, out)).filter(
    (p) => !p.containers.some((c) => c.env.some((e) => e.name === 'AWS_ROLE_ARN')),
  );
  if (stale.length > 0) {
    out.info(
      'injection-pods-stale',
      `running pod(s) ${stale.map((p) => p.name).join(', ')} lack the injection a new pod gets: they started before the annotation or the webhook; restarting them fixes it`,
    );
  }
}

export const injection = defineModule({
  id: 'injection',
  title: 'Injection proof (dry-run pod create)',
  needs: ['platform', 'plan', 'roleArns'],
  uses: ['webhook', 'credentialSources'],
  checks: CHECKS,
  async run(ctx, out) {
    const { plan, roleArns } = ctx.facts;
    const targets = plan.filter((c) => roleArns.has(c.key));
    if (targets.length === 0) {
      out.info('skipped: no component has a role ARN');
      return;
    }
    const ns = ctx.scope.namespace;
    // Not listed is not "no workload": a 403 is said with the grant and the dry runs use a minimal
    // pod, saying so; a lost API server (exit 3) or any other failure is the run's error.
    const workloads = await ctx.kube.workloads(ns).catch((e: unknown): KubeWorkload[] | 'unlisted' => {
      if (!(e instanceof ApiCallError)) throw e;
      // A bundle without the list (replay): as before, the minimal pod (its dry run is not recorded either).
      if (e.reason === 'NotRecorded') return [];
      if (!e.isAccessDenied) throw e;
      out.info(
        `cannot ${e.operation} (${e.reason}): the dry runs use a minimal pod, not the components' pod templates; ${kubeGrantHint('workloads', ns)}`,
      );
      return 'unlisted';
    });
    // The webhook's flags are waited for only where they are read, after each dry run.
    const webhook = ctx.use('webhook');
    await eachInOrder(
      targets,
      out,
      (c) => c.key,
      (c, o) => proveComponent(ctx, c, roleArns.get(c.key)!, workloads, webhook, o),
    );
  },
});
