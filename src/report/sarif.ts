/**
 * SARIF 2.1.0 for code-scanning UIs: one rule per catalogue check (its stable ID,
 * title, fix and README anchor), one result per WARN/FAIL. Findings point at the
 * values file when one was given, since that is where most fixes land.
 */
import type { Catalogue } from '../core/catalogue.js';
import type { Finding } from '../core/finding.js';
import { VERSION } from '../version.js';
import { docLink } from './doc-link.js';

export function sarifReport(findings: readonly Finding[], catalogue: Catalogue, artifact?: string): object {
  const rules = catalogue.entries().map((c) => ({
    id: c.id,
    name: `${c.module}/${c.id}`,
    shortDescription: { text: c.title },
    ...(c.fix ? { help: { text: c.fix } } : {}),
    defaultConfiguration: {
      level: c.severity === 'FAIL' ? 'error' : c.severity === 'WARN' ? 'warning' : 'note',
    },
    properties: {
      module: c.module,
      doc: docLink(c.anchor),
      ...(c.code !== undefined ? { exitCode: c.code } : {}),
    },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = findings
    .filter((f) => (f.level === 'FAIL' || f.level === 'WARN') && f.check !== undefined)
    .map((f) => ({
      ruleId: f.check!,
      ruleIndex: index.get(f.check!),
      level: f.level === 'FAIL' ? 'error' : 'warning',
      message: {
        text: `${f.component ? `${f.component}: ` : ''}${f.message}${f.fix ? ` Fix: ${f.fix}` : ''}`,
      },
      ...(artifact ? { locations: [{ physicalLocation: { artifactLocation: { uri: artifact } } }] } : {}),
      properties: {
        module: f.module,
        ...(f.component ? { component: f.component } : {}),
        ...(f.release ? { release: f.release } : {}),
        ...(f.code !== undefined ? { exitCode: f.code } : {}),
      },
    }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'irsa-check',
            version: VERSION,
            informationUri: 'https://docs.camunda.io/docs/self-managed/setup/deploy/amazon/amazon-eks/irsa/',
            rules,
          },
        },
        results,
      },
    ],
  };
}
