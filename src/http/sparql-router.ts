/**
 * /sparql: the SPARQL 1.1 Protocol (query and update), the service description and, for
 * browsers, a query editor.
 *
 * Query: GET ?query=, POST application/x-www-form-urlencoded (query=…) or application/sparql-query,
 * with default-graph-uri / named-graph-uri. The caller's dataset is limited to the graphs it may
 * read; FROM / FROM NAMED / default-graph-uri / named-graph-uri only narrow it (a graph the caller
 * may not read behaves exactly like a graph that does not exist). SERVICE is refused.
 * Update: POST form update=… or application/sparql-update, with using-graph-uri /
 * using-named-graph-uri; token required; see service/sparql-update.ts for the rules.
 */
import express, { Router, type Request, type Response } from 'express';
import type { ServiceContext } from '../service/context.js';
import { callerOf } from './auth.js';
import { HttpError } from './problem.js';
import { negotiate } from './negotiate.js';
import { queryString } from './query-string.js';
import { StoreError } from '../store/graph-store.js';
import { sparqlQueries } from '../service/sparql-query.js';
import { errorPosition, sparqlWrites, UpdateRequestError } from '../service/sparql-update.js';
import { UpdateTimeoutError } from '../service/scratch-update.js';
import { parseQueryAsync, analyseQuery, SparqlSyntaxError, type QueryAnalysis } from '../sparql/index.js';
import { serviceDescription, SD_MEDIA_TYPES } from './service-description.js';
import { editorPage, editorAsset, yasguiFile, YASGUI_PATH } from './sparql-editor/page.js';

export const SELECT_TYPES = ['application/sparql-results+json', 'application/sparql-results+xml', 'text/csv', 'text/tab-separated-values', 'application/json', 'application/xml'];
export const GRAPH_TYPES = ['text/turtle', 'application/n-triples', 'application/ld+json', 'application/rdf+xml', 'application/trig', 'application/n-quads'];

/**
 * The query parsed under the configured limits (before any engine sees it): its form, dataset
 * clauses and SERVICE. A limit is a 400 naming it (SparqlLimitError, problem.ts); a syntax error a
 * 400 with its position.
 */
export async function checkedQuery(query: string, base: string, ctx: ServiceContext): Promise<QueryAnalysis> {
  try {
    return analyseQuery((await parseQueryAsync(query, { base, limits: ctx.config.sparqlLimits })).tree);
  } catch (e) {
    if (e instanceof SparqlSyntaxError) {
      const pos = e.position;
      const line = pos ? query.split(/\r\n|\r|\n/)[pos.line - 1] : undefined;
      throw new HttpError(400, 'Malformed Query', `the query is not valid SPARQL 1.1: ${e.message}`, pos ? { line: pos.line, column: pos.column, near: line?.slice(Math.max(0, pos.column - 30), pos.column + 30) } : {});
    }
    throw e;
  }
}

type Params = Map<string, string[]>;

function paramsOf(search: string): Params {
  const m: Params = new Map();
  for (const [k, v] of new URLSearchParams(search)) m.set(k, [...(m.get(k) ?? []), v]);
  return m;
}

function single(p: Params, name: string): string | undefined {
  const v = p.get(name);
  if (!v) return undefined;
  if (v.length > 1) throw new HttpError(400, 'Bad Request', `the request has ${v.length} "${name}" parameters; send exactly one ${name === 'update' ? 'update request' : 'query'}`);
  return v[0];
}

