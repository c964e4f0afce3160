/**
 * The pod-less proof (token module) over in-memory worlds: TokenRequest answered
 * with JWTs signed by a test key, the cluster's JWKS serving that key, STS
 * answered from the world. Codes 231–234 with their exact lines.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { RunOptions } from '../../src/core/options.js';
import { token } from '../../src/proofs/token.js';
import { publicIssuer } from '../../src/platform/public-issuer.js';
import { run } from '../../src/run.js';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { runModule } from '../support/module-run.js';
import { cloneWorld, loadWorld, memoryPlatform, testOptions, type WorldModel } from '../support/world.js';

const ISSUER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/5C9F1A2B3D4E5F60718293A4B5C6D7E8';
const HOST_PATH = 'oidc.eks.eu-west-1.amazonaws.com/id/5C9F1A2B3D4E5F60718293A4B5C6D7E8';
const PROVIDER = `arn:aws:iam::123456789012:oidc-provider/${HOST_PATH}`;
const KID = 'k8s-test-key-1';
const ROLE = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
const ASSUMED = (name: string) => `arn:aws:sts::123456789012:assumed-role/${name}/irsa-check-1`;

let signing: { privateKey: CryptoKey; publicKey: CryptoKey };
let otherKey: { privateKey: CryptoKey; publicKey: CryptoKey };
let jwk: JWK;

beforeAll(async () => {
  signing = await generateKeyPair('RS256');
  otherKey = await generateKeyPair('RS256');
  jwk = { ...(await exportJWK(signing.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
});

interface Mint {
  iss?: string;
  aud?: string;
  sub?: string;
  /** Seconds from now. */
  exp?: number;
  otherKey?: boolean;
}

/** Every token the world issued (to prove none is ever printed). */
const issued: string[] = [];

function world(mint: Mint = {}): WorldModel {
  const w = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
  w.kube.issuer = {
    configuration: { issuer: ISSUER, jwks_uri: `${ISSUER}/keys` },
    jwks: { keys: [jwk as Record<string, unknown>] },
  };
  w.kube.tokenFor = async (ns, sa, audience, expirationSeconds) => {
    const now = Math.floor(Date.now() / 1000);
    const jwt = await new SignJWT({
      iss: mint.iss ?? ISSUER,
      aud: [mint.aud ?? audience],
      sub: mint.sub ?? `system:serviceaccount:${ns}:${sa}`,
      iat: now,
      nbf: now,
      exp: now + (mint.exp ?? expirationSeconds),
      'kubernetes.io': { namespace: ns, serviceaccount: { name: sa } },
    })
      .setProtectedHeader({ alg: 'RS256', kid: KID })
      .sign(mint.otherKey ? otherKey.privateKey : signing.privateKey);
    issued.push(jwt);
    return jwt;
  };
  w.kube.publicIssuer = {
    issuer: ISSUER,
    jwksUri: `${ISSUER}/keys`,
    jwks: { keys: [jwk as Record<string, unknown>] },
  };
  w.aws.assumeRole = Object.fromEntries(
    (w.aws.roles ?? []).map((r) => [r.arn, { assumedRoleArn: ASSUMED(r.name) }]),
  );
  return w;
}

const NOT_AUTHORIZED = 'Not authorized to perform sts:AssumeRoleWithWebIdentity';

/** STS answers AssumeRoleWithWebIdentity for `role` with an error (without a status: no answer at all). */
function stsRefuses(w: WorldModel, role: string, reason: string, message: string, status?: number): void {
  w.aws.assumeRole![ROLE(role)] = {
    api: 'aws',
    operation: 'sts:AssumeRoleWithWebIdentity',
    reason,
    message,
    ...(status !== undefined ? { status } : {}),
  };
}

const PUBLIC_OK = `[INFO] the issuer's public JWKS (${ISSUER}/keys) answers: tokens are checked against it too`;
const ok = (component: string, sa: string, role: string) =>
  `[OK] ${component}: pod-less proof: a token for system:serviceaccount:camunda:${sa} (aud sts.amazonaws.com) is accepted by STS as ${ROLE(role)}`;

