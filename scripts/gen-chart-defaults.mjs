#!/usr/bin/env node
/**
 * Generates src/helm/chart-defaults.generated.ts: the chart defaults irsa-check needs offline
 * (values-only mode without --chart), one entry per supported Camunda minor, read from the real
 * charts in a clone of camunda/camunda-platform-helm:
 *
 *   node scripts/gen-chart-defaults.mjs /path/to/camunda-platform-helm [--ref HEAD]
 *
 * For each charts/camunda-platform-8.<minor>/ it reads Chart.yaml at --ref (default HEAD) for the
 * chart version, then reads values.yaml and Chart.yaml at the release commit of that version (the
 * first commit whose Chart.yaml says `version: <v>`: the release PR that published it, i.e. what
 * `helm pull camunda/camunda-platform --version <v>` downloads; the repository's
 * `camunda-platform-8.<minor>-<v>` tags point at the commit just before that bump). The values are pruned to the
 * subtrees irsa-check reads (service accounts, images, env, databases, OpenSearch/Elasticsearch,
 * document store, switches); scheduling, probes, resources and the like are dropped, and the
 * comments with them: nothing of the chart's text is kept beyond the default values themselves.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

const MINORS = ['8.6', '8.7', '8.8', '8.9', '8.10'];
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'helm', 'chart-defaults.generated.ts');

/** Top-level keys whose subtree irsa-check reads (components and global). */
const COMPONENTS = new Set([
  'global',
  'identity',
  'identityKeycloak',
  'webModeler',
  'camundaHub',
  'console',
  'connectors',
  'orchestration',
  'optimize',
  'zeebe',
  'zeebeGateway',
  'operate',
  'tasklist',
  'executionIdentity',
]);

/** Sub-chart switches: only `enabled` is kept (e.g. elasticsearch.enabled, postgresql.enabled). */
const SUBCHART_SWITCHES = new Set([
  'elasticsearch',
  'postgresql',
  'webModelerPostgresql',
  'identityPostgresql',
]);

/** Subtrees no check reads, dropped wherever they occur. */
const DROP = new Set([
  'resources',
  'startupProbe',
  'readinessProbe',
  'livenessProbe',
  'podSecurityContext',
  'containerSecurityContext',
  'securityContext',
  'affinity',
  'tolerations',
  'nodeSelector',
  'ingress',
  'httpRoute',
  'service',
  'metrics',
  'podAnnotations',
  'podLabels',
  'persistence',
  'extraVolumes',
  'extraVolumeMounts',
  'volumeMounts',
  'volumes',
  'logging',
  'podDisruptionBudget',
  'serviceMonitor',
  'prometheusServiceMonitor',
  'networkPolicy',
  'dnsConfig',
  'dnsPolicy',
  'priorityClassName',
  'strategy',
  'updateStrategy',
  'lifecycle',
  'retention',
  'upgrade',
  'compatibility',
  'configuration',
  'extraConfiguration',
  'javaOpts',
  'podManagementPolicy',
  'labels',
  'commonLabels',
  'license',
  'sso',
  'proxy',
  'cluster',
  'pvc',
]);

function git(repo, args) {
  return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

function show(repo, ref, path) {
  return git(repo, ['show', `${ref}:${path}`]);
}

/** The commit that set Chart.yaml's version to `version` (the release commit), else `ref`. */
function releaseCommit(repo, ref, dir, version) {
  const commits = git(repo, [
    'log',
    '--reverse',
    '--format=%H',
    `-G^version: ${version.replace(/[.]/g, '\\.')}$`,
    ref,
    '--',
    `${dir}/Chart.yaml`,
  ])
    .split('\n')
    .filter(Boolean);
  return commits[0] ?? ref;
}

function prune(node) {
  if (Array.isArray(node)) return node.map(prune);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) if (!DROP.has(k)) out[k] = prune(v);
  return out;
}

function pruneTop(values) {
  const out = {};
  for (const [k, v] of Object.entries(values)) {
    if (COMPONENTS.has(k)) out[k] = prune(v);
    else if (SUBCHART_SWITCHES.has(k) && v && typeof v === 'object' && 'enabled' in v)
      out[k] = { enabled: v.enabled };
  }
  return out;
}

function main() {
  const args = process.argv.slice(2);
  const repo = args[0];
  if (!repo) {
    console.error('usage: node scripts/gen-chart-defaults.mjs <camunda-platform-helm clone> [--ref REF]');
    process.exit(1);
  }
  const refAt = args.indexOf('--ref');
  const ref = refAt >= 0 ? args[refAt + 1] : 'HEAD';
  const charts = [];
  for (const minor of MINORS) {
    const dir = `charts/camunda-platform-${minor}`;
    const head = yaml.load(show(repo, ref, `${dir}/Chart.yaml`));
    const from = releaseCommit(repo, ref, dir, String(head.version));
    const chart = yaml.load(show(repo, from, `${dir}/Chart.yaml`));
    const values = yaml.load(show(repo, from, `${dir}/values.yaml`));
    const commit = git(repo, ['rev-parse', `${from}^{commit}`]).trim();
    charts.push({
      camunda: minor,
      chartVersion: String(chart.version),
      appVersion: String(chart.appVersion),
      source: `camunda/camunda-platform-helm ${commit} ${dir}/values.yaml`,
      values: pruneTop(values),
    });
    console.error(`${minor}: chart ${chart.version} from ${commit}`);
  }
  const text = [
    '// GENERATED by scripts/gen-chart-defaults.mjs from camunda/camunda-platform-helm: do not edit.',
    '// Regenerate: node scripts/gen-chart-defaults.mjs <clone of camunda-platform-helm>',
    "import type { BundledChart } from './bundled-chart.js';",
    '',
    `export const BUNDLED_CHARTS: readonly BundledChart[] = ${JSON.stringify(charts)};`,
    '',
  ].join('\n');
  writeFileSync(OUT, text);
  execFileSync('npx', ['prettier', '--write', OUT], { stdio: 'ignore' });
  console.error(`wrote ${OUT}`);
}

main();
