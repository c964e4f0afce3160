import { encodeHelmPayload } from '../../src/helm/codec.js';

/**
 * Builds the Secret (default) or ConfigMap that Helm 3's storage driver writes for
 * one release revision (helm/pkg/storage/driver/{secrets,cfgmaps}.go):
 *
 *   name   sh.helm.release.v1.<release>.v<revision>
 *   type   helm.sh/release.v1 (Secret only)
 *   labels name, owner=helm, status, version, and createdAt (set by Create) or
 *          modifiedAt (set by Update, which drops createdAt). install/upgrade Create the
 *          revision as pending-* and then Update it to deployed, so a deployed or
 *          superseded revision carries modifiedAt; only pending-* ones carry createdAt.
 *   data.release  Secret:    base64( base64(gzip(JSON)) )  (Kubernetes' layer on Helm's)
 *                 ConfigMap: base64(gzip(JSON))
 */
export interface HelmReleaseInput {
  name: string;
  namespace: string;
  version: number;
  status: string; // deployed | superseded | failed | uninstalling | pending-install | pending-upgrade | ...
  chart: {
    metadata: { name: string; version: string; appVersion?: string; [k: string]: unknown };
    values?: Record<string, unknown>;
    [k: string]: unknown;
  };
  config?: Record<string, unknown>;
  manifest?: string;
  /** Unix seconds; default: now. */
  deployedAt?: number;
  description?: string;
  notes?: string;
}

export interface HelmReleaseOptions {
  driver?: 'secret' | 'configmap';
  /** Which timestamp label to set. Default: createdAt for pending-* statuses, modifiedAt otherwise. */
  timestampLabel?: 'createdAt' | 'modifiedAt';
  /** Extra labels (Helm 3.16+ supports custom release labels; they are merged in). */
  labels?: Record<string, string>;
}

function rfc3339(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The release as Helm marshals it (release.Release → JSON). */
export function helmReleasePayload(release: HelmReleaseInput): Record<string, unknown> {
  const at = release.deployedAt ?? Math.floor(Date.now() / 1000);
  const { metadata, values, ...restOfChart } = release.chart;
  const info: Record<string, unknown> = {
    first_deployed: rfc3339(at - (release.version - 1) * 3600),
    last_deployed: rfc3339(at),
    deleted: '',
    description: release.description ?? (release.version === 1 ? 'Install complete' : 'Upgrade complete'),
    status: release.status,
  };
  if (release.notes !== undefined) info.notes = release.notes;
  const payload: Record<string, unknown> = {
    name: release.name,
    info,
    chart: {
      metadata: { apiVersion: 'v2', type: 'application', ...metadata },
      lock: null,
      templates: [],
      values: values ?? {},
      schema: null,
      files: [],
      ...restOfChart,
    },
    config: release.config ?? {},
  };
  if (release.manifest !== undefined && release.manifest !== '') payload.manifest = release.manifest;
  payload.version = release.version;
  payload.namespace = release.namespace;
  return payload;
}

export function helmReleaseSecret(release: HelmReleaseInput, opts: HelmReleaseOptions = {}): object {
  const at = release.deployedAt ?? Math.floor(Date.now() / 1000);
  const helmLayer = encodeHelmPayload(helmReleasePayload(release));
  const tsLabel = opts.timestampLabel ?? (release.status.startsWith('pending-') ? 'createdAt' : 'modifiedAt');
  const labels: Record<string, string> = {
    ...opts.labels,
    [tsLabel]: String(at),
    name: release.name,
    owner: 'helm',
    status: release.status,
    version: String(release.version),
  };
  const metadata = {
    name: `sh.helm.release.v1.${release.name}.v${release.version}`,
    namespace: release.namespace,
    creationTimestamp: rfc3339(at),
    labels,
  };
  if (opts.driver === 'configmap') {
    return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { release: helmLayer } };
  }
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata,
    type: 'helm.sh/release.v1',
    data: { release: Buffer.from(helmLayer, 'utf8').toString('base64') },
  };
}

/**
 * A Helm release Secret whose payload is no gzip at all (the bytes "not gzip" behind a
 * gzip magic number): what irsa-check must report as a corrupt release, never crash on.
 */
export function corruptHelmReleaseSecret(name: string, namespace: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: {
      name: `sh.helm.release.v1.${name}.v1`,
      namespace,
      labels: { name, owner: 'helm', status: 'deployed', version: '1' },
    },
    data: { release: Buffer.from('H4sIAAAAbm90IGd6aXA=').toString('base64') },
  };
}
