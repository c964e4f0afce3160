/**
 * Each component's ServiceAccount: enabled in the values, present, annotated with
 * a well-formed role ARN, no static AWS keys overriding IRSA, and its running pods
 * carrying the injected role. An EKS Pod Identity association for the ServiceAccount takes
 * precedence over the annotation (platform/pod-identity.ts): then no annotation is needed and
 * the pods must carry the container-credentials variables. Provides the roleArns fact
 * (component → the role its pods use) and credentialSources (how they get it).
 */
import { defineModule } from '../engine/module.js';
import type { Reporter } from '../core/reporter.js';
import type { PlannedComponent } from '../engine/facts.js';
import type { Values } from '../helm/values.js';
import { AUDIENCE_ANNOTATION, ROLE_ARN_ANNOTATION, type KubePod } from '../ports/kube.js';
import { describeRoleArnProblem } from '../iam/arn.js';
import type { PodIdentityAssociation } from '../ports/aws.js';
import {
  CONTAINER_AUTHORIZATION_TOKEN_FILE,
  CONTAINER_CREDENTIALS_FULL_URI,
  credentialSource,
  type CredentialSource,
} from '../platform/pod-identity.js';
import { valuesEnv } from '../helm/chart/env.js';
import { hasPlaceholder, skipUnrendered } from '../helm/placeholders.js';
import { componentPods } from '../platform/component-pods.js';
import {
  collectServiceAccounts,
  isExternal,
  usesChartServiceAccount as readsServiceAccount,
  type ComponentSnapshot,
  type EnvSourceId,
  type EnvSourceKeys,
  type ServiceAccountsInput,
} from '../collectors/service-accounts.js';
import { ApiCallError } from '../core/errors.js';
import { kubeGrantHint } from '../platform/kube-grant.js';

const STATIC_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

const CHECKS = {
  'sa-enabled': {
    severity: 'FAIL',
    code: 101,
    title: 'the component’s service account is disabled in the values',
    fix: 'Enable the component’s service account.',
  },
  'sa-exists': {
    severity: 'FAIL',
    code: 110,
    title: 'the component’s service account does not exist in the namespace',
    fix: 'Deploy the release with the service account enabled, or set its name to an existing one.',
  },
  'sa-annotation': {
    severity: 'FAIL',
    code: 110,
    title: 'the service account has no eks.amazonaws.com/role-arn annotation',
    fix: 'Annotate the service account with the role ARN.',
  },
  'sa-role-empty': {
    severity: 'FAIL',
    code: 163,
    title: 'the role-arn annotation is empty (role checks skipped)',
    fix: 'Set the role ARN annotation.',
  },
  'sa-role-arn': {
    severity: 'FAIL',
    code: 224,
    title: 'the role-arn annotation is not a well-formed role ARN',
    fix: 'Correct the role ARN annotation.',
  },
  'sa-static-keys': {
    severity: 'FAIL',
    code: 223,
    title:
      'static AWS keys in a pod of the component (env or envFrom, any container: init, main, sidecar) override IRSA',
    fix: 'Remove AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from the env.',
  },
  'sa-shared-credentials': {
    severity: 'WARN',
    title:
      'the pods can read AWS credentials from a shared credentials/config file (AWS_PROFILE, a mounted .aws)',
    fix: 'Remove AWS_PROFILE/AWS_SHARED_CREDENTIALS_FILE/AWS_CONFIG_FILE and mounted .aws directories from the pods.',
  },
  'pod-service-account': {
    severity: 'FAIL',
    code: 221,
    title: 'a running pod of the component uses another service account',
    fix: 'Set the component’s serviceAccount.name to the annotated service account.',
  },
  'pod-injection': {
    severity: 'FAIL',
    code: 221,
    title: 'running pods lack the injected AWS_ROLE_ARN / token file (started before the annotation)',
    fix: 'Restart the pods after annotating the service account.',
  },
  'pod-role-current': {
    severity: 'FAIL',
    code: 221,
    title: 'running pods carry another AWS_ROLE_ARN than the current annotation',
    fix: 'Restart the pods so they pick up the current annotation.',
  },
} as const;
type Id = keyof typeof CHECKS;

