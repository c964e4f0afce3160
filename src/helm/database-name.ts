/**
 * The database name a component connects to, from the same values the chart renders
 * into its datasource: Keycloak's and Identity's externalDatabase.database, Web
 * Modeler's JDBC URL path (`jdbc:…postgresql://host:port/<database>?…`).
 */
import type { Values } from './values.js';

export function databaseNameOf(values: Values, component: string): string | undefined {
  if (component === 'identityKeycloak') return values.string('identityKeycloak.externalDatabase.database');
  if (component === 'identity') return values.string('identity.externalDatabase.database');
  if (component === 'webModeler') {
    const url = values.string('webModeler.restapi.externalDatabase.url') ?? '';
    const m = /^jdbc:[a-z:-]*postgresql:\/\/[^/]+\/([^?;/]+)/.exec(url);
    return m ? decodeURIComponent(m[1]!) : undefined;
  }
  return undefined;
}
