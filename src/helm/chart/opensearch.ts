/** Where each component's OpenSearch/Elasticsearch settings live, and whether the chart signs requests with IRSA. */
import { Values } from '../values.js';
import type { ChartProfile } from './profiles.js';
import { specFor } from './profiles.js';
import { toPort, withSubcharts } from './template.js';

/** The backend a component ends up using, as the chart decides it. */
export type SecondaryStorage = 'opensearch' | 'elasticsearch' | 'rdbms' | 'none' | 'unset';

export interface OpenSearchComponent {
  /** Effective AWS (SigV4) switch: the component's flag OR the global one. */
  awsEnabled: boolean;
  /** The OpenSearch switch(es) for this component are on. */
  opensearchEnabled: boolean;
  /** An Elasticsearch switch for this component is on. */
  elasticsearchEnabled: boolean;
  /** The keys consulted, for the fix text. */
  keys: string[];
  /** The backend the chart wires the component to ('rdbms'/'none' → no OpenSearch at all). */
  storage: SecondaryStorage;
  /**
   * 8.9+: orchestration on `type: elasticsearch` with `secondaryStorage.elasticsearch.aws.enabled`
   * (`aws-enabled` in orchestration/files/_application.yaml): requests to an Amazon OpenSearch
   * Service domain (Elasticsearch-compatible) signed with the IRSA credentials.
   */
  elasticsearchAws?: boolean;
  /** The OpenSearch endpoint this component is configured with. */
  host?: string;
  port?: number;
  hostKey?: string;
}

export interface OpenSearchSettings {
  host?: string;
  port: number;
  /** Which key answered, for messages. */
  hostKey?: string;
  perComponent: Record<string, OpenSearchComponent>;
}

export interface Endpoint {
  host?: string;
  port?: number;
  hostKey?: string;
}

export function parseUrl(raw: string): { host: string; port: number } | undefined {
  for (const candidate of [raw, `https://${raw}`]) {
    try {
      const u = new URL(candidate);
      if (!u.hostname || !/^https?:$/.test(u.protocol)) continue;
      const port = u.port ? Number(u.port) : u.protocol === 'http:' ? 80 : 443;
      return { host: u.hostname, port };
    } catch {
      /* try the next form */
    }
  }
  return undefined;
}

export const G_OS = 'global.opensearch';
export const G_ES = 'global.elasticsearch';
export const OPT_OS = 'optimize.database.opensearch';
export const OPT_ES = 'optimize.database.elasticsearch';
export const ORCH_STORE = 'orchestration.data.secondaryStorage';

export function globalEndpoint(v: Values): Endpoint {
  const host = v.string(`${G_OS}.url.host`);
  return {
    host,
    port: toPort(v.get(`${G_OS}.url.port`)) ?? 443,
    ...(host ? { hostKey: `${G_OS}.url.host` } : {}),
  };
}

/** camundaPlatform.opensearchHost/Port (8.9+): optimize's url first, then the global one. */
export function optimizeEndpoint(v: Values): Endpoint {
  const own = v.string(`${OPT_OS}.url.host`);
  const host = own ?? v.string(`${G_OS}.url.host`);
  const port = toPort(v.get(`${OPT_OS}.url.port`)) ?? toPort(v.get(`${G_OS}.url.port`)) ?? 443;
  const hostKey = own ? `${OPT_OS}.url.host` : host ? `${G_OS}.url.host` : undefined;
  return { host, port, ...(hostKey ? { hostKey } : {}) };
}

/** camundaPlatform.opensearchURL (8.9+): the secondary-storage URL, else optimize's / the global url. */
export function orchestrationEndpoint(v: Values): Endpoint {
  const url = v.string(`${ORCH_STORE}.opensearch.url`);
  const parsed = url ? parseUrl(url) : undefined;
  if (parsed) return { ...parsed, hostKey: `${ORCH_STORE}.opensearch.url` };
  return optimizeEndpoint(v);
}

export function flag(v: Values, key: string): boolean {
  return v.bool(key) === true;
}

