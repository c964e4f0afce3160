/**
 * The check catalogue as users meet it: --list-checks, --skip, and the check IDs in
 * every report format (JSON, SARIF, JUnit), on the demo bundle through the built CLI.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/checks/index.js';
import { runCli } from '../support/cli.js';
import { DEMO_ARGS, DEMO_BUNDLE } from '../support/demo-world.js';

describe('--list-checks', () => {
  it('prints every check, one a line: ID, module, severity and exit code, title; exit 0, no namespace needed', async () => {
    const r = await runCli(['--list-checks']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    // A header, one line a check, and a closing count.
    expect(r.out).toHaveLength(CATALOGUE.entries().length + 2);
    expect(r.out[0]).toMatch(/^CHECK +MODULE +SEVERITY +WHEN IT DOES NOT PASS$/);
    expect(r.out.at(-1)).toBe(
      `${CATALOGUE.entries().length} checks; irsa-check --explain <check-id> for one`,
    );
    const trustSub = r.out.find((l) => l.startsWith('trust-sub '));
    expect(trustSub).toMatch(/^trust-sub +roles +FAIL 202 +\S/);
    expect(r.out.some((l) => /^usage +run +FAIL 1 +usage error/.test(l))).toBe(true);
  });

  it('--output json gives the same catalogue with fixes and README anchors', async () => {
    const r = await runCli(['--list-checks', '--output', 'json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(list.map((c) => c.id)).toEqual(CATALOGUE.entries().map((c) => c.id));
    expect(list.find((c) => c.id === 'trust-sub')).toMatchObject({
      module: 'roles',
      severity: 'FAIL',
      exitCode: 202,
      doc: 'README.md#check-trust-sub',
    });
  });
});

describe('--skip', () => {
  it('an unknown ID is a usage error before any call is made', async () => {
    const r = await runCli(['--replay', DEMO_BUNDLE, ...DEMO_ARGS, '--skip', 'trust-sub,no-such-check']);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      '[FAIL] --skip: unknown check "no-such-check" (irsa-check --list-checks lists them)',
      '       fix: Run irsa-check --help for usage.',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 1).',
    ]);
    expect(r.stdout).toBe('');
  });

  it('a skipped check says so once and its FAIL no longer counts', async () => {
    const before = await runCli(['--replay', DEMO_BUNDLE, ...DEMO_ARGS, '--output', 'json']);
    const all = JSON.parse(before.stdout) as { findings: Array<{ check?: string; level: string }> };
    const failing = [
      ...new Set(all.findings.filter((f) => f.level === 'FAIL' && f.check).map((f) => f.check!)),
    ];
    expect(failing.length).toBeGreaterThan(0);
    const skip = failing.filter((id) => id !== 'summary');
    const r = await runCli(['--replay', DEMO_BUNDLE, ...DEMO_ARGS, '--skip', skip.join(',')]);
    expect(r.out.filter((l) => l.startsWith('[INFO] skipped by --skip: '))).toHaveLength(skip.length);
    for (const id of skip) expect(r.stdout).toContain(`[INFO] skipped by --skip: check ${id} (`);
    expect(r.err.filter((l) => l.startsWith('[FAIL]'))).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out.at(-1)).toBe('[OK] irsa-check: All checks passed.');
  });
});

describe('check IDs in every report format', () => {
  it('JSON: every FAIL and WARN names its check, and the report carries their catalogue entries', async () => {
    const r = await runCli(['--replay', DEMO_BUNDLE, ...DEMO_ARGS, '--output', 'json']);
    const report = JSON.parse(r.stdout) as {
      findings: Array<{ check?: string; level: string; module: string; code?: number }>;
      checks: Record<string, { exitCode?: number }>;
    };
    for (const f of report.findings.filter(
      (x) => (x.level === 'FAIL' || x.level === 'WARN') && x.module !== 'summary',
    )) {
      expect(f.check, JSON.stringify(f)).toBeTypeOf('string');
      expect(report.checks[f.check!]).toBeDefined();
      if (f.level === 'FAIL') expect(report.checks[f.check!]!.exitCode).toBe(f.code);
    }
  });

  it('SARIF: one rule per check ID (no duplicates), results point at their rule', async () => {
    const r = await runCli(['--replay', DEMO_BUNDLE, ...DEMO_ARGS, '--output', 'sarif']);
    const sarif = JSON.parse(r.stdout) as {
      runs: Array<{
        tool: { driver: { rules: Array<{ id: string }> } };
        results: Array<{ ruleId: string; ruleIndex: number }>;
      }>;
    };
    const { rules } = sarif.runs[0]!.tool.driver;
    const ids = rules.map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(CATALOGUE.entries().map((c) => c.id));
    const results = sarif.runs[0]!.results;
    expect(results.length).toBeGreaterThan(0);
    for (const res of results) expect(rules[res.ruleIndex]!.id).toBe(res.ruleId);
  });

  it('JUnit: testcases are named after check IDs (and the component)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irsa-junit-'));
    const file = join(dir, 'report.xml');
    await runCli(['--replay', DEMO_BUNDLE, ...DEMO_ARGS, '--junit', file]);
    const xml = readFileSync(file, 'utf8');
    expect(xml).toMatch(/<testcase classname="irsa-check\.roles" name="trust-sub webModeler">/);
    expect(xml).toMatch(/<failure message="[^"]*" type="trust-sub \(exit code 202\)">/);
  });
});
