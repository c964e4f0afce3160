import { describe, expect, it } from 'vitest';
import { isSecretKey, redactDeep, redactText, Redactor, REDACTED } from '../../src/core/redact.js';
import { redactManifest } from '../../src/platform/bundle.js';

describe('secret detection', () => {
  it.each([
    ['password', true],
    ['adminPassword', true],
    ['smtpPassword', true],
    ['clientSecret', true],
    ['AWS_SECRET_ACCESS_KEY', true],
    ['apiKey', true],
    ['token', true],
    ['existingSecret', true],
    ['existingSecretPasswordKey', false],
    ['secretName', false],
    ['roleArn', false],
    ['host', false],
    ['eks.amazonaws.com/token-expiration', false],
    ['projectedTokenAudiences', false],
    ['tokenSecretNames', false],
  ])('%s → %s', (key, secret) => expect(isSecretKey(key)).toBe(secret));
});

describe('redaction', () => {
  it('redacts values under secret keys, env entries by name, keeps empty strings', () => {
    const out = redactDeep({
      identity: { firstUser: { password: 'hunter22' }, host: 'db' },
      env: [
        { name: 'DB_PASSWORD', value: 's3cret' },
        { name: 'AWS_ACCESS_KEY_ID', value: '' },
        { name: 'HOST', value: 'x' },
      ],
    });
    expect(out).toEqual({
      identity: { firstUser: { password: REDACTED }, host: 'db' },
      env: [
        { name: 'DB_PASSWORD', value: REDACTED },
        { name: 'AWS_ACCESS_KEY_ID', value: '' },
        { name: 'HOST', value: 'x' },
      ],
    });
  });

  it('redacts JWTs, URL passwords and secret query parameters in any text', () => {
    expect(redactText('token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl end')).toBe(
      'token <redacted JWT> end',
    );
    expect(redactText('postgres://app:pa55w0rd@db:5432/x')).toBe(`postgres://app:${REDACTED}@db:5432/x`);
    expect(redactText('jdbc:postgresql://h/db?user=a&password=pa55&ssl=true')).toBe(
      `jdbc:postgresql://h/db?user=a&password=${REDACTED}&ssl=true`,
    );
  });

  it('redacts secret-shaped values under ordinary keys: AWS keys, JWTs, PEM blocks', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAcanary\n-----END RSA PRIVATE KEY-----';
    const out = redactDeep({
      foo: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      env: [{ name: 'FOO_SETTING', value: 'AKIAIOSFODNN7EXAMPLE' }],
      temp: 'ASIAIOSFODNN7EXAMPLE and IQoJb3JpZ2luX2VjEJr//////////wEaCWV1LXdlc3QtMSJHMEUCIQ',
      header: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmb28ifQ.c2lnbmF0dXJl',
      cert: `key:\n${pem}\ntrailer`,
      cut: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B',
    });
    expect(out).toEqual({
      foo: '<redacted AWS secret key>',
      env: [{ name: 'FOO_SETTING', value: '<redacted AWS access key ID>' }],
      temp: '<redacted AWS access key ID> and <redacted AWS session token>',
      header: 'Bearer <redacted JWT>',
      cert: 'key:\n<redacted PEM block: RSA PRIVATE KEY>\ntrailer',
      cut: '<redacted PEM block: PRIVATE KEY>',
    });
    // A JSON-escaped PEM (a recorded call's arguments) is one block too.
    expect(redactText(JSON.stringify(pem))).toBe('"<redacted PEM block: RSA PRIVATE KEY>"');
  });

  it('keeps what only looks alike: hex digests, role IDs, long base64, ARNs, emails', () => {
    for (const text of [
      'thumbprint 9e99a48a9960b14926bb7f3b02e22da2b0ab7280',
      'thumbprint 9E99A48A9960B14926BB7F3B02E22DA2B0AB7280',
      'userId AROA2EXAMPLE7PLATFORM:jane.doe@example.com',
      'arn:aws:sts::123456789012:assumed-role/PlatformAdmin/jane.doe@example.com',
      'n: u1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0_IzW7yWR7QkrmBL7jTKEn5u-qKhbwKfBstIs-bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW_VDL5AaWTg0nLVkjRo9z-40RQzuVaE8AkAFmxZzow3x-VJYKdjykkJ0iT9wCS0DRTXu269V264Vf_3jvredZiKRkgwlL9xNAwxXFg0x_XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC-9aGVd-Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmw',
      'sslmode=require&wrapperPlugins=iam',
    ]) {
      expect(redactText(text)).toBe(text);
    }
  });

  it('redacts the password of user:password@ in host fields and URLs', () => {
    const out = redactDeep({
      global: { opensearch: { url: { host: 'admin:s3cr3t@vpc-os.eu-west-1.es.amazonaws.com' } } },
      hosts: ['admin:p@ss:w0rd@db', 'db:5432', 'user@db'],
      env: [{ name: 'OPENSEARCH_HOST', value: 'admin:s3cr3t@os' }],
      url: 'https://admin:s3cr3t@os:443/_cluster?x=a@b',
    });
    expect(out).toEqual({
      global: { opensearch: { url: { host: `admin:${REDACTED}@vpc-os.eu-west-1.es.amazonaws.com` } } },
      hosts: [`admin:${REDACTED}@db`, 'db:5432', 'user@db'],
      env: [{ name: 'OPENSEARCH_HOST', value: `admin:${REDACTED}@os` }],
      url: `https://admin:${REDACTED}@os:443/_cluster?x=a@b`,
    });
    // The learnt password is hidden where a message prints the host.
    const r = new Redactor();
    r.learn({ global: { opensearch: { url: { host: 'admin:Pw-4711@vpc-os' } } } });
    expect(r.text('OpenSearch endpoint admin:Pw-4711@vpc-os:443 (global.opensearch.url.host)')).toBe(
      `OpenSearch endpoint admin:${REDACTED}@vpc-os:443 (global.opensearch.url.host)`,
    );
  });

  it('a weak password that is a common word is redacted as a value, never inside names or sentences', () => {
    const r = new Redactor();
    r.learn({ firstUser: { password: 'camunda' }, smtpPassword: 'connector', adminPassword: 'password' });
    for (const own of [
      'service account camunda-connectors is annotated with role arn:aws:iam::123456789012:role/camunda',
      'EKS cluster camunda-prod serves the API server; namespace camunda, release camunda',
      'connectors: the IAM token is sent as the password',
      'role camunda-identity-irsa trusts system:serviceaccount:camunda:camunda-identity',
      '=== camunda/camunda (chart camunda-platform-13.1.2) ===',
      'several Camunda releases in namespace camunda: camunda, c8',
      'https://camunda.example.com/password/connector',
    ]) {
      expect(r.text(own)).toBe(own);
    }
    expect(r.text('SPRING_DATASOURCE_PASSWORD=camunda')).toBe(`SPRING_DATASOURCE_PASSWORD=${REDACTED}`);
    expect(r.text('smtpPassword: connector')).toBe(`smtpPassword: ${REDACTED}`);
    expect(r.text('{"adminPassword": "password"}')).toBe(`{"adminPassword": "${REDACTED}"}`);
    expect(r.text('KEYCLOAK_EXTRA_ARGS --db-password camunda')).toBe(
      `KEYCLOAK_EXTRA_ARGS --db-password ${REDACTED}`,
    );
    expect(r.text('opensearch at demo:camunda@os:443')).toBe(`opensearch at demo:${REDACTED}@os:443`);
    // A bare word is a name, not a value: a tree's leaves are redacted by their keys.
    expect(r.text('camunda')).toBe('camunda');
  });

  it('a learnt secret that is not a plain word is redacted wherever it stands alone', () => {
    const r = new Redactor();
    r.learn({ auth: { adminPassword: 'Kc-admin-0815' } });
    expect(r.text('value Kc-admin-0815 in a message')).toBe(`value ${REDACTED} in a message`);
    expect(r.text('"line\\nKc-admin-0815\\n"')).toBe(`"line\\n${REDACTED}\\n"`);
    // …but not a longer name that merely contains it.
    expect(r.text('user Kc-admin-08150 and xKc-admin-0815')).toBe('user Kc-admin-08150 and xKc-admin-0815');
  });

  it('Redactor hides learnt secrets wherever they are quoted', () => {
    const r = new Redactor();
    r.learn({ auth: { adminPassword: 'canary-kc-admin' }, short: { password: 'abc' } });
    expect(r.text('value canary-kc-admin in a message')).toBe(`value ${REDACTED} in a message`);
    expect(r.text('abc stays: too short to be a secret worth shredding text for')).toContain('abc stays');
  });

  it('manifests: Secret data, secret env values and secret-like keys', () => {
    const manifest = [
      'apiVersion: v1',
      'kind: Secret',
      'data:',
      '  password: aHVudGVyMg==',
      '---',
      'kind: Deployment',
      'spec:',
      '  containers:',
      '    - env:',
      '        - name: SPRING_DATASOURCE_PASSWORD',
      '          value: "plaintext-pw"',
      '        - name: HOST',
      '          value: "db"',
    ].join('\n');
    const out = redactManifest(manifest);
    expect(out).not.toContain('aHVudGVyMg==');
    expect(out).not.toContain('plaintext-pw');
    expect(out).toContain('value: "db"');
  });
});

describe('public PEM blocks', () => {
  it('a certificate (a webhook caBundle, an issuer chain) is public: kept; a private key is not', () => {
    const cert = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----';
    const key = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIcanary\n-----END EC PRIVATE KEY-----';
    expect(redactText(`${cert}\n${key}`)).toBe(`${cert}\n<redacted PEM block: EC PRIVATE KEY>`);
  });
});
