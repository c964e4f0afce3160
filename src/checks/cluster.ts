/**
 * EKS cluster and OIDC (codes 30–35): which EKS cluster serves the API server
 * irsa-check talks to, its Kubernetes version and OIDC issuer, and the IAM OIDC
 * provider that lets its ServiceAccount tokens assume roles.
 *
 * Provides the facts region (as soon as it is chosen, so the Aurora and OpenSearch
 * modules can start), cluster, issuer and oidcProviderArn. When no cluster matches,
 * it says so and provides no cluster: later modules never fall back to some other
 * cluster (the original script used the last one listed).
 *
 * Region: an EKS API server URL (`https://<id>.<zone>.<region>.eks.amazonaws.com`)
 * names the cluster's region as a fact, so it wins over `--region`/AWS_REGION
 * (often a shell-wide default for other work); the kubeconfig's
 * `aws eks get-token --region` comes next, `--region`/AWS_REGION last.
 * Cluster: `--cluster-name`; else the name in the kubeconfig user's exec args
 * (`aws eks get-token --cluster-name|--cluster-id`, `aws-iam-authenticator token -i`)
 * or in an EKS context ARN, accepted when its endpoint is the API server; else
 * the cluster in the region whose endpoint is the API server URL.
 */
import { issuerKey } from '../platform/issuer.js';
import { defineModule, type ModuleContext } from '../engine/module.js';
import { DEFAULT_AUDIENCE } from '../iam/policy.js';
import type { Reporter } from '../core/reporter.js';
import type { CallerIdentity } from '../ports/aws.js';
import type { EksCluster, OidcProvider } from '../ports/aws.js';
import type { KubeClusterInfo } from '../ports/kube.js';
import { issuerHostPath, oidcProviderArn, parseArn, parseRoleArn, partitionOf } from '../iam/arn.js';
import { cannotCheckFrom } from '../platform/accounts.js';
import { credentialSource } from '../platform/pod-identity.js';
import { ROLE_ARN_ANNOTATION } from '../ports/kube.js';
import { FAN_OUT, mapLimit } from '../core/concurrency.js';

/** The minimum Kubernetes version of the original script's check. */
export const MIN_KUBERNETES = { major: 1, minor: 23 } as const;

