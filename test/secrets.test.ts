/**
 * Never print a secret: canaries planted in values, env, JDBC URLs, manifests and
 * tokens must reach no output — text, json, sarif, markdown, JUnit, the Markdown summary, nor a recorded bundle.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cloneWorld, loadWorld, runWorld, type WorldModel } from './support/world.js';

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
];

function plantCanaries(): WorldModel {
  const world = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
  const release = world.kube.releases![0]!;
  const user = release.user as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  user.webModeler.restapi.externalDatabase.url += '&password=canary-url-Pw-9999';
  user.identity.env.push({ name: 'SPRING_DATASOURCE_PASSWORD', value: 'canary-env-Pw-1234' });
  user.orchestration.env = [{ name: 'AWS_SECRET_ACCESS_KEY', value: 'canary-static-aws-secret-5678' }];
  release.manifest = [
    'apiVersion: v1',
    'kind: Secret',
    'metadata: { name: camunda-credentials }',
    'data:',
    '  identity-firstuser-password: Y2FuYXJ5LWI2NC1zZWNyZXQ=',
    'stringData:',
    '  smtp: canary-manifest-secret-4242',
  ].join('\n');
  world.kube.pods![0]!.containers[0]!.env.push({
    name: 'SPRING_DATASOURCE_PASSWORD',
    value: 'canary-env-Pw-1234',
  });
  world.kube
    .pods!.find((p) => p.name === 'camunda-zeebe-0')!
    .containers[0]!.env.push({
      name: 'AWS_SECRET_ACCESS_KEY',
      value: 'canary-static-aws-secret-5678',
    });
  world.kube.tokens = { 'camunda/camunda-identity': CANARIES.at(-1)! };
  return world;
}

function expectNoCanary(where: string, text: string): void {
  for (const canary of CANARIES) expect(text, `${canary} leaked into ${where}`).not.toContain(canary);
}

describe('no secret reaches any output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-secrets-'));

  it.each(['text', 'json', 'sarif', 'markdown'] as const)(
    '--output %s, --junit, --summary and --record',
    async (output) => {
      const junit = join(dir, `report-${output}.xml`);
      const summary = join(dir, `summary-${output}.md`);
      const record = join(dir, `bundle-${output}.json.gz`);
      const run = await runWorld(plantCanaries(), {
        output,
        junit,
        summary,
        record,
        token: true,
        verbose: true,
      });
      // The planted static key is a real finding: it is reported, its value is not.
      expect(run.fails().map((f) => f.code)).toContain(223);
      expectNoCanary('stdout', run.stdout);
      expectNoCanary('stderr', run.stderr);
      expectNoCanary('JUnit', readFileSync(junit, 'utf8'));
      expectNoCanary('the Markdown summary', readFileSync(summary, 'utf8'));
      const bundle = gunzipSync(readFileSync(record)).toString('utf8');
      expectNoCanary('the bundle', bundle);
      // …and not hidden one layer down either: decode the Helm payloads inside the bundle.
      const { decodeHelmPayload } = await import('../src/helm/codec.js');
      for (const call of JSON.parse(bundle).calls.filter(
        (c: { method: string }) => c.method === 'helmReleaseRecords',
      )) {
        for (const rec of call.result)
          expectNoCanary('a Helm payload in the bundle', JSON.stringify(decodeHelmPayload(rec.payload)));
      }
    },
  );
});
