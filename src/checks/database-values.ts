/**
 * Database Helm settings of the pg components (Aurora PostgreSQL with IAM authentication):
 * each must reach its database through the AWS Advanced JDBC Wrapper with the `iam` plugin,
 * as a user the IAM policy names. Values (user values over chart and sub-chart defaults) are
 * the source; where each setting lives per chart version is chart.ts's business
 * (`webModelerDatabase`, `componentEnabled`). The hosts found are recorded in
 * `ctx.facts.databases` for the Aurora and role-permission checks.
 *
 * Codes: a missing host is reported with the component's own code (85, 90, 94/95, 86); 71
 * and 72 are the shared checks that the host is a usable host name and the port a TCP port
 * (a missing port means the default: 5432, or 80 for an external Keycloak).
 */
import { isIP } from 'node:net';
import { defineModule } from '../core/module.js';
import { eachInOrder, type Reporter } from '../core/reporter.js';
import { ApiCallError } from '../core/errors.js';
import type { Context } from '../core/context.js';
import { Values } from '../helm/values.js';
import { componentEnabled, webModelerDatabase } from '../helm/chart.js';
import { requireRelease } from './release.js';
import { describeValue } from './opensearch-values.js';

export const CODE_DB_HOST = 71;
export const CODE_DB_PORT = 72;
export const CODE_KC_POSTGRESQL_UNDEFINED = 81;
export const CODE_KC_POSTGRESQL_ENABLED = 82;
export const CODE_KC_IMAGE_UNDEFINED = 83;
export const CODE_KC_IMAGE = 84;
export const CODE_KC_HOST = 85;
export const CODE_KC_EXTERNAL_HOST = 86;
export const CODE_KC_USER_ENV = 87;
export const CODE_ID_EXTERNAL_UNDEFINED = 88;
export const CODE_ID_EXTERNAL_DISABLED = 89;
export const CODE_ID_HOST = 90;
export const CODE_ID_USERNAME = 92;
export const CODE_ID_ENV = 93;
export const CODE_WM_URL_UNDEFINED = 94;
export const CODE_WM_URL = 95;
export const CODE_WM_USERNAME = 96;
export const CODE_WM_DRIVER_UNDEFINED = 97;
export const CODE_WM_DRIVER = 98;

const PG_PORT = 5432;
const KEYCLOAK_HTTP_PORT = 80;
const AWS_DRIVER_CLASS = 'software.amazon.jdbc.Driver';
const AWS_JDBC_SCHEME = 'aws-wrapper:postgresql';
const TLS_MODES = ['require', 'verify-ca', 'verify-full'];

// ---------------------------------------------------------------------------------------------
// Small parsers (exported for unit tests)
// ---------------------------------------------------------------------------------------------

/** JDBC query parameters (`a=b&c=d`, a leading `?` allowed); names are matched case-insensitively. */
export function parseJdbcParams(query: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of query.replace(/^\?/, '').split('&')) {
    if (!part.trim()) continue;
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    let value = eq < 0 ? '' : part.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      /* keep it as written */
    }
    params.set(name, value);
  }
  return params;
}

/** `wrapperPlugins=iam` or a plugin list containing it (`failover,iam`). */
export function hasIamPlugin(params: Map<string, string>): boolean {
  return (params.get('wrapperplugins') ?? '')
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .includes('iam');
}

/**
 * Whether the connection must use TLS, as pgjdbc decides: `sslmode` wins when given
 * (require/verify-ca/verify-full require it), else `ssl=true` means verify-full.
 */
export function tlsRequirement(params: Map<string, string>): { required: boolean; how: string } {
  const mode = params.get('sslmode')?.toLowerCase();
  if (mode) return { required: TLS_MODES.includes(mode), how: `sslmode=${mode}` };
  if (params.get('ssl')?.toLowerCase() === 'true') return { required: true, how: 'ssl=true' };
  return { required: false, how: 'no sslmode or ssl=true' };
}

export interface JdbcUrl {
  /** `aws-wrapper:postgresql`, `postgresql`, … */
  scheme: string;
  host: string;
  /** The port as written; undefined when the URL has none. */
  port?: string;
  database: string;
  params: Map<string, string>;
}

