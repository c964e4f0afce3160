import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * Helm's storage encoding of a release: JSON → gzip → base64. In a Secret the
 * Kubernetes API adds its own base64 layer on top (data.release); in a
 * ConfigMap the payload sits as is. These helpers work on Helm's layer only.
 */
const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Why a payload is not a release, in words that never quote the payload (a
 * JSON parse error would echo its bytes, values included) and that a replay
 * can reproduce from the reason alone (`unreadablePayload`).
 */
export type UnreadableReason = 'corrupt gzip data' | 'not JSON';

export class HelmPayloadError extends Error {
  override name = 'HelmPayloadError';
  constructor(readonly reason: UnreadableReason) {
    super(reason);
  }
}

export function decodeHelmPayload(payload: string): unknown {
  const bytes = Buffer.from(payload, 'base64');
  // Helm 2-era and some tools store uncompressed JSON: accept both, like Helm does.
  let json = bytes;
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    try {
      json = gunzipSync(bytes);
    } catch {
      throw new HelmPayloadError('corrupt gzip data');
    }
  }
  try {
    return JSON.parse(json.toString('utf8'));
  } catch {
    throw new HelmPayloadError('not JSON');
  }
}

export function encodeHelmPayload(release: unknown): string {
  return gzipSync(Buffer.from(JSON.stringify(release), 'utf8')).toString('base64');
}

/** A payload that fails to decode for `reason`: what a replay answers for a record that was unreadable. */
export function unreadablePayload(reason: string): string {
  const bytes =
    reason === 'corrupt gzip data' ? Buffer.from([...GZIP_MAGIC, 0x08, 0x00]) : Buffer.from('not JSON');
  return bytes.toString('base64');
}
