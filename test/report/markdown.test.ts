/**
 * `--output markdown` / `--summary`: the report a pull request or job summary shows.
 * Every Mermaid block is parsed by Mermaid's own parser (mermaid's flowchart grammar,
 * under happy-dom: Mermaid needs a DOM for its sanitiser), and the parsed graph is
 * checked: the nodes of the trust chain and each link's ✓/✗ from the findings.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/checks/index.js';
import type { Finding } from '../../src/core/finding.js';
import { cell, markdownReport, mermaidChain } from '../../src/report/markdown.js';
import {
  CHECK_LINKS,
  MODULE_LINKS,
  NOT_A_LINK,
  linkStatus,
  trustChain,
  type LinkId,
} from '../../src/report/trust-chain.js';
import { markdownText } from '../../src/report/escape.js';
import { run } from '../../src/run.js';
import { runCli, ROOT } from '../support/cli.js';
import { DEMO_ARGS, DEMO_BUNDLE } from '../support/demo-world.js';
import { testOptions } from '../support/world.js';

interface ParsedFlowchart {
  vertices: Array<{ id: string; text: string }>;
  edges: Array<{ start: string; end: string; text: string }>;
}

let parseFlowchart: (text: string) => Promise<ParsedFlowchart>;

beforeAll(async () => {
  const { Window } = await import('happy-dom');
  const window = new Window();
  Object.assign(globalThis, { window, document: window.document });
  const { default: mermaid } = await import('mermaid');
  parseFlowchart = async (text) => {
    // parse() throws on a syntax error; the diagram's db then holds what Mermaid understood.
    expect(await mermaid.parse(text)).toMatchObject({ diagramType: 'flowchart-v2' });
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const db = diagram.db as unknown as {
      getVertices(): Map<string, { id: string; text: string }>;
      getEdges(): Array<{ start: string; end: string; text: string }>;
    };
    return {
      // Mermaid keeps entity codes (#quot;) as internal placeholders until it renders: undo that.
      vertices: [...db.getVertices().values()].map((v) => ({
        id: v.id,
        text: v.text.replace(/ﬂ°(\w+)¶ß/g, '#$1;'),
      })),
      edges: db.getEdges().map((e) => ({ start: e.start, end: e.end, text: e.text })),
    };
  };
});

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

async function demoMarkdown(): Promise<{ markdown: string; findings: Finding[] }> {
  let markdown = '';
  const stdout = new Writable({
    write: (c, _e, cb) => {
      markdown += c.toString();
      cb();
    },
  });
  const result = await run(
    testOptions({ replay: `${ROOT}/${DEMO_BUNDLE}`, output: 'markdown', namespace: '' }),
    {
      stdout,
      stderr: sink(),
      env: {},
    },
  );
  return { markdown, findings: result.findings };
}

function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1]!);
}

describe('the Markdown report of the demo', () => {
  it('opens with the verdict, then every FAIL with its fix', async () => {
    const { markdown, findings } = await demoMarkdown();
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('## ✗ irsa-check: 5 check(s) failed (exit code 255)');
    expect(lines[2]).toBe('Namespace `camunda` · irsa-check 0.1.0 · 60 OK, 1 WARN, 5 FAIL');
    expect(lines[4]).toBe('### Failures');
    const fails = findings.filter((f) => f.level === 'FAIL' && f.module !== 'summary');
    expect(fails).toHaveLength(5);
    fails.forEach((f, i) => {
      const at = lines.indexOf(
        `${i + 1}. **${f.component} · ${f.module}** (code ${f.code}): ${markdownText(f.message)}`,
      );
      expect(at, f.message).toBeGreaterThan(4);
      expect(lines[at + 1]).toBe(`   **Fix:** ${markdownText(f.fix!)}`);
    });
  });

  it('has a section with a table per component, failing ones open', async () => {
    const { markdown } = await demoMarkdown();
    const headings = markdown.split('\n').filter((l) => l.startsWith('### '));
    expect(headings).toEqual([
      '### Failures',
      '### ✓ Cluster and release',
      '### ✗ identity',
      '### ✗ webModeler',
      '### ✓ orchestration',
      '### ✓ optimize',
    ]);
    expect(markdown).toContain('<details open><summary>11 OK, 0 WARN, 3 FAIL</summary>');
    expect(markdown).toContain(
      '| service-accounts | ✗ FAIL (code 221) | pod camunda-identity-7d9c5b8f6-x2k4p has no AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE: it started before the role annotation was added<br>**Fix:** Restart the pods: kubectl rollout restart -n camunda for the identity workload. |',
    );
    // Every table row has the header's three columns: no message broke out of its cell.
    for (const row of markdown.split('\n').filter((l) => l.startsWith('| '))) {
      expect(row.replace(/\\\|/g, '').split('|').length, row).toBe(5);
    }
  });

  it('draws each component’s trust chain; Mermaid parses it, the broken links are the planted faults', async () => {
    const { markdown } = await demoMarkdown();
    const blocks = mermaidBlocks(markdown);
    expect(blocks).toHaveLength(4);
    const charts = await Promise.all(blocks.map(parseFlowchart));
    const links = (c: ParsedFlowchart) => c.edges.map((e) => `${e.start} ${e.text} ${e.end}`);
    // The demo's faults (issue 20): identity's pods started before the annotation (pod-injection: pods → SA),
    // webModeler's trust policy names another ServiceAccount (trust-sub: SA → role).
    expect(links(charts[0]!)).toEqual([
      'identity_pods ✗ identity_sa',
      'identity_sa ✓ identity_role',
      'identity_role ✓ identity_provider',
      'identity_provider ✓ identity_issuer',
      'identity_role ✓ identity_aurora',
    ]);
    expect(links(charts[1]!)).toEqual([
      'webModeler_pods ✓ webModeler_sa',
      'webModeler_sa ✗ webModeler_role',
      'webModeler_role ✓ webModeler_provider',
      'webModeler_provider ✓ webModeler_issuer',
      'webModeler_role ✓ webModeler_aurora',
    ]);
    expect(links(charts[2]!)).toEqual([
      'orchestration_pods ✓ orchestration_sa',
      'orchestration_sa ✓ orchestration_role',
      'orchestration_role ✓ orchestration_provider',
      'orchestration_provider ✓ orchestration_issuer',
      'orchestration_role ✓ orchestration_opensearch',
    ]);
    expect(charts[1]!.vertices.map((v) => v.text)).toEqual([
      'pods',
      'ServiceAccount camunda-web-modeler',
      'IAM role camunda-web-modeler-irsa',
      'IAM OIDC provider oidc.eks.eu-west-1.amazonaws.com/id/5C9F1A2B3D4E5F60718293A4B5C6D7E8',
      'cluster OIDC issuer https://oidc.eks.eu-west-1.amazonaws.com/id/5C9F1A2B3D4E5F60718293A4B5C6D7E8',
      'Aurora PostgreSQL camunda-prod-aurora',
    ]);
    expect(charts[3]!.vertices.at(-1)!.text).toBe('OpenSearch camunda-prod-os');
  });
});

describe('trust-chain links', () => {
  /** A finding of check `check` (its catalogue exit code on a FAIL). */
  const f = (level: Finding['level'], module: string, component?: string, check?: string): Finding => ({
    level,
    module,
    message: `${module} says ${level}`,
    ...(component ? { component } : {}),
    ...(check !== undefined ? { check } : {}),
    ...(level === 'FAIL' ? { code: CATALOGUE.get(check ?? '')?.code ?? 1, fix: 'do it' } : {}),
  });

  it('every check a link claims is in the catalogue, in a module the chain knows', () => {
    for (const id of Object.keys(CHECK_LINKS)) {
      const entry = CATALOGUE.get(id);
      expect(entry, id).toBeDefined();
      expect(MODULE_LINKS[entry!.module], `${id} of ${entry!.module}`).toBeDefined();
    }
  });

  it('every FAIL a module of the chain can report is about a link or said to be about none', () => {
    const unplaced = CATALOGUE.entries()
      .filter((c) => c.severity === 'FAIL' && MODULE_LINKS[c.module] !== undefined)
      .filter((c) => CHECK_LINKS[c.id] === undefined && !NOT_A_LINK.has(c.id))
      .map((c) => `${c.module}/${c.id}`);
    expect(unplaced).toEqual([]);
  });

  const ALL: LinkId[] = [
    'pods-sa',
    'sa-role',
    'role-provider',
    'provider-issuer',
    'role-aurora',
    'role-opensearch',
  ];
  const brokenBy = (findings: Finding[]) =>
    ALL.filter((id) => linkStatus(id, 'identity', findings) === 'fail');

  // One row per check ID: its FAIL alone breaks exactly its link(s); a proof's FAIL alone breaks the
  // trust relationship (role → provider), which STS's AccessDenied is about.
  it.each(Object.entries(CHECK_LINKS))('a FAIL of %s breaks its link and no other', (id, claim) => {
    const entry = CATALOGUE.get(id)!;
    const finding = f('FAIL', entry.module, claim.global ? undefined : 'identity', id);
    expect(brokenBy([finding])).toEqual(
      claim.proof ? ['role-provider'] : ALL.filter((l) => claim.links.includes(l)),
    );
  });

  it('the issue 20 cases: trust-sub is SA → role, pod-injection is pods → SA', () => {
    expect(brokenBy([f('FAIL', 'roles', 'identity', 'trust-sub')])).toEqual(['sa-role']);
    expect(brokenBy([f('FAIL', 'service-accounts', 'identity', 'pod-injection')])).toEqual(['pods-sa']);
    // With the static cause known, STS's refusal and the failed identity Job add no second ✗.
    expect(
      brokenBy([
        f('FAIL', 'roles', 'identity', 'trust-sub'),
        f('FAIL', 'token', 'identity', 'token-sts'),
        f('FAIL', 'jobs', 'identity', 'identity-job-complete'),
      ]),
    ).toEqual(['sa-role']);
  });

  it('not checked when nothing vouches for a link; never ✓ from another link’s OK', () => {
    expect(linkStatus('role-provider', 'identity', [])).toBe('unchecked');
    // A jobs OK (e.g. connectivity) says nothing about the trust or the database permission.
    expect(linkStatus('role-provider', 'identity', [f('OK', 'jobs', 'identity', 'tcp-reachable')])).toBe(
      'unchecked',
    );
    expect(linkStatus('role-aurora', 'identity', [f('OK', 'jobs', 'identity', 'identity-job-role')])).toBe(
      'unchecked',
    );
    expect(linkStatus('role-provider', 'identity', [f('OK', 'token', 'identity', 'token-sts')])).toBe('ok');
    // An OK without a check ID vouches for nothing.
    expect(linkStatus('role-provider', 'identity', [f('OK', 'token', 'identity')])).toBe('unchecked');
  });

  it('a FAIL breaks the link it is about, and only that one', () => {
    const findings = [
      f('OK', 'roles', 'identity', 'trust-sub'),
      f('OK', 'aurora', 'identity', 'aurora-iam-auth'),
      f('FAIL', 'roles', 'identity', 'rds-connect-resource'),
    ];
    expect(linkStatus('role-aurora', 'identity', findings)).toBe('fail');
    expect(linkStatus('sa-role', 'identity', findings)).toBe('ok');
    expect(linkStatus('role-aurora', 'optimize', findings)).toBe('unchecked');
  });

  it('a FAIL that is irsa-check’s own (cannot ask, internal error) breaks every link its module feeds', () => {
    const findings = [
      f('OK', 'roles', 'identity', 'trust-sub'),
      f('OK', 'aurora', 'identity', 'aurora-iam-auth'),
      f('FAIL', 'roles', 'identity', 'cannot-ask'),
    ];
    expect(linkStatus('role-aurora', 'identity', findings)).toBe('fail');
    expect(linkStatus('role-provider', 'identity', findings)).toBe('fail');
    // roles also feeds sa-role (does the annotated role exist?): unknown after a failed GetRole.
    expect(linkStatus('sa-role', 'identity', findings)).toBe('fail');
    expect(linkStatus('provider-issuer', 'identity', findings)).toBe('unchecked');
    expect(linkStatus('pods-sa', 'identity', findings)).toBe('unchecked');
  });

  it('a release-wide FAIL (the cluster’s OIDC provider) breaks that link for every component', () => {
    const findings = [
      f('OK', 'cluster', undefined, 'eks-cluster-match'),
      f('FAIL', 'cluster', undefined, 'oidc-provider'),
      f('OK', 'token', 'optimize', 'token-valid'),
    ];
    expect(linkStatus('provider-issuer', 'identity', findings)).toBe('fail');
    expect(linkStatus('provider-issuer', 'optimize', findings)).toBe('fail');
  });

  it('the data-store links drawn are the ones the component was checked for', () => {
    const findings = [
      f('OK', 'opensearch', undefined, 'os-https'),
      f('OK', 'aurora', 'identity', 'aurora-iam-auth'),
    ];
    expect(trustChain('identity', findings, { targets: ['aurora'] }).links.map((l) => l.id)).toEqual([
      'pods-sa',
      'sa-role',
      'role-provider',
      'provider-issuer',
      'role-aurora',
    ]);
    // Without the plan (-A runs): whatever the findings evidence.
    expect(
      trustChain('identity', findings)
        .links.map((l) => l.id)
        .slice(4),
    ).toEqual(['role-aurora', 'role-opensearch']);
  });

  it('names with quotes, brackets and pipes still parse, as text', async () => {
    const chain = trustChain(
      'web-modeler.x',
      [f('FAIL', 'service-accounts', 'web-modeler.x', 'pod-injection')],
      {
        serviceAccount: 'sa "quoted" <b>|x|</b>',
        role: 'r[1]{2}',
        targets: [],
      },
    );
    const parsed = await parseFlowchart(mermaidChain(chain));
    expect(parsed.vertices.map((v) => v.id)).toEqual([
      'web_modeler_x_pods',
      'web_modeler_x_sa',
      'web_modeler_x_role',
      'web_modeler_x_provider',
      'web_modeler_x_issuer',
    ]);
    expect(parsed.vertices[1]!.text).toBe('ServiceAccount sa #quot;quoted#quot; #lt;b#gt;|x|#lt;/b#gt;');
    expect(parsed.edges.map((e) => e.text)).toEqual(['✗', 'not checked', 'not checked', 'not checked']);
  });

  it('a table cell keeps a message in its cell', () => {
    expect(cell('a | b <c>\nd & e')).toBe('a \\| b &lt;c&gt;<br>d &amp; e');
  });
});