const JDBC_URL = /^jdbc:([a-z][a-z0-9-]*(?::[a-z][a-z0-9-]*)*):\/\/([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?$/i;

/** `jdbc:<scheme>://[user[:password]@]host[:port][,host2…]/database[?params]`; credentials are dropped. */
export function parseJdbcUrl(url: string): JdbcUrl | undefined {
  const m = JDBC_URL.exec(url.trim());
  if (!m) return undefined;
  const [, scheme = '', authority = '', database = '', query = ''] = m;
  const first = authority.slice(authority.lastIndexOf('@') + 1).split(',')[0] ?? '';
  const hp = /^(\[[^\]]+\]|[^:]*)(?::(.*))?$/.exec(first);
  const host = (hp?.[1] ?? '').replace(/^\[|\]$/g, '');
  const port = hp?.[2];
  return {
    scheme: scheme.toLowerCase(),
    host,
    ...(port !== undefined ? { port } : {}),
    database: decodeURIComponent(database),
    params: parseJdbcParams(query),
  };
}

const HOSTNAME =
  /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** A DNS name or an IP address: no scheme, port, path or template. */
export function isHostName(host: string): boolean {
  return isIP(host) !== 0 || HOSTNAME.test(host);
}

/** A port as Helm values carry it: missing → undefined; a number or numeric string in range → it; else 'invalid'. */
export function readPort(v: unknown): number | 'invalid' | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : 'invalid';
}

/** The values of an env list: `{ value }`, `{ ref }` for valueFrom entries, or undefined. */
type EnvEntry = { value: string } | { ref: true } | undefined;

function envEntry(values: Values, path: string, name: string): EnvEntry {
  const env = values.env(path);
  if (!env.has(name)) return undefined;
  const value = env.get(name);
  return value === undefined ? { ref: true } : { value };
}

// ---------------------------------------------------------------------------------------------
// Shared host / port / user checks
// ---------------------------------------------------------------------------------------------

interface Endpoint {
  host: string;
  port: number;
}

/** 71/72: the host is usable, the port a TCP port (missing → `fallback`). Undefined when not usable. */
function checkEndpoint(
  out: Reporter,
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
    out.fail(CODE_DB_HOST, `${hostKey} "${host}" is not a host name (no scheme, port or path allowed)`, {
      fix: hostKey.startsWith('the host in ')
        ? `Put the bare host name (${suggestion}) in ${hostKey.slice('the host in '.length)}.`
        : `Set ${hostKey}: ${suggestion}`,
    });
    ok = false;
  }
  const port = readPort(rawPort);
  if (port === 'invalid') {
    out.fail(CODE_DB_PORT, `${portKey} is ${String(rawPort)}: not a TCP port`, {
      fix: portKey.startsWith('the port in ')
        ? `Use port ${fallback} in ${portKey.slice('the port in '.length)}.`
        : `Set ${portKey}: ${fallback}`,
    });
    ok = false;
  }
  return ok && port !== 'invalid' ? { host, port: port ?? fallback } : undefined;
}

function portNote(rawPort: unknown): string {
  return readPort(rawPort) === undefined ? ' (default port)' : '';
}

/**
 * The DB user the application really logs in as: SPRING_DATASOURCE_USERNAME in the env
 * overrides the values key; WARN when both are set and differ.
 */
function effectiveUser(
  values: Values,
  envPath: string,
  user: string | undefined,
  userKey: string,
  out: Reporter,
): string | undefined {
  const env = envEntry(values, envPath, 'SPRING_DATASOURCE_USERNAME');
  if (env && 'value' in env && env.value && user && env.value !== user) {
    out.warn(
      `${envPath} SPRING_DATASOURCE_USERNAME (${env.value}) overrides ${userKey} (${user}): the application logs in as ${env.value}`,
    );
    return env.value;
  }
  return user;
}

function warnTls(out: Reporter, where: string, params: Map<string, string>, fix: string): string | undefined {
  const tls = tlsRequirement(params);
  if (!tls.required) {
    out.warn(`${where} does not require TLS (${tls.how}): the IAM token is sent as the password`, { fix });
    return undefined;
  }
  return tls.how;
}

// ---------------------------------------------------------------------------------------------
// identityKeycloak: the Bitnami Keycloak sub-chart
// ---------------------------------------------------------------------------------------------

const KC = 'identityKeycloak';
const KC_ENV = `${KC}.extraEnvVars`;

