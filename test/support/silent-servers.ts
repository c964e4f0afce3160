/**
 * Servers that misbehave the way real networks do, on loopback: one that accepts
 * TCP connections (so also a TLS client's) and never answers a byte, one that
 * answers every request with an HTML page (a captive portal or proxy), and a proxy
 * in front of the fake API server that resets, truncates, throttles or drips answers.
 */
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Accepts every connection and stays silent until closed. */
export async function startSilentServer(): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const server = createNetServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Answers every request with `status` and an HTML page. */
export async function startHtmlServer(status: number): Promise<TestServer> {
  const server = createHttpServer((_req, res) => {
    res.writeHead(status, { 'Content-Type': 'text/html' });
    res.end('<!DOCTYPE html><html><head><title>Sign in</title></head><body>Wi-Fi login</body></html>');
  });
  return listenOnLoopback(server);
}

/**
 * Starts `server` on a free loopback port; its close() ends the open connections (and
 * `before`, e.g. timers) first, so a test never waits for a client's keep-alive.
 */
export async function listenOnLoopback(
  server: Server,
  before: () => void = () => undefined,
): Promise<TestServer> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((r) => {
        before();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Writes a kubeconfig naming `server` (token auth, TLS verification off); returns its path. */
export function kubeconfigFor(server: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'irsa-kc-')), 'config');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: c, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]`,
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: c, context: {cluster: c, user: u}}]',
      'current-context: c',
      '',
    ].join('\n'),
  );
  return file;
}

/** What a KubeFaultProxy does to a planted request instead of passing the answer on as it is. */
export type KubeNetFault =
  /** Send the headers and half the body, then reset the connection (TCP RST). */
  | 'reset-half'
  /** Send the headers (the full Content-Length) and half the body, then close the connection (FIN). */
  | 'close-half'
  /** Send the first half of the body as if it were all of it (a valid HTTP answer, broken JSON). */
  | 'truncate'
  /** 429 Too Many Requests with Retry-After: 1, as kube-apiserver's max-in-flight filter answers. */
  | 'too-many'
  /** Headers at once, then the body one byte every 200 ms. */
  | 'drip';

export interface KubeFaultProxy extends TestServer {
  /** Apply `fault` to requests whose method and path match, `times` times (default: always). */
  plant(fault: KubeNetFault, match: { method?: string; path: RegExp }, times?: number): void;
  /** Requests seen, as "GET /api/v1/namespaces/camunda/secrets". */
  readonly seen: string[];
}

/**
 * An HTTP proxy in front of a (fake) API server that breaks chosen answers the way networks
 * and overloaded servers do. Point a kubeconfig at it with `kubeconfigAt`.
 */
export async function startKubeFaultProxy(target: string): Promise<KubeFaultProxy> {
  const to = new URL(target);
  const planted: Array<{ fault: KubeNetFault; method?: string; path: RegExp; times: number }> = [];
  const seen: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createHttpServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    seen.push(`${req.method} ${path}`);
    const p = planted.find((x) => x.times > 0 && x.path.test(path) && (!x.method || x.method === req.method));
    if (p) p.times--;
    const fault = p?.fault;
    if (fault === 'too-many') {
      res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '1' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          message: 'Too many requests, please try again later.',
          reason: 'TooManyRequests',
          code: 429,
        }),
      );
      return;
    }
    const upstream = httpRequest(
      { hostname: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (d: Buffer) => chunks.push(d));
        up.on('end', () => {
          const body = Buffer.concat(chunks);
          const headers = { ...up.headers };
          delete headers['content-length'];
          delete headers['transfer-encoding'];
          const half = body.subarray(0, Math.floor(body.length / 2));
          if (fault === 'reset-half' || fault === 'close-half') {
            res.writeHead(up.statusCode ?? 502, { ...headers, 'content-length': String(body.length) });
            const cut = () => (fault === 'reset-half' ? res.socket?.resetAndDestroy() : res.socket?.end());
            res.write(half, () => setTimeout(cut, 20));
            return;
          }
          if (fault === 'truncate') {
            res.writeHead(up.statusCode ?? 502, { ...headers, 'content-length': String(half.length) });
            res.end(half);
            return;
          }
          if (fault === 'drip') {
            res.writeHead(up.statusCode ?? 502, { ...headers, 'content-length': String(body.length) });
            let i = 0;
            const t = setInterval(() => {
              if (i >= body.length || res.destroyed) {
                clearInterval(t);
                timers.delete(t);
                res.end();
                return;
              }
              res.write(body.subarray(i, ++i));
            }, 200);
            timers.add(t);
            return;
          }
          res.writeHead(up.statusCode ?? 502, { ...headers, 'content-length': String(body.length) });
          res.end(body);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  const listening = await listenOnLoopback(server, () => {
    for (const t of timers) clearInterval(t);
  });
  return {
    ...listening,
    seen,
    plant(fault, match, times = Number.POSITIVE_INFINITY) {
      planted.push({ fault, ...match, times });
    },
  };
}

/** A copy of the kubeconfig `file` whose clusters all point at `server`; returns its path. */
export function kubeconfigAt(file: string, server: string): string {
  const out = join(mkdtempSync(join(tmpdir(), 'irsa-kc-')), 'config');
  const text = readFileSync(file, 'utf8').replace(/server: \S+/g, `server: ${server}`);
  writeFileSync(out, text);
  return out;
}

/**
 * Writes a kubeconfig whose user is the exec credential plugin `command` (`args`), as
 * `aws eks update-kubeconfig` writes one; TLS verification off for the loopback server.
 */
export function kubeconfigWithExec(server: string, command: string, args: string[] = []): string {
  const file = join(mkdtempSync(join(tmpdir(), 'irsa-kc-')), 'config');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: c, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]`,
      `users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: "${command}", args: ${JSON.stringify(args)}}}}]`,
      'contexts: [{name: c, context: {cluster: c, user: u}}]',
      'current-context: c',
      '',
    ].join('\n'),
  );
  return file;
}
