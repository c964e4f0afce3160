/**
 * The issuer chain of a self-managed cluster (EKS Anywhere, kOps, kubeadm), link
 * by link, each with its own FAIL and fix (codes 241–245):
 *   API server --service-account-issuer → public HTTPS discovery document naming
 *   that issuer → its jwks_uri holding every key the API server signs with →
 *   an IAM OIDC provider for exactly that host/path with sts.amazonaws.com.
 * STS walks the same chain for every AssumeRoleWithWebIdentity; one broken link
 * and every pod's token is refused. On EKS AWS runs the issuer: skipped.
 *
 * The cluster module publishes the issuer and its IAM provider as facts on both platforms;
 * the collector (src/collectors/issuer-chain.ts) fetches the public documents (and publishes
 * them as publicIssuer) and lists the providers; this evaluator judges each link.
 */
import { defineModule } from '../engine/module.js';
import type { Reporter } from '../core/reporter.js';
import type { OidcProvider } from '../ports/aws.js';
import { DEFAULT_AUDIENCE } from '../iam/policy.js';
import { issuerHostPath, oidcProviderArn } from '../iam/arn.js';
import {
  issuerKey,
  keyMaterial,
  type ChainCert,
  type Jwks,
  type PublicIssuerAnswer,
} from '../platform/issuer.js';
import { collectIssuerChain } from '../collectors/issuer-chain.js';

const CHECKS = {
  'issuer-not-set': {
    severity: 'FAIL',
    code: 241,
    title:
      "self-managed: the API server's service-account issuer is not a public HTTPS URL (--service-account-issuer not set)",
    fix: 'Set --service-account-issuer (EKS Anywhere: podIamConfig.serviceAccountIssuer) to the public HTTPS issuer URL.',
  },
  'issuer-unreadable': {
    severity: 'FAIL',
    code: 241,
    title:
      "self-managed: the API server's service-account issuer cannot be read (/.well-known/openid-configuration)",
    fix: 'Allow irsa-check get on /.well-known/openid-configuration and /openid/v1/jwks, or set the issuer flag.',
  },
  'issuer-discovery-unreachable': {
    severity: 'FAIL',
    code: 242,
    title:
      "self-managed: the issuer's discovery document is not publicly reachable over HTTPS with a valid certificate",
    fix: 'Publish /.well-known/openid-configuration at the issuer URL over HTTPS.',
  },
  'issuer-jwks-unreachable': {
    severity: 'FAIL',
    code: 242,
    title: "self-managed: the issuer's JWKS (jwks_uri) is not publicly reachable over HTTPS",
    fix: "Publish the API server's /openid/v1/jwks at the discovery document's jwks_uri.",
  },
  'issuer-discovery-mismatch': {
    severity: 'FAIL',
    code: 243,
    title: "self-managed: the public discovery document names another issuer than the API server's",
    fix: "Publish this cluster's discovery document.",
  },
  'issuer-jwks-stale': {
    severity: 'FAIL',
    code: 244,
    title: 'self-managed: the public JWKS lacks a key the API server signs with (e.g. a stale keys.json)',
    fix: 'Upload the output of kubectl get --raw /openid/v1/jwks as the public JWKS.',
  },
  'issuer-no-provider': {
    severity: 'FAIL',
    code: 245,
    title: "self-managed: no IAM OIDC provider for the API server's issuer",
    fix: 'aws iam create-open-id-connect-provider --url <issuer> --client-id-list sts.amazonaws.com',
  },
  'issuer-provider-audience': {
    severity: 'FAIL',
    code: 245,
    title: "self-managed: the issuer's IAM OIDC provider lacks the audience sts.amazonaws.com",
    fix: 'aws iam add-client-id-to-open-id-connect-provider --client-id sts.amazonaws.com',
  },
  'issuer-thumbprint': {
    severity: 'WARN',
    title:
      "self-managed: the provider's thumbprints match no certificate of an issuer whose CA AWS does not trust",
    fix: 'aws iam update-open-id-connect-provider-thumbprint with the thumbprint of the issuer’s top CA.',
  },
} as const;
type Id = keyof typeof CHECKS;

const ISSUER_FIX =
  'Set the API server flag --service-account-issuer (EKS Anywhere: spec.podIamConfig.serviceAccountIssuer of the Cluster) to the public HTTPS URL that serves the discovery document (e.g. your S3 bucket), then restart the API server; keep the old issuer as a second --service-account-issuer while pods still hold old tokens.';

