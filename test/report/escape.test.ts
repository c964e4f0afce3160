/**
 * Issue 19, injection into reports: a table of hostile strings — terminal escape sequences,
 * line breaks, Markdown fences and links, HTML, a Mermaid `click … javascript:` statement, XML
 * and JSON breakers, bidirectional overrides — put in a finding's message, fix, component and
 * release and in a trust chain's node names, through every format: text, Markdown (the report
 * and the summary), its Mermaid diagrams, SARIF, JUnit XML and JSON. Each output must show the
 * text and obey none of it: the document's structure is the same as with a plain word.
 */
import { Writable } from 'node:stream';
import { marked, type Token } from 'marked';
import { beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/checks/index.js';
import type { Finding } from '../../src/core/finding.js';
import { escapeControl, jsonDocument, markdownText, mermaidLabel } from '../../src/report/escape.js';
import { junitReport } from '../../src/report/junit.js';
import { jsonReport } from '../../src/report/json.js';
import { markdownReport, mermaidChain } from '../../src/report/markdown.js';
import { sarifReport } from '../../src/report/sarif.js';
import { locator } from '../../src/report/sarif-locations.js';
import { summarize } from '../../src/report/format.js';
import { TextReporter } from '../../src/report/text.js';
import { trustChain } from '../../src/report/trust-chain.js';
import { cloneWorld, loadWorld, runWorld, testOptions } from '../support/world.js';

const HOSTILE: Array<[string, string]> = [
  ['terminal escapes', '\x1b[2J\x1b]0;owned\x07\x1b[31mred\x1b[0m\x9b1m'],
  ['a fake finding line', 'x\n[OK] irsa-check: All checks passed.\r[OK] all good'],
  ['a Markdown fence', '```\n# Injected heading\n```'],
  ['an unbalanced fence', 'a ``` b'],
  ['a Mermaid click', '"]\n  click identity_sa "javascript:alert(1)"\n  x["'],
  ['Mermaid entity and markdown-string syntax', '#quot;`**bold**`#35; %%{init: {}}%%'],
  ['HTML', '<img src=x onerror=alert(1)><script>alert(1)</script></details>'],
  ['links and emphasis', '[click](javascript:alert(1)) ![i](http://x/i.png) *em* _em_ ~~del~~ <http://x>'],
  ['a table breaker', 'a | b | c\n|---|'],
  ['XML markup', '</failure></testcase><testcase name="x"><![CDATA[ & ]]>'],
  ['JSON quotes', '"}, {"level": "OK", "message": "\\u0000'],
  ['Unicode separators and bidi', 'a\u2028b\u2029c \u202eevil\u202c \u2066iso\u2069 \u200f'],
  ['NUL and DEL', 'a\u0000b\u007fc'],
  ['a lone surrogate', 'a\ud800b'],
  ['block starters', '# heading'],
];

/** Characters no human-facing output may carry raw. */
const RAW =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function findings(h: string): Finding[] {
  return [
    { level: 'OK', module: 'release', check: 'release-found', message: `release ${h} found` },
    { level: 'INFO', module: 'plan', message: `checking ${h}` },
    {
      level: 'WARN',
      module: 'service-accounts',
      check: 'pod-injection',
      component: 'identity',
      message: `annotation ${h}`,
    },
    {
      level: 'FAIL',
      module: 'service-accounts',
      check: 'pod-injection',
      code: 221,
      component: 'identity',
      message: `pod ${h} has no AWS_ROLE_ARN`,
      fix: `Restart ${h}: \`kubectl rollout restart\`.`,
    },
    { level: 'FAIL', module: 'roles', check: 'role-exists', code: 210, component: h, message: `role ${h}` },
  ];
}

const labels = (h: string) => () => ({ serviceAccount: h, role: `role ${h}`, issuer: h, targets: [] });

function text(fs: Finding[]): string {
  let out = '';
  const stream = new Writable({
    write: (c, _e, cb) => {
      out += c.toString();
      cb();
    },
  });
  const plain = (_l: unknown, t: string) => t;
  const reporter = new TextReporter({ stdout: stream, stderr: stream }, { stdout: plain, stderr: plain });
  fs.forEach((f) => reporter.write(f));
  return out;
}

/** What a Markdown document is made of, without its words: block types, and the inline constructs that act. */
function structure(markdown: string): string[] {
  const out: string[] = [];
  const walk = (tokens: Token[] | undefined, depth: number) => {
    for (const t of tokens ?? []) {
      if (t.type === 'text' || t.type === 'escape' || t.type === 'codespan' || t.type === 'space') {
        walk((t as { tokens?: Token[] }).tokens, depth + 1);
        continue;
      }
      if (t.type === 'html' && /^<br>$/i.test(t.raw)) continue;
      // A bare http(s) URL is autolinked by GFM: a link to exactly the text shown, not an injected one.
      if (t.type === 'link' && (t as { text?: string }).text === t.raw) continue;
      if (t.type === 'code') out.push(`${depth}:code:${(t as { lang?: string }).lang ?? ''}`);
      else out.push(`${depth}:${t.type}${t.type === 'html' ? `:${t.raw.trim()}` : ''}`);
      if (t.type === 'table') {
        const table = t as unknown as {
          header: Array<{ tokens: Token[] }>;
          rows: Array<Array<{ tokens: Token[] }>>;
        };
        out.push(`${depth}:columns:${table.header.length}`, `${depth}:rows:${table.rows.length}`);
        for (const row of table.rows) {
          out.push(`${depth}:row-cells:${row.length}`);
          row.forEach((c) => walk(c.tokens, depth + 1));
        }
        continue;
      }
      walk((t as { tokens?: Token[] }).tokens, depth + 1);
      for (const item of (t as { items?: Array<{ tokens: Token[] }> }).items ?? [])
        walk(item.tokens, depth + 1);
    }
  };
  walk(marked.lexer(markdown, { gfm: true }), 0);
  return out;
}

let parseFlowchart: (text: string) => Promise<{ vertices: string[]; edges: number }>;

beforeAll(async () => {
  const { Window } = await import('happy-dom');
  const window = new Window();
  Object.assign(globalThis, { window, document: window.document });
  const { default: mermaid } = await import('mermaid');
  parseFlowchart = async (text) => {
    expect(await mermaid.parse(text)).toMatchObject({ diagramType: 'flowchart-v2' });
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const db = diagram.db as unknown as { getVertices(): Map<string, unknown>; getEdges(): unknown[] };
    return { vertices: [...db.getVertices().keys()], edges: db.getEdges().length };
  };
});

describe.each(HOSTILE)('%s', (_name, h) => {
  const all = findings(h);
  const plain = findings('plain');

  it('text: one line per finding and fix, nothing a terminal obeys, the text still shown', () => {
    const out = text(all);
    expect(out.split('\n')).toHaveLength(text(plain).split('\n').length);
    expect(out).not.toMatch(RAW);
    expect(out).toContain(escapeControl(h));
    expect(escapeControl(h)).not.toMatch(RAW);
  });

  it('Markdown (report and summary): the same structure as with a plain word, every diagram parses as drawn', async () => {
    for (const [fs, base] of [
      [all, plain],
      [
        all.map((f) => ({ ...f, release: `camunda/${h}` })),
        plain.map((f) => ({ ...f, release: 'camunda/plain' })),
      ],
    ] as const) {
      const md = markdownReport(fs, { namespace: h, labels: labels(h) });
      const expected = markdownReport(base, { namespace: 'plain', labels: labels('plain') });
      expect(md).not.toMatch(RAW);
      expect(structure(md)).toEqual(structure(expected));
      expect(md.split('\n').length).toBe(expected.split('\n').length);
    }
    const chain = trustChain(h, all, labels(h)());
    const drawn = await parseFlowchart(mermaidChain(chain));
    const plainDrawn = await parseFlowchart(mermaidChain(trustChain('plain', plain, labels('plain')())));
    expect(drawn.edges).toBe(plainDrawn.edges);
    expect(drawn.vertices).toHaveLength(plainDrawn.vertices.length);
    expect(
      mermaidChain(chain)
        .split('\n')
        .filter((l) => /^\s*click\b/.test(l)),
    ).toEqual([]);
    expect(mermaidChain(chain)).toContain(mermaidLabel(h));
  });

  it('SARIF: one valid document, messages shown not obeyed, the artifact a URI', () => {
    const locate = locator({ facts: {}, namespace: h, valuesFile: `values #1 ${h}.yaml`, redact: (t) => t });
    const doc = JSON.parse(jsonDocument(sarifReport(all, CATALOGUE, locate)));
    const results = doc.runs[0].results as Array<{ message: { text: string }; locations: unknown[] }>;
    expect(results).toHaveLength(all.filter((f) => f.level === 'FAIL' || f.level === 'WARN').length);
    for (const r of results) expect(r.message.text).not.toMatch(RAW);
    const uri = (results[0]!.locations[0] as { physicalLocation: { artifactLocation: { uri: string } } })
      .physicalLocation.artifactLocation.uri;
    expect(uri).toMatch(/^[A-Za-z0-9\-._~%!$&'()*+,;=:@/]+$/);
    expect(decodeURIComponent(uri.replace(/%(?![0-9A-F]{2})/g, '%25'))).toContain('values #1');
  });

  it('JUnit: well-formed XML with one testcase per check, attributes holding the message', async () => {
    const { Window } = await import('happy-dom');
    const xml = junitReport(all, `irsa-check ${h}`);
    expect(xml).not.toMatch(RAW);
    const doc = new new Window().DOMParser().parseFromString(xml, 'application/xml');
    expect(doc.querySelector('parsererror')).toBeNull();
    expect(doc.querySelectorAll('testcase')).toHaveLength(
      junitReport(plain, 'irsa-check plain').split('<testcase ').length - 1,
    );
    const failure = [...doc.querySelectorAll('failure')].map((f) => f.getAttribute('message'));
    expect(failure[0]).toContain('has no AWS_ROLE_ARN');
    expect(failure[0]!.startsWith('pod ')).toBe(true);
  });

  it('JSON: one valid document, every message exactly as found', () => {
    const raw = jsonDocument(jsonReport(testOptions(), all, summarize(all), CATALOGUE));
    expect(raw).not.toMatch(/[\u2028\u2029]/);
    expect(JSON.parse(raw).findings).toEqual(all);
  });
});

describe('hostile names from the cluster through a whole run', () => {
  it('a ServiceAccount annotation carrying a fence and a Mermaid click: the report and the summary keep their structure', async () => {
    const world = cloneWorld(loadWorld('camunda-8.8-healthy.yaml'));
    const hostile = 'arn:aws:iam::123456789012:role/x\n```\n"]\nclick a "javascript:alert(1)"\n\x1b[2J';
    world.kube.serviceAccounts!.find((s) => s.name === 'camunda-identity')!.annotations[
      'eks.amazonaws.com/role-arn'
    ] = hostile;
    const run = await runWorld(world, { output: 'markdown' });
    const md = run.stdout;
    expect(md).not.toMatch(RAW);
    // The hostile annotation is quoted, and only mermaid fences open code blocks.
    expect(md).toContain(markdownText('arn:aws:iam::123456789012:role/x'));
    const codeBlocks = structure(md).filter((s) => s.includes(':code:'));
    expect(codeBlocks.every((s) => s.endsWith(':code:mermaid'))).toBe(true);
    expect(md.split('\n').filter((l) => /^\s*click\b/.test(l))).toEqual([]);
    expect(md.split('\n').filter((l) => l === '```')).toHaveLength(codeBlocks.length);
  });
});
