import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * Helm's storage encoding of a release: JSON → gzip → base64. In a Secret the
 * Kubernetes API adds its own base64 layer on top (data.release); in a
 * ConfigMap the payload sits as is. These helpers work on Helm's layer only.
 */
const GZIP_MAGIC = [0x1f, 0x8b];

export function decodeHelmPayload(payload: string): unknown {
  const bytes = Buffer.from(payload, 'base64');
  // Helm 2-era and some tools store uncompressed JSON: accept both, like Helm does.
  const json = bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1] ? gunzipSync(bytes) : bytes;
  return JSON.parse(json.toString('utf8'));
}

export function encodeHelmPayload(release: unknown): string {
  return gzipSync(Buffer.from(JSON.stringify(release), 'utf8')).toString('base64');
}
