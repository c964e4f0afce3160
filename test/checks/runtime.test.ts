/**
 * The runtime signals over the healthy 8.8 world with one fault planted each: IMDS
 * reachable from pods, EKS Pod Identity without associations (test/checks/pod-identity.test.ts
 * has the rest), a role the
 * application has not used since its pods started, a private cluster without a way
 * to STS, IRSA errors in the pods' logs. Exact lines, through the real dispatcher.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accessDenied, healthy, plant } from './aws-checks-harness.js';
import { runWorld, type WorldModel } from '../support/world.js';
import { runModule } from '../support/module-run.js';
import { podLogs } from '../../src/checks/pod-logs.js';
import type { IngressRule, Route, VpcEndpoint } from '../../src/ports/aws.js';

const lines = async (w: WorldModel, module: string, opts = {}) => (await runWorld(w, opts)).lines(module);
const NODE_1 = 'ip-10-0-1-17.eu-west-1.compute.internal';

describe('imds', () => {
  it('healthy: hop limit 1 and IMDSv2 only on every node', async () => {
    expect(await lines(healthy, 'imds')).toEqual([
      '[OK] pods cannot reach the instance metadata service on 3 node(s) (hop limit 1, IMDSv2 only)',
    ]);
  });

  it('hop limit 2 or IMDSv1 on a node: a WARN naming the nodes; an unknown instance is INFO', async () => {
    const w = plant((w) => {
      w.aws.instances![0]!.httpPutResponseHopLimit = 2;
      w.aws.instances![1]!.imdsV2Required = false;
      w.aws.instances!.pop();
    });
    const run = await runWorld(w);
    expect(run.lines('imds')).toEqual([
      '[INFO] IMDS settings not checked for 1 node(s) whose instance eu-west-1 does not list: ip-10-0-3-9.eu-west-1.compute.internal (i-03c4d5e6f708192a3)',
      `[WARN] pods can reach the instance metadata service on 2 node(s): ${NODE_1} (i-0a1b2c3d4e5f60718: hop limit 2); ip-10-0-2-41.eu-west-1.compute.internal (i-0f1e2d3c4b5a69788: IMDSv1 allowed): a pod without working IRSA silently runs as the node's instance role; set HttpPutResponseHopLimit 1 and HttpTokens required in the nodes' launch template, as Camunda's IRSA guide recommends`,
    ]);
    expect(run.findings.filter((f) => f.module === 'imds' && f.level === 'WARN').map((f) => f.check)).toEqual(
      ['imds-reachable-from-pods'],
    );
    expect(run.exitCode).toBe(0);
  });

  it('IMDS disabled counts as closed', async () => {
    const w = plant((w) => {
      for (const i of w.aws.instances!)
        Object.assign(i, { httpPutResponseHopLimit: 3, httpEndpoint: 'disabled' });
    });
    expect(await lines(w, 'imds')).toEqual([
      '[OK] pods cannot reach the instance metadata service on 3 node(s) (hop limit 1, IMDSv2 only)',
    ]);
  });

  it('ec2:DescribeInstances denied: the usual "cannot call" line, exit 2', async () => {
    const w = plant((w) => (w.aws.errors = { instances: accessDenied('ec2:DescribeInstances') }));
    const run = await runWorld(w);
    expect(run.lines('imds')).toEqual([
      '[FAIL] irsa-check cannot call ec2:DescribeInstances (AccessDenied): grant it, see README "Permissions"',
    ]);
  });
});

describe('pod-identity', () => {
  it('healthy: no association', async () => {
    expect(await lines(healthy, 'pod-identity')).toEqual([
      '[OK] no EKS Pod Identity association for the checked service accounts in namespace camunda',
    ]);
  });

  it('an endpoint without the API (moto): INFO, never a FAIL', async () => {
    const w = plant((w) => (w.aws.podIdentity = 'notImplemented'));
    expect(await lines(w, 'pod-identity')).toEqual([
      '[INFO] EKS Pod Identity associations not checked: the EKS endpoint does not implement ListPodIdentityAssociations',
    ]);
  });
});

describe('role-in-use', () => {
  it('a use after the pods started is corroboration only: an INFO, never an OK (issue 18 point 6)', async () => {
    const run = await runWorld(healthy);
    expect(run.lines('role-in-use')).toContain(
      "[INFO] identity: role camunda-identity-irsa (IRSA, account 123456789012) was last used at 2026-11-20T09:13:15.000Z, after its pods started (2026-11-20T08:12:44.000Z): this corroborates, but does not prove, that the application uses it (IAM counts any principal's use: an earlier irsa-check, another cluster); the in-pod identity and injection proofs are the proof",
    );
    // RoleLastUsed counts any principal (an earlier irsa-check Job, another cluster): it never proves.
    expect(run.findings.filter((f) => f.module === 'role-in-use' && f.level === 'OK')).toEqual([]);
  });

  it("a use since this irsa-check started is its own proof's: not counted as the application's", async () => {
    const w = plant((w) => {
      w.aws.roles!.find((r) => r.name === 'camunda-identity-irsa')!.lastUsedDate = new Date().toISOString();
    });
    const l = (await lines(w, 'role-in-use')).find((x) => x.startsWith('[INFO] identity:'));
    expect(l).toMatch(
      /^\[INFO\] identity: role camunda-identity-irsa \(IRSA, account 123456789012\) use not judged: its last recorded use \(.+\) is this irsa-check run's own proof, not evidence about the application$/,
    );
  });

  it('last used before the pods started, or never: a WARN, not a FAIL', async () => {
    const w = plant((w) => {
      w.aws.roles!.find((r) => r.name === 'camunda-identity-irsa')!.lastUsedDate = '2026-11-01T10:00:00.000Z';
      delete w.aws.roles!.find((r) => r.name === 'camunda-web-modeler-irsa')!.lastUsedDate;
    });
    const run = await runWorld(w);
    const warns = run.lines('role-in-use').filter((l) => l.startsWith('[WARN]'));
    expect(warns).toEqual([
      "[WARN] identity: role camunda-identity-irsa (IRSA, account 123456789012) was last used at 2026-11-01T10:00:00.000Z, before its pods started (2026-11-20T08:12:44.000Z): the application has not used its role since it started and may run on other credentials (node role, static keys); check its logs and its AWS SDK's credential chain",
      "[WARN] webModeler: role camunda-web-modeler-irsa (IRSA, account 123456789012) has no recorded use, before its pods started (2026-11-20T08:13:02.000Z): the application has not used its role since it started and may run on other credentials (node role, static keys); check its logs and its AWS SDK's credential chain",
    ]);
    expect(
      run.findings.filter((f) => f.module === 'role-in-use' && f.level === 'WARN').map((f) => f.check),
    ).toEqual(['role-not-used', 'role-not-used']);
    expect(run.exitCode).toBe(0);
  });

  it('pods younger than IAM’s reporting delay are not judged', async () => {
    const w = plant((w) => {
      const pod = w.kube.pods!.find((p) => p.name.startsWith('camunda-identity-'))!;
      pod.startTime = new Date(Date.now() - 60_000).toISOString();
    });
    const l = (await lines(w, 'role-in-use')).find((x) => x.startsWith('[INFO] identity:'));
    expect(l).toMatch(
      /^\[INFO\] identity: role camunda-identity-irsa \(IRSA, account 123456789012\) use not judged: its pods started at .*, less than 4 hours ago \(IAM reports last use late\)$/,
    );
  });
});

describe('private-sts', () => {
  const VPC = 'vpc-0abc';
  const NODES = [
    'ip-10-0-1-17.eu-west-1.compute.internal',
    'ip-10-0-2-41.eu-west-1.compute.internal',
    'ip-10-0-3-9.eu-west-1.compute.internal',
  ];
  const SUBNETS = ['subnet-0a', 'subnet-0b', 'subnet-0c'];
  const AZS = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
  const route = (kind: Route['kind'], target: string, destination = '0.0.0.0/0'): Route => ({
    destination,
    kind,
    target,
    active: true,
  });
  const local = route('local', 'local', '10.0.0.0/16');
  /**
   * A private-only cluster whose three nodes sit in subnet-0a/0b/0c (security group sg-nodes);
   * the VPC's main route table has only the local route.
   */
  const privateCluster = (w: WorldModel) => {
    Object.assign(w.aws.clusters![0]!, {
      vpcId: VPC,
      endpointPublicAccess: false,
      endpointPrivateAccess: true,
    });
    w.aws.instances!.forEach((i, n) =>
      Object.assign(i, {
        subnetId: SUBNETS[n],
        availabilityZone: AZS[n],
        securityGroupIds: ['sg-nodes'],
        privateIp: `10.0.${n + 1}.10`,
      }),
    );
    w.aws.subnets = SUBNETS.map((id, n) => ({
      region: 'eu-west-1',
      vpcId: VPC,
      id,
      availabilityZone: AZS[n]!,
    }));
    w.aws.routeTables = [
      { region: 'eu-west-1', vpcId: VPC, id: 'rtb-main', main: true, subnetIds: [], routes: [local] },
    ];
  };
  const table = (id: string, subnetIds: string[], ...routes: Route[]) => ({
    region: 'eu-west-1',
    vpcId: VPC,
    id,
    main: false,
    subnetIds,
    routes: [local, ...routes],
  });
  const stsEndpoint = (over: Partial<VpcEndpoint> = {}) => ({
    region: 'eu-west-1',
    vpcId: VPC,
    id: 'vpce-1',
    serviceName: 'com.amazonaws.eu-west-1.sts',
    type: 'Interface',
    state: 'available',
    privateDnsEnabled: true,
    subnetIds: SUBNETS,
    securityGroupIds: ['sg-vpce'],
    ...over,
  });
  const endpointSg = (...ingress: IngressRule[]) => ({ region: 'eu-west-1', id: 'sg-vpce', ingress });
  const FIX = `Create an interface VPC endpoint for com.amazonaws.eu-west-1.sts in ${VPC} with private DNS enabled, in the nodes' subnets, with a security group that allows HTTPS (443) from the nodes.`;

  it('a public endpoint: nothing to say', async () => {
    expect(await lines(healthy, 'private-sts')).toEqual([]);
  });

  it('private-only, node subnets without a default route, no STS endpoint: FAIL 254 with the endpoint to create', async () => {
    const run = await runWorld(plant(privateCluster));
    expect(run.lines('private-sts')).toEqual([
      `[FAIL] private-only cluster: node subnet(s) subnet-0a (route table rtb-main, the VPC main route table), subnet-0b (route table rtb-main, the VPC main route table), subnet-0c (route table rtb-main, the VPC main route table) have no default route (0.0.0.0/0) and VPC ${VPC} has no STS interface VPC endpoint: pods there cannot reach STS to exchange their token`,
    ]);
    expect(run.fails('private-sts')[0]!.fix).toBe(FIX);
    expect(run.fails('private-sts').map((f) => [f.check, f.code])).toEqual([['private-sts-endpoint', 254]]);
    expect(run.exitCode).toBe(254);
  });

  it('a NAT gateway elsewhere in the VPC is no way out for the node subnets: FAIL (issue 18 point 8)', async () => {
    const w = plant((w) => {
      privateCluster(w);
      // The public subnet's table routes to the internet gateway; the NAT gateway's route is on a table no node subnet uses.
      w.aws.routeTables!.push(
        table('rtb-public', ['subnet-public'], route('internet-gateway', 'igw-1')),
        table('rtb-other', ['subnet-other'], route('nat-gateway', 'nat-0123')),
        table('rtb-nodes', ['subnet-0a', 'subnet-0b', 'subnet-0c']),
      );
    });
    expect(await lines(w, 'private-sts')).toEqual([
      `[FAIL] private-only cluster: node subnet(s) subnet-0a (route table rtb-nodes), subnet-0b (route table rtb-nodes), subnet-0c (route table rtb-nodes) have no default route (0.0.0.0/0) and VPC ${VPC} has no STS interface VPC endpoint: pods there cannot reach STS to exchange their token`,
    ]);
  });

  it('a blackhole default route (its NAT gateway deleted) is no way out either', async () => {
    const w = plant((w) => {
      privateCluster(w);
      w.aws.routeTables!.push(
        table('rtb-nodes', SUBNETS, { ...route('nat-gateway', 'nat-gone'), active: false }),
      );
    });
    expect((await lines(w, 'private-sts'))[0]).toMatch(
      /^\[FAIL\] private-only cluster: node subnet\(s\) subnet-0a \(route table rtb-nodes\)/,
    );
  });

  it('node subnets routing 0.0.0.0/0 to a NAT gateway (explicitly, or through the main route table): INFO', async () => {
    const w = plant((w) => {
      privateCluster(w);
      w.aws.routeTables![0]!.routes.push(route('nat-gateway', 'nat-0main'));
      w.aws.routeTables!.push(table('rtb-a', ['subnet-0a'], route('nat-gateway', 'nat-0a')));
    });
    expect(await lines(w, 'private-sts')).toEqual([
      '[INFO] private-only API endpoint; node subnet(s) subnet-0a, subnet-0b, subnet-0c route 0.0.0.0/0 to NAT gateway nat-0a, nat-0main, so pods there reach STS through it',
    ]);
  });

  it('a transit gateway or a NAT instance: INFO "cannot prove", never a FAIL', async () => {
    const w = plant((w) => {
      privateCluster(w);
      w.aws.routeTables!.push(
        table('rtb-a', ['subnet-0a', 'subnet-0b'], route('transit-gateway', 'tgw-0123')),
        table('rtb-c', ['subnet-0c'], route('instance', 'i-0nat')),
      );
    });
    const run = await runWorld(w);
    expect(run.lines('private-sts')).toEqual([
      '[INFO] egress not via NAT gateway: cannot prove STS reachability: subnet-0a (route table rtb-a) sends 0.0.0.0/0 to transit gateway tgw-0123; subnet-0b (route table rtb-a) sends 0.0.0.0/0 to transit gateway tgw-0123; subnet-0c (route table rtb-c) sends 0.0.0.0/0 to instance (a NAT instance or appliance) i-0nat',
    ]);
    expect(run.fails('private-sts')).toEqual([]);
  });

  it('pods behind an HTTPS proxy: INFO "cannot prove", not a FAIL', async () => {
    const w = plant((w) => {
      privateCluster(w);
      w.kube.pods![0]!.containers[0]!.env.push({
        name: 'HTTPS_PROXY',
        value: 'http://user:secret@proxy:3128',
      });
    });
    const l = await lines(w, 'private-sts');
    expect(l).toEqual([
      `[INFO] egress not via NAT gateway: cannot prove STS reachability: node subnet(s) subnet-0a (route table rtb-main, the VPC main route table), subnet-0b (route table rtb-main, the VPC main route table), subnet-0c (route table rtb-main, the VPC main route table) have no default route and VPC ${VPC} has no STS interface VPC endpoint, but pod(s) camunda-identity-7d9c5b8f6-x2k4p set HTTPS_PROXY (a proxy may reach STS)`,
    ]);
    expect(l.join('\n')).not.toContain('secret');
  });

  it('an STS endpoint without private DNS is no way to STS', async () => {
    const w = plant((w) => {
      privateCluster(w);
      w.aws.vpcEndpoints = [stsEndpoint({ privateDnsEnabled: false })];
    });
    expect((await lines(w, 'private-sts'))[0]).toMatch(
      /^\[FAIL\] private-only cluster: .* and VPC vpc-0abc has STS endpoint vpce-1 without private DNS or not available: pods there cannot reach STS to exchange their token$/,
    );
  });

  it('with the endpoint admitting the nodes’ security group on 443: OK, and a WARN for pods without AWS_STS_REGIONAL_ENDPOINTS=regional', async () => {
    const w = plant((w) => {
      privateCluster(w);
      w.aws.vpcEndpoints = [stsEndpoint()];
      w.aws.securityGroups = [
        endpointSg({ protocol: 'tcp', fromPort: 443, toPort: 443, sourceGroupIds: ['sg-nodes'], cidrs: [] }),
      ];
    });
    expect(await lines(w, 'private-sts')).toEqual([
      `[OK] private-only cluster: STS interface VPC endpoint vpce-1 with private DNS in ${VPC}; its security group(s) sg-vpce admit the nodes on TCP 443`,
      // Only Identity's pod carries the variable in this world.
      '[WARN] pod(s) camunda-keycloak-0, camunda-web-modeler-restapi-6f4d8c7b9-q8w2e, camunda-zeebe-0, camunda-optimize-5b7f9d6c4-m3n7v do not set AWS_STS_REGIONAL_ENDPOINTS=regional: an SDK defaulting to the global sts.amazonaws.com cannot use the regional VPC endpoint; annotate the service accounts eks.amazonaws.com/sts-regional-endpoints: "true" and restart the pods',
    ]);
  });

  it('a CIDR rule covering the nodes’ addresses admits them too', async () => {
    const w = plant((w) => {
      privateCluster(w);
      w.aws.vpcEndpoints = [stsEndpoint()];
      w.aws.securityGroups = [endpointSg({ protocol: '-1', sourceGroupIds: [], cidrs: ['10.0.0.0/16'] })];
    });
    expect((await lines(w, 'private-sts'))[0]).toMatch(/^\[OK\] .*admit the nodes on TCP 443$/);
  });

  it('an endpoint whose security group does not admit the nodes on 443: FAIL naming the nodes and the rule to add', async () => {
    const w = plant((w) => {
      privateCluster(w);
      w.aws.vpcEndpoints = [stsEndpoint()];
      w.aws.securityGroups = [
        endpointSg(
          { protocol: 'tcp', fromPort: 80, toPort: 80, sourceGroupIds: ['sg-nodes'], cidrs: [] },
          { protocol: 'tcp', fromPort: 443, toPort: 443, sourceGroupIds: [], cidrs: ['10.0.1.0/24'] },
        ),
      ];
    });
    const run = await runWorld(w);
    expect(run.lines('private-sts')[0]).toBe(
      `[FAIL] STS interface VPC endpoint vpce-1: its security group(s) sg-vpce do not admit TCP 443 from node(s) ${NODES[1]} (sg-nodes, 10.0.2.10), ${NODES[2]} (sg-nodes, 10.0.3.10): their pods' STS calls, which private DNS sends to the endpoint, time out`,
    );
    expect(run.fails('private-sts').map((f) => [f.check, f.code, f.fix])).toEqual([
      [
        'private-sts-endpoint-sg',
        254,
        "Add an inbound rule for TCP 443 from the nodes' security group (sg-nodes) to sg-vpce.",
      ],
    ]);
  });

  it('an endpoint without a network interface in a node’s zone: INFO', async () => {
    const w = plant((w) => {
      privateCluster(w);
      w.aws.vpcEndpoints = [stsEndpoint({ subnetIds: ['subnet-0a'] })];
      w.aws.securityGroups = [
        endpointSg({ protocol: 'tcp', fromPort: 0, toPort: 65535, sourceGroupIds: ['sg-nodes'], cidrs: [] }),
      ];
    });
    expect(await lines(w, 'private-sts')).toContain(
      '[INFO] STS interface VPC endpoint vpce-1 has no network interface in eu-west-1b, eu-west-1c: nodes there reach it in another zone (it works, but an outage of that zone cuts them off from STS)',
    );
  });
});