function checkPods(c: PlannedComponent, source: CredentialSource, pods: KubePod[], out: Reporter<Id>): void {
  const sa = c.serviceAccount.name;
  const roleArn = source.roleArn;
  const running = componentPods(pods, c).filter((p) => p.phase === 'Running');
  if (running.length === 0) {
    out.info(
      `no running pods use service account ${sa}: ${source.mechanism === 'irsa' ? 'IRSA' : 'Pod Identity'} injection not checked`,
    );
    return;
  }
  let good = 0;
  for (const pod of running) {
    if (pod.serviceAccountName !== sa) {
      out.fail(
        'pod-service-account',
        `pod ${pod.name} runs as service account ${pod.serviceAccountName ?? 'default'}, not ${sa}`,
        {
          fix: `Set ${c.key}.serviceAccount.name to ${sa} (or annotate the service account the pod uses).`,
        },
      );
      continue;
    }
    const env = new Map(pod.containers.flatMap((ct) => ct.env.map((e) => [e.name, e.value] as const)));
    const injected = env.get('AWS_ROLE_ARN');
    if (source.mechanism === 'pod-identity') {
      // The webhook injects the container-credentials variables, no role ARN (pod-identity.ts).
      if (!env.has(CONTAINER_CREDENTIALS_FULL_URI) || !env.has(CONTAINER_AUTHORIZATION_TOKEN_FILE)) {
        out.fail(
          'pod-injection',
          `pod ${pod.name} has no ${CONTAINER_CREDENTIALS_FULL_URI}/${CONTAINER_AUTHORIZATION_TOKEN_FILE}: it started before Pod Identity association ${source.association.associationId}${injected ? ` and still uses IRSA (AWS_ROLE_ARN ${injected})` : ''}`,
          { fix: `Restart the pods: kubectl rollout restart -n ${pod.namespace} for the ${c.key} workload.` },
        );
      } else good++;
      continue;
    }
    if (injected === undefined || !env.has('AWS_WEB_IDENTITY_TOKEN_FILE')) {
      out.fail(
        'pod-injection',
        `pod ${pod.name} has no AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE: it started before the role annotation was added`,
        { fix: `Restart the pods: kubectl rollout restart -n ${pod.namespace} for the ${c.key} workload.` },
      );
    } else if (injected !== roleArn) {
      out.fail(
        'pod-role-current',
        `pod ${pod.name} runs with AWS_ROLE_ARN ${injected}, but the annotation says ${roleArn}`,
        {
          fix: `Restart the pods so they pick up the current annotation (kubectl rollout restart -n ${pod.namespace}).`,
        },
      );
    } else good++;
  }
  if (good > 0 && source.mechanism === 'pod-identity') {
    out.ok(
      'pod-injection',
      `${good} running pod(s) carry the Pod Identity container-credentials variables (role ${roleArn})`,
    );
  } else if (good > 0) out.ok('pod-injection', `${good} running pod(s) carry the injected role ${roleArn}`);
}

/**
 * Variables that point the AWS SDK at a shared credentials/config file. The Java SDK v2 default
 * chain (Camunda, the AWS JDBC wrapper) tries web identity before the profile file, but other
 * SDKs in the pod (sidecars, init containers, the AWS CLI) read the file first.
 */
const SHARED_FILE_VARS = ['AWS_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE'];
const AWS_DIR = /(^|\/)\.aws(\/|$)/;

/** `pod p` for the main container (as before), `pod p container c (init|sidecar)` otherwise. */
function where(pod: KubePod, ct: KubePod['containers'][number]): string {
  const main = pod.containers.filter((x) => !x.init)[0];
  if (ct === main) return `pod ${pod.name}`;
  return `pod ${pod.name} ${ct.init ? 'init container' : 'sidecar'} ${ct.name}`;
}

