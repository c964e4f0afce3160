/**
 * Verification Jobs over the Kubernetes API: create, watch to an outcome, read
 * logs, always delete. (Filled in by the trust-chain proof work, issue 3/4.)
 */
import type * as k8s from '@kubernetes/client-node';
import { ApiCallError } from '../core/errors.js';
import type { JobResult } from './kube.js';

export async function runJobWithWatch(
  _kc: k8s.KubeConfig,
  _core: k8s.CoreV1Api,
  _batch: k8s.BatchV1Api,
  _ns: string,
  _manifest: Record<string, unknown>,
  _timeoutMs: number,
): Promise<JobResult> {
  throw new ApiCallError(
    'kube',
    'create jobs',
    'NotImplemented',
    'verification Jobs are not implemented yet',
  );
}
