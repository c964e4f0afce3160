/**
 * Values-only mode, for installs made with `helm template` or Argo CD where no
 * Helm release exists: user values from `--values` files (merged in order like
 * `helm -f`) or from the Argo CD Application, chart defaults from `--chart`.
 * Builds a HelmRelease-shaped object so every later check works unchanged.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { UsageError } from '../core/errors.js';
import {
  DEFAULT_LIMITS,
  InputLimitError,
  checkTree,
  checkYamlSize,
  type InputLimits,
} from '../core/limits.js';
import type { Services } from '../core/context.js';
import type { ArgoApplication } from '../ports/kube.js';
import { readChart } from './chart-source.js';
import { resolveChartVersion } from './bundled-chart.js';
import { CAMUNDA_CHART_PREFIX, type HelmRelease } from './release.js';
import { coalesce, isPlainObject } from './values.js';

export const ARGO_NAMESPACE = 'argocd';

/**
 * A YAML document irsa-check reads (a values file, --chart's values.yaml and Chart.yaml, an Argo CD
 * Application's values) is held to the input limits of every other input (src/core/limits.ts):
 * its text to YAML's share of --max-input-mb, its parsed tree to --max-input-mb as walked (YAML
 * aliases are shared references, so `&a [*b, *b, …]` chains — billion laughs — parse fast but
 * expand exponentially when coalesced, looked up or redacted) and to --max-depth. A breach is a
 * usage error naming the limit and the flag that raises it, never a hang.
 */
function refuse(e: unknown, what: string): never {
  if (!(e instanceof InputLimitError)) throw e;
  throw new UsageError(e.describeExpansion(what));
}

