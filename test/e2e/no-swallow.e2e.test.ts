/**
 * A Kubernetes read that fails is never taken as an empty answer (README "Exit codes"; RULES:
 * never a false OK): the built CLI against the fake API server with one call faulted. A 403 gives
 * one INFO naming what was not checked and the grant (as README "Permissions" lists it), and the
 * run's exit code is what it would be without that read; a call that never answers is the
 * connectivity FAIL, exit 3. No wall-clock race: the faulted call is held forever, and the
 * request timeout (5 s) ends it.
 */
import { describe, expect, it } from 'vitest';
import { startWorld } from '../support/kube-world.js';
import { hostileSuite } from '../support/hostile-suite.js';
import { cloneWorld, type WorldModel } from '../support/world.js';

const h = hostileSuite();

/** One component, no Jobs, no token proof. */
const ONE_ROLE = ['-n', 'camunda', '-s', '--no-token', '-p', 'identity', '-l', ''];
const CONNECTIVITY_FIX =
  '       fix: Check the kubeconfig context (--context), VPN, proxy or firewall between irsa-check and the cluster endpoint.';
const DEPLOYMENTS = '/apis/apps/v1/namespaces/camunda/deployments';
const STATEFULSETS = '/apis/apps/v1/namespaces/camunda/statefulsets';
const LOCKED = '/api/v1/namespaces/camunda/secrets/legacy-aws';

/** A promise that never settles: the fake holds the request, and closing the fake ends it. */
const never = new Promise<never>(() => undefined);

describe('the injection proof: the workloads list (the pod template it dry-runs)', () => {
  it('403 on deployments: an INFO naming the grant, the dry run of a minimal pod says so, exit 0', async () => {
    const fake = h.closeAfter(
      await startWorld(h.healthy, { faults: [{ method: 'GET', path: DEPLOYMENTS, status: 403 }] }),
    );
    const r = await h.cli([...ONE_ROLE, '--kubeconfig', fake.kubeconfigPath]);
    const role = h.healthy.aws.roles!.find((x) => x.name === 'camunda-identity-irsa')!.arn;
    expect(r.out.filter((l) => /dry run|deployments/.test(l))).toEqual([
      '[INFO] cannot list deployments.apps (Forbidden): the dry runs use a minimal pod, not the components\' pod templates; grant list on deployments.apps, statefulsets.apps in namespace camunda (README, "Permissions")',
      `[OK] identity: injection proof: a new pod of service account camunda-identity gets AWS_ROLE_ARN ${role} and the aws-iam-token volume (aud sts.amazonaws.com) (dry run of a minimal pod (the workloads could not be listed))`,
    ]);
    // Never the words of a list that answered empty.
    expect(r.stdout).not.toContain('no workload uses it yet');
    expect(r.code).toBe(0);
  });

  it('the statefulsets list never answers: the connectivity FAIL, exit 3 (was: a minimal pod, exit 0)', async () => {
    const fake = h.closeAfter(
      await startWorld(h.healthy, {
        faults: [{ method: 'GET', path: STATEFULSETS, status: 200, hold: never }],
      }),
    );
    const r = await h.cli([...ONE_ROLE, '--timeout', '100', '--kubeconfig', fake.kubeconfigPath], {
      IRSA_CHECK_REQUEST_TIMEOUT_MS: '5000',
    });
    expect(r.err.slice(-3)).toEqual([
      `[FAIL] the Kubernetes API server at ${fake.url} did not answer list statefulsets.apps: no answer within 5 s`,
      CONNECTIVITY_FIX,
      '[FAIL] irsa-check: At least one of the checks failed (error code: 3).',
    ]);
    expect(r.stdout).not.toMatch(/injection proof/);
    expect(r.code).toBe(3);
  });
});

