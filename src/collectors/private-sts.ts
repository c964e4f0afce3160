/**
 * Gathers what the private-sts check judges, only for a cluster whose API endpoint is private
 * only: the nodes' EC2 instances (subnets, security groups, zones), the VPC's endpoints and route
 * tables, the namespace's pods, and — when an STS interface endpoint with private DNS takes the
 * VPC's STS calls — its security groups and the VPC's subnets. API errors are kept as a value.
 */
import type { ModuleContext } from '../engine/module.js';
import type { PlannedComponent } from '../engine/facts.js';
import type { KubePod } from '../ports/kube.js';
import type { Ec2Instance, RouteTable, SecurityGroup, Subnet, VpcEndpoint } from '../ports/aws.js';
import { ec2Nodes } from '../platform/node-instances.js';

export interface StsEndpoints {
  /** The VPC's STS interface endpoints. */
  sts: VpcEndpoint[];
  /** The one that takes the VPC's STS calls: private DNS, available. */
  usable: VpcEndpoint | undefined;
}

/** The STS interface endpoints of `endpoints`, and the one with private DNS that is available. */
export function stsEndpoints(endpoints: readonly VpcEndpoint[], region: string): StsEndpoints {
  const sts = endpoints.filter(
    (e) => e.serviceName.endsWith(`.${region}.sts`) && (e.type ?? 'Interface') === 'Interface',
  );
  const usable = sts.find(
    (e) => e.privateDnsEnabled && (e.state ?? 'available').toLowerCase() === 'available',
  );
  return { sts, usable };
}

export type PrivateStsInput =
  | { kind: 'not-applicable' }
  | { kind: 'error'; error: unknown }
  | {
      kind: 'private';
      region: string;
      vpc: string;
      nodes: Array<{ name: string; id: string }>;
      instances: Ec2Instance[];
      endpoints: VpcEndpoint[];
      tables: RouteTable[];
      pods: KubePod[];
      plan: PlannedComponent[];
      /** With a usable STS endpoint: its security groups and the VPC's subnets. */
      endpoint?: { groups: SecurityGroup[]; subnets: Subnet[] };
    };

export async function collectPrivateSts(
  ctx: ModuleContext<'plan' | 'cluster' | 'region'>,
): Promise<PrivateStsInput> {
  const { cluster, region, plan } = ctx.facts;
  if (!cluster.vpcId) return { kind: 'not-applicable' };
  if (cluster.endpointPublicAccess !== false || cluster.endpointPrivateAccess !== true)
    return { kind: 'not-applicable' };
  const vpc = cluster.vpcId;
  try {
    const nodes = ec2Nodes(await ctx.kube.nodes());
    const [instances, endpoints, tables, pods] = await Promise.all([
      nodes.length > 0
        ? ctx.aws.instances(
            region,
            nodes.map((n) => n.id),
          )
        : Promise.resolve([]),
      ctx.aws.vpcEndpoints(region, vpc),
      ctx.aws.routeTables(region, vpc),
      ctx.kube.pods(ctx.scope.namespace),
    ]);
    const { usable } = stsEndpoints(endpoints, region);
    const base = { kind: 'private' as const, region, vpc, nodes, instances, endpoints, tables, pods, plan };
    if (!usable) return base;
    const [groups, subnets] = await Promise.all([
      ctx.aws.securityGroups(region, usable.securityGroupIds ?? []),
      ctx.aws.subnets(region, vpc),
    ]);
    return { ...base, endpoint: { groups, subnets } };
  } catch (error) {
    return { kind: 'error', error };
  }
}
