#!/usr/bin/env node
/**
 * Generates fixtures/helm-renders/*.json: what a real `helm template` renders for the ServiceAccounts
 * and the pod templates' serviceAccountName, per supported Camunda chart and per case of
 * fixtures/charts/service-account-renders.yaml (plus the chart defaults and the reference values of
 * fixtures/values/reference/). test/helm/helm-template-agreement.test.ts compares irsa-check's own
 * rendering (src/helm/chart/service-accounts.ts) with these files, and renders live when helm exists.
 *
 *   HELM_BIN=/path/to/helm node scripts/render-chart-sa.mjs <camunda-platform-helm git dir or clone>
 *
 * Only extracted facts are written (ServiceAccount name + eks.amazonaws.com/role-arn, workload kind,
 * name and serviceAccountName): no chart text. Each file's header records the helm version, the
 * chart commit and the command.
 *
 * Dependencies: the charts declare subcharts that `helm template` needs in charts/. In a temp copy,
 * Chart.yaml's `dependencies` is replaced by the ones irsa-check needs, vendored from the same commit
 * of the repository (no network):
 *  - `common` (Bitnami common 2.x, helpers every template uses) from charts/common-2;
 *  - `keycloak` alias identityKeycloak (8.6–8.9) from charts/keycloak-24: the parent's helpers read
 *    `.Subcharts.identityKeycloak`. 8.7–8.9 declare exactly this chart (file://../keycloak-24); 8.6
 *    declares Bitnami keycloak 22.2.6 from an OCI registry, so there keycloak-24 is only a stand-in for
 *    the parent's helpers and the identityKeycloak ServiceAccount is not recorded (STAND_IN below);
 *  - dropped: identityPostgresql, postgresql (web-modeler-postgresql) and elasticsearch, subcharts
 *    whose ServiceAccounts irsa-check does not judge; their workloads would not be recorded anyway.
 * The charts refuse to render without some values irsa-check does not read (Web Modeler's
 * `restapi.mail.fromAddress` once it is enabled, and from 8.8 a management Identity (chart 15's
 * cases point to an external one, `global.identity.service.url`; 8.8/8.9 cases enable identity); charts 14/15's `orchestration.data.secondaryStorage.type`):
 * every case gets BASE_VALUES first (recorded in the file, applied by the test too, as a first `-f` file).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const RENDERS_DIR = join(ROOT, 'fixtures', 'helm-renders');
export const RELEASE = 'camunda';
export const NAMESPACE = 'camunda';
export const ROLE_ARN = 'eks.amazonaws.com/role-arn';

/**
 * The chart commit per entry of service-account-renders.yaml: the release commits the bundled
 * defaults come from (src/helm/chart-defaults.generated.ts) and, for the entry with `defaults`
 * (Camunda 8.10 on the main branch), the main-branch commit that file cites.
 */
export const TARGETS = [
  { file: '11.12.3', chart: '11.12.3', minor: '8.6', commit: 'ed176576953260045bcc8f58d8ed27da0e1afc07' },
  { file: '12.13.3', chart: '12.13.3', minor: '8.7', commit: 'acd162ad012dd0fa0e0ffcca97a3e3b480a2acee' },
  { file: '13.12.7', chart: '13.12.7', minor: '8.8', commit: '71c3e66119ad975fb98f432aaedf8ee7b202266e' },
  { file: '14.8.4', chart: '14.8.4', minor: '8.9', commit: 'a3624e605d60101826f1ce73e5df61d4348491bc' },
  {
    file: '15.0.0-alpha4',
    chart: '15.0.0-alpha4',
    minor: '8.10',
    commit: '55138c76312520fd6d9dcde335586039e28996ba',
  },
  {
    file: '15.0.0-alpha4-main',
    chart: '15.0.0-alpha4',
    minor: '8.10',
    main: true,
    commit: 'b5c494d23a79ba17105ed5fd55dbf2e05e3d21a7',
  },
];

