/**
 * A reader/writer gate over graph names, for the remote store: applying a write ("switch") is
 * exclusive on the graphs it changes, reading is shared on the graphs of the query's dataset.
 * A switch waits until the readers of its graphs are done; readers of those graphs that arrive
 * meanwhile wait until it is applied (first come, first served, so neither side starves).
 * Readers of other graphs, and the staging of writes, are never held up.
 *
 * Needed because a SPARQL server gives no isolation we can rely on: Virtuoso 7 lets concurrent
 * readers see part of even a single DELETE/INSERT operation while it runs, and large switches are
 * several requests. The gate isolates the readers of this process only (see README "Running at scale").
 */
export type GraphSet = ReadonlySet<string> | 'all';

interface Entry {
  kind: 'read' | 'write';
  graphs: GraphSet;
  resolve: () => void;
  reject: (e: unknown) => void;
  started: boolean;
}

function overlaps(a: GraphSet, b: GraphSet): boolean {
  if (a === 'all') return b === 'all' || b.size > 0;
  if (b === 'all') return a.size > 0;
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  for (const g of small) if (big.has(g)) return true;
  return false;
}

const conflicts = (x: Entry, y: Entry) => (x.kind === 'write' || y.kind === 'write') && overlaps(x.graphs, y.graphs);

export class GraphGate {
  /** Holders and waiters in arrival order. */
  private queue: Entry[] = [];

  /** Readers and writers holding the gate now, and those waiting (for tests and diagnostics). */
  get state(): { active: number; waiting: number } {
    const active = this.queue.filter((e) => e.started).length;
    return { active, waiting: this.queue.length - active };
  }

  read<T>(graphs: GraphSet, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.run('read', graphs, fn, signal);
  }

  write<T>(graphs: GraphSet, fn: () => Promise<T>): Promise<T> {
    return this.run('write', graphs, fn);
  }

  private async run<T>(kind: Entry['kind'], graphs: GraphSet, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    let entry!: Entry;
    const admitted = new Promise<void>((resolve, reject) => {
      entry = { kind, graphs, resolve, reject, started: false };
    });
    this.queue.push(entry);
    this.pump();
    if (!entry.started) {
      const onAbort = () => {
        if (entry.started) return;
        this.queue = this.queue.filter((e) => e !== entry);
        entry.reject(signal!.reason ?? new Error('aborted'));
        this.pump();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await admitted;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    }
    try {
      return await fn();
    } finally {
      this.queue = this.queue.filter((e) => e !== entry);
      this.pump();
    }
  }

  /** Start every waiter that conflicts with no one ahead of it (holder or waiter). */
  private pump(): void {
    for (let i = 0; i < this.queue.length; i++) {
      const e = this.queue[i];
      if (e.started) continue;
      let free = true;
      for (let j = 0; j < i && free; j++) if (conflicts(this.queue[j], e)) free = false;
      if (free) {
        e.started = true;
        e.resolve();
      }
    }
  }
}
