/**
 * The verification Jobs module over in-memory worlds: identity Jobs (130–134),
 * connectivity Jobs (41–43), leftover cleanup, -s; and the one Job template
 * (names, labels, limits, the `restricted` Pod Security level, the TCP marker).
 */
import { describe, expect, it } from 'vitest';
import type { RunOptions } from '../../src/core/options.js';
import type { Facts } from '../../src/engine/facts.js';
import type { JobResult, Kube } from '../../src/ports/kube.js';
import {
  identityJob,
  jobName,
  parseTcpProbe,
  tcpJob,
  TCP_PROBE_SCRIPT,
} from '../../src/platform/job-template.js';
import { jobs } from '../../src/proofs/jobs.js';
import { podSecurityViolations } from '../support/fake-kube-pod-security.js';
import { runModule } from '../support/module-run.js';
import { cloneWorld, loadWorld, memoryPlatform, testOptions, type WorldModel } from '../support/world.js';
import { run } from '../../src/run.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';

const DB = 'camunda-prod-aurora.cluster-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com';
const OS = 'vpc-camunda-prod-os-4kq7rx2m5nbv3c9w1z8yd6tfha.eu-west-1.es.amazonaws.com';
const ROLE = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
const ASSUMED = (name: string) => `arn:aws:sts::123456789012:assumed-role/${name}/botocore-session-1`;
type Result = Omit<JobResult, 'jobName'>;
type Manifest = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const callerIdentity = (arn: string) =>
  JSON.stringify({ UserId: 'AROAEXAMPLE:botocore-session-1', Account: '123456789012', Arn: arn }, null, 4) +
  '\n';

/**
 * A world whose Jobs answer like a healthy cluster: the identity Job prints the
 * STS identity of its ServiceAccount's role, the TCP probe finds the port open.
 * `overrides[purpose:component]` replaces one Job's result.
 */
function world(overrides: Record<string, Result> = {}): WorldModel {
  const w = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
  w.kube.jobFor = (m: Manifest) => {
    const labels = m.metadata.labels;
    const key = `${labels['irsa-check/purpose']}:${labels['irsa-check/component']}`;
    if (overrides[key]) return overrides[key];
    if (labels['irsa-check/purpose'] === 'tcp')
      return { outcome: 'succeeded', exitCode: 0, logs: 'IRSA_CHECK_TCP=open\n' };
    const sa = w.kube.serviceAccounts!.find((s) => s.name === m.spec.template.spec.serviceAccountName)!;
    const role = sa.annotations['eks.amazonaws.com/role-arn']!.split('/').pop()!;
    return { outcome: 'succeeded', exitCode: 0, logs: callerIdentity(ASSUMED(role)) };
  };
  return w;
}

const CLUSTER = {
  identifier: 'camunda-prod-aurora',
  arn: 'arn:aws:rds:eu-west-1:123456789012:cluster:camunda-prod-aurora',
  resourceId: 'cluster-7GJQ2XKZ5N4M3P2R1S0T9U8V7W',
  endpoint: DB,
  customEndpoints: [],
  iamAuthEnabled: true,
};
const AURORA = { cluster: CLUSTER, region: 'eu-west-1' };
const FACTS: Partial<Facts> = {
  databases: new Map([
    ['identityKeycloak', { host: DB, port: 5432 }],
    ['identity', { host: DB, port: 5432 }],
    ['webModeler', { host: DB, port: 5432 }],
  ]),
  auroraClusters: new Map([
    ['identityKeycloak', AURORA],
    ['identity', AURORA],
    ['webModeler', AURORA],
  ]),
  openSearch: { host: OS, port: 443 },
};

const idOk = (component: string, sa: string, role: string) =>
  `[OK] ${component}: in-pod identity: a pod running as service account ${sa} is ${ASSUMED(role)} (role ${ROLE(role)})`;
const dbOk = (component: string) =>
  `[OK] ${component}: Aurora PostgreSQL ${DB}:5432 is reachable from the cluster (TCP connect)`;
