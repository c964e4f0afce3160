/**
 * One Kubernetes watch request (the verification Jobs' watches) with the transport's
 * deadlines (README "Timeouts"): connect, TLS handshake and the answer's headers within the
 * request timeout, like every request (http-timeouts.ts); the watch is asked to end after the
 * request timeout (`timeoutSeconds`, which kube-apiserver honours) and is ended here when the
 * server has not ended it one request timeout later (a dead connection sends nothing, ever).
 * The caller watches again from the current state.
 *
 * client-node's Watch (1.4.0, watch.js) bounds none of this: its fetch waits forever for an
 * API server that accepts the connection and never answers (the 30 s timeout signal it builds
 * is overwritten by its own abort signal), and a stalled stream is never noticed.
 */
import type { RequestOptions } from 'node:https';
import type * as k8s from '@kubernetes/client-node';
import { timedRequest } from './http-timeouts.js';

/** The API server answered the watch with another status than 200 (403, 410 Gone, 429, …). */
export class WatchStatusError extends Error {
  override name = 'WatchStatusError';
  constructor(
    readonly statusCode: number,
    body: string,
  ) {
    super(watchStatusMessage(statusCode, body));
  }
}

function watchStatusMessage(status: number, body: string): string {
  try {
    const s = JSON.parse(body) as { message?: unknown };
    if (typeof s?.message === 'string' && s.message !== '') return s.message;
  } catch {
    /* not a Status: the HTTP status says it */
  }
  return `HTTP ${status}`;
}

/** How long the server is asked to keep one watch open: the request timeout, at least 1 s. */
export function watchSeconds(requestTimeoutMs: number): number {
  return Math.max(1, Math.round(requestTimeoutMs / 1000));
}

/**
 * Watches `path` once: resolves when the watch ended (by the server, or here one request
 * timeout after it should have), rejects when it could not be had (RequestDeadlineError,
 * ConnectionResetError, a TLS or network error, WatchStatusError). Each event goes to
 * `onEvent` as it comes; a line that is not JSON is skipped, as client-node's Watch does.
 */
export async function watchOnce(
  kc: k8s.KubeConfig,
  path: string,
  query: Record<string, string>,
  requestTimeoutMs: number,
  onEvent: (type: string, object: unknown) => void,
  signal: AbortSignal,
): Promise<void> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('No currently active cluster');
  // The kubeconfig's credentials and TLS settings, as client-node applies them (the exec
  // plugin is irsa-check's bounded one, kube-transport.ts).
  const opts: RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const url = new URL(cluster.server + path);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const seconds = watchSeconds(requestTimeoutMs);
  url.searchParams.set('watch', 'true');
  url.searchParams.set('timeoutSeconds', String(seconds));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.headers ?? {})) {
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
  const answer = await timedRequest(url, {
    method: 'GET',
    headers,
    ...(typeof opts.agent === 'object' ? { agent: opts.agent } : {}),
    timeoutMs: requestTimeoutMs,
    signal,
    lines: {
      bodyMs: seconds * 1000 + requestTimeoutMs,
      onLine: (line) => {
        let event: { type?: unknown; object?: unknown };
        try {
          event = JSON.parse(line) as typeof event;
        } catch {
          return;
        }
        if (typeof event?.type === 'string') onEvent(event.type, event.object);
      },
    },
  });
  if (answer.status !== 200) throw new WatchStatusError(answer.status, answer.body.toString('utf8'));
}
