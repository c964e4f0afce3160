/**
 * Bundles: a schema-versioned JSON file of every Kubernetes and AWS answer a run
 * used (gzip when the name ends in .gz). Written by --record, read by --replay.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { UsageError } from '../core/errors.js';
import { isSecretKey, redactDeep, redactText, Redactor, REDACTED } from '../core/redact.js';
import { decodeHelmPayload, encodeHelmPayload } from '../helm/codec.js';
import type { CallRecord } from './calls.js';
import { matchingLines } from './irsa-log-patterns.js';
import type { HelmStorageRecord } from './kube.js';

export const BUNDLE_SCHEMA = 'irsa-check/bundle@1';

export interface Bundle {
  schema: typeof BUNDLE_SCHEMA;
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
  if (bundle?.schema !== BUNDLE_SCHEMA || !Array.isArray(bundle.calls)) {
    throw new UsageError(`bundle ${file} is not an irsa-check bundle (expected schema ${BUNDLE_SCHEMA})`);
  }
  return bundle;
}

/** Redacts one recorded answer; Helm payloads are decoded, redacted and re-encoded. */
export function redactRecord(record: CallRecord, known?: Redactor): CallRecord {
  const out: CallRecord = { ...record, args: redactDeep(record.args) };
  if (record.error) out.error = { ...record.error, message: redactText(record.error.message) };
  if (!('result' in record)) return out;
  if (record.method === 'requestToken' || record.method === 'webIdentityCredentials') out.result = REDACTED;
  // A pod's log may quote anything: only the lines an IRSA check matched are kept.
  else if (record.method === 'podLogTail' && typeof record.result === 'string')
    out.result = (known ?? new Redactor()).text(matchingLines(record.result));
  else if (record.method === 'helmReleaseRecords') {
    out.result = (record.result as HelmStorageRecord[]).map((r) => ({
      ...r,
      payload: redactHelmPayload(r.payload),
    }));
  } else out.result = redactDeep(record.result);
  return out;
}

function redactHelmPayload(payload: string): string {
  try {
    const decoded = decodeHelmPayload(payload);
    const known = new Redactor();
    known.learn(decoded);
    const release = redactDeep(decoded) as Record<string, unknown>;
    // The manifest is rendered YAML: Secret data and env values sit in it as text.
    if (typeof release.manifest === 'string') release.manifest = known.text(redactManifest(release.manifest));
    return encodeHelmPayload(release);
  } catch {
    return REDACTED; // not decodable: it is kept out rather than risk leaking it
  }
}

/** Blanks `data:`/`stringData:` blocks of Secrets and secret-looking `key: value` lines. */
export function redactManifest(manifest: string): string {
  const lines = manifest.split('\n');
  let inSecretData = -1;
  let secretEnvName = false;
  return lines
    .map((line) => {
      // An env entry's secret-ness is in its name; its value follows on the next line.
      const envValue = secretEnvName && /^\s*value:/.test(line);
      secretEnvName = isSecretKey(/^\s*-?\s*name:\s*["']?([\w.-]+)/.exec(line)?.[1] ?? '');
      if (envValue) return line.replace(/^(\s*value:\s*)(\S.*)$/, `$1${REDACTED}`);
      const indent = line.length - line.trimStart().length;
      if (inSecretData >= 0 && line.trim() !== '' && indent <= inSecretData) inSecretData = -1;
      if (/^\s*(data|stringData):\s*$/.test(line) && /kind:\s*Secret/.test(manifest)) {
        inSecretData = indent;
        return line;
      }
      if (inSecretData >= 0) return line.replace(/^(\s*[^:]+:\s*).+$/, `$1${REDACTED}`);
      return redactText(
        line.replace(/^(\s*[\w.-]*(?:password|secret|token)[\w.-]*:\s*)(\S.*)$/i, `$1${REDACTED}`),
      );
    })
    .join('\n');
}

/** `known`: the secrets the run learnt (Helm values), hidden wherever free text is kept (pod logs). */
export async function writeBundle(file: string, bundle: Bundle, known?: Redactor): Promise<void> {
  const safe: Bundle = { ...bundle, calls: bundle.calls.map((r) => redactRecord(r, known)) };
  const text = JSON.stringify(safe, null, 2) + '\n';
  await writeFile(file, file.endsWith('.gz') ? gzipSync(text) : text);
}
