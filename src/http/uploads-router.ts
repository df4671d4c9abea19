/**
 * Resumable table uploads (src/service/upload-sessions.ts):
 *
 *   POST   /datasets/{id}/tables/{t}/uploads          {"size": N, "sha256": "…", "triples": bool}
 *          -> 201 + Location …/uploads/{sid} (200 when an open session for the same file is resumed)
 *   HEAD   /datasets/{id}/tables/{t}/uploads/{sid}    Upload-Offset, Upload-Length, Upload-Expires
 *   GET    /datasets/{id}/tables/{t}/uploads/{sid}    the same as JSON
 *   PUT    /datasets/{id}/tables/{t}/uploads/{sid}    Content-Range: bytes a-b/N, the bytes a..b
 *          -> 200 {"offset"} while incomplete; the chunk that completes the file stores the table
 *          (201/200 with the table upload's reply, 422 Invalid Table as a PUT of the table would);
 *          Content-Range: bytes *\/N with an empty body completes (again) without bytes
 *   DELETE /datasets/{id}/tables/{t}/uploads/{sid}    204, the session and its bytes removed
 *
 * A chunk must start at the session's offset (409 with "offset" otherwise). Bytes of a chunk whose
 * connection breaks are kept up to the break: HEAD tells where to go on.
 */
import express, { Router, type Request, type Response } from 'express';
import type { ServiceContext } from '../service/context.js';
import { TableService } from '../service/tables.js';
import { UploadSessions, UploadSessionError, type SessionState } from '../service/upload-sessions.js';
import { callerOf } from './auth.js';
import { HttpError, sendProblem } from './problem.js';
import { sendTableProblem } from './table-problems.js';

const STATUS: Record<UploadSessionError['kind'], [number, string]> = {
  offset: [409, 'Wrong Upload Offset'], busy: [409, 'Upload Busy'], 'too-large': [413, 'Payload Too Large'], range: [416, 'Bad Content-Range'],
  checksum: [422, 'Checksum Mismatch'], 'too-many': [429, 'Too Many Upload Sessions'], 'bad-request': [400, 'Bad Request'],
};

/** `bytes a-b/total` or `bytes *\/total`. */
export function parseContentRange(h: string | undefined): { start?: number; end?: number; total: number } {
  const m = /^\s*bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+)\s*$/i.exec(h ?? '');
  if (!m) throw new HttpError(400, 'Bad Request', `a chunk needs Content-Range: bytes FIRST-LAST/SIZE (or bytes */SIZE to complete), got "${h ?? ''}"`, { header: 'Content-Range' });
  const total = Number(m[3]);
  if (m[1] === undefined) return { total };
  const start = Number(m[1]), end = Number(m[2]);
  if (!(end >= start) || end >= total) throw new HttpError(416, 'Bad Content-Range', `bytes ${start}-${end}/${total} is not a range inside the file`, { header: 'Content-Range' });
  return { start, end, total };
}

export function uploadsRouter(ctx: ServiceContext): Router {
  const r = Router();
  const tables = new TableService(ctx);
  const sessions = new UploadSessions(ctx, tables);
  const base = '/datasets/:id/tables/:compartment/uploads';
  const url = (s: SessionState) => `/datasets/${s.dataset}/tables/${s.compartment}/uploads/${s.id}`;
  const headers = (res: Response, s: SessionState) => {
    res.setHeader('Upload-Offset', String(s.offset));
    res.setHeader('Upload-Length', String(s.size));
    res.setHeader('Upload-Expires', new Date(s.expires).toUTCString());
    res.setHeader('Cache-Control', 'no-store');
  };
  const view = (s: SessionState) => ({ id: s.id, url: url(s), dataset: s.dataset, compartment: s.compartment, size: s.size, offset: s.offset, complete: s.offset === s.size, sha256: s.sha256 ?? null, created: s.created, expires: s.expires });
  const fail = (res: Response, err: unknown) => {
    if (err instanceof UploadSessionError) {
      const [status, title] = STATUS[err.kind];
      if (typeof err.extra.offset === 'number') res.setHeader('Upload-Offset', String(err.extra.offset));
      sendProblem(res, status, title, err.message, err.extra);
      return true;
    }
    return sendTableProblem(res, err);
  };
  const params = (req: Request) => [String(req.params.id), String(req.params.compartment), String(req.params.sid)] as const;

  r.post(base, express.json({ limit: '16kb', type: () => true }), (req, res) => {
    const b = (req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body : {}) as Record<string, unknown>;
    const size = b.size ?? (req.headers['upload-length'] !== undefined ? Number(req.headers['upload-length']) : undefined);
    if (b.triples !== undefined && typeof b.triples !== 'boolean') throw new HttpError(400, 'Bad Request', 'triples must be true or false', { parameter: 'triples' });
    try {
      const s = sessions.open(String(req.params.id), String(req.params.compartment), callerOf(res), {
        size: size as number, sha256: typeof b.sha256 === 'string' ? b.sha256 : undefined, triples: b.triples as boolean | undefined, label: typeof b.name === 'string' ? b.name.slice(0, 200) : undefined,
      });
      headers(res, s);
      res.status(s.resumed ? 200 : 201).location(url(s)).json({ ...view(s), resumed: s.resumed });
    } catch (err) { if (!fail(res, err)) throw err; }
  });

  r.head(`${base}/:sid`, (req, res) => {
    const s = sessions.get(...params(req), callerOf(res));
    headers(res, s);
    res.status(200).end();
  });
  r.get(`${base}/:sid`, (req, res) => {
    const s = sessions.get(...params(req), callerOf(res));
    headers(res, s);
    res.json(view(s));
  });

  r.put(`${base}/:sid`, async (req, res) => {
    const caller = callerOf(res);
    const [id, compartment, sid] = params(req);
    try {
      const range = parseContentRange(req.headers['content-range']);
      let s = sessions.get(id, compartment, sid, caller);
      if (range.start !== undefined) {
        s = await sessions.append(id, compartment, sid, caller, { start: range.start, length: range.end! - range.start + 1, total: range.total }, req);
      } else if (range.total !== s.size) {
        throw new UploadSessionError('range', `the Content-Range total ${range.total} is not the session's size ${s.size}`, { offset: s.offset, size: s.size });
      }
      if (s.offset < s.size) {
        headers(res, s);
        return res.status(200).json(view(s));
      }
      // validating and storing a large table can take longer than the usual request timeout
      req.setTimeout(6 * 3_600_000);
      const existed = (ctx.datasets.entry(id, caller).tables.get('draft') ?? []).includes(s.compartment);
      const result = await sessions.complete(id, compartment, sid, caller);
      res.setHeader('Upload-Offset', String(s.size));
      res.status(existed ? 200 : 201).location(`/datasets/${id}/tables/${s.compartment}?version=draft`).json(result);
    } catch (err) {
      // the client went away mid-chunk: what arrived is kept (the offset says how much), no reply
      if (req.destroyed && !req.complete && !(err instanceof UploadSessionError)) { res.destroy(); return; }
      if (!req.complete) { res.setHeader('Connection', 'close'); req.resume(); }
      if (!fail(res, err)) throw err;
    }
  });

  r.delete(`${base}/:sid`, (req, res) => {
    try {
      sessions.remove(...params(req), callerOf(res));
      res.status(204).end();
    } catch (err) { if (!fail(res, err)) throw err; }
  });
  return r;
}
