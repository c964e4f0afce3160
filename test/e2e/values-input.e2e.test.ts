/**
 * Bad --values input (issue 16): whatever the file is, one clear [FAIL] usage line, exit 1, no stack
 * trace and no hang — checked before any cluster or AWS call, so no kubeconfig and no credentials here.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const OFFLINE = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, KUBECONFIG: undefined };
const dir = mkdtempSync(join(tmpdir(), 'irsa-bad-values-'));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** `&a [*b ×9]` nine levels deep: parses at once, but walking it visits 9^9 (387 million) nodes. */
function billionLaughs(): string {
  const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i <= 9; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return lines.join('\n') + '\n';
}

const CASES: {
  name: string;
  make: () => string;
  line: (path: string) => RegExp | string;
  /** Flags besides -n, --values and --chart-version. */
  args?: string[];
}[] = [
  {
    name: 'not YAML',
    make: () => file('not-yaml.yaml', 'identity:\n  serviceAccount: {\n  - ]]\n'),
    line: (p) => new RegExp(`^\\[FAIL\\] malformed values file ${p} at line \\d+, column \\d+: .+`),
  },
  {
    name: 'binary data',
    make: () => file('binary.yaml', '\u0000\u0001\u0002PK\u0003\u0004'),
    line: (p) => new RegExp(`^\\[FAIL\\] malformed values file ${p}.*: .+`),
  },
  {
    name: 'a directory',
    make: () => {
      const d = join(dir, 'values.d');
      mkdirSync(d, { recursive: true });
      return d;
    },
    line: (p) => `[FAIL] values file ${p} is a directory, not a regular file: refused`,
  },
  {
    name: 'a FIFO with no writer (never opened: it would block)',
    make: () => {
      const f = join(dir, 'values.fifo');
      execFileSync('mkfifo', [f]);
      return f;
    },
    line: (p) => `[FAIL] values file ${p} is a FIFO (named pipe), not a regular file: refused`,
  },
  {
    name: 'YAML with custom tags (CloudFormation style)',
    make: () => file('tags.yaml', 'identity:\n  serviceAccount:\n    name: !Ref IdentitySa\n'),
    line: (p) =>
      new RegExp(`^\\[FAIL\\] malformed values file ${p} at line 3, column \\d+: unknown tag !<!Ref>`),
  },
  {
    name: 'a 50 MB file',
    make: () => {
      const f = file('huge.yaml', '');
      truncateSync(f, 50 * 1024 * 1024);
      return f;
    },
    // YAML text gets an eighth of --max-input-mb (src/core/limits.ts, YAML_SHARE): 8 MB by default.
    line: (p) =>
      `[FAIL] values file ${p} is 50.0 MB: larger than the 8 MB input limit for YAML text (--max-input-mb raises it: YAML text gets an eighth of it)`,
  },
  {
    name: 'a 3 MB file with --max-input-mb 16: 2 MB for YAML text, the limit named as set',
    make: () => {
      const f = file('three.yaml', '');
      truncateSync(f, 3 * 1024 * 1024);
      return f;
    },
    args: ['--max-input-mb', '16'],
    line: (p) =>
      `[FAIL] values file ${p} is 3.0 MB: larger than the 2 MB input limit for YAML text (--max-input-mb raises it: YAML text gets an eighth of it)`,
  },
  {
    name: 'a 3 MB file with --max-input-mb 32: read (4 MB for YAML text), then refused as not YAML',
    make: () => {
      const f = file('three-nul.yaml', '');
      truncateSync(f, 3 * 1024 * 1024);
      return f;
    },
    args: ['--max-input-mb', '32'],
    line: (p) => `[FAIL] malformed values file ${p} at line 1, column 1: null byte is not allowed in input`,
  },
  {
    name: 'billion laughs (YAML aliases)',
    make: () => file('laughs.yaml', billionLaughs()),
    line: (p) =>
      `[FAIL] values file ${p} expands to more than the 64 MB input limit through YAML aliases (--max-input-mb raises it)`,
  },
  {
    name: 'nesting deeper than the limit',
    make: () => file('deep.yaml', `a: ${'['.repeat(120)}${']'.repeat(120)}\n`),
    line: (p) =>
      `[FAIL] values file ${p} is nested deeper than the input limit of 100 levels (--max-depth raises it)`,
  },
  {
    name: 'nesting deeper than --max-depth 10',
    make: () => file('deep-20.yaml', `a: ${'['.repeat(20)}${']'.repeat(20)}\n`),
    args: ['--max-depth', '10'],
    line: (p) =>
      `[FAIL] values file ${p} is nested deeper than the input limit of 10 levels (--max-depth raises it)`,
  },
  {
    name: 'nesting 10,000 deep (deeper than the parser itself can go)',
    make: () => file('deep-10k.yaml', `a: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`),
    line: (p) =>
      `[FAIL] values file ${p} is nested deeper than the input limit of 100 levels (--max-depth raises it)`,
  },
];

describe('bad --values input: one [FAIL] usage line, exit 1, no stack trace, no hang', () => {
  it.each(CASES)('$name', async ({ make, line, args = [] }) => {
    const path = make();
    const r = await runCli(['-n', 'camunda', '--values', path, '--chart-version', '8.8', ...args], {
      env: OFFLINE,
    });
    expect(r.code).toBe(1);
    const expected = line(path);
    if (typeof expected === 'string') expect(r.err[0]).toBe(expected);
    else expect(r.err[0]).toMatch(expected);
    expect(r.err.at(-1)).toBe('[FAIL] irsa-check: At least one of the checks failed (error code: 1).');
    expect([...r.out, ...r.err].filter((l) => /^\s+at |Error:|node:internal/.test(l))).toEqual([]);
  });

  it('an unknown --chart-version: the usage error lists the known versions', async () => {
    const path = file('ok.yaml', 'identity: {}\n');
    const r = await runCli(['-n', 'camunda', '--values', path, '--chart-version', '8.11'], { env: OFFLINE });
    expect(r.code).toBe(1);
    expect(r.err[0]).toBe(
      '[FAIL] --chart-version 8.11: Camunda 8.11 is not a version irsa-check knows (known: Camunda 8.6, 8.7, 8.8, 8.9, 8.10 or chart 11.x (Camunda 8.6), 12.x (Camunda 8.7), 13.x (Camunda 8.8), 14.x (Camunda 8.9), 15.x (Camunda 8.10))',
    );
  });
});
