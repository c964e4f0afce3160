/**
 * One place every Kubernetes and AWS call goes through: identical calls are made
 * once per run (a role shared by three components is fetched once), each distinct
 * call is counted (`--verbose`), and its answer can be written to a bundle.
 */
import { ApiCallError } from './errors.js';
import { RUN_LABEL } from '../ports/kube.js';

/** `derived`: results computed from answers but not re-computable offline (a JWT signature check). */
export type ApiName = 'kube' | 'aws' | 'derived';

export interface CallRecord {
  api: ApiName;
  method: string;
  args: unknown[];
  result?: unknown;
  error?: ReturnType<ApiCallError['toJSON']>;
}

/** Methods with side effects: never memoised, never replayed from another call's answer. */
const UNCACHED = new Set([
  'runJob',
  'deleteJob',
  'requestToken',
  'assumeRoleWithWebIdentity',
  'assumeRoleForPodIdentity',
]);

/**
 * The arguments that identify a call across runs: a Job's random name and a
 * token's bytes differ every run, so a replay matches on what they stand for.
 */
function stableArgs(method: string, args: unknown[]): unknown[] {
  if (method === 'runJob') {
    const manifest = args[1] as { metadata?: { labels?: Record<string, string> } } | undefined;
    // The run label is as random as the name: a replay matches on purpose and component.
    const { [RUN_LABEL]: _run, ...labels } = manifest?.metadata?.labels ?? {};
    return [args[0], labels];
  }
  if (method === 'assumeRoleWithWebIdentity' || method === 'assumeRoleForPodIdentity')
    return [args[0], '<token>', args[2]];
  if (method === 'verifyToken') return args.slice(1);
  return args;
}

/** How a bundle names a declarative AWS query's call. */
export function queryMethod(name: string): string {
  return `query:${name}`;
}

export function callKey(api: ApiName, method: string, args: unknown[]): string {
  return `${api}.${method}(${JSON.stringify(stableArgs(method, args))})`;
}

export class CallLog {
  /** Distinct calls in the order first made. */
  readonly records: CallRecord[] = [];
  /** How many times each distinct call was actually sent (1 when memoisation works). */
  readonly sent = new Map<string, number>();
  private readonly pending = new Map<string, Promise<unknown>>();
  /** Calls sent and not answered yet, by key: what a run that ran out of time was waiting for. */
  private readonly open = new Map<CallRecord, string>();
  /** The call that took longest (kube or aws), for the throttling summary. */
  slowest?: { call: string; ms: number };
  /** Calls answered (or failed) so far: the progress line counts them. */
  answered = 0;

  constructor(private readonly onCall?: (key: string) => void) {}

  /**
   * Wraps `target` so each of its methods goes through the log; with `account`, as
   * `method@account` (AWS as another account: its answers are kept apart). A declarative AWS
   * query (`query(q, ...args)`, src/ports/aws-query.ts) is logged as `query:<its name>` with its
   * arguments alone: the query object is code, not data.
   */
  wrap<T extends object>(api: ApiName, target: T, account?: string): T {
    const at = account ? `@${account}` : '';
    return new Proxy(target, {
      get: (obj, prop, receiver) => {
        const value = Reflect.get(obj, prop, receiver);
        if (typeof value !== 'function' || typeof prop !== 'string') return value;
        if (prop === 'query')
          return (q: { name: string }, ...args: unknown[]) =>
            this.invoke(api, `${queryMethod(q.name)}${at}`, args, () => value.call(obj, q, ...args));
        return (...args: unknown[]) => this.invoke(api, `${prop}${at}`, args, () => value.apply(obj, args));
      },
    });
  }

  private invoke(
    api: ApiName,
    method: string,
    args: unknown[],
    send: () => Promise<unknown>,
  ): Promise<unknown> {
    const key = callKey(api, method, args);
    const cacheable = !UNCACHED.has(method);
    const cached = cacheable ? this.pending.get(key) : undefined;
    if (cached) return cached;
    this.sent.set(key, (this.sent.get(key) ?? 0) + 1);
    this.onCall?.(key);
    const record: CallRecord = { api, method, args };
    this.records.push(record);
    // As a line names it ("waiting for AWS bucketRegion"): a query by its name alone.
    const name = `${api === 'aws' ? 'AWS' : api === 'kube' ? 'Kubernetes' : api} ${method.replace(/^query:/, '')}`;
    this.open.set(record, name);
    const started = Date.now();
    const settle = () => {
      this.open.delete(record);
      this.answered++;
      const ms = Date.now() - started;
      if (api !== 'derived' && method !== 'runJob' && (!this.slowest || ms > this.slowest.ms)) {
        this.slowest = { call: name, ms };
      }
    };
    const promise = send().then(
      (result) => {
        settle();
        record.result = result;
        return result;
      },
      (error: unknown) => {
        settle();
        if (error instanceof ApiCallError) record.error = error.toJSON();
        throw error;
      },
    );
    if (cacheable) this.pending.set(key, promise);
    return promise;
  }

  /**
   * A result derived from answers that a replay cannot derive again (e.g. a JWT
   * signature check: the token itself is never stored). Recorded like a call.
   */
  derive<T>(method: string, args: unknown[], compute: () => Promise<T>): Promise<T> {
    return this.invoke('derived', method, args, compute) as Promise<T>;
  }

  /** The calls still waiting for an answer, e.g. `AWS callerIdentity` (distinct, in the order sent). */
  inFlight(): string[] {
    return [...new Set(this.open.values())];
  }

  count(api?: ApiName): number {
    return this.records.filter((r) => !api || r.api === api).length;
  }
}
