/**
 * Fleets: `--context a,b,c` and `--all-contexts` check several clusters in one invocation.
 * Each context is one ordinary run (src/run.ts, unchanged) with its own options and its own
 * buffered output; at most FLEET_PARALLEL run at a time. The outputs are then written in the
 * order the contexts were named, never in the order they finished, so the report is
 * deterministic. The exit code is a single run's rule (the code of the last FAIL, `--fail-on`)
 * applied to the findings of every context, in context order.
 */
import { Writable } from 'node:stream';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { errorMessage, FatalCheckError, UsageError } from './core/errors.js';
import type { Finding } from './core/finding.js';
import type { RunOptions } from './core/options.js';
import { didYouMean } from './core/suggest.js';
import { mapLimit } from './core/concurrency.js';
import { escapeControl, exitCodeFor, summarize } from './report/format.js';
import { jsonDocument, markdownText } from './report/escape.js';
import { FleetProgress } from './report/fleet-progress.js';
import type { Level } from './core/finding.js';

/** How many clusters are checked at once: each run keeps its own fan-outs, so a few are enough. */
export const FLEET_PARALLEL = 4;

export const FLEET_SCHEMA = 'irsa-check/fleet@1';

interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** What one context's run left: its output, its findings and its code. */
interface ContextResult {
  context: string;
  /** The namespace checked; undefined with -A or when none could be chosen. */
  namespace?: string;
  stdout: string;
  stderr: string;
  findings: Finding[];
  exitCode: number;
  /** The run's --summary part (Markdown), appended to the real file in context order. */
  summaryPart?: string;
}

/**
 * A stream that keeps what is written, for one context's run. It stands for the real stream in
 * the run's colour decision (`isTTY` as the real one: colours on a terminal, as a single run
 * has them); the progress line is the fleet's (report/fleet-progress.ts), never the runs'.
 */
class Buffer extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: unknown, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.text += String(chunk);
    done();
  }
}

/**
 * The contexts to check, in the order given (`--all-contexts`: the kubeconfig's order). Every
 * name is checked against the kubeconfig before any call is made.
 */
export async function fleetContexts(opts: Record<string, unknown>): Promise<string[]> {
  if (opts.allContexts === true && opts.context !== undefined)
    throw new UsageError('--all-contexts and --context cannot be combined');
  if (opts.replay !== undefined)
    throw new UsageError(
      '--replay checks the one recorded cluster: it cannot be combined with several contexts',
    );
  const { loadKubeConfig } = await import('./platform/live-kube.js');
  const { kc } = loadKubeConfig({ kubeconfig: opts.kubeconfig as string | undefined });
  const known = kc.getContexts().map((c) => c.name);
  if (opts.allContexts === true) {
    if (known.length === 0) throw new UsageError('--all-contexts: the kubeconfig has no contexts', 3);
    return known;
  }
  const named = (opts.context as string).split(',').map((s) => s.trim());
  if (named.some((n) => n === ''))
    throw new UsageError(`--context has an empty context name in "${opts.context as string}"`);
  const unknown = named.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `--context: the kubeconfig has no context ${unknown.map((u) => `"${u}"${didYouMean(u, known)}`).join(', ')} (it has: ${known.join(', ')})`,
    );
  }
  return [...new Set(named)];
}

/** `irsa.xml` → `irsa.prod-eu.xml` (`bundle.json.gz` → `bundle.prod-eu.json.gz`): one file per context. */
export function perContextPath(file: string, context: string): string {
  // A context name is often an EKS ARN (`arn:aws:eks:…:cluster/prod`): keep it a single file name.
  const safe = context.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
  const name = basename(file);
  const ext = /(\.[^.]+)?(\.gz)?$/.exec(name.slice(1))![0];
  const stem = name.slice(0, name.length - ext.length);
  return join(dirname(file), `${stem}.${safe}${ext}`);
}

type ToOptions = (opts: Record<string, unknown>) => RunOptions;

