/**
 * Kube and Aws answered from a bundle: `--replay`, `npm run demo`, and the worlds
 * most module tests run in. A call the bundle has no answer for fails like an API
 * error would, so a check reports it and the run goes on.
 */
import { ApiCallError } from '../core/errors.js';
import { DEFAULT_LIMITS, type InputLimits } from '../core/limits.js';
import type { Aws } from '../ports/aws.js';
import type { Bundle } from './bundle.js';
import { replayHelmRecord, type BundledHelmRecord } from './bundle-helm.js';
import { callKey, queryMethod, type ApiName, type CallRecord } from '../core/calls.js';
import type { Kube } from '../ports/kube.js';
import type { Deriver } from '../ports/platform.js';

/**
 * Answers each call from the record of the same method and arguments. A declarative AWS query
 * (`query(q, ...args)`, `query@account` for another account) is recorded as `query:<name>`
 * (core/calls.ts); a bundle recorded before the query replaced a port method of the same name
 * holds it under that name, which answers it too.
 */
export function replayTarget<T extends object>(api: ApiName, records: CallRecord[]): T {
  const answers = new Map(records.map((r) => [callKey(r.api, r.method, r.args), r]));
  const answer = (method: string, args: unknown[]) => {
    const query = /^query(@.*)?$/.exec(method);
    if (!query) return { method, args, record: answers.get(callKey(api, method, args)) };
    const [q, ...rest] = args as [{ name: string }, ...unknown[]];
    const at = query[1] ?? '';
    const recorded = `${queryMethod(q.name)}${at}`;
    const record =
      answers.get(callKey(api, recorded, rest)) ?? answers.get(callKey(api, `${q.name}${at}`, rest));
    return { method: recorded, args: rest, record };
  };
  return new Proxy({} as T, {
    get: (_obj, name) => {
      if (typeof name !== 'string' || name === 'then') return undefined;
      return async (...asked: unknown[]) => {
        const { method, args, record } = answer(name, asked);
        if (!record) {
          throw new ApiCallError(
            api,
            method,
            'NotRecorded',
            `the bundle holds no answer for ${method}(${JSON.stringify(args).slice(1, -1)})`,
          );
        }
        if (record.error) throw ApiCallError.fromJSON(record.error);
        return record.result;
      };
    },
  });
}

/** A bundle keeps Helm releases decoded (bundle-helm.ts); the Kube interface answers with Helm's payload. */
function asAnswered(record: CallRecord, limits: InputLimits): CallRecord {
  if (record.method !== 'helmReleaseRecords' || !Array.isArray(record.result)) return record;
  return {
    ...record,
    result: (record.result as BundledHelmRecord[]).map((r) => replayHelmRecord(r, limits)),
  };
}

export function replayPlatform(
  bundle: Bundle,
  limits: InputLimits = DEFAULT_LIMITS,
): {
  kube: Kube;
  aws: Aws;
  awsIn: (account: string) => Aws | undefined;
  derive: Deriver;
} {
  const only = (api: string) => bundle.calls.filter((c) => c.api === api).map((c) => asAnswered(c, limits));
  const derived = replayTarget<Record<string, (...args: unknown[]) => Promise<unknown>>>(
    'derived',
    only('derived'),
  );
  const aws = replayTarget<Record<string, (...args: unknown[]) => Promise<unknown>>>('aws', only('aws'));
  // Calls made as another account are recorded as `method@account` (core/context.ts).
  const accounts = new Set(
    bundle.calls.filter((c) => c.api === 'aws' && c.method.includes('@')).map((c) => c.method.split('@')[1]),
  );
  return {
    kube: replayTarget<Kube>('kube', only('kube')),
    aws: aws as unknown as Aws,
    awsIn: (account) =>
      accounts.has(account)
        ? new Proxy({} as Aws, {
            get: (_obj, method) =>
              typeof method !== 'string' || method === 'then' ? undefined : aws[`${method}@${account}`],
          })
        : undefined,
    derive: (method, args) => derived[method]!(...args) as never,
  };
}
