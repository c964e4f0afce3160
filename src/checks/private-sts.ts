/**
 * STS reachability in a private cluster. The SDK in a pod must reach STS to exchange
 * its token (AssumeRoleWithWebIdentity). With a private-only API endpoint and no NAT
 * gateway, the VPC has no way out: it needs an STS interface VPC endpoint with private
 * DNS, so sts.<region>.amazonaws.com resolves to it (EKS user guide, "Private cluster
 * requirements"), and the pods must use the regional STS endpoint
 * (AWS_STS_REGIONAL_ENDPOINTS=regional; the pod identity webhook sets it when the
 * ServiceAccount is annotated eks.amazonaws.com/sts-regional-endpoints: "true").
 */
import { defineModule } from '../engine/module.js';
import { podEnv, runningPodsOf } from '../platform/component-pods.js';

export const privateSts = defineModule({
  id: 'private-sts',
  title: 'STS reachable from a private cluster',
  needs: ['plan', 'cluster', 'region'],
  checks: {
    'private-sts-endpoint': {
      severity: 'FAIL',
      // 250-252 are the self-managed webhook and injection checks.
      code: 254,
      title: 'a private cluster without NAT has no STS interface VPC endpoint with private DNS',
      fix: 'Create an interface VPC endpoint for STS with private DNS enabled.',
    },
    'sts-regional-endpoints': {
      severity: 'WARN',
      title: 'pods of a private cluster do not set AWS_STS_REGIONAL_ENDPOINTS=regional',
      fix: 'Annotate the service accounts eks.amazonaws.com/sts-regional-endpoints: "true" and restart the pods.',
    },
  },
  async run(ctx, out) {
    const { cluster, region, plan } = ctx.facts;
    if (!cluster.vpcId) return;
    if (cluster.endpointPublicAccess !== false || cluster.endpointPrivateAccess !== true) return;
    const vpc = cluster.vpcId;
    const nat = await ctx.aws.natGatewayCount(region, vpc);
    if (nat > 0) {
      out.info(
        `private-only API endpoint; VPC ${vpc} has ${nat} NAT gateway(s), so pods reach STS through them`,
      );
      return;
    }
    const endpoints = await ctx.aws.vpcEndpoints(region, vpc);
    const sts = endpoints.filter(
      (e) => e.serviceName.endsWith(`.${region}.sts`) && (e.type ?? 'Interface') === 'Interface',
    );
    const usable = sts.find(
      (e) => e.privateDnsEnabled && (e.state ?? 'available').toLowerCase() === 'available',
    );
    const fix = `Create an interface VPC endpoint for com.amazonaws.${region}.sts in ${vpc} with private DNS enabled, in the nodes' subnets, with a security group that allows HTTPS (443) from the nodes.`;
    if (!usable) {
      const why =
        sts.length === 0
          ? 'no STS interface VPC endpoint'
          : `STS endpoint ${sts.map((e) => e.id).join(', ')} without private DNS or not available`;
      out.fail(
        'private-sts-endpoint',
        `private-only cluster, VPC ${vpc} has no NAT gateway and ${why}: pods cannot reach STS to exchange their token`,
        { fix },
      );
      return;
    }
    out.ok(
      'private-sts-endpoint',
      `private-only cluster: STS interface VPC endpoint ${usable.id} with private DNS in ${vpc}`,
    );
    const pods = await ctx.kube.pods(ctx.scope.namespace);
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