/** orchestration.secondaryStorage (8.9+): explicit type, else derived from the other switches. */
export function orchestrationStorage(v: Values): SecondaryStorage {
  const type = v.string(`${ORCH_STORE}.type`);
  if (type)
    return (
      ['opensearch', 'elasticsearch', 'rdbms', 'none'].includes(type) ? type : 'unset'
    ) as SecondaryStorage;
  if (flag(v, 'global.noSecondaryStorage')) return 'none';
  if (flag(v, 'orchestration.exporters.rdbms.enabled')) return 'rdbms';
  if (flag(v, `${G_ES}.enabled`) || flag(v, `${OPT_ES}.enabled`)) return 'elasticsearch';
  if (flag(v, `${G_OS}.enabled`) || flag(v, `${OPT_OS}.enabled`)) return 'opensearch';
  return 'unset';
}

export function storageFrom(es: boolean, os: boolean, none = false): SecondaryStorage {
  if (none) return 'none';
  return es ? 'elasticsearch' : os ? 'opensearch' : 'unset';
}

export function openSearchFor(profile: ChartProfile, v: Values, key: string): OpenSearchComponent {
  const gOs = flag(v, `${G_OS}.enabled`);
  const gEs = flag(v, `${G_ES}.enabled`);
  const gAws = flag(v, `${G_OS}.aws.enabled`);
  const globalKeys = [`${G_ES}.enabled`, `${G_OS}.enabled`, `${G_OS}.aws.enabled`];
  const noSecondary = profile.major >= 13 && flag(v, 'global.noSecondaryStorage');

  if (profile.major >= 14 && key === 'orchestration') {
    const type = v.string(`${ORCH_STORE}.type`);
    const storage = orchestrationStorage(v);
    const typed = type !== undefined;
    if (type === 'elasticsearch' && flag(v, `${ORCH_STORE}.elasticsearch.aws.enabled`)) {
      const url = v.string(`${ORCH_STORE}.elasticsearch.url`);
      const parsed = url ? parseUrl(url) : undefined;
      return {
        awsEnabled: true,
        opensearchEnabled: true,
        elasticsearchEnabled: false,
        elasticsearchAws: true,
        keys: [
          `${ORCH_STORE}.type`,
          `${ORCH_STORE}.elasticsearch.aws.enabled`,
          `${ORCH_STORE}.elasticsearch.url`,
        ],
        storage: 'elasticsearch',
        ...(parsed ? { ...parsed, hostKey: `${ORCH_STORE}.elasticsearch.url` } : {}),
      };
    }
    return {
      awsEnabled: flag(v, `${ORCH_STORE}.opensearch.aws.enabled`) || gAws,
      opensearchEnabled: typed ? type === 'opensearch' : gOs || flag(v, `${OPT_OS}.enabled`),
      elasticsearchEnabled: typed ? type === 'elasticsearch' : gEs || flag(v, `${OPT_ES}.enabled`),
      keys: [
        `${ORCH_STORE}.type`,
        `${ORCH_STORE}.opensearch.aws.enabled`,
        `${ORCH_STORE}.opensearch.url`,
        ...(typed ? [] : [`${G_ES}.enabled`, `${OPT_ES}.enabled`, `${G_OS}.enabled`, `${OPT_OS}.enabled`]),
        `${G_OS}.aws.enabled`,
      ],
      storage,
      ...orchestrationEndpoint(v),
    };
  }
  if (profile.major >= 14 && key === 'optimize') {
    const os = gOs || flag(v, `${OPT_OS}.enabled`);
    const es = gEs || flag(v, `${OPT_ES}.enabled`);
    return {
      awsEnabled: flag(v, `${OPT_OS}.aws.enabled`) || gAws,
      opensearchEnabled: os,
      elasticsearchEnabled: es,
      keys: [
        `${OPT_OS}.enabled`,
        `${OPT_OS}.aws.enabled`,
        `${OPT_OS}.url.host`,
        `${OPT_ES}.enabled`,
        `${G_ES}.enabled`,
        `${G_OS}.enabled`,
        `${G_OS}.aws.enabled`,
      ],
      storage: storageFrom(es, os, noSecondary),
      ...optimizeEndpoint(v),
    };
  }
  // Up to 8.8, and any other component: the global switches only (Elasticsearch wins when both are on).
  return {
    awsEnabled: gAws,
    opensearchEnabled: gOs,
    elasticsearchEnabled: gEs,
    keys: globalKeys,
    storage: storageFrom(gEs, gOs, noSecondary),
    ...globalEndpoint(v),
  };
}