const same = (a: string, b: string): boolean => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

function checkPublicDiscovery(issuer: string, pub: PublicIssuerAnswer, out: Reporter<Id>): Jwks | undefined {
  const wellKnown = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  if (pub.configurationProblem) {
    out.fail(
      'issuer-discovery-unreachable',
      `the issuer's discovery document ${wellKnown} is not usable: ${pub.configurationProblem}`,
      {
        fix: `Publish the API server's /.well-known/openid-configuration at ${wellKnown}, publicly readable over HTTPS with a certificate from a public CA valid for its host (EKS Anywhere: upload it to the S3 bucket of podIamConfig).`,
      },
    );
    return undefined;
  }
  const named = pub.configuration?.issuer;
  if (!named || !same(named, issuer)) {
    out.fail(
      'issuer-discovery-mismatch',
      `the discovery document at ${wellKnown} names issuer ${named ?? '(none)'}, not the API server's ${issuer}: STS rejects the tokens`,
      {
        fix: `Regenerate the discovery document from this cluster (kubectl get --raw /.well-known/openid-configuration) and publish it at ${wellKnown}.`,
      },
    );
    return undefined;
  }
  if (pub.jwksProblem || !pub.jwks) {
    out.fail(
      'issuer-jwks-unreachable',
      `the issuer's JWKS ${pub.jwksUri ?? '(no jwks_uri)'} is not usable: ${pub.jwksProblem ?? 'no keys'}`,
      {
        fix: `Publish the API server's /openid/v1/jwks (kubectl get --raw /openid/v1/jwks) at the discovery document's jwks_uri, publicly readable over HTTPS.`,
      },
    );
    return undefined;
  }
  out.ok(
    'issuer-discovery-unreachable',
    `the issuer's discovery document ${wellKnown} answers over HTTPS, names the issuer and its JWKS ${pub.jwksUri}`,
  );
  return pub.jwks;
}

function checkKeys(clusterJwks: Jwks, publicJwks: Jwks, jwksUri: string, out: Reporter<Id>): void {
  const published = new Set(publicJwks.keys.map(keyMaterial));
  const missing = clusterJwks.keys.filter((k) => !published.has(keyMaterial(k)));
  if (missing.length === 0) {
    out.ok(
      'issuer-jwks-stale',
      `the public JWKS holds every key the API server signs with (${clusterJwks.keys.length}, compared by key material)`,
    );
    return;
  }
  const kids = (keys: Jwks['keys']) => keys.map((k) => String(k.kid ?? '(no kid)')).join(', ');
  const sameKid = missing.filter((k) => publicJwks.keys.some((p) => p.kid === k.kid));
  const detail =
    sameKid.length > 0
      ? `key ${kids(sameKid)} is published under the same kid with other key material`
      : `it publishes ${kids(publicJwks.keys) || 'no keys'}`;
  out.fail(
    'issuer-jwks-stale',
    `the public JWKS ${jwksUri} lacks the API server's signing key ${kids(missing)} (${detail}): STS rejects every token; a keys.json left from an earlier cluster?`,
    {
      fix: `Publish this cluster's keys: kubectl get --raw /openid/v1/jwks > keys.json and upload it to ${jwksUri} (keep old keys in it while old tokens are in use).`,
    },
  );
}

/**
 * IAM's thumbprint of the issuer's CA. AWS verifies issuers whose certificate
 * chains to a CA in its trusted root library without it ("Obtain the thumbprint
 * for an OpenID Connect identity provider", IAM User Guide); only other chains
 * (a private CA) are still checked against the thumbprint, so only they WARN.
 */
function checkThumbprint(provider: OidcProvider, chain: ChainCert[] | undefined, out: Reporter<Id>): void {
  if (!chain || chain.length === 0) return;
  const top = chain[chain.length - 1]!;
  const listed = provider.thumbprints ?? [];
  const match = chain.find((c) => listed.includes(c.sha1));
  if (top.publicRoot) {
    out.info(
      `the issuer's certificate chains to the public CA ${top.subject}: AWS verifies it with its trusted root CAs, the provider's thumbprint${match ? '' : 's'} (${listed.join(', ') || 'none'}) ${match ? 'matches' : 'are'} not used`,
    );
    return;
  }
  if (match) {
    out.ok(
      'issuer-thumbprint',
      `IAM OIDC provider thumbprint ${match.sha1} is the issuer's certificate ${match.subject}`,
    );
    return;
  }
  out.warn(
    'issuer-thumbprint',
    `the thumbprints of IAM OIDC provider ${provider.arn} (${listed.join(', ') || 'none'}) match no certificate of the issuer's chain (${chain.map((c) => `${c.subject} ${c.sha1}`).join(', ')}): its CA is not one AWS trusts by itself, so STS checks the thumbprint; update it: aws iam update-open-id-connect-provider-thumbprint --open-id-connect-provider-arn ${provider.arn} --thumbprint-list ${top.sha1}`,
  );
}

