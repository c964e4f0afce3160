/** Where Web Modeler's database settings live in each chart version. */
import { Values } from '../values.js';
import { hubPick, hubView } from './hub.js';
import type { ChartProfile } from './profiles.js';
import { nonEmptyString, toPort, truthy, withSubcharts } from './template.js';

export interface WebModelerDb {
  /** The key the chart reads the JDBC URL from (the one that answered, or the one to set). */
  urlKey?: string;
  url?: string;
  usernameKey?: string;
  username?: string;
  /** A user key that is set but ignored by this chart version → WARN (or refused, chart 15). */
  ignoredUserKey?: string;
  /** The restapi env list path (SPRING_DATASOURCE_*). */
  envPath: string;
  /** Chart 12+: discrete fields the chart builds a plain `jdbc:postgresql://` URL from when `url` is empty. */
  hostKey?: string;
  host?: string;
  port?: number;
  database?: string;
  /** The bundled PostgreSQL switch (charts ≤ 14); when on, the chart ignores externalDatabase. */
  bundledPostgresKey?: string;
  bundledPostgres: boolean;
}

/** Where Web Modeler's database settings live in this chart version, and what they say. */
export function webModelerDatabase(profile: ChartProfile, values: Values): WebModelerDb {
  const v = withSubcharts(profile, values);
  const base = 'webModeler.restapi.externalDatabase';

  if (profile.hasCamundaHub) {
    const view = hubView(profile, v);
    const pick = (sub: string) => hubPick(view, v, `restapi.${sub}`);
    const preferred = (p: ReturnType<typeof pick>, sub: string) =>
      p.hub || truthy(p.value) ? p.key : `${view.base}.restapi.${sub}`;
    const url = pick('externalDatabase.url');
    const username = pick('externalDatabase.username');
    const host = pick('externalDatabase.host');
    const port = pick('externalDatabase.port');
    const database = pick('externalDatabase.database');
    const env = pick('env');
    const ignoredUserKey = [`${base}.user`, `${view.base}.restapi.externalDatabase.user`].find((k) =>
      nonEmptyString(v.get(k)),
    );
    const hostValue = nonEmptyString(host.value);
    return {
      urlKey: preferred(url, 'externalDatabase.url'),
      ...(nonEmptyString(url.value) ? { url: nonEmptyString(url.value) } : {}),
      usernameKey: preferred(username, 'externalDatabase.username'),
      ...(nonEmptyString(username.value) ? { username: nonEmptyString(username.value) } : {}),
      ...(ignoredUserKey ? { ignoredUserKey } : {}),
      envPath: env.hub ? env.key : 'webModeler.restapi.env',
      hostKey: preferred(host, 'externalDatabase.host'),
      ...(hostValue ? { host: hostValue } : {}),
      port: toPort(port.value) ?? 5432,
      ...(nonEmptyString(database.value) ? { database: nonEmptyString(database.value) } : {}),
      bundledPostgres: false,
    };
  }

  const bundledPostgresKey = profile.major >= 13 ? 'webModelerPostgresql.enabled' : 'postgresql.enabled';
  const url = v.string(`${base}.url`);
  let usernameKey: string;
  let ignoredUserKey: string | undefined;
  if (profile.major >= 14) {
    // webModeler.restapi.databaseUser: `username | default user`
    const username = v.string(`${base}.username`);
    const user = v.string(`${base}.user`);
    usernameKey = !username && user ? `${base}.user` : `${base}.username`;
    if (username && user) ignoredUserKey = `${base}.user`;
  } else {
    // up to 8.8 the chart reads only `user`; `username` (the 8.9 key) is silently ignored
    usernameKey = `${base}.user`;
    if (v.string(`${base}.username`)) ignoredUserKey = `${base}.username`;
  }
  const username = v.string(usernameKey);
  const discrete =
    profile.major >= 12
      ? {
          hostKey: `${base}.host`,
          ...(v.string(`${base}.host`) ? { host: v.string(`${base}.host`) } : {}),
          port: toPort(v.get(`${base}.port`)) ?? 5432,
          ...(v.string(`${base}.database`) ? { database: v.string(`${base}.database`) } : {}),
        }
      : {};
  return {
    urlKey: `${base}.url`,
    ...(url ? { url } : {}),
    usernameKey,
    ...(username ? { username } : {}),
    ...(ignoredUserKey ? { ignoredUserKey } : {}),
    envPath: 'webModeler.restapi.env',
    ...discrete,
    bundledPostgresKey,
    bundledPostgres: v.bool(bundledPostgresKey) === true,
  };
}
