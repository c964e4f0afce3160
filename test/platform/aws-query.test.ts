/**
 * Declarative AWS queries (src/ports/aws-query.ts) between the collectors and the adapters: the
 * live sending (pages, "there is none", a command the SDK lacks), the call log (one call per
 * query and arguments, recorded by name, per account), and the replay (by name, and from bundles
 * recorded when the query was still a method of the Aws port).
 */
import { describe, expect, it } from 'vitest';
import { CallLog } from '../../src/core/calls.js';
import { ApiCallError } from '../../src/core/errors.js';
import { BUCKET_POLICY, BUCKET_REGION } from '../../src/collectors/document-store.js';
import { sendQuery, type QueryClients } from '../../src/platform/live-aws-query.js';
import { replayPlatform } from '../../src/platform/replay.js';
import { BUNDLE_SCHEMA, type Bundle } from '../../src/platform/bundle.js';
import { awsQuery, type Aws, type AwsQuery } from '../../src/ports/aws.js';

/** A fake SDK: `ListThingsCommand` answers the pages in `pages`, by the token asked. */
function fakeClients(
  pages: Record<string, Record<string, unknown>>,
  sent: Array<Record<string, unknown>>,
): QueryClients {
  class ListThingsCommand {
    constructor(readonly input: Record<string, unknown>) {}
  }
  return {
    module: async () => ({ ListThingsCommand }),
    client: async () => ({
      send: async (command: unknown) => {
        const input = (command as ListThingsCommand).input;
        sent.push(input);
        const page = pages[String(input.Token ?? '')];
        if (!page) throw Object.assign(new Error('no such thing'), { name: 'NoSuchThing' });
        return page;
      },
    }),
  };
}

const LIST_THINGS = awsQuery({
  name: 'things',
  service: 'ec2',
  command: 'ListThings',
  actions: ['ec2:ListThings'],
  input: (owner: string) => ({ region: 'eu-west-1', params: { Owner: owner } }),
  paginate: { inputToken: 'Token', outputToken: 'Next', items: 'Things' },
  output: (raw: { Things?: string[]; Total?: number }) => ({ things: raw.Things ?? [], total: raw.Total }),
});

describe('sending a query', () => {
  it("follows every page's token and hands output every page's items with the last page's other fields", async () => {
    const sent: Array<Record<string, unknown>> = [];
    const clients = fakeClients(
      {
        '': { Things: ['a', 'b'], Next: 't1' },
        t1: { Things: ['c'], Next: 't2' },
        t2: { Things: [], Total: 3 },
      },
      sent,
    );
    expect(await sendQuery(clients, LIST_THINGS as AwsQuery<unknown[], unknown, unknown>, ['me'])).toEqual({
      things: ['a', 'b', 'c'],
      total: 3,
    });
    expect(sent).toEqual([{ Owner: 'me' }, { Owner: 'me', Token: 't1' }, { Owner: 'me', Token: 't2' }]);
  });

  it('stops when a page repeats the token it was asked with (a server that would page forever)', async () => {
    const sent: Array<Record<string, unknown>> = [];
    const clients = fakeClients(
      { '': { Things: ['a'], Next: 't1' }, t1: { Things: ['b'], Next: 't1' } },
      sent,
    );
    const answer = await sendQuery(clients, LIST_THINGS as AwsQuery<unknown[], unknown, unknown>, ['me']);
    expect(answer).toEqual({ things: ['a', 'b'], total: undefined });
    expect(sent).toHaveLength(2);
  });

  it('answers `absent.value` for a declared error code (name or Code), and throws the others', async () => {
    const none = {
      ...LIST_THINGS,
      paginate: undefined,
      absent: { codes: ['NoSuchThing'], value: undefined },
    };
    const clients = fakeClients({}, []);
    await expect(sendQuery(clients, none as AwsQuery<unknown[], unknown, unknown>, ['me'])).resolves.toBe(
      undefined,
    );
    const other = { ...none, absent: { codes: ['NoSuchOtherThing'], value: undefined } };
    await expect(sendQuery(clients, other as AwsQuery<unknown[], unknown, unknown>, ['me'])).rejects.toThrow(
      'no such thing',
    );
  });

  it('names the package and command when the SDK has no such command', async () => {
    const typo = { ...LIST_THINGS, command: 'ListThngs' };
    await expect(
      sendQuery(fakeClients({}, []), typo as AwsQuery<unknown[], unknown, unknown>, ['me']),
    ).rejects.toThrow('@aws-sdk/client-ec2 has no ListThngsCommand');
  });
});

