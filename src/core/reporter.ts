import type { Finding, FindingOptions, Level } from './finding.js';
import type { CodeMeta } from './module.js';
import { ApiCallError, FatalCheckError, UsageError, errorMessage } from './errors.js';

/** irsa-check could not ask Kubernetes or AWS something (its own permissions, throttling, network). */
export const CODE_CANNOT_ASK = 2;
/** A bug in irsa-check: a check module threw something unexpected. */
export const CODE_INTERNAL = 99;

/** Expired or revoked credentials: AWS ExpiredToken*, or the API server answering 401 mid-run. */
function credentialsExpired(e: ApiCallError): boolean {
  if (e.api === 'kube') return e.status === 401;
  return /^ExpiredToken|TokenRefreshRequired/i.test(e.reason);
}

export type FindingSink = (finding: Finding) => void;

/**
 * What a check module reports through. Each FAIL carries an exit code; when the
 * caller gives no fix, the fix the module declared for that code is used, so
 * every FAIL tells the user what to do.
 */
export class Reporter {
  constructor(
    readonly module: string,
    private readonly sink: FindingSink,
    private readonly codes: ReadonlyMap<number, CodeMeta> = new Map(),
    private readonly component?: string,
  ) {}

  ok(message: string, opts: FindingOptions = {}): void {
    this.emit('OK', message, undefined, opts);
  }

  info(message: string, opts: FindingOptions = {}): void {
    this.emit('INFO', message, undefined, opts);
  }

  warn(message: string, opts: FindingOptions = {}): void {
    this.emit('WARN', message, undefined, opts);
  }

  fail(code: number, message: string, opts: FindingOptions = {}): void {
    this.emit('FAIL', message, code, { ...opts, fix: opts.fix ?? this.codes.get(code)?.fix });
  }

  /**
   * Reports an error a check could not handle itself, so the run goes on.
   * Fatal preconditions are rethrown: they stop the run by design.
   */
  unexpected(error: unknown, opts: FindingOptions = {}): void {
    if (error instanceof FatalCheckError || error instanceof UsageError) throw error;
    if (error instanceof ApiCallError) {
      const what = `irsa-check cannot call ${error.operation} (${error.reason})`;
      if (credentialsExpired(error)) {
        // check: credentials-expired — a token that expired mid-run is not a missing permission.
        this.fail(CODE_CANNOT_ASK, `${what}: irsa-check's credentials expired during the run`, {
          ...opts,
          fix:
            error.api === 'kube'
              ? 'Refresh the kubeconfig credentials (e.g. `aws sso login`, `aws eks update-kubeconfig`) and run irsa-check again.'
              : 'Refresh the AWS credentials (e.g. `aws sso login`) and run irsa-check again.',
        });
        return;
      }
      if (error.isAccessDenied) {
        this.fail(CODE_CANNOT_ASK, `${what}: grant it, see README "Permissions"`, {
          ...opts,
          fix:
            opts.fix ??
            `Grant ${error.operation} to the identity irsa-check runs as (README, "Permissions").`,
        });
      } else {
        this.fail(CODE_CANNOT_ASK, `${what}: ${error.message}`, {
          ...opts,
          fix: opts.fix ?? 'Check connectivity and credentials, then run irsa-check again.',
        });
      }
      return;
    }
    this.fail(CODE_INTERNAL, `internal error in check module ${this.module}: ${errorMessage(error)}`, {
      ...opts,
      fix: opts.fix ?? 'This is a bug in irsa-check: run again with --verbose and report it.',
    });
  }

  /** The same reporter, tagging every finding with `component` unless told otherwise. */
  forComponent(component: string): Reporter {
    return new Reporter(this.module, this.sink, this.codes, component);
  }

  /** A reporter whose findings are held back until `flush()`; see `eachInOrder`. */
  buffered(component?: string): { reporter: Reporter; flush: () => void } {
    const held: Finding[] = [];
    const reporter = new Reporter(this.module, (f) => held.push(f), this.codes, component ?? this.component);
    return { reporter, flush: () => held.forEach((f) => this.sink(f)) };
  }

  private emit(level: Level, message: string, code: number | undefined, opts: FindingOptions): void {
    const component = opts.component ?? this.component;
    const finding: Finding = { level, module: this.module, message };
    if (code !== undefined) finding.code = code;
    if (component !== undefined) finding.component = component;
    if (opts.fix !== undefined) finding.fix = opts.fix;
    this.sink(finding);
  }
}

/**
 * Runs `work` for every item concurrently, each with its own buffered reporter,
 * and flushes their findings in the items' order: fast and deterministic output.
 */
export async function eachInOrder<T>(
  items: readonly T[],
  out: Reporter,
  componentOf: (item: T) => string | undefined,
  work: (item: T, out: Reporter) => Promise<void>,
): Promise<void> {
  const buffers = items.map((item) => out.buffered(componentOf(item)));
  await Promise.all(
    items.map(async (item, i) => {
      const reporter = buffers[i]!.reporter;
      try {
        await work(item, reporter);
      } catch (error) {
        reporter.unexpected(error);
      }
    }),
  );
  buffers.forEach((b) => b.flush());
}
