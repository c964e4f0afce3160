/**
 * Seeds moto_server with the AWS side of a fixture world, and rewrites the world
 * so it agrees with what moto created.
 *
 *   const { world: seeded, url, env, close } = await seedMoto(loadWorld('camunda-8.8-healthy.yaml'));
 *
 * moto picks its own identifiers (EKS endpoint and OIDC issuer, RDS endpoints and
 * DbClusterResourceId, OpenSearch endpoints); each world also gets its own random
 * account ID. The returned `world` is the fixture with every such identifier
 * replaced (Helm values hosts, ServiceAccount annotations, pod env, trust
 * policies' provider ARNs and condition keys, rds-db resource ARNs…), and its
 * `aws` section describes what moto answers.
 *
 * Isolation: `url` is a proxy (test/support/aws-fault-proxy.ts) that pins every
 * request to the world's account with moto's `x-moto-account-id` header, so
 * suites seeding worlds in parallel against the one moto_server never collide
 * and nothing needs a reset. The same proxy plants faults and counts requests.
 */
import { randomInt } from 'node:crypto';
import { inject } from 'vitest';
import type { WorldModel } from './world.js';
import { startAwsProxy, type AwsProxy, type FaultKind } from './aws-fault-proxy.js';
import type { DbCluster, EksCluster, OpenSearchDomain } from '../../src/ports/aws.js';

/** A SHA-1 thumbprint IAM accepts (moto does not check it). */
const THUMBPRINT = '9e99a48a9960b14926bb7f3b02e22da2b0ab7280';
const FIXTURE_ACCOUNT = '123456789012';

export interface MotoMapping {
  /** Account of the fixture → account the world was seeded into. */
  account: { from: string; to: string };
  /** Every `[fixture string, moto string]` pair the rewrite replaces, longest first. */
  replacements: Array<[string, string]>;
  /** EKS cluster name → what moto generated. */
  clusters: Record<string, { endpoint: string; issuer: string; arn: string }>;
  /** DB cluster identifier (as in the fixture) → what moto generated. */
  dbClusters: Record<
    string,
    { identifier: string; endpoint: string; readerEndpoint: string; resourceId: string; arn: string }
  >;
  /** OpenSearch domain name → what moto generated. */
  domains: Record<string, { endpoint?: string; endpoints: Record<string, string>; arn: string }>;
}

export interface SeededMoto {
  /** The fixture world, rewritten to agree with moto (kube and aws sides). */
  world: WorldModel;
  /** AWS endpoint for the SDK (AWS_ENDPOINT_URL): the account-pinning proxy in front of moto. */
  url: string;
  accountId: string;
  mapping: MotoMapping;
  /** Applies the same mapping to another world (e.g. a clone with one fault planted on the kube side). */
  rewrite(world: WorldModel): WorldModel;
  /** Fault injection and request counts for this world's traffic. */
  proxy: AwsProxy;
  /** Environment for an SDK client or the CLI child process. */
  env: Record<string, string>;
  /** What the fixture asks for that moto cannot represent (left out or kept as the fixture says). */
  unsupported: string[];
  close(): Promise<void>;
}

export interface SeedOptions {
  /** Seed into this account (default: a random one, distinct per call). */
  accountId?: string;
}

/** The running moto_server (test/support/global-setup.ts). */
export function motoUrl(): string {
  return inject('motoUrl');
}

export function randomAccountId(): string {
  for (;;) {
    const id = String(randomInt(100_000_000_000, 999_999_999_999));
    if (id !== FIXTURE_ACCOUNT) return id;
  }
}

/**
 * Replaces every mapped string in keys and values, everywhere in `value`, in one
 * pass (longest first), so a replacement is never itself rewritten by a later pair.
 */
