/**
 * A declarative AWS call: what a collector needs of AWS, declared beside the collector instead of
 * as a method of the `Aws` port plus a hand-written live adapter (docs/ARCHITECTURE.md, "Adding a
 * check"). The query names the SDK command and the IAM actions it needs; the live adapter
 * (src/platform/live-aws-query.ts) loads the service's client lazily, sends the command with the
 * same clients, retries, deadlines and credentials as every other call, follows the pages, and
 * hands the raw answer to `output`, which returns a plain JSON-able value (what bundles record).
 * A port: it imports nothing of the project.
 */

/**
 * The SDK client packages the live adapter can load (`@aws-sdk/client-<service>`, package.json).
 * A query on another service needs its package and a line in the adapter's loader table.
 */
export type AwsService = 'sts' | 'eks' | 'iam' | 'rds' | 'opensearch' | 'ec2' | 's3';

/**
 * How the SDK pages a command's answer, as its paginator does (e.g. `paginateDescribeDBProxies`:
 * input token `Marker`, output token `Marker`, items `DBProxies`). The adapter follows the tokens
 * until there is none and hands `output` the last page with `items` holding every page's items.
 */
export interface AwsPagination {
  /** The request field that asks for the next page (`Marker`, `NextToken`). */
  inputToken: string;
  /** The answer field that holds the next page's token. */
  outputToken: string;
  /** The answer field holding the page's items (a list). */
  items: string;
}

export interface AwsQuery<A extends unknown[] = never[], T = unknown, Raw = Record<string, unknown>> {
  /**
   * Stable and unique: a bundle records the call as `query:<name>` with the arguments (never the
   * query itself), and a replay answers it by that name. A query that replaces a method of the
   * `Aws` port keeps the method's name, so bundles recorded before it still replay.
   */
  readonly name: string;
  readonly service: AwsService;
  /** The SDK command without its `Command` suffix: `DescribeDBProxies` sends `DescribeDBProxiesCommand`. */
  readonly command: string;
  /**
   * The IAM actions the call needs of irsa-check's identity (README "Permissions" lists them); the
   * first names the call in its errors ("… not authorized to perform s3:GetBucketPolicy").
   */
  readonly actions: readonly [string, ...string[]];
  /** The request: its parameters and, for a regional service, the region (else the run's default). */
  input(...args: A): { region?: string; params: Record<string, unknown> };
  readonly paginate?: AwsPagination;
  /**
   * Error codes (the SDK error's `name` or `Code`) that answer "there is none" rather than fail:
   * the query then answers `value` (e.g. S3's `NoSuchBucketPolicy` → undefined).
   */
  readonly absent?: { readonly codes: readonly string[]; readonly value: T };
  /** The answer as a plain JSON-able value: no SDK type leaves the adapter. */
  output(raw: Raw, ...args: A): T;
}

/**
 * Any query, whatever its arguments, answer and raw answer (a module's declared list): `input` and
 * `output` are methods, whose parameters TypeScript compares both ways.
 */
export type AnyAwsQuery = AwsQuery<unknown[], unknown, unknown>;

/** Declares a query with its types inferred (an identity at run time). */
export function awsQuery<A extends unknown[], T, Raw = Record<string, unknown>>(
  q: AwsQuery<A, T, Raw>,
): AwsQuery<A, T, Raw> {
  return q;
}