function checkStaticKeys(
  input: Pick<ServiceAccountsInput, 'noCluster' | 'namespace'>,
  values: Values,
  c: PlannedComponent,
  pods: KubePod[],
  envSources: ReadonlyMap<EnvSourceId, EnvSourceKeys>,
  out: Reporter<Id>,
): void {
  const found = new Set<string>();
  const shared = new Set<string>();
  const unread = new Map<EnvSourceId, { kind: 'Secret' | 'ConfigMap'; error: unknown }>();
  for (const pod of componentPods(pods, c)) {
    for (const ct of pod.containers) {
      for (const e of ct.env) {
        if (STATIC_KEYS.includes(e.name)) found.add(where(pod, ct));
        if (SHARED_FILE_VARS.includes(e.name)) shared.add(`${e.name} in ${where(pod, ct)}`);
      }
      for (const path of ct.mountPaths ?? [])
        if (AWS_DIR.test(path)) shared.add(`a volume mounted at ${path} in ${where(pod, ct)}`);
      // envFrom: every key of the Secret/ConfigMap becomes a variable; only key names are read.
      for (const src of ct.envFrom ?? []) {
        const id = `${src.kind}/${src.name}`;
        const read = envSources.get(id) ?? [];
        const keys = Array.isArray(read) ? read : [];
        if (!Array.isArray(read)) unread.set(id, { kind: src.kind, error: read.error });
        const names = keys.map((k) => `${src.prefix ?? ''}${k}`);
        const via = `${src.kind} ${src.name} (envFrom) of ${where(pod, ct)}`;
        if (names.some((n) => STATIC_KEYS.includes(n))) found.add(via);
        for (const n of names.filter((n) => SHARED_FILE_VARS.includes(n))) shared.add(`${n} from ${via}`);
      }
    }
  }
  // Not readable: said, never taken as "no static keys". A 403 (no `get` on secrets) names the
  // grant; a lost API server is the connectivity FAIL (exit 3), any other failure irsa-check's
  // "cannot call" (Reporter.unexpected).
  for (const [id, { kind, error }] of unread) {
    if (!(error instanceof ApiCallError && error.isAccessDenied)) {
      out.unexpected(error);
      continue;
    }
    const resource = kind === 'Secret' ? 'secrets' : 'configmaps';
    out.info(
      `the keys of ${id} (envFrom) cannot be read (${error.reason}): static AWS keys from it are not checked; ${kubeGrantHint('envSourceKeys', input.namespace, resource)}`,
    );
  }
  if (shared.size > 0) {
    out.warn(
      'sa-shared-credentials',
      `the pods can read AWS credentials from a file: ${[...shared].join(', ')}; an SDK that reads the shared credentials file before web identity uses it instead of IRSA`,
      {
        fix: 'Remove AWS_PROFILE/AWS_SHARED_CREDENTIALS_FILE/AWS_CONFIG_FILE and the mounted .aws directory from the pods.',
      },
    );
  }
  // The env the chart renders from the values (every container, sub-workload and sidecar).
  const rendered = valuesEnv(values, c.key);
  for (const e of rendered.env) if (STATIC_KEYS.includes(e.name)) found.add(`values ${e.path}`);
  if (pods.length === 0 && input.noCluster) {
    // Offline only (live, the pods' own env says it): what the values hand the containers.
    const files = rendered.env.filter((e) => SHARED_FILE_VARS.includes(e.name));
    if (files.length > 0)
      out.warn(
        'sa-shared-credentials',
        `the pods can read AWS credentials from a file: ${files.map((e) => `${e.name} in values ${e.path}`).join(', ')}; an SDK that reads the shared credentials file before web identity uses it instead of IRSA`,
        {
          fix: 'Remove AWS_PROFILE/AWS_SHARED_CREDENTIALS_FILE/AWS_CONFIG_FILE and the mounted .aws directory from the pods.',
        },
      );
    for (const r of rendered.envFrom)
      out.info(
        `${r.kind} ${r.name} (${r.path}) is read only in the cluster: static AWS keys from it are not checked`,
      );
  }
  if (found.size > 0) {
    out.fail(
      'sa-static-keys',
      `static AWS keys (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) are set in ${[...found].join(', ')}: they override IRSA, even when empty`,
      {
        fix: 'Remove AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the component env (and set global.documentStore.type.aws.irsa.enabled: true for an S3 document store).',
      },
    );
  }
}

/**
 * The role-arn annotation of a component's ServiceAccount, judged the same way whether it was read
 * from the cluster (live, replay) or is the one the chart will render from the values (values-only
 * mode without a cluster, `rendered`): missing, empty, malformed or well-formed. Returns the role
 * ARN when it is usable.
 */
