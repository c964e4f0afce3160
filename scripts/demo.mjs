// `npm run demo`: irsa-check on the bundled example (a recorded Camunda 8.8 install with two planted
// IRSA mistakes). Arguments after `npm run demo --` go to irsa-check: `npm run demo -- --output json`.
// The demo is meant to show FAILs, so irsa-check's FAIL exit code is not the demo's failure: it exits 0
// then. A usage error (1), an internal error (99) or a signal still fail the demo.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { distIsCurrent } from './dist-current.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// Build only when dist/ is older than the sources; the build's own lines go to stderr, so
// `npm run demo -- --output json` leaves irsa-check's document alone on stdout.
if (!distIsCurrent(root)) {
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (built.status !== 0) {
    process.stderr.write('npm run demo: the build failed\n');
    process.exit(1);
  }
}
/** The `--output`/`-o` format among irsa-check's arguments (text when none). */
function outputFormat(argv) {
  let format = 'text';
  argv.forEach((a, i) => {
    const m = /^(?:--output|-o)(?:=(.*))?$/.exec(a) ?? /^-o(.+)$/.exec(a);
    if (m) format = m[1] ?? argv[i + 1] ?? format;
  });
  return format;
}
// npm prints its own header (`> irsa-check@0.1.0 demo` and the command) on stdout before any
// script runs, unless its log level is silent (`npm run -s demo`); a script cannot take it back.
// A report meant for a parser (json, sarif, markdown) then does not start stdout, so say how to
// get it clean, on stderr.
if (
  process.env.npm_lifecycle_event === 'demo' &&
  process.env.npm_config_loglevel !== 'silent' &&
  outputFormat(process.argv.slice(2)) !== 'text'
) {
  process.stderr.write(
    "npm run demo: npm printed its '> irsa-check… demo' header on stdout above the report; for the report alone: npm run -s demo -- " +
      `${process.argv.slice(2).join(' ')}\n`,
  );
}
const args = [
  'bin/irsa-check.js',
  '--replay',
  'fixtures/bundles/camunda-8.8-two-faults.json',
  ...['-n', 'camunda', '-p', 'identity,webModeler', '-l', 'orchestration,optimize'],
  ...process.argv.slice(2),
];
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
// Ctrl-C reaches the child through the terminal's process group; the demo just waits for it.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => {});
child.on('close', (code, signal) => {
  if (signal) {
    process.stderr.write(`npm run demo: irsa-check was stopped by ${signal}\n`);
    process.exitCode = 1;
  } else process.exitCode = code === 1 || code === 99 ? code : 0;
});
