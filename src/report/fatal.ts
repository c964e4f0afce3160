/**
 * A run that stops before or outside the check modules (bad flag, no kubeconfig,
 * bad values file or bundle, an unwritable output path, Ctrl-C) still honours the
 * output contract: a `[FAIL]` line with its fix and the summary line in text mode,
 * one valid document with `--output json|sarif`.
 */
import type { Writable } from 'node:stream';
import type { Finding } from '../core/finding.js';
import type { RunOptions } from '../core/options.js';
import { Catalogue } from '../core/catalogue.js';
import { closingFindings } from './closing.js';
import { summarize } from './format.js';
import { jsonReport } from './json.js';
import { sarifReport } from './sarif.js';
import { TextReporter } from './text.js';
import { jsonDocument } from './escape.js';

export type OutputFormat = RunOptions['output'];

/** The --output format as far as the command line says it, even when parsing it failed. */
export function outputFormatOf(argv: readonly string[]): OutputFormat {
  let format: string | undefined;
  argv.forEach((arg, i) => {
    if (arg === '--output' || arg === '-o') format = argv[i + 1];
    else if (arg.startsWith('--output=')) format = arg.slice('--output='.length);
    else if (arg.startsWith('-o=')) format = arg.slice('-o='.length);
  });
  return format === 'json' || format === 'sarif' ? format : 'text';
}

/**
 * Writes `findings` (a FAIL among them) and the closing lines in `format`. The catalogue is
 * passed in, not imported: run.ts must not load every check module before its first request.
 */
export function writeFindings(
  findings: readonly Finding[],
  format: OutputFormat,
  io: { stdout: Writable; stderr: Writable },
  catalogue: Catalogue | undefined,
  namespace = '',
): number {
  const all = [...findings, ...closingFindings(findings)];
  const summary = summarize(all);
  if (format === 'text') {
    const plain = (_l: unknown, t: string): string => t;
    const text = new TextReporter(io, { stdout: plain, stderr: plain });
    all.forEach((f) => text.write(f));
  } else {
    // Without the modules' catalogue, the document still names irsa-check's own checks.
    catalogue ??= new Catalogue([]);
    const doc =
      format === 'json'
        ? jsonReport({ namespace, skip: [] as string[] } as RunOptions, all, summary, catalogue)
        : sarifReport(all, catalogue, namespace);
    io.stdout.write(jsonDocument(doc));
  }
  return summary.exitCode;
}

/** The catalogue check a fatal error outside the modules is, by its exit code. */
const CHECK_OF_CODE: Record<number, string> = {
  1: 'usage',
  2: 'cannot-ask',
  3: 'no-kubeconfig',
  99: 'internal-error',
};

/** One fatal error in the output contract; returns its exit code. */
export async function writeFatal(
  code: number,
  message: string,
  fix: string | undefined,
  format: OutputFormat,
  io: { stdout: Writable; stderr: Writable },
  check: string | undefined = CHECK_OF_CODE[code],
): Promise<number> {
  const finding: Finding = { level: 'FAIL', module: 'cli', code, message, ...(check ? { check } : {}) };
  if (fix) finding.fix = fix;
  // Only a JSON or SARIF document needs the catalogue (its rules): a text FAIL loads no check module.
  const catalogue = format === 'text' ? undefined : (await import('../checks/index.js')).CATALOGUE;
  return writeFindings([finding], format, io, catalogue);
}
