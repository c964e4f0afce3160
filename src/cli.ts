/**
 * Command line → RunOptions. Kept light: commander only. Everything heavy
 * (client-node, the AWS SDK, the checks) is imported after parsing, so
 * `irsa-check --help` starts in well under 200 ms.
 */
import { Command, CommanderError, Option } from 'commander';
import { UsageError, FatalCheckError, errorMessage } from './core/errors.js';
import {
  DEFAULT_JOB_IMAGE,
  DEFAULT_JOB_TIMEOUT_SECONDS,
  DEFAULT_PG,
  DEFAULT_PSQL_IMAGE,
  DEFAULT_REQUEST_TIMEOUT_SECONDS,
  DEFAULT_TIMEOUT_SECONDS,
  type RunOptions,
} from './core/options.js';
import { VERSION } from './version.js';
import { readCaFile } from './db/rds-trust.js';
import {
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_INPUT_MB,
  limitsFrom,
  MAX_DEPTH_CEILING,
  MAX_INPUT_MB_CEILING,
} from './core/limits.js';
import { parseRoleArn } from './iam/arn.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `a,b , c` → ['a','b','c']; `""` → [] (an empty list, never "match everything"). */
export function parseList(raw: string | undefined, flag: string): string[] | undefined {
  if (raw === undefined) return undefined;
  if (raw.trim() === '') return [];
  const items = raw.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`${flag} has an empty component name in "${raw}"`);
  return items;
}

export function validateNamespace(ns: string | undefined): string {
  if (ns === undefined || ns === '') {
    throw new UsageError('a namespace is required: -n <namespace> (or the NAMESPACE environment variable)');
  }
  if (ns.length > 63 || !DNS1123_LABEL.test(ns)) {
    throw new UsageError(
      `invalid namespace "${ns}": a namespace is a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)`,
    );
  }
  return ns;
}

function positiveInt(flag: string) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0)
      throw new UsageError(`${flag} takes a whole number of seconds, got "${raw}"`);
    return n;
  };
}

