/**
 * A self-managed cluster's public OIDC issuer (what EKS Anywhere's S3 bucket
 * serves): `<issuer>/.well-known/openid-configuration` and `<issuer>/keys.json`
 * over HTTPS on loopback, with a certificate of the test CA. What it serves can
 * be changed between runs (a stale keys.json, another issuer).
 */
import https from 'node:https';
import type { IssuedCert } from './pki.js';

export interface IssuerState {
  /** The `issuer` the discovery document names (default: the server's issuer URL). */
  issuer?: string;
  jwks: { keys: unknown[] };
}

export interface IssuerServer {
  /** `https://127.0.0.1:<port>/issuer` */
  url: string;
  state: IssuerState;
  requests: string[];
  close(): Promise<void>;
}

export async function startIssuerServer(cert: IssuedCert, state: IssuerState): Promise<IssuerServer> {
  const requests: string[] = [];
  const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    requests.push(path);
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/issuer/.well-known/openid-configuration') {
      return json({
        issuer: srv.state.issuer ?? srv.url,
        jwks_uri: `${srv.url}/keys.json`,
        authorization_endpoint: 'urn:kubernetes:programmatic_authorization',
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        claims_supported: ['sub', 'iss'],
      });
    }
    if (path === '/issuer/keys.json') return json(srv.state.jwks);
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const srv: IssuerServer = {
    url: `https://127.0.0.1:${port}/issuer`,
    state,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return srv;
}
