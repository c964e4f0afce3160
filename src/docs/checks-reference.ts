/**
 * docs/CHECKS.md, generated from the check catalogue: per module (in registry order) the facts
 * it needs and provides, and per check its ID, severity, exit code, title, fix and README
 * anchor. test/readme.test.ts keeps the file in sync (`UPDATE_FIXTURES=1` rewrites it).
 */
import type { Catalogue, CatalogueEntry } from '../core/catalogue.js';
import { FACT_LABELS } from '../engine/facts.js';
import type { CheckModule } from '../engine/module.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(entries: CatalogueEntry[]): string[] {
  return [
    '| ID | severity | exit code | when it does not pass | fix |',
    '|---|---|---:|---|---|',
    ...entries.map(
      (c) =>
        `| [\`${c.id}\`](../README.md#${c.anchor}) | ${c.severity} | ${c.code ?? '–'} | ${cell(c.title)} | ${cell(c.fix ?? '')} |`,
    ),
  ];
}

const facts = (keys: readonly (keyof typeof FACT_LABELS)[]) =>
  keys.length === 0 ? 'nothing' : keys.map((k) => `${FACT_LABELS[k]} (\`${k}\`)`).join(', ');

export function checksReference(catalogue: Catalogue, modules: readonly CheckModule[]): string {
  const entries = catalogue.entries();
  const lines = [
    '# Check reference',
    '',
    '<!-- Generated from the check catalogue by `UPDATE_FIXTURES=1 npx vitest run test/readme.test.ts`: do not edit. -->',
    '',
    'Every check irsa-check can report, by module in report order. A check reports its severity when it does',
    'not pass (an `[OK]` line reports the same ID passing); a FAIL exits with its code, and a run exits with the',
    "code of its last FAIL. Each ID links to the README's row for it, which `--list-checks`, SARIF and JSON point",
    'to as well. A module starts once the facts it needs exist; when one is missing it prints one',
    '`skipped: needs …` line instead of its checks. How to add a check: [ARCHITECTURE.md](ARCHITECTURE.md).',
    '',
    "## `run`: irsa-check's own checks",
    '',
    'Raised by the command line, the dispatcher or any module.',
    '',
    ...table(entries.filter((c) => c.module === 'run')),
  ];
  for (const m of modules) {
    const own = entries.filter((c) => c.module === m.id);
    lines.push('', `## \`${m.id}\`: ${m.title}`, '');
    lines.push(`Needs ${facts(m.needs)}; waits for ${facts(m.uses)}; provides ${facts(m.provides)}.`);
    lines.push('', ...(own.length > 0 ? table(own) : ['Reports no check of its own: INFO lines only.']));
  }
  return lines.join('\n') + '\n';
}
