/**
 * `-A/--all-namespaces`: finds every Camunda release in the cluster, checks each
 * one concurrently over the same memoised Kubernetes/AWS answers (a role or DB
 * cluster shared by several releases is fetched once), prints each release's
 * findings as one block in a fixed order, then one summary table.
 *
 * Kubernetes reads grow with namespaces, not releases × components: ServiceAccounts,
 * pods and workloads are listed once per namespace (platform/namespace-lists.ts; pods
 * and workloads already were), and pod logs — one read per container — are read only
 * for the components another check found a WARN or FAIL for, where they explain it.
 */
import type { RunContext } from './core/context.js';
import type { Facts } from './engine/facts.js';
import type { Finding } from './core/finding.js';
import { FatalCheckError } from './core/errors.js';
import { Reporter, type FindingSink } from './core/reporter.js';
import { CHECK_MODULES } from './checks/index.js';
import { findCamundaReleases, type HelmRelease, type ReleaseSearch } from './helm/release.js';
import { summarize } from './report/format.js';
import { dispatch } from './engine/dispatch.js';
import { mapLimit } from './core/concurrency.js';
import { listedPerNamespace } from './platform/namespace-lists.js';

const MODULE = 'all-namespaces';
/** The module every release shares: the AWS identity is asked once. */
const SHARED = 'preflight';

/** The module that reads pod logs: in -A, only for components with a finding. */
const LOGS = 'pod-logs';

/** Releases checked at once: enough to overlap API latency, few enough not to trip throttling. */
const CONCURRENCY = 8;

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((r) =>
    r
      .map((cell, col) => (col >= 3 ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!)))
      .join('  ')
      .trimEnd(),
  );
}

async function checkRelease(
  ctx: RunContext,
  release: HelmRelease,
  shared: Partial<Facts>,
  skip: ReadonlySet<string>,
): Promise<Finding[]> {
  const tag = `${release.namespace}/${release.name}`;
  const releaseCtx: RunContext = {
    ...ctx,
    kube: listedPerNamespace(ctx.kube),
    scope: { ...ctx.scope, namespace: release.namespace, release: release.name },
    options: { ...ctx.options, allNamespaces: false },
  };
  // Identity and partition are the same for every release; the rest is per release.
  const facts: Partial<Facts> = { ...shared };
  const findings: Finding[] = [];
  const completed = await dispatch(
    CHECK_MODULES.filter((m) => m.id !== SHARED && m.id !== LOGS),
    releaseCtx,
    (f) => findings.push(f),
    { facts, skip },
  );
  // A fatal precondition stopped the release's modules: the logs module, after them, is not started.
  const logs = completed ? await readLogsWhereFound(releaseCtx, release, facts, findings, skip) : [];
  return spliceAt(findings, logs, LOGS).map((f) => ({ ...f, release: tag }));
}

/**
 * The pod-logs module over the components with a WARN or FAIL: a log line says why a check
 * failed, and reading every container's log of every release is what made -A cost calls per
 * release × component. The other components' logs are not read, and the block says so.
 */
async function readLogsWhereFound(
  ctx: RunContext,
  release: HelmRelease,
  facts: Partial<Facts>,
  findings: readonly Finding[],
  skip: ReadonlySet<string>,
): Promise<Finding[]> {
  const module = CHECK_MODULES.find((m) => m.id === LOGS);
  if (!module) return [];
  const out: Finding[] = [];
  const found = new Set(
    findings.filter((f) => f.level === 'WARN' || f.level === 'FAIL').flatMap((f) => f.component ?? []),
  );
  const plan = facts.plan;
  const wanted = plan?.filter((c) => found.has(c.key));
  await dispatch([module], ctx, (f) => out.push(f), {
    facts: { ...facts, ...(wanted ? { plan: wanted } : {}) },
    skip,
  });
  const unread = plan?.filter((c) => !found.has(c.key)) ?? [];
  if (ctx.options.logs && !skip.has(LOGS) && unread.length > 0) {
    new Reporter(LOGS, (f) => out.unshift(f), module.checks).info(
      `-A reads pod logs only of components with a WARN or FAIL: not read for ${unread.map((c) => c.key).join(', ')} (irsa-check -n ${release.namespace} --release ${release.name} reads them)`,
    );
  }
  return out;
}

