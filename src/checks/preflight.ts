import { defineModule, type ModuleContext } from '../engine/module.js';
import { ApiCallError, FatalCheckError } from '../core/errors.js';
import { parseArn } from '../iam/arn.js';
import type { Reporter } from '../core/reporter.js';
import { clusterUnusable } from '../platform/cluster-unusable.js';
import { detectPlatform, type PlatformDecision } from '../platform/detect.js';

/** aws-irsa.sh's preflight code: every failed precondition of the environment exits 1. */
const CODE_PREFLIGHT = 1;

const CHECKS = {
  'aws-credentials': {
    severity: 'FAIL',
    code: CODE_PREFLIGHT,
    title: 'AWS credentials do not resolve: none, expired, or an unconfigured profile (fatal)',
    fix: 'Set AWS_PROFILE (or --profile), or refresh the session (aws sso login).',
  },
  'sts-unavailable': {
    severity: 'FAIL',
    code: 2,
    title: 'STS does not answer GetCallerIdentity (throttling, 5xx, network, timeout) (fatal)',
    fix: 'STS is throttling, failing or unreachable: check network access to STS (proxy, VPC endpoint) and run irsa-check again.',
  },
  'aws-nodes': {
    severity: 'FAIL',
    code: CODE_PREFLIGHT,
    title: 'no node of the cluster is an AWS instance (aws:// provider ID) (fatal)',
    fix: 'Run irsa-check against the EKS cluster that hosts Camunda (--context).',
  },
  'aws-nodes-mixed': {
    severity: 'WARN',
    title: 'some nodes are not AWS instances, or nodes cannot be listed',
    fix: 'Check the node providers (kubectl get nodes -o wide), or grant list nodes.',
  },
  'platform-detected': {
    severity: 'INFO',
    title: 'the platform irsa-check detected (EKS or self-managed) and why',
  },
  namespace: {
    severity: 'FAIL',
    code: CODE_PREFLIGHT,
    title: 'the namespace does not exist (fatal)',
    fix: 'Pass the namespace Camunda is installed in with -n (kubectl get ns lists them).',
  },
} as const;
type Id = keyof typeof CHECKS;
type Ctx = ModuleContext<never, never, 'caller' | 'partition' | 'platform'>;

/** Words a person can act on, for the ways AWS credentials typically fail. */
function awsCredentialProblem(
  e: ApiCallError,
  profile: string | undefined,
): { message: string; fix: string } {
  const p = profile ? ` --profile ${profile}` : '';
  if (/Expired|SSOTokenProvider|sso/i.test(`${e.reason} ${e.message}`)) {
    return {
      message: `AWS credentials have expired (${e.reason})`,
      fix: `Refresh them, e.g. \`aws sso login${p}\`, then run irsa-check again.`,
    };
  }
  if (profile && /profile/i.test(e.message)) {
    return {
      message: `AWS profile "${profile}" is not configured`,
      fix: `Create it (\`aws configure --profile ${profile}\` or \`aws configure sso\`), or pass an existing one with --profile / AWS_PROFILE.`,
    };
  }
  if (/CredentialsProviderError|NoCredentials|Could not load credentials/i.test(`${e.reason} ${e.message}`)) {
    return {
      message: 'no AWS credentials found',
      fix: 'Set AWS_PROFILE (or --profile), or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run on a machine with an instance role.',
    };
  }
  return {
    message: `STS GetCallerIdentity failed (${e.reason}): ${e.message}`,
    fix: 'Check AWS credentials, region and network access to STS.',
  };
}

/** STS could not be asked (throttled, 5xx, network, timeout): irsa-check's problem, not the user's credentials. */
function stsNotAnswering(e: ApiCallError): boolean {
  return (
    /Throttl|TooManyRequests|RequestLimitExceeded|Timeout|TimeoutError|ECONNREFUSED|ENOTFOUND|ECONNRESET|EHOSTUNREACH|ETIMEDOUT|EAI_AGAIN|NetworkingError|ServiceUnavailable|InternalFailure|InternalError/i.test(
      `${e.reason} ${e.message}`,
    ) ||
    (e.status !== undefined && (e.status >= 500 || e.status === 429))
  );
}

async function checkAwsIdentity(ctx: Ctx, out: Reporter<Id>): Promise<void> {
  try {
    const caller = await ctx.aws.callerIdentity();
    ctx.provide('caller', caller);
    ctx.provide('partition', parseArn(caller.arn)?.partition ?? 'aws');
    out.ok('aws-credentials', `AWS credentials resolve: ${caller.arn}`);
  } catch (e) {
    if (!(e instanceof ApiCallError)) throw e;
    if (e.reason === 'ClockSkew') {
      // Not expired credentials: AWS refuses what this machine signs with its wrong time.
      throw out.fatal(
        'sts-unavailable',
        `irsa-check cannot call sts:GetCallerIdentity: ${e.message}`,
        "Synchronise this machine's clock (NTP: `timedatectl set-ntp true`, `chronyc makestep`, or the VM's time sync), then run irsa-check again.",
      );
    }
    if (stsNotAnswering(e)) {
      // Exit 2 (README: irsa-check could not ask AWS), not a credentials problem.
      throw out.fatal(
        'sts-unavailable',
        `irsa-check cannot call sts:GetCallerIdentity (${e.reason}): ${e.message}`,
      );
    }
    const { message, fix } = awsCredentialProblem(e, ctx.options.profile);
    // Values-only mode is a pre-merge gate: without AWS it still checks the values; the
    // modules that need AWS say "skipped: needs the AWS caller identity".
    if (ctx.options.values.length > 0) {
      out.info(`values-only mode: ${message}; the checks that ask AWS are skipped`);
      return;
    }
    throw out.fatal('aws-credentials', message, fix);
  }
}