/** A whole number from 1 to `ceiling`, for a limit flag. */
function limitInt(flag: string, unit: string, ceiling: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0 || n > ceiling)
      throw new UsageError(`${flag} takes a whole number of ${unit} from 1 to ${ceiling}, got "${raw}"`);
    return n;
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `name` is how the user invoked it: `irsa-check`, or `kubectl irsa-check` for the kubectl plugin. */
export function buildProgram(name = 'irsa-check'): Command {
  return new Command(name)
    .description(
      'Checks the IAM Roles for Service Accounts (IRSA) setup of a Camunda 8 Helm deployment on AWS EKS.',
    )
    .version(VERSION, '-V, --version')
    .helpOption('-h, --help', 'show this help')
    .option('-n, --namespace <ns>', 'namespace of the Camunda release (env NAMESPACE)')
    .option('-e, --exclude <list>', 'components to skip, comma-separated (env EXCLUDE_COMPONENTS)')
    .option(
      '-p, --pg <list>',
      `components checked for Aurora PostgreSQL IRSA (default "${DEFAULT_PG.join(',')}")`,
    )
    .option(
      '-l, --os <list>',
      'components checked for OpenSearch IRSA (default "orchestration,optimize" on chart >= 13, "zeebe,operate,tasklist,optimize" before)',
    )
    .option('-s, --no-spawn', 'spawn no verification Jobs (no connectivity or in-pod identity checks)')
    .option('--no-token', 'skip the pod-less trust-chain proof (TokenRequest + AssumeRoleWithWebIdentity)')
    .option(
      '--direct',
      'prove the Aurora login and the OpenSearch role mapping from this machine (needs network access to them)',
    )
    .option('--no-logs', "do not scan the component pods' recent logs for IRSA errors")
    .option(
      '--kubeconfig <file>',
      'kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then in-cluster)',
    )
    .option(
      '--context <name>',
      'kubeconfig context to use; several, comma-separated, are checked concurrently (one section each)',
    )
    .option(
      '--all-contexts',
      "check every context of the kubeconfig (each with -n, else the context's namespace)",
    )
    .option('--release <name>', 'Helm release to check when the namespace holds several')
    .option('-A, --all-namespaces', 'check every Camunda release in the cluster')
    .option('--region <region>', 'AWS region (default: AWS_REGION, kubeconfig, API server URL)')
    .option(
      '--cluster-name <name>',
      'EKS cluster name (default: discovered from the kubeconfig and endpoint)',
    )
    .option('--profile <name>', 'AWS profile (default: AWS_PROFILE)')
    .option(
      '--assume-role <account=arn>',
      'read resources of another AWS account (cross-account role, Aurora, OpenSearch) as this role (repeatable)',
      collect,
      [],
    )
    .option(
      '--profile-for <account=profile>',
      'read resources of another AWS account with this AWS profile (repeatable)',
      collect,
      [],
    )
    .addOption(
      new Option('--platform <platform>', 'force the platform instead of detecting it').choices([
        'eks',
        'self-managed',
      ]),
    )
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['text', 'json', 'sarif', 'markdown'])
        .default('text'),
    )
    .addOption(
      new Option('--fail-on <level>', 'lowest level that makes the exit code non-zero')
        .choices(['fail', 'warn', 'never'])
        .default('fail'),
    )
    .option(
      '--summary [file]',
      'also append a Markdown report to FILE (default: $GITHUB_STEP_SUMMARY, the GitHub Actions job summary)',
    )
    .option('--junit <file>', 'also write a JUnit XML report')
    .option(
      '--record <file>',
      'write a support bundle of every answer used (secrets redacted; .gz to compress)',
    )
    .option('--replay <file>', 'run every check offline from a recorded bundle')
    .option(
      '--values <file>',
      'values file for a release-less install (repeatable, merged in order)',
      collect,
      [],
    )
    .option(
      '--chart-version <version>',
      'chart version (or Camunda version 8.6–8.10) of the values given with --values',
    )
    .option('--chart <dir|tgz>', 'local chart (directory or .tgz) supplying the chart defaults for --values')
    .option(
      '--job-image <image>',
      'image of the verification Jobs (must contain the AWS CLI and bash)',
      DEFAULT_JOB_IMAGE,
    )
    .option(
      '--psql-image <image>',
      'image of the Aurora login Job (must contain sh and psql; e.g. a mirror of the default)',
      DEFAULT_PSQL_IMAGE,
    )
    .option(
      '--db-ca <file>',
      "PEM file of the CAs an Aurora endpoint's certificate must chain to (default: the Amazon RDS CAs and Amazon's root CAs)",
    )
    .option(
      '--job-timeout <seconds>',
      'how long a verification Job may take',
      positiveInt('--job-timeout'),
      DEFAULT_JOB_TIMEOUT_SECONDS,
    )
    .option('--skip <ids>', 'checks (IDs from --list-checks) or whole modules to turn off, comma-separated')
    .option(
      '--list-checks',
      'list every check: ID, module, severity, exit code, title (text or --output json)',
    )
    .option('--explain <check-id>', 'explain one check: what fails, why, the fix, what it reads, its doc')
    .option(
      '--timeout <seconds>',
      'overall deadline of the run; verification Jobs add --job-timeout',
      positiveInt('--timeout'),
      DEFAULT_TIMEOUT_SECONDS,
    )
    .option(
      '--request-timeout <seconds>',
      'deadline of one Kubernetes or AWS request',
      positiveInt('--request-timeout'),
      DEFAULT_REQUEST_TIMEOUT_SECONDS,
    )
    .option(
      '--max-input-mb <mb>',
      'largest Helm release or bundle read, decompressed, in MB (YAML text: an eighth of it)',
      limitInt('--max-input-mb', 'MB', MAX_INPUT_MB_CEILING),
      DEFAULT_MAX_INPUT_MB,
    )
    .option(
      '--max-depth <levels>',
      'deepest nesting read in a Helm release, bundle or YAML document',
      limitInt('--max-depth', 'levels', MAX_DEPTH_CEILING),
      DEFAULT_MAX_DEPTH,
    )
    .option('--no-color', 'no colours (also: NO_COLOR)')
    .option('--verbose', 'print every Kubernetes and AWS call made, and their count')
    .showHelpAfterError(`(run ${name} --help for usage)`)
    .exitOverride();
}