describe('pod-logs', () => {
  it('healthy: no IRSA error in the logs, saying how much was read', async () => {
    expect(await lines(healthy, 'pod-logs')).toContain(
      '[OK] identity: no IRSA error in the newest 0 log line(s) (0 B) of 1 pod(s)',
    );
  });

  it('quotes the matching lines, redacted, with the matching fix; --no-logs reads no log', async () => {
    const w = plant((w) => {
      w.kube.logs = {
        'camunda-identity-7d9c5b8f6-x2k4p/identity': [
          '2026-11-30 10:00:00 INFO started',
          'org.postgresql.util.PSQLException: FATAL: PAM authentication failed for user "identity_irsa" password=canary-Pw-991',
          'software.amazon.awssdk.services.sts.model.StsException: Not authorized to perform sts:AssumeRoleWithWebIdentity (Service: Sts, Status Code: 403)',
        ].join('\n'),
        'camunda-zeebe-0/orchestration':
          'OpenSearchException[type=security_exception, reason=no permissions for [indices:data/read/search] and User [name=arn:aws:iam::123456789012:role/camunda-orchestration-irsa]]',
      };
    });
    const run = await runWorld(w);
    expect(run.lines('pod-logs')).toEqual([
      '[OK] identityKeycloak: no IRSA error in the newest 0 log line(s) (0 B) of 1 pod(s)',
      '[FAIL] identity: the application logs that Aurora refused the IAM auth token of a database user granted rds_iam (PAM checks only those): the IAM side refused it: camunda-identity-7d9c5b8f6-x2k4p: "org.postgresql.util.PSQLException: FATAL: PAM authentication failed for user "identity_irsa" password=***REDACTED***"',
      '[FAIL] identity: the application logs that STS refused the pod’s token for the role: camunda-identity-7d9c5b8f6-x2k4p: "software.amazon.awssdk.services.sts.model.StsException: Not authorized to perform sts:AssumeRoleWithWebIdentity (Service: Sts, Status Code: 403)"',
      '[OK] webModeler: no IRSA error in the newest 0 log line(s) (0 B) of 1 pod(s)',
      '[FAIL] orchestration: the application logs that OpenSearch fine-grained access control maps the IAM role to no OpenSearch role: camunda-zeebe-0: "OpenSearchException[type=security_exception, reason=no permissions for [indices:data/read/search] and User [name=arn:aws:iam::123456789012:role/camunda-orchestration-irsa]]"',
      '[OK] optimize: no IRSA error in the newest 0 log line(s) (0 B) of 1 pod(s)',
    ]);
    expect(run.fails('pod-logs').map((f) => f.code)).toEqual([255, 255, 255]);
    expect(run.fails('pod-logs')[0]!.fix).toMatch(
      /^Allow rds-db:connect on arn:aws:rds-db:<region>:<account>:dbuser:<cluster resource id>\/<db user> /,
    );
    const off = await runModule(w, podLogs, { logs: false });
    expect(off.lines).toEqual([]);
    expect(off.calls.records.filter((r) => r.method === 'podLogTail')).toEqual([]);
    const on = await runModule(w, podLogs);
    expect(
      on.calls.records.filter((r) => r.method === 'podLogTail').map((r) => r.args.slice(2)),
    ).toContainEqual(['identity', 500, 262144]);
  });
});

