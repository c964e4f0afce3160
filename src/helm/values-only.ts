/**
 * Values-only mode, for installs made with `helm template` or Argo CD where no
 * Helm release exists: user values from `--values` files (merged in order like
 * `helm -f`) or from the Argo CD Application, chart defaults from `--chart`.
 * Builds a HelmRelease-shaped object so every later check works unchanged.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import type { Services } from '../core/context.js';
import type { Reporter } from '../core/reporter.js';
import type { ArgoApplication } from '../platform/kube.js';
import { readChart } from './chart-source.js';
import { CAMUNDA_CHART_PREFIX, type HelmRelease } from './release.js';
import { coalesce, isPlainObject } from './values.js';

export const ARGO_NAMESPACE = 'argocd';

/** Parses YAML into a mapping; a parse error names the source, line and column. */
export async function parseYaml(text: string, what: string): Promise<Record<string, unknown>> {
  const { load } = await import('js-yaml');
  let doc: unknown;
  try {
    doc = load(text);
  } catch (e) {
    const err = e as { reason?: string; mark?: { line: number; column: number } };
    const where = err.mark ? ` at line ${err.mark.line + 1}, column ${err.mark.column + 1}` : '';
    throw new UsageError(`malformed ${what}${where}: ${err.reason ?? String(e)}`);
  }
  if (doc === undefined || doc === null) return {};
  if (!isPlainObject(doc)) throw new UsageError(`malformed ${what}: the top level must be a mapping`);
  return doc;
}

async function readValuesFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(
      `cannot read values file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  return parseYaml(text, `values file ${file}`);
}

interface ChartDefaults {
  defaults: Record<string, unknown>;
  version?: string;
}

async function chartDefaults(ctx: Services): Promise<ChartDefaults> {
  if (!ctx.options.chart) return { defaults: {} };
  const files = await readChart(ctx.options.chart);
  const chartYaml = files.chartYaml
    ? await parseYaml(files.chartYaml, `Chart.yaml of ${ctx.options.chart}`)
    : {};
  return {
    defaults: await parseYaml(files.valuesYaml, `values.yaml of ${ctx.options.chart}`),
    version: typeof chartYaml.version === 'string' ? chartYaml.version : undefined,
  };
}

function valuesOnlyRelease(ctx: Services, user: unknown, chart: ChartDefaults, version: string): HelmRelease {
  return {
    name: ctx.options.release ?? 'camunda',
    namespace: ctx.options.namespace,
    revision: 0,
    status: 'values-only',
    chartName: CAMUNDA_CHART_PREFIX,
    chartVersion: version,
    defaults: chart.defaults,
    user: isPlainObject(user) ? user : {},
    driver: 'secret',
  };
}

function describeChart(ctx: Services): string {
  return ctx.options.chart ? `chart defaults from ${ctx.options.chart}` : 'no chart defaults (give --chart)';
}

/** `--values` given: the release the files describe. */
export async function loadValuesOnlyRelease(ctx: Services, out: Reporter<string>): Promise<HelmRelease> {
  const chart = await chartDefaults(ctx);
  const version = ctx.options.chartVersion ?? chart.version;
  if (!version) throw new UsageError('--values needs --chart-version (or --chart with a Chart.yaml)');
  let user: unknown = {};
  for (const file of ctx.options.values) user = coalesce(user, await readValuesFile(file));
  out.info(`values-only mode: ${ctx.options.values.join(', ')}, chart ${version}, ${describeChart(ctx)}`);
  return valuesOnlyRelease(ctx, user, chart, version);
}

/**
 * Reads and parses every --values file (and --chart) before any cluster call: a typo in a
 * values file is reported at once, not after the cluster and AWS have been asked.
 */
export async function checkValuesFilesEarly(options: {
  values: string[];
  chart?: string;
  chartVersion?: string;
}): Promise<void> {
  if (options.values.length === 0) return;
  for (const file of options.values) await readValuesFile(file);
  let version = options.chartVersion;
  if (options.chart) {
    const files = await readChart(options.chart);
    await parseYaml(files.valuesYaml, `values.yaml of ${options.chart}`);
    if (!version && files.chartYaml) {
      const chartYaml = await parseYaml(files.chartYaml, `Chart.yaml of ${options.chart}`);
      if (typeof chartYaml.version === 'string') version = chartYaml.version;
    }
  }
  if (!version) throw new UsageError('--values needs --chart-version (or --chart with a Chart.yaml)');
}

function isCamundaApp(app: ArgoApplication, ns: string): boolean {
  return (
    (app.chart ?? '').startsWith(CAMUNDA_CHART_PREFIX) &&
    (app.destinationNamespace === undefined || app.destinationNamespace === ns)
  );
}

/** No Helm release: an Argo CD Application deploying the Camunda chart into the namespace, if any. */
export async function releaseFromArgo(
  ctx: Services,
  out: Reporter<string>,
): Promise<HelmRelease | undefined> {
  const ns = ctx.options.namespace;
  const lists = await Promise.all(
    [...new Set([ns, ARGO_NAMESPACE])].map((n) =>
      ctx.kube.argoApplications(n).catch(() => [] as ArgoApplication[]),
    ),
  );
  const apps = lists.flat().filter((a) => isCamundaApp(a, ns));
  if (apps.length === 0) return undefined;
  const app = ctx.options.release ? apps.find((a) => a.name === ctx.options.release) : apps[0];
  if (!app) return undefined;
  const version = ctx.options.chartVersion ?? app.targetRevision;
  if (!version) return undefined;
  const fromText = app.values
    ? await parseYaml(app.values, `spec.source.helm.values of Application ${app.name}`)
    : {};
  const user = coalesce(fromText, isPlainObject(app.valuesObject) ? app.valuesObject : {});
  const chart = await chartDefaults(ctx);
  out.info(
    `no Helm release; using Argo CD Application ${app.namespace}/${app.name} (chart ${version}), ${describeChart(ctx)}`,
  );
  return valuesOnlyRelease(ctx, user, chart, version);
}
