import { defineModule } from '../core/module.js';
import { ApiCallError, FatalCheckError } from '../core/errors.js';
import { parseArn } from '../iam/arn.js';
import type { Context } from '../core/context.js';
import type { Reporter } from '../core/reporter.js';
import { detectPlatform } from '../platform/detect.js';

export const CODE_PREFLIGHT = 1;
export const CODE_NO_CLUSTER = 3;

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

async function checkAwsIdentity(ctx: Context, out: Reporter): Promise<void> {
  try {
    const caller = await ctx.aws.callerIdentity();
    ctx.facts.caller = caller;
    ctx.facts.partition = parseArn(caller.arn)?.partition ?? 'aws';
    out.ok(`AWS credentials resolve: ${caller.arn}`);
  } catch (e) {
    if (!(e instanceof ApiCallError)) throw e;
    const { message, fix } = awsCredentialProblem(e, ctx.options.profile);
    throw new FatalCheckError(CODE_PREFLIGHT, message, fix);
  }
}

/** Failures that mean irsa-check cannot talk to the cluster at all: nothing else can run. */
export function clusterUnusable(e: unknown, server: string): FatalCheckError | undefined {
  if (!(e instanceof ApiCallError) || e.api !== 'kube') return undefined;
  if (e.reason === 'Unreachable') {
    return new FatalCheckError(
      CODE_NO_CLUSTER,
      `cannot reach the Kubernetes API server at ${server}: ${e.message}`,
      'Check the kubeconfig context (--context), VPN or network access to the cluster endpoint.',
    );
  }
  if (e.status === 401) {
    return new FatalCheckError(
      CODE_NO_CLUSTER,
      `the Kubernetes API server at ${server} rejected irsa-check's credentials (Unauthorized)`,
      'Refresh the kubeconfig credentials, e.g. `aws eks update-kubeconfig --name <cluster>` or `aws sso login`.',
    );
  }
  return undefined;
}

async function checkAwsNodes(ctx: Context, out: Reporter, server: string): Promise<void> {
  const selfManaged = ctx.facts.platform?.kind === 'self-managed';
  let nodes;
  try {
    nodes = await ctx.kube.nodes();
  } catch (e) {
    const fatal = clusterUnusable(e, server);
    if (fatal) throw fatal;
    if (e instanceof ApiCallError && e.isAccessDenied) {
      out.warn(`cannot list nodes (${e.reason}): AWS environment not verified from the nodes`);
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
    out.ok(`AWS environment detected: ${nodes.length} node(s) with an aws:// provider ID`);
    return;
  }
  if (onAws.length > 0) {
    out.warn(`${nodes.length - onAws.length} of ${nodes.length} nodes are not AWS instances (providerID)`);
    return;
  }
  throw new FatalCheckError(
    CODE_PREFLIGHT,
    nodes.length === 0
      ? 'the cluster has no nodes: cannot confirm an AWS environment'
      : `not an AWS cluster: no node has an aws:// provider ID (first: ${nodes[0]?.providerID ?? 'none'})`,
    'Run irsa-check against the EKS cluster that hosts Camunda (--context).',
  );
}

async function checkNamespace(ctx: Context, server: string): Promise<void> {
  const ns = ctx.options.namespace;
  let exists: boolean;
  try {
    exists = await ctx.kube.namespaceExists(ns);
  } catch (e) {
    const fatal = clusterUnusable(e, server);
    if (fatal) throw fatal;
    return; // e.g. forbidden to read namespaces: the release lookup will tell
  }
  if (!exists) {
    throw new FatalCheckError(
      CODE_PREFLIGHT,
      `namespace "${ns}" does not exist in the cluster`,
      'Pass the namespace Camunda is installed in with -n (kubectl get ns lists them).',
    );
  }
}

export const preflight = defineModule({
  id: 'preflight',
  title: 'AWS identity and environment',
  codes: [
    {
      code: CODE_PREFLIGHT,
      title: 'AWS credentials, AWS environment or namespace missing (fatal)',
      fix: 'See the message.',
    },
    {
      code: CODE_NO_CLUSTER,
      title: 'Kubernetes API server unreachable or credentials rejected (fatal)',
      fix: 'Check the kubeconfig, context and network access to the cluster.',
    },
  ],
  async run(ctx, out) {
    const { server } = await ctx.kube.clusterInfo();
    ctx.debug(`Kubernetes API server: ${server}`);
    try {
      ctx.facts.platform = await detectPlatform(ctx.kube, ctx.options.platform);
    } catch (e) {
      const fatal = clusterUnusable(e, server);
      if (fatal) throw fatal;
      throw e;
    }
    // Independent questions, asked at once; their lines and fatal answers come in this fixed order.
    const identity = out.buffered();
    const nodes = out.buffered();
    // check: platform-detected
    nodes.reporter.info(
      `platform: ${ctx.facts.platform.kind === 'eks' ? 'EKS' : 'self-managed'} (${ctx.facts.platform.reason})`,
    );
    const results = await Promise.allSettled([
      checkAwsIdentity(ctx, identity.reporter),
      ctx.options.allNamespaces ? Promise.resolve() : checkNamespace(ctx, server),
      checkAwsNodes(ctx, nodes.reporter, server),
    ]);
    identity.flush();
    nodes.flush();
    const fatal = results.find(
      (r): r is PromiseRejectedResult => r.status === 'rejected' && r.reason instanceof FatalCheckError,
    );
    const kubeFatal = results
      .slice(1)
      .find((r): r is PromiseRejectedResult => r.status === 'rejected' && r.reason?.code === CODE_NO_CLUSTER);
    // An unreachable cluster explains everything else: say it first.
    if (kubeFatal) throw kubeFatal.reason;
    if (fatal) throw fatal.reason;
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  },
});
