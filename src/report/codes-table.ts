/**
 * The README's tables, generated from the check catalogue (every module declares
 * its checks), so the documentation cannot drift from the code: the exit codes,
 * and every check with its ID, severity, title and fix (the anchors that
 * `--list-checks`, SARIF and JSON point to).
 */
import type { Catalogue, CatalogueEntry } from '../core/catalogue.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function byCode(a: CatalogueEntry, b: CatalogueEntry): number {
  return (a.code ?? 0) - (b.code ?? 0) || a.module.localeCompare(b.module) || a.id.localeCompare(b.id);
}

/** code → the checks that exit with it (several checks may share a parity code). */
export function codesTable(catalogue: Catalogue): string {
  const rows = catalogue
    .entries()
    .filter((c) => c.code !== undefined)
    .sort(byCode)
    .map((c) => `| ${c.code} | [\`${c.id}\`](#${c.anchor}) | ${c.module} | ${cell(c.title)} |`);
  return [
    '| code | check | module | meaning |',
    '|---:|---|---|---|',
    '| 0 | – | – | every check passed (WARNs do not fail a run) |',
    ...rows,
  ].join('\n');
}

/** Every check, in registry order, each with its anchor. */
export function checksTable(catalogue: Catalogue): string {
  const rows = catalogue
    .entries()
    .map(
      (c) =>
        `| <a id="${c.anchor}"></a>\`${c.id}\` | ${c.module} | ${c.severity}${c.code !== undefined ? ` ${c.code}` : ''} | ${cell(c.title)} | ${cell(c.fix ?? '')} |`,
    );
  return [
    '| check | module | severity, exit code | when it does not pass | fix |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
