// Start-up to the first request: wall time from spawning `irsa-check -n camunda` until a
// loopback API server (a stand-in that answers nothing useful) sees its first request.
// Median of RUNS (default 9) after 2 warm-ups. The goal is under 250 ms.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/irsa-check.js', import.meta.url));
const runs = Number(process.env.RUNS ?? 9);

function once() {
  return new Promise((resolve, reject) => {
    let start = 0n;
    let child;
    const server = createServer((_req, res) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      res.writeHead(503).end();
      child.kill('SIGKILL');
      server.close();
      resolve(ms);
    });
    server.listen(0, '127.0.0.1', () => {
      const dir = mkdtempSync(join(tmpdir(), 'irsa-first-'));
      const kubeconfig = join(dir, 'config');
      const url = `http://127.0.0.1:${server.address().port}`;
      writeFileSync(
        kubeconfig,
        `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${url}"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
      );
      start = process.hrtime.bigint();
      child = spawn(process.execPath, [bin, '-n', 'camunda', '-s', '--kubeconfig', kubeconfig], {
        stdio: 'ignore',
        env: {
          ...process.env,
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'x',
          AWS_SECRET_ACCESS_KEY: 'y',
          AWS_ENDPOINT_URL: url,
        },
      });
      child.on('error', reject);
    });
  });
}

await once();
await once();
const times = [];
for (let i = 0; i < runs; i++) times.push(await once());
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(
  JSON.stringify({
    bench: 'start-up to first request',
    runs,
    medianMs: Math.round(median),
    minMs: Math.round(times[0]),
    maxMs: Math.round(times.at(-1)),
  }),
);
if (median > 250) {
  console.error(`start-up to the first request took ${Math.round(median)} ms (goal: under 250 ms)`);
  process.exitCode = 1;
}
