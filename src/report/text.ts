/**
 * The text reporter: one line per finding as it happens, FAILs followed by their
 * fix, WARN/FAIL on stderr. Colour only on a TTY without NO_COLOR (chalk decides).
 */
import type { Writable } from 'node:stream';
import type { Finding, Level } from '../core/finding.js';
import { escapeControl, findingLine, streamOf } from './format.js';

export interface TextStreams {
  stdout: Writable;
  stderr: Writable;
}

type Paint = (level: Level, text: string) => string;

export async function makePaint(enabled: boolean): Promise<Paint> {
  if (!enabled) return (_l, t) => t;
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: 1 });
  const colour: Record<Level, (s: string) => string> = {
    OK: chalk.green,
    INFO: chalk.cyan,
    WARN: chalk.yellow,
    FAIL: chalk.red,
  };
  return (level, text) => text.replace(`[${level}]`, colour[level](`[${level}]`));
}

export class TextReporter {
  constructor(
    private readonly streams: TextStreams,
    /** One painter per stream: stdout may be a terminal while stderr is piped to a file. */
    private readonly paint: Record<keyof TextStreams, Paint>,
  ) {}

  write(f: Finding): void {
    const which = streamOf(f.level);
    const stream = this.streams[which];
    stream.write(this.paint[which](f.level, findingLine(f)) + '\n');
    if (f.level === 'FAIL' && f.fix) stream.write(`       fix: ${escapeControl(f.fix)}\n`);
  }
}
