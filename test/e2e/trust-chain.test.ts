/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * End to end: the built CLI against the fake Kubernetes API server (TokenRequest
 * signed by a test key, issuer discovery, Job/Pod lifecycles, PodSecurity
 * `restricted` on the namespace) and moto (STS AssumeRoleWithWebIdentity — moto
 * does not validate the token, so that step proves the plumbing; the JWT checks
 * are proven with the fake's tokenOverrides).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import { findingLine } from '../../src/report/format.js';
import { spawn } from 'node:child_process';
import { BIN, cleanEnv, runCli, type CliOptions, type CliResult } from '../support/cli.js';
import { podSecurityViolations, startFakeKube, type FakeKube, type JobScript } from '../support/fake-kube.js';
import { fakeKubeWorldOf } from '../support/kube-world.js';
import { seedMoto, type SeededMoto } from '../support/moto.js';
import { loadWorld } from '../support/world.js';

const NS = 'camunda';
/** One identity Job (and, when the database module found the host, one connectivity Job) per run. */
const ONE = ['-p', 'identity', '-l', ''];
const ID_ROLE = (account: string) => `arn:aws:iam::${account}:role/camunda-identity-irsa`;

/** What the Job pods print, like the real image would in a healthy cluster. */
function healthyJobs(job: any, ctx: { serviceAccount: any }): JobScript {
  if (job.metadata.labels['irsa-check/purpose'] === 'tcp') {
    return { outcome: 'complete', logs: 'IRSA_CHECK_TCP=open\n' };
  }
  const roleArn: string = ctx.serviceAccount?.metadata.annotations?.['eks.amazonaws.com/role-arn'] ?? '';
  const [, , , , account, resource] = roleArn.split(':');
  const name = resource?.split('/').pop();
  // Who the data-plane Jobs' sts get-caller-identity says the pod is: the injected role.
  const caller = Buffer.from(`arn:aws:sts::${account}:assumed-role/${name}/botocore-session-1`).toString(
    'base64',
  );
  // The data-plane Jobs: a working login and a role mapped to all_access.
  if (job.metadata.labels['irsa-check/purpose'] === 'aurora') {
    return { outcome: 'complete', logs: `IRSA_CHECK_AURORA outcome=ok rds_iam=t caller=${caller}\n` };
  }
  if (job.metadata.labels['irsa-check/purpose'] === 'authinfo') {
    const body = JSON.stringify({ user_name: roleArn, backend_roles: [roleArn], roles: ['all_access'] });
    return {
      outcome: 'complete',
      logs: `IRSA_CHECK_AUTHINFO status=200 body=${Buffer.from(body).toString('base64')} caller=${caller}\n`,
    };
  }
  return {
    outcome: 'complete',
    logs:
      JSON.stringify(
        {
          UserId: 'AROAEXAMPLE:botocore-session-1',
          Account: account,
          Arn: `arn:aws:sts::${account}:assumed-role/${name}/botocore-session-1`,
        },
        null,
        4,
      ) + '\n',
  };
}

let seeded: SeededMoto;
let fake: FakeKube;

beforeAll(async () => {
  seeded = await seedMoto(loadWorld('camunda-8.8-healthy.yaml'));
  const issuer = seeded.mapping.clusters['camunda-prod']!.issuer;
  fake = await startFakeKube(
    fakeKubeWorldOf(seeded.world, {
      serviceAccountIssuer: issuer,
      podSecurity: { [NS]: 'restricted' },
      jobBehaviour: healthyJobs,
      // The Job pods irsa-check creates get the role injected, as on EKS.
      podIdentityWebhook: true,
      // The fake's one default node (the scheduler messages count 0/1 nodes), not the world's three.
      nodes: undefined,
    }),
  );
}, 60_000);

afterAll(async () => {
  await fake?.close();
  await seeded?.close();
});

afterEach(() => {
  fake.world.jobBehaviour = healthyJobs;
  delete fake.world.tokenOverrides;
  fake.requests.length = 0;
});

function cli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return runCli(
    [
      '-n',
      NS,
      '--kubeconfig',
      fake.kubeconfigPath,
      '--cluster-name',
      'camunda-prod',
      '--region',
      'eu-west-1',
      ...args,
    ],
    { ...opts, env: { ...seeded.env, ...opts.env } },
  );
}

