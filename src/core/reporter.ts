import type { Finding, FindingOptions, Level } from './finding.js';
import { RUN_CHECKS, type CheckMeta } from './catalogue.js';
import { ApiCallError, FatalCheckError, NoClusterError, UsageError, errorMessage } from './errors.js';
import { kubeConnectionLost } from './cluster-unusable.js';

/** irsa-check could not ask Kubernetes or AWS something (its own permissions, throttling, network). */
export const CODE_CANNOT_ASK = RUN_CHECKS['cannot-ask'].code;
/** A bug in irsa-check: a check module threw something unexpected. */
export const CODE_INTERNAL = RUN_CHECKS['internal-error'].code;

/** Expired or revoked credentials: AWS ExpiredToken*, or the API server answering 401 mid-run. */
function credentialsExpired(e: ApiCallError): boolean {
  if (e.api === 'kube') return e.status === 401;
  return /^ExpiredToken|TokenRefreshRequired/i.test(e.reason);
}

export type FindingSink = (finding: Finding) => void;

const RUN: Readonly<Record<string, CheckMeta>> = RUN_CHECKS;

/**
 * What a check module reports through, by check ID (ESLint's `context.report`
 * with a message ID). The catalogue entry gives a FAIL its exit code and, when the
 * caller gives none, its fix. Findings of checks turned off with --skip are dropped.
 */
export class Reporter<Id extends string = string> {
  constructor(
    readonly module: string,
    private readonly sink: FindingSink,
    private readonly checks: Readonly<Record<string, CheckMeta>> = {},
    private readonly component?: string,
    private readonly skip: ReadonlySet<string> = new Set(),
  ) {}

  /** The check passed. */
  ok(id: Id, message: string, opts: FindingOptions = {}): void {
    this.emit('OK', id, message, opts);
  }

  /** Context (no ID), or the verdict of an INFO check (with its ID). */
  info(message: string, opts?: FindingOptions): void;
  info(id: Id, message: string, opts?: FindingOptions): void;
  info(a: string, b?: string | FindingOptions, c?: FindingOptions): void {
    if (typeof b === 'string') this.emit('INFO', a, b, c ?? {});
    else this.emit('INFO', undefined, a, b ?? {});
  }

  warn(id: Id, message: string, opts: FindingOptions = {}): void {
    this.emit('WARN', id, message, opts);
  }

  fail(
    id: Id | 'cannot-ask' | 'internal-error' | 'credentials-expired',
    message: string,
    opts: FindingOptions = {},
  ): void {
    this.emit('FAIL', id, message, opts);
  }

  /** A fatal precondition: throw what this returns; the run stops after this module. */
  fatal(id: Id, message: string, fix?: string): FatalCheckError {
    const meta = this.meta(id, 'FAIL');
    return new FatalCheckError(id, meta.code!, message, fix ?? meta.fix);
  }

