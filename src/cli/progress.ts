/** A one-line progress bar on a TTY (stderr); plain lines otherwise. */
export class Progress {
  private start = Date.now();
  private last = 0;
  constructor(private label: string, private total?: number, private out: NodeJS.WriteStream = process.stderr) {}
  update(done: number, unit = 'items') {
    const now = Date.now();
    if (now - this.last < 100 && done !== this.total) return;
    this.last = now;
    const secs = (now - this.start) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const pct = this.total ? Math.min(1, done / this.total) : undefined;
    const eta = pct !== undefined && rate > 0 ? ` ETA ${Math.ceil((this.total! - done) / rate)}s` : '';
    const bar = pct !== undefined ? `[${'#'.repeat(Math.round(pct * 24)).padEnd(24, '.')}] ` : '';
    const line = `${this.label} ${bar}${done}${this.total ? `/${this.total}` : ''} ${unit}, ${rate.toFixed(1)} ${unit}/s${eta}`;
    if (this.out.isTTY) this.out.write(`\r${line}\x1b[K`);
  }
  done(message: string) {
    if (this.out.isTTY) this.out.write('\r\x1b[K');
    this.out.write(`${message}\n`);
  }
}
