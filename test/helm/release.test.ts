import { describe, expect, it } from 'vitest';
import { findCamundaReleases } from '../../src/helm/release.js';
import type { HelmStorageRecord } from '../../src/ports/kube.js';
import { releaseRecord } from '../support/world.js';

function rec(
  name: string,
  revision: number,
  status: string,
  chart = 'camunda-platform',
  version = '13.1.2',
): HelmStorageRecord {
  return releaseRecord({
    name,
    namespace: 'camunda',
    revision,
    status,
    chart: { name: chart, version },
    user: { r: revision },
  });
}

describe('findCamundaReleases decodes Helm storage like `helm list`', () => {
  it('the newest deployed revision of each Camunda release, sorted by name', () => {
    const { releases, corrupt } = findCamundaReleases([
      rec('camunda', 1, 'superseded'),
      rec('camunda', 2, 'deployed'),
      rec('camunda', 3, 'failed'),
      rec('camunda', 4, 'pending-upgrade'),
      rec('other', 1, 'deployed', 'ingress-nginx', '4.11.0'),
      rec('alpha', 7, 'deployed', 'camunda-platform', '15.0.0-alpha4'),
    ]);
    expect(corrupt).toEqual([]);
    expect(releases.map((r) => [r.name, r.revision, r.chartVersion, r.user])).toEqual([
      ['alpha', 7, '15.0.0-alpha4', { r: 7 }],
      ['camunda', 2, '13.1.2', { r: 2 }],
    ]);
  });

  it('reports undecodable records without throwing', () => {
    const bad: HelmStorageRecord = { ...rec('camunda', 1, 'deployed'), payload: 'bm90IGEgcmVsZWFzZQ==' };
    const { releases, corrupt } = findCamundaReleases([bad]);
    expect(releases).toEqual([]);
    expect(corrupt.map((c) => c.message)).toEqual([
      expect.stringMatching(/^secret sh\.helm\.release\.v1\.camunda\.v1: not a Helm release \(/),
    ]);
  });

  it('accepts the configmap driver and uncompressed payloads', () => {
    const json = Buffer.from(
      JSON.stringify({
        name: 'c',
        namespace: 'camunda',
        version: 1,
        info: { status: 'deployed' },
        chart: { metadata: { name: 'camunda-platform', version: '12.0.0' }, values: {} },
        config: {},
      }),
    ).toString('base64');
    const { releases } = findCamundaReleases([
      {
        driver: 'configmap',
        name: 'sh.helm.release.v1.c.v1',
        namespace: 'camunda',
        labels: { status: 'deployed' },
        payload: json,
      },
    ]);
    expect(releases.map((r) => [r.name, r.driver, r.chartVersion])).toEqual([['c', 'configmap', '12.0.0']]);
  });
});
