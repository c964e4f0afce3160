/**
 * What an interrupted live run prints, in every output format. Installed before the first
 * request (a Ctrl-C while AWS hangs on the very first call still gets its report), and
 * attached to the run's sink once findings stream: text mode then ends with the Jobs left
 * behind (if any), `[FAIL] interrupted (SIGINT)` and the summary line, exactly like every
 * other run; JSON, SARIF and Markdown print their one document with the findings so far.
 */
import type { Writable } from 'node:stream';
import type { Catalogue } from '../core/catalogue.js';
import type { Finding } from '../core/finding.js';
import type { RunOptions } from '../core/options.js';
import { installSignalCleanup, onInterruptReport, type Signal } from '../platform/cleanup.js';
import { closingFindings } from './closing.js';
import { writeFindings } from './fatal.js';

interface Attached {
  sink: (f: Finding) => void;
  findings: readonly Finding[];
  catalogue: Catalogue;
}

export interface InterruptWatch {
  /** From now on the report goes through the run's sink, after the findings already streamed. */
  attach(sink: (f: Finding) => void, findings: readonly Finding[], catalogue: Catalogue): void;
}

export function interruptedFinding(signal: Signal, code: number): Finding {
  return {
    level: 'FAIL',
    check: 'interrupted',
    module: 'run',
    code,
    message: `interrupted (${signal})`,
    fix: 'Run irsa-check again to completion.',
  };
}

/** Owns the process's signals for a live run: Jobs are deleted, then the report below is written. */
export function watchInterrupts(
  options: Pick<RunOptions, 'output' | 'namespace'>,
  io: { stdout: Writable; stderr: Writable },
): InterruptWatch {
  let attached: Attached | undefined;
  installSignalCleanup();
  onInterruptReport(async (signal, code, leftovers) => {
    const left = leftovers.map((message): Finding => ({
      level: 'WARN',
      check: 'jobs-left-behind',
      module: 'run',
      message,
    }));
    const fail = interruptedFinding(signal, code);
    if (!attached) {
      // Nothing printed yet: the report is these lines alone.
      const catalogue =
        options.output === 'text' ? undefined : (await import('../checks/index.js')).CATALOGUE;
      await writeAll([...left, fail], options, io, catalogue);
      return;
    }
    const { sink, findings, catalogue } = attached;
    if (options.output === 'text') {
      // The findings so far are on screen already: the lines that end the run follow them.
      for (const f of [...left, fail]) sink(f);
      for (const f of closingFindings(findings)) sink(f);
      return;
    }
    for (const f of [...left, fail]) sink(f);
    await writeAll(findings, options, io, catalogue);
  });
  return {
    attach(sink, findings, catalogue) {
      attached = { sink, findings, catalogue };
    },
  };
}

async function writeAll(
  findings: readonly Finding[],
  options: Pick<RunOptions, 'output' | 'namespace'>,
  io: { stdout: Writable; stderr: Writable },
  catalogue: Catalogue | undefined,
): Promise<void> {
  if (options.output === 'markdown') {
    const { markdownReport } = await import('./markdown.js');
    io.stdout.write(
      markdownReport([...findings, ...closingFindings(findings)], { namespace: options.namespace }),
    );
    return;
  }
  writeFindings(findings, options.output, io, catalogue, options.namespace);
}
