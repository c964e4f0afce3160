import { defineModule } from '../core/module.js';
import { ApiCallError } from '../core/errors.js';
import type { Context } from '../core/context.js';
import type { Reporter } from '../core/reporter.js';
import { findCamundaReleases, type HelmRelease } from '../helm/release.js';
import { componentEnabled, parseChartVersion, profileFor } from '../helm/chart.js';
import { Values } from '../helm/values.js';
import { clusterUnusable } from './preflight.js';
import { loadValuesOnlyRelease, releaseFromArgo } from '../helm/values-only.js';

export const CODE_NO_RELEASE = 4;
export const CODE_VALUES = 5;

/** Picks the release to check, or fails saying why none could be picked. */
async function findRelease(ctx: Context, out: Reporter): Promise<HelmRelease | undefined> {
  const ns = ctx.options.namespace;
  let records;
  try {
    records = await ctx.kube.helmReleaseRecords(ns);
  } catch (e) {
    const fatal = clusterUnusable(e, (await ctx.kube.clusterInfo()).server);
    if (fatal) throw fatal;
    if (e instanceof ApiCallError && e.isAccessDenied) {
      out.unexpected(e, {
        fix: `Allow irsa-check to list secrets in namespace ${ns} (README, "Permissions").`,
      });
      return undefined;
    }
    throw e;
  }
  const { releases, corrupt, undeployed } = findCamundaReleases(records);
  for (const c of corrupt) {
    if (releases.length > 0) out.warn(`skipped an unreadable Helm release record: ${c.message}`);
  }
  for (const u of undeployed) {
    // check: release-pending — `helm list` shows this revision, not the one checked.
    if (u.deployedRevision !== undefined) {
      out.warn(
        `release ${u.name}: revision ${u.revision} is ${u.status} above deployed revision ${u.deployedRevision}, which is checked; a Helm operation is in progress or was interrupted (\`helm history -n ${ns} ${u.name}\`)`,
      );
    }
  }
  if (releases.length === 0) {
    if (corrupt.length > 0) {
      out.fail(CODE_VALUES, `the Helm release could not be decoded: ${corrupt[0]!.message}`, {
        fix: 'The release Secret is corrupt or not written by Helm 3; `helm history` shows it, a `helm upgrade` rewrites it.',
      });
      return undefined;
    }
    const fromArgo = await releaseFromArgo(ctx, out);
    if (fromArgo) return fromArgo;
    const notDeployed = undeployed.filter((u) => u.deployedRevision === undefined);
    if (notDeployed.length > 0) {
      // check: release-not-deployed — named with its state rather than "no release".
      out.fail(
        CODE_NO_RELEASE,
        `no deployed Camunda release in namespace ${ns}: ${notDeployed.map((u) => `release ${u.name} is ${u.status} (revision ${u.revision})`).join(', ')}`,
        {
          fix: `\`helm history -n ${ns} ${notDeployed[0]!.name}\` shows why; fix the install and run \`helm upgrade\` until it is deployed.`,
        },
      );
      return undefined;
    }
    out.fail(CODE_NO_RELEASE, `no deployed Camunda release (chart camunda-platform) in namespace ${ns}`, {
      fix: `Check the namespace (-n); \`helm list -n ${ns}\` lists its releases. For helm template / Argo CD installs use --values.`,
    });
    return undefined;
  }
  if (ctx.options.release) {
    const chosen = releases.find((r) => r.name === ctx.options.release);
    if (!chosen) {
      out.fail(
        CODE_NO_RELEASE,
        `no deployed Camunda release named "${ctx.options.release}" in namespace ${ns} (found: ${releases.map((r) => r.name).join(', ')})`,
        { fix: 'Pass one of the releases found with --release.' },
      );
    }
    return chosen;
  }
  if (releases.length > 1) {
    out.fail(
      CODE_NO_RELEASE,
      `several Camunda releases in namespace ${ns}: ${releases.map((r) => r.name).join(', ')}`,
      { fix: 'Choose the release to check with --release <name>.' },
    );
    return undefined;
  }
  return releases[0];
}

