/**
 * STS reachability in a private cluster. The SDK in a pod must reach STS to exchange
 * its token (AssumeRoleWithWebIdentity). With a private-only API endpoint the nodes may
 * have no way to the internet: then they need an STS interface VPC endpoint with private
 * DNS, so sts.<region>.amazonaws.com resolves to it (EKS user guide, "Private cluster
 * requirements"), and the pods must use the regional STS endpoint
 * (AWS_STS_REGIONAL_ENDPOINTS=regional; the pod identity webhook sets it when the
 * ServiceAccount is annotated eks.amazonaws.com/sts-regional-endpoints: "true").
 *
 * The way out is judged where the pods run: the route table of each node's subnet — the
 * one explicitly associated with the subnet, else the VPC's main route table (VPC user
 * guide, "Route tables": a subnet not explicitly associated uses the main route table).
 * Its default route (0.0.0.0/0) to a NAT gateway is a way to STS; no default route (or a
 * blackhole) is none; a transit gateway, NAT instance, peering or proxy may be one, but
 * nothing here can prove it: an INFO, never a FAIL. An STS endpoint with private DNS
 * takes every STS call of the VPC, so its security group must admit the nodes on 443
 * (interface endpoints: "Control access using security groups"), and its network
 * interfaces should be in the nodes' zones.
 */
import { defineModule } from '../engine/module.js';
import type { Reporter } from '../core/reporter.js';
import type {
  Ec2Instance,
  IngressRule,
  Route,
  RouteTable,
  SecurityGroup,
  Subnet,
  VpcEndpoint,
} from '../ports/aws.js';
import { podEnv, runningPodsOf } from '../platform/component-pods.js';
import { collectPrivateSts, stsEndpoints } from '../collectors/private-sts.js';

const HTTPS = 443;

const TARGET_NAMES: Record<Route['kind'], string> = {
  local: 'the VPC itself',
  'internet-gateway': 'internet gateway',
  'nat-gateway': 'NAT gateway',
  'transit-gateway': 'transit gateway',
  instance: 'instance (a NAT instance or appliance)',
  'network-interface': 'network interface (a NAT instance or appliance)',
  'vpc-peering': 'VPC peering connection',
  'virtual-private-gateway': 'virtual private gateway',
  'gateway-endpoint': 'gateway endpoint',
  'egress-only-internet-gateway': 'egress-only internet gateway',
  other: 'target',
};

/** How one node subnet reaches the internet, from its route table. */
export interface SubnetEgress {
  subnetId: string;
  /** The route table that applies; undefined when the VPC lists none for it. */
  table?: RouteTable;
  /** The table applies because the subnet has no explicit association. */
  viaMain: boolean;
  /** The active IPv4 default route, if any. */
  route?: Route;
}

/** The route table a subnet uses: its explicit association, else the VPC's main table. */
export function subnetEgress(subnetId: string, tables: readonly RouteTable[]): SubnetEgress {
  const explicit = tables.find((t) => t.subnetIds.includes(subnetId));
  const table = explicit ?? tables.find((t) => t.main);
  const route = table?.routes.find((r) => r.active && r.destination === '0.0.0.0/0');
  return { subnetId, ...(table ? { table } : {}), viaMain: !explicit, ...(route ? { route } : {}) };
}

function describeTable(e: SubnetEgress): string {
  if (!e.table) return `${e.subnetId} (no route table listed)`;
  return `${e.subnetId} (route table ${e.table.id}${e.viaMain ? ', the VPC main route table' : ''})`;
}

function ipv4(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const a = ipv4(ip);
  const b = ipv4(base ?? '');
  const n = Number(bits);
  if (a === undefined || b === undefined || !Number.isInteger(n) || n < 0 || n > 32) return false;
  const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
  return (a & mask) === (b & mask);
}

/** An inbound rule that lets `node` open TCP 443: by one of its security groups or its address. */
function admits(rule: IngressRule, node: Ec2Instance): boolean {
  const protocol = rule.protocol === '-1' || rule.protocol === 'tcp' || rule.protocol === '6';
  const port =
    rule.protocol === '-1' ||
    ((rule.fromPort ?? 0) <= HTTPS && HTTPS <= (rule.toPort ?? rule.fromPort ?? 65535));
  if (!protocol || !port) return false;
  if (rule.sourceGroupIds.some((g) => node.securityGroupIds?.includes(g))) return true;
  return node.privateIp !== undefined && rule.cidrs.some((c) => inCidr(node.privateIp!, c));
}

