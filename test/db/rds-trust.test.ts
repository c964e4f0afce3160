/**
 * The trust anchors of the Aurora login proof (Aurora User Guide, "Using SSL/TLS to encrypt
 * a connection to a DB cluster": a CA set per Region; "Using TLS/SSL with RDS Proxy": the
 * Amazon Trust Services roots), and --db-ca read as a usage error when it is no PEM file.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCaFile, rdsTrustAnchors, regionOfRdsHost } from '../../src/db/rds-trust.js';
import { UsageError } from '../../src/core/errors.js';

const cn = (pem: string) => /CN=([^\n]+)/.exec(new X509Certificate(pem).subject)?.[1] ?? '';

describe('RDS trust anchors', () => {
  it.each([
    ['camunda.cluster-abc123.eu-west-1.rds.amazonaws.com', 'eu-west-1'],
    ['db.proxy-abc123.us-gov-west-1.rds.amazonaws.com', 'us-gov-west-1'],
    ['camunda.cluster-abc123.cn-north-1.rds.amazonaws.com.cn', 'cn-north-1'],
    ['db.internal.example.com', undefined],
    ['10.0.0.12', undefined],
  ])('the Region of %s is %s', (host, region) => {
    expect(regionOfRdsHost(host)).toBe(region);
  });

  it('a Job gets the RDS CAs of the host’s Region and the proxy roots; the host name wins over the region given', async () => {
    const names = (
      await rdsTrustAnchors({ host: 'c.cluster-x.eu-central-1.rds.amazonaws.com', region: 'us-east-1' })
    ).map(cn);
    const rds = names.filter((n) => n.startsWith('Amazon RDS'));
    expect(rds.length).toBeGreaterThan(0);
    expect(rds.every((n) => n.includes(' eu-central-1 '))).toBe(true);
    expect(names).toContain('Amazon RDS eu-central-1 Root CA RSA2048 G1');
    expect(names).toEqual(expect.arrayContaining(['Amazon Root CA 1', 'Amazon Root CA 4']));
  });

  it('in-process (all), or for a Region no certificate names, every Region’s CAs', async () => {
    const all = await rdsTrustAnchors({ host: 'db.example.com', region: 'eu-west-1', all: true });
    const unknown = await rdsTrustAnchors({ host: 'db.example.com', region: 'xx-nowhere-9' });
    expect(all.length).toBeGreaterThan(100);
    expect(unknown).toEqual(all);
  });

  it('--db-ca replaces them', async () => {
    expect(await rdsTrustAnchors({ host: 'db' }, ['PEM'])).toEqual(['PEM']);
  });
});

describe('--db-ca FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-db-ca-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('reads every certificate of a PEM bundle', async () => {
    const [one, two] = await rdsTrustAnchors({ host: 'x.eu-west-1.rds.amazonaws.com' });
    expect(readCaFile(file('bundle.pem', `# a comment\n${one}\n${two}\n`))).toEqual([
      one!.trim(),
      two!.trim(),
    ]);
  });

  it.each([
    ['missing.pem', undefined, /^--db-ca: cannot read .*missing\.pem \(ENOENT\)$/],
    ['empty.pem', 'not a certificate', /^--db-ca: .*empty\.pem holds no PEM certificate$/],
    [
      'broken.pem',
      '-----BEGIN CERTIFICATE-----\nbm90IGRlcg==\n-----END CERTIFICATE-----',
      /^--db-ca: .*broken\.pem holds a certificate that does not parse$/,
    ],
  ])('%s is a usage error', (name, text, message) => {
    const path = text === undefined ? join(dir, name) : file(name, text);
    expect(() => readCaFile(path)).toThrow(UsageError);
    expect(() => readCaFile(path)).toThrow(message);
  });
});
