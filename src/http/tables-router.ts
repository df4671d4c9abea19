/**
 * /datasets/{id}/tables[/{compartment}]: upload (PUT text/csv, streamed), download (CSV, streamed),
 * CSVW metadata (Accept: application/csvm+json or ?format=csvw), list.
 */
import { once } from 'node:events';
import { createReadStream, rmSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import type { ServiceContext } from '../service/context.js';
import express from 'express';
import { TableService, PARQUET_TYPE } from '../service/tables.js';
import { importCave, importConnectome, importDendriticTables } from '../service/table-importers.js';
import { cacheabilityOf, setCaching, fileValidator } from './caching.js';
import { negotiate, preferred } from './negotiate.js';
import { RDF_MEDIA_TYPES, serializeGraph } from '../publish/rdf-formats.js';
import { NotFoundError } from '../model/problems.js';
import { StoreError } from '../store/graph-store.js';
import { decodeCid } from '../model/tables/rows.js';
import { tableSelection, type TableSelection } from './table-selection.js';
import { CaveFormatError } from '../model/importers/cave.js';
import { callerOf } from './auth.js';
import { HttpError, sendProblem } from './problem.js';
import { sendTableProblem } from './table-problems.js';

const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain'];
export const CSVW_TYPE = 'application/csvm+json';

function chooseTableFormat(req: Request): 'csv' | 'csvw' | 'parquet' {
  const offers = ['text/csv', CSVW_TYPE, 'application/ld+json', 'application/json', PARQUET_TYPE];
  const aliases: Record<string, string> = { parquet: PARQUET_TYPE, csvw: CSVW_TYPE, csvm: CSVW_TYPE, jsonld: CSVW_TYPE, json: CSVW_TYPE, 'application/ld+json': CSVW_TYPE, 'application/json': CSVW_TYPE };
  const chosen = negotiate(req, offers, { aliases });
  return chosen === 'text/csv' ? 'csv' : chosen === PARQUET_TYPE ? 'parquet' : 'csvw';
}

/** Stream a file as the reply (backpressure by pipeline); `remove` deletes it afterwards (a temporary selection). */
async function sendFile(res: Response, path: string, remove: boolean) {
  try {
    res.setHeader('Content-Length', String(statSync(path).size));
    await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), res);
  } finally {
    if (remove) rmSync(path, { force: true });
  }
}

async function writeAll(res: Response, chunk: string) {
  if (!res.write(chunk)) await once(res, 'drain');
}