const absolute = (s: string) => /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|^`\\]*$/.test(s);

/** Decode a body as UTF-8 text; any other declared charset is a 415. */
function utf8Body(req: Request, what: string): string {
  const ct = req.headers['content-type'] ?? '';
  const cs = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(ct)?.[1];
  if (cs && !/^utf-?8$/i.test(cs)) throw new HttpError(415, 'Unsupported Media Type', `${what} must be UTF-8 (SPARQL 1.1 Protocol); the request declares charset=${cs}`);
  const buf: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const text = new TextDecoder('utf-8', { fatal: true });
  try {
    return text.decode(buf);
  } catch {
    throw new HttpError(400, 'Bad Request', `${what} is not valid UTF-8`);
  }
}

/** Choose a result media type: ?format= (or ?output=, as SPARQLWrapper sends) first, then Accept; 406 if none fits. */
function chooseType(req: Request, p: Params, offers: string[]): string {
  // short names as SPARQL clients send them, read by result kind
  const aliases: Record<string, string> = offers.includes('application/sparql-results+json')
    ? { xml: 'application/sparql-results+xml', json: 'application/sparql-results+json' }
    : { xml: 'application/rdf+xml', json: 'application/ld+json', n3: 'text/turtle', 'rdf+xml': 'application/rdf+xml', 'json-ld': 'application/ld+json' };
  return negotiate(req, offers, { format: single(p, 'format') ?? single(p, 'output'), aliases });
}

export function sparqlRouter(ctx: ServiceContext): Router {
  const r = Router();
  const writes = sparqlWrites(ctx);
  const queries = sparqlQueries(ctx);
  const endpoint = (req: Request) => `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}/sparql`;

  async function runQuery(req: Request, res: Response, query: string, p: Params) {
    const caller = callerOf(res);
    const base = `${ctx.iris.base}/`;
    const a = await checkedQuery(query, base, ctx);
    if (a.usesService) throw new HttpError(400, 'Malformed Query', 'SERVICE (federated query) is not available on this endpoint');
    // empty values (some clients send `default-graph-uri=`) name no graph
    const dg = (p.get('default-graph-uri') ?? []).filter((g) => g.trim() !== '');
    const ng = (p.get('named-graph-uri') ?? []).filter((g) => g.trim() !== '');
    for (const g of [...dg, ...ng]) if (!absolute(g)) throw new HttpError(400, 'Bad Request', `default-graph-uri / named-graph-uri "${g}" is not an absolute IRI`);
    const graphForm = a.form === 'CONSTRUCT' || a.form === 'DESCRIBE';
    const type = chooseType(req, p, graphForm ? GRAPH_TYPES : SELECT_TYPES);
    const engineType = type === 'application/json' ? 'application/sparql-results+json' : type === 'application/xml' ? 'application/sparql-results+xml' : type === 'application/ld+json' ? 'application/n-triples' : type;
    const limit = ctx.config.queryTimeoutMs;
    const asked = Number(single(p, 'timeout'));
    const timeoutMs = Number.isFinite(asked) && asked > 0 ? Math.min(asked, limit) : limit;
    let result;
    try {
      result = await queries.query(caller, query, { defaultGraphUri: dg, namedGraphUri: ng, from: a.from, fromNamed: a.fromNamed }, { format: engineType, timeoutMs, baseIri: base });
    } catch (e) {
      if (e instanceof StoreError && e.code === 'bad-query') throw badQuery(e.message, query);
      // the server was busy (the query waited for an engine): 503, retry later. The query ran its
      // whole time budget: 422, the same query would fail again; narrow it.
      if (e instanceof StoreError && e.code === 'timeout' && e.details.retryAfterS !== undefined) throw e;
      if (e instanceof StoreError && e.code === 'timeout') throw new HttpError(422, 'Query Timeout', `the query ran longer than ${timeoutMs} ms and was stopped; narrow it (LIMIT, more specific patterns), or ask for more time with ?timeout= up to SYNDB_QUERY_TIMEOUT_MS`, { timeoutMs, ...e.details });
      if (e instanceof StoreError && e.code === 'too-large') throw new HttpError(413, 'Result Too Large', `${e.message}; add LIMIT/OFFSET to page through the results`);
      throw e;
    }
    let body = result.body;
    if (type === 'application/ld+json') {
      const { toJsonLd } = await import('../publish/rdf-formats.js');
      const { parseRdf } = await import('../util/rdf.js');
      body = JSON.stringify(await toJsonLd(parseRdf(body, 'application/n-triples')), null, 2);
    }
    res.vary('Accept').type(type === 'text/csv' || type === 'text/tab-separated-values' ? `${type}; charset=utf-8` : type).send(body);
  }

  async function runUpdate(res: Response, update: string, p: Params) {
    const caller = callerOf(res);
    const using = (p.get('using-graph-uri') ?? []).filter((g) => g.trim() !== '');
    const usingNamed = (p.get('using-named-graph-uri') ?? []).filter((g) => g.trim() !== '');
    try {
      const asked = Number(single(p, 'timeout'));
      const out = await writes.update(caller, update, { using, usingNamed, baseIri: `${ctx.iris.base}/sparql`, timeoutMs: Number.isFinite(asked) && asked > 0 ? asked : undefined });
      res.status(200).json({ status: 'ok', changedGraphs: out.changed, activity: out.activity ?? null });
    } catch (e) {
      if (e instanceof UpdateRequestError) throw new HttpError(400, 'Malformed Update', e.message, e.position ? { line: e.position.line, column: e.position.column } : {});
      if (e instanceof UpdateTimeoutError) throw new HttpError(503, 'Update Timeout', e.message);
      throw e;
    }
  }

  r.get('/sparql/_editor/:file', (req, res) => {
    const a = editorAsset(req.params.file);
    if (!a) throw new HttpError(404, 'Not Found', `no editor asset "${req.params.file}"`);
    res.type(a.type).set('Cache-Control', 'public, max-age=3600').send(a.body);
  });

  // YASGUI's build from node_modules (@zazuko/yasgui), under our own path: the editor works offline
  r.get(`${YASGUI_PATH}/:file`, (req, res, next) => {
    const f = yasguiFile(req.params.file);
    if (!f) throw new HttpError(404, 'Not Found', `no YASGUI file "${req.params.file}"`);
    res.type(f.type);
    res.sendFile(req.params.file, { root: f.root, maxAge: '1d', dotfiles: 'deny' }, (e) => { if (e && !res.headersSent) next(e); });
  });

  r.get(['/sparql', '/sparql/'], async (req, res) => {
    const p = paramsOf(queryString(req));
    if (p.has('update')) throw new HttpError(400, 'Bad Request', 'SPARQL Update is only accepted by POST (form field "update" or an application/sparql-update body), never by GET');
    const query = single(p, 'query');
    if (query !== undefined) return runQuery(req, res, query, p);
    // no query: the service description (RDF) or, for browsers, the query editor
    const type = chooseType(req, p, [...SD_MEDIA_TYPES, 'text/html']);
    if (type === 'text/html') return res.vary('Accept').type('html').send(editorPage(ctx));
    const body = await serviceDescription(ctx, endpoint(req), callerOf(res), type);
    res.vary('Accept').type(type).send(body);
  });

  r.post(['/sparql', '/sparql/'], express.raw({ type: () => true, limit: ctx.config.maxBody }), async (req, res) => {
    const ct = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const p = paramsOf(queryString(req));
    if (ct === 'application/sparql-query') {
      if (p.has('update')) throw new HttpError(400, 'Bad Request', 'a request carries either a query or an update, not both');
      return runQuery(req, res, utf8Body(req, 'the query'), p);
    }
    if (ct === 'application/sparql-update') {
      if (p.has('query')) throw new HttpError(400, 'Bad Request', 'a request carries either a query or an update, not both');
      return runUpdate(res, utf8Body(req, 'the update'), p);
    }
    if (ct === 'application/x-www-form-urlencoded') {
      const form = paramsOf(utf8Body(req, 'the form'));
      for (const [k, v] of form) p.set(k, [...(p.get(k) ?? []), ...v]);
      const q = single(p, 'query'), u = single(p, 'update');
      if (q !== undefined && u !== undefined) throw new HttpError(400, 'Bad Request', 'the form has both "query" and "update"; send one operation per request');
      if (q !== undefined) return runQuery(req, res, q, p);
      if (u !== undefined) return runUpdate(res, u, p);
      throw new HttpError(400, 'Bad Request', 'the form needs a "query" or an "update" field');
    }
    throw new HttpError(415, 'Unsupported Media Type', ct
      ? `POST a query as application/sparql-query or application/x-www-form-urlencoded (query=…), an update as application/sparql-update or a form (update=…); got "${ct}"`
      : 'the POST has no Content-Type: use application/sparql-query, application/sparql-update or application/x-www-form-urlencoded');
  });

  r.all(['/sparql', '/sparql/'], (req, res) => {
    res.setHeader('Allow', 'GET, POST');
    throw new HttpError(405, 'Method Not Allowed', `${req.method} is not a SPARQL Protocol operation; use GET (query) or POST (query or update)`);
  });
  return r;
}

function badQuery(message: string, query: string): HttpError {
  const pos = errorPosition(message);
  const detail = message.split('\n')[0].slice(0, 600);
  const line = pos ? query.split(/\r?\n/)[pos.line - 1] : undefined;
  return new HttpError(400, 'Malformed Query', `the query is not valid SPARQL 1.1: ${detail}`, pos ? { line: pos.line, column: pos.column, near: line?.slice(Math.max(0, pos.column - 30), pos.column + 30) } : {});
}
