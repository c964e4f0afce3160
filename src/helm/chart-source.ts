/**
 * Chart defaults for values-only mode, from a local chart: a directory
 * (`values.yaml`, `Chart.yaml`) or a packaged `.tgz` as `helm pull` writes it
 * (`<chart>/values.yaml` inside a gzipped tar). No helm binary, no network.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UsageError } from '../core/errors.js';

export interface ChartFiles {
  valuesYaml: string;
  chartYaml?: string;
}

/** Reads the named top-level chart files out of a ustar/GNU tar archive. */
export function filesInTar(tar: Buffer, wanted: (path: string) => boolean): Map<string, string> {
  const found = new Map<string, string>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    const body = tar.subarray(offset + 512, offset + 512 + size);
    if (type === 'L') longName = body.toString('utf8').replace(/\0.*$/s, '');
    else if ((type === '0' || type === '' || type === '\0') && wanted(name))
      found.set(name, body.toString('utf8'));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return found;
}

export async function readChart(source: string): Promise<ChartFiles> {
  let isDir: boolean;
  try {
    isDir = (await stat(source)).isDirectory();
  } catch (e) {
    throw new UsageError(`cannot read chart ${source}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (isDir) {
    const read = (f: string) => readFile(join(source, f), 'utf8').catch(() => undefined);
    const [valuesYaml, chartYaml] = await Promise.all([read('values.yaml'), read('Chart.yaml')]);
    if (valuesYaml === undefined) throw new UsageError(`chart ${source} has no values.yaml`);
    return { valuesYaml, chartYaml };
  }
  let tar: Buffer;
  try {
    tar = gunzipSync(await readFile(source));
  } catch (e) {
    throw new UsageError(
      `chart ${source} is not a directory or a .tgz chart package: ${(e as Error).message}`,
    );
  }
  // The chart's own files sit one level down (`camunda-platform/values.yaml`); sub-charts deeper.
  const files = filesInTar(tar, (p) => /^[^/]+\/(values|Chart)\.yaml$/.test(p));
  const pick = (name: string) => [...files].find(([p]) => p.endsWith(`/${name}`))?.[1];
  const valuesYaml = pick('values.yaml');
  if (valuesYaml === undefined) throw new UsageError(`chart package ${source} has no <chart>/values.yaml`);
  return { valuesYaml, chartYaml: pick('Chart.yaml') };
}
