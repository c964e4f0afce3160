/**
 * The services every check module gets, built once per run by `createContext()`
 * (src/run.ts and the tests use the same function). Facts are not here: the
 * dispatcher (src/engine/dispatch.ts) hands each module the facts it declared.
 */
import type { RunOptions } from './options.js';
import { Redactor } from './redact.js';
import type { Kube } from '../ports/kube.js';
import type { Aws } from '../ports/aws.js';
import { CallLog } from './calls.js';
import type { Platform } from '../ports/platform.js';

/**
 * What one run checks. Modules read the namespace and release here, never from the options:
 * `-A` runs every release in a scope of its own over the same services.
 */
export interface RunScope {
  /** The namespace of the Camunda release (-n, the kubeconfig context's, or the recorded one). */
  readonly namespace: string;
  /** The release named with --release (or found by -A); undefined: the release module picks it. */
  readonly release?: string;
  /**
   * Why there is no Kubernetes cluster to ask (values-only mode without a kubeconfig), or
   * undefined when there is one. Modules that need the cluster declare the fact `kubernetes`
   * (src/engine/facts.ts), which the dispatcher derives from this: they never test it themselves.
   */
  readonly noCluster?: string;
}

export interface Services {
  options: RunOptions;
  scope: RunScope;
  kube: Kube;
  aws: Aws;
  /**
   * AWS as another account (`--assume-role ACCOUNT=ARN`): undefined when the run has no
   * credentials for `account`. The caller's own account answers `aws`.
   */
  awsIn(account: string): Aws | undefined;
  /**
   * Computes (live) or replays (--replay) a result derived from call answers that
   * cannot be derived again offline, e.g. a JWT signature verdict. Recorded in bundles.
   * For `verifyToken`, args[0] is the token: it is left out of the replay key (and redacted when recorded).
   */
  derive<T>(method: string, args: unknown[], compute: () => Promise<T>): Promise<T>;
  /** Hides secrets learnt from the values in every printed message. */
  redactor: Redactor;
  /** Write a progress/diagnostic line for --verbose (stderr, never in json). */
  debug(message: string): void;
  /**
   * Where a transient progress line may be drawn (`\r` overwrites it): the user's terminal
   * in text mode, else undefined (piped, --output json/sarif, --verbose) and nothing is drawn.
   */
  progress?: { write(text: string): void };
}

export interface RunContext extends Services {
  /** Every call the run made, memoised: identical calls are sent once. */
  calls: CallLog;
}

/** One context for a run: each call goes through the memoising, recording call log. */
export function createContext(
  options: RunOptions,
  platform: Platform,
  opts: {
    calls?: CallLog;
    debug?: (message: string) => void;
    redactor?: Redactor;
    progress?: { write(text: string): void };
  } = {},
): RunContext {
  const calls = opts.calls ?? new CallLog();
  const redactor = opts.redactor ?? new Redactor();
  const awsByAccount: Record<string, Aws> = {};
  return {
    options,
    scope: {
      namespace: options.namespace,
      ...(options.release !== undefined ? { release: options.release } : {}),
      ...(platform.noCluster !== undefined ? { noCluster: platform.noCluster } : {}),
    },
    calls,
    kube: calls.wrap('kube', platform.kube),
    aws: calls.wrap('aws', platform.aws),
    awsIn: (account) => {
      const other = platform.awsIn?.(account);
      // Recorded as `method@account`, so a replay answers each account's calls apart.
      if (!other) return undefined;
      return (awsByAccount[account] ??= calls.wrap('aws', other, account));
    },
    redactor,
    derive: (method, args, compute) =>
      calls.derive(method, args, platform.derive ? () => platform.derive!(method, args, compute) : compute),
    debug: opts.debug ?? (() => {}),
    ...(opts.progress ? { progress: opts.progress } : {}),
  };
}
