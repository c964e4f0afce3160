/**
 * Test harness for the AWS-side check modules (aurora, opensearch, roles): runs
 * the real registry over an in-memory world, like `runWorld`, but
 * - fills the facts that upstream modules (cluster, opensearch-values,
 *   database-values) produce, only WHERE they did not (written while they were
 *   placeholders; now a no-op on the fixture worlds), from the same values;
 * - lets a test wrap the Aws interface (a fault for one role only);
 * - exposes the call log (memoisation) and the --verbose debug lines.
 */
import { CHECK_MODULES } from '../../src/checks/index.js';
import { emptyFacts, type Context } from '../../src/core/context.js';
import { FatalCheckError } from '../../src/core/errors.js';
import type { Finding } from '../../src/core/finding.js';
import type { RunOptions } from '../../src/core/options.js';
import { Redactor } from '../../src/core/redact.js';
import { Reporter } from '../../src/core/reporter.js';
import { issuerHostPath } from '../../src/iam/arn.js';
import type { Aws } from '../../src/platform/aws.js';
import { CallLog } from '../../src/platform/calls.js';
import { summarize } from '../../src/report/format.js';
import { memoryPlatform, testOptions, type WorldModel } from '../support/world.js';

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

export interface HarnessOptions {
  options?: Partial<RunOptions>;
  /** Wraps the world's Aws (before the call log), e.g. to fail one call for one argument. */
  aws?: (aws: Aws) => Aws;
}

/** `jdbc:aws-wrapper:postgresql://host[:port]/db?…` → host and port. */
function jdbcHost(url: string | undefined): { host: string; port: number } | undefined {
  const m = url ? /^jdbc:[a-z:-]*postgresql:\/\/([^/:?]+)(?::(\d+))?/.exec(url) : null;
  return m ? { host: m[1]!, port: m[2] ? Number(m[2]) : 5432 } : undefined;
}

/** The facts an upstream module would have set after `moduleId`, when it did not. */
function fillUpstream(ctx: Context, moduleId: string, world: WorldModel): void {
  const f = ctx.facts;
  if (moduleId === 'cluster') {
    const c = world.aws.clusters?.[0];
    f.region ??= c?.region;
    f.issuer ??= c?.issuer;
    if (!f.oidcProviderArn && f.issuer) {
      const hostPath = issuerHostPath(f.issuer);
      f.oidcProviderArn = world.aws.oidcProviders?.find((p) => p.url === hostPath)?.arn;
    }
  }
  const v = f.values;
  if (!v) return;
  if (moduleId === 'opensearch-values' && !f.openSearch && (f.osList ?? []).length > 0) {
    const host = v.string('global.opensearch.url.host') ?? v.string('optimize.database.opensearch.url.host');
    if (host) f.openSearch = { host, port: Number(v.get('global.opensearch.url.port') ?? 443) };
  }
  if (moduleId === 'database-values') {
    for (const c of f.plan ?? []) {
      if (!c.pg || f.databases.has(c.key)) continue;
      const num = (p: string) => Number(v.get(p) ?? 5432);
      if (c.key === 'identityKeycloak') {
        const host = v.string('identityKeycloak.externalDatabase.host');
        const dbUser = v.string('identityKeycloak.externalDatabase.user');
        if (host)
          f.databases.set(c.key, { host, port: num('identityKeycloak.externalDatabase.port'), dbUser });
      } else if (c.key === 'identity') {
        const host = v.string('identity.externalDatabase.host');
        const dbUser = v.string('identity.externalDatabase.username');
        if (host) f.databases.set(c.key, { host, port: num('identity.externalDatabase.port'), dbUser });
      } else if (c.key === 'webModeler') {
        const at = jdbcHost(v.string('webModeler.restapi.externalDatabase.url'));
        const dbUser =
          v.string('webModeler.restapi.externalDatabase.user') ??
          v.string('webModeler.restapi.externalDatabase.username');
        if (at) f.databases.set(c.key, { ...at, dbUser });
      }
    }
  }
}

export async function runModules(world: WorldModel, opts: HarnessOptions = {}): Promise<ModuleRun> {
  const options = testOptions({ namespace: world.namespace, ...opts.options });
  const platform = memoryPlatform(world);
  const calls = new CallLog();
  const debug: string[] = [];
  const ctx: Context = {
    options,
    kube: calls.wrap('kube', platform.kube),
    aws: calls.wrap('aws', opts.aws ? opts.aws(platform.aws) : platform.aws),
    facts: emptyFacts(),
    derive: (method, args, compute) => calls.derive(method, args, compute),
    redactor: new Redactor(),
    debug: (m) => debug.push(m),
  };
  const findings: Finding[] = [];
  const sink = (f: Finding) => findings.push({ ...f, message: ctx.redactor.text(f.message) });
  for (const module of CHECK_MODULES) {
    const out = new Reporter(module.id, sink, new Map(module.codes.map((c) => [c.code, c])));
    try {
      await module.run(ctx, out);
    } catch (e) {
      if (e instanceof FatalCheckError) {
        out.fail(e.code, e.message, { fix: e.fix });
        break;
      }
      out.unexpected(e);
    }
    fillUpstream(ctx, module.id, world);
  }
  const pick = (module?: string) => findings.filter((f) => !module || f.module === module);
  return {
    findings,
    exitCode: summarize(findings).exitCode,
    calls,
    ctx,
    debug,
    lines: (module) =>
      pick(module).map((f) => `[${f.level}] ${f.component ? `${f.component}: ` : ''}${f.message}`),
    fails: (module) => pick(module).filter((f) => f.level === 'FAIL'),
  };
}

/** Deep string replacement over a world: `arn:aws:` → `arn:aws-cn:` and the like. */
export function rewriteWorld(world: WorldModel, pairs: Array<[RegExp, string]>): WorldModel {
  let text = JSON.stringify(world);
  for (const [re, to] of pairs) text = text.replace(re, to);
  return JSON.parse(text) as WorldModel;
}
