/**
 * The real LiveAws against moto_server (through the fault proxy): every Aws method
 * answers the shapes the in-memory worlds use, the SDK retries throttling and 5xx,
 * and AccessDenied / expired credentials reach the user as one clear line.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ApiCallError } from '../../src/core/errors.js';
import type { Finding } from '../../src/core/finding.js';
import { Reporter } from '../../src/core/reporter.js';
import { LiveAws, decodePolicyText } from '../../src/platform/live-aws.js';
import { mapLimit } from '../../src/core/concurrency.js';
import { replaceDeep, seedMoto } from '../support/moto.js';
import { REGION, liveAwsAgainstMoto } from '../support/live-aws-moto.js';
import { startFakeOpenSearch } from '../support/fake-opensearch.js';
import { freePort } from '../support/global-setup.js';
import { MemoryAws, MemoryKube, cloneWorld, loadWorld, runWithPlatform } from '../support/world.js';

const moto = liveAwsAgainstMoto();
const { live } = moto;

describe('seedMoto', () => {
  it('seeds into its own account and rewrites the world to what moto generated', () => {
    const { world, mapping, accountId } = moto.seeded;
    expect(accountId).toMatch(/^\d{12}$/);
    expect(accountId).not.toBe('123456789012');
    const text = JSON.stringify(world);
    expect(text).not.toContain('123456789012');
    expect(text).not.toContain('5C9F1A2B3D4E5F60718293A4B5C6D7E8');
    expect(text).not.toContain('cluster-c1a2b3c4d5e6');
    expect(text).not.toContain('vpc-camunda-prod-os-4kq7rx2m5nbv3c9w1z8yd6tfha');
    const eks = mapping.clusters['camunda-prod']!;
    // moto's endpoint ends in '/', the kubeconfig's does not: endpoint matching must cope.
    expect(world.kube.cluster.server).toBe(eks.endpoint.replace(/\/$/, ''));
    expect(world.aws.oidcProviders![0]!.url).toBe(eks.issuer.replace('https://', ''));
    const trust = world.aws.roles![0]!.trustPolicy as {
      Statement: Array<{ Condition: Record<string, object> }>;
    };
    expect(Object.keys(trust.Statement[0]!.Condition.StringEquals!)[0]).toBe(
      `${eks.issuer.replace('https://', '')}:sub`,
    );
    const identityValues = world.kube.releases![0]!.user!.identity as { externalDatabase: { host: string } };
    expect(identityValues.externalDatabase.host).toBe(mapping.dbClusters['camunda-prod-aurora']!.endpoint);
    expect(moto.seeded.unsupported).toEqual([]);
  });
});

describe('seedMoto: a world with more of everything', () => {
  it('seeds role paths, permissions boundaries, stopped clusters, FGAC and planted errors; lists what moto cannot hold', async () => {
    const w = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
    Object.assign(w.aws.dbClusters![0]!, { status: 'stopped', iamAuthEnabled: false });
    w.aws.dbClusters!.push({
      ...w.aws.dbClusters![0]!,
      identifier: 'reporting',
      endpoint: 'reporting.cluster-zzzzzzzzzzzz.eu-west-1.rds.amazonaws.com',
      status: 'backing-up',
      customEndpoints: ['analytics.cluster-custom-zzzzzzzzzzzz.eu-west-1.rds.amazonaws.com'],
    });
    Object.assign(w.aws.domains![0]!, {
      fineGrainedAccessControl: true,
      internalUserDatabaseEnabled: true,
      anonymousAuthEnabled: false,
      customEndpoint: 'search.camunda.example.com',
    });
    Object.assign(w.aws.roles![0]!, {
      path: '/camunda/irsa/',
      arn: 'arn:aws:iam::123456789012:role/camunda/irsa/camunda-keycloak-irsa',
      permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/boundaries/camunda-boundary',
    });
    w.aws.policies!['arn:aws:iam::123456789012:policy/boundaries/camunda-boundary'] = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    };
    w.aws.errors = {
      inlinePolicies: {
        api: 'aws',
        operation: 'iam:ListRolePolicies',
        reason: 'AccessDenied',
        message: 'no',
        status: 403,
      },
    };
    const other = await seedMoto(w);
    try {
      expect(other.accountId).not.toBe(moto.seeded.accountId);
      expect(other.unsupported).toEqual([
        'DB cluster reporting status backing-up (moto: available or stopped)',
        'DB cluster reporting custom endpoints (moto has no CreateDBClusterEndpoint)',
      ]);
      vi.stubEnv('AWS_ENDPOINT_URL', other.url);
      const aws = live();
      const memory = new MemoryAws(other.world.aws);
      expect(await aws.dbClusters(REGION)).toEqual(await memory.dbClusters(REGION));
      expect((await aws.dbClusters(REGION)).map((d) => [d.identifier, d.status, d.iamAuthEnabled])).toEqual([
        ['camunda-prod-aurora', 'stopped', false],
        ['reporting', 'available', false],
      ]);
      expect(await aws.openSearchDomains(REGION)).toEqual(await memory.openSearchDomains(REGION));
      expect(await aws.role('camunda-keycloak-irsa')).toEqual({
        ...(await memory.role('camunda-keycloak-irsa')),
        path: '/camunda/irsa/',
        permissionsBoundaryArn: `arn:aws:iam::${other.accountId}:policy/boundaries/camunda-boundary`,
      });
      // The planted MemoryAws error is a proxy fault now.
      await expect(aws.inlinePolicies('camunda-identity-irsa')).rejects.toMatchObject({
        operation: 'iam:ListRolePolicies',
        reason: 'AccessDenied',
      });
      // The first world's account never saw any of it.
      vi.stubEnv('AWS_ENDPOINT_URL', moto.seeded.url);
      expect((await live().dbClusters(REGION)).map((d) => d.status)).toEqual(['available']);
    } finally {
      vi.stubEnv('AWS_ENDPOINT_URL', moto.seeded.url);
      await other.close();
    }
  });
});

describe('LiveAws against moto: the healthy 8.8 world', () => {
  it('answers every Aws method exactly as the seeded in-memory world does', async () => {
    const aws = live();
    const memory = new MemoryAws(moto.seeded.world.aws);
    const roles = moto.seeded.world.aws.roles!.map((r) => r.name);
    const policies = Object.keys(moto.seeded.world.aws.policies!);
    const same = async <T>(call: (a: LiveAws | MemoryAws) => Promise<T>) =>
      expect(await call(aws)).toEqual(await call(memory));

    await same((a) => a.callerIdentity());
    await same((a) => a.listEksClusters(REGION));
    await same((a) => a.eksCluster('camunda-prod', REGION));
    await same((a) => a.eksCluster('no-such-cluster', REGION));
    await same((a) => a.oidcProviders());
    for (const name of [...roles, 'no-such-role']) await same((a) => a.role(name));
    for (const name of roles) {
      await same((a) => a.attachedPolicies(name));
      await same((a) => a.inlinePolicies(name));
    }
    for (const arn of policies) await same((a) => a.policyDocument(arn));
    await same((a) => a.dbClusters(REGION));
    await same((a) => a.openSearchDomains(REGION));
    // Nothing in another region.
    expect(await aws.listEksClusters('us-east-1')).toEqual([]);
    expect(await aws.dbClusters('us-east-1')).toEqual([]);
    expect(await aws.openSearchDomains('us-east-1')).toEqual([]);
    // Every request went through the proxy: AWS_ENDPOINT_URL is honoured for every service.
    const services = new Set(moto.seeded.proxy.requests.map((r) => r.action.split(':')[0]));
    expect([...services].sort()).toEqual(['eks', 'es', 'iam', 'rds', 'sts']);
  });

  it('lists RDS Proxies (DescribeDBProxies) and signs an OpenSearch GET with the operator’s own credentials', async () => {
    const aws = live();
    // The healthy world has no proxy; moto answers the call.
    expect(await aws.dbProxies(REGION)).toEqual([]);
    const os = await startFakeOpenSearch({ fgac: true, roles: ['security_manager'] }, REGION);
    try {
      // The fake verifies the signature with the key it knows: the one the SDK chain resolves here.
      os.allow(
        {
          accessKeyId: process.env.AWS_ACCESS_KEY_ID!,
          secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY!,
          sessionToken: '',
        },
        'arn:aws:iam::123456789012:role/operator',
      );
      const answer = await aws.openSearchGet(os.url, REGION, '/_plugins/_security/authinfo');
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ user_name: 'arn:aws:iam::123456789012:role/operator' });
      expect(os.seen.at(-1)).toEqual({
        path: '/_plugins/_security/authinfo',
        signatureValid: true,
        service: 'es',
      });
      // Another region in the signature: refused by the domain, answered (not thrown).
      expect((await aws.openSearchGet(os.url, 'us-east-1', '/_plugins/_security/authinfo')).status).toBe(403);
    } finally {
      await os.close();
    }
    // Nothing listening: an ApiCallError naming es:ESHttpGet.
    await expect(
      aws.openSearchGet(`http://127.0.0.1:${await freePort()}`, REGION, '/'),
    ).rejects.toMatchObject({
      operation: 'es:ESHttpGet',
    });
  });

  it('returns the shapes the checks rely on', async () => {
    const aws = live();
    const { mapping, accountId } = moto.seeded;
    expect(await aws.callerIdentity()).toEqual({
      arn: `arn:aws:sts::${accountId}:user/moto`,
      account: accountId,
      userId: expect.any(String),
    });
    expect(await aws.eksCluster('camunda-prod', REGION)).toEqual({
      name: 'camunda-prod',
      arn: `arn:aws:eks:${REGION}:${accountId}:cluster/camunda-prod`,
      endpoint: mapping.clusters['camunda-prod']!.endpoint,
      version: '1.31',
      status: 'ACTIVE',
      issuer: mapping.clusters['camunda-prod']!.issuer,
    });
    const role = await aws.role('camunda-identity-irsa');
    expect(role).toEqual({
      arn: `arn:aws:iam::${accountId}:role/camunda-identity-irsa`,
      name: 'camunda-identity-irsa',
      path: '/',
      trustPolicy: moto.seeded.world.aws.roles!.find((r) => r.name === 'camunda-identity-irsa')!.trustPolicy,
      // seedMoto used the role once, as the application would.
      lastUsedDate: moto.seeded.world.aws.roles!.find((r) => r.name === 'camunda-identity-irsa')!
        .lastUsedDate,
    });
    // IAM's URL-encoded documents come back decoded.
    expect((role!.trustPolicy as { Version: string }).Version).toBe('2012-10-17');
    const [inline] = await aws.inlinePolicies('camunda-identity-irsa');
    expect(JSON.stringify(inline!.document)).toContain(
      `arn:aws:rds-db:${REGION}:${accountId}:dbuser:${mapping.dbClusters['camunda-prod-aurora']!.resourceId}/identity_irsa`,
    );
    const [db] = await aws.dbClusters(REGION);
    expect(db).toEqual({
      identifier: 'camunda-prod-aurora',
      arn: `arn:aws:rds:${REGION}:${accountId}:cluster:camunda-prod-aurora`,
      resourceId: expect.stringMatching(/^cluster-[A-Z0-9]{26}$/),
      endpoint: expect.stringMatching(
        /^camunda-prod-aurora\.cluster-[a-z0-9]{12}\.eu-west-1\.rds\.amazonaws\.com$/,
      ),
      readerEndpoint: expect.stringMatching(/^camunda-prod-aurora\.cluster-ro-/),
      customEndpoints: [],
      port: 5432,
      status: 'available',
      engine: 'aurora-postgresql',
      iamAuthEnabled: true,
    });
    const [domain] = await aws.openSearchDomains(REGION);
    expect(domain).toEqual({
      name: 'camunda-prod-os',
      arn: `arn:aws:es:${REGION}:${accountId}:domain/camunda-prod-os`,
      endpoints: { vpc: `camunda-prod-os.${REGION}.es.amazonaws.com` },
      created: true,
      deleted: false,
      processing: false,
      httpsEnforced: true,
      fineGrainedAccessControl: true,
      anonymousAuthEnabled: false,
      internalUserDatabaseEnabled: false,
      accessPolicies: moto.seeded.world.aws.domains![0]!.accessPolicies,
    });
  });

  it('answers undefined from SimulatePrincipalPolicy, which moto does not implement, and asks only once', async () => {
    const aws = live();
    const roleArn = `arn:aws:iam::${moto.seeded.accountId}:role/camunda-identity-irsa`;
    expect(await aws.simulatePrincipalPolicy(roleArn, ['rds-db:connect'], ['*'])).toBeUndefined();
    const asked = moto.seeded.proxy.count('iam:SimulatePrincipalPolicy');
    expect(asked).toBeGreaterThan(0);
    expect(await aws.simulatePrincipalPolicy(roleArn, ['es:ESHttpGet'], ['*'])).toBeUndefined();
    expect(moto.seeded.proxy.count('iam:SimulatePrincipalPolicy')).toBe(asked);
  });

  it('calls AssumeRoleWithWebIdentity unsigned and returns the assumed-role ARN', async () => {
    const roleArn = `arn:aws:iam::${moto.seeded.accountId}:role/camunda-identity-irsa`;
    const out = await live().assumeRoleWithWebIdentity(roleArn, 'header.payload.signature', REGION);
    expect(out.assumedRoleArn).toMatch(
      new RegExp(
        `^arn:aws:sts::${moto.seeded.accountId}:assumed-role/camunda-identity-irsa/irsa-check-\\d+$`,
      ),
    );
    const calls = moto.seeded.proxy.requests.filter((r) => r.action === 'sts:AssumeRoleWithWebIdentity');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.signed).toBe(false);
  });

  it('resolves no CNAME for a host that has none', async () => {
    expect(await live().resolveCname('irsa-check-test.invalid')).toEqual([]);
  });

  it('signs with the --profile credentials and region, or the region option, else us-east-1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irsa-check-aws-'));
    writeFileSync(join(dir, 'config'), '[profile camunda-ops]\nregion = eu-central-1\n');
    writeFileSync(
      join(dir, 'credentials'),
      '[camunda-ops]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = secret\n',
    );
    vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'config'));
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'credentials'));
    // As in the AWS CLI, AWS_REGION would win over the profile's region.
    vi.stubEnv('AWS_REGION', undefined);
    try {
      await new LiveAws({ profile: 'camunda-ops' }).callerIdentity();
      await new LiveAws({ region: 'ap-south-1' }).callerIdentity();
      await new LiveAws({}).callerIdentity();
    } finally {
      vi.stubEnv('AWS_CONFIG_FILE', undefined);
      vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', undefined);
      vi.stubEnv('AWS_REGION', REGION);
    }
    expect(moto.seeded.proxy.requests.map((r) => [r.accessKeyId, r.region])).toEqual([
      ['AKIDPROFILE', 'eu-central-1'],
      ['testing', 'ap-south-1'],
      ['testing', 'us-east-1'],
    ]);
  });

  it('describes OpenSearch domains in batches of 5', async () => {
    const { OpenSearchClient, CreateDomainCommand } = await import('@aws-sdk/client-opensearch');
    const client = new OpenSearchClient({ region: 'us-west-2', endpoint: moto.seeded.url });
    const names = ['os-a', 'os-b', 'os-c', 'os-d', 'os-e', 'os-f', 'os-g'];
    for (const DomainName of names) await client.send(new CreateDomainCommand({ DomainName }));
    moto.seeded.proxy.reset();
    const domains = await live().openSearchDomains('us-west-2');
    expect(domains.map((d) => d.name).sort()).toEqual(names);
    expect(domains[0]).toMatchObject({
      endpoints: {},
      httpsEnforced: false,
      fineGrainedAccessControl: false,
    });
    expect(moto.seeded.proxy.count('es:DescribeDomains')).toBe(2);
  });

  it('creates each SDK client once per region', async () => {
    const aws = live();
    await Promise.all([aws.listEksClusters(REGION), aws.listEksClusters(REGION), aws.dbClusters(REGION)]);
    const clients = (aws as unknown as { clients: Map<string, unknown> }).clients;
    expect([...clients.keys()].sort()).toEqual([`eks@${REGION}`, `rds@${REGION}`]);
  });
});

describe('LiveAws against moto: faults', () => {
  it('retries throttling (400 Throttling, 429) and succeeds', async () => {
    // One throttle each, on two clients at once: the SDK's throttling back-off starts at up to 1 s.
    moto.seeded.proxy.fail('iam:GetRole', 'throttling', 1);
    moto.seeded.proxy.fail('eks:DescribeCluster', 'tooManyRequests', 1);
    const aws = live();
    const [role, eks] = await Promise.all([
      aws.role('camunda-identity-irsa'),
      aws.eksCluster('camunda-prod', REGION),
    ]);
    expect(role?.name).toBe('camunda-identity-irsa');
    expect(eks?.name).toBe('camunda-prod');
    expect(moto.seeded.proxy.count('iam:GetRole')).toBe(2);
    expect(moto.seeded.proxy.count('eks:DescribeCluster')).toBe(2);
    expect(
      moto.seeded.proxy.requests
        .filter((r) => r.fault)
        .map((r) => r.fault)
        .sort(),
    ).toEqual(['throttling', 'tooManyRequests']);
  });

  it('retries 5xx and succeeds', async () => {
    moto.seeded.proxy.fail('rds:DescribeDBClusters', 'serverError', 2);
    moto.seeded.proxy.fail('es:ListDomainNames', 'unavailable', 1);
    const aws = live();
    expect(await aws.dbClusters(REGION)).toHaveLength(1);
    expect(await aws.openSearchDomains(REGION)).toHaveLength(1);
    expect(moto.seeded.proxy.count('rds:DescribeDBClusters')).toBe(3);
    expect(moto.seeded.proxy.count('es:ListDomainNames')).toBe(2);
  });

  it('gives up after 5 attempts on a lasting 5xx, as an ApiCallError', async () => {
    moto.seeded.proxy.fail('eks:ListClusters', 'serverError');
    const error = await live()
      .listEksClusters(REGION)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    expect(error).toMatchObject({ operation: 'eks:ListClusters', reason: 'InternalFailure', status: 500 });
    expect(moto.seeded.proxy.count('eks:ListClusters')).toBe(5);
  });

  it('turns AccessDenied into ApiCallError.isAccessDenied without retrying, and words it for the user', async () => {
    moto.seeded.proxy.fail('iam:GetRole', 'accessDenied');
    const error = await live()
      .role('camunda-identity-irsa')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    const denied = error as ApiCallError;
    expect(denied).toMatchObject({
      api: 'aws',
      operation: 'iam:GetRole',
      reason: 'AccessDenied',
      status: 403,
    });
    expect(denied.isAccessDenied).toBe(true);
    expect(moto.seeded.proxy.count('iam:GetRole')).toBe(1);
    const findings: Finding[] = [];
    new Reporter('roles', (f) => findings.push(f)).unexpected(denied);
    expect(findings.map((f) => `[${f.level}] ${f.message}`)).toEqual([
      '[FAIL] irsa-check cannot call iam:GetRole (AccessDenied): grant it, see README "Permissions"',
    ]);
  });

  it('names the JSON services’ AccessDeniedException the same way', async () => {
    moto.seeded.proxy.fail('es:ListDomainNames', 'accessDenied');
    const error = (await live()
      .openSearchDomains(REGION)
      .catch((e: unknown) => e)) as ApiCallError;
    expect(error).toMatchObject({
      operation: 'es:ListDomainNames',
      reason: 'AccessDeniedException',
      status: 403,
    });
    expect(error.isAccessDenied).toBe(true);
  });
});

describe('the dispatcher with LiveAws against moto', () => {
  const platform = () => ({ kube: new MemoryKube(moto.seeded.world.kube), aws: live() });

  it('finds the cluster and its OIDC provider in the seeded healthy world', async () => {
    const { mapping, accountId } = moto.seeded;
    const eks = mapping.clusters['camunda-prod']!;
    const server = eks.endpoint.replace(/\/$/, '');
    const hostPath = eks.issuer.replace('https://', '');
    const r = await runWithPlatform(moto.seeded.world, platform());
    expect(r.lines('preflight')).toEqual([
      `[OK] AWS credentials resolve: arn:aws:sts::${accountId}:user/moto`,
      `[INFO] platform: EKS (the API server ${server} is an EKS endpoint)`,
      '[OK] AWS environment detected: 3 node(s) with an aws:// provider ID',
    ]);
    expect(r.lines('cluster')).toEqual([
      `[OK] region eu-west-1, from the EKS API server URL ${server}`,
      "[OK] EKS cluster camunda-prod serves the API server (named by the kubeconfig's aws eks get-token --cluster-name camunda-prod)",
      '[OK] Kubernetes 1.31 (1.23 or newer)',
      `[OK] OIDC issuer ${eks.issuer}`,
      `[OK] IAM OIDC provider arn:aws:iam::${accountId}:oidc-provider/${hostPath} trusts the issuer, audience sts.amazonaws.com`,
    ]);
  });

  it('reports a denied IAM call as a FAIL with code 2 and goes on', async () => {
    moto.seeded.proxy.fail('iam:ListOpenIDConnectProviders', 'accessDenied');
    const r = await runWithPlatform(moto.seeded.world, platform());
    expect(r.lines('cluster').at(-1)).toBe(
      '[FAIL] irsa-check cannot call iam:ListOpenIDConnectProviders (AccessDenied): grant it, see README "Permissions"',
    );
    expect(r.fails('cluster')).toMatchObject([
      {
        code: 2,
        fix: 'Grant iam:ListOpenIDConnectProviders to the identity irsa-check runs as (README, "Permissions").',
      },
    ]);
    expect(r.stderr).toContain(
      '[FAIL] irsa-check cannot call iam:ListOpenIDConnectProviders (AccessDenied): grant it, see README "Permissions"\n',
    );
    // The run went on past the cluster module.
    expect(r.findings.some((f) => f.module === 'plan')).toBe(true);
  });

  it('reports a denied iam:GetRole in the roles module with the README line', async () => {
    moto.seeded.proxy.fail('iam:GetRole', 'accessDenied');
    const r = await runWithPlatform(moto.seeded.world, platform());
    const message = 'irsa-check cannot call iam:GetRole (AccessDenied): grant it, see README "Permissions"';
    const denied = r.fails('roles').filter((f) => f.message === message);
    expect(denied.map((f) => f.component)).toEqual([
      'identityKeycloak',
      'identity',
      'webModeler',
      'orchestration',
      'optimize',
    ]);
    expect(denied.every((f) => f.code === 2)).toBe(true);
    expect(r.stderr).toContain(`[FAIL] identity: ${message}\n`);
    expect(r.exitCode).toBe(2);
  });

  it('stops with the preflight line and exit 1 when the credentials have expired', async () => {
    moto.seeded.proxy.fail('sts:GetCallerIdentity', 'expiredToken');
    const r = await runWithPlatform(moto.seeded.world, platform());
    expect(r.exitCode).toBe(1);
    expect(r.fails()).toMatchObject([
      {
        module: 'preflight',
        code: 1,
        message: 'AWS credentials have expired (ExpiredToken)',
        fix: 'Refresh them, e.g. `aws sso login`, then run irsa-check again.',
      },
      { module: 'summary', code: 1 },
    ]);
    expect(r.stderr).toContain('[FAIL] AWS credentials have expired (ExpiredToken)\n');
    expect(r.lines('cluster')).toEqual([]);
    expect(moto.seeded.proxy.count('sts:GetCallerIdentity')).toBe(1);
  });
});

describe('test support', () => {
  it('replaceDeep rewrites keys and values in one pass, longest match first', () => {
    const pairs: Array<[string, string]> = [
      ['abc', 'xyz'],
      ['abcdef', '1'],
      ['xyz', 'never'],
    ];
    expect(replaceDeep({ 'abc:sub': ['abcdef', 'abc.abc'], n: 1 }, pairs)).toEqual({
      'xyz:sub': ['1', 'xyz.xyz'],
      n: 1,
    });
  });
});

describe('live-aws helpers', () => {
  it('decodes IAM’s URL-encoded and OpenSearch’s plain policy text', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'x:Y', Resource: '*' }] };
    expect(decodePolicyText(encodeURIComponent(JSON.stringify(doc)))).toEqual(doc);
    expect(decodePolicyText(JSON.stringify(doc))).toEqual(doc);
    expect(decodePolicyText('')).toBeUndefined();
    expect(decodePolicyText('not json')).toBe('not json');
  });

  it('mapLimit keeps order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0, 6, 7, 8, 9], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0, 60, 70, 80, 90]);
    expect(peak).toBe(3);
    expect(await mapLimit([], 8, async () => 1)).toEqual([]);
  });
});
