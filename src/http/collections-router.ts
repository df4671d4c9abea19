/**
 * /collections: list, create; /collections/{id}: landing page (HTML), JSON, DCAT (JSON-LD,
 * Turtle, N-Triples, RDF/XML), citations of every member (BibTeX, RIS, CSL-JSON, text);
 * change or delete (owner or curator); /collections/{id}/members: add, remove.
 */
import express, { Router, type Request, type Response } from 'express';
import type { ServiceContext } from '../service/context.js';
import type { Caller } from '../model/caller.js';
import { callerOf } from './auth.js';
import { HttpError } from './problem.js';
import { negotiate } from './negotiate.js';
import { NS } from '../model/namespaces.js';
import { df, iri, lit, RDF_TYPE, type Quad } from '../util/rdf.js';
import { serializeGraph } from '../publish/rdf-formats.js';
import { renderCitation, citationFormatFromParam, negotiateCitation, CITATION_MEDIA_TYPES, type CitationRecord } from '../publish/citation/index.js';
import { searchServices, type SearchServices } from '../service/search-services.js';
import { graphCitation } from '../service/dataset-view.js';
import type { CollectionRecord } from '../service/collections.js';
import { esc, page } from './html.js';
import { citationBox } from './pages/dataset-parts.js';
import { SCRIPT } from './pages/search.js';

const COLLATE = new Intl.Collator('en').compare;
const RDF_TYPES = ['text/turtle', 'application/ld+json', 'application/n-triples', 'application/rdf+xml'];

interface Shown { id: string; title: string; iri: string; version?: number; graph: string }