/** Values every case of a chart 15 render gets first (see the header comment). */
export const BASE_VALUES = {
  8.6: { webModeler: { restapi: { mail: { fromAddress: 'noreply@example.com' } } } },
  8.7: { webModeler: { restapi: { mail: { fromAddress: 'noreply@example.com' } } } },
  8.8: { webModeler: { restapi: { mail: { fromAddress: 'noreply@example.com' } } } },
  8.9: {
    orchestration: { data: { secondaryStorage: { type: 'elasticsearch' } } },
    webModeler: { restapi: { mail: { fromAddress: 'noreply@example.com' } } },
  },
  '8.10': {
    global: { identity: { service: { url: 'http://identity.example:8080' } } },
    orchestration: { data: { secondaryStorage: { type: 'elasticsearch' } } },
    webModeler: { restapi: { mail: { fromAddress: 'noreply@example.com' } } },
  },
};

/** Subcharts present only as a stand-in for the parent's helpers: their ServiceAccounts are not recorded. */
const STAND_IN = { 8.6: ['keycloak'] };

/** The cases of one target: defaults, the reference values, then service-account-renders.yaml's. */
export function casesFor(target) {
  const doc = yaml.load(
    readFileSync(join(ROOT, 'fixtures', 'charts', 'service-account-renders.yaml'), 'utf8'),
  );
  const entry = doc.charts.find(
    (c) => c.chart === target.chart && Boolean(c.defaults) === Boolean(target.main),
  );
  const cases = [{ name: 'chart defaults', values: {} }];
  const ref = join(ROOT, 'fixtures', 'values', 'reference', `camunda-${target.minor}-eks-irsa.rendered.yaml`);
  if (!target.main && existsSync(ref)) {
    cases.push({
      name: 'reference values',
      valuesFile: `fixtures/values/reference/camunda-${target.minor}-eks-irsa.rendered.yaml`,
    });
  }
  for (const c of entry.cases) cases.push({ name: c.name, values: c.values });
  return cases;
}

/** The facts irsa-check is compared on, from `helm template` output (sorted: deterministic files). */
export function extractFacts(manifest, standIn = []) {
  const serviceAccounts = [];
  const workloads = [];
  for (const doc of yaml.loadAll(manifest)) {
    if (!doc || typeof doc !== 'object') continue;
    const labels = doc.metadata?.labels ?? {};
    const sub = labels['app.kubernetes.io/name'];
    if (standIn.includes(sub)) continue;
    if (doc.kind === 'ServiceAccount') {
      const arn = doc.metadata?.annotations?.[ROLE_ARN];
      serviceAccounts.push({ name: doc.metadata.name, roleArn: arn === undefined ? null : arn });
    } else if (doc.kind === 'Deployment' || doc.kind === 'StatefulSet') {
      const spec = doc.spec?.template?.spec ?? {};
      workloads.push({
        kind: doc.kind,
        name: doc.metadata.name,
        // Kubernetes admits an absent serviceAccountName as the namespace's "default".
        serviceAccountName: spec.serviceAccountName ?? spec.serviceAccount ?? null,
      });
    }
  }
  const by = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { serviceAccounts: serviceAccounts.sort(by), workloads: workloads.sort(by) };
}

