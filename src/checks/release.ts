import { defineModule } from '../engine/module.js';
import { ApiCallError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import type { KeycloakMode } from '../engine/facts.js';
import type { HelmRelease } from '../helm/release.js';
import { componentEnabled, parseChartVersion, profileFor, type ChartProfile } from '../helm/chart.js';
import { Values } from '../helm/values.js';
import { findPlaceholders } from '../helm/placeholders.js';
import { clusterUnusable } from '../platform/cluster-unusable.js';
import { collectRelease, type ReleaseInput } from '../collectors/release.js';

const CHECKS = {
  'release-found': {
    severity: 'FAIL',
    code: 4,
    title: 'no deployed Camunda Helm release in the namespace (or none named --release)',
    fix: 'Check -n, or choose the release with --release.',
  },
  'release-single': {
    severity: 'FAIL',
    code: 4,
    title: 'several Camunda Helm releases in the namespace',
    fix: 'Choose the release to check with --release <name>.',
  },
  'release-readable': {
    severity: 'FAIL',
    code: 5,
    title: 'the release’s values, chart defaults or chart version are unreadable',
    fix: 'Re-deploy the release with Helm 3, or give --values and --chart-version.',
  },
  'release-not-deployed': {
    severity: 'FAIL',
    code: 4,
    title: 'the Camunda release has no deployed revision (failed, pending-install, …)',
    fix: '`helm history -n <namespace> <release>` shows why; fix the install and `helm upgrade` until it is deployed.',
  },
  'release-pending': {
    severity: 'WARN',
    title: 'a pending or failed revision sits above the deployed one that is checked',
    fix: 'Finish or roll back the Helm operation (`helm history`, `helm rollback`).',
  },
  'release-record': {
    severity: 'WARN',
    title: 'an unreadable Helm release record was skipped',
    fix: 'The release Secret is corrupt or not written by Helm 3; `helm history` shows it.',
  },
  'values-unrendered': {
    severity: 'WARN',
    title:
      'values-only mode: a ${VAR} placeholder in the values is not rendered (the fields holding it are not judged)',
    fix: 'Render the values first (envsubst, your templating), then run irsa-check on the result.',
  },
  'release-defaults': {
    severity: 'WARN',
    title: 'the release carries no chart defaults: only the user values are checked',
    fix: 'Give the chart with --chart so its defaults are checked too.',
  },
  'chart-supported': {
    severity: 'WARN',
    title: 'the chart version is out of support or newer than irsa-check knows',
    fix: 'Upgrade to a supported chart, or irsa-check to a version that knows the chart.',
  },
} as const;
type Id = keyof typeof CHECKS;

/** Picks the release to check, or fails saying why none could be picked. */
function pickRelease(input: ReleaseInput, out: Reporter<Id>): HelmRelease | undefined {
  if (input.kind === 'values-only') {
    out.info(input.loaded.note);
    return input.loaded.release;
  }
  const ns = input.namespace;
  if (input.kind === 'records-error') {
    const e = input.error;
    const fatal = clusterUnusable(e, input.server);
    if (fatal) throw fatal;
    if (e instanceof ApiCallError && e.isAccessDenied) {
      out.unexpected(e, {
        fix: `Allow irsa-check to list secrets in namespace ${ns} (README, "Permissions").`,
      });
      return undefined;
    }
    throw e;
  }
  const { releases, corrupt, undeployed } = input.search;
  for (const c of corrupt) {
    if (releases.length > 0)
      out.warn('release-record', `skipped an unreadable Helm release record: ${c.message}`);
  }
  for (const u of undeployed) {
    // `helm list` shows this revision, not the one checked.
    if (u.deployedRevision !== undefined) {
      out.warn(
        'release-pending',
        `release ${u.name}: revision ${u.revision} is ${u.status} above deployed revision ${u.deployedRevision}, which is checked; a Helm operation is in progress or was interrupted (\`helm history -n ${ns} ${u.name}\`)`,
      );
    }
  }
  if (releases.length === 0) {
    if (corrupt.length > 0) {
      out.fail('release-readable', `the Helm release could not be decoded: ${corrupt[0]!.message}`, {
        fix:
          corrupt[0]!.fix ??
          'The release Secret is corrupt or not written by Helm 3; `helm history` shows it, a `helm upgrade` rewrites it.',
      });
      return undefined;
    }
    const argo = input.argo;
    if (argo && 'error' in argo) throw argo.error;
    if (argo?.loaded) {
      out.info(argo.loaded.note);
      return argo.loaded.release;
    }
    const notDeployed = undeployed.filter((u) => u.deployedRevision === undefined);
    if (notDeployed.length > 0) {
      // Named with its state rather than "no release".
      out.fail(
        'release-not-deployed',
        `no deployed Camunda release in namespace ${ns}: ${notDeployed.map((u) => `release ${u.name} is ${u.status} (revision ${u.revision})`).join(', ')}`,
        {
          fix: `\`helm history -n ${ns} ${notDeployed[0]!.name}\` shows why; fix the install and run \`helm upgrade\` until it is deployed.`,
        },
      );
      return undefined;
    }
    out.fail('release-found', `no deployed Camunda release (chart camunda-platform) in namespace ${ns}`, {
      fix: `Check the namespace (-n); \`helm list -n ${ns}\` lists its releases. For helm template / Argo CD installs use --values.`,
    });
    return undefined;
  }
  if (input.wanted) {
    const chosen = releases.find((r) => r.name === input.wanted);
    if (!chosen) {
      out.fail(
        'release-found',
        `no deployed Camunda release named "${input.wanted}" in namespace ${ns} (found: ${releases.map((r) => r.name).join(', ')})`,
        { fix: 'Pass one of the releases found with --release.' },
      );
    }
    return chosen;
  }
  if (releases.length > 1) {
    out.fail(
      'release-single',
      `several Camunda releases in namespace ${ns}: ${releases.map((r) => r.name).join(', ')}`,
      { fix: 'Choose the release to check with --release <name>.' },
    );
    return undefined;
  }
  return releases[0];
}

function keycloakMode(profile: ChartProfile, values: Values, out: Reporter<Id>): KeycloakMode {
  // The chart's own switch (incl. the legacy identity.keycloak.enabled on charts 10–12), never
  // global.identity.keycloak.internal, which only adds an ExternalName Service (original's mistake).
  const enabled = profile.hasKeycloakSubchart && componentEnabled(profile, values, 'identityKeycloak');
  const externalHost = values.string('global.identity.keycloak.url.host');
  if (enabled) {
    const why = {
      user: 'identityKeycloak.enabled=true, from your values',
      default: 'identityKeycloak.enabled=true, from the chart defaults',
      unset: 'identityKeycloak.enabled is not set: Helm deploys a sub-chart whose condition is unset',
    }[values.source('identityKeycloak.enabled') ?? 'unset'];
    out.info(`Keycloak: the bundled identityKeycloak subchart is deployed (${why})`);
    return 'subchart';
  }
  if (externalHost) {
    out.info(`Keycloak: external instance at ${externalHost} (identityKeycloak subchart not deployed)`);
    return 'external';
  }
  out.info('Keycloak: neither the identityKeycloak subchart nor an external Keycloak is configured');
  return 'none';
}

/** One WARN per unrendered placeholder, naming where it sits; the values modules do not judge those fields. */
function reportPlaceholders(user: Record<string, unknown>, out: Reporter<Id>): void {
  for (const [placeholder, paths] of findPlaceholders(user)) {
    const shown = paths.slice(0, 3).join(', ') + (paths.length > 3 ? ` and ${paths.length - 3} more` : '');
    out.warn(
      'values-unrendered',
      `\`${placeholder}\` is not rendered: run envsubst / your templating first (${shown})`,
      {
        fix: `Render the values first (e.g. envsubst with ${placeholder.slice(2, -1)} exported), then run irsa-check on the result; the fields holding it are not checked.`,
      },
    );
  }
}

export const release = defineModule({
  id: 'release',
  title: 'Helm release',
  needs: [],
  provides: ['release', 'chartVersion', 'profile', 'values', 'keycloakMode'],
  checks: CHECKS,
  collect: collectRelease,
  evaluate(input, out, facts) {
    const found = pickRelease(input, out);
    if (!found) return;
    const version = parseChartVersion(found.chartVersion);
    if (!version) {
      out.fail(
        'release-readable',
        `cannot parse the chart version "${found.chartVersion}" of release ${found.name}`,
      );
      return;
    }
    const profile = profileFor(version);
    if (Object.keys(found.defaults).length === 0) {
      out.warn(
        'release-defaults',
        `release ${found.name} carries no chart defaults: only your own values are checked`,
      );
    }
    const values = new Values(found.defaults, found.user).withBaseDefaults(profile.subchartDefaults);
    out.ok(
      'release-found',
      found.status === 'values-only'
        ? `values of release ${found.name} read: chart ${found.chartName}-${found.chartVersion}`
        : `Helm release ${found.name} found: chart ${found.chartName}-${found.chartVersion}` +
            `${found.appVersion ? ` (Camunda ${found.appVersion})` : ''}, revision ${found.revision}`,
    );
    if (!profile.supported) {
      out.warn(
        'chart-supported',
        version.major < 11
          ? `chart ${found.chartVersion} (Camunda ${profile.camunda}) is out of support: irsa-check is only tested with chart 11+`
          : `chart ${found.chartVersion} is newer than irsa-check knows (up to 15): checks use the chart 15 layout`,
      );
    }
    if (found.status === 'values-only') reportPlaceholders(found.user, out);
    const mode = keycloakMode(profile, values, out);
    // Published last, together: a module that needs any of them sees the release whole.
    facts.provide('chartVersion', version);
    facts.provide('profile', profile);
    facts.provide('values', values);
    facts.provide('keycloakMode', mode);
    facts.provide('release', found);
  },
});