function checkKeycloakImage(values: Values, out: Reporter): void {
  const image = values.get(`${KC}.image`);
  if (typeof image === 'string') {
    out.fail(
      CODE_KC_IMAGE_UNDEFINED,
      `${KC}.image is the string "${image}": the Keycloak chart reads image.registry, image.repository and image.tag`,
      { fix: `Set ${KC}.image.repository: camunda/keycloak and ${KC}.image.tag to a supported version.` },
    );
    return;
  }
  const repository = values.string(`${KC}.image.repository`);
  if (!repository) {
    out.fail(
      CODE_KC_IMAGE_UNDEFINED,
      `${KC}.image.repository is not set in your values, the chart defaults or the Keycloak chart's defaults`,
      { fix: `Set ${KC}.image.repository: camunda/keycloak` },
    );
    return;
  }
  const registry = values.string(`${KC}.image.registry`);
  const tag = values.string(`${KC}.image.tag`);
  const ref = `${registry ? `${registry}/` : ''}${repository}${tag ? `:${tag}` : ''}`;
  if (!ref.includes('camunda/keycloak')) {
    out.fail(
      CODE_KC_IMAGE,
      `${KC}.image is ${ref}: only the camunda/keycloak images contain the AWS JDBC wrapper`,
      { fix: `Set ${KC}.image.repository: camunda/keycloak` },
    );
    return;
  }
  out.ok(`image ${ref} contains the AWS JDBC wrapper`);
}

function checkKeycloakEnv(values: Values, out: Reporter): void {
  const bad = (name: string, what: string, fix: string) =>
    out.fail(CODE_KC_USER_ENV, `${KC_ENV} ${name} ${what}`, { fix });
  const unreadable = (name: string) =>
    out.warn(`${KC_ENV} ${name} is set from a Secret or ConfigMap (valueFrom): not checked`);
  let good = true;

  const args = envEntry(values, KC_ENV, 'KEYCLOAK_EXTRA_ARGS');
  const argsFix = `Add --db-driver=${AWS_DRIVER_CLASS} to ${KC_ENV} KEYCLOAK_EXTRA_ARGS.`;
  if (!args) {
    bad('KEYCLOAK_EXTRA_ARGS', 'is not set', argsFix);
    good = false;
  } else if ('ref' in args) {
    unreadable('KEYCLOAK_EXTRA_ARGS');
  } else {
    const tokens = args.value.split(/\s+/).filter(Boolean);
    const i = tokens.indexOf('--db-driver');
    const driver =
      tokens.find((t) => t.startsWith('--db-driver='))?.slice('--db-driver='.length) ??
      (i >= 0 ? tokens[i + 1] : undefined);
    if (driver !== AWS_DRIVER_CLASS) {
      bad(
        'KEYCLOAK_EXTRA_ARGS',
        driver
          ? `sets --db-driver=${driver}, not ${AWS_DRIVER_CLASS}`
          : `has no --db-driver=${AWS_DRIVER_CLASS}`,
        argsFix,
      );
      good = false;
    }
  }

  const driver = envEntry(values, KC_ENV, 'KEYCLOAK_JDBC_DRIVER');
  const driverFix = `Set ${KC_ENV} KEYCLOAK_JDBC_DRIVER to ${AWS_JDBC_SCHEME}.`;
  if (!driver) {
    bad('KEYCLOAK_JDBC_DRIVER', 'is not set', driverFix);
    good = false;
  } else if ('ref' in driver) {
    unreadable('KEYCLOAK_JDBC_DRIVER');
  } else if (driver.value.trim() !== AWS_JDBC_SCHEME) {
    bad('KEYCLOAK_JDBC_DRIVER', `is "${driver.value}", not ${AWS_JDBC_SCHEME}`, driverFix);
    good = false;
  }

  const params = envEntry(values, KC_ENV, 'KEYCLOAK_JDBC_PARAMS');
  const paramsFix = `Set ${KC_ENV} KEYCLOAK_JDBC_PARAMS to wrapperPlugins=iam&sslmode=require (other parameters may follow).`;
  let tls: string | undefined;
  if (!params) {
    bad('KEYCLOAK_JDBC_PARAMS', 'is not set', paramsFix);
    good = false;
  } else if ('ref' in params) {
    unreadable('KEYCLOAK_JDBC_PARAMS');
  } else {
    const parsed = parseJdbcParams(params.value);
    if (!hasIamPlugin(parsed)) {
      bad('KEYCLOAK_JDBC_PARAMS', 'has no wrapperPlugins=iam', paramsFix);
      good = false;
    } else {
      tls = warnTls(
        out,
        `${KC_ENV} KEYCLOAK_JDBC_PARAMS`,
        parsed,
        `Add sslmode=require to ${KC_ENV} KEYCLOAK_JDBC_PARAMS.`,
      );
    }
  }
  if (good) {
    out.ok(`${KC_ENV} select the AWS JDBC wrapper with IAM authentication${tls ? ` and TLS (${tls})` : ''}`);
  }
}