interface JsonRun extends CliResult {
  findings: Finding[];
  /** `[LEVEL] component: message` of the token and jobs modules. */
  mine: string[];
  elapsedMs: number;
}

async function cliJson(args: string[], opts: CliOptions = {}): Promise<JsonRun> {
  const started = Date.now();
  const r = await cli([...args, '--output', 'json'], opts);
  const elapsedMs = Date.now() - started;
  let report: { findings: Finding[] };
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  const mine = report.findings.filter((f) => f.module === 'token' || f.module === 'jobs').map(findingLine);
  return { ...r, findings: report.findings, mine, elapsedMs };
}

const jobPosts = () => fake.requests.filter((q) => q.method === 'POST' && /\/jobs$/.test(q.path));

describe('trust chain, end to end', () => {
  it('a complete identity Job and a pod-less proof through moto; the Job passes "restricted" and is deleted', async () => {
    const account = seeded.accountId;
    const r = await cliJson(ONE);
    expect(r.mine).toContain(
      `[OK] identity: pod-less proof: a token for system:serviceaccount:camunda:camunda-identity (aud sts.amazonaws.com) is accepted by STS as ${ID_ROLE(account)}`,
    );
    expect(r.mine).toContain(
      `[OK] identity: in-pod identity: a pod running as service account camunda-identity is arn:aws:sts::${account}:assumed-role/camunda-identity-irsa/botocore-session-1 (role ${ID_ROLE(account)})`,
    );
    expect(
      r.findings.filter((f) => (f.module === 'token' || f.module === 'jobs') && f.level === 'FAIL'),
    ).toEqual([]);
    // the Job manifest as the API server received it passes the namespace's `restricted` level
    const posts = jobPosts();
    expect(posts.length).toBeGreaterThanOrEqual(1);
    for (const p of posts) {
      const job = p.body as any;
      expect(job.metadata.name).toMatch(/^irsa-check-(identity|tcp|aurora|authinfo)-[a-z0-9-]+-[a-z0-9]{5}$/);
      expect(job.metadata.labels['app.kubernetes.io/managed-by']).toBe('irsa-check');
      expect(podSecurityViolations('restricted', job.spec.template.spec)).toEqual([]);
    }
    // deleted with propagationPolicy=Background; nothing left behind
    const deletes = fake.requests.filter((q) => q.method === 'DELETE' && /\/jobs\//.test(q.path));
    expect(deletes).toHaveLength(posts.length);
    for (const d of deletes) expect(`${d.query} ${JSON.stringify(d.body ?? {})}`).toContain('Background');
    expect(fake.objects('Job', NS)).toEqual([]);
    // watched, not polled: one watch per Job and resource kind
    const watches = fake.requests.filter((q) => /watch=true/.test(q.query));
    expect(watches.length).toBeGreaterThanOrEqual(posts.length * 2);
    console.log(`complete identity Job run: ${r.elapsedMs} ms`);
  });

  it('a failed Job: 131 with the AWS CLI’s words and the trust-policy fix (text output)', async () => {
    fake.world.jobBehaviour = (job: any) =>
      job.metadata.labels['irsa-check/purpose'] === 'identity'
        ? {
            outcome: 'failed',
            exitCode: 254,
            logs: '\nAn error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity\n',
          }
        : { outcome: 'complete', logs: 'IRSA_CHECK_TCP=open\n' };
    const r = await cli([...ONE, '--no-token']);
    const at = r.err.indexOf(
      '[FAIL] identity: the identity Job failed (exit code 254): An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity',
    );
    expect(at, r.err.join('\n')).toBeGreaterThanOrEqual(0);
    expect(r.err[at + 1]).toBe(
      `       fix: The trust policy of ${ID_ROLE(seeded.accountId)} does not admit system:serviceaccount:camunda:camunda-identity with aud sts.amazonaws.com: add it to the role's Condition.`,
    );
    expect(r.code).toBe(131);
    expect(fake.objects('Job', NS)).toEqual([]);
  });

  it('an image that cannot be pulled: 131, decided without waiting for the timeout', async () => {
    fake.world.jobBehaviour = () => ({ outcome: 'imagePullError' });
    const r = await cliJson([...ONE, '--no-token', '--job-image', 'registry.example.com/nope/aws-cli:0']);
    const fail = r.findings.find((f) => f.module === 'jobs' && f.component === 'identity' && f.code === 131);
    // The kubelet shows ErrImagePull with the registry's answer, then ImagePullBackOff with its own
    // back-off message: which one irsa-check reads first depends on when its watch sees the pod,
    // and both say the image cannot be pulled (a loaded machine sees the second).
    expect([
      '[FAIL] identity: the image registry.example.com/nope/aws-cli:0 of the identity Job cannot be pulled: rpc error: code = NotFound desc = failed to pull and unpack image "registry.example.com/nope/aws-cli:0": failed to resolve reference "registry.example.com/nope/aws-cli:0": registry.example.com/nope/aws-cli:0: not found',
      '[FAIL] identity: the image registry.example.com/nope/aws-cli:0 of the identity Job cannot be pulled: Back-off pulling image "registry.example.com/nope/aws-cli:0"',
    ]).toContain(findingLine(fail!));
    expect(fail!.fix).toContain('--job-image');
    expect(r.code).toBe(r.findings.filter((f) => f.level === 'FAIL').at(-1)!.code);
    expect(r.elapsedMs).toBeLessThan(20_000);
    expect(fake.objects('Job', NS)).toEqual([]);
    console.log(`image pull error run: ${r.elapsedMs} ms`);
  });

  it('a pod never scheduled: 131 once the Job’s deadline passes', async () => {
    fake.world.jobBehaviour = () => ({ outcome: 'unschedulable' });
    const r = await cliJson([...ONE, '--no-token', '--job-timeout', '2']);
    expect(r.mine).toContain(
      "[FAIL] identity: the pod of the identity Job was never scheduled: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
    );
    expect(r.code).toBe(r.findings.filter((f) => f.level === 'FAIL').at(-1)!.code);
    expect(fake.objects('Job', NS)).toEqual([]);
    console.log(`unschedulable run (--job-timeout 2): ${r.elapsedMs} ms`);
  });

  it('a pod refused by admission: 130, at once', async () => {
    fake.world.jobBehaviour = () => ({
      outcome: 'rejected',
      message:
        'admission webhook "validation.gatekeeper.sh" denied the request: [allowed-repos] image not allowed',
    });
    const r = await cliJson([...ONE, '--no-token']);
    const line = r.mine.find((l) =>
      l.startsWith('[FAIL] identity: an admission controller refused the pod of the identity Job'),
    );
    expect(line).toMatch(
      /^\[FAIL\] identity: an admission controller refused the pod of the identity Job: pods "irsa-check-identity-identity-[a-z0-9]{5}-[a-z0-9]{5}" is forbidden: admission webhook "validation.gatekeeper.sh" denied the request: \[allowed-repos\] image not allowed$/,
    );
    expect(r.code).toBe(r.findings.filter((f) => f.level === 'FAIL').at(-1)!.code);
    expect(fake.objects('Job', NS)).toEqual([]);
  });

  it('Jobs left by an interrupted run are deleted first', async () => {
    for (const name of ['irsa-check-identity-identity-old01', 'irsa-check-tcp-identity-old02']) {
      fake.put({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name,
          namespace: NS,
          labels: { 'app.kubernetes.io/managed-by': 'irsa-check' },
          creationTimestamp: new Date(Date.now() - 3600_000).toISOString(),
        },
        spec: { template: { spec: { containers: [{ name: 'probe', image: 'x' }], restartPolicy: 'Never' } } },
      });
    }
    // A Job of another irsa-check run going on right now: young, so it is not a leftover.
    fake.put({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'irsa-check-tcp-identity-now01',
        namespace: NS,
        labels: { 'app.kubernetes.io/managed-by': 'irsa-check' },
      },
      spec: { template: { spec: { containers: [{ name: 'probe', image: 'x' }], restartPolicy: 'Never' } } },
    });
    fake.put({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'someone-elses-job', namespace: NS },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }], restartPolicy: 'Never' } } },
    });
    try {
      const r = await cliJson([...ONE, '--no-token']);
      expect(r.mine.slice(0, 2)).toEqual([
        '[INFO] skipped (--no-token)',
        '[INFO] deleted 2 Job(s) left by an earlier, interrupted irsa-check run: irsa-check-identity-identity-old01, irsa-check-tcp-identity-old02',
      ]);
      // only irsa-check's own Jobs (by label) are touched
      expect(
        fake
          .objects('Job', NS)
          .map((j) => j.metadata.name)
          .sort(),
      ).toEqual(['irsa-check-tcp-identity-now01', 'someone-elses-job']);
    } finally {
      fake.remove('Job', NS, 'someone-elses-job');
      fake.remove('Job', NS, 'irsa-check-tcp-identity-now01');
    }
  });

  it('a watch the API server refuses (RBAC): code 2 naming the permission; the Job is still deleted', async () => {
    fake.world.faults = [{ method: 'GET', path: `/apis/batch/v1/namespaces/${NS}/jobs`, status: 403 }];
    try {
      const r = await cliJson([...ONE, '--no-token']);
      expect(r.mine).toContain(
        '[WARN] cannot list Jobs left by an earlier irsa-check run (Forbidden): none deleted',
      );
      const fail = r.findings.find((f) => f.module === 'jobs' && f.code === 2)!;
      expect(findingLine(fail)).toBe(
        '[FAIL] identity: irsa-check cannot call watch jobs (Forbidden): grant it, see README "Permissions"',
      );
      expect(fake.objects('Job', NS)).toEqual([]);
    } finally {
      fake.world.faults = [];
    }
  });

  it('a watch that breaks once is re-established', async () => {
    // the first GET is the leftover list, the second the Job watch
    fake.world.faults = [
      { method: 'GET', path: `/apis/batch/v1/namespaces/${NS}/jobs`, status: 500, times: 2 },
    ];
    try {
      const r = await cliJson([...ONE, '--no-token']);
      expect(r.mine).toContain(
        `[OK] identity: in-pod identity: a pod running as service account camunda-identity is arn:aws:sts::${seeded.accountId}:assumed-role/camunda-identity-irsa/botocore-session-1 (role ${ID_ROLE(seeded.accountId)})`,
      );
      expect(fake.objects('Job', NS)).toEqual([]);
    } finally {
      fake.world.faults = [];
    }
  });

  it('-s: no Job is created (no POST to jobs, not even a list)', async () => {
    const r = await cliJson([...ONE, '--no-token', '-s']);
    expect(r.mine).toEqual([
      '[INFO] skipped (--no-token)',
      '[INFO] skipped (-s/--no-spawn): no verification Jobs',
    ]);
    expect(fake.requests.filter((q) => /\/jobs/.test(q.path))).toEqual([]);
    expect(fake.objects('Job', NS)).toEqual([]);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    // An SSH session that drops sends SIGHUP: the Jobs go as on Ctrl-C.
    ['SIGHUP', 129],
  ] as const)('%s while a Job runs: the Job is deleted and the exit code is %i', async (signal, code) => {
    fake.world.jobBehaviour = () => ({ outcome: 'hang' });
    let sentAt = 0;
    const r = await cli([...ONE, '--no-token', '--job-timeout', '60'], {
      onSpawn: (child) => {
        const wait = setInterval(() => {
          // a pod of a Job that exists now (pods of an earlier test's Jobs may still be terminating)
          const jobs = new Set(fake.objects('Job', NS).map((j) => j.metadata.name));
          const running = fake
            .objects('Pod', NS)
            .some((p) => jobs.has(p.metadata.labels?.['job-name']) && p.status?.phase === 'Running');
          if (running) {
            clearInterval(wait);
            sentAt = Date.now();
            child.kill(signal);
          }
        }, 20);
        child.on('close', () => clearInterval(wait));
      },
    });
    expect(sentAt).toBeGreaterThan(0);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(
      new RegExp(`irsa-check: interrupted \\(${signal}\\): deleting \\d verification Job\\(s\\)`),
    );
    expect(fake.objects('Job', NS)).toEqual([]);
    const deletes = fake.requests.filter((q) => q.method === 'DELETE' && /\/jobs\//.test(q.path));
    expect(deletes.length).toBe(jobPosts().length);
    console.log(`${signal} → exit: ${Date.now() - sentAt} ms`);
  });

  it('a Job whose completion arrives before its pod was seen on the watch keeps its log (pods listed by selector)', async () => {
    // The first pod watches are answered 410 Gone: each restarts after a pause in which its Job completes.
    fake.world.faults = [
      {
        method: 'GET',
        path: `/api/v1/namespaces/${NS}/pods`,
        query: /watch=true/,
        status: 410,
        reason: 'Expired',
        times: 2,
      },
    ];
    try {
      const r = await cliJson([...ONE, '--no-token']);
      console.log(r.mine);
      expect(r.mine).toContain(
        `[OK] identity: in-pod identity: a pod running as service account camunda-identity is arn:aws:sts::${seeded.accountId}:assumed-role/camunda-identity-irsa/botocore-session-1 (role ${ID_ROLE(seeded.accountId)})`,
      );
      expect(r.mine.filter((l) => /not JSON/.test(l))).toEqual([]);
    } finally {
      fake.world.faults = [];
    }
  });

  it('a Job that cannot be deleted within the cleanup deadline is listed with its kubectl delete command', async () => {
    fake.world.faults = [
      { method: 'DELETE', path: new RegExp(`^/apis/batch/v1/namespaces/${NS}/jobs/`), status: 500 },
    ];
    try {
      const r = await cli([...ONE, '--no-token']);
      const left = fake.objects('Job', NS).map((j) => j.metadata.name as string);
      expect(left.length).toBeGreaterThan(0);
      // The last stderr lines (before the summary line, when it is a FAIL) name them and say how to delete them.
      const tail = r.err.filter((l) => !l.startsWith('[FAIL] irsa-check:')).slice(-2);
      const names = tail[0]?.match(/could not be deleted: (.+)$/)?.[1]?.split(', ') ?? [];
      expect(tail).toEqual([
        `[WARN] ${left.length} verification Job(s) could not be deleted: ${names.join(', ')}`,
        `[WARN] delete them with: kubectl delete job -n ${NS} ${names.join(' ')}`,
      ]);
      expect([...names].sort()).toEqual([...left].sort());
    } finally {
      fake.world.faults = [];
      for (const j of fake.objects('Job', NS)) fake.remove('Job', NS, j.metadata.name);
    }
  });

  it('--output json on SIGINT still prints one JSON document', async () => {
    fake.world.jobBehaviour = () => ({ outcome: 'hang' });
    const r = await cli([...ONE, '--no-token', '--job-timeout', '60', '--output', 'json'], {
      onSpawn: (child) => {
        const wait = setInterval(() => {
          const jobs = new Set(fake.objects('Job', NS).map((j) => j.metadata.name));
          const running = fake
            .objects('Pod', NS)
            .some((p) => jobs.has(p.metadata.labels?.['job-name']) && p.status?.phase === 'Running');
          if (running) {
            clearInterval(wait);
            child.kill('SIGINT');
          }
        }, 20);
        child.on('close', () => clearInterval(wait));
      },
    });
    expect(r.code).toBe(130);
    const doc = JSON.parse(r.stdout);
    expect(doc.exitCode).toBe(130);
    expect(doc.findings.at(-2)).toMatchObject({ level: 'FAIL', code: 130, message: 'interrupted (SIGINT)' });
  });

  describe('the pod-less proof’s JWT checks (fake tokenOverrides)', () => {
    const one = [...ONE, '-s'];
    const failLine = (r: JsonRun) => r.mine.find((l) => l.startsWith('[FAIL] identity:'));

    it('232: wrong audience', async () => {
      fake.world.tokenOverrides = { aud: 'https://kubernetes.default.svc' };
      const r = await cliJson(one);
      expect(failLine(r)).toBe(
        '[FAIL] identity: the token for system:serviceaccount:camunda:camunda-identity does not check out: its audience (aud) is https://kubernetes.default.svc, not sts.amazonaws.com',
      );
      expect(r.code).toBe(232);
    });

    it('232: wrong issuer', async () => {
      fake.world.tokenOverrides = { iss: 'https://kubernetes.default.svc.cluster.local' };
      const r = await cliJson(one);
      expect(failLine(r)).toBe(
        `[FAIL] identity: the token for system:serviceaccount:camunda:camunda-identity does not check out: its issuer (iss) is https://kubernetes.default.svc.cluster.local, not the cluster's OIDC issuer ${seeded.mapping.clusters['camunda-prod']!.issuer}`,
      );
    });

    it('232: expired', async () => {
      fake.world.tokenOverrides = { expSecondsFromNow: -3600 };
      const r = await cliJson(one);
      expect(failLine(r)).toMatch(
        /^\[FAIL\] identity: the token for system:serviceaccount:camunda:camunda-identity does not check out: it expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/,
      );
    });

    it('232: signed by another key', async () => {
      fake.world.tokenOverrides = { signWithOtherKey: true };
      const r = await cliJson(one);
      const kid = fake.jwks.keys[0].kid;
      expect(failLine(r)).toBe(
        `[FAIL] identity: the token for system:serviceaccount:camunda:camunda-identity does not check out: its signature does not verify against key ${kid} of the cluster's JWKS (/openid/v1/jwks)`,
      );
      // the token never reaches the output
      expect(r.stdout + r.stderr).not.toMatch(/eyJ[\w-]{8,}\./);
    });
  });
});

