/**
 * The preflight evaluator as a table (valid / invalid, as RuleTester): the AWS caller
 * identity (sts:GetCallerIdentity), the namespace, the platform and the nodes' provider IDs
 * (`aws://` on EC2, Kubernetes' cloud-provider-aws). A failed precondition is fatal: its FAIL
 * ends the lines, the run stops after the module.
 */
import { describe, expect, it } from 'vitest';
import { preflight } from '../../src/checks/preflight.js';
import type { PreflightInput } from '../../src/collectors/preflight.js';
import { ApiCallError } from '../../src/core/errors.js';
import type { KubeNode } from '../../src/ports/kube.js';
import { evaluate } from '../support/evaluate.js';

const SERVER = 'https://api.example:6443';
const CALLER = { arn: 'arn:aws:iam::111122223333:user/sre', account: '111122223333', userId: 'AIDA' };
const EKS = { kind: 'eks' as const, reason: 'the API server issues EKS OIDC tokens' };
const SELF = { kind: 'self-managed' as const, reason: '--platform self-managed' };
const ec2 = (n: number): KubeNode[] =>
  Array.from({ length: n }, (_, i) => ({ name: `n${i}`, providerID: `aws:///eu-west-1a/i-${i}` }));

function cluster(over: Partial<Extract<PreflightInput, { kind: 'cluster' }>> = {}): PreflightInput {
  return {
    kind: 'cluster',
    valuesOnly: false,
    server: SERVER,
    identity: { ok: true, value: CALLER },
    namespaceName: 'camunda',
    namespace: { ok: true, value: true },
    platform: EKS,
    nodes: { ok: true, value: ec2(2) },
    ...over,
  };
}

const denied = (api: string, op: string) => new ApiCallError(api, op, 'Forbidden', 'forbidden', 403);
const unreachable = new ApiCallError('kube', 'list nodes', 'Unreachable', 'connect ECONNREFUSED');

