/**
 * The Jobs this process created and has not deleted yet. On Ctrl-C (SIGINT) or
 * SIGTERM or SIGHUP they are deleted before the process exits with 130/143/129, so an
 * interrupted run leaves nothing behind; Jobs whose DELETE cannot finish within the
 * cleanup deadline are listed with the kubectl command that deletes them.
 *
 * Signals during the cleanup: an impatient double Ctrl-C must not leave Jobs behind, so
 * the second signal only says "cleaning up, press Ctrl-C again to abandon N Jobs" and the
 * cleanup goes on; the third abandons it, naming the Jobs and the command that deletes
 * them (`kubectl delete job -n NS -l irsa-check/run=<this run>`).
 */
import { RUN_ID, RUN_LABEL } from './job-template.js';

export interface TrackedJob {
  namespace: string;
  name: string;
  /** The create call: a Job still being created is deleted once the create has answered. */
  created: Promise<unknown>;
  delete(): Promise<void>;
}

import { AsyncLocalStorage } from 'node:async_hooks';

export type Signal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
/** 128 + the signal number; SIGHUP is what a dropped SSH session sends. */
const EXIT_CODES: Record<Signal, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
/** How long an interrupted run waits for its deletes before exiting anyway. */
const CLEANUP_DEADLINE_MS = 10_000;

const tracked = new Map<string, TrackedJob>();
/**
 * A fleet run (src/fleet.ts) runs several clusters' checks in one process: each runs inside its
 * own scope, so one run's end-of-run cleanup sees (and deletes) only its own Jobs, never the
 * Jobs another cluster's proof is still waiting for. Outside a scope (a single run, a signal)
 * every tracked Job is seen.
 */
const scope = new AsyncLocalStorage<Set<TrackedJob>>();
/** Numbers a scoped Job's key, so two clusters' same-named Jobs are both tracked. */
let scopedKeys = 0;

/** Runs `work` with its own set of tracked Jobs (see `scope`). */
export function withJobScope<T>(work: () => Promise<T>): Promise<T> {
  return scope.run(new Set(), work);
}

/** The tracked Jobs the current scope may see. */
function visible(): TrackedJob[] {
  const mine = scope.getStore();
  return [...tracked.values()].filter((job) => mine === undefined || mine.has(job));
}
let installed = false;
/** running → (first signal) cleaning → reporting → exit. */
let phase: 'running' | 'cleaning' | 'reporting' = 'running';
/** The signal that interrupted the run: its exit code is the run's, whatever follows. */
let firstSignal: Signal | undefined;
let signalsDuringCleanup = 0;
let abandonCleanup: (() => void) | undefined;

/**
 * Writes the run's report on an interrupt: `leftovers` are the lines naming the Jobs that
 * could not be deleted or were abandoned (each a WARN), then the `interrupted` FAIL and the
 * summary (a document with --output json|sarif|markdown).
 */
export type InterruptReport = (signal: Signal, code: number, leftovers: string[]) => void | Promise<void>;
let interruptReport: InterruptReport | undefined;

export function onInterruptReport(report: InterruptReport | undefined): void {
  interruptReport = report;
}

/** Registers a Job (before its create is sent); returns the function that forgets it. */
export function trackJob(job: TrackedJob): () => void {
  installSignalCleanup();
  const key = `${job.namespace}/${job.name}`;
  // A fleet's clusters can use the same namespace and Job name: the key names the cluster's run too.
  const mine = scope.getStore();
  const trackKey = mine ? `${key}#${++scopedKeys}` : key;
  mine?.add(job);
  tracked.set(trackKey, job);
  return () => {
    mine?.delete(job);
    if (tracked.get(trackKey) === job) tracked.delete(trackKey);
  };
}

export function trackedJobs(): string[] {
  return visible().map((job) => `${job.namespace}/${job.name}`);
}

export function wasInterrupted(): boolean {
  return phase !== 'running';
}

