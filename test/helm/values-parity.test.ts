/**
 * Issue 16, values-only parity: every fixture world of 8.6–8.10 runs in three modes — live (the
 * in-memory cluster and AWS), values-only offline (no kubeconfig, no AWS credentials) and values +
 * AWS (no kubeconfig, AWS and --cluster-name) — over the same dispatcher and evaluators. Healthy
 * worlds pass in all three; a planted fault visible in a mode is reported there with the same check
 * ID as live, and a values-only run reports no FAIL the live run does not.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import { runValuesOnly } from '../support/values-only-runs.js';
import { cloneWorld, loadWorld, runWorld, type WorldModel, type WorldRun } from '../support/world.js';
import { put, user, W86, W87, W88, W89, W810, type Tree } from '../support/values-worlds.js';

const ROLE = 'eks.amazonaws.com/role-arn';
const AWS_OPTS = { clusterName: 'camunda-prod', region: 'eu-west-1' };

type Mode = 'live' | 'offline' | 'values+aws';
const MODES: Mode[] = ['live', 'offline', 'values+aws'];

function runIn(world: WorldModel, mode: Mode): Promise<WorldRun> {
  return mode === 'live' ? runWorld(world, AWS_OPTS) : runValuesOnly(world, mode, AWS_OPTS);
}

const failIds = (r: WorldRun) =>
  [...new Set(r.findings.filter((f: Finding) => f.level === 'FAIL' && f.check).map((f) => f.check!))].sort();

const WORLDS: [string, WorldModel][] = [
  ['8.6', W86],
  ['8.7', W87],
  ['8.8', W88],
  ['8.9', W89],
  ['8.10', W810],
];

/** identity's ServiceAccount annotations in the values and on the live object. */
function identitySa(w: WorldModel): { values: Tree; live: Record<string, string> } {
  const id = user(w).identity as Tree;
  const sa = (id.serviceAccount ??= {}) as Tree;
  const values = (sa.annotations ??= {}) as Tree;
  const live = w.kube.serviceAccounts!.find((s) => s.name === 'camunda-identity')!.annotations;
  return { values, live };
}

function setIdentityRole(w: WorldModel, arn: string | undefined): void {
  const { values, live } = identitySa(w);
  if (arn === undefined) {
    delete values[ROLE];
    delete live[ROLE];
  } else {
    values[ROLE] = arn;
    live[ROLE] = arn;
  }
}

interface Fault {
  name: string;
  plant: (w: WorldModel) => void;
  id: string;
  /** The modes that can see it (live always can). */
  visible: Mode[];
}

