/** Kubernetes API failures in one shape, for live-kube and the Job runner alike. */
import * as k8s from '@kubernetes/client-node';
import { ApiCallError } from '../core/errors.js';

export function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}

/** client-node's exceptions → ApiCallError with Kubernetes' own reason and message. */
export function kubeError(operation: string, e: unknown): ApiCallError {
  if (e instanceof k8s.ApiException) {
    let body: { reason?: string; message?: string } = {};
    try {
      body = typeof e.body === 'string' ? JSON.parse(e.body) : (e.body as typeof body);
    } catch {
      /* a non-JSON body (proxy error page): keep the status alone */
    }
    const reason = body?.reason ?? `HTTP${e.code}`;
    return new ApiCallError('kube', operation, reason, body?.message ?? `HTTP ${e.code}`, e.code);
  }
  const cause = (e as { cause?: { code?: string } })?.cause;
  const code = cause?.code ?? (e as { code?: string })?.code;
  if (code && /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|EAI_AGAIN/.test(code)) {
    return new ApiCallError('kube', operation, 'Unreachable', `API server unreachable (${code})`);
  }
  return new ApiCallError('kube', operation, 'Error', firstLine(e));
}
