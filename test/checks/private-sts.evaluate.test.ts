/**
 * The private-sts evaluator as a table: the node subnets' route tables (VPC user guide, "Route
 * tables": the explicit association, else the main table), the STS interface endpoint with private
 * DNS (EKS user guide, "Private cluster requirements") and its security groups (PrivateLink,
 * "Control access using security groups").
 */
import { describe, expect, it } from 'vitest';
import { privateSts } from '../../src/checks/private-sts.js';
import type { PrivateStsInput } from '../../src/collectors/private-sts.js';
import type { RouteTable, VpcEndpoint } from '../../src/ports/aws.js';
import { ApiCallError } from '../../src/core/errors.js';
import { evaluate } from '../support/evaluate.js';

const REGION = 'eu-west-1';
const VPC = 'vpc-0abc';
const NODE = {
  instanceId: 'i-0a',
  imdsV2Required: true,
  subnetId: 'subnet-a',
  availabilityZone: 'eu-west-1a',
  securityGroupIds: ['sg-node'],
  privateIp: '10.0.1.10',
};
const table = (kind: 'nat-gateway' | 'transit-gateway' | 'none', main = false): RouteTable => ({
  id: 'rtb-1',
  main,
  subnetIds: main ? [] : ['subnet-a'],
  routes: [
    { destination: '10.0.0.0/16', kind: 'local', target: 'local', active: true },
    ...(kind === 'none'
      ? []
      : [
          {
            destination: '0.0.0.0/0',
            kind,
            target: kind === 'nat-gateway' ? 'nat-0n' : 'tgw-0t',
            active: true,
          },
        ]),
  ],
});
const STS: VpcEndpoint = {
  id: 'vpce-sts',
  serviceName: `com.amazonaws.${REGION}.sts`,
  type: 'Interface',
  state: 'available',
  privateDnsEnabled: true,
  subnetIds: ['subnet-a'],
  securityGroupIds: ['sg-vpce'],
};
const world = (over: Partial<Extract<PrivateStsInput, { kind: 'private' }>>): PrivateStsInput => ({
  kind: 'private',
  region: REGION,
  vpc: VPC,
  nodes: [{ name: 'node-a', id: 'i-0a' }],
  instances: [NODE],
  endpoints: [],
  tables: [table('none')],
  pods: [],
  plan: [],
  ...over,
});

describe('private-sts evaluator', () => {
  it.each<[string, PrivateStsInput, string[]]>([
    ['a public or non-EKS cluster: nothing to judge', { kind: 'not-applicable' }, []],
    [
      'default route to a NAT gateway (the main route table): an INFO',
      world({ tables: [table('nat-gateway', true)] }),
      [
        'INFO: private-only API endpoint; node subnet(s) subnet-a route 0.0.0.0/0 to NAT gateway nat-0n, so pods there reach STS through it',
      ],
    ],
    [
      'a transit gateway: "cannot prove", never a FAIL',
      world({ tables: [table('transit-gateway')] }),
      [
        'INFO: egress not via NAT gateway: cannot prove STS reachability: subnet-a (route table rtb-1) sends 0.0.0.0/0 to transit gateway tgw-0t',
      ],
    ],
    [
      'an STS endpoint whose security group admits the node group on 443',
      world({
        endpoints: [STS],
        endpoint: {
          groups: [
            {
              id: 'sg-vpce',
              ingress: [
                { protocol: 'tcp', fromPort: 443, toPort: 443, sourceGroupIds: ['sg-node'], cidrs: [] },
              ],
            },
          ],
          subnets: [{ id: 'subnet-a', availabilityZone: 'eu-west-1a' }],
        },
      }),
      [
        `OK private-sts-endpoint: private-only cluster: STS interface VPC endpoint vpce-sts with private DNS in ${VPC}; its security group(s) sg-vpce admit the nodes on TCP 443`,
      ],
    ],
  ])('valid: %s', (_name, input, lines) => {
    expect(evaluate(privateSts, input).lines).toEqual(lines);
  });

  it.each<[string, PrivateStsInput, RegExp]>([
    [
      'no default route and no STS endpoint',
      world({}),
      /^FAIL private-sts-endpoint: private-only cluster: node subnet\(s\) subnet-a \(route table rtb-1\) have no default route \(0\.0\.0\.0\/0\) and VPC vpc-0abc has no STS interface VPC endpoint: pods there cannot reach STS/,
    ],
    [
      'an STS endpoint whose security group admits only another range',
      world({
        endpoints: [STS],
        endpoint: {
          groups: [
            {
              id: 'sg-vpce',
              ingress: [
                {
                  protocol: 'tcp',
                  fromPort: 443,
                  toPort: 443,
                  sourceGroupIds: [],
                  cidrs: ['192.168.0.0/16'],
                },
              ],
            },
          ],
          subnets: [{ id: 'subnet-a', availabilityZone: 'eu-west-1a' }],
        },
      }),
      /^FAIL private-sts-endpoint-sg: STS interface VPC endpoint vpce-sts: its security group\(s\) sg-vpce do not admit TCP 443 from node\(s\) node-a \(sg-node, 10\.0\.1\.10\)/,
    ],
  ])('invalid: %s', (_name, input, line) => {
    const { lines } = evaluate(privateSts, input);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
  });

  it('an API error is reported, not judged', () => {
    const error = new ApiCallError('aws', 'ec2:DescribeRouteTables', 'AccessDenied', 'not authorized', 403);
    expect(evaluate(privateSts, { kind: 'error', error }).lines[0]).toMatch(
      /^FAIL cannot-ask: irsa-check cannot call ec2:DescribeRouteTables \(AccessDenied\)/,
    );
  });
});
