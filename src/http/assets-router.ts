/**
 * /datasets/{id}/assets: list (JSON, JSON-LD, Turtle, HTML) and upload (raw body with
 * ?filename=, or multipart/form-data with one file part; optional ?row=COMPARTMENT/CID,
 * ?forest=true for SWC files with several trees, ?swcUnit=um|nm);
 * /datasets/{id}/assets/{name}: the file, with its media type;
 * /archive: several datasets' latest published tables as one tar.gz with a manifest.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import express, { Router, type Request, type Response } from 'express';
import type { ServiceContext } from '../service/context.js';
import { AssetService, AssetTooLargeError, type AssetUploadOptions } from '../service/assets.js';
import { ArchiveService, parseArchiveRequest } from '../service/archive.js';
import { callerOf } from './auth.js';
import { HttpError, sendProblem } from './problem.js';
import { negotiate } from './negotiate.js';
import { cacheabilityOf, setCaching, fileValidator } from './caching.js';
import { esc, page } from './html.js';
import { serializeGraph } from '../publish/rdf-formats.js';
import { streamFirstFile } from './multipart.js';

const q = (req: Request, k: string) => (typeof req.query[k] === 'string' ? req.query[k] as string : undefined);
const flag = (v: string | undefined) => v !== undefined && ['1', 'true', 'yes', ''].includes(v.toLowerCase());
/** A multipart upload: at most this many parts (the file, its fields, whatever a form adds), each field at most 64 KiB. */
export const ASSET_FORM_PARTS = 64;
export const ASSET_FORM_FIELD_BYTES = 64 * 1024;

