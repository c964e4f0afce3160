/**
 * The rooms keep their boundaries (docs/ARCHITECTURE.md, "Rooms"): ESLint, through its own
 * API, rejects a fixture breaking each import rule and accepts the fixtures that keep them;
 * and the registry loads every file under src/checks/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { CHECK_MODULES } from '../src/checks/index.js';
import type { CheckModule } from '../src/engine/module.js';
import { ROOT } from './support/cli.js';

const FIXTURES = `${ROOT}/fixtures/lint`;

/** Lints a fixture as if it stood at the path its first line names (`// lint as: src/…`). */
async function lintFixture(name: string): Promise<{ as: string; errors: string[] }> {
  const code = readFileSync(`${FIXTURES}/${name}`, 'utf8');
  const as = /^\/\/ lint as: (\S+)/.exec(code)?.[1];
  if (!as) throw new Error(`${name} does not say where to lint it (// lint as: src/…)`);
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}/${as}` });
  return {
    as,
    errors: result!.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`),
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
  ])('%s is rejected: %s', async (fixture, rule, message) => {
    const { errors } = await lintFixture(fixture);
    expect(errors).toEqual([expect.stringContaining(`${rule}: `)]);
    expect(errors[0]).toContain(message);
  });

  it.each(['allowed.ts', 'allowed-core.ts', 'allowed-check.ts'])('%s passes', async (fixture) => {
    expect((await lintFixture(fixture)).errors).toEqual([]);
  });

  it('every fixture in fixtures/lint/ is one of the cases above', () => {
    expect(readdirSync(FIXTURES).sort()).toEqual([
      'allowed-check.ts',
      'allowed-core.ts',
      'allowed.ts',
      'check-folder-imports-check.ts',
      'check-imports-check.ts',
      'core-imports-helm.ts',
      'core-imports-platform.ts',
      'engine-imports-checks.ts',
      'engine-runs-helm.ts',
      'port-imports-core.ts',
    ]);
  });
});

const CHECKS = resolve(ROOT, 'src/checks');

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
  it('every file under src/checks/ is reached from src/checks/index.ts', () => {
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file) || !file.startsWith(`${CHECKS}/`)) return;
      reached.add(file);
      relativeImports(file).forEach(visit);
    };
    visit(`${CHECKS}/index.ts`);
    const unloaded = filesUnder(CHECKS)
      .filter((f) => !reached.has(f))
      .map((f) => relative(ROOT, f));
    expect(reached.size).toBeGreaterThan(20);
    expect(unloaded).toEqual([]);
  });

  it('every module a file under src/checks/ exports is in CHECK_MODULES', async () => {
    const registered = new Set<unknown>(CHECK_MODULES);
    const missing: string[] = [];
    for (const file of filesUnder(CHECKS)) {
      const exported = (await import(file)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(exported)) {
        if (isCheckModule(value) && !registered.has(value)) missing.push(`${relative(ROOT, file)}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('a module file the registry does not import is found (the walk above can fail)', () => {
    // The same walk from a registry that leaves token.ts out.
    const imports = relativeImports(`${CHECKS}/index.ts`).filter((f) => !f.endsWith('/token.ts'));
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file) || !file.startsWith(`${CHECKS}/`)) return;
      reached.add(file);
      relativeImports(file).forEach(visit);
    };
    imports.forEach(visit);
    expect(reached.has(`${CHECKS}/token.ts`)).toBe(false);
  });
});
