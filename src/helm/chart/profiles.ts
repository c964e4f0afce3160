/**
 * One profile per chart major: its components, their keys and lists, the service-account
 * switches and the sub-chart defaults the release does not serialise (camunda-platform-8.x values.yaml).
 */
import { ChartVersion } from './version.js';

export type Tree = Record<string, unknown>;

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
  /**
   * The chart ships a values.schema.json (8.8+): switches are typed booleans. Without one (8.6/8.7
   * and older) the templates see the raw value, and the string "false" is true for `{{ if }}`.
   */
  valuesSchema: boolean;
  /**
   * The Keycloak subchart's `common.names.fullname` cleans the release name (lower case, each run
   * of characters other than [a-z0-9-] becomes "-"): Bitnami Keycloak 24.x (8.7, 8.8, 8.9) does,
   * 22.2.6 (8.6) and older do not.
   */
  keycloakCleansReleaseName: boolean;
  /** Chart 15 only: see HubMerge. */
  hubMerge?: HubMerge;
}

export interface CompOpts {
  lists?: ListKind[];
  enabled?: boolean;
  sa?: boolean;
  saSwitch?: 'enabled' | 'create';
  enabledKey?: string;
  nameFrom?: 'component' | 'chart';
  aliases?: string[];
}

export function comp(key: string, fullnamePart: string, o: CompOpts = {}): ComponentSpec {
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
export const BITNAMI_KEYCLOAK_DEFAULTS: Tree = {
  nameOverride: '',
  fullnameOverride: '',
  commonAnnotations: {},
  image: { registry: 'docker.io', repository: 'bitnami/keycloak' },
  serviceAccount: { create: true, name: '', annotations: {} },
  postgresql: { enabled: true },
  externalDatabase: { host: '', port: 5432, user: 'bn_keycloak', database: 'bitnami_keycloak' },
  extraEnvVars: [],
};

export const OS_SPLIT = ['zeebe', 'operate', 'tasklist', 'optimize'];
export const OS_UNIFIED = ['orchestration', 'optimize'];

export interface ProfileRow {
  major: number;
  camunda: string;
  supported: boolean;
  components: ComponentSpec[];
  defaultOs: string[];
  hasKeycloakSubchart: boolean;
  hasCamundaHub: boolean;
}

export function splitLayout(major: 8 | 9 | 10 | 11 | 12): ComponentSpec[] {
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

export function unifiedLayout(major: 13 | 14 | 15): ComponentSpec[] {
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
    // 8.9+: orchestration's secondary storage may be a relational database (rdbms.aws: IAM auth).
    comp('orchestration', 'zeebe', { lists: major >= 14 ? ['os', 'pg'] : ['os'] }),
    comp('optimize', 'optimize', { lists: ['os'], enabled: false }),
  ];
}

export const ROWS: ProfileRow[] = [
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

export const DEFAULT_PG = ['identityKeycloak', 'identity', 'webModeler'];

export function hubMergeFor(version: ChartVersion): HubMerge {
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
    valuesSchema: row.major >= 13,
    keycloakCleansReleaseName: row.hasKeycloakSubchart && row.major >= 12,
    ...(row.hasCamundaHub ? { hubMerge: hubMergeFor(version) } : {}),
  };
}

export const normalise = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Case-insensitive, ignoring '-'/'_': 'webmodeler' → webModeler, 'zeebe-gateway' ↔ zeebeGateway. */
export function resolveComponent(profile: ChartProfile, name: string): ComponentSpec | undefined {
  const wanted = normalise(name);
  if (!wanted) return undefined;
  return (
    profile.components.find((c) => normalise(c.key) === wanted) ??
    profile.components.find((c) => c.aliases?.some((a) => normalise(a) === wanted))
  );
}

export function specFor(profile: ChartProfile, componentKey: string): ComponentSpec | undefined {
  return profile.components.find((c) => c.key === componentKey) ?? resolveComponent(profile, componentKey);
}
