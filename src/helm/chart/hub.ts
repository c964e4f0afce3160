/** Chart 15: the camundaHub block the templates overlay on webModeler (camundaHub.mergeInto). */
import { Values } from '../values.js';
import type { ChartProfile, HubMerge } from './profiles.js';
import { defaultsHave, truthy } from './template.js';

export interface HubView {
  merge: HubMerge;
  /** 'camundaHub' or 'camundaHub.webModeler'. */
  base: string;
}

export function hubView(profile: ChartProfile, values: Values): HubView {
  // The alpha1..3 layout is recognisable from the defaults (or from values lacking alpha4+ defaults).
  const nested =
    defaultsHave(values, 'camundaHub.webModeler') ||
    (values.has('camundaHub.webModeler') && !defaultsHave(values, 'camundaHub.restapi'));
  const merge: HubMerge = nested ? 'nested-or' : (profile.hubMerge ?? 'deep');
  return { merge, base: merge === 'nested-or' ? 'camundaHub.webModeler' : 'camundaHub' };
}

/** The effective leaf under webModeler.<sub> with camundaHub overlaid, and the key that answered. */
export function hubPick(
  view: HubView,
  values: Values,
  sub: string,
): { key: string; value: unknown; hub: boolean } {
  const hubKey = `${view.base}.${sub}`;
  const wmKey = `webModeler.${sub}`;
  const hv = values.get(hubKey);
  const useHub = view.merge === 'deep' ? hv !== undefined && hv !== null : truthy(hv);
  return useHub
    ? { key: hubKey, value: hv, hub: true }
    : { key: wmKey, value: values.get(wmKey), hub: false };
}
