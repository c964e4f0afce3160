/**
 * SARIF 2.1.0 for code-scanning UIs: one rule per exit code (from the module
 * registry), one result per WARN/FAIL. Findings point at the values file when
 * one was given, since that is where most fixes land.
 */
import type { Finding } from '../core/finding.js';
import type { CheckModule } from '../core/module.js';
import { VERSION } from '../version.js';

export function sarifReport(
  findings: readonly Finding[],
  modules: readonly CheckModule[],
  artifact?: string,
): object {
  const rules = modules.flatMap((m) =>
    m.codes.map((c) => ({
      id: `IRSA${c.code}`,
      name: `${m.id}/${c.code}`,
      shortDescription: { text: c.title },
      help: { text: c.fix },
    })),
  );
  const results = findings
    .filter((f) => f.level === 'FAIL' || f.level === 'WARN')
    .filter((f) => f.module !== 'summary')
    .map((f) => ({
      ...(f.code !== undefined ? { ruleId: `IRSA${f.code}` } : { ruleId: 'IRSA-WARN' }),
      level: f.level === 'FAIL' ? 'error' : 'warning',
      message: {
        text: `${f.component ? `${f.component}: ` : ''}${f.message}${f.fix ? ` Fix: ${f.fix}` : ''}`,
      },
      ...(artifact ? { locations: [{ physicalLocation: { artifactLocation: { uri: artifact } } }] } : {}),
      properties: { module: f.module, ...(f.component ? { component: f.component } : {}) },
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
            rules: [
              ...rules,
              { id: 'IRSA-WARN', name: 'warning', shortDescription: { text: 'suspicious, not failing' } },
            ],
          },
        },
        results,
      },
    ],
  };
}
