/**
 * How the test setup finds moto_server (PATH → cached venv → create the venv), with
 * fake PATH directories and a fake python3 standing in for PyPI, which this
 * workplace cannot reach: the real `pip install 'moto[server]'` is not run here.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findOnPath, MOTO_VENV, resolveMotoServer, venvMotoServer } from './moto-server.js';

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'irsa-moto-'));
}

function script(file: string, body: string): string {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** A python3 whose `-m venv DIR` makes DIR/bin/pip; that pip "installs" moto_server, or fails like an offline pip. */
function fakePython(binDir: string, pip: 'works' | 'offline' | 'no-venv'): string {
  const pipBody =
    pip === 'works'
      ? 'd=${0%/*}; printf "#!/bin/sh\\necho moto\\n" > "$d/moto_server"; /bin/chmod +x "$d/moto_server"'
      : 'echo "ERROR: Could not find a version that satisfies the requirement moto[server]" >&2; exit 1';
  return script(
    join(binDir, 'python3'),
    pip === 'no-venv'
      ? 'echo "The virtual environment was not created successfully because ensurepip is not available." >&2; exit 1'
      : [
          '[ "$1" = "-m" ] && [ "$2" = "venv" ] || exit 2',
          '/bin/mkdir -p "$3/bin"',
          `/bin/cat > "$3/bin/pip" <<'PIP'\n#!/bin/sh\n${pipBody}\nPIP`,
          '/bin/chmod +x "$3/bin/pip"',
        ].join('\n'),
  );
}

describe('findOnPath', () => {
  it('takes the first executable match and ignores non-executable files and empty entries', () => {
    const [a, b, c] = [dir(), dir(), dir()];
    writeFileSync(join(a, 'moto_server'), 'not executable');
    const inB = script(join(b, 'moto_server'), 'exit 0');
    script(join(c, 'moto_server'), 'exit 0');
    expect(findOnPath('moto_server', ['', a, b, c].join(delimiter))).toBe(inB);
    expect(findOnPath('moto_server', a)).toBeUndefined();
    expect(findOnPath('moto_server', undefined)).toBeUndefined();
  });
});

describe('resolveMotoServer', () => {
  it('1. moto_server on PATH wins over a cached venv', async () => {
    const [root, bin] = [dir(), dir()];
    const onPath = script(join(bin, 'moto_server'), 'exit 0');
    script(venvMotoServer(root), 'exit 0');
    expect(await resolveMotoServer({ root, path: bin })).toEqual({ command: onPath, source: 'path' });
  });

  it('2. else the cached venv, without calling python', async () => {
    const [root, bin] = [dir(), dir()];
    script(venvMotoServer(root), 'exit 0');
    script(join(bin, 'python3'), 'echo python must not run >&2; exit 9');
    expect(await resolveMotoServer({ root, path: bin })).toEqual({
      command: venvMotoServer(root),
      source: 'venv',
    });
  });

  it('3. else creates the venv with python3 -m venv + pip install, then reuses it', async () => {
    const [root, bin] = [dir(), dir()];
    fakePython(bin, 'works');
    const log: string[] = [];
    const made = await resolveMotoServer({ root, path: bin, log: (l) => log.push(l) });
    expect(made).toEqual({ command: join(root, MOTO_VENV, 'bin', 'moto_server'), source: 'created' });
    expect(log).toEqual([
      `moto_server is not on PATH: creating ${MOTO_VENV} with ${join(bin, 'python3')} (once; later runs reuse it)`,
      `installing moto[server] into ${MOTO_VENV}`,
    ]);
    expect(await resolveMotoServer({ root, path: bin })).toEqual({ ...made, source: 'venv' });
  });

  it('no python3: says what was tried and what to do', async () => {
    const [root, bin] = [dir(), dir()];
    await expect(resolveMotoServer({ root, path: bin })).rejects.toThrow(
      `moto_server is required for the tests: it is not on PATH, ${MOTO_VENV} has none, and there is no python3 on PATH to create that virtualenv. Install moto yourself and put moto_server on the PATH (pip install 'moto[server]'), or give the tests a Python 3 with venv and pip that can reach PyPI.`,
    );
  });

  it('python3 without venv support: names the Debian package', async () => {
    const [root, bin] = [dir(), dir()];
    fakePython(bin, 'no-venv');
    const error = await resolveMotoServer({ root, path: bin }).catch((e: Error) => e);
    expect((error as Error).message.split('\n')).toEqual([
      `moto_server is required for the tests: \`${join(bin, 'python3')} -m venv ${MOTO_VENV}\` failed (exit 1). On Debian/Ubuntu: apt-get install python3-venv. Install moto yourself and put moto_server on the PATH (pip install 'moto[server]'), or give the tests a Python 3 with venv and pip that can reach PyPI.`,
      'The virtual environment was not created successfully because ensurepip is not available.',
    ]);
    expect(existsSync(join(root, MOTO_VENV))).toBe(false);
  });

  it('pip cannot reach PyPI: shows pip’s own words and leaves no half-made venv behind', async () => {
    const [root, bin] = [dir(), dir()];
    fakePython(bin, 'offline');
    const error = await resolveMotoServer({ root, path: bin }).catch((e: Error) => e);
    expect((error as Error).message.split('\n')).toEqual([
      `moto_server is required for the tests: \`pip install 'moto[server]'\` into ${MOTO_VENV} failed (exit 1); PyPI may be unreachable. Install moto yourself and put moto_server on the PATH (pip install 'moto[server]'), or give the tests a Python 3 with venv and pip that can reach PyPI.`,
      'ERROR: Could not find a version that satisfies the requirement moto[server]',
    ]);
    expect(existsSync(join(root, MOTO_VENV))).toBe(false);
  });
});
