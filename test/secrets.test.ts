/**
 * Never print a secret: canaries planted in values, env, JDBC URLs, manifests and
 * tokens must reach no output — text, json, sarif, markdown, JUnit, the Markdown summary,
 * nor a recorded bundle. And never more than the secret: a weak password that is also a
 * common word must not blank names or irsa-check's own sentences.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { REDACTED } from '../src/core/redact.js';
import { cloneWorld, loadWorld, runWorld, type WorldModel } from './support/world.js';

/** AWS-secret-shaped values: 40 characters of base64, upper and lower case and digits. */
const AWS_SECRET_IN_VALUES = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYCANARYKEY1';
const AWS_SECRET_IN_ENV = 'q8Rk2LmN5pX7vB3cZ9wY1tF4hJ6gD0sA+eU/CaN1';
const AWS_SECRET_IN_OTHER_RELEASE = 'Hn3kW9qZ/7xLp2VbR5tY8mC1jF4dS6gA0eU+KcN7';
const PEM_BODY = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCcanaryPEMbody';

const CANARIES = [
  'canary-first-user-Pw-4711',
  'canary-keycloak-admin-Pw-0815',
  'canary-smtp-Pw-2323',
  'canary-url-Pw-9999',
  'canary-env-Pw-1234',
  'canary-static-aws-secret-5678',
  'canary-manifest-secret-4242',
  'Y2FuYXJ5LWI2NC1zZWNyZXQ=',
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImNhbmFyeSJ9.eyJzdWIiOiJjYW5hcnkifQ.Y2FuYXJ5LXNpZ25hdHVyZQ',
  // Secret-shaped values under ordinary keys.
  AWS_SECRET_IN_VALUES,
  AWS_SECRET_IN_ENV,
  AWS_SECRET_IN_OTHER_RELEASE,
  'AKIAQCANARY7EXAMPLE1',
  'ASIAQCANARY7EXAMPLE2',
  PEM_BODY,
  'eyJhbGciOiJIUzI1NiJ9.eyJjYW5hcnkiOiJvcmRpbmFyeSJ9.Y2FuYXJ5LW9yZGluYXJ5',
  // A password in a host field (global.opensearch.url.host: user:password@host).
  'canary-os-host-Pw-7777',
  'canary-other-release-Pw-3131',
];

type Tree = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function plantCanaries(): WorldModel {
  const world = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
  const release = world.kube.releases![0]!;
  // The second release (-A) is planted before the first one gets its canaries.
  const other = structuredClone(release);
  const user = release.user as Tree;
  user.webModeler.restapi.externalDatabase.url += '&password=canary-url-Pw-9999';
  user.identity.env.push({ name: 'SPRING_DATASOURCE_PASSWORD', value: 'canary-env-Pw-1234' });
  user.orchestration.env = [
    { name: 'AWS_SECRET_ACCESS_KEY', value: 'canary-static-aws-secret-5678' },
    { name: 'FOO_SETTING', value: AWS_SECRET_IN_ENV },
  ];
  user.foo = AWS_SECRET_IN_VALUES;
  user.bar = { id: 'AKIAQCANARY7EXAMPLE1', session: 'ASIAQCANARY7EXAMPLE2' };
  user.baz = { cert: `-----BEGIN PRIVATE KEY-----\n${PEM_BODY}\n-----END PRIVATE KEY-----\n` };
  user.qux = { header: CANARIES[15] };
  user.global.opensearch.url.host = `admin:canary-os-host-Pw-7777@${user.global.opensearch.url.host}`;
  release.manifest = [
    'apiVersion: v1',
    'kind: Secret',
    'metadata: { name: camunda-credentials }',
    'data:',
    '  identity-firstuser-password: Y2FuYXJ5LWI2NC1zZWNyZXQ=',
    'stringData:',
    '  smtp: canary-manifest-secret-4242',
    '---',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: { name: camunda-settings }',
    'data:',
    `  foo: ${AWS_SECRET_IN_VALUES}`,
    `  FOO_SETTING: "${AWS_SECRET_IN_ENV}"`,
  ].join('\n');
  Object.assign(other, { name: 'c8', namespace: 'camunda-staging' });
  (other.user as Tree).foo = AWS_SECRET_IN_OTHER_RELEASE;
  (other.user as Tree).identityKeycloak.auth.adminPassword = 'canary-other-release-Pw-3131';
  world.kube.releases!.push(other);
  world.kube.namespaces!.push('camunda-staging');
  world.kube.pods![0]!.containers[0]!.env.push({
    name: 'SPRING_DATASOURCE_PASSWORD',
    value: 'canary-env-Pw-1234',
  });
  const zeebe = world.kube.pods!.find((p) => p.name === 'camunda-zeebe-0')!;
  zeebe.containers[0]!.env.push(
    { name: 'AWS_SECRET_ACCESS_KEY', value: 'canary-static-aws-secret-5678' },
    { name: 'FOO_SETTING', value: AWS_SECRET_IN_ENV },
  );
  world.kube.tokens = { 'camunda/camunda-identity': CANARIES[8]! };
  return world;
}

