/**
 * The IMDS evaluator as a table (valid / invalid, as RuleTester): EC2 user guide,
 * "Configure the instance metadata options" — a pod reaches IMDS when the endpoint is
 * enabled and the PUT response hop limit is ≥ 2 (IMDSv2 through the pod's extra hop) or
 * IMDSv1 is allowed (v1 answers are not hop-limited).
 */
import { describe, expect, it } from 'vitest';
import { imds } from '../../src/checks/imds.js';
import type { ImdsInput } from '../../src/collectors/imds.js';
import type { Ec2Instance } from '../../src/ports/aws.js';
import { evaluate } from '../support/evaluate.js';

function world(...instances: Array<Partial<Ec2Instance> & { instanceId: string }>): ImdsInput {
  return {
    kind: 'nodes',
    region: 'eu-west-1',
    nodes: instances.map((i, n) => ({ name: `node-${n}`, id: i.instanceId })),
    instances: instances as Ec2Instance[],
  };
}

describe('imds evaluator', () => {
  it.each<[string, ImdsInput, string[]]>([
    ['no region or no EC2 node: nothing to judge', { kind: 'not-applicable' }, []],
    [
      'hop limit 1 and IMDSv2 required: closed',
      world({ instanceId: 'i-1', httpPutResponseHopLimit: 1, imdsV2Required: true }),
      [
        'OK imds-reachable-from-pods: pods cannot reach the instance metadata service on 1 node(s) (hop limit 1, IMDSv2 only)',
      ],
    ],
    [
      'endpoint disabled: closed whatever the hop limit',
      world({ instanceId: 'i-1', httpEndpoint: 'disabled', httpPutResponseHopLimit: 2 }),
      [
        'OK imds-reachable-from-pods: pods cannot reach the instance metadata service on 1 node(s) (hop limit 1, IMDSv2 only)',
      ],
    ],
  ])('valid: %s', (_name, input, lines) => {
    expect(evaluate(imds, input).lines).toEqual(lines);
  });

  it.each<[string, ImdsInput, RegExp]>([
    [
      'hop limit 2 with IMDSv2 required',
      world({ instanceId: 'i-1', httpPutResponseHopLimit: 2, imdsV2Required: true }),
      /^WARN imds-reachable-from-pods: pods can reach the instance metadata service on 1 node\(s\): node-0 \(i-1: hop limit 2\)/,
    ],
    [
      'hop limit 1 but IMDSv1 allowed',
      world({ instanceId: 'i-1', httpPutResponseHopLimit: 1, imdsV2Required: false }),
      /^WARN imds-reachable-from-pods: .* node-0 \(i-1: IMDSv1 allowed\)/,
    ],
  ])('invalid: %s', (_name, input, line) => {
    const { lines } = evaluate(imds, input);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
  });

  it('an instance EC2 does not list is named, not judged', () => {
    const input: ImdsInput = {
      kind: 'nodes',
      region: 'eu-west-1',
      nodes: [{ name: 'ghost', id: 'i-9' }],
      instances: [],
    };
    expect(evaluate(imds, input).lines).toEqual([
      'INFO: IMDS settings not checked for 1 node(s) whose instance eu-west-1 does not list: ghost (i-9)',
    ]);
  });
});
