/**
 * The rooms keep their boundaries (docs/ARCHITECTURE.md, "Rooms"): ESLint, through its own
 * API, rejects a fixture breaking each import rule and accepts the fixtures that keep them;
 * and the registry loads every file under src/checks/.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { CHECK_MODULES } from '../src/checks/index.js';
import type { CheckModule } from '../src/engine/module.js';
import { ROOT } from './support/cli.js';

const FIXTURES = `${ROOT}/fixtures/lint`;

/** Lints a fixture as if it stood at the path its first line names (`// lint as: src/…`). */
async function lintFixture(name: string): Promise<{ as: string; errors: string[]; at: string[] }> {
  const code = readFileSync(`${FIXTURES}/${name}`, 'utf8');
  const as = /^\/\/ lint as: (\S+)/.exec(code)?.[1];
  if (!as) throw new Error(`${name} does not say where to lint it (// lint as: src/…)`);
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}/${as}` });
  const errors = result!.messages.filter((m) => m.severity === 2);
  return {
    as,
    errors: errors.map((m) => `${m.ruleId}: ${m.message}`),
    /** The same, each with its `line:column`, in ESLint's order. */
    at: errors.map((m) => `${m.line}:${m.column} ${m.ruleId}: ${m.message}`),
  };
}

describe('import boundaries (ESLint on fixtures)', () => {
  it.each([
    [
      'check-imports-check.ts',
      'no-restricted-imports',
      'A check module never imports another check module: move shared logic to src/iam, src/helm or src/platform.',
    ],
    [
      'check-folder-imports-check.ts',
      'no-restricted-imports',
      'A check module never imports another check module: move shared logic to src/iam, src/helm or src/platform.',
    ],
    [
      'core-imports-platform.ts',
      'no-restricted-imports',
      'core/ imports only ports (src/ports/): adapters, helm, iam and checks sit above it.',
    ],
    [
      'core-imports-helm.ts',
      'no-restricted-imports',
      'core/ imports only ports (src/ports/): adapters, helm, iam and checks sit above it.',
    ],
    [
      'port-imports-core.ts',
      'no-restricted-imports',
      'A port imports nothing above it: only other ports (src/ports/).',
    ],
    [
      'engine-runs-helm.ts',
      '@typescript-eslint/no-restricted-imports',
      'The engine imports only types from helm/, platform/, iam/ and db/.',
    ],
    [
      'engine-imports-checks.ts',
      '@typescript-eslint/no-restricted-imports',
      'The engine never imports the checks, the reports or the run.',
    ],
    [
      'evaluator-awaits.ts',
      'no-restricted-syntax',
      'An evaluator is pure (no I/O, no await): gather in src/collectors/, act in src/proofs/.',
    ],
    [
      'collector-imports-check.ts',
      'no-restricted-imports',
      'A collector gathers: it never imports a check, a proof, a report or the run.',
    ],
    [
      'collector-loads-sdk.ts',
      '@typescript-eslint/no-restricted-imports',
      'A module names AWS SDK types only (import type): the live adapter loads the SDK lazily (src/platform/live-aws-query.ts).',
    ],
    [
      'proof-imports-proof.ts',
      'no-restricted-imports',
      'A proof never imports another proof or a check module: move shared logic to src/platform, src/iam or src/helm.',
    ],
  ])('%s is rejected: %s', async (fixture, rule, message) => {
    const { errors } = await lintFixture(fixture);
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) {
      expect(e).toContain(`${rule}: `);
      expect(e).toContain(message);
    }
  });

  it.each(['allowed.ts', 'allowed-core.ts', 'allowed-check.ts', 'allowed-evaluator.ts'])(
    '%s passes',
    async (fixture) => {
      expect((await lintFixture(fixture)).errors).toEqual([]);
    },
  );

  it('every fixture in fixtures/lint/ is one of the cases above', () => {
    expect(readdirSync(FIXTURES).sort()).toEqual([
      'allowed-check.ts',
      'allowed-core.ts',
      'allowed-evaluator.ts',
      'allowed.ts',
      'check-folder-imports-check.ts',
      'check-imports-check.ts',
      'collector-imports-check.ts',
      'collector-loads-sdk.ts',
      'core-imports-helm.ts',
      'core-imports-platform.ts',
      'engine-imports-checks.ts',
      'engine-runs-helm.ts',
      'evaluator-awaits.ts',
      'evaluator-does-io.ts',
      'evaluator-reads-clock.ts',
      'port-imports-core.ts',
      'proof-imports-proof.ts',
    ]);
  });
});

describe('evaluators read no clock, no randomness, no environment and do no I/O (ESLint on fixtures)', () => {
  const IO = 'An evaluator is pure (no I/O, no await): gather in src/collectors/, act in src/proofs/.';
  const CLOCK =
    'An evaluator reads no clock and no randomness: its collector records the time in the snapshot (e.g. `now` in src/collectors/webhook.ts).';
  const PROCESS =
    'An evaluator reads no process state or environment: its collector (src/collectors/) or the run scope supplies what it judges.';

  it('evaluator-reads-clock.ts: every read of the clock, of randomness and of the process is an error, where it is', async () => {
    expect((await lintFixture('evaluator-reads-clock.ts')).at).toEqual([
      `5:42 no-restricted-properties: 'Date.now' is restricted from being used. ${CLOCK}`,
      `6:5 no-restricted-syntax: ${CLOCK}`, // new Date()
      `7:5 no-restricted-syntax: ${CLOCK}`, // Date()
      `8:12 no-restricted-properties: 'Math.random' is restricted from being used. ${CLOCK}`,
      `9:12 no-restricted-globals: Unexpected use of 'performance'. ${CLOCK}`,
      `9:12 no-restricted-properties: 'performance.now' is restricted from being used. ${CLOCK}`,
      `10:5 no-restricted-globals: Unexpected use of 'process'. ${PROCESS}`,
      `10:5 no-restricted-properties: 'process.env' is restricted from being used. ${PROCESS}`,
      `11:5 no-restricted-properties: 'randomUUID' is restricted from being used. ${CLOCK}`,
    ]);
  });

  it('evaluator-does-io.ts (inside a module folder): files, DNS, HTTPS, timers, processes, fetch, import(), the console', async () => {
    expect((await lintFixture('evaluator-does-io.ts')).at).toEqual([
      `3:1 no-restricted-imports: 'node:fs' import is restricted from being used by a pattern. ${IO}`,
      `4:1 no-restricted-imports: 'dns' import is restricted from being used by a pattern. ${IO}`,
      `5:1 no-restricted-imports: 'node:https' import is restricted from being used by a pattern. ${IO}`,
      `6:1 no-restricted-imports: 'node:timers/promises' import is restricted from being used by a pattern. ${IO}`,
      `7:1 no-restricted-imports: 'node:child_process' import is restricted from being used by a pattern. ${IO}`,
      `8:10 no-restricted-imports: 'randomUUID' import from 'node:crypto' is restricted. ${CLOCK}`,
      `9:1 no-restricted-imports: 'node:process' import is restricted from being used. ${PROCESS}`,
      `14:3 no-restricted-globals: Unexpected use of 'setTimeout'. ${IO}`,
      `15:8 no-restricted-globals: Unexpected use of 'fetch'. ${IO}`,
      `16:8 no-restricted-syntax: ${IO}`, // import('node:net')
      `17:8 no-restricted-globals: Unexpected use of 'globalThis'. ${PROCESS}`,
      "18:3 no-restricted-globals: Unexpected use of 'console'. An evaluator reports through `out` (the Reporter), never the console.",
    ]);
  });

  it('the same fixtures lint clean outside src/checks/: the rules are the evaluators’, not the project’s', async () => {
    for (const name of ['evaluator-reads-clock.ts', 'evaluator-does-io.ts']) {
      const code = readFileSync(`${FIXTURES}/${name}`, 'utf8');
      const [result] = await new ESLint({ cwd: ROOT }).lintText(code, {
        filePath: `${ROOT}/src/collectors/lint-fixture.ts`,
      });
      expect(result!.messages.filter((m) => m.severity === 2).map((m) => m.ruleId)).toEqual([]);
    }
  });
});

const CHECKS = resolve(ROOT, 'src/checks');
/** The rooms of the modules: what the registry must reach. */
const MODULE_ROOMS = ['src/checks', 'src/proofs', 'src/collectors'].map((d) => resolve(ROOT, d));
const inModuleRoom = (file: string) => MODULE_ROOMS.some((d) => file.startsWith(`${d}/`));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The files `file` imports by a relative path (static and dynamic imports), as absolute .ts paths. */
function relativeImports(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  const specs = [...code.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

function isCheckModule(v: unknown): v is CheckModule {
  const m = v as Partial<CheckModule> | undefined;
  return typeof m === 'object' && m !== null && typeof m.run === 'function' && Array.isArray(m.needs);
}

describe('the registry loads every check module', () => {
  it('every file under src/checks/, src/proofs/ and src/collectors/ is reached from src/checks/index.ts', () => {
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file) || !inModuleRoom(file)) return;
      reached.add(file);
      relativeImports(file).forEach(visit);
    };
    visit(`${CHECKS}/index.ts`);
    const unloaded = MODULE_ROOMS.flatMap((d) => (existsSync(d) ? filesUnder(d) : []))
      .filter((f) => !reached.has(f))
      .map((f) => relative(ROOT, f));
    expect(reached.size).toBeGreaterThan(20);
    expect(unloaded).toEqual([]);
  });

  it('every module a file under src/checks/ exports is in CHECK_MODULES', async () => {
    const registered = new Set<unknown>(CHECK_MODULES);
    const missing: string[] = [];
    for (const file of MODULE_ROOMS.flatMap((d) => (existsSync(d) ? filesUnder(d) : []))) {
      const exported = (await import(file)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(exported)) {
        if (isCheckModule(value) && !registered.has(value)) missing.push(`${relative(ROOT, file)}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('a module file the registry does not import is found (the walk above can fail)', () => {
    // The same walk from a registry that leaves the token proof (src/proofs/token.ts) out.
    const TOKEN = resolve(ROOT, 'src/proofs/token.ts');
    const all = relativeImports(`${CHECKS}/index.ts`);
    expect(all).toContain(TOKEN);
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file) || !inModuleRoom(file)) return;
      reached.add(file);
      relativeImports(file).forEach(visit);
    };
    all.filter((f) => f !== TOKEN).forEach(visit);
    expect(reached.size).toBeGreaterThan(20);
    expect(reached.has(TOKEN)).toBe(false);
  });
});

describe('checks judge, proofs act (docs/ARCHITECTURE.md, "Checks and proofs")', () => {
  it('every module under src/checks/ is a collector + pure evaluator, every module under src/proofs/ a proof', async () => {
    const wrong: string[] = [];
    for (const room of ['src/checks', 'src/proofs']) {
      const dir = resolve(ROOT, room);
      if (!existsSync(dir)) continue;
      for (const file of filesUnder(dir)) {
        const rel = relative(ROOT, file);
        for (const [name, value] of Object.entries((await import(file)) as Record<string, unknown>)) {
          if (!isCheckModule(value)) continue;
          const want = room === 'src/checks' ? 'check' : 'proof';
          if (value.kind !== want) wrong.push(`${rel}: ${name} is a ${value.kind}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
