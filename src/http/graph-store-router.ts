/**
 * /store: SPARQL 1.1 Graph Store HTTP Protocol. Graphs are named indirectly (`?graph=IRI`,
 * `?default`) or directly (`/store/some/path` names the graph `B/store/some/path`, B = the base IRI).
 * `?default` is the store default graph `B/graphs/default` (our store keeps every triple in a named
 * graph; that graph is part of the SPARQL default graph). Reads follow the same access rules as
 * /sparql (a graph the caller may not read is a 404, like one that does not exist); writes need a
 * token and go through service/sparql-update.ts (rights, SHACL validation, provenance, atomic).
 */
import express, { Router, type Request, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { ServiceContext } from '../service/context.js';
import { callerOf } from './auth.js';
import { HttpError } from './problem.js';
import { negotiate } from './negotiate.js';
import { sparqlWrites } from '../service/sparql-update.js';
import { serializeGraph, RDF_MEDIA_TYPES } from '../publish/rdf-formats.js';
import { GraphSyntaxError } from '../service/graph-body.js';
import { parseRdf } from '../util/rdf.js';
import { readParts } from './multipart.js';

/** Media types a graph can be sent in (GSP PUT/POST bodies and multipart parts). */
export const GSP_INPUT_TYPES: Record<string, string> = {
  'text/turtle': 'text/turtle', 'application/x-turtle': 'text/turtle', 'application/n-triples': 'application/n-triples', 'text/plain': 'application/n-triples',
  'application/rdf+xml': 'application/rdf+xml', 'application/ld+json': 'application/ld+json', 'text/n3': 'text/turtle',
};
export const OUTPUT_TYPES = RDF_MEDIA_TYPES.filter((t) => t !== 'application/n-quads' && t !== 'application/trig');

/**
 * Parse an RDF graph body into N-Triples lines (blank nodes kept; skolemised when written), with
 * the input limits (SYNDB_MAX_INPUT_*); large bodies are parsed in a worker thread.
 */
export async function parseGraphBody(ctx: ServiceContext, body: Buffer | string, contentType: string, base: string, what = 'the request body'): Promise<string[]> {
  const mt = contentType.split(';')[0].trim().toLowerCase();
  const format = GSP_INPUT_TYPES[mt];
  if (!format) throw new HttpError(415, 'Unsupported Media Type', `${what} is ${mt ? `"${mt}"` : 'without a Content-Type'}; send RDF as one of ${Object.keys(GSP_INPUT_TYPES).join(', ')}`);
  const cs = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1];
  if (cs && !/^utf-?8$/i.test(cs)) throw new HttpError(415, 'Unsupported Media Type', `${what} must be UTF-8; it declares charset=${cs}`);
  try {
    return await ctx.work.parseGraph(typeof body === 'string' ? body : body.toString('utf8'), format, base);
  } catch (e) {
    if (e instanceof GraphSyntaxError) throw new HttpError(400, 'Bad Request', `${what} is not valid ${format}: ${e.message}`);
    throw e;
  }
}

/**
 * Most parts of a multipart/form-data POST (several RDF files in one body, whose size
 * SYNDB_MAX_BODY bounds): each part is parsed on its own, so their number is bounded too.
 */
export const GSP_MAX_PARTS = 100;

