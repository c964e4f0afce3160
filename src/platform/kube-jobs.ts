/**
 * Verification Jobs over the Kubernetes API: create, watch Job, pods and the
 * Job's events to an outcome (client-node's Watch, no polling), read the pod's
 * log, and always delete the Job (propagationPolicy Background, so its pods go
 * too). Jobs are tracked from before their create until their delete, so Ctrl-C
 * deletes them as well (cleanup.ts).
 */
import type * as k8s from '@kubernetes/client-node';
import { ApiCallError, errorMessage } from '../core/errors.js';
import { kubeConnectionLost } from '../core/cluster-unusable.js';
import type { JobResult } from '../ports/kube.js';
import { kubeError } from './kube-errors.js';
import { RequestDeadlineError } from './http-timeouts.js';
import { watchOnce, watchSeconds, WatchStatusError } from './kube-watch.js';
import { trackJob, wasInterrupted } from './cleanup.js';
import { manifestContainer, manifestName, RUN_ID, RUN_LABEL } from './job-template.js';

/** What the watched objects say so far; a verdict is decided from it after every event. */
export interface JobWatchState {
  job?: k8s.V1Job;
  /** The Job vanished (deleted by someone else) before it finished. */
  jobDeleted?: boolean;
  /** Pods of the Job by name; deleted pods keep their last state (a deadline deletes them). */
  pods: Map<string, k8s.V1Pod>;
  /** The last FailedCreate event of the Job (its pod was refused). */
  failedCreate?: string;
  /** The kubelet's last image pull error (ErrImagePull carries the useful message). */
  pullError?: string;
}

export interface Verdict {
  outcome: JobResult['outcome'];
  reason?: string;
}

