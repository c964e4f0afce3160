/**
 * The EC2 instances behind the cluster's nodes, matched by the node's providerID (set by
 * the AWS cloud provider: `aws:///<az>/<instance id>`). Shared by the runtime checks that
 * read the nodes' EC2 side (imds, private-sts) so they send one identical
 * ec2:DescribeInstances, answered once per run.
 */
import type { KubeNode } from '../ports/kube.js';

/** `aws:///eu-west-1a/i-0123…` → `i-0123…`. */
export function instanceIdOf(providerID: string | undefined): string | undefined {
  return /^aws:\/\/\/[^/]*\/(i-[0-9a-f]+)$/.exec(providerID ?? '')?.[1];
}

/** The nodes that run on EC2 instances, with their instance IDs, in the nodes' order. */
export function ec2Nodes(nodes: readonly KubeNode[]): Array<{ name: string; id: string }> {
  return nodes.flatMap((n) => {
    const id = instanceIdOf(n.providerID);
    return id ? [{ name: n.name, id }] : [];
  });
}