function checkKeycloakSubchart(ctx: Context, values: Values, out: Reporter): void {
  const pgKey = `${KC}.postgresql.enabled`;
  const bundled = values.get(pgKey);
  if (bundled === undefined || bundled === null || bundled === '') {
    out.fail(
      CODE_KC_POSTGRESQL_UNDEFINED,
      `${pgKey} is not set in your values, the chart defaults or the Keycloak chart's defaults`,
      { fix: `Set ${pgKey}: false` },
    );
  } else if (values.bool(pgKey) !== false) {
    out.fail(
      CODE_KC_POSTGRESQL_ENABLED,
      `${pgKey} is ${describeValue(values, pgKey)}: Keycloak uses the bundled PostgreSQL, not Aurora`,
      { fix: `Set ${pgKey}: false` },
    );
  } else {
    out.ok(`${pgKey} is false: Keycloak uses the external database`);
  }

  checkKeycloakImage(values, out);

  const hostKey = `${KC}.externalDatabase.host`;
  const portKey = `${KC}.externalDatabase.port`;
  const userKey = `${KC}.externalDatabase.user`;
  const host = values.string(hostKey);
  const rawPort = values.get(portKey);
  let endpoint: Endpoint | undefined;
  if (!host) {
    out.fail(CODE_KC_HOST, `${hostKey} is not set`, {
      fix: `Set ${hostKey} to the Aurora cluster endpoint.`,
    });
  } else {
    endpoint = checkEndpoint(out, host, hostKey, rawPort, portKey, PG_PORT);
  }

  const user = values.string(userKey);
  if (!user) {
    out.fail(
      CODE_KC_USER_ENV,
      `${userKey} is not set in your values, the chart defaults or the Keycloak chart's defaults`,
      { fix: `Set ${userKey} to the database user granted rds_iam.` },
    );
  } else if (values.source(userKey) !== 'user') {
    out.warn(`${userKey} is not in your values: the chart default ${user} is the database user`, {
      fix: `Set ${userKey} to the database user granted rds_iam.`,
    });
  }
  if (endpoint) {
    out.ok(`database ${user ?? '?'}@${endpoint.host}:${endpoint.port}${portNote(rawPort)}`);
    ctx.facts.databases.set(KC, { ...endpoint, ...(user ? { dbUser: user } : {}) });
  }

  checkKeycloakEnv(values, out);
}

// ---------------------------------------------------------------------------------------------
// identityKeycloak: an external (e.g. operator-managed) Keycloak
// ---------------------------------------------------------------------------------------------

const KC_URL = 'global.identity.keycloak.url';

/** `name`, or `name.namespace.svc[.cluster.local]`: a Service the cluster resolves; else undefined. */
function serviceRef(host: string, namespace: string): { name: string; namespace: string } | undefined {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!h.includes('.')) return { name: h, namespace };
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?$/.exec(h);
  return m ? { name: m[1]!, namespace: m[2]! } : undefined;
}

async function checkExternalKeycloak(ctx: Context, values: Values, out: Reporter): Promise<void> {
  const hostKey = `${KC_URL}.host`;
  const portKey = `${KC_URL}.port`;
  const host = values.string(hostKey);
  if (!host) {
    out.fail(
      CODE_KC_EXTERNAL_HOST,
      `the identityKeycloak subchart is not deployed and ${hostKey} is not set: no Keycloak is configured`,
      {
        fix: `Set ${hostKey} (and ${KC_URL}.protocol/port) to the external Keycloak, or ${KC}.enabled: true.`,
      },
    );
    return;
  }
  const rawPort = values.get(portKey);
  const endpoint = checkEndpoint(out, host, hostKey, rawPort, portKey, KEYCLOAK_HTTP_PORT);
  if (!endpoint) return;
  out.ok(
    `external Keycloak at ${endpoint.host}:${endpoint.port}${portNote(rawPort)} (the ${KC} subchart is not deployed)`,
  );
  ctx.facts.databases.set(KC, endpoint);

  const ref = serviceRef(host, ctx.options.namespace);
  if (!ref) {
    out.info(`${host} is not a cluster Service name: reached through DNS`);
    return;
  }
  try {
    const service = await ctx.kube.service(ref.namespace, ref.name);
    if (service) out.ok(`Service ${ref.name} exists in namespace ${ref.namespace}`);
    else
      out.warn(
        `no Service ${ref.name} in namespace ${ref.namespace}: the external Keycloak host may not resolve`,
        {
          fix: `Check the Keycloak deployment (kubectl get svc -n ${ref.namespace}) and ${hostKey}.`,
        },
      );
  } catch (e) {
    if (!(e instanceof ApiCallError)) throw e;
    out.warn(`cannot read Service ${ref.name} in namespace ${ref.namespace} (${e.reason}): not checked`);
  }
}

