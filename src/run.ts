/**
 * The dispatcher: builds one Context, runs the registered check modules in order,
 * streams or collects their findings, and returns the exit code (CHECKS.md).
 */
import type { Writable } from 'node:stream';
import { emptyFacts, type Context } from './core/context.js';
import type { Finding } from './core/finding.js';
import type { RunOptions } from './core/options.js';
import { Redactor, redactText } from './core/redact.js';
import { runAllNamespaces } from './all-namespaces.js';
import { runModules } from './run-modules.js';
import { CHECK_MODULES } from './checks/index.js';
import { CallLog } from './platform/calls.js';
import { BUNDLE_SCHEMA, readBundle, writeBundle } from './platform/bundle.js';
import { replayPlatform, type Deriver } from './platform/replay.js';
import type { Aws } from './platform/aws.js';
import type { Kube } from './platform/kube.js';
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
  if (typeof recorded.direct === 'boolean') options.direct = recorded.direct;
  if (typeof recorded.logs === 'boolean') options.logs = recorded.logs;
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
    kube: LiveKube.create({ kubeconfig: options.kubeconfig, context: options.context }),
    aws: new LiveAws({ region: options.region, profile: options.profile }),
  };
}

export function wantsColour(
  stream: { isTTY?: boolean },
  options: RunOptions,
  env: NodeJS.ProcessEnv,
): boolean {
  return options.color && stream.isTTY === true && env.NO_COLOR === undefined;
}

export interface Platform {
  kube: Kube;
  aws: Aws;
  /** Replays answer derived results from the bundle instead of computing them. */
  derive?: Deriver;
}

/** `platform` replaces live/replay answers: tests pass in-memory worlds here. */
export async function run(options: RunOptions, io: RunIO, platform?: Platform): Promise<RunResult> {
  const calls = new CallLog(
    options.verbose ? (key) => io.stderr.write(`[call] ${redactText(key)}\n`) : undefined,
  );
  platform ??= await platformFor(options);
  const redactor = new Redactor();
  const ctx: Context = {
    options,
    kube: calls.wrap('kube', platform.kube),
    aws: calls.wrap('aws', platform.aws),
    facts: emptyFacts(),
    redactor,
    derive: (method, args, compute) =>
      calls.derive(method, args, platform.derive ? () => platform.derive!(method, args, compute) : compute),
    debug: options.verbose ? (m) => io.stderr.write(`[debug] ${redactor.text(m)}\n`) : () => {},
  };

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

  if (options.allNamespaces) await runAllNamespaces(ctx, sink);
  else await runModules(CHECK_MODULES, ctx, sink);
  for (const f of closingFindings(findings)) sink(f);
  const summary = summarize(findings);

  if (options.output === 'json')
    io.stdout.write(JSON.stringify(jsonReport(options, findings, summary), null, 2) + '\n');
  if (options.output === 'sarif') {
    io.stdout.write(JSON.stringify(sarifReport(findings, CHECK_MODULES, options.values[0]), null, 2) + '\n');
  }
  if (options.junit) await writeFile(options.junit, junitReport(findings, `irsa-check ${options.namespace}`));
  if (options.verbose) {
    io.stderr.write(`[debug] ${calls.count('kube')} Kubernetes calls, ${calls.count('aws')} AWS calls\n`);
  }
  if (options.record) {
    await writeBundle(
      options.record,
      {
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
          direct: options.direct,
          logs: options.logs,
          allNamespaces: options.allNamespaces,
        },
        calls: calls.records,
      },
      redactor,
    );
  }
  return { findings, exitCode: summary.exitCode, calls };
}