describe("service-accounts: the keys of a pod's envFrom Secret", () => {
  /** The healthy world with identity's pod loading Secret legacy-aws (no AWS keys in it). */
  function withEnvFrom(): WorldModel {
    const w = cloneWorld(h.healthy);
    const pod = w.kube.pods!.find((p) => p.serviceAccountName === 'camunda-identity')!;
    pod.containers[0]!.envFrom = [{ kind: 'Secret', name: 'legacy-aws' }];
    w.kube.envSources = [{ kind: 'Secret', name: 'legacy-aws', namespace: 'camunda', keys: ['LOG_LEVEL'] }];
    return w;
  }

  it('readable and without AWS keys: nothing said, exit 0 (the healthy answer)', async () => {
    const fake = h.closeAfter(await startWorld(withEnvFrom()));
    const r = await h.cli([...ONE_ROLE, '--kubeconfig', fake.kubeconfigPath]);
    expect(r.stdout).not.toContain('legacy-aws');
    expect(r.code).toBe(0);
  });

  it('403: an INFO naming the reason and the grant, never "no static keys", exit 0', async () => {
    const fake = h.closeAfter(
      await startWorld(withEnvFrom(), { faults: [{ method: 'GET', path: LOCKED, status: 403 }] }),
    );
    const r = await h.cli([...ONE_ROLE, '--kubeconfig', fake.kubeconfigPath]);
    expect(r.out.filter((l) => l.includes('legacy-aws'))).toEqual([
      '[INFO] identity: the keys of Secret/legacy-aws (envFrom) cannot be read (Forbidden): static AWS keys from it are not checked; grant get on secrets in namespace camunda (README, "Permissions")',
    ]);
    expect(r.code).toBe(0);
  });

  it('a 500: irsa-check could not ask (exit 2), never "no static keys"', async () => {
    const fake = h.closeAfter(
      await startWorld(withEnvFrom(), { faults: [{ method: 'GET', path: LOCKED, status: 500 }] }),
    );
    const r = await h.cli([...ONE_ROLE, '--kubeconfig', fake.kubeconfigPath]);
    expect(r.err.filter((l) => l.includes('get secrets'))).toEqual([
      '[FAIL] identity: irsa-check cannot call get secrets (InternalError): Internal error occurred: fake-kube injected fault',
    ]);
    expect(r.code).toBe(2);
  });

  it('the Secret read never answers: the connectivity FAIL, exit 3 (was: an INFO, exit 0)', async () => {
    const fake = h.closeAfter(
      await startWorld(withEnvFrom(), {
        faults: [{ method: 'GET', path: LOCKED, status: 200, hold: never }],
      }),
    );
    const r = await h.cli([...ONE_ROLE, '--timeout', '100', '--kubeconfig', fake.kubeconfigPath], {
      IRSA_CHECK_REQUEST_TIMEOUT_MS: '5000',
    });
    expect(r.err.slice(-3)).toEqual([
      `[FAIL] the Kubernetes API server at ${fake.url} did not answer get secrets: no answer within 5 s`,
      CONNECTIVITY_FIX,
      '[FAIL] irsa-check: At least one of the checks failed (error code: 3).',
    ]);
    expect(r.stdout).not.toContain('legacy-aws');
    expect(r.code).toBe(3);
  });
});

describe("the verification Jobs: reading a Job pod's log", () => {
  const LOG = /^\/api\/v1\/namespaces\/camunda\/pods\/[^/]+\/log$/;
  const JOBS = ['-n', 'camunda', '--no-token', '-p', 'identity', '-l', '', '--job-timeout', '100'];

  it("the log read never answers: the connectivity FAIL alone, exit 3 (was: beside it, two false FAILs about the Jobs' empty output), the Jobs deleted", async () => {
    const fake = h.closeAfter(
      await startWorld(h.healthy, { faults: [{ method: 'GET', path: LOG, status: 200, hold: never }] }),
    );
    const r = await h.cli([...JOBS, '--timeout', '100', '--kubeconfig', fake.kubeconfigPath], {
      IRSA_CHECK_REQUEST_TIMEOUT_MS: '5000',
    });
    expect(r.err.slice(-3)).toEqual([
      `[FAIL] the Kubernetes API server at ${fake.url} did not answer get pods/log: no answer within 5 s`,
      CONNECTIVITY_FIX,
      '[FAIL] irsa-check: At least one of the checks failed (error code: 3).',
    ]);
    expect(r.stderr).not.toMatch(/is not JSON|printed no verdict/);
    expect(r.code).toBe(3);
    expect(fake.objects('Job', 'camunda')).toEqual([]);
  });
});

describe("the verification Jobs: a Job pod's log the RBAC does not let irsa-check read", () => {
  // Only the Job pods' log (irsa-check-<purpose>-…, platform/job-template.ts): the pod-logs module's
  // reads of the components' logs are another grant, not this case.
  const LOG = /^\/api\/v1\/namespaces\/camunda\/pods\/irsa-check-[^/]+\/log$/;
  const JOBS = ['-n', 'camunda', '--no-token', '-p', 'identity', '-l', '', '--job-timeout', '100'];

  it('403 on pods/log: an INFO per Job naming the grant, its verdict not proven, never a FAIL about empty output; the Jobs deleted', async () => {
    const fake = h.closeAfter(
      await startWorld(h.healthy, { faults: [{ method: 'GET', path: LOG, status: 403 }] }),
    );
    const r = await h.cli([...JOBS, '--kubeconfig', fake.kubeconfigPath]);
    // The Aurora endpoint is moto's (a random cluster id): read from the line, pinned around it.
    const aurora = /connectivity Job for (\S+:5432)/.exec(r.stdout)?.[1];
    expect(aurora).toMatch(/^camunda-prod-aurora\.cluster-[a-z0-9]+\.eu-west-1\.rds\.amazonaws\.com:5432$/);
    expect(r.out.filter((l) => /log of the/.test(l))).toEqual([
      '[INFO] identity: cannot read the log of the identity Job (Forbidden): in-pod identity not proven; grant get on pods/log in namespace camunda (README, "Permissions")',
      `[INFO] identity: cannot read the log of the connectivity Job for ${aurora} (Forbidden): reachability of ${aurora} not proven; grant get on pods/log in namespace camunda (README, "Permissions")`,
    ]);
    expect(r.err.filter((l) => /Job/.test(l))).toEqual([]);
    expect(r.stderr).not.toMatch(/is not JSON|printed no verdict|\(empty/);
    expect(r.code).toBe(0);
    expect(fake.objects('Job', 'camunda')).toEqual([]);
  });
});
