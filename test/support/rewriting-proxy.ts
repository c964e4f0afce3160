/**
 * A proxy in front of the fake API server that rewrites chosen JSON answers: what a
 * buggy or hostile API server (or a man in the middle) sends and the fake never would,
 * e.g. a pod list holding `null`, or a Helm release Secret whose data is a number.
 */
import { createServer, request } from 'node:http';
import { listenOnLoopback, type TestServer } from './silent-servers.js';

/** Rewrites the parsed JSON body of a GET whose path matches; return the new body. */
export interface Rewrite {
  path: RegExp;
  body: (json: any) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function startRewritingProxy(target: string, rewrites: Rewrite[]): Promise<TestServer> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const rule = rewrites.find((r) => req.method === 'GET' && r.path.test((req.url ?? '').split('?')[0]!));
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host, 'accept-encoding': 'identity' },
      },
      (up) => {
        if (!rule || up.statusCode !== 200) {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          return;
        }
        let text = '';
        up.setEncoding('utf8');
        up.on('data', (d: string) => (text += d));
        up.on('end', () => {
          const body = JSON.stringify(rule.body(JSON.parse(text)));
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          });
          res.end(body);
        });
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  return listenOnLoopback(server);
}