export function assetsRouter(ctx: ServiceContext): Router {
  const r = Router();
  const assets = new AssetService(ctx);
  const archives = new ArchiveService(ctx);

  r.get('/datasets/:id/assets', (req, res) => listAssets(req, res, q(req, 'version')));
  async function listAssets(req: Request, res: Response, version: string | undefined) {
    const id = String(req.params.id);
    const list = await assets.list(id, callerOf(res), version);
    const type = negotiate(req, ['application/json', 'application/ld+json', 'text/turtle', 'text/html', 'application/n-triples']);
    if (type === 'application/json') return res.json({ id, version: list.version, graph: list.graph, assets: list.assets });
    if (type === 'text/html') {
      const rows = list.assets.map((a) => `<tr><td><a href="${esc(a.downloadURL)}${list.version === 'draft' ? '?version=draft' : ''}">${esc(a.name)}</a></td><td>${a.kind === 'Mesh' ? 'mesh' : 'SWC skeleton'}</td><td>${esc(a.mediaType)}</td><td>${a.bytes}</td><td>${'row' in a.attachedTo ? `${esc(a.attachedTo.compartment)} ${esc(a.attachedTo.cid)}` : 'dataset'}</td><td>${a.skeleton ? `${a.skeleton.nodeCount} nodes, ${a.skeleton.branchPointCount} branch points, ${a.skeleton.cableLengthNm.toFixed(0)} nm cable${a.skeleton.hasSoma ? ', soma' : ''}` : ''}</td><td><code>${esc(a.sha256)}</code></td></tr>`).join('\n');
      return res.type('html').send(page(`Assets of ${id}`, `<h1>Assets of <a href="/datasets/${esc(id)}">${esc(id)}</a> (${list.version === 'draft' ? 'draft' : `version ${list.version}`})</h1>
${list.assets.length ? `<table><thead><tr><th>file</th><th>kind</th><th>media type</th><th>bytes</th><th>attached to</th><th>summary</th><th>SHA-256</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>No meshes or skeletons.</p>'}`));
    }
    res.type(type).send(await serializeGraph(list.quads, type));
  }

  const versionParam = (req: Request) => {
    const n = String(req.params.n);
    if (!/^[1-9][0-9]{0,8}$/.test(n)) throw new HttpError(404, 'Not Found', `"${n}" is not a version number`);
    return n;
  };
  // a published version's assets at their own IRIs (the dcat:downloadURL a version announces)
  r.get('/datasets/:id/versions/:n/assets', (req, res) => listAssets(req, res, versionParam(req)));
  r.get('/datasets/:id/versions/:n/assets/:name', (req, res) => sendAsset(req, res, versionParam(req)));
  r.get('/datasets/:id/assets/:name', (req, res) => sendAsset(req, res, q(req, 'version')));

  async function sendAsset(req: Request, res: Response, version: string | undefined) {
    const a = await assets.file(String(req.params.id), String(req.params.name), callerOf(res), version);
    res.setHeader('Content-Type', a.mediaType === 'text/plain' ? 'text/plain; charset=utf-8' : a.mediaType);
    res.setHeader('Content-Length', String(a.bytes));
    res.setHeader('Content-Disposition', `attachment; filename="${a.name}"`);
    res.setHeader('Digest', `sha-256=${Buffer.from(a.sha256, 'hex').toString('base64')}`);
    // a published version's file named by its version is the same bytes forever (http/caching.ts)
    const e = ctx.datasets.entry(String(req.params.id), callerOf(res));
    const pinned = version !== undefined && /^[1-9]\d*$/.test(version);
    setCaching(req, res, cacheabilityOf(version === 'draft' ? 'draft' : pinned ? Number(version) : ctx.catalog.latest(e) ?? 'draft', { pinned, isPublic: ctx.catalog.isPublic(e) }));
    if (fileValidator(req, res, a.sha256)) return;
    const rs = createReadStream(a.path);
    rs.on('error', () => res.destroy());
    rs.pipe(res);
    await once(res, 'close');
  }

  r.post('/datasets/:id/assets', async (req, res) => {
    const id = String(req.params.id);
    const caller = callerOf(res);
    const ct = req.headers['content-type'] ?? '';
    const opts: AssetUploadOptions = {
      filename: q(req, 'filename') ?? '', row: q(req, 'row'), contentType: ct, allowForest: flag(q(req, 'forest')), swcUnit: q(req, 'swcUnit'),
      declaredBytes: req.headers['content-length'] ? Number(req.headers['content-length']) : undefined,
    };
    try {
      let source: Readable = req;
      if (/^multipart\/form-data/i.test(ct)) {
        assets.precheck(id, caller, { ...opts, filename: opts.filename || 'x.swc', contentType: undefined, declaredBytes: undefined }); // auth and ?row= before reading the body
        const max = assets.maxBytes;
        const part = await streamFirstFile(req, { parts: ASSET_FORM_PARTS, fields: ASSET_FORM_PARTS, fieldSize: ASSET_FORM_FIELD_BYTES, fileSize: max }, () => new AssetTooLargeError(max));
        source = part.stream;
        opts.filename = opts.filename || part.filename;
        opts.contentType = part.mimeType;
        opts.row ??= part.fields.row;
        if (part.fields.forest !== undefined) opts.allowForest ||= flag(part.fields.forest);
        opts.swcUnit ??= part.fields.swcUnit;
        opts.declaredBytes = undefined;
      } else {
        assets.precheck(id, caller, opts);
      }
      const result = await assets.upload(id, source, caller, opts);
      res.status(result.replaced ? 200 : 201).location(`/datasets/${id}/assets/${result.name}?version=draft`).json(result);
    } catch (err) {
      if (!req.complete) { res.setHeader('Connection', 'close'); req.resume(); }
      if (err instanceof AssetTooLargeError) return sendProblem(res, 413, 'Payload Too Large', err.message, { limit: err.limit });
      throw err;
    }
  });

  const archive = async (req: Request, res: Response, input: { datasets?: unknown; compartments?: unknown }) => {
    const request = parseArchiveRequest(input);
    const plan = archives.plan(request, callerOf(res));
    const name = plan.length === 1 ? `syndb-${plan[0].id}-v${plan[0].version}.tar.gz` : `syndb-archive-${plan.length}-datasets.tar.gz`;
    res.status(200).type('application/gzip').setHeader('Content-Disposition', `attachment; filename="${name}"`);
    try {
      await archives.write(plan, request, res);
    } catch (err) {
      if (!res.headersSent) throw err;
      res.destroy(err as Error); // the client sees a truncated archive, never a complete-looking one
    }
  };
  r.get('/archive', (req, res) => archive(req, res, { datasets: req.query.datasets, compartments: req.query.compartments }));
  r.post('/archive', express.json({ limit: '1mb', type: () => true }), (req, res) => {
    const b = req.body as unknown;
    if (!b || typeof b !== 'object' || Array.isArray(b)) throw new HttpError(400, 'Bad Request', 'the body is a JSON object like {"datasets": ["a", "b"], "compartments": ["synapse"]}');
    return archive(req, res, b as { datasets?: unknown; compartments?: unknown });
  });
  return r;
}
