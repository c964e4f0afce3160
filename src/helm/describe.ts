/** How a Helm value reads in a finding: what the user (or the chart) set, and who set it. */
import type { Values } from './values.js';

/** `true`, `false`, `"opensearch"`, `not set`, with "(chart default)" when the chart's defaults answered. */
export function describeValue(values: Values, key: string): string {
  const v = values.get(key);
  const shown =
    v === undefined || v === null
      ? 'not set'
      : v === ''
        ? 'empty'
        : typeof v === 'string'
          ? `"${v}"`
          : typeof v === 'object'
            ? 'not a value'
            : String(v);
  return values.source(key) === 'default' ? `${shown} (chart default)` : shown;
}
