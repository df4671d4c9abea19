/**
 * Serialises the service's read-check-write sequences so that no write is computed from a state
 * another write is replacing (a lost update, or a change validated against the old graph):
 *  - `dataset(id, fn)`: writes of one dataset (edit, publish, table and asset uploads) run one at
 *    a time; writes of different datasets run side by side;
 *  - `all(fn)`: a write that may touch any graph (SPARQL Update, Graph Store Protocol) runs alone:
 *    it waits for the running dataset writes, and holds back new ones until it is done.
 * Not re-entrant: a locked section calls the unlocked inner functions of its service.
 */
export class WriteLocks {
  /** Tail of the queue of each dataset's writes. */
  private readonly tails = new Map<string, Promise<void>>();
  /** Dataset writes running (or queued behind one another) at this moment. */
  private readonly running = new Set<Promise<void>>();
  /** Tail of the exclusive writes; dataset writes start after it. */
  private exclusive: Promise<void> = Promise.resolve();

  dataset<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const gate = this.exclusive;
    const prev = this.tails.get(id) ?? Promise.resolve();
    const run = Promise.all([gate, prev]).then(fn);
    const done = run.then(() => undefined, () => undefined);
    this.tails.set(id, done);
    this.running.add(done);
    void done.then(() => {
      this.running.delete(done);
      if (this.tails.get(id) === done) this.tails.delete(id);
    });
    return run;
  }

  all<T>(fn: () => Promise<T>): Promise<T> {
    const before = Promise.all([this.exclusive, ...this.running]);
    const run = before.then(fn);
    this.exclusive = run.then(() => undefined, () => undefined);
    return run;
  }
}
