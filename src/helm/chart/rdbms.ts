/**
 * Orchestration's secondary storage in a relational database (8.9+, chart 14/15), as
 * orchestration/files/_application.yaml renders it: `camunda.data.secondary-storage.type` from the
 * `orchestration.secondaryStorage` helper, and the `rdbms:` block (aws-enabled, url, username) only
 * under `{{- if .Values.orchestration.exporters.rdbms.enabled }}`.
 */
import { Values } from '../values.js';
import type { ChartProfile } from './profiles.js';
import { orchestrationStorage, ORCH_STORE, type SecondaryStorage } from './opensearch.js';
import { nonEmptyString, withSubcharts } from './template.js';

export const RDBMS = `${ORCH_STORE}.rdbms`;
export const RDBMS_EXPORTER = 'orchestration.exporters.rdbms.enabled';

export interface OrchestrationRdbms {
  /** What `orchestration.secondaryStorage` renders: 'rdbms' here. */
  storage: SecondaryStorage;
  /** The chart renders the rdbms connection block only with the RDBMS exporter on. */
  exporterEnabled: boolean;
  /** `rdbms.aws.enabled`: IAM database authentication (aws-enabled). */
  awsEnabled: boolean;
  url?: string;
  username?: string;
  urlKey: string;
  usernameKey: string;
  awsKey: string;
}

/** The RDBMS settings of orchestration; undefined when the chart has none or the storage is not rdbms. */
export function orchestrationRdbms(profile: ChartProfile, values: Values): OrchestrationRdbms | undefined {
  if (profile.major < 14) return undefined;
  const v = withSubcharts(profile, values);
  const storage = orchestrationStorage(v);
  if (storage !== 'rdbms') return undefined;
  const url = nonEmptyString(v.get(`${RDBMS}.url`));
  const username = nonEmptyString(v.get(`${RDBMS}.username`));
  return {
    storage,
    exporterEnabled: v.bool(RDBMS_EXPORTER) === true,
    awsEnabled: v.bool(`${RDBMS}.aws.enabled`) === true,
    ...(url ? { url } : {}),
    ...(username ? { username } : {}),
    urlKey: `${RDBMS}.url`,
    usernameKey: `${RDBMS}.username`,
    awsKey: `${RDBMS}.aws.enabled`,
  };
}

/** Whether orchestration talks to a search engine at all (8.9+: not with rdbms or no secondary storage). */
export function orchestrationUsesSearch(profile: ChartProfile, values: Values): boolean {
  if (profile.major < 14) return true;
  const storage = orchestrationStorage(withSubcharts(profile, values));
  return storage !== 'rdbms' && storage !== 'none';
}
