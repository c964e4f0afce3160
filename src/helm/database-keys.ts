/**
 * Where the chart keeps the database settings of Keycloak and Identity, and the keys
 * Web Modeler's settings fall back to (the per-version Web Modeler keys are
 * `webModelerDatabase`'s, chart/web-modeler-db.ts). Chart knowledge lives in src/helm/ only.
 */

/** The Bitnami Keycloak sub-chart (`identityKeycloak`) and an external Keycloak. */
export const KEYCLOAK = {
  /** The component key and values prefix of the sub-chart. */
  component: 'identityKeycloak',
  enabled: 'identityKeycloak.enabled',
  /** The sub-chart's extraEnvVars (KEYCLOAK_EXTRA_ARGS, KEYCLOAK_JDBC_DRIVER, KEYCLOAK_JDBC_PARAMS). */
  env: 'identityKeycloak.extraEnvVars',
  bundledPostgres: 'identityKeycloak.postgresql.enabled',
  image: 'identityKeycloak.image',
  imageRegistry: 'identityKeycloak.image.registry',
  imageRepository: 'identityKeycloak.image.repository',
  imageTag: 'identityKeycloak.image.tag',
  host: 'identityKeycloak.externalDatabase.host',
  port: 'identityKeycloak.externalDatabase.port',
  user: 'identityKeycloak.externalDatabase.user',
  /** An external Keycloak's URL: `.host`, `.port`, `.protocol`. */
  url: 'global.identity.keycloak.url',
  urlHost: 'global.identity.keycloak.url.host',
  urlPort: 'global.identity.keycloak.url.port',
} as const;

/** Identity's external database. */
export const IDENTITY_DB = {
  component: 'identity',
  enabled: 'identity.externalDatabase.enabled',
  host: 'identity.externalDatabase.host',
  port: 'identity.externalDatabase.port',
  username: 'identity.externalDatabase.username',
  database: 'identity.externalDatabase.database',
  /** Identity's env list (SPRING_DATASOURCE_*). */
  env: 'identity.env',
} as const;

/** Web Modeler's keys to name when the chart profile names none. */
export const WEB_MODELER_DB = {
  component: 'webModeler',
  url: 'webModeler.restapi.externalDatabase.url',
  username: 'webModeler.restapi.externalDatabase.username',
} as const;