/** Where the OpenSearch settings of the os components live, and what they say. */
export function openSearchSettings(
  profile: ChartProfile,
  values: Values,
  osComponents: string[],
): OpenSearchSettings {
  const v = withSubcharts(profile, values);
  const perComponent: Record<string, OpenSearchComponent> = {};
  for (const name of osComponents) {
    const key = specFor(profile, name)?.key ?? name;
    perComponent[key] = openSearchFor(profile, v, key);
  }

  // The endpoint to identify the domain by: the global url, then optimize's, then the orchestration URL.
  let endpoint = globalEndpoint(v);
  if (!endpoint.host && profile.major >= 14) {
    const optimizeHost = v.string(`${OPT_OS}.url.host`);
    if (optimizeHost) {
      endpoint = {
        host: optimizeHost,
        port: toPort(v.get(`${OPT_OS}.url.port`)) ?? toPort(v.get(`${G_OS}.url.port`)) ?? 443,
        hostKey: `${OPT_OS}.url.host`,
      };
    } else {
      const url = v.string(`${ORCH_STORE}.opensearch.url`);
      const parsed = url ? parseUrl(url) : undefined;
      if (parsed) endpoint = { ...parsed, hostKey: `${ORCH_STORE}.opensearch.url` };
    }
  }
  return {
    ...(endpoint.host ? { host: endpoint.host } : {}),
    port: endpoint.port ?? 443,
    ...(endpoint.hostKey ? { hostKey: endpoint.hostKey } : {}),
    perComponent,
  };
}

/** Operate and Tasklist inside orchestration that talk to OpenSearch without AWS request signing. */
export interface UnsignedWebapps {
  /** 'operate', 'tasklist': the orchestration profiles that are on. */
  webapps: string[];
  /** The key that answered for orchestration's own signing switch. */
  awsKey: string;
}

/**
 * 8.9+ (orchestration/files/_application.yaml): orchestration's `secondary-storage.opensearch.
 * aws-enabled` follows `orchestration.data.secondaryStorage.opensearch.aws.enabled`, but the
 * `camunda.operate.opensearch.awsEnabled` and `camunda.tasklist.opensearch.awsEnabled` blocks are
 * rendered only under `{{- if .Values.global.opensearch.enabled }}`. With the secondary-storage keys
 * alone, the broker signs its requests and the Operate and Tasklist profiles do not: Amazon
 * OpenSearch answers them 401/403. Camunda's reference values for 8.9 set global.opensearch.enabled
 * together with the secondary-storage keys for that reason.
 */
export function unsignedWebapps(profile: ChartProfile, values: Values): UnsignedWebapps | undefined {
  if (profile.major < 14) return undefined;
  const v = withSubcharts(profile, values);
  if (orchestrationStorage(v) !== 'opensearch') return undefined;
  if (flag(v, `${G_OS}.enabled`)) return undefined;
  const own = flag(v, `${ORCH_STORE}.opensearch.aws.enabled`);
  if (!own && !flag(v, `${G_OS}.aws.enabled`)) return undefined; // unsigned everywhere: os-aws-signing says so
  // `{{- if .Values.orchestration.profiles.operate -}}` / `.tasklist`: on by default (values.yaml).
  const webapps = ['operate', 'tasklist'].filter((p) => {
    const raw = v.get(`orchestration.profiles.${p}`);
    return raw === undefined || raw === null ? true : v.bool(`orchestration.profiles.${p}`) !== false;
  });
  if (webapps.length === 0) return undefined;
  return { webapps, awsKey: own ? `${ORCH_STORE}.opensearch.aws.enabled` : `${G_OS}.aws.enabled` };
}
