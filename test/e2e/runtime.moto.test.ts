/**
 * The runtime signals' AWS calls through the real LiveAws against moto (behind the
 * fault proxy): EC2 metadata options, VPC endpoints, NAT gateways, RoleLastUsed, the
 * direct proofs' temporary credentials, and ListPodIdentityAssociations, which moto
 * does not implement (an answer, not a crash) and which, denied, is one clear line.
 */
import { describe, expect, it } from 'vitest';
import { ApiCallError } from '../../src/core/errors.js';
import { REGION, liveAwsAgainstMoto } from '../support/live-aws-moto.js';

const moto = liveAwsAgainstMoto();
const { live } = moto;
const ec2Client = async () => {
  const ec2 = await import('@aws-sdk/client-ec2');
  return {
    ec2,
    client: new ec2.EC2Client({
      region: REGION,
      endpoint: moto.seeded.url,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    }),
  };
};

describe('LiveAws runtime calls against moto', () => {
  it('instances: the metadata options of the nodes, matched by ID; unknown IDs are left out', async () => {
    const ids = moto.seeded.world.kube.nodes!.map((n) => n.providerID!.split('/').pop()!);
    const found = await live().instances(REGION, [...ids, 'i-00000000000000000']);
    expect(found).toEqual(
      [...ids].sort().map((instanceId) => ({
        instanceId,
        imdsV2Required: true,
        httpPutResponseHopLimit: 1,
        httpEndpoint: 'enabled',
      })),
    );
    expect(await live().instances(REGION, [])).toEqual([]);
  });

  it('instances denied: ApiCallError naming ec2:DescribeInstances', async () => {
    moto.seeded.proxy.fail('ec2:DescribeInstances', 'accessDenied');
    const e = await live()
      .instances(REGION, ['i-0123456789abcdef0'])
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiCallError);
    expect((e as ApiCallError).operation).toBe('ec2:DescribeInstances');
    expect((e as ApiCallError).isAccessDenied).toBe(true);
  });

  it('podIdentityAssociations: moto does not implement it → undefined; denied → ApiCallError', async () => {
    expect(await live().podIdentityAssociations('camunda-prod', REGION, 'camunda')).toBeUndefined();
    moto.seeded.proxy.fail('eks:ListPodIdentityAssociations', 'accessDenied');
    const e = await live()
      .podIdentityAssociations('camunda-prod', REGION, 'camunda')
      .catch((x: unknown) => x);
    expect((e as ApiCallError).operation).toBe('eks:ListPodIdentityAssociations');
    expect((e as ApiCallError).isAccessDenied).toBe(true);
  });

  it('vpcEndpoints and natGatewayCount of a VPC', async () => {
    const { ec2, client } = await ec2Client();
    const vpc = (await client.send(new ec2.CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc!.VpcId!;
    const endpoint = await client.send(
      new ec2.CreateVpcEndpointCommand({
        VpcId: vpc,
        ServiceName: `com.amazonaws.${REGION}.sts`,
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
      }),
    );
    const found = await live().vpcEndpoints(REGION, vpc);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      id: endpoint.VpcEndpoint!.VpcEndpointId,
      serviceName: `com.amazonaws.${REGION}.sts`,
      type: 'Interface',
      privateDnsEnabled: true,
    });
    expect(await live().natGatewayCount(REGION, vpc)).toBe(0);
  });

  it('role: RoleLastUsed once the role was used', async () => {
    const role = await live().role('camunda-identity-irsa');
    expect(Date.parse(role!.lastUsedDate!)).toBeGreaterThan(Date.parse('2026-01-01T00:00:00Z'));
  });

  it('assumeRoleWithWebIdentity: the assumed role and the temporary credentials of the web identity', async () => {
    const arn = moto.seeded.world.aws.roles!.find((r) => r.name === 'camunda-identity-irsa')!.arn;
    const answer = await live().assumeRoleWithWebIdentity(arn, 'header.payload.signature', REGION);
    expect(answer.assumedRoleArn).toMatch(/:assumed-role\/camunda-identity-irsa\/irsa-check-\d+$/);
    const creds = answer.credentials!;
    expect(Object.keys(creds).sort()).toEqual(['accessKeyId', 'secretAccessKey', 'sessionToken']);
    expect(creds.accessKeyId).toMatch(/^ASIA/);
  });
});
