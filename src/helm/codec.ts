import { gzipSync } from 'node:zlib';
import {
  checkSize,
  checkTree,
  DEFAULT_LIMITS,
  gunzipLimited,
  InputLimitError,
  type InputLimits,
} from '../core/limits.js';

/**
 * Helm's storage encoding of a release: JSON → gzip → base64. In a Secret the
 * Kubernetes API adds its own base64 layer on top (data.release); in a
 * ConfigMap the payload sits as is. These helpers work on Helm's layer only.
 */
const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Why a payload is not a release, in words that never quote the payload (a
 * JSON parse error would echo its bytes, values included) and that a replay
 * can reproduce from the reason alone (`unreadablePayload`): corrupt gzip data,
 * not JSON, no release data, or an input limit it breaks (core/limits.ts).
 */
export type UnreadableReason = string;

export class HelmPayloadError extends Error {
  override name = 'HelmPayloadError';
  constructor(
    readonly reason: UnreadableReason,
    /** Set when the payload broke an input limit rather than being corrupt. */
    readonly limit?: InputLimitError,
  ) {
    super(reason);
  }
}

/** The reason a payload breaking `e` is unreadable: `the release is larger than the 64 MB input limit (…)`. */
function limitReason(e: InputLimitError): string {
  return e.describe('the release');
}

/**
 * Decodes Helm's payload within `limits`: the gzip layer stops at the size limit instead of
 * inflating a bomb, and the parsed tree is measured (depth, expanded size) without recursion
 * before anything walks it.
 */
export function decodeHelmPayload(payload: string, limits: InputLimits = DEFAULT_LIMITS): unknown {
  if (payload === '') throw new HelmPayloadError('no release data');
  try {
    // base64 is 4/3 of the bytes it holds: a payload this long is over the limit however it decodes.
    checkSize(Math.floor((payload.length * 3) / 4), limits);
  } catch (e) {
    throw new HelmPayloadError(limitReason(e as InputLimitError), e as InputLimitError);
  }
  const bytes = Buffer.from(payload, 'base64');
  // Helm 2-era and some tools store uncompressed JSON: accept both, like Helm does.
  let json: Buffer = bytes;
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    try {
      json = gunzipLimited(bytes, limits);
    } catch (e) {
      if (e instanceof InputLimitError) throw new HelmPayloadError(limitReason(e), e);
      throw new HelmPayloadError('corrupt gzip data');
    }
  }
  let tree: unknown;
  try {
    tree = JSON.parse(json.toString('utf8'));
  } catch {
    throw new HelmPayloadError('not JSON');
  }
  try {
    checkTree(tree, limits);
  } catch (e) {
    if (e instanceof InputLimitError) throw new HelmPayloadError(limitReason(e), e);
    throw e;
  }
  return tree;
}

export function encodeHelmPayload(release: unknown): string {
  return gzipSync(Buffer.from(JSON.stringify(release), 'utf8')).toString('base64');
}

/**
 * A payload that fails to decode for `reason`: what a replay answers for a record that was
 * unreadable. A record over an input limit is answered with one over the replay's own limit.
 */
export function unreadablePayload(reason: string, limits: InputLimits = DEFAULT_LIMITS): string {
  if (reason === 'no release data') return '';
  if (reason === 'corrupt gzip data') return Buffer.from([...GZIP_MAGIC, 0x08, 0x00]).toString('base64');
  if (/\binput limit of \d+ levels\b/.test(reason)) {
    const n = limits.maxDepth + 1;
    return Buffer.from('['.repeat(n) + ']'.repeat(n)).toString('base64');
  }
  if (/\bMB input limit\b/.test(reason)) {
    // Zeros compress about 1000:1: a small payload that inflates past the limit.
    return gzipSync(Buffer.alloc(limits.maxInputBytes + 1)).toString('base64');
  }
  return Buffer.from('not JSON').toString('base64');
}