export function toRunOptions(opts: Record<string, unknown>, env: NodeJS.ProcessEnv): RunOptions {
  const allNamespaces = opts.allNamespaces === true;
  const given = (opts.namespace as string | undefined) ?? env.NAMESPACE;
  // -A needs none; a replay defaults to the namespace the bundle was recorded for.
  const namespace =
    allNamespaces || (opts.replay && given === undefined) ? (given ?? '') : validateNamespace(given);
  const pg = parseList(opts.pg as string | undefined, '--pg');
  const os = parseList(opts.os as string | undefined, '--os');
  if (pg !== undefined && pg.length === 0 && os !== undefined && os.length === 0) {
    throw new UsageError('nothing to check: both --pg and --os are empty');
  }
  if (opts.replay && opts.record) throw new UsageError('--replay and --record cannot be combined');
  const summary = opts.summary === true ? env.GITHUB_STEP_SUMMARY : (opts.summary as string | undefined);
  if (opts.summary !== undefined && !summary) {
    throw new UsageError(
      '--summary needs a file: --summary FILE, or GITHUB_STEP_SUMMARY set (GitHub Actions sets it)',
    );
  }
  return {
    namespace,
    exclude: parseList((opts.exclude as string | undefined) ?? env.EXCLUDE_COMPONENTS, '--exclude') ?? [],
    pg,
    os,
    spawn: opts.spawn !== false,
    token: opts.token !== false,
    direct: opts.direct === true,
    logs: opts.logs !== false,
    kubeconfig: opts.kubeconfig as string | undefined,
    context: opts.context as string | undefined,
    release: opts.release as string | undefined,
    region: (opts.region as string | undefined) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    clusterName: opts.clusterName as string | undefined,
    ...(opts.platform ? { platform: opts.platform as RunOptions['platform'] } : {}),
    profile: (opts.profile as string | undefined) ?? env.AWS_PROFILE,
    ...accountAccessOf(opts.assumeRole as string[] | undefined, opts.profileFor as string[] | undefined),
    output: opts.output as RunOptions['output'],
    failOn: (opts.failOn as RunOptions['failOn'] | undefined) ?? 'fail',
    ...(opts.namespaceFrom ? { namespaceFrom: opts.namespaceFrom as string } : {}),
    color: opts.color !== false,
    verbose: opts.verbose === true,
    record: opts.record as string | undefined,
    replay: opts.replay as string | undefined,
    junit: opts.junit as string | undefined,
    ...(summary ? { summary } : {}),
    values: (opts.values as string[] | undefined) ?? [],
    chartVersion: opts.chartVersion as string | undefined,
    chart: opts.chart as string | undefined,
    jobImage: opts.jobImage as string,
    psqlImage: opts.psqlImage as string,
    ...(opts.dbCa ? { dbCa: readCaFile(opts.dbCa as string) } : {}),
    jobTimeoutSeconds: opts.jobTimeout as number,
    allNamespaces,
    skip: parseList(opts.skip as string | undefined, '--skip') ?? [],
    timeoutSeconds: opts.timeout as number,
    requestTimeoutMs: requestTimeoutMs(opts.requestTimeout as number, env),
    limits: limitsFrom(opts.maxInputMb as number, opts.maxDepth as number),
  };
}

