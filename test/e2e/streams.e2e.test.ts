/**
 * Closed streams and hostile text (issue 12, point 10): stdout closed early
 * (`| head -1`, /dev/full) ends quietly, and control characters from values never
 * reach a terminal raw.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, cleanEnv } from '../support/cli.js';
import { TextReporter } from '../../src/report/text.js';

const DEMO = ['--replay', 'fixtures/bundles/camunda-8.8-two-faults.json', '-n', 'camunda'];

function runWith(
  stdout: 'pipe-closed-early' | number,
): Promise<{ code: number | null; stderr: string; firstChunk: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...DEMO], {
      env: cleanEnv(),
      cwd: ROOT,
      stdio: ['ignore', stdout === 'pipe-closed-early' ? 'pipe' : stdout, 'pipe'],
    });
    let stderr = '';
    let firstChunk = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    // Like `| head -1`: read the first line, then close the pipe.
    child.stdout?.once('data', (d: Buffer) => {
      firstChunk = d.toString().split('\n')[0]!;
      child.stdout!.destroy();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, firstChunk }));
  });
}

describe('closed stdout', () => {
  it('stdout closed after the first line (| head -1): no EPIPE trace, the run still ends with its code', async () => {
    const r = await runWith('pipe-closed-early');
    expect(r.firstChunk).toMatch(/^\[OK\] AWS credentials resolve: /);
    expect(r.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
    expect(r.code).toBe(255);
  });

  it('stdout on /dev/full: no ENOSPC trace', async () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const r = await runWith(fd);
      expect(r.stderr).not.toMatch(/ENOSPC|Error:|\n\s+at /);
      expect(r.code).toBe(255);
    } finally {
      closeSync(fd);
    }
  });
});

describe('control characters from values', () => {
  it('ESC, BEL and NUL are escaped before they reach the terminal', () => {
    let text = '';
    const sink = new Writable({
      write(chunk, _enc, cb) {
        text += String(chunk);
        cb();
      },
    });
    const plain = (_l: unknown, t: string): string => t;
    new TextReporter({ stdout: sink, stderr: sink }, { stdout: plain, stderr: plain }).write({
      level: 'FAIL',
      module: 'database-values',
      code: 71,
      component: 'identity',
      message:
        'identity.externalDatabase.host "db\u001b]0;pwned\u0007\u0000.example.com" is not a usable host name',
      fix: 'Set it to the Aurora endpoint, not "\u001b[2J".',
    });
    expect(text.split('\n')).toEqual([
      '[FAIL] identity: identity.externalDatabase.host "db\\x1b]0;pwned\\x07\\x00.example.com" is not a usable host name',
      '       fix: Set it to the Aurora endpoint, not "\\x1b[2J".',
      '',
    ]);
  });
});
