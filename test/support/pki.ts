/**
 * A throw-away certificate authority for tests: the CA of the self-managed
 * issuer's HTTPS server (trusted by the CLI through NODE_EXTRA_CA_CERTS) and of
 * the pod identity webhook's caBundle, with any validity window (an expired
 * certificate is one call). Keys come from node:crypto; node-forge writes the
 * X.509 certificates.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface IssuedCert {
  certPem: string;
  keyPem: string;
}

export interface Pki {
  caPem: string;
  issue(opts: { cn: string; dns?: string[]; ips?: string[]; notBefore?: Date; notAfter?: Date }): IssuedCert;
}

function keyPair(): { priv: forge.pki.rsa.PrivateKey; pub: forge.pki.rsa.PublicKey; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return {
    priv: forge.pki.privateKeyFromPem(keyPem),
    pub: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    keyPem,
  };
}

const DAY = 86_400_000;

export function makePki(name = 'irsa-check test CA'): Pki {
  const ca = keyPair();
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.pub;
  caCert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  caCert.validity.notBefore = new Date(Date.now() - DAY);
  caCert.validity.notAfter = new Date(Date.now() + 365 * DAY);
  const subject = [{ name: 'commonName', value: name }];
  caCert.setSubject(subject);
  caCert.setIssuer(subject);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
  ]);
  caCert.sign(ca.priv, forge.md.sha256.create());
  return {
    caPem: forge.pki.certificateToPem(caCert),
    issue({ cn, dns = [], ips = [], notBefore, notAfter }) {
      const leaf = keyPair();
      const cert = forge.pki.createCertificate();
      cert.publicKey = leaf.pub;
      cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
      cert.validity.notBefore = notBefore ?? new Date(Date.now() - DAY);
      cert.validity.notAfter = notAfter ?? new Date(Date.now() + 90 * DAY);
      cert.setSubject([{ name: 'commonName', value: cn }]);
      cert.setIssuer(subject);
      cert.setExtensions([
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [...dns.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))],
        },
      ]);
      cert.sign(ca.priv, forge.md.sha256.create());
      return { certPem: forge.pki.certificateToPem(cert), keyPem: leaf.keyPem };
    },
  };
}