const LOG_LIMIT_BYTES = 64 * 1024;
/** live-kube's default request deadline (README "Timeouts"), for callers that give none. */
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const WATCH_RETRIES = 5;
/** Pull failures that no retry will fix. ErrImagePull alone may be transient: its BackOff decides. */
const PULL_FAILED = new Set(['ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

function condition(job: k8s.V1Job | undefined, type: string): k8s.V1JobCondition | undefined {
  return job?.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

function containerStatus(pod: k8s.V1Pod): k8s.V1ContainerStatus | undefined {
  return pod.status?.containerStatuses?.[0];
}

function unschedulable(pod: k8s.V1Pod): string | undefined {
  const c = pod.status?.conditions?.find(
    (x) => x.type === 'PodScheduled' && x.status === 'False' && x.reason === 'Unschedulable',
  );
  return c ? (c.message ?? 'Unschedulable') : undefined;
}

function newest(pods: Iterable<k8s.V1Pod>): k8s.V1Pod | undefined {
  let best: k8s.V1Pod | undefined;
  for (const p of pods) {
    const t = new Date(p.metadata?.creationTimestamp ?? 0).getTime();
    if (!best || t >= new Date(best.metadata?.creationTimestamp ?? 0).getTime()) best = p;
  }
  return best;
}

/** Admission refusals are final; a quota may free up, so it only explains a timeout. */
function refusal(state: JobWatchState): string | undefined {
  const msg = state.failedCreate;
  if (!msg || /exceeded quota/i.test(msg)) return undefined;
  return /forbidden/i.test(msg) ? msg : undefined;
}

function describePod(pod: k8s.V1Pod | undefined): string {
  if (!pod) return 'no pod was created';
  const cs = pod.status ? containerStatus(pod) : undefined;
  const waiting = cs?.state?.waiting;
  if (waiting?.reason) {
    return `its pod was waiting: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`;
  }
  return `its pod was ${pod.status?.phase ?? 'Pending'}`;
}

/** The verdict for a Job that ran out of time: why it never finished, when Kubernetes says. */
export function stuckVerdict(state: JobWatchState, what: string): Verdict {
  const pod = newest(state.pods.values());
  const notScheduled = pod && unschedulable(pod);
  if (notScheduled) return { outcome: 'unschedulable', reason: notScheduled };
  const waiting = pod ? containerStatus(pod)?.state?.waiting : undefined;
  if (waiting?.reason && (PULL_FAILED.has(waiting.reason) || waiting.reason === 'ErrImagePull')) {
    return { outcome: 'image-pull', reason: state.pullError ?? waiting.message ?? waiting.reason };
  }
  const refused = refusal(state);
  if (refused) return { outcome: 'rejected', reason: refused };
  if (!pod && state.failedCreate) return { outcome: 'timeout', reason: `${what}: ${state.failedCreate}` };
  return { outcome: 'timeout', reason: `${what}: ${describePod(pod)}` };
}

/** The verdict the watched state already allows, or undefined while the Job may still finish. */
export function decideJob(state: JobWatchState): Verdict | undefined {
  if (condition(state.job, 'Complete')) return { outcome: 'succeeded' };
  const failed = condition(state.job, 'Failed');
  if (failed) {
    if (failed.reason === 'DeadlineExceeded') {
      return stuckVerdict(state, 'the Job ran past its deadline (activeDeadlineSeconds)');
    }
    const pod = newest(state.pods.values());
    const term = pod ? containerStatus(pod)?.state?.terminated : undefined;
    const why = term?.message?.trim() || term?.reason;
    return {
      outcome: 'failed',
      reason: [failed.reason, failed.message, why].filter(Boolean).join(': ') || 'Failed',
    };
  }
  if (state.jobDeleted) return { outcome: 'failed', reason: 'the Job was deleted before it finished' };
  const refused = refusal(state);
  if (refused) return { outcome: 'rejected', reason: refused };
  for (const pod of state.pods.values()) {
    const waiting = containerStatus(pod)?.state?.waiting;
    if (waiting?.reason && PULL_FAILED.has(waiting.reason)) {
      return { outcome: 'image-pull', reason: state.pullError ?? waiting.message ?? waiting.reason };
    }
  }
  return undefined;
}

/** Folds one watch event into the state. */
export function applyEvent(
  state: JobWatchState,
  kind: 'job' | 'pod' | 'event',
  type: string,
  obj: unknown,
): void {
  if (type === 'BOOKMARK' || type === 'ERROR') return;
  if (kind === 'job') {
    if (type === 'DELETED') state.jobDeleted = true;
    else state.job = obj as k8s.V1Job;
  } else if (kind === 'pod') {
    const pod = obj as k8s.V1Pod;
    const name = pod.metadata?.name ?? '';
    const previous = state.pods.get(name);
    // A deleted pod keeps its last status: a deadline deletes the pod whose state explains it.
    state.pods.set(name, type === 'DELETED' && previous ? previous : pod);
    const waiting = containerStatus(pod)?.state?.waiting;
    if (waiting?.reason === 'ErrImagePull' && waiting.message) state.pullError = waiting.message;
  } else {
    const ev = obj as k8s.CoreV1Event;
    if (type !== 'DELETED' && ev.reason === 'FailedCreate' && ev.message) {
      state.failedCreate = ev.message.replace(/^Error creating:\s*/, '');
    }
  }
}

interface WatchSpec {
  kind: 'job' | 'pod' | 'event';
  path: string;
  query: Record<string, string>;
  /** Without this watch no verdict is possible (events only refine one). */
  required: boolean;
}

/**
 * One watch (kube-watch.ts), re-established when it ends: the server ends watches now and then
 * (timeoutSeconds, 410 Gone) and irsa-check asks it to after every request timeout.
 */
class Watcher {
  private ctrl?: AbortController;
  private stopped = false;
  private failures = 0;
  private startedAt = 0;

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly spec: WatchSpec,
    private readonly requestTimeoutMs: number,
    private readonly onEvent: (type: string, obj: unknown) => void,
    private readonly onFatal: (e: ApiCallError) => void,
  ) {}

  start(): void {
    if (this.stopped) return;
    this.startedAt = Date.now();
    const ctrl = new AbortController();
    this.ctrl = ctrl;
    watchOnce(
      this.kc,
      this.spec.path,
      this.spec.query,
      this.requestTimeoutMs,
      (type, obj) => {
        if (!this.stopped) this.onEvent(type, obj);
      },
      ctrl.signal,
    ).then(
      () => this.closed(null),
      (e: unknown) => this.closed(e),
    );
  }

  stop(): void {
    this.stopped = true;
    this.ctrl?.abort();
  }

  private closed(err: unknown): void {
    if (this.stopped) return;
    const resource = this.spec.kind === 'job' ? 'jobs' : this.spec.kind === 'pod' ? 'pods' : 'events';
    const operation = `watch ${resource}`;
    const status = err instanceof WatchStatusError ? err.statusCode : undefined;
    const permanent =
      status !== undefined && status >= 400 && status < 500 && status !== 410 && status !== 429;
    // A watch the API server did not answer within the request timeout is a call it did not
    // answer (README "Timeouts": asked once, not five times), whatever its state otherwise.
    const unanswered = err instanceof RequestDeadlineError;
    // An error, or a server (or proxy) that ends every watch at once, counts against the retries.
    const quickEnd = Math.min(1000, (watchSeconds(this.requestTimeoutMs) * 1000) / 2);
    if (err || Date.now() - this.startedAt < quickEnd) this.failures++;
    if (unanswered || permanent || this.failures > WATCH_RETRIES) {
      if (this.spec.required) {
        if (status !== undefined) {
          const reason = status === 403 ? 'Forbidden' : `HTTP${status}`;
          this.onFatal(new ApiCallError('kube', operation, reason, errorMessage(err), status));
        } else if (err) {
          this.onFatal(kubeError(operation, err, this.requestTimeoutMs));
        } else {
          this.onFatal(
            new ApiCallError('kube', operation, 'Unreachable', 'the API server ends every watch at once'),
          );
        }
      }
      return;
    }
    const delay = 250 * this.failures;
    setTimeout(() => this.start(), delay);
  }
}

async function podLog(
  core: k8s.CoreV1Api,
  ns: string,
  pod: k8s.V1Pod | undefined,
  container: string | undefined,
  requestTimeoutMs: number,
): Promise<{ logs?: string; unreadable?: string }> {
  const name = pod?.metadata?.name;
  if (!name || !pod?.spec?.nodeName) return {};
  try {
    const text = await core.readNamespacedPodLog({
      name,
      namespace: ns,
      ...(container ? { container } : {}),
      limitBytes: LOG_LIMIT_BYTES,
    });
    return { logs: typeof text === 'string' ? text : String(text ?? '') };
  } catch (e) {
    // A lost API server is the connectivity FAIL (exit 3), not a Job whose output was empty.
    const err = kubeError('get pods/log', e, requestTimeoutMs);
    if (kubeConnectionLost(err)) throw err;
    // Refused (RBAC lacks get on pods/log): the output exists but is unknown, never empty.
    if (err.isAccessDenied) return { unreadable: err.reason };
    return {}; // a container that never started has no log (400): the verdict says why
  }
}

/**
 * The Job's pod when the watch never showed it: the Job's completion can arrive before the
 * pod watch (re)delivers its pod. Listed by the Job controller's own `job-name` label.
 */
async function listedPod(
  core: k8s.CoreV1Api,
  ns: string,
  jobName: string,
  requestTimeoutMs: number,
): Promise<k8s.V1Pod | undefined> {
  try {
    const list = await core.listNamespacedPod({ namespace: ns, labelSelector: `job-name=${jobName}` });
    return newest(list.items);
  } catch (e) {
    // A lost API server is the connectivity FAIL (exit 3), as for every call.
    const err = kubeError('list pods', e, requestTimeoutMs);
    if (kubeConnectionLost(err)) throw err;
    return undefined; // no list permission: the verdict stands without the log
  }
}

/** Beyond its own deadline, the time a live run may still take to read a Job's log and delete it. */
export const LEFTOVER_GRACE_SECONDS = 60;

/**
 * Which listed irsa-check Jobs an earlier run left behind. Never a Job of this run (its run
 * label), never one whose age is unknown, and never one younger than its own deadline
 * (activeDeadlineSeconds, which is the --job-timeout of the run that made it) plus a grace,
 * nor younger than `minAgeSeconds`: until then the run that made it may still be watching it,
 * whatever --job-timeout this run was given.
 */
export function leftoverJobNames(
  jobs: readonly k8s.V1Job[],
  minAgeSeconds: number,
  now = Date.now(),
  runId = RUN_ID,
): string[] {
  return (jobs ?? [])
    .filter((j) => {
      // A malformed item (null, not an object) is nobody's leftover.
      if (typeof j !== 'object' || j === null) return false;
      if (j.metadata?.labels?.[RUN_LABEL] === runId) return false;
      const created = j.metadata?.creationTimestamp ? new Date(j.metadata.creationTimestamp).getTime() : NaN;
      if (Number.isNaN(created)) return false;
      const own = (j.spec?.activeDeadlineSeconds ?? 0) + LEFTOVER_GRACE_SECONDS;
      return now - created > Math.max(minAgeSeconds, own) * 1000;
    })
    .map((j) => j.metadata?.name ?? '')
    .filter((name) => typeof name === 'string' && name !== '');
}

async function deleteJob(batch: k8s.BatchV1Api, ns: string, name: string): Promise<void> {
  try {
    await batch.deleteNamespacedJob({ name, namespace: ns, propagationPolicy: 'Background' });
  } catch (e) {
    const err = kubeError('delete jobs', e);
    if (err.status !== 404) throw err;
  }
}

/** Watches the created Job until a verdict, `timeoutMs` or a watch that cannot be had. */
function watchJob(
  kc: k8s.KubeConfig,
  ns: string,
  name: string,
  timeoutMs: number,
  requestTimeoutMs: number,
): Promise<Verdict & { state: JobWatchState }> {
  const state: JobWatchState = { pods: new Map() };
  const specs: WatchSpec[] = [
    {
      kind: 'job',
      path: `/apis/batch/v1/namespaces/${ns}/jobs`,
      query: { fieldSelector: `metadata.name=${name}` },
      required: true,
    },
    {
      kind: 'pod',
      path: `/api/v1/namespaces/${ns}/pods`,
      query: { labelSelector: `job-name=${name}` },
      required: true,
    },
    {
      kind: 'event',
      path: `/api/v1/namespaces/${ns}/events`,
      query: { fieldSelector: `involvedObject.kind=Job,involvedObject.name=${name}` },
      required: false,
    },
  ];
  return new Promise((resolve, reject) => {
    let settled = false;
    const watchers: Watcher[] = [];
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const w of watchers) w.stop();
      fn();
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          resolve({ ...stuckVerdict(state, `no result within ${Math.round(timeoutMs / 1000)} s`), state }),
        ),
      timeoutMs,
    );
    for (const spec of specs) {
      const w = new Watcher(
        kc,
        spec,
        requestTimeoutMs,
        (type, obj) => {
          applyEvent(state, spec.kind, type, obj);
          const verdict = decideJob(state);
          if (verdict) finish(() => resolve({ ...verdict, state }));
        },
        (e) => finish(() => reject(e)),
      );
      watchers.push(w);
      w.start();
    }
  });
}

