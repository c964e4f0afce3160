/**
 * Gathers what the role-in-use check judges: per component with a role, the start times of its
 * running pods and IAM's record of the role (GetRole's RoleLastUsed), one GetRole per component at
 * once; errors are kept per component as values.
 */
import type { ModuleContext } from '../engine/module.js';
import type { IamRole } from '../ports/aws.js';
import { parseRoleArn } from '../iam/arn.js';
import { runningPodsOf } from '../platform/component-pods.js';
import { mechanismName, type MechanismName } from '../platform/pod-identity.js';

/**
 * When this irsa-check process started: a use of the role after it is this run's own proof
 * (the pod-less AssumeRoleWithWebIdentity, session irsa-check-<ms>; the Jobs), not the pods'.
 */
const PROCESS_START_MS = Math.floor(performance.timeOrigin);

export type RoleUse =
  | { key: string; kind: 'not-judged' }
  | { key: string; kind: 'error'; error: unknown }
  | {
      key: string;
      kind: 'role';
      starts: number[];
      role: Pick<IamRole, 'name' | 'lastUsedDate'>;
      /** The role's ARN and how the pods get it, for the lines (platform/pod-identity.ts roleWords). */
      arn?: string;
      mechanism?: MechanismName;
    };

export interface RoleInUseInput {
  /** In plan order. */
  components: RoleUse[];
  /** When the snapshot was taken, and when this irsa-check process started (ms). */
  now: number;
  runStartedMs: number;
}

export async function collectRoleInUse(
  ctx: ModuleContext<'plan' | 'roleArns', 'credentialSources'>,
): Promise<RoleInUseInput> {
  const plan = ctx.facts.plan.filter((c) => ctx.facts.roleArns.has(c.key));
  const base = { now: Date.now(), runStartedMs: PROCESS_START_MS };
  if (plan.length === 0) return { components: [], ...base };
  // An error listing the pods is the module's (the dispatcher reports it), as before the split.
  // credentialSources comes with roleArns (the service-accounts module provides both): no wait.
  const [pods, sources] = await Promise.all([
    ctx.kube.pods(ctx.scope.namespace),
    ctx.use('credentialSources'),
  ]);
  const components = await Promise.all(
    plan.map(async (c): Promise<RoleUse> => {
      const arn = ctx.facts.roleArns.get(c.key)!;
      const name = parseRoleArn(arn)?.name;
      const starts = runningPodsOf(pods, c)
        .map((p) => Date.parse(p.startTime ?? ''))
        .filter((t) => !Number.isNaN(t));
      if (!name || starts.length === 0) return { key: c.key, kind: 'not-judged' };
      try {
        const role = await ctx.aws.role(name);
        // A missing role is the roles check's to report.
        if (!role) return { key: c.key, kind: 'not-judged' };
        return {
          key: c.key,
          kind: 'role',
          starts,
          role: { name: role.name, lastUsedDate: role.lastUsedDate },
          arn,
          mechanism: mechanismName(sources?.get(c.key)),
        };
      } catch (error) {
        return { key: c.key, kind: 'error', error };
      }
    }),
  );
  return { components, ...base };
}
