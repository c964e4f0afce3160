/** Helpers the Keycloak, Identity and Web Modeler database checks share. */
import type { Reporter } from '../../core/reporter.js';
import type { DatabaseTarget } from '../../engine/facts.js';
import type { Values } from '../../helm/values.js';
import {
  AWS_DRIVER_CLASS,
  AWS_JDBC_SCHEME,
  hasIamPlugin,
  isHostName,
  parseJdbcUrl,
  PG_PORT,
  readPort,
  tlsRequirement,
} from '../../db/jdbc.js';
import type { Id } from './checks.js';

export type { DatabaseValuesInput as Input } from '../../collectors/database-values.js';
/** Records the database a component connects to (the `databases` fact, provided once complete). */
export type RecordDb = (component: string, target: DatabaseTarget) => void;

/** The values of an env list: `{ value }`, `{ ref }` for valueFrom entries, or undefined. */
export type EnvEntry = { value: string } | { ref: true } | undefined;

export function envEntry(values: Values, path: string, name: string): EnvEntry {
  const env = values.env(path);
  if (!env.has(name)) return undefined;
  const value = env.get(name);
  return value === undefined ? { ref: true } : { value };
}

// Shared host / port / user checks

export interface Endpoint {
  host: string;
  port: number;
}

/** 71/72: the host is usable, the port a TCP port (missing → `fallback`). Undefined when not usable. */
export function checkEndpoint(
  out: Reporter<Id>,
  host: string,
  hostKey: string,
  rawPort: unknown,
  portKey: string,
  fallback: number,
): Endpoint | undefined {
  let ok = true;
  if (!isHostName(host)) {
    // `https://db.example.com:5432/x` → `db.example.com`, when that is what was meant.
    const bare = host.replace(/^[a-z][a-z0-9+.:-]*:\/\//i, '').replace(/[:/].*$/, '');
    const suggestion = isHostName(bare) ? bare : '<host name>';
    out.fail('db-host-name', `${hostKey} "${host}" is not a host name (no scheme, port or path allowed)`, {
      fix: hostKey.startsWith('the host in ')
        ? `Put the bare host name (${suggestion}) in ${hostKey.slice('the host in '.length)}.`
        : `Set ${hostKey}: ${suggestion}`,
    });
    ok = false;
  }
  const port = readPort(rawPort);
  if (port === 'invalid') {
    out.fail('db-port', `${portKey} is ${String(rawPort)}: not a TCP port`, {
      fix: portKey.startsWith('the port in ')
        ? `Use port ${fallback} in ${portKey.slice('the port in '.length)}.`
        : `Set ${portKey}: ${fallback}`,
    });
    ok = false;
  }
  return ok && port !== 'invalid' ? { host, port: port ?? fallback } : undefined;
}

export function portNote(rawPort: unknown): string {
  return readPort(rawPort) === undefined ? ' (default port)' : '';
}

/**
 * The DB user the application really logs in as: SPRING_DATASOURCE_USERNAME in the env
 * overrides the values key; WARN when both are set and differ.
 */
export function effectiveUser(
  values: Values,
  envPath: string,
  user: string | undefined,
  userKey: string,
  out: Reporter<Id>,
): string | undefined {
  const env = envEntry(values, envPath, 'SPRING_DATASOURCE_USERNAME');
  if (env && 'value' in env && env.value && user && env.value !== user) {
    out.warn(
      'db-user-env-override',
      `${envPath} SPRING_DATASOURCE_USERNAME (${env.value}) overrides ${userKey} (${user}): the application logs in as ${env.value}`,
    );
    return env.value;
  }
  return user;
}

export function warnTls(
  out: Reporter<Id>,
  where: string,
  params: Map<string, string>,
  fix: string,
): string | undefined {
  const tls = tlsRequirement(params);
  if (!tls.required) {
    out.warn('db-tls', `${where} does not require TLS (${tls.how}): the IAM token is sent as the password`, {
      fix,
    });
    return undefined;
  }
  return tls.how;
}

/** SPRING_DATASOURCE_URL / _DRIVER_CLASS_NAME in an env list; reports problems as check `id`. */
export function checkSpringEnv(
  values: Values,
  envPath: string,
  id: Id,
  out: Reporter<Id>,
  opts: {
    checkUrl: boolean;
    /** Host, port and database the values name, for the suggested URL. */
    target?: { host?: string; port?: number; database?: string };
    driverIds?: { missing: Id; wrong: Id };
  },
): { ok: boolean; tls?: string; urlHost?: string } {
  let ok = true;
  let tls: string | undefined;
  let urlHost: string | undefined;
  if (opts.checkUrl) {
    const url = envEntry(values, envPath, 'SPRING_DATASOURCE_URL');
    const t = opts.target ?? {};
    const urlFix = `Set ${envPath} SPRING_DATASOURCE_URL to jdbc:${AWS_JDBC_SCHEME}://${t.host ?? '<host>'}:${t.port ?? PG_PORT}/${t.database ?? '<database>'}?wrapperPlugins=iam&sslmode=require.`;
    if (!url) {
      out.fail(id, `${envPath} SPRING_DATASOURCE_URL is not set`, { fix: urlFix });
      ok = false;
    } else if ('ref' in url) {
      out.warn(
        'db-env-unread',
        `${envPath} SPRING_DATASOURCE_URL is set from a Secret or ConfigMap (valueFrom): not checked`,
      );
    } else {
      const parsed = parseJdbcUrl(url.value);
      urlHost = parsed?.host || undefined;
      if (!parsed || parsed.scheme !== AWS_JDBC_SCHEME) {
        out.fail(
          id,
          `${envPath} SPRING_DATASOURCE_URL does not start with jdbc:${AWS_JDBC_SCHEME}://${parsed ? ` (jdbc:${parsed.scheme}://)` : ''}`,
          { fix: urlFix },
        );
        ok = false;
      } else if (!hasIamPlugin(parsed.params)) {
        out.fail(id, `${envPath} SPRING_DATASOURCE_URL has no wrapperPlugins=iam`, { fix: urlFix });
        ok = false;
      } else {
        tls = warnTls(
          out,
          `${envPath} SPRING_DATASOURCE_URL`,
          parsed.params,
          `Add sslmode=require to ${envPath} SPRING_DATASOURCE_URL.`,
        );
      }
    }
  }
  const driver = envEntry(values, envPath, 'SPRING_DATASOURCE_DRIVER_CLASS_NAME');
  const driverFix = `Set ${envPath} SPRING_DATASOURCE_DRIVER_CLASS_NAME to ${AWS_DRIVER_CLASS}.`;
  if (!driver) {
    out.fail(opts.driverIds?.missing ?? id, `${envPath} SPRING_DATASOURCE_DRIVER_CLASS_NAME is not set`, {
      fix: driverFix,
    });
    ok = false;
  } else if ('ref' in driver) {
    out.warn(
      'db-env-unread',
      `${envPath} SPRING_DATASOURCE_DRIVER_CLASS_NAME is set from a Secret or ConfigMap (valueFrom): not checked`,
    );
  } else if (driver.value.trim() !== AWS_DRIVER_CLASS) {
    out.fail(
      opts.driverIds?.wrong ?? id,
      `${envPath} SPRING_DATASOURCE_DRIVER_CLASS_NAME is ${driver.value}, not ${AWS_DRIVER_CLASS}`,
      { fix: driverFix },
    );
    ok = false;
  }
  return { ok, ...(tls ? { tls } : {}), ...(urlHost ? { urlHost } : {}) };
}
