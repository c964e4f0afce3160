/**
 * Bundles: a schema-versioned JSON file of every Kubernetes and AWS answer a run
 * used (gzip when the name ends in .gz). Written by --record, read by --replay.
 * Everything in it is redacted and readable: a person greps what they send.
 */
import { open, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { UsageError } from '../core/errors.js';
import {
  checkSize,
  checkTree,
  DEFAULT_LIMITS,
  gunzipLimited,
  InputLimitError,
  type InputLimits,
} from '../core/limits.js';
import { REDACTED, Redactor } from '../core/redact.js';
import { bundleHelmRecord, helmValues } from './bundle-helm.js';
import { redactManifest } from './bundle-manifest.js';
import { bundleShapeProblem } from './bundle-shape.js';
import type { AssumedRole } from '../ports/aws.js';
import type { CallRecord } from '../core/calls.js';
import { matchingLines } from './irsa-log-patterns.js';
import type { ArgoApplication, HelmStorageRecord } from '../ports/kube.js';

export { redactManifest } from './bundle-manifest.js';

/** @2: Helm releases decoded and redacted (bundle-helm.ts); @1 held Helm's base64+gzip payload. */
export const BUNDLE_SCHEMA = 'irsa-check/bundle@2';
/** Schemas a replay still reads: @1 differs only in its Helm records, which replay as they are. */
const READABLE_SCHEMAS = ['irsa-check/bundle@1', BUNDLE_SCHEMA];

export interface Bundle {
  schema: string;
  createdAt: string;
  tool: string;
  /** The command line that made it (namespace, lists…), for the support engineer. */
  invocation: Record<string, unknown>;
  calls: CallRecord[];
}

/**
 * Levels a bundle wraps around what it records (bundle → calls → call → result → record →
 * release): a release as deep as `--max-depth` allows still replays.
 */
const BUNDLE_NESTING = 8;

/** Reads a regular file of at most `limits.maxInputBytes`: never a FIFO or device that blocks or never ends. */
async function readBounded(file: string, limits: InputLimits): Promise<Buffer> {
  // O_NONBLOCK: opening a FIFO without a writer must not wait for one.
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new UsageError(`bundle ${file} is not a regular file`, 1, BUNDLE_FIX);
    checkSize(stat.size, limits);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

const BUNDLE_FIX = 'Pass the bundle file written by irsa-check --record.';

export async function readBundle(file: string, limits: InputLimits = DEFAULT_LIMITS): Promise<Bundle> {
  const overLimit = (e: InputLimitError) =>
    new UsageError(
      e.describe(`bundle ${file}`),
      1,
      `If the bundle is genuine, run again with a higher ${e.flag}.`,
    );
  let raw: Buffer;
  try {
    raw = await readBounded(file, limits);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof InputLimitError) throw overLimit(e);
    throw new UsageError(`cannot read bundle ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let parsed: unknown;
  try {
    // By its bytes, not its name: a gzip file named .json is still gzip.
    const gzip = raw[0] === 0x1f && raw[1] === 0x8b;
    const text = (gzip ? gunzipLimited(raw, limits) : raw).toString('utf8');
    parsed = JSON.parse(text);
  } catch (e) {
    if (e instanceof InputLimitError) throw overLimit(e);
    throw new UsageError(`bundle ${file} is not valid JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    // The size was bounded by the bytes read: here only the depth, before anything walks the tree.
    checkTree(parsed, { maxInputBytes: Infinity, maxDepth: limits.maxDepth + BUNDLE_NESTING });
  } catch (e) {
    if (e instanceof InputLimitError) throw overLimit(e);
    throw e;
  }
  const bundle = parsed as Bundle;
  const schema: unknown = (parsed as { schema?: unknown } | null)?.schema;
  if (
    typeof schema === 'string' &&
    /^irsa-check\/bundle@\d+$/.test(schema) &&
    !READABLE_SCHEMAS.includes(schema)
  ) {
    throw new UsageError(
      `bundle ${file} has schema ${schema}, which this irsa-check cannot read (it reads ${READABLE_SCHEMAS.join(', ')}): replay it with the irsa-check version that recorded it (${String(bundle.tool)})`,
    );
  }
  if (!READABLE_SCHEMAS.includes(String(schema)) || !Array.isArray(bundle.calls)) {
    throw new UsageError(`bundle ${file} is not an irsa-check bundle (expected schema ${BUNDLE_SCHEMA})`);
  }
  const problem = bundleShapeProblem(bundle);
  if (problem) {
    throw new UsageError(`bundle ${file} is damaged: ${problem}`, 1, BUNDLE_FIX);
  }
  return bundle;
}

/** Redacts one recorded answer with what `redactor` knows; Helm releases are stored decoded. */
export function redactRecord(
  record: CallRecord,
  redactor: Redactor = new Redactor(),
  limits: InputLimits = DEFAULT_LIMITS,
): CallRecord {
  const out: CallRecord = { ...record, args: redactor.deep(record.args) };
  if (record.error) out.error = { ...record.error, message: redactor.text(record.error.message) };
  if (!('result' in record)) return out;
  if (record.method === 'requestToken') out.result = REDACTED;
  // The role STS (or EKS Auth) assumed is evidence; the credentials it handed out are a secret.
  else if (
    (record.method === 'assumeRoleWithWebIdentity' || record.method === 'assumeRoleForPodIdentity') &&
    (record.result as AssumedRole)?.credentials
  )
    out.result = { ...(record.result as AssumedRole), credentials: REDACTED };
  // A pod's log may quote anything: only the lines an IRSA check matched are kept.
  else if (record.method === 'podLogTail' && typeof record.result === 'string')
    out.result = redactor.text(matchingLines(record.result, Number(record.args[4] ?? Infinity)));
  else if (record.method === 'helmReleaseRecords') {
    out.result = (record.result as HelmStorageRecord[]).map((r) => bundleHelmRecord(r, redactor, limits));
  } else if (record.method === 'argoApplications') {
    out.result = (record.result as ArgoApplication[]).map((app) => {
      const safe = redactor.deep(app);
      // Values as YAML text: redacted line by line, so a replay parses the same lines.
      if (typeof app.values === 'string') safe.values = redactor.text(redactManifest(app.values));
      return safe;
    });
  } else out.result = redactor.deep(record.result);
  return out;
}

/** Answers whose secret-looking values (by key or env name) are learnt before any answer is redacted. */
const LEARNT_FROM = new Set(['pods', 'dryRunCreatePod', 'workloads']);

/**
 * Writes the bundle, redacted. `redactor` is the run's: it knows the secrets of
 * the releases checked; every other release in the bundle is learnt here too, so
 * a password of one is hidden wherever another answer quotes it.
 */
export async function writeBundle(
  file: string,
  bundle: Bundle,
  redactor?: Redactor,
  limits: InputLimits = DEFAULT_LIMITS,
): Promise<void> {
  const known = redactor?.copy() ?? new Redactor();
  for (const call of bundle.calls) {
    if (call.method === 'helmReleaseRecords' && Array.isArray(call.result)) {
      for (const values of helmValues(call.result as HelmStorageRecord[], limits)) known.learn(values);
    }
    // A pod's secret env (DB_PASSWORD=…) is a learnt secret too: hidden where another answer quotes it.
    if (LEARNT_FROM.has(call.method) && 'result' in call) known.learn(call.result);
  }
  const safe: Bundle = {
    ...bundle,
    calls: bundle.calls.map((c) => redactRecord(withinLimits(c, limits), known, limits)),
  };
  const text = JSON.stringify(safe, null, 2) + '\n';
  await writeFile(file, file.endsWith('.gz') ? gzipSync(text) : text);
}

/**
 * An answer nested deeper than the input limits (an Argo CD Application's valuesObject, a
 * policy document) is recorded as the error a replay answers with: redacting or writing it
 * would recurse once per level. Helm releases are bounded when decoded (bundle-helm.ts).
 */
function withinLimits(record: CallRecord, limits: InputLimits): CallRecord {
  if (!('result' in record) || record.method === 'helmReleaseRecords') return record;
  try {
    checkTree(record.result, { maxInputBytes: Infinity, maxDepth: limits.maxDepth + BUNDLE_NESTING });
    return record;
  } catch (e) {
    if (!(e instanceof InputLimitError)) throw e;
    const { result: _dropped, ...rest } = record;
    return {
      ...rest,
      error: {
        api: record.api,
        operation: record.method,
        reason: 'InputLimit',
        message: e.describe('the answer'),
      },
    };
  }
}
