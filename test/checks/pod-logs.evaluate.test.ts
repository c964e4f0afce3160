/**
 * The pod-logs evaluator as a table (snapshots of read logs → exact lines, as RuleTester): a
 * known IRSA or login error in the current instance's log is a FAIL with its fix; logged only
 * before the pod became Ready (timestamps=true dates it, Kubernetes API "read log of the
 * specified Pod"), or by a previous instance of a container that is ready now, it is an INFO;
 * quotes go through the redactor.
 */
import { describe, expect, it } from 'vitest';
import { podLogs } from '../../src/checks/pod-logs.js';
import type { ContainerLogs, PodLogs, ReadLog } from '../../src/collectors/pod-logs.js';
import { Redactor } from '../../src/core/redact.js';
import { ApiCallError } from '../../src/core/errors.js';
import type { KubePod } from '../../src/ports/kube.js';
import { evaluate } from '../support/evaluate.js';

const PAM = 'FATAL: PAM authentication failed for user "identity_irsa"';
const STS = 'WebIdentityErr: failed to retrieve credentials';

function log(...lines: string[]): ReadLog {
  const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  return { lines, lineCount: lines.length, bytes, cut: false };
}

const pod: KubePod = {
  name: 'camunda-identity-0',
  namespace: 'camunda',
  labels: {},
  serviceAccountName: 'camunda-identity',
  phase: 'Running',
  readySince: '2026-11-20T08:13:00Z',
  containers: [],
  projectedTokenAudiences: [],
};

function logs(...containers: ContainerLogs[]): { logs: PodLogs; redactor: Redactor; namespace: string } {
  return {
    logs: {
      kind: 'logs',
      components: [{ key: 'identity', logs: { kind: 'read', pods: [{ pod, containers }] } }],
    },
    redactor: new Redactor(),
    namespace: 'camunda',
  };
}

const identity = { name: 'identity', env: [], ready: true };

describe('pod-logs evaluator', () => {
  it.each<[string, ReturnType<typeof logs>, string[]]>([
    [
      'no known error in the lines read',
      logs({ container: identity, dated: false, current: log('INFO started', 'INFO ready') }),
      ['OK log-not-authorized-assume identity: no IRSA error in the newest 2 log line(s) (24 B) of 1 pod(s)'],
    ],
    [
      'an error logged before the pod became Ready, not since: recovered (INFO), and no FAIL',
      logs({
        container: identity,
        dated: true,
        current: log(`2026-11-20T08:12:50Z ${PAM}`, '2026-11-20T08:13:40Z INFO started'),
      }),
      [
        'INFO identity: the application logged that Aurora refused the IAM auth token of a database user granted rds_iam (PAM checks only those): the IAM side refused it, but only before its pod became ready or in a container instance that has since restarted, and it is ready now: an error it recovered from, not a verdict: camunda-identity-0 at 2026-11-20T08:12:50.000Z, before ready at 2026-11-20T08:13:00Z: "FATAL: PAM authentication failed for user "identity_irsa""',
        'OK log-not-authorized-assume identity: no IRSA error in the newest 2 log line(s) (113 B) of 1 pod(s)',
      ],
    ],
  ])('valid: %s', (_name, input, lines) => {
    expect(evaluate(podLogs, input).lines).toEqual(lines);
  });

  it.each<[string, ReturnType<typeof logs>, string[]]>([
    [
      'an error in the current log',
      logs({ container: identity, dated: false, current: log(STS) }),
      [
        'FAIL log-web-identity-error identity: the application logs that the SDK could not exchange the web identity token for credentials: camunda-identity-0: "WebIdentityErr: failed to retrieve credentials"',
      ],
    ],
    [
      'a previous instance of a container that is not ready: its error counts',
      logs({
        container: { ...identity, ready: false, restartCount: 3 },
        dated: false,
        current: log('INFO starting'),
        previous: log(PAM),
      }),
      [
        'FAIL log-pam-authentication-failed identity: the application logs that Aurora refused the IAM auth token of a database user granted rds_iam (PAM checks only those): the IAM side refused it: camunda-identity-0 (previous instance of identity, 3 restart(s)): "FATAL: PAM authentication failed for user "identity_irsa""',
      ],
    ],
  ])('invalid: %s', (_name, input, lines) => {
    expect(evaluate(podLogs, input).lines).toEqual(lines);
  });

  it('a quote is redacted with the secrets learnt from the values', () => {
    const input = logs({ container: identity, dated: false, current: log(`${STS} password=canary-Pw-991`) });
    input.redactor.learn({ identity: { password: 'canary-Pw-991' } });
    expect(evaluate(podLogs, input).lines[0]).toContain('password=***REDACTED***');
  });

  it('--no-logs or no component: nothing; a log RBAC refuses: that component says what is not searched and the grant (INFO, never OK); any other error: cannot-ask', () => {
    expect(
      evaluate(podLogs, { logs: { kind: 'not-applicable' }, redactor: new Redactor(), namespace: 'camunda' })
        .lines,
    ).toEqual([]);
    const failing = (error: ApiCallError) => ({
      logs: { kind: 'logs', components: [{ key: 'identity', logs: { kind: 'error', error } }] } as PodLogs,
      redactor: new Redactor(),
      namespace: 'camunda',
    });
    expect(
      evaluate(podLogs, failing(new ApiCallError('kube', 'get pods/log', 'Forbidden', 'forbidden', 403)))
        .lines,
    ).toEqual([
      'INFO identity: cannot get pods/log (Forbidden): its logs are not searched for IRSA errors; grant get on pods/log in namespace camunda (README, "Permissions")',
    ]);
    expect(
      evaluate(podLogs, failing(new ApiCallError('kube', 'get pods/log', 'InternalError', 'boom', 500)))
        .lines,
    ).toEqual(['FAIL cannot-ask identity: irsa-check cannot call get pods/log (InternalError): boom']);
  });
});