const CHECKS = {
  'eks-api-server': {
    severity: 'FAIL',
    code: 30,
    title: 'the kubeconfig context names no API server URL',
    fix: 'Check the kubeconfig context (--context); pass --region (and --cluster-name) when the API server URL is not an EKS endpoint.',
  },
  'eks-region': {
    severity: 'FAIL',
    code: 30,
    title: 'the cluster’s AWS region is unknown',
    fix: 'Check the kubeconfig context (--context); pass --region (and --cluster-name) when the API server URL is not an EKS endpoint.',
  },
  'eks-clusters': {
    severity: 'FAIL',
    code: 31,
    title: 'no EKS clusters in the region',
    fix: 'Check --region and that the AWS credentials belong to the account that owns the cluster.',
  },
  'eks-cluster-match': {
    severity: 'FAIL',
    code: 32,
    title: 'no EKS cluster serves the API server (or --cluster-name does not exist)',
    fix: 'Use the kubeconfig context of the Camunda cluster, or name it with --cluster-name and --region.',
  },
  'eks-cluster-endpoint': {
    severity: 'WARN',
    title:
      'the EKS cluster named by --cluster-name or the kubeconfig is not the one whose endpoint is the API server',
    fix: 'Use the kubeconfig context of the Camunda cluster, or name it with --cluster-name and --region.',
  },
  'eks-cluster-status': {
    severity: 'WARN',
    title: 'the EKS cluster is not ACTIVE',
    fix: 'Wait until `aws eks describe-cluster` reports the cluster ACTIVE, then run irsa-check again.',
  },
  'eks-version': {
    severity: 'FAIL',
    code: 34,
    title: `Kubernetes older than ${MIN_KUBERNETES.major}.${MIN_KUBERNETES.minor}`,
    fix: 'Upgrade the cluster (`aws eks update-cluster-version`), one minor version at a time.',
  },
  'eks-version-unknown': {
    severity: 'WARN',
    title: 'the Kubernetes version of the EKS cluster cannot be read',
    fix: 'Check `aws eks describe-cluster --query cluster.version`.',
  },
  'oidc-issuer': {
    severity: 'FAIL',
    code: 33,
    title: 'the EKS cluster has no OIDC issuer',
    fix: 'Check `aws eks describe-cluster --query cluster.identity.oidc.issuer`; IRSA needs the cluster’s OIDC issuer.',
  },
  'oidc-provider': {
    severity: 'FAIL',
    code: 35,
    title: 'no IAM OIDC provider for the cluster’s issuer',
    fix: 'Create the provider: `eksctl utils associate-iam-oidc-provider --cluster <name> --approve`.',
  },
  'oidc-provider-audience': {
    severity: 'FAIL',
    code: 35,
    title: 'the IAM OIDC provider has no client IDs (audiences)',
    fix: 'Add the audience: `aws iam add-client-id-to-open-id-connect-provider --client-id sts.amazonaws.com`.',
  },
  'oidc-default-audience': {
    severity: 'WARN',
    title: 'the IAM OIDC provider does not list the sts.amazonaws.com audience',
    fix: 'Add the default audience: `aws iam add-client-id-to-open-id-connect-provider --client-id sts.amazonaws.com`.',
  },
} as const;
type Id = keyof typeof CHECKS;
type Ctx = ModuleContext<never, 'caller' | 'partition', 'region' | 'cluster' | 'issuer' | 'oidcProviderArn'>;

// ------------------------------------------------------------------ parsing helpers

/** `https://<id>.<zone>.<region>.eks.amazonaws.com[.cn]` → region; undefined for any other URL. */
export function regionFromServer(server: string): string | undefined {
  let host: string;
  try {
    host = new URL(server).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  return /\.([a-z]{2}(?:-[a-z]+)+-\d+)\.eks\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1];
}

/** Scheme, lower-case host, no default port, no trailing slash: how two endpoint URLs compare. */
export function normalizeEndpoint(url: string): string {
  const trimmed = url.trim();
  try {
    const u = new URL(trimmed);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`.toLowerCase();
  } catch {
    return trimmed.replace(/\/+$/, '').toLowerCase();
  }
}

export interface ClusterHint {
  name?: string;
  region?: string;
  /** Where the name came from, as a person would recognise it. */
  nameSource?: string;
  /** Where the region came from. */
  regionSource?: string;
}

/** The value of `--flag value` or `--flag=value` in `args`. */
function flagValue(args: readonly string[], ...flags: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    for (const flag of flags) {
      if (arg === flag && i + 1 < args.length) return args[i + 1];
      if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
    }
  }
  return undefined;
}

/** What the kubeconfig user's `exec` credential plugin says about the cluster. */
export function execHint(exec: KubeClusterInfo['exec']): ClusterHint | undefined {
  if (!exec) return undefined;
  const command = (exec.command.split(/[\\/]/).pop() ?? exec.command).replace(/\.exe$/i, '');
  const args = exec.args ?? [];
  const tool = command === 'aws' && args.includes('get-token') ? 'aws eks get-token' : command;
  let name: string | undefined;
  let nameSource: string | undefined;
  if (command === 'aws-iam-authenticator') {
    name = flagValue(args, '-i', '--cluster-id');
    nameSource = `the kubeconfig's aws-iam-authenticator token -i ${name}`;
  } else {
    const flag = flagValue(args, '--cluster-name') !== undefined ? '--cluster-name' : '--cluster-id';
    name = flagValue(args, flag);
    nameSource = `the kubeconfig's ${tool} ${flag} ${name}`;
  }
  const regionFlag = flagValue(args, '--region');
  const regionEnv = exec.env?.AWS_REGION ?? exec.env?.AWS_DEFAULT_REGION;
  const region = regionFlag ?? regionEnv;
  if (!name && !region) return undefined;
  return {
    ...(name ? { name, nameSource } : {}),
    ...(region
      ? {
          region,
          regionSource: regionFlag
            ? `the kubeconfig's ${tool} --region ${region}`
            : `the AWS_REGION of the kubeconfig's ${tool}`,
        }
      : {}),
  };
}

