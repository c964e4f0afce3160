/**
 * The RBAC hint of a "could not read" line: what to grant, taken from what the call declares it
 * needs (KUBE_PERMISSIONS, the same table README "Permissions" is generated from), so the hint
 * and the README cannot drift apart.
 */
import { KUBE_PERMISSIONS, type Kube } from '../ports/kube.js';

/**
 * "grant list on deployments.apps, statefulsets.apps in namespace camunda (README, "Permissions")".
 * `resource` narrows a call that needs several (envSourceKeys: secrets or configmaps).
 */
export function kubeGrantHint(method: keyof Kube, namespace?: string, resource?: string): string {
  const verbs = new Set<string>();
  const resources: string[] = [];
  let namespaced = false;
  for (const g of KUBE_PERMISSIONS[method]) {
    if (!('resources' in g)) continue;
    const wanted = g.resources.filter((r) => resource === undefined || r === resource);
    if (wanted.length === 0) continue;
    g.verbs.forEach((v) => verbs.add(v));
    for (const r of wanted) resources.push(g.group ? `${r}.${g.group}` : r);
    namespaced ||= g.scope === 'namespace';
  }
  const where = namespaced && namespace ? ` in namespace ${namespace}` : '';
  return `grant ${[...verbs].join(', ')} on ${resources.join(', ')}${where} (README, "Permissions")`;
}
