// npm run build:binary: a self-contained irsa-check executable (Node's single-executable
// applications, https://nodejs.org/api/single-executable-applications.html) for the platform
// and architecture of the Node that runs this script: dist-bin/irsa-check-<platform>-<arch>.
//   1. esbuild bundles src/binary-full.ts into ONE CommonJS file, full.cjs: SEA on Node 20 runs
//      CommonJS and its require() only knows built-in modules, so nothing may stay external and
//      the lazy import() chunks of dist/ (scripts/build.mjs) are inlined. It becomes a SEA asset.
//   2. esbuild bundles src/binary.ts, the main script: the CLI's parser only, its lazy imports
//      replaced by stand-ins that ask for full.cjs. `--help`/`--version` start as fast as the npm
//      CLI; any other run evaluates full.cjs (src/binary.ts says how).
//   3. `node --experimental-sea-config` turns both into a blob.
//   4. postject injects the blob into a copy of this Node binary (macOS: re-signed ad hoc).
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
const full = `${out}/full.cjs`;
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

/** The main script's lazy imports: stand-ins that make src/binary.ts evaluate full.cjs instead. */
const fullNeeded = {
  name: 'full-needed',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (a) =>
      a.kind === 'dynamic-import' ? { path: a.path, namespace: 'full-needed' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'full-needed' }, () => ({
      contents: `throw Object.assign(new Error('needs the whole CLI'), { code: 'IRSA_CHECK_FULL_NEEDED' });`,
      loader: 'js',
    }));
  },
};

const main = await build({
  entryPoints: ['src/binary.ts'],
  absWorkingDir: root,
  outfile: script,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  mainFields: ['module', 'main'],
  splitting: false,
  logLevel: 'warning',
  metafile: true,
  plugins: [fullNeeded],
});

/**
 * `import("node:http")` (the AWS SDK's) as a require() of the built-in: full.cjs is evaluated with
 * vm.Script, where a real dynamic import needs an experimental loader hook (and prints its warning).
 */
const builtinDynamicImports = {
  name: 'builtin-dynamic-imports',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) =>
      a.kind === 'dynamic-import' ? { path: a.path, namespace: 'builtin-require' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin-require' }, (a) => ({
      contents: `module.exports = require(${JSON.stringify(a.path)});`,
      loader: 'js',
    }));
  },
};

const result = await build({
  entryPoints: ['src/binary-full.ts'],
  absWorkingDir: root,
  outfile: full,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  mainFields: ['module', 'main'],
  // Everything in one file: an external would be a require() the executable cannot satisfy.
  splitting: false,
  logLevel: 'warning',
  metafile: true,
  plugins: [absentOptionalPeers, builtinDynamicImports],
});
// node:sea (and node:test) exist only with their prefix and are not in builtinModules on Node 20.
const builtin = new Set([...createRequire(import.meta.url)('node:module').builtinModules, 'sea']);
const external = [...Object.values(result.metafile.outputs), ...Object.values(main.metafile.outputs)]
  .flatMap((o) => o.imports)
  .filter((i) => i.external && !builtin.has(i.path.replace(/^node:/, '')));
if (external.length > 0) {
  console.error(`build:binary: the bundle still imports ${external.map((i) => i.path).join(', ')}`);
  process.exit(1);
}

await writeFile(
  `${out}/sea-config.json`,
  // No useCodeCache: the main script is small, and full.cjs is not the main script.
  // The main script is small (src/binary.ts); full.cjs is evaluated by it only when needed.
  JSON.stringify(
    { main: script, output: blob, disableExperimentalSEAWarning: true, assets: { 'full.cjs': full } },
    null,
    2,
  ),
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
