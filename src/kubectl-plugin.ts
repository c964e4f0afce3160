/**
 * The kubectl plugin: `kubectl irsa-check -n camunda` runs bin/kubectl-irsa_check.js
 * (kubectl maps the `irsa-check` command to `kubectl-irsa_check` on the PATH) with the
 * arguments after the plugin name, verbatim. It is the same CLI, made to honour
 * kubectl's habits (https://kubernetes.io/docs/tasks/extend-kubectl/kubectl-plugins/):
 *   - `-n=camunda` (pflag's short-flag-with-equals form; commander would read "=camunda"),
 *     `--namespace=camunda`, `--context=prod`, `--kubeconfig=FILE`;
 *   - without -n, the namespace of the kubeconfig's current (or --context) context, as kubectl
 *     uses it; irsa-check never falls back to "default" (there is no Camunda there to check).
 */
import { Command } from 'commander';
import { buildProgram, main } from './cli.js';

export const PLUGIN_NAME = 'kubectl irsa-check';

/** Single-letter options that take a value: `-n=x` → `-n x` (pflag accepts both forms). */
const SHORT_WITH_VALUE = /^-([nepl])=(.*)$/s;

/** kubectl-style arguments → arguments irsa-check's parser reads the same way. */
export function kubectlArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const short = SHORT_WITH_VALUE.exec(arg);
    if (short) out.push(`-${short[1]}`, short[2]!);
    else out.push(arg);
  }
  return out;
}

/** What the arguments say, without printing anything (main reports any error, --help and --version itself). */
function quietParse(args: string[]): Record<string, unknown> | undefined {
  const program: Command = buildProgram(PLUGIN_NAME).configureOutput({
    writeOut: () => {},
    writeErr: () => {},
  });
  try {
    program.parse(args, { from: 'user' });
    return program.opts();
  } catch {
    return undefined;
  }
}

/**
 * The namespace kubectl would use: the one set on the kubeconfig context. Undefined when
 * none is set or the kubeconfig cannot be read (the run itself then reports why).
 */
export async function contextNamespace(kubeconfig?: string, context?: string): Promise<string | undefined> {
  try {
    const { loadKubeConfig } = await import('./platform/live-kube.js');
    const { kc } = loadKubeConfig({ kubeconfig, context });
    const ns = kc.getContextObject(kc.getCurrentContext())?.namespace;
    return ns && ns !== '' ? ns : undefined;
  } catch {
    return undefined;
  }
}

/** Runs irsa-check as a kubectl plugin; returns the exit code. */
export async function pluginMain(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = kubectlArgs(argv);
  const opts = quietParse(args);
  const namespaceGiven =
    opts === undefined ||
    opts.namespace !== undefined ||
    env.NAMESPACE !== undefined ||
    opts.allNamespaces === true ||
    opts.replay !== undefined;
  if (!namespaceGiven) {
    const ns = await contextNamespace(
      opts.kubeconfig as string | undefined,
      opts.context as string | undefined,
    );
    if (ns) args.push('-n', ns);
  }
  return main(args, env, PLUGIN_NAME);
}
