/**
 * The namespace kubectl would use when -n is not given: the one set on the kubeconfig's
 * current (or --context) context (kubectl's `--namespace` falls back to it, see
 * https://kubernetes.io/docs/reference/kubectl/generated/kubectl_config/kubectl_config_set-context/).
 * Undefined when none is set or the kubeconfig cannot be read: the run itself then reports why.
 */
export async function contextNamespace(
  kubeconfig?: string,
  context?: string,
): Promise<{ namespace: string; context: string } | undefined> {
  try {
    const { loadKubeConfig } = await import('./live-kube.js');
    const { kc } = loadKubeConfig({ kubeconfig, context });
    const current = kc.getCurrentContext();
    const ns = kc.getContextObject(current)?.namespace;
    return ns && ns !== '' ? { namespace: ns, context: current } : undefined;
  } catch {
    return undefined;
  }
}
