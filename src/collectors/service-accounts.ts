/**
 * Gathers what the service-accounts check judges: per component, its ServiceAccount as the
 * cluster holds it, the namespace's pods, and the key names of the Secrets and ConfigMaps its
 * pods load with `envFrom` (never their values). Offline (values-only without a cluster) there
 * is nothing to gather: the ServiceAccounts are judged as the chart renders them.
 */
import type { ModuleContext } from '../engine/module.js';
import type { PlannedComponent } from '../engine/facts.js';
import type { Values } from '../helm/values.js';
import type { KubePod, KubeServiceAccount } from '../ports/kube.js';
import type { PodIdentityAssociation } from '../ports/aws.js';
import { componentPods } from '../platform/component-pods.js';

/**
 * serviceAccountName helper (camundaPlatform.serviceAccountName, Bitnami common.names.serviceAccountName):
 * with the switch off, the pods run as `serviceAccount.name` when set (created outside the chart).
 */
export function isExternal(c: PlannedComponent): boolean {
  return !c.serviceAccount.enabled && c.serviceAccount.how === 'values';
}

/** Whether the pods run as a ServiceAccount worth reading (else they run as "default": one FAIL, no reads). */
export function usesChartServiceAccount(c: PlannedComponent): boolean {
  return c.serviceAccount.enabled || isExternal(c);
}

/** `Secret/name` or `ConfigMap/name`: an envFrom source as the check names it. */
export type EnvSourceId = string;

/**
 * An envFrom source's key names, or why they could not be read (the evaluator words it: a lost
 * API server is the connectivity FAIL, a 403 the RBAC hint; never taken as "no keys").
 */
export type EnvSourceKeys = string[] | { error: unknown };

export type ComponentSnapshot =
  | { kind: 'not-read' }
  | { kind: 'error'; error: unknown }
  | {
      kind: 'read';
      account: KubeServiceAccount | undefined;
      pods: KubePod[];
      /** Key names per envFrom source, in the order first met, or the error reading them. */
      envSources: ReadonlyMap<EnvSourceId, EnvSourceKeys>;
    };

export interface ServiceAccountsInput {
  namespace: string;
  plan: PlannedComponent[];
  values: Values;
  /** `--values` given: findings about unrendered placeholders are dropped (skipUnrendered). */
  valuesGiven: boolean;
  /** Values-only without a cluster: the ServiceAccounts as the chart renders them stand for the live ones. */
  offline: boolean;
  /** The run has no cluster at all (scope.noCluster). */
  noCluster: boolean;
  associations: ReadonlyMap<string, PodIdentityAssociation> | undefined;
  /** By component key; offline: empty. */
  components: ReadonlyMap<string, ComponentSnapshot>;
}

export async function collectServiceAccounts(
  ctx: ModuleContext<'plan' | 'values', 'podIdentity' | 'kubernetes'>,
): Promise<ServiceAccountsInput> {
  const { plan, values } = ctx.facts;
  const ns = ctx.scope.namespace;
  const offline = !(await ctx.use('kubernetes'));
  // The ServiceAccounts and pods are read before the Pod Identity associations arrive (EKS
  // DescribeCluster → ListPodIdentityAssociations, two round trips that were on the critical path
  // of every role, token and injection check): only which role wins waits for them.
  const components = new Map<string, ComponentSnapshot>();
  let reading: Promise<ComponentSnapshot[]> | undefined;
  if (!offline) {
    // One envFrom source's keys are read once for every component that loads it.
    const keysOf = new Map<EnvSourceId, Promise<EnvSourceKeys>>();
    reading = Promise.all(
      plan.map(async (c): Promise<ComponentSnapshot> => {
        if (!usesChartServiceAccount(c)) return { kind: 'not-read' };
        try {
          const [account, pods] = await Promise.all([
            ctx.kube.serviceAccount(ns, c.serviceAccount.name),
            ctx.kube.pods(ns),
          ]);
          const envSources = new Map<EnvSourceId, EnvSourceKeys>();
          for (const pod of componentPods(pods, c))
            for (const ct of pod.containers)
              for (const src of ct.envFrom ?? []) {
                const id = `${src.kind}/${src.name}`;
                if (envSources.has(id)) continue;
                if (!keysOf.has(id))
                  keysOf.set(
                    id,
                    // Absent (404, undefined): no keys, as the kubelet sees an optional source. Any
                    // other failure is kept as a value: "could not see" is not "no keys".
                    ctx.kube.envSourceKeys(ns, src.kind, src.name).then(
                      (keys) => keys ?? [],
                      (error: unknown) => ({ error }),
                    ),
                  );
                envSources.set(id, await keysOf.get(id)!);
              }
          return { kind: 'read', account, pods, envSources };
        } catch (error) {
          return { kind: 'error', error };
        }
      }),
    );
  }
  const associations = await ctx.use('podIdentity');
  if (reading) {
    const snapshots = await reading;
    plan.forEach((c, i) => components.set(c.key, snapshots[i]!));
  }
  return {
    namespace: ns,
    plan,
    values,
    valuesGiven: ctx.options.values.length > 0,
    offline,
    noCluster: ctx.scope.noCluster !== undefined,
    associations,
    components,
  };
}
