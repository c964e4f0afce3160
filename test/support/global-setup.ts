/**
 * Starts one moto_server (the AWS emulator) on a free loopback port for the
 * whole run and hands its URL to the suites (inject('motoUrl')). moto is a
 * hard requirement: when it is neither on PATH nor in the cached .cache/moto-venv,
 * the setup creates that virtualenv (test/support/moto-server.ts); when that fails
 * the run fails loudly, on CI and off it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { resolveMotoServer } from './moto-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    motoUrl: string;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, deadlineMs: number): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited early with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/moto-api/`);
      if (res.status < 500) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() - start > deadlineMs)
      throw new Error(`moto_server did not answer on ${url} within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let moto: ChildProcess | undefined;

export async function setup(project: TestProject): Promise<void> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const { command } = await resolveMotoServer({
    root,
    log: (line) => process.stderr.write(`[global-setup] ${line}\n`),
  });
  moto = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  moto.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const spawnError = new Promise<never>((_, reject) =>
    moto!.once('error', (e) =>
      reject(new Error(`moto_server (${command}) could not be started: ${e.message}`)),
    ),
  );
  await Promise.race([waitForHttp(url, moto, 60_000), spawnError]).catch((e: Error) => {
    throw new Error(`${e.message}\n${stderr.slice(-2000)}`);
  });
  project.provide('motoUrl', url);
}

/**
 * Stops moto and waits (bounded) until it is gone: a child still holding its stderr pipe kept
 * vitest from exiting ("something prevents Vite server from exiting", a 10 s pause per run).
 */
export async function teardown(): Promise<void> {
  const child = moto;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 3000)));
  if ((await Promise.race([exited, late])) === 'late') child.kill('SIGKILL');
  clearTimeout(timer);
  child.stderr?.destroy();
  child.unref();
}