/** Runs every context and writes the fleet's report; returns the fleet's exit code. */
export async function runFleet(
  opts: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  io: Io,
  toOptions: ToOptions,
): Promise<number> {
  const contexts = await fleetContexts(opts);
  const output = (opts.output as RunOptions['output'] | undefined) ?? 'text';
  const failOn = (opts.failOn as RunOptions['failOn'] | undefined) ?? 'fail';
  const summaryFile = opts.summary === true ? env.GITHUB_STEP_SUMMARY : (opts.summary as string | undefined);
  if (opts.summary !== undefined && !summaryFile)
    throw new UsageError(
      '--summary needs a file: --summary FILE, or GITHUB_STEP_SUMMARY set (GitHub Actions sets it)',
    );
  const summaryDir = summaryFile !== undefined ? mkdtempSync(join(tmpdir(), 'irsa-fleet-')) : undefined;
  // A single run's rules: the waiting line on a terminal's stderr in text mode without --verbose;
  // colours where a single run would colour (a TTY, --color, no NO_COLOR).
  const progress = FleetProgress.start(
    io.stderr,
    output === 'text' && opts.verbose !== true,
    contexts.length,
  );
  const tty = { stdout: io.stdout.isTTY === true, stderr: io.stderr.isTTY === true };
  try {
    const results = await mapLimit(contexts, FLEET_PARALLEL, async (context, i) => {
      progress?.begin(context);
      try {
        return await runContext(
          context,
          opts,
          env,
          toOptions,
          summaryDir && join(summaryDir, `${i}.md`),
          tty,
        );
      } finally {
        progress?.end(context);
      }
    });
    progress?.stop();
    const all = results.flatMap((r) => r.findings);
    const exitCode = exitCodeFor(all, summarize(all), failOn);
    const colour = opts.color !== false && env.NO_COLOR === undefined;
    const { makePaint } = await import('./report/text.js');
    const paint = {
      stdout: await makePaint(colour && tty.stdout),
      stderr: await makePaint(colour && tty.stderr),
    };
    writeReport(results, output, exitCode, io, opts.allNamespaces === true, paint);
    if (summaryFile !== undefined) await appendSummary(results, summaryFile);
    return exitCode;
  } finally {
    progress?.stop();
    if (summaryDir !== undefined) rmSync(summaryDir, { recursive: true, force: true });
  }
}

async function runContext(
  context: string,
  opts: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  toOptions: ToOptions,
  summaryFile: string | undefined,
  tty: { stdout: boolean; stderr: boolean },
): Promise<ContextResult> {
  const stdout = new Buffer(tty.stdout);
  const stderr = new Buffer(tty.stderr);
  const output = (opts.output as RunOptions['output'] | undefined) ?? 'text';
  let namespace: string | undefined;
  const done = (findings: Finding[], exitCode: number): ContextResult => ({
    context,
    ...(namespace ? { namespace } : {}),
    stdout: stdout.text,
    stderr: stderr.text,
    findings,
    exitCode,
    ...(summaryFile ? { summaryPart: readIfThere(summaryFile) } : {}),
  });
  const fatal = async (code: number, message: string, fix?: string, check?: string) => {
    const { writeFatal } = await import('./report/fatal.js');
    await writeFatal(code, message, fix, output, { stdout, stderr }, check);
    // Module `run`: a context that could not be checked fails the fleet even with --fail-on never.
    const finding: Finding = { level: 'FAIL', module: 'run', code, message };
    if (summaryFile) {
      const { markdownReport } = await import('./report/markdown.js');
      await appendFile(summaryFile, markdownReport([finding], { namespace: namespace ?? '' }) + '\n');
    }
    return done([finding], code);
  };
  try {
    const mine: Record<string, unknown> = { ...opts, context, allContexts: undefined };
    const given = (opts.namespace as string | undefined) ?? (env.NAMESPACE || undefined);
    if (given === undefined && opts.allNamespaces !== true) {
      const { contextNamespace } = await import('./platform/context-namespace.js');
      const found = await contextNamespace(opts.kubeconfig as string | undefined, context);
      if (!found) {
        throw new UsageError(
          `context ${context} sets no namespace and -n was not given`,
          1,
          `Pass -n <namespace> (every context uses it), or set one on the context: kubectl config set-context ${context} --namespace <namespace>`,
        );
      }
      Object.assign(mine, { namespace: found.namespace, namespaceFrom: found.context });
    }
    if (typeof opts.junit === 'string') mine.junit = perContextPath(opts.junit, context);
    if (typeof opts.record === 'string') mine.record = perContextPath(opts.record, context);
    const options = toOptions(mine);
    if (!options.allNamespaces) namespace = options.namespace;
    if (summaryFile) options.summary = summaryFile;
    const { run } = await import('./run.js');
    const { withJobScope } = await import('./platform/cleanup.js');
    const result = await withJobScope(() => run(options, { stdout, stderr, env, progress: false }));
    return done(result.findings, result.exitCode);
  } catch (e) {
    if (e instanceof UsageError) return fatal(e.exitCode, e.message, e.fix);
    if (e instanceof FatalCheckError) return fatal(e.code, e.message, e.fix, e.check);
    return fatal(99, `internal error in irsa-check: ${errorMessage(e)}`, REPORT_BUG);
  }
}