const FAULTS: Fault[] = [
  {
    name: 'identity’s role-arn annotation removed',
    plant: (w) => setIdentityRole(w, undefined),
    id: 'sa-annotation',
    visible: MODES,
  },
  {
    name: 'identity’s role ARN malformed (a colon missing)',
    plant: (w) => setIdentityRole(w, 'arn:aws:iam:123456789012:role/camunda-identity-irsa'),
    id: 'sa-role-arn',
    visible: MODES,
  },
  {
    name: 'static AWS keys in identity’s env',
    plant: (w) => {
      const id = user(w).identity as Tree;
      id.env = [...((id.env as unknown[]) ?? []), { name: 'AWS_ACCESS_KEY_ID', value: '' }];
      for (const p of w.kube.pods ?? [])
        if (p.serviceAccountName === 'camunda-identity')
          p.containers[0]!.env.push({ name: 'AWS_ACCESS_KEY_ID', value: '' });
    },
    id: 'sa-static-keys',
    visible: MODES,
  },
  {
    name: 'identity annotated with another component’s role',
    plant: (w) => {
      const other = w.kube.serviceAccounts!.find(
        (s) => s.name !== 'camunda-identity' && s.annotations[ROLE],
      )!;
      setIdentityRole(w, other.annotations[ROLE]);
    },
    id: 'trust-sub',
    visible: ['live', 'values+aws'],
  },
  {
    name: 'identity’s role trusts another cluster’s OIDC provider',
    plant: (w) => {
      const role = w.aws.roles!.find((r) => r.name === 'camunda-identity-irsa')!;
      role.trustPolicy = JSON.parse(
        JSON.stringify(role.trustPolicy).replaceAll(
          '5C9F1A2B3D4E5F60718293A4B5C6D7E8',
          '0000AAAABBBBCCCCDDDDEEEEFFFF1111',
        ),
      );
    },
    id: 'trust-this-provider',
    visible: ['live', 'values+aws'],
  },
  {
    name: 'no IAM OIDC provider for the cluster’s issuer',
    plant: (w) => {
      w.aws.oidcProviders = [];
    },
    id: 'oidc-provider',
    visible: ['live', 'values+aws'],
  },
  // The values modules (database-values, opensearch-values): the same pure evaluator judges the
  // release's values live and the values file offline, so every mode sees these.
  {
    name: 'identity’s JDBC URL without wrapperPlugins=iam (database-values)',
    plant: (w) => {
      const id = user(w).identity as Tree;
      id.env = ((id.env as Array<{ name: string; value?: string }>) ?? []).map((e) =>
        e.name === 'SPRING_DATASOURCE_URL' && e.value
          ? { ...e, value: e.value.replace(/wrapperPlugins=iam&?/, '') }
          : e,
      );
    },
    id: 'identity-db-env',
    visible: MODES,
  },
  {
    name: 'OpenSearch requests not signed with the IRSA credentials (opensearch-values)',
    plant: (w) => {
      const u = user(w);
      put(u, 'global.opensearch.aws.enabled', false);
      // 8.9+: each component's own switch, read with the global one (helm/chart/opensearch.ts).
      for (const key of [
        'orchestration.data.secondaryStorage.opensearch.aws.enabled',
        'optimize.database.opensearch.aws.enabled',
      ])
        if (hasPath(u, key)) put(u, key, false);
    },
    id: 'os-aws-signing',
    visible: MODES,
  },
];

function hasPath(tree: Tree, path: string): boolean {
  let node: unknown = tree;
  for (const k of path.split('.')) {
    if (typeof node !== 'object' || node === null || !(k in node)) return false;
    node = (node as Tree)[k];
  }
  return true;
}

describe.each(WORLDS)('Camunda %s fixture world in three modes', (_v, base) => {
  it.each(MODES)('healthy: no FAIL, exit 0 (%s)', async (mode) => {
    const r = await runIn(cloneWorld(base), mode);
    expect(failIds(r)).toEqual([]);
    expect(r.exitCode).toBe(0);
  });

  it.each(FAULTS)('$name: the live check ID in every mode that can see it', async (fault) => {
    const world = cloneWorld(base);
    fault.plant(world);
    const live = await runIn(world, 'live');
    expect(failIds(live)).toContain(fault.id);
    for (const mode of ['offline', 'values+aws'] as const) {
      const r = await runIn(world, mode);
      if (fault.visible.includes(mode)) {
        expect(failIds(r), mode).toContain(fault.id);
        expect(r.exitCode, mode).not.toBe(0);
      }
      // No false alarm: whatever a values-only run fails, the live run fails too.
      for (const id of failIds(r)) expect(failIds(live), `${mode}: ${id}`).toContain(id);
    }
  });
});

