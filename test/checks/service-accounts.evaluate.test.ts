/**
 * The service-accounts evaluator as a table (valid / invalid snapshots → exact lines, as
 * RuleTester), no cluster: the ServiceAccount's eks.amazonaws.com/role-arn annotation (EKS user
 * guide, "Assign IAM roles to Kubernetes service accounts"), the pods' injected AWS_ROLE_ARN /
 * AWS_WEB_IDENTITY_TOKEN_FILE (aws/amazon-eks-pod-identity-webhook, pkg/handler), and static keys,
 * which the SDKs' default credential chains read before web identity.
 */
import { describe, expect, it } from 'vitest';
import { serviceAccounts } from '../../src/checks/service-accounts.js';
import type { ComponentSnapshot, ServiceAccountsInput } from '../../src/collectors/service-accounts.js';
import type { PlannedComponent } from '../../src/engine/facts.js';
import { Values } from '../../src/helm/values.js';
import { ApiCallError } from '../../src/core/errors.js';
import type { KubePod, KubeServiceAccount } from '../../src/ports/kube.js';
import { evaluate } from '../support/evaluate.js';

const ROLE = 'arn:aws:iam::123456789012:role/camunda-zeebe-irsa';
const TOKEN_FILE = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';

const zeebe: PlannedComponent = {
  key: 'orchestration',
  pg: false,
  os: true,
  serviceAccount: {
    enabled: true,
    name: 'camunda-zeebe',
    how: 'generated',
    annotations: {},
    settingsPaths: ['orchestration.serviceAccount'],
  },
};

function account(annotations: Record<string, string>): KubeServiceAccount {
  return { name: 'camunda-zeebe', namespace: 'camunda', annotations, labels: {} };
}

function pod(env: Record<string, string>, over: Partial<KubePod> = {}): KubePod {
  return {
    name: 'camunda-zeebe-0',
    namespace: 'camunda',
    labels: {},
    serviceAccountName: 'camunda-zeebe',
    phase: 'Running',
    containers: [
      { name: 'orchestration', env: Object.entries(env).map(([name, value]) => ({ name, value })) },
    ],
    projectedTokenAudiences: ['sts.amazonaws.com'],
    ...over,
  };
}

const injected = { AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: TOKEN_FILE };

function input(snapshot: ComponentSnapshot, component = zeebe): ServiceAccountsInput {
  return {
    namespace: 'camunda',
    plan: [component],
    values: new Values({}, {}),
    valuesGiven: false,
    offline: false,
    noCluster: false,
    associations: undefined,
    components: new Map([[component.key, snapshot]]),
  };
}

const read = (sa: KubeServiceAccount | undefined, pods: KubePod[] = []): ComponentSnapshot => ({
  kind: 'read',
  account: sa,
  pods,
  envSources: new Map(),
});

