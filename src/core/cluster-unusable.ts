/**
 * Kubernetes failures that mean irsa-check cannot talk to the cluster (README "Exit codes",
 * code 3): a timeout, a reset, a TLS certificate the kubeconfig does not trust, an
 * unreachable server, something that is no API server, an exec plugin that fails. Whichever
 * module meets one, at the run's first calls or at any later one, stops the run with it: an
 * API server that stopped answering makes every later answer suspect, and the exit code
 * must say "connectivity" (3), not "could not ask" (2) or a check's own code.
 */
import { ApiCallError, FatalCheckError } from './errors.js';
import { RUN_CHECKS } from './catalogue.js';

function at(server: string | undefined): string {
  return server ? `the Kubernetes API server at ${server}` : 'the Kubernetes API server';
}

/**
 * The connectivity FAIL for a Kubernetes call that failed for the network, TLS, the exec
 * plugin or a server that is no API server; undefined for every other failure (a 403, a 404,
 * an answer cut short, a 401: those are that call's answer, not the connection's).
 */
export function kubeConnectionLost(e: unknown, server?: string): FatalCheckError | undefined {
  if (!(e instanceof ApiCallError) || e.api !== 'kube') return undefined;
  const where = server ?? e.server;
  if (e.reason === 'Timeout') {
    const c = RUN_CHECKS['kube-timeout'];
    return new FatalCheckError(
      'kube-timeout',
      c.code,
      `${at(where)} did not answer ${e.operation}: ${e.message}`,
      c.fix,
    );
  }
  if (e.reason === 'NotKubernetes') {
    const c = RUN_CHECKS['not-kubernetes-api'];
    return new FatalCheckError(
      'not-kubernetes-api',
      c.code,
      `${where ?? 'the kubeconfig’s server'} is not a Kubernetes API server: ${e.operation} answered ${e.message}`,
      c.fix,
    );
  }
  if (e.reason === 'Unreachable') {
    const c = RUN_CHECKS['kube-unreachable'];
    return new FatalCheckError('kube-unreachable', c.code, `cannot reach ${at(where)}: ${e.message}`, c.fix);
  }
  if (e.reason === 'Reset') {
    // A reset is a reset, at once: a proxy, a load balancer or the server dropping the connection.
    const c = RUN_CHECKS['kube-unreachable'];
    return new FatalCheckError(
      'kube-unreachable',
      c.code,
      `${at(where)} dropped the connection during ${e.operation}: ${e.message}`,
      'Check the proxy, load balancer or VPN between irsa-check and the cluster endpoint (a reset came from one of them or the API server), then run irsa-check again.',
    );
  }
  if (e.reason === 'TLS') {
    const c = RUN_CHECKS['kube-tls'];
    return new FatalCheckError(
      'kube-tls',
      c.code,
      `${at(where)} presents a certificate the kubeconfig does not trust (${e.message})`,
      c.fix,
    );
  }
  if (e.reason === 'ExecPlugin') {
    const c = RUN_CHECKS['kube-exec-plugin'];
    return new FatalCheckError('kube-exec-plugin', c.code, e.message, c.fix);
  }
  return undefined;
}

/**
 * What the run's first Kubernetes calls (namespace, nodes, Helm release) stop on: the
 * connectivity failures above, and credentials the API server rejects (401). Later in a
 * run a 401 is credentials that expired meanwhile (Reporter.unexpected, exit 2).
 */
export function clusterUnusable(e: unknown, server: string): FatalCheckError | undefined {
  const lost = kubeConnectionLost(e, server);
  if (lost) return lost;
  if (e instanceof ApiCallError && e.api === 'kube' && e.status === 401) {
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
