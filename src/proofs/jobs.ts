/**
 * Verification Jobs: prove from inside the cluster what the API calls can only
 * suggest. Per component with a role, an identity Job runs `aws sts
 * get-caller-identity` under the component's ServiceAccount; per database (and
 * once for OpenSearch) a connectivity Job makes a real TCP connect. All Jobs
 * come from one template (platform/job-template.ts), run concurrently, and are
 * always deleted; leftovers of an interrupted run are deleted first.
 */
import { mechanismWords, roleWords, type MechanismWords } from '../platform/pod-identity.js';
import { defineModule, type ModuleContext } from '../engine/module.js';
import { DEFAULT_JOB_IMAGE, DEFAULT_JOB_TIMEOUT_SECONDS, type RunOptions } from '../core/options.js';
import { ApiCallError } from '../core/errors.js';
import { kubeConnectionLost } from '../core/cluster-unusable.js';
import { eachInOrder, type Reporter } from '../core/reporter.js';
import type { Services } from '../core/context.js';
import type { Facts, PlannedComponent } from '../engine/facts.js';
import type { JobResult } from '../ports/kube.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../ports/kube.js';
import {
  identityJob,
  manifestName,
  parseTcpProbe,
  tcpJob,
  TCP_CONNECT_TIMEOUT_SECONDS,
  TCP_MARKER,
} from '../platform/job-template.js';
import { assumedRoleMatchesRole, parseArn } from '../iam/arn.js';
import { kubeGrantHint } from '../platform/kube-grant.js';

const CHECKS = {
  'tcp-job-create': {
    severity: 'FAIL',
    code: 41,
    title: 'the connectivity Job could not be created (or its pod was refused)',
    fix: 'Allow irsa-check to create Jobs in the namespace, or run with -s.',
  },
  'tcp-job-complete': {
    severity: 'FAIL',
    code: 42,
    title: 'the connectivity Job did not complete',
    fix: 'Check the Job image (--job-image), scheduling and --job-timeout.',
  },
  'tcp-reachable': {
    severity: 'FAIL',
    code: 43,
    title: 'the database or OpenSearch port is not reachable from the cluster',
    fix: 'Open the security groups between the cluster and the endpoint.',
  },
  'identity-job-create': {
    severity: 'FAIL',
    code: 130,
    title: 'the identity Job could not be created (or its pod was refused)',
    fix: 'Allow irsa-check to create Jobs in the namespace, or run with -s.',
  },
  'identity-job-complete': {
    severity: 'FAIL',
    code: 131,
    title: 'the identity Job did not complete',
    fix: 'Check the Job image (--job-image), scheduling, the role’s trust policy and --job-timeout.',
  },
  'identity-job-json': {
    severity: 'FAIL',
    code: 132,
    title: 'the identity Job’s output is not JSON',
    fix: 'Use an image with the AWS CLI v2 (--job-image).',
  },
  'identity-job-arn': {
    severity: 'FAIL',
    code: 133,
    title: 'the identity Job’s output has no Arn',
    fix: 'Use an image with the AWS CLI v2 (--job-image).',
  },
  'identity-job-role': {
    severity: 'FAIL',
    code: 134,
    title: 'a pod of the service account runs as another identity than the annotated role',
    fix: 'Check the annotation and the EKS pod identity webhook.',
  },
  'job-leftovers-list': {
    severity: 'WARN',
    title: 'the Jobs left by an earlier, interrupted irsa-check run cannot be listed',
    fix: 'Allow irsa-check to list jobs in the namespace (README, "Permissions").',
  },
  'job-leftovers-delete': {
    severity: 'WARN',
    title: 'Jobs left by an earlier, interrupted irsa-check run cannot be deleted',
    fix: `Delete them by hand: kubectl delete jobs -n <namespace> -l ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}.`,
  },
} as const;
type Id = keyof typeof CHECKS;
type Out = Reporter<Id>;

type Ctx = ModuleContext<
  'caller' | 'plan' | 'roleArns',
  'databases' | 'auroraClusters' | 'openSearch' | 'credentialSources'