describe('-A: one part per release', () => {
  it('groups components under their release', () => {
    const findings: Finding[] = [
      { level: 'OK', module: 'preflight', message: 'AWS credentials resolve' },
      { level: 'OK', module: 'token', component: 'identity', release: 'a/camunda', message: 'accepted' },
      {
        level: 'FAIL',
        module: 'roles',
        component: 'identity',
        release: 'b/c8',
        code: 202,
        message: 'no sub',
        fix: 'add sub',
      },
    ];
    const md = markdownReport(findings, { namespace: '' }).split('\n');
    expect(md.filter((l) => l.startsWith('#'))).toEqual([
      '## ✗ irsa-check: 1 check(s) failed (exit code 202)',
      '### Failures',
      '### ✓ irsa-check',
      '### Release `a/camunda`',
      '#### ✓ Cluster and release',
      '#### ✓ identity',
      '### Release `b/c8`',
      '#### ✓ Cluster and release',
      '#### ✗ identity',
    ]);
    expect(md).toContain('1. **b/c8 · identity · roles** (code 202): no sub');
    expect(md).toContain('Namespace all · irsa-check 0.1.0 · 2 OK, 0 WARN, 1 FAIL');
  });
});

describe('the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-markdown-'));
  const demo = (args: string[], env: Record<string, string> = {}) =>
    runCli(['--replay', DEMO_BUNDLE, ...DEMO_ARGS, ...args], { env });

  it('--output markdown: the report on stdout, nothing on stderr, the same exit code', async () => {
    const r = await demo(['--output', 'markdown']);
    expect(r.code).toBe(255);
    expect(r.stderr).toBe('');
    expect(r.out[0]).toBe('## ✗ irsa-check: 5 check(s) failed (exit code 255)');
    expect(r.stdout).toBe((await demoMarkdown()).markdown);
  });

  it('--summary FILE appends the report; the text output stays as it was', async () => {
    const file = join(dir, 'summary.md');
    writeFileSync(file, '# CI run\n');
    const text = await demo([]);
    const r = await demo(['--summary', file]);
    expect(r).toEqual(text);
    const { markdown } = await demoMarkdown();
    expect(readFileSync(file, 'utf8')).toBe(`# CI run\n${markdown}\n`);
  });

  it('--summary alone appends to $GITHUB_STEP_SUMMARY, as a GitHub Actions step', async () => {
    const file = join(dir, 'step-summary.md');
    appendFileSync(file, '');
    const r = await demo(['--summary', '--output', 'json'], { GITHUB_STEP_SUMMARY: file });
    expect(JSON.parse(r.stdout).exitCode).toBe(255);
    expect(readFileSync(file, 'utf8')).toMatch(/^## ✗ irsa-check: 5 check\(s\) failed \(exit code 255\)\n/);
  });

  it('--summary without a file outside GitHub Actions: a usage error', async () => {
    const r = await demo(['--summary']);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      '[FAIL] --summary needs a file: --summary FILE, or GITHUB_STEP_SUMMARY set (GitHub Actions sets it)',
      '       fix: Run irsa-check --help for usage.',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 1).',
    ]);
  });
});
