/**
 * Issue 9 point 11: the ServiceAccount each component's pods run as, exactly as the chart renders
 * it (camundaPlatform.serviceAccountName in templates/common/_helpers.tpl, 8.8+; templates/camunda/
 * _helpers.tpl, 8.6/8.7; Bitnami common.names.serviceAccountName for Keycloak), and what the
 * service-accounts module concludes from it.
 */
import { describe, expect, it } from 'vitest';
import { profileFor, parseChartVersion, serviceAccountFor, componentEnabled } from '../../src/helm/chart.js';
import { Values } from '../../src/helm/values.js';
import { ApiCallError } from '../../src/core/errors.js';
import { put, variant, W87, W88, W89 } from '../support/values-worlds.js';
import { runWorld, type WorldModel } from '../support/world.js';

const profile = (v: string) => profileFor(parseChartVersion(v)!);
const ROLE = 'arn:aws:iam::123456789012:role/camunda-identity-irsa';

/** The world with identity's chart-made SA replaced by an externally created one. */
function externalSa(base: WorldModel, annotated: boolean, create = true): WorldModel {
  return variant(base, (values, w) => {
    put(values, 'identity.serviceAccount', { enabled: false, name: 'platform-identity' });
    const sas = w.kube.serviceAccounts!;
    sas.splice(
      sas.findIndex((s) => s.name === 'camunda-identity'),
      1,
    );
    if (create)
      sas.push({
        name: 'platform-identity',
        namespace: 'camunda',
        labels: {},
        annotations: annotated ? { 'eks.amazonaws.com/role-arn': ROLE } : {},
      });
    for (const p of w.kube.pods ?? [])
      if (p.serviceAccountName === 'camunda-identity') p.serviceAccountName = 'platform-identity';
  });
}

describe('serviceAccount.enabled: false with a name (camundaPlatform.serviceAccountName: `.name | default "default"`)', () => {
  it.each([
    ['8.6', '11.12.3'],
    ['8.7', '12.13.3'],
    ['8.8', '13.12.7'],
    ['8.9', '14.8.4'],
    ['8.10', '15.0.0'],
  ])('Camunda %s: the pods run as the named ServiceAccount, not "default"', (_c, version) => {
    const p = profile(version);
    const values = new Values(
      {},
      { identity: { serviceAccount: { enabled: false, name: 'platform-identity' } } },
    );
    expect(serviceAccountFor(p, values, 'camunda', 'identity')).toMatchObject({
      enabled: false,
      name: 'platform-identity',
      how: 'values',
    });
    const none = new Values({}, { identity: { serviceAccount: { enabled: false } } });
    expect(serviceAccountFor(p, none, 'camunda', 'identity')).toMatchObject({
      name: 'default',
      how: 'default',
    });
  });

  it.each([
    ['8.7', W87],
    ['8.8', W88],
    ['8.9', W89],
  ])(
    'Camunda %s: the external SA, its annotation and role are checked; no "pods run as default"',
    async (_c, base) => {
      const run = await runWorld(externalSa(base, true), { pg: ['identity'], os: [] });
      expect(run.lines('plan')).toContain(
        '[INFO] identity: service account platform-identity (from values, created outside the chart)',
      );
      const sa = run.lines('service-accounts');
      expect(sa.some((l) => l.includes('"default"'))).toBe(false);
      expect(sa).toContain(`[OK] identity: service account platform-identity is annotated with role ${ROLE}`);
    },
  );

  it('the external SA missing: one FAIL naming it and that the chart does not create it', async () => {
    const run = await runWorld(externalSa(W88, true, false), { pg: ['identity'], os: [] });
    expect(run.fails('service-accounts').map((f) => [f.check, f.message, f.fix])).toEqual([
      [
        'sa-exists',
        'service account platform-identity does not exist in namespace camunda: with identity.serviceAccount.enabled: false the chart does not create it, and the pods run as it',
        'Create service account platform-identity in namespace camunda (annotated with eks.amazonaws.com/role-arn), or set identity.serviceAccount.enabled: true.',
      ],
    ]);
  });

  it('the external SA not annotated: the fix annotates it, not the chart values', async () => {
    const run = await runWorld(externalSa(W88, false), { pg: ['identity'], os: [] });
    expect(run.fails('service-accounts').map((f) => [f.check, f.message, f.fix])).toEqual([
      [
        'sa-annotation',
        'service account platform-identity has no eks.amazonaws.com/role-arn annotation',
        "Annotate service account platform-identity (created outside the chart) with eks.amazonaws.com/role-arn: <the component's IAM role ARN>.",
      ],
    ]);
  });

  it('switch off without a name still fails: the pods run as "default"', async () => {
    const w = variant(W88, (values) => put(values, 'identity.serviceAccount', { enabled: false }));
    const run = await runWorld(w, { pg: ['identity'], os: [] });
    expect(run.fails('service-accounts').map((f) => f.message)).toEqual([
      'identity.serviceAccount.enabled is false: the chart creates no service account, so the pods run as "default"',
    ]);
  });
});

