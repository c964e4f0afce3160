/**
 * The demo bundle is recorded from the demo world through the real recorder.
 * This test proves it is current: replaying it gives exactly the findings of a
 * live run over the world. `UPDATE_FIXTURES=1 npx vitest run test/demo.test.ts`
 * re-records it after a change to the checks.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_ARGS, DEMO_BUNDLE, demoWorld } from './support/demo-world.js';
import { runWorld, testOptions } from './support/world.js';
import { run } from '../src/run.js';
import { buildProgram, toRunOptions } from '../src/cli.js';
import { Writable } from 'node:stream';
import { cleanEnv, runCli, ROOT } from './support/cli.js';

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

function demoOptions() {
  const program = buildProgram();
  program.parse(DEMO_ARGS, { from: 'user' });
  return toRunOptions(program.opts(), {});
}

describe('npm run demo', () => {
  it('the recorded bundle is current: replay = a run over the demo world', async () => {
    const options = { ...demoOptions(), spawn: true, token: true };
    const live = await runWorld(await demoWorld(), {
      ...options,
      ...(process.env.UPDATE_FIXTURES ? { record: DEMO_BUNDLE } : {}),
    });
    expect(existsSync(`${ROOT}/${DEMO_BUNDLE}`)).toBe(true);
    const replayed = await run(testOptions({ ...options, replay: `${ROOT}/${DEMO_BUNDLE}` }), {
      stdout: sink(),
      stderr: sink(),
      env: {},
    });
    expect(replayed.findings).toEqual(live.findings);
    expect(JSON.parse(readFileSync(`${ROOT}/${DEMO_BUNDLE}`, 'utf8')).schema).toBe('irsa-check/bundle@2');
  });

  it('shows the planted faults and exits with the last FAIL code', async () => {
    const r = await runCli(['--replay', DEMO_BUNDLE, ...DEMO_ARGS, '--no-color']);
    expect(r.err).toContain(
      '[FAIL] identity: pod camunda-identity-7d9c5b8f6-x2k4p has no AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE: it started before the role annotation was added',
    );
    expect(r.code).not.toBe(0);
    expect(r.err.at(-1)).toBe(
      `[FAIL] irsa-check: At least one of the checks failed (error code: ${r.code}).`,
    );
  });

  it('a replay without arguments runs what was recorded (namespace, lists, Jobs and token proof)', async () => {
    const withArgs = await runCli(['--replay', DEMO_BUNDLE, ...DEMO_ARGS]);
    const bare = await runCli(['--replay', DEMO_BUNDLE]);
    expect(bare.code).toBe(withArgs.code);
    expect(bare.stdout).toBe(withArgs.stdout);
    expect(bare.stderr).toBe(withArgs.stderr);
  });

  it('scripts/demo.mjs (npm run demo) passes its arguments to irsa-check and exits 0 on FAILs, 1 on a usage error', () => {
    const demo = (...args: string[]) =>
      spawnSync(process.execPath, ['scripts/demo.mjs', ...args], {
        cwd: ROOT,
        env: cleanEnv(),
        encoding: 'utf8',
      });
    const json = demo('--output', 'json');
    expect(json.status).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.schema).toBe('irsa-check/report@1');
    expect(report.namespace).toBe('camunda');
    expect(report.exitCode).toBeGreaterThan(100);
    const bad = demo('--output', 'yaml');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("[FAIL] option '-o, --output <format>' argument 'yaml' is invalid.");
  });

  it("npm run -s demo -- --output json (as the README says): stdout is the JSON report alone; without -s, npm's header comes first and stderr says how to drop it", () => {
    // npm itself prints `> irsa-check@… demo` on stdout unless its log level is silent (-s).
    const npm = (...args: string[]) =>
      spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, {
        cwd: ROOT,
        env: cleanEnv({ PATH: process.env.PATH }),
        encoding: 'utf8',
      });
    const silent = npm('run', '-s', 'demo', '--', '--output', 'json');
    expect(silent.status, silent.stderr).toBe(0);
    expect(JSON.parse(silent.stdout).schema).toBe('irsa-check/report@1');
    expect(silent.stderr).not.toContain('npm run demo:');
    const loud = npm('run', 'demo', '--', '-o', 'json');
    expect(loud.status, loud.stderr).toBe(0);
    expect(loud.stdout.trimStart()).toMatch(/^> irsa-check@[^ ]+ demo\n/);
    expect(loud.stderr).toContain(
      "npm run demo: npm printed its '> irsa-check… demo' header on stdout above the report; for the report alone: npm run -s demo -- -o json",
    );
  });

  it('npm run demo builds only when dist/ is older than a source (scripts/dist-current.mjs)', async () => {
    const { distIsCurrent } = await import('../scripts/dist-current.mjs');
    const root = mkdtempSync(join(tmpdir(), 'irsa-dist-current-'));
    for (const dir of ['src/checks', 'dist', 'scripts']) mkdirSync(join(root, dir), { recursive: true });
    const files = ['src/checks/a.ts', 'package.json', 'package-lock.json', 'scripts/build.mjs'];
    for (const f of files) writeFileSync(join(root, f), '');
    expect(distIsCurrent(root)).toBe(false); // never built
    writeFileSync(join(root, 'dist/cli.js'), '');
    const past = new Date(Date.now() - 60_000);
    for (const f of [...files, 'src/checks', 'src', 'scripts']) utimesSync(join(root, f), past, past);
    expect(distIsCurrent(root)).toBe(true);
    writeFileSync(join(root, 'src/checks/a.ts'), 'changed');
    expect(distIsCurrent(root)).toBe(false); // a source edited after the build
  });
});
