/**
 * Issue 19: a value learnt to be secret is redacted everywhere, for the whole run. The
 * first user's password (identity.firstUser.password) also stands under innocuous keys —
 * an env FOO_DESC in the values and in the pod, a ServiceAccount annotation `description`,
 * a ConfigMap in the manifest — and must reach no output: text, JSON, SARIF, Markdown,
 * JUnit, the summary, the bundle (plain and gzipped).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { REDACTED } from '../src/core/redact.js';
import { cloneWorld, loadWorld, runWorld, type WorldModel } from './support/world.js';

const PASSWORD = 'Xq7-firstUser-Pw-6110';
/** A password only a pod's env holds (SPRING_DATASOURCE_PASSWORD), quoted by another pod's FOO_DESC. */
const POD_PASSWORD = 'Pod-env-Pw-2718';

type Tree = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function quotedElsewhere(): WorldModel {
  const world = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
  const release = world.kube.releases![0]!;
  const user = release.user as Tree;
  user.identity.firstUser.password = PASSWORD;
  user.identity.env.push({ name: 'FOO_DESC', value: PASSWORD });
  user.identity.podAnnotations = { description: PASSWORD };
  release.manifest = [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: { name: camunda-notes }',
    'data:',
    `  description: ${PASSWORD}`,
  ].join('\n');
  world.kube.serviceAccounts!.find((s) => s.name === 'camunda-identity')!.annotations.description = PASSWORD;
  world.kube.pods![0]!.containers[0]!.env.push(
    { name: 'FOO_DESC', value: PASSWORD },
    { name: 'SPRING_DATASOURCE_PASSWORD', value: POD_PASSWORD },
  );
  world.kube.pods!.at(-1)!.containers[0]!.env.push({ name: 'BAR_DESC', value: POD_PASSWORD });
  return world;
}

describe('a learnt secret is redacted everywhere, in every output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-learnt-'));

  it.each(['text', 'json', 'sarif', 'markdown'] as const)(
    '--output %s, --junit, --summary, --record (plain and gzipped)',
    async (output) => {
      const files = {
        junit: join(dir, `${output}.xml`),
        summary: join(dir, `${output}.md`),
        plain: join(dir, `${output}.json`),
        gz: join(dir, `${output}.json.gz`),
      };
      for (const record of [files.plain, files.gz]) {
        const run = await runWorld(quotedElsewhere(), {
          output,
          junit: files.junit,
          summary: files.summary,
          record,
          verbose: true,
        });
        for (const [where, text] of [
          ['stdout', run.stdout],
          ['stderr', run.stderr],
          ['findings', JSON.stringify(run.findings)],
          ['JUnit', readFileSync(files.junit, 'utf8')],
          ['summary', readFileSync(files.summary, 'utf8')],
        ]) {
          expect(text, `${where}`).not.toContain(PASSWORD);
        }
      }
      const plain = readFileSync(files.plain, 'utf8');
      const gz = gunzipSync(readFileSync(files.gz)).toString('utf8');
      for (const bundle of [plain, gz]) {
        expect(bundle).not.toContain(PASSWORD);
        expect(bundle).not.toContain(POD_PASSWORD);
        // Hidden where it sits and where it is quoted, the rest left readable.
        expect(bundle).toContain(`"password": "${REDACTED}"`);
        expect(bundle).toContain(`"name": "FOO_DESC",\n`);
        expect(bundle).toContain(`"description": "${REDACTED}"`);
        expect(bundle).toContain(`  description: ${REDACTED}`);
      }
    },
  );
});
