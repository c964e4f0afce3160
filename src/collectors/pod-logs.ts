/**
 * Gathers what the pod-logs check judges: the newest lines of each container log of each
 * component's running pods (and of a restarted container's previous instance), under a byte
 * cap. What is read (Kubernetes API, "read log of the specified Pod"): `tailLines` picks the
 * last lines and `limitBytes` cuts the answer, but the kubelet reads forward from the first of
 * those lines, so a cut drops the newest ones. An answer that fills the cap is read again with
 * fewer lines until the newest fit. A container Ready now is read with `timestamps=true`, so the
 * evaluator can date its errors against when the pod became Ready.
 */
import type { ModuleContext } from '../engine/module.js';
import { ApiCallError } from '../core/errors.js';
import type { Redactor } from '../core/redact.js';
import { runningPodsOf } from '../platform/component-pods.js';
import type { KubeContainer, KubePod, PodLogOptions } from '../ports/kube.js';
import { readLogAnswer } from '../platform/irsa-log-patterns.js';

/** Lines read per container instance at most, and a byte cap so a chatty pod cannot slow the run. */
export const LOG_TAIL_LINES = 500;
export const LOG_LIMIT_BYTES = 256 * 1024;
/** Reads of one log at most: the first, then fewer lines until the newest fit under the cap. */
const MAX_READS = 6;

/** What was read of one container instance's log. */
export interface ReadLog {
  lines: string[];
  lineCount: number;
  bytes: number;
  /** Even one line did not fit: the newest line itself was cut. */
  cut: boolean;
}

export interface ContainerLogs {
  container: KubeContainer;
  /** Read with timestamps: the pod is Ready and this container ran before (init) or is ready. */
  dated: boolean;
  current: ReadLog;
  /** The previous instance's log (restartCount > 0); undefined when none was kept (400). */
  previous?: ReadLog;
}

export type ComponentLogs =
  | { kind: 'read'; pods: Array<{ pod: KubePod; containers: ContainerLogs[] }> }
  | { kind: 'error'; error: unknown };

export type PodLogs =
  | { kind: 'not-applicable' }
  | { kind: 'error'; error: unknown }
  /** By component key, in the plan's order; a component without running pods is absent. */
  | { kind: 'logs'; components: Array<{ key: string; logs: ComponentLogs }> };

/** The logs read, and the redactor every quote goes through (secrets learnt from the values never printed). */
export interface PodLogsInput {
  logs: PodLogs;
  redactor: Redactor;
  /** The release's namespace: a refused log read names the grant there. */
  namespace: string;
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

export async function collectPodLogs(ctx: ModuleContext<'plan'>): Promise<PodLogsInput> {
  return { logs: await readLogs(ctx), redactor: ctx.redactor, namespace: ctx.scope.namespace };
}

async function readLogs(ctx: ModuleContext<'plan'>): Promise<PodLogs> {
  const { plan } = ctx.facts;
  if (!ctx.options.logs || plan.length === 0) return { kind: 'not-applicable' };
  const ns = ctx.scope.namespace;
  let pods: KubePod[];
  try {
    pods = await ctx.kube.pods(ns);
  } catch (error) {
    return { kind: 'error', error };
  }
  /** One container instance's log; options only when set, so a call's key stays what it was. */
  const log = (pod: KubePod, ct: KubeContainer, options: PodLogOptions) =>
    newestLines((tail) =>
      Object.keys(options).length > 0
        ? ctx.kube.podLogTail(ns, pod.name, ct.name, tail, LOG_LIMIT_BYTES, options)
        : ctx.kube.podLogTail(ns, pod.name, ct.name, tail, LOG_LIMIT_BYTES),
    );
  const components = await Promise.all(
    plan.map(async (c): Promise<{ key: string; logs: ComponentLogs } | undefined> => {
      const running = runningPodsOf(pods, c);
      if (running.length === 0) return undefined;
      try {
        const read: Array<{ pod: KubePod; containers: ContainerLogs[] }> = [];
        for (const pod of running) {
          const readySince = pod.readySince ? Date.parse(pod.readySince) : NaN;
          const containers: ContainerLogs[] = [];
          for (const ct of pod.containers) {
            // A pod Ready now dates its errors against when it became Ready (an init container ran before).
            const dated = !Number.isNaN(readySince) && (ct.init === true || ct.ready !== false);
            const current = await log(pod, ct, dated ? { timestamps: true } : {});
            const entry: ContainerLogs = { container: ct, dated, current };
            if ((ct.restartCount ?? 0) > 0) {
              // The previous instance: where a crash loop's cause is. Gone already → nothing to read.
              const before = await log(pod, ct, { previous: true }).catch((e: unknown) => {
                if (e instanceof ApiCallError && e.status === 400) return undefined;
                throw e;
              });
              if (before) entry.previous = before;
            }
            containers.push(entry);
          }
          read.push({ pod, containers });
        }
        return { key: c.key, logs: { kind: 'read', pods: read } };
      } catch (error) {
        return { key: c.key, logs: { kind: 'error', error } };
      }
    }),
  );
  return { kind: 'logs', components: components.filter((c) => c !== undefined) };
}
