/**
 * `kubectl irsa-check`: the real kubectl finds the package's `kubectl-irsa_check` bin on
 * the PATH and runs it with kubectl-style arguments, against the fake API server and moto.
 * Each run must print exactly what `irsa-check -n camunda` prints for the same cluster.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, ROOT, runCli, type CliResult } from '../support/cli.js';
import { startWorld } from '../support/kube-world.js';
import type { FakeKube } from '../support/fake-kube.js';
import { seedMoto, type SeededMoto } from '../support/moto.js';
import { loadWorld } from '../support/world.js';
import { findOnPath } from '../support/moto-server.js';
import { kubectlStyleArgs as kubectlArgs } from '../../src/cli.js';

const KUBECTL = findOnPath('kubectl', process.env.PATH);
let moto: SeededMoto;
let fake: FakeKube;
/** `irsa-check -n camunda -s` over the same cluster: what every plugin run must print. */
let expected: CliResult;
/** A kubeconfig whose contexts set a namespace, as `kubectl config set-context --namespace` does. */
let withNamespaces: string;
/** The name of the kubeconfig's current context (the fake API server's). */
let currentContext: string;
const pluginDir = mkdtempSync(join(tmpdir(), 'irsa-kubectl-plugin-'));

beforeAll(async () => {
  if (!KUBECTL)
    throw new Error('kubectl is required for this test (the fake API server is proven against it)');
  mkdirSync(join(pluginDir, 'bin'));
  // What `npm install -g` does: a link named like the package.json bin entry, on the PATH.
  symlinkSync(join(ROOT, 'bin', 'kubectl-irsa_check.js'), join(pluginDir, 'bin', 'kubectl-irsa_check'));
  moto = await seedMoto(loadWorld('camunda-8.8-healthy.yaml'));
  fake = await startWorld(moto.world);
  expected = await runCli(['-n', 'camunda', '-s', '--kubeconfig', fake.kubeconfigPath], { env: moto.env });
  const config = yaml.load(readFileSync(fake.kubeconfigPath, 'utf8')) as {
    contexts: Array<{ name: string; context: Record<string, string> }>;
    'current-context': string;
  };
  const [ctx] = config.contexts;
  currentContext = ctx!.name;
  config.contexts = [
    { name: ctx!.name, context: { ...ctx!.context, namespace: 'camunda' } },
    { name: 'elsewhere', context: { ...ctx!.context, namespace: 'kube-system' } },
  ];
  withNamespaces = join(pluginDir, 'kubeconfig-namespaces');
  writeFileSync(withNamespaces, yaml.dump(config));
});

afterAll(async () => {
  await fake?.close();
  await moto?.close();
});

function kubectl(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      KUBECTL!,
      args,
      {
        cwd: pluginDir,
        env: {
          ...cleanEnv(moto.env),
          // kubectl looks plugins up on the PATH; node must be there for the launcher's shebang.
          PATH: [join(pluginDir, 'bin'), dirname(process.execPath), dirname(KUBECTL!)].join(delimiter),
          ...env,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const lines = (s: string) => s.split('\n').filter((l, i, a) => l !== '' || i < a.length - 1);
        resolve({
          code: error ? ((error as { code?: number }).code ?? null) : 0,
          stdout,
          stderr,
          out: lines(stdout),
          err: lines(stderr),
        });
      },
    );
  });
}

function expectSameAsIrsaCheck(r: CliResult): void {
  expect(r.stderr).toBe(expected.stderr);
  expect(r.stdout).toBe(expected.stdout);
  expect(r.code).toBe(expected.code);
}

