/**
 * Resumable table uploads: an upload session receives a CSV file in chunks (each one appended at
 * the offset the session has reached), survives a broken connection and a server restart, and when
 * the last byte is in, feeds the assembled file to TableService.upload (validation and storage as
 * for a PUT of the whole table). The spool files live under <data dir>/upload-sessions/ with the
 * session's description beside them (<sid>.json, <sid>.part).
 *
 * Limits: a session holds at most SYNDB_MAX_UPLOAD_BYTES; one user has at most
 * SYNDB_UPLOAD_SESSIONS open; a session without a chunk for SYNDB_UPLOAD_TTL_MS is removed.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ServiceContext } from './context.js';
import type { Caller } from '../model/caller.js';
import { ConflictError, NotFoundError } from '../model/problems.js';
import type { TableService, UploadResult } from './tables.js';

export interface UploadSession {
  id: string;
  dataset: string;
  compartment: string;
  user: string;
  /** Size of the whole file, bytes. */
  size: number;
  /** SHA-256 of the whole file (hex), when the client gave it: checked before the table is stored. */
  sha256?: string;
  /** ?triples= of the table upload. */
  triples?: boolean;
  /** A label for provenance (the client's file name). */
  label?: string;
  created: string;
  /** Last chunk (or creation). */
  updated: string;
}

export interface SessionState extends UploadSession { offset: number; expires: string }

/** Why a session refuses a request: kind says which (the HTTP layer maps it to a status). */
export class UploadSessionError extends Error {
  constructor(readonly kind: 'offset' | 'busy' | 'too-large' | 'range' | 'checksum' | 'too-many' | 'bad-request', message: string, readonly extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'UploadSessionError';
  }
}

const SID = /^[0-9a-f-]{36}$/;