/** `--assume-role 210987654321=arn:aws:iam::210987654321:role/reader`, repeatable: account → role. */
export function assumeRolesOf(raw: string[] | undefined): { assumeRoles?: Record<string, string> } {
  if (!raw || raw.length === 0) return {};
  const roles: Record<string, string> = {};
  for (const item of raw) {
    const eq = item.indexOf('=');
    const account = eq < 0 ? '' : item.slice(0, eq).trim();
    const arn = eq < 0 ? '' : item.slice(eq + 1).trim();
    const role = parseRoleArn(arn);
    if (!/^\d{12}$/.test(account) || !role) {
      throw new UsageError(
        `--assume-role takes ACCOUNT=ROLE_ARN (a 12-digit account and the ARN of a role to read it with), got "${item}"`,
      );
    }
    if (role.account !== account) {
      throw new UsageError(
        `--assume-role ${item}: the role is in account ${role.account}, not ${account}; name a role of account ${account}`,
      );
    }
    if (roles[account] !== undefined && roles[account] !== arn) {
      throw new UsageError(
        `--assume-role names two roles for account ${account}: ${roles[account]} and ${arn}`,
      );
    }
    roles[account] = arn;
  }
  return { assumeRoles: roles };
}

/** `--profile-for 210987654321=prod-reader`, repeatable: account → AWS profile. */
export function profilesOf(raw: string[] | undefined): { profiles?: Record<string, string> } {
  if (!raw || raw.length === 0) return {};
  const profiles: Record<string, string> = {};
  for (const item of raw) {
    const eq = item.indexOf('=');
    const account = eq < 0 ? '' : item.slice(0, eq).trim();
    const profile = eq < 0 ? '' : item.slice(eq + 1).trim();
    if (!/^\d{12}$/.test(account) || !profile) {
      throw new UsageError(
        `--profile-for takes ACCOUNT=PROFILE (a 12-digit account and an AWS profile name that reads it), got "${item}"`,
      );
    }
    if (profiles[account] !== undefined && profiles[account] !== profile) {
      throw new UsageError(
        `--profile-for names two profiles for account ${account}: ${profiles[account]} and ${profile}`,
      );
    }
    profiles[account] = profile;
  }
  return { profiles };
}

/** --assume-role and --profile-for together: one way to read each account. */
export function accountAccessOf(
  roles: string[] | undefined,
  profiles: string[] | undefined,
): { assumeRoles?: Record<string, string>; profiles?: Record<string, string> } {
  const r = assumeRolesOf(roles);
  const p = profilesOf(profiles);
  for (const account of Object.keys(p.profiles ?? {})) {
    if (r.assumeRoles?.[account] !== undefined)
      throw new UsageError(
        `account ${account} has both --assume-role ${r.assumeRoles[account]} and --profile-for ${p.profiles![account]}: give one`,
      );
  }
  return { ...r, ...p };
}

/** `--request-timeout`, or IRSA_CHECK_REQUEST_TIMEOUT_MS (milliseconds, for tests and slow links). */
function requestTimeoutMs(seconds: number, env: NodeJS.ProcessEnv): number {
  const raw = env.IRSA_CHECK_REQUEST_TIMEOUT_MS;
  if (raw === undefined || raw === '') return seconds * 1000;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new UsageError(`IRSA_CHECK_REQUEST_TIMEOUT_MS takes a whole number of milliseconds, got "${raw}"`);
  }
  return ms;
}