>;
type JobServices = Pick<Services, 'kube' | 'options' | 'debug' | 'scope'>;

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

/** What the Jobs verify: the planned components, their roles and databases, and the OpenSearch endpoint. */
interface WorkFacts {
  plan: readonly PlannedComponent[];
  roleArns: ReadonlyMap<string, string>;
  databases?: Facts['databases'];
  auroraClusters?: Facts['auroraClusters'];
  openSearch?: Facts['openSearch'];
}

function plannedWork(facts: WorkFacts): WorkItem[] {
  const { plan, roleArns } = facts;
  const databases = facts.databases ?? new Map();
  const saOf = (c: PlannedComponent | undefined): string =>
    c && roleArns.has(c.key) ? c.serviceAccount.name : 'default';
  const items: WorkItem[] = [];
  const dbKeys = [...databases.keys()];
  const keys = [...plan.map((c) => c.key), ...dbKeys.filter((k) => !plan.some((c) => c.key === k))];
  for (const key of keys) {
    const c = plan.find((p) => p.key === key);
    const item: WorkItem = { component: key };
    const roleArn = roleArns.get(key);
    if (c && roleArn) item.identity = { roleArn, serviceAccount: c.serviceAccount.name };
    const db = databases.get(key);
    if (db?.host) {
      item.tcp = {
        kind: facts.auroraClusters?.has(key) ? 'Aurora PostgreSQL' : 'database',
        host: db.host,
        port: db.port,
        serviceAccount: saOf(c),
        jobComponent: key,
      };
    }
    if (item.identity || item.tcp) items.push(item);
  }
  const os = facts.openSearch;
  if (os?.host) {
    const first = plan.find((c) => c.os && roleArns.has(c.key));
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
export function leftoverAgeSeconds(options: Pick<RunOptions, 'jobTimeoutSeconds'>): number {
  return Math.max(options.jobTimeoutSeconds, DEFAULT_JOB_TIMEOUT_SECONDS) + 60;
}

async function cleanLeftovers(ctx: JobServices, out: Out): Promise<void> {
  const ns = ctx.scope.namespace;
  let names: string[];
  try {
    names = await ctx.kube.leftoverJobs(ns, leftoverAgeSeconds(ctx.options));
  } catch (e) {
    // A lost API server is the connectivity FAIL (exit 3, Reporter.unexpected), not a WARN about leftovers.
    if (!(e instanceof ApiCallError) || kubeConnectionLost(e)) throw e;
    out.warn(
      'job-leftovers-list',
      `cannot list Jobs left by an earlier irsa-check run (${e.reason}): none deleted`,
    );
    return;
  }
  if (names.length === 0) return;
  const deleted: string[] = [];
  const failed: string[] = [];
  await Promise.all(
    names.map((name) =>
      ctx.kube.deleteJob(ns, name).then(
        () => deleted.push(name),
        (e: unknown) => {
          // A lost API server is the connectivity FAIL (exit 3), as for the list above.
          if (kubeConnectionLost(e)) throw e;
          failed.push(`${name} (${e instanceof ApiCallError ? e.reason : String(e)})`);
        },
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
      'job-leftovers-delete',
      `cannot delete Job(s) left by an earlier irsa-check run: ${failed.sort().join(', ')} (kubectl delete jobs -n ${ns} -l ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE})`,
    );
  }
}

/** Where the spinner is drawn: `Services.progress` (the user's terminal in text mode only). */
type ProgressWriter = NonNullable<Services['progress']>;

/**
 * A spinner while Jobs run, drawn on `Services.progress` (text output on a
 * terminal only). One line per writer, shared by concurrent runs of this module
 * (-A checks several releases at once), gone before any finding is printed.
 */
class Progress {
  private static readonly FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  private static readonly shared = new WeakMap<ProgressWriter, Progress>();
  private timer?: NodeJS.Timeout;
  private started = Date.now();
  private total = 0;
  private done = 0;
  private frame = 0;

  private constructor(private readonly writer?: ProgressWriter) {}

  /** Adds `jobs` to the line; a no-op tracker when no spinner is wanted (no writer). */
  static begin(writer: ProgressWriter | undefined, jobs: number): Progress {
    if (!writer) return new Progress();
    let p = Progress.shared.get(writer);
    if (!p) Progress.shared.set(writer, (p = new Progress(writer)));
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
    this.writer?.write('\r\x1b[K');
  }

  private draw(): void {
    const frame = Progress.FRAMES[this.frame++ % Progress.FRAMES.length];
    const secs = Math.floor((Date.now() - this.started) / 1000);
    this.writer?.write(`\r\x1b[K${frame} verification Jobs: ${this.done}/${this.total} done (${secs} s)`);
  }
}

async function runJob(
  ctx: JobServices,
  manifest: Record<string, unknown>,
  progress: Progress,
): Promise<JobResult> {
  const started = Date.now();
  const timeoutMs = ctx.options.jobTimeoutSeconds * 1000 + JOB_GRACE_MS;
  try {
    const result = await ctx.kube.runJob(ctx.scope.namespace, manifest, timeoutMs);
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
  ctx: JobServices,
  res: JobResult,
  what: string,
  ids: { create: Id; incomplete: Id },
  out: Out,
): boolean {
  const ns = ctx.scope.namespace;
  const image = ctx.options.jobImage;
  const reason = res.reason ?? 'no reason given';
  switch (res.outcome) {
    case 'create-failed':
      out.fail(ids.create, `cannot create the ${what}: ${reason}`, {
        fix: /Forbidden/i.test(reason)
          ? `Allow irsa-check to create, watch and delete jobs, watch pods and events and read pods/log in namespace ${ns} (README, "Permissions"), or run with -s.`
          : 'Check the API server’s answer, or run with -s to skip the verification Jobs.',
      });
      return true;
    case 'rejected':
      if (/PodSecurity/.test(reason)) {
        out.fail(ids.create, `Pod Security admission refused the pod of the ${what}: ${reason}`, {
          fix: `irsa-check's Jobs meet the "restricted" level: check the pod-security.kubernetes.io labels of namespace ${ns} (and the image given with --job-image), or run with -s.`,
        });
      } else if (/error looking up service account/i.test(reason)) {
        out.fail(ids.create, `the pod of the ${what} was refused: ${reason}`, {
          fix: 'Create the service account (deploy the release with it enabled), then run again.',
        });
      } else {
        out.fail(ids.create, `an admission controller refused the pod of the ${what}: ${reason}`, {
          fix: `Allow pods labelled ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE} in namespace ${ns} in the admission policy, or run with -s.`,
        });
      }
      return true;
    case 'image-pull':
      out.fail(ids.incomplete, `the image ${image} of the ${what} cannot be pulled: ${reason}`, {
        fix: `Mirror the image to a registry the nodes can reach (e.g. a private ECR repository) and pass --job-image, or allow the nodes egress to its registry; -s skips the Jobs.`,
      });
      return true;
    case 'unschedulable':
      out.fail(ids.incomplete, `the pod of the ${what} was never scheduled: ${reason}`, {
        fix: `No node can run the Job's pod: check node capacity, taints and quotas (kubectl describe pod -n ${ns} -l ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}), or run with -s.`,
      });
      return true;
    case 'timeout':
      out.fail(
        ids.incomplete,
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

/**
 * A Job that finished but whose log irsa-check may not read (RBAC lacks get on pods/log): its
 * output is unknown, not empty, so its verdict is not proven — an INFO naming the grant, never a
 * FAIL about "empty output". True when said.
 */
function logNotRead(ctx: JobServices, res: JobResult, what: string, verdict: string, out: Out): boolean {
  if (res.outcome !== 'succeeded' || res.logUnreadable === undefined) return false;
  out.info(
    `cannot read the log of the ${what} (${res.logUnreadable}): ${verdict} not proven; ${kubeGrantHint('runJob', ctx.scope.namespace, 'pods/log')}`,
  );
  return true;
}

/** A failed Job's last words, or why there are none. */
function lastWords(res: JobResult): string {
  return (
    excerpt(res.logs) ??
    (res.logUnreadable !== undefined ? `its log cannot be read (${res.logUnreadable})` : undefined) ??
    res.reason ??
    'no output'
  );
}

function missingTool(res: JobResult): boolean {
  return /command not found|executable file not found|no such file or directory|has no timeout command/i.test(
    `${res.logs ?? ''}\n${res.reason ?? ''}`,
  );
}

function identityFailureFix(
  ctx: JobServices,
  res: JobResult,
  sa: string,
  roleArn: string,
  words: MechanismWords,
): string {
  const text = `${res.logs ?? ''}\n${res.reason ?? ''}`;
  const ns = ctx.scope.namespace;
  if (missingTool(res)) {
    return `The image ${ctx.options.jobImage} lacks the AWS CLI: pass --job-image with an image that has it (default ${DEFAULT_JOB_IMAGE}).`;
  }
  if (/AccessDenied|Not authorized to perform sts:AssumeRoleWithWebIdentity/i.test(text)) {
    return words.refused(roleArn, sa, ns);
  }
  if (/InvalidIdentityToken/i.test(text)) {
    return "STS does not accept the cluster's tokens: check the IAM OIDC provider for the cluster's issuer (URL and client ID sts.amazonaws.com).";
  }
  if (/Unable to locate credentials|NoCredentialProviders/i.test(text)) {
    return words.noCredentials(roleArn, sa);
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
  ctx: JobServices,
  res: JobResult,
  identity: { roleArn: string; serviceAccount: string },
  out: Out,
  words: MechanismWords,
): void {
  const what = 'identity Job';
  if (
    reportJobTrouble(
      ctx,
      res,
      what,
      { create: 'identity-job-create', incomplete: 'identity-job-complete' },
      out,
    )
  )
    return;
  const { roleArn, serviceAccount: sa } = identity;
  if (logNotRead(ctx, res, what, 'in-pod identity', out)) return;
  if (res.outcome !== 'succeeded') {
    const exit = res.exitCode !== undefined ? ` (exit code ${res.exitCode})` : '';
    out.fail('identity-job-complete', `the ${what} failed${exit}: ${lastWords(res)}`, {
      fix: identityFailureFix(ctx, res, sa, roleArn, words),
    });
    return;
  }
  const doc = parseIdentity(res.logs);
  if (!doc) {
    out.fail(
      'identity-job-json',
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
      'identity-job-arn',
      `the ${what}'s output has no Arn (keys: ${Object.keys(doc).join(', ') || 'none'})`,
      { fix: `The image ${ctx.options.jobImage} must run the AWS CLI v2: check --job-image.` },
    );
    return;
  }
  if (!assumedRoleMatchesRole(arn, roleArn)) {
    const session = parseArn(arn)?.resource.split('/')[2] ?? '';
    const nodeRole = /^i-[0-9a-f]{8,}$/.test(session);
    out.fail(
      'identity-job-role',
      `a pod running as service account ${sa} is ${arn}, not ${roleWords(roleArn, words.name)}, ${words.role}`,
      {
        fix: nodeRole
          ? words.nodeRole(roleArn, sa)
          : words.name === 'IRSA'
            ? `The pod's AWS identity is not the annotated role: check service account ${sa}'s annotation and that no AWS_ROLE_ARN or static keys are forced into pods of namespace ${ctx.scope.namespace}.`
            : `The pod's AWS identity is not ${words.role}: check that no AWS_* variables or static keys are forced into pods of namespace ${ctx.scope.namespace}.`,
      },
    );
    return;
  }
  out.ok(
    'identity-job-role',
    `in-pod identity: a pod running as service account ${sa} is ${arn} (role ${roleArn}${words.name === 'IRSA' ? '' : `, through ${words.name}`})`,
  );
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

function reportTcp(ctx: JobServices, res: JobResult, target: TcpTarget, out: Out): void {
  const where = `${target.host}:${target.port}`;
  const what = `connectivity Job for ${where}`;
  if (reportJobTrouble(ctx, res, what, { create: 'tcp-job-create', incomplete: 'tcp-job-complete' }, out))
    return;
  if (logNotRead(ctx, res, what, `reachability of ${where}`, out)) return;
  const verdict = res.outcome === 'succeeded' ? parseTcpProbe(res.logs) : undefined;
  if (!verdict) {
    const exit = res.exitCode !== undefined ? ` (exit code ${res.exitCode})` : '';
    out.fail(
      'tcp-job-complete',
      res.outcome === 'succeeded'
        ? `the ${what} printed no verdict: ${excerpt(res.logs) ? `"${excerpt(res.logs)}"` : '(empty output)'}`
        : `the ${what} failed${exit}: ${lastWords(res)}`,
      {
        fix: missingTool(res)
          ? `The image ${ctx.options.jobImage} must contain bash and timeout: pass --job-image with one that does (default ${DEFAULT_JOB_IMAGE}).`
          : `Run the probe by hand to see why: kubectl run -n ${ctx.scope.namespace} --rm -it probe --image ${ctx.options.jobImage} --command -- bash -c 'timeout 5 bash -c "exec 3<>/dev/tcp/${target.host}/${target.port}"'`,
      },
    );
    return;
  }
  if (verdict.state === 'open') {
    out.ok('tcp-reachable', `${target.kind} ${where} is reachable from the cluster (TCP connect)`);
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
  out.fail('tcp-reachable', `${target.kind} ${where} is not reachable from the cluster: ${detail.text}`, {
    fix,
  });
}

async function runItem(
  ctx: JobServices,
  item: WorkItem,
  out: Out,
  progress: Progress,
  words: MechanismWords,
): Promise<void> {
  const base = {
    namespace: ctx.scope.namespace,
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
  if (id && item.identity) reportIdentity(ctx, id, item.identity, out, words);
  if (tcp && item.tcp) reportTcp(ctx, tcp, item.tcp, out);
}

/** The Jobs to run, once the database and OpenSearch settings (if any) are known. */
async function workOf(ctx: Ctx): Promise<WorkItem[]> {
  const [databases, auroraClusters, openSearch] = await Promise.all([
    ctx.use('databases'),
    ctx.use('auroraClusters'),
    ctx.use('openSearch'),
  ]);
  return plannedWork({
    plan: ctx.facts.plan,
    roleArns: ctx.facts.roleArns,
    ...(databases ? { databases } : {}),
    ...(auroraClusters ? { auroraClusters } : {}),
    ...(openSearch ? { openSearch } : {}),
  });
}

export const jobs = defineModule({
  id: 'jobs',
  title: 'Verification Jobs (in-pod identity and connectivity)',
  needs: ['caller', 'plan', 'roleArns', 'kubernetes'],
  uses: ['databases', 'auroraClusters', 'openSearch', 'credentialSources'],
  checks: CHECKS,
  async run(ctx, out) {
    if (!ctx.options.spawn) {
      out.info('skipped (-s/--no-spawn): no verification Jobs');
      return;
    }
    const items = await workOf(ctx);
    if (items.length === 0) {
      out.info('skipped: no component with a role, database or OpenSearch endpoint to verify in-pod');
      return;
    }
    await cleanLeftovers(ctx, out);
    const total = items.reduce((n, i) => n + (i.identity ? 1 : 0) + (i.tcp ? 1 : 0), 0);
    // Every Job started counts itself finished (runJob's finally): the spinner stops with the last one.
    const progress = Progress.begin(ctx.progress, total);
    // The mechanism each component's pods use names the right parts in the identity Job's lines.
    const sources = await ctx.use('credentialSources');
    await eachInOrder(
      items,
      out,
      (i) => i.component,
      (i, o) =>
        runItem(ctx, i, o, progress, mechanismWords(i.component ? sources?.get(i.component) : undefined)),
    );
  },
});