export class UploadSessions {
  private readonly dir: string;
  private readonly busy = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly ctx: ServiceContext, private readonly tables: TableService) {
    this.dir = join(ctx.config.dataDir, 'upload-sessions');
  }

  private ensureDir() {
    mkdirSync(this.dir, { recursive: true });
    if (!this.timer) {
      // expired sessions go away even when nobody asks for them
      this.timer = setInterval(() => { try { this.sweep(); } catch { /* next time */ } }, Math.min(this.ctx.config.uploadTtlMs, 3_600_000));
      this.timer.unref();
    }
  }

  private meta(sid: string) { return join(this.dir, `${sid}.json`); }
  private part(sid: string) { return join(this.dir, `${sid}.part`); }

  private read(sid: string): UploadSession | undefined {
    if (!SID.test(sid) || !existsSync(this.meta(sid))) return undefined;
    try { return JSON.parse(readFileSync(this.meta(sid), 'utf8')) as UploadSession; } catch { return undefined; }
  }

  private write(s: UploadSession) {
    const tmp = `${this.meta(s.id)}.tmp`;
    writeFileSync(tmp, JSON.stringify(s, null, 2));
    renameSync(tmp, this.meta(s.id));
  }

  private expiresAt(s: UploadSession) { return Date.parse(s.updated) + this.ctx.config.uploadTtlMs; }

  private state(s: UploadSession): SessionState {
    return { ...s, offset: this.offset(s.id), expires: new Date(this.expiresAt(s)).toISOString() };
  }

  private offset(sid: string) {
    try { return statSync(this.part(sid)).size; } catch { return 0; }
  }

  private removeFiles(sid: string) {
    rmSync(this.part(sid), { force: true });
    rmSync(this.meta(sid), { force: true });
  }

  /** Remove expired sessions (not one being written). Returns how many. */
  sweep(now = Date.now()): number {
    if (!existsSync(this.dir)) return 0;
    let n = 0;
    for (const f of readdirSync(this.dir)) {
      const sid = f.replace(/\.(json|part|json\.tmp)$/, '');
      if (!f.endsWith('.json') || this.busy.has(sid)) continue;
      const s = this.read(sid);
      if (!s || this.expiresAt(s) <= now) { this.removeFiles(sid); n++; }
    }
    return n;
  }

  private all(): UploadSession[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir).filter((f) => f.endsWith('.json')).map((f) => this.read(f.slice(0, -5))).filter((s): s is UploadSession => !!s);
  }

  /**
   * Open a session for a table of the dataset's draft (permission, compartment and draft are
   * checked now). A session of the same user for the same table, size and SHA-256 that is still
   * open is returned instead (resumed: true): a client that lost its session id resumes by
   * asking again.
   */
  open(dataset: string, compartment: string, caller: Caller, o: { size: number; sha256?: string; triples?: boolean; label?: string }): SessionState & { resumed: boolean } {
    const e = this.ctx.datasets.entry(dataset, caller);
    this.ctx.datasets.requireWrite(e, caller);
    const slug = this.tables.schema(compartment).slug;
    if (!e.hasDraft) throw new ConflictError(`dataset "${dataset}" has no draft; tables are uploaded to a draft (PUT /datasets/${dataset} starts a new one)`);
    if (!Number.isSafeInteger(o.size) || o.size < 1) throw new UploadSessionError('bad-request', `size must be the file's size in bytes, a whole number of at least 1 (got ${JSON.stringify(o.size)})`, { parameter: 'size' });
    if (o.size > this.ctx.config.maxUploadBytes) throw new UploadSessionError('too-large', `the file of ${o.size} bytes is larger than the limit of ${this.ctx.config.maxUploadBytes} bytes (SYNDB_MAX_UPLOAD_BYTES)`, { limit: this.ctx.config.maxUploadBytes });
    if (o.sha256 !== undefined && !/^[0-9a-f]{64}$/i.test(o.sha256)) throw new UploadSessionError('bad-request', 'sha256 must be 64 hexadecimal digits (the SHA-256 of the whole file)', { parameter: 'sha256' });
    this.ensureDir();
    this.sweep();
    const user = caller.user ?? 'anonymous';
    const mine = this.all().filter((s) => s.user === user);
    const same = o.sha256 && mine.find((s) => s.dataset === dataset && s.compartment === slug && s.size === o.size && s.sha256 === o.sha256?.toLowerCase() && (s.triples ?? null) === (o.triples ?? null));
    if (same) return { ...this.state(same), resumed: true };
    if (mine.length >= this.ctx.config.uploadSessionsPerUser) {
      throw new UploadSessionError('too-many', `you have ${mine.length} open upload sessions, the limit (SYNDB_UPLOAD_SESSIONS); finish or DELETE one first`, { sessions: mine.map((s) => `/datasets/${s.dataset}/tables/${s.compartment}/uploads/${s.id}`) });
    }
    const now = new Date().toISOString();
    const s: UploadSession = { id: randomUUID(), dataset, compartment: slug, user, size: o.size, sha256: o.sha256?.toLowerCase(), triples: o.triples, label: o.label, created: now, updated: now };
    writeFileSync(this.part(s.id), '');
    this.write(s);
    return { ...this.state(s), resumed: false };
  }

  /** A session of the caller (admins: any); unknown, expired or someone else's: 404. */
  get(dataset: string, compartment: string, sid: string, caller: Caller): SessionState {
    const s = this.read(sid);
    const slug = this.tables.schema(compartment).slug;
    const owner = s && (s.user === (caller.user ?? 'anonymous') || caller.role === 'admin');
    if (!s || !owner || s.dataset !== dataset || s.compartment !== slug) throw new NotFoundError(`no upload session ${sid} for the ${slug} table of "${dataset}" (finished, expired, or never opened)`);
    if (this.expiresAt(s) <= Date.now() && !this.busy.has(sid)) {
      this.removeFiles(sid);
      throw new NotFoundError(`the upload session ${sid} expired (no chunk for ${Math.round(this.ctx.config.uploadTtlMs / 60000)} minutes, SYNDB_UPLOAD_TTL_MS); start a new one`);
    }
    return this.state(s);
  }

  /**
   * Append a chunk that starts at `start` (which must be the session's offset) and holds at most
   * `length` bytes. What arrives is written as it arrives: when the connection breaks, the bytes
   * received so far stay and the offset tells where to go on. Returns the new offset.
   */
  async append(dataset: string, compartment: string, sid: string, caller: Caller, range: { start: number; length: number; total: number }, source: Readable): Promise<SessionState> {
    const s = this.get(dataset, compartment, sid, caller);
    if (range.total !== s.size) throw new UploadSessionError('range', `the Content-Range total ${range.total} is not the session's size ${s.size}`, { offset: s.offset, size: s.size });
    if (range.start + range.length > s.size) throw new UploadSessionError('range', `bytes ${range.start}-${range.start + range.length - 1} lie beyond the end of the file (${s.size} bytes)`, { offset: s.offset, size: s.size });
    if (this.busy.has(sid)) throw new UploadSessionError('busy', `another request is writing to upload session ${sid}; wait for it to finish or break off`, { offset: s.offset });
    if (range.start !== s.offset) throw new UploadSessionError('offset', `the chunk starts at byte ${range.start}, but the session has ${s.offset} bytes; send the bytes from ${s.offset} on`, { offset: s.offset, size: s.size });
    this.busy.add(sid);
    let written = 0;
    try {
      const fh = await open(this.part(sid), 'a');
      try {
        for await (const chunk of source) {
          const b = chunk as Buffer;
          if (written + b.length > range.length) {
            throw new UploadSessionError('range', `the body is longer than the ${range.length} bytes its Content-Range announces`, { offset: s.offset + written });
          }
          await fh.write(b);
          written += b.length;
        }
      } finally {
        await fh.close();
      }
    } finally {
      this.busy.delete(sid);
      const cur = this.read(sid);
      if (cur) this.write({ ...cur, updated: new Date().toISOString() });
    }
    return this.state(this.read(sid) ?? s);
  }

  /**
   * Once every byte is in: check the SHA-256 (when given), store the table from the assembled
   * file (TableService.upload: validation, Parquet, triples, provenance), remove the session.
   * A rejected table removes the session too (the file must change); a failure of the server
   * (disk, store) keeps it, so the same request can be sent again.
   */
  async complete(dataset: string, compartment: string, sid: string, caller: Caller): Promise<UploadResult & { upload: { id: string; size: number } }> {
    const s = this.get(dataset, compartment, sid, caller);
    if (s.offset !== s.size) throw new UploadSessionError('offset', `the session has ${s.offset} of ${s.size} bytes; send the rest first`, { offset: s.offset, size: s.size });
    if (this.busy.has(sid)) throw new UploadSessionError('busy', `upload session ${sid} is being completed by another request`, { offset: s.offset });
    this.busy.add(sid);
    try {
      if (s.sha256) {
        const h = createHash('sha256');
        await pipeline(createReadStream(this.part(sid), { highWaterMark: 1 << 20 }), h);
        const got = h.digest('hex');
        if (got !== s.sha256) {
          this.removeFiles(sid);
          throw new UploadSessionError('checksum', `the assembled file's SHA-256 is ${got}, not ${s.sha256} as announced; nothing was stored and the session is removed: upload the file again`, { expected: s.sha256, received: got });
        }
      }
      let result: UploadResult;
      try {
        result = await this.tables.upload(dataset, s.compartment, createReadStream(this.part(sid), { highWaterMark: 1 << 20 }), caller, { mediaType: 'text/csv', triples: s.triples, label: s.label });
      } catch (err) {
        const name = (err as Error).name;
        const code = (err as { code?: string }).code ?? '';
        if (name === 'TableRejected' || code.startsWith('CSV_')) this.removeFiles(sid);
        throw err;
      }
      this.removeFiles(sid);
      return { ...result, upload: { id: sid, size: s.size } };
    } finally {
      this.busy.delete(sid);
    }
  }

  /** Abandon a session (its bytes are removed). */
  remove(dataset: string, compartment: string, sid: string, caller: Caller) {
    this.get(dataset, compartment, sid, caller);
    if (this.busy.has(sid)) throw new UploadSessionError('busy', `upload session ${sid} is being written; try again when the request ends`);
    this.removeFiles(sid);
  }

  close() { if (this.timer) clearInterval(this.timer); }
}
