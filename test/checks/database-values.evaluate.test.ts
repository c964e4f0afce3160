/**
 * The database Helm settings evaluator as a table (valid / invalid snapshots → exact lines, as
 * ESLint's RuleTester), with no dispatcher and no port: Camunda's IRSA guide (Aurora with the AWS
 * Advanced JDBC Wrapper, `wrapperPlugins=iam`, TLS) over the chart's keys per version
 * (src/helm/database-keys.ts). The external Keycloak's Service is the one answer the collector
 * brings from the cluster; each of its answers (exists, missing, refused, no cluster) is a row.
 * test/checks/database-values.test.ts runs the same evaluator through whole worlds.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { databaseValues } from '../../src/checks/database-values/index.js';
import {
  keycloakServiceToLookUp,
  type DatabaseValuesInput,
  type KeycloakServiceAnswer,
} from '../../src/collectors/database-values.js';
import { ApiCallError, NoClusterError } from '../../src/core/errors.js';
import type { KeycloakMode } from '../../src/engine/facts.js';
import { evaluate } from '../support/evaluate.js';
import { baseFacts, withUser, type BaseFacts } from '../support/values-facts.js';
import { put, W88, type Tree } from '../support/values-worlds.js';

const HOST = 'camunda-prod-aurora.cluster-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com';

let f88: BaseFacts;
beforeAll(async () => {
  f88 = await baseFacts(W88);
});

function input(
  change: (u: Tree) => void,
  opts: { keycloakMode?: KeycloakMode; valuesMode?: boolean; service?: KeycloakServiceAnswer } = {},
): DatabaseValuesInput {
  const base: DatabaseValuesInput = {
    profile: f88.profile,
    values: withUser(f88.values, change),
    keycloakMode: opts.keycloakMode ?? f88.keycloakMode,
    pgList: f88.pgList,
    release: { name: f88.release.name, namespace: f88.release.namespace },
    namespace: 'camunda',
    pgNamed: [],
    valuesMode: opts.valuesMode ?? false,
  };
  return opts.service ? { ...base, keycloakService: opts.service } : base;
}

const HEALTHY = [
  'OK keycloak-postgresql-bundled identityKeycloak: identityKeycloak.postgresql.enabled is false: Keycloak uses the external database',
  'OK keycloak-image identityKeycloak: image docker.io/camunda/keycloak:26.3.1 contains the AWS JDBC wrapper',
  `OK keycloak-db-host identityKeycloak: database keycloak_irsa@${HOST}:5432`,
  'OK keycloak-jdbc-env identityKeycloak: identityKeycloak.extraEnvVars select the AWS JDBC wrapper with IAM authentication and TLS (sslmode=require)',
  'OK identity-db-external identity: identity.externalDatabase.enabled is true',
  `OK identity-db-host identity: database identity_irsa@${HOST}:5432`,
  'OK identity-db-env identity: identity.env selects the AWS JDBC wrapper with IAM authentication and TLS (sslmode=require)',
  'OK webmodeler-db-url webModeler: webModeler.restapi.externalDatabase.url uses the AWS JDBC wrapper with IAM authentication and TLS (sslmode=require)',
  `OK db-host-name webModeler: database modeler_irsa@${HOST}:5432`,
  'OK webmodeler-db-driver webModeler: webModeler.restapi.env SPRING_DATASOURCE_DRIVER_CLASS_NAME is software.amazon.jdbc.Driver',
];

/** An external Keycloak at a cluster Service name (chart 13 with the subchart off). */
const externalKeycloak = (u: Tree) => {
  put(u, 'identityKeycloak.enabled', false);
  put(u, 'global.identity.keycloak.url', { protocol: 'http', host: 'keycloak-service', port: 8080 });
};
const KC_REF = { name: 'keycloak-service', namespace: 'camunda' };
const KC_EXTERNAL_OK =
  'OK keycloak-external-host identityKeycloak: external Keycloak at keycloak-service:8080 (the identityKeycloak subchart is not deployed)';

