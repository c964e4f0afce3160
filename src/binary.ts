/**
 * Entry of the single executable (npm run build:binary): Node's single-executable
 * application runs one CommonJS script, so scripts/build-binary.mjs bundles this file
 * with every lazy chunk inlined. Named (or linked as) `kubectl-irsa_check`, as krew
 * installs it, it is the kubectl plugin; otherwise the same CLI as bin/irsa-check.js.
 */
import { basename } from 'node:path';
import { main } from './cli.js';
import { pluginMain } from './kubectl-plugin.js';

// argv0 is the name the executable was started by (krew's symlink); execPath is the file itself.
const asPlugin = [process.argv0, process.execPath].some((p) => basename(p).startsWith('kubectl-'));
// In a single executable argv is [executable, executable, ...user arguments], as for `node script`.
const args = process.argv.slice(2);
void (asPlugin ? pluginMain(args) : main(args)).then((code) => {
  // Let pending stdout/stderr writes drain before exiting with the check's code.
  process.exitCode = code;
});