/** An Aws answering only queries, counting what it is asked. */
function countingAws(asked: string[]): Aws {
  return {
    query: async (q: AwsQuery<unknown[], unknown, unknown>, ...args: unknown[]) => {
      asked.push(`${q.name}(${args.join(',')})`);
      return `${q.name} of ${args.join(',')}`;
    },
  } as unknown as Aws;
}

describe('the call log and the replay', () => {
  it('sends identical queries once and records them as query:<name> with their arguments, apart per account', async () => {
    const asked: string[] = [];
    const calls = new CallLog();
    const aws = calls.wrap('aws', countingAws(asked));
    const other = calls.wrap('aws', countingAws(asked), '210987654321');
    const answers = await Promise.all([
      aws.query(BUCKET_REGION, 'docs'),
      aws.query(BUCKET_REGION, 'docs'),
      aws.query(BUCKET_POLICY, 'docs', 'eu-west-1'),
      other.query(BUCKET_REGION, 'docs'),
    ]);
    expect(answers).toEqual([
      'bucketRegion of docs',
      'bucketRegion of docs',
      'bucketPolicy of docs,eu-west-1',
      'bucketRegion of docs',
    ]);
    expect(asked).toEqual(['bucketRegion(docs)', 'bucketPolicy(docs,eu-west-1)', 'bucketRegion(docs)']);
    expect(calls.records.map(({ method, args, result }) => ({ method, args, result }))).toEqual([
      { method: 'query:bucketRegion', args: ['docs'], result: 'bucketRegion of docs' },
      { method: 'query:bucketPolicy', args: ['docs', 'eu-west-1'], result: 'bucketPolicy of docs,eu-west-1' },
      { method: 'query:bucketRegion@210987654321', args: ['docs'], result: 'bucketRegion of docs' },
    ]);

    const bundle: Bundle = {
      schema: BUNDLE_SCHEMA,
      createdAt: '',
      tool: '',
      invocation: {},
      calls: calls.records,
    };
    const replay = replayPlatform(bundle);
    await expect(replay.aws.query(BUCKET_POLICY, 'docs', 'eu-west-1')).resolves.toBe(
      'bucketPolicy of docs,eu-west-1',
    );
    await expect(replay.awsIn('210987654321')?.query(BUCKET_REGION, 'docs')).resolves.toBe(
      'bucketRegion of docs',
    );
    const missing = await replay.aws.query(BUCKET_REGION, 'other').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiCallError);
    expect((missing as ApiCallError).reason).toBe('NotRecorded');
    expect((missing as ApiCallError).message).toContain(
      'the bundle holds no answer for query:bucketRegion("other")',
    );
  });

  it('replays a bundle recorded when bucketRegion and bucketPolicy were methods of the Aws port', async () => {
    const bundle: Bundle = {
      schema: BUNDLE_SCHEMA,
      createdAt: '',
      tool: 'irsa-check 0.1.0',
      invocation: {},
      calls: [
        { api: 'aws', method: 'bucketRegion', args: ['docs'], result: 'eu-central-1' },
        {
          api: 'aws',
          method: 'bucketPolicy',
          args: ['docs', 'eu-central-1'],
          error: { api: 'aws', operation: 's3:GetBucketPolicy', reason: 'AccessDenied', message: 'denied' },
        },
      ],
    };
    const replay = replayPlatform(bundle);
    await expect(replay.aws.query(BUCKET_REGION, 'docs')).resolves.toBe('eu-central-1');
    await expect(replay.aws.query(BUCKET_POLICY, 'docs', 'eu-central-1')).rejects.toThrow('denied');
  });
});
