/**
 * Helm release records in a bundle. A bundle never holds Helm's base64+gzip
 * payload: grepping that finds nothing, so a person could not check what they
 * send. It holds the decoded release instead, cut to the fields irsa-check reads
 * and redacted, with the manifest as one string per line; a replay encodes it
 * back into the payload the Kube interface answers with.
 */
import { DEFAULT_LIMITS, type InputLimits } from '../core/limits.js';
import { redactDeep, type Redactor } from '../core/redact.js';
import { decodeHelmPayload, encodeHelmPayload, HelmPayloadError, unreadablePayload } from '../helm/codec.js';
import { CAMUNDA_CHART_PREFIX } from '../helm/release.js';
import { isPlainObject } from '../helm/values.js';
import { redactManifest } from './bundle-manifest.js';
import type { HelmStorageRecord } from '../ports/kube.js';

/** One Helm storage record as a bundle keeps it. */
export interface BundledHelmRecord extends Omit<HelmStorageRecord, 'payload'> {
  /**
   * The decoded release in Helm's own field names (name, namespace, version,
   * info.status, chart.metadata, chart.values, config), the manifest split into
   * lines. Values and manifest only for deployed Camunda releases: the others are
   * never read. Absent for revisions skipped by their labels (never decoded).
   */
  release?: Record<string, unknown>;
  /** Why the payload was not a release; the payload itself is left out. */
  unreadable?: string;
}

type Tree = Record<string, unknown>;
const tree = (v: unknown): Tree => (isPlainObject(v) ? v : {});

function pick(from: Tree, keys: string[]): Tree {
  return Object.fromEntries(keys.filter((k) => k in from).map((k) => [k, from[k]]));
}

/** What `findCamundaReleases` skips without decoding: a superseded or failed revision. */
function skippedByLabels(record: HelmStorageRecord): boolean {
  return record.labels.status !== undefined && record.labels.status !== 'deployed';
}

/** A decoded release cut to what `decodeRelease` reads; values only where a check reads them. */
function cut(raw: unknown): Tree {
  const r = tree(raw);
  const out = pick(r, ['name', 'namespace', 'version']);
  if ('info' in r) out.info = pick(tree(r.info), ['status']);
  const chart = tree(r.chart);
  const metadata = tree(chart.metadata);
  if ('chart' in r) {
    out.chart = 'metadata' in chart ? { metadata: pick(metadata, ['name', 'version', 'appVersion']) } : {};
  }
  const read =
    tree(r.info).status === 'deployed' &&
    typeof metadata.name === 'string' &&
    metadata.name.startsWith(CAMUNDA_CHART_PREFIX);
  if (!read) return out;
  if ('values' in chart) (out.chart as Tree).values = chart.values;
  if ('config' in r) out.config = r.config;
  if (typeof r.manifest === 'string') out.manifest = r.manifest;
  return out;
}

/** The values of every readable release in `records`, for a redactor to learn before redacting any. */
export function helmValues(records: HelmStorageRecord[], limits: InputLimits = DEFAULT_LIMITS): unknown[] {
  const found: unknown[] = [];
  for (const record of records) {
    if (skippedByLabels(record)) continue;
    try {
      const r = tree(decodeHelmPayload(record.payload, limits));
      found.push(tree(r.chart).values, r.config);
    } catch {
      // Unreadable: nothing of it is kept.
    }
  }
  return found;
}

/** A storage record as a bundle keeps it: decoded, cut, redacted. */
export function bundleHelmRecord(
  record: HelmStorageRecord,
  redactor: Redactor,
  limits: InputLimits = DEFAULT_LIMITS,
): BundledHelmRecord {
  const { payload, ...meta } = record;
  const out: BundledHelmRecord = redactDeep(meta);
  if (skippedByLabels(record)) return out;
  let raw: unknown;
  try {
    raw = decodeHelmPayload(payload, limits);
  } catch (e) {
    out.unreadable = e instanceof HelmPayloadError ? e.reason : 'not JSON';
    return out;
  }
  // By key and by learnt value: a password of the values quoted under an innocuous key elsewhere
  // in them (an env FOO_DESC, a description) is hidden there too.
  const release = redactor.deep(cut(raw));
  // The manifest is rendered YAML: Secret data and env values sit in it as text.
  if (typeof release.manifest === 'string') {
    release.manifest = redactor.text(redactManifest(release.manifest)).split('\n');
  }
  out.release = release;
  return out;
}

/** The storage record a replay answers with: the bundled release encoded again. Old bundles keep their payload. */
export function replayHelmRecord(
  record: BundledHelmRecord | HelmStorageRecord,
  limits: InputLimits = DEFAULT_LIMITS,
): HelmStorageRecord {
  if ('payload' in record && typeof record.payload === 'string') return record;
  const { release, unreadable, ...meta } = record as BundledHelmRecord;
  if (unreadable !== undefined) return { ...meta, payload: unreadablePayload(unreadable, limits) };
  if (!release) return { ...meta, payload: '' };
  const decoded: Tree = { ...release };
  if (Array.isArray(decoded.manifest)) decoded.manifest = decoded.manifest.join('\n');
  return { ...meta, payload: encodeHelmPayload(decoded) };
}
