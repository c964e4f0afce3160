/**
 * Database Helm settings of the pg components (Aurora PostgreSQL with IAM authentication):
 * each must reach its database through the AWS Advanced JDBC Wrapper with the `iam` plugin,
 * as a user the IAM policy names. Values (user values over chart and sub-chart defaults) are
 * the source; where each setting lives per chart version is chart.ts's business
 * (`webModelerDatabase`, `componentEnabled`, helm/database-keys.ts); JDBC parsing is
 * db/jdbc.ts'. The hosts found are provided as the `databases` fact for the Aurora and
 * role-permission checks.
 *
 * A missing host is reported with the component's own check (keycloak-db-host,
 * identity-db-host, webmodeler-db-url-unset, keycloak-external-host); db-host-name and
 * db-port are the shared checks that the host is a usable host name and the port a TCP port
 * (a missing port means the default: 5432, or 80 for an external Keycloak).
 *
 * A pure evaluator over the snapshot src/collectors/database-values.ts gathers, so the same code
 * judges a live release, a replayed bundle and a values file (issue 16). Per component:
 * keycloak.ts, identity.ts, web-modeler.ts, orchestration.ts; their shared helpers in shared.ts.
 */
import { hasPlaceholder, skipUnrendered } from '../../helm/placeholders.js';
import { defineModule } from '../../engine/module.js';
import type { Reporter } from '../../core/reporter.js';
import type { DatabaseTarget } from '../../engine/facts.js';
import { componentEnabled } from '../../helm/chart.js';
import { IDENTITY_DB, KEYCLOAK, WEB_MODELER_DB } from '../../helm/database-keys.js';
import { collectDatabaseValues, keycloakExpected } from '../../collectors/database-values.js';
import { CHECKS, type Id } from './checks.js';
import type { Input, RecordDb } from './shared.js';
import { checkExternalKeycloak, checkKeycloakSubchart, KC } from './keycloak.js';
import { checkIdentity } from './identity.js';
import { checkWebModeler } from './web-modeler.js';
import { checkOrchestrationRdbms } from './orchestration.js';

function checkComponent(input: Input, key: string, out: Reporter<Id>, record: RecordDb): void {
  const { profile, values, keycloakMode } = input;
  if (key === KC) {
    // The Keycloak mode (release module) replaces the enabled switch: off means "external".
    if (keycloakMode === 'subchart') checkKeycloakSubchart(values, out, record, input.release);
    else if (keycloakMode === 'external' || keycloakExpected(profile, values, input.pgNamed))
      checkExternalKeycloak(input, out, record);
    else out.info('no Keycloak is configured (subchart disabled, no external URL): skipped');
    return;
  }
  if (!componentEnabled(profile, values, key)) {
    out.info('disabled: its database settings are not checked');
    return;
  }
  if (key === IDENTITY_DB.component) checkIdentity(values, out, record);
  else if (key === WEB_MODELER_DB.component) checkWebModeler(profile, values, out, record);
  else if (key === 'orchestration') checkOrchestrationRdbms(profile, values, out, record);
  else out.info('no database checks are defined for this component');
}

export const databaseValues = defineModule({
  id: 'database-values',
  title: 'Database Helm settings (Aurora PostgreSQL via IAM)',
  needs: ['profile', 'values', 'keycloakMode', 'pgList', 'release'],
  provides: ['databases'],
  checks: CHECKS,
  collect: collectDatabaseValues,
  evaluate(input, reporter, facts) {
    const out = skipUnrendered(reporter, input.valuesMode);
    const { pgList, profile, values, keycloakMode } = input;
    const found = new Map<string, DatabaseTarget>();
    try {
      if (pgList.length === 0) return;
      if (keycloakMode === 'external' && !profile.components.some((c) => c.key === KC)) {
        out.info(
          `Keycloak is external (${values.string(KEYCLOAK.urlHost)}); this chart has no identityKeycloak subchart, so its database is not checked here`,
        );
      }
      // One component after another, in the pg list's order; an error is that component's line.
      for (const key of pgList) {
        const o = skipUnrendered(reporter.forComponent(key), input.valuesMode);
        try {
          checkComponent(input, key, o, (component, target) => found.set(component, target));
        } catch (error) {
          o.unexpected(error);
        }
      }
    } finally {
      // Complete (possibly empty), in the pg list's order: the Aurora checks wait for it.
      const rank = (k: string) => pgList.indexOf(k);
      // A database whose host or user is an unrendered placeholder cannot be looked up.
      const rendered = [...found].filter(([, t]) => !hasPlaceholder(t.host) && !hasPlaceholder(t.dbUser));
      facts.provide('databases', new Map(rendered.sort(([a], [b]) => rank(a) - rank(b))));
    }
  },
});
