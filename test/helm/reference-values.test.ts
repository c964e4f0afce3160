/**
 * Camunda's reference values for EKS with IRSA (camunda/camunda-deployment-references,
 * aws/kubernetes/eks-single-region-irsa/helm-values/values-no-domain.yml; 8.6 built from the 8.7 file,
 * see its header) as values-only fixtures, raw (with `${VAR}` placeholders) and rendered (envsubst with
 * fixtures/values/reference/render.env). Healthy: both pass offline. Broken copies of the rendered values
 * give the check IDs a live run gives for the same fault (test/helm/values-parity.test.ts proves those on
 * the fixture worlds): sa-annotation, sa-role-arn, sa-static-keys.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { renderAll, REFERENCE_DIR } from '../../scripts/render-reference-values.mjs';
import { findPlaceholders } from '../../src/helm/placeholders.js';
import { noClusterPlatform } from '../support/values-only-runs.js';
import { loadWorld, MemoryAws, runWithPlatform, type WorldRun } from '../support/world.js';

const VERSIONS = ['8.6', '8.7', '8.8', '8.9', '8.10'];
const ROLE = 'eks.amazonaws.com/role-arn';
type Tree = Record<string, unknown>;

const fixture = (v: string, kind: 'raw' | 'rendered') =>
  join(REFERENCE_DIR, `camunda-${v}-eks-irsa.${kind}.yaml`);

/** Values-only, no kubeconfig, no AWS credentials; --chart-version is the Camunda version. */
function offline(file: string, version: string): Promise<WorldRun> {
  return runWithPlatform(loadWorld('camunda-8.8-healthy.yaml'), noClusterPlatform(new MemoryAws({})), {
    values: [file],
    chartVersion: version,
  });
}

function brokenCopy(v: string, change: (values: Tree) => void): string {
  const values = yaml.load(readFileSync(fixture(v, 'rendered'), 'utf8')) as Tree;
  change(values);
  const file = join(mkdtempSync(join(tmpdir(), 'irsa-reference-')), 'values.yaml');
  writeFileSync(file, yaml.dump(values));
  return file;
}

const fails = (r: WorldRun) =>
  r.findings
    .filter((f) => f.level === 'FAIL' && f.check !== undefined)
    .map((f) => `${f.check}:${f.component}`);