/** Extracts the chart at the commit into a temp dir with the dependencies described above. */
export function prepareChart(gitDir, target) {
  const dir = mkdtempSync(join(tmpdir(), `irsa-helm-${target.file}-`));
  const chartPath = `charts/camunda-platform-${target.minor}`;
  const withKeycloak = ['8.6', '8.7', '8.8', '8.9'].includes(target.minor);
  const paths = [chartPath, 'charts/common-2', ...(withKeycloak ? ['charts/keycloak-24'] : [])];
  const tar = execFileSync('git', [`--git-dir=${gitDir}`, 'archive', target.commit, ...paths], {
    maxBuffer: 256 * 1024 * 1024,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  const chart = join(dir, chartPath);
  mkdirSync(join(chart, 'charts'), { recursive: true });
  cpSync(join(dir, 'charts/common-2'), join(chart, 'charts/common'), { recursive: true });
  const deps = [{ name: 'common', version: '2.x.x' }];
  if (withKeycloak) {
    cpSync(join(dir, 'charts/keycloak-24'), join(chart, 'charts/keycloak'), { recursive: true });
    const declared = yaml.load(readFileSync(join(chart, 'Chart.yaml'), 'utf8')).dependencies ?? [];
    const kc = declared.find((d) => d.alias === 'identityKeycloak');
    const version = yaml.load(readFileSync(join(chart, 'charts/keycloak/Chart.yaml'), 'utf8')).version;
    deps.unshift({ name: 'keycloak', alias: 'identityKeycloak', version, condition: kc.condition });
  }
  const chartYaml = yaml.load(readFileSync(join(chart, 'Chart.yaml'), 'utf8'));
  chartYaml.dependencies = deps;
  writeFileSync(join(chart, 'Chart.yaml'), yaml.dump(chartYaml));
  rmSync(join(chart, 'Chart.lock'), { force: true });
  return { dir, chart };
}

export function helmVersion(helm) {
  return execFileSync(helm, ['version', '--template', '{{.Version}}'], { encoding: 'utf8' }).trim();
}

/** `helm template` of one case; returns the facts. */
export function renderCase(helm, chart, target, c, workDir) {
  const files = [];
  const base = BASE_VALUES[target.minor];
  if (base) {
    files.push(join(workDir, 'base.yaml'));
    writeFileSync(files.at(-1), JSON.stringify(base));
  }
  if (c.valuesFile) files.push(join(ROOT, c.valuesFile));
  else {
    files.push(join(workDir, 'case.yaml'));
    writeFileSync(files.at(-1), JSON.stringify(c.values ?? {}));
  }
  const args = ['template', RELEASE, chart, '--namespace', NAMESPACE, ...files.flatMap((f) => ['-f', f])];
  const out = execFileSync(helm, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return extractFacts(out, STAND_IN[target.minor] ?? []);
}

function main() {
  const gitDir = process.argv[2];
  if (!gitDir) {
    console.error('usage: HELM_BIN=helm node scripts/render-chart-sa.mjs <camunda-platform-helm git dir>');
    process.exit(2);
  }
  const helm = process.env.HELM_BIN ?? 'helm';
  const version = helmVersion(helm);
  mkdirSync(RENDERS_DIR, { recursive: true });
  for (const target of TARGETS) {
    const { dir, chart } = prepareChart(gitDir, target);
    try {
      const cases = casesFor(target).map((c) => {
        let facts;
        try {
          facts = renderCase(helm, chart, target, c, dir);
        } catch (e) {
          throw new Error(`${target.file} "${c.name}": ${e.stderr ?? e}`);
        }
        return { name: c.name, ...(c.valuesFile ? { valuesFile: c.valuesFile } : {}), ...facts };
      });
      const out = {
        header: {
          generatedBy:
            'node scripts/render-chart-sa.mjs <camunda-platform-helm> (HELM_BIN=helm): do not edit',
          helm: version,
          chart: `camunda/camunda-platform-helm ${target.commit} charts/camunda-platform-${target.minor} (version ${target.chart}${target.main ? ', main branch' : ''})`,
          command: `helm template ${RELEASE} <chart> --namespace ${NAMESPACE}${BASE_VALUES[target.minor] ? ' -f <baseValues>' : ''} -f <case values>`,
          dependencies:
            'common <- charts/common-2' +
            (['8.6', '8.7', '8.8', '8.9'].includes(target.minor)
              ? ', identityKeycloak <- charts/keycloak-24'
              : '') +
            '; other subcharts removed from Chart.yaml (see scripts/render-chart-sa.mjs)',
          ...(STAND_IN[target.minor]
            ? { notRecorded: 'identityKeycloak (keycloak-24 stands in for 22.2.6)' }
            : {}),
          ...(BASE_VALUES[target.minor] ? { baseValues: BASE_VALUES[target.minor] } : {}),
        },
        cases,
      };
      writeFileSync(join(RENDERS_DIR, `${target.file}.json`), JSON.stringify(out, null, 2) + '\n');
      console.log(`${target.file}: ${cases.length} cases`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
