/**
 * `npm run build:binary`: the single executable runs without Node or npm. The test
 * builds it (≈ 10 s, a ≈ 110 MB copy of node), then runs it with a PATH that has
 * neither, from a directory outside the project: on the demo bundle, and on a live
 * run against the fake API server and moto (the bundled client-node and AWS SDK),
 * each time with exactly the output of the npm launcher.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, readFileSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ARGS, DEMO_BUNDLE } from './support/demo-world.js';
import { ROOT, runCli } from './support/cli.js';
import { findOnPath } from './support/moto-server.js';
import { seedMoto } from './support/moto.js';
import { startWorld } from './support/kube-world.js';
import { loadWorld } from './support/world.js';
import { VERSION } from '../src/version.js';

const EXE = join(ROOT, 'dist-bin', `irsa-check-${process.platform}-${process.arch}`);
const work = mkdtempSync(join(tmpdir(), 'irsa-binary-'));
/** A PATH with one empty directory: no node, no npm, no kubectl, no aws. */
const EMPTY_BIN = join(work, 'bin');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runExe(args: string[], env: Record<string, string> = {}, exe = EXE): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, {
      cwd: work,
      env: { PATH: EMPTY_BIN, HOME: join(work, 'home'), AWS_EC2_METADATA_DISABLED: 'true', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A loaded 2-core machine (the whole suite running beside it) needs more than 30 s.
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(() => {
  mkdirSync(EMPTY_BIN);
  execFileSync(process.execPath, ['scripts/build-binary.mjs'], { cwd: ROOT, stdio: 'pipe' });
  copyFileSync(join(ROOT, DEMO_BUNDLE), join(work, 'demo.json'));
}, 180_000);

describe('the single executable', () => {
  it('runs where PATH has no node or npm', () => {
    expect(findOnPath('node', EMPTY_BIN)).toBeUndefined();
    expect(findOnPath('npm', EMPTY_BIN)).toBeUndefined();
  });

  it('starts from a small main script: --help parses neither the AWS SDK nor client-node (issue 20)', async () => {
    // The executable's main script is the CLI's parser; the whole CLI is the SEA asset full.cjs,
    // evaluated only by runs that need it. A main script that bundled them would start 3× slower.
    const main = readFileSync(join(ROOT, 'dist-bin', 'irsa-check.cjs'), 'utf8');
    expect(main.length).toBeLessThan(1_000_000);
    expect(main).not.toContain('@aws-sdk/');
    expect(main).not.toContain('@kubernetes/client-node');
    expect(readFileSync(join(ROOT, 'dist-bin', 'full.cjs'), 'utf8')).toContain('AssumeRoleWithWebIdentity');
    const r = await runExe(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('Usage: irsa-check [options]');
    expect(r.stderr).toBe('');
  });

  it('prints its version', async () => {
    const r = await runExe(['--version']);
    expect(r).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('replays the demo bundle exactly as the npm launcher does', async () => {
    const exe = await runExe(['--replay', 'demo.json', ...DEMO_ARGS]);
    const npm = await runCli(['--replay', DEMO_BUNDLE, ...DEMO_ARGS]);
    expect(exe.code).toBe(255);
    expect(exe.code).toBe(npm.code);
    expect(exe.stdout).toBe(npm.stdout);
    expect(exe.stderr).toBe(npm.stderr);
    expect(exe.stderr.trimEnd().split('\n').at(-1)).toBe(
      '[FAIL] irsa-check: At least one of the checks failed (error code: 255).',
    );
  });

  it('checks a live cluster and AWS (fake API server + moto) exactly as the npm launcher does', async () => {
    const moto = await seedMoto(loadWorld('camunda-8.8-healthy.yaml'));
    const fake = await startWorld(moto.world);
    try {
      const args = ['-n', 'camunda', '-s', '--kubeconfig', fake.kubeconfigPath];
      // Both at once: the comparison does not need them in turn, and it halves the wall time.
      const [exe, npm] = await Promise.all([
        runExe(args, moto.env),
        runCli(args, { env: moto.env, timeoutMs: 90_000 }),
      ]);
      expect(exe.stdout).toContain(
        '[OK] Helm release camunda found: chart camunda-platform-13.1.2 (Camunda 8.8.x), revision 3',
      );
      expect(exe.stderr).not.toContain('Warning');
      expect(exe).toEqual({ code: npm.code, stdout: npm.stdout, stderr: npm.stderr });
      expect(exe.code).toBe(0);
    } finally {
      await fake.close();
      await moto.close();
    }
  }, 120_000);

  it('linked as kubectl-irsa_check (as krew installs it) it is the kubectl plugin', async () => {
    const link = join(EMPTY_BIN, 'kubectl-irsa_check');
    symlinkSync(EXE, link);
    const help = await runExe(['--help'], {}, link);
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n')[0]).toBe('Usage: kubectl irsa-check [options]');
    const demo = await runExe(
      ['--replay', 'demo.json', '-n=camunda', '-p=identity,webModeler', '-l=orchestration,optimize'],
      {},
      link,
    );
    const npm = await runCli(['--replay', DEMO_BUNDLE, ...DEMO_ARGS]);
    expect(demo).toEqual({ code: npm.code, stdout: npm.stdout, stderr: npm.stderr });
  });
});