describe('Camunda reference values (EKS, IRSA), values-only offline', () => {
  it('the rendered fixtures are exactly the raw ones rendered with render.env', () => {
    for (const r of renderAll())
      expect(readFileSync(join(REFERENCE_DIR, r.rendered), 'utf8'), r.rendered).toBe(r.text);
  });

  it.each(VERSIONS)('%s rendered: all pass', async (v) => {
    const r = await offline(fixture(v, 'rendered'), v);
    expect(fails(r)).toEqual([]);
    expect(r.findings.filter((f) => f.check === 'values-unrendered')).toEqual([]);
    expect(r.exitCode).toBe(0);
  });

  it.each(VERSIONS)(
    '%s raw: one WARN per placeholder, no verdict on the fields holding one, exit 0',
    async (v) => {
      const raw = fixture(v, 'raw');
      const placeholders = [...findPlaceholders(yaml.load(readFileSync(raw, 'utf8'))).keys()];
      expect(placeholders.length).toBeGreaterThan(5);
      const r = await offline(raw, v);
      const warned = r.findings.filter((f) => f.check === 'values-unrendered');
      expect(warned.map((f) => f.message.split('`')[1])).toEqual(placeholders);
      expect(warned[0]!.message).toMatch(
        /^`\$\{[A-Z_]+\}` is not rendered: run envsubst \/ your templating first \(/,
      );
      // No OK and no FAIL quotes a placeholder: those fields are not judged.
      const judged = r.findings.filter((f) => f.level !== 'INFO' && f.check !== 'values-unrendered');
      expect(judged.filter((f) => f.message.includes('${'))).toEqual([]);
      expect(fails(r)).toEqual([]);
      expect(r.exitCode).toBe(0);
    },
  );

  describe.each(VERSIONS)('%s rendered, broken copies: the live check IDs', (v) => {
    const identity = (values: Tree) =>
      values.identity as { serviceAccount: { annotations: Tree }; env: Tree[] };

    it('role annotation removed → sa-annotation', async () => {
      const r = await offline(
        brokenCopy(v, (x) => delete identity(x).serviceAccount.annotations[ROLE]),
        v,
      );
      expect(fails(r)).toEqual(['sa-annotation:identity']);
      expect(r.exitCode).toBe(110);
    });

    it('malformed ARN (a colon missing) → sa-role-arn', async () => {
      const file = brokenCopy(v, (x) => {
        identity(x).serviceAccount.annotations[ROLE] = 'arn:aws:iam:123456789012:role/camunda-identity-irsa';
      });
      const r = await offline(file, v);
      expect(fails(r)).toEqual(['sa-role-arn:identity']);
      expect(r.exitCode).toBe(224);
    });

    it('static AWS keys in env → sa-static-keys', async () => {
      const file = brokenCopy(v, (x) => {
        identity(x).env.push(
          { name: 'AWS_ACCESS_KEY_ID', value: 'AKIAEXAMPLE' },
          { name: 'AWS_SECRET_ACCESS_KEY', value: 'x' },
        );
      });
      const r = await offline(file, v);
      expect(fails(r)).toEqual(['sa-static-keys:identity']);
      expect(r.exitCode).toBe(223);
    });
  });
});

/**
 * The values modules (database-values, opensearch-values) on the same reference values: the rendered
 * ones are judged, not skipped — the IRSA guide's Aurora and OpenSearch settings give their OK lines,
 * and the Keycloak image is the chart's camunda/keycloak default, not a bitnami FAIL (issue 16) — and a
 * broken copy gives the check ID the live run gives for the same fault (values-parity.test.ts).
 */
describe.each(VERSIONS)('%s reference values, the database and OpenSearch settings', (v) => {
  const judged = (r: WorldRun, module: string) =>
    r.findings.filter((f) => f.module === module && f.check).map((f) => `${f.level} ${f.check}`);

  it('rendered: judged, and OK', async () => {
    const r = await offline(fixture(v, 'rendered'), v);
    const db = judged(r, 'database-values');
    expect(db).toEqual(
      expect.arrayContaining(['OK identity-db-external', 'OK identity-db-host', 'OK identity-db-env']),
    );
    // Camunda's Identity URL names no sslmode: the db-tls WARN is right there, and no FAIL.
    expect(db.filter((l) => !l.startsWith('OK '))).toEqual(['WARN db-tls']);
    // 8.6–8.8 deploy the Keycloak subchart: its image is the chart default camunda/keycloak (the
    // reference values set none); 8.9 and 8.10's reference values use no Keycloak subchart.
    const images = r.findings.filter((f) => f.check === 'keycloak-image');
    expect(images.map((f) => `${f.level} ${f.message.split(' ')[1]}`)).toEqual(
      ['8.9', '8.10'].includes(v) ? [] : [expect.stringMatching(/^OK docker\.io\/camunda\/keycloak:/)],
    );
    const os = judged(r, 'opensearch-values');
    expect(os).toContain('OK os-aws-signing');
    expect(os).toContain('OK os-host');
    expect(os.filter((l) => !l.startsWith('OK '))).toEqual([]);
  });

  it('identity’s JDBC URL without wrapperPlugins=iam → identity-db-env', async () => {
    const file = brokenCopy(v, (x) => {
      for (const e of (x.identity as { env: Tree[] }).env)
        if (e.name === 'SPRING_DATASOURCE_URL') e.value = String(e.value).replace(/wrapperPlugins=iam&?/, '');
    });
    const r = await offline(file, v);
    expect(fails(r)).toEqual(['identity-db-env:identity']);
    expect(r.exitCode).toBe(93);
  });

  it('OpenSearch requests not signed → os-aws-signing', async () => {
    const file = brokenCopy(v, (x) => {
      const set = (path: string) => {
        const keys = path.split('.');
        let node = x as Tree | undefined;
        for (const k of keys.slice(0, -1)) node = node?.[k] as Tree | undefined;
        if (node && keys.at(-1)! in node) node[keys.at(-1)!] = false;
      };
      set('global.opensearch.aws.enabled');
      set('orchestration.data.secondaryStorage.opensearch.aws.enabled');
      set('optimize.database.opensearch.aws.enabled');
    });
    const r = await offline(file, v);
    expect(fails(r).length).toBeGreaterThan(0);
    expect(fails(r).filter((f) => !f.startsWith('os-aws-signing:'))).toEqual([]);
    expect(r.exitCode).toBe(51);
  });
});
