/**
 * The HTTP side of `syndb` as a client of a running server (--server / SYNDB_URL, --token /
 * SYNDB_TOKEN): requests, and the errors main() prints as one readable block with its exit code.
 */
import { request, type Dispatcher } from 'undici';
import type { Readable } from 'node:stream';
import { EXIT } from './exit-codes.js';

/** The server said no: a problem+json (or other) error reply. */
export class ServerRefusal extends Error {
  constructor(readonly status: number, readonly problem: Problem, readonly method: string, readonly url: string) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ServerRefusal';
  }
  get exitCode(): number {
    if (this.status === 401 || this.status === 403) return EXIT.auth;
    if (this.status >= 500) return EXIT.server;
    return EXIT.refused;
  }
}

/** The server could not be reached. */
export class ConnectError extends Error {
  constructor(readonly url: string, readonly reason: Error & { code?: string }, readonly broken = false) {
    super(broken ? `the connection to ${url} broke off during the request (${reason.code ?? reason.message})` : `cannot connect to ${url}: ${reason.code ?? reason.message}`);
    this.name = 'ConnectError';
  }
  readonly exitCode = EXIT.connect;
}

export interface Problem {
  type?: string; title?: string; status?: number; detail?: string;
  errors?: Array<Record<string, unknown>>;
  header?: Array<{ column: string; position: number; message: string }>;
  problemCount?: number;
  [k: string]: unknown;
}

export interface ClientOptions { server: string; token?: string }

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);
/** The connection broke off during the request. */
const BROKEN_CODES = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'EPIPE', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export class Client {
  readonly base: string;
  constructor(readonly opts: ClientOptions) {
    let u: URL;
    try { u = new URL(opts.server); } catch { throw Object.assign(new Error(`--server / SYNDB_URL "${opts.server}" is not a URL (e.g. http://localhost:3030)`), { usage: true }); }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw Object.assign(new Error(`--server / SYNDB_URL "${opts.server}": use an http:// or https:// URL`), { usage: true });
    this.base = u.href.replace(/\/+$/, '');
  }

  url(path: string) { return `${this.base}${path}`; }

  /** Send a request; an error reply (>= 400) is thrown as ServerRefusal unless `ok` includes its status. */
  async send(method: Dispatcher.HttpMethod, path: string, o: { headers?: Record<string, string>; body?: string | Buffer | Readable; accept?: string; ok?: number[]; auth?: boolean } = {}): Promise<Reply> {
    const headers: Record<string, string> = { 'user-agent': 'syndb-cli', ...(o.accept ? { accept: o.accept } : {}), ...o.headers };
    if (this.opts.token && o.auth !== false) headers.authorization = `Bearer ${this.opts.token}`;
    let r: Dispatcher.ResponseData;
    const url = this.url(path);
    try {
      r = await request(url, { method, headers, body: o.body, headersTimeout: 15 * 60_000, bodyTimeout: 15 * 60_000 });
    } catch (e) {
      const err = e as Error & { code?: string; cause?: Error & { code?: string } };
      const code = err.code ?? err.cause?.code;
      if (code && CONNECT_CODES.has(code)) throw new ConnectError(this.base, err.cause ?? err);
      if (code && BROKEN_CODES.has(code)) throw new ConnectError(this.base, err.cause ?? err, true);
      throw e;
    }
    if (r.statusCode >= 400 && !(o.ok ?? []).includes(r.statusCode)) {
      const text = await r.body.text();
      let problem: Problem;
      try { problem = JSON.parse(text) as Problem; if (typeof problem !== 'object' || !problem) throw new Error(); } catch { problem = { title: `HTTP ${r.statusCode}`, detail: text.trim().slice(0, 500) || undefined }; }
      throw new ServerRefusal(r.statusCode, problem, method, url);
    }
    return { status: r.statusCode, headers: r.headers, body: r.body };
  }

  async json<T = Record<string, unknown>>(method: Dispatcher.HttpMethod, path: string, o: Parameters<Client['send']>[2] = {}): Promise<{ status: number; headers: Reply['headers']; data: T }> {
    const r = await this.send(method, path, { accept: 'application/json', ...o });
    const text = await r.body.text();
    return { status: r.status, headers: r.headers, data: (text ? JSON.parse(text) : {}) as T };
  }
}

const cell = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/** A small aligned table (header + rows), cells cut at `max` characters. */
export function textTable(head: string[], rows: unknown[][], max = 60): string {
  const cells = rows.map((r) => r.map((c) => { const s = cell(c).replace(/\s+/g, ' '); return s.length > max ? `${s.slice(0, max - 1)}…` : s; }));
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}`.trimEnd();
  return [line(head), ...cells.map(line)].join('\n');
}

/** A problem+json as one readable block: title and status, detail, then the list of errors. */
export function formatRefusal(e: ServerRefusal): string {
  const p = e.problem;
  const out = [`syndb: ${e.status} ${p.title ?? ''}`.trimEnd(), ...(p.detail ? [`  ${p.detail}`] : [])];
  const errors = Array.isArray(p.errors) ? p.errors : [];
  if (Array.isArray(p.header) && p.header.length) {
    out.push('  header:', textTable(['position', 'column', 'problem'], p.header.map((h) => [h.position, h.column, h.message])).replace(/^/gm, '  '));
  }
  if (errors.length && errors.every((x) => 'row' in x && 'column' in x)) {
    // table row/column problems
    out.push(textTable(['row', 'column', 'value', 'problem'], errors.map((x) => [x.row, x.column, x.value, `${cell(x.expected)}${x.kind ? ` [${cell(x.kind)}]` : ''}`])));
    const total = typeof p.problemCount === 'number' ? p.problemCount : errors.length;
    if (total > errors.length) out.push(`  … and ${total - errors.length} more`);
    if (p.counts && typeof p.counts === 'object' && Object.keys(p.counts).length) out.push(`  counts: ${Object.entries(p.counts as Record<string, number>).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  } else if (errors.length) {
    for (const x of errors) {
      const path = cell(x.path ?? x.parameter ?? '');
      const value = x.value !== undefined && x.value !== null ? ` = ${JSON.stringify(x.value)}` : '';
      const sugg = Array.isArray(x.suggestions) && x.suggestions.length ? `\n      did you mean: ${(x.suggestions as Array<{ label?: string; curie?: string; iri?: string }>).map((s) => `${s.label} [${s.curie ?? s.iri}]`).join(', ')}` : '';
      out.push(`  ${x.severity === 'Violation' || x.severity === undefined ? '✗' : '!'} ${path || '(node)'}${value}: ${cell(x.message)}${sugg}`);
    }
  }
  for (const k of ['limit', 'offset', 'available', 'allowed']) if (p[k] !== undefined) out.push(`  ${k}: ${cell(p[k])}`);
  return out.join('\n');
}
