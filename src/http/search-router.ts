/**
 * GET / (home), GET /datasets (search: JSON, JSON-LD Hydra collection, HTML), the citation page
 * /datasets/{id}/cite, the upload form /upload, and /static assets. Mounted before datasetsRouter.
 */
import express, { Router, type NextFunction, type Request } from 'express';
import { readFileSync } from 'node:fs';
import type { ServiceContext } from '../service/context.js';
import { callerOf } from './auth.js';
import { HttpError } from './problem.js';
import { negotiate, preferred } from './negotiate.js';
import { NS, compactIri } from '../model/namespaces.js';
import { projectPath } from '../util/paths.js';
import { ConflictError, ForbiddenError, InputError } from '../model/problems.js';
import { searchServices } from '../service/search-services.js';
import { datasetView } from '../service/dataset-view.js';
import { parseParams, SearchError, FACETS, type SearchParams } from '../search/query.js';
import type { SearchResult, SearchHit } from '../search/index.js';
import { renderHome, renderResults, searchUrl, archiveUrl, SCRIPT } from './pages/search.js';
import { landingSections, termLink } from './pages/dataset-parts.js';
import { renderUpload, formToDatasetJson, type UploadForm } from './pages/upload.js';
import { esc, page } from './html.js';

const STATIC: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8' };

export function searchProblem(e: SearchError): HttpError {
  return new HttpError(400, 'Bad Search', e.message, { errors: e.problems });
}

/** Search parameters from a request (format= and download are not search parameters). */
export function requestParams(req: Request, defaultPageSize: number): SearchParams {
  try {
    return parseParams(Object.entries(req.query as Record<string, unknown>), { defaultPageSize, ignore: ['format'] });
  } catch (e) {
    if (e instanceof SearchError) throw searchProblem(e);
    throw e;
  }
}

export function hitJson(ctx: ServiceContext, vocab: { label(iri: string): string | undefined }, h: SearchHit) {
  const term = (iri: string) => ({ iri, curie: compactIri(iri), label: vocab.label(iri) ?? compactIri(iri) });
  const d = h.doc, e = h.entry;
  return {
    id: d.id, title: d.title, description: d.description, iri: ctx.iris.concept(d.id), url: `/datasets/${d.id}`,
    access: e.access, version: d.version === 'draft' ? null : d.version, isDraft: d.version === 'draft', issued: d.issued ?? null,
    versions: e.versions.filter((v) => !e.withdrawn.has(v)), latestVersion: ctx.catalog.latest(e) ?? null, hasDraft: e.hasDraft,
    species: d.species.map(term), brainRegion: d.region.map(term), microscopyMethod: d.method.map(term), modality: d.modality,
    geneticManipulations: d.genes, expressionKinds: d.expression.map(term), compartments: d.compartments, tags: d.tags, keywords: d.keywords,
    publications: d.publications, creators: d.creators.map((c) => ({ name: c.name, ...(c.orcid ? { orcid: c.orcid } : {}) })), identifiers: d.identifiers,
    ...(h.score ? { score: h.score } : {}),
  };
}

export function hydraCollection(ctx: ServiceContext, p: SearchParams, r: SearchResult) {
  const base = ctx.iris.base;
  const pages = Math.max(1, Math.ceil(r.total / r.pageSize));
  const at = (n: number) => `${base}${searchUrl(p, { page: n })}`;
  return {
    '@context': { hydra: 'http://www.w3.org/ns/hydra/core#', dcterms: NS.dcterms, dcat: NS.dcat, syndb: NS.syndb, xsd: NS.xsd },
    '@id': `${base}${searchUrl({ ...p, page: 1 })}`,
    '@type': 'hydra:Collection',
    'hydra:totalItems': r.total,
    'hydra:member': r.hits.map((h) => ({
      '@id': ctx.iris.concept(h.doc.id), '@type': 'dcat:Dataset', 'dcterms:title': h.doc.title,
      ...(h.doc.description ? { 'dcterms:description': h.doc.description } : {}),
      'dcterms:identifier': h.doc.id,
      'syndb:species': h.doc.species.map((s) => ({ '@id': s })), 'syndb:brainRegion': h.doc.region.map((s) => ({ '@id': s })),
      'syndb:microscopyMethod': h.doc.method.map((s) => ({ '@id': s })),
      ...(h.doc.issued ? { 'dcterms:issued': { '@value': h.doc.issued, '@type': 'xsd:dateTime' } } : {}),
    })),
    'hydra:view': {
      '@id': at(r.page), '@type': 'hydra:PartialCollectionView', 'hydra:first': at(1), 'hydra:last': at(pages),
      ...(r.page > 1 ? { 'hydra:previous': at(Math.min(r.page - 1, pages)) } : {}), ...(r.page < pages ? { 'hydra:next': at(r.page + 1) } : {}),
    },
    'hydra:search': {
      '@type': 'hydra:IriTemplate', 'hydra:template': `${base}/datasets{?q,${FACETS.join(',')},sort,page,pageSize}`, 'hydra:variableRepresentation': 'hydra:BasicRepresentation',
      'hydra:mapping': ['q', ...FACETS, 'sort', 'page', 'pageSize'].map((v) => ({ '@type': 'hydra:IriTemplateMapping', 'hydra:variable': v, 'hydra:required': false })),
    },
  };
}

