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
  type RunOptions,
} from './core/options.js';
import { VERSION } from './version.js';

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

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function buildProgram(): Command {
  return new Command('irsa-check')
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
    .option('--context <name>', 'kubeconfig context to use')
    .option('--release <name>', 'Helm release to check when the namespace holds several')
    .option('-A, --all-namespaces', 'check every Camunda release in the cluster')
    .option('--region <region>', 'AWS region (default: AWS_REGION, kubeconfig, API server URL)')
    .option(
      '--cluster-name <name>',
      'EKS cluster name (default: discovered from the kubeconfig and endpoint)',
    )
    .option('--profile <name>', 'AWS profile (default: AWS_PROFILE)')
    .addOption(
      new Option('--output <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'),
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
    .option('--chart-version <version>', 'chart version of the values given with --values')
    .option('--chart <dir|tgz>', 'local chart (directory or .tgz) supplying the chart defaults for --values')
    .option(
      '--job-image <image>',
      'image of the verification Jobs (must contain the AWS CLI and bash)',
      DEFAULT_JOB_IMAGE,
    )
    .option(
      '--job-timeout <seconds>',
      'how long a verification Job may take',
      positiveInt('--job-timeout'),
      DEFAULT_JOB_TIMEOUT_SECONDS,
    )
    .option('--no-color', 'no colours (also: NO_COLOR)')
    .option('--verbose', 'print every Kubernetes and AWS call made, and their count')
    .showHelpAfterError('(run irsa-check --help for usage)')
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
    profile: (opts.profile as string | undefined) ?? env.AWS_PROFILE,
    output: opts.output as RunOptions['output'],
    color: opts.color !== false,
    verbose: opts.verbose === true,
    record: opts.record as string | undefined,
    replay: opts.replay as string | undefined,
    junit: opts.junit as string | undefined,
    values: (opts.values as string[] | undefined) ?? [],
    chartVersion: opts.chartVersion as string | undefined,
    chart: opts.chart as string | undefined,
    jobImage: opts.jobImage as string,
    jobTimeoutSeconds: opts.jobTimeout as number,
    allNamespaces,
  };
}

/** Runs the CLI; returns the exit code. Never throws: every error becomes one line on stderr. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const program = buildProgram();
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    if (e instanceof UsageError) return usageFailure(e);
    throw e;
  }
  try {
    const options = toRunOptions(program.opts(), env);
    const { run } = await import('./run.js');
    const result = await run(options, { stdout: process.stdout, stderr: process.stderr, env });
    return result.exitCode;
  } catch (e) {
    if (e instanceof UsageError) return usageFailure(e);
    if (e instanceof FatalCheckError) {
      process.stderr.write(`[FAIL] ${e.message}\n`);
      return e.code;
    }
    process.stderr.write(
      `irsa-check: internal error: ${errorMessage(e)} (run with --verbose and report it)\n`,
    );
    if (env.IRSA_CHECK_DEBUG) process.stderr.write(`${(e as Error)?.stack}\n`);
    return 99;
  }
}

function usageFailure(e: UsageError): number {
  process.stderr.write(`irsa-check: ${e.message}\n`);
  if (e.exitCode === 1) process.stderr.write('(run irsa-check --help for usage)\n');
  return e.exitCode;
}