function checkProvider(
  who: { account?: string; partition?: string },
  issuer: string,
  providers: OidcProvider[],
  chain: ChainCert[] | undefined,
  out: Reporter<Id>,
): void {
  const provider = providers.find((p) => issuerKey(p.url) === issuerKey(issuer));
  const account = who.account ?? '<account>';
  const arn = oidcProviderArn(who.partition ?? 'aws', account, issuer);
  if (!provider) {
    const host = issuerKey(issuer).split('/')[0];
    // Providers of other self-managed issuers (same host first): the issuer the trust policies were written for.
    const near = providers
      .filter((p) => issuerKey(p.url).split('/')[0] === host || !/^oidc\.eks\./.test(issuerKey(p.url)))
      .map((p) => p.url);
    out.fail(
      'issuer-no-provider',
      `no IAM OIDC provider for the issuer ${issuerHostPath(issuer)}${near.length ? ` (IAM has ${near.join(', ')}: the API server's issuer must equal one of them in host and path, or get its own provider)` : ''}: STS refuses every ServiceAccount token`,
      {
        fix: `Create it: \`aws iam create-open-id-connect-provider --url ${issuer.replace(/\/+$/, '')} --client-id-list ${DEFAULT_AUDIENCE}\`; trust policies name it as ${arn}.`,
      },
    );
    return;
  }
  if (!provider.clientIds.includes(DEFAULT_AUDIENCE)) {
    out.fail(
      'issuer-provider-audience',
      `IAM OIDC provider ${provider.arn} does not list the audience ${DEFAULT_AUDIENCE} (client IDs: ${provider.clientIds.join(', ') || 'none'})`,
      {
        fix: `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${provider.arn} --client-id ${DEFAULT_AUDIENCE}`,
      },
    );
    return;
  }
  out.ok(
    'issuer-no-provider',
    `IAM OIDC provider ${provider.arn} is for the issuer, audience ${DEFAULT_AUDIENCE}`,
  );
  checkThumbprint(provider, chain, out);
}

export const issuerChain = defineModule({
  id: 'issuer-chain',
  title: 'Service-account issuer chain (self-managed clusters)',
  needs: ['platform'],
  uses: ['caller', 'partition'],
  provides: ['publicIssuer'],
  checks: CHECKS,
  collect: collectIssuerChain,
  evaluate(input, out) {
    if (input.kind === 'eks') {
      out.info('skipped: EKS runs the issuer (the cluster module checks its IAM OIDC provider)');
      return;
    }
    const platform = input.platform;
    if (input.kind === 'self-managed') {
      const why = platform.discoveryError
        ? `${platform.discoveryError.reason}: ${platform.discoveryError.message}`
        : 'the document names no issuer';
      out.fail(
        'issuer-unreadable',
        `cannot read the API server's service-account issuer (/.well-known/openid-configuration; ${why})`,
        {
          fix: platform.discoveryError?.isAccessDenied
            ? 'Allow irsa-check get on the nonResourceURLs /.well-known/openid-configuration and /openid/v1/jwks (README, "Permissions").'
            : ISSUER_FIX,
        },
      );
      return;
    }
    const { issuer } = input;
    if (input.kind === 'not-public') {
      out.fail(
        'issuer-not-set',
        `the API server's service-account issuer is ${issuer}: ${input.why}; STS cannot fetch its keys`,
        {
          fix: ISSUER_FIX,
        },
      );
      return;
    }
    out.ok('issuer-not-set', `the API server's service-account issuer is ${issuer}`);
    const { pub, providers, who } = input;
    const publicJwks = checkPublicDiscovery(issuer, pub, out);
    if (publicJwks && platform.discovery) checkKeys(platform.discovery.jwks, publicJwks, pub.jwksUri!, out);
    if (providers === undefined) {
      out.info('no AWS identity: the IAM OIDC provider is not checked');
    } else if (providers instanceof Error) {
      out.unexpected(providers);
    } else {
      checkProvider(who, issuer, providers, pub.chain, out);
    }
  },
});
