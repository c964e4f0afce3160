/**
 * `--output markdown` and `--summary FILE`: a short report for a pull request comment or a
 * GitHub Actions job summary (GitHub renders Markdown tables, <details> and ```mermaid blocks).
 * Every FAIL with its fix first, then per component its trust chain as a Mermaid flowchart
 * (src/report/trust-chain.ts) and a table of its findings. Findings arrive redacted (run.ts).
 */
import type { Finding, Level } from '../core/finding.js';
import { summarize } from './format.js';
import { markdownCode, markdownText, mermaidLabel } from './escape.js';
import {
  trustChain,
  type ChainLabels,
  type ChainNode,
  type LinkStatus,
  type TrustChain,
} from './trust-chain.js';
import { VERSION } from '../version.js';

/** Modules whose findings are the run's own ending, drawn as the report's heading and notes instead. */
const CLOSING = 'summary';

export interface MarkdownOptions {
  namespace: string;
  /** Node names for a component's chain (single-release runs know them from their facts). */
  labels?: (component: string, release: string | undefined) => ChainLabels;
}

const MARK: Record<Level, string> = { OK: '✓', INFO: 'ℹ', WARN: '⚠', FAIL: '✗' };
const LINK_MARK: Record<LinkStatus, string> = { ok: '✓', fail: '✗', unchecked: 'not checked' };
const LINK_COLOUR: Record<LinkStatus, string> = {
  ok: 'stroke:#1a7f37,stroke-width:2px',
  fail: 'stroke:#d1242f,stroke-width:3px',
  unchecked: 'stroke:#8c959f,stroke-dasharray:4 4',
};

/**
 * Trusted text (irsa-check's own catalogue) for a table cell: no pipes, line breaks or HTML.
 * Findings quote the cluster and the values: the report writes them with `markdownText`.
 */
export function cell(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>');
}

/** Text inside a quoted Mermaid label (src/report/escape.ts). */
export const mermaidText = mermaidLabel;

function nodeId(component: string, node: string): string {
  return `${component.replace(/[^A-Za-z0-9]/g, '_')}_${node}`;
}

export const NODE_KIND: Record<ChainNode, string> = {
  pods: 'pods',
  sa: 'ServiceAccount',
  role: 'IAM role',
  provider: 'IAM OIDC provider',
  issuer: 'cluster OIDC issuer',
  aurora: 'Aurora PostgreSQL',
  opensearch: 'OpenSearch',
};

function nodeName(chain: TrustChain, node: ChainNode): string | undefined {
  const l = chain.labels;
  const names: Record<ChainNode, string | undefined> = {
    pods: undefined,
    sa: l.serviceAccount,
    role: l.role,
    provider: l.provider,
    issuer: l.issuer,
    aurora: l.aurora,
    opensearch: l.opensearch,
  };
  return names[node];
}

/** One component's trust chain as a Mermaid flowchart, each link marked ✓, ✗ or "not checked". */
export function mermaidChain(chain: TrustChain): string {
  const lines = ['flowchart LR'];
  const declared = new Set<string>();
  const node = (n: ChainNode): string => {
    const id = nodeId(chain.component, n);
    if (declared.has(id)) return id;
    declared.add(id);
    const name = nodeName(chain, n);
    // One line of plain text: no <br/>, so no label depends on Mermaid's HTML sanitiser.
    return `${id}["${mermaidText(NODE_KIND[n])}${name ? ` ${mermaidText(name)}` : ''}"]`;
  };
  for (const link of chain.links) {
    lines.push(`  ${node(link.from)} -->|"${LINK_MARK[link.status]}"| ${node(link.to)}`);
  }
  chain.links.forEach((link, i) => lines.push(`  linkStyle ${i} ${LINK_COLOUR[link.status]}`));
  return lines.join('\n');
}