describe('progress while Jobs run', () => {
  /** The CLI on a pseudo-terminal (util-linux `script`), as a person at a shell sees it. */
  function onTerminal(args: string[]): Promise<string> {
    const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    return new Promise((resolve, reject) => {
      const child = spawn('script', ['-qec', quoted, '/dev/null'], { env: cleanEnv(seeded.env) });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', () => resolve(out));
    });
  }

  const slowJobs = (job: any, ctx: { serviceAccount: any }): JobScript => ({
    ...healthyJobs(job, ctx),
    runMs: 700,
  });
  const args = () => [
    '--kubeconfig',
    fake.kubeconfigPath,
    '-n',
    NS,
    ...ONE,
    '--no-token',
    '--region',
    'eu-west-1',
  ];

  it('a terminal shows a progress line, cleared before the findings', async () => {
    fake.world.jobBehaviour = slowJobs;
    const screen = await onTerminal(args());
    expect(screen).toMatch(/verification Jobs: 0\/\d+ done \(0 s\)/);
    // Each frame is erased (\r + clear line) and no finding line starts with a spinner frame.
    expect(screen.split('\n').filter((l) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/.test(l))).toEqual([]);
  });

  it('no progress line with --output json on a terminal, nor when stderr is not a terminal', async () => {
    fake.world.jobBehaviour = slowJobs;
    expect(await onTerminal([...args(), '--output', 'json'])).not.toContain('verification Jobs:');
    const piped = await runCli(args(), { env: seeded.env });
    expect(piped.stderr).not.toContain('verification Jobs:');
  });
});