describe('Keycloak subchart: common.names.fullname cleans the release name (Bitnami Keycloak 24.x)', () => {
  it.each([
    ['11.12.3', 'camunda.prod-keycloak'], // 8.6: Keycloak 22.2.6, the release name as is
    ['12.13.3', 'camunda-prod-keycloak'], // 8.7: Keycloak 24.x
    ['13.12.7', 'camunda-prod-keycloak'],
    ['14.8.4', 'camunda-prod-keycloak'],
  ])('chart %s: %s', (version, name) => {
    expect(
      serviceAccountFor(profile(version), new Values({}, {}), 'camunda.prod', 'identityKeycloak').name,
    ).toBe(name);
  });
});

describe('8.6/8.7 have no values.schema.json: the string "false" is true for the templates', () => {
  const off = { identity: { enabled: 'false', serviceAccount: { enabled: 'false' } } };
  it.each(['11.12.3', '12.13.3'])(
    'chart %s: `{{ if "false" }}` renders the SA and the component',
    (version) => {
      const p = profile(version);
      const values = new Values({}, off);
      expect(serviceAccountFor(p, values, 'camunda', 'identity')).toMatchObject({
        enabled: true,
        name: 'camunda-identity',
        how: 'generated',
      });
      expect(componentEnabled(p, values, 'identity')).toBe(true);
    },
  );
  it.each(['13.12.7', '14.8.4'])('chart %s (schema-typed switches): "false" reads as false', (version) => {
    const p = profile(version);
    const values = new Values({}, off);
    expect(serviceAccountFor(p, values, 'camunda', 'identity')).toMatchObject({
      enabled: false,
      name: 'default',
    });
    expect(componentEnabled(p, values, 'identity')).toBe(false);
  });
  it('Chart.yaml conditions: Helm skips a non-boolean condition value, so the Keycloak subchart stays on (8.7)', () => {
    const p = profile('12.13.3');
    expect(
      componentEnabled(p, new Values({}, { identityKeycloak: { enabled: 'false' } }), 'identityKeycloak'),
    ).toBe(true);
    expect(
      componentEnabled(p, new Values({}, { identityKeycloak: { enabled: false } }), 'identityKeycloak'),
    ).toBe(false);
  });
});

describe('components with their own ServiceAccount that reach AWS', () => {
  it('executionIdentity (8.6/8.7: templates/execution-identity/serviceaccount.yaml) is a component with the generated name', () => {
    for (const version of ['11.12.3', '12.13.3']) {
      const p = profile(version);
      expect(serviceAccountFor(p, new Values({}, {}), 'camunda', 'executionIdentity').name).toBe(
        'camunda-execution-identity',
      );
    }
  });
});

