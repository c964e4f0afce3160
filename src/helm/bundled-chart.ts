/**
 * The chart defaults irsa-check carries for each supported Camunda minor (8.6–8.10), generated from
 * the real charts by scripts/gen-chart-defaults.mjs into chart-defaults.generated.ts. Values-only
 * mode uses them when no `--chart` is given, and they map a Camunda version (`--chart-version 8.10`)
 * to its chart version (Chart.yaml `appVersion` ↔ `version`). Loaded lazily: only values-only runs
 * need them.
 */
import { UsageError } from '../core/errors.js';
import { parseChartVersion } from './chart/version.js';

export interface BundledChart {
  /** Camunda minor, from the chart's directory and `appVersion` ('8.10'). */
  camunda: string;
  /** Chart.yaml `version` of the chart the defaults were read from. */
  chartVersion: string;
  appVersion: string;
  /** The repository, tag or commit and file the defaults came from. */
  source: string;
  values: Record<string, unknown>;
}

export async function bundledCharts(): Promise<readonly BundledChart[]> {
  return (await import('./chart-defaults.generated.js')).BUNDLED_CHARTS;
}

/** `8.10`, `8.10.x`, `8.10.2`: a Camunda version of a bundled chart (never a chart version: those start at 11). */
function camundaMinor(raw: string): string | undefined {
  const m = /^v?(8)\.(\d+)(?:\.(?:x|\d+))?$/i.exec(raw.trim());
  return m ? `${m[1]}.${m[2]}` : undefined;
}

export interface ResolvedChartVersion {
  /** The chart version to use. */
  chartVersion: string;
  /** The bundled chart of that version's major, when one exists. */
  bundled?: BundledChart;
  /** How the given version was read, for the values-only INFO line. */
  note?: string;
}

/**
 * `--chart-version`: a chart version (11.x–15.x, any patch or pre-release) or a Camunda version
 * (8.6–8.10, mapped to the bundled chart of that minor). Anything else is a usage error that lists
 * what is known. Chart majors 8–10 (Camunda 8.3–8.5) parse but are not bundled: they run with the
 * chart's WARN, as before.
 */
export async function resolveChartVersion(raw: string): Promise<ResolvedChartVersion> {
  const charts = await bundledCharts();
  const known = () =>
    `known: Camunda ${charts.map((c) => c.camunda).join(', ')} or chart ${charts
      .map((c) => `${c.chartVersion.split('.')[0]}.x (Camunda ${c.camunda})`)
      .join(', ')}`;
  const minor = camundaMinor(raw);
  if (minor) {
    const chart = charts.find((c) => c.camunda === minor);
    if (!chart) {
      throw new UsageError(
        `--chart-version ${raw}: Camunda ${minor} is not a version irsa-check knows (${known()})`,
      );
    }
    return {
      chartVersion: chart.chartVersion,
      bundled: chart,
      note: `Camunda ${minor} → chart ${chart.chartVersion}`,
    };
  }
  const parsed = parseChartVersion(raw);
  if (!parsed || parsed.major < 8 || parsed.major > 15) {
    throw new UsageError(`--chart-version ${raw} is not a chart version irsa-check knows (${known()})`);
  }
  const bundled = charts.find((c) => parseChartVersion(c.chartVersion)?.major === parsed.major);
  return { chartVersion: raw.trim(), ...(bundled ? { bundled } : {}) };
}