export function tablesRouter(ctx: ServiceContext): Router {
  const r = Router();
  const tables = new TableService(ctx);
  /** Cache-Control of a table of this version: immutable when the request names a published version (http/caching.ts). */
  const caching = (req: Request, res: Response, id: string, version: number | 'draft') => {
    const e = ctx.datasets.entry(id, callerOf(res));
    setCaching(req, res, cacheabilityOf(version, { pinned: typeof req.query.version === 'string' && /^[1-9]\d*$/.test(req.query.version), isPublic: ctx.catalog.isPublic(e) }));
  };

  r.get('/datasets/:id/tables', (req, res) => {
    const caller = callerOf(res);
    const e = ctx.datasets.entry(String(req.params.id), caller);
    const out: Record<string, string[]> = {};
    for (const [k, v] of e.tables) {
      if (k === 'draft' && !ctx.catalog.canWrite(e, caller)) continue;
      if (k !== 'draft' && e.withdrawn.has(Number(k))) continue;
      out[k] = [...v].sort();
    }
    res.json({ id: e.id, tables: out, latestVersion: ctx.catalog.latest(e) ?? null });
  });

  r.put('/datasets/:id/tables/:compartment', async (req, res) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!CSV_TYPES.includes(type)) throw new HttpError(415, 'Unsupported Media Type', `send the table as text/csv (got "${req.headers['content-type'] ?? ''}")`);
    const caller = callerOf(res);
    const id = String(req.params.id);
    // permission and existence before reading the body
    const e = ctx.datasets.entry(id, caller);
    ctx.datasets.requireWrite(e, caller);
    const schema = tables.schema(String(req.params.compartment));
    const existed = (e.tables.get('draft') ?? []).includes(schema.slug);
    try {
      const tq = typeof req.query.triples === 'string' ? req.query.triples : undefined;
      if (tq !== undefined && tq !== 'true' && tq !== 'false') throw new HttpError(400, 'Bad Request', `triples must be "true" (load the rows as triples too) or "false" (Parquet only), got "${tq}"`, { parameter: 'triples' });
      const result = await tables.upload(id, schema.slug, req, caller, { mediaType: 'text/csv', triples: tq === undefined ? undefined : tq === 'true' });
      res.status(existed ? 200 : 201).location(`/datasets/${id}/tables/${schema.slug}?version=draft`).json(result);
    } catch (err) {
      if (sendTableProblem(res, err)) { req.resume(); return; }
      throw err;
    }
  });

  r.get('/datasets/:id/tables/:compartment', async (req, res) => {
    const caller = callerOf(res);
    const id = String(req.params.id);
    const format = chooseTableFormat(req);
    if (req.params.compartment === 'connectome') {
      // the imported connectome matrix: its table file (one row per non-empty cell), CSV or Parquet
      const g = tables.resolveImported(id, 'connectome', caller, typeof req.query.version === 'string' ? req.query.version : undefined);
      const f = await tables.files(g.graph);
      res.vary('Accept');
      caching(req, res, id, g.version);
      return serveFromFiles(req, res, f, format === 'parquet' ? 'parquet' : 'csv', tableSelection(req, f.specs), `${id}-${g.version === 'draft' ? 'draft' : `v${g.version}`}-connectome`, f.rows, true);
    }
    if (req.params.compartment === 'dendritic-consortium') {
      // the imported Dendritic Consortium tables: what they are, with a link to each one's files
      const g = tables.resolveImported(id, 'dendritic-consortium', caller, typeof req.query.version === 'string' ? req.query.version : undefined);
      const v = g.version === 'draft' ? 'draft' : String(g.version);
      const base = `${ctx.iris.concept(id)}/tables/dendritic-consortium`;
      const parts = await tables.importedParts(g.graph);
      res.vary('Accept');
      caching(req, res, id, g.version);
      return res.json({
        dataset: id, version: g.version, graph: g.graph,
        tables: parts.map((p) => ({ name: p.name, title: p.title, rows: p.rows,
          csv: p.csv && { url: `${base}/${encodeURIComponent(p.name)}?version=${v}&format=csv`, bytes: p.csv.bytes, sha256: p.csv.sha256 },
          parquet: p.parquet && { url: `${base}/${encodeURIComponent(p.name)}?version=${v}&format=parquet`, bytes: p.parquet.bytes, sha256: p.parquet.sha256 } })),
      });
    }
    const t = tables.resolveTable(id, String(req.params.compartment), caller, typeof req.query.version === 'string' ? req.query.version : undefined);
    res.vary('Accept');
    caching(req, res, id, t.version);
    if (format === 'csvw') {
      const meta = await tables.csvw(id, t);
      return res.type(preferred(req, [CSVW_TYPE, 'application/ld+json', 'application/json']) === 'application/ld+json' ? 'application/ld+json' : CSVW_TYPE).send(JSON.stringify(meta, null, 2));
    }
    const desc = await tables.description(t.graph);
    const base = `${id}-${t.version === 'draft' ? 'draft' : `v${t.version}`}-${t.schema.slug}`;
    const sel = tableSelection(req, desc.specs ?? desc.columns.map((c) => ({ name: c.name, type: 'VARCHAR' as const })), t.schema);
    if (format === 'parquet' || sel.filters.length || sel.projected) {
      const f = await tables.files(t.graph, desc);
      return serveFromFiles(req, res, f, format === 'parquet' ? 'parquet' : 'csv', sel, base, desc.rows);
    }
    if (desc.csv && ctx.tableFiles.has(desc.csv, 'csv')) {
      // the CSV as uploaded, byte for byte
      res.status(200).type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="${base}.csv"`);
      res.setHeader('Link', `<${req.path}?format=csvw${t.version === 'draft' ? '&version=draft' : `&version=${t.version}`}>; rel="describedby"; type="${CSVW_TYPE}"`);
      res.setHeader('X-Row-Count', String(desc.rows));
      if (fileValidator(req, res, desc.csv)) return;
      return sendFile(res, ctx.tableFiles.path(desc.csv, 'csv'), false);
    }
    res.status(200).type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="${id}-${t.version === 'draft' ? 'draft' : `v${t.version}`}-${t.schema.slug}.csv"`);
    res.setHeader('Link', `<${req.path}?format=csvw${t.version === 'draft' ? '&version=draft' : `&version=${t.version}`}>; rel="describedby"; type="${CSVW_TYPE}"`);
    res.setHeader('X-Row-Count', String(desc.rows));
    try {
      await tables.download(t.graph, (c) => writeAll(res, c));
      res.end();
    } catch (err) {
      if (!res.headersSent) throw err;
      res.destroy(err as Error);
    }
  });

  // one table of the imported Dendritic Consortium tables, as its CSV or Parquet file
  r.get('/datasets/:id/tables/dendritic-consortium/:name', async (req, res) => {
    const caller = callerOf(res);
    const id = String(req.params.id);
    const format = chooseTableFormat(req) === 'parquet' ? 'parquet' : 'csv';
    const g = tables.resolveImported(id, 'dendritic-consortium', caller, typeof req.query.version === 'string' ? req.query.version : undefined);
    const part = (await tables.importedParts(g.graph)).find((p) => p.name === String(req.params.name));
    const file = part?.[format];
    if (!part || !file) throw new NotFoundError(`the Dendritic Consortium tables of ${g.dataset} have no table "${String(req.params.name)}" as ${format}`);
    if (!ctx.tableFiles.has(file.sha256, format)) throw new StoreError(`the file ${file.sha256}.${format} is missing from the table directory (SYNDB_TABLE_DIR); restore it from a backup`, 'unavailable');
    res.status(200).type(format === 'parquet' ? PARQUET_TYPE : 'text/csv; charset=utf-8').vary('Accept');
    res.setHeader('Content-Disposition', `attachment; filename="${id}-${g.version === 'draft' ? 'draft' : `v${g.version}`}-${part.name.replace(/[^A-Za-z0-9_.-]/g, '_')}.${format}"`);
    res.setHeader('X-Row-Count', String(part.rows));
    caching(req, res, id, g.version);
    if (fileValidator(req, res, file.sha256)) return;
    return sendFile(res, ctx.tableFiles.path(file.sha256, format), false);
  });

  async function serveFromFiles(req: Request, res: Response, f: Awaited<ReturnType<TableService['files']>>, format: 'parquet' | 'csv', sel: TableSelection, base: string, rows: number, csvFile = false) {
    const media = format === 'parquet' ? PARQUET_TYPE : 'text/csv; charset=utf-8';
    if (csvFile && format === 'csv' && f.csv && !sel.filters.length && !sel.projected) {
      res.status(200).type(media).setHeader('Content-Disposition', `attachment; filename="${base}.csv"`);
      if (fileValidator(req, res, f.csv)) return;
      return sendFile(res, ctx.tableFiles.path(f.csv, 'csv'), false);
    }
    if (format === 'parquet' && !sel.filters.length && !sel.projected) {
      res.status(200).type(media).setHeader('Content-Disposition', `attachment; filename="${base}.parquet"`);
      res.setHeader('X-Row-Count', String(rows));
      if (fileValidator(req, res, f.parquet)) return;
      return sendFile(res, ctx.tableFiles.path(f.parquet, 'parquet'), false);
    }
    const out = await ctx.tableFiles.select(f.parquet, f.specs, { columns: sel.columns, filters: sel.filters }, format, rows);
    res.status(200).type(media).setHeader('Content-Disposition', `attachment; filename="${base}-selection.${format}"`);
    res.setHeader('X-Row-Count', String(out.rows));
    return sendFile(res, out.path, true);
  }

  r.get('/datasets/:id/tables/:compartment/stats', async (req, res) => {
    const caller = callerOf(res);
    const id = String(req.params.id);
    const t = tables.resolveTable(id, String(req.params.compartment), caller, typeof req.query.version === 'string' ? req.query.version : undefined);
    const f = await tables.files(t.graph);
    res.json({ table: t.graph, version: t.version, rows: f.rows, rowsInGraph: f.rowsInGraph, parquet: { sha256: f.parquet }, sortedCopies: ctx.tableFiles.sortedCopies(f.parquet, f.specs), columns: f.stats ?? await ctx.tableFiles.stats(f.parquet, f.specs) });
  });

  // a row's IRI (…/draft/tables/{t}/rows/{cid}, …/versions/{n}/tables/{t}/rows/{cid}) and the short form with ?version
  const row = async (req: Request, res: Response, version: string | undefined) => {
    const caller = callerOf(res);
    const id = String(req.params.id);
    const type = negotiate(req, RDF_MEDIA_TYPES);
    const t = tables.resolveTable(id, String(req.params.compartment), caller, version);
    let cid: string;
    try { cid = decodeCid(String(req.params.cid)); } catch { throw new HttpError(400, 'Bad Request', 'the row id in the path is not valid percent-encoding'); }
    const quads = await tables.rowQuads(t, cid);
    if (!quads) throw new NotFoundError(`the ${t.schema.slug} table of ${t.dataset} has no row with cid "${cid}"`);
    res.vary('Accept').type(type).send(await serializeGraph(quads, type));
  };
  r.get('/datasets/:id/draft/tables/:compartment/rows/:cid', (req, res) => row(req, res, 'draft'));
  r.get('/datasets/:id/versions/:n/tables/:compartment/rows/:cid', (req, res) => row(req, res, String(req.params.n)));
  r.get('/datasets/:id/tables/:compartment/rows/:cid', (req, res) => row(req, res, typeof req.query.version === 'string' ? req.query.version : undefined));

  r.post('/datasets/:id/import/cave', async (req, res) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!CSV_TYPES.includes(type)) throw new HttpError(415, 'Unsupported Media Type', `send the CAVE table as text/csv (got "${req.headers['content-type'] ?? ''}")`);
    const q = (k: string) => (typeof req.query[k] === 'string' ? req.query[k] as string : undefined);
    const mv = q('materializationVersion') ?? q('version');
    const resolution = q('resolution')?.split(',').map(Number);
    if (resolution && (resolution.length !== 3 || resolution.some((x) => !(x > 0)))) throw new HttpError(400, 'Bad Request', `resolution must be three positive numbers "x,y,z" (nm per voxel), got "${q('resolution')}"`);
    const caller = callerOf(res);
    ctx.datasets.requireWrite(ctx.datasets.entry(String(req.params.id), caller), caller);
    try {
      const result = await importCave(tables, String(req.params.id), req, caller, { table: q('table') ?? '', materializationVersion: mv === undefined ? undefined : Number(mv), timestamp: q('timestamp'), resolution: resolution as [number, number, number] | undefined });
      res.status(201).json(result);
    } catch (err) {
      req.resume();
      if (err instanceof CaveFormatError) return sendProblem(res, 422, 'Invalid CAVE Table', `${err.message}; nothing was stored`);
      if (sendTableProblem(res, err)) return;
      throw err;
    }
  });

  r.post('/datasets/:id/import/connectome', express.text({ type: () => true, limit: ctx.config.maxBody }), async (req, res) => {
    if (typeof req.body !== 'string' || !req.body.trim()) throw new HttpError(400, 'Empty Body', 'send the connectome matrix as CSV (text/csv)');
    res.status(201).json(await importConnectome(tables, String(req.params.id), req.body, callerOf(res)));
  });

  r.post('/datasets/:id/import/dendritic', express.text({ type: () => true, limit: ctx.config.maxBody }), async (req, res) => {
    let body: unknown;
    try { body = JSON.parse(typeof req.body === 'string' ? req.body : ''); } catch { throw new HttpError(400, 'Malformed JSON', 'send {"tables": {"mouse": "<CSV text>", "session": "...", ...}} as application/json'); }
    const t = (body as { tables?: unknown })?.tables;
    if (!t || typeof t !== 'object' || Object.values(t).some((v) => typeof v !== 'string')) throw new HttpError(400, 'Bad Request', 'the body must be {"tables": {"<table name>": "<CSV text>", ...}}');
    res.status(201).json(await importDendriticTables(tables, String(req.params.id), new Map(Object.entries(t as Record<string, string>)), callerOf(res)));
  });

  return r;
}
