/** Kubernetes API failures in one shape, for live-kube and the Job runner alike. */
import * as k8s from '@kubernetes/client-node';
import { ApiCallError } from '../core/errors.js';
import { ConnectionResetError, RequestDeadlineError, serverOf } from './http-timeouts.js';
import { ExecPluginError } from './kube-transport.js';

export function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}

/** An HTML page (captive portal, proxy, web server) where the API server's JSON should be. */
function looksLikeHtml(text: unknown): boolean {
  return typeof text === 'string' && /^\s*(<!doctype html|<html|<head|<body|<\?xml)/i.test(text);
}

const NOT_KUBERNETES = 'NotKubernetes';

/** Thrown by live-kube's response check when an HTML page answers a Kubernetes call. */
export class NotKubernetesAnswer extends Error {
  override name = 'NotKubernetesAnswer';
  constructor(readonly status: number) {
    super(`HTTP ${status} with an HTML page`);
  }
}

/**
 * Node's codes for a server certificate the kubeconfig's CA does not vouch for (or that
 * does not name the server): a TLS problem of the kubeconfig or of a proxy in between.
 */
const TLS_CODES =
  /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|CERT_UNTRUSTED|CERT_REJECTED|CERT_SIGNATURE_FAILURE|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL_.*|EPROTO)$/;

/**
 * client-node's exceptions → ApiCallError with Kubernetes' own reason and message.
 * `answeredJson`: the server has answered JSON before, so a body that does not parse
 * was cut short, not sent by something that is no API server.
 */
export function kubeError(
  operation: string,
  e: unknown,
  timeoutMs?: number,
  answeredJson = false,
): ApiCallError {
  if (e instanceof ApiCallError) return e;
  const err = classify(operation, e, timeoutMs, answeredJson);
  // The transport knows which API server failed: the connectivity FAIL names it (core/cluster-unusable.ts).
  const server = serverOf(e);
  if (server !== undefined) err.server = server;
  return err;
}

function classify(
  operation: string,
  e: unknown,
  timeoutMs: number | undefined,
  answeredJson: boolean,
): ApiCallError {
  if (e instanceof RequestDeadlineError) return new ApiCallError('kube', operation, 'Timeout', e.message);
  if (e instanceof ConnectionResetError) return new ApiCallError('kube', operation, 'Reset', e.message);
  if (e instanceof ExecPluginError) return new ApiCallError('kube', operation, 'ExecPlugin', e.message);
  if (e instanceof NotKubernetesAnswer) {
    return new ApiCallError('kube', operation, NOT_KUBERNETES, e.message, e.status);
  }
  if (e instanceof k8s.ApiException) {
    let body: { reason?: string; message?: string } = {};
    try {
      body = typeof e.body === 'string' ? JSON.parse(e.body) : (e.body as typeof body);
    } catch {
      /* a non-JSON body: a proxy or web server answered, not the API server */
    }
    // Every API server error is JSON (a Status, or kube-apiserver's plain "404 page not found"
    // for an unknown API group); an HTML page means something else answered: a captive portal,
    // a corporate proxy, a plain web server.
    if (looksLikeHtml(e.body)) {
      return new ApiCallError('kube', operation, NOT_KUBERNETES, `HTTP ${e.code} with an HTML page`, e.code);
    }
    const reason = body?.reason ?? `HTTP${e.code}`;
    return new ApiCallError('kube', operation, reason, body?.message ?? `HTTP ${e.code}`, e.code);
  }
  // node-fetch's AbortError: the per-request AbortSignal.timeout fired (live-kube.ts).
  if ((e as { name?: string })?.name === 'AbortError' || (e as { name?: string })?.name === 'TimeoutError') {
    const secs = timeoutMs !== undefined ? `${timeoutMs / 1000} s` : 'its timeout';
    return new ApiCallError('kube', operation, 'Timeout', `no answer within ${secs}`);
  }
  // client-node parses a 2xx answer as JSON: a syntax error means an HTML page answered,
  // unless this server answered JSON before (a body cut short: the answer, not the server, is bad).
  if (e instanceof SyntaxError || /Unexpected token|is not valid JSON|JSON at position/i.test(firstLine(e))) {
    if (answeredJson) {
      return new ApiCallError(
        'kube',
        operation,
        'IncompleteAnswer',
        `the API server's answer is not complete JSON (cut short: ${firstLine(e)})`,
      );
    }
    return new ApiCallError('kube', operation, NOT_KUBERNETES, 'HTTP 200 with a body that is not JSON');
  }
  const cause = (e as { cause?: { code?: string } })?.cause;
  const code = cause?.code ?? (e as { code?: string })?.code;
  if (code && TLS_CODES.test(code)) {
    const why = (cause as { message?: string } | undefined)?.message ?? firstLine(e);
    return new ApiCallError('kube', operation, 'TLS', `${code}: ${why}`);
  }
  if (code && /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|EAI_AGAIN/.test(code)) {
    return new ApiCallError('kube', operation, 'Unreachable', `API server unreachable (${code})`);
  }
  return new ApiCallError('kube', operation, 'Error', firstLine(e));
}
