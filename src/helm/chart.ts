/**
 * Everything irsa-check knows about the Camunda Helm chart (camunda/camunda-platform-helm),
 * per chart major: component keys, the ServiceAccount name each template generates, and where
 * the database / OpenSearch settings live. Chart-version knowledge lives here and nowhere else.
 *
 * Chart major ↔ Camunda: 8 → 8.3, 9 → 8.4, 10 → 8.5, 11 → 8.6, 12 → 8.7, 13 → 8.8, 14 → 8.9, 15 → 8.10.
 * The facts were read from the chart templates (`_helpers.tpl`, `serviceaccount.yaml`, the
 * OpenSearch and Web Modeler templates) and `values.yaml` of each chart line; the comments name
 * the helper each rule mirrors.
 */

import { isPlainObject, Values } from './values.js';
import { ROLE_ARN_ANNOTATION } from '../platform/kube.js';

type Tree = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Versions
// ---------------------------------------------------------------------------------------------

export interface ChartVersion {
  raw: string;
  major: number;
  minor: number;
  patch: number;
  prerelease?: string;
}

// Lenient SemVer, like Helm's (Masterminds): optional "v", optional patch, pre-release, build metadata.
const VERSION = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$/;

/** '13.0.0-alpha1' → major 13; 'v12.1.0' and '12.1' parse; anything else → undefined. */
export function parseChartVersion(raw: string): ChartVersion | undefined {
  const m = VERSION.exec(raw.trim());
  if (!m) return undefined;
  const [major, minor, patch] = [m[1], m[2], m[3] ?? '0'].map(Number) as [number, number, number];
  if (![major, minor, patch].every(Number.isSafeInteger)) return undefined;
  return { raw, major, minor, patch, ...(m[4] ? { prerelease: m[4] } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Profiles
// ---------------------------------------------------------------------------------------------

export type ListKind = 'pg' | 'os';

export interface ComponentSpec {
  /** Values key, e.g. 'webModeler' ('zeebe-gateway' in charts 8/9). */
  key: string;
  /** The component name in the generated full name: 'web-modeler'; orchestration's is 'zeebe' (8.8+). */
  fullnamePart: string;
  /**
   * When the ServiceAccount's generated name used another part than the full name. No chart
   * verified needs it (orchestration's whole full name is `<release>-zeebe`), kept for later charts.
   */
  saNamePart?: string;
  /** identityKeycloak (Bitnami subchart) and console in chart 8 switch with `serviceAccount.create`. */
  saSwitch: 'enabled' | 'create';
  /** Which of -p (pg) / -l (os) may name it in this chart version. */
  lists: ListKind[];
  /** The chart's default for the component switch (used when neither values nor defaults say). */
  enabledByDefault: boolean;
  /** The chart's default for the ServiceAccount switch (used when neither values nor defaults say). */
  saEnabledByDefault: boolean;
  /** The values key of the component switch when it is not `<key>.enabled` (zeebe-gateway → zeebe.enabled). */
  enabledKey?: string;
  /**
   * 'chart': the full name comes from the chart-level helper with the top-level `fullnameOverride`
   * and a forced nameOverride (connectors and console in charts 8/9); the component's own
   * fullnameOverride/nameOverride are ignored. Default 'component'.
   */
  nameFrom?: 'component' | 'chart';
  /** Other names that resolve to this component (chart 15: 'camundaHub' → webModeler). */
  aliases?: string[];
}

/**
 * How chart 15 overlays `camundaHub.*` on `webModeler.*`:
 * - 'nested-or' (15.0.0-alpha1..3): `camundaHub.webModeler.X`, first truthy of hub and legacy value;
 * - 'or' (15.0.0-alpha4): `camundaHub.X`, first truthy value (false/""/0 in camundaHub cannot override);
 * - 'deep' (after alpha4): `camundaHub.X` deep-merged over webModeler.X; null falls through, false/""/0 override.
 */
export type HubMerge = 'nested-or' | 'or' | 'deep';

export interface ChartProfile {
  /** Chart major of the table used (8..15); an unknown newer major gets the newest table. */
  major: number;
  /** Camunda minor, '8.8'. */
  camunda: string;
  /** 11..15 are tested; 8, 9, 10 (Camunda 8.3–8.5) and unknown majors run with a WARN. */
  supported: boolean;
  /** The parsed version the profile was picked for. */
  version: ChartVersion;
  /** Every component key valid in this chart version (for -e, -p, -l validation). */
  components: ComponentSpec[];
  /** Default -l list. */
  defaultOs: string[];
  /** Default -p list (identityKeycloak only where the chart has the subchart). */
  defaultPg: string[];
  /** Defaults of sub-charts that the release does not serialise, keyed by the parent's values key. */
  subchartDefaults: Tree;
  hasKeycloakSubchart: boolean;
  /** Chart 15. */
  hasCamundaHub: boolean;
  /** Chart 15 only: see HubMerge. */
  hubMerge?: HubMerge;
}

interface CompOpts {
  lists?: ListKind[];
  enabled?: boolean;
  sa?: boolean;
  saSwitch?: 'enabled' | 'create';
  enabledKey?: string;
  nameFrom?: 'component' | 'chart';
  aliases?: string[];
}

function comp(key: string, fullnamePart: string, o: CompOpts = {}): ComponentSpec {
  return {
    key,
    fullnamePart,
    saSwitch: o.saSwitch ?? 'enabled',
    lists: o.lists ?? [],
    enabledByDefault: o.enabled ?? true,
    saEnabledByDefault: o.sa ?? true,
    ...(o.enabledKey ? { enabledKey: o.enabledKey } : {}),
    ...(o.nameFrom ? { nameFrom: o.nameFrom } : {}),
    ...(o.aliases ? { aliases: o.aliases } : {}),
  };
}

/**
 * Defaults of the Bitnami Keycloak chart (19.4.1 in chart 10, 22.2.6 in 11, 24.x in 12–14) that
 * matter here. The parent chart sets `nameOverride: keycloak` and, from 8.6, `image.repository:
 * camunda/keycloak` itself; these are the values underneath.
 */
const BITNAMI_KEYCLOAK_DEFAULTS: Tree = {
  nameOverride: '',
  fullnameOverride: '',
  commonAnnotations: {},
  image: { registry: 'docker.io', repository: 'bitnami/keycloak' },
  serviceAccount: { create: true, name: '', annotations: {} },
  postgresql: { enabled: true },
  externalDatabase: { host: '', port: 5432, user: 'bn_keycloak', database: 'bitnami_keycloak' },
  extraEnvVars: [],
};

const OS_SPLIT = ['zeebe', 'operate', 'tasklist', 'optimize'];
const OS_UNIFIED = ['orchestration', 'optimize'];

interface ProfileRow {
  major: number;
  camunda: string;
  supported: boolean;
  components: ComponentSpec[];
  defaultOs: string[];
  hasKeycloakSubchart: boolean;
  hasCamundaHub: boolean;
}

function splitLayout(major: 8 | 9 | 10 | 11 | 12): ComponentSpec[] {
  const legacy = major <= 9; // 8.3/8.4: identity is a sub-chart, Keycloak sits under identity.keycloak
  const gatewayKey = legacy ? 'zeebe-gateway' : 'zeebeGateway';
  return [
    comp('zeebe', 'zeebe', { lists: ['os'] }),
    comp(gatewayKey, 'zeebe-gateway', { enabledKey: 'zeebe.enabled' }),
    comp('operate', 'operate', { lists: ['os'] }),
    comp('tasklist', 'tasklist', { lists: ['os'] }),
    comp('optimize', 'optimize', { lists: ['os'] }),
    comp('identity', 'identity', { lists: ['pg'] }),
    ...(legacy ? [] : [comp('identityKeycloak', 'keycloak', { lists: ['pg'], saSwitch: 'create' })]),
    comp('webModeler', 'web-modeler', { lists: ['pg'], enabled: false }),
    comp('connectors', 'connectors', { sa: !legacy, ...(legacy ? { nameFrom: 'chart' as const } : {}) }),
    comp('console', 'console', {
      enabled: false,
      // chart 8: the template reads console.serviceAccount.create (values.yaml only has `enabled`)
      ...(major === 8 ? { sa: false, saSwitch: 'create' as const } : {}),
      ...(legacy ? { nameFrom: 'chart' as const } : {}),
    }),
    ...(major >= 11 ? [comp('executionIdentity', 'execution-identity', { enabled: false })] : []),
  ];
}

function unifiedLayout(major: 13 | 14 | 15): ComponentSpec[] {
  const hub = major >= 15;
  return [
    comp('identity', 'identity', { lists: ['pg'], enabled: false }),
    ...(hub
      ? []
      : [comp('identityKeycloak', 'keycloak', { lists: ['pg'], enabled: false, saSwitch: 'create' })]),
    ...(hub ? [] : [comp('console', 'console', { enabled: false })]),
    comp('webModeler', 'web-modeler', {
      lists: ['pg'],
      enabled: false,
      ...(hub ? { aliases: ['camundaHub'] } : {}),
    }),
    comp('connectors', 'connectors'),
    comp('orchestration', 'zeebe', { lists: ['os'] }),
    comp('optimize', 'optimize', { lists: ['os'], enabled: false }),
  ];
}

const ROWS: ProfileRow[] = [
  {
    major: 8,
    camunda: '8.3',
    supported: false,
    components: splitLayout(8),
    defaultOs: OS_SPLIT,
    hasKeycloakSubchart: false,
    hasCamundaHub: false,
  },
  {
    major: 9,
    camunda: '8.4',
    supported: false,
    components: splitLayout(9),
    defaultOs: OS_SPLIT,
    hasKeycloakSubchart: false,
    hasCamundaHub: false,
  },
  {
    major: 10,
    camunda: '8.5',
    supported: false,
    components: splitLayout(10),
    defaultOs: OS_SPLIT,
    hasKeycloakSubchart: true,
    hasCamundaHub: false,
  },
  {
    major: 11,
    camunda: '8.6',
    supported: true,
    components: splitLayout(11),
    defaultOs: OS_SPLIT,
    hasKeycloakSubchart: true,
    hasCamundaHub: false,
  },
  {
    major: 12,
    camunda: '8.7',
    supported: true,
    components: splitLayout(12),
    defaultOs: OS_SPLIT,
    hasKeycloakSubchart: true,
    hasCamundaHub: false,
  },
  {
    major: 13,
    camunda: '8.8',
    supported: true,
    components: unifiedLayout(13),
    defaultOs: OS_UNIFIED,
    hasKeycloakSubchart: true,
    hasCamundaHub: false,
  },
  {
    major: 14,
    camunda: '8.9',
    supported: true,
    components: unifiedLayout(14),
    defaultOs: OS_UNIFIED,
    hasKeycloakSubchart: true,
    hasCamundaHub: false,
  },
  {
    major: 15,
    camunda: '8.10',
    supported: true,
    components: unifiedLayout(15),
    defaultOs: OS_UNIFIED,
    hasKeycloakSubchart: false,
    hasCamundaHub: true,
  },
];

const DEFAULT_PG = ['identityKeycloak', 'identity', 'webModeler'];

function hubMergeFor(version: ChartVersion): HubMerge {
  const alpha = /^alpha\.?(\d+)$/i.exec(version.prerelease ?? '');
  if (version.major === 15 && alpha && version.minor === 0 && version.patch === 0) {
    const n = Number(alpha[1]);
    if (n <= 3) return 'nested-or';
    if (n === 4) return 'or';
  }
  return 'deep';
}

/** The table for the version's major; older unknown majors → chart 8's, newer → chart 15's (both unsupported). */
export function profileFor(version: ChartVersion): ChartProfile {
  const first = ROWS[0]!;
  const last = ROWS[ROWS.length - 1]!;
  const exact = ROWS.find((r) => r.major === version.major);
  const row = exact ?? (version.major < first.major ? first : last);
  const keys = new Set(row.components.map((c) => c.key));
  return {
    major: row.major,
    camunda: row.camunda,
    supported: exact !== undefined && row.supported,
    version,
    components: row.components.map((c) => ({ ...c, lists: [...c.lists] })),
    defaultOs: [...row.defaultOs],
    defaultPg: DEFAULT_PG.filter((k) => keys.has(k)),
    subchartDefaults: row.hasKeycloakSubchart
      ? { identityKeycloak: structuredClone(BITNAMI_KEYCLOAK_DEFAULTS) }
      : {},
    hasKeycloakSubchart: row.hasKeycloakSubchart,
    hasCamundaHub: row.hasCamundaHub,
    ...(row.hasCamundaHub ? { hubMerge: hubMergeFor(version) } : {}),
  };
}

const normalise = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Case-insensitive, ignoring '-'/'_': 'webmodeler' → webModeler, 'zeebe-gateway' ↔ zeebeGateway. */
export function resolveComponent(profile: ChartProfile, name: string): ComponentSpec | undefined {
  const wanted = normalise(name);
  if (!wanted) return undefined;
  return (
    profile.components.find((c) => normalise(c.key) === wanted) ??
    profile.components.find((c) => c.aliases?.some((a) => normalise(a) === wanted))
  );
}

function specFor(profile: ChartProfile, componentKey: string): ComponentSpec | undefined {
  return profile.components.find((c) => c.key === componentKey) ?? resolveComponent(profile, componentKey);
}

// ---------------------------------------------------------------------------------------------
// Small helpers: Go-template truthiness, Helm name helpers
// ---------------------------------------------------------------------------------------------

/** Truthiness as Go templates see it (`if`, `or`, `default`). */
function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** A switch: real booleans, the strings "true"/"false" (as Values.bool), else Go truthiness; undefined when absent. */
function switchValue(v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return truthy(v);
}

function nonEmptyString(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return typeof v === 'string' ? v : String(v);
}

function toPort(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
}

/** Sprig `trunc 63 | trimSuffix "-"` (one trailing dash, like strings.TrimSuffix). */
function trunc63(s: string): string {
  const t = s.slice(0, 63);
  return t.endsWith('-') ? t.slice(0, -1) : t;
}

/** The chart's componentFullname / common.names.fullname. */
function helmFullname(
  release: string,
  part: string,
  fullnameOverride?: string,
  nameOverride?: string,
): string {
  if (fullnameOverride) return trunc63(fullnameOverride);
  const name = nameOverride || part;
  return release.includes(name) ? trunc63(release) : trunc63(`${release}-${name}`);
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isPlainObject(v)) return out;
  for (const [k, val] of Object.entries(v)) {
    if (val === undefined || val === null) continue;
    out[k] = typeof val === 'string' ? val : typeof val === 'object' ? JSON.stringify(val) : String(val);
  }
  return out;
}

/** Maps merged recursively, `over` winning; null in `over` falls through (camundaHub.mergeInto). */
function deepOverlay(base: unknown, over: unknown): unknown {
  if (over === undefined || over === null) return base;
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Tree = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = deepOverlay(base[k], v);
    return out;
  }
  return over;
}

function withSubcharts(profile: ChartProfile, values: Values): Values {
  return Object.keys(profile.subchartDefaults).length > 0
    ? values.withBaseDefaults(profile.subchartDefaults)
    : values;
}

function defaultsHave(values: Values, path: string): boolean {
  return new Values(values.defaults, {}).has(path);
}

// ---------------------------------------------------------------------------------------------
// Chart 15: camundaHub over webModeler
// ---------------------------------------------------------------------------------------------

interface HubView {
  merge: HubMerge;
  /** 'camundaHub' or 'camundaHub.webModeler'. */
  base: string;
}

function hubView(profile: ChartProfile, values: Values): HubView {
  // The alpha1..3 layout is recognisable from the defaults (or from values lacking alpha4+ defaults).
  const nested =
    defaultsHave(values, 'camundaHub.webModeler') ||
    (values.has('camundaHub.webModeler') && !defaultsHave(values, 'camundaHub.restapi'));
  const merge: HubMerge = nested ? 'nested-or' : (profile.hubMerge ?? 'deep');
  return { merge, base: merge === 'nested-or' ? 'camundaHub.webModeler' : 'camundaHub' };
}

/** The effective leaf under webModeler.<sub> with camundaHub overlaid, and the key that answered. */
function hubPick(view: HubView, values: Values, sub: string): { key: string; value: unknown; hub: boolean } {
  const hubKey = `${view.base}.${sub}`;
  const wmKey = `webModeler.${sub}`;
  const hv = values.get(hubKey);
  const useHub = view.merge === 'deep' ? hv !== undefined && hv !== null : truthy(hv);
  return useHub
    ? { key: hubKey, value: hv, hub: true }
    : { key: wmKey, value: values.get(wmKey), hub: false };
}

// ---------------------------------------------------------------------------------------------
// Component switches
// ---------------------------------------------------------------------------------------------

function topologyMode(values: Values): string {
  return values.string('global.topology.mode') ?? 'combined';
}

/** `<comp>.enabled` as the chart decides it (values, else chart defaults, else the profile's default). */
export function componentEnabled(profile: ChartProfile, values: Values, componentKey: string): boolean {
  const spec = specFor(profile, componentKey);
  if (!spec) return false;
  const v = withSubcharts(profile, values);

  if (spec.key === 'identityKeycloak') {
    if (!profile.hasKeycloakSubchart) return false;
    // Chart.yaml condition (8.5–8.7): "identity.keycloak.enabled,identityKeycloak.enabled" — the first
    // path holding a boolean decides; a missing condition value leaves the sub-chart enabled.
    if (profile.major <= 12) {
      const legacy = v.bool('identity.keycloak.enabled');
      if (legacy !== undefined) return legacy;
    }
    return v.bool('identityKeycloak.enabled') ?? true;
  }

  const own = (key: string, fallback: boolean) => switchValue(v.get(key)) ?? fallback;
  let enabled: boolean;
  if (spec.key === 'webModeler' && profile.hasCamundaHub) {
    // camundaHub.webModelerEnabled: camundaHub.enabled OR webModeler.enabled
    enabled = own('camundaHub.enabled', false) || own('webModeler.enabled', spec.enabledByDefault);
  } else {
    enabled = own(spec.enabledKey ?? `${spec.key}.enabled`, spec.enabledByDefault);
  }

  if (profile.major >= 13 && spec.key === 'optimize' && v.bool('global.noSecondaryStorage') === true)
    return false;
  if (profile.hasCamundaHub) {
    // global.topology.mode: 'hub' runs no orchestration/connectors/optimize; 'orchestration' no identity/hub.
    const mode = topologyMode(v);
    if (mode === 'hub' && ['orchestration', 'connectors', 'optimize'].includes(spec.key)) return false;
    if (mode === 'orchestration' && ['identity', 'webModeler'].includes(spec.key)) return false;
  }
  return enabled;
}

// ---------------------------------------------------------------------------------------------
// Service accounts
// ---------------------------------------------------------------------------------------------

export interface ServiceAccountPlan {
  /** Whether the chart creates the ServiceAccount. */
  enabled: boolean;
  name: string;
  /** 'values': serviceAccount.name; 'generated': the component's full name; 'default': the namespace's default SA. */
  how: 'values' | 'generated' | 'default';
  /** The annotations the chart renders on it. */
  annotations: Record<string, string>;
  /** Values paths the settings were read from, most specific first (for fix texts). */
  settingsPaths: string[];
  /** Values key that supplied the eks.amazonaws.com/role-arn annotation, when the chart added it itself. */
  roleArnKey?: string;
}

/**
 * Chart 15: camundaPlatform.secretStore.serviceAccountAnnotations — every aws store's roleArn, root
 * stores first, then physical tenants, map keys in sorted order (Go templates); the last one wins
 * (the chart refuses distinct ARNs anyway).
 */
function secretStoreRoleArn(values: Values): { arn: string; key: string } | undefined {
  const store = values.get('orchestration.secretStore');
  if (!isPlainObject(store)) return undefined;
  const sets: { prefix: string; providers: unknown }[] = [
    { prefix: 'orchestration.secretStore', providers: store },
  ];
  const tenants = store.physicalTenants;
  if (isPlainObject(tenants)) {
    for (const id of Object.keys(tenants).sort()) {
      sets.push({ prefix: `orchestration.secretStore.physicalTenants.${id}`, providers: tenants[id] });
    }
  }
  let found: { arn: string; key: string } | undefined;
  for (const { prefix, providers } of sets) {
    if (!isPlainObject(providers) || !isPlainObject(providers.aws)) continue;
    for (const id of Object.keys(providers.aws).sort()) {
      const cfg = providers.aws[id];
      if (isPlainObject(cfg) && truthy(cfg.roleArn))
        found = { arn: String(cfg.roleArn), key: `${prefix}.aws.${id}.roleArn` };
    }
  }
  return found;
}

/** Bitnami common.names.fullname (common 2.x shipped with chart 13+) sanitises the release name. */
function keycloakReleaseName(profile: ChartProfile, release: string): string {
  return profile.major >= 13 ? release.toLowerCase().replace(/(-?[^a-z\d-])+-?/g, '-') : release;
}

interface SaSettings {
  enabled: boolean;
  name?: string;
  annotations: Record<string, string>;
  fullnameOverride?: string;
  nameOverride?: string;
  paths: string[];
}

function webModelerHubSettings(profile: ChartProfile, v: Values, spec: ComponentSpec): SaSettings {
  const view = hubView(profile, v);
  const pick = (sub: string) => hubPick(view, v, sub);
  let annotations: Record<string, string>;
  if (view.merge === 'deep') {
    annotations = stringMap(
      deepOverlay(
        v.get('webModeler.serviceAccount.annotations'),
        v.get(`${view.base}.serviceAccount.annotations`),
      ),
    );
  } else {
    annotations = stringMap(pick('serviceAccount.annotations').value);
  }
  return {
    enabled: switchValue(pick('serviceAccount.enabled').value) ?? spec.saEnabledByDefault,
    name: nonEmptyString(pick('serviceAccount.name').value),
    annotations,
    fullnameOverride: nonEmptyString(pick('fullnameOverride').value),
    nameOverride: nonEmptyString(pick('nameOverride').value),
    paths: [`${view.base}.serviceAccount`, 'webModeler.serviceAccount'],
  };
}

function plainSettings(v: Values, spec: ComponentSpec): SaSettings {
  const base = `${spec.key}.serviceAccount`;
  let annotations = stringMap(v.get(`${base}.annotations`));
  if (spec.key === 'identityKeycloak') {
    // Bitnami: serviceAccount.annotations merged over commonAnnotations (the former win).
    annotations = { ...stringMap(v.get('identityKeycloak.commonAnnotations')), ...annotations };
  }
  const chartLevel = spec.nameFrom === 'chart';
  return {
    enabled: switchValue(v.get(`${base}.${spec.saSwitch}`)) ?? spec.saEnabledByDefault,
    name: v.string(`${base}.name`),
    annotations,
    // charts 8/9 connectors & console: camundaPlatform.fullname with nameOverride forced to the component
    fullnameOverride: v.string(chartLevel ? 'fullnameOverride' : `${spec.key}.fullnameOverride`),
    nameOverride: chartLevel ? undefined : v.string(`${spec.key}.nameOverride`),
    paths: [base],
  };
}

/**
 * The ServiceAccount a component's pods run as, as the chart's `serviceAccountName` helper decides:
 * `serviceAccount.name` if set (even when the chart does not create it), else the component's full
 * name when the chart creates the SA, else `default`.
 */
export function serviceAccountFor(
  profile: ChartProfile,
  values: Values,
  releaseName: string,
  componentKey: string,
): ServiceAccountPlan {
  const spec = specFor(profile, componentKey);
  if (!spec) throw new Error(`unknown component "${componentKey}" for chart ${profile.major}.x`);
  const v = withSubcharts(profile, values);
  const s =
    spec.key === 'webModeler' && profile.hasCamundaHub
      ? webModelerHubSettings(profile, v, spec)
      : plainSettings(v, spec);

  const annotations = { ...s.annotations };
  let roleArnKey: string | undefined;
  if (spec.key === 'orchestration' && profile.hasCamundaHub) {
    const store = secretStoreRoleArn(v);
    if (store) {
      annotations[ROLE_ARN_ANNOTATION] = store.arn; // mergeOverwrite: the secret store's annotation wins
      roleArnKey = store.key;
    }
  }

  let name: string;
  let how: ServiceAccountPlan['how'];
  if (s.name) {
    name = s.name;
    how = 'values';
  } else if (s.enabled) {
    const release = spec.key === 'identityKeycloak' ? keycloakReleaseName(profile, releaseName) : releaseName;
    name = helmFullname(release, spec.saNamePart ?? spec.fullnamePart, s.fullnameOverride, s.nameOverride);
    how = 'generated';
  } else {
    name = 'default';
    how = 'default';
  }
  return {
    enabled: s.enabled,
    name,
    how,
    annotations,
    settingsPaths: s.paths,
    ...(roleArnKey ? { roleArnKey } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// OpenSearch
// ---------------------------------------------------------------------------------------------

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

interface Endpoint {
  host?: string;
  port?: number;
  hostKey?: string;
}

function parseUrl(raw: string): { host: string; port: number } | undefined {
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

const G_OS = 'global.opensearch';
const G_ES = 'global.elasticsearch';
const OPT_OS = 'optimize.database.opensearch';
const OPT_ES = 'optimize.database.elasticsearch';
const ORCH_STORE = 'orchestration.data.secondaryStorage';

function globalEndpoint(v: Values): Endpoint {
  const host = v.string(`${G_OS}.url.host`);
  return {
    host,
    port: toPort(v.get(`${G_OS}.url.port`)) ?? 443,
    ...(host ? { hostKey: `${G_OS}.url.host` } : {}),
  };
}

/** camundaPlatform.opensearchHost/Port (8.9+): optimize's url first, then the global one. */
function optimizeEndpoint(v: Values): Endpoint {
  const own = v.string(`${OPT_OS}.url.host`);
  const host = own ?? v.string(`${G_OS}.url.host`);
  const port = toPort(v.get(`${OPT_OS}.url.port`)) ?? toPort(v.get(`${G_OS}.url.port`)) ?? 443;
  const hostKey = own ? `${OPT_OS}.url.host` : host ? `${G_OS}.url.host` : undefined;
  return { host, port, ...(hostKey ? { hostKey } : {}) };
}

/** camundaPlatform.opensearchURL (8.9+): the secondary-storage URL, else optimize's / the global url. */
function orchestrationEndpoint(v: Values): Endpoint {
  const url = v.string(`${ORCH_STORE}.opensearch.url`);
  const parsed = url ? parseUrl(url) : undefined;
  if (parsed) return { ...parsed, hostKey: `${ORCH_STORE}.opensearch.url` };
  return optimizeEndpoint(v);
}

function flag(v: Values, key: string): boolean {
  return v.bool(key) === true;
}

/** orchestration.secondaryStorage (8.9+): explicit type, else derived from the other switches. */
function orchestrationStorage(v: Values): SecondaryStorage {
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

function storageFrom(es: boolean, os: boolean, none = false): SecondaryStorage {
  if (none) return 'none';
  return es ? 'elasticsearch' : os ? 'opensearch' : 'unset';
}

function openSearchFor(profile: ChartProfile, v: Values, key: string): OpenSearchComponent {
  const gOs = flag(v, `${G_OS}.enabled`);
  const gEs = flag(v, `${G_ES}.enabled`);
  const gAws = flag(v, `${G_OS}.aws.enabled`);
  const globalKeys = [`${G_ES}.enabled`, `${G_OS}.enabled`, `${G_OS}.aws.enabled`];
  const noSecondary = profile.major >= 13 && flag(v, 'global.noSecondaryStorage');

  if (profile.major >= 14 && key === 'orchestration') {
    const type = v.string(`${ORCH_STORE}.type`);
    const storage = orchestrationStorage(v);
    const typed = type !== undefined;
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

// ---------------------------------------------------------------------------------------------
// Web Modeler database
// ---------------------------------------------------------------------------------------------

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
