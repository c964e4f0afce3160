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
import { main } from './cli.js';

export const PLUGIN_NAME = 'kubectl irsa-check';

/**
 * Runs irsa-check as a kubectl plugin; returns the exit code. The kubectl habits (pflag's `-n=x`,
 * the context's namespace) are the plain CLI's too (src/cli.ts), so the plugin only names itself.
 */
export async function pluginMain(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return main(argv, env, PLUGIN_NAME);
}
