/**
 * Verification Jobs: prove from inside the cluster what the API calls can only
 * suggest. Per component with a role, an identity Job runs `aws sts
 * get-caller-identity` under the component's ServiceAccount; per database (and
 * once for OpenSearch) a connectivity Job makes a real TCP connect. All Jobs
 * come from one template (platform/job-template.ts), run concurrently, and are
 * always deleted; leftovers of an interrupted run are deleted first.
 */
import { defineModule } from '../core/module.js';
import { DEFAULT_JOB_TIMEOUT_SECONDS } from '../core/options.js';
import { ApiCallError } from '../core/errors.js';
import { eachInOrder, type Reporter } from '../core/reporter.js';
import type { Context, PlannedComponent } from '../core/context.js';
import { DEFAULT_JOB_IMAGE } from '../core/options.js';
import type { JobResult } from '../platform/kube.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../platform/kube.js';
import {
  identityJob,
  manifestName,
  parseTcpProbe,
  tcpJob,
  TCP_CONNECT_TIMEOUT_SECONDS,
  TCP_MARKER,
} from '../platform/job-template.js';
import { assumedRoleMatchesRole, parseArn } from '../iam/arn.js';
import { requireRelease } from './release.js';

export const CODE_TCP_CREATE = 41;
export const CODE_TCP_INCOMPLETE = 42;
export const CODE_TCP_CLOSED = 43;
export const CODE_JOB_CREATE = 130;
export const CODE_JOB_INCOMPLETE = 131;
export const CODE_JOB_NOT_JSON = 132;
export const CODE_JOB_NO_ARN = 133;
export const CODE_JOB_MISMATCH = 134;

/** Beyond the Job's own deadline: time for the Job controller to report and the log to be read. */
const JOB_GRACE_MS = 10_000;
const EXCERPT_MAX = 300;

interface TcpTarget {
  /** `database` when the Aurora module could not identify the cluster behind the host. */
  kind: 'Aurora PostgreSQL' | 'database' | 'OpenSearch';
  host: string;
  port: number;
}

/** One line of output order: a component (identity + its database) or the OpenSearch domain. */
interface WorkItem {
  component?: string;
  identity?: { roleArn: string; serviceAccount: string };
  tcp?: TcpTarget & { serviceAccount: string; jobComponent: string };
}

function plannedWork(ctx: Context): WorkItem[] {
  const plan = ctx.facts.plan ?? [];
  const saOf = (c: PlannedComponent | undefined): string =>
    c && ctx.facts.roleArns.has(c.key) ? c.serviceAccount.name : 'default';
  const items: WorkItem[] = [];
  const dbKeys = [...ctx.facts.databases.keys()];
  const keys = [...plan.map((c) => c.key), ...dbKeys.filter((k) => !plan.some((c) => c.key === k))];
  for (const key of keys) {
    const c = plan.find((p) => p.key === key);
    const item: WorkItem = { component: key };
    const roleArn = ctx.facts.roleArns.get(key);
    if (c && roleArn) item.identity = { roleArn, serviceAccount: c.serviceAccount.name };
    const db = ctx.facts.databases.get(key);
    if (db?.host) {
      item.tcp = {
        kind: db.cluster ? 'Aurora PostgreSQL' : 'database',
        host: db.host,
        port: db.port,
        serviceAccount: saOf(c),
        jobComponent: key,
      };
    }
    if (item.identity || item.tcp) items.push(item);
  }
  const os = ctx.facts.openSearch;
  if (os?.host) {
    const first = plan.find((c) => c.os && ctx.facts.roleArns.has(c.key));
    items.push({
      tcp: {
        kind: 'OpenSearch',
        host: os.host,
        port: os.port || 443,
        serviceAccount: saOf(first),
        jobComponent: 'opensearch',
      },
    });
  }
  return items;
}

/**
 * A Job of irsa-check lives at most its deadline (--job-timeout) before it is deleted; one
 * older than that plus a grace period was left by an interrupted run, a younger one may
 * belong to another irsa-check running right now and is left alone.
 */
export function leftoverAgeSeconds(ctx: Context): number {
  return Math.max(ctx.options.jobTimeoutSeconds, DEFAULT_JOB_TIMEOUT_SECONDS) + 60;
}