describe('service-accounts evaluator', () => {
  it.each<[string, ServiceAccountsInput, string[]]>([
    [
      'annotated, pod injected with the same role',
      input(read(account({ 'eks.amazonaws.com/role-arn': ROLE }), [pod(injected)])),
      [
        `OK sa-annotation orchestration: service account camunda-zeebe is annotated with role ${ROLE}`,
        `OK pod-injection orchestration: 1 running pod(s) carry the injected role ${ROLE}`,
      ],
    ],
    [
      'annotated, no running pod: injection not checked, said',
      input(read(account({ 'eks.amazonaws.com/role-arn': ROLE }), [])),
      [
        `OK sa-annotation orchestration: service account camunda-zeebe is annotated with role ${ROLE}`,
        'INFO orchestration: no running pods use service account camunda-zeebe: IRSA injection not checked',
      ],
    ],
  ])('valid: %s', (_name, given, lines) => {
    const result = evaluate(serviceAccounts, given);
    expect(result.lines).toEqual(lines);
    expect(result.provided.roleArns).toEqual(new Map([['orchestration', ROLE]]));
  });

  it.each<[string, ServiceAccountsInput, string[]]>([
    [
      'the ServiceAccount does not exist',
      input(read(undefined)),
      ['FAIL sa-exists orchestration: service account camunda-zeebe does not exist in namespace camunda'],
    ],
    [
      'no role-arn annotation',
      input(read(account({}))),
      [
        'FAIL sa-annotation orchestration: service account camunda-zeebe has no eks.amazonaws.com/role-arn annotation',
      ],
    ],
    [
      'an empty annotation',
      input(read(account({ 'eks.amazonaws.com/role-arn': ' ' }))),
      [
        'FAIL sa-role-empty orchestration: service account camunda-zeebe has an empty eks.amazonaws.com/role-arn annotation: role checks skipped',
      ],
    ],
    [
      'a pod started before the annotation',
      input(read(account({ 'eks.amazonaws.com/role-arn': ROLE }), [pod({})])),
      [
        `OK sa-annotation orchestration: service account camunda-zeebe is annotated with role ${ROLE}`,
        'FAIL pod-injection orchestration: pod camunda-zeebe-0 has no AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE: it started before the role annotation was added',
      ],
    ],
    [
      'static keys in the pod env',
      input(
        read(account({ 'eks.amazonaws.com/role-arn': ROLE }), [
          pod({ ...injected, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' }),
        ]),
      ),
      [
        'FAIL sa-static-keys orchestration: static AWS keys (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) are set in pod camunda-zeebe-0: they override IRSA, even when empty',
        `OK sa-annotation orchestration: service account camunda-zeebe is annotated with role ${ROLE}`,
        `OK pod-injection orchestration: 1 running pod(s) carry the injected role ${ROLE}`,
      ],
    ],
    [
      'an envFrom Secret whose keys cannot be read: said, never taken as "no static keys"',
      input({
        kind: 'read',
        account: account({ 'eks.amazonaws.com/role-arn': ROLE }),
        pods: [
          pod(injected, {
            containers: [
              {
                name: 'orchestration',
                env: Object.entries(injected).map(([name, value]) => ({ name, value })),
                envFrom: [{ kind: 'Secret', name: 'aws-creds' }],
              },
            ],
          }),
        ],
        envSources: new Map([
          [
            'Secret/aws-creds',
            {
              error: new ApiCallError(
                'kube',
                'get secrets',
                'Forbidden',
                'secrets "aws-creds" is forbidden: User "ro" cannot get resource "secrets"',
                403,
              ),
            },
          ],
        ]),
      }),
      [
        'INFO orchestration: the keys of Secret/aws-creds (envFrom) cannot be read (Forbidden): static AWS keys from it are not checked; grant get on secrets in namespace camunda (README, "Permissions")',
        `OK sa-annotation orchestration: service account camunda-zeebe is annotated with role ${ROLE}`,
        `OK pod-injection orchestration: 1 running pod(s) carry the injected role ${ROLE}`,
      ],
    ],
    [
      'an envFrom ConfigMap whose read failed with a 500: irsa-check could not ask (exit 2), never "no keys"',
      input({
        kind: 'read',
        account: account({ 'eks.amazonaws.com/role-arn': ROLE }),
        pods: [
          pod(injected, {
            containers: [
              {
                name: 'orchestration',
                env: Object.entries(injected).map(([name, value]) => ({ name, value })),
                envFrom: [{ kind: 'ConfigMap', name: 'aws-env' }],
              },
            ],
          }),
        ],
        envSources: new Map([
          [
            'ConfigMap/aws-env',
            {
              error: new ApiCallError(
                'kube',
                'get configmaps',
                'InternalError',
                'Internal error occurred: etcd leader changed',
                500,
              ),
            },
          ],
        ]),
      }),
      [
        'FAIL cannot-ask orchestration: irsa-check cannot call get configmaps (InternalError): Internal error occurred: etcd leader changed',
        `OK sa-annotation orchestration: service account camunda-zeebe is annotated with role ${ROLE}`,
        `OK pod-injection orchestration: 1 running pod(s) carry the injected role ${ROLE}`,
      ],
    ],
    [
      'the ServiceAccount could not be read: the component says so, nothing else',
      input({
        kind: 'error',
        error: new ApiCallError('kube', 'get serviceaccounts', 'Forbidden', 'forbidden', 403),
      }),
      [
        'FAIL cannot-ask orchestration: irsa-check cannot call get serviceaccounts (Forbidden): grant it, see README "Permissions"',
      ],
    ],
  ])('invalid: %s', (_name, given, lines) => {
    expect(evaluate(serviceAccounts, given).lines).toEqual(lines);
  });

  it('an envFrom Secret whose read timed out: the connectivity FAIL (exit 3), not "no keys" and not an INFO', () => {
    const timeout = new ApiCallError('kube', 'get secrets', 'Timeout', 'no answer within 5 s');
    timeout.server = 'https://127.0.0.1:6443';
    const result = evaluate(
      serviceAccounts,
      input({
        kind: 'read',
        account: account({ 'eks.amazonaws.com/role-arn': ROLE }),
        pods: [
          pod(injected, {
            containers: [
              {
                name: 'orchestration',
                env: Object.entries(injected).map(([name, value]) => ({ name, value })),
                envFrom: [{ kind: 'Secret', name: 'aws-creds' }],
              },
            ],
          }),
        ],
        envSources: new Map([['Secret/aws-creds', { error: timeout }]]),
      }),
    );
    expect(result.lines).toEqual([
      'FAIL kube-timeout: the Kubernetes API server at https://127.0.0.1:6443 did not answer get secrets: no answer within 5 s',
    ]);
    expect(result.fatal?.code).toBe(3);
  });

  it('the service account switched off: one FAIL, nothing read', () => {
    const off: PlannedComponent = { ...zeebe, serviceAccount: { ...zeebe.serviceAccount, enabled: false } };
    const result = evaluate(serviceAccounts, input({ kind: 'not-read' }, off));
    expect(result.lines).toEqual([
      'FAIL sa-enabled orchestration: orchestration.serviceAccount.enabled is false: the chart creates no service account, so the pods run as "default"',
    ]);
    expect(result.provided.roleArns).toEqual(new Map());
  });

  it('offline (values-only, no cluster): the annotation as the chart renders it', () => {
    const rendered: PlannedComponent = {
      ...zeebe,
      serviceAccount: { ...zeebe.serviceAccount, annotations: { 'eks.amazonaws.com/role-arn': ROLE } },
    };
    const given = {
      ...input({ kind: 'not-read' }, rendered),
      offline: true,
      noCluster: true,
      components: new Map(),
    };
    expect(evaluate(serviceAccounts, given).lines).toEqual([
      'INFO: skipped: needs the Kubernetes cluster for the pods; the service accounts are checked as the chart renders them',
      `OK sa-annotation orchestration: service account camunda-zeebe (as the chart renders it) is annotated with role ${ROLE}`,
    ]);
  });
});
