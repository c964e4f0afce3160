/** The machine-readable reports CI and code-scanning UIs consume. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoWorld } from './support/demo-world.js';
import { runWorld } from './support/world.js';
import { junitReport } from '../src/report/junit.js';
import { makePaint, TextReporter } from '../src/report/text.js';
import { Writable } from 'node:stream';

const dir = mkdtempSync(join(tmpdir(), 'irsa-report-'));

describe('--output json', () => {
  it('one versioned document: summary, exit code, every finding with level, check, code, module, component, message, fix', async () => {
    const run = await runWorld(await demoWorld(), { output: 'json' });
    expect(run.stderr).toBe('');
    const doc = JSON.parse(run.stdout);
    expect(doc.schema).toBe('irsa-check/report@1');
    expect(doc.exitCode).toBe(run.exitCode);
    expect(doc.summary.fail).toBe(doc.findings.filter((f: { level: string }) => f.level === 'FAIL').length);
    expect(doc.findings).toContainEqual({
      level: 'FAIL',
      check: 'pod-injection',
      code: 221,
      module: 'service-accounts',
      component: 'identity',
      message:
        'pod camunda-identity-7d9c5b8f6-x2k4p has no AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE: it started before the role annotation was added',
      fix: 'Restart the pods: kubectl rollout restart -n camunda for the identity workload.',
    });
    // Every check a finding names is in the report's catalogue excerpt.
    expect(doc.checks['pod-injection']).toEqual({
      module: 'service-accounts',
      severity: 'FAIL',
      exitCode: 221,
      title: expect.any(String),
      fix: expect.any(String),
      doc: 'README.md#check-pod-injection',
    });
  });
});

describe('--junit', () => {
  it('one testcase per check ID and component; a failure carries message, check and fix', async () => {
    const file = join(dir, 'junit.xml');
    const run = await runWorld(await demoWorld(), { junit: file });
    const xml = readFileSync(file, 'utf8');
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="irsa-check" tests="\d+" failures="\d+">/,
    );
    expect(xml).toContain('<testcase classname="irsa-check.service-accounts" name="pod-injection identity">');
    expect(xml).toContain(
      '<failure message="pod camunda-identity-7d9c5b8f6-x2k4p has no AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE: it started before the role annotation was added" type="pod-injection (exit code 221)">',
    );
    expect(xml).toContain(
      'fix: Restart the pods: kubectl rollout restart -n camunda for the identity workload.</failure>',
    );
    const failing = new Set(run.fails().map((f) => `${f.check ?? f.module}/${f.component ?? ''}`));
    expect(xml).toContain(`failures="${failing.size}"`);
  });

  it('escapes XML and shows control characters as text output does', () => {
    const xml = junitReport([{ level: 'FAIL', code: 1, module: 'm', message: 'a <b> & "c"\u0001' }], 's');
    expect(xml).toContain('message="a &lt;b&gt; &amp; &quot;c&quot;\\x01"');
  });
});

describe('--output sarif', () => {
  it('SARIF 2.1.0: a rule per check ID, a result per WARN/FAIL', async () => {
    const run = await runWorld(await demoWorld(), { output: 'sarif' });
    const sarif = JSON.parse(run.stdout);
    expect(sarif.version).toBe('2.1.0');
    const rules = sarif.runs[0].tool.driver.rules.map((r: { id: string }) => r.id);
    expect(rules).toContain('pod-injection');
    expect(new Set(rules).size).toBe(rules.length);
    const results = sarif.runs[0].results;
    expect(results).toContainEqual(
      expect.objectContaining({
        ruleId: 'pod-injection',
        level: 'error',
        properties: { module: 'service-accounts', component: 'identity', exitCode: 221 },
      }),
    );
    expect(results.filter((r: { level: string }) => r.level === 'error')).toHaveLength(
      run.fails().filter((f) => f.module !== 'summary').length,
    );
  });
});

describe('text output', () => {
  class Capture extends Writable {
    text = '';
    override _write(c: Buffer, _e: string, cb: () => void) {
      this.text += c.toString();
      cb();
    }
  }

  it('colours the level tag only when asked (a TTY without NO_COLOR)', async () => {
    const stdout = new Capture();
    const stderr = new Capture();
    const text = new TextReporter(
      { stdout, stderr },
      { stdout: await makePaint(true), stderr: await makePaint(false) },
    );
    text.write({ level: 'OK', module: 'm', message: 'fine' });
    text.write({ level: 'FAIL', code: 7, module: 'm', message: 'broken', fix: 'mend it' });
    expect(stdout.text).toBe('\u001b[32m[OK]\u001b[39m fine\n');
    expect(stderr.text).toBe('[FAIL] broken\n       fix: mend it\n');
  });

  it('never colours when the streams are not terminals', async () => {
    const run = await runWorld(await demoWorld(), { color: true });
    expect(run.stdout + run.stderr).not.toContain('\u001b[');
  });
});

describe('colour decision', async () => {
  const { wantsColour } = await import('../src/run.js');
  const { testOptions } = await import('./support/world.js');
  it.each([
    [true, {}, true, true],
    [true, { NO_COLOR: '1' }, true, false],
    [false, {}, true, false],
    [true, {}, false, false],
  ])('TTY %s, env %j, --color %s → %s', (tty, env, color, expected) => {
    expect(wantsColour({ isTTY: tty }, testOptions({ color }), env)).toBe(expected);
  });
});