function keycloakMode(ctx: Context, out: Reporter): void {
  const { profile, values } = ctx.facts;
  if (!profile || !values) return;
  // The chart's own switch (incl. the legacy identity.keycloak.enabled on charts 10–12), never
  // global.identity.keycloak.internal, which only adds an ExternalName Service (original's mistake).
  const enabled = profile.hasKeycloakSubchart && componentEnabled(profile, values, 'identityKeycloak');
  const externalHost = values.string('global.identity.keycloak.url.host');
  if (enabled) {
    ctx.facts.keycloakMode = 'subchart';
    const why = {
      user: 'identityKeycloak.enabled=true, from your values',
      default: 'identityKeycloak.enabled=true, from the chart defaults',
      unset: 'identityKeycloak.enabled is not set: Helm deploys a sub-chart whose condition is unset',
    }[values.source('identityKeycloak.enabled') ?? 'unset'];
    out.info(`Keycloak: the bundled identityKeycloak subchart is deployed (${why})`);
  } else if (externalHost) {
    ctx.facts.keycloakMode = 'external';
    out.info(`Keycloak: external instance at ${externalHost} (identityKeycloak subchart not deployed)`);
  } else {
    ctx.facts.keycloakMode = 'none';
    out.info('Keycloak: neither the identityKeycloak subchart nor an external Keycloak is configured');
  }
}

export const release = defineModule({
  id: 'release',
  title: 'Helm release',
  codes: [
    {
      code: CODE_NO_RELEASE,
      title: 'no (single) deployed Camunda Helm release in the namespace',
      fix: 'Check -n, or choose the release with --release.',
    },
    {
      code: CODE_VALUES,
      title: 'the release’s values, chart defaults or chart version are unreadable',
      fix: 'Re-deploy the release with Helm 3, or give --values and --chart-version.',
    },
  ],
  async run(ctx, out) {
    const found =
      ctx.options.values.length > 0 ? await loadValuesOnlyRelease(ctx, out) : await findRelease(ctx, out);
    if (!found) return;
    const version = parseChartVersion(found.chartVersion);
    if (!version) {
      out.fail(
        CODE_VALUES,
        `cannot parse the chart version "${found.chartVersion}" of release ${found.name}`,
      );
      return;
    }
    const profile = profileFor(version);
    if (Object.keys(found.defaults).length === 0) {
      out.warn(`release ${found.name} carries no chart defaults: only your own values are checked`);
    }
    ctx.redactor.learn(found.user);
    ctx.redactor.learn(found.defaults);
    ctx.facts.release = found;
    ctx.facts.chartVersion = version;
    ctx.facts.profile = profile;
    ctx.facts.values = new Values(found.defaults, found.user).withBaseDefaults(profile.subchartDefaults);
    out.ok(
      found.status === 'values-only'
        ? `values of release ${found.name} read: chart ${found.chartName}-${found.chartVersion}`
        : `Helm release ${found.name} found: chart ${found.chartName}-${found.chartVersion}` +
            `${found.appVersion ? ` (Camunda ${found.appVersion})` : ''}, revision ${found.revision}`,
    );
    if (!profile.supported) {
      out.warn(
        version.major < 11
          ? `chart ${found.chartVersion} (Camunda ${profile.camunda}) is out of support: irsa-check is only tested with chart 11+`
          : `chart ${found.chartVersion} is newer than irsa-check knows (up to 15): checks use the chart 15 layout`,
      );
    }
    keycloakMode(ctx, out);
  },
});

/** For modules that need the release: says once why they are skipped. */
export function requireRelease(ctx: Context, out: Reporter): boolean {
  if (ctx.facts.values && ctx.facts.profile && ctx.facts.release) return true;
  out.info('skipped: no Camunda release to read');
  return false;
}
