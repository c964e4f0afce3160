/**
 * The check catalogue: every finding irsa-check can report that states a verdict
 * has a stable kebab-case ID, declared up front by the module that reports it
 * (as an ESLint rule declares its messages), with its severity, exit code, title,
 * fix and README anchor. SARIF rules, JUnit testcases, the JSON report, `--skip`,
 * `--list-checks` and the README tables are all read from here.
 */

/** The level a check reports when it does not pass. An OK line reports the same ID passing. */
export type Severity = 'FAIL' | 'WARN' | 'INFO';

export interface CheckMeta {
  severity: Severity;
  /** Exit code of a FAIL (the parity codes of aws-irsa.sh keep their numbers). */
  code?: number;
  /** One line: what is wrong when this check does not pass. */
  title: string;
  /** What to do about it; required for FAIL and WARN. */
  fix?: string;
}

export interface CatalogueEntry extends CheckMeta {
  id: string;
  /** The module that declares it (`run` for irsa-check's own, module-independent checks). */
  module: string;
  /** README anchor: `README.md#check-<id>`. */
  anchor: string;
}

const ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

export function anchorOf(id: string): string {
  return `check-${id}`;
}

/** irsa-check's own checks: raised by the CLI, the dispatcher or any module. */
export const RUN_CHECKS = {
  usage: {
    severity: 'FAIL',
    code: 1,
    title: 'usage error: bad flag, invalid namespace, unknown component, empty list, malformed values file',
    fix: 'Correct the command line (irsa-check --help).',
  },
  'cannot-ask': {
    severity: 'FAIL',
    code: 2,
    title:
      'irsa-check could not ask Kubernetes or AWS (its own permission denied, throttling beyond retries, network)',
    fix: 'Grant the call to the identity irsa-check runs as (README, "Permissions"), or check connectivity.',
  },
  'credentials-expired': {
    severity: 'FAIL',
    code: 2,
    title: "irsa-check's own Kubernetes or AWS credentials expired during the run",
    fix: 'Refresh the credentials (e.g. `aws sso login`, `aws eks update-kubeconfig`) and run irsa-check again.',
  },
  'no-kubeconfig': {
    severity: 'FAIL',
    code: 3,
    title: 'no kubeconfig, or the context it names does not exist (fatal)',
    fix: 'Pass --kubeconfig/--context, or set KUBECONFIG.',
  },
  'kube-unreachable': {
    severity: 'FAIL',
    code: 3,
    title: 'the Kubernetes API server is unreachable (fatal)',
    fix: 'Check the kubeconfig context (--context), VPN or network access to the cluster endpoint.',
  },
  'kube-unauthorized': {
    severity: 'FAIL',
    code: 3,
    title: "the Kubernetes API server rejects irsa-check's credentials (fatal)",
    fix: 'Refresh the kubeconfig credentials, e.g. `aws eks update-kubeconfig --name <cluster>`.',
  },
  'releases-found': {
    severity: 'FAIL',
    code: 4,
    title: 'no deployed Camunda Helm release in any namespace (-A)',
    fix: '`helm list -A` lists the releases irsa-check can see.',
  },
  'release-unchecked': {
    severity: 'WARN',
    title: '-A: a Camunda release could not be checked (no deployed revision, or an unreadable record)',
    fix: '`helm history -n <namespace> <release>` shows its state; fix the install and `helm upgrade` it.',
  },
  'run-timeout': {
    severity: 'FAIL',
    code: 2,
    title: 'the run did not finish within --timeout',
    fix: 'Check network access to the API server and AWS (proxy, VPN, firewall); raise --timeout for a very large cluster.',
  },
  'aws-throttled': {
    severity: 'WARN',
    title: 'AWS throttled requests during the run (irsa-check retried them)',
    fix: 'Run irsa-check again later, or from an identity with its own API rate budget.',
  },
  'clock-skew': {
    severity: 'WARN',
    title:
      "this machine's clock is a minute or more off AWS's (the AWS SDK corrected irsa-check's own calls)",
    fix: "Synchronise this machine's clock (NTP: `timedatectl set-ntp true`, `chronyc makestep`, or the VM's time sync).",
  },
  'output-write-failed': {
    severity: 'FAIL',
    code: 2,
    title: 'a report or bundle file (--junit, --record, --summary) could not be written',
    fix: 'Free space or pass another path.',
  },
  'jobs-left-behind': {
    severity: 'WARN',
    title: 'verification Jobs could not be deleted within the cleanup deadline',
    fix: 'Delete them with the kubectl delete command the run prints.',
  },
  'kube-timeout': {
    severity: 'FAIL',
    code: 3,
    title: 'the Kubernetes API server does not answer within the request timeout (fatal)',
    fix: 'Check the kubeconfig context (--context), VPN, proxy or firewall between irsa-check and the cluster endpoint.',
  },
  'kube-tls': {
    severity: 'FAIL',
    code: 3,
    title:
      "the Kubernetes API server's TLS certificate does not verify against the kubeconfig's CA (or a proxy intercepts TLS) (fatal)",
    fix: "Put the cluster's CA in the kubeconfig (certificate-authority-data; `aws eks update-kubeconfig --name <cluster>` writes it), or bypass the TLS-intercepting proxy.",
  },
  'kube-exec-plugin': {
    severity: 'FAIL',
    code: 3,
    title: "the kubeconfig's exec credential plugin (aws eks get-token, …) failed or did not answer (fatal)",
    fix: 'Run the plugin command of the kubeconfig yourself to see why it fails or waits (an expired SSO session, a prompt, no network), then run irsa-check again.',
  },
  'not-kubernetes-api': {
    severity: 'FAIL',
    code: 3,
    title:
      'the kubeconfig points at a server that is not a Kubernetes API server (HTML, a proxy or captive portal) (fatal)',
    fix: 'Point the kubeconfig (--kubeconfig, --context) at the cluster endpoint, e.g. `aws eks update-kubeconfig --name <cluster>`; a proxy or captive portal may be answering instead.',
  },
  'internal-error': {
    severity: 'FAIL',
    code: 99,
    title: 'internal error in irsa-check (a bug: please report it with --verbose output)',
    fix: 'This is a bug in irsa-check: run again with --verbose and report it.',
  },
  interrupted: {
    severity: 'FAIL',
    code: 130,
    title:
      'interrupted (SIGINT exits 130, SIGTERM 143, SIGHUP 129, the Unix 128+signal); verification Jobs are deleted first',
    fix: 'Run irsa-check again.',
  },
} as const satisfies Record<string, CheckMeta>;

export type RunCheckId = keyof typeof RUN_CHECKS;

export class Catalogue {
  private readonly byId = new Map<string, CatalogueEntry>();

  constructor(groups: ReadonlyArray<{ module: string; checks: Readonly<Record<string, CheckMeta>> }>) {
    for (const g of [{ module: 'run', checks: RUN_CHECKS as Record<string, CheckMeta> }, ...groups]) {
      for (const [id, meta] of Object.entries(g.checks)) {
        if (!ID.test(id)) throw new Error(`check ID "${id}" of module ${g.module} is not kebab-case`);
        const other = this.byId.get(id);
        if (other) throw new Error(`check ID "${id}" is declared by both ${other.module} and ${g.module}`);
        if (meta.severity === 'FAIL' && meta.code === undefined)
          throw new Error(`FAIL check "${id}" of module ${g.module} has no exit code`);
        if (meta.severity !== 'INFO' && !meta.fix)
          throw new Error(`${meta.severity} check "${id}" of module ${g.module} has no fix`);
        this.byId.set(id, { ...meta, id, module: g.module, anchor: anchorOf(id) });
      }
    }
  }

  get(id: string): CatalogueEntry | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  entries(): CatalogueEntry[] {
    return [...this.byId.values()];
  }
}
