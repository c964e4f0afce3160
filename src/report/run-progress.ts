/**
 * On a terminal, a run that takes longer than a moment says what it is waiting for
 * (throttling can turn a 1 s run into a minute). stderr only, TTY only, never with
 * --output json/sarif or --verbose; erased before every finding line. While Jobs run,
 * their own progress line (proofs/jobs.ts) has the terminal.
 */
import type { Writable } from 'node:stream';
import type { CallLog } from '../core/calls.js';

/** Quiet for this long: a fast run never shows a progress line. */
const SHOW_AFTER_MS = 1_000;
const REDRAW_MS = 250;

export class RunProgress {
  private timer?: NodeJS.Timeout;
  private drawn = false;
  private readonly started = Date.now();

  constructor(
    private readonly stream: Writable,
    private readonly calls: CallLog,
    /** True while something else (the Jobs' progress line) owns the line. */
    private readonly busyElsewhere: () => boolean,
  ) {}

  static start(
    stream: Writable & { isTTY?: boolean },
    wanted: boolean,
    calls: CallLog,
    busyElsewhere: () => boolean,
  ): RunProgress | undefined {
    if (!wanted || stream.isTTY !== true) return undefined;
    const p = new RunProgress(stream, calls, busyElsewhere);
    p.timer = setInterval(() => p.draw(), REDRAW_MS);
    p.timer.unref();
    return p;
  }

  /** Erases the line (before a finding is written). */
  clear(): void {
    if (!this.drawn) return;
    this.stream.write('\r\x1b[K');
    this.drawn = false;
  }

  stop(): void {
    clearInterval(this.timer);
    this.clear();
  }

  private draw(): void {
    const elapsed = Date.now() - this.started;
    const waiting = this.calls.inFlight();
    if (elapsed < SHOW_AFTER_MS || waiting.length === 0 || this.busyElsewhere()) return;
    const more = waiting.length > 1 ? ` and ${waiting.length - 1} more` : '';
    this.stream.write(
      `\r\x1b[K… waiting for ${waiting[0]}${more} (${this.calls.answered} calls answered, ${Math.floor(elapsed / 1000)} s)`,
    );
    this.drawn = true;
  }
}
