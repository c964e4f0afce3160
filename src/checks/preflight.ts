/**
 * The environment every other check stands on: AWS credentials that resolve, and with a
 * cluster an existing namespace and nodes on AWS (or a self-managed platform). Each failed
 * precondition is fatal (`throw out.fatal`): the run stops after this module.
 */
import { defineModule } from '../engine/module.js';
import { ApiCallError, FatalCheckError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import type { CallerIdentity } from '../ports/aws.js';
import type { KubeNode } from '../ports/kube.js';
import { clusterUnusable } from '../platform/cluster-unusable.js';
import type { PlatformDecision } from '../platform/detect.js';
import { collectPreflight, type Asked, type Mode } from '../collectors/preflight.js';

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

function judgeIdentity(input: Mode & { identity: Asked<CallerIdentity> }, out: Reporter<Id>): void {
  const { identity } = input;
  if (identity.ok) {
    out.ok('aws-credentials', `AWS credentials resolve: ${identity.value.arn}`);
    return;
  }
  const e = identity.error;
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
  const { message, fix } = awsCredentialProblem(e, input.profile);
  // Values-only mode is a pre-merge gate: without AWS it still checks the values; the
  // modules that need AWS say "skipped: needs the AWS caller identity".
  if (input.valuesOnly) {
    out.info(`values-only mode: ${message}; the checks that ask AWS are skipped`);
    return;
  }
  throw out.fatal('aws-credentials', message, fix);
}

function judgeNodes(
  nodesAsked: Asked<KubeNode[]>,
  out: Reporter<Id>,
  server: string,
  platform: PlatformDecision,
): void {
  const selfManaged = platform.kind === 'self-managed';
  if (!nodesAsked.ok) {
    const e = nodesAsked.error;
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
  const nodes = nodesAsked.value;
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

function judgeNamespace(namespace: Asked<boolean>, ns: string, out: Reporter<Id>, server: string): void {
  if (!namespace.ok) {
    const fatal = clusterUnusable(namespace.error, server);
    if (fatal) throw fatal;
    return; // e.g. forbidden to read namespaces: the release lookup will tell
  }
  if (!namespace.value) {
    throw out.fatal(
      'namespace',
      `namespace "${ns}" does not exist in the cluster`,
      'Pass the namespace Camunda is installed in with -n (kubectl get ns lists them).',
    );
  }
}

/** Runs one judgement; what it throws is kept, as a settled promise would keep it. */
function settled(judge: () => void): { rejected: false } | { rejected: true; reason: unknown } {
  try {
    judge();
    return { rejected: false };
  } catch (reason) {
    return { rejected: true, reason };
  }
}

export const preflight = defineModule({
  id: 'preflight',
  title: 'AWS identity and environment',
  needs: [],
  provides: ['caller', 'partition', 'platform'],
  checks: CHECKS,
  collect: collectPreflight,
  evaluate(input, out) {
    if (input.kind === 'no-cluster') {
      out.info(`${input.absent}: the checks that ask the cluster are skipped`);
      judgeIdentity(input, out);
      return;
    }
    if (input.kind === 'platform-error') {
      const fatal = clusterUnusable(input.error, input.server);
      if (fatal) throw fatal;
      throw input.error;
    }
    const { server, platform, namespace } = input;
    // Lines in a fixed order (identity, platform, nodes); of the fatal answers, an unreachable
    // cluster first (it explains everything else), then the first in that order.
    const results = [
      settled(() => judgeIdentity(input, out)),
      settled(() => namespace && judgeNamespace(namespace, input.namespaceName, out, server)),
      settled(() => {
        out.info(
          'platform-detected',
          `platform: ${platform.kind === 'eks' ? 'EKS' : 'self-managed'} (${platform.reason})`,
        );
        judgeNodes(input.nodes, out, server, platform);
      }),
    ];
    const fatal = results.find((r) => r.rejected && r.reason instanceof FatalCheckError);
    const kubeFatal = results
      .slice(1)
      .find((r) => r.rejected && (r.reason as { code?: unknown } | undefined)?.code === 3);
    if (kubeFatal?.rejected) throw kubeFatal.reason;
    if (fatal?.rejected) throw fatal.reason;
    for (const r of results) if (r.rejected) throw r.reason;
  },
});