describe('pod-logs reads what the application logs now (issue 18 point 7)', () => {
  const ID_POD = 'camunda-identity-7d9c5b8f6-x2k4p';
  const PAM = 'org.postgresql.util.PSQLException: FATAL: PAM authentication failed for user "identity_irsa"';
  const STS =
    'software.amazon.awssdk.services.sts.model.StsException: Not authorized to perform sts:AssumeRoleWithWebIdentity (Service: Sts, Status Code: 403)';
  const identityPod = (w: WorldModel) => w.kube.pods!.find((p) => p.name === ID_POD)!;
  const logCalls = (r: Awaited<ReturnType<typeof runModule>>) =>
    r.calls.records
      .filter((c) => c.method === 'podLogTail' && c.args[1] === ID_POD)
      .map((c) => c.args.slice(3));

  it('a log longer than the byte cap: the newest lines are read, not the oldest of the tail', async () => {
    // 500 lines of ~1 KiB: the kubelet answers the first 256 KiB of the tail, so the newest lines are cut.
    const filler = Array.from(
      { length: 498 },
      (_, i) => `INFO ${String(i).padStart(4, '0')} ${'x'.repeat(1000)}`,
    );
    const w = plant((w) => (w.kube.logs = { [`${ID_POD}/identity`]: [PAM, ...filler, STS].join('\n') }));
    const r = await runModule(w, podLogs);
    expect(r.lines.filter((l) => l.includes('identity:'))).toEqual([
      `[FAIL] identity: the application logs that STS refused the pod’s token for the role: ${ID_POD}: "${STS}"`,
    ]);
    // Read again with as many lines as fitted (260), now the newest ones.
    expect(logCalls(r)).toEqual([
      [500, 262144],
      [260, 262144],
    ]);
  });

  it('the OK line says how much was read', async () => {
    const w = plant((w) => (w.kube.logs = { [`${ID_POD}/identity`]: 'INFO started\nINFO ready\n' }));
    expect((await runModule(w, podLogs)).lines).toContain(
      '[OK] identity: no IRSA error in the newest 2 log line(s) (24 B) of 1 pod(s)',
    );
  });

  it('a crash loop: the previous instance’s log (previous=true) holds the error, a FAIL while not ready', async () => {
    const w = plant((w) => {
      Object.assign(identityPod(w).containers[0]!, { ready: false, restartCount: 3 });
      w.kube.logs = {
        [`${ID_POD}/identity`]: 'INFO starting\n',
        [`${ID_POD}/identity/previous`]: `INFO starting\n${STS}\nERROR exiting\n`,
      };
    });
    const r = await runModule(w, podLogs);
    expect(r.lines.filter((l) => l.includes('identity:'))).toEqual([
      `[FAIL] identity: the application logs that STS refused the pod’s token for the role: ${ID_POD} (previous instance of identity, 3 restart(s)): "${STS}"`,
    ]);
    expect(logCalls(r)).toEqual([
      [500, 262144],
      [500, 262144, { previous: true }],
    ]);
  });

  it('a startup error logged before the pod became ready, and not since: INFO, not a FAIL', async () => {
    const w = plant((w) => {
      Object.assign(identityPod(w), { readySince: '2026-11-20T08:14:00.000Z' });
      Object.assign(identityPod(w).containers[0]!, { ready: true, restartCount: 1 });
      w.kube.logs = {
        [`${ID_POD}/identity`]: `2026-11-20T08:12:50.000000000Z ${PAM}\n2026-11-20T08:13:40.000000000Z INFO started\n`,
        [`${ID_POD}/identity/previous`]: `2026-11-20T08:12:45.000000000Z ${STS}\n`,
      };
    });
    const r = await runModule(w, podLogs);
    expect(r.lines.filter((l) => l.includes('identity:'))).toEqual([
      `[INFO] identity: the application logged that Aurora refused the IAM auth token of a database user granted rds_iam (PAM checks only those): the IAM side refused it, but only before its pod became ready or in a container instance that has since restarted, and it is ready now: an error it recovered from, not a verdict: ${ID_POD} at 2026-11-20T08:12:50.000Z, before ready at 2026-11-20T08:14:00.000Z: "${PAM}"`,
      `[INFO] identity: the application logged that STS refused the pod’s token for the role, but only before its pod became ready or in a container instance that has since restarted, and it is ready now: an error it recovered from, not a verdict: ${ID_POD} (previous instance of identity, 1 restart(s)): "${STS}"`,
      '[OK] identity: no IRSA error in the newest 3 log line(s) (313 B) of 1 pod(s) and 1 previous container instance(s)',
    ]);
    expect(logCalls(r)).toEqual([
      [500, 262144, { timestamps: true }],
      [500, 262144, { previous: true }],
    ]);
  });

  it('the same error logged again after the pod became ready is a FAIL', async () => {
    const w = plant((w) => {
      Object.assign(identityPod(w), { readySince: '2026-11-20T08:14:00.000Z' });
      Object.assign(identityPod(w).containers[0]!, { ready: true });
      w.kube.logs = {
        [`${ID_POD}/identity`]: `2026-11-20T08:12:50.000000000Z ${PAM}\n2026-11-20T09:00:00.000000000Z ${PAM} (again)\n`,
      };
    });
    expect((await runModule(w, podLogs)).lines.filter((l) => l.includes('identity:'))).toEqual([
      `[FAIL] identity: the application logs that Aurora refused the IAM auth token of a database user granted rds_iam (PAM checks only those): the IAM side refused it: ${ID_POD}: "${PAM} (again)"`,
    ]);
  });
});

