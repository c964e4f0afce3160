/**
 * A fleet's progress line: what a single run's waiting line is (report/run-progress.ts) for the
 * contexts of `--context a,b,c`. Each context's run writes to a buffer, so it draws nothing; the
 * fleet says which contexts it still waits for. stderr only, TTY only, text output without
 * --verbose (the single run's rule); quiet for the first second; erased before the report.
 */
/** Only `write`: process.stderr or a test's stream. */
type Writable = Pick<NodeJS.WritableStream, 'write'>;

const SHOW_AFTER_MS = 1_000;
const REDRAW_MS = 250;

export class FleetProgress {
  private readonly running = new Set<string>();
  private done = 0;
  private drawn = false;
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly stream: Writable,
    private readonly total: number,
  ) {
    this.timer = setInterval(() => this.draw(), REDRAW_MS);
    this.timer.unref();
  }

  static start(
    stream: Writable & { isTTY?: boolean },
    wanted: boolean,
    total: number,
  ): FleetProgress | undefined {
    return wanted && stream.isTTY === true ? new FleetProgress(stream, total) : undefined;
  }

  begin(context: string): void {
    this.running.add(context);
  }

  end(context: string): void {
    this.running.delete(context);
    this.done++;
  }

  /** Erases the line for good: the report follows. */
  stop(): void {
    clearInterval(this.timer);
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }

  private draw(): void {
    const elapsed = Date.now() - this.started;
    if (elapsed < SHOW_AFTER_MS || this.running.size === 0) return;
    const [first, ...more] = this.running;
    const others = more.length > 0 ? ` and ${more.length} more` : '';
    this.stream.write(
      `\r\x1b[K… checking ${this.total} contexts: waiting for ${first}${others} (${this.done} done, ${Math.floor(elapsed / 1000)} s)`,
    );
    this.drawn = true;
  }
}
