/**
 * Errors the CLI turns into one clear line and an exit code, never a stack trace.
 */

/** Bad command-line input: exit 1 with the message (and usage hint) on stderr. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly exitCode = 1,
    /** What to do about it; usage errors (exit 1) default to the --help hint. */
    readonly fix?: string,
  ) {
    super(message);
  }
}

/**
 * A fatal precondition (docs/CHECKS.md: no AWS identity, not an AWS cluster…): the run
 * stops after the module that threw it, with the FAIL of catalogue check `check`.
 * Modules build it with `out.fatal(id, …)`.
 */
export class FatalCheckError extends Error {
  override name = 'FatalCheckError';
  constructor(
    readonly check: string,
    readonly code: number,
    message: string,
    readonly fix?: string,
  ) {
    super(message);
  }
}

export interface ApiCallErrorJson {
  api: string;
  operation: string;
  reason: string;
  message: string;
  status?: number;
  server?: string;
}

/**
 * A failed call to Kubernetes or AWS, normalised so checks can word it for a person.
 * `api` is `kube` or the AWS service; `operation` the IAM-style action (`iam:GetRole`)
 * or the Kubernetes verb and resource (`list secrets`).
 */
export class ApiCallError extends Error {
  override name = 'ApiCallError';
  /** Kubernetes: the API server the call went to, when the transport knows it (for the words). */
  server?: string;
  constructor(
    readonly api: string,
    readonly operation: string,
    /** AccessDenied, Forbidden, NotFound, Throttling, ExpiredToken, Unreachable, … */
    readonly reason: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }

  get isAccessDenied(): boolean {
    return (
      /AccessDenied|Forbidden|UnauthorizedOperation|NotAuthorized/i.test(this.reason) || this.status === 403
    );
  }

  /** AWS or Kubernetes throttled the call beyond the retries: irsa-check could not check, nothing was refused. */
  get isThrottled(): boolean {
    return /Throttl|TooManyRequests|RequestLimitExceeded|SlowDown/i.test(this.reason) || this.status === 429;
  }

  get isNotFound(): boolean {
    return /NotFound|NoSuchEntity/i.test(this.reason) || this.status === 404;
  }

  toJSON(): ApiCallErrorJson {
    return {
      api: this.api,
      operation: this.operation,
      reason: this.reason,
      message: this.message,
      status: this.status,
      ...(this.server !== undefined ? { server: this.server } : {}),
    };
  }

  static fromJSON(o: ApiCallErrorJson): ApiCallError {
    const e = new ApiCallError(o.api, o.operation, o.reason, o.message, o.status);
    if (typeof o.server === 'string') e.server = o.server;
    return e;
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A Kubernetes call in values-only mode without a cluster (src/platform/no-cluster.ts). */
export class NoClusterError extends Error {
  override name = 'NoClusterError';
}