describe('values-only offline: what the user sees for the ServiceAccounts the chart renders', () => {
  it('missing annotation, malformed ARN, static keys and a shared credentials file in a sidecar: exact lines', async () => {
    const w = cloneWorld(W88);
    const u = user(w) as Record<string, Tree>;
    delete ((u.identity!.serviceAccount as Tree).annotations as Tree)[ROLE];
    ((u.optimize!.serviceAccount as Tree).annotations as Tree)[ROLE] =
      'arn:aws:iam:123456789012:role/camunda-optimize-irsa';
    u.orchestration!.env = [{ name: 'AWS_SECRET_ACCESS_KEY', value: '' }];
    u.orchestration!.sidecars = [
      {
        name: 'proxy',
        env: [{ name: 'AWS_PROFILE', value: 'p' }],
        envFrom: [{ secretRef: { name: 'aws-creds' } }],
      },
    ];
    const r = await runValuesOnly(w, 'offline');
    expect(r.lines('service-accounts')).toEqual([
      '[INFO] skipped: needs the Kubernetes cluster for the pods; the service accounts are checked as the chart renders them',
      '[OK] identityKeycloak: service account camunda-keycloak (as the chart renders it) is annotated with role arn:aws:iam::123456789012:role/camunda-keycloak-irsa',
      '[FAIL] identity: service account camunda-identity (as the chart renders it) has no eks.amazonaws.com/role-arn annotation',
      '[OK] webModeler: service account camunda-web-modeler (as the chart renders it) is annotated with role arn:aws:iam::123456789012:role/camunda-web-modeler-irsa',
      '[WARN] orchestration: the pods can read AWS credentials from a file: AWS_PROFILE in values orchestration.sidecars[0].env; an SDK that reads the shared credentials file before web identity uses it instead of IRSA',
      '[INFO] orchestration: Secret aws-creds (orchestration.sidecars[0].envFrom) is read only in the cluster: static AWS keys from it are not checked',
      '[FAIL] orchestration: static AWS keys (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) are set in values orchestration.env: they override IRSA, even when empty',
      '[OK] orchestration: service account camunda-zeebe (as the chart renders it) is annotated with role arn:aws:iam::123456789012:role/camunda-orchestration-irsa',
      '[FAIL] optimize: the eks.amazonaws.com/role-arn annotation "arn:aws:iam:123456789012:role/camunda-optimize-irsa" of service account camunda-optimize (as the chart renders it) is not a role ARN: a role ARN must have the form arn:<partition>:iam::<account>:role/<name>',
    ]);
    expect(r.exitCode).toBe(224);
  });

  it('the deprecated extraInitContainers (rendered only while initContainers is empty) and Keycloak’s extraEnvVarsSecret', async () => {
    // camunda-platform-8.8 templates/orchestration/statefulset.yaml:
    // `coalesce .Values.orchestration.initContainers .Values.orchestration.extraInitContainers`;
    // Bitnami keycloak templates/statefulset.yaml: envFrom secretRef .Values.extraEnvVarsSecret.
    const w = cloneWorld(W88);
    const u = user(w) as Record<string, Tree>;
    u.orchestration!.extraInitContainers = [
      { name: 'exporter', image: 'busybox', env: [{ name: 'AWS_ACCESS_KEY_ID', value: '' }] },
    ];
    u.identityKeycloak!.extraEnvVarsSecret = 'keycloak-env';
    const r = await runValuesOnly(w, 'offline');
    const lines = r.lines('service-accounts');
    expect(
      lines.filter((l) => l.includes('extraInitContainers') || l.includes('extraEnvVarsSecret')),
    ).toEqual([
      // The redactor hides values of keys named like a secret; the path still says where to look.
      '[INFO] identityKeycloak: Secret ***REDACTED*** (identityKeycloak.extraEnvVarsSecret) is read only in the cluster: static AWS keys from it are not checked',
      '[FAIL] orchestration: static AWS keys (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) are set in values orchestration.extraInitContainers[0].env: they override IRSA, even when empty',
    ]);
    // The live run reads the same values: the same check ID.
    expect(failIds(await runIn(cloneWorld(w), 'live'))).toContain('sa-static-keys');

    // With initContainers set, the chart renders those and ignores extraInitContainers: no FAIL.
    u.orchestration!.initContainers = [{ name: 'wait', image: 'busybox' }];
    const shadowed = await runValuesOnly(w, 'offline');
    expect(failIds(shadowed)).toEqual([]);
  });

  it('a ServiceAccount created outside the chart cannot be seen offline: one INFO, never OK or FAIL', async () => {
    const r = await runValuesOnly(loadWorld('camunda-8.8-external-service-account.yaml'), 'offline');
    const identity = r.findings.filter((f) => f.module === 'service-accounts' && f.component === 'identity');
    expect(identity.map((f) => `[${f.level}] ${f.message}`)).toEqual([
      '[INFO] service account platform-identity is created outside the chart: without the cluster its annotation cannot be seen, so it is not checked (role checks skipped)',
    ]);
    expect(r.exitCode).toBe(0);
  });

  it('the document store’s static keys are reported from the values alone, with the live check ID', async () => {
    const world = loadWorld('camunda-8.9-document-store-static-keys.yaml');
    for (const mode of ['live', 'offline'] as const) {
      const r = await runIn(cloneWorld(world), mode);
      expect(failIds(r), mode).toContain('docstore-static-keys');
      expect(r.exitCode, mode).not.toBe(0);
    }
  });
});

