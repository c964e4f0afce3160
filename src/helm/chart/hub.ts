/** Chart 15: the camundaHub block the templates overlay on webModeler (camundaHub.mergeInto). */
import { isPlainObject, Values } from '../values.js';
import type { ChartProfile, HubMerge } from './profiles.js';
import { defaultsHave, truthy } from './template.js';

export interface HubView {
  merge: HubMerge;
  /** 'camundaHub' or 'camundaHub.webModeler'. */
  base: string;
}

/**
 * The deep-merge templates (camunda-hub/_helpers.tpl `camundaHub.mergeInto`) arrived on the chart's
 * main branch while Chart.yaml still said 15.0.0-alpha4; their values.yaml declares
 * `camundaHub.contextPath:` as null ("[nullable]"), where the released 15.0.0-alpha4 has `""`.
 * Chart defaults that say so (a release's stored defaults, --chart) decide over the version.
 */
function defaultsDeepMerge(values: Values): boolean {
  const hub = values.defaults.camundaHub;
  return isPlainObject(hub) && 'contextPath' in hub && hub.contextPath === null;
}

export function hubView(profile: ChartProfile, values: Values): HubView {
  // The alpha1..3 layout is recognisable from the defaults (or from values lacking alpha4+ defaults).
  const nested =
    defaultsHave(values, 'camundaHub.webModeler') ||
    (values.has('camundaHub.webModeler') && !defaultsHave(values, 'camundaHub.restapi'));
  let merge: HubMerge = nested ? 'nested-or' : (profile.hubMerge ?? 'deep');
  if (merge === 'or' && defaultsDeepMerge(values)) merge = 'deep';
  return { merge, base: merge === 'nested-or' ? 'camundaHub.webModeler' : 'camundaHub' };
}

/**
 * `fullnameOverride`/`nameOverride` as `webModeler.fullname` reads them:
 * - deep (camundaHub.values): the merged value, like every other key;
 * - or (15.0.0-alpha4 web-modeler/_helpers.tpl, webModeler.fullname): `mustMergeOverwrite (deepCopy
 *   .Values.webModeler) (dict "fullnameOverride" .Values.camundaHub.fullnameOverride …)`. Sprig's
 *   mergeOverwrite is mergo with WithOverride, which writes a nil source value over the destination
 *   (darccio/mergo merge.go, the `srcElement.IsNil()` branch), so only camundaHub's value counts:
 *   webModeler.fullnameOverride never reaches the name;
 * - nested-or (alpha1..3): `mustMergeOverwrite (deepCopy .Values.webModeler) .Values.camundaHub.webModeler`:
 *   a key present under camundaHub.webModeler overwrites (even ""), an absent one keeps webModeler's.
 */
export function hubNameOverride(
  view: HubView,
  values: Values,
  sub: 'fullnameOverride' | 'nameOverride',
): unknown {
  if (view.merge === 'or') return values.get(`camundaHub.${sub}`);
  if (view.merge === 'nested-or')
    return values.has(`${view.base}.${sub}`)
      ? values.get(`${view.base}.${sub}`)
      : values.get(`webModeler.${sub}`);
  return hubPick(view, values, sub).value;
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
