/**
 * Service control policies (and resource control policies) of AWS Organizations are out of
 * irsa-check's scope: it cannot read them with an account's credentials (only the management
 * account lists them) and does not evaluate them. When a run shows signs that one refused a
 * request, it says so once, as one INFO line at the end of the run, instead of letting the
 * refusal read like a fault of the role (IAM User Guide, "Policy evaluation logic": an SCP that
 * does not allow, or denies, the action refuses it whatever the role's policies say).
 *
 * The signs, from what the run already reported (pure: the findings in, one finding out):
 * - AWS's own error text naming one: "…with an explicit deny in a service control policy" (AWS
 *   puts it in AccessDenied messages since 2021, "Access denied error messages");
 * - IAM's policy simulator answering that AWS Organizations does not allow it
 *   (EvaluationResult.OrganizationsDecisionDetail.AllowedByOrganizations false);
 * - a real call refused (the Aurora login with an IAM token, a request to OpenSearch signed with
 *   the role) for a component whose role the IAM checks found allowed: the role's policies,
 *   boundary and the resource policy allow it, so something irsa-check does not see refused it.
 */
import type { Finding } from '../core/finding.js';

/** What AWS's messages say when an Organizations policy denies. */
const CONTROL_POLICY_TEXT = /\b(service|resource) control polic(y|ies)\b|AllowedByOrganizations/i;

/** Data-plane refusals of a request the role's credentials signed (src/checks/data-plane/checks.ts). */
const REAL_CALL_REFUSED = new Set([
  'aurora-pam-authentication-failed',
  'aurora-token-rejected',
  'opensearch-signed-request-refused',
]);

/** The IAM checks whose OK says the role may make that call (src/checks/roles/permissions.ts). */
const ALLOWED_BY_IAM = new Set(['rds-connect-resource', 'es-http-resource', 'es-domain-admits-role']);

const ACCOUNT_IN_ARN = /\barn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/;

function refusedDespiteIam(f: Finding, findings: readonly Finding[]): boolean {
  if (f.level !== 'FAIL' || !f.check || !REAL_CALL_REFUSED.has(f.check) || !f.component) return false;
  const iam = findings.filter((g) => g.module === 'roles' && g.component === f.component);
  return (
    iam.some((g) => g.level === 'OK' && g.check !== undefined && ALLOWED_BY_IAM.has(g.check)) &&
    !iam.some((g) => g.level === 'FAIL' || g.level === 'WARN')
  );
}

/** The one INFO line, or undefined when nothing in the run suggests an SCP. */
export function scpNotice(findings: readonly Finding[]): Finding | undefined {
  const text = findings.find(
    (f) => (f.level === 'FAIL' || f.level === 'WARN') && CONTROL_POLICY_TEXT.test(f.message),
  );
  const real = text ? undefined : findings.find((f) => refusedDespiteIam(f, findings));
  const sign = text ?? real;
  if (!sign) return undefined;
  const account = ACCOUNT_IN_ARN.exec(sign.message)?.[1];
  const where = [
    sign.component ? `component ${sign.component}` : undefined,
    account ? `account ${account}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  const why = text
    ? 'AWS says a service or resource control policy of AWS Organizations refused a request'
    : "AWS refused a request the role's policies allow";
  return {
    level: 'INFO',
    module: 'run',
    message: `${why}${where ? ` (${where})` : ''}: irsa-check does not evaluate SCPs or RCPs of AWS Organizations (out of scope); ask the organization's administrators which policies apply to the account (aws organizations list-policies-for-target --target-id <account id> --filter SERVICE_CONTROL_POLICY, from the management account)`,
  };
}
