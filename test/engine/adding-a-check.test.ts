/**
 * Issue 16: "adding a check that needs new AWS data touches at most three files besides its
 * tests (collector, evaluator, catalogue entry)". The three pieces are written here, as a new
 * module's files would hold them (docs/ARCHITECTURE.md, "Adding a check"): a collector declaring
 * two AWS queries (IAM ListRoles, paged, and GetAccountPasswordPolicy, whose NoSuchEntity means
 * "none"), a pure evaluator with its checks table, and the registry entry. Nothing else is
 * written: the real LiveAws sends the queries to moto, the call log records them, a bundle
 * replays them, README "Permissions" lists their actions.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ListRolesResponse, GetAccountPasswordPolicyResponse } from '@aws-sdk/client-iam';
import { CHECK_MODULES } from '../../src/checks/index.js';
import { Catalogue } from '../../src/core/catalogue.js';
import { createContext } from '../../src/core/context.js';
import type { Finding } from '../../src/core/finding.js';
import { permissionsBlock } from '../../src/docs/permissions.js';
import { dispatch, validateRegistry } from '../../src/engine/dispatch.js';
import { defineModule, type CheckModule, type ModuleContext } from '../../src/engine/module.js';
import { BUNDLE_SCHEMA, readBundle, writeBundle } from '../../src/platform/bundle.js';
import { NoCluster } from '../../src/platform/no-cluster.js';
import { replayPlatform } from '../../src/platform/replay.js';
import { awsQuery, type Aws } from '../../src/ports/aws.js';
import type { Platform } from '../../src/ports/platform.js';
import { findingLine } from '../../src/report/format.js';
import { liveAwsAgainstMoto } from '../support/live-aws-moto.js';
import { memoryPlatform, testOptions } from '../support/world.js';

// ---- file 1: src/collectors/example-roles.ts ---------------------------------------------

/** IAM ListRoles under a path, one role a page (MaxItems 1), so moto pages it as AWS would. */
const LIST_ROLES = awsQuery({
  name: 'exampleRoles',
  service: 'iam',
  command: 'ListRoles',
  actions: ['iam:ListRoles'],
  input: (pathPrefix: string) => ({ params: { PathPrefix: pathPrefix, MaxItems: 1 } }),
  paginate: { inputToken: 'Marker', outputToken: 'Marker', items: 'Roles' },
  output: ({ Roles }: ListRolesResponse): string[] => (Roles ?? []).map((r) => r.RoleName ?? '').sort(),
});

/** IAM GetAccountPasswordPolicy: NoSuchEntity when the account has none. */
const PASSWORD_POLICY = awsQuery({
  name: 'examplePasswordPolicy',
  service: 'iam',
  command: 'GetAccountPasswordPolicy',
  actions: ['iam:GetAccountPasswordPolicy'],
  input: () => ({ params: {} }),
  absent: { codes: ['NoSuchEntity'], value: undefined },
  output: ({ PasswordPolicy: p }: GetAccountPasswordPolicyResponse) => ({
    minimumLength: p?.MinimumPasswordLength ?? 0,
  }),
});

type ExampleInput =
  | { kind: 'error'; error: unknown }
  | { kind: 'answers'; roles: string[]; passwordPolicy: { minimumLength: number } | undefined };

async function collectExample(ctx: ModuleContext): Promise<ExampleInput> {
  try {
    const [roles, passwordPolicy] = await Promise.all([
      ctx.aws.query(LIST_ROLES, '/'),
      ctx.aws.query(PASSWORD_POLICY),
    ]);
    return { kind: 'answers', roles, passwordPolicy };
  } catch (error) {
    return { kind: 'error', error };
  }
}

// ---- file 2: src/checks/example-roles.ts (the catalogue entries and the pure evaluator) ---

const example = defineModule({
  id: 'example-roles',
  title: 'Example: roles and the password policy',
  needs: [],
  checks: {
    'example-roles-listed': { severity: 'INFO', title: 'The roles of the account' },
    'example-password-policy': {
      severity: 'WARN',
      title: 'The account has no IAM password policy',
      fix: 'Set one: aws iam update-account-password-policy --minimum-password-length 14',
    },
  },
  queries: [LIST_ROLES, PASSWORD_POLICY],
  collect: collectExample,
  evaluate(input, out) {
    if (input.kind === 'error') return out.unexpected(input.error);
    out.info('example-roles-listed', `${input.roles.length} roles under /: ${input.roles.join(', ')}`);
    if (input.passwordPolicy)
      out.ok(
        'example-password-policy',
        `password policy: at least ${input.passwordPolicy.minimumLength} characters`,
      );
    else out.warn('example-password-policy', 'the account has no IAM password policy');
  },
});

// ---- file 3: src/checks/index.ts gets one line -------------------------------------------

const REGISTRY: readonly CheckModule[] = [...CHECK_MODULES, example];
validateRegistry(REGISTRY);
new Catalogue(REGISTRY.map((m) => ({ module: m.id, checks: m.checks })));

