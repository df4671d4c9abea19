/**
 * HTTP for the remote store: keep-alive connection reuse (one undici connection pool per store),
 * requests that may take long (a server-side copy of a million quads with an IRI rewrite takes
 * about 40 s on Virtuoso; Node's global fetch gives up waiting for response headers after 300 s),
 * HTTP Basic or Digest
 * authentication (answering the server's challenge; a password without a user is sent as a
 * bearer token), retries with exponential back-off for
 * transient failures (connection refused/reset, 502/503/504), and errors that say what to fix.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Agent, fetch } from 'undici';
import { StoreError } from '../graph-store.js';
import { storeLog, type StoreLogger } from '../store-log.js';

export interface HttpOptions {
  user?: string;
  password?: string;
  /** Retries of a transient failure (default 6: 0.2, 0.4, 0.8, 1.6, 3.2, 6.4 s, ≈ 13 s in all). */
  retries?: number;
  /** First back-off delay, ms (default 200); doubled each retry. */
  backoffMs?: number;
  logger?: StoreLogger;
  /**
   * Longest wait for the server's answer to one request (ms, default 3,600,000). Queries have
   * their own, shorter timeouts; this bounds the long writes (bulk copies, large switches).
   */
  requestTimeoutMs?: number;
}

export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Raised for an HTTP status the caller did not expect (after retries). */
export class HttpStatusError extends Error {
  constructor(readonly status: number, readonly url: string, readonly body: string) {
    super(`HTTP ${status} from ${url}: ${body.trim().slice(0, 500)}`);
  }
}

const TRANSIENT_STATUS = new Set([502, 503, 504]);
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'EAI_AGAIN', 'EHOSTUNREACH']);

