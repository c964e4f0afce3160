/**
 * The whole CLI inside the single executable (npm run build:binary): bundled into one CommonJS
 * script with every lazy chunk inlined and stored as the SEA asset `full.cjs`. The executable's
 * main script (src/binary.ts) evaluates it only when a run needs more than `--help`/`--version`,
 * so start-up does not parse 14 MB of AWS SDK and client-node first.
 */
import { main } from './cli.js';
import { pluginMain } from './kubectl-plugin.js';

export function start(args: string[], asPlugin: boolean): Promise<number> {
  return asPlugin ? pluginMain(args) : main(args);
}