  /**
   * Reports an error a check could not handle itself, so the run goes on.
   * Fatal preconditions are rethrown: they stop the run by design, and so does a Kubernetes
   * call that lost the API server (timeout, reset, TLS, unreachable: exit 3), in whichever
   * module and at whichever call it happens (README "Exit codes").
   */
  unexpected(error: unknown, opts: FindingOptions = {}): void {
    if (error instanceof FatalCheckError || error instanceof UsageError) throw error;
    // Values-only mode without a cluster: whatever asks it is skipped, not an error.
    if (error instanceof NoClusterError) {
      this.info('skipped: needs the Kubernetes cluster', opts);
      return;
    }
    if (error instanceof ApiCallError) {
      const what = `irsa-check cannot call ${error.operation} (${error.reason})`;
      if (credentialsExpired(error)) {
        // A token that expired mid-run is not a missing permission.
        this.fail('credentials-expired', `${what}: irsa-check's credentials expired during the run`, {
          ...opts,
          fix:
            error.api === 'kube'
              ? 'Refresh the kubeconfig credentials (e.g. `aws sso login`, `aws eks update-kubeconfig`) and run irsa-check again.'
              : 'Refresh the AWS credentials (e.g. `aws sso login`) and run irsa-check again.',
        });
        return;
      }
      const lost = kubeConnectionLost(error);
      if (lost) throw lost;
      if (error.reason === 'ClockSkew') {
        // AWS refuses what this machine signs: its clock, not a permission or the network.
        this.fail('cannot-ask', `${what}: ${error.message}`, {
          ...opts,
          fix: "Synchronise this machine's clock (NTP: `timedatectl set-ntp true`, `chronyc makestep`, or the VM's time sync), then run irsa-check again.",
        });
        return;
      }
      if (
        error.isAccessDenied &&
        /explicit deny in a (service|resource) control policy/i.test(error.message)
      ) {
        // Granting it to irsa-check's identity would not help: AWS Organizations refuses it (iam/scp.ts).
        this.fail(
          'cannot-ask',
          `${what}: AWS says an explicit deny in a service or resource control policy of AWS Organizations refuses it`,
          {
            ...opts,
            fix: `Run irsa-check with credentials the organization's control policies allow ${error.operation}, or ask its administrators.`,
          },
        );
      } else if (error.isAccessDenied) {
        this.fail('cannot-ask', `${what}: grant it, see README "Permissions"`, {
          ...opts,
          fix:
            opts.fix ??
            `Grant ${error.operation} to the identity irsa-check runs as (README, "Permissions").`,
        });
      } else {
        this.fail('cannot-ask', `${what}: ${error.message}`, {
          ...opts,
          fix: opts.fix ?? 'Check connectivity and credentials, then run irsa-check again.',
        });
      }
      return;
    }
    this.fail(
      'internal-error',
      `internal error in check module ${this.module}: ${errorMessage(error)}`,
      opts,
    );
  }

  /** The same reporter, tagging every finding with `component` unless told otherwise. */
  forComponent(component: string): Reporter<Id> {
    return new Reporter<Id>(this.module, this.sink, this.checks, component, this.skip);
  }

  /** A reporter whose findings are held back until `flush()`; see `eachInOrder`. */
  buffered(component?: string): { reporter: Reporter<Id>; flush: () => void } {
    const held: Finding[] = [];
    const reporter = new Reporter<Id>(
      this.module,
      (f) => held.push(f),
      this.checks,
      component ?? this.component,
      this.skip,
    );
    return { reporter, flush: () => held.forEach((f) => this.sink(f)) };
  }

  private meta(id: string, level: Level): CheckMeta {
    const meta = this.checks[id] ?? RUN[id];
    if (!meta) throw new Error(`module ${this.module} reports check "${id}", which it does not declare`);
    if (level !== 'OK' && meta.severity !== level) {
      throw new Error(`module ${this.module} reports ${meta.severity} check "${id}" as ${level}`);
    }
    return meta;
  }

  private emit(level: Level, id: string | undefined, message: string, opts: FindingOptions): void {
    const meta = id === undefined ? undefined : this.meta(id, level);
    if (id !== undefined && this.skip.has(id)) return;
    const component = opts.component ?? this.component;
    const finding: Finding = { level, module: this.module, message };
    if (id !== undefined) finding.check = id;
    if (level === 'FAIL') finding.code = meta!.code;
    if (component !== undefined) finding.component = component;
    const fix = opts.fix ?? (level === 'FAIL' ? meta?.fix : undefined);
    if (fix !== undefined) finding.fix = fix;
    if (opts.data !== undefined) finding.data = opts.data;
    this.sink(finding);
  }
}

/**
 * Runs `work` for every item concurrently, each with its own buffered reporter,
 * and flushes their findings in the items' order: fast and deterministic output.
 */
export async function eachInOrder<T, Id extends string>(
  items: readonly T[],
  out: Reporter<Id>,
  componentOf: (item: T) => string | undefined,
  work: (item: T, out: Reporter<Id>) => Promise<void>,
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
