/** Go-template semantics and Helm's name helpers, as the chart's `_helpers.tpl` uses them. */
import { isPlainObject, Values } from '../values.js';
import type { ChartProfile } from './profiles.js';

type Tree = Record<string, unknown>;

/** Truthiness as Go templates see it (`if`, `or`, `default`). */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

/**
 * A switch as a chart with a values schema sees it (8.8+, `values.schema.json` types the switches
 * as booleans, so only real booleans reach the templates; the strings "true"/"false" are read as
 * what the user meant). Undefined when absent.
 */
export function switchValue(v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return truthy(v);
}

/**
 * A switch as the templates of this chart build see it. Charts without a values schema (8.6/8.7
 * and older) hand the raw value to `{{ if }}`: the string "false" is a non-empty string, so true.
 */
export function chartSwitch(profile: ChartProfile, v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  return profile.valuesSchema ? switchValue(v) : truthy(v);
}

export function nonEmptyString(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return typeof v === 'string' ? v : String(v);
}

export function toPort(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
}

/** Sprig `trunc 63 | trimSuffix "-"` (one trailing dash, like strings.TrimSuffix). */
export function trunc63(s: string): string {
  const t = s.slice(0, 63);
  return t.endsWith('-') ? t.slice(0, -1) : t;
}

/** The chart's componentFullname / common.names.fullname. */
export function helmFullname(
  release: string,
  part: string,
  fullnameOverride?: string,
  nameOverride?: string,
): string {
  if (fullnameOverride) return trunc63(fullnameOverride);
  const name = nameOverride || part;
  return release.includes(name) ? trunc63(release) : trunc63(`${release}-${name}`);
}

export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isPlainObject(v)) return out;
  for (const [k, val] of Object.entries(v)) {
    if (val === undefined || val === null) continue;
    out[k] = typeof val === 'string' ? val : typeof val === 'object' ? JSON.stringify(val) : String(val);
  }
  return out;
}

/** Maps merged recursively, `over` winning; null in `over` falls through (camundaHub.mergeInto). */
export function deepOverlay(base: unknown, over: unknown): unknown {
  if (over === undefined || over === null) return base;
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Tree = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = deepOverlay(base[k], v);
    return out;
  }
  return over;
}

export function withSubcharts(profile: ChartProfile, values: Values): Values {
  return Object.keys(profile.subchartDefaults).length > 0
    ? values.withBaseDefaults(profile.subchartDefaults)
    : values;
}

export function defaultsHave(values: Values, path: string): boolean {
  return new Values(values.defaults, {}).has(path);
}
