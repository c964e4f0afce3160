/**
 * `irsa-check --explain <check-id>`: one check from the catalogue, for a person who met its line
 * (or a CI log) and wants to know what it means: what fails, which module checks it and why, the
 * fix, what the module reads, and where it is documented. A module ID explains the module and
 * lists its checks. An unknown ID is a usage error with the closest IDs.
 */
import { CATALOGUE, CHECK_MODULES } from '../checks/index.js';
import { UsageError } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';
import { docLink, entryJson } from './doc-link.js';

function reads(module: string): string {
  const m = CHECK_MODULES.find((x) => x.id === module);
  if (!m) return "irsa-check's own run: the command line, the kubeconfig, the Kubernetes and AWS answers";
  const needs = m.needs.length > 0 ? `needs ${m.needs.join(', ')}` : 'needs nothing';
  return m.uses.length > 0 ? `${needs}; also uses ${m.uses.join(', ')}` : needs;
}

function moduleTitle(module: string): string {
  return CHECK_MODULES.find((x) => x.id === module)?.title ?? "irsa-check's own checks";
}

export function explainCheck(id: string, format: string): string {
  const entry = CATALOGUE.get(id);
  const module = CHECK_MODULES.find((m) => m.id === id);
  if (!entry && !module) {
    const known = [...CATALOGUE.entries().map((c) => c.id), ...CHECK_MODULES.map((m) => m.id)];
    throw new UsageError(
      `--explain: unknown check "${id}"${didYouMean(id, known)} (irsa-check --list-checks lists them)`,
    );
  }
  if (entry) {
    if (format === 'json') {
      return JSON.stringify({ id, ...entryJson(entry), reads: reads(entry.module) }, null, 2) + '\n';
    }
    const severity = `${entry.severity}${entry.code !== undefined ? `, exit code ${entry.code}` : ''}`;
    return (
      [
        `${id}: ${entry.title}`,
        `  severity:  ${severity} (the level it reports when it does not pass; [OK] when it does)`,
        `  why:       checked by module ${entry.module} (${moduleTitle(entry.module)})`,
        `  reads:     ${reads(entry.module)}`,
        ...(entry.fix ? [`  fix:       ${entry.fix}`] : []),
        `  doc:       ${docLink(entry.anchor)}`,
      ].join('\n') + '\n'
    );
  }
  const checks = CATALOGUE.entries().filter((c) => c.module === module!.id);
  if (format === 'json') {
    return (
      JSON.stringify(
        { id, module: true, title: module!.title, reads: reads(id), checks: checks.map((c) => c.id) },
        null,
        2,
      ) + '\n'
    );
  }
  return (
    [
      `${id}: module — ${module!.title}`,
      `  reads:     ${reads(id)}`,
      `  checks:    ${checks.map((c) => c.id).join(', ')}`,
      `  more:      irsa-check --explain <check-id>`,
    ].join('\n') + '\n'
  );
}
