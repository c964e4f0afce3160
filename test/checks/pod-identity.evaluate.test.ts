/**
 * The EKS Pod Identity evaluator as a table (valid / invalid, as RuleTester): which mechanism
 * wins (aws/amazon-eks-pod-identity-webhook, buildPodPatchConfig: "Container credentials method
 * takes precedence") and whether the eks-pod-identity-agent serves the nodes.
 */
import { describe, expect, it } from 'vitest';
import { podIdentity } from '../../src/checks/pod-identity.js';
import type { AgentSnapshot, PodIdentityInput } from '../../src/collectors/pod-identity.js';
import { ApiCallError } from '../../src/core/errors.js';
import type { KubeNode, KubePod } from '../../src/ports/kube.js';
import { evaluate } from '../support/evaluate.js';

const ROLE = 'arn:aws:iam::123456789012:role/camunda-identity-irsa';
const OTHER = 'arn:aws:iam::123456789012:role/camunda-identity-pod-identity';
const association = (roleArn = ROLE) => ({
  associationId: 'a-1',
  namespace: 'camunda',
  serviceAccount: 'camunda-identity',
  roleArn,
});
const nodes = (n: number, computeType?: string): KubeNode[] =>
  Array.from(
    { length: n },
    (_, i) => ({ name: `n${i}`, ...(computeType ? { computeType } : {}) }) as KubeNode,
  );
const agents = (n: number): KubePod[] =>
  Array.from({ length: n }, (_, i) => ({ name: `agent-${i}`, phase: 'Running' }) as KubePod);
const listed = (running: number, total: number, computeType?: string): AgentSnapshot => ({
  kind: 'listed',
  agents: agents(running),
  nodes: nodes(total, computeType),
});
function input(annotated?: string, agent?: AgentSnapshot, roleArn?: string): PodIdentityInput {
  return {
    kind: 'associations',
    namespace: 'camunda',
    clusterName: 'camunda-prod',
    components: [
      {
        key: 'identity',
        serviceAccount: 'camunda-identity',
        association: association(roleArn),
        ...(annotated ? { annotated } : {}),
      },
    ],
    ...(agent ? { agent } : {}),
  };
}
const INFO_ONLY = `INFO identity: Pod Identity association a-1 gives service account camunda-identity the role ${ROLE}: its pods get it through the eks-pod-identity-agent`;

describe('pod-identity evaluator', () => {
  it.each<[string, PodIdentityInput, string[]]>([
    [
      'no association in the namespace',
      { kind: 'associations', namespace: 'camunda', clusterName: 'c', components: [] },
      [
        'OK pod-identity-conflict: no EKS Pod Identity association for the checked service accounts in namespace camunda',
      ],
    ],
    [
      'an association alone, the agent on every node',
      input(undefined, listed(3, 3)),
      [
        INFO_ONLY,
        'OK pod-identity-agent: the eks-pod-identity-agent runs on 3 node(s) of 3 (service account(s) camunda-identity)',
      ],
    ],
    [
      'EKS Auto Mode nodes need no DaemonSet',
      input(undefined, listed(0, 2, 'auto')),
      [
        INFO_ONLY,
        'OK pod-identity-agent: EKS Auto Mode nodes serve Pod Identity themselves (service account(s) camunda-identity)',
      ],
    ],
    ['values-only: no agent to judge', input(), [INFO_ONLY]],
    [
      'the endpoint does not implement the API (moto)',
      { kind: 'not-implemented' },
      [
        'INFO: EKS Pod Identity associations not checked: the EKS endpoint does not implement ListPodIdentityAssociations',
      ],
    ],
    [
      'the agent cannot be listed: one INFO',
      input(undefined, {
        kind: 'unreadable',
        error: new ApiCallError('kube', 'list pods', 'Forbidden', 'no'),
      }),
      [
        INFO_ONLY,
        'INFO: the eks-pod-identity-agent is not checked: list pods answered Forbidden (needs list on pods in kube-system and on nodes)',
      ],
    ],
  ])('valid: %s', (_name, given, lines) => {
    expect(evaluate(podIdentity, given).lines).toEqual(lines);
  });

  it.each<[string, PodIdentityInput, RegExp]>([
    [
      'association and annotation for the same role: WARN, the role must trust pods.eks.amazonaws.com',
      input(ROLE),
      /^WARN pod-identity-conflict identity: service account camunda-identity has both the IRSA annotation and Pod Identity association a-1 for \S+: the pods use Pod Identity .* so the role must trust pods\.eks\.amazonaws\.com; the annotation is unused$/,
    ],
    [
      'association and annotation for other roles: WARN naming the one used',
      input(ROLE, undefined, OTHER),
      /^WARN pod-identity-conflict identity: Pod Identity association a-1 gives service account camunda-identity the role \S+camunda-identity-pod-identity, and its IRSA annotation says \S+camunda-identity-irsa: the pods use \S+camunda-identity-pod-identity /,
    ],
    [
      'no agent running: FAIL 256',
      input(undefined, listed(0, 3)),
      /^FAIL pod-identity-agent: no running eks-pod-identity-agent pod in kube-system \(app\.kubernetes\.io\/name=eks-pod-identity-agent\): pods of service account\(s\) camunda-identity get no credentials/,
    ],
    [
      'the agent on some nodes only: WARN',
      input(undefined, listed(2, 3)),
      /^WARN pod-identity-agent-partial: the eks-pod-identity-agent runs on 2 of 3 node\(s\)/,
    ],
  ])('invalid: %s', (_name, given, line) => {
    const { lines } = evaluate(podIdentity, given);
    expect(lines.filter((l) => !l.startsWith('INFO identity:'))).toEqual([expect.stringMatching(line)]);
  });

  it('an unexpected error is reported, not thrown', () => {
    const { findings } = evaluate(podIdentity, { kind: 'error', error: new Error('boom') });
    expect(findings.map((f) => [f.level, f.check])).toEqual([['FAIL', 'internal-error']]);
  });
});

describe('pod-identity evaluator: the ServiceAccount could not be read (its annotation is unknown, never "none")', () => {
  const withError = (accountError: unknown): PodIdentityInput => {
    const given = input(undefined, listed(3, 3));
    if (given.kind !== 'associations') throw new Error('unreachable');
    return { ...given, components: [{ ...given.components[0]!, accountError }] };
  };

  it('403: an INFO naming the grant instead of "its pods get it through the agent"', () => {
    const forbidden = new ApiCallError(
      'kube',
      'get serviceaccounts',
      'Forbidden',
      'serviceaccounts "camunda-identity" is forbidden',
      403,
    );
    expect(evaluate(podIdentity, withError(forbidden)).lines).toEqual([
      `INFO identity: Pod Identity association a-1 gives service account camunda-identity the role ${ROLE}; whether its IRSA annotation says otherwise is not checked: cannot get serviceaccounts (Forbidden); grant get on serviceaccounts in namespace camunda (README, "Permissions")`,
      'OK pod-identity-agent: the eks-pod-identity-agent runs on 3 node(s) of 3 (service account(s) camunda-identity)',
    ]);
  });

  it('a reset: the connectivity FAIL, exit 3', () => {
    const reset = new ApiCallError('kube', 'get serviceaccounts', 'Reset', 'connection reset by the server');
    const result = evaluate(podIdentity, withError(reset));
    expect(result.lines).toEqual([
      'FAIL kube-unreachable: the Kubernetes API server dropped the connection during get serviceaccounts: connection reset by the server',
    ]);
    expect(result.fatal?.code).toBe(3);
  });
});
