// Start-up benchmark: wall time of `irsa-check --help` (node start + the bundled CLI),
// median of 15 runs after 2 warm-ups. The goal is under 200 ms.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/irsa-check.js', import.meta.url));
const runs = Number(process.env.RUNS ?? 15);

function once() {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, [bin, '--help'], { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

once();
once();
const times = Array.from({ length: runs }, once).sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(
  JSON.stringify({
    bench: 'startup (--help)',
    runs,
    medianMs: Math.round(median),
    minMs: Math.round(times[0]),
    maxMs: Math.round(times.at(-1)),
    awsCalls: 0,
    kubeCalls: 0,
  }),
);
if (median > 200) {
  console.error(`startup median ${median.toFixed(0)} ms exceeds the 200 ms goal`);
  process.exitCode = 1;
}