describe('kubectl irsa-check', () => {
  it('kubectl lists the plugin', async () => {
    const r = await kubectl(['plugin', 'list']);
    expect(r.stdout).toContain(join(pluginDir, 'bin', 'kubectl-irsa_check'));
  });

  it('the healthy run is a real run: it reaches the cluster and passes', () => {
    expect(expected.code).toBe(0);
    expect(expected.out).toContain(
      '[OK] Helm release camunda found: chart camunda-platform-13.1.2 (Camunda 8.8.x), revision 3',
    );
  });

  it.each([[['-n', 'camunda']], [['-n=camunda']], [['--namespace=camunda']], [['--namespace', 'camunda']]])(
    'kubectl irsa-check %j -s --kubeconfig …',
    async (ns) => {
      expectSameAsIrsaCheck(await kubectl(['irsa-check', ...ns, '-s', '--kubeconfig', fake.kubeconfigPath]));
    },
  );

  it('--kubeconfig=FILE and --context=NAME', async () => {
    const r = await kubectl([
      'irsa-check',
      `--kubeconfig=${withNamespaces}`,
      '--context=elsewhere',
      '-n=camunda',
      '-s',
    ]);
    expectSameAsIrsaCheck(r);
  });

  it('KUBECONFIG from the environment, as kubectl reads it', async () => {
    expectSameAsIrsaCheck(
      await kubectl(['irsa-check', '-n', 'camunda', '-s'], { KUBECONFIG: fake.kubeconfigPath }),
    );
  });

  it('without -n: the namespace of the current context, as kubectl uses it, and says so', async () => {
    const r = await kubectl(['irsa-check', '-s', '--kubeconfig', withNamespaces]);
    expect(r.stdout).toBe(
      `[INFO] namespace camunda: from the kubeconfig context ${currentContext} (-n was not given)\n${expected.stdout}`,
    );
    expect(r.stderr).toBe(expected.stderr);
    expect(r.code).toBe(expected.code);
  });

  // The plain CLI honours the same habits (issue 20): pflag's -n=x and the context's namespace.
  it.each([[['-n=camunda']], [['--namespace=camunda']]])(
    'irsa-check %j is irsa-check -n camunda',
    async (ns) => {
      const r = await runCli([...ns, '-s', '--kubeconfig', fake.kubeconfigPath], { env: moto.env });
      expect(r.stdout).toBe(expected.stdout);
      expect(r.code).toBe(expected.code);
    },
  );

  it('irsa-check without -n: the namespace of the current context, said once', async () => {
    const r = await runCli(['-s', '--kubeconfig', withNamespaces], { env: moto.env });
    expect(r.out[0]).toBe(
      `[INFO] namespace camunda: from the kubeconfig context ${currentContext} (-n was not given)`,
    );
    expect(r.stdout).toBe(`${r.out[0]}\n${expected.stdout}`);
    expect(r.code).toBe(expected.code);
  });

  it('without -n: the namespace of the --context given', async () => {
    const r = await kubectl(['irsa-check', '-s', '--kubeconfig', withNamespaces, '--context', 'elsewhere']);
    expect(r.code).toBe(4);
    expect(r.out[0]).toBe(
      '[INFO] namespace kube-system: from the kubeconfig context elsewhere (-n was not given)',
    );
    expect(r.err).toEqual([
      '[FAIL] no deployed Camunda release (chart camunda-platform) in namespace kube-system',
      '       fix: Check the namespace (-n); `helm list -n kube-system` lists its releases. For helm template / Argo CD installs use --values.',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 4).',
    ]);
  });

  it('an unknown --context: exit 3, one FAIL with its fix', async () => {
    const r = await kubectl([
      'irsa-check',
      '-n',
      'camunda',
      `--kubeconfig=${withNamespaces}`,
      '--context=prod',
    ]);
    expect(r.code).toBe(3);
    expect(r.err).toEqual([
      '[FAIL] kubeconfig has no context named "prod"',
      '       fix: Point irsa-check at the cluster with --kubeconfig, KUBECONFIG or --context; `aws eks update-kubeconfig --name <cluster>` writes a kubeconfig.',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 3).',
    ]);
  });

  it('no namespace anywhere: the usage error names the plugin', async () => {
    const r = await kubectl(['irsa-check', '-s', '--kubeconfig', fake.kubeconfigPath]);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      '[FAIL] a namespace is required: -n <namespace> (or the NAMESPACE environment variable)',
      '       fix: Run kubectl irsa-check --help for usage.',
      '[FAIL] irsa-check: At least one of the checks failed (error code: 1).',
    ]);
  });

  it('--help shows the kubectl usage line', async () => {
    const r = await kubectl(['irsa-check', '--help']);
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('Usage: kubectl irsa-check [options]');
  });
});

describe('kubectlArgs', () => {
  it('splits pflag-style -X=value for the options that take a value, and nothing else', () => {
    expect(kubectlArgs(['-n=camunda', '-p=identity,webModeler', '-l=', '-e=x=y', '-s', '-A'])).toEqual([
      '-n',
      'camunda',
      '-p',
      'identity,webModeler',
      '-l',
      '',
      '-e',
      'x=y',
      '-s',
      '-A',
    ]);
    expect(kubectlArgs(['--namespace=camunda', '--context=a=b', '--', '-n=x'])).toEqual([
      '--namespace=camunda',
      '--context=a=b',
      '--',
      '-n=x',
    ]);
  });
});

describe('the krew manifest template (packaging/krew/irsa-check.yaml)', () => {
  it('installs the package.json bin kubectl-irsa_check from the build:binary archives', () => {
    const manifest = yaml.load(readFileSync(join(ROOT, 'packaging/krew/irsa-check.yaml'), 'utf8')) as {
      kind: string;
      metadata: { name: string };
      spec: {
        version: string;
        platforms: Array<{
          selector: { matchLabels: { os: string; arch: string } };
          uri: string;
          sha256: string;
          bin: string;
        }>;
      };
    };
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.bin['kubectl-irsa_check']).toBe('bin/kubectl-irsa_check.js');
    expect(manifest.kind).toBe('Plugin');
    expect(manifest.metadata.name).toBe('irsa-check');
    expect(manifest.spec.version).toBe('{{VERSION}}');
    // krew's arch names are Go's; build:binary names files after Node's process.platform-process.arch.
    const nodeArch: Record<string, string> = { amd64: 'x64', arm64: 'arm64' };
    for (const p of manifest.spec.platforms) {
      const target = `${p.selector.matchLabels.os}-${nodeArch[p.selector.matchLabels.arch]}`;
      expect(p.uri).toBe(`{{URL_BASE}}/irsa-check-${target}.tar.gz`);
      expect(p.sha256).toBe(`{{SHA256_${target}}}`);
      expect(p.bin).toBe('kubectl-irsa_check');
    }
    expect(manifest.spec.platforms.map((p) => p.selector.matchLabels)).toContainEqual({
      os: 'linux',
      arch: 'amd64',
    });
  });
});
