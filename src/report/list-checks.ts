/** `irsa-check --list-checks`: the catalogue as text (one check a line) or JSON. */
import { CATALOGUE } from '../checks/index.js';
import { entryJson } from './doc-link.js';

export function listChecks(format: 'text' | 'json' | string): string {
  const entries = CATALOGUE.entries();
  if (format === 'json') {
    return (
      JSON.stringify(
        entries.map((c) => ({ id: c.id, ...entryJson(c) })),
        null,
        2,
      ) + '\n'
    );
  }
  const width = Math.max('CHECK'.length, ...entries.map((c) => c.id.length));
  const modWidth = Math.max('MODULE'.length, ...entries.map((c) => c.module.length));
  const row = (id: string, module: string, severity: string, title: string): string =>
    `${id.padEnd(width)}  ${module.padEnd(modWidth)}  ${severity.padEnd(8)}  ${title}`;
  return (
    [
      row('CHECK', 'MODULE', 'SEVERITY', 'WHEN IT DOES NOT PASS'),
      ...entries.map((c) =>
        row(c.id, c.module, c.severity + (c.code !== undefined ? ` ${c.code}` : ''), c.title),
      ),
      `${entries.length} checks; irsa-check --explain <check-id> for one`,
    ].join('\n') + '\n'
  );
}
