/**
 * A fake Amazon OpenSearch endpoint on loopback for the role-mapping proof. It checks
 * each request's SigV4 signature for real, by signing the same request again with
 * @smithy/signature-v4 and the secret of the access key it knows (service `es`, the
 * region of the credential scope, the request's own X-Amz-Date), refuses a signature
 * scoped to another region or service, or dated more than 5 minutes off its clock (as
 * AWS does: SigV4 "Signature expired"), and answers
 * `GET /_plugins/_security/authinfo` as OpenSearch does: with fine-grained access
 * control the authenticated user, its backend roles (the IAM role ARN) and mapped
 * roles; without, no security plugin ("no handler found", 400). With fine-grained access control it
 * also answers the security plugin's REST API for reading one role and one role mapping
 * (`GET _plugins/_security/api/roles/<name>`, `GET _plugins/_security/api/rolesmapping/<name>`), in
 * the shapes the OpenSearch docs give (Security APIs, "Get Roles API", "Get Role Mappings API"):
 * `{ "<name>": { … } }`, 404 `{"status":"NOT_FOUND","message":"Resource '<name>' not found."}` for an
 * unknown name, and 403 `{"status":"FORBIDDEN","message":"No permission to access REST API: …"}` to a
 * principal without REST API access (the security plugin's AbstractApiAction / RestApiPrivilegesEvaluator).
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { TemporaryCredentials } from '../../src/ports/aws.js';

export type DomainMode =
  /**
   * FGAC on, the role mapped to these OpenSearch roles; `user`: authenticated as another user than
   * the role; `backendRoles`: other backend roles than the user's name.
   */
  | { fgac: true; roles: string[]; user?: string; backendRoles?: string[] }
  /** FGAC on, the role mapped to nothing; `refuse403` answers authinfo like a guarded API would. */
  | { fgac: true; roles: []; refuse403?: boolean }
  | { fgac: false };

/** A role as the security plugin stores it (the REST API adds reserved/hidden/static and the FLS/DLS fields). */
export interface FakeSecurityRole {
  cluster_permissions: string[];
  index_permissions: Array<{ index_patterns: string[]; allowed_actions: string[] }>;
}

export interface FakeRoleMapping {
  users?: string[];
  backend_roles?: string[];
  and_backend_roles?: string[];
  hosts?: string[];
}

/** The security plugin's configuration the REST API reads from, and who may read it. */
export interface FakeSecurity {
  roles: Record<string, FakeSecurityRole>;
  mappings: Record<string, FakeRoleMapping>;
  /** Principals (role ARNs) with REST API access: the master user, a security_manager. */
  readers: string[];
}

export interface FakeOpenSearch {
  url: string;
  security: FakeSecurity;
  /** Access keys it accepts, with the role ARN each stands for. */
  allow(credentials: TemporaryCredentials, roleArn: string): void;
  mode: DomainMode;
  /** Requests seen, with whether their signature checked out. */
  readonly seen: Array<{ path: string; signatureValid: boolean; service?: string }>;
  close(): Promise<void>;
}

/** An independent SHA-256/HMAC for the signer (not the product's). */
type Source = string | ArrayBuffer | ArrayBufferView;
const buf = (d: Source) =>
  typeof d === 'string'
    ? Buffer.from(d)
    : ArrayBuffer.isView(d)
      ? Buffer.from(d.buffer, d.byteOffset, d.byteLength)
      : Buffer.from(d);
class Sha256 {
  private h;
  constructor(secret?: Source) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', buf(secret));
  }
  update(d: Source) {
    this.h.update(buf(d));
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
  reset() {}
}

function xAmzDate(s: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return new Date(0);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

/** AWS refuses a request whose X-Amz-Date is more than 5 minutes from its own clock. */
const MAX_SKEW_MS = 5 * 60_000;

async function verify(
  req: IncomingMessage,
  keys: Map<string, { creds: TemporaryCredentials; roleArn: string }>,
  domainRegion: string,
): Promise<{ roleArn?: string; service?: string; error?: string }> {
  const auth = String(req.headers.authorization ?? '');
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]+)$/.exec(
      auth,
    );
  if (!m) return { error: 'Authorization header requires a SigV4 signature' };
  const [, keyId, , region, service, signedHeaders, signature] = m;
  const known = keys.get(keyId!);
  if (!known) return { service, error: 'The security token included in the request is invalid.' };
  const url = new URL(req.url ?? '/', 'http://x');
  const headers: Record<string, string> = {};
  for (const h of signedHeaders!.split(';')) headers[h] = String(req.headers[h] ?? '');
  const query: Record<string, string> = {};
  url.searchParams.forEach((v, k) => (query[k] = v));
  const signer = new SignatureV4({
    credentials: known.creds,
    region: region!,
    service: service!,
    sha256: Sha256,
    uriEscapePath: true,
    // Sign exactly the headers the request lists (curl signs no x-amz-content-sha256).
    applyChecksum: false,
  });
  const again = await signer.sign(
    {
      method: req.method ?? 'GET',
      protocol: 'http:',
      hostname: String(req.headers.host ?? '').split(':')[0]!,
      path: url.pathname,
      query,
      headers,
    },
    { signingDate: xAmzDate(String(req.headers['x-amz-date'] ?? '')) },
  );
  const expected = /Signature=([0-9a-f]+)/.exec(
    String(again.headers.authorization ?? again.headers.Authorization),
  )?.[1];
  if (expected !== signature)
    return {
      service,
      error: 'The request signature we calculated does not match the signature you provided.',
    };
  if (service !== 'es') return { service, error: `Credential should be scoped to correct service: 'es'.` };
  if (region !== domainRegion) return { service, error: 'Credential should be scoped to a valid region.' };
  const date = xAmzDate(String(req.headers['x-amz-date'] ?? ''));
  // The server's own clock: a test that fakes the client's Date must not move it.
  if (Math.abs(performance.timeOrigin + performance.now() - date.getTime()) > MAX_SKEW_MS)
    return {
      service,
      error: `Signature expired: ${String(req.headers['x-amz-date'])} is more than 5 min. from the server's time`,
    };
  return { roleArn: known.roleArn, service };
}

