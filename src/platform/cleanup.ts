/**
 * The Jobs this process created and has not deleted yet. On Ctrl-C (SIGINT) or
 * SIGTERM or SIGHUP they are deleted before the process exits with 130/143/129, so an
 * interrupted run leaves nothing behind; Jobs whose DELETE cannot finish within the
 * cleanup deadline are listed with the kubectl command that deletes them.
 */

export interface TrackedJob {
  namespace: string;
  name: string;
  /** The create call: a Job still being created is deleted once the create has answered. */
  created: Promise<unknown>;
  delete(): Promise<void>;
}

type Signal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
/** 128 + the signal number; SIGHUP is what a dropped SSH session sends. */
const EXIT_CODES: Record<Signal, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
/** How long an interrupted run waits for its deletes before exiting anyway. */
const CLEANUP_DEADLINE_MS = 10_000;

const tracked = new Map<string, TrackedJob>();
let installed = false;
let interrupted = false;
/** Writes the run's report on an interrupt (a JSON document with --output json). */
let interruptReport: ((signal: Signal, code: number) => void) | undefined;

export function onInterruptReport(report: (signal: Signal, code: number) => void): void {
  interruptReport = report;
}

/** Registers a Job (before its create is sent); returns the function that forgets it. */
export function trackJob(job: TrackedJob): () => void {
  installSignalCleanup();
  const key = `${job.namespace}/${job.name}`;
  tracked.set(key, job);
  return () => {
    if (tracked.get(key) === job) tracked.delete(key);
  };
}

export function trackedJobs(): string[] {
  return [...tracked.keys()];
}

export function wasInterrupted(): boolean {
  return interrupted;
}

/** Deletes every tracked Job (waiting for creates in flight), within `deadlineMs`. */
export async function deleteTrackedJobs(deadlineMs = CLEANUP_DEADLINE_MS): Promise<number> {
  const jobs = [...tracked.values()];
  const work = Promise.allSettled(
    jobs.map(async (job) => {
      await job.created.catch(() => undefined);
      await job.delete();
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, deadlineMs);
  });
  await Promise.race([work, deadline]);
  clearTimeout(timer);
  return jobs.length;
}

/** The Jobs still tracked, grouped by namespace, as the lines that tell the user how to delete them. */
export function leftoverJobLines(): string[] {
  const byNs = new Map<string, string[]>();
  for (const job of tracked.values()) byNs.set(job.namespace, [...(byNs.get(job.namespace) ?? []), job.name]);
  const all = [...tracked.values()].map((j) => j.name);
  if (all.length === 0) return [];
  return [
    `${all.length} verification Job(s) could not be deleted: ${all.join(', ')}`,
    ...[...byNs].map(([ns, names]) => `delete them with: kubectl delete job -n ${ns} ${names.join(' ')}`),
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

async function onSignal(signal: Signal): Promise<void> {
  const code = EXIT_CODES[signal];
  if (interrupted) process.exit(code); // a second Ctrl-C: stop waiting
  interrupted = true;
  const count = tracked.size;
  if (count > 0) {
    process.stderr.write(`\nirsa-check: interrupted (${signal}): deleting ${count} verification Job(s)…\n`);
  }
  await deleteTrackedJobs();
  for (const line of leftoverJobLines()) process.stderr.write(`[WARN] ${line}\n`);
  interruptReport?.(signal, code);
  process.exit(code);
}