async function cleanLeftovers(ctx: Context, out: Reporter): Promise<void> {
  const ns = ctx.options.namespace;
  let names: string[];
  try {
    names = await ctx.kube.leftoverJobs(ns, leftoverAgeSeconds(ctx));
  } catch (e) {
    if (!(e instanceof ApiCallError)) throw e;
    out.warn(`cannot list Jobs left by an earlier irsa-check run (${e.reason}): none deleted`);
    return;
  }
  if (names.length === 0) return;
  const deleted: string[] = [];
  const failed: string[] = [];
  await Promise.all(
    names.map((name) =>
      ctx.kube.deleteJob(ns, name).then(
        () => deleted.push(name),
        (e: unknown) => failed.push(`${name} (${e instanceof ApiCallError ? e.reason : String(e)})`),
      ),
    ),
  );
  if (deleted.length > 0) {
    out.info(
      `deleted ${deleted.length} Job(s) left by an earlier, interrupted irsa-check run: ${deleted.sort().join(', ')}`,
    );
  }
  if (failed.length > 0) {
    out.warn(
      `cannot delete Job(s) left by an earlier irsa-check run: ${failed.sort().join(', ')} (kubectl delete jobs -n ${ns} -l ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE})`,
    );
  }
}

/**
 * A spinner on stderr while Jobs run: text output on a terminal only. One line
 * for the process, shared by concurrent runs of this module (-A checks several
 * releases at once), gone before any finding is printed.
 */
class Progress {
  private static readonly FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  private static shared?: Progress;
  private timer?: NodeJS.Timeout;
  private started = Date.now();
  private total = 0;
  private done = 0;
  private frame = 0;

  /** Adds `jobs` to the line; a no-op tracker when no spinner is wanted. */
  static begin(ctx: Context, jobs: number): Progress {
    const wanted = process.stderr.isTTY === true && ctx.options.output === 'text' && !ctx.options.verbose;
    if (!wanted) return new Progress();
    const p = (Progress.shared ??= new Progress());
    if (!p.timer) {
      p.started = Date.now();
      p.total = 0;
      p.done = 0;
      p.timer = setInterval(() => p.draw(), 120);
    }
    p.total += jobs;
    return p;
  }

  finished(): void {
    // Stopped before the findings are flushed, so no spinner frame precedes them.
    if (++this.done >= this.total) this.stop();
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    process.stderr.write('\r\x1b[K');
  }

  private draw(): void {
    const frame = Progress.FRAMES[this.frame++ % Progress.FRAMES.length];
    const secs = Math.floor((Date.now() - this.started) / 1000);
    process.stderr.write(`\r\x1b[K${frame} verification Jobs: ${this.done}/${this.total} done (${secs} s)`);
  }
}

async function runJob(
  ctx: Context,
  manifest: Record<string, unknown>,
  progress: Progress,
): Promise<JobResult> {
  const started = Date.now();
  const timeoutMs = ctx.options.jobTimeoutSeconds * 1000 + JOB_GRACE_MS;
  try {
    const result = await ctx.kube.runJob(ctx.options.namespace, manifest, timeoutMs);
    ctx.debug(
      `Job ${manifestName(manifest)}: ${result.outcome} after ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return result;
  } finally {
    progress.finished();
  }
}

function excerpt(text: string | undefined): string | undefined {
  const lines = (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const last = lines[lines.length - 1];
  if (!last) return undefined;
  return last.length > EXCERPT_MAX ? `${last.slice(0, EXCERPT_MAX)}…` : last;
}

/** FAILs every Job can end in before its own output matters; true when one was reported. */
function reportJobTrouble(
  ctx: Context,
  res: JobResult,
  what: string,
  codes: { create: number; incomplete: number },
  out: Reporter,
): boolean {
  const ns = ctx.options.namespace;
  const image = ctx.options.jobImage;
  const reason = res.reason ?? 'no reason given';
  switch (res.outcome) {
    case 'create-failed':
      out.fail(codes.create, `cannot create the ${what}: ${reason}`, {
        fix: /Forbidden/i.test(reason)
          ? `Allow irsa-check to create, watch and delete jobs, watch pods and events and read pods/log in namespace ${ns} (README, "Permissions"), or run with -s.`
          : 'Check the API server’s answer, or run with -s to skip the verification Jobs.',
      });
      return true;
    case 'rejected':
      if (/PodSecurity/.test(reason)) {
        out.fail(codes.create, `Pod Security admission refused the pod of the ${what}: ${reason}`, {
          fix: `irsa-check's Jobs meet the "restricted" level: check the pod-security.kubernetes.io labels of namespace ${ns} (and the image given with --job-image), or run with -s.`,
        });
      } else if (/error looking up service account/i.test(reason)) {
        out.fail(codes.create, `the pod of the ${what} was refused: ${reason}`, {
          fix: 'Create the service account (deploy the release with it enabled), then run again.',
        });
      } else {
        out.fail(codes.create, `an admission controller refused the pod of the ${what}: ${reason}`, {
          fix: `Allow pods labelled ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE} in namespace ${ns} in the admission policy, or run with -s.`,
        });
      }
      return true;
    case 'image-pull':
      out.fail(codes.incomplete, `the image ${image} of the ${what} cannot be pulled: ${reason}`, {
        fix: `Mirror the image to a registry the nodes can reach (e.g. a private ECR repository) and pass --job-image, or allow the nodes egress to its registry; -s skips the Jobs.`,
      });
      return true;
    case 'unschedulable':
      out.fail(codes.incomplete, `the pod of the ${what} was never scheduled: ${reason}`, {
        fix: `No node can run the Job's pod: check node capacity, taints and quotas (kubectl describe pod -n ${ns} -l ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}), or run with -s.`,
      });
      return true;
    case 'timeout':
      out.fail(
        codes.incomplete,
        `the ${what} did not finish within ${ctx.options.jobTimeoutSeconds} s: ${reason}`,
        {
          fix: `Raise --job-timeout, or watch the pod while it runs (kubectl get pods -n ${ns} -l ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}).`,
        },
      );
      return true;
    default:
      return false;
  }
}

