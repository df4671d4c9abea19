/**
 * The CLI's one progress bar, on stderr: a line redrawn in place on a terminal, otherwise a plain
 * line at most every `plainEveryMs` (never when 0) and at `finish()`. Counts items or bytes.
 */
export interface ProgressOptions {
  /** How many there are, when known (a bar and an ETA are shown). */
  total?: number;
  /** Where counting starts (a resumed upload): the rate counts only what is done from here. */
  start?: number;
  /** What is counted: a word ("files", "rows"), or bytes: a unit that starts with "bytes" ("bytes sent") prints its rate as KiB/MiB/GiB per second. */
  unit?: string;
  /** Non-terminal output: a line at most this often (default 1000 ms; 0: only at finish). */
  plainEveryMs?: number;
  out?: NodeJS.WriteStream;
}

const human = (n: number) => (n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(2)} GiB` : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${Math.round(n)} B`);

export class Progress {
  private readonly t0 = Date.now();
  private last = 0;
  private done: number;
  private total: number | undefined;
  private readonly start: number;
  private readonly unit: string;
  private readonly plainEveryMs: number;
  private readonly out: NodeJS.WriteStream;

  constructor(private readonly label: string, o: ProgressOptions = {}) {
    this.total = o.total;
    this.start = this.done = o.start ?? 0;
    this.unit = o.unit ?? 'items';
    this.plainEveryMs = o.plainEveryMs ?? 1000;
    this.out = o.out ?? process.stderr;
  }

  add(n: number) { this.set(this.done + n); }

  /** Now at `done` (of `total`, when the total is only estimated as the work goes). */
  set(done: number, total = this.total) {
    this.done = done;
    this.total = total;
    const now = Date.now();
    const every = this.out.isTTY ? 100 : this.plainEveryMs;
    if (every === 0 || (now - this.last < every && done !== total)) return;
    this.last = now;
    this.print();
  }

  /** Print where it stands now (a line of its own on a terminal). */
  finish() {
    this.print();
    if (this.out.isTTY) this.out.write('\n');
  }

  /** A status line in place of the bar (e.g. while the server validates). */
  note(s: string) { this.out.write(this.out.isTTY ? `\r${s}\x1b[K\n` : `${s}\n`); }

  /** Clear the bar (on a terminal) and print a message of its own. */
  message(s: string) {
    if (this.out.isTTY) this.out.write('\r\x1b[K');
    this.out.write(`${s}\n`);
  }

  private print() {
    const secs = Math.max(0.001, (Date.now() - this.t0) / 1000);
    const rate = (this.done - this.start) / secs;
    const frac = this.total ? Math.min(1, this.done / this.total) : undefined;
    const eta = frac !== undefined && rate > 0 ? `, ETA ${Math.max(0, Math.ceil((this.total! - this.done) / rate))}s` : '';
    const bar = frac !== undefined ? `[${'#'.repeat(Math.round(frac * 24)).padEnd(24, '.')}] ${Math.floor(frac * 100)}% ` : '';
    const speed = this.unit.startsWith('bytes') ? `${human(rate)}/s` : `${Math.round(rate)} ${this.unit}/s`;
    const line = `${this.label} ${bar}${this.done}${this.total ? `/${this.total}` : ''} ${this.unit} (${speed}${eta})`;
    this.out.write(this.out.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
  }
}