/**
 * Every fixture world the suite has (fixtures/worlds/), not only the five above: each runs in the
 * three modes; a world healthy live is healthy in all three, and a values-only run fails nothing
 * the live run does not. The faults a world carries are listed with the modes that can see them.
 */
const WORLD_FILES = readdirSync(new URL('../../fixtures/worlds/', import.meta.url)).filter((f) =>
  f.endsWith('.yaml'),
);

/** Worlds with a planted fault: the check IDs live reports, and which modes can see them. */
const FAULTY_WORLDS: Record<string, { ids: string[]; visible: Mode[] }> = {
  'camunda-8.9-document-store-static-keys.yaml': { ids: ['docstore-static-keys'], visible: MODES },
};

describe('every fixture world in three modes', () => {
  it('the table names only worlds that exist', () => {
    for (const f of Object.keys(FAULTY_WORLDS)) expect(WORLD_FILES).toContain(f);
    expect(WORLD_FILES.length).toBeGreaterThanOrEqual(10);
  });

  it.each(WORLD_FILES)('%s', async (file) => {
    const world = loadWorld(file);
    const live = await runIn(cloneWorld(world), 'live');
    const faulty = FAULTY_WORLDS[file];
    expect(failIds(live)).toEqual(faulty?.ids ?? []);
    for (const mode of ['offline', 'values+aws'] as const) {
      const r = await runIn(cloneWorld(world), mode);
      for (const id of failIds(r)) expect(failIds(live), `${mode}: ${id}`).toContain(id);
      if (!faulty) {
        expect(failIds(r), mode).toEqual([]);
        expect(r.exitCode, mode).toBe(0);
      } else if (faulty.visible.includes(mode)) {
        expect(failIds(r), mode).toEqual(faulty.ids);
        expect(r.exitCode, mode).toBe(live.exitCode);
      }
    }
  });
});

/**
 * The S3 document store (issue 16: "static keys anywhere the chart injects them", and everything
 * AWS-side against the ServiceAccounts the chart will create): with AWS and no cluster the bucket
 * and each wired pod's role are judged from the role the chart renders, with the live check IDs;
 * offline (no AWS) neither can be seen, and nothing is passed or failed in their place.
 */
describe('S3 document store faults in three modes (camunda-8.9-document-store-irsa)', () => {
  const base = loadWorld('camunda-8.9-document-store-irsa.yaml');
  it.each<[string, (w: WorldModel) => void, string]>([
    [
      'connectors’ role lacks the S3 policy',
      (w) => {
        w.aws.roles!.find((r) => r.name === 'camunda-connectors-irsa')!.attached = [];
      },
      'docstore-s3-access',
    ],
    [
      'the bucket is in another region',
      (w) => {
        w.aws.buckets = { 'camunda-prod-documents': 'eu-central-1' };
      },
      'docstore-bucket-exists',
    ],
    [
      'connectors’ role-arn annotation removed (values and cluster)',
      (w) => {
        const connectors = user(w).connectors as Tree;
        delete ((connectors.serviceAccount as Tree).annotations as Tree)[ROLE];
        delete w.kube.serviceAccounts!.find((s) => s.name === 'camunda-connectors')!.annotations[ROLE];
      },
      'docstore-s3-access',
    ],
  ])('%s → %s', async (_name, plant, id) => {
    const world = cloneWorld(base);
    plant(world);
    const live = await runIn(world, 'live');
    expect(failIds(live)).toContain(id);
    const withAws = await runIn(world, 'values+aws');
    expect(failIds(withAws)).toContain(id);
    const docstore = (r: WorldRun) =>
      r.findings
        .filter((f) => f.module === 'document-store' && f.check === id)
        .map((f) => `${f.level} ${f.component ?? ''}`);
    // The same verdicts, on the same components, as live.
    expect(docstore(withAws)).toEqual(docstore(live));
    const offline = await runIn(world, 'offline');
    expect(offline.findings.filter((f) => f.check === id)).toEqual([]);
    for (const r of [withAws, offline]) for (const f of failIds(r)) expect(failIds(live)).toContain(f);
  });
});

