/**
 * The release evaluator as a table: which Helm release is checked, the way `helm list` picks
 * the live revision (the newest `deployed` one), what it says of the chart version, and the
 * facts it publishes together. Helm's storage records are decoded by the collector; here the
 * decoded search result is the snapshot.
 */
import { describe, expect, it } from 'vitest';
import { release } from '../../src/checks/release.js';
import type { ReleaseInput } from '../../src/collectors/release.js';
import { ApiCallError } from '../../src/core/errors.js';
import { BUNDLED_CHARTS } from '../../src/helm/chart-defaults.generated.js';
import { CorruptReleaseError, type HelmRelease } from '../../src/helm/release.js';
import { evaluate } from '../support/evaluate.js';

const chart = BUNDLED_CHARTS.find((c) => c.camunda === '8.8')!;

function helm(name: string, over: Partial<HelmRelease> = {}): HelmRelease {
  return {
    name,
    namespace: 'camunda',
    revision: 3,
    status: 'deployed',
    chartName: 'camunda-platform',
    chartVersion: chart.chartVersion,
    appVersion: '8.8.0',
    defaults: structuredClone(chart.values),
    user: {},
    driver: 'secret',
    ...over,
  };
}

function records(
  releases: HelmRelease[],
  over: Partial<Extract<ReleaseInput, { kind: 'records' }>> = {},
): ReleaseInput {
  return {
    kind: 'records',
    namespace: 'camunda',
    search: { releases, corrupt: [], undeployed: [] },
    ...over,
  };
}

const FOUND = `OK release-found: Helm release camunda found: chart camunda-platform-${chart.chartVersion} (Camunda 8.8.0), revision 3`;
const NO_KEYCLOAK =
  'INFO: Keycloak: neither the identityKeycloak subchart nor an external Keycloak is configured';

describe('release evaluator', () => {
  it('one deployed release: found, and the five release facts published together', () => {
    const r = evaluate(release, records([helm('camunda')]));
    expect(r.lines).toEqual([FOUND, NO_KEYCLOAK]);
    expect(Object.keys(r.provided)).toEqual(['chartVersion', 'profile', 'values', 'keycloakMode', 'release']);
    expect(r.provided.keycloakMode).toBe('none');
  });

  it('--values: the INFO line of the loader, then the values read; a placeholder is named once', () => {
    const rel = helm('camunda', {
      status: 'values-only',
      revision: 0,
      user: { global: { host: '${HOST}' } },
    });
    const r = evaluate(release, {
      kind: 'values-only',
      loaded: { release: rel, note: 'values-only mode: v.yaml, chart 13.0.0, …' },
    });
    expect(r.lines).toEqual([
      'INFO: values-only mode: v.yaml, chart 13.0.0, …',
      `OK release-found: values of release camunda read: chart camunda-platform-${chart.chartVersion}`,
      'WARN values-unrendered: `${HOST}` is not rendered: run envsubst / your templating first (global.host)',
      NO_KEYCLOAK,
    ]);
  });

  it('a pending upgrade above the deployed revision: WARN, the deployed one is checked', () => {
    const r = evaluate(
      release,
      records([helm('camunda')], {
        search: {
          releases: [helm('camunda')],
          corrupt: [],
          undeployed: [
            {
              namespace: 'camunda',
              name: 'camunda',
              revision: 4,
              status: 'pending-upgrade',
              deployedRevision: 3,
            },
          ],
        },
      }),
    );
    expect(r.lines[0]).toBe(
      'WARN release-pending: release camunda: revision 4 is pending-upgrade above deployed revision 3, which is checked; a Helm operation is in progress or was interrupted (`helm history -n camunda camunda`)',
    );
    expect(r.lines[1]).toBe(FOUND);
  });

  it('no Helm release but an Argo CD Application: its INFO line, then its values', () => {
    const rel = helm('camunda', { status: 'values-only', revision: 0 });
    const r = evaluate(
      release,
      records([], {
        argo: {
          loaded: {
            release: rel,
            note: 'no Helm release; using Argo CD Application argocd/camunda (chart 13.0.0), …',
          },
        },
      }),
    );
    expect(r.lines.slice(0, 2)).toEqual([
      'INFO: no Helm release; using Argo CD Application argocd/camunda (chart 13.0.0), …',
      `OK release-found: values of release camunda read: chart camunda-platform-${chart.chartVersion}`,
    ]);
  });

  it.each<[string, ReleaseInput, string[]]>([
    [
      'no release at all',
      records([], { argo: {} }),
      ['FAIL release-found: no deployed Camunda release (chart camunda-platform) in namespace camunda'],
    ],
    [
      'two releases and no --release',
      records([helm('a'), helm('b')]),
      ['FAIL release-single: several Camunda releases in namespace camunda: a, b'],
    ],
    [
      '--release naming none of them',
      records([helm('a'), helm('b')], { wanted: 'c' }),
      ['FAIL release-found: no deployed Camunda release named "c" in namespace camunda (found: a, b)'],
    ],
    [
      'only a failed install',
      records([], {
        argo: {},
        search: {
          releases: [],
          corrupt: [],
          undeployed: [{ namespace: 'camunda', name: 'camunda', revision: 1, status: 'failed' }],
        },
      }),
      [
        'FAIL release-not-deployed: no deployed Camunda release in namespace camunda: release camunda is failed (revision 1)',
      ],
    ],
    [
      'the only record cannot be decoded',
      records([], {
        search: {
          releases: [],
          corrupt: [
            new CorruptReleaseError(
              'secret sh.helm.release.v1.camunda.v1: not a Helm release (no release data)',
            ),
          ],
          undeployed: [],
        },
      }),
      [
        'FAIL release-readable: the Helm release could not be decoded: secret sh.helm.release.v1.camunda.v1: not a Helm release (no release data)',
      ],
    ],
    [
      'a chart version that does not parse',
      records([helm('camunda', { chartVersion: 'main' })]),
      ['FAIL release-readable: cannot parse the chart version "main" of release camunda'],
    ],
    [
      'listing the release Secrets is forbidden: cannot-ask with the permission to grant',
      {
        kind: 'records-error',
        namespace: 'camunda',
        server: 'https://k',
        error: new ApiCallError('kube', 'list secrets', 'Forbidden', 'forbidden', 403),
      },
      [
        'FAIL cannot-ask: irsa-check cannot call list secrets (Forbidden): grant it, see README "Permissions"',
      ],
    ],
  ])('invalid: %s', (_name, input, lines) => {
    const r = evaluate(release, input);
    expect(r.lines).toEqual(lines);
    expect(r.provided).toEqual({});
  });

  it('an unreachable cluster while listing the records is fatal (exit 3)', () => {
    const r = evaluate(release, {
      kind: 'records-error',
      namespace: 'camunda',
      server: 'https://k',
      error: new ApiCallError('kube', 'list secrets', 'Unreachable', 'connect ECONNREFUSED'),
    });
    expect(r.lines).toEqual([
      'FAIL kube-unreachable: cannot reach the Kubernetes API server at https://k: connect ECONNREFUSED',
    ]);
    expect(r.fatal?.code).toBe(3);
  });
});
