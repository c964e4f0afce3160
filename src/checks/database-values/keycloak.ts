/** identityKeycloak: the Bitnami Keycloak sub-chart, or an external (e.g. operator-managed) Keycloak. */
import type { Reporter } from '../../core/reporter.js';
import { ApiCallError } from '../../core/errors.js';
import type { Values } from '../../helm/values.js';
import { keycloakDbHost, keycloakDbUser, keycloakEnv } from '../../helm/chart.js';
import { describeValue } from '../../helm/describe.js';
import { KEYCLOAK } from '../../helm/database-keys.js';
import { AWS_DRIVER_CLASS, AWS_JDBC_SCHEME, hasIamPlugin, parseJdbcParams, PG_PORT } from '../../db/jdbc.js';
import type { Id } from './checks.js';
import { checkEndpoint, portNote, warnTls, type Endpoint, type Input, type RecordDb } from './shared.js';
import { serviceRef } from '../../collectors/database-values.js';

const KEYCLOAK_HTTP_PORT = 80;

export const KC = KEYCLOAK.component;
const KC_ENV = KEYCLOAK.env;

function checkKeycloakImage(values: Values, out: Reporter<Id>): void {
  const image = values.get(KEYCLOAK.image);
  if (typeof image === 'string') {
    out.fail(
      'keycloak-image-unset',
      `${KEYCLOAK.image} is the string "${image}": the Keycloak chart reads image.registry, image.repository and image.tag`,
      {
        fix: `Set ${KEYCLOAK.imageRepository}: camunda/keycloak and ${KEYCLOAK.imageTag} to a supported version.`,
      },
    );
    return;
  }
  const repository = values.string(KEYCLOAK.imageRepository);
  if (!repository) {
    out.fail(
      'keycloak-image-unset',
      `${KEYCLOAK.imageRepository} is not set in your values, the chart defaults or the Keycloak chart's defaults`,
      { fix: `Set ${KEYCLOAK.imageRepository}: camunda/keycloak` },
    );
    return;
  }
  const registry = values.string(KEYCLOAK.imageRegistry);
  const tag = values.string(KEYCLOAK.imageTag);
  const ref = `${registry ? `${registry}/` : ''}${repository}${tag ? `:${tag}` : ''}`;
  if (!ref.includes('camunda/keycloak')) {
    out.fail(
      'keycloak-image',
      `${KEYCLOAK.image} is ${ref}: only the camunda/keycloak images contain the AWS JDBC wrapper`,
      { fix: `Set ${KEYCLOAK.imageRepository}: camunda/keycloak` },
    );
    return;
  }
  out.ok('keycloak-image', `image ${ref} contains the AWS JDBC wrapper`);
}