/** `aws eks update-kubeconfig` names contexts after the cluster ARN. */
export function contextHint(contextName: string | undefined): ClusterHint | undefined {
  const arn = contextName ? parseArn(contextName) : undefined;
  if (!arn || arn.service !== 'eks' || !arn.resource.startsWith('cluster/')) return undefined;
  const name = arn.resource.slice('cluster/'.length);
  if (!name || !arn.region) return undefined;
  const source = `the kubeconfig context ${contextName}`;
  return { name, region: arn.region, nameSource: source, regionSource: source };
}

export interface KubernetesVersion {
  major: number;
  minor: number;
}

/** `1.31`, `v1.9`, `1.28.3-eks-…` → {major, minor}; undefined when it is not a version. */
export function parseKubernetesVersion(version: string | undefined): KubernetesVersion | undefined {
  const m = /^v?(\d+)\.(\d+)(?:[.+-].*)?$/.exec(version?.trim() ?? '');
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** Numeric comparison: 1.9 < 1.23 < 1.30 (the original compared them as text and never failed). */
export function compareVersions(a: KubernetesVersion, b: KubernetesVersion): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

/** IAM stores provider URLs without the scheme; the host is case-insensitive, the path is not. */
function providerKey(url: string): string {
  const hostPath = issuerHostPath(url.trim());
  const slash = hostPath.indexOf('/');
  return slash < 0 ? hostPath.toLowerCase() : hostPath.slice(0, slash).toLowerCase() + hostPath.slice(slash);
}

function lastSegment(url: string): string {
  return issuerHostPath(url).split('/').pop() ?? '';
}

// ------------------------------------------------------------------ discovery

interface Discovery {
  region: string;
  cluster?: EksCluster;
}

/** Picks the region, saying where it came from; undefined (with FAIL 30) when there is none. */
function chooseRegion(ctx: Ctx, out: Reporter<Id>, server: string, hints: ClusterHint[]): string | undefined {
  const fromUrl = regionFromServer(server);
  const optionRegion = ctx.options.region;
  if (fromUrl) {
    out.ok('eks-region', `region ${fromUrl}, from the EKS API server URL ${server}`);
    if (optionRegion && optionRegion !== fromUrl) {
      out.info(
        `--region / AWS_REGION says ${optionRegion}, but the API server is in ${fromUrl}: using ${fromUrl}`,
      );
    }
    return fromUrl;
  }
  const hinted = hints.find((h) => h.region);
  if (hinted?.region) {
    out.ok('eks-region', `region ${hinted.region}, from ${hinted.regionSource}`);
    return hinted.region;
  }
  if (optionRegion) {
    out.ok('eks-region', `region ${optionRegion}, from --region / AWS_REGION`);
    return optionRegion;
  }
  out.fail(
    'eks-region',
    `cannot tell the cluster's AWS region: the API server URL ${server} is not an EKS endpoint and neither the kubeconfig nor --region names one`,
    { fix: 'Pass the region of the EKS cluster with --region (and its name with --cluster-name).' },
  );
  return undefined;
}

/**
 * The EKS cluster discover() looks up first, without reporting: --cluster-name, else the first
 * name the kubeconfig gives, in the region chooseRegion picks. Undefined when it would list the
 * region's clusters or cannot tell the region.
 */
function firstLookup(
  options: Ctx['options'],
  info: KubeClusterInfo,
): { name: string; region: string } | undefined {
  const hints = [execHint(info.exec), contextHint(info.contextName)].filter(
    (h): h is ClusterHint => h !== undefined,
  );
  const region =
    regionFromServer(info.server.trim()) ?? hints.find((h) => h.region)?.region ?? options.region;
  const name = options.clusterName ?? hints.find((h) => h.name)?.name;
  return region && name ? { name, region } : undefined;
}

async function discover(
  ctx: Ctx,
  out: Reporter<Id>,
  info: KubeClusterInfo,
  caller: CallerIdentity,
): Promise<Discovery | undefined> {
  const server = info.server.trim();
  const hints = [execHint(info.exec), contextHint(info.contextName)].filter(
    (h): h is ClusterHint => h !== undefined,
  );
  const region = chooseRegion(ctx, out, server, hints);
  if (!region) return undefined;
  ctx.provide('region', region);
  const serverIsEks = regionFromServer(server) !== undefined;
  const target = normalizeEndpoint(server);
  const serves = (c: EksCluster): boolean => !!c.endpoint && normalizeEndpoint(c.endpoint) === target;

  // 1. --cluster-name: the user's word, as long as the cluster exists.
  const explicit = ctx.options.clusterName;
  if (explicit) {
    const c = await ctx.aws.eksCluster(explicit, region);
    if (!c) {
      out.fail(
        'eks-cluster-match',
        `EKS cluster "${explicit}" (--cluster-name) does not exist in ${region}`,
        {
          fix: `List the clusters with \`aws eks list-clusters --region ${region}\` and pass the right name and --region.`,
        },
      );
      return { region };
    }
    if (serves(c))
      out.ok('eks-cluster-match', `EKS cluster ${c.name} (--cluster-name) serves the API server ${server}`);
    else {
      out.warn(
        'eks-cluster-endpoint',
        `EKS cluster ${c.name} (--cluster-name) has the endpoint ${c.endpoint ?? 'none'}, not the API server irsa-check talks to (${server}): the checks below are about ${c.name}`,
      );
    }
    return { region, cluster: c };
  }

  // 2. A name in the kubeconfig, accepted when it serves this API server.
  const mismatched: EksCluster[] = [];
  const tried = new Set<string>();
  for (const hint of hints) {
    if (!hint.name || tried.has(hint.name)) continue;
    tried.add(hint.name);
    const c = await ctx.aws.eksCluster(hint.name, region);
    if (!c) continue;
    if (serves(c)) {
      out.ok(
        'eks-cluster-match',
        `EKS cluster ${c.name} serves the API server (named by ${hint.nameSource})`,
      );
      return { region, cluster: c };
    }
    if (!serverIsEks) {
      out.ok(
        'eks-cluster-match',
        `EKS cluster ${c.name}, named by ${hint.nameSource} (the API server URL ${server} is not an EKS endpoint, so it cannot be matched)`,
      );
      return { region, cluster: c };
    }
    mismatched.push(c);
  }

  // 3. Endpoint matching over every cluster of the region.
  const names = await ctx.aws.listEksClusters(region);
  if (names.length === 0) {
    const account = caller.account;
    out.fail('eks-clusters', `no EKS clusters in region ${region}${account ? ` (account ${account})` : ''}`, {
      fix: `Check the region (--region) and that irsa-check runs with credentials of the account that owns the cluster (\`aws eks list-clusters --region ${region}\`).`,
    });
    return { region };
  }
  const known = new Map(mismatched.map((m) => [m.name, m]));
  const described = await mapLimit(
    names,
    FAN_OUT,
    async (name) => known.get(name) ?? ctx.aws.eksCluster(name, region),
  );
  const match = described.find((c): c is EksCluster => c !== undefined && serves(c));
  if (match) {
    const kubeconfigNamed =
      mismatched.length > 0
        ? `; the kubeconfig names ${mismatched.map((m) => m.name).join(', ')}, whose endpoint differs`
        : '';
    const line = `EKS cluster ${match.name} serves the API server (its endpoint matched among ${names.length} cluster(s) in ${region}${kubeconfigNamed})`;
    if (mismatched.length > 0) out.warn('eks-cluster-endpoint', line);
    else out.ok('eks-cluster-match', line);
    return { region, cluster: match };
  }
  const also = mismatched
    .map((m) => `; the kubeconfig names ${m.name}, whose endpoint is ${m.endpoint ?? 'unknown'}`)
    .join('');
  out.fail(
    'eks-cluster-match',
    `no EKS cluster in ${region} has the endpoint ${server} (clusters: ${names.join(', ')})${also}: the cluster checks are skipped rather than guessing`,
    {
      fix: 'Run irsa-check with the kubeconfig context of the EKS cluster that hosts Camunda (--context), or name it with --cluster-name and --region.',
    },
  );
  return { region };
}

// ------------------------------------------------------------------ checks on the cluster

function checkStatusAndVersion(out: Reporter<Id>, c: EksCluster, region: string): void {
  if (c.status && c.status !== 'ACTIVE')
    out.warn('eks-cluster-status', `EKS cluster ${c.name} is ${c.status}, not ACTIVE`);
  const min = `${MIN_KUBERNETES.major}.${MIN_KUBERNETES.minor}`;
  const v = parseKubernetesVersion(c.version);
  if (!v) {
    out.warn(
      'eks-version-unknown',
      `cannot read the Kubernetes version "${c.version ?? ''}" of EKS cluster ${c.name}`,
    );
    return;
  }
  if (compareVersions(v, MIN_KUBERNETES) < 0) {
    out.fail('eks-version', `EKS cluster ${c.name} runs Kubernetes ${c.version}, older than ${min}`, {
      fix: `Upgrade the cluster one minor version at a time (\`aws eks update-cluster-version --name ${c.name} --region ${region} --kubernetes-version <next>\`).`,
    });
    return;
  }
  out.ok('eks-version', `Kubernetes ${c.version} (${min} or newer)`);
}

/**
 * Where the IRSA roles are when the caller's account has no provider for the issuer: STS accepts
 * only a provider of the ROLE's account (EKS user guide, "Authenticate to another account with
 * IRSA"), so a caller's account without one is no fault when every IRSA role lives elsewhere, and
 * none is needed when no pod uses IRSA (EKS Pod Identity needs no OIDC provider). The roles are
 * those of the namespace's pods' ServiceAccounts, each decided as the webhook does (an association
 * wins over the annotation: platform/pod-identity.ts credentialSource); the plan is not known yet
 * at this point of the run. Undefined when they cannot be read, none has a role, or one is in the
 * caller's account: then the caller's account needs the provider.
 */
async function rolesElsewhere(
  ctx: Ctx,
  c: EksCluster,
  region: string,
  account: string,
): Promise<{ podIdentityOnly: string[] } | { accounts: Map<string, string[]> } | undefined> {
  const ns = ctx.scope.namespace;
  if (ctx.scope.noCluster !== undefined || !ns) return undefined;
  const [pods, associations] = await Promise.all([
    ctx.kube.pods(ns).catch(() => undefined),
    ctx.aws.podIdentityAssociations(c.name, region, ns).catch(() => undefined),
  ]);
  if (!pods) return undefined;
  const names = [...new Set(pods.map((p) => p.serviceAccountName ?? 'default'))].sort();
  const accounts = new Map<string, string[]>();
  const podIdentity: string[] = [];
  for (const name of names) {
    const sa = await ctx.kube.serviceAccount(ns, name).catch(() => undefined);
    const source = credentialSource(
      sa?.annotations[ROLE_ARN_ANNOTATION]?.trim() || undefined,
      associations?.find((a) => a.serviceAccount === name),
    );
    if (!source) continue;
    if (source.mechanism === 'pod-identity') {
      podIdentity.push(name);
      continue;
    }
    const role = parseRoleArn(source.roleArn);
    if (!role || role.account === account) return undefined;
    const roles = accounts.get(role.account) ?? [];
    if (!roles.includes(role.name)) roles.push(role.name);
    accounts.set(role.account, roles);
  }
  if (accounts.size > 0) return { accounts };
  return podIdentity.length > 0 ? { podIdentityOnly: podIdentity } : undefined;
}

/** The caller's account has no provider: the roles' accounts, each read with --assume-role/--profile-for or not at all. */
async function checkProviderElsewhere(
  ctx: Ctx,
  out: Reporter<Id>,
  c: EksCluster,
  caller: string,
  partition: string,
  elsewhere: { podIdentityOnly: string[] } | { accounts: Map<string, string[]> },
): Promise<void> {
  const issuer = c.issuer!;
  const hostPath = issuerHostPath(issuer);
  if ('podIdentityOnly' in elsewhere) {
    out.info(
      `no IAM OIDC provider for the issuer ${hostPath} in account ${caller}: none is needed, no pod in namespace ${ctx.scope.namespace} uses IRSA (EKS Pod Identity: service account(s) ${elsewhere.podIdentityOnly.join(', ')})`,
    );
    return;
  }
  for (const [account, names] of elsewhere.accounts) {
    const roles = `IRSA role${names.length > 1 ? 's' : ''} ${names.join(', ')}`;
    const aws = ctx.awsIn(account);
    if (!aws) {
      out.info(
        cannotCheckFrom(
          caller,
          account,
          `account ${caller} has no IAM OIDC provider for the issuer ${hostPath}, and the ${roles} ${names.length > 1 ? 'are' : 'is'} in account ${account}, where STS needs it`,
          partition,
        ),
      );
      continue;
    }
    let providers: OidcProvider[];
    try {
      providers = await aws.oidcProviders();
    } catch (e) {
      out.unexpected(e);
      continue;
    }
    const provider = providers.find((p) => providerKey(p.url) === providerKey(issuer));
    if (!provider) {
      out.fail(
        'oidc-provider',
        `no IAM OIDC provider for the issuer ${hostPath} in account ${account}, where the ${roles} ${names.length > 1 ? 'are' : 'is'}: STS refuses the ServiceAccount tokens for ${names.length > 1 ? 'them' : 'it'}`,
        {
          fix: `With credentials of account ${account}: \`aws iam create-open-id-connect-provider --url ${issuer} --client-id-list ${DEFAULT_AUDIENCE}\`; trust policies name it as ${oidcProviderArn(partition, account, issuer)}.`,
        },
      );
      continue;
    }
    if (!provider.clientIds.includes(DEFAULT_AUDIENCE)) {
      out.fail(
        'oidc-provider-audience',
        `IAM OIDC provider ${provider.arn} (account ${account}, of the ${roles}) does not list the audience ${DEFAULT_AUDIENCE} (client IDs: ${provider.clientIds.join(', ') || 'none'})`,
        {
          fix: `With credentials of account ${account}: \`aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${provider.arn} --client-id ${DEFAULT_AUDIENCE}\`.`,
        },
      );
      continue;
    }
    out.ok(
      'oidc-provider',
      `IAM OIDC provider ${provider.arn} trusts the issuer, audience ${DEFAULT_AUDIENCE} (account ${account}, where the ${roles} ${names.length > 1 ? 'are' : 'is'}; account ${caller} has none)`,
    );
  }
}

async function checkProvider(
  ctx: Ctx,
  out: Reporter<Id>,
  c: EksCluster,
  region: string,
  providers: OidcProvider[],
  who: { partition: string | undefined; account: string },
): Promise<void> {
  const issuer = c.issuer!;
  const wanted = providerKey(issuer);
  const provider = providers.find((p) => providerKey(p.url) === wanted);
  const partition = who.partition ?? partitionOf(region);
  const account = who.account;
  if (!provider) {
    const elsewhere = await rolesElsewhere(ctx, c, region, account);
    if (elsewhere) {
      await checkProviderElsewhere(ctx, out, c, account, partition, elsewhere);
      return;
    }
    const sameId = providers.filter((p) => lastSegment(p.url) === lastSegment(issuer));
    const nearMiss = sameId
      .map((p) => `; ${p.arn} has the same ID but is for ${p.url}, not this cluster`)
      .join('');
    out.fail(
      'oidc-provider',
      `no IAM OIDC provider for the issuer ${issuerHostPath(issuer)}: pods cannot assume IAM roles with their ServiceAccount tokens${nearMiss}`,
      {
        fix:
          `Create it: \`eksctl utils associate-iam-oidc-provider --cluster ${c.name} --region ${region} --approve\` ` +
          `(or \`aws iam create-open-id-connect-provider --url ${issuer} --client-id-list ${DEFAULT_AUDIENCE}\`); ` +
          `trust policies name it as ${oidcProviderArn(partition, account, issuer)}.`,
      },
    );
    return;
  }
  ctx.provide('oidcProviderArn', provider.arn);
  if (provider.clientIds.includes(DEFAULT_AUDIENCE)) {
    out.ok(
      'oidc-provider',
      `IAM OIDC provider ${provider.arn} trusts the issuer, audience ${DEFAULT_AUDIENCE}`,
    );
    return;
  }
  const addAudience = `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${provider.arn} --client-id ${DEFAULT_AUDIENCE}`;
  if (provider.clientIds.length === 0) {
    out.fail(
      'oidc-provider-audience',
      `IAM OIDC provider ${provider.arn} has no client IDs (audiences): STS rejects every ServiceAccount token`,
      { fix: `Add the audience: \`${addAudience}\`.` },
    );
    return;
  }
  // Another audience still works for ServiceAccounts annotated eks.amazonaws.com/audience with it.
  out.warn(
    'oidc-default-audience',
    `IAM OIDC provider ${provider.arn} does not list the audience ${DEFAULT_AUDIENCE} (only: ${provider.clientIds.join(', ')}): only ServiceAccounts annotated eks.amazonaws.com/audience with one of these can assume roles`,
    { fix: `Add the default audience: \`${addAudience}\`.` },
  );
}

/** The found cluster's status, version, OIDC issuer and the IAM OIDC provider for it. */
async function checkIssuerAndProvider(
  ctx: Ctx,
  out: Reporter<Id>,
  c: EksCluster,
  region: string,
  caller: CallerIdentity,
): Promise<void> {
  ctx.provide('cluster', c);
  checkStatusAndVersion(out, c, region);
  if (!c.issuer) {
    out.fail('oidc-issuer', `EKS cluster ${c.name} reports no OIDC issuer`, {
      fix: `Check \`aws eks describe-cluster --name ${c.name} --region ${region} --query cluster.identity.oidc.issuer\`; without an issuer the cluster cannot use IRSA.`,
    });
    return;
  }
  ctx.provide('issuer', c.issuer);
  out.ok('oidc-issuer', `OIDC issuer ${c.issuer}`);
  let providers: OidcProvider[];
  try {
    providers = await ctx.aws.oidcProviders();
  } catch (e) {
    out.unexpected(e);
    return;
  }
  const partition = await ctx.use('partition');
  await checkProvider(ctx, out, c, region, providers, { partition, account: caller.account });
}

/**
 * Values-only mode without a cluster: with AWS credentials and `--cluster-name`, the cluster the
 * values will be deployed to is looked up by name in `--region`/AWS_REGION, and its issuer and IAM
 * OIDC provider are checked as in a live run (so a role trusting another cluster's provider fails).
 */
async function checkNamedCluster(ctx: Ctx, out: Reporter<Id>): Promise<void> {
  const caller = await ctx.use('caller');
  const name = ctx.options.clusterName;
  if (!caller || !name) {
    out.info(
      caller
        ? 'skipped: needs the Kubernetes cluster, or --cluster-name (and --region) to look the EKS cluster up'
        : 'skipped: needs the Kubernetes cluster',
    );
    return;
  }
  const region = ctx.options.region;
  if (!region) {
    out.fail(
      'eks-region',
      `cannot tell the AWS region of EKS cluster ${name} (--cluster-name): there is no cluster to read it from`,
      {
        fix: 'Pass the region of the EKS cluster with --region (or set AWS_REGION).',
      },
    );
    return;
  }
  ctx.provide('region', region);
  const c = await ctx.aws.eksCluster(name, region);
  if (!c) {
    out.fail('eks-cluster-match', `EKS cluster "${name}" (--cluster-name) does not exist in ${region}`, {
      fix: `List the clusters with \`aws eks list-clusters --region ${region}\` and pass the right name and --region.`,
    });
    return;
  }
  out.ok('eks-cluster-match', `EKS cluster ${c.name} (--cluster-name) exists in ${region}`);
  await checkIssuerAndProvider(ctx, out, c, region, caller);
}

export const cluster = defineModule({
  id: 'cluster',
  title: 'EKS cluster and OIDC provider',
  needs: [],
  uses: ['caller', 'partition', 'platform', 'kubernetes'],
  provides: ['region', 'cluster', 'issuer', 'oidcProviderArn'],
  checks: CHECKS,
  async run(ctx, out) {
    // Values-only mode without a cluster: the cluster named with --cluster-name, if any.
    if (!(await ctx.use('kubernetes'))) {
      await checkNamedCluster(ctx, out);
      return;
    }
    // Critical path: the cluster the kubeconfig (or --cluster-name) names is described now, while
    // the caller identity and the nodes (EKS or self-managed) are still on their way; discover()
    // below makes the same call and gets this answer (core/calls.ts). Pod Identity, the roles'
    // sources and every check after them wait for it.
    void ctx.kube
      .clusterInfo()
      .then((info) => {
        const first = firstLookup(ctx.options, info);
        if (first) ctx.aws.eksCluster(first.name, first.region).catch(() => {});
      })
      .catch(() => {});
    const caller = await ctx.use('caller');
    if (!caller) {
      out.info('skipped: no AWS identity to ask EKS and IAM with');
      return;
    }
    const platform = await ctx.use('platform');
    if (platform?.kind === 'self-managed') {
      // No EKS cluster to find. The API server's own issuer is the one trust policies must name,
      // and its IAM provider is the one whose host and path equal it; the issuer-chain module
      // checks every link of that chain and reports.
      if (ctx.options.region) ctx.provide('region', ctx.options.region);
      const issuer = platform.apiIssuer;
      if (issuer) {
        ctx.provide('issuer', issuer);
        const providers = await ctx.aws.oidcProviders().catch(() => undefined);
        const provider = providers?.find((p) => issuerKey(p.url) === issuerKey(issuer));
        if (provider) ctx.provide('oidcProviderArn', provider.arn);
      }
      // Modules that need the EKS cluster (Pod Identity, private endpoints) do not apply: silent.
      ctx.notApplicable('cluster');
      out.info('skipped: self-managed cluster, no EKS cluster to look up (see issuer-chain)');
      return;
    }
    const info = await ctx.kube.clusterInfo();
    if (!info.server?.trim()) {
      out.fail('eks-api-server', 'the kubeconfig context names no API server URL');
      return;
    }
    let found: Discovery | undefined;
    try {
      found = await discover(ctx, out, info, caller);
    } catch (e) {
      out.unexpected(e);
      return;
    }
    const c = found?.cluster;
    if (!found || !c) return;
    await checkIssuerAndProvider(ctx, out, c, found.region, caller);
  },
});