describe('database-values evaluator', () => {
  it('valid: the 8.8 fixture world (IRSA guide settings for Keycloak, Identity and Web Modeler)', () => {
    const r = evaluate(
      databaseValues,
      input(() => {}),
    );
    expect(r.lines).toEqual(HEALTHY);
    expect(Object.fromEntries(r.provided.databases as Map<string, unknown>)).toEqual({
      identityKeycloak: { host: HOST, port: 5432, dbUser: 'keycloak_irsa' },
      identity: { host: HOST, port: 5432, dbUser: 'identity_irsa' },
      webModeler: { host: HOST, port: 5432, dbUser: 'modeler_irsa' },
    });
  });

  it.each<[string, (u: Tree) => void, string[]]>([
    [
      'Keycloak on the bundled PostgreSQL',
      (u) => put(u, 'identityKeycloak.postgresql.enabled', true),
      [
        'FAIL keycloak-postgresql-bundled identityKeycloak: identityKeycloak.postgresql.enabled is true: Keycloak uses the bundled PostgreSQL, not Aurora',
        ...HEALTHY.slice(1),
      ],
    ],
    [
      'Web Modeler URL without wrapperPlugins=iam',
      (u) =>
        put(
          u,
          'webModeler.restapi.externalDatabase.url',
          `jdbc:aws-wrapper:postgresql://${HOST}:5432/modeler?sslmode=require`,
        ),
      [
        ...HEALTHY.slice(0, 7),
        'FAIL webmodeler-db-url webModeler: webModeler.restapi.externalDatabase.url has no wrapperPlugins=iam query parameter',
        ...HEALTHY.slice(8),
      ],
    ],
    [
      'Identity host with a scheme and a port',
      (u) => put(u, 'identity.externalDatabase.host', `https://${HOST}:5432`),
      [
        ...HEALTHY.slice(0, 5),
        `FAIL db-host-name identity: identity.externalDatabase.host "https://${HOST}:5432" is not a host name (no scheme, port or path allowed)`,
        'OK identity-db-env identity: identity.env selects the AWS JDBC wrapper with IAM authentication and TLS (sslmode=require)',
        ...HEALTHY.slice(7),
      ],
    ],
  ])('invalid: %s', (_name, change, lines) => {
    expect(evaluate(databaseValues, input(change)).lines).toEqual(lines);
  });

  it.each<[string, KeycloakServiceAnswer, string]>([
    [
      'exists',
      { ref: KC_REF, exists: true },
      'OK keycloak-service identityKeycloak: Service keycloak-service exists in namespace camunda',
    ],
    [
      'missing',
      { ref: KC_REF, exists: false },
      'WARN keycloak-service identityKeycloak: no Service keycloak-service in namespace camunda: the external Keycloak host may not resolve',
    ],
    [
      'refused (RBAC)',
      {
        ref: KC_REF,
        error: new ApiCallError('kube', 'get services', 'Forbidden', 'services is forbidden', 403),
      },
      'WARN keycloak-service identityKeycloak: cannot read Service keycloak-service in namespace camunda (Forbidden): not checked',
    ],
    [
      'no cluster (values-only): skipped, never OK or FAIL',
      { ref: KC_REF, error: new NoClusterError('no kubeconfig (values-only mode)') },
      'INFO identityKeycloak: skipped: needs the Kubernetes cluster',
    ],
  ])('external Keycloak, its Service %s', (_name, service, line) => {
    const snapshot = input(externalKeycloak, { keycloakMode: 'external', service });
    // The collector asks about exactly this Service for this snapshot.
    expect(keycloakServiceToLookUp(snapshot)).toEqual(KC_REF);
    const lines = evaluate(databaseValues, snapshot).lines.filter((l) => l.includes('identityKeycloak'));
    expect(lines).toEqual([KC_EXTERNAL_OK, line]);
  });

  it('the collector asks no Service for the subchart, a DNS host or an unusable port', () => {
    expect(keycloakServiceToLookUp(input(() => {}))).toBeUndefined();
    const dns = (u: Tree) => {
      externalKeycloak(u);
      put(u, 'global.identity.keycloak.url.host', 'login.example.com');
    };
    expect(keycloakServiceToLookUp(input(dns, { keycloakMode: 'external' }))).toBeUndefined();
    const badPort = (u: Tree) => {
      externalKeycloak(u);
      put(u, 'global.identity.keycloak.url.port', 'http');
    };
    expect(keycloakServiceToLookUp(input(badPort, { keycloakMode: 'external' }))).toBeUndefined();
  });

  it('values-only: an unrendered host is neither passed nor failed, and not handed to the Aurora checks', () => {
    const change = (u: Tree) => put(u, 'identity.externalDatabase.host', '${DB_HOST}');
    const r = evaluate(databaseValues, input(change, { valuesMode: true }));
    expect(r.lines.filter((l) => l.includes(' identity: '))).toEqual([
      'OK identity-db-external identity: identity.externalDatabase.enabled is true',
      'OK identity-db-env identity: identity.env selects the AWS JDBC wrapper with IAM authentication and TLS (sslmode=require)',
    ]);
    expect([...(r.provided.databases as Map<string, unknown>).keys()]).toEqual([
      'identityKeycloak',
      'webModeler',
    ]);
  });
});
