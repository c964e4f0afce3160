/**
 * Gathers what the OpenSearch Helm settings check judges. Everything comes from the facts the
 * release module provides (values over the chart's defaults, the chart profile, the os list),
 * so the snapshot is the same whether the values come from a live release, a bundle or a
 * values file; what differs per mode is only who provided those facts.
 */
import type { ModuleContext } from '../engine/module.js';
import type { ChartProfile } from '../helm/chart.js';
import type { Values } from '../helm/values.js';

export interface OpenSearchValuesInput {
  profile: ChartProfile;
  values: Values;
  /** The os components the run checks, as chart keys. */
  osList: readonly string[];
  /** Values-only mode (`--values`): verdicts on unrendered `${VAR}` placeholders are dropped. */
  valuesMode: boolean;
}

export async function collectOpenSearchValues(
  ctx: ModuleContext<'profile' | 'values' | 'osList', never, 'openSearch'>,
): Promise<OpenSearchValuesInput> {
  const { profile, values, osList } = ctx.facts;
  return { profile, values, osList, valuesMode: ctx.options.values.length > 0 };
}
