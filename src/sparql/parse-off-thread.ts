/**
 * Parsing off the main thread. sparqljs needs 4 to 15 s for a 1 MB request (measured, 2 cores),
 * which on the main thread would stall every request and /health. Short texts (≤ 8 KiB, a few
 * milliseconds) are parsed in place; longer ones in one worker thread, which also checks the
 * tree limits, so a request over them never costs the main thread more than the length check.
 * At most MAX_WAITING long parses wait at a time; beyond that SparqlBusyError (503 with
 * Retry-After). A short query never waits behind long ones.
 */
import type { Worker } from 'node:worker_threads';
import sparqljs from 'sparqljs';
import { parseSparql, asQuery, asUpdate, SparqlSyntaxError, type ParseOptions, type Parsed } from './parse.js';
import type { ParseJob } from './parse-worker.js';
import { SparqlLimitError, DEFAULT_SPARQL_LIMITS, type SparqlLimits } from './limits.js';
import type { Query, Update } from 'sparqljs';
import { spawnModuleWorker } from '../util/worker-spawn.js';

/** Texts up to this length are parsed on the calling thread. */
export const INLINE_MAX = 8 * 1024;
/** Long parses waiting or running at once. */
export const MAX_WAITING = 8;

export class SparqlBusyError extends Error {
  constructor(message: string, readonly retryAfterSeconds = 5) {
    super(message);
    this.name = 'SparqlBusyError';
  }
}

type Reply = { id: number; tree?: Parsed['tree']; measures?: Parsed['measures']; limit?: { limit: keyof SparqlLimits; value: number; max: number }; syntax?: { message: string; position?: { line: number; column: number } }; other?: string };

let worker: Worker | undefined;
let seq = 0;
const pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();

function start(): Worker {
  if (worker) return worker;
  const w = spawnModuleWorker(import.meta.url, './parse-worker');
  w.unref();
  w.on('message', (r: Reply) => {
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    if (pending.size === 0) w.unref();
    p.resolve(r);
  });
  const fail = (e: Error) => {
    if (worker === w) worker = undefined;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`the SPARQL parser thread stopped (exit code ${code})`)));
  worker = w;
  return w;
}

/** Objects that stood for `*` (sparqljs' Wildcard keeps its termType on the prototype, which a thread boundary drops). */
function restoreWildcards(tree: unknown): void {
  const star = new sparqljs.Wildcard();
  const isLostStar = (x: unknown) => !!x && typeof x === 'object' && !Array.isArray(x) && Object.keys(x as object).length === 0;
  const stack: unknown[] = [tree];
  while (stack.length) {
    const x = stack.pop();
    if (!x || typeof x !== 'object') continue;
    if (Array.isArray(x)) { for (const v of x) stack.push(v); continue; }
    const o = x as Record<string, unknown>;
    if (Array.isArray(o.variables)) o.variables = o.variables.map((v) => (isLostStar(v) ? star : v));
    if (isLostStar(o.expression)) o.expression = star;
    for (const [k, v] of Object.entries(o)) if (k !== 'prefixes' && v && typeof v === 'object') stack.push(v);
  }
}

/**
 * Parse (and check the limits of) a request without blocking the main thread on long texts.
 * `wait`: queue however many long parses wait (the service's own queries), never SparqlBusyError.
 */
export async function parseSparqlAsync(text: string, opts: ParseOptions & { wait?: boolean } = {}): Promise<Parsed> {
  const limits = opts.limits ?? DEFAULT_SPARQL_LIMITS;
  if (text.length <= INLINE_MAX) return parseSparql(text, opts);
  if (text.length > limits.maxLength) throw new SparqlLimitError('maxLength', text.length, limits.maxLength);
  if (!opts.wait && pending.size >= MAX_WAITING) throw new SparqlBusyError(`${MAX_WAITING} long SPARQL requests are being parsed; try again shortly (short requests are not affected)`);
  const w = start();
  const id = ++seq;
  const reply = await new Promise<Reply>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.ref();
    const job: ParseJob = { id, text, opts: { base: opts.base, prefixes: opts.prefixes, limits } };
    w.postMessage(job);
  });
  if (reply.limit) throw new SparqlLimitError(reply.limit.limit, reply.limit.value, reply.limit.max);
  if (reply.syntax) throw new SparqlSyntaxError(reply.syntax.message, reply.syntax.position);
  if (reply.other || !reply.tree) throw new Error(`the SPARQL parser thread failed: ${reply.other ?? 'no tree'}`);
  restoreWildcards(reply.tree);
  return { tree: reply.tree, measures: reply.measures! };
}

export async function parseQueryAsync(text: string, opts: ParseOptions & { wait?: boolean } = {}): Promise<Parsed<Query>> {
  return asQuery(await parseSparqlAsync(text, opts));
}

export async function parseUpdateAsync(text: string, opts: ParseOptions = {}): Promise<Parsed<Update>> {
  return asUpdate(await parseSparqlAsync(text, opts));
}
