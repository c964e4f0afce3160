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
import { callKey, type ApiName, type CallRecord } from '../core/calls.js';
import type { Kube } from '../ports/kube.js';
import type { Deriver } from '../ports/platform.js';

export function replayTarget<T extends object>(api: ApiName, records: CallRecord[]): T {
  const answers = new Map(records.map((r) => [callKey(r.api, r.method, r.args), r]));
  return new Proxy({} as T, {
    get: (_obj, method) => {
      if (typeof method !== 'string' || method === 'then') return undefined;
      return async (...args: unknown[]) => {
        const record = answers.get(callKey(api, method, args));
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