export function replaceDeep<T>(value: T, replacements: ReadonlyArray<readonly [string, string]>): T {
  const map = new Map(replacements);
  const keys = [...map.keys()].filter((k) => k !== '').sort((a, b) => b.length - a.length);
  const pattern =
    keys.length > 0
      ? new RegExp(keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g')
      : undefined;
  const text = (s: string): string => (pattern ? s.replace(pattern, (m) => map.get(m) ?? m) : s);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [text(k), walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}

function longestFirst(pairs: Array<[string, string]>): Array<[string, string]> {
  const seen = new Set<string>();
  return pairs
    .filter(([from, to]) => from !== '' && from !== to && !seen.has(from) && (seen.add(from), true))
    .sort((a, b) => b[0].length - a[0].length);
}

const hostOf = (url: string): string => url.replace(/^https?:\/\//i, '').replace(/\/.*$/, '');
const issuerHostPath = (issuer: string): string => issuer.replace(/^https:\/\//i, '').replace(/\/+$/, '');
const toJson = (doc: unknown): string => (typeof doc === 'string' ? doc : JSON.stringify(doc));

/** The account the fixture's ARNs use. */
function fixtureAccount(world: WorldModel): string {
  if (world.aws.caller?.account) return world.aws.caller.account;
  const arn = JSON.stringify(world.aws).match(/arn:aws[\w-]*:(?:iam|eks|rds|es)::?[\w-]*:(\d{12}):/);
  return arn?.[1] ?? FIXTURE_ACCOUNT;
}

/** MemoryAws method (or query name) → the first AWS action LiveAws sends for it (to replay planted errors as proxy faults). */
const METHOD_ACTIONS: Record<string, string> = {
  callerIdentity: 'sts:GetCallerIdentity',
  listEksClusters: 'eks:ListClusters',
  eksCluster: 'eks:DescribeCluster',
  oidcProviders: 'iam:ListOpenIDConnectProviders',
  role: 'iam:GetRole',
  attachedPolicies: 'iam:ListAttachedRolePolicies',
  inlinePolicies: 'iam:ListRolePolicies',
  policyDocument: 'iam:GetPolicy',
  dbClusters: 'rds:DescribeDBClusters',
  openSearchDomains: 'es:ListDomainNames',
  simulatePrincipalPolicy: 'iam:SimulatePrincipalPolicy',
  assumeRoleWithWebIdentity: 'sts:AssumeRoleWithWebIdentity',
  assumeRoleForPodIdentity: 'eks-auth:AssumeRoleForPodIdentity',
  instances: 'ec2:DescribeInstances',
  podIdentityAssociations: 'eks:ListPodIdentityAssociations',
  vpcEndpoints: 'ec2:DescribeVpcEndpoints',
  routeTables: 'ec2:DescribeRouteTables',
  subnets: 'ec2:DescribeSubnets',
  securityGroups: 'ec2:DescribeSecurityGroups',
  bucketRegion: 's3:GetBucketLocation',
  bucketPolicy: 's3:GetBucketPolicy',
};

function faultFor(reason: string): FaultKind | undefined {
  if (/AccessDenied|Forbidden|NotAuthorized/i.test(reason)) return 'accessDenied';
  if (/Expired/i.test(reason)) return 'expiredToken';
  if (/Throttl|TooManyRequests|RateExceeded/i.test(reason)) return 'throttling';
  if (/ServiceUnavailable/i.test(reason)) return 'unavailable';
  if (/InternalFailure|InternalError/i.test(reason)) return 'serverError';
  return undefined;
}

export async function seedMoto(
  fixture: WorldModel,
  moto: string = motoUrl(),
  options: SeedOptions = {},
): Promise<SeededMoto> {
  // The SDK's "Node 22 after January 2027" notice would land in every test's stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [eks, iam, rds, opensearch, sts] = await Promise.all([
    import('@aws-sdk/client-eks'),
    import('@aws-sdk/client-iam'),
    import('@aws-sdk/client-rds'),
    import('@aws-sdk/client-opensearch'),
    import('@aws-sdk/client-sts'),
  ]);
  const accountId = options.accountId ?? randomAccountId();
  // moto lacks the EKS Pod Identity association APIs: the proxy answers them for worlds that have some.
  const proxy = await startAwsProxy({
    target: moto,
    accountId,
    podIdentity: Array.isArray(fixture.aws.podIdentity),
  });
  const unsupported: string[] = [];
  const from = fixtureAccount(fixture);
  const pairs: Array<[string, string]> = [[from, accountId]];
  const mapping: MotoMapping = {
    account: { from, to: accountId },
    replacements: [],
    clusters: {},
    dbClusters: {},
    domains: {},
  };
  const rewriteNow = <T>(v: T): T => replaceDeep(v, longestFirst([...pairs]));
  const config = (region: string) => ({
    region,
    endpoint: proxy.url,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  });
  const aws = fixture.aws;

  try {
    // --- EKS: moto picks endpoint and issuer; they decide most of the mapping.
    const byRegion = new Map<string, string[]>();
    for (const c of aws.clusters ?? []) byRegion.set(c.region, [...(byRegion.get(c.region) ?? []), c.name]);
    for (const [region, names] of byRegion) {
      if (names.length > 1) {
        throw new Error(
          `seedMoto: moto gives every EKS cluster in a region the same endpoint and OIDC issuer, ` +
            `so clusters ${names.join(', ')} in ${region} cannot be told apart; use an in-memory world for this case`,
        );
      }
    }
    const clusterTruth = new Map<string, EksCluster>();
    for (const c of aws.clusters ?? []) {
      const out = await new eks.EKSClient(config(c.region)).send(
        new eks.CreateClusterCommand({
          name: c.name,
          ...(c.version ? { version: c.version } : {}),
          roleArn: `arn:aws:iam::${accountId}:role/eks-cluster-role`,
          resourcesVpcConfig: { subnetIds: [] },
        }),
      );
      const created = out.cluster!;
      const endpoint = created.endpoint!;
      const issuer = created.identity!.oidc!.issuer!;
      if (c.endpoint) pairs.push([hostOf(c.endpoint), hostOf(endpoint)]);
      else unsupported.push(`EKS cluster ${c.name} without an endpoint (moto always has one)`);
      if (c.issuer) pairs.push([issuerHostPath(c.issuer), issuerHostPath(issuer)]);
      else unsupported.push(`EKS cluster ${c.name} without an OIDC issuer (moto always has one)`);
      if (c.status && c.status !== 'ACTIVE')
        unsupported.push(`EKS cluster ${c.name} status ${c.status} (moto: ACTIVE)`);
      mapping.clusters[c.name] = { endpoint, issuer, arn: created.arn! };
      clusterTruth.set(c.name, {
        name: c.name,
        arn: created.arn!,
        endpoint,
        ...(created.version ? { version: created.version } : {}),
        status: created.status ?? 'ACTIVE',
        issuer,
      });
    }

    // --- S3: bucket names are global in moto across accounts, so each seeding gets its own.
    if (Object.keys(aws.buckets ?? {}).length > 0) {
      const s3 = await import('@aws-sdk/client-s3');
      for (const [name, region] of Object.entries(aws.buckets ?? {})) {
        const seeded = `${name}-${accountId}`;
        pairs.push([name, seeded]);
        const client = new s3.S3Client({ ...config(region), forcePathStyle: true });
        await client.send(
          new s3.CreateBucketCommand({
            Bucket: seeded,
            ...(region === 'us-east-1'
              ? {}
              : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
          }),
        );
        const bucketPolicy = aws.bucketPolicies?.[name];
        if (bucketPolicy !== undefined) {
          // The policy names the fixture's bucket and account: written as moto will answer them.
          const text = replaceDeep(toJson(bucketPolicy), [
            [name, seeded],
            [from, accountId],
          ]);
          await client.send(new s3.PutBucketPolicyCommand({ Bucket: seeded, Policy: text }));
        }
      }
    }

    // --- RDS: endpoints and DbClusterResourceId are moto's.
    const dbTruth = new Map<string, DbCluster>();
    for (const d of aws.dbClusters ?? []) {
      const client = new rds.RDSClient(config(d.region));
      const out = await client.send(
        new rds.CreateDBClusterCommand({
          DBClusterIdentifier: d.identifier,
          Engine: d.engine ?? 'aurora-postgresql',
          MasterUsername: 'postgres',
          MasterUserPassword: 'moto-master-password',
          EnableIAMDatabaseAuthentication: d.iamAuthEnabled,
          ...(d.port !== undefined ? { Port: d.port } : {}),
        }),
      );
      const created = out.DBCluster!;
      let status = 'available';
      if (d.status === 'stopped') {
        await client.send(
          new rds.StopDBClusterCommand({ DBClusterIdentifier: created.DBClusterIdentifier! }),
        );
        status = 'stopped';
      } else if (d.status && d.status !== 'available') {
        unsupported.push(`DB cluster ${d.identifier} status ${d.status} (moto: available or stopped)`);
      }
      if ((d.customEndpoints ?? []).length > 0) {
        unsupported.push(`DB cluster ${d.identifier} custom endpoints (moto has no CreateDBClusterEndpoint)`);
      }
      if (d.endpoint) pairs.push([d.endpoint, created.Endpoint!]);
      if (d.readerEndpoint) pairs.push([d.readerEndpoint, created.ReaderEndpoint!]);
      if (d.resourceId) pairs.push([d.resourceId, created.DbClusterResourceId!]);
      mapping.dbClusters[d.identifier] = {
        identifier: created.DBClusterIdentifier!,
        endpoint: created.Endpoint!,
        readerEndpoint: created.ReaderEndpoint!,
        resourceId: created.DbClusterResourceId!,
        arn: created.DBClusterArn!,
      };
      dbTruth.set(d.identifier, {
        identifier: created.DBClusterIdentifier!,
        arn: created.DBClusterArn!,
        resourceId: created.DbClusterResourceId!,
        endpoint: created.Endpoint!,
        readerEndpoint: created.ReaderEndpoint!,
        customEndpoints: [],
        port: created.Port!,
        status,
        engine: created.Engine!,
        iamAuthEnabled: created.IAMDatabaseAuthenticationEnabled === true,
      });
    }

    // --- OpenSearch: moto names endpoints `<domain>.<region>.es.amazonaws.com`.
    const domainTruth = new Map<string, Omit<OpenSearchDomain, 'accessPolicies'>>();
    const domainsLeft = [];
    for (const d of aws.domains ?? []) {
      const vpc = Object.keys(d.endpoints ?? {}).length > 0;
      if (d.processing) unsupported.push(`OpenSearch domain ${d.name} still processing (moto: never)`);
      if (d.deleted || !d.created)
        unsupported.push(`OpenSearch domain ${d.name} deleted/not created (moto: created)`);
      if (d.masterUserArn)
        unsupported.push(`OpenSearch domain ${d.name} master user ARN (DescribeDomains never returns it)`);
      domainsLeft.push({ d, vpc });
    }

    // --- IAM: providers, managed policies, roles (documents rewritten first).
    const rewritten = rewriteNow(fixture);
    for (const { d, vpc } of domainsLeft) {
      const policies = rewritten.aws.domains!.find((x) => x.name === d.name)!.accessPolicies;
      const out = await new opensearch.OpenSearchClient(config(d.region)).send(
        new opensearch.CreateDomainCommand({
          DomainName: d.name,
          EngineVersion: 'OpenSearch_2.11',
          ...(vpc ? { VPCOptions: { SubnetIds: ['subnet-0123456789abcdef0'] } } : {}),
          ...(policies !== undefined ? { AccessPolicies: toJson(policies) } : {}),
          DomainEndpointOptions: {
            EnforceHTTPS: d.httpsEnforced,
            ...(d.customEndpoint ? { CustomEndpointEnabled: true, CustomEndpoint: d.customEndpoint } : {}),
          },
          AdvancedSecurityOptions: {
            Enabled: d.fineGrainedAccessControl,
            InternalUserDatabaseEnabled: d.internalUserDatabaseEnabled ?? false,
            AnonymousAuthEnabled: d.anonymousAuthEnabled ?? false,
            ...(d.masterUserArn ? { MasterUserOptions: { MasterUserARN: rewriteNow(d.masterUserArn) } } : {}),
          },
        }),
      );
      const s = out.DomainStatus!;
      const endpoints = { ...(s.Endpoints ?? {}) };
      if (d.endpoint && s.Endpoint) pairs.push([d.endpoint, s.Endpoint]);
      for (const [kind, host] of Object.entries(d.endpoints ?? {})) {
        if (endpoints[kind]) pairs.push([host, endpoints[kind]!]);
      }
      mapping.domains[d.name] = { ...(s.Endpoint ? { endpoint: s.Endpoint } : {}), endpoints, arn: s.ARN! };
      domainTruth.set(d.name, {
        name: d.name,
        arn: s.ARN!,
        ...(s.Endpoint ? { endpoint: s.Endpoint } : {}),
        endpoints,
        ...(d.customEndpoint ? { customEndpoint: d.customEndpoint } : {}),
        created: true,
        deleted: false,
        processing: false,
        httpsEnforced: d.httpsEnforced,
        fineGrainedAccessControl: d.fineGrainedAccessControl,
        anonymousAuthEnabled: d.anonymousAuthEnabled ?? false,
        internalUserDatabaseEnabled: d.internalUserDatabaseEnabled ?? false,
      });
    }

    const seededAws = rewriteNow(fixture.aws);
    const iamClient = new iam.IAMClient(config(aws.clusters?.[0]?.region ?? 'us-east-1'));
    for (const p of seededAws.oidcProviders ?? []) {
      const out = await iamClient.send(
        new iam.CreateOpenIDConnectProviderCommand({
          Url: `https://${p.url}`,
          ClientIDList: p.clientIds,
          ThumbprintList: [THUMBPRINT],
        }),
      );
      if (out.OpenIDConnectProviderArn !== p.arn) {
        unsupported.push(`OIDC provider ARN ${p.arn} (moto named it ${out.OpenIDConnectProviderArn})`);
        p.arn = out.OpenIDConnectProviderArn!;
      }
    }
    for (const [arn, doc] of Object.entries(seededAws.policies ?? {})) {
      const m = arn.match(/^arn:[\w-]+:iam::(\d{12}|aws):policy(\/(?:.*\/)?)([^/]+)$/);
      if (!m) throw new Error(`seedMoto: cannot parse the policy ARN ${arn}`);
      if (m[1] === 'aws') continue; // AWS managed: moto knows its own copy
      const out = await iamClient.send(
        new iam.CreatePolicyCommand({ PolicyName: m[3]!, Path: m[2]!, PolicyDocument: toJson(doc) }),
      );
      if (out.Policy?.Arn !== arn) throw new Error(`seedMoto: moto named policy ${arn} ${out.Policy?.Arn}`);
    }
    for (const r of seededAws.roles ?? []) {
      await iamClient.send(
        new iam.CreateRoleCommand({
          RoleName: r.name,
          Path: r.path ?? '/',
          AssumeRolePolicyDocument: toJson(r.trustPolicy),
          ...(r.permissionsBoundaryArn ? { PermissionsBoundary: r.permissionsBoundaryArn } : {}),
        }),
      );
      for (const policyArn of r.attached ?? []) {
        await iamClient.send(new iam.AttachRolePolicyCommand({ RoleName: r.name, PolicyArn: policyArn }));
      }
      for (const p of r.inline ?? []) {
        await iamClient.send(
          new iam.PutRolePolicyCommand({
            RoleName: r.name,
            PolicyName: p.name,
            PolicyDocument: toJson(p.document),
          }),
        );
      }
    }

    // --- EKS Pod Identity associations (the proxy's stub): their IDs are generated.
    if (Array.isArray(seededAws.podIdentity)) {
      for (const a of seededAws.podIdentity) {
        const out = await new eks.EKSClient(config(a.region)).send(
          new eks.CreatePodIdentityAssociationCommand({
            clusterName: a.cluster,
            namespace: a.namespace,
            serviceAccount: a.serviceAccount,
            roleArn: a.roleArn!,
            ...(a.targetRoleArn ? { targetRoleArn: a.targetRoleArn } : {}),
            ...(a.disableSessionTags ? { disableSessionTags: true } : {}),
            ...(a.policy ? { policy: a.policy } : {}),
          }),
        );
        pairs.push([a.associationId, out.association!.associationId!]);
      }
    }

    // --- EC2: one instance per node with the world's metadata options; moto picks the IDs.
    const ec2 = await import('@aws-sdk/client-ec2');
    for (const i of aws.instances ?? []) {
      const out = await new ec2.EC2Client(config(i.region)).send(
        new ec2.RunInstancesCommand({
          ImageId: 'ami-12c6146b',
          MinCount: 1,
          MaxCount: 1,
          MetadataOptions: {
            HttpTokens: i.imdsV2Required ? 'required' : 'optional',
            ...(i.httpPutResponseHopLimit !== undefined
              ? { HttpPutResponseHopLimit: i.httpPutResponseHopLimit }
              : {}),
            ...(i.httpEndpoint ? { HttpEndpoint: i.httpEndpoint as 'enabled' | 'disabled' } : {}),
          },
        }),
      );
      pairs.push([i.instanceId, out.Instances![0]!.InstanceId!]);
    }

    // --- Roles the applications used: a call with the role's credentials sets RoleLastUsed
    // (to now: moto's date, which the rewritten world takes over).
    const lastUsed = new Map<string, string>();
    for (const r of seededAws.roles ?? []) {
      if (!r.lastUsedDate) continue;
      const assumed = await new sts.STSClient(config(aws.clusters?.[0]?.region ?? 'us-east-1')).send(
        new sts.AssumeRoleCommand({ RoleArn: r.arn, RoleSessionName: 'application' }),
      );
      const c = assumed.Credentials!;
      await new sts.STSClient({
        ...config(aws.clusters?.[0]?.region ?? 'us-east-1'),
        credentials: {
          accessKeyId: c.AccessKeyId!,
          secretAccessKey: c.SecretAccessKey!,
          sessionToken: c.SessionToken!,
        },
      }).send(new sts.GetCallerIdentityCommand({}));
      const used = (await iamClient.send(new iam.GetRoleCommand({ RoleName: r.name }))).Role?.RoleLastUsed;
      if (used?.LastUsedDate) lastUsed.set(r.name, used.LastUsedDate.toISOString());
      else unsupported.push(`RoleLastUsed of role ${r.name} (moto did not record the use)`);
    }

    // --- What moto says about the caller (no IAM user: `arn:aws:sts::<account>:user/moto`).
    const caller = await new sts.STSClient(config(aws.clusters?.[0]?.region ?? 'us-east-1')).send(
      new sts.GetCallerIdentityCommand({}),
    );

    mapping.replacements = longestFirst([...pairs]);
    const rewrite = (w: WorldModel): WorldModel => replaceDeep(structuredClone(w), mapping.replacements);
    const world = rewrite(fixture);
    world.aws.caller = { arn: caller.Arn!, account: caller.Account!, userId: caller.UserId! };
    // What IAM answers: the thumbprint given at creation too.
    world.aws.oidcProviders = seededAws.oidcProviders?.map((p) => ({ ...p, thumbprints: [THUMBPRINT] }));
    world.aws.clusters = (world.aws.clusters ?? []).map((c) => ({
      ...clusterTruth.get(c.name)!,
      region: c.region,
    }));
    world.aws.dbClusters = (fixture.aws.dbClusters ?? []).map((d) => ({
      ...dbTruth.get(d.identifier)!,
      region: d.region,
    }));
    for (const r of world.aws.roles ?? []) {
      if (lastUsed.has(r.name)) r.lastUsedDate = lastUsed.get(r.name);
      else delete r.lastUsedDate;
    }
    world.aws.domains = (world.aws.domains ?? []).map((d) => ({
      ...domainTruth.get(d.name)!,
      ...(d.accessPolicies !== undefined ? { accessPolicies: d.accessPolicies } : {}),
      region: d.region,
    }));
    if (world.aws.simulation)
      unsupported.push('SimulatePrincipalPolicy answers (moto does not implement it)');
    delete world.aws.simulation;
    if (world.aws.cnames && Object.keys(world.aws.cnames).length > 0) {
      unsupported.push('CNAMEs (LiveAws asks real DNS, not moto)');
    }

    // Seeding traffic is not the test's: counts start at zero. Errors planted for
    // MemoryAws become proxy faults where the wire can carry them.
    proxy.reset();
    for (const [method, error] of Object.entries(world.aws.errors ?? {})) {
      const action = METHOD_ACTIONS[method];
      const kind = faultFor(error.reason);
      if (action && kind) proxy.fail(action, kind);
      else unsupported.push(`planted error ${method}: ${error.reason}`);
    }

    return {
      world,
      url: proxy.url,
      accountId,
      mapping,
      rewrite,
      proxy,
      env: {
        AWS_ENDPOINT_URL: proxy.url,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_REGION: aws.clusters?.[0]?.region ?? 'eu-west-1',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      unsupported,
      close: () => proxy.close(),
    };
  } catch (e) {
    await proxy.close();
    throw e;
  }
}