async function checkAwsNodes(
  ctx: Ctx,
  out: Reporter<Id>,
  server: string,
  platform: PlatformDecision,
): Promise<void> {
  const selfManaged = platform.kind === 'self-managed';
  let nodes;
  try {
    nodes = await ctx.kube.nodes();
  } catch (e) {
    const fatal = clusterUnusable(e, server);
    if (fatal) throw fatal;
    if (e instanceof ApiCallError && e.isAccessDenied) {
      out.warn(
        'aws-nodes-mixed',
        `cannot list nodes (${e.reason}): AWS environment not verified from the nodes`,
      );
      return;
    }
    throw e;
  }
  const onAws = nodes.filter((n) => n.providerID?.startsWith('aws://'));
  if (selfManaged) {
    // EKS Anywhere on vSphere/bare metal, kubeadm on premises: IRSA needs AWS only for IAM and STS.
    out.info(`self-managed cluster: ${onAws.length} of ${nodes.length} node(s) on AWS (not required)`);
    return;
  }
  if (nodes.length > 0 && onAws.length === nodes.length) {
    out.ok('aws-nodes', `AWS environment detected: ${nodes.length} node(s) with an aws:// provider ID`);
    return;
  }
  if (onAws.length > 0) {
    out.warn(
      'aws-nodes-mixed',
      `${nodes.length - onAws.length} of ${nodes.length} nodes are not AWS instances (providerID)`,
    );
    return;
  }
  throw out.fatal(
    'aws-nodes',
    nodes.length === 0
      ? 'the cluster has no nodes: cannot confirm an AWS environment'
      : `not an AWS cluster: no node has an aws:// provider ID (first: ${nodes[0]?.providerID ?? 'none'})`,
    'Run irsa-check against the EKS cluster that hosts Camunda (--context).',
  );
}

async function checkNamespace(ctx: Ctx, out: Reporter<Id>, server: string): Promise<void> {
  const ns = ctx.scope.namespace;
  let exists: boolean;
  try {
    exists = await ctx.kube.namespaceExists(ns);
  } catch (e) {
    const fatal = clusterUnusable(e, server);
    if (fatal) throw fatal;
    return; // e.g. forbidden to read namespaces: the release lookup will tell
  }
  if (!exists) {
    throw out.fatal(
      'namespace',
      `namespace "${ns}" does not exist in the cluster`,
      'Pass the namespace Camunda is installed in with -n (kubectl get ns lists them).',
    );
  }
}

export const preflight = defineModule({
  id: 'preflight',
  title: 'AWS identity and environment',
  needs: [],
  provides: ['caller', 'partition', 'platform'],
  checks: CHECKS,
  async run(ctx, out) {
    const absent = ctx.scope.noCluster;
    if (absent) {
      out.info(`${absent}: the checks that ask the cluster are skipped`);
      await checkAwsIdentity(ctx, out);
      return;
    }
    const { server } = await ctx.kube.clusterInfo();
    ctx.debug(`Kubernetes API server: ${server}`);
    // Independent questions, asked at once (the platform decision only shapes how the nodes are
    // judged, so the nodes are listed meanwhile: the call log answers the later call from it);
    // their lines and fatal answers come in this fixed order.
    const identity = out.buffered();
    const nodes = out.buffered();
    const asked = checkAwsIdentity(ctx, identity.reporter);
    const namespace = ctx.options.allNamespaces ? Promise.resolve() : checkNamespace(ctx, out, server);
    asked.catch(() => {}); // settled below
    namespace.catch(() => {}); // settled below
    ctx.kube.nodes().catch(() => {}); // the same call checkAwsNodes makes
    let platform: PlatformDecision;
    try {
      platform = await detectPlatform(ctx.kube, ctx.options.platform);
    } catch (e) {
      const fatal = clusterUnusable(e, server);
      if (fatal) throw fatal;
      throw e;
    }
    ctx.provide('platform', platform);
    nodes.reporter.info(
      'platform-detected',
      `platform: ${platform.kind === 'eks' ? 'EKS' : 'self-managed'} (${platform.reason})`,
    );
    const results = await Promise.allSettled([
      asked,
      namespace,
      checkAwsNodes(ctx, nodes.reporter, server, platform),
    ]);
    identity.flush();
    nodes.flush();
    const fatal = results.find(
      (r): r is PromiseRejectedResult => r.status === 'rejected' && r.reason instanceof FatalCheckError,
    );
    const kubeFatal = results
      .slice(1)
      .find((r): r is PromiseRejectedResult => r.status === 'rejected' && r.reason?.code === 3);
    // An unreachable cluster explains everything else: say it first.
    if (kubeFatal) throw kubeFatal.reason;
    if (fatal) throw fatal.reason;
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  },
});
