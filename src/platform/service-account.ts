/**
 * What a ServiceAccount's annotations say about the tokens its pods get: read by
 * the roles module (does the trust policy admit that audience?) and the token
 * module (which audience to request).
 */
import { AUDIENCE_ANNOTATION, type KubeServiceAccount } from '../ports/kube.js';
import { DEFAULT_AUDIENCE } from '../iam/policy.js';

/**
 * The audience a ServiceAccount's tokens are requested for: its
 * eks.amazonaws.com/audience annotation (`annotated`), else sts.amazonaws.com.
 */
export function tokenAudience(account: KubeServiceAccount | undefined): {
  annotated?: string;
  audience: string;
} {
  const annotated = account?.annotations[AUDIENCE_ANNOTATION]?.trim() || undefined;
  return { annotated, audience: annotated ?? DEFAULT_AUDIENCE };
}
