import { defineConfig } from 'vitest/config';

// `npm run bench`: the benchmarks run as vitest files (they reuse the TypeScript
// test support: moto seeding and the fake Kubernetes API), one at a time.
export default defineConfig({
  test: {
    include: ['bench/**/*.bench.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
