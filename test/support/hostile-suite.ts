/**
 * The setup the hostile-network e2e files share (harden.e2e, network*.e2e): moto seeded
 * with the healthy 8.8 world in an account of its own, the built CLI run against it with
 * the assertion that no stack trace and no SDK log line ever reaches stderr, and whatever
 * a test starts (fake API server, silent server, fault proxy) closed after that test.
 * Call `hostileSuite()` once at the top of a test file: it registers the hooks.
 */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { runCli, type CliResult } from './cli.js';
import { randomAccountId, seedMoto, type SeededMoto } from './moto.js';
import { loadWorld, type WorldModel } from './world.js';

export interface HostileRun extends CliResult {
  /** Wall-clock seconds of the run (asserted only with generous bounds). */
  seconds: number;
}

export interface HostileSuite {
  /** moto seeded with camunda-8.8-healthy.yaml; its fault proxy is reset after each test. */
  readonly moto: SeededMoto;
  /** The seeded world (account IDs and ARNs as moto made them). */
  readonly healthy: WorldModel;
  /** Closes `server` after the current test (in reverse order of registration). */
  closeAfter<T extends { close(): Promise<void> }>(server: T): T;
  /** Runs the built CLI with moto's environment plus `env`; fails the test on a stack trace or SDK log. */
  cli(args: string[], env?: Record<string, string | undefined>, timeoutMs?: number): Promise<HostileRun>;
}

/** What a person must never see on stderr: a stack trace, or a raw SDK / Node log line. */
export function expectNoStackTraceNorRawLog(r: CliResult): void {
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(r.stderr).not.toMatch(/@smithy|node-http-handler|\[WARN\] a request/);
}

export function hostileSuite(): HostileSuite {
  let moto: SeededMoto | undefined;
  const opened: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    moto = await seedMoto(loadWorld('camunda-8.8-healthy.yaml'), undefined, {
      accountId: randomAccountId(),
    });
  }, 120_000); // seeding moto takes seconds, and far longer on a loaded 2-core machine

  afterAll(async () => {
    await moto?.close();
  });

  afterEach(async () => {
    moto?.proxy.reset();
    for (const s of opened.splice(0).reverse()) await s.close();
  });

  const seeded = (): SeededMoto => {
    if (!moto) throw new Error('hostileSuite: moto is not seeded yet (use it inside a test)');
    return moto;
  };

  return {
    get moto() {
      return seeded();
    },
    get healthy() {
      return seeded().world;
    },
    closeAfter(server) {
      opened.push(server);
      return server;
    },
    async cli(args, env = {}, timeoutMs = 90_000) {
      const started = Date.now();
      const r = await runCli(args, { env: { ...seeded().env, ...env }, timeoutMs });
      expectNoStackTraceNorRawLog(r);
      return { ...r, seconds: (Date.now() - started) / 1000 };
    },
  };
}