function missingTool(res: JobResult): boolean {
  return /command not found|executable file not found|no such file or directory|has no timeout command/i.test(
    `${res.logs ?? ''}\n${res.reason ?? ''}`,
  );
}

function identityFailureFix(ctx: Context, res: JobResult, sa: string, roleArn: string): string {
  const text = `${res.logs ?? ''}\n${res.reason ?? ''}`;
  const ns = ctx.options.namespace;
  if (missingTool(res)) {
    return `The image ${ctx.options.jobImage} lacks the AWS CLI: pass --job-image with an image that has it (default ${DEFAULT_JOB_IMAGE}).`;
  }
  if (/AccessDenied|Not authorized to perform sts:AssumeRoleWithWebIdentity/i.test(text)) {
    return `The trust policy of ${roleArn} does not admit system:serviceaccount:${ns}:${sa} with aud sts.amazonaws.com: add it to the role's Condition.`;
  }
  if (/InvalidIdentityToken/i.test(text)) {
    return "STS does not accept the cluster's tokens: check the IAM OIDC provider for the cluster's issuer (URL and client ID sts.amazonaws.com).";
  }
  if (/Unable to locate credentials|NoCredentialProviders/i.test(text)) {
    return `The pod got no web identity: the EKS pod identity webhook did not inject ${roleArn} for service account ${sa} (check the annotation and the webhook).`;
  }
  return `Run \`kubectl logs\` on a Job pod of service account ${sa} for details, or check the role's trust policy.`;
}

function parseIdentity(logs: string | undefined): Record<string, unknown> | undefined {
  const text = (logs ?? '').trim();
  const candidates = [text];
  const first = text.indexOf('{');
  const last = text.lastIndexOf('}');
  if (first >= 0 && last > first) candidates.push(text.slice(first, last + 1));
  for (const c of candidates) {
    try {
      const v: unknown = JSON.parse(c);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      /* not this one */
    }
  }
  return undefined;
}

