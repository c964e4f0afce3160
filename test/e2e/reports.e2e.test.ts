/**
 * Issue 20 as a user meets it, through the built CLI on the demo bundle: the text summary,
 * --explain, --fail-on, -o, did-you-mean, and SARIF that GitHub code scanning accepts
 * (validated against the OASIS SARIF 2.1.0 schema, as shipped in @microsoft/jest-sarif).
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import ajvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/checks/index.js';
import { exitCodeFor, summarize, CODE_WARN } from '../../src/report/format.js';
import type { Finding } from '../../src/core/finding.js';
import { runCli, ROOT } from '../support/cli.js';
import { DEMO_ARGS, DEMO_BUNDLE } from '../support/demo-world.js';

const demo = (...args: string[]) => runCli(['--replay', DEMO_BUNDLE, ...DEMO_ARGS, ...args]);

describe('the text summary', () => {
  it('ends a text run: counts, one line a component with its trust chain, then the verdict', async () => {
    const r = await demo('--no-color');
    const summary = r.out.filter((l) => l.startsWith('[INFO] summary'));
    expect(summary).toEqual([
      '[INFO] summary: 60 OK, 15 INFO, 1 WARN, 5 FAIL',
      '[INFO] summary identity: 13 OK, 1 WARN, 2 FAIL; chain: pods→SA ✗ · SA→role ✓ · role→provider ✓ · provider→issuer ✓ · role→Aurora ✓',
      '[INFO] summary webModeler: 11 OK, 0 WARN, 3 FAIL; chain: pods→SA ✓ · SA→role ✗ · role→provider ✓ · provider→issuer ✓ · role→Aurora ✓',
      '[INFO] summary orchestration: 10 OK, 0 WARN, 0 FAIL; chain: pods→SA ✓ · SA→role ✓ · role→provider ✓ · provider→issuer ✓ · role→OpenSearch ✓',
      '[INFO] summary optimize: 10 OK, 0 WARN, 0 FAIL; chain: pods→SA ✓ · SA→role ✓ · role→provider ✓ · provider→issuer ✓ · role→OpenSearch ✓',
      '[INFO] summary: chain links ✓ sound, ✗ broken, ? not checked by this run',
    ]);
    // The counts agree with the findings of the JSON report of the same run.
    // (without the closing guidance and verdict, which are the run's ending, not findings of a check).
    const json = JSON.parse((await demo('-o', 'json')).stdout) as { findings: Finding[] };
    const count = (level: string) =>
      json.findings.filter((x) => x.level === level && x.module !== 'summary').length;
    expect(summary[0]).toBe(
      `[INFO] summary: ${count('OK')} OK, ${count('INFO')} INFO, ${count('WARN')} WARN, ${count('FAIL')} FAIL`,
    );
    // The last line is still aws-irsa.sh's verdict, on stderr.
    expect(r.err.at(-1)).toBe('[FAIL] irsa-check: At least one of the checks failed (error code: 255).');
  });

  it('is not in JSON, SARIF or Markdown output', async () => {
    for (const format of ['json', 'sarif', 'markdown']) {
      expect((await demo('-o', format)).stdout).not.toContain('[INFO] summary');
    }
  });
});

describe('--explain', () => {
  it('explains one check: what fails, why, what it reads, the fix, the doc', async () => {
    const r = await runCli(['--explain', 'trust-sub']);
    expect(r.code).toBe(0);
    const entry = CATALOGUE.get('trust-sub')!;
    expect(r.out).toEqual([
      `trust-sub: ${entry.title}`,
      '  severity:  FAIL, exit code 202 (the level it reports when it does not pass; [OK] when it does)',
      '  why:       checked by module roles (IAM roles, trust and permission policies)',
      expect.stringMatching(/^ {2}reads: {5}needs plan, roleArns, caller; also uses /),
      `  fix:       ${entry.fix}`,
      '  doc:       README.md#check-trust-sub',
    ]);
  });

  it('-o json gives the same as a document', async () => {
    const r = await runCli(['--explain', 'trust-sub', '-o', 'json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 'trust-sub', module: 'roles', exitCode: 202 });
  });

  it('a module ID lists its checks', async () => {
    const r = await runCli(['--explain', 'token']);
    expect(r.out[0]).toMatch(/^token: module — /);
    expect(r.out[2]).toContain('token-request, token-valid, token-sts, token-role');
  });

  it('an unknown ID is a usage error with the closest IDs', async () => {
    const r = await runCli(['--explain', 'trust-su']);
    expect(r.code).toBe(1);
    expect(r.err[0]).toBe(
      '[FAIL] --explain: unknown check "trust-su" (did you mean "trust-sub"?) (irsa-check --list-checks lists them)',
    );
  });
});

describe('did you mean', () => {
  it('for --skip', async () => {
    const r = await demo('--skip', 'trust-aut');
    expect(r.code).toBe(1);
    expect(r.err[0]).toBe(
      '[FAIL] --skip: unknown check "trust-aut" (did you mean "trust-aud"?) (irsa-check --list-checks lists them)',
    );
  });

  it('for a flag, on one line', async () => {
    const r = await runCli(['--namespce', 'camunda']);
    expect(r.code).toBe(1);
    expect(r.err[0]).toBe("[FAIL] unknown option '--namespce' (Did you mean --namespace?)");
  });

  it('for a component', async () => {
    const r = await runCli(['--replay', DEMO_BUNDLE, '-n', 'camunda', '-p', 'identiy']);
    expect(r.code).toBe(1);
    expect(r.err[0]).toBe(
      '[FAIL] unknown component "identiy" in -p/--pg: no Camunda chart version has it (did you mean "identity"?)',
    );
  });
});

describe('--fail-on and -o', () => {
  it('-o is --output, also as -o=json', async () => {
    const long = JSON.parse((await demo('--output', 'json')).stdout);
    for (const args of [['-o', 'json'], ['-o=json']]) {
      const r = await demo(...args);
      expect(JSON.parse(r.stdout).findings).toEqual(long.findings);
    }
  });

  it('never: the demo’s FAILs exit 0; fail (default): 255; the JSON document says the same code', async () => {
    expect((await demo('--fail-on', 'never')).code).toBe(0);
    expect((await demo('--fail-on', 'fail')).code).toBe(255);
    const json = await demo('--fail-on', 'never', '-o', 'json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).exitCode).toBe(0);
  });

  it('never still fails when irsa-check itself could not run (a usage error)', async () => {
    expect((await runCli(['--fail-on', 'never', '-n', 'Not_A_Namespace'])).code).toBe(1);
  });

  const f = (level: Finding['level'], module = 'roles', code?: number, check?: string): Finding => ({
    level,
    module,
    message: 'm',
    ...(code !== undefined ? { code } : {}),
    ...(check !== undefined ? { check } : {}),
  });
  it.each([
    ['fail', [f('OK'), f('WARN')], 0],
    ['warn', [f('OK'), f('WARN')], CODE_WARN],
    ['warn', [f('OK')], 0],
    ['warn', [f('WARN'), f('FAIL', 'roles', 202)], 202],
    ['never', [f('FAIL', 'roles', 202), f('WARN')], 0],
    ['never', [f('FAIL', 'roles', 202), f('FAIL', 'run', 3)], 3],
    // The API server lost at a later module's call: the FAIL carries that module's name.
    ['never', [f('FAIL', 'roles', 202), f('FAIL', 'service-accounts', 3, 'kube-timeout')], 3],
    // One refused call is a finding like any other: the rest was checked.
    ['never', [f('FAIL', 'roles', 2, 'cannot-ask')], 0],
    ['fail', [f('FAIL', 'roles', 202), f('FAIL', 'jobs', 41)], 41],
  ] as const)('--fail-on %s over %j exits %i', (failOn, findings, code) => {
    expect(exitCodeFor(findings, summarize(findings), failOn)).toBe(code);
  });
});

describe('SARIF that code scanning accepts', () => {
  const require = createRequire(import.meta.url);
  const schema = JSON.parse(
    readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
  );
  // The schema's language pattern is not valid with the u flag; formats (uri) are not what code scanning checks.
  // ajv-draft-04 is CommonJS: its module.exports is the class.
  const AjvDraft04 = ajvDraft04 as unknown as typeof ajvDraft04.default;
  const ajv = new AjvDraft04({
    strict: false,
    allErrors: true,
    unicodeRegExp: false,
    validateFormats: false,
    logger: false,
  });
  const validate = ajv.compile(schema);

  interface SarifResult {
    ruleId: string;
    locations: Array<{
      physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } };
      logicalLocations: Array<{ fullyQualifiedName: string }>;
    }>;
    partialFingerprints: Record<string, string>;
  }
  const resultsOf = (stdout: string): SarifResult[] => {
    const doc = JSON.parse(stdout);
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    return doc.runs[0].results;
  };

  it('the demo bundle: valid, every result located (an ARN or kubernetes:// reference), stable fingerprints', async () => {
    const first = resultsOf((await demo('-o', 'sarif')).stdout);
    expect(first.length).toBeGreaterThan(0);
    for (const r of first) {
      expect(r.locations.length).toBe(1);
      expect(r.locations[0]!.physicalLocation.artifactLocation.uri).not.toBe('');
      expect(r.locations[0]!.logicalLocations[0]!.fullyQualifiedName).toMatch(/^(arn:aws:|kubernetes:\/\/)/);
    }
    const trustSub = first.find((r) => r.ruleId === 'trust-sub')!;
    expect(trustSub.locations[0]!.logicalLocations[0]!.fullyQualifiedName).toBe(
      'arn:aws:iam::123456789012:role/camunda-web-modeler-irsa',
    );
    const injection = first.find((r) => r.ruleId === 'pod-injection')!;
    expect(injection.locations[0]!.logicalLocations[0]!.fullyQualifiedName).toBe(
      'kubernetes://current-context/camunda/ServiceAccount/camunda-identity',
    );
    const again = resultsOf((await demo('-o', 'sarif')).stdout);
    expect(again.map((r) => r.partialFingerprints)).toEqual(first.map((r) => r.partialFingerprints));
    expect(new Set(first.map((r) => r.partialFingerprints['irsaCheck/v1'])).size).toBe(first.length);
  });

  it('a values-only run: results point at the values file, on the line of the component', async () => {
    const values = `${ROOT}/fixtures/values/camunda-8.8-irsa-values.yaml`;
    const r = await runCli([
      '-n',
      'camunda',
      '--values',
      values,
      '--chart-version',
      '13.1.2',
      '-o',
      'sarif',
      '--skip',
      'preflight',
    ]);
    const results = resultsOf(r.stdout);
    const lines = readFileSync(values, 'utf8').split('\n');
    for (const res of results) {
      const loc = res.locations[0]!.physicalLocation;
      expect(loc.artifactLocation.uri).toBe(values);
      expect(loc.region?.startLine).toBeGreaterThanOrEqual(1);
      expect(loc.region!.startLine).toBeLessThanOrEqual(lines.length);
    }
  });

  it('a usage error is a valid SARIF document too', async () => {
    const r = await runCli(['-o', 'sarif', '-n', 'Not_A_Namespace']);
    expect(r.code).toBe(1);
    resultsOf(r.stdout);
  });
});
