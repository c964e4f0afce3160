/**
 * One run of irsa-check in four steps (docs/ARCHITECTURE.md, "The flow of a run"): prepare
 * (validate, platform, context, sink) → dispatch (the check modules, src/engine/dispatch.ts)
 * → finish (Jobs, output files, closing lines) → emit (the --output document). Returns the
 * findings and the exit code (docs/CHECKS.md).
 */
import { scpNotice } from './iam/scp.js';
import type { Writable } from 'node:stream';
import { createContext, type RunContext } from './core/context.js';
import type { Platform } from './ports/platform.js';
import { UsageError } from './core/errors.js';
import { didYouMean } from './core/suggest.js';
import type { Facts } from './engine/facts.js';
import type { Aws } from './ports/aws.js';
import type { Finding } from './core/finding.js';
import type { RunOptions } from './core/options.js';
import { Redactor } from './core/redact.js';
import { dispatch } from './engine/dispatch.js';
import type { Catalogue } from './core/catalogue.js';
import type { CheckModule } from './engine/module.js';
import { CallLog } from './core/calls.js';
import type { Kube } from './ports/kube.js';
import { NoCluster } from './platform/no-cluster.js';
import { BUNDLE_SCHEMA, readBundle, writeBundle } from './platform/bundle.js';
import { replayPlatform } from './platform/replay.js';
import { escapeControl, exitCodeFor, summarize } from './report/format.js';
import { textSummary } from './report/text-summary.js';
import { jsonDocument } from './report/escape.js';
import { makePaint, TextReporter } from './report/text.js';
import { closingFindings } from './report/closing.js';
import { jsonReport } from './report/json.js';
import { junitReport } from './report/junit.js';
import { sarifReport } from './report/sarif.js';
import { locator } from './report/sarif-locations.js';
import { appendFile, writeFile } from 'node:fs/promises';
import { markdownReport } from './report/markdown.js';
import { labelsFromFacts } from './report/trust-chain.js';
import { VERSION } from './version.js';
import { errorMessage } from './core/errors.js';
import { checkOutputPaths } from './report/output-paths.js';
import { checkValuesFilesEarly } from './helm/values-only.js';
import { checkComponentNamesEarly } from './helm/component-names.js';
import { CODE_CANNOT_ASK } from './core/reporter.js';
import { deleteTrackedJobs, leftoverJobLines, trackedJobs } from './platform/cleanup.js';
import { watchInterrupts } from './report/interrupt.js';
import { RunProgress } from './report/run-progress.js';

function throttledAttempts(aws: Aws): number {
  const n = (aws as { throttled?: () => unknown }).throttled?.();
  return typeof n === 'number' ? n : 0;
}

/** AWS's clock minus this machine's, as the live AWS SDK corrected for it (0 elsewhere). */
function clockOffsetMs(aws: Aws): number {
  const n = (aws as { clockOffsetMs?: () => unknown }).clockOffsetMs?.();
  return typeof n === 'number' ? n : 0;
}

/** Jobs whose DELETE failed are tried once more, then listed with the command that deletes them. */
async function reportLeftoverJobs(sink: (f: Finding) => void): Promise<void> {
  if (trackedJobs().length === 0) return;
  await deleteTrackedJobs(LEFTOVER_RETRY_MS);
  for (const message of leftoverJobLines())
    sink({ level: 'WARN', check: 'jobs-left-behind', module: 'jobs', message });
}
const LEFTOVER_RETRY_MS = 5_000;

/** The overall deadline: `--timeout`, plus `--job-timeout` when Jobs run (they have their own deadline). */
function deadlineMs(options: RunOptions): number {
  return (options.timeoutSeconds + (options.spawn ? options.jobTimeoutSeconds : 0)) * 1000;
}

