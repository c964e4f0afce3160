/**
 * The end of a text run, before aws-irsa.sh's closing lines: the counts per level, then one
 * line per component with its counts and its trust chain (src/report/trust-chain.ts), as
 * kubescape and popeye end with a table of counts. `[INFO]` lines on stdout, like every
 * informational line, so a reader of the `[OK]/[INFO]/[WARN]/[FAIL]` contract reads them too.
 */
import type { Finding, Level } from '../core/finding.js';
import { escapeControl } from './format.js';
import { trustChain, type ChainLabels, type ChainNode, type LinkStatus } from './trust-chain.js';

const SHORT: Record<ChainNode, string> = {
  pods: 'pods',
  sa: 'SA',
  role: 'role',
  provider: 'provider',
  issuer: 'issuer',
  aurora: 'Aurora',
  opensearch: 'OpenSearch',
};
const STATUS: Record<LinkStatus, string> = { ok: '✓', fail: '✗', unchecked: '?' };
/** The closing guidance and verdict are the run's own ending, not findings to count. */
const CLOSING = 'summary';

function counts(findings: readonly Finding[], levels: readonly Level[]): string {
  return levels.map((l) => `${findings.filter((f) => f.level === l).length} ${l}`).join(', ');
}

export function textSummary(all: readonly Finding[], labels?: (component: string) => ChainLabels): string[] {
  const findings = all.filter((f) => f.module !== CLOSING);
  const lines = [`[INFO] summary: ${counts(findings, ['OK', 'INFO', 'WARN', 'FAIL'])}`];
  // -A: one line per release and component; a single release: per component.
  const keys = new Map<string, { release?: string; component: string }>();
  for (const f of findings) {
    if (f.component === undefined) continue;
    const key = `${f.release ?? ''}\u0000${f.component}`;
    if (!keys.has(key)) keys.set(key, { release: f.release, component: f.component });
  }
  for (const { release, component } of keys.values()) {
    const scope = findings.filter((f) => f.release === release);
    const own = scope.filter((f) => f.component === component);
    const chain = trustChain(component, scope, labels?.(component) ?? {});
    const links = chain.links.map((l) => `${SHORT[l.from]}→${SHORT[l.to]} ${STATUS[l.status]}`).join(' · ');
    const name = release ? `${release}/${component}` : component;
    lines.push(
      escapeControl(`[INFO] summary ${name}: ${counts(own, ['OK', 'WARN', 'FAIL'])}; chain: ${links}`),
    );
  }
  if (keys.size > 0) lines.push('[INFO] summary: chain links ✓ sound, ✗ broken, ? not checked by this run');
  return lines;
}