/** 8.9 secondary storage in Aurora (orchestration/files/_application.yaml's rdbms block): database-values. */
describe('RDBMS secondary storage faults in three modes (camunda-8.9-rdbms-iam)', () => {
  const base = loadWorld('camunda-8.9-rdbms-iam.yaml');
  it.each<[string, string, (u: Tree) => void]>([
    [
      'IAM authentication off',
      'orch-rdbms-iam',
      (u) => put(u, 'orchestration.data.secondaryStorage.rdbms.aws.enabled', false),
    ],
    [
      'the RDBMS exporter off',
      'orch-rdbms-exporter',
      (u) => put(u, 'orchestration.exporters.rdbms.enabled', false),
    ],
    [
      'no database user',
      'orch-rdbms-username',
      (u) => put(u, 'orchestration.data.secondaryStorage.rdbms.username', undefined),
    ],
  ])('%s → %s in every mode', async (_name, id, change) => {
    const world = cloneWorld(base);
    change(user(world));
    const live = await runIn(world, 'live');
    expect(failIds(live)).toContain(id);
    for (const mode of ['offline', 'values+aws'] as const) {
      const r = await runIn(world, mode);
      expect(failIds(r), mode).toContain(id);
      for (const f of failIds(r)) expect(failIds(live), `${mode}: ${f}`).toContain(f);
    }
  });
});

describe('S3 document store: a ServiceAccount created outside the chart (camunda-8.9-document-store-irsa)', () => {
  it('with AWS and no cluster its role cannot be seen: one INFO, never OK or FAIL; live judges it', async () => {
    const world = cloneWorld(loadWorld('camunda-8.9-document-store-irsa.yaml'));
    const connectors = user(world).connectors as Tree;
    const arn = ((connectors.serviceAccount as Tree).annotations as Tree)[ROLE] as string;
    // camundaPlatform.serviceAccountName: switch off and a name → the pods run as that SA, which the
    // chart does not create (nor annotate): it is annotated where it is created.
    connectors.serviceAccount = { enabled: false, name: 'platform-connectors' };
    world.kube.serviceAccounts!.push({
      name: 'platform-connectors',
      namespace: 'camunda',
      labels: {},
      annotations: { [ROLE]: arn },
    });
    for (const p of world.kube.pods ?? [])
      if (p.serviceAccountName === 'camunda-connectors') p.serviceAccountName = 'platform-connectors';
    const docstore = (r: WorldRun) =>
      r.findings
        .filter((f) => f.module === 'document-store' && f.component === 'connectors')
        .map((f) => `[${f.level}] ${f.message}`);
    const live = await runIn(world, 'live');
    expect(docstore(live)).toEqual([
      expect.stringMatching(/^\[OK\] role camunda-connectors-irsa of camunda-connectors allows /),
    ]);
    const withAws = await runIn(world, 'values+aws');
    expect(docstore(withAws)).toEqual([
      '[INFO] service account platform-connectors is created outside the chart: without the cluster its annotation cannot be seen, so S3 access of camunda-connectors is not checked',
    ]);
    expect(failIds(withAws)).toEqual([]);
  });
});
