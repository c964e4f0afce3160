/**
 * The data-plane proofs, from verification Jobs or, with --direct, from this machine: with the temporary
 * credentials the pod-less proof's AssumeRoleWithWebIdentity (IRSA) or EKS Auth's
 * AssumeRoleForPodIdentity (EKS Pod Identity) hands out for the component's own ServiceAccount
 * token, so no pod is needed,
 * - Aurora: log in over TLS as the component's database user with an IAM auth token
 *   and ask whether the user is a member of rds_iam (platform/pg-login.ts);
 * - OpenSearch: a SigV4-signed GET of _plugins/_security/authinfo, which says which
 *   backend roles and OpenSearch roles the IAM role maps to (platform/opensearch-authinfo.ts).
 * Each verdict counts only when the component's role made the token or signed the request
 * (the Job's sts get-caller-identity, the --direct AssumeRoleWithWebIdentity answer); the
 * OpenSearch mapping only when the mapped roles grant what Camunda needs, and with
 * fine-grained access control off the domain's access policy is evaluated for Camunda's writes.
 * The verdicts are recorded as derived results (a replay cannot log in again); the
 * token, the credentials and the auth token are never printed or recorded.
 */
import { defineModule } from '../../engine/module.js';
import { eachInOrder } from '../../core/reporter.js';
import { CHECKS } from './checks.js';
import { proveAurora } from './aurora.js';
import { proveOpenSearch } from './opensearch.js';
import type { ProofFacts } from './proof.js';

export {
  auroraPassword,
  DERIVED_AURORA_LOGIN,
  DERIVED_OPENSEARCH_AUTHINFO,
  DIRECT_TIMEOUT_MS,
} from './proof.js';

export const dataPlane = defineModule({
  id: 'data-plane',
  title: 'Data-plane proofs (Aurora login, OpenSearch role mapping)',
  needs: ['caller', 'plan', 'roleArns', 'values'],
  uses: [
    'region',
    'databases',
    'auroraClusters',
    'openSearch',
    'openSearchDomain',
    'webIdentity',
    'credentialSources',
    'profile',
    'cluster',
  ],
  checks: CHECKS,
  async run(ctx, out) {
    // From here with --direct; else in the cluster, with verification Jobs unless -s.
    if (!(ctx.options.direct || ctx.options.spawn)) return;
    const { plan, roleArns } = ctx.facts;
    const targets = plan.filter((c) => roleArns.has(c.key));
    const [region, databases, auroraClusters, openSearch, openSearchDomain, credentialSources, profile] =
      await Promise.all([
        ctx.use('region'),
        ctx.use('databases'),
        ctx.use('auroraClusters'),
        ctx.use('openSearch'),
        ctx.use('openSearchDomain'),
        ctx.use('credentialSources'),
        ctx.use('profile'),
      ]);
    const f: ProofFacts = {
      region,
      databases,
      auroraClusters,
      openSearchDomain,
      profile,
      webIdentity: () => ctx.use('webIdentity'),
      credentialSources,
      cluster: () => ctx.use('cluster'),
    };
    await eachInOrder(
      targets,
      out,
      (c) => c.key,
      async (c, o) => {
        const roleArn = roleArns.get(c.key)!;
        if (c.pg) await proveAurora(ctx, f, c, roleArn, o);
        if (c.os && openSearch) await proveOpenSearch(ctx, f, openSearch, c, roleArn, o);
      },
    );
  },
});