export async function startFakeOpenSearch(mode: DomainMode, region = 'eu-west-1'): Promise<FakeOpenSearch> {
  const keys = new Map<string, { creds: TemporaryCredentials; roleArn: string }>();
  const seen: FakeOpenSearch['seen'] = [];
  const state: { mode: DomainMode; security: FakeSecurity } = {
    mode,
    security: { roles: {}, mappings: {}, readers: [] },
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const path = (req.url ?? '/').split('?')[0]!;
      const v = await verify(req, keys, region);
      seen.push({
        path,
        signatureValid: v.roleArn !== undefined,
        ...(v.service ? { service: v.service } : {}),
      });
      // AWS answers an unsigned or badly signed request before OpenSearch sees it.
      if (!v.roleArn) return send(403, { message: v.error });
      const m = state.mode;
      const api = /^\/_plugins\/_security\/api\/(roles|rolesmapping)\/([^/]+)$/.exec(path);
      if (path !== '/_plugins/_security/authinfo' && !api)
        return send(404, { error: 'not served by this fake' });
      if (!m.fgac)
        return send(400, { error: `no handler found for uri [${path}] and method [${req.method}]` });
      if (api) {
        const [, kind, encoded] = api;
        const name = decodeURIComponent(encoded!);
        const sec = state.security;
        if (!sec.readers.includes(v.roleArn))
          return send(403, {
            status: 'FORBIDDEN',
            message: `No permission to access REST API: User ${v.roleArn} with Security roles [${m.roles.join(', ')}] does not have any role privileged for admin access`,
          });
        if (kind === 'roles') {
          const role = sec.roles[name];
          if (!role) return send(404, { status: 'NOT_FOUND', message: `Resource '${name}' not found.` });
          return send(200, {
            [name]: {
              reserved: false,
              hidden: false,
              cluster_permissions: role.cluster_permissions,
              index_permissions: role.index_permissions.map((p) => ({
                index_patterns: p.index_patterns,
                dls: '',
                fls: [],
                masked_fields: [],
                allowed_actions: p.allowed_actions,
              })),
              tenant_permissions: [],
              static: false,
            },
          });
        }
        const mapping = sec.mappings[name];
        if (!mapping) return send(404, { status: 'NOT_FOUND', message: `Resource '${name}' not found.` });
        return send(200, {
          [name]: {
            hosts: mapping.hosts ?? [],
            users: mapping.users ?? [],
            reserved: false,
            hidden: false,
            backend_roles: mapping.backend_roles ?? [],
            and_backend_roles: mapping.and_backend_roles ?? [],
          },
        });
      }
      if (m.roles.length === 0 && 'refuse403' in m && m.refuse403)
        return send(403, {
          error: {
            root_cause: [
              {
                type: 'security_exception',
                reason: `no permissions for [cluster:admin/opendistro_security/authinfo] and User [name=${v.roleArn}, backend_roles=[${v.roleArn}], requestedTenant=null]`,
              },
            ],
            type: 'security_exception',
            reason: `no permissions for [cluster:admin/opendistro_security/authinfo] and User [name=${v.roleArn}, backend_roles=[${v.roleArn}], requestedTenant=null]`,
          },
          status: 403,
        });
      const name = ('user' in m && m.user) || v.roleArn;
      const backendRoles = ('backendRoles' in m && m.backendRoles) || [name];
      return send(200, {
        user: `User [name=${name}, backend_roles=[${backendRoles.join(', ')}], requestedTenant=null]`,
        user_name: name,
        user_requested_tenant: null,
        remote_address: '127.0.0.1:0',
        backend_roles: backendRoles,
        custom_attribute_names: [],
        roles: m.roles,
        tenants: {},
        principal: null,
        peer_certificates: '0',
        sso_logout_url: null,
      });
    })().catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    allow: (creds, roleArn) => keys.set(creds.accessKeyId, { creds, roleArn }),
    get mode() {
      return state.mode;
    },
    set mode(m: DomainMode) {
      state.mode = m;
    },
    get security() {
      return state.security;
    },
    set security(sec: FakeSecurity) {
      state.security = sec;
    },
    seen,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
