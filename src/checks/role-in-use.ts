/**
 * Is the application using its role? IAM's RoleLastUsed (GetRole) is when any
 * principal last used the role. When it is older than the start of every running pod
 * of the component, nobody used the role since the pods started, so the application
 * has not either: it may be running on other credentials (the node role through IMDS,
 * static keys, another role) — a WARN. A use after the pods started proves nothing on
 * its own: any principal counts (an earlier irsa-check's Job or pod-less proof, another
 * cluster, a person with the role). So it is only ever an INFO that corroborates the real
 * proofs (in-pod identity Jobs, injection proof), never an OK.
 *
 * irsa-check's own uses are excluded where it can tell them: a use since this process started
 * is this run's proof. Earlier runs cannot be told apart: GetRole names no session, and only
 * CloudTrail's AssumeRoleWithWebIdentity events carry the session name (irsa-check's pod-less proof
 * uses `irsa-check-<ms>`, its Jobs the SDK's `botocore-session-…` like any pod), which would need
 * cloudtrail:LookupEvents, a trail in the role's Region and minutes of delivery delay, and which
 * moto, the tests' AWS, does not record. Hence INFO only.
 *
 * IAM reports last use with a delay of up to about four hours and only within a 400-day
 * window (IAM user guide, "Viewing last accessed information"), so pods younger than
 * that are not judged.
 */
import { defineModule } from '../engine/module.js';
import { collectRoleInUse } from '../collectors/role-in-use.js';
import { roleWords } from '../platform/pod-identity.js';

/** How late IAM may report a use of the role. */
export const LAST_USED_LAG_MS = 4 * 60 * 60 * 1000;

export const roleInUse = defineModule({
  id: 'role-in-use',
  title: 'Role in use by the application',
  needs: ['plan', 'roleArns'],
  uses: ['credentialSources'],
  checks: {
    'role-not-used': {
      severity: 'WARN',
      title:
        'the role was not used since the component’s pods started: the application may run on other credentials',
      fix: "Check the application's logs and its AWS SDK's credential chain (static keys, the node role through IMDS, another role).",
    },
  },
  collect: collectRoleInUse,
  evaluate(input, out) {
    const { now, runStartedMs } = input;
    for (const c of input.components) {
      const o = out.forComponent(c.key);
      if (c.kind === 'not-judged') continue;
      if (c.kind === 'error') {
        o.unexpected(c.error);
        continue;
      }
      const { role } = c;
      // The mechanism and account in the line (issue 17), when the collector knew them.
      const who = c.arn ? roleWords(c.arn, c.mechanism ?? 'IRSA') : `role ${role.name}`;
      const started = Math.min(...c.starts);
      const startedIso = new Date(started).toISOString();
      const lastUsed = role.lastUsedDate ? Date.parse(role.lastUsedDate) : undefined;
      if (lastUsed !== undefined && lastUsed >= started) {
        if (lastUsed >= runStartedMs) {
          o.info(
            `${who} use not judged: its last recorded use (${role.lastUsedDate}) is this irsa-check run's own proof, not evidence about the application`,
          );
          continue;
        }
        o.info(
          `${who} was last used at ${role.lastUsedDate}, after its pods started (${startedIso}): this corroborates, but does not prove, that the application uses it (IAM counts any principal's use: an earlier irsa-check, another cluster); the in-pod identity and injection proofs are the proof`,
        );
        continue;
      }
      if (now - started < LAST_USED_LAG_MS) {
        o.info(
          `${who} use not judged: its pods started at ${startedIso}, less than 4 hours ago (IAM reports last use late)`,
        );
        continue;
      }
      const when = role.lastUsedDate ? `was last used at ${role.lastUsedDate}` : 'has no recorded use';
      o.warn(
        'role-not-used',
        `${who} ${when}, before its pods started (${startedIso}): the application has not used its role since it started and may run on other credentials (node role, static keys); check its logs and its AWS SDK's credential chain`,
      );
    }
  },
});
