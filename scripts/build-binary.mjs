// npm run build:binary: a self-contained irsa-check executable (Node's single-executable
// applications, https://nodejs.org/api/single-executable-applications.html) for the platform
// and architecture of the Node that runs this script: dist-bin/irsa-check-<platform>-<arch>.
//   1. esbuild bundles src/binary.ts into ONE CommonJS file: SEA on Node 20 runs a CommonJS
//      script and its require() only knows built-in modules, so nothing may stay external
//      and the lazy import() chunks of dist/ (scripts/build.mjs) are inlined.
//   2. `node --experimental-sea-config` turns it into a blob.
//   3. postject injects the blob into a copy of this Node binary (macOS: re-signed ad hoc).
// Other targets need their own Node binary: run this script with that Node (e.g. on an arm64
// or macOS machine or CI runner); Node cannot be downloaded from here.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist-bin`;
const target = `${process.platform}-${process.arch}`;
const exe = `${out}/irsa-check-${target}${process.platform === 'win32' ? '.exe' : ''}`;
const script = `${out}/irsa-check.cjs`;
const blob = `${out}/irsa-check.blob`;
// The fuse Node's SEA loader looks for (the same string in every Node release with SEA).
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`build:binary needs Node >= 20.19 (this is ${process.versions.node})`);
  process.exit(1);
}

/**
 * Optional peers that libraries require inside try/catch and do without: ws's native
 * speed-ups, node-fetch's legacy charset converter and pg's native binding (pg-native). Left as require() calls, each would
 * make the executable print Node's "require() ... only supports loading built-in modules"
 * warning; bundled as a module that throws, the library takes its fallback silently.
 */
const absentOptionalPeers = {
  name: 'absent-optional-peers',
  setup(b) {
    b.onResolve({ filter: /^(bufferutil|utf-8-validate|encoding|pg-native)$/ }, (a) => ({
      path: a.path,
      namespace: 'absent',
    }));
    b.onLoad({ filter: /.*/, namespace: 'absent' }, (a) => ({
      contents: `throw Object.assign(new Error("Cannot find module '${a.path}'"), { code: 'MODULE_NOT_FOUND' });`,
      loader: 'js',
    }));
  },
};

await mkdir(out, { recursive: true });
await rm(exe, { force: true });

const result = await build({
  entryPoints: ['src/binary.ts'],
  absWorkingDir: root,
  outfile: script,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  mainFields: ['module', 'main'],
  // Everything in one file: an external would be a require() the executable cannot satisfy.
  splitting: false,
  logLevel: 'warning',
  metafile: true,
  plugins: [absentOptionalPeers],
});
const builtin = new Set(createRequire(import.meta.url)('node:module').builtinModules);
const external = Object.values(result.metafile.outputs)
  .flatMap((o) => o.imports)
  .filter((i) => i.external && !builtin.has(i.path.replace(/^node:/, '')));
if (external.length > 0) {
  console.error(`build:binary: the bundle still imports ${external.map((i) => i.path).join(', ')}`);
  process.exit(1);
}

await writeFile(
  `${out}/sea-config.json`,
  // No useCodeCache: it would start ~30% faster, but on Node 20 a code-cached main script has no
  // dynamic import() (ERR "A dynamic import callback was not specified"), and the AWS SDK's
  // credential chain still uses one at run time; the live-run test caught it.
  JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true }, null, 2),
);
execFileSync(process.execPath, ['--experimental-sea-config', `${out}/sea-config.json`], { stdio: 'inherit' });
// postject (LIEF) may print "warning: Can't find string offset for section name '.note…'" for
// Node's ELF binary: harmless, the Node docs' own example prints it too.

await copyFile(process.execPath, exe);
await chmod(exe, 0o755);
if (process.platform === 'darwin') execFileSync('codesign', ['--remove-signature', exe]);
const { inject } = createRequire(import.meta.url)('postject');
await inject(exe, 'NODE_SEA_BLOB', await readFile(blob), {
  sentinelFuse: SEA_FUSE,
  ...(process.platform === 'darwin' ? { machoSegmentName: 'NODE_SEA' } : {}),
});
if (process.platform === 'darwin') execFileSync('codesign', ['--sign', '-', exe]);

const mb = ((await stat(exe)).size / 1e6).toFixed(0);
console.log(`build:binary: ${exe.slice(root.length)} (${target}, Node ${process.versions.node}, ${mb} MB)`);
