/**
 * Evidence from the application itself: the newest lines of each component pod's log
 * (gathered by src/collectors/pod-logs.ts), scanned for the well-known IRSA and data-plane
 * login errors (platform/irsa-log-patterns.ts). Matching lines are quoted, redacted, with the
 * fix that matches. Needs `get` on `pods/log`; `--no-logs` turns it off.
 *
 * A container's log holds its current instance only (everything since its last start); a
 * container that restarted also has its previous instance's log (`previous=true`), where a
 * crash loop's cause is. An error logged before the pod became Ready, by a pod that is Ready now
 * and has not logged it since, is a startup error the application recovered from: an INFO, not
 * a FAIL (`timestamps=true` dates it).
 */
import type { CheckMeta } from '../core/catalogue.js';
import { defineModule } from '../engine/module.js';
import { ApiCallError } from '../core/errors.js';
import { kubeGrantHint } from '../platform/kube-grant.js';
import type { Redactor } from '../core/redact.js';
import type { Reporter } from '../core/reporter.js';
import {
  IRSA_LOG_PATTERNS,
  matchLogLine,
  splitTimestamp,
  type LogPattern,
} from '../platform/irsa-log-patterns.js';
import { collectPodLogs, LOG_LIMIT_BYTES, type ComponentLogs } from '../collectors/pod-logs.js';

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

/** Quoted lines per pattern and component, and the longest quote. */
const QUOTES = 2;
const QUOTE_CHARS = 240;

/** How one matching line counts. */
type Weight = 'fail' | 'recovered';

interface Hit {
  pattern: LogPattern;
  weight: Weight;
  quote: string;
}

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Judges one component's logs: the lines that match a known error, dated when they can be. */
function judgeComponent(logs: ComponentLogs, redactor: Redactor, namespace: string, o: Reporter<Id>): void {
  if (logs.kind === 'error') {
    const e = logs.error;
    // Logs are a runtime signal: a refused read (RBAC without pods/log) says what was not looked
    // at and the grant; never OK, and not the run's failure. A lost API server stays the run's error.
    if (e instanceof ApiCallError && e.isAccessDenied) {
      o.info(
        `cannot ${e.operation} (${e.reason}): its logs are not searched for IRSA errors; ${kubeGrantHint('podLogTail', namespace)}`,
      );
      return;
    }
    o.unexpected(e);
    return;
  }
  const quote = (where: string, text: string) => `${where}: ${quoted(redactor.text(text))}`;
  const hits: Hit[] = [];
  let lines = 0;
  let bytes = 0;
  let cut = 0;
  let previous = 0;
  for (const { pod, containers } of logs.pods) {
    const readySince = pod.readySince ? Date.parse(pod.readySince) : NaN;
    for (const { container: ct, dated, current, previous: before } of containers) {
      lines += current.lineCount;
      bytes += current.bytes;
      if (current.cut) cut++;
      const recent = new Set<LogPattern>();
      const early: Array<{ pattern: LogPattern; text: string; at: number }> = [];
      for (const line of current.lines) {
        const { at, text } = dated ? splitTimestamp(line) : { at: undefined, text: line };
        const pattern = matchLogLine(text);
        if (!pattern) continue;
        if (at !== undefined && at < readySince) early.push({ pattern, text, at });
        else {
          recent.add(pattern);
          hits.push({ pattern, weight: 'fail', quote: quote(pod.name, text) });
        }
      }
      // Logged before the pod became Ready and not since: a startup error it recovered from.
      for (const e of early) {
        if (recent.has(e.pattern)) continue;
        const when = `${pod.name} at ${new Date(e.at).toISOString()}, before ready at ${pod.readySince}`;
        hits.push({ pattern: e.pattern, weight: 'recovered', quote: quote(when, e.text) });
      }
      if (!before) continue;
      previous++;
      lines += before.lineCount;
      bytes += before.bytes;
      if (before.cut) cut++;
      const where = `${pod.name} (previous instance of ${ct.name}, ${ct.restartCount} restart(s))`;
      for (const text of before.lines) {
        const pattern = matchLogLine(text);
        // Ready now: the instance that logged it is gone and its successor works.
        if (pattern)
          hits.push({
            pattern,
            weight: ct.ready === true ? 'recovered' : 'fail',
            quote: quote(where, text),
          });
      }
    }
  }
  const read = `the newest ${lines} log line(s) (${size(bytes)}) of ${logs.pods.length} pod(s)${
    previous > 0 ? ` and ${previous} previous container instance(s)` : ''
  }${cut > 0 ? `; ${cut} log line(s) longer than ${size(LOG_LIMIT_BYTES)} read in part` : ''}`;
  const failing = group(hits.filter((h) => h.weight === 'fail'));
  const recovered = group(hits.filter((h) => h.weight === 'recovered' && !failing.has(h.pattern)));
  for (const [p, quotes] of recovered) {
    o.info(
      `the application logged that ${p.meaning}, but only before its pod became ready or in a container instance that has since restarted, and it is ready now: an error it recovered from, not a verdict: ${quotes.join(' | ')}`,
    );
  }
  if (failing.size === 0) {
    o.ok(OK_CHECK, `no IRSA error in ${read}`);
    return;
  }
  for (const [p, quotes] of failing) {
    o.fail(`log-${p.id}`, `the application logs that ${p.meaning}: ${quotes.join(' | ')}`, {
      fix: p.fix,
    });
  }
}

export const podLogs = defineModule({
  id: 'pod-logs',
  title: 'IRSA errors in the component logs',
  needs: ['plan'],
  checks: CHECKS,
  collect: collectPodLogs,
  evaluate({ logs, redactor, namespace }, out) {
    if (logs.kind === 'not-applicable') return;
    if (logs.kind === 'error') {
      out.unexpected(logs.error);
      return;
    }
    // In the plan's order, each component with its own reporter (as eachInOrder did when this gathered).
    for (const { key, logs: componentLogs } of logs.components) {
      const { reporter, flush } = out.buffered(key);
      try {
        judgeComponent(componentLogs, redactor, namespace, reporter);
      } catch (error) {
        reporter.unexpected(error);
      }
      flush();
    }
  },
});

/** Hits by pattern, in the order first logged, at most QUOTES quotes each. */
function group(hits: Hit[]): Map<LogPattern, string[]> {
  const by = new Map<LogPattern, string[]>();
  for (const h of hits) {
    const quotes = by.get(h.pattern) ?? [];
    if (quotes.length < QUOTES) quotes.push(h.quote);
    by.set(h.pattern, quotes);
  }
  return by;
}

function quoted(line: string): string {
  const t = line.trim();
  return `"${t.length > QUOTE_CHARS ? `${t.slice(0, QUOTE_CHARS)}…` : t}"`;
}