export function graphStoreRouter(ctx: ServiceContext): Router {
  const r = Router();
  const writes = sparqlWrites(ctx);

  /** The graph a request names; undefined for the bare /store (POST creates a graph there). */
  function target(req: Request): string | undefined {
    const direct = req.path !== '/store' && req.path !== '/store/';
    const q = req.query;
    const hasDefault = Object.prototype.hasOwnProperty.call(q, 'default');
    const graph = q.graph;
    if (Array.isArray(graph)) throw new HttpError(400, 'Bad Request', 'give exactly one ?graph= parameter');
    if ((direct ? 1 : 0) + (hasDefault ? 1 : 0) + (graph !== undefined ? 1 : 0) > 1) {
      throw new HttpError(400, 'Bad Request', 'name the graph one way only: ?graph=IRI, ?default, or the request URL under /store/');
    }
    if (hasDefault) return writes.defaultGraph;
    if (typeof graph === 'string') {
      if (!/^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|^`\\]*$/.test(graph)) throw new HttpError(400, 'Bad Request', `?graph= must be an absolute IRI, got "${graph}"`);
      return graph;
    }
    if (direct) return `${ctx.iris.base}${req.path}`;
    return undefined;
  }

  function accessParam(req: Request): 'public' | 'private' | undefined {
    const a = req.query.access;
    if (a === undefined) return undefined;
    if (a !== 'public' && a !== 'private') throw new HttpError(400, 'Bad Request', `?access= must be "public" or "private", got ${JSON.stringify(a)}`);
    return a;
  }

  async function readGraph(req: Request, res: Response, head: boolean) {
    const g = target(req);
    if (!g) throw new HttpError(400, 'Bad Request', 'name a graph: ?graph=IRI or ?default (or GET /sparql for the SPARQL endpoint)');
    const caller = callerOf(res);
    const type = negotiate(req, OUTPUT_TYPES);
    const nq = await writes.readGraph(g, caller);
    if (nq === undefined) throw new HttpError(404, 'Not Found', `no graph <${g}> in the store`);
    return sendGraph(res, nq, type, head);
  }

  async function sendGraph(res: Response, nq: string, type: string, head: boolean) {
    const body = await serializeGraph(parseRdf(nq, 'application/n-quads'), type);
    res.vary('Accept').type(type).set('Content-Length', String(Buffer.byteLength(body)));
    if (head) return res.status(200).end();
    res.send(body);
  }

  const paths = ['/store', '/store/*path'];
  r.get(paths, (req, res) => readGraph(req, res, false));
  r.head(paths, (req, res) => readGraph(req, res, true));

  const raw = express.raw({ type: () => true, limit: ctx.config.maxBody });

  r.put(paths, raw, async (req, res) => {
    const g = target(req);
    if (!g) throw new HttpError(400, 'Bad Request', 'PUT needs a graph: ?graph=IRI, ?default or a URL under /store/');
    const ct = req.headers['content-type'] ?? '';
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const lines = await parseGraphBody(ctx, body, ct, g);
    const out = await writes.putGraph(callerOf(res), g, lines.join('\n'), 'put', { body, mediaType: ct.split(';')[0].trim() }, accessParam(req));
    if (out.created) return res.status(201).location(gspLocation(ctx.iris.base, g)).json({ status: 'created', graph: g, activity: out.activity ?? null });
    res.status(204).end();
  });

  r.post(paths, raw, async (req, res) => {
    let g = target(req);
    const created = g === undefined;
    if (!g) g = `${ctx.iris.base}/store/${randomUUID()}`;
    const ct = req.headers['content-type'] ?? '';
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let lines: string[];
    if (ct.split(';')[0].trim().toLowerCase() === 'multipart/form-data') {
      lines = [];
      const parts = await readParts(body, ct, { parts: GSP_MAX_PARTS, fields: GSP_MAX_PARTS, fieldSize: ctx.config.maxBody, fileSize: ctx.config.maxBody });
      for (const [i, p] of parts.entries()) {
        const name = p.filename ?? `part ${i + 1}`;
        // a part without a Content-Type is text/plain (RFC 7578): its file name tells better
        const type = p.mimeType === 'text/plain' && guessType(name) ? guessType(name) : p.mimeType;
        lines.push(...await parseGraphBody(ctx, p.data, type, g!, `multipart part "${name}"`));
      }
    } else {
      lines = await parseGraphBody(ctx, body, ct, g);
    }
    const out = await writes.putGraph(callerOf(res), g, lines.join('\n'), 'post', { body, mediaType: ct.split(';')[0].trim() }, accessParam(req));
    if (created || out.created) return res.status(201).location(gspLocation(ctx.iris.base, g)).json({ status: 'created', graph: g, activity: out.activity ?? null });
    res.status(200).json({ status: 'ok', graph: g, changed: out.changed.length > 0, activity: out.activity ?? null });
  });

  r.delete(paths, async (req, res) => {
    const g = target(req);
    if (!g) throw new HttpError(400, 'Bad Request', 'DELETE needs a graph: ?graph=IRI, ?default or a URL under /store/');
    const caller = callerOf(res);
    if (!(await writes.canRead(g, caller)) || !(await writes.exists(g))) throw new HttpError(404, 'Not Found', `no graph <${g}> in the store`);
    const out = await writes.deleteGraph(caller, g);
    res.status(200).json({ status: 'deleted', graph: g, activity: out.activity ?? null });
  });

  r.all(paths, (req, res) => {
    res.setHeader('Allow', 'GET, HEAD, PUT, POST, DELETE');
    throw new HttpError(405, 'Method Not Allowed', `${req.method} is not a Graph Store Protocol operation`);
  });
  return r;
}

function guessType(filename: string): string {
  if (/\.ttl$/i.test(filename)) return 'text/turtle';
  if (/\.nt$/i.test(filename)) return 'application/n-triples';
  if (/\.(rdf|xml)$/i.test(filename)) return 'application/rdf+xml';
  if (/\.jsonld$/i.test(filename)) return 'application/ld+json';
  return '';
}

/**
 * Where a graph can be fetched, as an absolute URL: a graph under /store/ is its own IRI (so a
 * client can also name it by `?graph=` + the Location, as the W3C GSP tests do), any other graph
 * B/store?graph=IRI.
 */
function gspLocation(base: string, g: string): string {
  if (g.startsWith(`${base}/store/`)) return g;
  return `${base}/store?graph=${encodeURIComponent(g)}`;
}
