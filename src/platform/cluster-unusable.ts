/**
 * Kubernetes failures that mean irsa-check cannot talk to the cluster at all, so
 * nothing else can run: whichever module meets one first stops the run with it.
 */
import { ApiCallError, FatalCheckError } from '../core/errors.js';
import { RUN_CHECKS } from '../core/catalogue.js';

export function clusterUnusable(e: unknown, server: string): FatalCheckError | undefined {
  if (!(e instanceof ApiCallError) || e.api !== 'kube') return undefined;
  if (e.reason === 'Timeout') {
    const c = RUN_CHECKS['kube-timeout'];
    return new FatalCheckError(
      'kube-timeout',
      c.code,
      `the Kubernetes API server at ${server} did not answer ${e.operation}: ${e.message}`,
      c.fix,
    );
  }
  if (e.reason === 'NotKubernetes') {
    const c = RUN_CHECKS['not-kubernetes-api'];
    return new FatalCheckError(
      'not-kubernetes-api',
      c.code,
      `${server} is not a Kubernetes API server: ${e.operation} answered ${e.message}`,
      c.fix,
    );
  }
  if (e.reason === 'Unreachable') {
    const c = RUN_CHECKS['kube-unreachable'];
    return new FatalCheckError(
      'kube-unreachable',
      c.code,
      `cannot reach the Kubernetes API server at ${server}: ${e.message}`,
      c.fix,
    );
  }
  if (e.reason === 'Reset') {
    // A reset is a reset, at once: a proxy, a load balancer or the server dropping the connection.
    const c = RUN_CHECKS['kube-unreachable'];
    return new FatalCheckError(
      'kube-unreachable',
      c.code,
      `the Kubernetes API server at ${server} dropped the connection during ${e.operation}: ${e.message}`,
      'Check the proxy, load balancer or VPN between irsa-check and the cluster endpoint (a reset came from one of them or the API server), then run irsa-check again.',
    );
  }
  if (e.reason === 'TLS') {
    const c = RUN_CHECKS['kube-tls'];
    return new FatalCheckError(
      'kube-tls',
      c.code,
      `the Kubernetes API server at ${server} presents a certificate the kubeconfig does not trust (${e.message})`,
      c.fix,
    );
  }
  if (e.reason === 'ExecPlugin') {
    const c = RUN_CHECKS['kube-exec-plugin'];
    return new FatalCheckError('kube-exec-plugin', c.code, e.message, c.fix);
  }
  if (e.status === 401) {
    const c = RUN_CHECKS['kube-unauthorized'];
    return new FatalCheckError(
      'kube-unauthorized',
      c.code,
      `the Kubernetes API server at ${server} rejected irsa-check's credentials (Unauthorized)`,
      'Refresh the kubeconfig credentials, e.g. `aws eks update-kubeconfig --name <cluster>` or `aws sso login`.',
    );
  }
  return undefined;
}
