/**
 * Runs check modules over an in-memory world with the Context and dispatch a run
 * gives them (src/run.ts, src/run-modules.ts), but without the report, so that a
 * test can set facts between modules, wrap the Aws interface and read the call log.
 * - `runChecks`: any list of modules, with a hook after each (the AWS-side harness
 *   runs them all and fills what upstream modules did not);
 * - `runModule`: one module after the real release, plan and service-accounts
 *   modules, with facts pre-filled over theirs (the jobs and token tests).
 */
import { plan } from '../../src/checks/plan.js';
import { release } from '../../src/checks/release.js';
import { serviceAccounts } from '../../src/checks/service-accounts.js';
import { emptyFacts, type Context, type Facts } from '../../src/core/context.js';
import type { Finding } from '../../src/core/finding.js';
import type { CheckModule } from '../../src/core/module.js';
import type { RunOptions } from '../../src/core/options.js';
import { Redactor } from '../../src/core/redact.js';
import type { Aws } from '../../src/platform/aws.js';
import { CallLog } from '../../src/platform/calls.js';
import type { Kube } from '../../src/platform/kube.js';
import { findingLine, summarize } from '../../src/report/format.js';
import { runModules } from '../../src/run-modules.js';
import { memoryPlatform, testOptions, type WorldModel } from './world.js';

export interface ModuleRun {
  findings: Finding[];
  exitCode: number;
  calls: CallLog;
  ctx: Context;
  debug: string[];
  /** `[LEVEL] component: message`, like WorldRun.lines. */
  lines(module?: string): string[];
  fails(module?: string): Finding[];
}

export interface RunChecksOptions {
  options?: Partial<RunOptions>;
  /** Wraps the world's Aws (before the call log), e.g. to fail one call for one argument. */
  aws?: (aws: Aws) => Aws;
  /** Wraps the world's Kube (before the call log), e.g. to delay one Job. */
  kube?: (kube: Kube) => Kube;
  /** Facts set before the first module, as a module before those would have found them. */
  facts?: Partial<Facts>;
  /** Called after each module that did not stop the run, e.g. to set facts it would have set. */
  after?: (ctx: Context, module: CheckModule) => void;
  /** Redact finding messages as a run prints them. Default: the messages as the modules wrote them. */
  redact?: boolean;
}

/** Runs `modules` in order over `world`; a fatal precondition stops the rest, as in a run. */
export async function runChecks(
  world: WorldModel,
  modules: readonly CheckModule[],
  opts: RunChecksOptions = {},
): Promise<ModuleRun> {
  const options = testOptions({ namespace: world.namespace, ...opts.options });
  const platform = memoryPlatform(world);
  const calls = new CallLog();
  const debug: string[] = [];
  const ctx: Context = {
    options,
    kube: calls.wrap('kube', opts.kube ? opts.kube(platform.kube) : platform.kube),
    aws: calls.wrap('aws', opts.aws ? opts.aws(platform.aws) : platform.aws),
    facts: Object.assign(emptyFacts(), opts.facts),
    redactor: new Redactor(),
    derive: (method, args, compute) =>
      calls.derive(method, args, () => platform.derive(method, args, compute)),
    debug: (m) => debug.push(m),
  };
  const findings: Finding[] = [];
  const sink = (f: Finding) =>
    findings.push(opts.redact ? { ...f, message: ctx.redactor.text(f.message) } : f);
  for (const module of modules) {
    if (!(await runModules([module], ctx, sink))) break;
    opts.after?.(ctx, module);
  }
  const pick = (module?: string) => findings.filter((f) => !module || f.module === module);
  return {
    findings,
    exitCode: summarize(findings).exitCode,
    calls,
    ctx,
    debug,
    lines: (module) => pick(module).map(findingLine),
    fails: (module) => pick(module).filter((f) => f.level === 'FAIL'),
  };
}

type Manifest = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface SingleModuleRun {
  /** The findings of the module under test only. */
  findings: Finding[];
  lines: string[];
  calls: CallLog;
  /** The manifests of the Jobs it ran (Kube.runJob). */
  manifests: Manifest[];
}

/**
 * The real release, plan and service-accounts modules fill the facts, `facts` is
 * set over theirs, then `module` runs; switched on (`spawn` and `token` true) unless
 * `overrides` say otherwise. `wrap` wraps the world's Kube and Aws.
 */
export async function runModule(
  world: WorldModel,
  module: CheckModule,
  overrides: Partial<RunOptions> = {},
  facts: Partial<Facts> = {},
  wrap: Pick<RunChecksOptions, 'kube' | 'aws'> = {},
): Promise<SingleModuleRun> {
  const r = await runChecks(world, [release, plan, serviceAccounts, module], {
    ...wrap,
    options: { spawn: true, token: true, ...overrides },
    after: (ctx, m) => {
      if (m === serviceAccounts) Object.assign(ctx.facts, facts);
    },
  });
  return {
    findings: r.findings.filter((f) => f.module === module.id),
    lines: r.lines(module.id),
    calls: r.calls,
    manifests: r.calls.records.filter((c) => c.method === 'runJob').map((c) => c.args[1] as Manifest),
  };
}
