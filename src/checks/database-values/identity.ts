/** identity: the external database, its user and the Spring datasource env. */
import type { Reporter } from '../../core/reporter.js';
import type { Values } from '../../helm/values.js';
import { describeValue } from '../../helm/describe.js';
import { IDENTITY_DB } from '../../helm/database-keys.js';
import { isHostName, PG_PORT } from '../../db/jdbc.js';
import type { Id } from './checks.js';
import {
  checkEndpoint,
  checkSpringEnv,
  effectiveUser,
  portNote,
  type Endpoint,
  type RecordDb,
} from './shared.js';

export function checkIdentity(values: Values, out: Reporter<Id>, record: RecordDb): void {
  const enabledKey = IDENTITY_DB.enabled;
  const raw = values.get(enabledKey);
  if (raw === undefined || raw === null || raw === '') {
    out.fail('identity-db-external-unset', `${enabledKey} is not set in your values or the chart defaults`, {
      fix: `Set ${enabledKey}: true`,
    });
  } else if (values.bool(enabledKey) !== true) {
    out.fail(
      'identity-db-external',
      `${enabledKey} is ${describeValue(values, enabledKey)}: Identity does not use the external database`,
      { fix: `Set ${enabledKey}: true` },
    );
  } else {
    out.ok('identity-db-external', `${enabledKey} is true`);
  }

  const hostKey = IDENTITY_DB.host;
  const portKey = IDENTITY_DB.port;
  const userKey = IDENTITY_DB.username;
  const host = values.string(hostKey);
  const rawPort = values.get(portKey);
  let endpoint: Endpoint | undefined;
  if (!host) {
    out.fail('identity-db-host', `${hostKey} is not set`, {
      fix: `Set ${hostKey} to the Aurora cluster endpoint.`,
    });
  } else {
    endpoint = checkEndpoint(out, host, hostKey, rawPort, portKey, PG_PORT);
  }
  let user = values.string(userKey);
  if (!user) {
    out.fail('identity-db-username', `${userKey} is not set`, {
      fix: `Set ${userKey} to the database user granted rds_iam.`,
    });
  } else {
    user = effectiveUser(values, IDENTITY_DB.env, user, userKey, out);
  }
  if (endpoint) {
    out.ok(
      'identity-db-host',
      `database ${user ?? '?'}@${endpoint.host}:${endpoint.port}${portNote(rawPort)}`,
    );
    record(IDENTITY_DB.component, { ...endpoint, ...(user ? { dbUser: user } : {}) });
  }

  const env = checkSpringEnv(values, IDENTITY_DB.env, 'identity-db-env', out, {
    checkUrl: true,
    target: {
      ...(host && isHostName(host) ? { host } : {}),
      ...(endpoint ? { port: endpoint.port } : {}),
      ...(values.string(IDENTITY_DB.database) ? { database: values.string(IDENTITY_DB.database) } : {}),
    },
  });
  if (env.urlHost && endpoint && env.urlHost.toLowerCase() !== endpoint.host.toLowerCase()) {
    out.warn(
      'identity-db-url-host',
      `${IDENTITY_DB.env} SPRING_DATASOURCE_URL connects to ${env.urlHost}, not to ${hostKey} (${endpoint.host}): the Aurora checks follow ${hostKey}`,
      { fix: `Use the same host in ${hostKey} and ${IDENTITY_DB.env} SPRING_DATASOURCE_URL.` },
    );
  }
  if (env.ok) {
    out.ok(
      'identity-db-env',
      `${IDENTITY_DB.env} selects the AWS JDBC wrapper with IAM authentication${env.tls ? ` and TLS (${env.tls})` : ''}`,
    );
  }
}