/**
 * Deletes every tracked Job (waiting for creates in flight), within `deadlineMs`. Jobs tracked
 * while it runs (a create that was already on its way) are deleted too.
 */
export async function deleteTrackedJobs(deadlineMs = CLEANUP_DEADLINE_MS): Promise<number> {
  const started = new Set<TrackedJob>();
  const work = (async () => {
    for (;;) {
      const fresh = visible().filter((j) => !started.has(j));
      if (fresh.length === 0) return;
      fresh.forEach((j) => started.add(j));
      await Promise.allSettled(
        fresh.map(async (job) => {
          await job.created.catch(() => undefined);
          await job.delete();
          // Deleted: no longer this run's to name (its own finally may not have run yet).
          for (const [key, j] of tracked) if (j === job) tracked.delete(key);
          scope.getStore()?.delete(job);
        }),
      );
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, deadlineMs);
  });
  await Promise.race([work, deadline]);
  clearTimeout(timer);
  return started.size;
}

/** The Jobs still tracked, grouped by namespace, as the lines that tell the user how to delete them. */
export function leftoverJobLines(): string[] {
  const byNs = new Map<string, string[]>();
  const jobs = visible();
  for (const job of jobs) byNs.set(job.namespace, [...(byNs.get(job.namespace) ?? []), job.name]);
  const all = jobs.map((j) => j.name);
  if (all.length === 0) return [];
  return [
    `${all.length} verification Job(s) could not be deleted: ${all.join(', ')}`,
    ...[...byNs].map(([ns, names]) => `delete them with: kubectl delete job -n ${ns} ${names.join(' ')}`),
  ];
}

/** The Jobs still tracked, when the user abandoned their deletion: named, with the command that deletes them. */
export function abandonedJobLines(): string[] {
  const jobs = [...tracked.values()];
  if (jobs.length === 0) return [];
  const namespaces = [...new Set(jobs.map((j) => j.namespace))];
  return [
    `cleanup abandoned: ${jobs.length} verification Job(s) left behind: ${jobs.map((j) => j.name).join(', ')}`,
    ...namespaces.map((ns) => `delete them with: kubectl delete job -n ${ns} -l ${RUN_LABEL}=${RUN_ID}`),
  ];
}

/** Installed by every live run (and on the first tracked Job), so an interrupt always ends cleanly. */
export function installSignalCleanup(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => void onSignal(signal));
  }
}

function onSignal(signal: Signal): void {
  if (phase === 'running') {
    void interruptRun(signal);
    return;
  }
  const code = EXIT_CODES[firstSignal ?? signal];
  // Nothing left to delete (the report is being written): another signal just stops.
  if (phase === 'reporting' || tracked.size === 0) process.exit(code);
  signalsDuringCleanup++;
  if (signalsDuringCleanup === 1) {
    process.stderr.write(`irsa-check: cleaning up, press Ctrl-C again to abandon ${tracked.size} Job(s)\n`);
    return;
  }
  abandonCleanup?.();
}

async function interruptRun(signal: Signal): Promise<void> {
  phase = 'cleaning';
  firstSignal = signal;
  const code = EXIT_CODES[signal];
  const count = tracked.size;
  if (count > 0) {
    process.stderr.write(`\nirsa-check: interrupted (${signal}): deleting ${count} verification Job(s)…\n`);
  }
  const abandoned = new Promise<true>((resolve) => (abandonCleanup = () => resolve(true)));
  const gaveUp = await Promise.race([deleteTrackedJobs().then(() => false), abandoned]);
  phase = 'reporting';
  const leftovers = gaveUp ? abandonedJobLines() : leftoverJobLines();
  try {
    if (interruptReport) await interruptReport(signal, code, leftovers);
    else for (const line of leftovers) process.stderr.write(`[WARN] ${line}\n`);
  } finally {
    process.exit(code);
  }
}