describe('token: pod-less proof of the trust chain', () => {
  beforeEach(() => {
    // world runs never leave the process: the world answers the public discovery
    vi.spyOn(publicIssuer, 'fetch').mockRejectedValue(new Error('no network in unit tests'));
  });
  afterEach(() => vi.restoreAllMocks());

  it('proves every component with a role: token verified, STS assumes the annotated role', async () => {
    const r = await runModule(world(), token, {}, { issuer: ISSUER });
    expect(r.lines).toEqual([
      PUBLIC_OK,
      ok('identityKeycloak', 'camunda-keycloak', 'camunda-keycloak-irsa'),
      ok('identity', 'camunda-identity', 'camunda-identity-irsa'),
      ok('webModeler', 'camunda-web-modeler', 'camunda-web-modeler-irsa'),
      ok('orchestration', 'camunda-zeebe', 'camunda-orchestration-irsa'),
      ok('optimize', 'camunda-optimize', 'camunda-optimize-irsa'),
    ]);
    const requests = r.calls.records.filter((c) => c.method === 'requestToken').map((c) => c.args);
    expect(requests).toContainEqual(['camunda', 'camunda-identity', 'sts.amazonaws.com', 600]);
    // the STS call got the region from the issuer
    const sts = r.calls.records.filter((c) => c.method === 'assumeRoleWithWebIdentity');
    expect(sts.map((c) => [c.args[0], c.args[2]])).toContainEqual([
      ROLE('camunda-identity-irsa'),
      'eu-west-1',
    ]);
    expect(r.calls.records.filter((c) => c.method === 'publicIssuerDiscovery')).toHaveLength(1);
    expect(r.calls.records.filter((c) => c.method === 'issuerDiscovery')).toHaveLength(1);
    expect(publicIssuer.fetch).not.toHaveBeenCalled();
  });

  it('never prints the token', async () => {
    issued.length = 0;
    const w = world({ aud: 'wrong' });
    const r = await runModule(w, token, {}, { issuer: ISSUER });
    expect(issued.length).toBeGreaterThan(0);
    const text = JSON.stringify(r.findings);
    for (const t of issued) expect(text).not.toContain(t.split('.')[1]!);
    expect(text).not.toMatch(/eyJ[\w-]{8,}\./);
  });

  it('uses the discovery document’s issuer when the EKS module found none', async () => {
    const r = await runModule(world(), token);
    expect(r.lines[1]).toBe(ok('identityKeycloak', 'camunda-keycloak', 'camunda-keycloak-irsa'));
  });

  it('requests the audience of the eks.amazonaws.com/audience annotation', async () => {
    const w = world();
    const sa = w.kube.serviceAccounts!.find((s) => s.name === 'camunda-identity')!;
    sa.annotations['eks.amazonaws.com/audience'] = 'irsa.example.com';
    const r = await runModule(w, token, { pg: ['identity'], os: [] }, { issuer: ISSUER });
    expect(r.lines).toEqual([
      PUBLIC_OK,
      `[OK] identity: pod-less proof: a token for system:serviceaccount:camunda:camunda-identity (aud irsa.example.com) is accepted by STS as ${ROLE('camunda-identity-irsa')}`,
    ]);
    expect(r.calls.records.find((c) => c.method === 'requestToken')!.args).toEqual([
      'camunda',
      'camunda-identity',
      'irsa.example.com',
      600,
    ]);
  });

  it('RBAC denies the TokenRequest: code 2 (irsa-check could not ask), not 231', async () => {
    const w = world();
    w.kube.errors = {
      requestToken: {
        api: 'kube',
        operation: 'create serviceaccounts/token',
        reason: 'Forbidden',
        message:
          'serviceaccounts "camunda-identity" is forbidden: User "jane" cannot create resource "serviceaccounts/token" in API group "" in the namespace "camunda"',
        status: 403,
      },
    };
    const r = await runModule(w, token, { pg: ['identity'], os: [] }, { issuer: ISSUER });
    expect(r.lines).toEqual([
      PUBLIC_OK,
      '[FAIL] identity: cannot request a token for service account camunda-identity (TokenRequest, aud sts.amazonaws.com): Forbidden: serviceaccounts "camunda-identity" is forbidden: User "jane" cannot create resource "serviceaccounts/token" in API group "" in the namespace "camunda"',
    ]);
    expect(r.findings[1]).toMatchObject({
      code: 2,
      check: 'cannot-ask',
      fix: 'Allow irsa-check to create serviceaccounts/token in namespace camunda (README, "Permissions"), or run with --no-token.',
    });
  });

  const one: Partial<RunOptions> = { pg: ['identity'], os: [] };
  const claimFail = (problems: string) =>
    `[FAIL] identity: the token for system:serviceaccount:camunda:camunda-identity does not check out: ${problems}`;

  it('232: wrong audience', async () => {
    const r = await runModule(world({ aud: 'https://kubernetes.default.svc' }), token, one, {
      issuer: ISSUER,
    });
    expect(r.lines).toEqual([
      PUBLIC_OK,
      claimFail('its audience (aud) is https://kubernetes.default.svc, not sts.amazonaws.com'),
    ]);
    expect(r.findings[1]!.code).toBe(232);
    expect(r.findings[1]!.check).toBe('token-valid');
    expect(r.findings[1]!.fix).toContain('--api-audiences');
    expect(r.calls.records.some((c) => c.method === 'assumeRoleWithWebIdentity')).toBe(false);
  });

  it('232: wrong issuer', async () => {
    const r = await runModule(world({ iss: 'https://kubernetes.default.svc.cluster.local' }), token, one, {
      issuer: ISSUER,
    });
    expect(r.lines).toEqual([
      PUBLIC_OK,
      claimFail(
        `its issuer (iss) is https://kubernetes.default.svc.cluster.local, not the cluster's OIDC issuer ${ISSUER}`,
      ),
    ]);
    expect(r.findings[1]!.fix).toContain('--service-account-issuer');
    expect(r.findings[1]!.check).toBe('token-valid');
  });

  it('232: expired', async () => {
    const r = await runModule(world({ exp: -3600 }), token, one, { issuer: ISSUER });
    expect(r.lines).toHaveLength(2);
    expect(r.lines[1]).toMatch(
      /^\[FAIL\] identity: the token for system:serviceaccount:camunda:camunda-identity does not check out: it expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
    );
    expect(r.findings[1]!.fix).toContain('clocks');
  });

  it('232: wrong subject', async () => {
    const r = await runModule(world({ sub: 'system:serviceaccount:camunda:default' }), token, one, {
      issuer: ISSUER,
    });
    expect(r.lines[1]).toBe(
      claimFail(
        'its subject (sub) is system:serviceaccount:camunda:default, not system:serviceaccount:camunda:camunda-identity',
      ),
    );
  });

  it('232: signed by a key the cluster does not publish (same kid)', async () => {
    const r = await runModule(world({ otherKey: true }), token, one, { issuer: ISSUER });
    expect(r.lines).toEqual([
      PUBLIC_OK,
      claimFail(
        `its signature does not verify against key ${KID} of the cluster's JWKS (/openid/v1/jwks); its signature does not verify against key ${KID} of the public JWKS ${ISSUER}/keys`,
      ),
    ]);
    expect(r.findings[1]!.fix).toContain('signs tokens with a key its own JWKS does not publish');
  });

  it('232: the public JWKS lacks the cluster’s current key (stale discovery bucket)', async () => {
    const w = world();
    w.kube.publicIssuer = {
      issuer: ISSUER,
      jwksUri: `${ISSUER}/keys.json`,
      jwks: { keys: [{ ...jwk, kid: 'rotated-away' } as Record<string, unknown>] },
    };
    const r = await runModule(w, token, one, { issuer: ISSUER });
    expect(r.lines).toEqual([
      `[INFO] the issuer's public JWKS (${ISSUER}/keys.json) answers: tokens are checked against it too`,
      claimFail(`the public JWKS ${ISSUER}/keys.json has no key with the token's key ID ${KID}`),
    ]);
    expect(r.findings[1]!.fix).toContain('publish the keys of /openid/v1/jwks');
    expect(r.findings[1]!.check).toBe('token-valid');
  });

  it('an unreachable public issuer is only INFO; the cluster JWKS still decides', async () => {
    const w = world();
    w.kube.publicIssuer = { unreachable: 'ENOTFOUND' };
    const r = await runModule(w, token, one, { issuer: ISSUER });
    expect(r.lines).toEqual([
      `[INFO] the issuer's public discovery (${ISSUER}) is not reachable from here (ENOTFOUND): tokens are checked against the cluster's own JWKS`,
      ok('identity', 'camunda-identity', 'camunda-identity-irsa'),
    ]);
  });

  it('unreadable issuer discovery: WARN, claims and STS still checked', async () => {
    const w = world();
    delete w.kube.issuer;
    const r = await runModule(w, token, one, { issuer: ISSUER });
    expect(r.lines).toEqual([
      "[WARN] cannot read the cluster's service-account issuer discovery (/openid/v1/jwks; NotFound: not found): token signatures are not verified here, STS still checks them",
      PUBLIC_OK,
      ok('identity', 'camunda-identity', 'camunda-identity-irsa'),
    ]);
    expect(r.findings.map((f) => f.check)).toEqual(['token-cluster-jwks', undefined, 'token-role']);
  });

  it('233: the trust policy does not admit the service account (AccessDenied) → the human fix', async () => {
    const w = world();
    stsRefuses(w, 'camunda-identity-irsa', 'AccessDenied', NOT_AUTHORIZED, 403);
    const r = await runModule(w, token, one, { issuer: ISSUER, oidcProviderArn: PROVIDER });
    expect(r.lines).toEqual([
      PUBLIC_OK,
      `[FAIL] identity: STS refused to assume role camunda-identity-irsa (IRSA, account 123456789012): the role's trust policy does not admit system:serviceaccount:camunda:camunda-identity with aud sts.amazonaws.com (AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity)`,
    ]);
    expect(r.findings[1]).toMatchObject({
      code: 233,
      check: 'token-sts',
      fix: `Allow sts:AssumeRoleWithWebIdentity in the trust policy of ${ROLE('camunda-identity-irsa')} for the Federated principal ${PROVIDER} with the conditions "${HOST_PATH}:sub": "system:serviceaccount:camunda:camunda-identity" and "${HOST_PATH}:aud": "sts.amazonaws.com".`,
    });
  });

  it('233: no OIDC provider for the issuer (InvalidIdentityToken)', async () => {
    const w = world();
    stsRefuses(
      w,
      'camunda-identity-irsa',
      'InvalidIdentityToken',
      `No OpenIDConnect provider found in your account for ${ISSUER}`,
      400,
    );
    const r = await runModule(w, token, one, { issuer: ISSUER });
    expect(r.lines[1]).toBe(
      `[FAIL] identity: STS does not know the cluster's issuer (InvalidIdentityToken: No OpenIDConnect provider found in your account for ${ISSUER})`,
    );
    expect(r.findings[1]!.fix).toBe(
      `Create the IAM OIDC provider for ${ISSUER} with client ID sts.amazonaws.com (eksctl utils associate-iam-oidc-provider --cluster <cluster> --approve, or Terraform aws_iam_openid_connect_provider).`,
    );
  });

  it('233: the provider does not list the audience (InvalidIdentityToken: Incorrect token audience)', async () => {
    const w = world();
    stsRefuses(w, 'camunda-identity-irsa', 'InvalidIdentityToken', 'Incorrect token audience', 400);
    const r = await runModule(w, token, one, { issuer: ISSUER });
    expect(r.lines[1]).toBe(
      "[FAIL] identity: STS rejects the token's audience sts.amazonaws.com (InvalidIdentityToken: Incorrect token audience)",
    );
    expect(r.findings[1]!.fix).toBe(
      `Add sts.amazonaws.com to the client IDs of ${PROVIDER} (aws iam add-client-id-to-open-id-connect-provider).`,
    );
  });

  it('a network failure calling STS is not a refusal: code 2, not 233', async () => {
    const w = world();
    stsRefuses(w, 'camunda-identity-irsa', 'Unreachable', 'connect ETIMEDOUT');
    const r = await runModule(w, token, one, { issuer: ISSUER });
    expect(r.findings[1]).toMatchObject({ level: 'FAIL', code: 2 });
  });

  it('234: STS assumed another role', async () => {
    const w = world();
    w.aws.assumeRole![ROLE('camunda-identity-irsa')] = { assumedRoleArn: ASSUMED('camunda-optimize-irsa') };
    const r = await runModule(w, token, one, { issuer: ISSUER });
    expect(r.lines[1]).toBe(
      `[FAIL] identity: STS assumed ${ASSUMED('camunda-optimize-irsa')} for the token, not the annotated role camunda-identity-irsa (IRSA, account 123456789012)`,
    );
    expect(r.findings[1]!.code).toBe(234);
    expect(r.findings[1]!.check).toBe('token-role');
  });

  it('a role ARN with a path matches the assumed role (STS drops the path)', async () => {
    const w = world();
    const withPath = 'arn:aws:iam::123456789012:role/teams/camunda/camunda-identity-irsa';
    w.kube.serviceAccounts!.find((s) => s.name === 'camunda-identity')!.annotations[
      'eks.amazonaws.com/role-arn'
    ] = withPath;
    w.aws.assumeRole![withPath] = { assumedRoleArn: ASSUMED('camunda-identity-irsa') };
    const r = await runModule(w, token, one, { issuer: ISSUER });
    expect(r.lines).toEqual([
      PUBLIC_OK,
      `[OK] identity: pod-less proof: a token for system:serviceaccount:camunda:camunda-identity (aud sts.amazonaws.com) is accepted by STS as ${withPath}`,
    ]);
  });

  it('--no-token: nothing is requested', async () => {
    const r = await runModule(world(), token, { token: false }, { issuer: ISSUER });
    expect(r.lines).toEqual(['[INFO] skipped (--no-token)']);
    expect(
      r.calls.records.filter((c) => c.method === 'requestToken' || c.method === 'issuerDiscovery'),
    ).toEqual([]);
    expect(publicIssuer.fetch).not.toHaveBeenCalled();
  });

  it('components without a role ARN are not proven', async () => {
    const w = world();
    for (const sa of w.kube.serviceAccounts!) delete sa.annotations['eks.amazonaws.com/role-arn'];
    const r = await runModule(w, token, {}, { issuer: ISSUER });
    expect(r.lines).toEqual(['[INFO] skipped: no component has a role ARN to prove']);
  });

  it('a replay of the recorded run gives the same findings; the bundle holds no token', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'irsa-token-'));
    const bundle = path.join(dir, 'bundle.json');
    const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
    const io = { stdout: sink(), stderr: sink(), env: {} };
    try {
      issued.length = 0;
      const w = world();
      stsRefuses(w, 'camunda-web-modeler-irsa', 'AccessDenied', NOT_AUTHORIZED, 403);
      const options = testOptions({ namespace: 'camunda', token: true, record: bundle });
      const live = await run(options, io, memoryPlatform(w));
      const replayed = await run(testOptions({ namespace: 'camunda', token: true, replay: bundle }), io);
      const mine = (fs: typeof live.findings) => fs.filter((f) => f.module === 'token');
      expect(mine(live.findings).length).toBeGreaterThan(2);
      expect(mine(live.findings).some((f) => f.code === 233)).toBe(true);
      expect(replayed.findings).toEqual(live.findings);
      const text = readFileSync(bundle, 'utf8');
      expect(issued.length).toBeGreaterThan(0);
      for (const t of issued) expect(text).not.toContain(t.split('.')[2]!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('publicIssuer.fetch: the issuer’s public discovery over HTTP', () => {
  async function serve(
    handler: (url: string, base: string) => { status: number; body?: unknown },
  ): Promise<{ base: string; close: () => Promise<void> }> {
    let base = '';
    const server = http.createServer((req, res) => {
      const { status, body } = handler(req.url ?? '/', base);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    return { base, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  it('reads the discovery document, then its jwks_uri', async () => {
    const srv = await serve((url, base) =>
      url === '/id/X/.well-known/openid-configuration'
        ? { status: 200, body: { issuer: `${base}/id/X`, jwks_uri: `${base}/keys.json` } }
        : url === '/keys.json'
          ? { status: 200, body: { keys: [jwk] } }
          : { status: 404 },
    );
    try {
      expect(await publicIssuer.fetch(`${srv.base}/id/X/`, 2000)).toEqual({
        issuer: `${srv.base}/id/X`,
        jwksUri: `${srv.base}/keys.json`,
        jwks: { keys: [jwk] },
      });
    } finally {
      await srv.close();
    }
  });

  it('throws on a missing document, a missing jwks_uri, and after the timeout', async () => {
    const srv = await serve((url) =>
      url.startsWith('/nojwks') ? { status: 200, body: { issuer: 'x' } } : { status: 404 },
    );
    try {
      await expect(publicIssuer.fetch(`${srv.base}/id/Y`, 2000)).rejects.toThrow(/HTTP 404/);
      await expect(publicIssuer.fetch(`${srv.base}/nojwks`, 2000)).rejects.toThrow(/no jwks_uri/);
    } finally {
      await srv.close();
    }
    const silent = http.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const started = Date.now();
      await expect(publicIssuer.fetch(`http://127.0.0.1:${port}`, 200)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