const REPORT_BUG = 'This is a bug in irsa-check: run again with --verbose and report it.';

function readIfThere(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function where(r: ContextResult, allNamespaces: boolean): string {
  if (r.namespace) return `namespace ${r.namespace}`;
  return allNamespaces ? 'all namespaces' : 'no namespace';
}

/** The per-context outputs, in context order, as one report in the chosen format. */
function writeReport(
  results: ContextResult[],
  output: RunOptions['output'],
  exitCode: number,
  io: Io,
  allNamespaces: boolean,
  paint: Record<'stdout' | 'stderr', (level: Level, text: string) => string>,
): void {
  if (output === 'json') {
    io.stdout.write(
      jsonDocument({
        schema: FLEET_SCHEMA,
        exitCode,
        contexts: results.map((r) => ({
          context: r.context,
          ...(r.namespace ? { namespace: r.namespace } : {}),
          exitCode: r.exitCode,
          report: JSON.parse(r.stdout) as unknown,
        })),
      }),
    );
    return;
  }
  if (output === 'sarif') {
    // SARIF 2.1.0 §3.13.4: a log holds several runs; §3.17 automationDetails.id tells them apart.
    const logs = results.map(
      (r) => JSON.parse(r.stdout) as { $schema?: string; version?: string; runs: object[] },
    );
    io.stdout.write(
      jsonDocument({
        ...(logs[0]?.$schema ? { $schema: logs[0].$schema } : {}),
        version: logs[0]?.version ?? '2.1.0',
        runs: logs.flatMap((log, i) =>
          log.runs.map((run) => ({
            ...run,
            automationDetails: { id: `irsa-check/${results[i]!.context}/` },
          })),
        ),
      }),
    );
    return;
  }
  if (output === 'markdown') {
    for (const r of results) io.stdout.write(`## Context ${markdownText(r.context)}\n\n${r.stdout}\n`);
    return;
  }
  for (const r of results) {
    io.stdout.write(
      paint.stdout('INFO', `[INFO] context ${escapeControl(r.context)} (${where(r, allNamespaces)})\n`),
    );
    io.stdout.write(r.stdout);
    io.stderr.write(r.stderr);
  }
  // The fleet's closing lines: one per context, then the verdict, on the streams their level goes to.
  for (const r of results) {
    const s = summarize(r.findings.filter((f) => f.module !== 'summary'));
    const counts = `${s.ok} OK, ${s.info} INFO, ${s.warn} WARN, ${s.fail} FAIL (exit code ${r.exitCode})`;
    const line = `context ${escapeControl(r.context)}: ${counts}`;
    if (r.exitCode === 0) io.stdout.write(paint.stdout('OK', `[OK] ${line}\n`));
    else io.stderr.write(paint.stderr('FAIL', `[FAIL] ${line}\n`));
  }
  const failed = results.filter((r) => r.exitCode !== 0).length;
  if (exitCode === 0)
    io.stdout.write(paint.stdout('OK', `[OK] irsa-check: all ${results.length} contexts passed.\n`));
  else
    io.stderr.write(
      paint.stderr(
        'FAIL',
        `[FAIL] irsa-check: ${failed} of ${results.length} contexts failed (error code: ${exitCode}).\n`,
      ),
    );
}

/** --summary: one file (GitHub reads only $GITHUB_STEP_SUMMARY), one section per context, in order. */
async function appendSummary(results: ContextResult[], file: string): Promise<void> {
  const parts = results.map((r) => `## Context ${markdownText(r.context)}\n\n${r.summaryPart ?? ''}`);
  await appendFile(file, parts.join('\n'));
}
