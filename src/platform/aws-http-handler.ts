/**
 * The AWS SDK's request handler with irsa-check's timeout model (README "Timeouts"):
 * smithy's NodeHttpHandler bounds the connect (connectionTimeout) and the wait for the
 * response headers (requestTimeout), but not the body, which the SDK reads later: an
 * endpoint that drips GetRole's answer one byte at a time would hold the call until the
 * run's overall deadline. Here one deadline covers the whole attempt, body included.
 *
 * The SDK's standard retry strategy treats every timeout as transient and would ask a
 * silent endpoint five times (five request timeouts: 150 s by default, past the run's
 * deadline). Here only a connect timeout (5 s) is retried, as any network error is; an
 * endpoint that accepted the connection and then did not answer in time ends the call,
 * as client-go does: the answer comes within --request-timeout.
 */
import type { IncomingMessage } from 'node:http';
import { NodeHttpHandler } from '@smithy/node-http-handler';
type HttpHandlerOptions = NonNullable<Parameters<NodeHttpHandler['handle']>[1]>;
import { deadlineWords, seconds, type ExchangePhase } from './http-timeouts.js';

/**
 * An attempt ran out of time. A connect timeout is a `TimeoutError`, which the SDK's retry
 * strategy retries; a later one is a `RequestDeadlineError`, which it does not retry (no
 * transient name, code or cause).
 */
export class AwsDeadlineError extends Error {
  constructor(
    readonly phase: ExchangePhase,
    readonly timeoutMs: number,
  ) {
    super(
      phase === 'connect' ? `no connection within ${seconds(timeoutMs)}` : deadlineWords(phase, timeoutMs),
    );
    this.name = phase === 'connect' ? 'TimeoutError' : 'RequestDeadlineError';
  }
}

type Handled = Awaited<ReturnType<NodeHttpHandler['handle']>>;
type SmithyRequest = Parameters<NodeHttpHandler['handle']>[0];

export interface DeadlineHandlerOptions {
  /** The deadline of one attempt: connect, TLS, first byte and body. */
  requestTimeoutMs: number;
  connectTimeoutMs: number;
}

const SILENT_LOGGER = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export class DeadlineHttpHandler extends NodeHttpHandler {
  constructor(private readonly limits: DeadlineHandlerOptions) {
    super({
      connectionTimeout: Math.min(limits.connectTimeoutMs, limits.requestTimeoutMs),
      // the deadline below replaces smithy's requestTimeout (headers only)
      logger: SILENT_LOGGER,
    });
  }

  override async handle(request: SmithyRequest, options: HttpHandlerOptions = {}): Promise<Handled> {
    const timeoutMs = this.limits.requestTimeoutMs;
    const started = Date.now();
    const controller = new AbortController();
    const outer = options.abortSignal as AbortSignal | undefined;
    const onOuterAbort = () => controller.abort(outer?.reason);
    if (outer?.aborted) onOuterAbort();
    else outer?.addEventListener?.('abort', onOuterAbort, { once: true });
    let deadlinePassed = false;
    const timer = setTimeout(() => {
      deadlinePassed = true;
      controller.abort();
    }, timeoutMs);
    let handled: Handled;
    try {
      handled = await super.handle(request, {
        ...options,
        abortSignal: controller.signal as HttpHandlerOptions['abortSignal'],
      });
    } catch (e) {
      clearTimeout(timer);
      outer?.removeEventListener?.('abort', onOuterAbort);
      if (deadlinePassed) throw new AwsDeadlineError('first byte', timeoutMs);
      // smithy's connectionTimeout (a TimeoutError before the socket connected)
      if ((e as { name?: string })?.name === 'TimeoutError') {
        throw new AwsDeadlineError('connect', Math.min(this.limits.connectTimeoutMs, timeoutMs));
      }
      throw e;
    }
    clearTimeout(timer);
    outer?.removeEventListener?.('abort', onOuterAbort);
    const body = handled.response.body as IncomingMessage | undefined;
    if (body && typeof body.on === 'function' && typeof body.destroy === 'function' && !body.readableEnded) {
      // The rest of the deadline for the body, read later by the SDK's deserializer.
      const rest = Math.max(0, started + timeoutMs - Date.now());
      const bodyTimer = setTimeout(() => body.destroy(new AwsDeadlineError('body', timeoutMs)), rest);
      bodyTimer.unref();
      const clear = () => clearTimeout(bodyTimer);
      body.once('end', clear);
      body.once('close', clear);
      body.once('error', clear);
    }
    return handled;
  }
}

/** True for an attempt that ran out of time (either kind). */
export function isDeadlineError(e: unknown): e is AwsDeadlineError {
  return e instanceof AwsDeadlineError;
}