describe('preflight evaluator', () => {
  it.each<[string, PreflightInput, string[]]>([
    [
      'EKS, credentials, all nodes on AWS',
      cluster(),
      [
        'OK aws-credentials: AWS credentials resolve: arn:aws:iam::111122223333:user/sre',
        'INFO platform-detected: platform: EKS (the API server issues EKS OIDC tokens)',
        'OK aws-nodes: AWS environment detected: 2 node(s) with an aws:// provider ID',
      ],
    ],
    [
      'self-managed: nodes off AWS are fine',
      cluster({ platform: SELF, nodes: { ok: true, value: [{ name: 'vsphere-1' }] } }),
      [
        'OK aws-credentials: AWS credentials resolve: arn:aws:iam::111122223333:user/sre',
        'INFO platform-detected: platform: self-managed (--platform self-managed)',
        'INFO: self-managed cluster: 0 of 1 node(s) on AWS (not required)',
      ],
    ],
    [
      'nodes cannot be listed (forbidden): a WARN, not fatal',
      cluster({ nodes: { ok: false, error: denied('kube', 'list nodes') } }),
      [
        'OK aws-credentials: AWS credentials resolve: arn:aws:iam::111122223333:user/sre',
        'INFO platform-detected: platform: EKS (the API server issues EKS OIDC tokens)',
        'WARN aws-nodes-mixed: cannot list nodes (Forbidden): AWS environment not verified from the nodes',
      ],
    ],
    [
      'the namespace cannot be read (forbidden): the release lookup will tell',
      cluster({ namespace: { ok: false, error: denied('kube', 'get namespace') } }),
      [
        'OK aws-credentials: AWS credentials resolve: arn:aws:iam::111122223333:user/sre',
        'INFO platform-detected: platform: EKS (the API server issues EKS OIDC tokens)',
        'OK aws-nodes: AWS environment detected: 2 node(s) with an aws:// provider ID',
      ],
    ],
    [
      'values-only without credentials: the values are still checked',
      {
        kind: 'no-cluster',
        valuesOnly: true,
        absent: 'values-only mode without a cluster',
        identity: {
          ok: false,
          error: new ApiCallError(
            'aws',
            'sts:GetCallerIdentity',
            'CredentialsProviderError',
            'Could not load credentials',
          ),
        },
      },
      [
        'INFO: values-only mode without a cluster: the checks that ask the cluster are skipped',
        'INFO: values-only mode: no AWS credentials found; the checks that ask AWS are skipped',
      ],
    ],
  ])('valid: %s', (_name, input, lines) => {
    const r = evaluate(preflight, input);
    expect(r.lines).toEqual(lines);
    expect(r.fatal).toBeUndefined();
  });

  it.each<[string, PreflightInput, string[], number]>([
    [
      'no credentials outside values-only mode',
      cluster({
        identity: {
          ok: false,
          error: new ApiCallError(
            'aws',
            'sts:GetCallerIdentity',
            'CredentialsProviderError',
            'Could not load credentials',
          ),
        },
      }),
      [
        'INFO platform-detected: platform: EKS (the API server issues EKS OIDC tokens)',
        'OK aws-nodes: AWS environment detected: 2 node(s) with an aws:// provider ID',
        'FAIL aws-credentials: no AWS credentials found',
      ],
      1,
    ],
    [
      'STS throttled: exit 2, not a credentials problem',
      cluster({
        identity: {
          ok: false,
          error: new ApiCallError('aws', 'sts:GetCallerIdentity', 'Throttling', 'Rate exceeded', 400),
        },
      }),
      [
        'INFO platform-detected: platform: EKS (the API server issues EKS OIDC tokens)',
        'OK aws-nodes: AWS environment detected: 2 node(s) with an aws:// provider ID',
        'FAIL sts-unavailable: irsa-check cannot call sts:GetCallerIdentity (Throttling): Rate exceeded',
      ],
      2,
    ],
    [
      'the namespace does not exist',
      cluster({ namespace: { ok: true, value: false } }),
      [
        'OK aws-credentials: AWS credentials resolve: arn:aws:iam::111122223333:user/sre',
        'INFO platform-detected: platform: EKS (the API server issues EKS OIDC tokens)',
        'OK aws-nodes: AWS environment detected: 2 node(s) with an aws:// provider ID',
        'FAIL namespace: namespace "camunda" does not exist in the cluster',
      ],
      1,
    ],
    [
      'EKS but no node on AWS',
      cluster({ nodes: { ok: true, value: [{ name: 'kind-1', providerID: 'kind://docker/kind/kind-1' }] } }),
      [
        'OK aws-credentials: AWS credentials resolve: arn:aws:iam::111122223333:user/sre',
        'INFO platform-detected: platform: EKS (the API server issues EKS OIDC tokens)',
        'FAIL aws-nodes: not an AWS cluster: no node has an aws:// provider ID (first: kind://docker/kind/kind-1)',
      ],
      1,
    ],
    [
      'an unreachable cluster comes first, before a missing namespace and missing credentials',
      cluster({
        identity: {
          ok: false,
          error: new ApiCallError(
            'aws',
            'sts:GetCallerIdentity',
            'CredentialsProviderError',
            'Could not load credentials',
          ),
        },
        namespace: { ok: true, value: false },
        nodes: { ok: false, error: unreachable },
      }),
      [
        'INFO platform-detected: platform: EKS (the API server issues EKS OIDC tokens)',
        `FAIL kube-unreachable: cannot reach the Kubernetes API server at ${SERVER}: connect ECONNREFUSED`,
      ],
      3,
    ],
    [
      'deciding the platform met an unreachable cluster: that line alone',
      { kind: 'platform-error', server: SERVER, error: unreachable },
      [`FAIL kube-unreachable: cannot reach the Kubernetes API server at ${SERVER}: connect ECONNREFUSED`],
      3,
    ],
  ])('invalid: %s', (_name, input, lines, code) => {
    const r = evaluate(preflight, input);
    expect(r.lines).toEqual(lines);
    expect(r.fatal?.code).toBe(code);
  });

  it('the caller and the platform are not the evaluator’s to publish (the collector does, at once)', () => {
    expect(evaluate(preflight, cluster()).provided).toEqual({});
  });
});
