/**
 * The injection proof compares the dry-run pod with the running pods of the ServiceAccount
 * (injection-pods-stale). When the pods cannot be listed it never says "none stale": a 403 is one
 * INFO naming the grant, a lost API server the connectivity FAIL (exit 3). In a run the pods
 * list is one memoised call shared with service-accounts; here only the proof asks it (release,
 * plan, the proof), so its own handling is what is seen.
 */
import { describe, expect, it } from 'vitest';
import { release } from '../../src/checks/release.js';
import { plan } from '../../src/checks/plan.js';
import { injection } from '../../src/proofs/injection.js';
import { ApiCallError } from '../../src/core/errors.js';
import type { Kube } from '../../src/ports/kube.js';
import { runChecks } from '../support/module-run.js';
import { cloneWorld, loadWorld } from '../support/world.js';

const world = () => cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));

function failingPods(error: () => Error) {
  return (kube: Kube): Kube =>
    new Proxy(kube, {
      get(obj, prop, receiver) {
        if (prop !== 'pods') return Reflect.get(obj, prop, receiver);
        return () => Promise.reject(error());
      },
    });
}

async function prove(kube?: (k: Kube) => Kube) {
  const w = world();
  const role = w.aws.roles!.find((r) => r.name === 'camunda-identity-irsa')!.arn;
  const r = await runChecks(w, [release, plan, injection], {
    options: { pg: ['identity'], os: [] },
    facts: {
      platform: { kind: 'eks', reason: 'test' },
      roleArns: new Map([['identity', role]]),
    },
    ...(kube ? { kube } : {}),
  });
  return { role, lines: r.lines('injection'), exitCode: r.exitCode };
}

describe('injection proof: the running pods could not be listed', () => {
  it('healthy: the proof OK, no stale pods line (the answer without a fault)', async () => {
    const { role, lines, exitCode } = await prove();
    expect(lines).toEqual([
      `[OK] identity: injection proof: a new pod of service account camunda-identity gets AWS_ROLE_ARN ${role} and the aws-iam-token volume (aud sts.amazonaws.com) (dry run of a minimal pod (no workload uses it yet))`,
    ]);
    expect(exitCode).toBe(0);
  });

  it('403: an INFO naming the grant after the proof, never silence', async () => {
    const { role, lines, exitCode } = await prove(
      failingPods(
        () =>
          new ApiCallError(
            'kube',
            'list pods',
            'Forbidden',
            'pods is forbidden: User "ro" cannot list resource "pods" in API group "" in the namespace "camunda"',
            403,
          ),
      ),
    );
    expect(lines).toEqual([
      `[OK] identity: injection proof: a new pod of service account camunda-identity gets AWS_ROLE_ARN ${role} and the aws-iam-token volume (aud sts.amazonaws.com) (dry run of a minimal pod (no workload uses it yet))`,
      '[INFO] identity: cannot list pods (Forbidden): the running pods of service account camunda-identity are not compared with the dry run; grant list on pods in namespace camunda (README, "Permissions")',
    ]);
    expect(exitCode).toBe(0);
  });

  it('a timeout: the connectivity FAIL, exit 3 (was: nothing said, exit 0)', async () => {
    const { lines, exitCode } = await prove(
      failingPods(() => {
        const e = new ApiCallError('kube', 'list pods', 'Timeout', 'no answer within 5 s');
        e.server = 'https://127.0.0.1:6443';
        return e;
      }),
    );
    expect(lines.at(-1)).toBe(
      '[FAIL] the Kubernetes API server at https://127.0.0.1:6443 did not answer list pods: no answer within 5 s',
    );
    expect(exitCode).toBe(3);
  });

  it('a bundle without the list (replay, NotRecorded): as before, nothing compared, nothing said', async () => {
    const { lines, exitCode } = await prove(
      failingPods(() => new ApiCallError('kube', 'pods', 'NotRecorded', 'the bundle holds no answer')),
    );
    expect(lines.filter((l) => !l.includes('injection proof:'))).toEqual([]);
    expect(exitCode).toBe(0);
  });
});