function expectNoCanary(where: string, text: string): void {
  for (const canary of CANARIES) expect(text, `${canary} leaked into ${where}`).not.toContain(canary);
}

describe('no secret reaches any output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-secrets-'));

  it.each([
    ['text', false],
    ['json', false],
    ['sarif', false],
    ['markdown', false],
    ['text', true],
    ['json', true],
  ] as const)('--output %s (-A: %s), --junit, --summary and --record', async (output, allNamespaces) => {
    const junit = join(dir, `report-${output}-${allNamespaces}.xml`);
    const summary = join(dir, `summary-${output}-${allNamespaces}.md`);
    const record = join(dir, `bundle-${output}-${allNamespaces}.json.gz`);
    const run = await runWorld(plantCanaries(), {
      output,
      junit,
      summary,
      record,
      token: true,
      verbose: true,
      allNamespaces,
      ...(allNamespaces ? { namespace: '' } : {}),
    });
    // The planted static key is a real finding: it is reported, its value is not.
    expect(run.fails().map((f) => f.code)).toContain(223);
    // The host with the password is reported, the password is not.
    expect(JSON.stringify(run.findings)).toContain(
      `OpenSearch endpoint admin:${REDACTED}@vpc-camunda-prod-os-4kq7rx2m5nbv3c9w1z8yd6tfha.eu-west-1.es.amazonaws.com:443`,
    );
    expectNoCanary('stdout', run.stdout);
    expectNoCanary('stderr', run.stderr);
    expectNoCanary('JUnit', readFileSync(junit, 'utf8'));
    expectNoCanary('the Markdown summary', readFileSync(summary, 'utf8'));
    // What a person greps before sending the bundle: its decompressed text.
    const bundle = gunzipSync(readFileSync(record)).toString('utf8');
    expectNoCanary('the bundle', bundle);
    // …and that text is the values and manifest themselves, readable, not a base64+gzip payload.
    expect(bundle).not.toContain('H4sI'); // base64 of gzip's magic bytes
    expect(bundle).toContain('"firstUser": {');
    expect(bundle).toContain(`"smtpPassword": "${REDACTED}"`);
    expect(bundle).toContain(
      '"host": "camunda-prod-aurora.cluster-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com"',
    );
    expect(bundle).toContain(`admin:${REDACTED}@vpc-camunda-prod-os-`);
    expect(bundle).toContain('kind: ConfigMap');
    if (allNamespaces) expect(bundle).toContain('"namespace": "camunda-staging"');
  });
});

/** Chart-default-style weak passwords that are also words irsa-check prints. */
const WEAK = { firstUser: 'camunda', smtp: 'connector', keycloakAdmin: 'password' };

