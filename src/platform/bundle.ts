/**
 * Bundles: a schema-versioned JSON file of every Kubernetes and AWS answer a run
 * used (gzip when the name ends in .gz). Written by --record, read by --replay.
 * Everything in it is redacted and readable: a person greps what they send.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { UsageError } from '../core/errors.js';
import { REDACTED, Redactor } from '../core/redact.js';
import { bundleHelmRecord, helmValues } from './bundle-helm.js';
import { redactManifest } from './bundle-manifest.js';
import type { AssumedRole } from './aws.js';
import type { CallRecord } from './calls.js';
import { matchingLines } from './irsa-log-patterns.js';
import type { ArgoApplication, HelmStorageRecord } from './kube.js';

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

export async function readBundle(file: string): Promise<Bundle> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (e) {
    throw new UsageError(`cannot read bundle ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let bundle: Bundle;
  try {
    const text = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    bundle = JSON.parse(text) as Bundle;
  } catch (e) {
    throw new UsageError(`bundle ${file} is not valid JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  const schema: unknown = bundle?.schema;
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
  return bundle;
}

/** Redacts one recorded answer with what `redactor` knows; Helm releases are stored decoded. */
export function redactRecord(record: CallRecord, redactor: Redactor = new Redactor()): CallRecord {
  const out: CallRecord = { ...record, args: redactor.deep(record.args) };
  if (record.error) out.error = { ...record.error, message: redactor.text(record.error.message) };
  if (!('result' in record)) return out;
  if (record.method === 'requestToken') out.result = REDACTED;
  // The role STS assumed is evidence; the credentials it handed out are a secret.
  else if (record.method === 'assumeRoleWithWebIdentity' && (record.result as AssumedRole)?.credentials)
    out.result = { ...(record.result as AssumedRole), credentials: REDACTED };
  // A pod's log may quote anything: only the lines an IRSA check matched are kept.
  else if (record.method === 'podLogTail' && typeof record.result === 'string')
    out.result = redactor.text(matchingLines(record.result));
  else if (record.method === 'helmReleaseRecords') {
    out.result = (record.result as HelmStorageRecord[]).map((r) => bundleHelmRecord(r, redactor));
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

/**
 * Writes the bundle, redacted. `redactor` is the run's: it knows the secrets of
 * the releases checked; every other release in the bundle is learnt here too, so
 * a password of one is hidden wherever another answer quotes it.
 */
export async function writeBundle(file: string, bundle: Bundle, redactor?: Redactor): Promise<void> {
  const known = redactor?.copy() ?? new Redactor();
  for (const call of bundle.calls) {
    if (call.method === 'helmReleaseRecords' && Array.isArray(call.result)) {
      for (const values of helmValues(call.result as HelmStorageRecord[])) known.learn(values);
    }
  }
  const safe: Bundle = { ...bundle, calls: bundle.calls.map((c) => redactRecord(c, known)) };
  const text = JSON.stringify(safe, null, 2) + '\n';
  await writeFile(file, file.endsWith('.gz') ? gzipSync(text) : text);
}
