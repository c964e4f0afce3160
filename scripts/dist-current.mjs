// Is dist/ built from the sources as they are now? `npm run demo` skips the esbuild step (seconds on
// a busy 2-core machine) when every file that goes into the bundle is older than dist/cli.js.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

export function distIsCurrent(root) {
  try {
    const built = statSync(join(root, 'dist', 'cli.js')).mtimeMs;
    const inputs = ['src', 'package.json', 'package-lock.json', 'scripts/build.mjs'];
    return inputs.every((p) => newest(join(root, p)) <= built);
  } catch {
    return false;
  }
}
