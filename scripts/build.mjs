// Bundles src/ into dist/ with esbuild: one small entry chunk for start-up,
// lazily loaded chunks for the checks, client-node and the AWS SDK.
import { build } from 'esbuild';
import { readFile, rename, rm } from 'node:fs/promises';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
const versionTs = await readFile(new URL('../src/version.ts', import.meta.url), 'utf8');
if (!versionTs.includes(`'${pkg.version}'`)) {
  console.error(`src/version.ts does not match package.json version ${pkg.version}`);
  process.exit(1);
}

await rm(new URL('../dist.next', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli.ts', 'kubectl-plugin': 'src/kubectl-plugin.ts' },
  // Built beside dist/ and swapped in whole: a test run reading dist/ never sees it half-written.
  outdir: 'dist.next',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // Prefer the ESM builds (the AWS SDK ships both): their named exports survive lazy import().
  mainFields: ['module', 'main'],
  target: 'node20',
  // Dependencies are bundled too: resolving hundreds of small files costs more start-up time than parsing one chunk.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  sourcemap: true,
  logLevel: 'warning',
});

await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await rename(new URL('../dist.next', import.meta.url), new URL('../dist', import.meta.url));
