import { defineModule } from '../core/module.js';
import { eachInOrder, type Reporter } from '../core/reporter.js';
import type { Context, PlannedComponent } from '../core/context.js';
import {
  AUDIENCE_ANNOTATION,
  ROLE_ARN_ANNOTATION,
  type KubePod,
  type KubeServiceAccount,
} from '../platform/kube.js';
import { DEFAULT_AUDIENCE } from '../iam/policy.js';

/**
 * The audience a ServiceAccount's tokens are requested for: its
 * eks.amazonaws.com/audience annotation (`annotated`), else sts.amazonaws.com.
 */
export function tokenAudience(account: KubeServiceAccount | undefined): {
  annotated?: string;
  audience: string;
} {
  const annotated = account?.annotations[AUDIENCE_ANNOTATION]?.trim() || undefined;
  return { annotated, audience: annotated ?? DEFAULT_AUDIENCE };
}
import { describeRoleArnProblem } from '../iam/arn.js';
import { requireRelease } from './release.js';

const STATIC_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

export const CODE_SA_DISABLED = 101;
export const CODE_NO_ANNOTATION = 110;
export const CODE_EMPTY_ROLE = 163;
export const CODE_POD_INJECTION = 221;
export const CODE_STATIC_KEYS = 223;
export const CODE_BAD_ARN = 224;

/** Pods of the component: those running as its ServiceAccount, and those named after it that do not. */
function componentPods(pods: KubePod[], c: PlannedComponent): KubePod[] {
  const sa = c.serviceAccount.name;
  return pods.filter(
    (p) =>
      p.serviceAccountName === sa || (c.serviceAccount.how === 'generated' && p.name.startsWith(`${sa}-`)),
  );
}

function checkPods(c: PlannedComponent, roleArn: string, pods: KubePod[], out: Reporter): void {
  const sa = c.serviceAccount.name;
  const running = componentPods(pods, c).filter((p) => p.phase === 'Running');
  if (running.length === 0) {
    out.info(`no running pods use service account ${sa}: IRSA injection not checked`);
    return;
  }
  let good = 0;
  for (const pod of running) {
    if (pod.serviceAccountName !== sa) {
      out.fail(
        CODE_POD_INJECTION,
        `pod ${pod.name} runs as service account ${pod.serviceAccountName ?? 'default'}, not ${sa}`,
        {
          fix: `Set ${c.key}.serviceAccount.name to ${sa} (or annotate the service account the pod uses).`,
        },
      );
      continue;
    }
    const env = new Map(pod.containers.flatMap((ct) => ct.env.map((e) => [e.name, e.value] as const)));
    const injected = env.get('AWS_ROLE_ARN');
    if (injected === undefined || !env.has('AWS_WEB_IDENTITY_TOKEN_FILE')) {
      out.fail(
        CODE_POD_INJECTION,
        `pod ${pod.name} has no AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE: it started before the role annotation was added`,
        { fix: `Restart the pods: kubectl rollout restart -n ${pod.namespace} for the ${c.key} workload.` },
      );
    } else if (injected !== roleArn) {
      out.fail(
        CODE_POD_INJECTION,
        `pod ${pod.name} runs with AWS_ROLE_ARN ${injected}, but the annotation says ${roleArn}`,
        {
          fix: `Restart the pods so they pick up the current annotation (kubectl rollout restart -n ${pod.namespace}).`,
        },
      );
    } else good++;
  }
  if (good > 0) out.ok(`${good} running pod(s) carry the injected role ${roleArn}`);
}

function checkStaticKeys(ctx: Context, c: PlannedComponent, pods: KubePod[], out: Reporter): void {
  const found = new Set<string>();
  for (const pod of componentPods(pods, c)) {
    for (const ct of pod.containers)
      for (const e of ct.env) if (STATIC_KEYS.includes(e.name)) found.add(`pod ${pod.name}`);
  }
  const values = ctx.facts.values!;
  for (const path of [`${c.key}.env`, `${c.key}.restapi.env`, `${c.key}.extraEnvVars`]) {
    for (const name of STATIC_KEYS) if (values.env(path).has(name)) found.add(`values ${path}`);
  }
  if (found.size > 0) {
    out.fail(
      CODE_STATIC_KEYS,
      `static AWS keys (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) are set in ${[...found].join(', ')}: they override IRSA, even when empty`,
      {
        fix: 'Remove AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the component env (and set global.documentStore.type.aws.irsa.enabled: true for an S3 document store).',
      },
    );
  }
}

