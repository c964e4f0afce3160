/**
 * Everything irsa-check knows about the Camunda Helm chart (camunda/camunda-platform-helm),
 * per chart major: component keys, the ServiceAccount name each template generates, and where
 * the database / OpenSearch settings live. Chart-version knowledge lives in this folder and nowhere else.
 *
 * Chart major ↔ Camunda: 8 → 8.3, 9 → 8.4, 10 → 8.5, 11 → 8.6, 12 → 8.7, 13 → 8.8, 14 → 8.9, 15 → 8.10.
 * The facts were read from the chart templates (`_helpers.tpl`, `serviceaccount.yaml`, the
 * OpenSearch and Web Modeler templates) and `values.yaml` of each chart line; the comments name
 * the helper each rule mirrors.
 */

export { parseChartVersion, type ChartVersion } from './version.js';
export {
  profileFor,
  resolveComponent,
  type ChartProfile,
  type ComponentSpec,
  type HubMerge,
  type ListKind,
} from './profiles.js';
export { componentEnabled } from './switches.js';
export { componentFullname, serviceAccountFor, type ServiceAccountPlan } from './service-accounts.js';
export {
  openSearchSettings,
  type OpenSearchComponent,
  type OpenSearchSettings,
  type SecondaryStorage,
  unsignedWebapps,
  type UnsignedWebapps,
} from './opensearch.js';
export { webModelerDatabase, type WebModelerDb } from './web-modeler-db.js';
export {
  orchestrationRdbms,
  orchestrationUsesSearch,
  RDBMS,
  RDBMS_EXPORTER,
  type OrchestrationRdbms,
} from './rdbms.js';
export {
  DOC_ACTIVE,
  DOC_AWS,
  documentStoreAws,
  type DocumentStoreAws,
  type StorePod,
} from './document-store.js';
export {
  keycloakDbHost,
  keycloakDbUser,
  keycloakEnv,
  keycloakEnvFrom,
  renderTpl,
  type KeycloakDbField,
  type KeycloakEnvSource,
} from './keycloak-env.js';