function checkKeycloakEnv(values: Values, out: Reporter<Id>): void {
  // keycloakEnv: extraEnvVars, extraStartupArgs (KEYCLOAK_EXTRA_ARGS) or envFrom (extraEnvVarsCM/-Secret).
  const bad = (label: string, what: string, fix: string) =>
    out.fail('keycloak-jdbc-env', `${label} ${what}`, { fix });
  // An unread variable leaves the verdict open: no FAIL, and no OK either.
  let complete = true;
  const unreadable = (name: string, src: { unread: string }) => {
    complete = false;
    out.warn(
      'db-env-unread',
      src.unread.endsWith('(valueFrom)')
        ? `${KC_ENV} ${name} is set from a Secret or ConfigMap (valueFrom): not checked`
        : `${src.unread}: not checked (its content is not in the values)`,
    );
  };
  let good = true;

  const args = keycloakEnv(values, 'KEYCLOAK_EXTRA_ARGS');
  const argsFix = `Add --db-driver=${AWS_DRIVER_CLASS} to ${KC_ENV} KEYCLOAK_EXTRA_ARGS (or ${KEYCLOAK.component}.extraStartupArgs).`;
  if (!args) {
    bad(`${KC_ENV} KEYCLOAK_EXTRA_ARGS`, 'is not set', argsFix);
    good = false;
  } else if ('unread' in args) {
    unreadable('KEYCLOAK_EXTRA_ARGS', args);
  } else {
    const tokens = args.value.split(/\s+/).filter(Boolean);
    const i = tokens.indexOf('--db-driver');
    const driver =
      tokens.find((t) => t.startsWith('--db-driver='))?.slice('--db-driver='.length) ??
      (i >= 0 ? tokens[i + 1] : undefined);
    if (driver !== AWS_DRIVER_CLASS) {
      bad(
        args.key,
        driver
          ? `sets --db-driver=${driver}, not ${AWS_DRIVER_CLASS}`
          : `has no --db-driver=${AWS_DRIVER_CLASS}`,
        argsFix,
      );
      good = false;
    }
  }

  const driver = keycloakEnv(values, 'KEYCLOAK_JDBC_DRIVER');
  const driverFix = `Set ${KC_ENV} KEYCLOAK_JDBC_DRIVER to ${AWS_JDBC_SCHEME}.`;
  if (!driver) {
    bad(`${KC_ENV} KEYCLOAK_JDBC_DRIVER`, 'is not set', driverFix);
    good = false;
  } else if ('unread' in driver) {
    unreadable('KEYCLOAK_JDBC_DRIVER', driver);
  } else if (driver.value.trim() !== AWS_JDBC_SCHEME) {
    bad(driver.key, `is "${driver.value}", not ${AWS_JDBC_SCHEME}`, driverFix);
    good = false;
  }

  const params = keycloakEnv(values, 'KEYCLOAK_JDBC_PARAMS');
  const paramsFix = `Set ${KC_ENV} KEYCLOAK_JDBC_PARAMS to wrapperPlugins=iam&sslmode=require (other parameters may follow).`;
  let tls: string | undefined;
  if (!params) {
    bad(`${KC_ENV} KEYCLOAK_JDBC_PARAMS`, 'is not set', paramsFix);
    good = false;
  } else if ('unread' in params) {
    unreadable('KEYCLOAK_JDBC_PARAMS', params);
  } else {
    const parsed = parseJdbcParams(params.value);
    if (!hasIamPlugin(parsed)) {
      bad(params.key, 'has no wrapperPlugins=iam', paramsFix);
      good = false;
    } else {
      tls = warnTls(out, params.key, parsed, `Add sslmode=require to ${params.key}.`);
    }
  }
  if (good && complete) {
    const sources = [args, driver, params].flatMap((x) => (x && 'key' in x ? [x.key.split(' ')[0]!] : []));
    const where = [...new Set(sources)].join(' and ') || KC_ENV;
    out.ok(
      'keycloak-jdbc-env',
      `${where} select the AWS JDBC wrapper with IAM authentication${tls ? ` and TLS (${tls})` : ''}`,
    );
  }
}

