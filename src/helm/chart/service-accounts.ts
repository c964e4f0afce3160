/** The ServiceAccount each component's pods run as, exactly as `serviceaccount.yaml` and `_helpers.tpl` render it. */
import { isPlainObject, Values } from '../values.js';
import { ROLE_ARN_ANNOTATION } from '../../ports/kube.js';
import { hubNameOverride, hubPick, hubView } from './hub.js';
import type { ChartProfile, ComponentSpec } from './profiles.js';
import { specFor } from './profiles.js';
import {
  deepOverlay,
  helmFullname,
  nonEmptyString,
  stringMap,
  chartSwitch,
  truthy,
  withSubcharts,
} from './template.js';

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
export function secretStoreRoleArn(values: Values): { arn: string; key: string } | undefined {
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

/**
 * Bitnami common.names.fullname, as vendored with Keycloak 24.x (charts 12-14), cleans the release
 * name: `regexReplaceAll "(-?[^a-z\\d\\-])+-?" (lower .Release.Name) "-"`.
 */
export function keycloakReleaseName(profile: ChartProfile, release: string): string {
  return profile.keycloakCleansReleaseName
    ? release.toLowerCase().replace(/(-?[^a-z\d-])+-?/g, '-')
    : release;
}

export interface SaSettings {
  enabled: boolean;
  name?: string;
  annotations: Record<string, string>;
  fullnameOverride?: string;
  nameOverride?: string;
  paths: string[];
}

export function webModelerHubSettings(profile: ChartProfile, v: Values, spec: ComponentSpec): SaSettings {
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
    enabled: chartSwitch(profile, pick('serviceAccount.enabled').value) ?? spec.saEnabledByDefault,
    name: nonEmptyString(pick('serviceAccount.name').value),
    annotations,
    fullnameOverride: nonEmptyString(hubNameOverride(view, v, 'fullnameOverride')),
    nameOverride: nonEmptyString(hubNameOverride(view, v, 'nameOverride')),
    paths: [`${view.base}.serviceAccount`, 'webModeler.serviceAccount'],
  };
}

export function plainSettings(profile: ChartProfile, v: Values, spec: ComponentSpec): SaSettings {
  const base = `${spec.key}.serviceAccount`;
  let annotations = stringMap(v.get(`${base}.annotations`));
  if (spec.key === 'identityKeycloak') {
    // Bitnami: serviceAccount.annotations merged over commonAnnotations (the former win).
    annotations = { ...stringMap(v.get('identityKeycloak.commonAnnotations')), ...annotations };
  }
  const chartLevel = spec.nameFrom === 'chart';
  return {
    enabled: chartSwitch(profile, v.get(`${base}.${spec.saSwitch}`)) ?? spec.saEnabledByDefault,
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
      : plainSettings(profile, v, spec);

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

/** The component's full name (`<component>.fullname`): the base of its workload and pod names. */
export function componentFullname(
  profile: ChartProfile,
  values: Values,
  releaseName: string,
  componentKey: string,
): string | undefined {
  const spec = specFor(profile, componentKey);
  if (!spec) return undefined;
  const v = withSubcharts(profile, values);
  const s =
    spec.key === 'webModeler' && profile.hasCamundaHub
      ? webModelerHubSettings(profile, v, spec)
      : plainSettings(profile, v, spec);
  const release = spec.key === 'identityKeycloak' ? keycloakReleaseName(profile, releaseName) : releaseName;
  return helmFullname(release, spec.fullnamePart, s.fullnameOverride, s.nameOverride);
}
