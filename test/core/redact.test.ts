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
