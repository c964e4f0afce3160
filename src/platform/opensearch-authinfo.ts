/**
 * The OpenSearch role-mapping proof: a SigV4-signed (service `es`) GET of the
 * security plugin's `_plugins/_security/authinfo`, which answers whom the request
 * authenticated as, its backend roles (the IAM role ARN) and the OpenSearch roles
 * they map to (OpenSearch docs, "Security plugin REST API": authinfo; Amazon
 * OpenSearch Service, "Fine-grained access control": mapping IAM roles).
 */
import type { TemporaryCredentials } from '../ports/aws.js';
import { signedHeaders } from './sigv4.js';
import { redactText } from '../core/redact.js';

export type AuthInfoOutcome = 'mapped' | 'unmapped' | 'no-fgac' | 'refused' | 'unreachable' | 'error';

export interface AuthInfoResult {
  outcome: AuthInfoOutcome;
  status?: number;
  user?: string;
  backendRoles: string[];
  roles: string[];
  /** The answer's or the network's own words, redacted and cut short. */
  detail?: string;
  /** The AWS principal that signed (sts get-caller-identity in the Job); absent when unknown. */
  caller?: string;
}

export const AUTHINFO_PATH = '/_plugins/_security/authinfo';

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export async function openSearchAuthInfo(
  credentials: TemporaryCredentials,
  region: string,
  baseUrl: string,
  timeoutMs: number,
): Promise<AuthInfoResult> {
  const url = new URL(AUTHINFO_PATH, baseUrl);
  let res: Response;
  let text: string;
  try {
    const headers = await signedHeaders(credentials, region, 'es', url);
    res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    text = await res.text();
  } catch (e) {
    const err = e as { cause?: { code?: string }; name?: string; message?: string };
    const code = err.cause?.code ?? err.name ?? 'Error';
    return { outcome: 'unreachable', backendRoles: [], roles: [], detail: `${code}: ${err.message ?? ''}` };
  }
  return classifyAuthInfo(res.status, text);
}

/** An authinfo answer (status and body text) → the proof's verdict; shared with the Job form. */
export function classifyAuthInfo(status: number, text: string): AuthInfoResult {
  const detail = redactText(text.replace(/\s+/g, ' ').slice(0, 300));
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  const base = { status, backendRoles: [] as string[], roles: [] as string[] };
  if (status === 200 && body) {
    const roles = strings(body.roles);
    const backendRoles = strings(body.backend_roles);
    const user = typeof body.user_name === 'string' ? body.user_name : undefined;
    return {
      ...base,
      outcome: roles.length > 0 ? 'mapped' : 'unmapped',
      roles,
      backendRoles,
      ...(user ? { user } : {}),
    };
  }
  // FGAC on, role mapped to nothing: the security plugin refuses with security_exception.
  if (status === 403 && /security_exception/.test(text) && /no permissions/i.test(text))
    return { ...base, outcome: 'unmapped', detail };
  // Refused before OpenSearch: the signature, or the domain's access policy (IAM).
  if (status === 401 || status === 403) return { ...base, outcome: 'refused', detail };
  // No security plugin (FGAC off): the signed request got through to OpenSearch.
  if ((status === 400 || status === 404) && /no handler found/i.test(text))
    return { ...base, outcome: 'no-fgac', detail };
  return { ...base, outcome: 'error', detail };
}