export function checkKeycloakSubchart(
  values: Values,
  out: Reporter<Id>,
  record: RecordDb,
  release: { name: string; namespace: string },
): void {
  const pgKey = KEYCLOAK.bundledPostgres;
  const bundled = values.get(pgKey);
  if (bundled === undefined || bundled === null || bundled === '') {
    out.fail(
      'keycloak-postgresql-unset',
      `${pgKey} is not set in your values, the chart defaults or the Keycloak chart's defaults`,
      { fix: `Set ${pgKey}: false` },
    );
  } else if (values.bool(pgKey) !== false) {
    out.fail(
      'keycloak-postgresql-bundled',
      `${pgKey} is ${describeValue(values, pgKey)}: Keycloak uses the bundled PostgreSQL, not Aurora`,
      { fix: `Set ${pgKey}: false` },
    );
  } else {
    out.ok('keycloak-postgresql-bundled', `${pgKey} is false: Keycloak uses the external database`);
  }

  checkKeycloakImage(values, out);

  const hostKey = KEYCLOAK.host;
  const portKey = KEYCLOAK.port;
  const userKey = KEYCLOAK.user;
  const hostField = keycloakDbHost(values, release);
  const userField = keycloakDbUser(values, release);
  const host = hostField && 'value' in hostField ? hostField.value : undefined;
  const rawPort = values.get(portKey);
  let endpoint: Endpoint | undefined;
  if (hostField && 'secret' in hostField) {
    out.info(
      `the database host comes from the Secret named in ${hostField.secretNameKey}, at the key named in ${hostField.key}: not read, so the Aurora checks cannot follow it`,
    );
  } else if (hostField && 'template' in hostField) {
    out.warn(
      'db-env-unread',
      `${hostKey} "${hostField.template}" is a template irsa-check cannot render: not checked`,
    );
  } else if (!host) {
    out.fail('keycloak-db-host', `${hostKey} is not set`, {
      fix: `Set ${hostKey} to the Aurora cluster endpoint.`,
    });
  } else {
    endpoint = checkEndpoint(out, host, hostKey, rawPort, portKey, PG_PORT);
  }

  const user = userField && 'value' in userField ? userField.value : undefined;
  if (userField && 'secret' in userField) {
    out.info(
      `the database user comes from the Secret named in ${userField.secretNameKey}, at the key named in ${userField.key}: not read, so rds-db:connect is not checked for it`,
    );
  } else if (userField && 'template' in userField) {
    out.warn(
      'db-env-unread',
      `${userKey} "${userField.template}" is a template irsa-check cannot render: not checked`,
    );
  } else if (!user) {
    out.fail(
      'keycloak-db-user',
      `${userKey} is not set in your values, the chart defaults or the Keycloak chart's defaults`,
      { fix: `Set ${userKey} to the database user granted rds_iam.` },
    );
  } else if (values.source(userKey) !== 'user') {
    out.warn(
      'keycloak-db-user-default',
      `${userKey} is not in your values: the chart default ${user} is the database user`,
      {
        fix: `Set ${userKey} to the database user granted rds_iam.`,
      },
    );
  }
  if (endpoint) {
    out.ok(
      'keycloak-db-host',
      `database ${user ?? '?'}@${endpoint.host}:${endpoint.port}${portNote(rawPort)}`,
    );
    record(KC, { ...endpoint, ...(user ? { dbUser: user } : {}) });
  }

  checkKeycloakEnv(values, out);
}

// An external (e.g. operator-managed) Keycloak

const KC_URL = KEYCLOAK.url;

/**
 * The external Keycloak's host and port; whether the cluster Service it names exists is the
 * collector's answer (`input.keycloakService`, looked up exactly when this reaches it).
 */
export function checkExternalKeycloak(input: Input, out: Reporter<Id>, record: RecordDb): void {
  const { values } = input;
  const hostKey = KEYCLOAK.urlHost;
  const portKey = KEYCLOAK.urlPort;
  const host = values.string(hostKey);
  if (!host) {
    out.fail(
      'keycloak-external-host',
      `the identityKeycloak subchart is not deployed and ${hostKey} is not set: no Keycloak is configured`,
      {
        fix: `Set ${hostKey} (and ${KC_URL}.protocol/port) to the external Keycloak, or ${KEYCLOAK.enabled}: true.`,
      },
    );
    return;
  }
  const rawPort = values.get(portKey);
  const endpoint = checkEndpoint(out, host, hostKey, rawPort, portKey, KEYCLOAK_HTTP_PORT);
  if (!endpoint) return;
  out.ok(
    'keycloak-external-host',
    `external Keycloak at ${endpoint.host}:${endpoint.port}${portNote(rawPort)} (the ${KC} subchart is not deployed)`,
  );
  record(KC, endpoint);

  const ref = serviceRef(host, input.namespace);
  if (!ref) {
    out.info(`${host} is not a cluster Service name: reached through DNS`);
    return;
  }
  const answer = input.keycloakService;
  // The collector asks exactly when this line is reached (keycloakServiceToLookUp): a missing
  // answer is a bug in irsa-check, reported as one, never guessed.
  if (!answer) throw new Error(`no answer about Service ${ref.name} in namespace ${ref.namespace}`);
  if ('error' in answer) {
    if (!(answer.error instanceof ApiCallError)) return out.unexpected(answer.error);
    out.warn(
      'keycloak-service',
      `cannot read Service ${ref.name} in namespace ${ref.namespace} (${answer.error.reason}): not checked`,
    );
  } else if (answer.exists)
    out.ok('keycloak-service', `Service ${ref.name} exists in namespace ${ref.namespace}`);
  else
    out.warn(
      'keycloak-service',
      `no Service ${ref.name} in namespace ${ref.namespace}: the external Keycloak host may not resolve`,
      {
        fix: `Check the Keycloak deployment (kubectl get svc -n ${ref.namespace}) and ${hostKey}.`,
      },
    );
}
