/**
 * The README documents what the code does: its exit-code table is generated from
 * the module registry (`UPDATE_FIXTURES=1` rewrites it), every CLI flag is in it,
 * and .ci/run runs the README's own test command.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../src/checks/index.js';
import { buildProgram } from '../src/cli.js';
import { checksTable, codesTable } from '../src/report/codes-table.js';
import { awsActions, permissionsBlock } from '../src/docs/permissions.js';
import { loaders } from '../src/platform/live-aws-query.js';
import { checksReference } from '../src/docs/checks-reference.js';
import { CHECK_MODULES } from '../src/checks/index.js';
import { ASSUME_ROLE_PERMISSION, AWS_PERMISSIONS } from '../src/ports/aws.js';
import { KUBE_PERMISSIONS } from '../src/ports/kube.js';
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

  it('has the permissions every Kubernetes and AWS call declares (README "Permissions")', () => {
    expectGenerated('permissions', permissionsBlock(CHECK_MODULES));
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

describe('docs/', () => {
  it('CHECKS.md is the catalogue, module by module, with an anchor link per check ID', () => {
    const path = `${ROOT}/docs/CHECKS.md`;
    const generated = checksReference(CATALOGUE, CHECK_MODULES);
    if (process.env.UPDATE_FIXTURES) writeFileSync(path, generated);
    expect(readFileSync(path, 'utf8')).toBe(generated);
    for (const c of CATALOGUE.entries())
      expect(generated).toContain(`[\`${c.id}\`](../README.md#${c.anchor})`);
  });

  it('the README has every anchor CHECKS.md links to', () => {
    const readme = readFileSync(README, 'utf8');
    for (const c of CATALOGUE.entries()) expect(readme).toContain(`<a id="${c.anchor}"></a>`);
  });

  it('every doc the code points to exists', () => {
    const named = new Set<string>();
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const path = `${dir}/${e.name}`;
        if (e.isDirectory()) walk(path);
        else
          for (const m of readFileSync(path, 'utf8').matchAll(/\b(?:docs\/)?([A-Z]+\.md)\b/g))
            named.add(m[1]!);
      }
    };
    walk(`${ROOT}/src`);
    named.add('ARCHITECTURE.md');
    const present = new Set([...readdirSync(`${ROOT}/docs`), 'README.md']);
    expect([...named].filter((n) => !present.has(n))).toEqual([]);
  });
});

describe('the permission declarations match the calls the live adapters make', () => {
  const source = (file: string) => readFileSync(`${ROOT}/src/platform/${file}`, 'utf8');

  it('every AWS operation live-aws.ts names is declared, and every declared one is made', () => {
    const named = new Set(
      [...source('live-aws.ts').matchAll(/'((?:sts|eks|eks-auth|iam|rds|es|ec2|s3):[A-Za-z]+)'/g)].map(
        (m) => m[1]!,
      ),
    );
    const declared = new Set([
      ...Object.values(AWS_PERMISSIONS).flatMap((n) => [...n.actions, ...(n.unsigned ?? [])]),
      ASSUME_ROLE_PERMISSION,
    ]);
    expect([...named].filter((op) => !declared.has(op))).toEqual([]);
    expect([...declared].filter((op) => !named.has(op))).toEqual([]);
  });

  it('every AWS query a registered module declares is a command of its SDK package, its pages a real paginator, its actions in the policy', async () => {
    const queries = CHECK_MODULES.flatMap((m) => m.queries);
    expect(queries.map((q) => q.name)).toEqual(expect.arrayContaining(['bucketRegion', 'bucketPolicy']));
    const policy = awsActions(CHECK_MODULES);
    for (const q of queries) {
      const sdk = (await loaders[q.service]()) as unknown as Record<string, unknown>;
      expect(typeof sdk[`${q.command}Command`], `${q.name}: ${q.command}Command`).toBe('function');
      if (q.paginate)
        expect(typeof sdk[`paginate${q.command}`], `${q.name}: paginate${q.command}`).toBe('function');
      expect(policy, q.name).toEqual(expect.arrayContaining([...q.actions]));
    }
  });

  it('every Kubernetes call live-kube.ts and kube-jobs.ts label is covered by a declared grant', () => {
    const code = source('live-kube.ts') + source('kube-jobs.ts');
    // Labels like 'list pods', 'get pods/log', 'list deployments.apps'; the watches of kube-jobs.ts by kind.
    const labels = [
      ...code.matchAll(/\(\s*'(get|list|create|delete) ([a-z/]+)(?:\.([a-z0-9.-]+))?[ ']/g),
    ].map((m) => ({ verb: m[1]!, resource: m[2]!, group: m[3] ?? '' }));
    labels.push(
      ...['jobs', 'pods', 'events'].map((r) => ({
        verb: 'watch',
        resource: r,
        group: r === 'jobs' ? 'batch' : '',
      })),
    );
    expect(labels.length).toBeGreaterThan(20);
    const grants = Object.values(KUBE_PERMISSIONS).flat();
    const covered = (l: { verb: string; resource: string; group: string }) =>
      grants.some(
        (g) =>
          'resources' in g &&
          g.resources.includes(l.resource) &&
          g.verbs.includes(l.verb) &&
          // client-node's calls name core and batch objects without their group.
          (g.group === l.group || (l.group === '' && g.group === 'batch' && l.resource === 'jobs')),
      );
    expect(labels.filter((l) => !covered(l)).map((l) => `${l.verb} ${l.resource}`)).toEqual([]);
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
