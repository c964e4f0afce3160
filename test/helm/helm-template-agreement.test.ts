/**
 * `helm template` agreement (issue 16): the ServiceAccount each component's pods run as, whether the
 * chart creates it, and irsa-check's verdict on its role annotation, for every supported chart version
 * (8.6–8.10, the 8.10 camundaHub cases included), over the chart defaults bundled with irsa-check.
 * There is no helm binary here: the expectations in fixtures/charts/service-account-renders.yaml were
 * derived by reading the templates, which the file cites line by line.
 */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { serviceAccounts, judgeAnnotation } from '../../src/checks/service-accounts.js';
import type { PlannedComponent } from '../../src/engine/facts.js';
import type { Finding } from '../../src/core/finding.js';
import { Reporter } from '../../src/core/reporter.js';
import { bundledCharts } from '../../src/helm/bundled-chart.js';
import { serviceAccountFor } from '../../src/helm/chart/service-accounts.js';
import { profileFor } from '../../src/helm/chart/profiles.js';
import { parseChartVersion } from '../../src/helm/chart/version.js';
import { isPlainObject, Values } from '../../src/helm/values.js';
import { ROOT } from '../support/cli.js';

interface Expect {
  sa: string;
  created: boolean;
  verdict: string;
}
interface Case {
  name: string;
  values: Record<string, unknown>;
  expect: Record<string, Expect>;
}
interface ChartCases {
  chart: string;
  defaults?: Record<string, unknown>;
  cases: Case[];
}

const RENDERS = yaml.load(readFileSync(`${ROOT}/fixtures/charts/service-account-renders.yaml`, 'utf8')) as {
  charts: ChartCases[];
};

type Tree = Record<string, unknown>;

/** Chart-file overrides, kept as written: a null default stays null (Helm's coalesce would delete it). */
function overlay(base: Tree, over: Tree): Tree {
  for (const [k, v] of Object.entries(over)) {
    const b = base[k];
    base[k] = isPlainObject(v) && isPlainObject(b) ? overlay(b, v) : v;
  }
  return base;
}

/** The verdict irsa-check's offline evaluator gives the rendered ServiceAccount. */
function verdict(c: PlannedComponent): string {
  const sa = c.serviceAccount;
  if (!sa.enabled) return sa.how === 'values' ? 'external' : 'sa-enabled';
  const found: Finding[] = [];
  judgeAnnotation(
    c,
    sa.annotations,
    false,
    new Reporter('service-accounts', (f) => found.push(f), serviceAccounts.checks),
    true,
  );
  const fail = found.find((f) => f.level === 'FAIL');
  return fail?.check ?? 'ok';
}

const ROWS = RENDERS.charts.flatMap((chart) =>
  chart.cases.map((c) => ({
    ...c,
    chart: chart.chart,
    defaults: chart.defaults,
    label: `${chart.chart}${chart.defaults ? ' (main branch)' : ''}`,
  })),
);

describe('helm template agreement: ServiceAccount names and role-annotation verdicts', () => {
  it('covers every bundled chart version', async () => {
    const covered = new Set(RENDERS.charts.map((c) => c.chart));
    for (const b of await bundledCharts()) expect(covered, b.camunda).toContain(b.chartVersion);
  });

  it.each(ROWS)('$label: $name', async (row) => {
    const bundled = (await bundledCharts()).find((b) => b.chartVersion === row.chart);
    expect(bundled, `no bundled defaults for chart ${row.chart}`).toBeDefined();
    const defaults = overlay(structuredClone(bundled!.values), row.defaults ?? {});
    const profile = profileFor(parseChartVersion(row.chart)!);
    const values = new Values(defaults, row.values).withBaseDefaults(profile.subchartDefaults);
    for (const [key, want] of Object.entries(row.expect)) {
      const plan = serviceAccountFor(profile, values, 'camunda', key);
      const got = {
        sa: plan.name,
        created: plan.enabled,
        verdict: verdict({ key, pg: false, os: false, serviceAccount: plan }),
      };
      expect(got, key).toEqual(want);
    }
  });
});