/** Resolves undefined when `work` settles in time, else the deadline (ms) that expired. */
async function withinDeadline(work: Promise<unknown>, ms: number): Promise<number | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<number>((resolve) => {
    timer = setTimeout(() => resolve(ms), ms);
  });
  try {
    return await Promise.race([work.then(() => undefined), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export interface RunIO {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** false: the caller draws the progress line (a fleet, whose runs write to buffers that stand for a TTY). */
  progress?: boolean;
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
  if (typeof recorded.direct === 'boolean') options.direct = recorded.direct;
  if (typeof recorded.logs === 'boolean') options.logs = recorded.logs;
  if (typeof recorded.allNamespaces === 'boolean') options.allNamespaces = recorded.allNamespaces;
}

/** The registry and its catalogue, loaded once (src/checks/index.ts). */
interface Registry {
  CHECK_MODULES: readonly CheckModule[];
  CATALOGUE: Catalogue;
}

/**
 * The live platform. The AWS side comes first and STS GetCallerIdentity (which preflight asks
 * first, in every live run) is sent before client-node and the check modules are compiled: that
 * compiling then overlaps the call's round trip instead of delaying it. The call goes through the
 * run's call log, so preflight's own call is answered by this one: still one request.
 */
async function platformFor(options: RunOptions, calls: CallLog, askIdentity: boolean): Promise<Platform> {
  if (options.replay) {
    const bundle = await readBundle(options.replay, options.limits);
    adoptRecordedInvocation(options, bundle.invocation as Partial<RunOptions>);
    return replayPlatform(bundle, options.limits);
  }
  // The SDK warns on every run that its 2027 releases will need Node 22; irsa-check supports
  // Node >= 20.19 and pins the SDK, so that warning is noise on the user's stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Lazy: client-node and the AWS SDK cost most of the start-up time.
  const { LiveAws } = await import('./platform/live-aws.js');
  const aws = new LiveAws({
    region: options.region,
    profile: options.profile,
    requestTimeoutMs: options.requestTimeoutMs,
  });
  if (askIdentity) {
    await aws.preload('sts');
    // Its answer or error is preflight's to report: handled there, not here.
    calls
      .wrap('aws', aws as Aws)
      .callerIdentity()
      .catch(() => {});
  }
  const { LiveKube } = await import('./platform/live-kube.js');
  // One client set per --assume-role or --profile-for account, created on first use.
  const others = new Map<string, Aws>();
  const awsIn = (account: string): Aws | undefined => {
    const roleArn = options.assumeRoles?.[account];
    const profile = options.profiles?.[account];
    if (!roleArn && !profile) return undefined;
    let other = others.get(account);
    if (!other) {
      // --profile-for: that profile's own credentials; --assume-role: the role, assumed with the run's.
      other = new LiveAws({
        region: options.region,
        profile: profile ?? options.profile,
        requestTimeoutMs: options.requestTimeoutMs,
        ...(roleArn ? { assumeRoleArn: roleArn } : {}),
      });
      others.set(account, other);
    }
    return other;
  };
  const kube = kubeFor(options, () =>
    LiveKube.create({
      kubeconfig: options.kubeconfig,
      context: options.context ?? options.namespaceFrom,
      requestTimeoutMs: options.requestTimeoutMs,
    }),
  );
  // The other SDK clients load while the first requests travel (live-aws.ts, preloadForRun).
  if (askIdentity) aws.preloadForRun();
  return { awsIn, kube, aws, ...(kube instanceof NoCluster ? { noCluster: kube.reason } : {}) };
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

export type { Platform } from './ports/platform.js';

/** The one line a check or module turned off with --skip prints, before the run. */
function skippedLine({ CATALOGUE, CHECK_MODULES }: Registry, id: string): Finding {
  const check = CATALOGUE.get(id);
  const module = CHECK_MODULES.find((m) => m.id === id);
  const what = check ? `check ${id} (${check.title})` : `module ${id} (${module?.title ?? id})`;
  return { level: 'INFO', module: 'run', message: `skipped by --skip: ${what}` };
}

/** `platform` replaces live/replay answers: tests pass in-memory worlds here. */
/** --skip names checks or modules: an unknown one is a usage error before any call is made. */
function validateSkip({ CATALOGUE, CHECK_MODULES }: Registry, ids: readonly string[]): void {
  const unknown = ids.filter((id) => !CATALOGUE.has(id) && !CHECK_MODULES.some((m) => m.id === id));
  if (unknown.length > 0) {
    const known = [...CATALOGUE.entries().map((c) => c.id), ...CHECK_MODULES.map((m) => m.id)];
    throw new UsageError(
      `--skip: unknown check ${unknown.map((u) => `"${u}"${didYouMean(u, known)}`).join(', ')} (irsa-check --list-checks lists them)`,
    );
  }
}

/**
 * The run's one progress service: the terminal's transient line. The "waiting for …" line
 * (report/run-progress.ts) draws there while nothing else does; modules draw there through
 * `ctx.progress` (the Jobs' spinner), and while one does, the waiting line keeps quiet.
 * Undefined unless a person watches a terminal in text mode without --verbose.
 */
class ProgressService {
  private moduleOwnsLine = false;
  private readonly waiting: RunProgress | undefined;

  private constructor(
    private readonly stream: Writable,
    calls: CallLog,
  ) {
    this.waiting = RunProgress.start(
      stream as Writable & { isTTY: true },
      true,
      calls,
      () => this.moduleOwnsLine,
    );
  }

  static for(io: RunIO, options: RunOptions, calls: CallLog): ProgressService | undefined {
    const wanted =
      io.progress !== false && io.stderr.isTTY === true && options.output === 'text' && !options.verbose;
    return wanted ? new ProgressService(io.stderr, calls) : undefined;
  }

  /** A module's line (`\r` overwrites it); a bare erase gives the line back. */
  write(text: string): void {
    this.moduleOwnsLine = text !== ERASE_LINE;
    this.stream.write(text);
  }

  /** Erases the waiting line before a finding is written. */
  clear(): void {
    this.waiting?.clear();
  }

  stop(): void {
    this.waiting?.stop();
  }
}
const ERASE_LINE = '\r\x1b[K';

/** One run, prepared: what dispatch, finish and emit share. A fleet prepares one per context. */
export interface PreparedRun {
  options: RunOptions;
  io: RunIO;
  platform: Platform;
  registry: Registry;
  ctx: RunContext;
  calls: CallLog;
  redactor: Redactor;
  /** Every finding so far, redacted, in the order printed. */
  findings: Finding[];
  /** Redacts, records, and prints (text) each finding as it comes. */
  sink: (f: Finding) => void;
  progress: ProgressService | undefined;
  /** The facts the modules found (a single-release run): the markdown report names its nodes with them. */
  facts: Partial<Facts>;
}

/** The findings of a finished run, the closing lines included, and what they add up to. */
export interface FinishedRun {
  findings: Finding[];
  summary: ReturnType<typeof summarize>;
  /** The run's exit code: the last FAIL's, or as --fail-on decides. */
  exitCode: number;
  throttled: number;
}

/**
 * Step 1: validates what can be validated before any call, builds the platform (live,
 * replayed or given), the context and the finding sink.
 */
export async function prepare(options: RunOptions, io: RunIO, platform?: Platform): Promise<PreparedRun> {
  // The check modules load once the first request is on its way (platformFor), unless --skip
  // must be checked against them before any call.
  let registry: Registry | undefined;
  if (options.skip.length > 0) validateSkip((registry = await import('./checks/index.js')), options.skip);
  // One redactor for every line: a call's arguments can quote a learnt secret (a host's password).
  const redactor = new Redactor();
  const calls = new CallLog(
    options.verbose ? (key) => io.stderr.write(`[call] ${escapeControl(redactor.text(key))}\n`) : undefined,
  );
  checkOutputPaths([
    ['--junit', options.junit],
    ['--record', options.record],
  ]);
  checkComponentNamesEarly([
    ['-p/--pg', options.pg],
    ['-l/--os', options.os],
    ['-e/--exclude', options.exclude],
  ]);
  if (!options.replay) await checkValuesFilesEarly(options);
  // A live run owns the process's signals; tests passing a platform and replays do not.
  const live = platform === undefined && !options.replay;
  // Before the first request: a signal while it hangs still deletes Jobs and reports (report/interrupt.ts).
  const interrupts = live ? watchInterrupts(options, io) : undefined;
  platform ??= await platformFor(options, calls, !options.skip.includes('preflight'));
  registry ??= (await import('./checks/index.js')) as Registry;
  const progress = ProgressService.for(io, options, calls);
  const ctx = createContext(options, platform, {
    calls,
    redactor,
    debug: options.verbose
      ? (m) => io.stderr.write(`[debug] ${escapeControl(redactor.text(m))}\n`)
      : undefined,
    ...(progress ? { progress } : {}),
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
    if (f.data !== undefined) safe.data = redactor.deep(f.data);
    findings.push(safe);
    progress?.clear();
    text?.write(safe);
  };

  interrupts?.attach(sink, findings, registry.CATALOGUE);
  if (options.namespaceFrom && options.output === 'text') {
    // Said, never silent (kubectl's own fallback is); a line, not a finding: nothing was checked.
    io.stdout.write(
      `[INFO] namespace ${options.namespace}: from the kubeconfig context ${escapeControl(options.namespaceFrom)} (-n was not given)\n`,
    );
  }
  return { options, io, platform, registry, ctx, calls, redactor, findings, sink, progress, facts: {} };
}

/** Step 2: the check modules (or every release, -A) within the overall deadline. */
export async function dispatchChecks(run: PreparedRun): Promise<void> {
  const { options, registry, ctx, sink, facts, calls } = run;
  const skip = new Set(options.skip);
  for (const id of options.skip) sink(skippedLine(registry, id));
  const checks = options.allNamespaces
    ? import('./all-namespaces.js').then(({ runAllNamespaces }) => runAllNamespaces(ctx, sink, skip))
    : dispatch(registry.CHECK_MODULES, ctx, sink, { skip, facts });
  const expired = await withinDeadline(checks, deadlineMs(options));
  if (expired) {
    const waiting = calls.inFlight();
    sink({
      level: 'FAIL',
      check: 'run-timeout',
      module: 'run',
      code: CODE_CANNOT_ASK,
      message: `irsa-check did not finish within ${expired / 1000} s (--timeout)${
        waiting.length > 0 ? `: still waiting for ${waiting.slice(0, 5).join(', ')}` : ''
      }`,
      fix: 'Check network access to the API server and AWS (proxy, VPN, firewall); raise --timeout for a very large cluster.',
    });
    await deleteTrackedJobs();
  }
}

/**
 * Step 3: Jobs left behind, throttling, the --junit and --record files, then the closing
 * lines (the summary line in text mode).
 */
export async function finish(run: PreparedRun): Promise<FinishedRun> {
  const { options, calls, findings, sink, progress, platform } = run;
  await reportLeftoverJobs(sink);
  progress?.stop();
  // Live AWS only: a replay answers from the bundle (and its proxy answers every method name).
  const throttled = options.replay ? 0 : throttledAttempts(platform.aws);
  if (throttled > 0) {
    // A slow run says why.
    const slow = calls.slowest
      ? `; slowest call: ${calls.slowest.call}, ${(calls.slowest.ms / 1000).toFixed(1)} s`
      : '';
    sink({
      level: 'WARN',
      check: 'aws-throttled',
      module: 'run',
      message: `AWS throttled ${throttled} request(s); irsa-check retried them${slow}`,
    });
  }
  const offset = options.replay ? 0 : clockOffsetMs(platform.aws);
  // Not when AWS refused the corrected signatures too: that FAIL already names the clock.
  const clockFailed = findings.some(
    (f) => f.level === 'FAIL' && f.message.includes("this machine's clock is"),
  );
  if (Math.abs(offset) >= 60_000 && !clockFailed) {
    // The SDK signed with AWS's time; `aws eks get-token` and other tools on this machine do not.
    const minutes = Math.round(Math.abs(offset) / 60_000);
    sink({
      level: 'WARN',
      check: 'clock-skew',
      module: 'run',
      message: `this machine's clock is ${minutes} minute${minutes === 1 ? '' : 's'} ${offset > 0 ? 'behind' : 'ahead of'} AWS's: irsa-check's AWS calls corrected for it, but AWS refuses other tools' requests signed here more than 5 minutes off`,
    });
  }
  // Said once per run, after everything that may suggest one (iam/scp.ts).
  const scp = scpNotice(findings);
  if (scp) sink(scp);
  await writeOutputFiles(run, [...findings, ...closingFindings(findings)]);
  if (options.output === 'text') {
    // The summary (counts, one trust chain a component) comes before the closing lines, so the
    // last line stays aws-irsa.sh's verdict. Lines, not findings: the reports count findings.
    progress?.clear();
    for (const line of textSummary(findings, chainLabelsOf(run))) run.io.stdout.write(`${line}\n`);
  }
  for (const f of closingFindings(findings)) sink(f);
  const summary = summarize(findings);
  return { findings, summary, exitCode: exitCodeFor(findings, summary, options.failOn), throttled };
}

/** Node names of a component's trust chain, from the facts; -A runs keep each release's facts to themselves. */
function chainLabelsOf(
  run: PreparedRun,
): ((component: string) => ReturnType<typeof labelsFromFacts>) | undefined {
  const { options, facts, redactor } = run;
  return options.allNamespaces ? undefined : (c) => labelsFromFacts(facts, c, (t) => redactor.text(t));
}

/** The Markdown report (--output markdown, --summary). */
function markdownOf(run: PreparedRun, done: FinishedRun): string {
  return markdownReport(done.findings, { namespace: run.ctx.scope.namespace, labels: chainLabelsOf(run) });
}

/** What each --output prints on stdout once the run is finished; text printed its lines as they came. */
type Formatter = (run: PreparedRun, done: FinishedRun) => string | undefined;

const FORMATTERS: Record<RunOptions['output'], Formatter> = {
  text: () => undefined,
  json: ({ options, calls, registry }, { findings, summary, exitCode, throttled }) =>
    jsonDocument(
      jsonReport(options, findings, { ...summary, exitCode }, registry.CATALOGUE, {
        kubernetes: calls.count('kube'),
        aws: calls.count('aws'),
        throttled,
        ...(calls.slowest ? { slowest: calls.slowest } : {}),
      }),
    ),
  sarif: ({ options, registry, facts, ctx, redactor }, { findings }) => {
    const locate = locator({
      facts,
      namespace: ctx.scope.namespace,
      context: options.context ?? options.namespaceFrom,
      valuesFile: options.values[0],
      redact: (t) => redactor.text(t),
    });
    return jsonDocument(sarifReport(findings, registry.CATALOGUE, locate));
  },
  markdown: markdownOf,
};

/** Step 4: the report document (--output), the job summary (--summary) and the --verbose call counts. */
export async function emit(run: PreparedRun, done: FinishedRun): Promise<void> {
  const { options, io, calls } = run;
  const document = FORMATTERS[options.output](run, done);
  if (document !== undefined) io.stdout.write(document);
  // Appended, as GitHub's job summary file expects: several steps (or runs) add their parts.
  if (options.summary) {
    const markdown = options.output === 'markdown' ? document! : markdownOf(run, done);
    await appendFile(options.summary, markdown + '\n');
  }
  if (options.verbose) {
    io.stderr.write(`[debug] ${calls.count('kube')} Kubernetes calls, ${calls.count('aws')} AWS calls\n`);
  }
}

/** A whole run: prepare → dispatch → finish → emit. Returns its findings and exit code. */
export async function run(options: RunOptions, io: RunIO, platform?: Platform): Promise<RunResult> {
  const prepared = await prepare(options, io, platform);
  await dispatchChecks(prepared);
  const done = await finish(prepared);
  await emit(prepared, done);
  return { findings: done.findings, exitCode: done.exitCode, calls: prepared.calls };
}

/**
 * Writes --junit and --record before the summary line and the JSON/SARIF document, so a
 * write that still fails (disk full) is a FAIL in them rather than a crash after "All checks passed".
 */
async function writeOutputFiles(run: PreparedRun, findings: Finding[]): Promise<void> {
  const { options, calls, sink, redactor, ctx } = run;
  const write = async (flag: string, file: string | undefined, work: () => Promise<void>) => {
    if (file === undefined) return;
    try {
      await work();
    } catch (e) {
      sink({
        level: 'FAIL',
        check: 'output-write-failed',
        module: 'run',
        code: CODE_CANNOT_ASK,
        message: `cannot write ${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? errorMessage(e)}`,
        fix: `Free space or pass another path to ${flag}.`,
      });
    }
  };
  await write('--junit', options.junit, () =>
    writeFile(options.junit!, junitReport(findings, `irsa-check ${ctx.scope.namespace}`)),
  );
  await write('--record', options.record, () =>
    writeBundle(
      options.record!,
      {
        schema: BUNDLE_SCHEMA,
        createdAt: new Date().toISOString(),
        tool: `irsa-check ${VERSION}`,
        invocation: {
          namespace: ctx.scope.namespace,
          release: ctx.scope.release,
          pg: options.pg,
          os: options.os,
          exclude: options.exclude,
          spawn: options.spawn,
          token: options.token,
          direct: options.direct,
          logs: options.logs,
          allNamespaces: options.allNamespaces,
        },
        calls: calls.records,
      },
      redactor,
      options.limits,
    ),
  );
}