/** `extra` (findings of module `id`) where that module's findings stand in registry order. */
function spliceAt(findings: Finding[], extra: Finding[], id: string): Finding[] {
  const order = new Map(CHECK_MODULES.map((m, i) => [m.id, i]));
  const at = order.get(id) ?? Infinity;
  const i = findings.findIndex((f) => (order.get(f.module) ?? -1) > at);
  return i < 0 ? [...findings, ...extra] : [...findings.slice(0, i), ...extra, ...findings.slice(i)];
}

export async function runAllNamespaces(
  ctx: RunContext,
  sink: FindingSink,
  skip: ReadonlySet<string> = new Set(),
): Promise<void> {
  const shared: Partial<Facts> = {};
  const preflight = CHECK_MODULES.filter((m) => m.id === SHARED);
  if (!(await dispatch(preflight, ctx, sink, { facts: shared, skip }))) return;
  const out = new Reporter<'releases-found' | 'release-unchecked'>(MODULE, sink, {}, undefined, skip);
  let search: ReleaseSearch;
  try {
    search = findCamundaReleases(await ctx.kube.helmReleaseRecords(), ctx.options.limits);
  } catch (e) {
    try {
      out.unexpected(e, {
        fix: 'Allow irsa-check to list secrets in all namespaces (README, "Permissions").',
      });
    } catch (lost) {
      // The API server stopped answering (exit 3): its FAIL, as the dispatcher reports a fatal.
      if (!(lost instanceof FatalCheckError)) throw lost;
      sink({
        level: 'FAIL',
        check: lost.check,
        code: lost.code,
        module: MODULE,
        message: lost.message,
        fix: lost.fix,
      });
    }
    return;
  }
  const releases = search.releases;
  // Releases `helm list -A` shows but irsa-check cannot check: named in the summary, never dropped.
  const unchecked = uncheckedReleases(search);
  for (const u of unchecked) out.warn('release-unchecked', `${u.namespace}/${u.name} not checked: ${u.why}`);
  if (releases.length === 0) {
    out.fail('releases-found', 'no deployed Camunda release (chart camunda-platform) in any namespace', {
      fix: '`helm list -A` lists the releases irsa-check can see.',
    });
    return;
  }
  out.info(
    `checking ${releases.length} Camunda release(s): ${releases.map((r) => `${r.namespace}/${r.name}`).join(', ')}`,
  );
  const perRelease = await mapLimit(releases, CONCURRENCY, (r) => checkRelease(ctx, r, shared, skip));
  releases.forEach((r, i) => {
    out.info(`=== ${r.namespace}/${r.name} (chart ${r.chartName}-${r.chartVersion}) ===`);
    perRelease[i]!.forEach(sink);
  });
  const rows = [['NAMESPACE', 'RELEASE', 'CHART', 'OK', 'WARN', 'FAIL']];
  releases.forEach((r, i) => {
    const s = summarize(perRelease[i]!);
    rows.push([
      r.namespace,
      r.name,
      `${r.chartName}-${r.chartVersion}`,
      String(s.ok),
      String(s.warn),
      String(s.fail),
    ]);
  });
  for (const u of unchecked) rows.push([u.namespace, u.name, `(${u.state})`, '-', '-', '-']);
  for (const line of table(rows)) out.info(line);
}

interface Unchecked {
  namespace: string;
  name: string;
  /** Short, for the table: failed, pending-install, unreadable. */
  state: string;
  why: string;
}

function uncheckedReleases(search: ReleaseSearch): Unchecked[] {
  const list: Unchecked[] = [];
  for (const u of search.undeployed) {
    if (u.deployedRevision !== undefined) continue; // its deployed revision is checked
    list.push({
      namespace: u.namespace,
      name: u.name,
      state: u.status,
      why: `no deployed revision; revision ${u.revision} is ${u.status}`,
    });
  }
  const checked = new Set(search.releases.map((r) => `${r.namespace}/${r.name}`));
  for (const c of search.corrupt) {
    const name = c.release ?? '?';
    if (checked.has(`${c.namespace}/${name}`)) continue;
    list.push({ namespace: c.namespace ?? '?', name, state: 'unreadable', why: c.message });
  }
  return list.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}
