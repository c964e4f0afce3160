/** `irsa-check --list-checks`: the catalogue as text (one check a line) or JSON. */
import { CATALOGUE } from '../checks/index.js';
import { docLink } from './doc-link.js';

export function listChecks(format: 'text' | 'json' | string): string {
  const entries = CATALOGUE.entries();
  if (format === 'json') {
    return (
      JSON.stringify(
        entries.map((c) => ({
          id: c.id,
          module: c.module,
          severity: c.severity,
          ...(c.code !== undefined ? { exitCode: c.code } : {}),
          title: c.title,
          ...(c.fix ? { fix: c.fix } : {}),
          doc: docLink(c.anchor),
        })),
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