export async function runJobWithWatch(
  kc: k8s.KubeConfig,
  core: k8s.CoreV1Api,
  batch: k8s.BatchV1Api,
  ns: string,
  manifest: Record<string, unknown>,
  timeoutMs: number,
  /** --request-timeout: the deadline of each watch request (kube-watch.ts). */
  requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
): Promise<JobResult> {
  const jobName = manifestName(manifest);
  // Interrupted: the cleanup is under way, and a Job created now could outlive it.
  if (wasInterrupted()) return { outcome: 'create-failed', reason: 'interrupted: no Job created', jobName };
  const created = batch.createNamespacedJob({ namespace: ns, body: manifest as k8s.V1Job });
  // One DELETE, whoever asks first: Ctrl-C's cleanup, or the finally below once the watch sees the
  // Job go (over a kept-alive connection it arrives before the process exits). A failed one may be
  // asked again.
  let deleting: Promise<void> | undefined;
  const remove = (): Promise<void> =>
    (deleting ??= deleteJob(batch, ns, jobName).catch((e: unknown) => {
      deleting = undefined;
      throw e;
    }));
  // Tracked before the create answers, so Ctrl-C during the create still deletes the Job.
  const untrack = trackJob({ namespace: ns, name: jobName, created, delete: remove });
  try {
    await created;
  } catch (e) {
    untrack();
    const err = kubeError('create jobs', e);
    // The API server was lost (timeout, reset, TLS): exit 3 like any call, not the Job's FAIL.
    if (kubeConnectionLost(err)) throw err;
    return { outcome: 'create-failed', reason: `${err.reason}: ${err.message}`, jobName };
  }
  try {
    const { outcome, reason, state } = await watchJob(kc, ns, jobName, timeoutMs, requestTimeoutMs);
    const result: JobResult = { outcome, jobName, ...(reason ? { reason } : {}) };
    if (outcome === 'succeeded' || outcome === 'failed' || outcome === 'timeout') {
      const pod = newest(state.pods.values()) ?? (await listedPod(core, ns, jobName, requestTimeoutMs));
      const { logs, unreadable } = await podLog(core, ns, pod, manifestContainer(manifest), requestTimeoutMs);
      if (logs !== undefined) result.logs = logs;
      if (unreadable !== undefined) result.logUnreadable = unreadable;
      const exitCode = pod ? containerStatus(pod)?.state?.terminated?.exitCode : undefined;
      if (exitCode !== undefined) result.exitCode = exitCode;
    }
    return result;
  } finally {
    try {
      await remove();
      untrack();
    } catch {
      // Still tracked (Ctrl-C retries it); the TTL and the next run's leftover cleanup are the backstops.
    }
  }
}