/** Runs the CLI; returns the exit code. Never throws: every error becomes a FAIL in the chosen output. */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  name = 'irsa-check',
): Promise<number> {
  quietOnClosedStreams();
  argv = kubectlStyleArgs(argv);
  const program = buildProgram(name);
  const usageHint = `Run ${name} --help for usage.`;
  // Commander's own error lines become one FAIL (and a JSON document with --output json).
  program.configureOutput({ writeErr: () => {}, outputError: () => {} });
  const io = { stdout: process.stdout, stderr: process.stderr };
  const fail = async (code: number, message: string, fix?: string, check?: string): Promise<number> => {
    const { writeFatal, outputFormatOf } = await import('./report/fatal.js');
    return writeFatal(code, message, fix, outputFormatOf(argv), io, check);
  };
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0;
      // Commander puts its "(Did you mean --namespace?)" on a line of its own: one FAIL line.
      return fail(1, e.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '), usageHint);
    }
    if (e instanceof UsageError) return usageFailure(e, fail, usageHint);
    return fail(99, `internal error: ${errorMessage(e)}`, REPORT_BUG);
  }
  try {
    if (program.opts().listChecks) {
      const { listChecks } = await import('./report/list-checks.js');
      process.stdout.write(listChecks(program.opts().output as string));
      return 0;
    }
    if (program.opts().explain !== undefined) {
      const { explainCheck } = await import('./report/explain.js');
      process.stdout.write(explainCheck(program.opts().explain as string, program.opts().output as string));
      return 0;
    }
    const opts = program.opts();
    // Several clusters (src/fleet.ts): one ordinary run per context, the outputs in context order.
    if (opts.allContexts === true || String(opts.context ?? '').includes(',')) {
      const { runFleet } = await import('./fleet.js');
      return await runFleet(opts, env, io, (o) => toRunOptions(o, env));
    }
    if (needsContextNamespace(opts, env)) {
      const { contextNamespace } = await import('./platform/context-namespace.js');
      const found = await contextNamespace(
        opts.kubeconfig as string | undefined,
        opts.context as string | undefined,
      );
      if (found) Object.assign(opts, { namespace: found.namespace, namespaceFrom: found.context });
    }
    const options = toRunOptions(opts, env);
    const { run } = await import('./run.js');
    const result = await run(options, { stdout: process.stdout, stderr: process.stderr, env });
    return result.exitCode;
  } catch (e) {
    if (e instanceof UsageError) return usageFailure(e, fail, usageHint);
    if (e instanceof FatalCheckError) return fail(e.code, e.message, e.fix, e.check);
    if (env.IRSA_CHECK_DEBUG) process.stderr.write(`${(e as Error)?.stack}\n`);
    return fail(99, `internal error in irsa-check: ${errorMessage(e)}`, REPORT_BUG);
  }
}

/**
 * Single-letter options that take a value, written pflag's way: `-n=x` → `-n x` (kubectl and
 * every Go CLI accept both; commander would read "=x" as the value).
 */
const SHORT_WITH_VALUE = /^-([neplo])=(.*)$/s;

/** kubectl-style arguments → arguments commander reads the same way (everything after `--` verbatim). */
export function kubectlStyleArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const short = SHORT_WITH_VALUE.exec(arg);
    if (short) out.push(`-${short[1]}`, short[2]!);
    else out.push(arg);
  }
  return out;
}

/**
 * Without -n (and NAMESPACE), the namespace of the kubeconfig's context is used, as kubectl does;
 * never "default" silently (there is no Camunda there to check). -A, a replay and a values-only
 * run without a cluster need none.
 */
function needsContextNamespace(opts: Record<string, unknown>, env: NodeJS.ProcessEnv): boolean {
  return (
    opts.namespace === undefined &&
    (env.NAMESPACE === undefined || env.NAMESPACE === '') &&
    opts.allNamespaces !== true &&
    opts.replay === undefined
  );
}

/**
 * A reader that goes away (`| head -1`) or a full disk (`> /dev/full`) makes the next write
 * fail with EPIPE/ENOSPC, emitted as an 'error' event that would crash with a stack trace.
 * Such output is lost anyway: swallow it, so the run still finishes (and deletes its Jobs).
 */
function quietOnClosedStreams(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') === 0) stream.on('error', () => {});
  }
}

const REPORT_BUG = 'This is a bug in irsa-check: run again with --verbose and report it.';

function usageFailure(
  e: UsageError,
  fail: (code: number, message: string, fix?: string) => Promise<number>,
  usageHint: string,
): Promise<number> {
  return fail(e.exitCode, e.message, e.fix ?? (e.exitCode === 1 ? usageHint : undefined));
}
