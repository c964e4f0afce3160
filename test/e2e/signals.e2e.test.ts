/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Issue 19, "Signals and concurrency": the built CLI against the fake Kubernetes API
 * server and moto, signalled by the test. No wall-clock race: every signal is sent once
 * the state it needs is observed (a request held by the fake, a line on stderr), and the
 * fake holds requests until the test releases them.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliOptions, type CliResult } from '../support/cli.js';
import { startFakeKube, type FakeKube, type JobScript } from '../support/fake-kube.js';
import { fakeKubeWorldOf } from '../support/kube-world.js';
import { seedMoto, type SeededMoto } from '../support/moto.js';
import { loadWorld } from '../support/world.js';

const NS = 'camunda';
/** One identity Job (and one connectivity Job when the database module finds the host). */
const ONE = ['-p', 'identity', '-l', ''];

function identityJob(job: any, ctx: { serviceAccount: any }): JobScript {
  if (job.metadata.labels['irsa-check/purpose'] === 'tcp')
    return { outcome: 'complete', logs: 'IRSA_CHECK_TCP=open\n' };
  const roleArn: string = ctx.serviceAccount?.metadata.annotations?.['eks.amazonaws.com/role-arn'] ?? '';
  const [, , , , account, resource] = roleArn.split(':');
  const arn = `arn:aws:sts::${account}:assumed-role/${resource?.split('/').pop()}/botocore-session-1`;
  return {
    outcome: 'complete',
    logs: JSON.stringify({ UserId: 'AROA:x', Account: account, Arn: arn }) + '\n',
  };
}

let seeded: SeededMoto;
let fake: FakeKube;

beforeAll(async () => {
  seeded = await seedMoto(loadWorld('camunda-8.8-healthy.yaml'));
  fake = await startFakeKube(
    fakeKubeWorldOf(seeded.world, {
      serviceAccountIssuer: seeded.mapping.clusters['camunda-prod']!.issuer,
      jobBehaviour: identityJob,
      podIdentityWebhook: true,
      nodes: undefined,
    }),
  );
}, 120_000); // moto and the fake API server: seconds idle, far longer on a loaded 2-core machine

afterAll(async () => {
  await fake?.close();
  await seeded?.close();
});

afterEach(() => {
  fake.world.jobBehaviour = identityJob;
  fake.world.faults = [];
  fake.requests.length = 0;
  for (const j of fake.objects('Job', NS)) fake.remove('Job', NS, j.metadata.name);
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

/** Resolves once `test` holds, checked whenever the child writes to stderr or the fake gets a request. */
function when(child: ChildProcess, test: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(check, 10);
    function check(): void {
      if (!test()) return;
      clearInterval(timer);
      resolve();
    }
    child.on('close', () => clearInterval(timer));
    check();
  });
}

function stderrOf(child: ChildProcess): () => string {
  let text = '';
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  return () => text;
}

const jobPosts = () =>
  fake.requests.filter((q) => q.method === 'POST' && q.path === `/apis/batch/v1/namespaces/${NS}/jobs`);

/** A promise the test resolves: the fake holds the matching requests until then. */
function gate(): { hold: Promise<void>; release: () => void } {
  let release!: () => void;
  const hold = new Promise<void>((r) => (release = r));
  return { hold, release };
}

describe('Ctrl-C during the Job cleanup', () => {
  it('a double Ctrl-C does not abort the cleanup: the second says how to abandon it, every Job is deleted', async () => {
    // The Job creates are held: Ctrl-C arrives while they are in flight, so the cleanup must wait for them.
    const creates = gate();
    fake.world.faults = [
      { method: 'POST', path: `/apis/batch/v1/namespaces/${NS}/jobs`, status: 201, hold: creates.hold },
    ];
    let stderr = () => '';
    const r = await cli([...ONE, '--no-token'], {
      onSpawn: (child) => {
        stderr = stderrOf(child);
        void (async () => {
          await when(child, () => jobPosts().length > 0);
          child.kill('SIGINT');
          await when(child, () => /interrupted \(SIGINT\): deleting/.test(stderr()));
          child.kill('SIGINT');
          // Released once the second signal was answered (or the process is gone, as before the fix).
          await Promise.race([
            when(child, () => /cleaning up, press Ctrl-C again/.test(stderr())),
            new Promise((r) => child.on('close', r)),
          ]);
          creates.release();
        })();
      },
    });
    creates.release();
    const posted = jobPosts().length;
    expect(r.err).toContain(`irsa-check: cleaning up, press Ctrl-C again to abandon ${posted} Job(s)`);
    expect(r.code).toBe(130);
    expect(r.err.slice(-3)).toEqual([
      '[FAIL] interrupted (SIGINT)',
      '       fix: Run irsa-check again to completion.',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 130).',
    ]);
    // Every Job created was deleted: nothing left in the namespace.
    expect(fake.objects('Job', NS)).toEqual([]);
  });

  it('a third Ctrl-C abandons the cleanup: the Jobs are named with the command that deletes exactly them', async () => {
    const creates = gate();
    fake.world.faults = [
      { method: 'POST', path: `/apis/batch/v1/namespaces/${NS}/jobs`, status: 201, hold: creates.hold },
    ];
    let stderr = () => '';
    const r = await cli([...ONE, '--no-token'], {
      onSpawn: (child) => {
        stderr = stderrOf(child);
        void (async () => {
          await when(child, () => jobPosts().length > 0);
          child.kill('SIGINT');
          await when(child, () => /interrupted \(SIGINT\): deleting/.test(stderr()));
          child.kill('SIGINT');
          await when(child, () => /cleaning up, press Ctrl-C again/.test(stderr()));
          child.kill('SIGINT');
        })();
      },
    });
    expect(r.code).toBe(130);
    // The creates go through after irsa-check gave up: these are the Jobs it left behind.
    creates.release();
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (fake.objects('Job', NS).length === jobPosts().length) {
          clearInterval(t);
          resolve();
        }
      }, 10);
    });
    const left = fake.objects('Job', NS);
    const names = left.map((j) => j.metadata.name as string);
    const run = left[0].metadata.labels['irsa-check/run'] as string;
    expect(run).toMatch(/^[a-z0-9]{12}$/);
    const tail = r.err.slice(-5);
    expect(tail[0]).toMatch(/^\[WARN\] cleanup abandoned: \d+ verification Job\(s\) left behind: /);
    expect(
      tail[0]!
        .replace(/^.*left behind: /, '')
        .split(', ')
        .sort(),
    ).toEqual([...names].sort());
    expect(tail.slice(1)).toEqual([
      `[WARN] delete them with: kubectl delete job -n ${NS} -l irsa-check/run=${run}`,
      '[FAIL] interrupted (SIGINT)',
      '       fix: Run irsa-check again to completion.',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 130).',
    ]);
    // The label selects exactly this run's Jobs.
    expect(left.every((j) => j.metadata.labels['irsa-check/run'] === run)).toBe(true);
  });
});

