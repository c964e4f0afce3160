/**
 * Escaping at the output boundaries, one function per syntax. Findings quote what the
 * cluster and the values hold — resource names, annotations, hosts, pod log lines — and any
 * of it may carry terminal escape sequences, line breaks, Markdown fences or HTML, Mermaid
 * statements (`click … javascript:`), XML markup or JSON quotes. Each output escapes for its
 * own syntax so such text is shown, never obeyed:
 *
 * - text (terminal): control characters, line and paragraph separators and bidirectional
 *   overrides (Trojan Source) written visibly as `\x1b`, `\u202e`;
 * - Markdown: inline text on one line, every construct escaped except irsa-check's own
 *   balanced code spans (kept literal, which is what a code span is);
 * - Mermaid labels: Mermaid's entity codes for what ends or breaks a quoted label;
 * - XML (JUnit): entities, characters XML 1.0 forbids removed;
 * - JSON and SARIF: JSON.stringify, with U+2028/U+2029 escaped too; SARIF URIs percent-encoded.
 */

/**
 * C0 and C1 controls (tab kept), DEL, the Unicode line and paragraph separators, and the
 * bidirectional marks, embeddings, overrides and isolates that reorder a line on screen.
 */
const INVISIBLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `\x1b` for a control character, `\u202e` for the rest: visible, and the same in every output. */
function visible(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Text for a terminal or a log: one line, nothing the terminal would act on, no lone surrogate. */
export function escapeControl(text: string): string {
  return text.replace(INVISIBLE, visible);
}

/** Outside code spans: the characters that start Markdown or HTML constructs. */
function markdownPlain(s: string): string {
  return (
    s
      .replace(/[\\`*[\]~|]/g, (c) => `\\${c}`)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      // An underscore inside a word (AWS_ROLE_ARN) is never emphasis in GFM; elsewhere it may be.
      .replace(/_/g, (c, i: number, all: string) =>
        /[A-Za-z0-9]/.test(all[i - 1] ?? '') && /[A-Za-z0-9]/.test(all[i + 1] ?? '') ? c : '\\_',
      )
  );
}

/**
 * Inline Markdown on one line, safe in a table cell, a list item or a heading. Line breaks
 * become `<br>`; other invisible characters are written as in text output. Backtick runs are
 * matched as CommonMark matches them (a run closes at the next run of the same length): a
 * matched code span stays a code span, its content literal by definition (only `|`, which GFM
 * tables split on even there, is escaped); everything else is escaped.
 */
export function markdownText(text: string): string {
  const s = text
    .split(/\r\n|\r|\n/)
    .map(escapeControl)
    .join('\n');
  const parts: string[] = [];
  let i = 0;
  let plain = '';
  while (i < s.length) {
    if (s[i] !== '`') {
      plain += s[i++];
      continue;
    }
    let run = 1;
    while (s[i + run] === '`') run++;
    const ticks = '`'.repeat(run);
    // The closing run: the next run of exactly the same length.
    let close = -1;
    for (let j = i + run; j < s.length;) {
      if (s[j] !== '`') {
        j++;
        continue;
      }
      let k = j;
      while (s[k] === '`') k++;
      if (k - j === run) {
        close = j;
        break;
      }
      j = k;
    }
    if (close < 0 || s.slice(i + run, close).includes('\n')) {
      plain += ticks;
      i += run;
      continue;
    }
    parts.push(lineBreaks(markdownPlain(plain)));
    plain = '';
    parts.push(`${ticks}${s.slice(i + run, close).replace(/\|/g, '\\|')}${ticks}`);
    i = close + run;
  }
  parts.push(lineBreaks(markdownPlain(plain)));
  const out = parts.join('');
  // At the start of a block (a quote's text), a few characters open a heading, list or quote.
  return out.replace(/^([#>+=-]|\d+[.)])/, (m) => `\\${m}`);
}

function lineBreaks(s: string): string {
  return s.replace(/\n/g, '<br>');
}

/** A code span holding `text` literally: fenced with more backticks than any run inside it. */
export function markdownCode(text: string): string {
  const s = escapeControl(text).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${s}${pad}${ticks}`;
}

/**
 * Text inside a quoted Mermaid label (`id["…"]`): one line (a line break would end the
 * statement and start another: `click id "javascript:…"`), and Mermaid's entity codes for the
 * characters that end the label, start an entity or a Markdown string, or are HTML.
 */
export function mermaidLabel(text: string): string {
  return escapeControl(text)
    .replace(/#/g, '#35;')
    .replace(/&/g, '#amp;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/`/g, '#96;');
}

/** Characters XML 1.0 forbids even as references: most C0 controls, lone surrogates, U+FFFE/U+FFFF. */
const XML_FORBIDDEN =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** Shown visibly, as in text output: they reorder or split lines in a CI page. */
const XML_INVISIBLE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** XML character data. */
export function xmlText(text: string): string {
  return text
    .replace(XML_FORBIDDEN, '')
    .replace(XML_INVISIBLE, visible)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** A double-quoted XML attribute value: line breaks and tabs as references, or parsers fold them to spaces. */
export function xmlAttr(text: string): string {
  return xmlText(text)
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

/** A JSON document as irsa-check prints it: JSON.stringify's escaping, plus U+2028/U+2029 (not JSON-safe in JavaScript). */
export function jsonDocument(doc: unknown): string {
  return (
    JSON.stringify(doc, null, 2)
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029') + '\n'
  );
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A file path as a SARIF artifact URI (RFC 3986): relative paths stay relative, the rest percent-encoded. */
export function sarifUri(path: string): string {
  return path
    .replace(LONE_SURROGATE, '\ufffd') // encodeURIComponent throws on one
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}