const osOk = `[OK] OpenSearch ${OS}:443 is reachable from the cluster (TCP connect)`;
const ONE = { pg: ['identity'], os: [] };
const ONE_FACTS: Partial<Facts> = {
  databases: new Map([['identity', { host: DB, port: 5432 }]]),
  auroraClusters: new Map([['identity', AURORA]]),
};

describe('jobs: verification Jobs', () => {
  it('runs an identity Job per component with a role and a TCP probe per database and OpenSearch', async () => {
    const r = await runModule(world(), jobs, {}, FACTS);
    expect(r.lines).toEqual([
      idOk('identityKeycloak', 'camunda-keycloak', 'camunda-keycloak-irsa'),
      dbOk('identityKeycloak'),
      idOk('identity', 'camunda-identity', 'camunda-identity-irsa'),
      dbOk('identity'),
      idOk('webModeler', 'camunda-web-modeler', 'camunda-web-modeler-irsa'),
      dbOk('webModeler'),
      idOk('orchestration', 'camunda-zeebe', 'camunda-orchestration-irsa'),
      idOk('optimize', 'camunda-optimize', 'camunda-optimize-irsa'),
      osOk,
    ]);
    expect(r.manifests).toHaveLength(9);
    // the OpenSearch probe runs as the first os component's service account
    const osJob = r.manifests.find((m) => m.metadata.labels['irsa-check/component'] === 'opensearch')!;
    expect(osJob.spec.template.spec.serviceAccountName).toBe('camunda-zeebe');
    expect(osJob.spec.template.spec.containers[0].command.slice(-3)).toEqual([OS, '443', '5']);
  });

  it('-s: no Job is created, no leftover is even listed', async () => {
    const w = world();
    w.kube.leftoverJobs = ['irsa-check-identity-identity-old01'];
    const r = await runModule(w, jobs, { spawn: false }, FACTS);
    expect(r.lines).toEqual(['[INFO] skipped (-s/--no-spawn): no verification Jobs']);
    expect(r.calls.records.filter((c) => /Job/.test(c.method))).toEqual([]);
  });

  it('deletes Jobs left by an interrupted run before creating new ones', async () => {
    const w = world();
    w.kube.leftoverJobs = ['irsa-check-tcp-identity-zz9x1', 'irsa-check-identity-identity-ab3c4'];
    const r = await runModule(w, jobs, ONE, ONE_FACTS);
    expect(r.lines).toEqual([
      '[INFO] deleted 2 Job(s) left by an earlier, interrupted irsa-check run: irsa-check-identity-identity-ab3c4, irsa-check-tcp-identity-zz9x1',
      idOk('identity', 'camunda-identity', 'camunda-identity-irsa'),
      dbOk('identity'),
    ]);
    const methods = r.calls.records.map((c) => c.method);
    const deletes = r.calls.records.filter((c) => c.method === 'deleteJob').map((c) => c.args);
    expect(deletes).toEqual([
      ['camunda', 'irsa-check-tcp-identity-zz9x1'],
      ['camunda', 'irsa-check-identity-identity-ab3c4'],
    ]);
    expect(methods.lastIndexOf('deleteJob')).toBeLessThan(methods.indexOf('runJob'));
  });

  it('a leftover that cannot be deleted is a WARN with the kubectl command', async () => {
    const w = world();
    w.kube.leftoverJobs = ['irsa-check-tcp-identity-zz9x1'];
    w.kube.errors = {
      deleteJob: {
        api: 'kube',
        operation: 'delete jobs',
        reason: 'Forbidden',
        message: 'forbidden',
        status: 403,
      },
    };
    const r = await runModule(w, jobs, ONE, ONE_FACTS);
    expect(r.lines[0]).toBe(
      '[WARN] cannot delete Job(s) left by an earlier irsa-check run: irsa-check-tcp-identity-zz9x1 (Forbidden) (kubectl delete jobs -n camunda -l app.kubernetes.io/managed-by=irsa-check)',
    );
    expect(r.findings[0]!.check).toBe('job-leftovers-delete');
  });

  it('a leftover whose delete loses the API server: the connectivity FAIL (exit 3), not a WARN about leftovers', async () => {
    const w = world();
    w.kube.leftoverJobs = ['irsa-check-tcp-identity-zz9x1'];
    w.kube.errors = {
      deleteJob: {
        api: 'kube',
        operation: 'delete jobs',
        reason: 'Timeout',
        message: 'no answer within 5 s',
        server: 'https://127.0.0.1:6443',
      },
    };
    const r = await runModule(w, jobs, ONE, ONE_FACTS);
    expect(r.lines).toEqual([
      '[FAIL] the Kubernetes API server at https://127.0.0.1:6443 did not answer delete jobs: no answer within 5 s',
    ]);
    expect(r.findings[0]!.code).toBe(3);
  });

  describe('identity Job (130–134)', () => {
    const run = (result: Result, opts: Partial<RunOptions> = {}) =>
      runModule(world({ 'identity:identity': result }), jobs, { ...ONE, ...opts }, { databases: new Map() });

    it('130: the Job cannot be created', async () => {
      const r = await run({
        outcome: 'create-failed',
        reason:
          'Forbidden: jobs.batch is forbidden: User "jane" cannot create resource "jobs" in API group "batch" in the namespace "camunda"',
      });
      expect(r.lines).toEqual([
        '[FAIL] identity: cannot create the identity Job: Forbidden: jobs.batch is forbidden: User "jane" cannot create resource "jobs" in API group "batch" in the namespace "camunda"',
      ]);
      expect(r.findings[0]).toMatchObject({
        code: 130,
        check: 'identity-job-create',
        fix: 'Allow irsa-check to create, watch and delete jobs, watch pods and events and read pods/log in namespace camunda (README, "Permissions"), or run with -s.',
      });
    });

    it('130: Pod Security admission refuses the pod', async () => {
      const psa =
        'pods "irsa-check-identity-identity-abcde-x7k2p" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "probe" must set securityContext.allowPrivilegeEscalation=false)';
      const r = await run({ outcome: 'rejected', reason: psa });
      expect(r.lines).toEqual([
        `[FAIL] identity: Pod Security admission refused the pod of the identity Job: ${psa}`,
      ]);
      expect(r.findings[0]!.code).toBe(130);
      expect(r.findings[0]!.check).toBe('identity-job-create');
      expect(r.findings[0]!.fix).toContain('pod-security.kubernetes.io labels of namespace camunda');
    });

    it('130: an admission webhook refuses the pod', async () => {
      const msg =
        'pods "irsa-check-identity-identity-abcde-x7k2p" is forbidden: admission webhook "validation.gatekeeper.sh" denied the request: [allowed-repos] image not allowed';
      const r = await run({ outcome: 'rejected', reason: msg });
      expect(r.lines).toEqual([
        `[FAIL] identity: an admission controller refused the pod of the identity Job: ${msg}`,
      ]);
      expect(r.findings[0]!.fix).toBe(
        'Allow pods labelled app.kubernetes.io/managed-by=irsa-check in namespace camunda in the admission policy, or run with -s.',
      );
    });

    it('131: the image cannot be pulled', async () => {
      const r = await run(
        {
          outcome: 'image-pull',
          reason: 'rpc error: code = NotFound desc = failed to pull and unpack image',
        },
        { jobImage: 'registry.example.com/aws-cli:2' },
      );
      expect(r.lines).toEqual([
        '[FAIL] identity: the image registry.example.com/aws-cli:2 of the identity Job cannot be pulled: rpc error: code = NotFound desc = failed to pull and unpack image',
      ]);
      expect(r.findings[0]).toMatchObject({ code: 131, check: 'identity-job-complete' });
      expect(r.findings[0]!.fix).toContain('--job-image');
    });

    it('131: the pod is never scheduled', async () => {
      const r = await run({
        outcome: 'unschedulable',
        reason: '0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: camunda}.',
      });
      expect(r.lines).toEqual([
        '[FAIL] identity: the pod of the identity Job was never scheduled: 0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: camunda}.',
      ]);
      expect(r.findings[0]!.code).toBe(131);
      expect(r.findings[0]!.check).toBe('identity-job-complete');
    });

    it('131: the Job times out', async () => {
      const r = await run(
        { outcome: 'timeout', reason: 'no result within 40 s: its pod was Running' },
        { jobTimeoutSeconds: 30 },
      );
      expect(r.lines).toEqual([
        '[FAIL] identity: the identity Job did not finish within 30 s: no result within 40 s: its pod was Running',
      ]);
      expect(r.findings[0]!.fix).toContain('--job-timeout');
    });

    it('131: the AWS CLI fails (AccessDenied) → the trust policy fix', async () => {
      const r = await run({
        outcome: 'failed',
        exitCode: 254,
        reason: 'BackoffLimitExceeded: Job has reached the specified backoff limit',
        logs: '\nAn error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity\n',
      });
      expect(r.lines).toEqual([
        '[FAIL] identity: the identity Job failed (exit code 254): An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity',
      ]);
      expect(r.findings[0]!.fix).toBe(
        `The trust policy of ${ROLE('camunda-identity-irsa')} does not admit system:serviceaccount:camunda:camunda-identity with aud sts.amazonaws.com: add it to the role's Condition.`,
      );
    });

    it('131: an image without the AWS CLI', async () => {
      const r = await run({
        outcome: 'failed',
        exitCode: 128,
        reason:
          'BackoffLimitExceeded: Job has reached the specified backoff limit: failed to create containerd task: exec: "aws": executable file not found in $PATH',
      });
      expect(r.findings[0]!.fix).toContain('lacks the AWS CLI');
    });

    it('132: output not JSON', async () => {
      const r = await run({ outcome: 'succeeded', exitCode: 0, logs: 'Hello from busybox\n' });
      expect(r.lines).toEqual([
        '[FAIL] identity: the identity Job\'s output is not JSON: "Hello from busybox"',
      ]);
      expect(r.findings[0]!.code).toBe(132);
      expect(r.findings[0]!.check).toBe('identity-job-json');
    });

    it('133: JSON without an Arn', async () => {
      const r = await run({
        outcome: 'succeeded',
        exitCode: 0,
        logs: '{"UserId": "x", "Account": "123456789012"}',
      });
      expect(r.lines).toEqual([
        "[FAIL] identity: the identity Job's output has no Arn (keys: UserId, Account)",
      ]);
      expect(r.findings[0]!.code).toBe(133);
      expect(r.findings[0]!.check).toBe('identity-job-arn');
    });

    it('134: the pod runs as another role', async () => {
      const r = await run({
        outcome: 'succeeded',
        exitCode: 0,
        logs: callerIdentity(ASSUMED('camunda-optimize-irsa')),
      });
      expect(r.lines).toEqual([
        `[FAIL] identity: a pod running as service account camunda-identity is ${ASSUMED('camunda-optimize-irsa')}, not role camunda-identity-irsa (IRSA, account 123456789012), the annotated role`,
      ]);
      expect(r.findings[0]!.code).toBe(134);
      expect(r.findings[0]!.check).toBe('identity-job-role');
    });

    it('134: the pod runs with the node role (webhook did not inject)', async () => {
      const nodeRole = 'arn:aws:sts::123456789012:assumed-role/eks-node-group-role/i-0a1b2c3d4e5f60718';
      const r = await run({ outcome: 'succeeded', exitCode: 0, logs: callerIdentity(nodeRole) });
      expect(r.findings[0]!.fix).toContain("the node's instance role");
    });

    it('a role ARN with a path matches the assumed role; stderr noise around the JSON is tolerated', async () => {
      const w = world({
        'identity:identity': {
          outcome: 'succeeded',
          exitCode: 0,
          logs: `warning: something\n${callerIdentity(ASSUMED('camunda-identity-irsa'))}`,
        },
      });
      const withPath = 'arn:aws:iam::123456789012:role/teams/camunda/camunda-identity-irsa';
      w.kube.serviceAccounts!.find((s) => s.name === 'camunda-identity')!.annotations[
        'eks.amazonaws.com/role-arn'
      ] = withPath;
      const r = await runModule(w, jobs, ONE, { databases: new Map() });
      expect(r.lines).toEqual([
        `[OK] identity: in-pod identity: a pod running as service account camunda-identity is ${ASSUMED('camunda-identity-irsa')} (role ${withPath})`,
      ]);
    });
  });

  describe('connectivity Job (41–43)', () => {
    const run = (result: Result, facts: Partial<Facts> = ONE_FACTS) =>
      runModule(world({ 'tcp:identity': result }), jobs, ONE, facts).then((r) => ({
        ...r,
        lines: r.lines.filter((l) => !l.includes('in-pod identity')),
        findings: r.findings.filter((f) => !f.message.includes('in-pod identity')),
      }));

    it('41: the Job cannot be created', async () => {
      const r = await run({ outcome: 'create-failed', reason: 'Invalid: Job.batch "x" is invalid' });
      expect(r.lines).toEqual([
        `[FAIL] identity: cannot create the connectivity Job for ${DB}:5432: Invalid: Job.batch "x" is invalid`,
      ]);
      expect(r.findings[0]!.code).toBe(41);
      expect(r.findings[0]!.check).toBe('tcp-job-create');
    });

    it('41: the pod is refused', async () => {
      const r = await run({
        outcome: 'rejected',
        reason: 'pods "p" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true',
      });
      expect(r.findings[0]).toMatchObject({ code: 41, check: 'tcp-job-create' });
      expect(r.lines[0]).toBe(
        `[FAIL] identity: Pod Security admission refused the pod of the connectivity Job for ${DB}:5432: pods "p" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true`,
      );
    });

    it('42: image pull error, unschedulable and timeout', async () => {
      for (const [result, text] of [
        [
          { outcome: 'image-pull', reason: 'Back-off pulling image' },
          'image public.ecr.aws/aws-cli/aws-cli:2.22.0 of the connectivity Job',
        ],
        [
          { outcome: 'unschedulable', reason: '0/3 nodes are available' },
          'the pod of the connectivity Job for',
        ],
        [
          { outcome: 'timeout', reason: 'no result within 130 s: its pod was Running' },
          'did not finish within 120 s',
        ],
      ] as const) {
        const r = await run(result);
        expect(r.findings[0]).toMatchObject({ code: 42, check: 'tcp-job-complete' });
        expect(r.lines[0]).toContain(text);
      }
    });

    it('42: the probe itself fails (no bash in the image)', async () => {
      const r = await run({
        outcome: 'failed',
        exitCode: 127,
        logs: 'irsa-check: the image has no timeout command\n',
      });
      expect(r.lines).toEqual([
        `[FAIL] identity: the connectivity Job for ${DB}:5432 failed (exit code 127): irsa-check: the image has no timeout command`,
      ]);
      expect(r.findings[0]!.fix).toContain('must contain bash and timeout');
    });

    it('42: the word "open" in the output is no verdict (the original grep’s mistake)', async () => {
      const r = await run({
        outcome: 'succeeded',
        exitCode: 0,
        logs: `Connection to ${DB} 5432 port [tcp/postgresql] open|filtered\n`,
      });
      expect(r.lines).toEqual([
        `[FAIL] identity: the connectivity Job for ${DB}:5432 printed no verdict: "Connection to ${DB} 5432 port [tcp/postgresql] open|filtered"`,
      ]);
      expect(r.findings[0]!.code).toBe(42);
      expect(r.findings[0]!.check).toBe('tcp-job-complete');
    });

    it('43: no answer before the connect timeout (security group drops it)', async () => {
      const r = await run({
        outcome: 'succeeded',
        exitCode: 0,
        logs: 'IRSA_CHECK_TCP=closed\nIRSA_CHECK_TCP_RC=124\n',
      });
      expect(r.lines).toEqual([
        `[FAIL] identity: Aurora PostgreSQL ${DB}:5432 is not reachable from the cluster: no answer within 5 s`,
      ]);
      expect(r.findings[0]).toMatchObject({
        code: 43,
        check: 'tcp-reachable',
        fix: "Open the path from the cluster: the Aurora cluster's security group must allow inbound TCP 5432 from the cluster's node or pod security group; check network ACLs and routes too.",
      });
    });

    it('43: connection refused and unresolvable host', async () => {
      const refused = await run({
        outcome: 'succeeded',
        exitCode: 0,
        logs: 'irsa-check-connect: connect: Connection refused\nirsa-check-connect: line 1: /dev/tcp/h/5432: Connection refused\nIRSA_CHECK_TCP=closed\nIRSA_CHECK_TCP_RC=1\n',
      });
      expect(refused.lines[0]).toBe(
        `[FAIL] identity: Aurora PostgreSQL ${DB}:5432 is not reachable from the cluster: connection refused`,
      );
      const dns = await run({
        outcome: 'succeeded',
        exitCode: 0,
        logs: `irsa-check-connect: ${DB}: Name or service not known\nIRSA_CHECK_TCP=closed\nIRSA_CHECK_TCP_RC=1\n`,
      });
      expect(dns.lines[0]).toBe(
        `[FAIL] identity: Aurora PostgreSQL ${DB}:5432 is not reachable from the cluster: the host name does not resolve inside the cluster`,
      );
    });

    it('a host the Aurora module could not tie to a cluster is probed as a plain database', async () => {
      const r = await run(
        { outcome: 'succeeded', exitCode: 0, logs: 'IRSA_CHECK_TCP=open\n' },
        { databases: new Map([['identity', { host: 'db.example.internal', port: 6432 }]]) },
      );
      expect(r.lines).toEqual([
        '[OK] identity: database db.example.internal:6432 is reachable from the cluster (TCP connect)',
      ]);
    });

    it('43: OpenSearch port closed', async () => {
      const w = world({
        'tcp:opensearch': {
          outcome: 'succeeded',
          exitCode: 0,
          logs: 'IRSA_CHECK_TCP=closed\nIRSA_CHECK_TCP_RC=124\n',
        },
      });
      const r = await runModule(
        w,
        jobs,
        { pg: [], os: ['optimize'] },
        { databases: new Map(), openSearch: { host: OS, port: 443 } },
      );
      expect(r.lines).toEqual([
        idOk('optimize', 'camunda-optimize', 'camunda-optimize-irsa'),
        `[FAIL] OpenSearch ${OS}:443 is not reachable from the cluster: no answer within 5 s`,
      ]);
      expect(r.findings[1]!.fix).toContain("OpenSearch domain's security group must allow inbound TCP 443");
    });
  });

  it('the output order is the plan order, whatever order the Jobs finish in', async () => {
    const w = world();
    const answer = w.kube.jobFor!;
    // identityKeycloak's Jobs finish last
    w.kube.jobFor = undefined;
    const slow = (kube: Kube) =>
      new Proxy(kube, {
        get(obj, prop, receiver) {
          if (prop !== 'runJob') return Reflect.get(obj, prop, receiver);
          return async (_ns: string, m: Manifest) => {
            const delay = m.metadata.name.includes('identitykeycloak') ? 60 : 0;
            await new Promise((r) => setTimeout(r, delay));
            return { jobName: m.metadata.name, ...answer(m)! };
          };
        },
      });
    const { lines } = await runModule(w, jobs, {}, FACTS, { kube: slow });
    expect(lines[0]).toBe(idOk('identityKeycloak', 'camunda-keycloak', 'camunda-keycloak-irsa'));
    expect(lines[8]).toBe(osOk);
  });
});

