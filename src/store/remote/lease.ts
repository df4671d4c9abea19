/**
 * The writer lease of the remote store: one service process at a time writes to a SPARQL server.
 *
 * Two writers would break each other's guarantees: the recovery of one rolls back the other's
 * transactions in progress, and neither one's readers wait for the other's switches. So a process
 * that writes holds a lease, a record in the graph urn:syndb:store:lease naming it (host, process
 * id, start time) with an expiry time it renews while it runs. A second process can open the store
 * and read, but its writes are refused with an error that names the holder, until the holder
 * closes, its lease expires (default 60 s after its last renewal), or — on the same host — its
 * process is found dead (a restart after a crash need not wait for the expiry).
 *
 * Taking the lease is a compare-and-set over plain SPARQL Update: stale claims are deleted only
 * if their expiry is unchanged, our claim is inserted, and after a short pause the claims are read
 * again; if two processes claimed at once, the older claim (then the smaller id) wins and the
 * other withdraws. Clocks of the hosts are assumed to agree within a few seconds.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { StoreError, type Binding } from '../graph-store.js';
import { pidAlive } from '../../util/process-alive.js';

export const LEASE_GRAPH = 'urn:syndb:store:lease';
const NS = 'urn:syndb:store#';
const CLAIM = `${NS}lease/`;

export interface LeaseIo {
  update(sparql: string, what: string): Promise<void>;
  select(sparql: string, what: string): Promise<Binding[]>;
  warn(message: string): void;
}

interface Claim { iri: string; id: string; host: string; pid: number; holder: string; since: number; expires: number }

/** This machine and process namespace (a process id means something only inside both). */
function hostId(): string {
  let boot = '', pidns = '';
  try { boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(); } catch { /* not Linux */ }
  try { pidns = readlinkSync('/proc/self/ns/pid'); } catch { /* not Linux */ }
  return [hostname(), boot, pidns].filter(Boolean).join(' ');
}


