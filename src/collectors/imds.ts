/**
 * Gathers what the IMDS check judges: the cluster's EC2 nodes (by the instance id in
 * their providerID) and the metadata options EC2 DescribeInstances gives for them.
 */
import type { ModuleContext } from '../engine/module.js';
import type { Ec2Instance } from '../ports/aws.js';
import { ec2Nodes } from '../platform/node-instances.js';

export interface Ec2Node {
  name: string;
  id: string;
}

export type ImdsInput =
  | { kind: 'not-applicable' }
  | { kind: 'error'; error: unknown }
  | { kind: 'nodes'; region: string; nodes: Ec2Node[]; instances: Ec2Instance[] };

export async function collectImds(ctx: ModuleContext<'plan', 'region'>): Promise<ImdsInput> {
  const region = await ctx.use('region');
  if (!region) return { kind: 'not-applicable' };
  try {
    const nodes = ec2Nodes(await ctx.kube.nodes());
    if (nodes.length === 0) return { kind: 'not-applicable' };
    const instances = await ctx.aws.instances(
      region,
      nodes.map((n) => n.id),
    );
    return { kind: 'nodes', region, nodes, instances };
  } catch (error) {
    return { kind: 'error', error };
  }
}
