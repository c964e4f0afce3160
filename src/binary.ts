/**
 * Entry of the single executable (npm run build:binary): Node's single-executable
 * application runs one CommonJS script, so scripts/build-binary.mjs bundles this file
 * with every lazy chunk inlined. Same CLI as bin/irsa-check.js.
 */
import { main } from './cli.js';

// In a single executable argv is [executable, executable, ...user arguments], as for `node script`.
void main(process.argv.slice(2)).then((code) => {
  // Let pending stdout/stderr writes drain before exiting with the check's code.
  process.exitCode = code;
});
