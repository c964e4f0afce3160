/**
 * Evidence from the application itself: a bounded tail of each component pod's log,
 * scanned for the well-known IRSA and data-plane login errors (platform/irsa-log-patterns.ts).
 * Matching lines are quoted, redacted, with the fix that matches. Needs `get` on
 * `pods/log`; `--no-logs` turns it off.
 */
import type { CheckMeta } from '../core/catalogue.js';
import { defineModule } from '../engine/module.js';
import { eachInOrder } from '../core/reporter.js';
import { runningPodsOf } from '../platform/component-pods.js';
import { IRSA_LOG_PATTERNS, matchLogLine, type LogPattern } from '../platform/irsa-log-patterns.js';

type Id = `log-${string}`;

/** One check per known log error: `log-<pattern id>`, e.g. log-pam-authentication-failed. */
const CHECKS = Object.fromEntries(
  IRSA_LOG_PATTERNS.map((p): [Id, CheckMeta] => [
    `log-${p.id}`,
    {
      severity: 'FAIL',
      code: 255,
      title: `a component pod logged that ${p.meaning}`,
      fix: p.fix,
    },
  ]),
) as Record<Id, CheckMeta>;

/** The check an OK line ("no IRSA error in the logs") reports: the first pattern's. */
const OK_CHECK: Id = `log-${IRSA_LOG_PATTERNS[0]!.id}`;

/** Lines read per container, and a byte cap so a chatty pod cannot slow the run. */
export const LOG_TAIL_LINES = 500;
export const LOG_LIMIT_BYTES = 256 * 1024;
/** Quoted lines per pattern and component, and the longest quote. */
const QUOTES = 2;
const QUOTE_CHARS = 240;

export const podLogs = defineModule({
  id: 'pod-logs',
  title: 'IRSA errors in the component logs',
  needs: ['plan'],
  checks: CHECKS,
  async run(ctx, out) {
    if (!ctx.options.logs) return;
    const { plan } = ctx.facts;
    if (plan.length === 0) return;
    const ns = ctx.scope.namespace;
    const pods = await ctx.kube.pods(ns);
    await eachInOrder(
      plan,
      out,
      (c) => c.key,
      async (c, o) => {
        const running = runningPodsOf(pods, c);
        if (running.length === 0) return;
        const hits = new Map<LogPattern, string[]>();
        for (const pod of running) {
          for (const ct of pod.containers) {
            const log = await ctx.kube.podLogTail(ns, pod.name, ct.name, LOG_TAIL_LINES, LOG_LIMIT_BYTES);
            for (const line of log.split('\n')) {
              const p = matchLogLine(line);
              if (!p) continue;
              const quotes = hits.get(p) ?? [];
              if (quotes.length < QUOTES) quotes.push(`${pod.name}: ${quote(ctx.redactor.text(line))}`);
              hits.set(p, quotes);
            }
          }
        }
        if (hits.size === 0) {
          o.ok(OK_CHECK, `no IRSA error in the last ${LOG_TAIL_LINES} log lines of ${running.length} pod(s)`);
          return;
        }
        for (const [p, quotes] of hits) {
          o.fail(`log-${p.id}`, `the application logs that ${p.meaning}: ${quotes.join(' | ')}`, {
            fix: p.fix,
          });
        }
      },
    );
  },
});

function quote(line: string): string {
  const t = line.trim();
  return `"${t.length > QUOTE_CHARS ? `${t.slice(0, QUOTE_CHARS)}…` : t}"`;
}
