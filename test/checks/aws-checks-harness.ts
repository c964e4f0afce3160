/**
 * Test harness for the AWS-side check modules (aurora, opensearch, roles): runs
 * every module over an in-memory world (test/support/module-run.ts), like
 * `runWorld`, but
 * - lets a test wrap the Aws interface (a fault for one role only);
 * - exposes the call log (memoisation) and the --verbose debug lines;
 * and the planted-fault cases of such a module, through the harness and a full run.
 */
import { describe, expect, it } from 'vitest';
import { CHECK_MODULES } from '../../src/checks/index.js';
import type { ApiCallErrorJson } from '../../src/core/errors.js';
import { runChecks, type ModuleRun, type RunChecksOptions } from '../support/module-run.js';
import { cloneWorld, loadWorld, runWorld, type WorldModel } from '../support/world.js';

export type HarnessOptions = Pick<RunChecksOptions, 'options' | 'aws'>;

export function runModules(world: WorldModel, opts: HarnessOptions = {}): Promise<ModuleRun> {
  return runChecks(world, CHECK_MODULES, { ...opts, redact: true });
}

export const healthy = loadWorld('camunda-8.8-healthy.yaml');

/** The healthy 8.8 world with one fault planted. */
export function plant(change: (w: WorldModel) => void): WorldModel {
  const w = cloneWorld(healthy);
  change(w);
  return w;
}

/** What a world's AWS call throws when the caller may not make it (`w.aws.errors`). */
export function accessDenied(operation: string): ApiCallErrorJson {
  return { api: 'aws', operation, reason: 'AccessDenied', message: 'not authorized', status: 403 };
}

export interface ModuleCase {
  name: string;
  world: WorldModel;
  /** The module's lines. */
  lines: string[];
  /** Asserted when given. */
  exitCode?: number;
  /** Only through the harness: wraps the Aws interface (not expressible in a world). */
  harness?: HarnessOptions;
  /** The fix of the first FAIL of the module, when asserted. */
  fix?: string;
}

/**
 * The module's cases through the harness (with `more` tests in the same block), then
 * the same worlds through the real dispatcher (runWorld), where the upstream modules
 * fill the facts; faults only the harness can plant are left out there.
 */
export function describeModuleCases(module: string, cases: ModuleCase[], more: () => void): void {
  describe(`${module} module (harness)`, () => {
    it.each(cases)('$name', async ({ world, lines, exitCode, harness, fix }) => {
      const run = await runModules(world, harness);
      expect(run.lines(module)).toEqual(lines);
      if (exitCode !== undefined) expect(run.exitCode).toBe(exitCode);
      if (fix !== undefined) expect(run.fails(module)[0]?.fix).toBe(fix);
    });
    more();
  });

  describe(`${module} module, full run`, () => {
    it.each(cases.filter((c) => !c.harness))('$name', async ({ world, lines }) => {
      const run = await runWorld(world);
      expect(run.lines(module)).toEqual(lines);
    });
  });
}

/** Deep string replacement over a world: `arn:aws:` → `arn:aws-cn:` and the like. */
export function rewriteWorld(world: WorldModel, pairs: Array<[RegExp, string]>): WorldModel {
  let text = JSON.stringify(world);
  for (const [re, to] of pairs) text = text.replace(re, to);
  return JSON.parse(text) as WorldModel;
}
