/**
 * What kind of refusal an AWS error answer is, told the same way for the SDK clients' errors
 * (live-aws.ts) and the hand-signed EKS Auth call's (eks-auth.ts), which is shaped like them.
 */

/** AWS's codes for a request signed at a time too far from its own clock. */
const CLOCK_SKEW_CODES = /^(RequestTimeTooSkewed|RequestExpired|RequestInTheFuture)$/;
const SIGNATURE_TIME = /Signature (expired|not yet current)/i;

interface AwsErrorShape {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** A refusal of the request's signing time, not of the credentials. */
export function isClockSkew(e: unknown): boolean {
  const err = e as AwsErrorShape | undefined;
  return CLOCK_SKEW_CODES.test(err?.Code ?? err?.name ?? '') || SIGNATURE_TIME.test(err?.message ?? '');
}

/** AWS slowing the caller down (any service, query and JSON protocols alike): worth a longer backoff, and "could not check", never a verdict. */
export function isThrottling(e: unknown): boolean {
  const err = e as AwsErrorShape | undefined;
  return (
    /Throttl|TooManyRequests|RequestLimitExceeded|SlowDown/i.test(`${err?.Code ?? ''} ${err?.name ?? ''}`) ||
    err?.$metadata?.httpStatusCode === 429
  );
}