export function searchRouter(ctx: ServiceContext): Router {
  const r = Router();
  const services = () => searchServices(ctx);
  void services().catch(() => {}); // build the index while the server starts

  r.get('/static/:file', (req, res) => {
    const type = STATIC[String(req.params.file)];
    if (!type) throw new HttpError(404, 'Not Found', `no static file "${req.params.file}"`);
    res.type(type).set('Cache-Control', 'public, max-age=300').send(readFileSync(projectPath('src', 'http', 'static', String(req.params.file)), 'utf8'));
  });

  r.get('/', async (req, res, next: NextFunction) => {
    if (preferred(req, ['text/html', 'application/json']) === 'application/json' && !preferred(req, ['text/html'])) return next();
    const s = await services();
    const caller = callerOf(res);
    const result = await s.index.search({ filters: {}, ops: {}, page: 1, pageSize: 5, sort: 'newest' }, caller, s.view(caller));
    res.type('html').send(renderHome(s.index.vocab, result, s.collections.list(caller)));
  });

  r.get('/datasets', async (req, res) => {
    const type = negotiate(req, ['application/json', 'application/ld+json', 'text/html']);
    const p = requestParams(req, type === 'text/html' ? 20 : 100);
    const s = await services();
    const caller = callerOf(res);
    let result: SearchResult;
    try {
      result = await s.index.search(p, caller, s.view(caller));
    } catch (e) {
      if (e instanceof SearchError) throw searchProblem(e);
      throw e;
    }
    res.vary('Accept').set('Server-Timing', `search;dur=${result.ms.toFixed(1)}`);
    if (type === 'text/html') return res.type('html').send(renderResults(s.index.vocab, p, result));
    if (type === 'application/ld+json') return res.type('application/ld+json').send(JSON.stringify(hydraCollection(ctx, p, result), null, 2));
    const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
    res.json({
      total: result.total, page: result.page, pageSize: result.pageSize, pages, sort: result.sort,
      query: { q: p.q ?? null, filters: p.filters, ops: p.ops },
      resolved: result.resolved.map((v) => ({ facet: v.facet, input: v.input, value: v.value, label: v.label, ...(v.iri ? { iri: v.iri } : {}), negated: v.negated, ...(v.expanded ? { expandsTo: v.expanded } : {}) })),
      datasets: result.hits.map((h) => hitJson(ctx, s.index.vocab, h)),
      facets: result.facets,
      links: { self: searchUrl(p), first: searchUrl(p, { page: 1 }), last: searchUrl(p, { page: pages }), ...(result.page > 1 ? { prev: searchUrl(p, { page: result.page - 1 }) } : {}), ...(result.page < pages ? { next: searchUrl(p, { page: result.page + 1 }) } : {}), ...(archiveUrl(result.hits) ? { archive: archiveUrl(result.hits) } : {}) },
    });
  });

  // The citation page: citation box, key facts with ontology links, tables with downloads.
  r.get('/datasets/:id/cite', async (req, res) => {
    const caller = callerOf(res);
    const id = String(req.params.id);
    const v = typeof req.query.version === 'string' && /^\d+$/.test(req.query.version) ? Number(req.query.version) : undefined;
    const view = await datasetView(ctx, id, caller, v);
    const { target, quads } = view;
    const s = await services();
    const vocab = s.index.vocab;
    const values = (p: string) => quads.filter((q) => q.subject.value === target.subject && q.predicate.value === p).map((q) => q.object.value);
    const extra = await landingSections(ctx, view, callerOf(res));
    const href = `/datasets/${id}${target.version !== undefined ? `/versions/${target.version}` : ''}`;
    const title = values(`${NS.dcterms}title`)[0] ?? id;
    const body = `<p><a href="/datasets/${esc(id)}">← ${esc(title)}</a></p>
<h1>Cite: ${esc(title)}</h1>
<p class="muted">${target.version !== undefined ? `Version ${target.version}` : 'Draft (not published)'} · <a href="${esc(href)}">landing page</a></p>
${extra.citation}
<section aria-labelledby="facts-h"><h2 id="facts-h">Key facts</h2><dl>
<dt>Species</dt><dd>${values(`${NS.syndb}species`).map((x) => termLink(vocab, x, 'species')).join('<br>')}</dd>
<dt>Brain region</dt><dd>${values(`${NS.syndb}brainRegion`).map((x) => termLink(vocab, x, 'region')).join('<br>')}</dd>
<dt>Microscopy</dt><dd>${values(`${NS.syndb}microscopyMethod`).map((x) => termLink(vocab, x, 'method')).join('<br>')}</dd>
</dl></section>
${extra.tables}`;
    res.type('html').send(page(`Cite ${title}`, body, SCRIPT));
  });

  const form = express.urlencoded({ extended: false, limit: '1mb' });
  r.get('/upload', (_req, res) => { res.type('html').send(renderUpload({ access: 'public', license: 'CC-BY-4.0' })); });
  r.post('/upload', form, async (req, res) => {
    const f = (req.body ?? {}) as UploadForm;
    const token = typeof f.token === 'string' ? f.token.trim() : '';
    const caller = token ? ctx.tokens.verify(token) : undefined;
    if (!caller) {
      return res.status(401).type('html').send(renderUpload(f, [{ path: 'token', message: token ? 'this token is not valid (unknown or revoked)' : 'a contributor token is needed to upload', severity: 'Violation' }]));
    }
    try {
      const out = await ctx.datasets.create(JSON.stringify(formToDatasetJson(f)), 'json', caller, { publish: !!f.publish });
      res.redirect(303, `/datasets/${out.id}`);
    } catch (e) {
      if (e instanceof InputError) return res.status(422).type('html').send(renderUpload(f, e.problems));
      if (e instanceof ForbiddenError) return res.status(e.status).type('html').send(renderUpload(f, [{ path: 'token', message: e.message, severity: 'Violation' }]));
      if (e instanceof ConflictError) return res.status(409).type('html').send(renderUpload(f, [{ path: 'id', message: e.message, severity: 'Violation' }]));
      throw e;
    }
  });
  return r;
}