describe('jobs: --record / --replay', () => {
  it('a replay of the recorded run gives the same findings (Job names differ, labels match)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'irsa-jobs-'));
    const bundle = path.join(dir, 'bundle.json');
    const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
    const io = { stdout: sink(), stderr: sink(), env: {} };
    try {
      const w = world({
        'identity:webmodeler': { outcome: 'image-pull', reason: 'Back-off pulling image' },
      });
      w.kube.leftoverJobs = ['irsa-check-tcp-identity-zz9x1'];
      const live = await run(
        testOptions({ namespace: 'camunda', spawn: true, record: bundle }),
        io,
        memoryPlatform(w),
      );
      const replayed = await run(testOptions({ namespace: 'camunda', spawn: true, replay: bundle }), io);
      const mine = live.findings.filter((f) => f.module === 'jobs');
      expect(mine.some((f) => f.code === 131)).toBe(true);
      expect(mine[0]!.message).toMatch(/^deleted 1 Job\(s\) left by an earlier/);
      expect(replayed.findings).toEqual(live.findings);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the Job template', () => {
  const id = identityJob({
    namespace: 'camunda',
    component: 'identityKeycloak',
    serviceAccount: 'camunda-keycloak',
    image: 'public.ecr.aws/aws-cli/aws-cli:2.22.0',
    timeoutSeconds: 120,
  }) as Manifest;
  const tcp = tcpJob({
    namespace: 'camunda',
    component: 'webModeler',
    serviceAccount: 'camunda-web-modeler',
    image: 'public.ecr.aws/aws-cli/aws-cli:2.22.0',
    timeoutSeconds: 3,
    host: 'db.example.com; rm -rf /',
    port: 5432,
  }) as Manifest;

  it('names are unique DNS-1123 labels of at most 63 characters', () => {
    expect(id.metadata.name).toMatch(/^irsa-check-identity-identitykeycloak-[a-z0-9]{5}$/);
    expect(tcp.metadata.name).toMatch(/^irsa-check-tcp-webmodeler-[a-z0-9]{5}$/);
    const long = jobName('identity', 'aVeryLongComponentNameThatWouldNeverFitIntoSixtyThreeCharacters_x');
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    const names = new Set(Array.from({ length: 200 }, () => jobName('tcp', 'identity')));
    expect(names.size).toBe(200);
  });

  it('is labelled, never retried, bounded in time and cleaned up by a TTL', () => {
    expect(id.metadata.labels['app.kubernetes.io/managed-by']).toBe('irsa-check');
    expect(id.spec.template.metadata.labels['app.kubernetes.io/managed-by']).toBe('irsa-check');
    expect(id.spec).toMatchObject({
      backoffLimit: 0,
      activeDeadlineSeconds: 120,
      ttlSecondsAfterFinished: 600,
    });
    expect(id.spec.template.spec).toMatchObject({
      serviceAccountName: 'camunda-keycloak',
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
    });
    expect(id.spec.template.spec.containers[0].command).toEqual([
      'aws',
      'sts',
      'get-caller-identity',
      '--output',
      'json',
    ]);
  });

  it('passes the restricted Pod Security level', () => {
    for (const m of [id, tcp]) {
      expect(podSecurityViolations('restricted', m.spec.template.spec)).toEqual([]);
      expect(m.spec.template.spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(m.spec.template.spec.securityContext.runAsUser).toBeGreaterThan(0);
      expect(m.spec.template.spec.containers[0].securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
    }
  });

  it('passes host and port as arguments, never as shell text; the connect timeout fits the deadline', () => {
    const cmd: string[] = tcp.spec.template.spec.containers[0].command;
    expect(cmd).toEqual([
      'bash',
      '-c',
      TCP_PROBE_SCRIPT,
      'irsa-check-tcp',
      'db.example.com; rm -rf /',
      '5432',
      '2',
    ]);
    expect(TCP_PROBE_SCRIPT).not.toContain('db.example.com');
  });

  it('reads only the exact marker line', () => {
    expect(parseTcpProbe('IRSA_CHECK_TCP=open\n')).toEqual({ state: 'open' });
    expect(parseTcpProbe('x\nIRSA_CHECK_TCP=closed\nIRSA_CHECK_TCP_RC=124\n')).toEqual({
      state: 'closed',
      exitCode: 124,
    });
    expect(parseTcpProbe('port 5432 open\n')).toBeUndefined();
    expect(parseTcpProbe('IRSA_CHECK_TCP=open|filtered\n')).toBeUndefined();
    expect(parseTcpProbe('echo IRSA_CHECK_TCP=open\n')).toBeUndefined();
    expect(parseTcpProbe(undefined)).toBeUndefined();
  });
});
