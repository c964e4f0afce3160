/** webModeler: the REST API's database URL, user and JDBC driver. */
import type { Reporter } from '../../core/reporter.js';
import type { Values } from '../../helm/values.js';
import { webModelerDatabase, type ChartProfile } from '../../helm/chart.js';
import { WEB_MODELER_DB } from '../../helm/database-keys.js';
import {
  AWS_DRIVER_CLASS,
  AWS_JDBC_SCHEME,
  hasIamPlugin,
  isHostName,
  parseJdbcUrl,
  PG_PORT,
} from '../../db/jdbc.js';
import type { Id } from './checks.js';
import {
  checkEndpoint,
  checkSpringEnv,
  effectiveUser,
  warnTls,
  type Endpoint,
  type RecordDb,
} from './shared.js';

export function checkWebModeler(
  profile: ChartProfile,
  values: Values,
  out: Reporter<Id>,
  record: RecordDb,
): void {
  const db = webModelerDatabase(profile, values);
  const urlKey = db.urlKey ?? WEB_MODELER_DB.url;
  const parsed = db.url ? parseJdbcUrl(db.url) : undefined;
  // The URL to suggest: built from what the values already say, placeholders for the rest.
  const host = (parsed?.host && isHostName(parsed.host) ? parsed.host : undefined) ?? db.host ?? '<host>';
  const database = parsed?.database || db.database || '<database>';
  const example = `jdbc:${AWS_JDBC_SCHEME}://${host}:${db.port ?? PG_PORT}/${database}?wrapperPlugins=iam&sslmode=require`;
  const urlFix = `Set ${urlKey}: ${example}`;
  let endpoint: Endpoint | undefined;

  if (db.bundledPostgres && db.bundledPostgresKey) {
    out.fail(
      'webmodeler-db-url-unset',
      `${db.bundledPostgresKey} is true: Web Modeler uses the bundled PostgreSQL and ignores ${urlKey}`,
      { fix: `Set ${db.bundledPostgresKey}: false and ${urlKey}: ${example}` },
    );
  } else if (!db.url) {
    out.fail(
      'webmodeler-db-url-unset',
      db.host
        ? `${urlKey} is not set: the chart builds a jdbc:postgresql:// URL from ${db.hostKey}, without the AWS JDBC wrapper`
        : `${urlKey} is not set in your values or the chart defaults`,
      { fix: urlFix },
    );
  } else {
    if (!parsed || parsed.scheme !== AWS_JDBC_SCHEME || !parsed.host || !parsed.database) {
      out.fail(
        'webmodeler-db-url',
        `${urlKey} is not a jdbc:${AWS_JDBC_SCHEME}://<host>[:<port>]/<database> URL${parsed && parsed.scheme !== AWS_JDBC_SCHEME ? ` (it uses jdbc:${parsed.scheme}://)` : ''}`,
        { fix: urlFix },
      );
    } else if (!hasIamPlugin(parsed.params)) {
      out.fail('webmodeler-db-url', `${urlKey} has no wrapperPlugins=iam query parameter`, {
        fix: `Add wrapperPlugins=iam to the query of ${urlKey}, e.g. ${example}`,
      });
    } else {
      const tls = warnTls(out, urlKey, parsed.params, `Add sslmode=require to the query of ${urlKey}.`);
      out.ok(
        'webmodeler-db-url',
        `${urlKey} uses the AWS JDBC wrapper with IAM authentication${tls ? ` and TLS (${tls})` : ''}`,
      );
    }
    if (parsed?.host) {
      endpoint = checkEndpoint(
        out,
        parsed.host,
        `the host in ${urlKey}`,
        parsed.port,
        `the port in ${urlKey}`,
        PG_PORT,
      );
    }
  }

  const userKey = db.usernameKey ?? WEB_MODELER_DB.username;
  if (db.ignoredUserKey) {
    out.warn(
      'webmodeler-db-user-key',
      `${db.ignoredUserKey} is set but this chart version ignores it: it reads ${userKey}`,
      {
        fix: `Move the database user to ${userKey} and remove ${db.ignoredUserKey}.`,
      },
    );
  }
  let user = db.username;
  if (!user) {
    out.fail('webmodeler-db-username', `${userKey} is not set`, {
      fix: `Set ${userKey} to the database user granted rds_iam.`,
    });
  } else {
    user = effectiveUser(values, db.envPath, user, userKey, out);
  }
  if (endpoint) {
    out.ok('db-host-name', `database ${user ?? '?'}@${endpoint.host}:${endpoint.port}`);
    record(WEB_MODELER_DB.component, { ...endpoint, ...(user ? { dbUser: user } : {}) });
  }

  const env = checkSpringEnv(values, db.envPath, 'webmodeler-db-driver', out, {
    checkUrl: false,
    driverIds: { missing: 'webmodeler-db-driver-unset', wrong: 'webmodeler-db-driver' },
  });
  if (env.ok)
    out.ok(
      'webmodeler-db-driver',
      `${db.envPath} SPRING_DATASOURCE_DRIVER_CLASS_NAME is ${AWS_DRIVER_CLASS}`,
    );
}