export const privateSts = defineModule({
  id: 'private-sts',
  title: 'STS reachable from a private cluster',
  needs: ['plan', 'cluster', 'region'],
  checks: {
    'private-sts-endpoint': {
      severity: 'FAIL',
      // 250-252 are the self-managed webhook and injection checks.
      code: 254,
      title:
        'a private cluster whose node subnets have no default route has no STS interface VPC endpoint with private DNS',
      fix: 'Create an interface VPC endpoint for STS with private DNS enabled.',
    },
    'private-sts-endpoint-sg': {
      severity: 'FAIL',
      code: 254,
      title: "the STS interface VPC endpoint's security groups do not admit the nodes on TCP 443",
      fix: "Allow inbound TCP 443 from the nodes' security group in the STS endpoint's security group.",
    },
    'sts-regional-endpoints': {
      severity: 'WARN',
      title: 'pods of a private cluster do not set AWS_STS_REGIONAL_ENDPOINTS=regional',
      fix: 'Annotate the service accounts eks.amazonaws.com/sts-regional-endpoints: "true" and restart the pods.',
    },
  },
  collect: collectPrivateSts,
  evaluate(input, out) {
    if (input.kind === 'not-applicable') return;
    if (input.kind === 'error') {
      out.unexpected(input.error);
      return;
    }
    const { region, vpc, nodes, instances, endpoints, tables, pods, plan } = input;
    const { sts, usable } = stsEndpoints(endpoints, region);
    const fix = `Create an interface VPC endpoint for com.amazonaws.${region}.sts in ${vpc} with private DNS enabled, in the nodes' subnets, with a security group that allows HTTPS (443) from the nodes.`;

    if (usable) {
      judgeEndpoint(
        out,
        usable,
        instances,
        nodes,
        vpc,
        input.endpoint?.groups ?? [],
        input.endpoint?.subnets ?? [],
      );
    } else {
      const subnets = [...new Set(instances.flatMap((i) => (i.subnetId ? [i.subnetId] : [])))].sort();
      if (subnets.length === 0) {
        out.info(
          `private-only API endpoint: STS reachability not judged: no node runs on an EC2 instance that ${region} lists, so the nodes' subnets and routes are unknown`,
        );
        return;
      }
      const egress = subnets.map((s) => subnetEgress(s, tables));
      const none = egress.filter((e) => !e.route);
      const nat = egress.filter((e) => e.route?.kind === 'nat-gateway');
      const other = egress.filter((e) => e.route && e.route.kind !== 'nat-gateway');
      const why =
        sts.length === 0
          ? 'no STS interface VPC endpoint'
          : `STS endpoint ${sts.map((e) => e.id).join(', ')} without private DNS or not available`;
      const proxied = plan.flatMap((c) =>
        runningPodsOf(pods, c).filter((p) => {
          const env = podEnv(p);
          return env.has('HTTPS_PROXY') || env.has('https_proxy');
        }),
      );
      if (none.length > 0 && proxied.length > 0) {
        out.info(
          `egress not via NAT gateway: cannot prove STS reachability: node subnet(s) ${none.map(describeTable).join(', ')} have no default route and VPC ${vpc} has ${why}, but pod(s) ${proxied.map((p) => p.name).join(', ')} set HTTPS_PROXY (a proxy may reach STS)`,
        );
      } else if (none.length > 0) {
        out.fail(
          'private-sts-endpoint',
          `private-only cluster: node subnet(s) ${none.map(describeTable).join(', ')} have no default route (0.0.0.0/0) and VPC ${vpc} has ${why}: pods there cannot reach STS to exchange their token`,
          { fix },
        );
      }
      if (other.length > 0) {
        const routes = other.map(
          (e) => `${describeTable(e)} sends 0.0.0.0/0 to ${TARGET_NAMES[e.route!.kind]} ${e.route!.target}`,
        );
        out.info(`egress not via NAT gateway: cannot prove STS reachability: ${routes.join('; ')}`);
      }
      if (nat.length > 0) {
        const gateways = [...new Set(nat.map((e) => e.route!.target))].sort();
        out.info(
          `private-only API endpoint; node subnet(s) ${nat.map((e) => e.subnetId).join(', ')} route 0.0.0.0/0 to NAT gateway ${gateways.join(', ')}, so pods there reach STS through it`,
        );
      }
      return;
    }
    const global = plan.flatMap((c) =>
      runningPodsOf(pods, c)
        .filter((p) => podEnv(p).get('AWS_STS_REGIONAL_ENDPOINTS') !== 'regional')
        .map((p) => p.name),
    );
    if (global.length > 0)
      out.warn(
        'sts-regional-endpoints',
        `pod(s) ${global.join(', ')} do not set AWS_STS_REGIONAL_ENDPOINTS=regional: an SDK defaulting to the global sts.amazonaws.com cannot use the regional VPC endpoint; annotate the service accounts eks.amazonaws.com/sts-regional-endpoints: "true" and restart the pods`,
      );
  },
});