describe('static credentials anywhere a pod can get them (sa-static-keys, sa-shared-credentials)', () => {
  const identityPod = (w: WorldModel) =>
    w.kube.pods!.find((p) => p.serviceAccountName === 'camunda-identity')!;
  const run = (w: WorldModel) => runWorld(w, { pg: ['identity'], os: [] });

  it('envFrom a Secret holding AWS_ACCESS_KEY_ID: named by key names only, never values', async () => {
    const w = variant(W88, (_v, world) => {
      const pod = identityPod(world);
      pod.containers[0]!.envFrom = [{ kind: 'Secret', name: 'legacy-aws' }];
      world.kube.envSources = [
        {
          kind: 'Secret',
          name: 'legacy-aws',
          namespace: 'camunda',
          keys: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
        },
      ];
    });
    const r = await run(w);
    expect(r.fails('service-accounts').map((f) => [f.check, f.message])).toEqual([
      [
        'sa-static-keys',
        `static AWS keys (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) are set in Secret legacy-aws (envFrom) of pod ${identityPod(w).name}: they override IRSA, even when empty`,
      ],
    ]);
  });

  it('envFrom with a prefix: AWS_ + ACCESS_KEY_ID is the same variable', async () => {
    const w = variant(W88, (_v, world) => {
      identityPod(world).containers[0]!.envFrom = [{ kind: 'ConfigMap', name: 'aws-env', prefix: 'AWS_' }];
      world.kube.envSources = [
        { kind: 'ConfigMap', name: 'aws-env', namespace: 'camunda', keys: ['ACCESS_KEY_ID'] },
      ];
    });
    expect((await run(w)).fails('service-accounts').map((f) => f.check)).toEqual(['sa-static-keys']);
  });

  it('an init container with static keys, a sidecar with AWS_PROFILE and a mounted .aws directory', async () => {
    const w = variant(W88, (_v, world) => {
      const pod = identityPod(world);
      pod.containers.unshift({
        name: 'fetch-certs',
        init: true,
        env: [{ name: 'AWS_ACCESS_KEY_ID', value: 'x' }],
      });
      pod.containers.push({
        name: 'log-shipper',
        env: [{ name: 'AWS_PROFILE', value: 'shipper' }],
        mountPaths: ['/root/.aws'],
      });
    });
    const r = await run(w);
    const name = identityPod(w).name;
    expect(r.lines('service-accounts').filter((l) => /^\[(FAIL|WARN)\]/.test(l))).toEqual([
      `[WARN] identity: the pods can read AWS credentials from a file: AWS_PROFILE in pod ${name} sidecar log-shipper, a volume mounted at /root/.aws in pod ${name} sidecar log-shipper; an SDK that reads the shared credentials file before web identity uses it instead of IRSA`,
      `[FAIL] identity: static AWS keys (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) are set in pod ${name} init container fetch-certs: they override IRSA, even when empty`,
    ]);
  });
});

describe('envFrom keys that cannot be read', () => {
  it('a Secret irsa-check may not read: an INFO, never taken as "no static keys"', async () => {
    const w = variant(W88, (_v, world) => {
      world.kube.pods!.find((p) => p.serviceAccountName === 'camunda-identity')!.containers[0]!.envFrom = [
        { kind: 'Secret', name: 'locked' },
      ];
    });
    const r = await runWorld(w, { pg: ['identity'], os: [] });
    // The in-memory world answers undefined for an unknown Secret (not found): nothing to report.
    expect(r.lines('service-accounts').filter((l) => l.includes('locked'))).toEqual([]);
    const denied = await runChecksDenied(w);
    expect(denied).toContain(
      '[INFO] identity: the keys of Secret/locked (envFrom) cannot be read (Forbidden): static AWS keys from it are not checked; grant get on secrets in namespace camunda (README, "Permissions")',
    );
  });
});

async function runChecksDenied(w: WorldModel): Promise<string[]> {
  const { runChecks } = await import('../support/module-run.js');
  const { release } = await import('../../src/checks/release.js');
  const { plan } = await import('../../src/checks/plan.js');
  const { serviceAccounts } = await import('../../src/checks/service-accounts.js');
  const r = await runChecks(w, [release, plan, serviceAccounts], {
    options: { pg: ['identity'], os: [] },
    kube: (kube) =>
      Object.assign(Object.create(kube) as typeof kube, {
        envSourceKeys: () =>
          Promise.reject(
            new ApiCallError(
              'kube',
              'get secrets',
              'Forbidden',
              'secrets "locked" is forbidden: User "ro" cannot get resource "secrets"',
              403,
            ),
          ),
      }),
  });
  return r.lines('service-accounts');
}
