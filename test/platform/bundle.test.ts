/**
 * Bundle format @2: Helm releases are stored decoded, cut to what irsa-check
 * reads and redacted; a replay answers the Helm release calls from that form and
 * gives the findings of the recorded run. Bundles of format @1 still replay.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { REDACTED } from '../../src/core/redact.js';
import { encodeHelmPayload } from '../../src/helm/codec.js';
import { readBundle } from '../../src/platform/bundle.js';
import { replayHelmRecord, type BundledHelmRecord } from '../../src/platform/bundle-helm.js';
import { run } from '../../src/run.js';
import {
  cloneWorld,
  loadWorld,
  releaseRecord,
  runWorld,
  testOptions,
  type WorldModel,
} from '../support/world.js';

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
type Tree = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The healthy world plus what a real namespace holds besides the live release. */
function busyNamespace(): WorldModel {
  const world = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
  const live = world.kube.releases![0]!;
  (live.user as Tree).foo = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  world.kube.records = [
    // A superseded revision: skipped by its labels, never decoded.
    releaseRecord({ ...live, revision: 2, status: 'superseded', user: { old: 'Pw-superseded-1' } }),
    // Another chart's release: its values are never read.
    releaseRecord({
      name: 'ingress',
      namespace: 'camunda',
      chart: { name: 'ingress-nginx', version: '4.11.0' },
      user: { controller: { adminPassword: 'Pw-ingress-2' }, note: 'Pw-ingress-note-3' },
    }),
    // A corrupt record: reported the same way live and replayed.
    {
      driver: 'secret',
      name: 'sh.helm.release.v1.broken.v1',
      namespace: 'camunda',
      labels: { name: 'broken', owner: 'helm', status: 'deployed', version: '1' },
      payload: Buffer.from('{"name": "broken", "config": {"password": "Pw-broken-4"').toString('base64'),
    },
  ];
  return world;
}

async function replay(file: string) {
  return run(testOptions({ namespace: '', replay: file }), { stdout: sink(), stderr: sink(), env: {} });
}

describe('bundle format @2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-bundle-'));

  it('stores Helm releases decoded and redacted; a replay gives the recorded findings', async () => {
    const file = join(dir, 'busy.json');
    const live = await runWorld(busyNamespace(), { record: file });
    expect(live.lines('release')).toContain(
      '[WARN] skipped an unreadable Helm release record: secret sh.helm.release.v1.broken.v1: not a Helm release (not JSON)',
    );
    const text = readFileSync(file, 'utf8');
    for (const secret of [
      'Pw-superseded-1',
      'Pw-ingress-2',
      'Pw-ingress-note-3',
      'Pw-broken-4',
      'EXAMPLEKEY',
    ]) {
      expect(text).not.toContain(secret);
    }
    const bundle = JSON.parse(text);
    expect(bundle.schema).toBe('irsa-check/bundle@2');
    const records: BundledHelmRecord[] = bundle.calls.find(
      (c: { method: string }) => c.method === 'helmReleaseRecords',
    ).result;
    expect(records.every((r) => !('payload' in r))).toBe(true);
    const byName = (n: string) => records.find((r) => r.name === n)!;
    const release = byName('sh.helm.release.v1.camunda.v3').release as Tree;
    expect(release.config.foo).toBe('<redacted AWS secret key>');
    expect(release.config.identity.firstUser).toEqual({ username: 'demo', password: REDACTED });
    expect(release.chart.metadata).toEqual({
      name: 'camunda-platform',
      version: '13.1.2',
      appVersion: '8.8.x',
    });
    expect(release.chart.values.global.opensearch.url.port).toBe(443);
    expect(byName('sh.helm.release.v1.camunda.v2')).toEqual({
      driver: 'secret',
      name: 'sh.helm.release.v1.camunda.v2',
      namespace: 'camunda',
      labels: { name: 'camunda', owner: 'helm', status: 'superseded', version: '2' },
    });
    expect(byName('sh.helm.release.v1.ingress.v1').release).toEqual({
      name: 'ingress',
      namespace: 'camunda',
      version: 1,
      info: { status: 'deployed' },
      chart: { metadata: { name: 'ingress-nginx', version: '4.11.0' } },
    });
    expect(byName('sh.helm.release.v1.broken.v1').unreadable).toBe('not JSON');

    const replayed = await replay(file);
    expect(replayed.findings).toEqual(live.findings);
  });

  it('replays a gzip bundle of format @1 (Helm payloads) with the same findings', async () => {
    const file = join(dir, 'new.json');
    const live = await runWorld(busyNamespace(), { record: file });
    const bundle = JSON.parse(readFileSync(file, 'utf8'));
    bundle.schema = 'irsa-check/bundle@1';
    for (const call of bundle.calls) {
      if (call.method === 'helmReleaseRecords') call.result = call.result.map(replayHelmRecord);
    }
    const old = join(dir, 'old.json.gz');
    writeFileSync(old, gzipSync(JSON.stringify(bundle)));
    expect(JSON.stringify(bundle)).toContain('"payload":"H4sI');
    expect((await replay(old)).findings).toEqual(live.findings);
  });

  it('a replay encodes the decoded release back into the payload Helm would have stored', () => {
    const record = releaseRecord({
      name: 'c',
      namespace: 'camunda',
      chart: { version: '13.1.2' },
      user: { a: 1 },
      manifest: 'kind: ConfigMap\ndata: {}',
    });
    const bundled: BundledHelmRecord = {
      driver: record.driver,
      name: record.name,
      namespace: record.namespace,
      labels: record.labels,
      release: {
        name: 'c',
        namespace: 'camunda',
        version: 1,
        info: { status: 'deployed' },
        chart: { metadata: { name: 'camunda-platform', version: '13.1.2' }, values: {} },
        config: { a: 1 },
        manifest: ['kind: ConfigMap', 'data: {}'],
      },
    };
    const again = replayHelmRecord(bundled);
    expect(again.payload).toBe(
      encodeHelmPayload({ ...bundled.release, manifest: 'kind: ConfigMap\ndata: {}' }),
    );
  });

  it.each([
    [
      { schema: 'irsa-check/bundle@3', tool: 'irsa-check 9.0.0', calls: [] },
      'has schema irsa-check/bundle@3, which this irsa-check cannot read (it reads irsa-check/bundle@1, irsa-check/bundle@2): replay it with the irsa-check version that recorded it (irsa-check 9.0.0)',
    ],
    [
      { schema: 'something/else', calls: [] },
      'is not an irsa-check bundle (expected schema irsa-check/bundle@2)',
    ],
    [{ schema: 'irsa-check/bundle@2' }, 'is not an irsa-check bundle (expected schema irsa-check/bundle@2)'],
  ])('a bundle it cannot read is a clear usage error: %j', async (content, message) => {
    const file = join(dir, 'unreadable.json');
    writeFileSync(file, JSON.stringify(content));
    await expect(readBundle(file)).rejects.toThrow(new UsageError(`bundle ${file} ${message}`));
  });
});