type Id = 'private-sts-endpoint' | 'private-sts-endpoint-sg' | 'sts-regional-endpoints';

/** With private DNS every STS call of the VPC goes to the endpoint: it must admit every node on 443. */
function judgeEndpoint(
  out: Reporter<Id>,
  e: VpcEndpoint,
  nodesSeen: Ec2Instance[],
  nodes: ReadonlyArray<{ name: string; id: string }>,
  vpc: string,
  groups: SecurityGroup[],
  subnets: Subnet[],
): void {
  const groupIds = e.securityGroupIds ?? [];
  const known = nodesSeen.filter((i) => i.securityGroupIds !== undefined || i.privateIp !== undefined);
  const base = `private-only cluster: STS interface VPC endpoint ${e.id} with private DNS in ${vpc}`;
  const listed = groups.filter((g) => groupIds.includes(g.id));
  if (listed.length === 0 || known.length === 0) {
    out.info(
      `${base}; whether its security group admits the nodes on ${HTTPS} is not judged (${
        listed.length === 0 ? 'its security groups are not listed' : 'the nodes’ EC2 instances are not listed'
      })`,
    );
  } else {
    const shut = known.filter((n) => !listed.some((g) => g.ingress.some((r) => admits(r, n))));
    if (shut.length > 0) {
      const name = (i: Ec2Instance) => nodes.find((n) => n.id === i.instanceId)?.name ?? i.instanceId;
      out.fail(
        'private-sts-endpoint-sg',
        `STS interface VPC endpoint ${e.id}: its security group(s) ${listed.map((g) => g.id).join(', ')} do not admit TCP ${HTTPS} from node(s) ${shut
          .map(
            (i) => `${name(i)} (${[...(i.securityGroupIds ?? []), i.privateIp].filter(Boolean).join(', ')})`,
          )
          .join(', ')}: their pods' STS calls, which private DNS sends to the endpoint, time out`,
        {
          fix: `Add an inbound rule for TCP ${HTTPS} from the nodes' security group (${[
            ...new Set(shut.flatMap((i) => i.securityGroupIds ?? [])),
          ].join(', ')}) to ${listed.map((g) => g.id).join(', ')}.`,
        },
      );
    } else {
      out.ok(
        'private-sts-endpoint',
        `${base}; its security group(s) ${listed.map((g) => g.id).join(', ')} admit the nodes on TCP ${HTTPS}`,
      );
    }
  }
  // Cross-zone traffic still works: a missing zone is resilience and cost, not a failure.
  const azOf = new Map(subnets.map((s) => [s.id, s.availabilityZone]));
  const endpointAzs = new Set((e.subnetIds ?? []).map((s) => azOf.get(s)).filter(Boolean));
  const nodeAzs = [...new Set(nodesSeen.flatMap((i) => (i.availabilityZone ? [i.availabilityZone] : [])))];
  const missing = nodeAzs.filter((z) => !endpointAzs.has(z)).sort();
  if (endpointAzs.size > 0 && missing.length > 0)
    out.info(
      `STS interface VPC endpoint ${e.id} has no network interface in ${missing.join(', ')}: nodes there reach it in another zone (it works, but an outage of that zone cuts them off from STS)`,
    );
}
