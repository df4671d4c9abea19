/**
 * HTTP caching of what we serve (RFC 9111, RFC 8246 `immutable`), decided by what a response shows:
 *  - the files of a published version named by its version (table files, assets): the same bytes
 *    forever, so `public, max-age=31536000, immutable` with a strong ETag (their SHA-256);
 *  - anything that can change (the latest version under the concept IRI, metadata of a version
 *    that gains relations and DOIs as the dataset grows): `no-cache`, stored but revalidated
 *    every time (a strong ETag makes that a 304);
 *  - drafts, and everything of a dataset that is not public: `private, no-store`.
 * A request that carries credentials never gets `public` (a shared cache would hand its answer to
 * others). `If-None-Match` is compared with the weak comparison RFC 9110 §13.1.2 prescribes.
 */
import type { Request, Response } from 'express';

export const ONE_YEAR = 31_536_000;
export const IMMUTABLE = `public, max-age=${ONE_YEAR}, immutable`;
export const REVALIDATE = 'no-cache';
export const NO_STORE = 'private, no-store';

export type Cacheability = 'immutable' | 'revalidate' | 'no-store';

/** What a version's response may be cached as: `pinned` = the request names the version (it cannot come to mean another one). */
export function cacheabilityOf(version: number | 'draft' | undefined, opts: { pinned: boolean; isPublic: boolean }): Cacheability {
  if (version === undefined || version === 'draft' || !opts.isPublic) return 'no-store';
  return opts.pinned ? 'immutable' : 'revalidate';
}

/** Set Cache-Control (credentialed requests never `public`). */
export function setCaching(req: Request, res: Response, kind: Cacheability): void {
  const value = kind === 'immutable' ? IMMUTABLE : kind === 'revalidate' ? REVALIDATE : NO_STORE;
  res.setHeader('Cache-Control', req.headers.authorization && kind === 'immutable' ? value.replace('public', 'private') : value);
}

/** Does If-None-Match name this ETag (or `*`)? Weak comparison: W/"x" matches "x" (RFC 9110 §13.1.2). */
export function ifNoneMatchHits(req: Request, etag: string): boolean {
  const field = req.headers['if-none-match'];
  if (!field) return false;
  if (field.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return [...field.matchAll(/(?:W\/)?"[^"]*"/g)].some((m) => m[0].replace(/^W\//, '') === opaque);
}

/**
 * Answer 304 Not Modified when If-None-Match names the ETag set on the response (GET and HEAD);
 * true when it did. The 304 keeps the validator and caching headers and drops those of the body
 * (RFC 9110 §15.4.5). The origin evaluates the precondition whatever request Cache-Control says
 * (`no-cache` there is addressed to caches: RFC 9111 §5.2.1.4; fetch() sends it with every
 * conditional request).
 */
export function notModified(req: Request, res: Response): boolean {
  const etag = res.getHeader('ETag');
  if ((req.method !== 'GET' && req.method !== 'HEAD') || typeof etag !== 'string' || !ifNoneMatchHits(req, etag)) return false;
  for (const h of ['Content-Length', 'Content-Type', 'Content-Disposition', 'X-Row-Count', 'Digest']) res.removeHeader(h);
  res.status(304).end();
  return true;
}

/** Set the strong ETag of a file response (its SHA-256); true (and a 304 sent) when the client holds it already. */
export function fileValidator(req: Request, res: Response, sha256: string): boolean {
  res.setHeader('ETag', `"${sha256}"`);
  return notModified(req, res);
}