/** Parses YAML into a mapping; a parse error names the source, line and column. */
export async function parseYaml(
  text: string,
  what: string,
  limits: InputLimits = DEFAULT_LIMITS,
): Promise<Record<string, unknown>> {
  try {
    checkYamlSize(Buffer.byteLength(text), limits);
  } catch (e) {
    if (e instanceof InputLimitError) throw new UsageError(e.describe(what));
    throw e;
  }
  const { load } = await import('js-yaml');
  let doc: unknown;
  try {
    // js-yaml stops at its own maxDepth (default 100) before a deep document can overflow its
    // recursion; set past --max-depth (it also counts the top level), so checkTree decides.
    // (@types/js-yaml predates the option.)
    doc = load(text, { maxDepth: limits.maxDepth + 2 } as Parameters<typeof load>[1]);
  } catch (e) {
    const err = e as { reason?: string; mark?: { line: number; column: number } };
    if (err.reason?.startsWith('nesting exceeded maxDepth'))
      throw new UsageError(new InputLimitError('depth', limits.maxDepth).describe(what));
    const where = err.mark ? ` at line ${err.mark.line + 1}, column ${err.mark.column + 1}` : '';
    throw new UsageError(`malformed ${what}${where}: ${err.reason ?? String(e)}`);
  }
  if (doc === undefined || doc === null) return {};
  if (!isPlainObject(doc)) throw new UsageError(`malformed ${what}: the top level must be a mapping`);
  try {
    checkTree(doc, limits);
  } catch (e) {
    refuse(e, what);
  }
  return doc;
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * A values file is read only when it is a regular file within YAML's share of the size limit: a
 * FIFO without a writer would block the read forever, a directory or a device is no values file.
 */
async function readValuesFile(file: string, limits: InputLimits): Promise<Record<string, unknown>> {
  let text: string;
  try {
    const st = await stat(file);
    if (!st.isFile())
      throw new UsageError(`values file ${file} is ${kindOf(st)}, not a regular file: refused`);
    try {
      checkYamlSize(st.size, limits);
    } catch (e) {
      if (!(e instanceof InputLimitError)) throw e;
      throw new UsageError(
        `values file ${file} is ${(st.size / 1024 / 1024).toFixed(1)} MB: ${e.message} (${e.raises})`,
      );
    }
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(
      `cannot read values file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  return parseYaml(text, `values file ${file}`, limits);
}

interface ChartDefaults {
  defaults: Record<string, unknown>;
  /** The chart version to use: --chart-version (a Camunda version mapped), else the chart's. */
  version?: string;
  /** Where the defaults came from, for the values-only INFO line. */
  described: string;
}

/**
 * The chart defaults of a values-only run: from `--chart` when given, else the defaults bundled
 * with irsa-check for the chart version's major (src/helm/chart-defaults.generated.ts), else none.
 */
async function chartDefaults(options: {
  chart?: string;
  chartVersion?: string;
  limits?: InputLimits;
}): Promise<ChartDefaults> {
  const requested = options.chartVersion ? await resolveChartVersion(options.chartVersion) : undefined;
  const mapped = requested?.note ? ` (${requested.note})` : '';
  if (options.chart) {
    const files = await readChart(options.chart);
    const chartYaml = files.chartYaml
      ? await parseYaml(files.chartYaml, `Chart.yaml of ${options.chart}`, options.limits)
      : {};
    return {
      defaults: await parseYaml(files.valuesYaml, `values.yaml of ${options.chart}`, options.limits),
      version:
        requested?.chartVersion ?? (typeof chartYaml.version === 'string' ? chartYaml.version : undefined),
      described: `chart defaults from ${options.chart}${mapped}`,
    };
  }
  if (requested?.bundled) {
    return {
      defaults: structuredClone(requested.bundled.values),
      version: requested.chartVersion,
      described: `chart defaults of chart ${requested.bundled.chartVersion} (bundled with irsa-check)${mapped}`,
    };
  }
  return { defaults: {}, version: requested?.chartVersion, described: 'no chart defaults (give --chart)' };
}

function valuesOnlyRelease(ctx: Services, user: unknown, chart: ChartDefaults, version: string): HelmRelease {
  return {
    name: ctx.scope.release ?? 'camunda',
    namespace: ctx.scope.namespace,
    revision: 0,
    status: 'values-only',
    chartName: CAMUNDA_CHART_PREFIX,
    chartVersion: version,
    defaults: chart.defaults,
    user: isPlainObject(user) ? user : {},
    driver: 'secret',
  };
}

/** A release read from values rather than from Helm, and the INFO line saying where from. */
export interface LoadedRelease {
  release: HelmRelease;
  note: string;
}

const NEEDS_VERSION =
  '--values needs --chart-version (a chart version, or a Camunda version such as 8.8) or --chart with a Chart.yaml';

/** `--values` given: the release the files describe. */
export async function loadValuesOnlyRelease(ctx: Services): Promise<LoadedRelease> {
  const chart = await chartDefaults(ctx.options);
  const version = chart.version;
  if (!version) throw new UsageError(NEEDS_VERSION);
  let user: unknown = {};
  const limits = ctx.options.limits ?? DEFAULT_LIMITS;
  for (const file of ctx.options.values) user = coalesce(user, await readValuesFile(file, limits));
  return {
    release: valuesOnlyRelease(ctx, user, chart, version),
    note: `values-only mode: ${ctx.options.values.join(', ')}, chart ${version}, ${chart.described}`,
  };
}

/**
 * Reads and parses every --values file (and --chart) and resolves --chart-version before any
 * cluster call: a typo in a values file or an unknown version is reported at once, not after the
 * cluster and AWS have been asked.
 */
export async function checkValuesFilesEarly(options: {
  values: string[];
  chart?: string;
  chartVersion?: string;
  limits?: InputLimits;
}): Promise<void> {
  if (options.values.length === 0) {
    if (options.chartVersion) await resolveChartVersion(options.chartVersion);
    return;
  }
  for (const file of options.values) await readValuesFile(file, options.limits ?? DEFAULT_LIMITS);
  if (!(await chartDefaults(options)).version) throw new UsageError(NEEDS_VERSION);
}

function isCamundaApp(app: ArgoApplication, ns: string): boolean {
  return (
    (app.chart ?? '').startsWith(CAMUNDA_CHART_PREFIX) &&
    (app.destinationNamespace === undefined || app.destinationNamespace === ns)
  );
}

/** No Helm release: an Argo CD Application deploying the Camunda chart into the namespace, if any. */
export async function releaseFromArgo(ctx: Services): Promise<LoadedRelease | undefined> {
  const ns = ctx.scope.namespace;
  const lists = await Promise.all(
    [...new Set([ns, ARGO_NAMESPACE])].map((n) =>
      ctx.kube.argoApplications(n).catch(() => [] as ArgoApplication[]),
    ),
  );
  const apps = lists.flat().filter((a) => isCamundaApp(a, ns));
  if (apps.length === 0) return undefined;
  const app = ctx.scope.release ? apps.find((a) => a.name === ctx.scope.release) : apps[0];
  if (!app) return undefined;
  // Argo's targetRevision is a chart version; --chart-version (checked early) overrides it. A
  // revision irsa-check does not know (a Git ref) is still used as the version, without defaults.
  const revision = ctx.options.chartVersion ?? app.targetRevision;
  if (!revision) return undefined;
  const known = await resolveChartVersion(revision).then(
    () => true,
    () => false,
  );
  const chart = await chartDefaults({
    chart: ctx.options.chart,
    chartVersion: known ? revision : undefined,
    limits: ctx.options.limits,
  });
  const version = known ? chart.version! : revision;
  const fromText = app.values
    ? await parseYaml(app.values, `spec.source.helm.values of Application ${app.name}`, ctx.options.limits)
    : {};
  const user = coalesce(fromText, isPlainObject(app.valuesObject) ? app.valuesObject : {});
  return {
    release: valuesOnlyRelease(ctx, user, chart, version),
    note: `no Helm release; using Argo CD Application ${app.namespace}/${app.name} (chart ${version}), ${chart.described}`,
  };
}
