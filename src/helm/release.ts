import { decodeHelmPayload, HelmPayloadError } from './codec.js';
import { DEFAULT_LIMITS, type InputLimits } from '../core/limits.js';
import { isPlainObject } from './values.js';
import type { HelmStorageRecord } from '../ports/kube.js';

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
  /** Where the record lives and the release it names (Helm's `name` label). */
  namespace?: string;
  release?: string;
  /** What to do about it, when it differs from a corrupt record's (a release over an input limit). */
  fix?: string;
}

export const CAMUNDA_CHART_PREFIX = 'camunda-platform';

function asTree(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

/** Decodes one storage record; throws CorruptReleaseError naming the record when it is not a release. */
export function decodeRelease(record: HelmStorageRecord, limits: InputLimits = DEFAULT_LIMITS): HelmRelease {
  let raw: unknown;
  try {
    raw = decodeHelmPayload(record.payload, limits);
  } catch (e) {
    if (e instanceof HelmPayloadError && e.limit) {
      const error = new CorruptReleaseError(`${record.driver} ${record.name}: ${e.reason}`);
      error.fix = `If the release is genuine, run again with a higher ${e.limit.flag}; \`helm history\` shows its revisions.`;
      throw error;
    }
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

/** A Camunda release whose newest revision is not deployed (what `helm list -a` shows). */
export interface UndeployedRevision {
  namespace: string;
  name: string;
  revision: number;
  /** failed, pending-install, pending-upgrade, pending-rollback, uninstalling, … */
  status: string;
  /** The deployed revision below it, if any (then that one is checked). */
  deployedRevision?: number;
}

export interface ReleaseSearch {
  /** Newest deployed revision of each Camunda release. */
  releases: HelmRelease[];
  /** Records of Camunda-looking releases that could not be decoded. */
  corrupt: CorruptReleaseError[];
  /** Camunda releases whose newest revision is failed or pending: none deployed, or one in progress above it. */
  undeployed: UndeployedRevision[];
}

/**
 * Finds the live revision of every Camunda release among Helm's storage records,
 * the way `helm list` does: the newest revision whose status is `deployed`.
 */
export function findCamundaReleases(
  records: HelmStorageRecord[],
  limits: InputLimits = DEFAULT_LIMITS,
): ReleaseSearch {
  const newest = new Map<string, HelmRelease>();
  const corrupt: CorruptReleaseError[] = [];
  for (const record of records) {
    // Labels let us skip superseded revisions without decoding them (they may be large).
    if (record.labels.status && record.labels.status !== 'deployed') continue;
    let release: HelmRelease;
    try {
      release = decodeRelease(record, limits);
    } catch (e) {
      if (!(e instanceof CorruptReleaseError)) throw e;
      e.namespace = record.namespace;
      e.release = record.labels.name;
      corrupt.push(e);
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
  return { releases, corrupt, undeployed: undeployedRevisions(records, newest, limits) };
}

const revisionOf = (r: HelmStorageRecord): number => Number(r.labels.version ?? 0);

/**
 * Releases whose newest revision is not `deployed`: failed-only or pending-install ones (which
 * `helm list` shows and the check must name, not drop), and a pending-* revision above the
 * deployed one (an upgrade in progress or interrupted). Superseded revisions are history, and a
 * failed upgrade above a deployed revision leaves that revision live, as Helm does.
 * Only the newest record of each release is decoded, to learn its chart.
 */
function undeployedRevisions(
  records: HelmStorageRecord[],
  deployed: Map<string, HelmRelease>,
  limits: InputLimits,
): UndeployedRevision[] {
  const newestRecord = new Map<string, HelmStorageRecord>();
  for (const record of records) {
    const key = `${record.namespace}/${record.labels.name ?? record.name}`;
    const seen = newestRecord.get(key);
    if (!seen || revisionOf(seen) < revisionOf(record)) newestRecord.set(key, record);
  }
  const found: UndeployedRevision[] = [];
  for (const [key, record] of newestRecord) {
    const status = record.labels.status ?? '';
    if (!status || status === 'deployed' || status === 'superseded') continue;
    const live = deployed.get(key);
    if (live && !status.startsWith('pending-')) continue;
    let release: HelmRelease;
    try {
      release = decodeRelease(record, limits);
    } catch {
      continue; // a corrupt record is reported as such when it is a deployed one
    }
    if (!release.chartName.startsWith(CAMUNDA_CHART_PREFIX)) continue;
    found.push({
      namespace: release.namespace,
      name: release.name,
      revision: release.revision,
      status: release.status,
      ...(live ? { deployedRevision: live.revision } : {}),
    });
  }
  return found.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}
