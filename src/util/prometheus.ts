/**
 * A small registry of counters, gauges and histograms written in the Prometheus text exposition
 * format (version 0.0.4): https://prometheus.io/docs/instrumenting/exposition_formats/
 */

type Labels = Record<string, string>;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k])}"`).join(',')}}`;
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

abstract class Metric {
  constructor(readonly name: string, readonly help: string, readonly type: 'counter' | 'gauge' | 'histogram') {
    if (!NAME.test(name)) throw new Error(`"${name}" is not a valid metric name`);
  }
  abstract lines(): string[];
  render(): string {
    return [`# HELP ${this.name} ${this.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${this.name} ${this.type}`, ...this.lines()].join('\n');
  }
}

/** Values kept per label set (key: the rendered label text). */
class Series<T> {
  readonly map = new Map<string, { labels: Labels; value: T }>();
  get(labels: Labels, init: () => T): { labels: Labels; value: T } {
    const k = labelText(labels);
    let s = this.map.get(k);
    if (!s) this.map.set(k, (s = { labels: { ...labels }, value: init() }));
    return s;
  }
}

export class Counter extends Metric {
  private readonly s = new Series<number>();
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }
  inc(labels: Labels = {}, by = 1): void {
    this.s.get(labels, () => 0).value += by;
  }
  lines(): string[] {
    return [...this.s.map.values()].map((e) => `${this.name}${labelText(e.labels)} ${num(e.value)}`);
  }
}

/** A gauge whose values are read when rendered (collect returns [labels, value] pairs). */
export class Gauge extends Metric {
  constructor(name: string, help: string, private readonly collect: () => Array<[Labels, number]>) {
    super(name, help, 'gauge');
  }
  lines(): string[] {
    return this.collect().map(([l, v]) => `${this.name}${labelText(l)} ${num(v)}`);
  }
}

/** A counter whose values are read when rendered (totals kept elsewhere, e.g. by the store). */
export class CollectedCounter extends Metric {
  constructor(name: string, help: string, private readonly collect: () => Array<[Labels, number]>) {
    super(name, help, 'counter');
  }
  lines(): string[] {
    return this.collect().map(([l, v]) => `${this.name}${labelText(l)} ${num(v)}`);
  }
}

export class Histogram extends Metric {
  private readonly s = new Series<{ counts: number[]; sum: number; count: number }>();
  constructor(name: string, help: string, readonly buckets: number[]) {
    super(name, help, 'histogram');
    this.buckets = [...buckets].sort((a, b) => a - b);
  }
  observe(labels: Labels, v: number): void {
    const e = this.s.get(labels, () => ({ counts: this.buckets.map(() => 0), sum: 0, count: 0 })).value;
    this.buckets.forEach((b, i) => {
      if (v <= b) e.counts[i]++;
    });
    e.sum += v;
    e.count++;
  }
  lines(): string[] {
    const out: string[] = [];
    for (const { labels, value } of this.s.map.values()) {
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket${labelText({ ...labels, le: num(b) })} ${value.counts[i]}`));
      out.push(`${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${value.count}`);
      out.push(`${this.name}_sum${labelText(labels)} ${num(value.sum)}`);
      out.push(`${this.name}_count${labelText(labels)} ${value.count}`);
    }
    return out;
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];
  add<M extends Metric>(m: M): M {
    if (this.metrics.some((x) => x.name === m.name)) throw new Error(`metric ${m.name} is registered twice`);
    this.metrics.push(m);
    return m;
  }
  /** The exposition text (media type PROMETHEUS_TEXT). */
  render(): string {
    return `${this.metrics.map((m) => m.render()).join('\n')}\n`;
  }
}

export const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';
