/**
 * The runtime signals' AWS calls through the real LiveAws against moto (behind the
 * fault proxy): EC2 metadata options, VPC endpoints, route tables, subnets, security groups, RoleLastUsed, the
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
        // Where the node runs: what private-sts reads its subnet's route table and the endpoint's rules with.
        subnetId: expect.stringMatching(/^subnet-/),
        availabilityZone: expect.stringMatching(new RegExp(`^${REGION}[a-z]$`)),
        privateIp: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/),
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

  it('vpcEndpoints, routeTables, subnets and securityGroups of a VPC', async () => {
    const { ec2, client } = await ec2Client();
    const vpc = (await client.send(new ec2.CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc!.VpcId!;
    const subnet = async (cidr: string, az: string) =>
      (await client.send(new ec2.CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr, AvailabilityZone: az })))
        .Subnet!.SubnetId!;
    const [nodesA, nodesB, pub] = [
      await subnet('10.9.1.0/24', `${REGION}a`),
      await subnet('10.9.2.0/24', `${REGION}b`),
      await subnet('10.9.9.0/24', `${REGION}a`),
    ];
    const sg = async (name: string) =>
      (
        await client.send(
          new ec2.CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpc }),
        )
      ).GroupId!;
    const [nodeSg, vpceSg] = [await sg('nodes'), await sg('vpce')];
    await client.send(
      new ec2.AuthorizeSecurityGroupIngressCommand({
        GroupId: vpceSg,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: nodeSg }] },
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.9.0.0/16' }] },
        ],
      }),
    );
    // A NAT gateway in the public subnet; the nodes' table (subnet A only) routes to it, B uses the main table.
    const eip = (await client.send(new ec2.AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId!;
    const nat = (await client.send(new ec2.CreateNatGatewayCommand({ SubnetId: pub, AllocationId: eip })))
      .NatGateway!.NatGatewayId!;
    const rtb = (await client.send(new ec2.CreateRouteTableCommand({ VpcId: vpc }))).RouteTable!
      .RouteTableId!;
    await client.send(new ec2.AssociateRouteTableCommand({ RouteTableId: rtb, SubnetId: nodesA }));
    await client.send(
      new ec2.CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat }),
    );
    const endpoint = await client.send(
      new ec2.CreateVpcEndpointCommand({
        VpcId: vpc,
        ServiceName: `com.amazonaws.${REGION}.sts`,
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        SubnetIds: [nodesA],
        SecurityGroupIds: [vpceSg],
      }),
    );
    const found = await live().vpcEndpoints(REGION, vpc);
    expect(found).toEqual([
      {
        id: endpoint.VpcEndpoint!.VpcEndpointId,
        serviceName: `com.amazonaws.${REGION}.sts`,
        type: 'Interface',
        state: expect.any(String),
        privateDnsEnabled: true,
        subnetIds: [nodesA],
        securityGroupIds: [vpceSg],
      },
    ]);
    const tables = await live().routeTables(REGION, vpc);
    const main = tables.find((t) => t.main)!;
    expect(main.routes).toContainEqual({
      destination: '10.9.0.0/16',
      kind: 'local',
      target: 'local',
      active: true,
    });
    expect(tables.find((t) => t.id === rtb)).toEqual({
      id: rtb,
      main: false,
      subnetIds: [nodesA],
      routes: expect.arrayContaining([
        { destination: '0.0.0.0/0', kind: 'nat-gateway', target: nat, active: true },
      ]),
    });
    expect(await live().subnets(REGION, vpc)).toEqual(
      [
        { id: nodesA, availabilityZone: `${REGION}a` },
        { id: nodesB, availabilityZone: `${REGION}b` },
        { id: pub, availabilityZone: `${REGION}a` },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    const groups = await live().securityGroups(REGION, [vpceSg, 'sg-00000000000000000']);
    expect(groups).toEqual([
      {
        id: vpceSg,
        ingress: expect.arrayContaining([
          expect.objectContaining({ protocol: 'tcp', fromPort: 443, toPort: 443, sourceGroupIds: [nodeSg] }),
          expect.objectContaining({ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: ['10.9.0.0/16'] }),
        ]),
      },
    ]);
    expect(await live().securityGroups(REGION, [])).toEqual([]);
    // A node in subnet A with the nodes' security group: what private-sts matches the rules against.
    const node = (
      await client.send(
        new ec2.RunInstancesCommand({
          ImageId: 'ami-12c6146b',
          MinCount: 1,
          MaxCount: 1,
          SubnetId: nodesA,
          SecurityGroupIds: [nodeSg],
        }),
      )
    ).Instances![0]!;
    expect(await live().instances(REGION, [node.InstanceId!])).toEqual([
      expect.objectContaining({
        instanceId: node.InstanceId,
        subnetId: nodesA,
        availabilityZone: `${REGION}a`,
        securityGroupIds: [nodeSg],
        privateIp: node.PrivateIpAddress,
      }),
    ]);
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
