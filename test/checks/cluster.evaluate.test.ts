/**
 * The cluster evaluator as a table (valid / invalid, as RuleTester): the region's source, how
 * the EKS cluster serving the API server was found, its status and version, its OIDC issuer and
 * the IAM OIDC provider for it (in the caller's account, or in the IRSA roles' accounts, EKS user
 * guide "Authenticate to another account with IRSA").
 */
import { describe, expect, it } from 'vitest';
import { cluster } from '../../src/checks/cluster.js';
import { ApiCallError } from '../../src/core/errors.js';
import type { ClusterInput, FoundCluster } from '../../src/collectors/cluster.js';
import type { EksCluster } from '../../src/ports/aws.js';
import { evaluate } from '../support/evaluate.js';

const SERVER = 'https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com';
const ISSUER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF';
const ACCOUNT = '111111111111';
const EKS: EksCluster = {
  name: 'camunda',
  arn: `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/camunda`,
  endpoint: SERVER,
  version: '1.31',
  status: 'ACTIVE',
  issuer: ISSUER,
};
const PROVIDER = {
  arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF`,
  url: 'oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF',
  clientIds: ['sts.amazonaws.com'],
};
const found = (over: Partial<FoundCluster> = {}): FoundCluster => ({
  cluster: EKS,
  region: 'eu-west-1',
  account: ACCOUNT,
  namespace: 'camunda',
  partition: 'aws',
  providers: { value: [PROVIDER] },
  ...over,
});
const live = (over: Partial<Extract<ClusterInput, { kind: 'live' }>> = {}): ClusterInput => ({
  kind: 'live',
  server: SERVER,
  account: ACCOUNT,
  region: { from: 'url', region: 'eu-west-1', server: SERVER },
  outcome: { by: 'endpoint', cluster: EKS, names: ['other', 'camunda'], mismatched: [] },
  found: found(),
  ...over,
});
const REGION = `OK eks-region: region eu-west-1, from the EKS API server URL ${SERVER}`;
const MATCH =
  'OK eks-cluster-match: EKS cluster camunda serves the API server (its endpoint matched among 2 cluster(s) in eu-west-1)';
const HEALTHY = ['OK eks-version: Kubernetes 1.31 (1.23 or newer)', `OK oidc-issuer: OIDC issuer ${ISSUER}`];

describe('cluster evaluator', () => {
  it.each<[string, ClusterInput, string[]]>([
    [
      'valid: endpoint matched, provider with the default audience',
      live(),
      [
        REGION,
        MATCH,
        ...HEALTHY,
        `OK oidc-provider: IAM OIDC provider ${PROVIDER.arn} trusts the issuer, audience sts.amazonaws.com`,
      ],
    ],
    [
      'valid: region from --region, cluster named by the kubeconfig on a non-EKS URL',
      live({
        server: 'https://k8s.example.com',
        region: { from: 'option', region: 'eu-west-1' },
        outcome: { by: 'hint', cluster: EKS, nameSource: 'the kubeconfig context x', serves: false },
      }),
      [
        'OK eks-region: region eu-west-1, from --region / AWS_REGION',
        'OK eks-cluster-match: EKS cluster camunda, named by the kubeconfig context x (the API server URL https://k8s.example.com is not an EKS endpoint, so it cannot be matched)',
        ...HEALTHY,
        `OK oidc-provider: IAM OIDC provider ${PROVIDER.arn} trusts the issuer, audience sts.amazonaws.com`,
      ],
    ],
    [
      'invalid: no region anywhere stops before any EKS call',
      live({
        server: 'https://k8s.example.com',
        region: { from: 'none', server: 'https://k8s.example.com' },
      }),
      [
        "FAIL eks-region: cannot tell the cluster's AWS region: the API server URL https://k8s.example.com is not an EKS endpoint and neither the kubeconfig nor --region names one",
      ],
    ],
    [
      'invalid: no cluster serves the API server (never a guess)',
      live({
        outcome: {
          by: 'none',
          names: ['a', 'b'],
          mismatched: [{ ...EKS, name: 'b', endpoint: 'https://b' }],
        },
        found: undefined,
      }),
      [
        REGION,
        `FAIL eks-cluster-match: no EKS cluster in eu-west-1 has the endpoint ${SERVER} (clusters: a, b); the kubeconfig names b, whose endpoint is https://b: the cluster checks are skipped rather than guessing`,
      ],
    ],
    [
      'invalid: old, inactive cluster whose provider lacks the default audience',
      live({
        found: found({
          cluster: { ...EKS, version: '1.9', status: 'UPDATING' },
          providers: { value: [{ ...PROVIDER, clientIds: ['other'] }] },
        }),
      }),
      [
        REGION,
        MATCH,
        'WARN eks-cluster-status: EKS cluster camunda is UPDATING, not ACTIVE',
        'FAIL eks-version: EKS cluster camunda runs Kubernetes 1.9, older than 1.23',
        `OK oidc-issuer: OIDC issuer ${ISSUER}`,
        `WARN oidc-default-audience: IAM OIDC provider ${PROVIDER.arn} does not list the audience sts.amazonaws.com (only: other): only ServiceAccounts annotated eks.amazonaws.com/audience with one of these can assume roles`,
      ],
    ],
    [
      'invalid: no provider; one with the same ID is for another issuer',
      live({
        found: found({
          providers: { value: [{ ...PROVIDER, arn: 'arn:x', url: 'elsewhere.example.com/id/ABCDEF' }] },
        }),
      }),
      [
        REGION,
        MATCH,
        ...HEALTHY,
        `FAIL oidc-provider: no IAM OIDC provider for the issuer oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF in account ${ACCOUNT}: pods cannot assume IAM roles with their ServiceAccount tokens (IRSA); arn:x has the same ID but is for elsewhere.example.com/id/ABCDEF, not this cluster`,
      ],
    ],
    [
      'valid: no provider needed when only EKS Pod Identity is used',
      live({ found: found({ providers: { value: [] }, elsewhere: { podIdentityOnly: ['zeebe'] } }) }),
      [
        REGION,
        MATCH,
        ...HEALTHY,
        `INFO: no IAM OIDC provider for the issuer oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF in account ${ACCOUNT}: none is needed, no pod in namespace camunda uses IRSA (EKS Pod Identity: service account(s) zeebe)`,
      ],
    ],
    [
      "invalid: the roles' account has no provider",
      live({
        found: found({
          providers: { value: [] },
          elsewhere: {
            accounts: [{ account: '222222222222', names: ['zeebe-role'], providers: { value: [] } }],
          },
        }),
      }),
      [
        REGION,
        MATCH,
        ...HEALTHY,
        'FAIL oidc-provider: no IAM OIDC provider for the issuer oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF in account 222222222222, where the IRSA role zeebe-role is: STS refuses the ServiceAccount tokens for it',
      ],
    ],
    [
      'invalid: --cluster-name that does not exist',
      live({ outcome: { by: 'explicit-missing', name: 'nope' }, found: undefined }),
      [REGION, 'FAIL eks-cluster-match: EKS cluster "nope" (--cluster-name) does not exist in eu-west-1'],
    ],
    [
      'values-only: the cluster named with --cluster-name, no issuer',
      {
        kind: 'named',
        name: 'camunda',
        region: 'eu-west-1',
        found: found({ cluster: { ...EKS, issuer: undefined }, providers: undefined }),
      },
      [
        'OK eks-cluster-match: EKS cluster camunda (--cluster-name) exists in eu-west-1',
        'OK eks-version: Kubernetes 1.31 (1.23 or newer)',
        'FAIL oidc-issuer: EKS cluster camunda reports no OIDC issuer',
      ],
    ],
    [
      'values-only without --cluster-name',
      { kind: 'no-cluster', caller: true },
      [
        'INFO: skipped: needs the Kubernetes cluster, or --cluster-name (and --region) to look the EKS cluster up',
      ],
    ],
    [
      'no kubeconfig server',
      { kind: 'no-server' },
      ['FAIL eks-api-server: the kubeconfig context names no API server URL'],
    ],
  ])('%s', (_name, input, lines) => {
    expect(evaluate(cluster, input).lines).toEqual(lines);
  });

  it('a self-managed cluster: one INFO, and the cluster fact does not apply (silently)', () => {
    const r = evaluate(cluster, { kind: 'self-managed' } satisfies ClusterInput);
    expect(r.lines).toEqual([
      'INFO: skipped: self-managed cluster, no EKS cluster to look up (see issuer-chain)',
    ]);
    expect(r.notApplicable).toEqual(['cluster']);
    expect(r.provided).toEqual({});
  });

  it('an EKS call refused during discovery: the region line, then the refusal, nothing guessed', () => {
    const error = new ApiCallError('aws', 'eks:ListClusters', 'AccessDenied', 'not authorized', 403);
    const r = evaluate(cluster, live({ outcome: { by: 'error', error }, found: undefined }));
    expect(r.lines).toEqual([
      REGION,
      'FAIL cannot-ask: irsa-check cannot call eks:ListClusters (AccessDenied): grant it, see README "Permissions"',
    ]);
    expect(r.provided).toEqual({});
  });
});
