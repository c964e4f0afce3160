/**
 * One place every Kubernetes and AWS call goes through: identical calls are made
 * once per run (a role shared by three components is fetched once), each distinct
 * call is counted (`--verbose`), and its answer can be written to a bundle.
 */
import { ApiCallError } from '../core/errors.js';

export type ApiName = 'kube' | 'aws';

export interface CallRecord {
  api: ApiName;
  method: string;
  args: unknown[];
  result?: unknown;
  error?: ReturnType<ApiCallError['toJSON']>;
}

/** Methods with side effects: never memoised, never replayed from another call's answer. */
const UNCACHED = new Set(['runJob', 'deleteJob', 'requestToken', 'assumeRoleWithWebIdentity']);

export function callKey(api: ApiName, method: string, args: unknown[]): string {
  return `${api}.${method}(${JSON.stringify(args)})`;
}

export class CallLog {
  /** Distinct calls in the order first made. */
  readonly records: CallRecord[] = [];
  /** How many times each distinct call was actually sent (1 when memoisation works). */
  readonly sent = new Map<string, number>();
  private readonly pending = new Map<string, Promise<unknown>>();

  constructor(private readonly onCall?: (key: string) => void) {}

  /** Wraps `target` so each of its methods goes through the log. */
  wrap<T extends object>(api: ApiName, target: T): T {
    return new Proxy(target, {
      get: (obj, prop, receiver) => {
        const value = Reflect.get(obj, prop, receiver);
        if (typeof value !== 'function' || typeof prop !== 'string') return value;
        return (...args: unknown[]) => this.invoke(api, prop, args, () => value.apply(obj, args));
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
    const promise = send().then(
      (result) => {
        record.result = result;
        return result;
      },
      (error: unknown) => {
        if (error instanceof ApiCallError) record.error = error.toJSON();
        throw error;
      },
    );
    if (cacheable) this.pending.set(key, promise);
    return promise;
  }

  count(api?: ApiName): number {
    return this.records.filter((r) => !api || r.api === api).length;
  }
}