describe('Ctrl-C or SIGTERM while AWS hangs, in text mode', () => {
  let sts: Server | undefined;
  const sockets = new Set<Socket>();
  afterEach(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => sts?.close(r));
    sts = undefined;
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: the interrupted line and the summary, exit %i', async (signal, code) => {
    let connected!: () => void;
    const connection = new Promise<void>((r) => (connected = r));
    // An STS that accepts the connection and never answers.
    sts = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
      connected();
    });
    await new Promise<void>((r) => sts!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(sts.address() as AddressInfo).port}`;
    const r = await cli(['-s', '--no-token'], {
      env: { AWS_ENDPOINT_URL_STS: url, IRSA_CHECK_REQUEST_TIMEOUT_MS: '60000' },
      onSpawn: (child) => void connection.then(() => child.kill(signal)),
    });
    expect(r.code).toBe(code);
    expect(r.out).toEqual([]);
    expect(r.err).toEqual([
      `[FAIL] interrupted (${signal})`,
      '       fix: Run irsa-check again to completion.',
      `[FAIL] irsa-check: At least one of the checks failed (error code: ${code}).`,
    ]);
  });
});

describe('two runs in the same namespace', () => {
  it("the second never deletes the first's running Jobs as leftovers; a dead run's old Job it does delete", async () => {
    // Run A's Jobs (--job-timeout 3600) hang; the other run's Jobs answer.
    fake.world.jobBehaviour = (job, ctx) =>
      job.spec.activeDeadlineSeconds === 3600 ? { outcome: 'hang' } : identityJob(job, ctx);
    // A Job of a run that died an hour ago, with the default deadline: a true leftover.
    fake.put({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'irsa-check-identity-identity-dead1',
        namespace: NS,
        labels: { 'app.kubernetes.io/managed-by': 'irsa-check', 'irsa-check/run': 'deadrun00000' },
        creationTimestamp: new Date(Date.now() - 3600_000).toISOString(),
      },
      spec: { activeDeadlineSeconds: 120, template: { spec: { containers: [] } } },
      status: { conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded' }] },
    });
    let first: ChildProcess | undefined;
    let aJob = '';
    const started = new Promise<void>((resolve) => {
      const a = cli([...ONE, '--no-token', '--job-timeout', '3600'], {
        onSpawn: (child) => {
          first = child;
          void when(child, () =>
            fake.objects('Job', NS).some((j) => j.spec?.activeDeadlineSeconds === 3600),
          ).then(() => {
            // Run A has been going for ten minutes: older than any default deadline, younger than its own.
            const job = fake.objects('Job', NS).find((j) => j.spec?.activeDeadlineSeconds === 3600);
            aJob = job.metadata.name;
            fake.put({
              ...job,
              metadata: { ...job.metadata, creationTimestamp: new Date(Date.now() - 600_000).toISOString() },
            });
            resolve();
          });
        },
      });
      void a.then((r) => (firstResult = r));
    });
    let firstResult: CliResult | undefined;
    await started;
    const b = await cli([...ONE, '--no-token', '--output', 'json']);
    const doc = JSON.parse(b.stdout);
    const messages: string[] = doc.findings.map((f: { message: string }) => f.message);
    expect(messages).toContain(
      'deleted 1 Job(s) left by an earlier, interrupted irsa-check run: irsa-check-identity-identity-dead1',
    );
    const deleted = fake.requests.filter((q) => q.method === 'DELETE').map((q) => q.path.split('/').pop());
    expect(deleted).not.toContain(aJob);
    expect(fake.objects('Job', NS).map((j) => j.metadata.name)).toContain(aJob);
    // Run A goes on: stop it, and it deletes its own Job.
    first!.kill('SIGINT');
    await new Promise<void>((r) => (firstResult ? r() : first!.on('close', () => r())));
    expect(fake.objects('Job', NS).map((j) => j.metadata.name)).not.toContain(aJob);
  });
});
