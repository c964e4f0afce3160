/**
 * Gathers what the issuer-chain evaluator judges on a self-managed cluster: the API server's
 * issuer (the platform fact), the public discovery document and JWKS fetched from it (recorded
 * in bundles through `ctx.derive`, and published as the publicIssuer fact the token check
 * reads), and the IAM OIDC providers of the caller's account. Errors are captured as values.
 */
import type { ModuleContext } from '../engine/module.js';
import { ApiCallError, errorMessage } from '../core/errors.js';
import type { OidcProvider } from '../ports/aws.js';
import type { PlatformDecision } from '../platform/detect.js';
import { fetchPublicIssuer, type PublicIssuerAnswer } from '../platform/issuer.js';
import { discoveryOf } from '../platform/public-issuer.js';

const PUBLIC_TIMEOUT_MS = 5000;
/** `ctx.derive` name: the public fetch is recorded in bundles and answered from them on --replay. */
export const DERIVED_PUBLIC_ISSUER = 'publicIssuerChain';

/** The platform decision of a self-managed cluster (kind 'self-managed'). */
type SelfManaged = PlatformDecision;

export type IssuerChainInput =
  | { kind: 'eks' }
  | { kind: 'self-managed'; platform: SelfManaged; issuer?: undefined }
  | { kind: 'not-public'; platform: SelfManaged; issuer: string; why: string }
  | {
      kind: 'public';
      platform: SelfManaged;
      issuer: string;
      pub: PublicIssuerAnswer;
      who: { account?: string; partition?: string };
      /** undefined: no AWS identity; an Error: IAM did not answer. */
      providers: OidcProvider[] | Error | undefined;
    };

/** Issuers only the cluster itself can reach: the API server's defaults and in-cluster names. */
export function notPublic(issuer: string): string | undefined {
  let u: URL;
  try {
    u = new URL(issuer);
  } catch {
    return 'it is not a URL';
  }
  if (u.protocol !== 'https:') return 'it is not an HTTPS URL';
  const host = u.hostname.toLowerCase();
  if (host === 'kubernetes.default.svc' || /\.svc(\.cluster\.local)?$/.test(host) || host === 'kubernetes') {
    return 'it is the in-cluster API server name, the default when --service-account-issuer is not set';
  }
  return undefined;
}

type Ctx = ModuleContext<'platform', 'caller' | 'partition', 'publicIssuer'>;

async function publicAnswer(ctx: Ctx, issuer: string): Promise<PublicIssuerAnswer> {
  let pub: PublicIssuerAnswer;
  try {
    pub = await ctx.derive<PublicIssuerAnswer>(DERIVED_PUBLIC_ISSUER, [issuer], () =>
      fetchPublicIssuer(issuer, PUBLIC_TIMEOUT_MS),
    );
  } catch (e) {
    // a bundle recorded without it
    pub = { configurationProblem: e instanceof ApiCallError ? e.reason : errorMessage(e) };
  }
  // The token check reads the same documents: fetched once per run.
  ctx.provide('publicIssuer', { issuer, answer: discoveryOf(pub) });
  return pub;
}

export async function collectIssuerChain(ctx: Ctx): Promise<IssuerChainInput> {
  const platform = ctx.facts.platform;
  if (platform.kind !== 'self-managed') return { kind: 'eks' };
  const issuer = platform.apiIssuer;
  if (!issuer) return { kind: 'self-managed', platform };
  const why = notPublic(issuer);
  if (why) return { kind: 'not-public', platform, issuer, why };
  const [pub, caller, partition] = await Promise.all([
    publicAnswer(ctx, issuer),
    ctx.use('caller'),
    ctx.use('partition'),
  ]);
  const providers = caller
    ? await ctx.aws.oidcProviders().catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))
    : undefined;
  return {
    kind: 'public',
    platform,
    issuer,
    pub,
    who: { ...(caller ? { account: caller.account } : {}), ...(partition ? { partition } : {}) },
    providers,
  };
}
