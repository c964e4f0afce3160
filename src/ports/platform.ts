/**
 * What a run asks the world through: the Kubernetes and AWS ports and, for results that
 * cannot be derived again offline (a JWT signature verdict), a deriver. Live adapters,
 * a replayed bundle (src/platform/replay.ts) and the tests' in-memory worlds all
 * answer as a Platform. A port: it imports nothing of the project but other ports.
 */
import type { Aws } from './aws.js';
import type { Kube } from './kube.js';

/** Answers `ctx.derive(...)` from the bundle: what the recorded run derived. */
export type Deriver = <T>(method: string, args: unknown[], compute: () => Promise<T>) => Promise<T>;

/** The Kubernetes and AWS answers a run uses: live, replayed from a bundle, or an in-memory test world. */
export interface Platform {
  kube: Kube;
  aws: Aws;
  /** AWS as another account, when the run was given credentials for it (`--assume-role`). */
  awsIn?: (account: string) => Aws | undefined;
  /** Replays answer derived results from the bundle instead of computing them. */
  derive?: Deriver;
  /** Why there is no Kubernetes cluster (values-only mode without a kubeconfig): `kube` then answers nothing. */
  noCluster?: string;
}
