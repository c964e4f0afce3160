/**
 * Entry of the single executable (npm run build:binary). Node's single-executable application
 * runs one CommonJS script; this one is small: `--help` and `--version` are answered by the CLI's
 * parser alone (commander), as `node bin/irsa-check.js --help` is, and every other run evaluates
 * the whole CLI from the SEA asset `full.cjs` (src/binary-full.ts). Named (or linked as)
 * `kubectl-irsa_check`, as krew installs it, it is the kubectl plugin.
 */
import { basename } from 'node:path';
import { main } from './cli.js';
import { PLUGIN_NAME } from './kubectl-plugin.js';

/** Thrown by the stand-ins of the CLI's lazy modules in this script: the whole CLI is needed. */
export const FULL_NEEDED = 'IRSA_CHECK_FULL_NEEDED';

// argv0 is the name the executable was started by (krew's symlink); execPath is the file itself.
const asPlugin = [process.argv0, process.execPath].some((p) => basename(p).startsWith('kubectl-'));
// In a single executable argv is [executable, executable, ...user arguments], as for `node script`.
const args = process.argv.slice(2);

function helpOrVersion(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => ['-h', '--help', '-V', '--version'].includes(a));
}

/** Evaluates the SEA asset full.cjs (CommonJS, no dynamic import left: scripts/build-binary.mjs). */
function loadFull(): { start(args: string[], asPlugin: boolean): Promise<number> } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { getAsset } = require('node:sea') as typeof import('node:sea');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vm = require('node:vm') as typeof import('node:vm');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { wrap } = require('node:module') as { wrap(code: string): string };
  const script = new vm.Script(wrap(getAsset('full.cjs', 'utf8')), { filename: 'irsa-check-full.cjs' });
  const module = { exports: {} as ReturnType<typeof loadFull> };
  (script.runInThisContext() as (...a: unknown[]) => void)(
    module.exports,
    require,
    module,
    'irsa-check-full.cjs',
    '.',
  );
  return module.exports;
}

async function start(): Promise<number> {
  if (helpOrVersion(args)) {
    try {
      return await main(args, process.env, asPlugin ? PLUGIN_NAME : undefined);
    } catch (e) {
      if ((e as { code?: string })?.code !== FULL_NEEDED) throw e;
    }
  }
  return loadFull().start(args, asPlugin);
}

void start().then((code) => {
  // Let pending stdout/stderr writes drain before exiting with the check's code.
  process.exitCode = code;
});
