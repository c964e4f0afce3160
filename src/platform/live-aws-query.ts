/**
 * The live side of a declarative AWS query (src/ports/aws-query.ts): the table of SDK client
 * packages the adapter loads on first use, and the sending of one query: its command, its pages,
 * its "there is none" answer, its output. LiveAws (live-aws.ts) supplies the client, which is the
 * one every call of that service and region shares (retries, deadlines, credentials, throttling
 * count), and turns errors into ApiCallErrors naming the query's first action.
 */
import type { AwsQuery, AwsService } from '../ports/aws-query.js';

export type SdkModules = {
  sts: typeof import('@aws-sdk/client-sts');
  eks: typeof import('@aws-sdk/client-eks');
  iam: typeof import('@aws-sdk/client-iam');
  rds: typeof import('@aws-sdk/client-rds');
  opensearch: typeof import('@aws-sdk/client-opensearch');
  ec2: typeof import('@aws-sdk/client-ec2');
  s3: typeof import('@aws-sdk/client-s3');
};

/**
 * One import per package, each a literal specifier: esbuild bundles every one of them into the
 * single-file binary (src/binary.ts) and Node loads each only when first asked (≈0.15 s apiece).
 * A query on a service not listed here needs its package in package.json and a line here.
 */
export const loaders: { [K in AwsService]: () => Promise<SdkModules[K]> } = {
  sts: () => import('@aws-sdk/client-sts'),
  eks: () => import('@aws-sdk/client-eks'),
  iam: () => import('@aws-sdk/client-iam'),
  rds: () => import('@aws-sdk/client-rds'),
  opensearch: () => import('@aws-sdk/client-opensearch'),
  ec2: () => import('@aws-sdk/client-ec2'),
  s3: () => import('@aws-sdk/client-s3'),
};

/** What the adapter needs of an SDK client: it sends commands. */
export interface SdkClient {
  send(command: unknown): Promise<unknown>;
}

type ClientClass = new (config: object) => SdkClient;

/** Each package's client class. */
export const CLIENT_CLASSES: { [K in AwsService]: (m: SdkModules[K]) => ClientClass } = {
  sts: (m) => m.STSClient as unknown as ClientClass,
  eks: (m) => m.EKSClient as unknown as ClientClass,
  iam: (m) => m.IAMClient as unknown as ClientClass,
  rds: (m) => m.RDSClient as unknown as ClientClass,
  opensearch: (m) => m.OpenSearchClient as unknown as ClientClass,
  ec2: (m) => m.EC2Client as unknown as ClientClass,
  s3: (m) => m.S3Client as unknown as ClientClass,
};

/** The adapter's clients and modules, as LiveAws holds them. */
export interface QueryClients {
  module(service: AwsService): Promise<Record<string, unknown>>;
  /** The shared client of `service` in `region` (undefined: the run's default region). */
  client(service: AwsService, region: string | undefined): Promise<SdkClient>;
}

/** The SDK error's code: `name` (JSON protocols, S3) or `Code` (query protocols). */
function hasCode(e: unknown, codes: readonly string[]): boolean {
  const err = e as { name?: string; Code?: string } | undefined;
  return codes.some((c) => c === err?.name || c === err?.Code);
}

/**
 * Sends `q` with `args`: its pages one after another as the SDK's paginator does (the next page
 * while the answer holds a token, stopping on a token the previous page already gave), then
 * `output` of the last page with `items` holding every page's items.
 */
export async function sendQuery<A extends unknown[], T>(
  clients: QueryClients,
  q: AwsQuery<A, T, unknown>,
  args: A,
): Promise<T> {
  const { region, params } = q.input(...args);
  const Command = (await clients.module(q.service))[`${q.command}Command`];
  if (typeof Command !== 'function')
    // A typo in a query (test/readme.test.ts looks up every declared command).
    throw new Error(`@aws-sdk/client-${q.service} has no ${q.command}Command`);
  const make = Command as new (input: object) => unknown;
  const client = await clients.client(q.service, region);
  try {
    const paging = q.paginate;
    if (!paging) return q.output(await client.send(new make(params)), ...args);
    const items: unknown[] = [];
    let page: Record<string, unknown> = {};
    let token: unknown;
    for (;;) {
      const previous = token;
      page = (await client.send(
        new make(token === undefined ? params : { ...params, [paging.inputToken]: token }),
      )) as Record<string, unknown>;
      const pageItems = page[paging.items];
      if (Array.isArray(pageItems)) items.push(...(pageItems as unknown[]));
      token = page[paging.outputToken];
      if (!token || token === previous) break;
    }
    return q.output({ ...page, [paging.items]: items }, ...args);
  } catch (e) {
    if (q.absent && hasCode(e, q.absent.codes)) return q.absent.value;
    throw e;
  }
}
