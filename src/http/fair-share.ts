/**
 * Fair share of the query engines between clients. A client (a token's user, else the remote
 * address) runs at most `perClient` queries at once and waits with at most `perClientQueue` more;
 * at most `maxRunning` queries run in all, and at most `queueSize` wait. Waiting queries start in
 * turn by client (round robin), so a client with many queries waiting does not delay a client with
 * one. Beyond its share a client gets 429, beyond the server's queue everyone gets 503; both with
 * Retry-After.
 */
import type { NextFunction, Request, Response } from 'express';
import { callerOf } from './auth.js';
import { queryString } from './query-string.js';
import { sendProblem } from './problem.js';

export interface FairShareOptions {
  /** Queries one client may run at the same time. */
  perClient: number;
  /** Queries one client may have waiting on top of those. */
  perClientQueue: number;
  /** Queries running at the same time, all clients together. */
  maxRunning: number;
  /** Queries waiting, all clients together. */
  queueSize: number;
  /** Longest wait in the queue (ms) before a 503. */
  queueWaitMs: number;
}

/** Why a query was not admitted: 429 (the client is over its share) or 503 (the server's queue is full or the wait too long). */
export class FairShareRefusal extends Error {
  constructor(readonly status: 429 | 503, message: string, readonly retryAfterS: number) {
    super(message);
  }
}

interface Waiter { client: string; start: () => void; fail: (e: FairShareRefusal) => void; timer?: NodeJS.Timeout }

export class FairShare {
  private readonly running = new Map<string, number>();
  private readonly queues = new Map<string, Waiter[]>(); // insertion order = round-robin order
  private total = 0;
  private waitingCount = 0;
  /** Requests refused so far, by status. */
  readonly refusals = { 429: 0, 503: 0 };

  constructor(readonly o: FairShareOptions) {}

  /** Queries running now / waiting now (for metrics). */
  get runningCount(): number {
    return this.total;
  }
  get queueDepth(): number {
    return this.waitingCount;
  }

  /**
   * Admit one query of `client`: resolves with a release function once it may run (call it exactly
   * once when the query is over), or rejects with FairShareRefusal. `abort` ends a wait early.
   */
  acquire(client: string, abort?: AbortSignal): Promise<() => void> {
    const mine = this.running.get(client) ?? 0;
    const queued = this.queues.get(client)?.length ?? 0;
    if (mine < this.o.perClient && this.total < this.o.maxRunning && this.waitingCount === 0) return Promise.resolve(this.start(client));
    if (mine >= this.o.perClient && queued >= this.o.perClientQueue) {
      this.refusals[429]++;
      return Promise.reject(new FairShareRefusal(429, `this client already runs ${mine} quer${mine === 1 ? 'y' : 'ies'} and has ${queued} waiting, its share of the endpoint (SYNDB_CLIENT_QUERIES=${this.o.perClient}, SYNDB_CLIENT_QUEUE=${this.o.perClientQueue}); wait for them to finish`, 1));
    }
    if (this.waitingCount >= this.o.queueSize) {
      this.refusals[503]++;
      return Promise.reject(new FairShareRefusal(503, `the server's query queue is full (${this.o.queueSize} waiting); retry shortly`, 2));
    }
    return new Promise((resolve, reject) => {
      const w: Waiter = { client, start: () => resolve(this.start(client)), fail: reject };
      const drop = (e: FairShareRefusal) => {
        const q = this.queues.get(client);
        const i = q?.indexOf(w) ?? -1;
        if (i < 0) return;
        q!.splice(i, 1);
        if (q!.length === 0) this.queues.delete(client);
        this.waitingCount--;
        clearTimeout(w.timer);
        reject(e);
      };
      w.timer = setTimeout(() => {
        this.refusals[503]++;
        drop(new FairShareRefusal(503, `the query waited ${Math.round(this.o.queueWaitMs / 1000)} s for a free query slot without getting one; the server is busy, retry shortly`, 2));
      }, this.o.queueWaitMs);
      abort?.addEventListener('abort', () => drop(new FairShareRefusal(503, 'the client went away while waiting', 1)), { once: true });
      const q = this.queues.get(client);
      if (q) q.push(w);
      else this.queues.set(client, [w]);
      this.waitingCount++;
      this.next();
    });
  }

  private start(client: string): () => void {
    this.running.set(client, (this.running.get(client) ?? 0) + 1);
    this.total++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.running.get(client) ?? 1) - 1;
      if (n <= 0) this.running.delete(client);
      else this.running.set(client, n);
      this.total--;
      this.next();
    };
  }

  /** Start waiting queries while slots are free, one client at a time in turn. */
  private next(): void {
    while (this.total < this.o.maxRunning && this.waitingCount > 0) {
      let started = false;
      for (const [client, q] of this.queues) {
        if ((this.running.get(client) ?? 0) >= this.o.perClient) continue;
        const w = q.shift()!;
        this.queues.delete(client);
        if (q.length > 0) this.queues.set(client, q); // to the back of the round
        this.waitingCount--;
        clearTimeout(w.timer);
        w.start();
        started = true;
        break;
      }
      if (!started) return;
    }
  }
}

/** Who a request counts against: the token's user, else the remote address. */
export function clientKey(req: Request, res: Response): string {
  const user = callerOf(res).user;
  return user ? `user:${user}` : `addr:${req.socket.remoteAddress ?? 'unknown'}`;
}

/** True for a SPARQL query or update request (not the editor, its assets or the service description). */
function isSparqlOperation(req: Request): boolean {
  if (req.path !== '/sparql' && req.path !== '/sparql/') return false;
  if (req.method === 'POST') return true;
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  return new URLSearchParams(queryString(req)).has('query');
}

/** Express middleware: admits /sparql operations through `share`; mount after authentication. */
export function fairShareMiddleware(share: FairShare) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!isSparqlOperation(req)) return next();
    const abort = new AbortController();
    const onClose = () => abort.abort();
    res.once('close', onClose);
    share.acquire(clientKey(req, res), abort.signal).then(
      (release) => {
        res.off('close', onClose);
        if (res.writableEnded || req.destroyed) return release();
        res.once('close', release);
        next();
      },
      (e: FairShareRefusal) => {
        res.off('close', onClose);
        if (res.headersSent || req.destroyed) return;
        res.locals.route = req.path; // for metrics: no route matched yet
        res.setHeader('Retry-After', String(e.retryAfterS));
        sendProblem(res, e.status, e.status === 429 ? 'Too Many Requests' : 'Server Busy', e.message, { retryAfter: e.retryAfterS });
      },
    );
  };
}
