/**
 * multipart/form-data bodies (RFC 7578), read with busboy under limits: at most `parts` parts and
 * `fields` text fields, text fields of at most `fieldSize` bytes, files of at most `fileSize`
 * bytes; part headers of at most 16 KiB (busboy's own bound). Past a limit the whole request is
 * refused (413), never truncated; a malformed body (no boundary, a broken part header, no closing
 * boundary) is a 400. A file part is streamed and ends only when the whole body has been read and
 * found well-formed, so a body that breaks off or goes wrong after the file never counts as a
 * complete upload.
 */
import busboy, { type Busboy } from 'busboy';
import type { IncomingHttpHeaders } from 'node:http';
import { finished, PassThrough, type Readable } from 'node:stream';
import { HttpError } from './problem.js';

export interface MultipartLimits {
  /** Most parts, text fields and files together. */
  parts: number;
  /** Most text fields (parts without a filename). */
  fields: number;
  /** Longest text field, bytes. */
  fieldSize: number;
  /** Largest file part, bytes. */
  fileSize: number;
}

/** One part of a form read whole: text fields as their text, files as their bytes. */
export interface FormPart {
  name: string;
  /** The filename of the Content-Disposition (without any path); undefined for a text field. */
  filename?: string;
  /** The part's media type without parameters; text/plain when the part has no Content-Type (RFC 7578 §4.4). */
  mimeType: string;
  data: Buffer | string;
}

export interface StreamedFile {
  /** The text fields before the file part. */
  fields: Record<string, string>;
  filename: string;
  mimeType: string;
  /** The file's bytes; fails with the request's problem (400, 413) when the body is refused after the file began. */
  stream: Readable;
}

const tooLarge = (detail: string, limit: number) => new HttpError(413, 'Payload Too Large', `multipart/form-data: ${detail}; nothing was stored`, { limit });

/** A busboy error (or a broken connection) as the client's problem. */
function problem(err: Error): Error {
  if (err instanceof HttpError) return err;
  const code = (err as { code?: string }).code;
  if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET') return err; // problem.ts: 400 Incomplete Body
  const detail: Record<string, string> = {
    'Multipart: Boundary not found': 'the Content-Type has no boundary parameter',
    'Malformed content type': 'the Content-Type is malformed',
    'Malformed part header': 'a part header is malformed or longer than 16 KiB',
    'Unexpected end of form': 'the body ended before the closing boundary',
    'Unexpected end of file': 'the body ended before the closing boundary',
  };
  return new HttpError(400, 'Bad Request', `multipart/form-data: ${detail[err.message] ?? err.message}; nothing was stored`);
}

/**
 * A busboy parser for a body of `contentType` under `limits`, calling `fail` once with the
 * request's problem. busboy's limits are reached at their value (a field of exactly fieldSize
 * bytes counts as truncated, the last of `parts` parts as the limit): each is set one higher, so
 * that reaching it means going past ours.
 */
function parser(contentType: string, limits: MultipartLimits, fail: (err: Error) => void): Busboy {
  let bb: Busboy;
  try {
    bb = busboy({
      headers: { 'content-type': contentType },
      defParamCharset: 'utf8',
      limits: { parts: limits.parts + 1, fields: limits.fields, fieldSize: limits.fieldSize + 1, fileSize: limits.fileSize + 1 },
    });
  } catch (e) {
    throw problem(e as Error);
  }
  bb.on('error', (e: Error) => fail(problem(e)));
  bb.on('partsLimit', () => fail(tooLarge(`more than ${limits.parts} parts`, limits.parts)));
  bb.on('fieldsLimit', () => fail(tooLarge(`more than ${limits.fields} text fields`, limits.fields)));
  bb.on('field', (name, _value, info) => {
    if (info.valueTruncated) fail(tooLarge(`the field "${name}" is longer than ${limits.fieldSize} bytes`, limits.fieldSize));
  });
  return bb;
}

/** Every part of a multipart/form-data body that has been read whole (in order). */
export function readParts(body: Buffer, contentType: string, limits: MultipartLimits): Promise<FormPart[]> {
  return new Promise((resolve, reject) => {
    let failed = false;
    const fail = (err: Error) => { if (!failed) { failed = true; reject(err); } };
    const bb = parser(contentType, limits, fail);
    const parts: FormPart[] = [];
    bb.on('field', (name, value, info) => parts.push({ name, mimeType: info.mimeType, data: value }));
    bb.on('file', (name, file, info) => {
      const part: FormPart = { name, filename: info.filename, mimeType: info.mimeType, data: Buffer.alloc(0) };
      parts.push(part);
      const chunks: Buffer[] = [];
      file.on('data', (c: Buffer) => chunks.push(c));
      file.on('end', () => { part.data = Buffer.concat(chunks); });
      file.on('limit', () => fail(tooLarge(`the file part "${info.filename ?? name}" is larger than ${limits.fileSize} bytes`, limits.fileSize)));
      file.on('error', (e: Error) => fail(problem(e)));
    });
    bb.on('finish', () => { if (!failed) resolve(parts); });
    bb.end(body);
  });
}

/**
 * Stream the first file part (a part with a filename) of the request's multipart/form-data body;
 * the text fields before it are collected, later parts are read and dropped. Resolves when the
 * file part's headers have been read; rejects when the body has no file part or is refused
 * before it. `fileTooLarge` gives the error a file over limits.fileSize fails with.
 */
export function streamFirstFile(req: Readable & { headers: IncomingHttpHeaders }, limits: MultipartLimits, fileTooLarge: (limit: number) => Error): Promise<StreamedFile> {
  return new Promise((resolve, reject) => {
    let out: PassThrough | undefined;
    let failed = false;
    const fields: Record<string, string> = {};
    let bb: Busboy | undefined;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      if (bb) { const b = bb; req.unpipe(b); process.nextTick(() => b.destroy()); } // not inside busboy's own event
      req.resume(); // drain the rest, so the problem can be sent
      if (out) out.destroy(err); else reject(err);
    };
    try {
      bb = parser(req.headers['content-type'] ?? '', limits, fail);
    } catch (e) {
      fail(e as Error);
      return;
    }
    bb.on('field', (name, value) => { if (!out) fields[name] = value; });
    bb.on('file', (_name, file, info) => {
      file.on('error', (e: Error) => fail(problem(e)));
      if (out || info.filename === undefined || failed) { file.resume(); return; }
      const stream = out = new PassThrough();
      // its reader sees a failure (pipeline); when nobody reads it any more it must not end the process
      stream.on('error', () => undefined);
      file.on('limit', () => fail(fileTooLarge(limits.fileSize)));
      file.pipe(stream, { end: false });
      resolve({ fields: { ...fields }, filename: info.filename, mimeType: info.mimeType, stream });
    });
    // the file ends when the whole body has been read and found well-formed
    bb.on('finish', () => {
      if (failed) return;
      if (out) out.end();
      else fail(new HttpError(400, 'Bad Request', 'multipart/form-data: no file part (a part with a filename in its Content-Disposition)'));
    });
    finished(req, (err) => { if (err) fail(err); });
    req.pipe(bb);
  });
}
