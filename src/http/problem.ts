/** RFC 9457 problem details for every error; never a 500 for bad input. */
import type { NextFunction, Request, Response } from 'express';
import { InputError } from '../model/problems.js';
import { InputLimitError } from '../model/input-limits.js';
import { ParseUnavailableError } from '../service/check-pool.js';
import { PreconditionFailedError } from '../service/datasets.js';
import { NotFoundError, ConflictError, ForbiddenError } from '../model/problems.js';
import { StoreError } from '../store/graph-store.js';
import { NotAcceptableError, preferred } from './negotiate.js';
import { storageFailure } from '../util/storage-errors.js';
import { SparqlLimitError } from '../sparql/limits.js';
import { SparqlBusyError } from '../sparql/parse-off-thread.js';

export class HttpError extends Error {
  constructor(readonly status: number, readonly title: string, detail: string, readonly extra: Record<string, unknown> = {}) {
    super(detail);
  }
}

export function sendProblem(res: Response, status: number, title: string, detail: string, extra: Record<string, unknown> = {}) {
  // a problem is never the cacheable representation a route may have announced before failing
  if (status >= 400) { res.removeHeader('ETag'); res.setHeader('Cache-Control', 'no-store'); }
  res.status(status).type('application/problem+json').send(JSON.stringify({
    type: `https://w3id.org/syndb/problems/${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
    title, status, detail, ...extra,
  }, null, 2));
}

export function errorHandler(log: (o: Record<string, unknown>) => void) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err as Error & { status?: number; type?: string; expose?: boolean };
    if (err instanceof InputLimitError) {
      const p = err.problems[0];
      return sendProblem(res, err.status, err.title, `${p.path === '$' ? '' : `${p.path}: `}${p.message}; nothing was stored`, {
        limit: err.setting, max: err.max, errors: err.problems.map((x) => ({ path: x.path, message: x.message, severity: x.severity })),
      });
    }
    if (err instanceof InputError) {
      if (err.report && preferred(req, ['application/problem+json', 'application/json', 'text/turtle']) === 'text/turtle') {
        res.status(err.status).type('text/turtle').send(err.report);
        return;
      }
      return sendProblem(res, err.status, err.title, `${err.problems.length} problem${err.problems.length === 1 ? '' : 's'} found; nothing was stored`, {
        errors: err.problems.map((p) => ({ path: p.path, value: p.value, message: p.message, focusNode: p.focusNode, severity: p.severity, ...(p.suggestions ? { suggestions: p.suggestions } : {}), ...(p.constraint ? { constraint: p.constraint } : {}) })),
      });
    }
    if (err instanceof ParseUnavailableError) {
      res.setHeader('Retry-After', '5');
      return sendProblem(res, 503, 'Service Unavailable', `${err.message}; nothing was stored`);
    }
    if (err instanceof HttpError) return sendProblem(res, err.status, err.title, err.message, err.extra);
    if (err instanceof SparqlBusyError) {
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      return sendProblem(res, 503, 'SPARQL Parser Busy', err.message);
    }
    if (err instanceof SparqlLimitError) {
      return sendProblem(res, 400, 'SPARQL Limit Exceeded', `the request was not run: its ${err.message}; ${err.hint}`, { limit: err.setting, value: err.value, maximum: err.max });
    }
    if (e?.name === 'CitationError') return sendProblem(res, 400, 'Bad Citation Request', e.message);
    if (err instanceof NotFoundError) return sendProblem(res, 404, 'Not Found', err.message);
    if (err instanceof ConflictError) return sendProblem(res, 409, 'Conflict', err.message);
    if (err instanceof PreconditionFailedError) return sendProblem(res, 412, 'Precondition Failed', err.message);
    if (err instanceof ForbiddenError) {
      if (err.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="syndb"');
      return sendProblem(res, err.status, err.status === 401 ? 'Unauthorized' : 'Forbidden', err.message);
    }
    if (err instanceof NotAcceptableError) return sendProblem(res, 406, 'Not Acceptable', err.message, { available: err.offered });
    // the request body broke off (the client went away, a multipart body without its end): the client's fault, nothing stored
    if ((e as { code?: string })?.code === 'ERR_STREAM_PREMATURE_CLOSE' || (e as { code?: string })?.code === 'ECONNRESET') return sendProblem(res, 400, 'Incomplete Body', `${e?.message ?? 'the request body ended early'}; nothing was stored`);
    // a full, read-only or failing disk under the data directory: 503 with what to do, never a 500
    const storage = storageFailure(err, err instanceof StoreError && err.code === 'unavailable');
    if (storage) {
      log({ level: 'error', msg: 'storage failure', errno: storage.errno, method: req.method, path: req.path, error: String(e?.message ?? err) });
      res.setHeader('Retry-After', '60');
      return sendProblem(res, 503, storage.title, `${storage.advice} (${storage.errno}).`, { errno: storage.errno });
    }
    if (err instanceof StoreError) {
      if (err.details.retryAfterS !== undefined) res.setHeader('Retry-After', String(err.details.retryAfterS));
      const fp = err.details.fingerprint ? { fingerprint: err.details.fingerprint } : {};
      if (err.code === 'engine-failure') return sendProblem(res, 422, 'Query Broke The Engine', err.message, fp);
      if (err.code === 'refused') return sendProblem(res, 429, 'Query Refused', err.message, { ...fp, retryAfter: err.details.retryAfterS });
      const status = err.code === 'bad-query' ? 400 : err.code === 'timeout' ? 503 : err.code === 'too-large' ? 413 : 503;
      const tooLarge = req.method === 'GET' || req.method === 'HEAD' ? 'Result Too Large' : 'Too Large For The Store';
      return sendProblem(res, status, err.code === 'bad-query' ? 'Malformed Query' : err.code === 'timeout' ? 'Query Timeout' : err.code === 'too-large' ? tooLarge : 'Store Unavailable', err.message);
    }
    // body-parser errors (size, encoding, JSON)
    if (e?.type === 'entity.too.large') return sendProblem(res, 413, 'Payload Too Large', `the request body is larger than the limit of ${(e as unknown as { limit: number }).limit} bytes`);
    if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return sendProblem(res, 415, 'Unsupported Media Type', e.message);
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return sendProblem(res, e.status, 'Bad Request', e.message);
    log({ level: 'error', msg: 'unhandled error', method: req.method, path: req.path, error: String(e?.stack ?? err) });
    return sendProblem(res, 500, 'Internal Server Error', 'an unexpected error occurred; it has been logged');
  };
}
