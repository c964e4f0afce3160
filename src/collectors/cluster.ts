/**
 * Gathers what the cluster evaluator judges: the API server URL and kubeconfig hints, the
 * region chosen from them (published at once as the region fact so the Aurora and OpenSearch
 * modules start), the EKS cluster that serves the API server (cluster fact), its OIDC issuer
 * (issuer fact), the account's IAM OIDC providers and the one for the issuer (oidcProviderArn
 * fact) and, when the caller's account has none, the accounts of the namespace's IRSA roles and
 * their providers. API errors are captured as values; which cluster serves the API server is a
 * fact the later calls depend on, so the collector records how it was found (`DiscoveryOutcome`).
 */
import type { ModuleContext } from '../engine/module.js';
import type { CallerIdentity, EksCluster, OidcProvider } from '../ports/aws.js';
import { ROLE_ARN_ANNOTATION, type KubeClusterInfo, type KubeServiceAccount } from '../ports/kube.js';
import { issuerKey } from '../platform/issuer.js';
import { credentialSource } from '../platform/pod-identity.js';
import { issuerHostPath, parseArn, parseRoleArn } from '../iam/arn.js';
import { FAN_OUT, mapLimit } from '../core/concurrency.js';

type Ctx = ModuleContext<
  never,
  'caller' | 'partition' | 'platform' | 'kubernetes',
  'region' | 'cluster' | 'issuer' | 'oidcProviderArn'
>;

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

/** IAM stores provider URLs without the scheme; the host is case-insensitive, the path is not. */
export function providerKey(url: string): string {
  const hostPath = issuerHostPath(url.trim());
  const slash = hostPath.indexOf('/');
  return slash < 0 ? hostPath.toLowerCase() : hostPath.slice(0, slash).toLowerCase() + hostPath.slice(slash);
}

// ------------------------------------------------------------------ snapshot

/** An API answer or the error it met, as a value. */
export type Answer<T> = { value: T } | { error: unknown };

/** Which region, and where it came from: the URL wins over the kubeconfig, --region comes last. */
export type RegionChoice =
  | { from: 'url'; region: string; server: string; optionRegion?: string }
  | { from: 'hint'; region: string; source: string | undefined }
  | { from: 'option'; region: string }
  | { from: 'none'; server: string };

export function chooseRegion(
  server: string,
  hints: ClusterHint[],
  optionRegion: string | undefined,
): RegionChoice {
  const fromUrl = regionFromServer(server);
  if (fromUrl) return { from: 'url', region: fromUrl, server, ...(optionRegion ? { optionRegion } : {}) };
  const hinted = hints.find((h) => h.region);
  if (hinted?.region) return { from: 'hint', region: hinted.region, source: hinted.regionSource };
  if (optionRegion) return { from: 'option', region: optionRegion };
  return { from: 'none', server };
}

/** How the EKS cluster serving the API server was found, or why none was. */
export type DiscoveryOutcome =
  /** A call failed (EKS ListClusters / DescribeCluster). */
  | { by: 'error'; error: unknown }
  | { by: 'explicit-missing'; name: string }
  /** --cluster-name; `serves`: its endpoint is the API server. */
  | { by: 'explicit'; cluster: EksCluster; serves: boolean }
  /** A kubeconfig name; `serves` false when the API server URL is not an EKS endpoint. */
  | { by: 'hint'; cluster: EksCluster; nameSource: string | undefined; serves: boolean }
  | { by: 'no-clusters' }
  /** Endpoint matching over every cluster of the region; `mismatched`: the kubeconfig names that did not serve. */
  | { by: 'endpoint'; cluster: EksCluster; names: string[]; mismatched: EksCluster[] }
  | { by: 'none'; names: string[]; mismatched: EksCluster[] };

/** Where the IRSA roles are when the caller's account has no provider for the issuer. */
export type Elsewhere =
  | { podIdentityOnly: string[] }
  | {
      accounts: {
        account: string;
        names: string[];
        /** undefined: no credentials for that account (--assume-role / --profile-for). */
        providers: Answer<OidcProvider[]> | undefined;
      }[];
    };

/** The found cluster: its issuer and the IAM OIDC providers. */
export interface FoundCluster {
  cluster: EksCluster;
  region: string;
  account: string;
  namespace: string;
  partition?: string;
  /** Absent when the cluster has no issuer. */
  providers?: Answer<OidcProvider[]>;
  /** Read only when no provider of the caller's account is for the issuer. */
  elsewhere?: Elsewhere;
}