function weakPasswords(world: WorldModel, weak: boolean): WorldModel {
  for (const release of world.kube.releases!) {
    const user = release.user as Tree;
    // No TLS for Identity's database: its warning ends in "…is sent as the password".
    user.identity.env[0].value = user.identity.env[0].value.replace('&sslmode=require', '');
    if (!weak) continue;
    user.identity.firstUser.password = WEAK.firstUser;
    user.webModeler.restapi.mail.smtpPassword = WEAK.smtp;
    user.identityKeycloak.auth.adminPassword = WEAK.keycloakAdmin;
    release.manifest = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: { name: camunda-connectors }',
      'spec:',
      '  template:',
      '    spec:',
      '      serviceAccountName: camunda-connectors',
      '      containers:',
      '        - name: connectors',
      '          env:',
      '            - name: CAMUNDA_CLIENT_AUTH_PASSWORD',
      `              value: ${WEAK.smtp}`,
      '            - name: SPRING_DATASOURCE_URL',
      `              value: "jdbc:postgresql://demo:${WEAK.firstUser}@camunda-db:5432/camunda"`,
    ].join('\n');
  }
  return world;
}

function twoReleases(): WorldModel {
  const world = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
  const other = structuredClone(world.kube.releases![0]!);
  Object.assign(other, { name: 'c8', namespace: 'camunda-staging' });
  world.kube.releases!.push(other);
  world.kube.namespaces!.push('camunda-staging');
  return world;
}

describe('a weak password that is a common word redacts only itself', () => {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-weak-'));

  it.each([false, true])('-A: %s — the same findings as with strong passwords', async (allNamespaces) => {
    const options = { allNamespaces, ...(allNamespaces ? { namespace: '' } : {}), output: 'json' as const };
    // A list naming a component without OpenSearch: irsa-check's own sentence quotes "connectors".
    const withConnectors = { ...options, os: ['orchestration', 'optimize', 'connectors'] };
    const record = join(dir, `weak-${allNamespaces}.json`);
    const lines: string[] = [];
    for (const opts of [options, withConnectors]) {
      const strong = await runWorld(weakPasswords(twoReleases(), false), opts);
      const weak = await runWorld(weakPasswords(twoReleases(), true), { ...opts, record });
      // No value is printed, so nothing may be redacted: every name and sentence stays as it was.
      expect(weak.findings).toEqual(strong.findings);
      expect(weak.stdout).not.toContain(REDACTED);
      lines.push(...weak.lines());
    }
    const text = lines.join('\n');
    expect(text).toContain('"connectors" cannot be checked with -l/--os');
    expect(text).toContain(
      'identity: identity.env SPRING_DATASOURCE_URL does not require TLS (no sslmode or ssl=true): the IAM token is sent as the password',
    );
    expect(text).toContain(
      'identity: role camunda-identity-irsa trusts system:serviceaccount:camunda:camunda-identity (audience sts.amazonaws.com)',
    );
    expect(text).toContain('EKS cluster camunda-prod serves the API server');
    expect(text).toContain('Helm release camunda found');
    if (allNamespaces)
      expect(lines).toContain('[INFO] === camunda/camunda (chart camunda-platform-13.1.2) ===');
    // The bundle: the weak values are redacted where they are values, names around them are not.
    const bundle = readFileSync(record, 'utf8');
    expect(bundle).toContain(`"password": "${REDACTED}"`);
    expect(bundle).toContain(`"smtpPassword": "${REDACTED}"`);
    expect(bundle).toContain(`"adminPassword": "${REDACTED}"`);
    expect(bundle).not.toMatch(/"(password|smtpPassword|adminPassword)": "(camunda|connector|password)"/);
    // The manifest is kept one line per string, so grep shows the very line.
    expect(bundle).toContain(`"              value: ${REDACTED}",`);
    expect(bundle).toContain(`jdbc:postgresql://demo:${REDACTED}@camunda-db:5432/camunda`);
    expect(bundle).toContain('metadata: { name: camunda-connectors }');
    expect(bundle).toContain('- name: connectors');
    expect(bundle).not.toContain(`${REDACTED}s`);
    expect(bundle).not.toContain(`${REDACTED}-`);
  });
});
