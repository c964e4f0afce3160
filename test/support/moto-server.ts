/**
 * Finds the moto_server the tests start, so that `npm ci && npm test` works on a fresh
 * machine with Node and Python 3. Resolve order:
 *   1. `moto_server` on PATH (a developer's or CI's own install wins),
 *   2. the project's cached virtualenv .cache/moto-venv (made by an earlier run),
 *   3. create that virtualenv: `python3 -m venv` + `pip install 'moto[server]'` (needs PyPI).
 * Every failure says what was tried and what to do; nothing is skipped.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const MOTO_VENV = '.cache/moto-venv';
/** What the venv is provisioned with: the server extra brings flask and the HTTP front end. */
export const MOTO_REQUIREMENT = 'moto[server]';

export interface MotoServerResolution {
  /** Absolute path (or PATH name) of the moto_server to spawn. */
  command: string;
  source: 'path' | 'venv' | 'created';
}

export interface ResolveOptions {
  /** Project root: the venv lives in `<root>/.cache/moto-venv`. */
  root: string;
  /** Search PATH (default: process.env.PATH). */
  path?: string;
  /** The Python to create the venv with (default `python3`, looked up on `path`). */
  python?: string;
  /** Progress lines (creating a venv takes a while). */
  log?: (line: string) => void;
  /** Limit for each of `python3 -m venv` and `pip install` (default 5 minutes). */
  timeoutMs?: number;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` in the PATH directories, like a shell would find it. */
export function findOnPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function venvMotoServer(root: string): string {
  return join(root, MOTO_VENV, 'bin', 'moto_server');
}

interface Exit {
  code: number | null;
  output: string;
  error?: Error;
}

function runQuiet(command: string, args: string[], path: string, timeoutMs: number): Promise<Exit> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PATH: path, PIP_DISABLE_PIP_VERSION_CHECK: '1' },
    });
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs / 1000} s)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, output, error });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The last lines of a failed command's output, as a block under the message (nothing when it was silent). */
const tail = (s: string): string =>
  s.trim() === '' ? '' : `\n${s.trim().split('\n').slice(-15).join('\n')}`;

const MANUAL =
  `Install moto yourself and put moto_server on the PATH (pip install '${MOTO_REQUIREMENT}'), ` +
  `or give the tests a Python 3 with venv and pip that can reach PyPI.`;

export async function resolveMotoServer(opts: ResolveOptions): Promise<MotoServerResolution> {
  const path = opts.path ?? process.env.PATH ?? '';
  const onPath = findOnPath('moto_server', path);
  if (onPath) return { command: onPath, source: 'path' };
  const cached = venvMotoServer(opts.root);
  if (isExecutable(cached)) return { command: cached, source: 'venv' };

  const pythonName = opts.python ?? 'python3';
  const python = pythonName.includes('/') ? pythonName : findOnPath(pythonName, path);
  if (!python) {
    throw new Error(
      `moto_server is required for the tests: it is not on PATH, ${MOTO_VENV} has none, and there is no ${pythonName} on PATH to create that virtualenv. ${MANUAL}`,
    );
  }
  const venv = join(opts.root, MOTO_VENV);
  const timeoutMs = opts.timeoutMs ?? 5 * 60_000;
  opts.log?.(`moto_server is not on PATH: creating ${MOTO_VENV} with ${python} (once; later runs reuse it)`);
  const made = await runQuiet(python, ['-m', 'venv', venv], path, timeoutMs);
  if (made.error || made.code !== 0) {
    rmSync(venv, { recursive: true, force: true });
    throw new Error(
      `moto_server is required for the tests: \`${python} -m venv ${MOTO_VENV}\` failed (${made.error?.message ?? `exit ${made.code}`}). On Debian/Ubuntu: apt-get install python3-venv. ${MANUAL}${tail(made.output)}`,
    );
  }
  const pip = join(venv, 'bin', 'pip');
  opts.log?.(`installing ${MOTO_REQUIREMENT} into ${MOTO_VENV}`);
  const installed = await runQuiet(pip, ['install', '--quiet', MOTO_REQUIREMENT], path, timeoutMs);
  if (installed.error || installed.code !== 0 || !isExecutable(cached)) {
    // A half-made venv would be taken for a working one next time: start clean instead.
    rmSync(venv, { recursive: true, force: true });
    const why =
      installed.error?.message ?? (installed.code !== 0 ? `exit ${installed.code}` : 'no bin/moto_server');
    throw new Error(
      `moto_server is required for the tests: \`pip install '${MOTO_REQUIREMENT}'\` into ${MOTO_VENV} failed (${why}); PyPI may be unreachable. ${MANUAL}${tail(installed.output)}`,
    );
  }
  return { command: cached, source: 'created' };
}
