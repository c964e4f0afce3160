import type { Finding } from '../core/finding.js';
import { summarize } from './format.js';

const MODULE = 'summary';
/** Modules whose FAILs are about reaching the cluster, AWS or the release: the IRSA guidance would not help. */
const PRECONDITIONS = new Set(['cli', 'run', 'preflight', 'release', 'plan', 'all-namespaces']);

/** The closing guidance (when an IRSA check failed) and the summary line, as aws-irsa.sh ends. */
export function closingFindings(findings: readonly Finding[]): Finding[] {
  const s = summarize(findings);
  if (s.fail === 0) {
    return [{ level: 'OK', module: MODULE, message: 'irsa-check: All checks passed.' }];
  }
  const aboutIrsa = findings.some((f) => f.level === 'FAIL' && !PRECONDITIONS.has(f.module));
  const guidance = [
    "Troubleshooting: check each role's trust policy (OIDC provider, sub = system:serviceaccount:<namespace>:<service account>, aud = sts.amazonaws.com) and its permission policies (rds-db:connect, es:ESHttp*).",
    'Restart the component pods after changing a ServiceAccount annotation: IRSA is injected at pod creation.',
    'Camunda IRSA guide: https://docs.camunda.io/docs/self-managed/setup/deploy/amazon/amazon-eks/irsa/',
  ];
  return [
    ...(aboutIrsa ? guidance : []).map((message): Finding => ({ level: 'INFO', module: MODULE, message })),
    {
      level: 'FAIL',
      module: MODULE,
      code: s.exitCode,
      message: `irsa-check: At least one of the checks failed (error code: ${s.exitCode}).`,
    },
  ];
}
