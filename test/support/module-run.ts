/**
 * Runs check modules over an in-memory world with the context and dispatcher a run
 * gives them (createContext, src/engine/dispatch.ts), but without the report, so that a
 * test can set facts between modules, wrap the Aws interface and read the call log.
 * - `runChecks`: any list of modules, with a hook after each (the AWS-side harness
 *   runs them all and fills what upstream modules did not);
 * - `runModule`: one module after the real release, plan and service-accounts
 *   modules, with facts pre-filled over theirs (the jobs and token tests).
 */
import { plan } from '../../src/checks/plan.js';
import { release } from '../../src/checks/release.js';
import { serviceAccounts } from '../../src/checks/service-accounts.js';
import { createContext, type RunContext } from '../../src/core/context.js';
import type { Facts } from '../../src/engine/facts.js';
import type { Finding } from '../../src/core/finding.js';
import type { CheckModule } from '../../src/engine/module.js';
import type { RunOptions } from '../../src/core/options.js';
import type { Aws } from '../../src/ports/aws.js';
import type { CallLog } from '../../src/core/calls.js';
import type { Kube } from '../../src/ports/kube.js';
import { findingLine, summarize } from '../../src/report/format.js';
import { dispatch } from '../../src/engine/dispatch.js';
import { memoryPlatform, testOptions, type WorldModel } from './world.js';

export interface ModuleRun {
  findings: Finding[];
  exitCode: number;
  calls: CallLog;
  /** The run's context, and the facts as the modules left them. */
  ctx: RunContext & { facts: Partial<Facts> };
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
  after?: (ctx: RunContext & { facts: Partial<Facts> }, module: CheckModule) => void;
  /** Redact finding messages as a run prints them. Default: the messages as the modules wrote them. */
  redact?: boolean;
  /** One module after another instead of the dataflow (the reference it must equal). */
  sequential?: boolean;
}

/** Runs `modules` in order over `world`; a fatal precondition stops the rest, as in a run. */
export async function runChecks(
  world: WorldModel,
  modules: readonly CheckModule[],
  opts: RunChecksOptions = {},
): Promise<ModuleRun> {
  const options = testOptions({ namespace: world.namespace, ...opts.options });
  const platform = memoryPlatform(world);
  const debug: string[] = [];
  const facts: Partial<Facts> = { ...opts.facts };
  // Without preflight in the list, the world's identity stands for it (the writing modules need it).
  if (!modules.some((m) => m.provides.includes('caller')) && facts.caller === undefined) {
    const caller = await platform.aws.callerIdentity().catch(() => undefined);
    if (caller) {
      facts.caller = caller;
      facts.partition ??= caller.arn.split(':')[1] ?? 'aws';
    }
  }
  const ctx = Object.assign(
    createContext(
      options,
      {
        kube: opts.kube ? opts.kube(platform.kube) : platform.kube,
        aws: opts.aws ? opts.aws(platform.aws) : platform.aws,
        awsIn: (account) => (options.assumeRoles?.[account] ? platform.awsIn(account) : undefined),
        derive: platform.derive,
      },
      { debug: (m) => debug.push(m) },
    ),
    { facts },
  );
  const findings: Finding[] = [];
  const sink = (f: Finding) =>
    findings.push(opts.redact ? { ...f, message: ctx.redactor.text(f.message) } : f);
  const skip = new Set(options.skip);
  if (opts.after) {
    // One module at a time, so the hook can fill facts between them.
    for (const module of modules) {
      if (!(await dispatch([module], ctx, sink, { facts, skip }))) break;
      opts.after(ctx, module);
    }
  } else {
    await dispatch(modules, ctx, sink, { facts, skip, sequential: opts.sequential ?? false });
  }
  const calls = ctx.calls;
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
