/**
 * An Amazon OpenSearch domain's access policy as a policy document: read by the
 * opensearch module (does it allow anyone?) and the roles module (does it admit
 * each component's role?).
 */
import type { OpenSearchDomain } from '../ports/aws.js';
import { normalizePolicy, type PolicyDocument } from './policy.js';

/** The domain's access policy, normalised; undefined when it has none. Throws PolicyParseError. */
export function domainAccessPolicy(domain: OpenSearchDomain): PolicyDocument | undefined {
  const raw = domain.accessPolicies;
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return undefined;
  return normalizePolicy(raw);
}
