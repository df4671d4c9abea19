/**
 * /sparql: SPARQL 1.1 query over GET and POST (form or application/sparql-query). The caller's
 * dataset is limited to the graphs it may read; FROM / FROM NAMED / default-graph-uri /
 * named-graph-uri can only narrow it, never widen it.
 */
import express, { Router, type Request, type Response } from 'express';
import type { ServiceContext } from '../service/context.js';
import { callerOf } from './auth.js';
import { HttpError } from './problem.js';
import { NotAcceptableError } from './negotiate.js';

const SELECT_TYPES = ['application/sparql-results+json', 'application/sparql-results+xml', 'text/csv', 'text/tab-separated-values', 'application/json'];
const GRAPH_TYPES = ['text/turtle', 'application/n-triples', 'application/rdf+xml', 'application/n-quads', 'application/trig', 'application/ld+json'];

/** The query form (SELECT/ASK/CONSTRUCT/DESCRIBE), skipping prologue, comments and strings. */
export function queryForm(q: string): 'SELECT' | 'ASK' | 'CONSTRUCT' | 'DESCRIBE' | undefined {
  const stripped = q.replace(/#[^\n]*/g, ' ').replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""').replace(/<[^>\s]*>/g, '<>');
  const m = /\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i.exec(stripped);
  return m ? (m[1].toUpperCase() as never) : undefined;
}

/** IRIs named by FROM / FROM NAMED clauses. */
export function datasetClauses(q: string): { from: string[]; fromNamed: string[] } {
  const stripped = q.replace(/#[^\n]*/g, ' ').replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  const head = stripped.split(/\bWHERE\b|\{/i)[0];
  const from: string[] = [], fromNamed: string[] = [];
  for (const m of head.matchAll(/\bFROM\s+(NAMED\s+)?<([^>]*)>/gi)) (m[1] ? fromNamed : from).push(m[2]);
  return { from, fromNamed };
}

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

export function sparqlRouter(ctx: ServiceContext): Router {
  const r = Router();
  const run = async (req: Request, res: Response, query: string, params: Record<string, unknown>) => {
    const form = queryForm(query);
    if (!form) throw new HttpError(400, 'Malformed Query', 'the query has no SELECT, ASK, CONSTRUCT or DESCRIBE form');
    const caller = callerOf(res);
    const allowed = new Set(ctx.catalog.namedGraphs(caller));
    const clauses = datasetClauses(query);
    const dg = list(params['default-graph-uri']);
    const ng = list(params['named-graph-uri']);
    const protocolDataset = dg.length > 0 || ng.length > 0;
    const queryDataset = clauses.from.length > 0 || clauses.fromNamed.length > 0;
    let defaultGraph = ctx.catalog.defaultGraphs(caller);
    let namedGraphs = [...allowed];
    if (protocolDataset) { // the protocol's dataset overrides the query's (SPARQL 1.1 Protocol §2.1.4)
      defaultGraph = dg.filter((g) => allowed.has(g));
      namedGraphs = ng.filter((g) => allowed.has(g));
    } else if (queryDataset) {
      defaultGraph = clauses.from.filter((g) => allowed.has(g));
      namedGraphs = clauses.fromNamed.filter((g) => allowed.has(g));
    }
    const offers = form === 'SELECT' || form === 'ASK' ? SELECT_TYPES : GRAPH_TYPES;
    let type: string;
    try {
      type = negotiateSparql(req, offers);
    } catch (e) { throw e; }
    const engineType = type === 'application/json' ? 'application/sparql-results+json' : type === 'application/ld+json' ? 'application/n-triples' : type;
    const result = await ctx.store.query(stripDatasetClauses(query, queryDataset), {
      defaultGraph, namedGraphs: namedGraphs.length ? namedGraphs : ['urn:syndb:no-graph'], format: engineType, timeoutMs: ctx.config.queryTimeoutMs, baseIri: `${ctx.iris.base}/`,
    });
    let body = result.body;
    if (type === 'application/ld+json') {
      const { toJsonLd } = await import('../publish/rdf-formats.js');
      const { parseRdf } = await import('../util/rdf.js');
      body = JSON.stringify(await toJsonLd(parseRdf(body, 'application/n-triples')), null, 2);
    }
    res.vary('Accept').type(type).send(body);
  };
  r.get('/sparql', async (req, res) => {
    if (typeof req.query.query !== 'string') {
      throw new HttpError(400, 'Missing Query', 'pass a SPARQL query as ?query=… (or POST it); see https://www.w3.org/TR/sparql11-protocol/');
    }
    await run(req, res, req.query.query, req.query as Record<string, unknown>);
  });
  r.post('/sparql', express.urlencoded({ extended: false, limit: ctx.config.maxBody }), express.text({ type: 'application/sparql-query', limit: ctx.config.maxBody }), async (req, res) => {
    const ct = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (ct === 'application/sparql-query') {
      await run(req, res, String(req.body ?? ''), req.query as Record<string, unknown>);
    } else if (ct === 'application/x-www-form-urlencoded') {
      const b = req.body as Record<string, unknown>;
      if (typeof b.update === 'string') throw new HttpError(501, 'Not Implemented', 'SPARQL Update over HTTP is not available yet; use POST /datasets to write');
      if (typeof b.query !== 'string') throw new HttpError(400, 'Missing Query', 'the form needs a "query" field');
      await run(req, res, b.query, b);
    } else {
      throw new HttpError(415, 'Unsupported Media Type', `POST a query as application/sparql-query or application/x-www-form-urlencoded (got "${ct}")`);
    }
  });
  return r;
}

function negotiateSparql(req: Request, offers: string[]): string {
  const accept = req.headers.accept;
  if (!accept || accept === '*/*') return offers[0];
  const chosen = req.accepts(offers);
  if (!chosen) throw new NotAcceptableError(offers);
  return chosen as string;
}

/** FROM clauses are replaced by the access-checked dataset passed to the engine. */
function stripDatasetClauses(q: string, has: boolean): string {
  if (!has) return q;
  return q.replace(/\bFROM\s+(NAMED\s+)?<[^>]*>/gi, ' ');
}
