/**
 * Is the application using its role? IAM's RoleLastUsed (GetRole) is when any
 * principal last used the role. When it is older than the start of every running pod
 * of the component, nobody used the role since the pods started, so the application
 * has not either: it may be running on other credentials (the node role through IMDS,
 * static keys, another role) — a WARN. A use after the pods started proves nothing on
 * its own: any principal counts (an earlier irsa-check's Job or pod-less proof, another
 * cluster, a person with the role), and GetRole names no session. So it is only ever an
 * INFO that corroborates the real proofs (in-pod identity Jobs, injection proof), never
 * an OK; a use since this irsa-check process started is its own proof's, not counted.
 * IAM reports last use with a delay of up to about four hours and only within a 400-day
 * window (IAM user guide, "Viewing last accessed information"), so pods younger than
 * that are not judged.
 */
import { defineModule } from '../engine/module.js';
import { eachInOrder } from '../core/reporter.js';
import { parseRoleArn } from '../iam/arn.js';
import { runningPodsOf } from '../platform/component-pods.js';

/** How late IAM may report a use of the role. */
export const LAST_USED_LAG_MS = 4 * 60 * 60 * 1000;

/**
 * When this irsa-check process started: a use of the role after it is this run's own proof
 * (the pod-less AssumeRoleWithWebIdentity, session irsa-check-<ms>; the Jobs), not the pods'.
 */
const PROCESS_START_MS = Math.floor(performance.timeOrigin);

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
          if (lastUsed >= PROCESS_START_MS) {
            o.info(
              `role ${role.name} use not judged: its last recorded use (${role.lastUsedDate}) is this irsa-check run's own proof, not evidence about the application`,
            );
            return;
          }
          o.info(
            `role ${role.name} was last used at ${role.lastUsedDate}, after its pods started (${startedIso}): this corroborates, but does not prove, that the application uses it (IAM counts any principal's use: an earlier irsa-check, another cluster); the in-pod identity and injection proofs are the proof`,
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
