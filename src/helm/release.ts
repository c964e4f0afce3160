import { decodeHelmPayload } from './codec.js';
import { isPlainObject } from './values.js';
import type { HelmStorageRecord } from '../platform/kube.js';

/** A decoded Helm release revision: what `helm get all` would show, without the helm binary. */
export interface HelmRelease {
  name: string;
  namespace: string;
  revision: number;
  status: string;
  chartName: string;
  chartVersion: string;
  appVersion?: string;
  /** The chart's own values.yaml (`chart.values`). */
  defaults: Record<string, unknown>;
  /** The user-supplied values (`config`). */
  user: Record<string, unknown>;
  /** The rendered manifest that was applied. */
  manifest?: string;
  driver: HelmStorageRecord['driver'];
}

export class CorruptReleaseError extends Error {
  override name = 'CorruptReleaseError';
}

export const CAMUNDA_CHART_PREFIX = 'camunda-platform';

function asTree(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

/** Decodes one storage record; throws CorruptReleaseError naming the record when it is not a release. */
export function decodeRelease(record: HelmStorageRecord): HelmRelease {
  let raw: unknown;
  try {
    raw = decodeHelmPayload(record.payload);
  } catch (e) {
    throw new CorruptReleaseError(
      `${record.driver} ${record.name}: not a Helm release (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`,
    );
  }
  const r = asTree(raw);
  const chart = asTree(r.chart);
  const metadata = asTree(chart.metadata);
  if (typeof r.name !== 'string' || typeof metadata.name !== 'string') {
    throw new CorruptReleaseError(
      `${record.driver} ${record.name}: release JSON lacks name or chart metadata`,
    );
  }
  const info = asTree(r.info);
  return {
    name: r.name,
    namespace: typeof r.namespace === 'string' ? r.namespace : record.namespace,
    revision: typeof r.version === 'number' ? r.version : Number(record.labels.version ?? 0),
    status: typeof info.status === 'string' ? info.status : (record.labels.status ?? 'unknown'),
    chartName: metadata.name,
    chartVersion: String(metadata.version ?? ''),
    appVersion: typeof metadata.appVersion === 'string' ? metadata.appVersion : undefined,
    defaults: asTree(chart.values),
    user: asTree(r.config),
    manifest: typeof r.manifest === 'string' ? r.manifest : undefined,
    driver: record.driver,
  };
}

export interface ReleaseSearch {
  /** Newest deployed revision of each Camunda release. */
  releases: HelmRelease[];
  /** Records of Camunda-looking releases that could not be decoded. */
  corrupt: CorruptReleaseError[];
}

/**
 * Finds the live revision of every Camunda release among Helm's storage records,
 * the way `helm list` does: the newest revision whose status is `deployed`.
 */
export function findCamundaReleases(records: HelmStorageRecord[]): ReleaseSearch {
  const newest = new Map<string, HelmRelease>();
  const corrupt: CorruptReleaseError[] = [];
  for (const record of records) {
    // Labels let us skip superseded revisions without decoding them (they may be large).
    if (record.labels.status && record.labels.status !== 'deployed') continue;
    let release: HelmRelease;
    try {
      release = decodeRelease(record);
    } catch (e) {
      if (e instanceof CorruptReleaseError) corrupt.push(e);
      else throw e;
      continue;
    }
    if (release.status !== 'deployed' || !release.chartName.startsWith(CAMUNDA_CHART_PREFIX)) continue;
    const key = `${release.namespace}/${release.name}`;
    const seen = newest.get(key);
    if (!seen || seen.revision < release.revision) newest.set(key, release);
  }
  const releases = [...newest.values()].sort(
    (a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name),
  );
  return { releases, corrupt };
}
