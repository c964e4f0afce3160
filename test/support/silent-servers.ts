/**
 * Servers that misbehave the way real networks do, on loopback: one that accepts
 * TCP connections (so also a TLS client's) and never answers a byte, and one
 * that answers every request with an HTML page (a captive portal or proxy).
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise((r) => server.close(() => r())),
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
