/**
 * The README documents what the code does: its exit-code table is generated from
 * the module registry (`UPDATE_FIXTURES=1` rewrites it), every CLI flag is in it,
 * and .ci/run runs the README's own test command.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../src/checks/index.js';
import { buildProgram } from '../src/cli.js';
import { checksTable, codesTable } from '../src/report/codes-table.js';
import { ROOT } from './support/cli.js';

const README = `${ROOT}/README.md`;
/** A generated block of the README between `<!-- name:start -->` and `<!-- name:end -->`. */
function expectGenerated(name: string, content: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  let readme = readFileSync(README, 'utf8');
  const block = `${start}\n${content}\n${end}`;
  if (process.env.UPDATE_FIXTURES) {
    readme = readme.replace(new RegExp(`${start}[\\s\\S]*${end}`), () => block);
    writeFileSync(README, readme);
  }
  expect(readme).toContain(block);
}

describe('README', () => {
  it('has the exit-code table of every registered check', () => {
    expectGenerated('codes', codesTable(CATALOGUE));
  });

  it('has the check catalogue, with an anchor per check ID', () => {
    expectGenerated('checks', checksTable(CATALOGUE));
  });

  it('documents every flag', () => {
    const readme = readFileSync(README, 'utf8');
    for (const option of buildProgram().options) expect(readme).toContain(`\`${option.long}`);
  });

  it('.ci/run runs the README test command', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toContain('npm ci && npm test');
    expect(readme).toContain('npm ci && npm run demo');
    expect(readFileSync(`${ROOT}/.ci/run`, 'utf8')).toMatch(/^npm test$/m);
  });

  it('every FAIL and WARN check carries a fix, every FAIL an exit code', () => {
    for (const c of CATALOGUE.entries()) {
      if (c.severity !== 'INFO') expect(c.fix, c.id).toBeTruthy();
      if (c.severity === 'FAIL') expect(c.code, c.id).toBeTypeOf('number');
    }
  });
});

describe('start-up stays fast', () => {
  /** dist/cli.js and every chunk it imports statically: what `--help` loads. */
  function startupChunks(): Map<string, string> {
    const seen = new Map<string, string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      const code = readFileSync(`${ROOT}/dist/${file}`, 'utf8');
      seen.set(file, code);
      for (const m of code.matchAll(/^import\s*(?:[^'"]*?from\s*)?["']\.\/([^"']+)["'];?$/gm)) visit(m[1]!);
    };
    visit('cli.js');
    return seen;
  }

  it('--help loads neither client-node, the AWS SDK, jose nor js-yaml: they are lazy chunks', () => {
    const chunks = startupChunks();
    const code = [...chunks.values()].join('\n');
    for (const marker of [
      'KubeConfig = class',
      'loadFromDefault',
      'STSClient',
      'JWSSignatureVerificationFailed',
      'YAMLException',
    ]) {
      expect(code, marker).not.toContain(marker);
    }
    expect(code.length).toBeLessThan(400_000);
  });
});

describe('the README sample output', () => {
  it('is what `npm run demo` prints, in order (… marks lines left out)', async () => {
    const { runCli } = await import('./support/cli.js');
    const { DEMO_ARGS, DEMO_BUNDLE } = await import('./support/demo-world.js');
    const readme = readFileSync(README, 'utf8');
    const sample = /Sample \(from `npm run demo`\):\n\n```text\n([\s\S]*?)\n```/
      .exec(readme)![1]!
      .split('\n');
    const demo = await runCli(['--replay', DEMO_BUNDLE, ...DEMO_ARGS]);
    const printed = demo.stdout.split('\n').concat(demo.stderr.split('\n'));
    // stdout and stderr interleave on a terminal; compare each stream's lines in their own order.
    for (const stream of [demo.out, demo.err]) {
      const shown = sample.filter((l) => stream.includes(l));
      expect(shown).toEqual(stream.filter((l) => shown.includes(l)));
    }
    expect(sample.filter((l) => l !== '…' && !printed.includes(l))).toEqual([]);
  });
});
