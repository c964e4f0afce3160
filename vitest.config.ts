import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // A safety net against a hang, not a speed bound: a test that spawns the CLI or seeds moto
    // takes a few seconds idle and several times that on a loaded 2-core machine (issue 19: the
    // 30 s this was failed binary.test.ts and harden.e2e under load). Tests bound what they wait
    // for themselves (the CLI's own deadlines, runCli's kill timer).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: the e2e suites spawn the CLI and servers; more workers only thrash.
    maxWorkers: 2,
    // CI also writes a JSON summary, from which .ci/run prints the plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest-results.json' }]] : ['default'],
  },
});