export function collectionsRouter(ctx: ServiceContext): Router {
  const r = Router();
  const json = express.json({ limit: '1mb', type: () => true, strict: false });
  const svc = () => searchServices(ctx);

  /** The members the caller may read, with the graph to cite (pinned version, else latest). */
  async function members(s: SearchServices, c: CollectionRecord, caller: Caller): Promise<Shown[]> {
    const out: Shown[] = [];
    if (c.kind === 'tag') {
      await s.index.sync();
      for (const { doc } of s.index.visible(caller)) {
        if (s.contains(c, doc)) out.push({ id: doc.id, title: doc.title, iri: ctx.iris.concept(doc.id), version: typeof doc.version === 'number' ? doc.version : undefined, graph: doc.subject });
      }
      void 0;
    } else {
      for (const m of s.collections.visibleMembers(c, caller)) {
        const e = ctx.catalog.entries.get(m.id)!;
        const v = m.version ?? ctx.catalog.latest(e);
        if (v === undefined) continue; // nothing published yet: not citable, not shown
        out.push({ id: m.id, title: e.title, iri: m.version !== undefined ? ctx.iris.version(m.id, m.version) : ctx.iris.concept(m.id), version: v, graph: ctx.iris.version(m.id, v) });
      }
    }
    return out.sort((a, b) => COLLATE(a.title, b.title) || a.id.localeCompare(b.id));
  }

  const summary = (c: CollectionRecord, shown?: Shown[]) => ({
    id: c.id, kind: c.kind, title: c.title, ...(c.description ? { description: c.description } : {}), owner: c.owner, access: c.access,
    iri: ctx.iris.collection(c.id), url: `/collections/${c.id}`, created: c.created, modified: c.modified,
    ...(shown ? { members: shown.map((m) => ({ id: m.id, title: m.title, iri: m.iri, ...(m.version !== undefined ? { version: m.version } : {}) })) } : {}),
  });

  async function dcat(s: SearchServices, c: CollectionRecord, shown: Shown[]): Promise<Quad[]> {
    const C = iri(ctx.iris.collection(c.id));
    const stored = s.collections.quads({ ...c, members: [] });
    const q: Quad[] = [...stored, df.quad(C, RDF_TYPE, iri(`${NS.dcat}Catalog`)), df.quad(C, iri(`${NS.foaf}homepage`), iri(ctx.iris.collection(c.id)))];
    for (const m of shown) {
      const M = iri(m.iri);
      q.push(df.quad(C, iri(`${NS.dcterms}hasPart`), M), df.quad(C, iri(`${NS.dcat}dataset`), M), df.quad(M, RDF_TYPE, iri(`${NS.dcat}Dataset`)),
        df.quad(M, iri(`${NS.dcterms}title`), lit(m.title)), df.quad(M, iri(`${NS.dcat}landingPage`), iri(`${ctx.iris.base}/datasets/${m.id}`)));
    }
    return q;
  }

  async function records(shown: Shown[]): Promise<CitationRecord[]> {
    const out: CitationRecord[] = [];
    for (const m of shown) {
      const record = await graphCitation(ctx, m.graph);
      if (record) out.push(record);
    }
    return out;
  }

  r.get('/collections', async (req, res) => {
    const s = await svc();
    const caller = callerOf(res);
    const list = s.collections.list(caller);
    const type = negotiate(req, ['application/json', 'application/ld+json', 'text/html']);
    if (type === 'text/html') {
      return res.type('html').send(page('Collections', `<h1>Collections</h1>
${list.length ? `<ul>${list.map((c) => `<li><a href="/collections/${esc(c.id)}">${esc(c.title)}</a> <small>${esc(c.kind)}${c.access === 'private' ? ' · private' : ''}</small>${c.description ? `<br><span class="muted">${esc(c.description)}</span>` : ''}</li>`).join('')}</ul>` : '<p>No collections yet.</p>'}
<p><small>Contributors create collections with <code>POST /collections</code> ({"title": "…", "members": ["dataset-id"]}) or tags with {"kind": "tag", "title": "…"}.</small></p>`));
    }
    if (type === 'application/ld+json') {
      return res.type('application/ld+json').send(JSON.stringify({
        '@context': { hydra: 'http://www.w3.org/ns/hydra/core#', dcterms: NS.dcterms },
        '@id': `${ctx.iris.base}/collections`, '@type': 'hydra:Collection', 'hydra:totalItems': list.length,
        'hydra:member': list.map((c) => ({ '@id': ctx.iris.collection(c.id), '@type': c.kind === 'tag' ? `${NS.syndb}Tag` : `${NS.syndb}Collection`, 'dcterms:title': c.title })),
      }, null, 2));
    }
    res.json({ total: list.length, collections: list.map((c) => summary(c)) });
  });

  r.post('/collections', json, async (req, res) => {
    const s = await svc();
    const c = await s.collections.create(req.body, callerOf(res));
    res.status(201).location(`/collections/${c.id}`).json(summary(c, await members(s, c, callerOf(res))));
  });

  r.get('/collections/:id', async (req, res) => {
    const s = await svc();
    const caller = callerOf(res);
    const c = s.collections.get(String(req.params.id), caller);
    const shown = await members(s, c, caller);
    res.vary('Accept');
    const fmt = typeof req.query.format === 'string' ? req.query.format : undefined;
    const citeFormat = citationFormatFromParam(fmt);
    const accept = req.headers.accept ?? '';
    const negotiated = !fmt && CITATION_MEDIA_TYPES.some((m) => accept.includes(m.mediaType)) ? negotiateCitation(accept) : undefined;
    if (citeFormat || negotiated) {
      const reqC = negotiated ?? { format: citeFormat!, style: typeof req.query.style === 'string' ? req.query.style : undefined, locale: typeof req.query.locale === 'string' ? req.query.locale : undefined };
      const recs = await records(shown);
      if (!recs.length) throw new HttpError(404, 'Nothing To Cite', `collection "${c.id}" has no published member you may read`);
      const out = renderCitation(recs, reqC, `collection-${c.id}`);
      if (req.query.download !== undefined) res.attachment(out.filename);
      return res.type(out.contentType).send(out.body);
    }
    const type = negotiate(req, ['text/html', 'application/json', ...RDF_TYPES]);
    if (type === 'application/json') return res.json(summary(c, shown));
    if (RDF_TYPES.includes(type)) return res.type(type).send(await serializeGraph(await dcat(s, c, shown), type));
    const recs = await records(shown);
    const canWrite = s.collections.canWrite(c, caller);
    const body = `<h1>${esc(c.title)}</h1>
<p class="muted">${c.kind === 'tag' ? 'Tag' : 'Collection'} · ${esc(c.access)} · curated by ${esc(c.owner)} · updated ${esc(c.modified.slice(0, 10))}</p>
${c.description ? `<p>${esc(c.description)}</p>` : ''}
<section aria-labelledby="members-h"><h2 id="members-h">${shown.length} dataset${shown.length === 1 ? '' : 's'}</h2>
${shown.length ? `<ol class="results">${shown.map((m) => `<li data-dataset="${esc(m.id)}"><a href="/datasets/${esc(m.id)}${m.version !== undefined && m.iri.includes('/versions/') ? `/versions/${m.version}` : ''}">${esc(m.title)}</a> <small>${esc(m.id)}${m.version !== undefined ? ` · version ${m.version}` : ''}</small></li>`).join('')}</ol>` : '<p>No datasets you may read are in this collection.</p>'}
<p><a href="/datasets?collection=${encodeURIComponent(c.id)}">Search within this collection</a></p></section>
${recs.length ? citationBox(recs, `/collections/${c.id}`, { heading: 'Cite every dataset of this collection' }) : ''}
<p><small>DCAT: <a href="/collections/${esc(c.id)}?format=jsonld">JSON-LD</a> · <a href="/collections/${esc(c.id)}?format=ttl">Turtle</a> · <a href="/collections/${esc(c.id)}?format=rdf">RDF/XML</a> · <a href="/collections/${esc(c.id)}?format=json">JSON</a></small></p>
${canWrite ? '<p><small>You may change this collection: <code>PUT</code>, <code>DELETE</code>, <code>POST /collections/{id}/members</code>.</small></p>' : ''}`;
    const head = RDF_TYPES.map((t) => `<link rel="alternate" type="${t}" href="/collections/${esc(c.id)}?format=${t === 'text/turtle' ? 'ttl' : t === 'application/ld+json' ? 'jsonld' : t === 'application/n-triples' ? 'nt' : 'rdf'}">`).join('');
    res.type('html').send(page(c.title, body, head + SCRIPT));
  });

  r.put('/collections/:id', json, async (req, res) => {
    const s = await svc();
    const c = await s.collections.update(String(req.params.id), req.body, callerOf(res));
    res.json(summary(c, await members(s, c, callerOf(res))));
  });

  r.delete('/collections/:id', async (req, res) => {
    const s = await svc();
    await s.collections.remove(String(req.params.id), callerOf(res));
    res.status(204).end();
  });

  r.post('/collections/:id/members', json, async (req: Request, res: Response) => {
    const s = await svc();
    const b = req.body as Record<string, unknown> | string | unknown[];
    const refs = typeof b === 'string' || Array.isArray(b) ? b : b && typeof b === 'object' ? (b.members ?? b.dataset) : undefined;
    if (refs === undefined) throw new HttpError(400, 'Bad Request', 'send {"dataset": "dataset-id"} or {"members": ["id", …]}');
    const c = await s.collections.addMembers(String(req.params.id), refs, callerOf(res));
    res.json(summary(c, await members(s, c, callerOf(res))));
  });

  r.delete('/collections/:id/members/:dataset', async (req, res) => {
    const s = await svc();
    const c = await s.collections.removeMember(String(req.params.id), String(req.params.dataset), callerOf(res));
    res.json(summary(c, await members(s, c, callerOf(res))));
  });
  return r;
}
