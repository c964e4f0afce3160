/**
 * Values-only mode (--values, repeatable, + --chart-version [+ --chart]): for
 * installs made with `helm template` or Argo CD, where no Helm release exists.
 * Builds a HelmRelease-shaped object so every later check works unchanged.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { Context } from '../core/context.js';
import type { Reporter } from '../core/reporter.js';
import type { HelmRelease } from './release.js';
import { coalesce, isPlainObject } from './values.js';

export async function readYamlFile(file: string, what: string): Promise<Record<string, unknown>> {
  const { load } = await import('js-yaml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let doc: unknown;
  try {
    doc = load(text);
  } catch (e) {
    const reason = (e as { reason?: string; mark?: { line: number; column: number } }) ?? {};
    const where = reason.mark ? ` at line ${reason.mark.line + 1}, column ${reason.mark.column + 1}` : '';
    throw new UsageError(`malformed ${what} ${file}${where}: ${reason.reason ?? String(e)}`);
  }
  if (doc === undefined || doc === null) return {};
  if (!isPlainObject(doc)) throw new UsageError(`malformed ${what} ${file}: the top level must be a mapping`);
  return doc;
}

export async function loadValuesOnlyRelease(ctx: Context, out: Reporter): Promise<HelmRelease | undefined> {
  const { options } = ctx;
  if (!options.chartVersion) {
    throw new UsageError('--values needs --chart-version (the chart version the values are for)');
  }
  let user: unknown = {};
  for (const file of options.values) user = coalesce(user, await readYamlFile(file, 'values file'));
  const defaults = options.chart
    ? await readYamlFile(join(options.chart, 'values.yaml'), 'chart values')
    : {};
  out.info(
    `values-only mode: ${options.values.join(', ')}${options.chart ? ` with chart defaults from ${options.chart}` : ' without chart defaults'}`,
  );
  return {
    name: options.release ?? 'camunda',
    namespace: options.namespace,
    revision: 0,
    status: 'values-only',
    chartName: 'camunda-platform',
    chartVersion: options.chartVersion,
    defaults,
    user: isPlainObject(user) ? user : {},
    driver: 'secret',
  };
}