function findingsTable(findings: readonly Finding[]): string[] {
  const rows = findings.filter((f) => f.level !== 'INFO');
  if (rows.length === 0) return ['No checks ran for it.'];
  return [
    '| check | result | finding |',
    '|---|:---:|---|',
    ...rows.map((f) => {
      const fix = f.level === 'FAIL' && f.fix ? `<br>**Fix:** ${markdownText(f.fix)}` : '';
      const code = f.code !== undefined ? ` (code ${f.code})` : '';
      return `| ${markdownText(f.module)} | ${MARK[f.level]} ${f.level}${code} | ${markdownText(f.message)}${fix} |`;
    }),
  ];
}

function counts(findings: readonly Finding[]): string {
  const s = summarize(findings);
  return [`${s.ok} OK`, `${s.warn} WARN`, `${s.fail} FAIL`].join(', ');
}

function section(title: string, findings: readonly Finding[], level: number, diagram?: string): string[] {
  const fails = findings.some((f) => f.level === 'FAIL');
  const out = [`${'#'.repeat(level)} ${fails ? MARK.FAIL : MARK.OK} ${markdownText(title)}`, ''];
  if (diagram) out.push('```mermaid', diagram, '```', '');
  out.push(
    `<details${fails ? ' open' : ''}><summary>${counts(findings)}</summary>`,
    '',
    ...findingsTable(findings),
    '',
    '</details>',
    '',
  );
  return out;
}

/** The findings of one release (all of a single-namespace run): components in the order they first appear. */
function releaseSections(
  findings: readonly Finding[],
  release: string | undefined,
  level: number,
  options: MarkdownOptions,
): string[] {
  const general = findings.filter((f) => f.component === undefined);
  const components = [...new Set(findings.flatMap((f) => (f.component === undefined ? [] : [f.component])))];
  const out = section('Cluster and release', general, level);
  for (const component of components) {
    const own = findings.filter((f) => f.component === component);
    const chain = trustChain(component, findings, options.labels?.(component, release) ?? {});
    out.push(...section(component, own, level, mermaidChain(chain)));
  }
  return out;
}

export function markdownReport(all: readonly Finding[], options: MarkdownOptions): string {
  const findings = all.filter((f) => f.module !== CLOSING);
  const notes = all.filter((f) => f.module === CLOSING && f.level === 'INFO');
  const s = summarize(all);
  const fails = findings.filter((f) => f.level === 'FAIL');
  const out = [
    s.fail === 0
      ? `## ${MARK.OK} irsa-check: all checks passed`
      : `## ${MARK.FAIL} irsa-check: ${fails.length} check(s) failed (exit code ${s.exitCode})`,
    '',
    `Namespace ${options.namespace ? markdownCode(options.namespace) : 'all'} · irsa-check ${VERSION} · ${counts(findings)}`,
    '',
  ];
  if (fails.length > 0) {
    out.push('### Failures', '');
    fails.forEach((f, i) => {
      const where = [f.release, f.component, f.module].filter(Boolean).join(' · ');
      out.push(`${i + 1}. **${markdownText(where)}** (code ${f.code ?? 1}): ${markdownText(f.message)}`);
      if (f.fix) out.push(`   **Fix:** ${markdownText(f.fix)}`);
    });
    out.push('');
  }
  const releases = [...new Set(findings.map((f) => f.release))];
  if (releases.length === 1 && releases[0] === undefined) {
    out.push(...releaseSections(findings, undefined, 3, options));
  } else {
    // -A: the run's own preflight, then one part per release.
    const own = findings.filter((f) => f.release === undefined);
    if (own.length > 0) out.push(...section('irsa-check', own, 3));
    for (const release of releases.filter((r): r is string => r !== undefined)) {
      out.push(`### Release ${markdownCode(release)}`, '');
      out.push(
        ...releaseSections(
          findings.filter((f) => f.release === release),
          release,
          4,
          options,
        ),
      );
    }
  }
  out.push(
    `Trust chain links: ${LINK_MARK.ok} checked and sound · ${LINK_MARK.fail} broken (see Failures) · not checked: no check of this run covered it.`,
    '',
  );
  if (notes.length > 0)
    out.push(
      ...notes
        .map((n) => `> ${markdownText(n.message)}`)
        .join('\n>\n')
        .split('\n'),
      '',
    );
  return out.join('\n');
}