const lit = (s: string) => JSON.stringify(s);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Lease {
  readonly id = `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
  private readonly host = hostId();
  readonly holder = `${hostname()} pid ${process.pid}, started ${new Date().toISOString()}`;
  /** Local time until which the lease is surely ours (the last renewal's start + ttl). */
  private validUntil = 0;
  private timer?: NodeJS.Timeout;
  private renewing?: Promise<void>;
  private lost?: string;

  constructor(private readonly io: LeaseIo, private readonly ttlMs = 60_000, private readonly settleMs = 300) {}

  get held(): boolean {
    return this.validUntil > Date.now() && !this.lost;
  }

  private get iri() {
    return `${CLAIM}${this.id}`;
  }

  private async claims(): Promise<Claim[]> {
    const rows = await this.io.select(
      `SELECT ?c ?host ?pid ?holder ?since ?expires WHERE { GRAPH <${LEASE_GRAPH}> { ?c <${NS}host> ?host ; <${NS}pid> ?pid ; <${NS}holder> ?holder ; <${NS}since> ?since ; <${NS}expires> ?expires } }`,
      'reading the writer lease',
    );
    return rows.map((r) => ({ iri: r.c.value, id: r.c.value.slice(CLAIM.length), host: r.host.value, pid: Number(r.pid.value), holder: r.holder.value, since: Number(r.since.value), expires: Number(r.expires.value) }));
  }

  private describe(c: Claim): string {
    const left = Math.max(0, Math.ceil((c.expires - Date.now()) / 1000));
    return `${c.holder} (lease ${c.id}, expires in ${left} s unless renewed)`;
  }

  private live(c: Claim, now: number): boolean {
    if (c.id === this.id) return true;
    if (c.expires <= now) return false;
    if (c.host === this.host && c.pid !== process.pid && !pidAlive(c.pid)) return false; // crashed on this machine
    return true;
  }

  /** Take the lease, or throw StoreError 'locked' naming the process that holds it. */
  async acquire(): Promise<void> {
    if (this.held) return;
    const now = Date.now();
    const before = await this.claims();
    const stale = before.filter((c) => c.id !== this.id && !this.live(c, now));
    for (const c of stale) {
      this.io.warn(`taking over the writer lease of ${c.holder}: ${c.expires <= now ? 'expired' : 'that process is gone'}`);
      await this.io.update(`DELETE WHERE { GRAPH <${LEASE_GRAPH}> { <${c.iri}> <${NS}expires> ${c.expires} ; ?p ?o } }`, 'removing a stale writer lease');
    }
    const other = before.find((c) => c.id !== this.id && this.live(c, now));
    if (other) throw this.refusal(other);
    const start = Date.now();
    // `since` is the time of this claim: when two claim at once, the earlier one wins
    await this.io.update(
      `DELETE WHERE { GRAPH <${LEASE_GRAPH}> { <${this.iri}> ?p ?o } } ;\n` +
        `INSERT DATA { GRAPH <${LEASE_GRAPH}> { <${this.iri}> <${NS}host> ${lit(this.host)} ; <${NS}pid> ${process.pid} ; <${NS}holder> ${lit(this.holder)} ; <${NS}since> ${start} ; <${NS}expires> ${start + this.ttlMs} } }`,
      'taking the writer lease',
    );
    await sleep(this.settleMs);
    const after = (await this.claims()).filter((c) => this.live(c, Date.now()));
    const mine = after.find((c) => c.id === this.id);
    const winner = [...after].sort((a, b) => a.since - b.since || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0];
    if (!mine || winner.id !== this.id) {
      await this.release();
      throw this.refusal(winner && winner.id !== this.id ? winner : undefined);
    }
    this.validUntil = start + this.ttlMs - 2000;
    this.lost = undefined;
    this.schedule();
  }

  private refusal(c: Claim | undefined): StoreError {
    return new StoreError(
      c
        ? `another service process writes to this SPARQL server: ${this.describe(c)}. Only one process may write to a server; stop it (or wait for its lease to expire) and retry`
        : 'another service process took the writer lease of this SPARQL server at the same moment; retry',
      'locked',
    );
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => { void this.renew().catch(() => undefined); }, Math.max(500, Math.floor(this.ttlMs / 4)));
    this.timer.unref();
  }

  /** Extend the lease (runs by itself every ttl/4; a failure is retried at the next tick). */
  renew(): Promise<void> {
    if (!this.renewing) {
      this.renewing = (async () => {
        const start = Date.now();
        try {
          await this.io.update(
            `DELETE { GRAPH <${LEASE_GRAPH}> { <${this.iri}> <${NS}expires> ?e } } INSERT { GRAPH <${LEASE_GRAPH}> { <${this.iri}> <${NS}expires> ${start + this.ttlMs} } } WHERE { GRAPH <${LEASE_GRAPH}> { <${this.iri}> <${NS}expires> ?e } }`,
            'renewing the writer lease',
          );
          const mine = (await this.claims()).find((c) => c.id === this.id);
          if (!mine) {
            this.lost = 'another process took the writer lease over after it expired';
            this.validUntil = 0;
            this.io.warn(`the writer lease of this process was taken over by another process; writes are refused until it is taken back`);
            return;
          }
          this.validUntil = start + this.ttlMs - 2000;
        } finally {
          this.renewing = undefined;
          if (!this.lost && this.timer) this.schedule();
        }
      })();
    }
    return this.renewing;
  }

  /**
   * Before a write and at its commit point: the lease must be ours (renewed when half its time is
   * gone; taken when not held). Resolves true when it was taken now, i.e. not held just before.
   */
  async check(): Promise<boolean> {
    if (this.held && this.validUntil - Date.now() > this.ttlMs / 2) return false;
    if (!this.lost && this.validUntil > 0) {
      await this.renew();
      if (this.held) return false;
    }
    await this.acquire();
    return true;
  }

  /** Give the lease up (close). */
  async release(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.validUntil = 0;
    await this.io.update(`DELETE WHERE { GRAPH <${LEASE_GRAPH}> { <${this.iri}> ?p ?o } }`, 'releasing the writer lease');
  }

  /** Stop renewing without releasing (fault injection: as if the process died). */
  abandon(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.validUntil = 0;
    this.lost = 'abandoned';
  }
}
