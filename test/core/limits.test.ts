/**
 * Input limits (src/core/limits.ts): decompressed size, nesting depth and expanded size are
 * checked without recursion before anything walks a document, and a document at the highest
 * accepted depth still goes through a whole run — recorded and replayed — without overflowing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  checkTree,
  DEFAULT_LIMITS,
  gunzipLimited,
  InputLimitError,
  limitsFrom,
  MAX_DEPTH_CEILING,
} from '../../src/core/limits.js';
import { decodeHelmPayload, HelmPayloadError, unreadablePayload } from '../../src/helm/codec.js';
import { Writable } from 'node:stream';
import { run } from '../../src/run.js';
import { cloneWorld, loadWorld, runWorld, testOptions } from '../support/world.js';

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

const nested = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const payload = (json: string): string => gzipSync(json).toString('base64');

describe('limits', () => {
  it('depth: as deep as the limit is read, one level more is refused with the limit and its flag', () => {
    expect(() => decodeHelmPayload(payload(nested(100)))).not.toThrow();
    expect(() => decodeHelmPayload(payload(nested(101)))).toThrow(
      'the release is nested deeper than the input limit of 100 levels (--max-depth raises it)',
    );
    expect(() => decodeHelmPayload(payload(nested(150)), limitsFrom(64, 200))).not.toThrow();
  });

  it('depth: 100,000 levels are refused without recursion', () => {
    expect(() => checkTree(JSON.parse(nested(100_000)))).toThrow(InputLimitError);
  });

  it('size: a gzip bomb stops at the limit; the message names it and its flag', () => {
    const bomb = gzipSync(Buffer.alloc(3 * 1024 * 1024));
    expect(gunzipLimited(bomb, limitsFrom(4, 100))).toHaveLength(3 * 1024 * 1024);
    expect(() => gunzipLimited(bomb, limitsFrom(2, 100))).toThrow('larger than the 2 MB input limit');
    expect(() => decodeHelmPayload(bomb.toString('base64'), limitsFrom(2, 100))).toThrow(
      'the release is larger than the 2 MB input limit (--max-input-mb raises it)',
    );
  });

  it('size: a tree whose branches are shared (YAML aliases, a "billion laughs") is measured expanded, and refused', () => {
    let laugh: unknown = 'lol'.repeat(10);
    for (let i = 0; i < 40; i++) laugh = [laugh, laugh, laugh];
    const started = Date.now();
    expect(() => checkTree(laugh, DEFAULT_LIMITS)).toThrow('larger than the 64 MB input limit');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a replay answers a record unreadable for a limit with one that breaks its own limit the same way', () => {
    for (const reason of [
      'the release is nested deeper than the input limit of 100 levels (--max-depth raises it)',
      'the release is larger than the 64 MB input limit (--max-input-mb raises it)',
      'corrupt gzip data',
      'not JSON',
      'no release data',
    ]) {
      const limits = limitsFrom(2, 50);
      const again = reason.replace('100 levels', '50 levels').replace('64 MB', '2 MB');
      let reasonAgain: string | undefined;
      try {
        decodeHelmPayload(unreadablePayload(reason, limits), limits);
      } catch (e) {
        reasonAgain = (e as HelmPayloadError).reason;
      }
      expect(reasonAgain).toBe(again);
    }
  });
});

describe(`a release nested ${MAX_DEPTH_CEILING} levels deep with --max-depth ${MAX_DEPTH_CEILING}`, () => {
  it('runs through every step, is recorded and replays with the same findings', async () => {
    const world = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
    // The release object is level 1, config level 2: the deep value's objects are levels 3 to 1000.
    (world.kube.releases![0]!.user as Record<string, unknown>).deep = JSON.parse(
      nested(MAX_DEPTH_CEILING - 2),
    );
    const limits = limitsFrom(64, MAX_DEPTH_CEILING);
    const file = join(mkdtempSync(join(tmpdir(), 'irsa-deep-')), 'deep.json.gz');
    const live = await runWorld(world, { limits, record: file, output: 'json' });
    expect(live.findings.filter((f) => /internal error|call stack/i.test(f.message))).toEqual([]);
    expect(live.lines('release')[0]).toMatch(/^\[OK\] Helm release camunda found/);
    const replayed = await run(testOptions({ limits, replay: file, namespace: '', output: 'json' }), {
      stdout: sink(),
      stderr: sink(),
      env: {},
    });
    expect(replayed.findings).toEqual(live.findings);
    // One level more is the limit's FAIL, not a crash.
    const deeper = await runWorld(world, { limits: limitsFrom(64, MAX_DEPTH_CEILING - 1) });
    expect(deeper.lines('release')).toEqual([
      `[FAIL] the Helm release could not be decoded: secret sh.helm.release.v1.camunda.v3: the release is nested deeper than the input limit of ${MAX_DEPTH_CEILING - 1} levels (--max-depth raises it)`,
    ]);
  });
});
