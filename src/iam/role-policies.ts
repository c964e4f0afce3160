/**
 * A role's identity policies (attached managed, inline) and its permissions boundary, read and
 * parsed for the evaluator in policy.ts; for checks outside the roles module that ask what a role
 * may do (the S3 document store). Unreadable pieces are reported as a reason, never guessed.
 */
import type { Aws, IamRole } from '../ports/aws.js';
import { ApiCallError } from '../core/errors.js';
import { normalizePolicy, PolicyParseError, type LabeledPolicy } from './policy.js';

export type RolePolicySet =
  { role: IamRole; policies: LabeledPolicy[]; boundary?: LabeledPolicy } | { problem: string };

export async function readRolePolicies(aws: Aws, roleName: string): Promise<RolePolicySet> {
  const role = await aws.role(roleName);
  if (!role) return { problem: `role ${roleName} does not exist` };
  const [attached, inline] = await Promise.all([
    aws.attachedPolicies(roleName),
    aws.inlinePolicies(roleName),
  ]);
  const parse = (doc: unknown, label: string): LabeledPolicy => ({ doc: normalizePolicy(doc), label });
  const managed = async (arn: string, label: string) => parse(await aws.policyDocument(arn), label);
  try {
    const boundaryArn = role.permissionsBoundaryArn;
    const [docs, boundary] = await Promise.all([
      Promise.all(attached.map((p) => managed(p.arn, p.name))),
      boundaryArn
        ? managed(boundaryArn, boundaryArn.split('/').pop() ?? boundaryArn)
        : Promise.resolve(undefined),
    ]);
    const policies = [...docs, ...inline.map((p) => parse(p.document, p.name))];
    return boundary ? { role, policies, boundary } : { role, policies };
  } catch (e) {
    if (e instanceof PolicyParseError)
      return { problem: `a policy of role ${roleName} is not valid: ${e.message}` };
    if (e instanceof ApiCallError && e.isNotFound)
      return { problem: `a policy of role ${roleName} cannot be read (${e.reason})` };
    throw e;
  }
}
