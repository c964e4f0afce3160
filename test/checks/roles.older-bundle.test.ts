/**
 * A bundle recorded by an irsa-check that asked IAM's policy simulator about es:ESHttpGet/Put/Post
 * only still replays without a false verdict now that the roles check asks about all five requests
 * Camunda sends (src/iam/opensearch-actions.ts). The replay answers only the arguments it recorded
 * (platform/replay.ts), so the collector falls back to the older question: its answer still
 * cross-checks those three (a disagreement stays a WARN), and the evaluator says HEAD and DELETE
 * were not cross-checked (INFO) instead of staying silent.
 *
 * The older bundle is made here the way that irsa-check recorded it: the same run through the real
 * recorder, with the simulator's calls asked (and answered, as IAM answers only what it is asked)
 * for the three actions alone.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/run.js';
import { CAMUNDA_ES_ACTIONS } from '../../src/iam/opensearch-actions.js';
import type { SimulationResult } from '../../src/ports/aws.js';
import { runWorld, testOptions } from '../support/world.js';
import { plant } from './aws-checks-harness.js';

const ACCT = '123456789012';
const DOMAIN_RESOURCE = `arn:aws:es:eu-west-1:${ACCT}:domain/camunda-prod-os/*`;
const OLDER = ['es:ESHttpGet', 'es:ESHttpPut', 'es:ESHttpPost'];

interface Call {
  api: string;
  method: string;
  args: unknown[];
  result?: unknown;
}

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

/** The healthy world, IAM's simulator answering: all allowed, but es:ESHttpPost refused by an SCP. */
const world = plant((w) => {
  w.aws.simulation = CAMUNDA_ES_ACTIONS.map((action): SimulationResult => ({
    action,
    resource: DOMAIN_RESOURCE,
    decision: action === 'es:ESHttpPost' ? 'implicitDeny' : 'allowed',
    ...(action === 'es:ESHttpPost' ? { deniedByOrganizations: true } : {}),
  }));
});

async function replayLines(bundle: string): Promise<string[]> {
  const r = await run(testOptions({ replay: bundle }), { stdout: sink(), stderr: sink(), env: {} });
  return r.findings
    .filter((f) => f.module === 'roles')
    .map((f) => `[${f.level}] ${f.component ? `${f.component}: ` : ''}${f.message}`);
}

describe('a bundle recorded when irsa-check asked the simulator about es:ESHttpGet/Put/Post only', () => {
  it('replays with the older answer cross-checking those three and an INFO for HEAD and DELETE, never a silent OK', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irsa-older-bundle-'));
    const current = join(dir, 'current.json');
    const live = await runWorld(world, { record: current });
    const liveLines = live.lines('roles');
    // Recorded now: the five actions are asked, and the replay is the live run.
    expect(await replayLines(current)).toEqual(liveLines);

    const bundle = JSON.parse(readFileSync(current, 'utf8')) as { calls: Call[] };
    let rewritten = 0;
    for (const call of bundle.calls) {
      const actions = call.args[1];
      if (
        call.method !== 'simulatePrincipalPolicy' ||
        JSON.stringify(actions) !== JSON.stringify(CAMUNDA_ES_ACTIONS)
      )
        continue;
      call.args[1] = OLDER;
      call.result = (call.result as SimulationResult[]).filter((r) => OLDER.includes(r.action));
      rewritten++;
    }
    expect(rewritten).toBe(2); // orchestration and optimize
    const older = join(dir, 'older.json');
    writeFileSync(older, JSON.stringify(bundle));

    const replayed = await replayLines(older);
    const warn = (c: string) =>
      `[WARN] ${c}: IAM's policy simulator and irsa-check disagree on es:ESHttpPost on ${DOMAIN_RESOURCE} for role camunda-${c}-irsa (IRSA, account 123456789012): the simulator says ImplicitDeny, the local evaluation Allow (the simulator says AWS Organizations does not allow it: a service control policy of the account refuses it)`;
    const info = (c: string) =>
      `[INFO] ${c}: cannot tell what IAM's policy simulator says of es:ESHttpHead/Delete on ${DOMAIN_RESOURCE} for role camunda-${c}-irsa (IRSA, account 123456789012): the bundle has no answer for them (it was recorded by an irsa-check that asked only about es:ESHttpGet/Put/Post), so only irsa-check's evaluation of the recorded policies decides them, without the simulator's cross-check`;
    // The live run's lines, with the INFO after each OpenSearch component's simulator WARN.
    const expected = liveLines.flatMap((l) =>
      l === warn('orchestration')
        ? [l, info('orchestration')]
        : l === warn('optimize')
          ? [l, info('optimize')]
          : [l],
    );
    expect(liveLines).toContain(warn('orchestration'));
    expect(liveLines).toContain(warn('optimize'));
    expect(replayed).toEqual(expected);
  });
});