/**
 * No subchart and no external URL. A chart that deploys Keycloak by default (8.5–8.7), or an
 * explicit `-p identityKeycloak`, means a Keycloak is expected: FAIL. Otherwise (8.8+, where
 * Keycloak is optional) the component simply is not used.
 */
function keycloakExpected(ctx: Context, values: Values): boolean {
  const named = (ctx.options.pg ?? []).some(
    (n) => n.toLowerCase().replace(/[^a-z]/g, '') === 'identitykeycloak',
  );
  const { profile } = ctx.facts;
  const byDefault = profile !== undefined && componentEnabled(profile, new Values(values.defaults, {}), KC);
  return named || byDefault;
}

// ---------------------------------------------------------------------------------------------
// identity
// ---------------------------------------------------------------------------------------------

/** SPRING_DATASOURCE_URL / _DRIVER_CLASS_NAME in an env list; reports problems with `code`. */
function checkSpringEnv(
  values: Values,
  envPath: string,
  code: number,
  out: Reporter,
  opts: {
    checkUrl: boolean;
    /** Host, port and database the values name, for the suggested URL. */
    target?: { host?: string; port?: number; database?: string };
    driverCodes?: { missing: number; wrong: number };
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
      out.fail(code, `${envPath} SPRING_DATASOURCE_URL is not set`, { fix: urlFix });
      ok = false;
    } else if ('ref' in url) {
      out.warn(`${envPath} SPRING_DATASOURCE_URL is set from a Secret or ConfigMap (valueFrom): not checked`);
    } else {
      const parsed = parseJdbcUrl(url.value);
      urlHost = parsed?.host || undefined;
      if (!parsed || parsed.scheme !== AWS_JDBC_SCHEME) {
        out.fail(
          code,
          `${envPath} SPRING_DATASOURCE_URL does not start with jdbc:${AWS_JDBC_SCHEME}://${parsed ? ` (jdbc:${parsed.scheme}://)` : ''}`,
          { fix: urlFix },
        );
        ok = false;
      } else if (!hasIamPlugin(parsed.params)) {
        out.fail(code, `${envPath} SPRING_DATASOURCE_URL has no wrapperPlugins=iam`, { fix: urlFix });
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
    out.fail(opts.driverCodes?.missing ?? code, `${envPath} SPRING_DATASOURCE_DRIVER_CLASS_NAME is not set`, {
      fix: driverFix,
    });
    ok = false;
  } else if ('ref' in driver) {
    out.warn(
      `${envPath} SPRING_DATASOURCE_DRIVER_CLASS_NAME is set from a Secret or ConfigMap (valueFrom): not checked`,
    );
  } else if (driver.value.trim() !== AWS_DRIVER_CLASS) {
    out.fail(
      opts.driverCodes?.wrong ?? code,
      `${envPath} SPRING_DATASOURCE_DRIVER_CLASS_NAME is ${driver.value}, not ${AWS_DRIVER_CLASS}`,
      { fix: driverFix },
    );
    ok = false;
  }
  return { ok, ...(tls ? { tls } : {}), ...(urlHost ? { urlHost } : {}) };
}

function checkIdentity(ctx: Context, values: Values, out: Reporter): void {
  const base = 'identity.externalDatabase';
  const enabledKey = `${base}.enabled`;
  const raw = values.get(enabledKey);
  if (raw === undefined || raw === null || raw === '') {
    out.fail(CODE_ID_EXTERNAL_UNDEFINED, `${enabledKey} is not set in your values or the chart defaults`, {
      fix: `Set ${enabledKey}: true`,
    });
  } else if (values.bool(enabledKey) !== true) {
    out.fail(
      CODE_ID_EXTERNAL_DISABLED,
      `${enabledKey} is ${describeValue(values, enabledKey)}: Identity does not use the external database`,
      { fix: `Set ${enabledKey}: true` },
    );
  } else {
    out.ok(`${enabledKey} is true`);
  }

  const hostKey = `${base}.host`;
  const portKey = `${base}.port`;
  const userKey = `${base}.username`;
  const host = values.string(hostKey);
  const rawPort = values.get(portKey);
  let endpoint: Endpoint | undefined;
  if (!host) {
    out.fail(CODE_ID_HOST, `${hostKey} is not set`, {
      fix: `Set ${hostKey} to the Aurora cluster endpoint.`,
    });
  } else {
    endpoint = checkEndpoint(out, host, hostKey, rawPort, portKey, PG_PORT);
  }
  let user = values.string(userKey);
  if (!user) {
    out.fail(CODE_ID_USERNAME, `${userKey} is not set`, {
      fix: `Set ${userKey} to the database user granted rds_iam.`,
    });
  } else {
    user = effectiveUser(values, 'identity.env', user, userKey, out);
  }
  if (endpoint) {
    out.ok(`database ${user ?? '?'}@${endpoint.host}:${endpoint.port}${portNote(rawPort)}`);
    ctx.facts.databases.set('identity', { ...endpoint, ...(user ? { dbUser: user } : {}) });
  }

  const env = checkSpringEnv(values, 'identity.env', CODE_ID_ENV, out, {
    checkUrl: true,
    target: {
      ...(host && isHostName(host) ? { host } : {}),
      ...(endpoint ? { port: endpoint.port } : {}),
      ...(values.string(`${base}.database`) ? { database: values.string(`${base}.database`) } : {}),
    },
  });
  if (env.urlHost && endpoint && env.urlHost.toLowerCase() !== endpoint.host.toLowerCase()) {
    out.warn(
      `identity.env SPRING_DATASOURCE_URL connects to ${env.urlHost}, not to ${hostKey} (${endpoint.host}): the Aurora checks follow ${hostKey}`,
      { fix: `Use the same host in ${hostKey} and identity.env SPRING_DATASOURCE_URL.` },
    );
  }
  if (env.ok) {
    out.ok(
      `identity.env selects the AWS JDBC wrapper with IAM authentication${env.tls ? ` and TLS (${env.tls})` : ''}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// webModeler
// ---------------------------------------------------------------------------------------------

function checkWebModeler(ctx: Context, values: Values, out: Reporter): void {
  const { profile } = ctx.facts as Required<typeof ctx.facts>;
  const db = webModelerDatabase(profile, values);
  const urlKey = db.urlKey ?? 'webModeler.restapi.externalDatabase.url';
  const parsed = db.url ? parseJdbcUrl(db.url) : undefined;
  // The URL to suggest: built from what the values already say, placeholders for the rest.
  const host = (parsed?.host && isHostName(parsed.host) ? parsed.host : undefined) ?? db.host ?? '<host>';
  const database = parsed?.database || db.database || '<database>';
  const example = `jdbc:${AWS_JDBC_SCHEME}://${host}:${db.port ?? PG_PORT}/${database}?wrapperPlugins=iam&sslmode=require`;
  const urlFix = `Set ${urlKey}: ${example}`;
  let endpoint: Endpoint | undefined;

  if (db.bundledPostgres && db.bundledPostgresKey) {
    out.fail(
      CODE_WM_URL_UNDEFINED,
      `${db.bundledPostgresKey} is true: Web Modeler uses the bundled PostgreSQL and ignores ${urlKey}`,
      { fix: `Set ${db.bundledPostgresKey}: false and ${urlKey}: ${example}` },
    );
  } else if (!db.url) {
    out.fail(
      CODE_WM_URL_UNDEFINED,
      db.host
        ? `${urlKey} is not set: the chart builds a jdbc:postgresql:// URL from ${db.hostKey}, without the AWS JDBC wrapper`
        : `${urlKey} is not set in your values or the chart defaults`,
      { fix: urlFix },
    );
  } else {
    if (!parsed || parsed.scheme !== AWS_JDBC_SCHEME || !parsed.host || !parsed.database) {
      out.fail(
        CODE_WM_URL,
        `${urlKey} is not a jdbc:${AWS_JDBC_SCHEME}://<host>[:<port>]/<database> URL${parsed && parsed.scheme !== AWS_JDBC_SCHEME ? ` (it uses jdbc:${parsed.scheme}://)` : ''}`,
        { fix: urlFix },
      );
    } else if (!hasIamPlugin(parsed.params)) {
      out.fail(CODE_WM_URL, `${urlKey} has no wrapperPlugins=iam query parameter`, {
        fix: `Add wrapperPlugins=iam to the query of ${urlKey}, e.g. ${example}`,
      });
    } else {
      const tls = warnTls(out, urlKey, parsed.params, `Add sslmode=require to the query of ${urlKey}.`);
      out.ok(`${urlKey} uses the AWS JDBC wrapper with IAM authentication${tls ? ` and TLS (${tls})` : ''}`);
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

  const userKey = db.usernameKey ?? 'webModeler.restapi.externalDatabase.username';
  if (db.ignoredUserKey) {
    out.warn(`${db.ignoredUserKey} is set but this chart version ignores it: it reads ${userKey}`, {
      fix: `Move the database user to ${userKey} and remove ${db.ignoredUserKey}.`,
    });
  }
  let user = db.username;
  if (!user) {
    out.fail(CODE_WM_USERNAME, `${userKey} is not set`, {
      fix: `Set ${userKey} to the database user granted rds_iam.`,
    });
  } else {
    user = effectiveUser(values, db.envPath, user, userKey, out);
  }
  if (endpoint) {
    out.ok(`database ${user ?? '?'}@${endpoint.host}:${endpoint.port}`);
    ctx.facts.databases.set('webModeler', { ...endpoint, ...(user ? { dbUser: user } : {}) });
  }

  const env = checkSpringEnv(values, db.envPath, CODE_WM_DRIVER, out, {
    checkUrl: false,
    driverCodes: { missing: CODE_WM_DRIVER_UNDEFINED, wrong: CODE_WM_DRIVER },
  });
  if (env.ok) out.ok(`${db.envPath} SPRING_DATASOURCE_DRIVER_CLASS_NAME is ${AWS_DRIVER_CLASS}`);
}

// ---------------------------------------------------------------------------------------------
// The module
// ---------------------------------------------------------------------------------------------

async function checkComponent(ctx: Context, key: string, out: Reporter): Promise<void> {
  const { profile, values, keycloakMode } = ctx.facts as Required<typeof ctx.facts>;
  if (key === KC) {
    // The Keycloak mode (release module) replaces the enabled switch: off means "external".
    if (keycloakMode === 'subchart') checkKeycloakSubchart(ctx, values, out);
    else if (keycloakMode === 'external' || keycloakExpected(ctx, values))
      await checkExternalKeycloak(ctx, values, out);
    else out.info('no Keycloak is configured (subchart disabled, no external URL): skipped');
    return;
  }
  if (!componentEnabled(profile, values, key)) {
    out.info('disabled: its database settings are not checked');
    return;
  }
  if (key === 'identity') checkIdentity(ctx, values, out);
  else if (key === 'webModeler') checkWebModeler(ctx, values, out);
  else out.info('no database checks are defined for this component');
}

export const databaseValues = defineModule({
  id: 'database-values',
  title: 'Database Helm settings (Aurora PostgreSQL via IAM)',
  codes: [
    {
      code: CODE_DB_HOST,
      title: 'the database host is not a usable host name',
      fix: 'Set the database host to the Aurora endpoint host name.',
    },
    {
      code: CODE_DB_PORT,
      title: 'the database port is not a TCP port',
      fix: 'Set the database port (Aurora: 5432).',
    },
    {
      code: CODE_KC_POSTGRESQL_UNDEFINED,
      title: 'identityKeycloak.postgresql.enabled is not defined',
      fix: 'Set identityKeycloak.postgresql.enabled: false',
    },
    {
      code: CODE_KC_POSTGRESQL_ENABLED,
      title: 'Keycloak uses the bundled PostgreSQL',
      fix: 'Set identityKeycloak.postgresql.enabled: false',
    },
    {
      code: CODE_KC_IMAGE_UNDEFINED,
      title: 'the Keycloak image is not defined',
      fix: 'Set identityKeycloak.image.repository: camunda/keycloak',
    },
    {
      code: CODE_KC_IMAGE,
      title: 'the Keycloak image is not a camunda/keycloak image (no AWS JDBC wrapper)',
      fix: 'Set identityKeycloak.image.repository: camunda/keycloak',
    },
    {
      code: CODE_KC_HOST,
      title: 'identityKeycloak.externalDatabase.host is not set',
      fix: 'Set identityKeycloak.externalDatabase.host to the Aurora endpoint.',
    },
    {
      code: CODE_KC_EXTERNAL_HOST,
      title: 'no external Keycloak host (global.identity.keycloak.url.host)',
      fix: 'Set global.identity.keycloak.url.host to the external Keycloak.',
    },
    {
      code: CODE_KC_USER_ENV,
      title: 'Keycloak database user or AWS JDBC wrapper env (extraEnvVars) missing or wrong',
      fix: 'Set identityKeycloak.externalDatabase.user and the KEYCLOAK_EXTRA_ARGS/KEYCLOAK_JDBC_DRIVER/KEYCLOAK_JDBC_PARAMS extraEnvVars.',
    },
    {
      code: CODE_ID_EXTERNAL_UNDEFINED,
      title: 'identity.externalDatabase.enabled is not defined',
      fix: 'Set identity.externalDatabase.enabled: true',
    },
    {
      code: CODE_ID_EXTERNAL_DISABLED,
      title: 'Identity does not use the external database',
      fix: 'Set identity.externalDatabase.enabled: true',
    },
    {
      code: CODE_ID_HOST,
      title: 'identity.externalDatabase.host is not set',
      fix: 'Set identity.externalDatabase.host to the Aurora endpoint.',
    },
    {
      code: CODE_ID_USERNAME,
      title: 'identity.externalDatabase.username is not set',
      fix: 'Set identity.externalDatabase.username to the IAM database user.',
    },
    {
      code: CODE_ID_ENV,
      title: 'Identity env does not select the AWS JDBC wrapper with IAM authentication',
      fix: 'Set identity.env SPRING_DATASOURCE_URL (jdbc:aws-wrapper:postgresql://…?wrapperPlugins=iam) and SPRING_DATASOURCE_DRIVER_CLASS_NAME (software.amazon.jdbc.Driver).',
    },
    {
      code: CODE_WM_URL_UNDEFINED,
      title: 'the Web Modeler database URL is not set (or the bundled PostgreSQL is used)',
      fix: 'Set webModeler.restapi.externalDatabase.url to jdbc:aws-wrapper:postgresql://<host>:5432/<database>?wrapperPlugins=iam',
    },
    {
      code: CODE_WM_URL,
      title: 'the Web Modeler database URL is not an AWS JDBC wrapper URL with wrapperPlugins=iam',
      fix: 'Set webModeler.restapi.externalDatabase.url to jdbc:aws-wrapper:postgresql://<host>:5432/<database>?wrapperPlugins=iam',
    },
    {
      code: CODE_WM_USERNAME,
      title: 'the Web Modeler database user is not set under the key the chart reads',
      fix: 'Set the Web Modeler database user (webModeler.restapi.externalDatabase.username, up to 8.8 .user).',
    },
    {
      code: CODE_WM_DRIVER_UNDEFINED,
      title: 'webModeler.restapi.env SPRING_DATASOURCE_DRIVER_CLASS_NAME is not set',
      fix: 'Set webModeler.restapi.env SPRING_DATASOURCE_DRIVER_CLASS_NAME to software.amazon.jdbc.Driver.',
    },
    {
      code: CODE_WM_DRIVER,
      title: 'webModeler.restapi.env SPRING_DATASOURCE_DRIVER_CLASS_NAME is not software.amazon.jdbc.Driver',
      fix: 'Set webModeler.restapi.env SPRING_DATASOURCE_DRIVER_CLASS_NAME to software.amazon.jdbc.Driver.',
    },
  ],
  async run(ctx, out) {
    const pgList = ctx.facts.pgList ?? [];
    if (pgList.length === 0) return;
    if (!requireRelease(ctx, out)) return;
    const { profile, values, keycloakMode } = ctx.facts as Required<typeof ctx.facts>;
    if (keycloakMode === 'external' && !profile.components.some((c) => c.key === KC)) {
      out.info(
        `Keycloak is external (${values.string(`${KC_URL}.host`)}); this chart has no identityKeycloak subchart, so its database is not checked here`,
      );
    }
    await eachInOrder(
      pgList,
      out,
      (key) => key,
      (key, o) => checkComponent(ctx, key, o),
    );
  },
});
