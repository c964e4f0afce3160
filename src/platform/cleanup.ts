/**
 * The Jobs this process created and has not deleted yet. On Ctrl-C (SIGINT) or
 * SIGTERM they are deleted before the process exits with 130/143, so an
 * interrupted run leaves nothing behind. The handlers are installed when the
 * first Job is tracked: `--help` and runs without Jobs never pay for them.
 */

export interface TrackedJob {
  namespace: string;
  name: string;
  /** The create call: a Job still being created is deleted once the create has answered. */
  created: Promise<unknown>;
  delete(): Promise<void>;
}

const EXIT_CODES: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };
/** How long an interrupted run waits for its deletes before exiting anyway. */
const CLEANUP_DEADLINE_MS = 10_000;

const tracked = new Map<string, TrackedJob>();
let installed = false;
let interrupted = false;

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

function installSignalCleanup(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => void onSignal(signal));
  }
}

async function onSignal(signal: 'SIGINT' | 'SIGTERM'): Promise<void> {
  const code = EXIT_CODES[signal];
  if (interrupted) process.exit(code); // a second Ctrl-C: stop waiting
  interrupted = true;
  const count = tracked.size;
  if (count > 0) {
    process.stderr.write(`\nirsa-check: interrupted (${signal}): deleting ${count} verification Job(s)…\n`);
  }
  await deleteTrackedJobs();
  process.exit(code);
}
