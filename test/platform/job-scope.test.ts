/**
 * A fleet (src/fleet.ts) runs several clusters' checks in one process: one run's end-of-run
 * cleanup must see and delete only its own verification Jobs, never those another cluster's
 * proof still waits for; a signal (outside every scope) still sees them all.
 */
import { describe, expect, it } from 'vitest';
import {
  deleteTrackedJobs,
  leftoverJobLines,
  trackedJobs,
  trackJob,
  withJobScope,
} from '../../src/platform/cleanup.js';

describe('job scopes', () => {
  it('a scope sees and deletes only its own Jobs; outside, every Job is seen', async () => {
    const deleted: string[] = [];
    const job = (cluster: string) => ({
      namespace: 'camunda',
      name: 'irsa-check-probe',
      created: Promise.resolve(),
      delete: async () => void deleted.push(cluster),
    });
    let forgetB: () => void = () => {};
    await withJobScope(async () => {
      forgetB = trackJob(job('b'));
    });
    let forgetA: () => void = () => {};
    await withJobScope(async () => {
      forgetA = trackJob(job('a'));
      expect(trackedJobs()).toEqual(['camunda/irsa-check-probe']);
      expect(leftoverJobLines()[0]).toBe('1 verification Job(s) could not be deleted: irsa-check-probe');
      expect(await deleteTrackedJobs(1_000)).toBe(1);
    });
    expect(deleted).toEqual(['a']);
    // Deleted, a's Job is forgotten; b's is still tracked (what a signal would delete).
    expect(trackedJobs()).toEqual(['camunda/irsa-check-probe']);
    forgetA();
    forgetB();
    expect(trackedJobs()).toEqual([]);
  });
});
