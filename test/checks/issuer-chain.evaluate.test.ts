/**
 * The issuer-chain evaluator as a table (valid / invalid, as RuleTester): each link of a
 * self-managed cluster's chain (API server issuer → public discovery → JWKS → IAM OIDC provider
 * with sts.amazonaws.com) gives its own verdict; EKS runs the issuer itself.
 */
import { describe, expect, it } from 'vitest';
import { issuerChain } from '../../src/checks/issuer-chain.js';
import type { IssuerChainInput } from '../../src/collectors/issuer-chain.js';
import type { PlatformDecision } from '../../src/platform/detect.js';
import { evaluate } from '../support/evaluate.js';

const ISSUER = 'https://irsa.example.com/cluster-a';
const KEY = { kty: 'RSA', kid: 'k1', n: 'abc', e: 'AQAB' };
const platform: PlatformDecision = {
  kind: 'self-managed',
  reason: 'test',
  apiIssuer: ISSUER,
  discovery: { issuer: ISSUER, jwks: { keys: [KEY] } } as unknown as PlatformDecision['discovery'],
};
const PROVIDER = {
  arn: 'arn:aws:iam::123456789012:oidc-provider/irsa.example.com/cluster-a',
  url: 'irsa.example.com/cluster-a',
  clientIds: ['sts.amazonaws.com'],
};
const pub = (keys = [KEY], issuer = ISSUER) => ({
  configuration: { issuer, jwks_uri: `${ISSUER}/keys.json` },
  jwksUri: `${ISSUER}/keys.json`,
  jwks: { keys },
});
const chain = (
  providers: Extract<IssuerChainInput, { kind: 'public' }>['providers'],
  p = pub(),
): IssuerChainInput => ({
  kind: 'public',
  platform,
  issuer: ISSUER,
  pub: p,
  who: { account: '123456789012', partition: 'aws' },
  providers,
});
const HEAD = [
  `OK issuer-not-set: the API server's service-account issuer is ${ISSUER}`,
  `OK issuer-discovery-unreachable: the issuer's discovery document ${ISSUER}/.well-known/openid-configuration answers over HTTPS, names the issuer and its JWKS ${ISSUER}/keys.json`,
  'OK issuer-jwks-stale: the public JWKS holds every key the API server signs with (1, compared by key material)',
];

describe('issuer-chain evaluator', () => {
  it.each<[string, IssuerChainInput, string[]]>([
    [
      'EKS',
      { kind: 'eks' },
      ['INFO: skipped: EKS runs the issuer (the cluster module checks its IAM OIDC provider)'],
    ],
    [
      'every link holds',
      chain([PROVIDER]),
      [
        ...HEAD,
        `OK issuer-no-provider: IAM OIDC provider ${PROVIDER.arn} is for the issuer, audience sts.amazonaws.com`,
      ],
    ],
    [
      'no AWS identity: the provider is not judged',
      chain(undefined),
      [...HEAD, 'INFO: no AWS identity: the IAM OIDC provider is not checked'],
    ],
  ])('valid: %s', (_name, input, lines) => {
    expect(evaluate(issuerChain, input).lines).toEqual(lines);
  });

  it.each<[string, IssuerChainInput, RegExp]>([
    [
      'the in-cluster default issuer',
      {
        kind: 'not-public',
        platform,
        issuer: 'https://kubernetes.default.svc',
        why: 'it is the in-cluster API server name',
      },
      /^FAIL issuer-not-set: the API server's service-account issuer is https:\/\/kubernetes\.default\.svc: it is the in-cluster API server name; STS cannot fetch its keys$/,
    ],
    [
      'the issuer cannot be read',
      { kind: 'self-managed', platform: { ...platform, apiIssuer: undefined } },
      /^FAIL issuer-unreadable: cannot read the API server's service-account issuer/,
    ],
    [
      'a stale public JWKS',
      chain([PROVIDER], pub([{ ...KEY, n: 'other' }])),
      /^FAIL issuer-jwks-stale: the public JWKS \S+ lacks the API server's signing key k1 \(key k1 is published under the same kid with other key material\)/,
    ],
    [
      'the discovery document names another issuer',
      chain([PROVIDER], pub([KEY], 'https://other.example.com')),
      /^FAIL issuer-discovery-mismatch: /,
    ],
    [
      'no provider for the issuer',
      chain([]),
      /^FAIL issuer-no-provider: no IAM OIDC provider for the issuer irsa\.example\.com\/cluster-a/,
    ],
    [
      'a provider without the sts audience',
      chain([{ ...PROVIDER, clientIds: ['other'] }]),
      /^FAIL issuer-provider-audience: IAM OIDC provider \S+ does not list the audience sts\.amazonaws\.com \(client IDs: other\)$/,
    ],
  ])('invalid: %s', (_name, input, line) => {
    const { lines } = evaluate(issuerChain, input);
    expect(lines.filter((l) => !l.startsWith('OK'))).toEqual([expect.stringMatching(line)]);
  });
});
