/**
 * The OpenSearch role-mapping proof: a SigV4-signed GET of _plugins/_security/authinfo, which
 * says which backend roles and OpenSearch roles the IAM role maps to
 * (platform/opensearch-authinfo.ts), from here (--direct) or from a verification Job.
 */
import type { Reporter } from '../../core/reporter.js';
import type { Facts, PlannedComponent } from '../../engine/facts.js';
import { openSearchAuthInfo, type AuthInfoResult } from '../../platform/opensearch-authinfo.js';
import { AUTHINFO_MARKER, authInfoJob, parseAuthInfoMarker } from '../../platform/data-plane-jobs.js';
import type { Id } from './checks.js';
import {
  credentialsFor,
  DERIVED_OPENSEARCH_AUTHINFO,
  DIRECT_TIMEOUT_MS,
  viaJob,
  type Ctx,
  type Proof,
  type ProofFacts,
} from './proof.js';

function openSearchBase(ctx: Ctx, host: string, port: number): string {
  const protocol = ctx.facts.values.string('global.opensearch.url.protocol') === 'http' ? 'http' : 'https';
  return `${protocol}://${host}:${port}`;
}

export async function proveOpenSearch(
  ctx: Ctx,
  f: ProofFacts,
  os: Facts['openSearch'],
  c: PlannedComponent,
  roleArn: string,
  out: Reporter<Id>,
): Promise<void> {
  const base = openSearchBase(ctx, os.host, os.port);
  const region = f.openSearchDomain?.region ?? f.region ?? 'us-east-1';
  const proof = ctx.options.direct
    ? await ctx.derive<Proof<AuthInfoResult>>(
        DERIVED_OPENSEARCH_AUTHINFO,
        [c.key, base, roleArn],
        async () => {
          const creds = await credentialsFor(ctx, f, c, roleArn);
          if (!creds.ok) return creds;
          return {
            ok: true,
            result: await openSearchAuthInfo(creds.result, region, base, DIRECT_TIMEOUT_MS),
          };
        },
      )
    : await viaJob(
        ctx,
        authInfoJob({
          namespace: ctx.scope.namespace,
          component: c.key,
          serviceAccount: c.serviceAccount.name,
          timeoutSeconds: ctx.options.jobTimeoutSeconds,
          awsImage: ctx.options.jobImage,
          baseUrl: base,
          region,
        }),
        AUTHINFO_MARKER,
        parseAuthInfoMarker,
        roleArn,
      );
  if (!proof.ok) {
    out.info('opensearch-mapping-not-proven', `OpenSearch role mapping not proven: ${proof.reason}`);
    return;
  }
  const r = proof.result;
  const domain = f.openSearchDomain?.domain;
  const fgacOff = domain !== undefined && !domain.fineGrainedAccessControl;
  const detail = r.detail ? ` (HTTP ${r.status}: ${r.detail})` : '';
  const mapping = `PUT _plugins/_security/api/rolesmapping/all_access {"backend_roles": ["${roleArn}"]} (or map it to a narrower role with the index permissions Camunda needs)`;
  if (r.outcome === 'mapped') {
    out.ok(
      'opensearch-role-unmapped',
      `OpenSearch maps role ${roleArn} (backend roles ${r.backendRoles.join(', ') || 'none'}) to OpenSearch roles ${r.roles.join(', ')}`,
    );
  } else if (r.outcome === 'no-fgac' || (fgacOff && r.status !== undefined && r.status < 400)) {
    out.ok(
      'opensearch-signed-request-refused',
      `OpenSearch accepts requests signed with role ${roleArn} (fine-grained access control is off: no role mapping to check)`,
    );
  } else if (r.outcome === 'unmapped') {
    out.fail(
      'opensearch-role-unmapped',
      `OpenSearch maps role ${roleArn} to no OpenSearch role${detail}: every request fails with security_exception … no permissions`,
      {
        fix: `As the OpenSearch master user: ${mapping}.`,
      },
    );
  } else if (r.outcome === 'refused') {
    out.fail(
      'opensearch-signed-request-refused',
      `OpenSearch refused a request signed with role ${roleArn}${detail}`,
      {
        fix: 'Allow the role es:ESHttp* on the domain, in its permission policy and the domain access policy.',
      },
    );
  } else if (r.outcome === 'unreachable') {
    const where = ctx.options.direct ? 'here' : 'the cluster';
    out.fail('opensearch-unreachable', `cannot reach ${base} from ${where} (${r.detail ?? 'no answer'})`, {
      fix: ctx.options.direct
        ? 'Run --direct from inside the VPC (VPN, bastion, a CI runner in the VPC) and allow HTTPS (443) from it in the domain’s security group; or leave out --direct.'
        : 'Allow HTTPS (443) from the nodes in the domain’s security group.',
    });
  } else {
    out.fail('opensearch-authinfo-error', `OpenSearch answered the authinfo request unexpectedly${detail}`, {
      fix: 'Check the domain’s health and the OpenSearch endpoint in the values.',
    });
  }
}
