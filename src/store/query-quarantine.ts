/**
 * Queries that break query engines: each is known by a fingerprint (a hash of its normalised
 * text); one that broke engines `strikes` times is refused for `refuseMs` after the last break.
 */
import { createHash } from 'node:crypto';

/** A short stable name for a query text: SHA-256 (first 16 hex digits) of the text with runs of white space folded to one space. */
export function queryFingerprint(sparql: string): string {
  const normal = sparql.replace(/\s+/g, ' ').trim();
  return createHash('sha256').update(normal, 'utf8').digest('hex').slice(0, 16);
}

export interface QuarantineOptions {
  /** Breaks after which a fingerprint is refused. Default 2. */
  strikes?: number;
  /** How long a fingerprint is refused after its last break (ms). Default 10 minutes. */
  refuseMs?: number;
  /** Most fingerprints remembered (the oldest are forgotten first). Default 10,000. */
  maxEntries?: number;
}

interface Entry { breaks: number; lastBreak: number; reasons: string[] }

export class QueryQuarantine {
  private readonly entries = new Map<string, Entry>();
  readonly strikes: number;
  readonly refuseMs: number;
  private readonly maxEntries: number;

  constructor(o: QuarantineOptions = {}, private readonly now: () => number = Date.now) {
    this.strikes = Math.max(1, o.strikes ?? 2);
    this.refuseMs = Math.max(0, o.refuseMs ?? 10 * 60_000);
    this.maxEntries = Math.max(1, o.maxEntries ?? 10_000);
  }

  /** Note that the query `fingerprint` broke an engine; answers how many times it has. */
  recordBreak(fingerprint: string, reason: string): number {
    const t = this.now();
    let e = this.entries.get(fingerprint);
    if (e && t - e.lastBreak > this.refuseMs) e = undefined; // an old record has expired
    e ??= { breaks: 0, lastBreak: t, reasons: [] };
    e.breaks++;
    e.lastBreak = t;
    e.reasons = [...e.reasons, reason].slice(-3);
    this.entries.delete(fingerprint); // re-inserted last: Map order is the eviction order
    this.entries.set(fingerprint, e);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return e.breaks;
  }

  /** When the fingerprint is refused now: the seconds until it is accepted again and why; else undefined. */
  refused(fingerprint: string): { retryAfterS: number; breaks: number; reasons: string[] } | undefined {
    const e = this.entries.get(fingerprint);
    if (!e || e.breaks < this.strikes) return undefined;
    const left = e.lastBreak + this.refuseMs - this.now();
    if (left <= 0) {
      this.entries.delete(fingerprint);
      return undefined;
    }
    return { retryAfterS: Math.max(1, Math.ceil(left / 1000)), breaks: e.breaks, reasons: e.reasons };
  }
}