export type ClusterInput =
  /** Values-only without a cluster, and nothing to look the EKS cluster up with. */
  | { kind: 'no-cluster'; caller: boolean }
  | { kind: 'named-no-region'; name: string }
  | { kind: 'named'; name: string; region: string; found?: FoundCluster }
  | { kind: 'no-caller' }
  | { kind: 'self-managed' }
  | { kind: 'no-server' }
  | {
      kind: 'live';
      /** The API server URL of the kubeconfig context, trimmed. */
      server: string;
      account: string;
      region: RegionChoice;
      /** Absent when no region could be chosen. */
      outcome?: DiscoveryOutcome;
      found?: FoundCluster;
    };

// ------------------------------------------------------------------ gathering

const answer = <T>(p: Promise<T>): Promise<Answer<T>> =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

async function discover(
  ctx: Ctx,
  server: string,
  hints: ClusterHint[],
  region: string,
): Promise<DiscoveryOutcome> {
  const serverIsEks = regionFromServer(server) !== undefined;
  const target = normalizeEndpoint(server);
  const serves = (c: EksCluster): boolean => !!c.endpoint && normalizeEndpoint(c.endpoint) === target;

  // 1. --cluster-name: the user's word, as long as the cluster exists.
  const explicit = ctx.options.clusterName;
  if (explicit) {
    const c = await ctx.aws.eksCluster(explicit, region);
    if (!c) return { by: 'explicit-missing', name: explicit };
    return { by: 'explicit', cluster: c, serves: serves(c) };
  }

  // 2. A name in the kubeconfig, accepted when it serves this API server (one at a time: the
  // first that serves ends the search).
  const mismatched: EksCluster[] = [];
  const tried = new Set<string>();
  for (const hint of hints) {
    if (!hint.name || tried.has(hint.name)) continue;
    tried.add(hint.name);
    const c = await ctx.aws.eksCluster(hint.name, region);
    if (!c) continue;
    if (serves(c)) return { by: 'hint', cluster: c, nameSource: hint.nameSource, serves: true };
    if (!serverIsEks) return { by: 'hint', cluster: c, nameSource: hint.nameSource, serves: false };
    mismatched.push(c);
  }

  // 3. Endpoint matching over every cluster of the region.
  const names = await ctx.aws.listEksClusters(region);
  if (names.length === 0) return { by: 'no-clusters' };
  const known = new Map(mismatched.map((m) => [m.name, m]));
  const described = await mapLimit(
    names,
    FAN_OUT,
    async (name) => known.get(name) ?? ctx.aws.eksCluster(name, region),
  );
  const match = described.find((c): c is EksCluster => c !== undefined && serves(c));
  if (match) return { by: 'endpoint', cluster: match, names, mismatched };
  return { by: 'none', names, mismatched };
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
  // A read that fails never gives "none is needed": pods or a ServiceAccount unseen give undefined
  // (the caller's account needs the provider: the FAIL stands). Associations unseen are taken as
  // none, which can only turn a pod to IRSA, never to "EKS Pod Identity only". Each failure is
  // reported by the module that owns the call (service-accounts: the pods and ServiceAccounts;
  // pod-identity: the associations), a lost API server there as the connectivity FAIL (exit 3).
  const [pods, associations] = await Promise.all([
    ctx.kube.pods(ns).catch(() => undefined),
    ctx.aws.podIdentityAssociations(c.name, region, ns).catch(() => undefined),
  ]);
  if (!pods) return undefined;
  const names = [...new Set(pods.map((p) => p.serviceAccountName ?? 'default'))].sort();
  // Read at once (each ServiceAccount is independent), decided in name order. undefined from the
  // call is a ServiceAccount that does not exist (404): no annotation.
  const accountsRead = await mapLimit(names, FAN_OUT, (name) =>
    ctx.kube.serviceAccount(ns, name).then(
      (sa) => ({ sa }),
      () => 'unread' as const,
    ),
  );
  if (accountsRead.includes('unread')) return undefined;
  const byAccount = new Map<string, Map<string, string[]>>();
  const accounts = new Map<string, string[]>();
  const podIdentity: string[] = [];
  for (const [i, name] of names.entries()) {
    const { sa } = accountsRead[i] as { sa: KubeServiceAccount | undefined };
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
    // Each role with the ServiceAccounts that use it: the plan (which names the components) is not
    // known yet here, the ServiceAccount is what the operator recognises.
    const roles = byAccount.get(role.account) ?? new Map<string, string[]>();
    roles.set(role.name, [...(roles.get(role.name) ?? []), name]);
    byAccount.set(role.account, roles);
  }
  for (const [acct, roles] of byAccount)
    accounts.set(
      acct,
      [...roles].map(
        ([role, users]) => `${role} (service account${users.length > 1 ? 's' : ''} ${users.join(', ')})`,
      ),
    );
  if (accounts.size > 0) return { accounts };
  return podIdentity.length > 0 ? { podIdentityOnly: podIdentity } : undefined;
}

