/**
 * orchestration (8.9+): secondary storage in Aurora PostgreSQL with IAM database authentication.
 * What the chart renders (orchestration/files/_application.yaml): the `rdbms:` block with
 * `aws-enabled: {{ .aws.enabled }}`, `url` and `username`, and only when
 * `orchestration.exporters.rdbms.enabled` is on.
 */
import type { Reporter } from '../../core/reporter.js';
import type { ChartProfile } from '../../helm/chart.js';
import { orchestrationRdbms, RDBMS, RDBMS_EXPORTER } from '../../helm/chart.js';
import type { Values } from '../../helm/values.js';
import { describeValue } from '../../helm/describe.js';
import { AWS_JDBC_SCHEME, parseJdbcUrl, PG_PORT } from '../../db/jdbc.js';
import type { Id } from './checks.js';
import { checkEndpoint, portNote, warnTls, type RecordDb } from './shared.js';

const EXAMPLE_URL =
  'jdbc:postgresql://<cluster>.cluster-<id>.<region>.rds.amazonaws.com:5432/<database>?sslmode=require';

export function checkOrchestrationRdbms(
  profile: ChartProfile,
  values: Values,
  out: Reporter<Id>,
  record: RecordDb,
): void {
  const rdbms = orchestrationRdbms(profile, values);
  if (!rdbms) {
    out.info(
      profile.major < 14
        ? `chart ${profile.major}.x has no relational secondary storage: no database settings to check`
        : `${RDBMS.replace(/\.rdbms$/, '.type')} is not rdbms: orchestration uses no relational database`,
    );
    return;
  }
  if (!rdbms.exporterEnabled) {
    out.fail(
      'orch-rdbms-exporter',
      `${RDBMS_EXPORTER} is ${describeValue(values, RDBMS_EXPORTER)}: the chart renders the rdbms connection settings (url, username, aws-enabled) only with the RDBMS exporter on`,
      { fix: `Set ${RDBMS_EXPORTER}: true` },
    );
  }
  if (!rdbms.awsEnabled) {
    out.fail(
      'orch-rdbms-iam',
      `${rdbms.awsKey} is ${describeValue(values, rdbms.awsKey)}: orchestration logs in with a password, not with IAM database authentication`,
      { fix: `Set ${rdbms.awsKey}: true` },
    );
  } else out.ok('orch-rdbms-iam', `${rdbms.awsKey} is true: IAM database authentication`);

  let endpoint: { host: string; port: number } | undefined;
  const parsed = rdbms.url ? parseJdbcUrl(rdbms.url) : undefined;
  if (!rdbms.url) {
    out.fail('orch-rdbms-url', `${rdbms.urlKey} is not set`, {
      fix: `Set ${rdbms.urlKey} to ${EXAMPLE_URL}`,
    });
  } else if (!parsed || !['postgresql', AWS_JDBC_SCHEME].includes(parsed.scheme) || !parsed.host) {
    out.fail(
      'orch-rdbms-url',
      `${rdbms.urlKey} is not a PostgreSQL JDBC URL (jdbc:postgresql:// or jdbc:${AWS_JDBC_SCHEME}://)`,
      { fix: `Set ${rdbms.urlKey} to ${EXAMPLE_URL}` },
    );
  } else {
    endpoint = checkEndpoint(
      out,
      parsed.host,
      `the host in ${rdbms.urlKey}`,
      parsed.port,
      `the port in ${rdbms.urlKey}`,
      PG_PORT,
    );
    warnTls(out, rdbms.urlKey, parsed.params, `Add sslmode=require to ${rdbms.urlKey}.`);
  }
  if (!rdbms.username) {
    out.fail('orch-rdbms-username', `${rdbms.usernameKey} is not set`, {
      fix: `Set ${rdbms.usernameKey} to the database user granted rds_iam.`,
    });
  }
  if (endpoint) {
    out.ok(
      'orch-rdbms-url',
      `database ${rdbms.username ?? '?'}@${endpoint.host}:${endpoint.port}${portNote(parsed?.port)} (${rdbms.urlKey})`,
    );
    record('orchestration', { ...endpoint, ...(rdbms.username ? { dbUser: rdbms.username } : {}) });
  }
}
