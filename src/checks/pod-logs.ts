/**
 * Evidence from the application itself: the newest lines of each component pod's log,
 * scanned for the well-known IRSA and data-plane login errors (platform/irsa-log-patterns.ts).
 * Matching lines are quoted, redacted, with the fix that matches. Needs `get` on
 * `pods/log`; `--no-logs` turns it off.
 *
 * What is read (Kubernetes API, "read log of the specified Pod"): `tailLines` picks the last
 * lines and `limitBytes` cuts the answer, but the kubelet reads forward from the first of
 * those lines, so a cut drops the newest ones. An answer that fills the cap is read again
 * with fewer lines until the newest fit. A container's log holds its current instance only
 * (everything since its last start); a container that restarted also has its previous
 * instance's log (`previous=true`), where a crash loop's cause is. An error logged before
 * the pod became Ready, by a pod that is Ready now and has not logged it since, is a startup
 * error the application recovered from: an INFO, not a FAIL (`timestamps=true` dates it).
 */
import type { CheckMeta } from '../core/catalogue.js';
import { ApiCallError } from '../core/errors.js';
import { defineModule } from '../engine/module.js';
import { eachInOrder } from '../core/reporter.js';
import { runningPodsOf } from '../platform/component-pods.js';
import type { KubeContainer, KubePod, PodLogOptions } from '../ports/kube.js';
import {
  IRSA_LOG_PATTERNS,
  matchLogLine,
  readLogAnswer,
  splitTimestamp,
  type LogPattern,
} from '../platform/irsa-log-patterns.js';

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

/** Lines read per container instance at most, and a byte cap so a chatty pod cannot slow the run. */
export const LOG_TAIL_LINES = 500;
export const LOG_LIMIT_BYTES = 256 * 1024;
/** Reads of one log at most: the first, then fewer lines until the newest fit under the cap. */
const MAX_READS = 6;
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

/** What was read of one container instance's log. */
interface ReadLog {
  lines: string[];
  lineCount: number;
  bytes: number;
  /** Even one line did not fit: the newest line itself was cut. */
  cut: boolean;
}

/** The newest lines of one log that fit under the byte cap. */
async function newestLines(read: (tailLines: number) => Promise<string>): Promise<ReadLog> {
  let tail = LOG_TAIL_LINES;
  let answer = readLogAnswer(await read(tail), LOG_LIMIT_BYTES);
  for (let reads = 1; answer.cut && tail > 1 && reads < MAX_READS; reads++) {
    // The lines that fitted are the oldest of the window: ask for that many of the newest (or half).
    tail =
      reads === 1 && answer.wholeLines >= 1 && answer.wholeLines < tail
        ? answer.wholeLines
        : Math.max(1, Math.floor(tail / 2));
    answer = readLogAnswer(await read(tail), LOG_LIMIT_BYTES);
  }
  return { lines: answer.lines, lineCount: answer.lineCount, bytes: answer.bytes, cut: answer.cut };
}

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

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
    /** One container instance's log; options only when set, so a call's key stays what it was. */
    const log = (pod: KubePod, ct: KubeContainer, options: PodLogOptions) =>
      newestLines((tail) =>
        Object.keys(options).length > 0
          ? ctx.kube.podLogTail(ns, pod.name, ct.name, tail, LOG_LIMIT_BYTES, options)
          : ctx.kube.podLogTail(ns, pod.name, ct.name, tail, LOG_LIMIT_BYTES),
      );
    const quote = (where: string, text: string) => `${where}: ${quoted(ctx.redactor.text(text))}`;
    await eachInOrder(
      plan,
      out,
      (c) => c.key,
      async (c, o) => {
        const running = runningPodsOf(pods, c);
        if (running.length === 0) return;
        const hits: Hit[] = [];
        let lines = 0;
        let bytes = 0;
        let cut = 0;
        let previous = 0;
        for (const pod of running) {
          const readySince = pod.readySince ? Date.parse(pod.readySince) : NaN;
          for (const ct of pod.containers) {
            // A pod Ready now dates its errors against when it became Ready (an init container ran before).
            const dated = !Number.isNaN(readySince) && (ct.init === true || ct.ready !== false);
            const current = await log(pod, ct, dated ? { timestamps: true } : {});
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
            if ((ct.restartCount ?? 0) === 0) continue;
            // The previous instance: where a crash loop's cause is. Gone already → nothing to read.
            const before = await log(pod, ct, { previous: true }).catch((e: unknown) => {
              if (e instanceof ApiCallError && e.status === 400) return undefined;
              throw e;
            });
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
        const read = `the newest ${lines} log line(s) (${size(bytes)}) of ${running.length} pod(s)${
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
      },
    );
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