describe('pod-logs in a support bundle', () => {
  it('keeps only the matching lines, with the values’ secrets and shaped secrets redacted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irsa-logs-'));
    const record = join(dir, 'bundle.json');
    const w = plant((w) => {
      w.kube.logs = {
        'camunda-identity-7d9c5b8f6-x2k4p/identity': [
          'INFO connecting with the first user password canary-first-user-Pw-4711, unrelated line',
          'FATAL: PAM authentication failed for user "identity_irsa" (first user canary-first-user-Pw-4711)',
        ].join('\n'),
      };
    });
    const run = await runWorld(w, { record });
    expect(run.lines('pod-logs')).toContain(
      '[FAIL] identity: the application logs that Aurora refused the IAM auth token of a database user granted rds_iam (PAM checks only those): the IAM side refused it: camunda-identity-7d9c5b8f6-x2k4p: "FATAL: PAM authentication failed for user "identity_irsa" (first user ***REDACTED***)"',
    );
    const bundle = readFileSync(record, 'utf8');
    expect(bundle).not.toContain('canary-first-user-Pw-4711');
    expect(bundle).not.toContain('unrelated line');
    const logCall = (
      JSON.parse(bundle) as { calls: Array<{ method: string; args: unknown[]; result: string }> }
    ).calls.find((c) => c.method === 'podLogTail' && c.args[1] === 'camunda-identity-7d9c5b8f6-x2k4p');
    // The matching lines, and the answer's real size: a replay says what the live run read.
    expect(logCall!.result).toBe(
      'FATAL: PAM authentication failed for user "identity_irsa" (first user ***REDACTED***)\n[irsa-check: log answer of 2 lines, 184 bytes]',
    );
    const replayed = await runWorld(w, { replay: record });
    expect(replayed.lines('pod-logs')).toEqual(run.lines('pod-logs'));
  });
});
