/** /datasets: list, create, read (content-negotiated), versions, publish. */
import express, { Router, type Request, type Response } from 'express';
import type { ServiceContext } from '../service/context.js';
import { formatFromMediaType } from '../model/parse-input.js';
import { serializeGraph } from '../publish/rdf-formats.js';
import { negotiate, NotAcceptableError } from './negotiate.js';
import { cacheabilityOf, setCaching, notModified } from './caching.js';
import { datasetDoiStatus } from '../service/doi-status.js';
import { requestedProfile, negotiateProfiled } from './profiles.js';
import { callerOf } from './auth.js';
import { HttpError } from './problem.js';
import { representationEtag } from '../service/dataset-state.js';
import { deleteDataset } from '../service/dataset-delete.js';
import { datasetView } from '../service/dataset-view.js';
import { parseWithdrawalBody } from '../provenance/versions.js';
import { page, esc } from './html.js';
import { NS } from '../model/namespaces.js';
import { landingSections } from './pages/dataset-parts.js';
import { renderDataset } from './pages/dataset-page.js';
import { loadVocabulary } from '../model/vocabulary.js';
import { setSignposting, sendPublication, landingHead, alternatesHtml, fairReadTypes, wantedDataciteXml, dataciteXmlWithoutDoi } from './fair-router.js';
import { renderCitation, negotiateCitation, citationFormatFromParam, CITATION_MEDIA_TYPES, type CitationRequest } from '../publish/citation/index.js';

/** A citation format asked for by ?format= (with ?style=, ?locale=) or by Accept (DOI content negotiation). */
function citationRequest(req: Request): CitationRequest | undefined {
  const q = (k: string) => (typeof req.query[k] === 'string' ? (req.query[k] as string) : undefined);
  const f = citationFormatFromParam(q('format'));
  if (f) return { format: f, style: q('style'), locale: q('locale'), output: q('output') === 'html' ? 'html' : undefined };
  if (q('format')) return undefined;
  const accept = req.headers.accept ?? '';
  // Media type parameters (style=, locale=) defeat express' matcher: compare q-values ourselves.
  const entries = accept.split(',').map((part, i) => {
    const [type, ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? 1);
    return { type, q: Number.isFinite(q) ? q : 0, i };
  });
  const citationTypes = CITATION_MEDIA_TYPES.flatMap((m) => [m.mediaType, ...m.aliases]);
  const best = (pred: (t: string) => boolean) => entries.filter((e) => e.q > 0 && pred(e.type)).sort((a, b) => b.q - a.q || a.i - b.i)[0];
  const cit = best((t) => citationTypes.includes(t));
  const rdf = best((t) => READ_TYPES.includes(t));
  if (!cit || (rdf && (rdf.q > cit.q || (rdf.q === cit.q && rdf.i < cit.i)))) return undefined;
  const c = negotiateCitation(accept);
  return c ? { ...c, style: c.style ?? q('style'), locale: c.locale ?? q('locale') } : undefined;
}

/** ?dryRun=true: check everything a write checks, store nothing (200 {valid: true} or the usual 422). */
function dryRun(req: Request): boolean {
  const v = req.query.dryRun ?? req.query['dry-run'];
  if (v === undefined) return false;
  if (v === 'true' || v === '1' || v === '') return true;
  if (v === 'false' || v === '0') return false;
  throw new HttpError(400, 'Bad Request', `dryRun must be "true" (validate only) or "false", got "${String(v)}"`, { parameter: 'dryRun' });
}

const dryRunReply = (res: Response, r: { id: string; iri: string; warnings?: unknown[] }) =>
  res.status(200).json({ valid: true, dryRun: true, id: r.id, iri: r.iri, warnings: r.warnings ?? [], detail: 'every check passed; nothing was stored' });

export const READ_TYPES = ['application/ld+json', 'text/turtle', 'text/html', 'application/n-triples', 'application/rdf+xml'];

