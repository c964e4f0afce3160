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
  const width = Math.max(...entries.map((c) => c.id.length));
  const modWidth = Math.max(...entries.map((c) => c.module.length));
  return (
    entries
      .map(
        (c) =>
          `${c.id.padEnd(width)}  ${c.module.padEnd(modWidth)}  ${(c.severity + (c.code !== undefined ? ` ${c.code}` : '')).padEnd(8)}  ${c.title}`,
      )
      .join('\n') + '\n'
  );
}
