/**
 * Which platform serves the API server: EKS, or a self-managed cluster (EKS
 * Anywhere, kOps, kubeadm) whose service-account issuer the operator publishes
 * and registers in IAM. Decides which checks apply: EKS discovery and the
 * managed pod identity webhook, or the issuer chain and a webhook of one's own.
 *
 * Evidence, strongest first: --platform; an EKS endpoint URL; the issuer the
 * API server names in /.well-known/openid-configuration (EKS issuers are
 * `https://oidc.eks.<region>.amazonaws.com/id/<ID>`); a kubeconfig made by
 * `aws eks update-kubeconfig` (exec `aws eks get-token`, or an EKS cluster ARN
 * as context). An unreadable discovery with no other evidence keeps EKS, the
 * tool's historical assumption, and says so.
 */
import { ApiCallError, errorMessage } from '../core/errors.js';
import type { IssuerDiscovery, Kube, KubeClusterInfo } from '../ports/kube.js';

export type PlatformKind = 'eks' | 'self-managed';

export interface PlatformDecision {
  kind: PlatformKind;
  /** Why, in words for the run's output. */
  reason: string;
  /** The API server's own issuer (discovery document), when it answered. */
  apiIssuer?: string;
  discovery?: IssuerDiscovery;
  discoveryError?: ApiCallError;
}

const EKS_ISSUER = /^https:\/\/oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/id\/[A-Za-z0-9]+\/?$/;
const EKS_ENDPOINT = /\.eks\.amazonaws\.com(?:\.cn)?$/i;

export function isEksIssuer(url: string): boolean {
  return EKS_ISSUER.test(url.trim());
}

function eksServer(server: string): boolean {
  try {
    return EKS_ENDPOINT.test(new URL(server).hostname);
  } catch {
    return false;
  }
}

function eksKubeconfig(info: KubeClusterInfo): string | undefined {
  const exec = info.exec;
  const cmd = exec ? (exec.command.split(/[\\/]/).pop() ?? '').replace(/\.exe$/i, '') : '';
  if (cmd === 'aws' && exec?.args.includes('eks') && exec.args.includes('get-token')) {
    return "the kubeconfig authenticates with 'aws eks get-token'";
  }
  if (/^arn:aws[\w-]*:eks:[^:]+:\d{12}:cluster\//.test(info.contextName ?? '')) {
    return `the kubeconfig context ${info.contextName} is an EKS cluster ARN`;
  }
  return undefined;
}

export async function detectPlatform(
  kube: Kube,
  forced: PlatformKind | undefined,
): Promise<PlatformDecision> {
  const info = await kube.clusterInfo();
  let discovery: IssuerDiscovery | undefined;
  let discoveryError: ApiCallError | undefined;
  try {
    discovery = await kube.issuerDiscovery();
  } catch (e) {
    if (!(e instanceof ApiCallError)) throw e;
    discoveryError = e;
  }
  const apiIssuer =
    typeof discovery?.configuration.issuer === 'string' ? discovery.configuration.issuer : undefined;
  const base = {
    ...(apiIssuer ? { apiIssuer } : {}),
    ...(discovery ? { discovery } : {}),
    ...(discoveryError ? { discoveryError } : {}),
  };
  if (forced) return { kind: forced, reason: '--platform', ...base };
  if (eksServer(info.server))
    return { kind: 'eks', reason: `the API server ${info.server} is an EKS endpoint`, ...base };
  if (apiIssuer && isEksIssuer(apiIssuer)) {
    return { kind: 'eks', reason: `the API server's issuer ${apiIssuer} is an EKS issuer`, ...base };
  }
  const kubeconfig = eksKubeconfig(info);
  if (kubeconfig) return { kind: 'eks', reason: kubeconfig, ...base };
  if (apiIssuer) {
    return {
      kind: 'self-managed',
      reason: `the API server's issuer ${apiIssuer} is not an EKS issuer`,
      ...base,
    };
  }
  const why = discoveryError
    ? `${discoveryError.reason}: ${errorMessage(discoveryError)}`
    : 'no issuer in it';
  return {
    kind: 'eks',
    reason: `the API server's issuer discovery is unreadable (${why}); assuming EKS, pass --platform self-managed otherwise`,
    ...base,
  };
}
