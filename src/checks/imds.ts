/**
 * IMDS exposure of the nodes. A pod whose IRSA does not work falls back, through the
 * SDK's default credential chain, to the instance metadata service and silently runs
 * as the node's instance role. Pods reach IMDS when it is enabled and either the PUT
 * response hop limit is ≥ 2 (IMDSv2 through the pod's extra network hop) or IMDSv1 is
 * allowed (httpTokens optional: v1 answers are not hop-limited). Camunda's IRSA guide
 * recommends hop limit 1 (EC2 user guide, "Configure the instance metadata options").
 */
import { defineModule } from '../engine/module.js';
import { collectImds } from '../collectors/imds.js';

const IMDS_FIX =
  'Set the nodes’ metadata options to HttpPutResponseHopLimit 1 and HttpTokens required (launch template MetadataOptions, or aws ec2 modify-instance-metadata-options --http-put-response-hop-limit 1 --http-tokens required).';

export const imds = defineModule({
  id: 'imds',
  title: 'Instance metadata (IMDS) reachable from pods',
  needs: ['plan'],
  uses: ['region'],
  checks: {
    'imds-reachable-from-pods': {
      severity: 'WARN',
      title:
        "pods can reach the nodes' instance metadata service (hop limit ≥ 2 or IMDSv1): without IRSA they run as the node role",
      fix: IMDS_FIX,
    },
  },
  collect: collectImds,
  evaluate(input, out) {
    if (input.kind === 'not-applicable') return;
    if (input.kind === 'error') {
      out.unexpected(input.error);
      return;
    }
    const { region, nodes, instances } = input;
    const byId = new Map(instances.map((i) => [i.instanceId, i]));
    const missing = nodes.filter((n) => !byId.has(n.id));
    if (missing.length > 0)
      out.info(
        `IMDS settings not checked for ${missing.length} node(s) whose instance ${region} does not list: ${missing.map((n) => `${n.name} (${n.id})`).join(', ')}`,
      );
    const open: string[] = [];
    let closed = 0;
    for (const n of nodes) {
      const i = byId.get(n.id);
      if (!i) continue;
      if (i.httpEndpoint === 'disabled') {
        closed++;
        continue;
      }
      const hops = i.httpPutResponseHopLimit ?? 1;
      const v1 = !i.imdsV2Required;
      if (hops >= 2 || v1) {
        const why = [hops >= 2 ? `hop limit ${hops}` : '', v1 ? 'IMDSv1 allowed' : ''].filter(Boolean);
        open.push(`${n.name} (${n.id}: ${why.join(', ')})`);
      } else closed++;
    }
    if (open.length > 0)
      out.warn(
        'imds-reachable-from-pods',
        `pods can reach the instance metadata service on ${open.length} node(s): ${open.join('; ')}: a pod without working IRSA silently runs as the node's instance role; set HttpPutResponseHopLimit 1 and HttpTokens required in the nodes' launch template, as Camunda's IRSA guide recommends`,
        { fix: IMDS_FIX },
      );
    if (closed > 0)
      out.ok(
        'imds-reachable-from-pods',
        `pods cannot reach the instance metadata service on ${closed} node(s) (hop limit 1, IMDSv2 only)`,
      );
  },
});