function errCode(e: unknown): string | undefined {
  let cur = e as { code?: string; cause?: unknown } | undefined;
  for (let i = 0; cur && i < 5; i++) {
    if (typeof cur.code === 'string') return cur.code;
    cur = cur.cause as typeof cur;
  }
  return undefined;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

interface DigestChallenge { realm: string; nonce: string; qop?: string; opaque?: string; algorithm?: string }

function parseChallenge(h: string): DigestChallenge | undefined {
  if (!/^\s*Digest\s/i.test(h)) return undefined;
  const out: Record<string, string> = {};
  for (const m of h.replace(/^\s*Digest\s+/i, '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) out[m[1].toLowerCase()] = m[2] ?? m[3];
  if (!out.nonce || out.realm === undefined) return undefined;
  return { realm: out.realm, nonce: out.nonce, qop: out.qop, opaque: out.opaque, algorithm: out.algorithm };
}

/** Response headers accepted from the server (see the Agent below). */
const MAX_REPLY_HEADER_BYTES = 4 * 1024 * 1024;

export class RemoteHttp {
  private digest?: DigestChallenge & { nc: number };
  /** Set once the server asked for Basic (credentials are never sent before a challenge asks for them). */
  private basic = false;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly warn: (m: string) => void;
  private readonly agent: Agent;

  constructor(private readonly opts: HttpOptions = {}) {
    const wait = opts.requestTimeoutMs ?? 3_600_000;
    // Virtuoso echoes every named-graph-uri of a query as an X-SPARQL-named-graph header: with a few
    // hundred graphs that is more than undici's 16 KiB default, and every query would fail
    this.agent = new Agent({ headersTimeout: wait, bodyTimeout: wait, maxHeaderSize: MAX_REPLY_HEADER_BYTES });
    this.retries = opts.retries ?? 6;
    this.backoffMs = opts.backoffMs ?? 200;
    this.warn = storeLog(opts.logger, 'remote-store').warn;
  }

  private authHeader(method: string, url: string): string | undefined {
    const { user, password } = this.opts;
    // a password without a user is a bearer token (e.g. QLever's access token), sent with every request
    if (user === undefined) return password ? `Bearer ${password}` : undefined;
    if (!this.digest && !this.basic) return undefined;
    if (!this.digest) return `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}`;
    const d = this.digest;
    const u = new URL(url);
    const uri = u.pathname + u.search;
    const ha1 = md5(`${user}:${d.realm}:${password ?? ''}`);
    const ha2 = md5(`${method}:${uri}`);
    const nc = (++d.nc).toString(16).padStart(8, '0');
    const cnonce = randomBytes(8).toString('hex');
    const qop = d.qop?.split(',').map((s) => s.trim()).includes('auth') ? 'auth' : undefined;
    const response = qop ? md5(`${ha1}:${d.nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${d.nonce}:${ha2}`);
    let h = `Digest username="${user}", realm="${d.realm}", nonce="${d.nonce}", uri="${uri}", response="${response}"`;
    if (d.algorithm) h += `, algorithm=${d.algorithm}`;
    if (qop) h += `, qop=${qop}, nc=${nc}, cnonce="${cnonce}"`;
    if (d.opaque !== undefined) h += `, opaque="${d.opaque}"`;
    return h;
  }

  /**
   * Send a request; retries transient failures with back-off. `what` names the operation in errors.
   * Resolves with any status the server answers (callers check it), except 401 after a failed
   * authentication, which becomes a StoreError naming the settings to check.
   */
  async send(
    method: string,
    url: string,
    init: { headers?: Record<string, string>; body?: string; signal?: AbortSignal; what: string; retry?: boolean },
  ): Promise<HttpReply> {
    const maxRetries = init.retry === false ? 0 : this.retries;
    let delay = this.backoffMs;
    let authTries = 0;
    for (let attempt = 0; ; ) {
      const headers: Record<string, string> = { ...init.headers };
      const auth = this.authHeader(method, url);
      if (auth) headers.authorization = auth;
      let reply: HttpReply;
      try {
        // the agent keeps connections alive and reuses them (one pool per origin)
        const res = await fetch(url, { method, headers, body: init.body, signal: init.signal, dispatcher: this.agent });
        const h: Record<string, string> = {};
        res.headers.forEach((v, k) => { h[k] = v; });
        reply = { status: res.status, headers: h, body: await res.text() };
      } catch (e) {
        if (init.signal?.aborted) throw e;
        const code = errCode(e);
        if (code && TRANSIENT_CODES.has(code) && attempt < maxRetries) {
          attempt++;
          this.warn(`${init.what}: ${code} from ${new URL(url).origin}; retry ${attempt}/${maxRetries} in ${delay} ms`);
          await sleep(delay, init.signal);
          delay *= 2;
          continue;
        }
        if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
          throw new StoreError(`${init.what}: the SPARQL server at ${new URL(url).origin} did not answer within ${Math.round((this.opts.requestTimeoutMs ?? 3_600_000) / 1000)} s`, 'timeout');
        }
        const hint = code === 'ECONNREFUSED' ? ' (nothing listens there: is the SPARQL server running, and is SYNDB_STORE right?)' : code === 'ENOTFOUND' ? ' (unknown host name in SYNDB_STORE)' : '';
        const cause = (e as { cause?: Error }).cause?.message;
        throw new StoreError(`${init.what}: the SPARQL server at ${new URL(url).origin} is not reachable${attempt ? ` after ${attempt + 1} attempts` : ''}: ${code ?? cause ?? (e as Error).message}${hint}`, 'unavailable');
      }
      if (reply.status === 401) {
        const challenge = (reply.headers['www-authenticate'] ?? '').split(/,\s*(?=(?:Basic|Digest|Bearer)\s)/i).filter(Boolean);
        const digest = challenge.map(parseChallenge).find((c) => c);
        if (this.opts.user !== undefined && digest && authTries < 2 && (!this.digest || this.digest.nonce !== digest.nonce)) {
          this.digest = { ...digest, nc: 0 };
          authTries++;
          continue;
        }
        if (this.opts.user !== undefined && !digest && !this.basic && authTries < 1 && challenge.some((c) => /^\s*Basic\b/i.test(c))) {
          this.basic = true;
          authTries++;
          continue;
        }
        throw new StoreError(
          this.opts.user === undefined && this.opts.password
            ? `${init.what}: the SPARQL server at ${url} rejected the bearer token in SYNDB_STORE_PASSWORD (HTTP 401)`
            : this.opts.user === undefined
            ? `${init.what}: the SPARQL server at ${url} requires authentication (${challenge.join('; ') || 'HTTP 401'}); set SYNDB_STORE_USER and SYNDB_STORE_PASSWORD`
            : `${init.what}: the SPARQL server at ${url} rejected the credentials of user "${this.opts.user}" (HTTP 401); check SYNDB_STORE_USER and SYNDB_STORE_PASSWORD`,
          'unavailable',
        );
      }
      if (TRANSIENT_STATUS.has(reply.status) && attempt < maxRetries) {
        attempt++;
        this.warn(`${init.what}: HTTP ${reply.status} from ${new URL(url).origin}; retry ${attempt}/${maxRetries} in ${delay} ms`);
        await sleep(delay, init.signal);
        delay *= 2;
        continue;
      }
      return reply;
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason as Error);
    }, { once: true });
  });
}
