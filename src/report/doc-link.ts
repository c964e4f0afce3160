import type { CatalogueEntry } from '../core/catalogue.js';

/** Where a check is documented: its anchor in irsa-check's README (shipped in the package). */
export function docLink(anchor: string): string {
  return `README.md#${anchor}`;
}

/** A catalogue entry as machine readers get it (--list-checks --output json, the JSON report). */
export function entryJson(c: CatalogueEntry): object {
  return {
    module: c.module,
    severity: c.severity,
    ...(c.code !== undefined ? { exitCode: c.code } : {}),
    title: c.title,
    ...(c.fix ? { fix: c.fix } : {}),
    doc: docLink(c.anchor),
  };
}
