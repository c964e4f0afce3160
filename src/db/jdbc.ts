/**
 * JDBC connection settings as the pg components carry them: URLs, query parameters,
 * the AWS Advanced JDBC Wrapper (its driver class, URL scheme and `iam` plugin), TLS
 * as pgjdbc decides it, host names and ports.
 */
import { isIP } from 'node:net';

/** The AWS Advanced JDBC Wrapper's driver class. */
export const AWS_DRIVER_CLASS = 'software.amazon.jdbc.Driver';
/** The URL scheme (and Keycloak JDBC driver name) that selects the AWS JDBC Wrapper over PostgreSQL. */
export const AWS_JDBC_SCHEME = 'aws-wrapper:postgresql';
/** PostgreSQL's (and Aurora PostgreSQL's) default port. */
export const PG_PORT = 5432;

const TLS_MODES = ['require', 'verify-ca', 'verify-full'];

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
