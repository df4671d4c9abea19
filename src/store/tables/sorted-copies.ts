/**
 * The queue of sorted copies being built (see TableFiles.sortedPath): one at a time, in the
 * background, each requested once per process. A copy that fails (full disk, a file that went
 * missing) is logged and not tried again until the service restarts; queries go on reading the
 * file itself meanwhile, so a sorted copy only ever makes a filter faster.
 */
export type SortedCopyState = 'ready' | 'building' | 'queued' | 'failed';

export class SortedCopies {
  private readonly states = new Map<string, Exclude<SortedCopyState, 'ready'>>();
  private readonly queue: Array<{ sha256: string; column: string }> = [];
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly build: (sha256: string, column: string) => Promise<void>,
    private readonly log: (o: Record<string, unknown>) => void = () => {},
  ) {}

  private static key(sha256: string, column: string) { return `${sha256}\u0000${column}`; }

  state(sha256: string, column: string): SortedCopyState | undefined {
    return this.states.get(SortedCopies.key(sha256, column));
  }

  /** Copies of this file queued or being built. */
  pending(sha256: string): number {
    let n = 0;
    for (const [k, st] of this.states) if (k.startsWith(`${sha256}\u0000`) && (st === 'queued' || st === 'building')) n++;
    return n;
  }

  request(sha256: string, column: string) {
    const k = SortedCopies.key(sha256, column);
    if (this.stopped || this.states.has(k)) return;
    this.states.set(k, 'queued');
    this.queue.push({ sha256, column });
    this.running ??= this.drain();
  }

  private async drain() {
    while (this.queue.length && !this.stopped) {
      const job = this.queue.shift()!;
      const k = SortedCopies.key(job.sha256, job.column);
      this.states.set(k, 'building');
      const started = Date.now();
      try {
        await this.build(job.sha256, job.column);
        this.states.delete(k);
        this.log({ level: 'info', msg: 'sorted copy built', table: job.sha256, column: job.column, ms: Date.now() - started });
      } catch (err) {
        this.states.set(k, 'failed');
        this.log({ level: 'warn', msg: 'sorted copy failed; filters on the column read the whole file', table: job.sha256, column: job.column, error: (err as Error).message?.split('\n')[0] });
      }
    }
    this.running = undefined;
  }

  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  /** No new copies (the service is closing); the one being built finishes or fails on its own. */
  stop() {
    this.stopped = true;
    this.queue.length = 0;
  }
}