export function datasetsRouter(ctx: ServiceContext): Router {
  const r = Router();
  const body = express.text({ type: () => true, limit: ctx.config.maxBody });

  r.get('/datasets', (req, res) => {
    const caller = callerOf(res);
    const list = ctx.catalog.readable(caller).sort((a, b) => a.id.localeCompare(b.id)).map((e) => ({
      id: e.id, title: e.title, iri: ctx.iris.concept(e.id), access: e.access,
      versions: e.versions.filter((v) => !e.withdrawn.has(v)), latestVersion: ctx.catalog.latest(e) ?? null, hasDraft: e.hasDraft,
    }));
    const type = negotiate(req, ['application/json', 'application/ld+json', 'text/html']);
    if (type === 'text/html') {
      res.type('html').send(page('Datasets', `<h1>Datasets</h1><ul>${list.map((d) => `<li><a href="/datasets/${esc(d.id)}">${esc(d.title)}</a> <small>(${esc(d.id)}${d.latestVersion ? `, v${d.latestVersion}` : ', draft'})</small></li>`).join('')}</ul>`));
    } else if (type === 'application/ld+json') {
      res.type('application/ld+json').send(JSON.stringify({
        '@context': { hydra: 'http://www.w3.org/ns/hydra/core#', dcterms: NS.dcterms, title: 'dcterms:title', member: { '@id': 'hydra:member', '@type': '@id' } },
        '@id': `${ctx.iris.base}/datasets`, '@type': 'hydra:Collection', 'hydra:totalItems': list.length,
        member: list.map((d) => ({ '@id': d.iri, '@type': 'http://www.w3.org/ns/dcat#Dataset', title: d.title })),
      }, null, 2));
    } else res.json({ total: list.length, datasets: list });
  });

  r.post('/datasets', body, async (req, res) => {
    const format = formatFromMediaType(req.headers['content-type']);
    if (!format) throw new HttpError(415, 'Unsupported Media Type', `send the dataset as application/json, application/ld+json or text/turtle (got "${req.headers['content-type']}")`);
    if (typeof req.body !== 'string' || req.body.trim() === '') throw new HttpError(400, 'Empty Body', 'the request body is empty; send a dataset description (see docs/dataset-json.md or GET /schemas/dataset.schema.json)');
    const publish = req.query.publish === 'true' || req.query.publish === '1';
    const check = dryRun(req);
    const result = await ctx.datasets.create(req.body, format, callerOf(res), { id: typeof req.query.id === 'string' ? req.query.id : undefined, publish, dryRun: check });
    if (result.dryRun) return dryRunReply(res, result);
    res.status(201).location(`/datasets/${result.id}`).json({ id: result.id, iri: ctx.iris.concept(result.id), version: result.version ?? null, activity: result.activity });
  });

  const show = async (req: Request, res: Response, version?: number) => {
    const view = await datasetView(ctx, String(req.params.id), callerOf(res), version);
    const { id, target, quads } = view;
    res.vary('Accept').vary('Accept-Profile');
    // a version's metadata gains DOIs and next-version relations, the concept follows the latest
    // version: revalidated (If-None-Match answers 304), never cached when a draft or not public (http/caching.ts)
    setCaching(req, res, cacheabilityOf(target.version, { pinned: false, isPublic: ctx.catalog.isPublic(view.entry) }));
    // a strong ETag per representation of the dataset's current state (If-Match on PUT/PATCH/DELETE)
    const state = await view.state();
    const tag = (variant: string) => res.setHeader('ETag', representationEtag(state, `${variant} ${target.graph} ${JSON.stringify(req.query)}`));
    const profile = requestedProfile(req, ['schema', 'dcat', 'full']);
    const fair = await view.metadata();
    setSignposting(res, fair);
    const cite = citationRequest(req);
    if (cite) {
      const out = renderCitation([await view.citation()], cite, `${id}${target.version ? `-v${target.version}` : ''}`);
      if (req.query.download !== undefined) res.attachment(out.filename);
      tag(out.contentType);
      if (notModified(req, res)) return;
      return res.type(out.contentType).send(out.body);
    }
    const offered = [...READ_TYPES, ...fairReadTypes(fair), ...CITATION_MEDIA_TYPES.map((m) => m.mediaType)];
    let type: string;
    try {
      type = negotiateProfiled(req, offered, profile, ['schema', 'dcat', 'full']);
    } catch (err) {
      // DataCite XML asked for, of a page without a DOI: say why it is not offered
      if (err instanceof NotAcceptableError && !fair.doi && wantedDataciteXml(req, offered)) throw dataciteXmlWithoutDoi(fair, offered);
      throw err;
    }
    tag(`${type} ${profile.profile ?? ''}`);
    if (notModified(req, res)) return;
    if (type === 'text/html') {
      const extra = await landingSections(ctx, view, callerOf(res));
      const vocab = await loadVocabulary();
      return res.type('html').send(renderDataset(ctx, id, target.subject, quads, target.version, { head: landingHead(fair, offered) + extra.script, alternates: alternatesHtml(fair, offered) }, { ...extra, vocab, versions: view.entry.versions }));
    }
    if (await sendPublication(res, type, profile, fair, quads)) return;
    res.type(type).send(await serializeGraph(quads, type));
  };
  r.get('/datasets/:id', (req, res) => show(req, res));
  r.put('/datasets/:id', body, async (req, res) => {
    const format = formatFromMediaType(req.headers['content-type']);
    if (!format) throw new HttpError(415, 'Unsupported Media Type', `send the dataset as application/json, application/ld+json or text/turtle (got "${req.headers['content-type']}")`);
    if (typeof req.body !== 'string' || req.body.trim() === '') throw new HttpError(400, 'Empty Body', 'the request body is empty; send the new description of the dataset');
    const result = await ctx.datasets.edit(String(req.params.id), req.body, format, callerOf(res), { ifMatch: req.headers['if-match'], dryRun: dryRun(req) });
    if (result.dryRun) return dryRunReply(res, result);
    res.status(200).json({ id: result.id, draft: result.iri, activity: result.activity });
  });
  r.patch('/datasets/:id', body, async (req, res) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/merge-patch+json' && type !== 'application/json') {
      res.setHeader('Accept-Patch', 'application/merge-patch+json');
      throw new HttpError(415, 'Unsupported Media Type', `send a JSON Merge Patch (RFC 7396) of the Dataset JSON as application/merge-patch+json (got "${req.headers['content-type'] ?? ''}")`);
    }
    if (typeof req.body !== 'string' || req.body.trim() === '') throw new HttpError(400, 'Empty Body', 'the request body is empty; send the fields to change, e.g. {"title": "New title"} (null removes a field)');
    const result = await ctx.datasets.patch(String(req.params.id), req.body, callerOf(res), { ifMatch: req.headers['if-match'], dryRun: dryRun(req) });
    if (result.dryRun) return dryRunReply(res, result);
    res.status(200).json({ id: result.id, draft: result.iri, activity: result.activity });
  });
  r.delete('/datasets/:id', body, async (req, res) => {
    const text = typeof req.body === 'string' ? req.body : '';
    const mediaType = (req.headers['content-type'] ?? 'text/plain').split(';')[0].trim();
    const reason = text.trim() ? parseWithdrawalBody(text, req.headers['content-type'])
      : typeof req.query.reason === 'string' ? parseWithdrawalBody(req.query.reason, 'text/plain') : undefined;
    const result = await deleteDataset(ctx, String(req.params.id), callerOf(res), { reason, body: text, mediaType }, { ifMatch: req.headers['if-match'] });
    if (result.removed) return res.status(204).end();
    res.status(200).json(result);
  });
  r.get('/datasets/:id/versions/:n', (req, res) => {
    const n = Number(req.params.n);
    if (!Number.isInteger(n) || n < 1) throw new HttpError(404, 'Not Found', `"${req.params.n}" is not a version number`);
    return show(req, res, n);
  });
  r.get('/datasets/:id/versions', async (req, res) => {
    const e = ctx.datasets.visibleEntry(String(req.params.id), callerOf(res));
    const dois = await datasetDoiStatus(ctx, e.id);
    res.json({
      id: e.id, versions: e.versions.map((v) => ({ version: v, iri: ctx.iris.version(e.id, v), withdrawn: e.withdrawn.has(v), doi: dois.versions[v] })), hasDraft: e.hasDraft,
      doi: { registering: dois.registering, concept: dois.concept, ...(dois.queued ? { queued: dois.queued } : {}) },
    });
  });
  r.post('/datasets/:id/versions', body, async (req, res) => {
    let notes: string | undefined;
    if (typeof req.body === 'string' && req.body.trim()) {
      if ((req.headers['content-type'] ?? '').startsWith('application/json')) {
        try { notes = JSON.parse(req.body).notes; } catch { throw new HttpError(400, 'Malformed JSON', 'the body must be {"notes": "release notes"}'); }
      } else notes = req.body.trim();
    }
    const result = await ctx.datasets.publish(String(req.params.id), callerOf(res), notes);
    // the DOI is registered after the answer (src/service/doi-registrar.ts): a DataCite failure never fails a publish
    const doi = ctx.dois ? { state: 'queued', status: `/datasets/${result.id}/versions` } : null;
    res.status(201).location(`/datasets/${result.id}/versions/${result.version}`).json({ id: result.id, version: result.version, iri: result.iri, activity: result.activity, doi });
  });
  return r;
}