function reportIdentity(
  ctx: Context,
  res: JobResult,
  identity: { roleArn: string; serviceAccount: string },
  out: Reporter,
): void {
  const what = 'identity Job';
  if (reportJobTrouble(ctx, res, what, { create: CODE_JOB_CREATE, incomplete: CODE_JOB_INCOMPLETE }, out))
    return;
  const { roleArn, serviceAccount: sa } = identity;
  if (res.outcome !== 'succeeded') {
    const exit = res.exitCode !== undefined ? ` (exit code ${res.exitCode})` : '';
    out.fail(
      CODE_JOB_INCOMPLETE,
      `the ${what} failed${exit}: ${excerpt(res.logs) ?? res.reason ?? 'no output'}`,
      { fix: identityFailureFix(ctx, res, sa, roleArn) },
    );
    return;
  }
  const doc = parseIdentity(res.logs);
  if (!doc) {
    out.fail(
      CODE_JOB_NOT_JSON,
      `the ${what}'s output is not JSON: ${excerpt(res.logs) ? `"${excerpt(res.logs)}"` : '(empty)'}`,
      {
        fix: `The image ${ctx.options.jobImage} must run the AWS CLI v2 (aws sts get-caller-identity --output json): check --job-image.`,
      },
    );
    return;
  }
  const arn = doc.Arn;
  if (typeof arn !== 'string' || arn === '') {
    out.fail(
      CODE_JOB_NO_ARN,
      `the ${what}'s output has no Arn (keys: ${Object.keys(doc).join(', ') || 'none'})`,
      { fix: `The image ${ctx.options.jobImage} must run the AWS CLI v2: check --job-image.` },
    );
    return;
  }
  if (!assumedRoleMatchesRole(arn, roleArn)) {
    const session = parseArn(arn)?.resource.split('/')[2] ?? '';
    const nodeRole = /^i-[0-9a-f]{8,}$/.test(session);
    out.fail(
      CODE_JOB_MISMATCH,
      `a pod running as service account ${sa} is ${arn}, not the annotated role ${roleArn}`,
      {
        fix: nodeRole
          ? `The pod ran with the node's instance role: the EKS pod identity webhook did not inject ${roleArn} (check that it runs and that service account ${sa} carries the annotation).`
          : `The pod's AWS identity is not the annotated role: check service account ${sa}'s annotation and that no AWS_ROLE_ARN or static keys are forced into pods of namespace ${ctx.options.namespace}.`,
      },
    );
    return;
  }
  out.ok(`in-pod identity: a pod running as service account ${sa} is ${arn} (role ${roleArn})`);
}

function closedDetail(
  res: JobResult,
  exitCode: number | undefined,
  connectSeconds: number,
): { text: string; kind: 'timeout' | 'refused' | 'dns' | 'other' } {
  const logs = res.logs ?? '';
  if (exitCode === 124) {
    return { text: `no answer within ${connectSeconds} s`, kind: 'timeout' };
  }
  if (
    /Name or service not known|Temporary failure in name resolution|No address associated|unknown host/i.test(
      logs,
    )
  ) {
    return { text: 'the host name does not resolve inside the cluster', kind: 'dns' };
  }
  if (/Connection refused/i.test(logs)) return { text: 'connection refused', kind: 'refused' };
  const said = excerpt(logs.replace(new RegExp(`^${TCP_MARKER}.*$`, 'gm'), ''));
  const exit = exitCode !== undefined ? ` (exit code ${exitCode})` : '';
  return { text: `the connect failed${exit}${said ? `: ${said}` : ''}`, kind: 'other' };
}

function reportTcp(ctx: Context, res: JobResult, target: TcpTarget, out: Reporter): void {
  const where = `${target.host}:${target.port}`;
  const what = `connectivity Job for ${where}`;
  if (reportJobTrouble(ctx, res, what, { create: CODE_TCP_CREATE, incomplete: CODE_TCP_INCOMPLETE }, out))
    return;
  const verdict = res.outcome === 'succeeded' ? parseTcpProbe(res.logs) : undefined;
  if (!verdict) {
    const exit = res.exitCode !== undefined ? ` (exit code ${res.exitCode})` : '';
    out.fail(
      CODE_TCP_INCOMPLETE,
      res.outcome === 'succeeded'
        ? `the ${what} printed no verdict: ${excerpt(res.logs) ? `"${excerpt(res.logs)}"` : '(empty output)'}`
        : `the ${what} failed${exit}: ${excerpt(res.logs) ?? res.reason ?? 'no output'}`,
      {
        fix: missingTool(res)
          ? `The image ${ctx.options.jobImage} must contain bash and timeout: pass --job-image with one that does (default ${DEFAULT_JOB_IMAGE}).`
          : `Run the probe by hand to see why: kubectl run -n ${ctx.options.namespace} --rm -it probe --image ${ctx.options.jobImage} --command -- bash -c 'timeout 5 bash -c "exec 3<>/dev/tcp/${target.host}/${target.port}"'`,
      },
    );
    return;
  }
  if (verdict.state === 'open') {
    out.ok(`${target.kind} ${where} is reachable from the cluster (TCP connect)`);
    return;
  }
  const connectSeconds = Math.max(
    1,
    Math.min(TCP_CONNECT_TIMEOUT_SECONDS, ctx.options.jobTimeoutSeconds - 1),
  );
  const detail = closedDetail(res, verdict.exitCode, connectSeconds);
  const sg =
    target.kind === 'OpenSearch'
      ? "the OpenSearch domain's security group must allow inbound TCP 443 from the cluster's node or pod security group"
      : `the ${target.kind === 'database' ? 'database' : 'Aurora cluster'}'s security group must allow inbound TCP ${target.port} from the cluster's node or pod security group`;
  const fix =
    detail.kind === 'dns'
      ? `Check the host name in the Helm values and that it resolves in the cluster's VPC (private hosted zones, VPC DNS settings).`
      : detail.kind === 'refused'
        ? `Check the port in the Helm values (${target.port}) and that the ${target.kind} endpoint listens on it.`
        : `Open the path from the cluster: ${sg}; check network ACLs and routes too.`;
  out.fail(CODE_TCP_CLOSED, `${target.kind} ${where} is not reachable from the cluster: ${detail.text}`, {
    fix,
  });
}

