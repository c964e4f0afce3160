/**
 * The pods of a planned component: those running as its ServiceAccount, and (for a
 * chart-generated ServiceAccount) those named after it that run as another one. The
 * same rule the service-accounts check applies, shared by the runtime checks.
 */
import type { PlannedComponent } from '../engine/facts.js';
import type { KubePod } from '../ports/kube.js';

export function componentPods(pods: KubePod[], c: PlannedComponent): KubePod[] {
  const sa = c.serviceAccount.name;
  return pods.filter(
    (p) =>
      p.serviceAccountName === sa || (c.serviceAccount.how === 'generated' && p.name.startsWith(`${sa}-`)),
  );
}

/** The component's running pods that use its own ServiceAccount: those IRSA applies to. */
export function runningPodsOf(pods: KubePod[], c: PlannedComponent): KubePod[] {
  return componentPods(pods, c).filter(
    (p) => p.phase === 'Running' && p.serviceAccountName === c.serviceAccount.name,
  );
}

/** A pod's env as one map over its containers. */
export function podEnv(pod: KubePod): Map<string, string | undefined> {
  return new Map(pod.containers.flatMap((ct) => ct.env.map((e) => [e.name, e.value] as const)));
}