// ------------------------------------------------------------------------------------------

async function run(
  platform: Platform,
): Promise<{ lines: string[]; calls: ReturnType<typeof createContext>['calls'] }> {
  const ctx = createContext(testOptions(), platform);
  const findings: Finding[] = [];
  await dispatch([example], ctx, (f) => findings.push(f));
  return { lines: findings.map(findingLine), calls: ctx.calls };
}

const moto = liveAwsAgainstMoto();
const offline = new NoCluster('no kubeconfig (values-only mode)');
const dir = mkdtempSync(join(tmpdir(), 'irsa-adding-a-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The healthy 8.8 world's roles, all under path `/`, as moto holds them. */
const ROLES = [
  'camunda-identity-irsa',
  'camunda-keycloak-irsa',
  'camunda-optimize-irsa',
  'camunda-orchestration-irsa',
  'camunda-web-modeler-irsa',
];

describe('adding a check that needs new AWS data: a collector with its queries, an evaluator, a registry line', () => {
  it('runs live against moto (every page of ListRoles, NoSuchEntity as "none"), recorded, and replayed: the same lines', async () => {
    const live = await run({ kube: offline, aws: moto.live() });
    const expected = [
      `[INFO] ${ROLES.length} roles under /: ${ROLES.join(', ')}`,
      '[WARN] the account has no IAM password policy',
    ];
    expect(live.lines).toEqual(expected);
    // One ListRoles request per role: the adapter followed every Marker.
    expect(moto.seeded.proxy.count('iam:ListRoles')).toBe(ROLES.length);

    // Recorded by name and arguments, never the query object; redacted and written like any call.
    const records = live.calls.records.map((r) => ({ method: r.method, args: r.args }));
    expect(records).toEqual([
      { method: 'query:exampleRoles', args: ['/'] },
      { method: 'query:examplePasswordPolicy', args: [] },
    ]);
    const file = join(dir, 'bundle.json');
    await writeBundle(file, {
      schema: BUNDLE_SCHEMA,
      createdAt: new Date().toISOString(),
      tool: 'irsa-check test',
      invocation: { namespace: 'camunda' },
      calls: live.calls.records,
    });
    expect(readFileSync(file, 'utf8')).not.toContain('ListRolesCommand');

    const replayed = await run(replayPlatform(await readBundle(file)));
    expect(replayed.lines).toEqual(expected);
  });

  it("an AWS refusal is an ApiCallError naming the query's first action, reported by the module", async () => {
    moto.seeded.proxy.fail('iam:GetAccountPasswordPolicy', 'accessDenied');
    const { lines } = await run({ kube: offline, aws: moto.live() });
    expect(lines).toHaveLength(1);
    expect(lines).toEqual([
      '[FAIL] irsa-check cannot call iam:GetAccountPasswordPolicy (AccessDenied): grant it, see README "Permissions"',
    ]);
  });

  it('replays a bundle without the query as any unrecorded call: the module says what it lacks', async () => {
    const empty = { schema: BUNDLE_SCHEMA, createdAt: '', tool: '', invocation: {}, calls: [] };
    const { lines } = await run(replayPlatform(empty));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('the bundle holds no answer for query:exampleRoles("/")');
  });

  it('an in-memory test world answers the queries by name', async () => {
    const world = memoryPlatform({
      namespace: 'camunda',
      kube: {},
      aws: {
        queries: {
          exampleRoles: [{ args: ['/'], result: ['a-role'] }],
          examplePasswordPolicy: [{ args: [], result: { minimumLength: 14 } }],
        },
      },
    } as unknown as Parameters<typeof memoryPlatform>[0]);
    const { lines } = await run({ kube: offline, aws: world.aws });
    expect(lines).toEqual(['[INFO] 1 roles under /: a-role', '[OK] password policy: at least 14 characters']);
  });

  it('README "Permissions" lists the actions its queries declare', () => {
    const policy = permissionsBlock(REGISTRY);
    expect(policy).toContain('"iam:ListRoles"');
    expect(policy).toContain('"iam:GetAccountPasswordPolicy"');
    // Today's registry declares neither: the example added them.
    expect(permissionsBlock(CHECK_MODULES)).not.toContain('"iam:ListRoles"');
  });

  it('a query the module does not declare is refused, so the documented policy cannot miss a call', async () => {
    const sneaky = defineModule({
      ...{ id: 'sneaky', title: 'asks more than it declares', needs: [], checks: {} },
      collect: (ctx: ModuleContext) => ctx.aws.query(PASSWORD_POLICY).then(() => undefined),
      evaluate() {},
    });
    const ctx = createContext(testOptions(), {
      kube: offline,
      aws: { query: () => Promise.resolve() } as unknown as Aws,
    });
    const findings: Finding[] = [];
    await dispatch([sneaky], ctx, (f) => findings.push(f));
    expect(findings.map((f) => f.message).join('\n')).toContain(
      'module sneaky asks the AWS query examplePasswordPolicy without declaring it in its queries',
    );
  });
});
