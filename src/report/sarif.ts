/**
 * SARIF 2.1.0 for code-scanning UIs: one rule per catalogue check (its stable ID, title, fix
 * and README anchor), one result per WARN/FAIL. Every result has a location (sarif-locations.ts)
 * and a partial fingerprint that stays the same across runs (check, release, component and the
 * logical location, never the message, which may carry timestamps), so GitHub code scanning
 * tracks an alert from run to run instead of opening a new one.
 */
import { createHash } from 'node:crypto';
import type { Catalogue } from '../core/catalogue.js';
import type { Finding } from '../core/finding.js';
import { VERSION } from '../version.js';
import { docLink } from './doc-link.js';
import type { Locate } from './sarif-locations.js';
import { escapeControl, sarifUri } from './escape.js';

/** Without the run's facts (a usage error, a fatal precondition): the namespace itself. */
function fallbackLocate(namespace: string): Locate {
  return () => ({
    logical: {
      fullyQualifiedName: `kubernetes://current-context/${namespace || 'all-namespaces'}`,
      kind: 'resource',
    },
    physical: { uri: `current-context/${namespace || 'all-namespaces'}` },
  });
}

function fingerprint(f: Finding, logical: string): string {
  return createHash('sha256')
    .update([f.check, f.release ?? '', f.component ?? '', logical].join('\u0000'))
    .digest('hex')
    .slice(0, 32);
}

export function sarifReport(
  findings: readonly Finding[],
  catalogue: Catalogue,
  locate: Locate | string = '',
): object {
  const where = typeof locate === 'string' ? fallbackLocate(locate) : locate;
  const rules = catalogue.entries().map((c) => ({
    id: c.id,
    name: `${c.module}/${c.id}`,
    shortDescription: { text: c.title },
    fullDescription: { text: c.title },
    help: {
      text: `${c.title}.${c.fix ? ` Fix: ${c.fix}` : ''} See ${docLink(c.anchor)}.`,
      markdown: `**${c.title}**${c.fix ? `\n\nFix: ${c.fix}` : ''}\n\nSee \`${docLink(c.anchor)}\` (\`irsa-check --explain ${c.id}\`).`,
    },
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
    .map((f) => {
      const { logical, physical } = where(f);
      return {
        ruleId: f.check!,
        ...(index.has(f.check!) ? { ruleIndex: index.get(f.check!) } : {}),
        level: f.level === 'FAIL' ? 'error' : 'warning',
        message: {
          // Plain text shown in a code-scanning UI: visible control characters, as in text output.
          text: escapeControl(
            `${f.component ? `${f.component}: ` : ''}${f.message}${f.fix ? ` Fix: ${f.fix}` : ''}`,
          ),
        },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: sarifUri(physical.uri) },
              ...(physical.line !== undefined ? { region: { startLine: physical.line } } : {}),
            },
            logicalLocations: [logical],
          },
        ],
        partialFingerprints: { 'irsaCheck/v1': fingerprint(f, logical.fullyQualifiedName) },
        properties: {
          module: f.module,
          ...(f.component ? { component: f.component } : {}),
          ...(f.release ? { release: f.release } : {}),
          ...(f.code !== undefined ? { exitCode: f.code } : {}),
        },
      };
    });
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
