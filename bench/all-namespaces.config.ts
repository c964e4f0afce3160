import { defineConfig } from 'vitest/config';

// `npm run bench:all-namespaces`: the -A benchmark alone (up to 200 releases: minutes, so not in `npm run bench`).
export default defineConfig({
  test: {
    include: ['bench/all-namespaces.bench.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 60_000,
  },
});