async function checkComponent(ctx: Context, c: PlannedComponent, out: Reporter): Promise<void> {
  const ns = ctx.options.namespace;
  const sa = c.serviceAccount;
  if (!sa.enabled) {
    const key = c.key === 'identityKeycloak' ? 'serviceAccount.create' : 'serviceAccount.enabled';
    out.fail(
      CODE_SA_DISABLED,
      `${c.key}.${key} is false: the chart creates no service account, so the pods run as "default"`,
      {
        fix: `Set ${c.key}.${key}: true and annotate it with ${ROLE_ARN_ANNOTATION}.`,
      },
    );
    return;
  }
  const [account, pods] = await Promise.all([ctx.kube.serviceAccount(ns, sa.name), ctx.kube.pods(ns)]);
  checkStaticKeys(ctx, c, pods, out);
  if (!account) {
    out.fail(CODE_NO_ANNOTATION, `service account ${sa.name} does not exist in namespace ${ns}`, {
      fix: `Deploy the release with ${c.key}.serviceAccount.enabled: true, or set ${c.key}.serviceAccount.name to the existing service account.`,
    });
    return;
  }
  if (!(ROLE_ARN_ANNOTATION in account.annotations)) {
    out.fail(CODE_NO_ANNOTATION, `service account ${sa.name} has no ${ROLE_ARN_ANNOTATION} annotation`, {
      fix: `Set ${c.key}.serviceAccount.annotations."${ROLE_ARN_ANNOTATION}" to the component's IAM role ARN.`,
    });
    return;
  }
  const roleArn = account.annotations[ROLE_ARN_ANNOTATION]!.trim();
  if (roleArn === '') {
    out.fail(
      CODE_EMPTY_ROLE,
      `service account ${sa.name} has an empty ${ROLE_ARN_ANNOTATION} annotation: role checks skipped`,
      {
        fix: `Set ${c.key}.serviceAccount.annotations."${ROLE_ARN_ANNOTATION}" to the component's IAM role ARN.`,
      },
    );
    return;
  }
  const problem = describeRoleArnProblem(account.annotations[ROLE_ARN_ANNOTATION]!);
  if (problem) {
    out.fail(
      CODE_BAD_ARN,
      `the ${ROLE_ARN_ANNOTATION} annotation "${roleArn}" is not a role ARN: ${problem}`,
      {
        fix: 'Correct the annotation to arn:<partition>:iam::<12-digit account>:role/[path/]<name>.',
      },
    );
    return;
  }
  ctx.facts.roleArns.set(c.key, roleArn);
  out.ok(`service account ${sa.name} is annotated with role ${roleArn}`);
  const audience = account.annotations[AUDIENCE_ANNOTATION];
  if (audience) out.info(`service account ${sa.name} requests token audience ${audience}`);
  checkPods(c, roleArn, pods, out);
}

export const serviceAccounts = defineModule({
  id: 'service-accounts',
  title: 'Service accounts and pods',
  codes: [
    {
      code: CODE_SA_DISABLED,
      title: 'the component’s service account is disabled in the values',
      fix: 'Enable the component’s service account.',
    },
    {
      code: CODE_NO_ANNOTATION,
      title: 'service account missing, or without the eks.amazonaws.com/role-arn annotation',
      fix: 'Annotate the service account with the role ARN.',
    },
    {
      code: CODE_EMPTY_ROLE,
      title: 'the role-arn annotation is empty (role checks skipped)',
      fix: 'Set the role ARN annotation.',
    },
    {
      code: CODE_POD_INJECTION,
      title: 'running pods lack the injected AWS_ROLE_ARN / token file, or use another service account',
      fix: 'Restart the pods after annotating the service account.',
    },
    {
      code: CODE_STATIC_KEYS,
      title: 'static AWS keys in the component env override IRSA',
      fix: 'Remove AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from the env.',
    },
    {
      code: CODE_BAD_ARN,
      title: 'the role-arn annotation is not a well-formed role ARN',
      fix: 'Correct the role ARN annotation.',
    },
  ],
  async run(ctx, out) {
    if (!requireRelease(ctx, out)) return;
    const planned = ctx.facts.plan ?? [];
    await eachInOrder(
      planned,
      out,
      (c) => c.key,
      (c, o) => checkComponent(ctx, c, o),
    );
  },
});
