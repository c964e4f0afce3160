/** Whether a component is deployed, as the chart's `<component>.enabled` conditions decide it. */
import { Values } from '../values.js';
import type { ChartProfile } from './profiles.js';
import { specFor } from './profiles.js';
import { chartSwitch, withSubcharts } from './template.js';

export function topologyMode(values: Values): string {
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
    // Helm reads a condition path only when it holds a real boolean (a string is skipped with a warning).
    const condition = (key: string) => {
      const raw = v.get(key);
      return typeof raw === 'boolean' ? raw : profile.valuesSchema ? v.bool(key) : undefined;
    };
    if (profile.major <= 12) {
      const legacy = condition('identity.keycloak.enabled');
      if (legacy !== undefined) return legacy;
    }
    return condition('identityKeycloak.enabled') ?? true;
  }

  const own = (key: string, fallback: boolean) => chartSwitch(profile, v.get(key)) ?? fallback;
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
