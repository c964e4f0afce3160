/**
 * The dispatcher: builds one Context, runs the registered check modules in order,
 * streams or collects their findings, and returns the exit code (CHECKS.md).
 */
import type { Writable } from 'node:stream';
import { createContext, type Platform } from './core/context.js';
import { UsageError } from './core/errors.js';
import type { Finding } from './core/finding.js';
import type { RunOptions } from './core/options.js';
import { Redactor, redactText } from './core/redact.js';
import { runAllNamespaces } from './all-namespaces.js';
import { dispatch } from './dispatch.js';
import { CATALOGUE, CHECK_MODULES } from './checks/index.js';
import { CallLog } from './platform/calls.js';
import type { Kube } from './platform/kube.js';
import { NoCluster } from './platform/no-cluster.js';
import { BUNDLE_SCHEMA, readBundle, writeBundle } from './platform/bundle.js';
import { replayPlatform } from './platform/replay.js';
import { summarize } from './report/format.js';
import { makePaint, TextReporter } from './report/text.js';
import { closingFindings } from './report/closing.js';
import { jsonReport } from './report/json.js';
import { junitReport } from './report/junit.js';
import { sarifReport } from './report/sarif.js';
import { writeFile } from 'node:fs/promises';
import { VERSION } from './version.js';

export interface RunIO {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export interface RunResult {
  findings: Finding[];
  exitCode: number;
  calls: CallLog;
}

/**
 * A replay answers only the calls the recording made, so it runs what was recorded:
 * the recorded namespace and lists unless given, and always its Job/token choices.
 */
function adoptRecordedInvocation(options: RunOptions, recorded: Partial<RunOptions>): void {
  if (!options.namespace && recorded.namespace) options.namespace = recorded.namespace;
  options.release ??= recorded.release;
  options.pg ??= recorded.pg;
  options.os ??= recorded.os;
  if (options.exclude.length === 0 && recorded.exclude) options.exclude = recorded.exclude;
  if (typeof recorded.spawn === 'boolean') options.spawn = recorded.spawn;
  if (typeof recorded.token === 'boolean') options.token = recorded.token;
  if (typeof recorded.allNamespaces === 'boolean') options.allNamespaces = recorded.allNamespaces;
}

async function platformFor(options: RunOptions): Promise<Platform> {
  if (options.replay) {
    const bundle = await readBundle(options.replay);
    adoptRecordedInvocation(options, bundle.invocation as Partial<RunOptions>);
    return replayPlatform(bundle);
  }
  // The SDK warns on every run that its 2027 releases will need Node 22; irsa-check supports
  // Node >= 20.19 and pins the SDK, so that warning is noise on the user's stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Lazy: client-node and the AWS SDK cost most of the start-up time.
  const [{ LiveKube }, { LiveAws }] = await Promise.all([
    import('./platform/live-kube.js'),
    import('./platform/live-aws.js'),
  ]);
  return {
    kube: kubeFor(options, () =>
      LiveKube.create({ kubeconfig: options.kubeconfig, context: options.context }),
    ),
    aws: new LiveAws({ region: options.region, profile: options.profile }),
  };
}

/**
 * Values-only mode runs without a cluster: when `--values` is given and no kubeconfig is found
 * (none was named explicitly), the checks that need one skip with an INFO instead of the run stopping.
 */
function kubeFor(options: RunOptions, create: () => Kube): Kube {
  try {
    return create();
  } catch (e) {
    const offline = options.values.length > 0 && !options.kubeconfig && !options.context;
    if (!offline || !(e instanceof UsageError)) throw e;
    return new NoCluster('no kubeconfig (values-only mode)');
  }
}

export function wantsColour(
  stream: { isTTY?: boolean },
  options: RunOptions,
  env: NodeJS.ProcessEnv,
): boolean {
  return options.color && stream.isTTY === true && env.NO_COLOR === undefined;
}

export type { Platform } from './core/context.js';

/** The one line a check or module turned off with --skip prints, before the run. */
function skippedLine(id: string): Finding {
  const check = CATALOGUE.get(id);
  const module = CHECK_MODULES.find((m) => m.id === id);
  const what = check ? `check ${id} (${check.title})` : `module ${id} (${module?.title ?? id})`;
  return { level: 'INFO', module: 'run', message: `skipped by --skip: ${what}` };
}

/** `platform` replaces live/replay answers: tests pass in-memory worlds here. */
/** --skip names checks or modules: an unknown one is a usage error before any call is made. */
function validateSkip(ids: readonly string[]): void {
  const unknown = ids.filter((id) => !CATALOGUE.has(id) && !CHECK_MODULES.some((m) => m.id === id));
  if (unknown.length > 0) {
    throw new UsageError(
      `--skip: unknown check ${unknown.map((u) => `"${u}"`).join(', ')} (irsa-check --list-checks lists them)`,
    );
  }
}

export async function run(options: RunOptions, io: RunIO, platform?: Platform): Promise<RunResult> {
  validateSkip(options.skip);
  const calls = new CallLog(
    options.verbose ? (key) => io.stderr.write(`[call] ${redactText(key)}\n`) : undefined,
  );
  platform ??= await platformFor(options);
  const redactor = new Redactor();
  const ctx = createContext(options, platform, {
    calls,
    redactor,
    debug: options.verbose ? (m) => io.stderr.write(`[debug] ${redactor.text(m)}\n`) : undefined,
    // A progress line only where a person watches a terminal, and never between --verbose lines.
    progress:
      io.stderr.isTTY === true && options.output === 'text' && !options.verbose ? io.stderr : undefined,
  });

  const findings: Finding[] = [];
  const text =
    options.output === 'text'
      ? new TextReporter(io, {
          stdout: await makePaint(wantsColour(io.stdout, options, io.env)),
          stderr: await makePaint(wantsColour(io.stderr, options, io.env)),
        })
      : undefined;
  const sink = (f: Finding): void => {
    const safe: Finding = { ...f, message: redactor.text(f.message) };
    if (f.fix !== undefined) safe.fix = redactor.text(f.fix);
    findings.push(safe);
    text?.write(safe);
  };

  const skip = new Set(options.skip);
  for (const id of options.skip) sink(skippedLine(id));
  if (options.allNamespaces) await runAllNamespaces(ctx, sink, skip);
  else await dispatch(CHECK_MODULES, ctx, sink, { skip });
  for (const f of closingFindings(findings)) sink(f);
  const summary = summarize(findings);

  if (options.output === 'json')
    io.stdout.write(JSON.stringify(jsonReport(options, findings, summary, CATALOGUE), null, 2) + '\n');
  if (options.output === 'sarif') {
    io.stdout.write(JSON.stringify(sarifReport(findings, CATALOGUE, options.values[0]), null, 2) + '\n');
  }
  if (options.junit) await writeFile(options.junit, junitReport(findings, `irsa-check ${options.namespace}`));
  if (options.verbose) {
    io.stderr.write(`[debug] ${calls.count('kube')} Kubernetes calls, ${calls.count('aws')} AWS calls\n`);
  }
  if (options.record) {
    await writeBundle(options.record, {
      schema: BUNDLE_SCHEMA,
      createdAt: new Date().toISOString(),
      tool: `irsa-check ${VERSION}`,
      invocation: {
        namespace: options.namespace,
        release: options.release,
        pg: options.pg,
        os: options.os,
        exclude: options.exclude,
        spawn: options.spawn,
        token: options.token,
        allNamespaces: options.allNamespaces,
      },
      calls: calls.records,
    });
  }
  return { findings, exitCode: summary.exitCode, calls };
}