export function judgeAnnotation(
  c: PlannedComponent,
  annotations: Readonly<Record<string, string>>,
  external: boolean,
  out: Reporter<Id>,
  rendered = false,
): string | undefined {
  const sa = c.serviceAccount;
  // An externally created service account is annotated where it is created, not through the chart.
  const annotateFix = external
    ? `Annotate service account ${sa.name} (created outside the chart) with ${ROLE_ARN_ANNOTATION}: <the component's IAM role ARN>.`
    : `Set ${c.key}.serviceAccount.annotations."${ROLE_ARN_ANNOTATION}" to the component's IAM role ARN.`;
  const what = rendered
    ? `service account ${sa.name} (as the chart renders it)`
    : `service account ${sa.name}`;
  if (!(ROLE_ARN_ANNOTATION in annotations)) {
    out.fail('sa-annotation', `${what} has no ${ROLE_ARN_ANNOTATION} annotation`, { fix: annotateFix });
    return undefined;
  }
  const roleArn = annotations[ROLE_ARN_ANNOTATION]!.trim();
  if (roleArn === '') {
    out.fail('sa-role-empty', `${what} has an empty ${ROLE_ARN_ANNOTATION} annotation: role checks skipped`, {
      fix: annotateFix,
    });
    return undefined;
  }
  const problem = describeRoleArnProblem(annotations[ROLE_ARN_ANNOTATION]!);
  if (problem) {
    out.fail(
      'sa-role-arn',
      `the ${ROLE_ARN_ANNOTATION} annotation "${roleArn}"${rendered ? ` of ${what}` : ''} is not a role ARN: ${problem}`,
      {
        fix: 'Correct the annotation to arn:<partition>:iam::<12-digit account>:role/[path/]<name>.',
      },
    );
    return undefined;
  }
  out.ok('sa-annotation', `${what} is annotated with role ${roleArn}`);
  return roleArn;
}

/** False (after one FAIL) when the switch is off and no name is set: the pods run as "default". */
function usesChartServiceAccount(c: PlannedComponent, out: Reporter<Id>): boolean {
  if (readsServiceAccount(c)) return true;
  const key = c.key === 'identityKeycloak' ? 'serviceAccount.create' : 'serviceAccount.enabled';
  out.fail(
    'sa-enabled',
    `${c.key}.${key} is false: the chart creates no service account, so the pods run as "default"`,
    {
      fix: `Set ${c.key}.${key}: true and annotate it with ${ROLE_ARN_ANNOTATION}.`,
    },
  );
  return false;
}

/**
 * Values-only mode without a cluster: the ServiceAccount as the chart will render it is judged by
 * the same rules as a live one; static keys come from the values. A ServiceAccount created outside
 * the chart cannot be seen: said once, never OK and never FAIL.
 */
function checkRendered(
  input: Pick<ServiceAccountsInput, 'noCluster' | 'namespace'>,
  values: Values,
  c: PlannedComponent,
  associations: ReadonlyMap<string, PodIdentityAssociation> | undefined,
  out: Reporter<Id>,
): CredentialSource | undefined {
  // An association (read from EKS with AWS access) wins over the annotation, offline as live.
  const association = associations?.get(c.serviceAccount.name);
  if (association) {
    const source = credentialSource(
      c.serviceAccount.annotations[ROLE_ARN_ANNOTATION]?.trim() || undefined,
      association,
    );
    if (source) {
      out.ok(
        'sa-annotation',
        `service account ${c.serviceAccount.name} gets role ${source.roleArn} from EKS Pod Identity association ${association.associationId}`,
      );
      return source;
    }
  }
  if (!usesChartServiceAccount(c, out)) return undefined;
  checkStaticKeys(input, values, c, [], new Map(), out);
  if (isExternal(c)) {
    out.info(
      `service account ${c.serviceAccount.name} is created outside the chart: without the cluster its annotation cannot be seen, so it is not checked (role checks skipped)`,
    );
    return undefined;
  }
  const roleArn = judgeAnnotation(c, c.serviceAccount.annotations, false, out, true);
  // An unrendered name (`${SA_NAME}`): no trust policy can be checked against it.
  if (roleArn === undefined || hasPlaceholder(c.serviceAccount.name)) return undefined;
  return { mechanism: 'irsa', roleArn };
}

