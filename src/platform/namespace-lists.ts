/**
 * `-A` reads a namespace once, not once per release and component: a ServiceAccount is looked
 * up in its namespace's list (one `list serviceaccounts` per namespace, memoised by the call log
 * like every call, so each namespace's list is sent once however many releases it holds) instead
 * of one `get` per component. Where the list is forbidden (RBAC granting only `get`), it falls
 * back to the per-name get, so `-A` needs no more permissions than a single run.
 */
import { ApiCallError } from '../core/errors.js';
import type { Kube, KubeServiceAccount } from '../ports/kube.js';

export function listedPerNamespace(kube: Kube): Kube {
  const serviceAccount = async (ns: string, name: string): Promise<KubeServiceAccount | undefined> => {
    let listed: KubeServiceAccount[];
    try {
      listed = await kube.serviceAccounts(ns);
    } catch (e) {
      if (e instanceof ApiCallError && e.isAccessDenied) return kube.serviceAccount(ns, name);
      throw e;
    }
    return listed.find((sa) => sa.name === name);
  };
  return new Proxy(kube, {
    get: (target, prop, receiver) =>
      prop === 'serviceAccount' ? serviceAccount : Reflect.get(target, prop, receiver),
  });
}
