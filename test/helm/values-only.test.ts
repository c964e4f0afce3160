import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { cloneWorld, loadWorld, runWorld, type WorldModel } from '../support/world.js';

const VALUES = `${ROOT}/fixtures/values/camunda-8.8-irsa-values.yaml`;
const OVERRIDE = `${ROOT}/fixtures/values/camunda-8.8-optimize-off.yaml`;
const CHART_DIR = `${ROOT}/fixtures/charts/camunda-platform-13.1.2`;

function releaseless(): WorldModel {
  const world = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
  world.kube.releases = [];
  return world;
}

function chartTgz(): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-chart-'));
  const tgz = join(dir, 'camunda-platform-13.1.2.tgz');
  // As `helm package` lays it out: the chart directory renamed to the chart name.
  execFileSync('tar', [
    'czf',
    tgz,
    '--transform',
    's,^camunda-platform-13.1.2,camunda-platform,',
    '-C',
    `${ROOT}/fixtures/charts`,
    'camunda-platform-13.1.2',
  ]);
  return tgz;
}

describe('values-only mode (helm template / Argo CD installs)', () => {
  it('--values with --chart-version and no --chart: the defaults bundled for that chart major (generated from the chart)', async () => {
    const run = await runWorld(releaseless(), { values: [VALUES], chartVersion: '13.1.2', pg: ['identity'] });
    // The chart's own default (charts/camunda-platform-8.8/values.yaml identityKeycloak.enabled: false)
    // now decides the Keycloak mode; before the bundle, an unset switch read as "subchart deployed".
    expect(run.lines('release')).toEqual([
      `[INFO] values-only mode: ${VALUES}, chart 13.1.2, chart defaults of chart 13.12.7 (bundled with irsa-check)`,
      '[OK] values of release camunda read: chart camunda-platform-13.1.2',
      '[INFO] Keycloak: neither the identityKeycloak subchart nor an external Keycloak is configured',
    ]);
    expect(run.lines('service-accounts')).toContain(
      '[OK] identity: service account camunda-identity is annotated with role arn:aws:iam::123456789012:role/camunda-identity-irsa',
    );
  });

  it('--chart-version 8.8 is a Camunda version: mapped to its chart (Chart.yaml appVersion 8.8.x → version)', async () => {
    const run = await runWorld(releaseless(), { values: [VALUES], chartVersion: '8.8', pg: ['identity'] });
    expect(run.lines('release').slice(0, 2)).toEqual([
      `[INFO] values-only mode: ${VALUES}, chart 13.12.7, chart defaults of chart 13.12.7 (bundled with irsa-check) (Camunda 8.8 → chart 13.12.7)`,
      '[OK] values of release camunda read: chart camunda-platform-13.12.7',
    ]);
  });

  it.each(['8.10', '8.10.x', '8.10.0'])(
    '--chart-version %s reads as Camunda 8.10, not as chart 8.10',
    async (v) => {
      const run = await runWorld(releaseless(), { values: [VALUES], chartVersion: v, pg: [], os: [] });
      expect(run.lines('release')[0]).toContain(', chart 15.0.0-alpha4, ');
    },
  );

  it.each(['8.5', '8.11', '16.0.0', 'latest', '13.x'])(
    '--chart-version %s is unknown: a usage error listing the known versions',
    async (v) => {
      await expect(runWorld(releaseless(), { values: [VALUES], chartVersion: v })).rejects.toThrow(
        /--chart-version .* (is not a (chart )?version irsa-check knows|is not a version irsa-check knows) \(known: Camunda 8\.6, 8\.7, 8\.8, 8\.9, 8\.10 or chart 11\.x \(Camunda 8\.6\), 12\.x \(Camunda 8\.7\), 13\.x \(Camunda 8\.8\), 14\.x \(Camunda 8\.9\), 15\.x \(Camunda 8\.10\)\)/,
      );
    },
  );

  it('a chart major with no bundled defaults (10.x, Camunda 8.5): only your own values, with the WARN', async () => {
    const run = await runWorld(releaseless(), { values: [VALUES], chartVersion: '10.4.0', pg: [], os: [] });
    expect(run.lines('release').slice(0, 2)).toEqual([
      `[INFO] values-only mode: ${VALUES}, chart 10.4.0, no chart defaults (give --chart)`,
      '[WARN] release camunda carries no chart defaults: only your own values are checked',
    ]);
  });

  it.each([
    ['a chart directory', () => CHART_DIR],
    ['a packaged .tgz', chartTgz],
  ])('--chart from %s supplies the defaults and the version', async (_what, chart) => {
    const source = chart();
    const run = await runWorld(releaseless(), {
      values: [VALUES, OVERRIDE],
      chart: source,
      pg: ['identity'],
    });
    expect(run.lines('release')[0]).toBe(
      `[INFO] values-only mode: ${VALUES}, ${OVERRIDE}, chart 13.1.2, chart defaults from ${source}`,
    );
    // The second file switched optimize off again; the chart defaults keep connectors on.
    expect(run.lines('plan')).toContain(
      '[INFO] optimize: optimize is disabled (optimize.enabled=false): skipped',
    );
  });

  it('without --chart-version or a chart: a usage error', async () => {
    await expect(runWorld(releaseless(), { values: [VALUES] })).rejects.toThrow(
      '--values needs --chart-version (a chart version, or a Camunda version such as 8.8) or --chart with a Chart.yaml',
    );
  });

  it('no release, but an Argo CD Application (in argocd, deploying into the namespace) provides the values', async () => {
    const world = releaseless();
    world.kube.argoApplications = [
      {
        name: 'camunda-prod',
        namespace: 'argocd',
        chart: 'camunda-platform',
        targetRevision: '13.1.2',
        destinationNamespace: 'camunda',
        values: 'identity:\n  enabled: true\n',
        valuesObject: {
          identity: {
            serviceAccount: {
              annotations: {
                'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/camunda-identity-irsa',
              },
            },
          },
        },
      },
    ];
    const run = await runWorld(world, { chart: CHART_DIR, pg: ['identity'], os: [] });
    expect(run.lines('release').slice(0, 2)).toEqual([
      `[INFO] no Helm release; using Argo CD Application argocd/camunda-prod (chart 13.1.2), chart defaults from ${CHART_DIR}`,
      '[OK] values of release camunda read: chart camunda-platform-13.1.2',
    ]);
    expect(run.lines('service-accounts')).toContain(
      '[OK] identity: service account camunda-identity is annotated with role arn:aws:iam::123456789012:role/camunda-identity-irsa',
    );
  });
});