async function runItem(ctx: Context, item: WorkItem, out: Reporter, progress: Progress): Promise<void> {
  const base = {
    namespace: ctx.options.namespace,
    image: ctx.options.jobImage,
    timeoutSeconds: ctx.options.jobTimeoutSeconds,
  };
  const [id, tcp] = await Promise.all([
    item.identity
      ? runJob(
          ctx,
          identityJob({
            ...base,
            component: item.component ?? 'x',
            serviceAccount: item.identity.serviceAccount,
          }),
          progress,
        )
      : undefined,
    item.tcp
      ? runJob(
          ctx,
          tcpJob({
            ...base,
            component: item.tcp.jobComponent,
            serviceAccount: item.tcp.serviceAccount,
            host: item.tcp.host,
            port: item.tcp.port,
          }),
          progress,
        )
      : undefined,
  ]);
  if (id && item.identity) reportIdentity(ctx, id, item.identity, out);
  if (tcp && item.tcp) reportTcp(ctx, tcp, item.tcp, out);
}

export const jobs = defineModule({
  id: 'jobs',
  title: 'Verification Jobs (in-pod identity and connectivity)',
  codes: [
    {
      code: CODE_TCP_CREATE,
      title: 'the connectivity Job could not be created (or its pod was refused)',
      fix: 'Allow irsa-check to create Jobs in the namespace, or run with -s.',
    },
    {
      code: CODE_TCP_INCOMPLETE,
      title: 'the connectivity Job did not complete',
      fix: 'Check the Job image (--job-image), scheduling and --job-timeout.',
    },
    {
      code: CODE_TCP_CLOSED,
      title: 'the database or OpenSearch port is not reachable from the cluster',
      fix: 'Open the security groups between the cluster and the endpoint.',
    },
    {
      code: CODE_JOB_CREATE,
      title: 'the identity Job could not be created (or its pod was refused)',
      fix: 'Allow irsa-check to create Jobs in the namespace, or run with -s.',
    },
    {
      code: CODE_JOB_INCOMPLETE,
      title: 'the identity Job did not complete',
      fix: 'Check the Job image (--job-image), scheduling, the role’s trust policy and --job-timeout.',
    },
    {
      code: CODE_JOB_NOT_JSON,
      title: 'the identity Job’s output is not JSON',
      fix: 'Use an image with the AWS CLI v2 (--job-image).',
    },
    {
      code: CODE_JOB_NO_ARN,
      title: 'the identity Job’s output has no Arn',
      fix: 'Use an image with the AWS CLI v2 (--job-image).',
    },
    {
      code: CODE_JOB_MISMATCH,
      title: 'a pod of the service account runs as another identity than the annotated role',
      fix: 'Check the annotation and the EKS pod identity webhook.',
    },
  ],
  async run(ctx, out) {
    if (!ctx.options.spawn) {
      out.info('skipped (-s/--no-spawn): no verification Jobs');
      return;
    }
    if (!requireRelease(ctx, out)) return;
    const items = plannedWork(ctx);
    if (items.length === 0) {
      out.info('skipped: no component with a role, database or OpenSearch endpoint to verify in-pod');
      return;
    }
    await cleanLeftovers(ctx, out);
    const total = items.reduce((n, i) => n + (i.identity ? 1 : 0) + (i.tcp ? 1 : 0), 0);
    // Every Job started counts itself finished (runJob's finally): the spinner stops with the last one.
    const progress = Progress.begin(ctx, total);
    await eachInOrder(
      items,
      out,
      (i) => i.component,
      (i, o) => runItem(ctx, i, o, progress),
    );
  },
});