/**
 * Checks one component's service account and pods; returns how its pods get credentials: the
 * Pod Identity association when there is one (it takes precedence over the annotation), else
 * the annotated role when the annotation is usable.
 */
function checkComponent(
  input: ServiceAccountsInput,
  c: PlannedComponent,
  snapshot: ComponentSnapshot | undefined,
  out: Reporter<Id>,
): CredentialSource | undefined {
  const ns = input.namespace;
  const sa = c.serviceAccount;
  const external = isExternal(c);
  if (!usesChartServiceAccount(c, out)) return;
  if (snapshot === undefined || snapshot.kind === 'not-read') return;
  if (snapshot.kind === 'error') {
    out.unexpected(snapshot.error);
    return;
  }
  const { account, pods } = snapshot;
  const associations = input.associations;
  checkStaticKeys(input, input.values, c, pods, snapshot.envSources, out);
  if (!account && external) {
    const key = c.key === 'identityKeycloak' ? 'serviceAccount.create' : 'serviceAccount.enabled';
    out.fail(
      'sa-exists',
      `service account ${sa.name} does not exist in namespace ${ns}: with ${c.key}.${key}: false the chart does not create it, and the pods run as it`,
      {
        fix: `Create service account ${sa.name} in namespace ${ns} (annotated with ${ROLE_ARN_ANNOTATION}), or set ${c.key}.${key}: true.`,
      },
    );
    return;
  }
  if (!account) {
    out.fail('sa-exists', `service account ${sa.name} does not exist in namespace ${ns}`, {
      fix: `Deploy the release with ${c.key}.serviceAccount.enabled: true, or set ${c.key}.serviceAccount.name to the existing service account.`,
    });
    return;
  }
  const association = associations?.get(sa.name);
  const viaPodIdentity = credentialSource(
    account.annotations[ROLE_ARN_ANNOTATION]?.trim() || undefined,
    association,
  );
  if (viaPodIdentity?.mechanism === 'pod-identity') {
    // No annotation needed, and one present is unused (the pod-identity lines say so).
    out.ok(
      'sa-annotation',
      `service account ${sa.name} gets role ${viaPodIdentity.roleArn} from EKS Pod Identity association ${viaPodIdentity.association.associationId}`,
    );
    checkPods(c, viaPodIdentity, pods, out);
    return viaPodIdentity;
  }
  const roleArn = judgeAnnotation(c, account.annotations, external, out);
  if (roleArn === undefined) return;
  const audience = account.annotations[AUDIENCE_ANNOTATION];
  if (audience) out.info(`service account ${sa.name} requests token audience ${audience}`);
  const source: CredentialSource = { mechanism: 'irsa', roleArn };
  checkPods(c, source, pods, out);
  return source;
}

export const serviceAccounts = defineModule({
  id: 'service-accounts',
  title: 'Service accounts and pods',
  needs: ['plan', 'values'],
  uses: ['podIdentity', 'kubernetes'],
  provides: ['roleArns', 'credentialSources'],
  checks: CHECKS,
  collect: collectServiceAccounts,
  evaluate(input, reporter, facts) {
    const out = skipUnrendered(reporter, input.valuesGiven);
    const { plan, values } = input;
    // Values-only mode without a cluster: the ServiceAccounts as the chart will render them stand
    // for the live ones (the same rules judge them); their pods need the cluster.
    if (input.offline)
      out.info(
        'skipped: needs the Kubernetes cluster for the pods; the service accounts are checked as the chart renders them',
      );
    // Components in the plan's order, each with its own reporter (as eachInOrder did when this gathered).
    const roleArns = new Map<string, string>();
    const credentialSources = new Map<string, CredentialSource>();
    for (const c of plan) {
      const { reporter: o, flush } = out.buffered(c.key);
      let source: CredentialSource | undefined;
      try {
        source = input.offline
          ? checkRendered(input, values, c, input.associations, o)
          : checkComponent(input, c, input.components.get(c.key), o);
      } catch (error) {
        o.unexpected(error);
      }
      flush();
      if (source === undefined) continue;
      roleArns.set(c.key, source.roleArn);
      credentialSources.set(c.key, source);
    }
    facts.provide('credentialSources', credentialSources);
    facts.provide('roleArns', roleArns);
  },
});
