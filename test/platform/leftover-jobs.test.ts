/**
 * Which irsa-check Jobs a run deletes as leftovers (issue 19, two runs in one namespace):
 * never its own run's, never one of unknown age, never one younger than its own deadline
 * (the --job-timeout of the run that made it) plus a grace, nor than this run's minimum.
 */
import type * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { leftoverJobNames } from '../../src/platform/kube-jobs.js';
import { RUN_ID, RUN_LABEL } from '../../src/platform/job-template.js';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const job = (name: string, run: string | undefined, ageSeconds: number | undefined, deadline?: number) =>
  ({
    metadata: {
      name,
      labels: { 'app.kubernetes.io/managed-by': 'irsa-check', ...(run ? { [RUN_LABEL]: run } : {}) },
      ...(ageSeconds !== undefined ? { creationTimestamp: new Date(NOW - ageSeconds * 1000) } : {}),
    },
    spec: { ...(deadline !== undefined ? { activeDeadlineSeconds: deadline } : {}), template: {} },
  }) as unknown as k8s.V1Job;

describe('leftoverJobNames', () => {
  // minAge: what this run passes (its --job-timeout + 60 s; 180 for the default 120 s).
  it.each([
    ['this run’s own Job, however old', false, job('a', RUN_ID, 86_400, 120), 180],
    [
      'another run’s Job within its own 3600 s deadline (10 min old)',
      false,
      job('b', 'otherrun0000', 600, 3600),
      180,
    ],
    ['another run’s Job past its deadline plus 60 s', true, job('c', 'otherrun0000', 600, 120), 180],
    ['another run’s Job just inside its deadline plus 60 s', false, job('d', 'otherrun0000', 179, 120), 0],
    ['a Job of unknown age', false, job('e', 'otherrun0000', undefined, 120), 180],
    ['an old Job from before run labels', true, job('f', undefined, 3600, 120), 180],
    [
      'a Job younger than this run’s minimum age (--job-timeout 600 + 60)',
      false,
      job('g', 'otherrun0000', 300, 120),
      660,
    ],
  ] as const)('%s → leftover: %s', (_what, leftover, j, minAge) => {
    expect(leftoverJobNames([j], minAge, NOW)).toEqual(leftover ? [j.metadata!.name] : []);
  });
});