/** The found cluster's issuer and IAM OIDC providers; publishes cluster, issuer and oidcProviderArn as found. */
async function gatherFound(
  ctx: Ctx,
  c: EksCluster,
  region: string,
  caller: CallerIdentity,
): Promise<FoundCluster> {
  ctx.provide('cluster', c);
  const base = { cluster: c, region, account: caller.account, namespace: ctx.scope.namespace };
  if (!c.issuer) return base;
  const issuer = c.issuer;
  ctx.provide('issuer', issuer);
  const [providers, partition] = await Promise.all([answer(ctx.aws.oidcProviders()), ctx.use('partition')]);
  if (!('value' in providers)) return { ...base, providers };
  const found = { ...base, providers, ...(partition !== undefined ? { partition } : {}) };
  const provider = providers.value.find((p) => providerKey(p.url) === providerKey(issuer));
  if (provider) {
    ctx.provide('oidcProviderArn', provider.arn);
    return found;
  }
  const elsewhere = await rolesElsewhere(ctx, c, region, caller.account);
  if (!elsewhere) return found;
  if ('podIdentityOnly' in elsewhere) return { ...found, elsewhere };
  // Each account's providers are independent: read at once, reported in the accounts' order.
  const accounts = await Promise.all(
    [...elsewhere.accounts].map(async ([account, names]) => {
      const aws = ctx.awsIn(account);
      return { account, names, providers: aws ? await answer(aws.oidcProviders()) : undefined };
    }),
  );
  return { ...found, elsewhere: { accounts } };
}

/**
 * Values-only mode without a cluster: with AWS credentials and `--cluster-name`, the cluster the
 * values will be deployed to is looked up by name in `--region`/AWS_REGION.
 */
async function collectNamed(ctx: Ctx): Promise<ClusterInput> {
  const caller = await ctx.use('caller');
  const name = ctx.options.clusterName;
  if (!caller || !name) return { kind: 'no-cluster', caller: caller !== undefined };
  const region = ctx.options.region;
  if (!region) return { kind: 'named-no-region', name };
  ctx.provide('region', region);
  const c = await ctx.aws.eksCluster(name, region);
  if (!c) return { kind: 'named', name, region };
  return { kind: 'named', name, region, found: await gatherFound(ctx, c, region, caller) };
}

/**
 * The EKS cluster discover() looks up first: --cluster-name, else the first name the kubeconfig
 * gives, in the region chooseRegion picks. Undefined when it would list the region's clusters or
 * cannot tell the region.
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

export async function collectCluster(ctx: Ctx): Promise<ClusterInput> {
  if (!(await ctx.use('kubernetes'))) return collectNamed(ctx);
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
  if (!caller) return { kind: 'no-caller' };
  const platform = await ctx.use('platform');
  if (platform?.kind === 'self-managed') {
    // No EKS cluster to find. The API server's own issuer is the one trust policies must name,
    // and its IAM provider is the one whose host and path equal it; the issuer-chain module
    // checks every link of that chain and reports.
    if (ctx.options.region) ctx.provide('region', ctx.options.region);
    const issuer = platform.apiIssuer;
    if (issuer) {
      ctx.provide('issuer', issuer);
      // Unlisted: no oidcProviderArn fact, which its readers say as "unknown" (never as found); the
      // issuer-chain module makes the same call (answered once) and reports its failure.
      const providers = await ctx.aws.oidcProviders().catch(() => undefined);
      const provider = providers?.find((p) => issuerKey(p.url) === issuerKey(issuer));
      if (provider) ctx.provide('oidcProviderArn', provider.arn);
    }
    return { kind: 'self-managed' };
  }
  const info = await ctx.kube.clusterInfo();
  if (!info.server?.trim()) return { kind: 'no-server' };
  const server = info.server.trim();
  const hints = [execHint(info.exec), contextHint(info.contextName)].filter(
    (h): h is ClusterHint => h !== undefined,
  );
  const region = chooseRegion(server, hints, ctx.options.region);
  const live = { kind: 'live' as const, server, account: caller.account, region };
  if (region.from === 'none') return live;
  ctx.provide('region', region.region);
  let outcome: DiscoveryOutcome;
  try {
    outcome = await discover(ctx, server, hints, region.region);
  } catch (error) {
    outcome = { by: 'error', error };
  }
  if (!('cluster' in outcome)) return { ...live, outcome };
  return { ...live, outcome, found: await gatherFound(ctx, outcome.cluster, region.region, caller) };
}
