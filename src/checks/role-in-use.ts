/**
 * Is the application using its role? IAM's RoleLastUsed (GetRole) is when any
 * principal last used the role. When it is older than the start of every running pod
 * of the component, the application has not used its role since it started, so it may
 * be running on other credentials (the node role through IMDS, static keys, another
 * role). IAM reports last use with a delay of up to about four hours and only within a
 * 400-day window (IAM user guide, "Viewing last accessed information"), so pods younger
 * than that are not judged.
 */
import { defineModule } from '../engine/module.js';
import { eachInOrder } from '../core/reporter.js';
import { parseRoleArn } from '../iam/arn.js';
import { runningPodsOf } from '../platform/component-pods.js';

/** How late IAM may report a use of the role. */
export const LAST_USED_LAG_MS = 4 * 60 * 60 * 1000;

export const roleInUse = defineModule({
  id: 'role-in-use',
  title: 'Role in use by the application',
  needs: ['plan', 'roleArns'],
  checks: {
    'role-not-used': {
      severity: 'WARN',
      title:
        'the role was not used since the component’s pods started: the application may run on other credentials',
      fix: "Check the application's logs and its AWS SDK's credential chain (static keys, the node role through IMDS, another role).",
    },
  },
  async run(ctx, out) {
    const plan = ctx.facts.plan.filter((c) => ctx.facts.roleArns.has(c.key));
    if (plan.length === 0) return;
    const pods = await ctx.kube.pods(ctx.scope.namespace);
    const now = Date.now();
    await eachInOrder(
      plan,
      out,
      (c) => c.key,
      async (c, o) => {
        const arn = ctx.facts.roleArns.get(c.key)!;
        const name = parseRoleArn(arn)?.name;
        const starts = runningPodsOf(pods, c)
          .map((p) => Date.parse(p.startTime ?? ''))
          .filter((t) => !Number.isNaN(t));
        if (!name || starts.length === 0) return;
        const role = await ctx.aws.role(name);
        if (!role) return; // the roles check reports a missing role
        const started = Math.min(...starts);
        const startedIso = new Date(started).toISOString();
        const lastUsed = role.lastUsedDate ? Date.parse(role.lastUsedDate) : undefined;
        if (lastUsed !== undefined && lastUsed >= started) {
          o.ok(
            'role-not-used',
            `role ${role.name} was last used at ${role.lastUsedDate}, after its pods started (${startedIso})`,
          );
          return;
        }
        if (now - started < LAST_USED_LAG_MS) {
          o.info(
            `role ${role.name} use not judged: its pods started at ${startedIso}, less than 4 hours ago (IAM reports last use late)`,
          );
          return;
        }
        const when = role.lastUsedDate ? `was last used at ${role.lastUsedDate}` : 'has no recorded use';
        o.warn(
          'role-not-used',
          `role ${role.name} ${when}, before its pods started (${startedIso}): the application has not used its role since it started and may run on other credentials (node role, static keys); check its logs and its AWS SDK's credential chain`,
        );
      },
    );
  },
});
